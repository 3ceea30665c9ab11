/* The corpus suites: "corpus" has one test per case (its trace must match the expected one;
 * a case whose create ends in "not supported by this build" or "no plugin for" while the
 * reference's did not is skipped: the modules loaded do not serve it yet), and, with --faults,
 * "fault sweep" has one test per case whose create succeeds: for every host call k of the
 * create, the case is run again with call k failing, once releasing on failure and once
 * keeping resources, and the world is checked (world_check.c). */
#include "kit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "trace_compare.h"

/* One row of the fault table. */
typedef struct kit_fault_row {
    char *case_name;
    unsigned injected;
    unsigned survived;
    unsigned known; /* not survived, but listed with --known-fault */
} kit_fault_row;

typedef struct corpus_case {
    char *name;
    json_t *test_case;
    json_t *expected;
    char *problem; /* why the files cannot be used, or NULL */
} corpus_case;

static const kit_options *kit;
static hcsoci_runtime_options runtime_options;
static corpus_case *cases;
static size_t case_count;
static kit_fault_row *fault_rows;
static size_t fault_row_count;

static corpus_case *find_case(const char *name)
{
    for (size_t index = 0; index < case_count; index++) {
        if (strcmp(cases[index].name, name) == 0)
            return &cases[index];
    }
    return NULL;
}

static corpus_case *current_case(void)
{
    CU_pTest test = CU_get_current_test();
    return test != NULL ? find_case(test->pName) : NULL;
}

/* Why a run is not applicable: its create failed with "not supported by this build" or "no
 * plugin for" where the reference's did not fail that way (static text), else NULL. */
static const char *not_served(const json_t *trace, const json_t *expected)
{
    const char *error = json_string_value(json_object_get(trace, "error"));
    const char *expected_error = json_string_value(json_object_get(expected, "error"));
    static const char *const markers[] = {"not supported by this build", "no plugin for"};
    for (size_t index = 0; error != NULL && index < 2; index++) {
        if (strstr(error, markers[index]) != NULL &&
            (expected_error == NULL || strstr(expected_error, markers[index]) == NULL))
            return markers[index];
    }
    return NULL;
}

/* ---- corpus suite ---- */

static void test_corpus_case(void)
{
    corpus_case *entry = current_case();
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    if (entry->problem != NULL) {
        kit_fail("%s", entry->problem);
        return;
    }
    kit_run run;
    char *problem = NULL;
    if (kit_run_case(entry->test_case, &runtime_options, NULL, &run, &problem) != 0) {
        kit_fail("cannot run the case: %s", problem != NULL ? problem : "out of memory");
        free(problem);
        return;
    }
    char *difference = NULL;
    if (trace_compare(entry->test_case, entry->expected, run.trace, &difference) == 0) {
        CU_PASS("the trace matches");
    } else {
        const char *marker = not_served(run.trace, entry->expected);
        if (marker != NULL)
            kit_skip("the modules loaded do not serve this case yet (\"%s\": %s)", marker,
                     json_string_value(json_object_get(run.trace, "error")));
        else
            kit_fail("%s", difference != NULL ? difference : "the traces differ");
    }
    free(difference);
    kit_run_clear(&run);
}

/* ---- fault sweep ---- */

/* Whether --known-fault names (case, call). */
static bool known_fault(const char *case_name, size_t call)
{
    size_t length = strlen(case_name);
    for (const char **item = kit->known_faults; item != NULL && *item != NULL; item++) {
        if (strncmp(*item, case_name, length) == 0 && (*item)[length] == ':' &&
            strtoul(*item + length + 1, NULL, 10) == call)
            return true;
    }
    return false;
}

/* Checks one faulty run; returns NULL when the fault was survived, else a malloc'ed reason. */
static char *check_fault_run(const kit_run *run, const json_t *expected_call, size_t call,
                             bool keep)
{
    char *reason = NULL;
    const json_t *calls = json_object_get(run->trace, "calls");
    const char *expected_name = json_string_value(json_object_get(expected_call, "call"));
    const char *actual_name =
        json_string_value(json_object_get(json_array_get(calls, call - 1), "call"));
    if (actual_name == NULL || strcmp(actual_name, expected_name) != 0) {
        if (asprintf(&reason, "the run took another path: call %zu is %s, not %s", call,
                     actual_name != NULL ? actual_name : "missing", expected_name) < 0)
            reason = NULL;
        return reason != NULL ? reason : strdup("the run took another path");
    }
    if (run->created)
        return strdup("the create succeeded although a host call failed");
    char *held = kit_held_difference(run->held_before, run->held_after_create);
    if (held != NULL && !keep) {
        if (asprintf(&reason, "leaked after the rollback: %s", held) < 0)
            reason = NULL;
        free(held);
        return reason != NULL ? reason : strdup("leaked after the rollback");
    }
    free(held);
    if (keep) {
        const char *release_error =
            json_string_value(json_object_get(run->trace, "releaseError"));
        held = run->released ? kit_held_difference(run->held_before, run->held_after_release)
                             : kit_held_difference(run->held_before, run->held_after_create);
        if (held != NULL || release_error != NULL) {
            if (asprintf(&reason, "releasing the kept ledger %s%s%s%s",
                         run->released ? "" : "(none was returned) ",
                         held != NULL ? "leaves the world unbalanced: " : "fails: ",
                         held != NULL ? held : release_error,
                         held != NULL && release_error != NULL ? " (and it fails)" : "") < 0)
                reason = NULL;
            free(held);
            return reason != NULL ? reason : strdup("releasing the kept ledger fails");
        }
        /* the create itself removes nothing of what it recorded: a removal may only undo the
         * failing step's own newest additions (the layer service, for one, deactivates a layer
         * it just activated when preparing it fails, as the reference does regardless of the
         * flag); the kit cannot see step boundaries, so this is the rule it checks */
        json_t *create_events = json_array();
        size_t index;
        const json_t *event;
        json_array_foreach(run->events, index, event) {
            if (strcmp(json_string_value(json_object_get(event, "phase")), "create") == 0)
                json_array_append(create_events, (json_t *)event);
        }
        reason = kit_check_events(create_events, true);
        json_decref(create_events);
        if (reason != NULL)
            return reason;
    }
    return kit_check_events(run->events, false);
}

/* Runs the case with call `call` (1-based) of the create failing; returns NULL when survived,
 * else a malloc'ed reason naming the mode. */
static char *sweep_one(const corpus_case *entry, const json_t *calls, size_t call)
{
    const json_t *expected_call = json_array_get(calls, call - 1);
    const char *name = json_string_value(json_object_get(expected_call, "call"));
    long nth = 0;
    for (size_t index = 0; index < call; index++) {
        if (strcmp(json_string_value(json_object_get(json_array_get(calls, index), "call")),
                   name) == 0)
            nth++;
    }
    for (int keep = 0; keep < 2; keep++) {
        kit_fault fault = {.call = name, .nth = nth, .keep_resources_on_failure = keep != 0};
        kit_run run;
        char *problem = NULL;
        if (kit_run_case(entry->test_case, &runtime_options, &fault, &run, &problem) != 0) {
            char *reason = NULL;
            if (asprintf(&reason, "cannot run: %s", problem != NULL ? problem : "?") < 0)
                reason = NULL;
            free(problem);
            return reason;
        }
        char *reason = check_fault_run(&run, expected_call, call, keep != 0);
        kit_run_clear(&run);
        if (reason != NULL) {
            char *labelled = NULL;
            if (asprintf(&labelled, "%s: %s",
                         keep ? "keeping resources on failure" : "releasing on failure",
                         reason) < 0)
                labelled = NULL;
            free(reason);
            return labelled;
        }
    }
    return NULL;
}

static kit_fault_row *add_fault_row(const char *case_name)
{
    kit_fault_row *rows = realloc(fault_rows, (fault_row_count + 1) * sizeof *rows);
    if (rows == NULL)
        return NULL;
    fault_rows = rows;
    kit_fault_row *row = &fault_rows[fault_row_count];
    *row = (kit_fault_row){.case_name = strdup(case_name)};
    if (row->case_name == NULL)
        return NULL;
    fault_row_count++;
    return row;
}

static void test_fault_sweep(void)
{
    corpus_case *entry = current_case();
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    if (entry->problem != NULL) {
        kit_fail("%s", entry->problem);
        return;
    }
    kit_run clean;
    char *problem = NULL;
    if (kit_run_case(entry->test_case, &runtime_options, NULL, &clean, &problem) != 0) {
        kit_fail("cannot run the case: %s", problem != NULL ? problem : "out of memory");
        free(problem);
        return;
    }
    if (!clean.created) {
        const char *marker = not_served(clean.trace, entry->expected);
        if (marker != NULL)
            kit_skip("the modules loaded do not serve this case yet (\"%s\")", marker);
        else
            kit_skip("the create fails without a fault, so there is nothing to sweep");
        kit_run_clear(&clean);
        return;
    }
    kit_fault_row *row = add_fault_row(entry->name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    const json_t *calls = json_object_get(clean.trace, "calls");
    for (size_t call = 1; call <= json_array_size(calls); call++) {
        char *reason = sweep_one(entry, calls, call);
        row->injected++;
        const char *name =
            json_string_value(json_object_get(json_array_get(calls, call - 1), "call"));
        if (reason == NULL) {
            row->survived++;
            if (known_fault(entry->name, call))
                printf("\nNOTE %s:%zu (%s) is listed as a known fault but is survived now: "
                       "remove it from the list\n", entry->name, call, name);
        } else if (known_fault(entry->name, call)) {
            row->known++;
            printf("\nKNOWN %s:%zu (%s): %s\n", entry->name, call, name, reason);
        } else {
            kit_fail("call %zu (%s) failing: %s", call, name, reason);
        }
        free(reason);
    }
    CU_PASS("swept");
    kit_run_clear(&clean);
}

void kit_print_fault_table(void)
{
    if (fault_row_count == 0)
        return;
    unsigned injected = 0, survived = 0, known = 0;
    printf("\n%-58s %8s %8s %6s\n", "fault sweep: case", "injected", "survived", "known");
    for (size_t index = 0; index < fault_row_count; index++) {
        const kit_fault_row *row = &fault_rows[index];
        printf("%-58s %8u %8u %6u\n", row->case_name, row->injected, row->survived, row->known);
        injected += row->injected;
        survived += row->survived;
        known += row->known;
    }
    printf("%-58s %8u %8u %6u\n", "total", injected, survived, known);
    printf("cases: %zu, faults injected: %u, faults survived: %u, known failures: %u\n",
           fault_row_count, injected, survived, known);
}

/* ---- registration ---- */

static int compare_names(const void *left, const void *right)
{
    return strcmp(((const corpus_case *)left)->name, ((const corpus_case *)right)->name);
}

static bool listed(const char **list, const char *value)
{
    for (; list != NULL && value != NULL && *list != NULL; list++) {
        if (strcmp(*list, value) == 0)
            return true;
    }
    return false;
}

/* Every case when neither --area nor --case was given, else the cases of the areas named
 * and the cases named. A case whose area cannot be read is selected (its test fails). */
static bool selected_case(const char *name, const char *area)
{
    bool filtered = (kit->areas != NULL && kit->areas[0] != NULL) ||
                    (kit->cases != NULL && kit->cases[0] != NULL);
    return !filtered || area == NULL || listed(kit->areas, area) || listed(kit->cases, name);
}

/* Parses <cases directory>/<part>/<name>.json; NULL with *problem set on failure. */
static json_t *load_part(const char *part, const char *name, char **problem)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s/%s.json", kit->cases_directory, part, name) < 0)
        return NULL;
    json_error_t parse_error;
    json_t *value = json_load_file(path, 0, &parse_error);
    if (value == NULL && *problem == NULL &&
        asprintf(problem, "cannot read %s: %s", path, parse_error.text) < 0)
        *problem = NULL;
    free(path);
    return value;
}

/* Reads every case of the selected areas and names (sorted by name). */
static int load_cases(void)
{
    char *directory_path = NULL;
    if (asprintf(&directory_path, "%s/cases", kit->cases_directory) < 0)
        return -1;
    DIR *directory = opendir(directory_path);
    if (directory == NULL) {
        perror(directory_path);
        free(directory_path);
        return -1;
    }
    free(directory_path);
    int result = 0;
    for (struct dirent *item = readdir(directory); item != NULL && result == 0;
         item = readdir(directory)) {
        size_t length = strlen(item->d_name);
        if (length <= 5 || strcmp(item->d_name + length - 5, ".json") != 0)
            continue;
        corpus_case entry = {.name = strndup(item->d_name, length - 5)};
        if (entry.name == NULL)
            break;
        entry.test_case = load_part("cases", entry.name, &entry.problem);
        entry.expected = load_part("expected", entry.name, &entry.problem);
        const char *area = json_string_value(json_object_get(entry.test_case, "area"));
        bool selected = selected_case(entry.name, area);
        corpus_case *grown = selected ? realloc(cases, (case_count + 1) * sizeof *cases) : NULL;
        if (grown == NULL) {
            result = selected ? -1 : 0;
            free(entry.name);
            json_decref(entry.test_case);
            json_decref(entry.expected);
            free(entry.problem);
            continue;
        }
        cases = grown;
        cases[case_count++] = entry;
    }
    closedir(directory);
    if (case_count > 0)
        qsort(cases, case_count, sizeof *cases, compare_names);
    return result;
}

int kit_register_corpus_suites(const kit_options *options)
{
    kit = options;
    runtime_options = kit_runtime_options(options);
    if (load_cases() != 0)
        return -1;
    if (case_count == 0) {
        fprintf(stderr, "hcsoci-conformance: no case in %s/cases matches the selection\n",
                options->cases_directory);
        return -1;
    }
    if (kit_register_repeatability_suite(options) != 0)
        return -1;
    CU_pSuite corpus = CU_add_suite("corpus", NULL, NULL);
    if (corpus == NULL)
        return -1;
    for (size_t index = 0; index < case_count; index++) {
        if (CU_add_test(corpus, cases[index].name, test_corpus_case) == NULL)
            return -1;
    }
    if (!options->faults)
        return 0;
    CU_pSuite sweep = CU_add_suite("fault sweep", NULL, NULL);
    if (sweep == NULL)
        return -1;
    for (size_t index = 0; index < case_count; index++) {
        if (!json_is_null(json_object_get(cases[index].expected, "error")))
            continue; /* the reference's create fails: nothing succeeds to sweep */
        if (CU_add_test(sweep, cases[index].name, test_fault_sweep) == NULL)
            return -1;
    }
    return 0;
}

size_t kit_corpus_count(void)
{
    return case_count;
}

const json_t *kit_corpus_case(size_t index, const char **name)
{
    *name = cases[index].name;
    return cases[index].problem == NULL ? cases[index].test_case : NULL;
}

void kit_corpus_free(void)
{
    for (size_t index = 0; index < case_count; index++) {
        free(cases[index].name);
        json_decref(cases[index].test_case);
        json_decref(cases[index].expected);
        free(cases[index].problem);
    }
    free(cases);
    cases = NULL;
    case_count = 0;
    for (size_t index = 0; index < fault_row_count; index++)
        free(fault_rows[index].case_name);
    free(fault_rows);
    fault_rows = NULL;
    fault_row_count = 0;
}
