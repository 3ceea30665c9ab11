/* Shared helpers for the CUnit test programs. */
#ifndef HCSOCI_TEST_SUPPORT_H
#define HCSOCI_TEST_SUPPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include <hcsoci/hcsoci.h>
#include <hcsoci/log.h>
#include <hcsoci/plugin.h>
#include <hcsoci/resources.h>
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

/* An absolute path under the source tree (HCSOCI_TEST_SRCDIR, else the working directory); same
 * buffer rule. */
const char *test_source_path(const char *relative);

/* The path of a test module built in tests/plugins ("failing_builder"), with the platform's
 * module suffix; same buffer rule as test_build_path. */
const char *test_plugin_module(const char *name);

/* True when message names path as given or resolved (the loader names modules by their
 * resolved path: on Windows "Z:\\work\\..." for "/work/..."). */
bool test_message_names_path(const char *message, const char *path);

/* NULL-terminated directories of the four built-in modules in the build tree (static). */
const char *const *test_builtin_plugin_directories(void);

/* The descriptor of the built-in module name ("wcow", "lcow", "network", "devices") that a
 * runtime of this process has loaded (borrowed: valid while that runtime lives); fails the
 * current test fatally when none has. The library gives programs no module's raw ops, so the
 * unit tests of a module reach it here. */
const hcsoci_plugin_descriptor *test_builtin_module(const char *name);

/* Calls visit with the path of every *.json file of a folder under the source tree, in the
 * folder's order; returns how many (the current test fails fatally when it cannot be read). */
size_t test_each_json_file(const char *relative_folder, void (*visit)(const char *path));

/* Parses a JSON file under the source tree; fails the current test and returns NULL on error. */
json_t *test_load_json(const char *relative);

/* Parses a JSON text; aborts the test program on error (for literals in tests). */
json_t *test_json(const char *text);

/* Parses JSON written with ' for " and | for an escaped backslash, to keep literals readable:
 * "{'p': 'C:|x'}" is {"p": "C:\x"}. Aborts on a syntax error; the caller owns the result. */
json_t *test_quoted_json(const char *text);

/* CU_ASSERT that result, a new string from function(arguments) under test, is expected (NULL
 * fails the test); frees result. */
void test_assert_new_string(const char *function, const char *arguments, char *result,
                            const char *expected);

/* A sim host from a world written as JSON text; aborts on error. */
hcsoci_host *test_sim_host(const char *world_json);

/* A sim host from a world (borrowed); aborts on error. */
hcsoci_host *test_sim_host_of_world(const json_t *world);

/* Makes the world's nth call of that name fail with hresult (NULL: the sim's default, access
 * denied). */
void test_fail_call(json_t *world, const char *call, int nth, const char *hresult);

/* Sets the spec's annotation name to value, making the annotations object if needed. */
void test_set_annotation(json_t *spec, const char *name, const char *value);

/* Sets root.<a>.<b>... = value (stolen), making the objects on the way. */
void test_set_path(json_t *root, const char *dotted, json_t *value);

/* The error's message as a new string (the caller frees it), or NULL; frees the error. */
char *test_take_message(hcsoci_error *error);

/* Captures every log record up to max_level as {level, message, fields} until
 * test_log_capture_end, which returns them (the caller owns the array) and drops logs again. */
void test_log_capture_begin(hcsoci_log_level max_level);
json_t *test_log_capture_end(void);

/* The records captured so far (borrowed; an empty array when no capture runs). */
const json_t *test_log_captured(void);

/* How many captured records have a message containing text. */
size_t test_count_logs(const json_t *logs, const char *text);

/* The fields of the first captured record whose message contains text, or NULL. */
const json_t *test_find_log(const json_t *logs, const char *text);

/* The fields of the first captured warning about this annotation, or NULL. */
const json_t *test_find_annotation_warning(const json_t *logs, const char *annotation);

/* The args of a journal's call at index (borrowed), or NULL. */
const json_t *test_call_args(const json_t *calls, size_t index);

/* ---- The WCOW world: two layers and a scratch on a build 20348 host ---- */

#define TEST_BASE "C:\\lf\\base"
#define TEST_MID "C:\\lf\\mid"
#define TEST_SCRATCH "C:\\lf\\scratch"
#define TEST_SANDBOX "C:\\lf\\scratch\\sandbox.vhdx"
#define TEST_GUID_BASE "8d2a4c6e-1111-4a5b-9c3d-000000000001"
#define TEST_GUID_MID "8d2a4c6e-2222-4a5b-9c3d-000000000002"
#define TEST_GUID_SCRATCH "8d2a4c6e-4444-4a5b-9c3d-000000000004"
#define TEST_VOLUME_GUID "3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f"
#define TEST_VOLUME "\\\\?\\Volume{" TEST_VOLUME_GUID "}\\"
#define TEST_VOLUME_V1 "\\\\?\\Volume{" TEST_VOLUME_GUID "}"
#define TEST_PIPE "\\\\.\\pipe\\engine"
/* What a container in a utility VM uses: its root in the VM, the VM's VSMB shares, and the
 * mount sources of the hosted tests (a file, a physical drive and a virtual disk). */
#define TEST_ROOT_IN_UVM "C:\\c\\1"
#define TEST_VSMB_SHARE "\\\\?\\VMSMB\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\"
#define TEST_HOST_FILE "C:\\host\\files\\app.json"
#define TEST_DRIVE "\\\\.\\PhysicalDrive1"
#define TEST_DISK "C:\\host\\disk.vhdx"

/* Base and mid layers, a scratch folder with its sandbox.vhdx, 8 processors, build 20348
 * (a new reference). */
json_t *test_wcow_world(void);

/* A spec with the base layer and the scratch folder (a new reference). */
json_t *test_wcow_spec(void);

/* Expected JSON written as for test_quoted_json, with placeholders ($BASE, $GUID_BASE, $S1,
 * ...: the TEST_ names above) for the strings with backslashes; a string equal to a
 * placeholder becomes its value. The caller owns the result. */
json_t *test_expected_json(const char *quoted);

/* CU_ASSERT that actual equals the expected JSON of test_expected_json (printing both when
 * not). */
#define TEST_ASSERT_JSON(actual, expected_quoted)                                              \
    do {                                                                                       \
        json_t *expected_ = test_expected_json(expected_quoted);                               \
        int equal_ = json_equal((actual), expected_);                                          \
        if (!equal_) {                                                                         \
            char *actual_text_ = json_dumps((actual), JSON_COMPACT | JSON_ENCODE_ANY);          \
            char *expected_text_ = json_dumps(expected_, JSON_COMPACT);                        \
            fprintf(stderr, "\n  actual:   %s\n  expected: %s\n",                             \
                    actual_text_ != NULL ? actual_text_ : "(null)", expected_text_);           \
            free(actual_text_);                                                                \
            free(expected_text_);                                                              \
        }                                                                                      \
        CU_ASSERT_TRUE(equal_);                                                                \
        json_decref(expected_);                                                                \
    } while (0)

/* ---- One create through the core in a sim host ---- */

typedef struct test_run_options {
    const char *schema;            /* "1.0", "2.1" or NULL (by the host's build) */
    const char *network_namespace; /* NULL: none */
    json_t *hosting_system;        /* hostingSystem properties (stolen), NULL: process isolated */
    bool scale_cpu_limits_to_sandbox;
    bool without_devices_module;   /* load the built-in modules but the devices module */
    bool log_errors_only;          /* capture error records only (else up to info) */
    const char *failure_stage;     /* label the host's failed create_compute_system and
                                      get_layer_mount_path with this stage (host.h), as a host
                                      that makes several calls for them does; NULL: none */
} test_run_options;

typedef struct test_run_result {
    int status;
    char *error;            /* the create's error message, or NULL */
    json_t *calls;          /* the create's host calls, its rollback included */
    json_t *document;       /* what the module built (success only): the document sent to
                               HCS, or for a hosted container its HostedSystem part */
    json_t *sent_document;  /* the container's document, as sent to HCS (success only) */
    char *owner;            /* the container's owner (success only) */
    json_t *spec;           /* the spec the module left (success only) */
    json_t *ledger;         /* the ledger after the create (a copy), or NULL */
    json_t *ledger_layers;  /* the layers the ledger held after the create, or NULL */
    json_t *release_calls;  /* releasing everything after a success, else NULL */
    char *release_error;    /* releasing's error message, or NULL */
    json_t *world;          /* the sim world at the end */
    json_t *held;           /* what the host holds at the end */
    json_t *logs;           /* the captured log records (test_log_capture_end) */
} test_run_result;

/* Creates container "c1" (owner "owner") from spec in world (both consumed) as options say
 * (NULL: the defaults), then releases all it allocated when the create succeeded. Aborts when
 * the host or VM cannot be made (the runtime: as test_runtime). The result is the caller's
 * (test_run_result_free). */
void test_run_create(json_t *world, json_t *spec, const test_run_options *options,
                     test_run_result *result);

/* Frees what a result holds and zeroes it. */
void test_run_result_free(test_run_result *result);

/* The Container object of a schema 2.1 ComputeSystem document (borrowed). */
const json_t *test_container_of(const test_run_result *result);

/* A runtime over host with the built-in modules of the build tree only; fails the test (after
 * printing the error) when it cannot be made. The caller frees it. */
hcsoci_runtime *test_runtime(hcsoci_host *host);

/* Likewise with the modules of these NULL-terminated directories and files (either NULL). */
hcsoci_runtime *test_runtime_with(hcsoci_host *host, const char *const *plugin_directories,
                                  const char *const *plugin_files);

/* ---- One module called directly with a build context ---- */

/* A sim host, a runtime with the built-in modules, one module's ops, an optional utility VM, a
 * spec and a fresh ledger for container "c1", and a schema 2.1 build context over all of them. */
typedef struct test_build_fixture {
    hcsoci_host *host;
    hcsoci_runtime *runtime;
    union { /* the module's ops, by kind */
        const hcsoci_network_ops *network;
        const hcsoci_devices_ops *devices;
    };
    hcsoci_uvm *uvm; /* NULL when process isolated */
    json_t *spec;
    hcsoci_resources *resources;
    hcsoci_build_context context;
} test_build_fixture;

/* Opens f with the module of that kind (whose ops must be at least ops_size bytes) over world
 * and spec (both stolen); hosting is a hostingSystem object (borrowed) or NULL. */
void test_build_fixture_open(test_build_fixture *f, hcsoci_plugin_kind kind, size_t ops_size,
                             json_t *world, const json_t *hosting, json_t *spec);

/* Frees all that f holds. */
void test_build_fixture_close(test_build_fixture *f);

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

/* CU_ASSERT that error (an lvalue) is non-NULL and its message is exactly expected; frees the
 * error and sets error to NULL. */
#define TEST_ASSERT_ERROR_IS(error, expected)                                                  \
    do {                                                                                       \
        hcsoci_error *test_error_ = (error);                                                   \
        CU_ASSERT_PTR_NOT_NULL_FATAL(test_error_);                                             \
        if (strcmp(test_error_->message, (expected)) != 0)                                     \
            fprintf(stderr, "\n  error:    %s\n  expected: %s\n", test_error_->message,       \
                    (expected));                                                               \
        CU_ASSERT_STRING_EQUAL(test_error_->message, (expected));                              \
        hcsoci_error_free(test_error_);                                                        \
        (error) = NULL;                                                                        \
    } while (0)

/* Writes one journal call (a {"call", "args"} object) as a test wants to read it. */
typedef void test_call_describer(const json_t *call, char *text, size_t size);

/* A journal's calls, each written by describe (NULL: its call name), joined with ","; static
 * buffer reused by every call. */
const char *test_journal_summary(const json_t *calls, test_call_describer *describe);

/* The call names of a journal joined with ","; the same static buffer. */
const char *test_call_names(const json_t *calls);

/* CU_ASSERT that a journal's summary (test_journal_summary with describe) is expected. */
#define TEST_ASSERT_JOURNAL(calls, describe, expected)                                         \
    do {                                                                                       \
        const char *summary_ = test_journal_summary((calls), (describe));                      \
        if (strcmp(summary_, (expected)) != 0)                                                 \
            fprintf(stderr, "\n  journal:  %s\n  expected: %s\n", summary_, (expected));       \
        CU_ASSERT_STRING_EQUAL(summary_, (expected));                                          \
    } while (0)

/* CU_ASSERT that a journal's call names, joined with ",", are expected_names. */
#define TEST_ASSERT_CALLS(calls, expected_names) TEST_ASSERT_JOURNAL(calls, NULL, expected_names)

/* For a run result with `int status` and `char *error`: the run failed with exactly this message.
 */
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
