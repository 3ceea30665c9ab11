/* The corpus: reading the selected cases, and the "corpus" suite, one test per case (its trace
 * must match the expected one; a case whose create ends in "not supported by this build" or
 * "no plugin for" is skipped, as one the modules loaded do not serve yet, unless the
 * reference's create failed that same way). With --faults it also registers the two sweeps
 * (fault_sweep.c, allocation_sweep.c). */
#include "kit.h"
#include "portable.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <hcsoci/json_number.h>

#include "trace_compare.h"

static const kit_options *kit;
static hcsoci_runtime_options runtime_options;
static kit_case *cases;
static size_t case_count;

const hcsoci_runtime_options *kit_corpus_runtime_options(void)
{
    return &runtime_options;
}

static kit_case *find_case(const char *name)
{
    for (size_t index = 0; index < case_count; index++) {
        if (strcmp(cases[index].name, name) == 0)
            return &cases[index];
    }
    return NULL;
}

const kit_case *kit_current_case(void)
{
    CU_pTest test = CU_get_current_test();
    return test != NULL ? find_case(test->pName) : NULL;
}

const char *kit_not_served(const json_t *trace, const json_t *expected)
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

#define SCHEMA_MARKER " does not conform to the HCS schema: "

/* When the create failed because the core's HCS schema check refused a document (and the
 * reference's create did not fail that way), a new report naming the document and listing
 * each problem with its JSON path, one a line; NULL otherwise. The caller frees it. */
static char *schema_refusal(const json_t *trace, const json_t *expected)
{
    const char *error = json_string_value(json_object_get(trace, "error"));
    const char *expected_error = json_string_value(json_object_get(expected, "error"));
    const char *marker = error != NULL ? strstr(error, SCHEMA_MARKER) : NULL;
    if (marker == NULL || (expected_error != NULL && strstr(expected_error, SCHEMA_MARKER)))
        return NULL;
    size_t length = strlen(error) + 256;
    for (const char *c = marker; *c != '\0'; c++)
        length += *c == ';' ? 3 : 0;
    char *report = malloc(length);
    if (report == NULL)
        return NULL;
    int written = snprintf(report, length,
                           "the core's HCS schema check refused a document before it was "
                           "sent: %.*s", (int)(marker - error), error);
    size_t used = written > 0 ? (size_t)written : 0;
    for (const char *problem = marker + strlen(SCHEMA_MARKER); *problem != '\0';) {
        const char *end = strstr(problem, "; ");
        size_t size = end != NULL ? (size_t)(end - problem) : strlen(problem);
        written = snprintf(report + used, length - used, "\n    %.*s", (int)size, problem);
        used += written > 0 ? (size_t)written : 0;
        problem += size + (end != NULL ? 2 : 0);
    }
    return report;
}

static void test_corpus_case(void)
{
    const kit_case *entry = kit_current_case();
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
    char *refusal = NULL;
    if (trace_compare(entry->test_case, entry->expected, run.trace, &difference) == 0) {
        CU_PASS("the trace matches");
    } else if ((refusal = schema_refusal(run.trace, entry->expected)) != NULL) {
        kit_fail("%s", refusal);
        free(refusal);
    } else {
        const char *marker = kit_not_served(run.trace, entry->expected);
        if (marker != NULL)
            kit_skip("the modules loaded do not serve this case yet (\"%s\": %s)", marker,
                     json_string_value(json_object_get(run.trace, "error")));
        else
            kit_fail("%s", difference != NULL ? difference : "the traces differ");
    }
    free(difference);
    kit_run_clear(&run);
}

/* ---- registration ---- */

static int compare_names(const void *left, const void *right)
{
    return strcmp(((const kit_case *)left)->name, ((const kit_case *)right)->name);
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
    json_t *value = hcsoci_json_load_file(path, 0, &parse_error);
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
        kit_case entry = {.name = portable_strndup(item->d_name, length - 5)};
        if (entry.name == NULL)
            break;
        entry.test_case = load_part("cases", entry.name, &entry.problem);
        entry.expected = load_part("expected", entry.name, &entry.problem);
        const char *area = json_string_value(json_object_get(entry.test_case, "area"));
        bool selected = selected_case(entry.name, area);
        kit_case *grown = selected ? realloc(cases, (case_count + 1) * sizeof *cases) : NULL;
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
    return kit_register_fault_sweep_suite(options) != 0 ||
                   kit_register_allocation_sweep_suite(options) != 0 ||
                   kit_register_release_sweep_suite(options) != 0
               ? -1
               : 0;
}

size_t kit_corpus_count(void)
{
    return case_count;
}

const kit_case *kit_corpus_entry(size_t index)
{
    return index < case_count ? &cases[index] : NULL;
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
}
