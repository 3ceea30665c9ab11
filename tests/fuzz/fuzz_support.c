/* The helpers the fuzz targets share (fuzz_support.h): tree paths, module pinning, the switch
 * host and the shared runtime, input decoding and the checks that report a finding. */
#include "fuzz_support.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HCSOCI_FUZZ_SRCDIR
#define HCSOCI_FUZZ_SRCDIR "."
#endif
#ifndef HCSOCI_FUZZ_BUILDDIR
#define HCSOCI_FUZZ_BUILDDIR "."
#endif

static const char *const built_in_modules[] = {"wcow", "lcow", "network", "devices"};
enum { BUILT_IN_MODULE_COUNT = sizeof built_in_modules / sizeof built_in_modules[0] };

static const char *tree_root(const char *variable, const char *built_from)
{
    const char *root = getenv(variable);
    return root != NULL && root[0] != '\0' ? root : built_from;
}

const char *fuzz_source_path(const char *relative)
{
    static char ring[8][4096];
    static unsigned next;
    char *buffer = ring[next++ % 8];
    snprintf(buffer, sizeof ring[0], "%s/%s", tree_root("HCSOCI_TEST_SRCDIR", HCSOCI_FUZZ_SRCDIR),
             relative);
    return buffer;
}

json_t *fuzz_load_source_json(const char *relative)
{
    json_error_t parse_error;
    const char *path = fuzz_source_path(relative);
    json_t *value = json_load_file(path, 0, &parse_error);
    if (value == NULL) {
        fprintf(stderr, "fuzz: cannot read %s: %s\n", path, parse_error.text);
        exit(1);
    }
    return value;
}

/* The module directories of the build tree: plugins/<name>/.libs, NULL-terminated. */
static const char *const *module_directories(void)
{
    static char directories[BUILT_IN_MODULE_COUNT][4096];
    static const char *list[BUILT_IN_MODULE_COUNT + 1];
    const char *root = tree_root("HCSOCI_TEST_BUILDDIR", HCSOCI_FUZZ_BUILDDIR);
    for (size_t i = 0; i < BUILT_IN_MODULE_COUNT; i++) {
        snprintf(directories[i], sizeof directories[i], "%s/plugins/%s/.libs", root,
                 built_in_modules[i]);
        list[i] = directories[i];
    }
    list[BUILT_IN_MODULE_COUNT] = NULL;
    return list;
}

void fuzz_pin_modules(void)
{
    static bool pinned;
    if (pinned)
        return;
    pinned = true;
    const char *const *directories = module_directories();
    for (size_t i = 0; i < BUILT_IN_MODULE_COUNT; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.so", directories[i], built_in_modules[i]);
        /* The handle is kept for ever on purpose: the module stays loaded (and, with
         * RTLD_NODELETE, mapped) after every runtime that loads it again has let it go. */
        if (dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) == NULL) {
            fprintf(stderr, "fuzz: cannot load %s: %s\n", path, dlerror());
            exit(1);
        }
    }
}

hcsoci_runtime_options fuzz_runtime_options(hcsoci_host *host)
{
    hcsoci_runtime_options options = {.host = host,
                                      .plugin_directories = module_directories(),
                                      .skip_environment = true,
                                      .skip_installed_directory = true,
                                      .program_name = "hcsoci-fuzz"};
    return options;
}

/* ---- the switch host ---- */

typedef struct switch_host {
    hcsoci_host base;
    hcsoci_host *target;
} switch_host;

static hcsoci_host *target_of(hcsoci_host *host)
{
    hcsoci_host *target = ((switch_host *)host)->target;
    if (target == NULL) {
        fprintf(stderr, "fuzz: the switch host has no target host\n");
        abort();
    }
    return target;
}

static int forward_create_compute_system(hcsoci_host *host, const char *id,
                                         const json_t *configuration, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->create_compute_system(target, id, configuration, error);
}

static int forward_modify_compute_system(hcsoci_host *host, const char *id,
                                         const json_t *configuration, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->modify_compute_system(target, id, configuration, error);
}

static int forward_modify_service_settings(hcsoci_host *host, const json_t *settings,
                                           hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->modify_service_settings(target, settings, error);
}

static int forward_get_service_properties(hcsoci_host *host, const json_t *property_query,
                                          json_t **properties, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->get_service_properties(target, property_query, properties, error);
}

static int forward_grant_vm_access(hcsoci_host *host, const char *vm_id, const char *file_path,
                                   hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->grant_vm_access(target, vm_id, file_path, error);
}

static int forward_run_guest_process(hcsoci_host *host, const char *vm_id,
                                     const char *command_line, char **output,
                                     hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->run_guest_process(target, vm_id, command_line, output, error);
}

static int forward_hns_call(hcsoci_host *host, const char *method, const char *path,
                            const json_t *request, json_t **response, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->hns_call(target, method, path, request, response, error);
}

static int forward_name_to_guid(hcsoci_host *host, const char *name, char **guid,
                                hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->name_to_guid(target, name, guid, error);
}

static int forward_activate_layer(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->activate_layer(target, path, error);
}

static int forward_prepare_layer(hcsoci_host *host, const char *path, const json_t *descriptors,
                                 hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->prepare_layer(target, path, descriptors, error);
}

static int forward_get_layer_mount_path(hcsoci_host *host, const char *path, char **mount_path,
                                        hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->get_layer_mount_path(target, path, mount_path, error);
}

static int forward_unprepare_layer(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->unprepare_layer(target, path, error);
}

static int forward_deactivate_layer(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->deactivate_layer(target, path, error);
}

static int forward_create_sandbox_layer(hcsoci_host *host, const char *path,
                                        const json_t *descriptors, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->create_sandbox_layer(target, path, descriptors, error);
}

static hcsoci_path_kind forward_stat_path(hcsoci_host *host, const char *path, uint64_t *size)
{
    hcsoci_host *target = target_of(host);
    return target->ops->stat_path(target, path, size);
}

static int forward_make_directory(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->make_directory(target, path, error);
}

static uint32_t forward_os_build(hcsoci_host *host)
{
    hcsoci_host *target = target_of(host);
    return target->ops->os_build(target);
}

static uint32_t forward_processor_count(hcsoci_host *host)
{
    hcsoci_host *target = target_of(host);
    return target->ops->processor_count(target);
}

static const char *forward_program_directory(hcsoci_host *host)
{
    hcsoci_host *target = target_of(host);
    return target->ops->program_directory(target);
}

static void forward_new_guid(hcsoci_host *host, char guid[37])
{
    hcsoci_host *target = target_of(host);
    target->ops->new_guid(target, guid);
}

static void switch_host_destroy(hcsoci_host *host)
{
    free(host);
}

static int forward_start_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->start_compute_system(target, id, error);
}

static int forward_terminate_compute_system(hcsoci_host *host, const char *id,
                                            hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->terminate_compute_system(target, id, error);
}

static int forward_close_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    hcsoci_host *target = target_of(host);
    return target->ops->close_compute_system(target, id, error);
}

static const hcsoci_host_ops switch_host_ops = {
    .size = sizeof(hcsoci_host_ops),
    .create_compute_system = forward_create_compute_system,
    .modify_compute_system = forward_modify_compute_system,
    .modify_service_settings = forward_modify_service_settings,
    .get_service_properties = forward_get_service_properties,
    .grant_vm_access = forward_grant_vm_access,
    .run_guest_process = forward_run_guest_process,
    .hns_call = forward_hns_call,
    .name_to_guid = forward_name_to_guid,
    .activate_layer = forward_activate_layer,
    .prepare_layer = forward_prepare_layer,
    .get_layer_mount_path = forward_get_layer_mount_path,
    .unprepare_layer = forward_unprepare_layer,
    .deactivate_layer = forward_deactivate_layer,
    .create_sandbox_layer = forward_create_sandbox_layer,
    .stat_path = forward_stat_path,
    .make_directory = forward_make_directory,
    .os_build = forward_os_build,
    .processor_count = forward_processor_count,
    .program_directory = forward_program_directory,
    .new_guid = forward_new_guid,
    .destroy = switch_host_destroy,
    .start_compute_system = forward_start_compute_system,
    .terminate_compute_system = forward_terminate_compute_system,
    .close_compute_system = forward_close_compute_system,
};

hcsoci_host *fuzz_switch_host_new(void)
{
    switch_host *host = calloc(1, sizeof *host);
    if (host == NULL) {
        fprintf(stderr, "fuzz: out of memory\n");
        exit(1);
    }
    host->base.ops = &switch_host_ops;
    return &host->base;
}

void fuzz_switch_host_set(hcsoci_host *host, hcsoci_host *target)
{
    ((switch_host *)host)->target = target;
}

/* ---- the shared runtime ---- */

static hcsoci_host *shared_switch_host;
static hcsoci_runtime *shared_runtime;

static void make_shared_runtime(void)
{
    if (shared_runtime != NULL)
        return;
    fuzz_pin_modules();
    shared_switch_host = fuzz_switch_host_new();
    hcsoci_runtime_options options = fuzz_runtime_options(shared_switch_host);
    hcsoci_error *error = NULL;
    if (hcsoci_runtime_new(&options, &shared_runtime, &error) != 0) {
        fprintf(stderr, "fuzz: cannot load the modules: %s\n",
                error != NULL ? error->message : "failed");
        exit(1);
    }
}

hcsoci_runtime *fuzz_shared_runtime(void)
{
    make_shared_runtime();
    return shared_runtime;
}

hcsoci_host *fuzz_shared_switch_host(void)
{
    make_shared_runtime();
    return shared_switch_host;
}

/* ---- the corpus's world ---- */

/* The case whose world gives the scalars (build, processor count, mount path, program
 * directory) of the merged world. */
#define BASE_WORLD_CASE "tests/conformance/cases/001-argon-v2-basic.json"

/* Adds the members of source's object member name to target's (first one wins). */
static void merge_object_member(json_t *target, const json_t *source, const char *name)
{
    json_t *into = json_object_get(target, name);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)json_object_get(source, name), key, value) {
        if (json_object_get(into, key) == NULL)
            json_object_set(into, key, value);
    }
}

/* Appends the elements of source's array member name to target's; with id_member, an element
 * whose id_member is already there is skipped, without, an equal element is. */
static void merge_array_member(json_t *target, const json_t *source, const char *name,
                               const char *id_member)
{
    json_t *into = json_object_get(target, name);
    size_t index;
    json_t *element;
    json_array_foreach(json_object_get(source, name), index, element) {
        bool present = false;
        size_t existing_index;
        json_t *existing;
        json_array_foreach(into, existing_index, existing) {
            present = present ||
                      (id_member != NULL
                           ? json_equal(json_object_get(existing, id_member),
                                        json_object_get(element, id_member))
                           : json_equal(existing, element));
        }
        if (!present)
            json_array_append(into, element);
    }
}

/* The merged world of every conformance case without a failCall. */
json_t *fuzz_merged_corpus_world(void)
{
    json_t *base_case = fuzz_load_source_json(BASE_WORLD_CASE);
    json_t *world = json_deep_copy(json_object_get(base_case, "host"));
    json_decref(base_case);
    const char *cases_directory = fuzz_source_path("tests/conformance/cases");
    DIR *listing = opendir(cases_directory);
    if (world == NULL || listing == NULL) {
        fprintf(stderr, "fuzz: cannot read the conformance cases in %s\n", cases_directory);
        exit(1);
    }
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length < 5 || strcmp(entry->d_name + length - 5, ".json") != 0)
            continue;
        char relative[512];
        snprintf(relative, sizeof relative, "tests/conformance/cases/%s", entry->d_name);
        json_t *test_case = fuzz_load_source_json(relative);
        const json_t *host = json_object_get(test_case, "host");
        const json_t *fail_call = json_object_get(host, "failCall");
        if (fail_call == NULL || json_is_null(fail_call)) {
            merge_object_member(world, host, "files");
            merge_object_member(world, host, "layerIds");
            merge_object_member(world, host, "hnsNamespaces");
            merge_array_member(world, host, "hnsEndpoints", "ID");
            merge_array_member(world, host, "hnsNewNamespaceIds", NULL);
        }
        json_decref(test_case);
    }
    closedir(listing);
    return world;
}

/* ---- inputs and findings ---- */

char *fuzz_input_text(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size) != NULL)
        return NULL;
    char *text = malloc(size + 1);
    if (text == NULL)
        return NULL;
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

void fuzz_expect_same_json(const json_t *saved, const json_t *saved_again, const char *what)
{
    if (json_equal(saved, saved_again))
        return;
    char *text = json_dumps(saved, JSON_COMPACT | JSON_SORT_KEYS);
    char *text_again = json_dumps(saved_again, JSON_COMPACT | JSON_SORT_KEYS);
    fprintf(stderr, "fuzz: saved: %s\nfuzz: again: %s\n", text != NULL ? text : "?",
            text_again != NULL ? text_again : "?");
    free(text);
    free(text_again);
    fuzz_finding(what, NULL);
}

json_t *fuzz_parse_json(const uint8_t *data, size_t size)
{
    char *text = fuzz_input_text(data, size);
    if (text == NULL)
        return NULL;
    json_error_t parse_error;
    json_t *value = json_loads(text, 0, &parse_error);
    free(text);
    return value;
}

void fuzz_finding(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz finding: %s%s%s\n", what, detail != NULL ? ": " : "",
            detail != NULL ? detail : "");
    abort();
}

void fuzz_expect_held(hcsoci_host *sim, const json_t *before, const char *what)
{
    json_t *after = hcsoci_sim_host_held(sim);
    if (after == NULL)
        fuzz_finding(what, "the sim host cannot say what it holds");
    if (!json_equal(before, after)) {
        char *before_text = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
        char *after_text = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(stderr, "fuzz: held before: %s\nfuzz: held after:  %s\n",
                before_text != NULL ? before_text : "?", after_text != NULL ? after_text : "?");
        free(before_text);
        free(after_text);
        fuzz_finding("the host holds something it did not hold before", what);
    }
    json_decref(after);
}

void fuzz_end_compute_system(hcsoci_host *host, const char *id)
{
    hcsoci_error *error = NULL;
    hcsoci_compute_system_terminate(host, id, &error);
    hcsoci_error_free(error);
    error = NULL;
    hcsoci_compute_system_close(host, id, &error);
    hcsoci_error_free(error);
}

long long fuzz_sim_call_count(hcsoci_host *sim, const char *call)
{
    json_t *saved = hcsoci_sim_host_to_json(sim);
    if (saved == NULL)
        fuzz_finding("the sim host cannot save its state", call);
    long long count = (long long)json_integer_value(
        json_object_get(json_object_get(json_object_get(saved, "state"), "callCounts"), call));
    json_decref(saved);
    return count;
}

void fuzz_note_outcome(const char *what, const hcsoci_error *error)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("HCSOCI_FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "fuzz: %s: %s\n", what, error != NULL ? error->message : "ok");
}
