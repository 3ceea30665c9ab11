/* The runtime: module discovery, loading order and dispatch. */
#include "runtime_internal.h"

#include <hcsoci/alloc.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "portable.h"

const char *hcsoci_installed_plugin_directory(void)
{
    return portable_installed_module_directory();
}

hcsoci_host *hcsoci_runtime_host(const hcsoci_runtime *runtime)
{
    return runtime->host;
}

static const loaded_module *module_named(const hcsoci_runtime *runtime, const char *name)
{
    for (size_t i = 0; i < runtime->module_count; i++) {
        if (strcmp(runtime->modules[i].descriptor->name, name) == 0)
            return &runtime->modules[i];
    }
    return NULL;
}

/* Loads one module file into the runtime. A module whose name is already loaded (from a place
 * earlier in the discovery order) is skipped, so that earlier places shadow later ones. */
static int add_module_file(hcsoci_runtime *runtime, const char *path, hcsoci_error **error)
{
    char *absolute = portable_resolve_path(path);
    if (absolute == NULL)
        return hcsoci_fail(error, HCSOCI_E_PLUGIN, "refusing module %s: %s", path,
                           strerror(errno));
    loaded_module module;
    int loaded = plugin_load(absolute, &module, error);
    free(absolute);
    if (loaded != 0)
        return -1;
    const loaded_module *earlier = module_named(runtime, module.descriptor->name);
    if (earlier != NULL) {
        HCSOCI_LOG(HCSOCI_LOG_INFO,
                   json_pack("{s:s,s:s,s:s}", "module", module.descriptor->name, "skipped",
                             module.path, "loaded", earlier->path),
                   "module shadowed by one found earlier");
        plugin_unload(&module);
        return 0;
    }
    loaded_module *grown =
        hcsoci_realloc(runtime->modules, (runtime->module_count + 1) * sizeof *runtime->modules);
    if (grown == NULL) {
        plugin_unload(&module);
        return hcsoci_fail_out_of_memory(error);
    }
    runtime->modules = grown;
    runtime->modules[runtime->module_count++] = module;
    return 0;
}

static int compare_names(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* Loads every *.so in a directory, in name order. A missing directory is an error only when
 * required (one the caller named); the installed directory may be absent. */
static int add_module_directory(hcsoci_runtime *runtime, const char *directory, bool required,
                                hcsoci_error **error)
{
    struct stat status;
    if (stat(directory, &status) != 0) {
        if (!required && errno == ENOENT)
            return 0;
        return hcsoci_fail(error, HCSOCI_E_PLUGIN, "cannot use module directory %s: %s",
                           directory, strerror(errno));
    }
    if (!S_ISDIR(status.st_mode))
        return hcsoci_fail(error, HCSOCI_E_PLUGIN,
                           "cannot use module directory %s: not a directory", directory);
    char *reason = NULL;
    int verdict =
        portable_check_writers(directory, PORTABLE_OWNER_CALLER_OR_ADMINISTRATOR, &reason);
    if (verdict != 0) {
        if (verdict < 0)
            hcsoci_fail(error, HCSOCI_E_PLUGIN, "cannot use module directory %s: %s",
                        directory, strerror(errno));
        else
            hcsoci_fail(error, HCSOCI_E_PLUGIN, "refusing module directory %s: it %s",
                        directory, reason != NULL ? reason : "may be changed by others");
        free(reason);
        return -1;
    }
    DIR *stream = opendir(directory);
    if (stream == NULL)
        return hcsoci_fail(error, HCSOCI_E_PLUGIN, "cannot read module directory %s: %s",
                           directory, strerror(errno));
    char **names = NULL;
    size_t count = 0;
    int result = 0;
    struct dirent *entry;
    const char *suffix = portable_module_suffix();
    size_t suffix_length = strlen(suffix);
    while ((entry = readdir(stream)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (entry->d_name[0] == '.' || length <= suffix_length ||
            strcmp(entry->d_name + length - suffix_length, suffix) != 0)
            continue;
        char **grown = hcsoci_realloc(names, (count + 1) * sizeof *names);
        char *name = hcsoci_strdup(entry->d_name);
        if (grown != NULL)
            names = grown;
        if (grown == NULL || name == NULL) {
            free(name);
            result = hcsoci_fail_out_of_memory(error);
            break;
        }
        names[count++] = name;
    }
    closedir(stream);
    if (result == 0)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        if (result == 0) {
            char *path = hcsoci_asprintf("%s/%s", directory, names[i]);
            result = path == NULL ? hcsoci_fail_out_of_memory(error)
                                  : add_module_file(runtime, path, error);
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return result;
}

/* Loads the directories of a list separated by ':' (';' on Windows); empty elements are
 * skipped. */
static int add_module_path_list(hcsoci_runtime *runtime, const char *list, hcsoci_error **error)
{
    char *copy = hcsoci_strdup(list);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = 0;
    char separator = portable_path_list_separator();
    for (char *directory = copy; directory != NULL && result == 0;) {
        char *next = strchr(directory, separator);
        if (next != NULL)
            *next++ = '\0';
        if (directory[0] != '\0')
            result = add_module_directory(runtime, directory, true, error);
        directory = next;
    }
    free(copy);
    if (result != 0)
        hcsoci_error_prefix(error != NULL ? *error : NULL, "HCSOCI_PLUGIN_PATH: ");
    return result;
}

/* Checks that no two builders claim one key with the same (highest) priority. */
static int check_builder_conflicts(const hcsoci_runtime *runtime, hcsoci_error **error);

/* Frees a runtime. Its modules are unloaded when nothing has used them yet (the runtime was
 * never handed out), else left loaded (plugin_leave_loaded). */
static void free_runtime(hcsoci_runtime *runtime, bool modules_used)
{
    if (runtime == NULL)
        return;
    for (size_t i = 0; i < runtime->module_count; i++) {
        if (modules_used)
            plugin_leave_loaded(&runtime->modules[i]);
        else
            plugin_unload(&runtime->modules[i]);
    }
    free(runtime->modules);
    free(runtime->program_name);
    free(runtime);
}

int hcsoci_runtime_new(const hcsoci_runtime_options *options, hcsoci_runtime **runtime,
                       hcsoci_error **error)
{
    *runtime = NULL;
    if (options == NULL || options->host == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a runtime needs a host");
    hcsoci_runtime *made = hcsoci_calloc(1, sizeof *made);
    if (made == NULL)
        return hcsoci_fail_out_of_memory(error);
    made->host = options->host;
    const char *program = options->program_name;
    if (program == NULL || program[0] == '\0')
        program = portable_program_name();
    made->program_name = hcsoci_strdup(program);
    int result = made->program_name == NULL
                     ? hcsoci_fail_out_of_memory(error)
                     : 0;

    const char *environment = options->skip_environment ? NULL : getenv("HCSOCI_PLUGIN_PATH");
    if (result == 0 && environment != NULL && environment[0] != '\0')
        result = add_module_path_list(made, environment, error);
    for (const char *const *directory = options->plugin_directories;
         result == 0 && directory != NULL && *directory != NULL; directory++)
        result = add_module_directory(made, *directory, true, error);
    for (const char *const *file = options->plugin_files;
         result == 0 && file != NULL && *file != NULL; file++)
        result = add_module_file(made, *file, error);
    if (result == 0 && !options->skip_installed_directory)
        result = add_module_directory(made, portable_installed_module_directory(), false, error);
    if (result == 0)
        result = check_builder_conflicts(made, error);
    if (result != 0) {
        free_runtime(made, false);
        return -1;
    }
    *runtime = made;
    return 0;
}

void hcsoci_runtime_free(hcsoci_runtime *runtime)
{
    free_runtime(runtime, true);
}

static const char *spec_kind_name(hcsoci_spec_kind kind)
{
    return kind == HCSOCI_SPEC_LINUX ? "linux" : "windows";
}

static const char *hosting_kind_name(hcsoci_hosting_kind kind)
{
    switch (kind) {
    case HCSOCI_HOSTING_WINDOWS: return "windows";
    case HCSOCI_HOSTING_LINUX: return "linux";
    default: return "none";
    }
}

void runtime_describe_key(const hcsoci_match_key *key, char *buffer, size_t size)
{
    snprintf(buffer, size, "spec %s, schema %u.%u, hosting system %s",
             spec_kind_name(key->spec_kind), key->schema.major, key->schema.minor,
             hosting_kind_name(key->hosting));
}

const loaded_module *runtime_builder_for(const hcsoci_runtime *runtime,
                                         const hcsoci_match_key *key, hcsoci_error **error)
{
    const loaded_module *best = NULL, *tied = NULL;
    unsigned best_priority = 0;
    for (size_t i = 0; i < runtime->module_count; i++) {
        const loaded_module *module = &runtime->modules[i];
        if (module->descriptor->kind != HCSOCI_PLUGIN_BUILDER)
            continue;
        unsigned priority = module->descriptor->match(key);
        if (priority == 0)
            continue;
        if (priority > best_priority) {
            best = module;
            best_priority = priority;
            tied = NULL;
        } else if (priority == best_priority) {
            tied = module;
        }
    }
    char described[128];
    runtime_describe_key(key, described, sizeof described);
    if (best == NULL) {
        hcsoci_fail(error, HCSOCI_E_PLUGIN, "no plugin for %s", described);
        return NULL;
    }
    if (tied != NULL) {
        hcsoci_fail(error, HCSOCI_E_PLUGIN,
                    "modules %s (%s) and %s (%s) both claim %s with priority %u",
                    best->descriptor->name, best->path, tied->descriptor->name, tied->path,
                    described, best_priority);
        return NULL;
    }
    return best;
}

const char *hcsoci_runtime_builder_name(const hcsoci_runtime *runtime,
                                        const hcsoci_match_key *key, hcsoci_error **error)
{
    if (runtime == NULL || key == NULL) {
        hcsoci_fail(error, HCSOCI_E_INVALID, "a runtime and a match key are required");
        return NULL;
    }
    const loaded_module *module = runtime_builder_for(runtime, key, error);
    return module != NULL ? module->descriptor->name : NULL;
}

const loaded_module *runtime_module_of_kind(const hcsoci_runtime *runtime, hcsoci_plugin_kind kind,
                                            hcsoci_error **error)
{
    for (size_t i = 0; i < runtime->module_count; i++) {
        if (runtime->modules[i].descriptor->kind == (uint32_t)kind)
            return &runtime->modules[i];
    }
    hcsoci_fail(error, HCSOCI_E_PLUGIN, "no plugin for %s", plugin_kind_name(kind));
    return NULL;
}

/* Calls visit for every key a builder could be asked about. */
static const hcsoci_match_key every_key[] = {
#define KEYS_FOR(spec)                                                                         \
    {spec, {1, 0}, HCSOCI_HOSTING_NONE}, {spec, {1, 0}, HCSOCI_HOSTING_WINDOWS},               \
        {spec, {1, 0}, HCSOCI_HOSTING_LINUX}, {spec, {2, 1}, HCSOCI_HOSTING_NONE},             \
        {spec, {2, 1}, HCSOCI_HOSTING_WINDOWS}, {spec, {2, 1}, HCSOCI_HOSTING_LINUX}
    KEYS_FOR(HCSOCI_SPEC_WINDOWS),
    KEYS_FOR(HCSOCI_SPEC_LINUX),
#undef KEYS_FOR
};

static int check_builder_conflicts(const hcsoci_runtime *runtime, hcsoci_error **error)
{
    for (size_t k = 0; k < sizeof every_key / sizeof every_key[0]; k++) {
        hcsoci_error *selection_error = NULL;
        if (runtime_builder_for(runtime, &every_key[k], &selection_error) == NULL &&
            strstr(selection_error->message, "both claim") != NULL)
            return hcsoci_error_store(error, selection_error);
        hcsoci_error_free(selection_error);
    }
    return 0;
}

json_t *hcsoci_runtime_plugins(const hcsoci_runtime *runtime)
{
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < runtime->module_count; i++) {
        const loaded_module *module = &runtime->modules[i];
        const hcsoci_plugin_descriptor *descriptor = module->descriptor;
        json_t *matches = json_array();
        for (size_t k = 0; matches != NULL && descriptor->kind == HCSOCI_PLUGIN_BUILDER &&
                           k < sizeof every_key / sizeof every_key[0];
             k++) {
            unsigned priority = descriptor->match(&every_key[k]);
            if (priority == 0)
                continue;
            char schema[24];
            snprintf(schema, sizeof schema, "%u.%u", every_key[k].schema.major,
                     every_key[k].schema.minor);
            json_array_append_new(
                matches, json_pack("{s:s,s:s,s:s,s:I}", "spec",
                                   spec_kind_name(every_key[k].spec_kind), "schema", schema,
                                   "hostingSystem", hosting_kind_name(every_key[k].hosting),
                                   "priority", (json_int_t)priority));
        }
        char abi[24];
        snprintf(abi, sizeof abi, "%u.%u", descriptor->abi_major, descriptor->abi_minor);
        json_t *item = json_pack(
            "{s:s,s:s,s:s,s:s,s:s,s:s,s:o*}", "name", descriptor->name, "version",
            descriptor->version, "kind", plugin_kind_name(descriptor->kind), "abi", abi, "path",
            module->path, "description",
            descriptor->description != NULL ? descriptor->description : "", "matches", matches);
        if (item == NULL || json_array_append_new(list, item) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}
