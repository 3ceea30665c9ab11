/* What the fault sweep and the allocation sweep share: one test per case whose reference
 * create succeeds, the clean run that decides whether there is anything to sweep, and running
 * one fault in both modes (releasing on failure, then keeping resources). */
#include "kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kit_register_sweep_suite(const char *suite_name, CU_TestFunc test)
{
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    if (suite == NULL)
        return -1;
    for (size_t index = 0; index < kit_corpus_count(); index++) {
        const kit_case *entry = kit_corpus_entry(index);
        if (!json_is_null(json_object_get(entry->expected, "error")))
            continue; /* the reference's create fails: nothing succeeds to sweep */
        if (CU_add_test(suite, entry->name, test) == NULL)
            return -1;
    }
    return 0;
}

const kit_case *kit_sweep_clean_run(kit_run *clean)
{
    const kit_case *entry = kit_current_case();
    if (entry == NULL) {
        kit_fail("no corpus case is named after this test");
        return NULL;
    }
    if (entry->problem != NULL) {
        kit_fail("%s", entry->problem);
        return NULL;
    }
    char *problem = NULL;
    if (kit_run_case(entry->test_case, kit_corpus_runtime_options(), NULL, clean, &problem) !=
        0) {
        kit_fail("cannot run the case: %s", problem != NULL ? problem : "out of memory");
        free(problem);
        return NULL;
    }
    if (clean->created)
        return entry;
    const char *marker = kit_not_served(clean->trace, entry->expected);
    if (marker != NULL)
        kit_skip("the modules loaded do not serve this case yet (\"%s\")", marker);
    else
        kit_skip("the create fails without a fault, so there is nothing to sweep");
    kit_run_clear(clean);
    return NULL;
}

char *kit_sweep_both_modes(const kit_case *entry, kit_fault fault, kit_sweep_check check,
                           const void *context)
{
    for (int keep = 0; keep < 2; keep++) {
        fault.keep_resources_on_failure = keep != 0;
        kit_run run;
        char *problem = NULL, *reason = NULL;
        if (kit_run_case(entry->test_case, kit_corpus_runtime_options(), &fault, &run,
                         &problem) != 0) {
            if (asprintf(&reason, "cannot run: %s", problem != NULL ? problem : "?") < 0)
                reason = NULL;
            free(problem);
            return reason != NULL ? reason : strdup("cannot run");
        }
        reason = check(entry, &run, keep != 0, context);
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
