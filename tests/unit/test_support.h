/* Shared helpers for the CUnit test programs. */
#ifndef HCSOCI_TEST_SUPPORT_H
#define HCSOCI_TEST_SUPPORT_H

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include <hcsoci/hcsoci.h>
#include <hcsoci/sim.h>

typedef struct test_entry {
    const char *name;
    void (*function)(void);
} test_entry;

/* Registers the NULL-terminated tests as one suite, runs them verbosely and returns the
 * process exit status (0 only when every test passed and at least one ran). */
int test_run_suite(const char *suite_name, const test_entry *tests);

/* An absolute path under the build tree (HCSOCI_TEST_BUILDDIR, else the working
 * directory); static buffer
 * rotated among 8 callers. */
const char *test_build_path(const char *relative);

/* An absolute path under the source tree (HCSOCI_TEST_SRCDIR, else the working directory); same buffer rule. */
const char *test_source_path(const char *relative);

/* NULL-terminated directories of the four built-in modules in the build tree (static). */
const char *const *test_builtin_plugin_directories(void);

/* Parses a JSON file under the source tree; fails the current test and returns NULL on error. */
json_t *test_load_json(const char *relative);

/* Parses a JSON text; aborts the test program on error (for literals in tests). */
json_t *test_json(const char *text);

/* A sim host from a world written as JSON text; aborts on error. */
hcsoci_host *test_sim_host(const char *world_json);

/* A runtime over host with the built-in modules of the build tree only; aborts on error. */
hcsoci_runtime *test_runtime(hcsoci_host *host);

/* CU_ASSERT that error is non-NULL and its message contains needle; frees the error. */
#define TEST_ASSERT_ERROR_CONTAINS(error, needle)                                              \
    do {                                                                                       \
        hcsoci_error *test_error_ = (error);                                                   \
        CU_ASSERT_PTR_NOT_NULL_FATAL(test_error_);                                             \
        if (strstr(test_error_->message, (needle)) == NULL) {                                  \
            fprintf(stderr, "\n  error message: %s\n  expected to contain: %s\n",            \
                    test_error_->message, (needle));                                           \
            CU_FAIL("error message does not contain the expected text");                       \
        }                                                                                      \
        hcsoci_error_free(test_error_);                                                        \
    } while (0)

/* The call names of a journal (an array of {"call", "args"}) joined with ","; static buffer
 * reused by every call. */
const char *test_call_names(const json_t *calls);

/* CU_ASSERT that a journal's call names, joined with ",", are expected_names. */
#define TEST_ASSERT_CALLS(calls, expected_names)                                               \
    do {                                                                                       \
        const char *names_ = test_call_names(calls);                                           \
        if (strcmp(names_, (expected_names)) != 0)                                             \
            fprintf(stderr, "\n  calls:    %s\n  expected: %s\n", names_, (expected_names));   \
        CU_ASSERT_STRING_EQUAL(names_, (expected_names));                                      \
    } while (0)

/* For a run result with `int status` and `char *error`: the run failed with exactly this message. */
#define TEST_ASSERT_FAILED_WITH(result, expected_message)                                      \
    do {                                                                                       \
        CU_ASSERT_EQUAL((result).status, -1);                                                  \
        CU_ASSERT_PTR_NOT_NULL_FATAL((result).error);                                          \
        if (strcmp((result).error, (expected_message)) != 0)                                   \
            fprintf(stderr, "\n  error:    %s\n  expected: %s\n", (result).error,              \
                    (expected_message));                                                       \
        CU_ASSERT_STRING_EQUAL((result).error, (expected_message));                            \
    } while (0)

/* Likewise: the run failed with a message containing needle. */
#define TEST_ASSERT_FAILED_CONTAINING(result, needle)                                          \
    do {                                                                                       \
        CU_ASSERT_EQUAL((result).status, -1);                                                  \
        CU_ASSERT_PTR_NOT_NULL_FATAL((result).error);                                          \
        if (strstr((result).error, (needle)) == NULL)                                          \
            fprintf(stderr, "\n  error: %s\n  expected to contain: %s\n", (result).error,      \
                    (needle));                                                                 \
        CU_ASSERT_PTR_NOT_NULL(strstr((result).error, (needle)));                              \
    } while (0)

/* Likewise: the run succeeded (the test stops here if not, after printing the error). */
#define TEST_ASSERT_SUCCEEDED(result)                                                          \
    do {                                                                                       \
        if ((result).status != 0)                                                              \
            fprintf(stderr, "\n  unexpected error: %s\n", (result).error);                    \
        CU_ASSERT_EQUAL_FATAL((result).status, 0);                                             \
    } while (0)

#endif
