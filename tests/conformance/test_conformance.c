/* The conformance program. Suite "trace_compare" tests the comparator; suite "conformance" has
 * one test per corpus case (tests/conformance/cases, sorted by name): the case is replayed in
 * the sim host and its trace compared with expected/<same name>. Every case must pass. For work
 * on one part, HCSOCI_CONFORMANCE_AREAS (a comma list of areas) runs only those areas' cases and
 * lists the others as skipped (CUnit has no skip). */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include <hcsoci/json_number.h>
#include <hcsoci/replay.h>

#include "../unit/test_support.h"
#include "../../core/lib/portable.h"
#include "kit/trace_compare.h"

static const char cases_directory[] = "tests/conformance/cases";
static const char expected_directory[] = "tests/conformance/expected";

/* ---- the comparator's own tests ------------------------------------------------------------- */

/* GUIDs for the comparator's tests: generated ones as the corpus writes them, stand-ins an
 * implementation might generate, and the one GUID small_case gives. */
#define GENERATED_1 "ffffffff-0000-4000-8000-000000000001"
#define GENERATED_2 "ffffffff-0000-4000-8000-000000000002"
#define ACTUAL_1 "0a1b2c3d-aaaa-4bbb-8ccc-0123456789ab"
#define ACTUAL_2 "99999999-aaaa-4bbb-8ccc-0123456789ab"
#define ACTUAL_3 "0a1b2c3d-aaaa-4bbb-8ccc-0123456789ac"
#define ACTUAL_4 "12345678-aaaa-4bbb-8ccc-0123456789ab"
#define ACTUAL_5 "1a1b2c3d-aaaa-4bbb-8ccc-0123456789ab"
#define CASE_GUID "8d2a4c6e-1111-4a5b-9c3d-000000000001"
#define OTHER_GUID "8d2a4c6e-1111-4a5b-9c3d-000000000009"

/* A case that gives one GUID (the layer id), in upper case as a case-insensitivity check. */
static const char *const small_case =
    "{'name':'small','host':{'layerIds':{'C:\\\\l':'8D2A4C6E-1111-4A5B-9C3D-000000000001'}}}";

/* A trace with these calls and nulls elsewhere. */
static char *trace_with_calls(const char *calls)
{
    char *text = NULL;
    CU_ASSERT_FATAL(asprintf(&text, "{'calls':[%s],'error':null,'releaseCalls':null,"
                                    "'releaseError':null}", calls) >= 0);
    return text;
}

/* Compares two traces written as quoted_json text under small_case; returns the result and
 * stores the message (or NULL) in *difference. */
static int compare_texts(const char *expected_text, const char *actual_text, char **difference)
{
    json_t *test_case = test_quoted_json(small_case);
    json_t *expected = test_quoted_json(expected_text);
    json_t *actual = test_quoted_json(actual_text);
    int result = trace_compare(test_case, expected, actual, difference);
    json_decref(test_case);
    json_decref(expected);
    json_decref(actual);
    return result;
}

static void assert_traces_match(const char *expected_text, const char *actual_text)
{
    char *difference = NULL;
    int result = compare_texts(expected_text, actual_text, &difference);
    if (result != 0)
        fprintf(stderr, "\n  unexpected difference: %s\n", difference);
    CU_ASSERT_EQUAL(result, 0);
    CU_ASSERT_PTR_NULL(difference);
    free(difference);
}

/* Asserts that the traces differ and that the message contains needle. */
static void assert_traces_differ(const char *expected_text, const char *actual_text,
                                 const char *needle)
{
    char *difference = NULL;
    int result = compare_texts(expected_text, actual_text, &difference);
    CU_ASSERT_EQUAL(result, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(difference);
    if (strstr(difference, needle) == NULL) {
        fprintf(stderr, "\n  difference: %s\n  expected to contain: %s\n", difference, needle);
        CU_FAIL("difference message lacks the expected text");
    }
    free(difference);
}

/* Same as assert_traces_differ for two call lists. */
static void assert_calls_differ(const char *expected_calls, const char *actual_calls,
                                const char *needle)
{
    char *expected = trace_with_calls(expected_calls);
    char *actual = trace_with_calls(actual_calls);
    assert_traces_differ(expected, actual, needle);
    free(expected);
    free(actual);
}

static void assert_calls_match(const char *expected_calls, const char *actual_calls)
{
    char *expected = trace_with_calls(expected_calls);
    char *actual = trace_with_calls(actual_calls);
    assert_traces_match(expected, actual);
    free(expected);
    free(actual);
}

static const char prepare_call[] =
    "{'call':'PrepareLayer','args':{'id':'C:\\\\s','descriptors':[{'LayerId':"
    "'" CASE_GUID "','Flags':0,'Path':'C:\\\\l'}]}}";

static void test_corpus_trace_matches_itself(void)
{
    json_t *test_case =
        test_load_json("tests/conformance/cases/027-argon-v2-mount-missing-destination.json");
    json_t *expected =
        test_load_json("tests/conformance/expected/027-argon-v2-mount-missing-destination.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(test_case);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    json_t *copy = json_deep_copy(expected);
    char *difference = NULL;
    CU_ASSERT_EQUAL(trace_compare(test_case, expected, copy, &difference), 0);
    CU_ASSERT_PTR_NULL(difference);
    /* one changed character deep inside is found and located */
    json_t *descriptor = json_array_get(
        json_object_get(json_object_get(json_array_get(json_object_get(copy, "calls"), 2),
                                        "args"), "descriptors"), 0);
    CU_ASSERT_FATAL(json_object_set_new(descriptor, "Flags", json_integer(1)) == 0);
    CU_ASSERT_EQUAL(trace_compare(test_case, expected, copy, &difference), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(difference);
    CU_ASSERT_STRING_EQUAL(difference,
                           "calls[2] (PrepareLayer): args.descriptors[0].Flags: expected 0 got 1");
    free(difference);
    json_decref(copy);
    json_decref(expected);
    json_decref(test_case);
}

static void test_key_order_and_number_kinds_do_not_matter(void)
{
    assert_calls_match("{'call':'X','args':{'a':1,'b':{'c':[1,2],'d':'e'},'f':null,'g':true}}",
                       "{'args':{'g':true,'f':null,'b':{'d':'e','c':[1,2.0]},'a':1.0},'call':'X'}");
}

static void test_changed_argument_is_located(void)
{
    char *expected = trace_with_calls(prepare_call);
    char *actual = trace_with_calls(
        "{'call':'PrepareLayer','args':{'id':'C:\\\\s','descriptors':[{'LayerId':"
        "'" CASE_GUID "','Flags':0,'Path':'C:\\\\m'}]}}");
    char *difference = NULL;
    CU_ASSERT_EQUAL(compare_texts(expected, actual, &difference), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(difference);
    CU_ASSERT_STRING_EQUAL(difference, "calls[0] (PrepareLayer): args.descriptors[0].Path: "
                                       "expected \"C:\\\\l\" got \"C:\\\\m\"");
    free(difference);
    free(expected);
    free(actual);
}

static void test_value_differences(void)
{
    assert_calls_differ("{'call':'X','args':{'a':[1,2]}}", "{'call':'X','args':{'a':[2,1]}}",
                        "calls[0] (X): args.a[0]: expected 1 got 2");
    assert_calls_differ("{'call':'X','args':{'a':[1,2]}}", "{'call':'X','args':{'a':[1]}}",
                        "args.a: expected 2 elements, got 1; first missing: 2");
    assert_calls_differ("{'call':'X','args':{'a':5}}", "{'call':'X','args':{'a':5.5}}",
                        "args.a: expected 5 got 5.5");
    assert_calls_differ("{'call':'X','args':{'a':1}}", "{'call':'X','args':{'a':'1'}}",
                        "args.a: expected 1 got \"1\"");
    assert_calls_differ("{'call':'X','args':{'a':false}}", "{'call':'X','args':{'a':null}}",
                        "args.a: expected false got null");
    assert_calls_differ("{'call':'X','args':{'a':1,'b':2}}", "{'call':'X','args':{'a':1,'c':2}}",
                        "calls[0] (X): args: missing key \"b\" (expected 2); "
                        "got unexpected key \"c\"");
    assert_calls_differ("{'call':'X','args':{'a':1}}", "{'call':'X','args':{'a':1,'z':[]}}",
                        "calls[0] (X): args: unexpected key \"z\" (got [])");
    assert_calls_differ("{'call':'X','args':{'s':'abc'}}", "{'call':'X','args':{'s':'abd'}}",
                        "args.s: expected \"abc\" got \"abd\"");
}

static void test_long_string_difference_shows_a_window(void)
{
    char long_text[400];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    char *expected_calls = NULL;
    char *actual_calls = NULL;
    CU_ASSERT_FATAL(asprintf(&expected_calls, "{'call':'X','args':{'s':'%sEND'}}", long_text) > 0);
    CU_ASSERT_FATAL(asprintf(&actual_calls, "{'call':'X','args':{'s':'%sEXT'}}", long_text) > 0);
    assert_calls_differ(expected_calls, actual_calls, "(first difference at offset 400)");
    assert_calls_differ(expected_calls, actual_calls, "aaaEND\" got ...\"aaa");
    free(expected_calls);
    free(actual_calls);
}

static void test_missing_extra_and_wrong_calls(void)
{
    assert_calls_differ("{'call':'A','args':{}},{'call':'B','args':{}},{'call':'C','args':{}}",
                        "{'call':'A','args':{}},{'call':'B','args':{}}",
                        "calls: expected 3 calls, got 2; first missing: C");
    assert_calls_differ("{'call':'A','args':{}}", "{'call':'A','args':{}},{'call':'Z','args':{}}",
                        "calls: expected 1 calls, got 2; first extra: Z");
    assert_calls_differ("{'call':'A','args':{}},{'call':'B','args':{}}",
                        "{'call':'A','args':{}},{'call':'C','args':{}},{'call':'B','args':{}}",
                        "calls[1]: expected call B got C (expected 2 calls, got 3)");
    assert_calls_differ("{'call':'A','args':{}}", "{'name':'A','args':{}}",
                        "calls[0]: the actual trace has a call without a \"call\" name");
}

static void test_generated_guids_rename_consistently(void)
{
    /* two generated GUIDs, each used twice (once inside a resource path), and the case's GUID */
    assert_calls_match(
        "{'call':'M','args':{'id':'" GENERATED_1 "',"
        "'path':'VirtualMachine/Devices/NetworkAdapters/" GENERATED_1 "',"
        "'other':'" GENERATED_2 "','layer':'" CASE_GUID "'}},"
        "{'call':'M','args':{'ids':['" GENERATED_2 "','x']}}",
        "{'call':'M','args':{'id':'" ACTUAL_1 "',"
        "'path':'VirtualMachine/Devices/NetworkAdapters/" ACTUAL_1 "',"
        "'other':'" ACTUAL_2 "','layer':'" CASE_GUID "'}},"
        "{'call':'M','args':{'ids':['" ACTUAL_2 "','x']}}");
    /* GUID-named keys pair the same way */
    assert_calls_match(
        "{'call':'M','args':{'" GENERATED_1 "':{'a':1},'b':'" GENERATED_1 "'}}",
        "{'call':'M','args':{'" ACTUAL_4 "':{'a':1},'b':'" ACTUAL_4 "'}}");
}

static void test_inconsistent_guid_renaming_fails(void)
{
    /* one expected GUID, two actual ones */
    assert_calls_differ(
        "{'call':'M','args':{'a':'" GENERATED_1 "'}},{'call':'M','args':{'a':'" GENERATED_1 "'}}",
        "{'call':'M','args':{'a':'" ACTUAL_1 "'}},{'call':'M','args':{'a':'" ACTUAL_3 "'}}",
        "calls[1] (M): args.a: expected \"" GENERATED_1 "\" got \"" ACTUAL_3 "\" (expected GUID "
        GENERATED_1 " already stood for " ACTUAL_1 " earlier in the trace)");
    /* two expected GUIDs, one actual */
    assert_calls_differ(
        "{'call':'M','args':{'a':'" GENERATED_1 "','b':'" GENERATED_2 "'}}",
        "{'call':'M','args':{'a':'" ACTUAL_1 "','b':'" ACTUAL_1 "'}}",
        "already stood for expected " GENERATED_1);
    /* a pairing made in the calls holds in the release calls too */
    assert_traces_differ(
        "{'calls':[{'call':'M','args':{'a':'" GENERATED_1 "'}}],'error':null,"
        "'releaseCalls':[{'call':'R','args':{'a':'" GENERATED_1 "'}}],"
        "'releaseError':null}",
        "{'calls':[{'call':'M','args':{'a':'" ACTUAL_1 "'}}],'error':null,"
        "'releaseCalls':[{'call':'R','args':{'a':'" ACTUAL_5 "'}}],"
        "'releaseError':null}",
        "releaseCalls[0] (R): args.a:");
}

static void test_case_guids_must_be_kept(void)
{
    assert_calls_differ(
        "{'call':'M','args':{'a':'" CASE_GUID "'}}",
        "{'call':'M','args':{'a':'" OTHER_GUID "'}}",
        "GUID " CASE_GUID " is given by the case and must be kept");
    /* a generated GUID cannot be answered with one of the case's */
    assert_calls_differ(
        "{'call':'M','args':{'a':'" GENERATED_1 "'}}",
        "{'call':'M','args':{'a':'" CASE_GUID "'}}",
        CASE_GUID " is one of the case's");
}

static void test_guids_inside_strings(void)
{
    assert_calls_match(
        "{'call':'M','args':{'p':'\\\\\\\\?\\\\Volume{" GENERATED_1 "}\\\\',"
        "'j':'{\\'Id\\':\\'" GENERATED_1 "\\'}'}}",
        "{'call':'M','args':{'p':'\\\\\\\\?\\\\Volume{" ACTUAL_1 "}\\\\',"
        "'j':'{\\'Id\\':\\'" ACTUAL_1 "\\'}'}}");
    /* the text around a GUID must be equal */
    assert_calls_differ(
        "{'call':'M','args':{'p':'VirtualMachine/Devices/NetworkAdapters/" GENERATED_1 "'}}",
        "{'call':'M','args':{'p':'VirtualMachine/Devices/VirtualPci/" ACTUAL_1 "'}}",
        "args.p: expected \"VirtualMachine/Devices/NetworkAdapters/");
    /* a GUID where plain text is expected is a difference */
    assert_calls_differ(
        "{'call':'M','args':{'p':'x-" GENERATED_1 "'}}",
        "{'call':'M','args':{'p':'x-" ACTUAL_1 "-y'}}",
        "args.p:");
}

static void test_error_presence(void)
{
    assert_traces_differ("{'calls':[],'error':'boom','releaseCalls':null,'releaseError':null}",
                         "{'calls':[],'error':null,'releaseCalls':null,'releaseError':null}",
                         "error: expected \"boom\" got null");
    assert_traces_differ("{'calls':[],'error':null,'releaseCalls':[],'releaseError':null}",
                         "{'calls':[],'error':'boom','releaseCalls':[],'releaseError':null}",
                         "error: expected null got \"boom\"");
    assert_traces_differ("{'calls':[],'error':'a b','releaseCalls':null,'releaseError':null}",
                         "{'calls':[],'error':'a c','releaseCalls':null,'releaseError':null}",
                         "error: expected \"a b\" got \"a c\"");
    assert_traces_differ("{'calls':[],'error':null,'releaseCalls':[],'releaseError':null}",
                         "{'calls':[],'error':null,'releaseCalls':[],'releaseError':'late'}",
                         "releaseError: expected null got \"late\"");
    assert_traces_differ("{'calls':[],'error':null,'releaseCalls':[{'call':'A','args':{}}],"
                         "'releaseError':null}",
                         "{'calls':[],'error':null,'releaseCalls':null,'releaseError':null}",
                         "releaseCalls: expected 1 calls got null");
    assert_traces_differ("{'calls':[],'error':null,'releaseCalls':null,'releaseError':null}",
                         "{'calls':[],'error':null,'releaseError':null}",
                         "the actual trace's \"releaseCalls\" is not null or a list of calls");
    /* a generated GUID in an error text pairs like one in a call */
    assert_traces_match(
        "{'calls':[{'call':'M','args':{'a':'" GENERATED_1 "'}}],"
        "'error':'failed on " GENERATED_1 "','releaseCalls':null,"
        "'releaseError':null}",
        "{'calls':[{'call':'M','args':{'a':'" ACTUAL_1 "'}}],"
        "'error':'failed on " ACTUAL_1 "','releaseCalls':null,"
        "'releaseError':null}");
}

static void test_go_struct_formatting_exception_is_narrow(void)
{
    static const char expected[] =
        "{'calls':[],'error':'invalid OCI spec - a mount must have both source and a "
        "destination: {Destination: Type: Source:C:\\\\data Options:[]}','releaseCalls':null,"
        "'releaseError':null}";
    /* another rendering of the struct is accepted */
    assert_traces_match(expected,
                        "{'calls':[],'error':'invalid OCI spec - a mount must have both source "
                        "and a destination: {destination=\\'\\' source=C:\\\\data}',"
                        "'releaseCalls':null,'releaseError':null}");
    /* the text before it is not */
    assert_traces_differ(expected,
                         "{'calls':[],'error':'invalid spec - a mount must have both source and "
                         "a destination: {Destination: Type: Source:C:\\\\data Options:[]}',"
                         "'releaseCalls':null,'releaseError':null}",
                         "error: expected \"invalid OCI spec");
    /* nor a rendering without braces */
    assert_traces_differ(expected,
                         "{'calls':[],'error':'invalid OCI spec - a mount must have both source "
                         "and a destination: C:\\\\data','releaseCalls':null,'releaseError':null}",
                         "error: expected");
    /* nor text added after the braces */
    assert_traces_differ(expected,
                         "{'calls':[],'error':'invalid OCI spec - a mount must have both source "
                         "and a destination: {x} and more','releaseCalls':null,"
                         "'releaseError':null}",
                         "error: expected");
    /* braces that are not a Go struct are compared exactly */
    assert_traces_differ("{'calls':[],'error':'bad value {x}','releaseCalls':null,"
                         "'releaseError':null}",
                         "{'calls':[],'error':'bad value {y}','releaseCalls':null,"
                         "'releaseError':null}",
                         "error: expected \"bad value {x}\" got \"bad value {y}\"");
    /* text after the struct must still be equal */
    assert_traces_match("{'calls':[],'error':'at {Name:a Size:1}: gone','releaseCalls':null,"
                        "'releaseError':null}",
                        "{'calls':[],'error':'at {a 1}: gone','releaseCalls':null,"
                        "'releaseError':null}");
    assert_traces_differ("{'calls':[],'error':'at {Name:a Size:1}: gone','releaseCalls':null,"
                         "'releaseError':null}",
                         "{'calls':[],'error':'at {a 1}: lost','releaseCalls':null,"
                         "'releaseError':null}",
                         "error: expected \"at {Name:a Size:1}: gone\"");
}

static void test_malformed_traces_are_reported(void)
{
    assert_traces_differ("{'calls':[],'error':null,'releaseCalls':null,'releaseError':null}", "[]",
                         "the actual trace is not a JSON object");
    assert_traces_differ("{'error':null,'releaseCalls':null,'releaseError':null}",
                         "{'calls':[],'error':null,'releaseCalls':null,'releaseError':null}",
                         "the expected trace's \"calls\" is not a list of calls");
    assert_traces_differ("{'calls':[],'error':null,'releaseCalls':null,'releaseError':null}",
                         "{'calls':[],'error':7,'releaseCalls':null,'releaseError':null}",
                         "the actual trace's \"error\" is not null or a string: 7");
}

static const test_entry comparator_tests[] = {
    {"corpus trace matches itself", test_corpus_trace_matches_itself},
    {"key order and number kinds do not matter", test_key_order_and_number_kinds_do_not_matter},
    {"changed argument is located", test_changed_argument_is_located},
    {"value differences", test_value_differences},
    {"long string difference shows a window", test_long_string_difference_shows_a_window},
    {"missing, extra and wrong calls", test_missing_extra_and_wrong_calls},
    {"generated GUIDs rename consistently", test_generated_guids_rename_consistently},
    {"inconsistent GUID renaming fails", test_inconsistent_guid_renaming_fails},
    {"case GUIDs must be kept", test_case_guids_must_be_kept},
    {"GUIDs inside strings", test_guids_inside_strings},
    {"error presence", test_error_presence},
    {"Go struct formatting exception is narrow", test_go_struct_formatting_exception_is_narrow},
    {"malformed traces are reported", test_malformed_traces_are_reported},
    {NULL, NULL},
};

/* ---- the corpus ------------------------------------------------------------------------------ */

static unsigned cases_passed;
static unsigned cases_failed;
static unsigned cases_skipped;

/* Fails the current case test with a message naming the case (printed after flushing CUnit's
 * own output, so that the two read in order in a log). */
static void fail_case(const char *case_name, const char *format, ...)
    HCSOCI_PRINTF_FORMAT(2, 3);

static void fail_case(const char *case_name, const char *format, ...)
{
    fflush(stdout);
    fprintf(stderr, "\nFAIL %s: ", case_name);
    va_list arguments;
    va_start(arguments, format);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fprintf(stderr, "\n");
    cases_failed++;
    CU_FAIL("the case does not conform (see the message above)");
}

/* Parses <directory>/<case_name>.json under the source tree; NULL and a malloc'ed *problem
 * when it is missing or does not parse. */
static json_t *load_case_file(const char *directory, const char *case_name, char **problem)
{
    char *relative = NULL;
    *problem = NULL;
    if (asprintf(&relative, "%s/%s.json", directory, case_name) < 0)
        return NULL;
    json_error_t parse_error;
    json_t *value = hcsoci_json_load_file(test_source_path(relative), 0, &parse_error);
    if (value == NULL) {
        int written = parse_error.line > 0
                          ? asprintf(problem, "cannot read %s: %s (line %d)", relative,
                                     parse_error.text, parse_error.line)
                          : asprintf(problem, "cannot read %s: %s", relative, parse_error.text);
        if (written < 0)
            *problem = NULL;
    }
    free(relative);
    return value;
}

/* The test function of every case: the case is the one named like the running test. */
static void test_current_case(void)
{
    CU_pTest current = CU_get_current_test();
    CU_ASSERT_PTR_NOT_NULL_FATAL(current);
    const char *case_name = current->pName;
    char *problem = NULL;
    json_t *test_case = load_case_file(cases_directory, case_name, &problem);
    json_t *expected =
        test_case != NULL ? load_case_file(expected_directory, case_name, &problem) : NULL;
    if (expected == NULL) {
        fail_case(case_name, "%s", problem != NULL ? problem : "out of memory");
        free(problem);
        json_decref(test_case);
        return;
    }
    if (!json_is_string(json_object_get(test_case, "area"))) {
        fail_case(case_name, "the case has no \"area\" string");
        json_decref(expected);
        json_decref(test_case);
        return;
    }
    hcsoci_runtime_options options = {
        .plugin_directories = test_builtin_plugin_directories(),
        .skip_environment = true,
        .skip_installed_directory = true,
        .program_name = "hcsoci",
    };
    json_t *trace = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_replay_case(test_case, &options, &trace, &error) != 0) {
        fail_case(case_name, "cannot replay: %s", error != NULL ? error->message : "(no error)");
        hcsoci_error_free(error);
    } else {
        char *difference = NULL;
        if (trace_compare(test_case, expected, trace, &difference) != 0) {
            fail_case(case_name, "%s", difference);
        } else {
            cases_passed++;
            CU_PASS("the trace matches");
        }
        free(difference);
        json_decref(trace);
    }
    json_decref(expected);
    json_decref(test_case);
}

/* Whether the case's area runs: every area, unless HCSOCI_CONFORMANCE_AREAS ("all" or a comma
 * list of areas) narrows it. */
static bool area_enabled(const char *area)
{
    const char *setting = getenv("HCSOCI_CONFORMANCE_AREAS");
    if (setting == NULL || strcmp(setting, "all") == 0)
        return true;
    size_t area_length = strlen(area);
    for (const char *item = setting; *item != '\0';) {
        size_t item_length = strcspn(item, ",");
        if (item_length == area_length && strncmp(item, area, area_length) == 0)
            return true;
        item += item_length;
        if (*item == ',')
            item++;
    }
    return false;
}

typedef struct name_list {
    char **names;
    size_t count;
    size_t capacity;
} name_list;

static void name_list_free(name_list *list)
{
    for (size_t index = 0; index < list->count; index++)
        free(list->names[index]);
    free(list->names);
}

static int compare_names(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* The case names (file names without ".json"), sorted; false with a message on error. */
static bool list_cases(name_list *list)
{
    const char *directory_path = test_source_path(cases_directory);
    DIR *directory = opendir(directory_path);
    if (directory == NULL) {
        perror(directory_path);
        return false;
    }
    bool ok = true;
    for (struct dirent *entry = readdir(directory); entry != NULL; entry = readdir(directory)) {
        size_t length = strlen(entry->d_name);
        if (length <= 5 || strcmp(entry->d_name + length - 5, ".json") != 0)
            continue;
        if (list->count == list->capacity) {
            size_t capacity = list->capacity != 0 ? list->capacity * 2 : 64;
            char **names = realloc(list->names, capacity * sizeof *names);
            if (names == NULL) {
                ok = false;
                break;
            }
            list->names = names;
            list->capacity = capacity;
        }
        list->names[list->count] = portable_strndup(entry->d_name, length - 5);
        if (list->names[list->count] == NULL) {
            ok = false;
            break;
        }
        list->count++;
    }
    closedir(directory);
    if (!ok)
        fprintf(stderr, "out of memory listing %s\n", directory_path);
    qsort(list->names, list->count, sizeof *list->names, compare_names);
    return ok;
}

/* Adds a test per case of an enabled area to suite and prints a SKIP line for the others. A
 * case whose area cannot be read is added, so that it fails. */
static bool register_cases(CU_pSuite suite, const name_list *cases)
{
    for (size_t index = 0; index < cases->count; index++) {
        const char *case_name = cases->names[index];
        char *problem = NULL;
        json_t *test_case = load_case_file(cases_directory, case_name, &problem);
        free(problem); /* reported when the case runs */
        const char *area = json_string_value(json_object_get(test_case, "area"));
        bool enabled = area == NULL || area_enabled(area);
        if (!enabled) {
            printf("SKIP %s (area %s: not built yet)\n", case_name, area);
            cases_skipped++;
        }
        json_decref(test_case);
        if (enabled && CU_add_test(suite, case_name, test_current_case) == NULL)
            return false;
    }
    return true;
}

int main(void)
{
    name_list cases = {0};
    if (!list_cases(&cases) || CU_initialize_registry() != CUE_SUCCESS) {
        name_list_free(&cases);
        return 1;
    }
    CU_pSuite comparator_suite = CU_add_suite("trace_compare", NULL, NULL);
    CU_pSuite corpus_suite = CU_add_suite("conformance", NULL, NULL);
    bool registered = comparator_suite != NULL && corpus_suite != NULL;
    for (const test_entry *test = comparator_tests; registered && test->name != NULL; test++)
        registered = CU_add_test(comparator_suite, test->name, test->function) != NULL;
    registered = registered && register_cases(corpus_suite, &cases);
    if (!registered) {
        fprintf(stderr, "cannot register the tests: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        name_list_free(&cases);
        return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    name_list_free(&cases);
    printf("conformance: %u passed, %u failed, %u skipped\n", cases_passed, cases_failed,
           cases_skipped);
    return failed == 0 && ran > 0 ? 0 : 1;
}
