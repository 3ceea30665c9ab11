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

/* The call a run of the fault sweep makes fail: its 1-based index in the clean run's calls,
 * and the clean run's entry for it. */
typedef struct failing_call {
    size_t call;
    const json_t *expected_call;
} failing_call;

/* Checks one faulty run (a kit_sweep_check). */
static char *check_fault_run(const kit_case *entry, const kit_run *run, bool keep,
                             const void *context)
{
    (void)entry;
    const failing_call *failing = context;
    char *reason = NULL;
    const json_t *calls = json_object_get(run->trace, "calls");
    const char *expected_name =
        json_string_value(json_object_get(failing->expected_call, "call"));
    const char *actual_name =
        json_string_value(json_object_get(json_array_get(calls, failing->call - 1), "call"));
    if (actual_name == NULL || strcmp(actual_name, expected_name) != 0) {
        if (asprintf(&reason, "the run took another path: call %zu is %s, not %s", failing->call,
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
    failing_call failing = {.call = call, .expected_call = json_array_get(calls, call - 1)};
    const char *name = json_string_value(json_object_get(failing.expected_call, "call"));
    long nth = 0;
    for (size_t index = 0; index < call; index++) {
        if (strcmp(json_string_value(json_object_get(json_array_get(calls, index), "call")),
                   name) == 0)
            nth++;
    }
    return kit_sweep_both_modes(entry, (kit_fault){.call = name, .nth = nth}, check_fault_run,
                                &failing);
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
    kit_run clean;
    const kit_case *entry = kit_sweep_clean_run(&clean);
    if (entry == NULL)
        return;
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
    return kit_register_sweep_suite("fault sweep", test_fault_sweep);
}

void kit_fault_sweep_free(void)
{
    for (size_t index = 0; index < fault_row_count; index++)
        free(fault_rows[index].case_name);
    free(fault_rows);
    fault_rows = NULL;
    fault_row_count = 0;
}
