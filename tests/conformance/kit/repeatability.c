/* The repeatability suite, over the selected corpus cases with all modules loaded (the
 * contract suite keeps every module file open, so a module's static state would survive from
 * one run to the next): "no state kept between two creates" runs each case twice in a row and
 * wants the same trace twice; "parallel creates" runs cases two at a time in two threads, each
 * in its own sim world (and its own utility VM when the case is hosted), and wants the traces
 * they gave one after the other. */
#include "kit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

static hcsoci_runtime_options runtime_options;

/* The trace of one run of case index (new reference) or NULL with a message printed. */
static json_t *trace_of(size_t index)
{
    const char *name = NULL;
    const json_t *test_case = kit_corpus_case(index, &name);
    if (test_case == NULL)
        return NULL;
    kit_run run;
    char *problem = NULL;
    if (kit_run_case(test_case, &runtime_options, NULL, &run, &problem) != 0) {
        kit_fail("%s: cannot run: %s", name, problem != NULL ? problem : "out of memory");
        free(problem);
        return NULL;
    }
    json_t *trace = json_incref(run.trace);
    kit_run_clear(&run);
    return trace;
}

static void test_no_state_kept(void)
{
    size_t compared = 0;
    for (size_t index = 0; index < kit_corpus_count(); index++) {
        const char *name = NULL;
        if (kit_corpus_case(index, &name) == NULL)
            continue; /* the corpus test reports it */
        json_t *first = trace_of(index);
        json_t *second = first != NULL ? trace_of(index) : NULL;
        if (second != NULL && !json_equal(first, second))
            kit_fail("%s: the second create in this process made other host calls than the "
                     "first (a module keeps state between creates)",
                     name);
        compared += second != NULL;
        json_decref(first);
        json_decref(second);
    }
    CU_ASSERT(compared > 0);
}

typedef struct parallel_run {
    size_t index;
    json_t *trace;
    char *problem;
    pthread_t thread;
} parallel_run;

static void *run_in_thread(void *argument)
{
    parallel_run *run = argument;
    const char *name = NULL;
    const json_t *test_case = kit_corpus_case(run->index, &name);
    kit_run result;
    if (kit_run_case(test_case, &runtime_options, NULL, &result, &run->problem) == 0) {
        run->trace = json_incref(result.trace);
        kit_run_clear(&result);
    }
    return NULL;
}

static void test_parallel_creates(void)
{
    size_t usable[2];
    size_t found = 0, pairs = 0;
    for (size_t index = 0; index < kit_corpus_count(); index++) {
        const char *name = NULL;
        if (kit_corpus_case(index, &name) == NULL)
            continue;
        usable[found++] = index;
        if (found < 2)
            continue;
        found = 0;
        json_t *sequential[2] = {trace_of(usable[0]), trace_of(usable[1])};
        parallel_run runs[2] = {{.index = usable[0]}, {.index = usable[1]}};
        bool started[2] = {false, false};
        for (int which = 0; which < 2; which++)
            started[which] =
                pthread_create(&runs[which].thread, NULL, run_in_thread, &runs[which]) == 0;
        for (int which = 0; which < 2; which++) {
            if (started[which])
                pthread_join(runs[which].thread, NULL);
            const char *run_name = NULL;
            kit_corpus_case(runs[which].index, &run_name);
            if (!started[which])
                kit_fail("%s: cannot start a thread", run_name);
            else if (runs[which].trace == NULL)
                kit_fail("%s: cannot run in a thread: %s", run_name,
                         runs[which].problem != NULL ? runs[which].problem : "out of memory");
            else if (sequential[which] != NULL &&
                     !json_equal(sequential[which], runs[which].trace))
                kit_fail("%s: run in parallel with another create it made other host calls "
                         "than alone",
                         run_name);
            json_decref(runs[which].trace);
            free(runs[which].problem);
            json_decref(sequential[which]);
        }
        pairs++;
    }
    if (pairs == 0)
        kit_skip("fewer than two cases selected");
    else
        CU_PASS("parallel creates match");
}

int kit_register_repeatability_suite(const kit_options *options)
{
    runtime_options = kit_runtime_options(options);
    CU_pSuite suite = CU_add_suite("repeatability", NULL, NULL);
    if (suite == NULL ||
        CU_add_test(suite, "no state kept between two creates", test_no_state_kept) == NULL ||
        CU_add_test(suite, "parallel creates", test_parallel_creates) == NULL)
        return -1;
    return 0;
}
