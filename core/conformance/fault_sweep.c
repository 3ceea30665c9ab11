/* The fault sweep: for a case whose create succeeds, every host call k of the create is made
 * to fail in turn, once releasing on failure and once keeping resources, and the world is
 * checked afterwards (world_check.c). */
#include "kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

/* One row of the fault table. */
typedef struct kit_fault_row {
    char *case_name;
    unsigned injected;
    unsigned survived;
    unsigned known; /* not survived, but listed with --known-fault */
} kit_fault_row;

static const kit_options *kit;
static kit_fault_row *fault_rows;
static size_t fault_row_count;

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
    return kit_check_failed_run(run, keep);
}

/* Runs the case with call `call` (1-based) of the create failing; returns NULL when survived,
 * else a malloc'ed reason naming the mode. */
static char *sweep_one(const kit_case *entry, const json_t *calls, size_t call)
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
        if (kit_run_case(entry->test_case, kit_corpus_runtime_options(), &fault, &run,
                         &problem) != 0) {
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
    const kit_case *entry = kit_current_case();
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    if (entry->problem != NULL) {
        kit_fail("%s", entry->problem);
        return;
    }
    kit_run clean;
    char *problem = NULL;
    if (kit_run_case(entry->test_case, kit_corpus_runtime_options(), NULL, &clean,
                     &problem) != 0) {
        kit_fail("cannot run the case: %s", problem != NULL ? problem : "out of memory");
        free(problem);
        return;
    }
    if (!clean.created) {
        const char *marker = kit_not_served(clean.trace, entry->expected);
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

int kit_register_fault_sweep_suite(const kit_options *options)
{
    kit = options;
    CU_pSuite sweep = CU_add_suite("fault sweep", NULL, NULL);
    if (sweep == NULL)
        return -1;
    for (size_t index = 0; index < kit_corpus_count(); index++) {
        const kit_case *entry = kit_corpus_entry(index);
        if (!json_is_null(json_object_get(entry->expected, "error")))
            continue; /* the reference's create fails: nothing succeeds to sweep */
        if (CU_add_test(sweep, entry->name, test_fault_sweep) == NULL)
            return -1;
    }
    return 0;
}

void kit_fault_sweep_free(void)
{
    for (size_t index = 0; index < fault_row_count; index++)
        free(fault_rows[index].case_name);
    free(fault_rows);
    fault_rows = NULL;
    fault_row_count = 0;
}
