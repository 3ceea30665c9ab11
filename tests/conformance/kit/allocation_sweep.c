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

/* Checks one run with allocation *context failing (a kit_sweep_check). */
static char *check_run(const kit_case *entry, const kit_run *run, bool keep, const void *context)
{
    unsigned long n = *(const unsigned long *)context;
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
    kit_run clean;
    const kit_case *entry = kit_sweep_clean_run(&clean);
    if (entry == NULL)
        return;
    unsigned long allocations = clean.allocations;
    kit_run_clear(&clean);
    allocation_row *row = add_row(entry->name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    unsigned long failures = 0;
    for (unsigned long n = 1; n <= allocations; n++) {
        char *reason =
            kit_sweep_both_modes(entry, (kit_fault){.allocation = n}, check_run, &n);
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
    return kit_register_sweep_suite("allocation sweep", test_allocation_sweep);
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
