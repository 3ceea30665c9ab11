/* The allocation sweep: for a case whose create succeeds, every allocation the create makes
 * through hcsoci's allocator and jansson (host calls excluded, see recording_host.c) is made to
 * fail in turn, once releasing on failure and once keeping resources. Each run must end
 * cleanly: either the create fails with an out-of-memory error and the world passes the checks
 * of world_check.c (balanced after the rollback, or after releasing the kept ledger), or the
 * failure was absorbed (a dropped log message) and the trace is the expected one. A crash ends
 * the kit. Leaks are for the memory checker the kit runs under: valgrind at exit, or, in an
 * ASan build, LeakSanitizer, which the kit asks after every case so that a leak is reported
 * against the case that made it. */
#include "kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <hcsoci/error.h>

#include "trace_compare.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define HAVE_LEAK_CHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#define HAVE_LEAK_CHECK 1
#endif
#endif

/* How many failed runs of one case are described; the rest are only counted. */
enum { DESCRIBED_FAILURES = 5 };

typedef struct allocation_row {
    char *case_name;
    unsigned long injected;
    unsigned long survived;
} allocation_row;

static allocation_row *rows;
static size_t row_count;

/* Checks one run with allocation n failing; NULL when it ended cleanly, else a malloc'ed
 * reason. */
static char *check_run(const kit_case *entry, const kit_run *run, unsigned long n, bool keep)
{
    char *reason = NULL;
    if (!run->allocation_failed) {
        if (asprintf(&reason, "the create made only %lu allocations this time, so allocation "
                              "%lu was never made (the create does not allocate repeatably)",
                     run->allocations, n) < 0)
            reason = NULL;
        return reason != NULL ? reason : strdup("allocation not reached");
    }
    if (run->created) {
        if (keep)
            return NULL; /* the release of a success is checked in the run releasing on failure */
        char *difference = NULL;
        if (trace_compare(entry->test_case, entry->expected, run->trace, &difference) == 0)
            return NULL;
        if (asprintf(&reason, "the create succeeded but made other host calls: %s",
                     difference != NULL ? difference : "the traces differ") < 0)
            reason = NULL;
        free(difference);
        return reason != NULL ? reason : strdup("the create succeeded with another trace");
    }
    if (run->error_code != HCSOCI_E_OUT_OF_MEMORY) {
        if (asprintf(&reason, "the create failed with code 0x%08x, not out of memory: %s",
                     (unsigned)run->error_code,
                     json_string_value(json_object_get(run->trace, "error"))) < 0)
            reason = NULL;
        return reason != NULL ? reason : strdup("the create failed with another error");
    }
    return kit_check_failed_run(run, keep);
}

/* Runs the case with allocation n failing in both modes; NULL when both ended cleanly, else a
 * malloc'ed reason naming the mode. */
static char *sweep_one(const kit_case *entry, unsigned long n)
{
    for (int keep = 0; keep < 2; keep++) {
        kit_fault fault = {.allocation = n, .keep_resources_on_failure = keep != 0};
        kit_run run;
        char *problem = NULL, *reason = NULL;
        if (kit_run_case(entry->test_case, kit_corpus_runtime_options(), &fault, &run,
                         &problem) != 0) {
            if (asprintf(&reason, "cannot run: %s", problem != NULL ? problem : "?") < 0)
                reason = NULL;
            free(problem);
            return reason != NULL ? reason : strdup("cannot run");
        }
        reason = check_run(entry, &run, n, keep != 0);
        kit_run_clear(&run);
        if (reason != NULL) {
            char *labelled = NULL;
            if (asprintf(&labelled, "%s: %s",
                         keep ? "keeping resources on failure" : "releasing on failure",
                         reason) < 0)
                labelled = NULL;
            free(reason);
            return labelled != NULL ? labelled : strdup("not survived");
        }
    }
    return NULL;
}

static allocation_row *add_row(const char *case_name)
{
    allocation_row *grown = realloc(rows, (row_count + 1) * sizeof *rows);
    if (grown == NULL)
        return NULL;
    rows = grown;
    rows[row_count] = (allocation_row){.case_name = strdup(case_name)};
    if (rows[row_count].case_name == NULL)
        return NULL;
    return &rows[row_count++];
}

static void test_allocation_sweep(void)
{
    const kit_case *entry = kit_current_case();
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    if (entry->problem != NULL) {
        kit_fail("%s", entry->problem);
        return;
    }
    kit_run clean;
    char *problem = NULL;
    if (kit_run_case(entry->test_case, kit_corpus_runtime_options(), NULL, &clean, &problem) !=
        0) {
        kit_fail("cannot run the case: %s", problem != NULL ? problem : "out of memory");
        free(problem);
        return;
    }
    unsigned long allocations = clean.allocations;
    bool created = clean.created;
    const char *marker = kit_not_served(clean.trace, entry->expected);
    kit_run_clear(&clean);
    if (!created) {
        if (marker != NULL)
            kit_skip("the modules loaded do not serve this case yet (\"%s\")", marker);
        else
            kit_skip("the create fails without a fault, so there is nothing to sweep");
        return;
    }
    allocation_row *row = add_row(entry->name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    unsigned long failures = 0;
    for (unsigned long n = 1; n <= allocations; n++) {
        char *reason = sweep_one(entry, n);
        row->injected++;
        if (reason == NULL) {
            row->survived++;
            continue;
        }
        if (++failures <= DESCRIBED_FAILURES)
            kit_fail("allocation %lu of %lu failing: %s", n, allocations, reason);
        free(reason);
    }
    if (failures > DESCRIBED_FAILURES)
        kit_fail("... and %lu more allocations not survived", failures - DESCRIBED_FAILURES);
#ifdef HAVE_LEAK_CHECK
    if (__lsan_do_recoverable_leak_check() != 0)
        kit_fail("LeakSanitizer found memory leaked while sweeping this case (see its report)");
#endif
    CU_PASS("swept");
}

int kit_register_allocation_sweep_suite(const kit_options *options)
{
    (void)options;
    CU_pSuite sweep = CU_add_suite("allocation sweep", NULL, NULL);
    if (sweep == NULL)
        return -1;
    for (size_t index = 0; index < kit_corpus_count(); index++) {
        const kit_case *entry = kit_corpus_entry(index);
        if (!json_is_null(json_object_get(entry->expected, "error")))
            continue; /* the reference's create fails: nothing succeeds to sweep */
        if (CU_add_test(sweep, entry->name, test_allocation_sweep) == NULL)
            return -1;
    }
    return 0;
}

void kit_print_allocation_table(void)
{
    if (row_count == 0)
        return;
    unsigned long injected = 0, survived = 0;
    printf("\n%-58s %10s %10s\n", "allocation sweep: case", "injected", "survived");
    for (size_t index = 0; index < row_count; index++) {
        printf("%-58s %10lu %10lu\n", rows[index].case_name, rows[index].injected,
               rows[index].survived);
        injected += rows[index].injected;
        survived += rows[index].survived;
    }
    printf("%-58s %10lu %10lu\n", "total", injected, survived);
    printf("cases: %zu, allocation failures injected: %lu, survived: %lu\n", row_count,
           injected, survived);
}

void kit_allocation_sweep_free(void)
{
    for (size_t index = 0; index < row_count; index++)
        free(rows[index].case_name);
    free(rows);
    rows = NULL;
    row_count = 0;
}
