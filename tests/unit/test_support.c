#include "test_support.h"
#include "../../core/lib/portable.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <hcsoci/json_number.h>
#include <ltdl.h>

int test_run_suite(const char *suite_name, const test_entry *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    if (suite == NULL)
        return 1;
    for (const test_entry *test = tests; test->name != NULL; test++) {
        if (CU_add_test(suite, test->name, test->function) == NULL)
            return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    return (failed == 0 && ran > 0) ? 0 : 1;
}

static const char *tree_path(const char *variable, const char *relative)
{
    static char buffers[8][4096];
    static unsigned next;
    char *buffer = buffers[next++ % 8];
    const char *root = getenv(variable);
    char working_directory[2048];
    if (root == NULL)
        root =
            getcwd(working_directory, sizeof working_directory) != NULL ? working_directory : ".";
    snprintf(buffer, sizeof buffers[0], "%s/%s", root, relative);
    return buffer;
}

const char *test_build_path(const char *relative)
{
    return tree_path("HCSOCI_TEST_BUILDDIR", relative);
}

const char *test_source_path(const char *relative)
{
    return tree_path("HCSOCI_TEST_SRCDIR", relative);
}

const char *test_plugin_module(const char *name)
{
    char relative[256];
    snprintf(relative, sizeof relative, "tests/plugins/.libs/%s%s", name,
             portable_module_suffix());
    return test_build_path(relative);
}

bool test_message_names_path(const char *message, const char *path)
{
    if (strstr(message, path) != NULL)
        return true;
    char *resolved = portable_resolve_path(path);
    bool named = resolved != NULL && strstr(message, resolved) != NULL;
    free(resolved);
    return named;
}

const char *const *test_builtin_plugin_directories(void)
{
    static char directories[4][4096];
    static const char *list[5];
    static const char *const modules[] = {"wcow", "lcow", "network", "devices"};
    for (int i = 0; i < 4; i++) {
        char relative[64];
        snprintf(relative, sizeof relative, "plugins/%s/.libs", modules[i]);
        snprintf(directories[i], sizeof directories[i], "%s", test_build_path(relative));
        list[i] = directories[i];
    }
    list[4] = NULL;
    return list;
}

const hcsoci_plugin_descriptor *test_builtin_module(const char *name)
{
    /* The runtime's libltdl handles, found rather than opened again: on Windows libltdl
     * refuses to open a module that is loaded already. */
    static lt_dlinterface_id interface_id;
    if (interface_id == NULL)
        interface_id = lt_dlinterface_register("hcsoci unit tests", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(interface_id);
    for (lt_dlhandle handle = lt_dlhandle_iterate(interface_id, NULL); handle != NULL;
         handle = lt_dlhandle_iterate(interface_id, handle)) {
        const hcsoci_plugin_descriptor *descriptor = lt_dlsym(handle, "hcsoci_plugin_descriptor");
        if (descriptor != NULL && descriptor->name != NULL && strcmp(descriptor->name, name) == 0)
            return descriptor;
    }
    fprintf(stderr, "\n  module %s is not loaded by a runtime\n", name);
    CU_FAIL_FATAL("module not loaded");
    return NULL;
}

json_t *test_load_json(const char *relative)
{
    json_error_t parse_error;
    json_t *value = hcsoci_json_load_file(test_source_path(relative), 0, &parse_error);
    if (value == NULL) {
        fprintf(stderr, "\n  cannot parse %s: %s\n", relative, parse_error.text);
        CU_FAIL("test data does not parse");
    }
    return value;
}

json_t *test_json(const char *text)
{
    json_error_t parse_error;
    json_t *value = json_loads(text, 0, &parse_error);
    if (value == NULL) {
        fprintf(stderr, "bad JSON literal in test (line %d): %s\n", parse_error.line,
                parse_error.text);
        abort();
    }
    return value;
}

json_t *test_quoted_json(const char *text)
{
    size_t length = strlen(text);
    char *strict = malloc(length * 2 + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(strict);
    size_t out = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\'') {
            strict[out++] = '"';
        } else if (text[i] == '|') {
            strict[out++] = '\\';
            strict[out++] = '\\';
        } else {
            strict[out++] = text[i];
        }
    }
    strict[out] = '\0';
    json_t *value = test_json(strict);
    free(strict);
    return value;
}

void test_assert_new_string(const char *function, const char *arguments, char *result,
                            const char *expected)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(result);
    if (strcmp(result, expected) != 0)
        fprintf(stderr, "\n  %s(%s) = %s, expected %s\n", function, arguments, result, expected);
    CU_ASSERT_STRING_EQUAL(result, expected);
    free(result);
}

hcsoci_host *test_sim_host_of_world(const json_t *world)
{
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(world, &host, &error) != 0) {
        fprintf(stderr, "cannot make sim host: %s\n", error->message);
        abort();
    }
    return host;
}

hcsoci_host *test_sim_host(const char *world_json)
{
    json_t *world = test_json(world_json);
    hcsoci_host *host = test_sim_host_of_world(world);
    json_decref(world);
    return host;
}

void test_fail_call(json_t *world, const char *call, int nth, const char *hresult)
{
    json_t *description = json_pack("{s:s, s:i}", "call", call, "nth", nth);
    CU_ASSERT_PTR_NOT_NULL_FATAL(description);
    if (hresult != NULL)
        CU_ASSERT_FATAL(json_object_set_new(description, "hresult", json_string(hresult)) == 0);
    CU_ASSERT_FATAL(json_object_set_new(world, "failCall", description) == 0);
}

void test_set_annotation(json_t *spec, const char *name, const char *value)
{
    json_t *annotations = json_object_get(spec, "annotations");
    if (annotations == NULL) {
        annotations = json_object();
        CU_ASSERT_FATAL(json_object_set_new(spec, "annotations", annotations) == 0);
    }
    CU_ASSERT_FATAL(json_object_set_new(annotations, name, json_string(value)) == 0);
}

void test_set_path(json_t *root, const char *dotted, json_t *value)
{
    char *copy = strdup(dotted);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    json_t *object = root;
    char *segment = copy;
    for (char *dot = strchr(segment, '.'); dot != NULL; dot = strchr(segment, '.')) {
        *dot = '\0';
        json_t *next = json_object_get(object, segment);
        if (!json_is_object(next)) {
            next = json_object();
            json_object_set_new(object, segment, next);
        }
        object = next;
        segment = dot + 1;
    }
    json_object_set_new(object, segment, value);
    free(copy);
}

char *test_take_message(hcsoci_error *error)
{
    if (error == NULL)
        return NULL;
    char *message = strdup(error->message);
    hcsoci_error_free(error);
    return message;
}

static json_t *captured_logs;

static void capture_log(void *context, hcsoci_log_level level, const char *message,
                        const json_t *fields)
{
    (void)context;
    json_array_append_new(captured_logs, json_pack("{s:i, s:s, s:O}", "level", (int)level,
                                                   "message", message, "fields", fields));
}

void test_log_capture_begin(hcsoci_log_level max_level)
{
    json_decref(captured_logs);
    captured_logs = json_array();
    hcsoci_log_set_sink(capture_log, NULL, max_level);
}

json_t *test_log_capture_end(void)
{
    hcsoci_log_set_sink(NULL, NULL, HCSOCI_LOG_WARN);
    json_t *logs = captured_logs;
    captured_logs = NULL;
    return logs;
}

const json_t *test_log_captured(void)
{
    static json_t *none;
    if (captured_logs != NULL)
        return captured_logs;
    if (none == NULL)
        none = json_array();
    return none;
}

size_t test_count_logs(const json_t *logs, const char *text)
{
    size_t count = 0;
    size_t index;
    const json_t *record;
    json_array_foreach(logs, index, record) {
        if (strstr(json_string_value(json_object_get(record, "message")), text) != NULL)
            count++;
    }
    return count;
}

const json_t *test_find_log(const json_t *logs, const char *text)
{
    size_t index;
    const json_t *record;
    json_array_foreach(logs, index, record) {
        if (strstr(json_string_value(json_object_get(record, "message")), text) != NULL)
            return json_object_get(record, "fields");
    }
    return NULL;
}

const json_t *test_find_annotation_warning(const json_t *logs, const char *annotation)
{
    size_t index;
    const json_t *record;
    json_array_foreach(logs, index, record) {
        const json_t *fields = json_object_get(record, "fields");
        const char *name = json_string_value(json_object_get(fields, "oci-annotation"));
        if (name != NULL && strcmp(name, annotation) == 0 &&
            json_integer_value(json_object_get(record, "level")) == HCSOCI_LOG_WARN)
            return fields;
    }
    return NULL;
}

const json_t *test_call_args(const json_t *calls, size_t index)
{
    return json_object_get(json_array_get(calls, index), "args");
}

hcsoci_runtime *test_runtime_with(hcsoci_host *host, const char *const *plugin_directories,
                                  const char *const *plugin_files)
{
    hcsoci_runtime_options options = {
        .host = host,
        .plugin_directories = plugin_directories,
        .plugin_files = plugin_files,
        .skip_environment = true,
        .skip_installed_directory = true,
        .program_name = "hcsoci",
    };
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_runtime_new(&options, &runtime, &error) != 0)
        fprintf(stderr, "\n  cannot make runtime: %s\n", error->message);
    hcsoci_error_free(error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(runtime);
    return runtime;
}

hcsoci_runtime *test_runtime(hcsoci_host *host)
{
    return test_runtime_with(host, test_builtin_plugin_directories(), NULL);
}

void test_build_fixture_open(test_build_fixture *f, hcsoci_plugin_kind kind, size_t ops_size,
                             json_t *world, const json_t *hosting, json_t *spec)
{
    memset(f, 0, sizeof *f);
    f->host = test_sim_host_of_world(world);
    json_decref(world);
    f->runtime = test_runtime(f->host);
    const hcsoci_plugin_descriptor *module =
        test_builtin_module(kind == HCSOCI_PLUGIN_NETWORK ? "network" : "devices");
    CU_ASSERT_EQUAL_FATAL(module->kind, (uint32_t)kind);
    CU_ASSERT_FATAL(module->ops_size >= ops_size);
    f->network = module->ops; /* the union: every member is the same pointer */
    if (hosting != NULL) {
        hcsoci_uvm_properties properties;
        CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_properties_from_json(hosting, &properties, NULL), 0);
        CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_new(f->host, &properties, &f->uvm, NULL), 0);
    }
    f->spec = spec;
    f->resources = hcsoci_resources_new("c1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->resources);
    f->context = (hcsoci_build_context){
        .size = sizeof f->context,
        .runtime = f->runtime,
        .host = f->host,
        .id = "c1",
        .owner = "test",
        .schema = {2, 1},
        .spec = f->spec,
        .hosting_system = f->uvm,
        .network_namespace = "",
        .resources = f->resources,
    };
}

void test_build_fixture_close(test_build_fixture *f)
{
    hcsoci_resources_free(f->resources);
    hcsoci_uvm_free(f->uvm);
    json_decref(f->spec);
    hcsoci_runtime_free(f->runtime);
    hcsoci_host_destroy(f->host);
}

static void describe_call_name(const json_t *call, char *text, size_t size)
{
    const char *name = json_string_value(json_object_get(call, "call"));
    snprintf(text, size, "%s", name != NULL ? name : "?");
}

const char *test_journal_summary(const json_t *calls, test_call_describer *describe)
{
    static char summary[8192];
    summary[0] = '\0';
    if (describe == NULL)
        describe = describe_call_name;
    size_t index;
    const json_t *call;
    json_array_foreach(calls, index, call) {
        size_t used = strlen(summary);
        if (index > 0 && used + 1 < sizeof summary)
            summary[used++] = ',';
        describe(call, summary + used, sizeof summary - used);
    }
    return summary;
}

const char *test_call_names(const json_t *calls)
{
    return test_journal_summary(calls, NULL);
}

/* ---- The WCOW world ---- */

json_t *test_wcow_world(void)
{
    json_t *world = json_pack("{s:i, s:i, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s}",
                              "build", 20348, "processorCount", 8, "files", TEST_BASE, "dir",
                              TEST_MID, "dir", TEST_SCRATCH, "dir", TEST_SANDBOX, "file",
                              "layerIds", TEST_BASE, TEST_GUID_BASE, TEST_MID, TEST_GUID_MID,
                              TEST_SCRATCH, TEST_GUID_SCRATCH, "layerMountPath", TEST_VOLUME);
    CU_ASSERT_PTR_NOT_NULL_FATAL(world);
    return world;
}

json_t *test_wcow_spec(void)
{
    json_t *spec = json_pack("{s:s, s:{s:[s,s]}}", "ociVersion", "1.0.2-dev", "windows",
                             "layerFolders", TEST_BASE, TEST_SCRATCH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
    return spec;
}

static const struct {
    const char *name;
    const char *value;
} placeholders[] = {
    {"$BASE", TEST_BASE},
    {"$MID", TEST_MID},
    {"$SCRATCH", TEST_SCRATCH},
    {"$SANDBOX", TEST_SANDBOX},
    {"$GUID_BASE", TEST_GUID_BASE},
    {"$GUID_MID", TEST_GUID_MID},
    {"$VOLUME", TEST_VOLUME},
    {"$VOLUME_V1", TEST_VOLUME_V1},
    {"$PIPE", TEST_PIPE},
    {"$DATA", "C:\\data"},
    {"$HOST_RW", "C:\\host\\rw"},
    {"$HOST_RO", "C:\\host\\ro"},
    {"$ROOT", TEST_ROOT_IN_UVM},
    {"$S1", TEST_VSMB_SHARE "s1"},
    {"$S2", TEST_VSMB_SHARE "s2"},
    {"$S3", TEST_VSMB_SHARE "s3"},
    {"$S4", TEST_VSMB_SHARE "s4"},
    {"$HOST_FILE", TEST_HOST_FILE},
    {"$DRIVE", TEST_DRIVE},
    {"$DISK", TEST_DISK},
};

static void substitute(json_t *value)
{
    if (json_is_string(value)) {
        for (size_t i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++) {
            if (strcmp(json_string_value(value), placeholders[i].name) == 0) {
                json_string_set(value, placeholders[i].value);
                return;
            }
        }
    } else if (json_is_array(value)) {
        size_t index;
        json_t *item;
        json_array_foreach(value, index, item) substitute(item);
    } else if (json_is_object(value)) {
        const char *key;
        json_t *item;
        json_object_foreach(value, key, item) substitute(item);
    }
}

json_t *test_expected_json(const char *quoted)
{
    json_t *value = test_quoted_json(quoted);
    substitute(value);
    return value;
}

/* ---- One create ---- */

/* A runtime over host with the built-in modules of the build tree but the devices module. */
static hcsoci_runtime *runtime_without_devices(hcsoci_host *host)
{
    const char *const *builtin = test_builtin_plugin_directories();
    const char *directories[5] = {NULL};
    for (size_t i = 0, kept = 0; builtin[i] != NULL; i++) {
        if (strstr(builtin[i], "plugins/devices/") == NULL)
            directories[kept++] = builtin[i];
    }
    return test_runtime_with(host, directories, NULL);
}

/* The sim host's ops with two of them labelling their failures with a stage (failure_stage);
 * for the create only (the sim host's own functions know it by its own ops). */
static hcsoci_host_ops staged_ops;
static const hcsoci_host_ops *unstaged_ops;
static const char *staged_failure_stage;

static int staged_create_compute_system(hcsoci_host *host, const char *id,
                                        const json_t *configuration, hcsoci_error **error)
{
    int status = unstaged_ops->create_compute_system(host, id, configuration, error);
    if (status != 0 && error != NULL)
        hcsoci_error_set_stage(*error, staged_failure_stage);
    return status;
}

static int staged_get_layer_mount_path(hcsoci_host *host, const char *path, char **mount_path,
                                       hcsoci_error **error)
{
    int status = unstaged_ops->get_layer_mount_path(host, path, mount_path, error);
    if (status != 0 && error != NULL)
        hcsoci_error_set_stage(*error, staged_failure_stage);
    return status;
}

static void label_failures_with_stage(hcsoci_host *host, const char *stage)
{
    unstaged_ops = host->ops;
    staged_ops = *host->ops;
    staged_ops.create_compute_system = staged_create_compute_system;
    staged_ops.get_layer_mount_path = staged_get_layer_mount_path;
    staged_failure_stage = stage;
    host->ops = &staged_ops;
}

void test_run_create(json_t *world, json_t *spec, const test_run_options *options,
                     test_run_result *result)
{
    static const test_run_options defaults = {0};
    if (options == NULL)
        options = &defaults;
    memset(result, 0, sizeof *result);
    hcsoci_host *host = test_sim_host_of_world(world);
    json_decref(world);
    if (options->failure_stage != NULL)
        label_failures_with_stage(host, options->failure_stage);
    hcsoci_runtime *runtime =
        options->without_devices_module ? runtime_without_devices(host) : test_runtime(host);
    hcsoci_uvm *uvm = NULL;
    hcsoci_error *error = NULL;
    if (options->hosting_system != NULL) {
        hcsoci_uvm_properties properties;
        if (hcsoci_uvm_properties_from_json(options->hosting_system, &properties, &error) != 0 ||
            hcsoci_uvm_new(host, &properties, &uvm, &error) != 0) {
            fprintf(stderr, "cannot make the utility VM: %s\n", error->message);
            abort();
        }
    }
    test_log_capture_begin(options->log_errors_only ? HCSOCI_LOG_ERROR : HCSOCI_LOG_INFO);

    hcsoci_schema_version schema = {2, 1};
    if (options->schema != NULL && strcmp(options->schema, "1.0") == 0)
        schema = (hcsoci_schema_version){1, 0};
    hcsoci_create_options create = {
        .id = "c1",
        .owner = "owner",
        .spec = spec,
        .schema_version = options->schema != NULL ? &schema : NULL,
        .network_namespace = options->network_namespace,
        .hosting_system = uvm,
        .scale_cpu_limits_to_sandbox = options->scale_cpu_limits_to_sandbox,
    };
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    result->status = hcsoci_create_container(runtime, &create, &container, &resources, &error);
    if (options->failure_stage != NULL)
        host->ops = unstaged_ops; /* the sim host's own again, for its journal and state */
    result->error = test_take_message(error);
    result->calls = json_deep_copy(hcsoci_sim_host_journal(host));
    if (resources != NULL) {
        /* deep copies: the ledger's JSON shares its arrays with the ledger, which releasing
         * empties */
        json_t *ledger = hcsoci_resources_to_json(resources);
        result->ledger = json_deep_copy(ledger);
        json_decref(ledger);
        if (hcsoci_resources_layers(resources) != NULL)
            result->ledger_layers = json_deep_copy(hcsoci_resources_layers(resources));
    }
    if (result->status == 0) {
        result->sent_document = json_incref(container->document);
        result->document = json_incref(container->hosting_system_id != NULL
                                           ? json_object_get(container->document, "HostedSystem")
                                           : container->document);
        result->owner = strdup(container->owner);
        result->spec = json_incref(container->spec);
        hcsoci_sim_host_journal_clear(host);
        hcsoci_error *release_error = NULL;
        if (hcsoci_release_resources(runtime, resources, uvm, true, &release_error) != 0)
            result->release_error = test_take_message(release_error);
        result->release_calls = json_deep_copy(hcsoci_sim_host_journal(host));
    }
    result->world = hcsoci_sim_host_world(host);
    result->held = hcsoci_sim_host_held(host);
    result->logs = test_log_capture_end();

    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    hcsoci_uvm_free(uvm);
    json_decref(options->hosting_system);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
    json_decref(spec);
}

void test_run_result_free(test_run_result *result)
{
    free(result->error);
    free(result->release_error);
    json_decref(result->calls);
    json_decref(result->document);
    json_decref(result->sent_document);
    free(result->owner);
    json_decref(result->spec);
    json_decref(result->ledger);
    json_decref(result->ledger_layers);
    json_decref(result->release_calls);
    json_decref(result->world);
    json_decref(result->held);
    json_decref(result->logs);
    memset(result, 0, sizeof *result);
}

const json_t *test_container_of(const test_run_result *result)
{
    return json_object_get(result->document, "Container");
}

size_t test_each_json_file(const char *relative_folder, void (*visit)(const char *path))
{
    char folder[4096];
    snprintf(folder, sizeof folder, "%s", test_source_path(relative_folder));
    DIR *directory = opendir(folder);
    CU_ASSERT_PTR_NOT_NULL_FATAL(directory);
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length < 6 || strcmp(entry->d_name + length - 5, ".json") != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
        visit(path);
        count++;
    }
    closedir(directory);
    return count;
}
