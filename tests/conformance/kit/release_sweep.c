/* The release sweep: for a case whose create succeeds, every host call of the release, and
 * then every allocation the release makes, is made to fail in turn; the ledger is then released
 * a second time with no fault. A release must converge: the first one reports the failure and
 * keeps what it could not release, the second completes it, and afterwards the world holds what
 * it held before the create, with nothing removed twice (world_check.c's pairing rule; the
 * order rule does not apply, since the second release removes what the first could not after
 * what it could). */
#include "kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

/* How many failed runs of one case are described; the rest are only counted. */
enum { DESCRIBED_FAILURES = 5 };

typedef struct release_row {
    char *case_name;
    unsigned long calls_injected, calls_survived;
    unsigned long allocations_injected, allocations_survived;
} release_row;

static release_row *rows;
static size_t row_count;

/* NULL when the run converged, else a malloc'ed reason. failing_call: a host call was made to
 * fail (the first release must then report it). */
static char *check_converged(const kit_run *run, bool failing_call)
{
    char *reason = NULL;
    if (!run->created)
        return strdup("the create failed, although the fault was in the release");
    if (failing_call && !run->first_release_failed)
        return strdup("the first release reported success although a host call failed");
    const char *second_error = json_string_value(run->second_release_error);
    if (second_error != NULL) {
        if (asprintf(&reason, "the second release failed too: %s", second_error) < 0)
            reason = NULL;
        return reason != NULL ? reason : strdup("the second release failed");
    }
    /* The container's compute system stays: closing it is its caller's business. */
    json_t *before = json_copy(run->held_before), *after = json_copy(run->held_after_release);
    json_object_del(before, "computeSystems");
    json_object_del(after, "computeSystems");
    char *held = kit_held_difference(before, after);
    json_decref(before);
    json_decref(after);
    if (held != NULL) {
        if (asprintf(&reason, "after the second release the world is unbalanced: %s", held) < 0)
            reason = NULL;
        free(held);
        return reason != NULL ? reason : strdup("the world is unbalanced");
    }
    return kit_check_event_pairs(run->events);
}

/* Runs the case with fault (release_again set) and checks it. */
static char *run_one(const kit_case *entry, kit_fault fault, bool failing_call)
{
    fault.release_again = true;
    kit_run run;
    char *problem = NULL, *reason = NULL;
    if (kit_run_case(entry->test_case, kit_corpus_runtime_options(), &fault, &run, &problem) !=
        0) {
        if (asprintf(&reason, "cannot run: %s", problem != NULL ? problem : "?") < 0)
            reason = NULL;
        free(problem);
        return reason != NULL ? reason : strdup("cannot run");
    }
    if (!failing_call && !run.release_allocation_failed)
        reason = strdup("the release did not reach that allocation this time (the release does "
                        "not allocate repeatably)");
    else
        reason = check_converged(&run, failing_call);
    kit_run_clear(&run);
    return reason;
}

static release_row *add_row(const char *case_name)
{
    release_row *grown = realloc(rows, (row_count + 1) * sizeof *rows);
    if (grown == NULL)
        return NULL;
    rows = grown;
    rows[row_count] = (release_row){.case_name = strdup(case_name)};
    if (rows[row_count].case_name == NULL)
        return NULL;
    return &rows[row_count++];
}

/* How many calls named name the clean run made, in its create and in its release up to and
 * including release call `upto` (0-based). */
static long nth_of(const kit_run *clean, const char *name, size_t upto)
{
    long nth = 0;
    size_t index;
    const json_t *call;
    json_array_foreach(json_object_get(clean->trace, "calls"), index, call) {
        nth += strcmp(json_string_value(json_object_get(call, "call")), name) == 0;
    }
    json_array_foreach(json_object_get(clean->trace, "releaseCalls"), index, call) {
        if (index > upto)
            break;
        nth += strcmp(json_string_value(json_object_get(call, "call")), name) == 0;
    }
    return nth;
}

static void test_release_sweep(void)
{
    kit_run clean;
    const kit_case *entry = kit_sweep_clean_run(&clean);
    if (entry == NULL)
        return;
    release_row *row = add_row(entry->name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    unsigned long failures = 0;
    const json_t *release_calls = json_object_get(clean.trace, "releaseCalls");
    for (size_t call = 0; call < json_array_size(release_calls); call++) {
        const char *name =
            json_string_value(json_object_get(json_array_get(release_calls, call), "call"));
        kit_fault fault = {.call = name, .nth = nth_of(&clean, name, call)};
        char *reason = run_one(entry, fault, true);
        row->calls_injected++;
        if (reason == NULL) {
            row->calls_survived++;
            continue;
        }
        if (++failures <= DESCRIBED_FAILURES)
            kit_fail("release call %zu (%s) failing: %s", call + 1, name, reason);
        free(reason);
    }
    for (unsigned long n = 1; n <= clean.release_allocations; n++) {
        char *reason = run_one(entry, (kit_fault){.release_allocation = n}, false);
        row->allocations_injected++;
        if (reason == NULL) {
            row->allocations_survived++;
            continue;
        }
        if (++failures <= DESCRIBED_FAILURES)
            kit_fail("release allocation %lu of %lu failing: %s", n, clean.release_allocations,
                     reason);
        free(reason);
    }
    if (failures > DESCRIBED_FAILURES)
        kit_fail("... and %lu more release faults not survived", failures - DESCRIBED_FAILURES);
    kit_run_clear(&clean);
    CU_PASS("swept");
}

int kit_register_release_sweep_suite(const kit_options *options)
{
    (void)options;
    return kit_register_sweep_suite("release sweep", test_release_sweep);
}

void kit_print_release_table(void)
{
    if (row_count == 0)
        return;
    unsigned long calls = 0, calls_survived = 0, allocations = 0, allocations_survived = 0;
    printf("\n%-50s %7s %8s %7s %8s\n", "release sweep: case", "calls", "survived", "allocs",
           "survived");
    for (size_t index = 0; index < row_count; index++) {
        const release_row *row = &rows[index];
        printf("%-50s %7lu %8lu %7lu %8lu\n", row->case_name, row->calls_injected,
               row->calls_survived, row->allocations_injected, row->allocations_survived);
        calls += row->calls_injected;
        calls_survived += row->calls_survived;
        allocations += row->allocations_injected;
        allocations_survived += row->allocations_survived;
    }
    printf("%-50s %7lu %8lu %7lu %8lu\n", "total", calls, calls_survived, allocations,
           allocations_survived);
    printf("cases: %zu, release calls failed: %lu (survived %lu), release allocations failed: "
           "%lu (survived %lu)\n",
           row_count, calls, calls_survived, allocations, allocations_survived);
}

void kit_release_sweep_free(void)
{
    for (size_t index = 0; index < row_count; index++)
        free(rows[index].case_name);
    free(rows);
    rows = NULL;
    row_count = 0;
}
