/* Module loading, refusal and dispatch. */
#include "test_support.h"
#include "test_platform.h"
#include "../../core/lib/portable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const minimal_world =
    "{\"build\": 20348, \"processorCount\": 8, \"files\": {}, \"layerIds\": {},"
    " \"layerMountPath\": \"\\\\\\\\?\\\\Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f}\\\\\","
    " \"hnsEndpoints\": [], \"hnsNamespaces\": {}, \"hnsNewNamespaceIds\": [],"
    " \"failCall\": null, \"programDir\": \"C:\\\\hcsoci\"}";

/* The name the test builders write in Container.GuestOs.HostName (tests/plugins). */
static const char *built_by(const json_t *document)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(document, "Container"), "GuestOs"), "HostName"));
}

static const char *test_module(const char *name)
{
    return test_plugin_module(name);
}

/* Makes a runtime from explicit module files only (no built-ins, no environment). */
static int runtime_from_files(hcsoci_host *host, const char *const *files, hcsoci_runtime **runtime,
                              hcsoci_error **error)
{
    hcsoci_runtime_options options = {
        .host = host,
        .plugin_files = files,
        .skip_environment = true,
        .skip_installed_directory = true,
        .program_name = "hcsoci",
    };
    return hcsoci_runtime_new(&options, runtime, error);
}

static void expect_refused(const char *module, const char *reason)
{
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *files[] = {test_module(module), NULL};
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(runtime_from_files(host, files, &runtime, &error), -1);
    CU_ASSERT_PTR_NULL(runtime);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT(test_message_names_path(error->message, files[0]));
    TEST_ASSERT_ERROR_CONTAINS(error, reason);
    CU_ASSERT_FALSE(test_module_is_loaded(files[0]));
    hcsoci_host_destroy(host);
}

static void test_refuses_other_major(void)
{
    expect_refused("wrong_major", "the major version differs");
}

static void test_refuses_newer_minor(void)
{
    expect_refused("newer_minor", "newer than this core's");
}

static void test_refuses_missing_descriptor(void)
{
    expect_refused("no_descriptor", "exports no hcsoci_plugin_descriptor");
}

static void test_refuses_unknown_kind(void)
{
    expect_refused("unknown_kind", "unknown module kind 42");
}

static void test_refuses_short_ops_table(void)
{
    expect_refused("short_ops", "lacks required ops");
}

/* Copies a test module into a fresh directory and returns the copy's path (static buffer). */
static const char *copy_module(const char *name, char *directory_template)
{
    static char path[4096];
    CU_ASSERT_PTR_NOT_NULL_FATAL(test_make_temporary_directory(directory_template));
    snprintf(path, sizeof path, "%s/%s%s", directory_template, name, portable_module_suffix());
    FILE *in = fopen(test_module(name), "rb"), *out = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    char buffer[8192];
    size_t count;
    while ((count = fread(buffer, 1, sizeof buffer, in)) > 0)
        fwrite(buffer, 1, count, out);
    fclose(in);
    fclose(out);
    chmod(path, 0755);
    return path;
}

static void remove_copy(const char *path, const char *directory)
{
    unlink(path);
    rmdir(directory);
}

/* Mode bits (POSIX): a module file writable by its group is refused. On Windows the DACL
 * decides instead (test_portable). */
static void test_refuses_group_writable_file(void)
{
    if (!test_mode_bits_control_writers())
        return;
    char directory[] = "/tmp/hcsoci-test-XXXXXX";
    const char *path = copy_module("good_builder", directory);
    chmod(path, 0775);
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *files[] = {path, NULL};
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(runtime_from_files(host, files, &runtime, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "is writable by its group");
    remove_copy(path, directory);
    hcsoci_host_destroy(host);
}

static void test_refuses_world_writable_directory(void)
{
    if (!test_mode_bits_control_writers())
        return;
    char directory[] = "/tmp/hcsoci-test-XXXXXX";
    const char *path = copy_module("good_builder", directory);
    chmod(directory, 0777);
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *directories[] = {directory, NULL};
    hcsoci_runtime_options options = {.host = host, .plugin_directories = directories,
                                      .skip_environment = true, .skip_installed_directory = true};
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_runtime_new(&options, &runtime, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "writable by others");
    remove_copy(path, directory);
    hcsoci_host_destroy(host);
}

/* A uid that is neither root nor the caller. */
#define OTHER_UID 12345

/* A module file owned by another user is refused, naming the owner and the file; so is a module
 * in a directory owned by another user, named directly or found in the directory. Changing
 * owners needs root: as anyone else there is nothing to try. */
static void test_refuses_module_owned_by_another_user(void)
{
    if (!test_running_as_root())
        return;
    char directory[] = "/tmp/hcsoci-test-XXXXXX";
    const char *path = copy_module("good_builder", directory);
    CU_ASSERT_EQUAL_FATAL(test_change_owner(path, OTHER_UID), 0);
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *files[] = {path, NULL};
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(runtime_from_files(host, files, &runtime, &error), -1);
    CU_ASSERT_PTR_NULL(runtime);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, "is owned by uid 12345"));
    TEST_ASSERT_ERROR_CONTAINS(error, "file ");
    error = NULL;

    /* The file is the caller's again; its directory is another user's. */
    CU_ASSERT_EQUAL_FATAL(test_change_owner(path, 0), 0);
    CU_ASSERT_EQUAL_FATAL(test_change_owner(directory, OTHER_UID), 0);
    CU_ASSERT_EQUAL(runtime_from_files(host, files, &runtime, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, "is owned by uid 12345"));
    TEST_ASSERT_ERROR_CONTAINS(error, "directory ");
    error = NULL;
    const char *directories[] = {directory, NULL};
    hcsoci_runtime_options options = {.host = host, .plugin_directories = directories,
                                      .skip_environment = true, .skip_installed_directory = true};
    CU_ASSERT_EQUAL(hcsoci_runtime_new(&options, &runtime, &error), -1);
    CU_ASSERT_PTR_NULL(runtime);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, directory));
    TEST_ASSERT_ERROR_CONTAINS(error, "is owned by uid 12345");
    error = NULL;

    /* Owned by root (the caller here) again, the same module loads. */
    CU_ASSERT_EQUAL_FATAL(test_change_owner(directory, 0), 0);
    CU_ASSERT_EQUAL(runtime_from_files(host, files, &runtime, &error), 0);
    CU_ASSERT_PTR_NOT_NULL(runtime);
    hcsoci_runtime_free(runtime);
    remove_copy(path, directory);
    hcsoci_host_destroy(host);
}

/* A file named *.so that is not a shared object (here: text) is refused as not a loadable
 * module, naming the file and libltdl's reason (which is "file not found"). */
static void test_refuses_a_file_that_is_not_a_module(void)
{
    char directory[] = "/tmp/hcsoci-test-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(test_make_temporary_directory(directory));
    char path[4096];
    snprintf(path, sizeof path, "%s/text%s", directory, portable_module_suffix());
    FILE *file = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    fputs("not a shared object\n", file);
    fclose(file);
    chmod(path, 0755);
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *files[] = {path, NULL};
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(runtime_from_files(host, files, &runtime, &error), -1);
    CU_ASSERT_PTR_NULL(runtime);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT(test_message_names_path(error->message, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, "(libltdl: "));
    char expected[128];
    snprintf(expected, sizeof expected, "it is not a loadable module, not %s",
             portable_shared_object_format());
    TEST_ASSERT_ERROR_CONTAINS(error, expected);
    remove_copy(path, directory);
    hcsoci_host_destroy(host);
}

static void test_missing_named_directory_is_an_error(void)
{
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *directories[] = {"/nonexistent/hcsoci-modules", NULL};
    hcsoci_runtime_options options = {.host = host, .plugin_directories = directories,
                                      .skip_environment = true, .skip_installed_directory = true};
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_runtime_new(&options, &runtime, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "/nonexistent/hcsoci-modules");
    hcsoci_host_destroy(host);
}

static void test_equal_priorities_conflict(void)
{
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *files[] = {test_module("good_builder"), test_module("rival_builder"), NULL};
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(runtime_from_files(host, files, &runtime, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, "good_builder"));
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, "rival_builder"));
    TEST_ASSERT_ERROR_CONTAINS(error, "both claim");
    /* No runtime was made: nothing it loaded stays (no other test loads rival_builder). */
    CU_ASSERT_FALSE(test_module_is_loaded(files[1]));
    hcsoci_host_destroy(host);
}

/* A runtime's modules stay loaded once it is freed; a later runtime loads the same file again
 * and gets a working module. */
static void test_modules_stay_loaded_after_the_runtime(void)
{
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *files[] = {test_module("override_builder"), NULL};
    for (int round = 0; round < 2; round++) {
        hcsoci_runtime *runtime = NULL;
        CU_ASSERT_EQUAL_FATAL(runtime_from_files(host, files, &runtime, NULL), 0);
        json_t *plugins = hcsoci_runtime_plugins(runtime);
        CU_ASSERT_EQUAL(json_array_size(plugins), 1);
        CU_ASSERT_STRING_EQUAL(
            json_string_value(json_object_get(json_array_get(plugins, 0), "name")),
            "override_builder");
        json_decref(plugins);
        hcsoci_runtime_free(runtime);
        CU_ASSERT(test_module_is_loaded(files[0]));
    }
    hcsoci_host_destroy(host);
}

static void test_no_match_names_the_key(void)
{
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *files[] = {test_module("good_builder"), NULL};
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(runtime_from_files(host, files, &runtime, &error), 0);
    hcsoci_match_key key = {HCSOCI_SPEC_LINUX, {2, 1}, HCSOCI_HOSTING_WINDOWS};
    CU_ASSERT_PTR_NULL(hcsoci_runtime_builder_name(runtime, &key, &error));
    TEST_ASSERT_ERROR_CONTAINS(error, "no plugin for spec linux, schema 2.1, hosting system windows");
    /* Without a network module, what needs one says so. */
    json_t *endpoints = NULL;
    CU_ASSERT_EQUAL(hcsoci_get_namespace_endpoints(runtime, "ns", &endpoints, &error), -1);
    CU_ASSERT_PTR_NULL(endpoints);
    TEST_ASSERT_ERROR_CONTAINS(error, "no plugin for network");
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

static void test_higher_priority_overrides_builtin(void)
{
    hcsoci_host *host = test_sim_host(minimal_world);
    hcsoci_match_key key = {HCSOCI_SPEC_WINDOWS, {2, 1}, HCSOCI_HOSTING_NONE};
    hcsoci_runtime *builtin = test_runtime(host);
    const char *chosen = hcsoci_runtime_builder_name(builtin, &key, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chosen);
    CU_ASSERT_STRING_EQUAL(chosen, "wcow");
    hcsoci_runtime_free(builtin);

    const char *files[] = {test_module("override_builder"), NULL};
    hcsoci_runtime_options options = {
        .host = host, .plugin_directories = test_builtin_plugin_directories(),
        .plugin_files = files, .skip_environment = true, .skip_installed_directory = true,
    };
    hcsoci_runtime *overridden = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_runtime_new(&options, &overridden, NULL), 0);
    chosen = hcsoci_runtime_builder_name(overridden, &key, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chosen);
    CU_ASSERT_STRING_EQUAL(chosen, "override_builder");
    /* Keys the override does not claim still go to the built-in modules. */
    hcsoci_match_key linux_key = {HCSOCI_SPEC_LINUX, {2, 1}, HCSOCI_HOSTING_LINUX};
    chosen = hcsoci_runtime_builder_name(overridden, &linux_key, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chosen);
    CU_ASSERT_STRING_EQUAL(chosen, "lcow");
    hcsoci_runtime_free(overridden);
    hcsoci_host_destroy(host);
}

static void test_builtins_are_listed(void)
{
    hcsoci_host *host = test_sim_host(minimal_world);
    hcsoci_runtime *runtime = test_runtime(host);
    json_t *plugins = hcsoci_runtime_plugins(runtime);
    CU_ASSERT_EQUAL_FATAL(json_array_size(plugins), 4);
    const char *seen_kinds[4] = {0};
    size_t index;
    json_t *plugin;
    json_array_foreach(plugins, index, plugin) {
        const char *name = json_string_value(json_object_get(plugin, "name"));
        const char *path = json_string_value(json_object_get(plugin, "path"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(path);
        CU_ASSERT_PTR_NOT_NULL(strstr(path, name));
        CU_ASSERT_PTR_NOT_NULL(json_object_get(plugin, "version"));
        seen_kinds[index] = json_string_value(json_object_get(plugin, "kind"));
        if (strcmp(name, "wcow") == 0) {
            json_t *matches = json_object_get(plugin, "matches");
            CU_ASSERT_EQUAL_FATAL(json_array_size(matches), 3); /* 1.0, 2.1, 2.1 in a Windows VM */
            CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(matches, 0),
                                                                     "hostingSystem")),
                                   "none");
        }
    }
    CU_ASSERT_STRING_EQUAL(seen_kinds[0], "builder"); /* wcow */
    CU_ASSERT_STRING_EQUAL(seen_kinds[2], "network");
    CU_ASSERT_STRING_EQUAL(seen_kinds[3], "devices");
    json_decref(plugins);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

static void test_environment_path_comes_first_and_shadows(void)
{
    char first[] = "/tmp/hcsoci-test-XXXXXX", second[] = "/tmp/hcsoci-test-XXXXXX";
    char first_path[4096];
    snprintf(first_path, sizeof first_path, "%s", copy_module("good_builder", first));
    const char *second_path = copy_module("good_builder", second);
    test_set_environment("HCSOCI_PLUGIN_PATH", first);
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *directories[] = {second, NULL};
    hcsoci_runtime_options options = {.host = host, .plugin_directories = directories,
                                      .skip_installed_directory = true};
    hcsoci_runtime *runtime = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_runtime_new(&options, &runtime, NULL), 0);
    json_t *plugins = hcsoci_runtime_plugins(runtime);
    CU_ASSERT_EQUAL_FATAL(json_array_size(plugins), 1);
    const char *loaded_from = json_string_value(json_object_get(json_array_get(plugins, 0), "path"));
    CU_ASSERT_PTR_NOT_NULL(loaded_from);
    char *first_resolved = portable_resolve_path(first);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first_resolved);
    if (loaded_from != NULL)
        CU_ASSERT_EQUAL(strncmp(loaded_from, first_resolved, strlen(first_resolved)), 0);
    free(first_resolved);
    json_decref(plugins);
    hcsoci_runtime_free(runtime);
    test_unset_environment("HCSOCI_PLUGIN_PATH");
    remove_copy(first_path, first);
    remove_copy(second_path, second);
    hcsoci_host_destroy(host);
}

static void test_create_dispatches_to_chosen_builder(void)
{
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *files[] = {test_module("good_builder"), NULL};
    hcsoci_runtime *runtime = NULL;
    CU_ASSERT_EQUAL_FATAL(runtime_from_files(host, files, &runtime, NULL), 0);
    json_t *spec = test_json("{\"windows\": {\"layerFolders\": [\"C:\\\\a\", \"C:\\\\b\"]}}");
    hcsoci_create_options options = {.id = "c1", .spec = spec};
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_create_container(runtime, &options, &container, &resources, NULL), 0);
    CU_ASSERT_STRING_EQUAL(built_by(container->document), "good_builder");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(container->document, "Owner")), "hcsoci");
    const json_t *journal = hcsoci_sim_host_journal(host);
    CU_ASSERT_EQUAL_FATAL(json_array_size(journal), 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(journal, 0), "call")),
                           "HcsCreateComputeSystem");
    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    json_decref(spec);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

static void test_failed_create_reads_like_the_reference(void)
{
    hcsoci_host *host = test_sim_host(
        "{\"failCall\": {\"call\": \"HcsCreateComputeSystem\", \"nth\": 1}}");
    const char *files[] = {test_module("good_builder"), NULL};
    hcsoci_runtime *runtime = NULL;
    CU_ASSERT_EQUAL_FATAL(runtime_from_files(host, files, &runtime, NULL), 0);
    json_t *spec = test_json("{\"windows\": {}}");
    hcsoci_create_options options = {.id = "c1", .owner = "a&b<c>", .spec = spec};
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &options, &container, &resources, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_ACCESS_DENIED);
    /* The refused document is shown as Go marshals it: &, < and > escaped. */
    CU_ASSERT_STRING_EQUAL(error->message,
                           "hcsshim::CreateComputeSystem c1: Access is denied.\n(extra info: "
                           "{\"SchemaVersion\":{\"Major\":2,\"Minor\":1},"
                           "\"Owner\":\"a\\u0026b\\u003cc\\u003e\","
                           "\"Container\":{\"GuestOs\":{\"HostName\":\"good_builder\"}}})");
    hcsoci_error_free(error);
    hcsoci_resources_free(resources);
    json_decref(spec);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

static void test_builder_validates_before_any_host_call(void)
{
    hcsoci_host *host = test_sim_host("{\"hnsNewNamespaceIds\": [\"ns-1\"]}");
    hcsoci_runtime *runtime = test_runtime(host);
    hcsoci_uvm_properties properties = {.id = "uvm-1", .owner = "o", .os = HCSOCI_UVM_LINUX,
                                        .processor_count = 2, .scsi_controller_count = 1};
    hcsoci_uvm *uvm = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_new(host, &properties, &uvm, NULL), 0);
    /* Networking would come first; the LCOW builder's type check must stop it. */
    json_t *spec = test_json("{\"linux\": {}, \"process\": {\"user\": {\"uid\": -1}},"
                             " \"windows\": {\"network\": {}}}");
    hcsoci_create_options options = {.id = "c1", .spec = spec, .hosting_system = uvm};
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &options, &container, &resources, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "process.user.uid");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    hcsoci_resources_free(resources);
    json_decref(spec);
    hcsoci_uvm_free(uvm);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

/* What one create with a single test module left: its document's copy (or NULL), how often
 * reading_builder's reading was released, and how many host calls were made. */
typedef struct create_outcome {
    json_t *document;
    size_t releases;
    size_t host_calls;
} create_outcome;

/* Creates c1 from spec_text with the module alone; returns the create's status. */
static int create_with_module(const char *module, const char *spec_text, create_outcome *outcome,
                              hcsoci_error **error)
{
    hcsoci_host *host = test_sim_host(minimal_world);
    const char *files[] = {test_module(module), NULL};
    hcsoci_runtime *runtime = NULL;
    CU_ASSERT_EQUAL_FATAL(runtime_from_files(host, files, &runtime, NULL), 0);
    json_t *spec = test_json(spec_text);
    hcsoci_create_options options = {.id = "c1", .spec = spec};
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    test_log_capture_begin(HCSOCI_LOG_WARN);
    int status = hcsoci_create_container(runtime, &options, &container, &resources, error);
    json_t *logs = test_log_capture_end();
    outcome->releases = test_count_logs(logs, "reading_builder: reading released");
    outcome->document = container != NULL ? json_incref(container->document) : NULL;
    outcome->host_calls = json_array_size(hcsoci_sim_host_journal(host));
    json_decref(logs);
    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    json_decref(spec);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
    return status;
}

static void test_read_spec_reaches_build_and_is_released_once(void)
{
    create_outcome outcome;
    CU_ASSERT_EQUAL(create_with_module("reading_builder",
                                       "{\"hostname\": \"read-once\", \"windows\": {}}",
                                       &outcome, NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(built_by(outcome.document),
                           "read-once");
    CU_ASSERT_EQUAL(outcome.releases, 1);
    json_decref(outcome.document);

    /* Networking fails (no network module): build never runs, the reading is released. */
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(create_with_module("reading_builder",
                                       "{\"hostname\": \"h\", \"windows\": {\"network\": {}}}",
                                       &outcome, &error),
                    -1);
    CU_ASSERT_PTR_NULL(outcome.document);
    CU_ASSERT_EQUAL(outcome.releases, 1);
    CU_ASSERT_PTR_NOT_NULL(error);
    hcsoci_error_free(error);

    /* read_spec refusing the spec stops the create; it made nothing to release. */
    error = NULL;
    CU_ASSERT_EQUAL(create_with_module("reading_builder", "{\"windows\": {}}", &outcome, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "reading_builder: the spec has no hostname");
    CU_ASSERT_EQUAL(outcome.releases, 0);

    /* read_spec failing after it made its reading: the core still releases it. */
    error = NULL;
    CU_ASSERT_EQUAL(create_with_module("reading_builder",
                                       "{\"hostname\": \"fail-after-reading\", \"windows\": {}}",
                                       &outcome, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "reading_builder: failing after reading");
    CU_ASSERT_EQUAL(outcome.releases, 1);
}

static void test_refuses_read_spec_without_release(void)
{
    expect_refused("reading_without_release", "'read_spec' needs 'release_reading'");
}

/* A module built against ABI 1.0 (no read_spec in its ops table) still loads, and the core
 * still calls its validate. */
static void test_abi_1_0_builder_is_validated(void)
{
    create_outcome outcome;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(create_with_module("abi_1_0_builder",
                                       "{\"hostname\": \"bad\", \"windows\": {}}", &outcome,
                                       &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "abi_1_0_builder: hostname 'bad' refused");
    CU_ASSERT_EQUAL(outcome.host_calls, 0);
    /* An acceptable spec passes its validate and is built. */
    CU_ASSERT_EQUAL(create_with_module("abi_1_0_builder",
                                       "{\"hostname\": \"good\", \"windows\": {}}", &outcome,
                                       NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(built_by(outcome.document),
                           "abi_1_0_builder");
    json_decref(outcome.document);
}

int main(void)
{
    static const test_entry tests[] = {
        {"refuses another ABI major", test_refuses_other_major},
        {"refuses a newer ABI minor", test_refuses_newer_minor},
        {"refuses a module without descriptor", test_refuses_missing_descriptor},
        {"refuses an unknown kind", test_refuses_unknown_kind},
        {"refuses an ops table without required ops", test_refuses_short_ops_table},
        {"refuses a group-writable module file", test_refuses_group_writable_file},
        {"refuses a world-writable module directory", test_refuses_world_writable_directory},
        {"refuses a module owned by another user", test_refuses_module_owned_by_another_user},
        {"refuses a file that is not a module", test_refuses_a_file_that_is_not_a_module},
        {"a named directory that is missing is an error", test_missing_named_directory_is_an_error},
        {"equal priorities for one key conflict", test_equal_priorities_conflict},
        {"modules stay loaded after the runtime", test_modules_stay_loaded_after_the_runtime},
        {"no match names the key", test_no_match_names_the_key},
        {"a higher priority overrides a built-in", test_higher_priority_overrides_builtin},
        {"built-in modules are listed", test_builtins_are_listed},
        {"HCSOCI_PLUGIN_PATH comes first and shadows", test_environment_path_comes_first_and_shadows},
        {"create dispatches to the chosen builder", test_create_dispatches_to_chosen_builder},
        {"a failed create reads like the reference", test_failed_create_reads_like_the_reference},
        {"the builder validates before any host call", test_builder_validates_before_any_host_call},
        {"read_spec reaches build and is released once",
         test_read_spec_reaches_build_and_is_released_once},
        {"refuses read_spec without release_reading", test_refuses_read_spec_without_release},
        {"an ABI 1.0 builder is validated", test_abi_1_0_builder_is_validated},
        {NULL, NULL},
    };
    return test_run_suite("loader", tests);
}
