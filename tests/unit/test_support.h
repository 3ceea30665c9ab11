/* Shared helpers for the CUnit test programs. */
#ifndef HCSOCI_TEST_SUPPORT_H
#define HCSOCI_TEST_SUPPORT_H

#include <CUnit/CUnit.h>
#include <jansson.h>

#include <hcsoci/hcsoci.h>

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

#endif
