/* Module loading with libltdl. Modules are only ever opened by absolute path, so libltdl never
 * searches the current directory; every refusal names the file and the reason. */
#include "plugin_loader.h"

#include <hcsoci/alloc.h>

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "portable.h"

/* libltdl keeps global state and is not thread-safe. */
static pthread_mutex_t ltdl_lock = PTHREAD_MUTEX_INITIALIZER;

const char *plugin_kind_name(uint32_t kind)
{
    switch (kind) {
    case HCSOCI_PLUGIN_BUILDER: return "builder";
    case HCSOCI_PLUGIN_NETWORK: return "network";
    case HCSOCI_PLUGIN_DEVICES: return "devices";
    }
    return "unknown";
}

static int refuse(hcsoci_error **error, const char *path, const char *reason)
{
    return hcsoci_fail(error, HCSOCI_E_PLUGIN, "refusing module %s: %s", path, reason);
}

/* Refuses a module when path (the file, or its directory) is owned by another user or writable
 * by others (portable_check_writers). */
static int check_owner_and_writers(const char *path, const char *what, const char *module_path,
                                   hcsoci_error **error)
{
    char *reason = NULL;
    int verdict = portable_check_writers(path, PORTABLE_OWNER_CALLER_OR_ADMINISTRATOR, &reason);
    if (verdict < 0)
        return hcsoci_fail(error, HCSOCI_E_PLUGIN, "refusing module %s: cannot stat %s: %s",
                           module_path, path, strerror(errno));
    if (verdict > 0) {
        hcsoci_fail(error, HCSOCI_E_PLUGIN, "refusing module %s: %s %s %s", module_path, what,
                    path, reason != NULL ? reason : "may be changed by others");
        free(reason);
        return -1;
    }
    return 0;
}

int plugin_check_permissions(const char *path, hcsoci_error **error)
{
    struct stat status;
    if (stat(path, &status) != 0)
        return hcsoci_fail(error, HCSOCI_E_PLUGIN, "refusing module %s: %s", path,
                           strerror(errno));
    if (!S_ISREG(status.st_mode))
        return refuse(error, path, "not a regular file");
    if (check_owner_and_writers(path, "file", path, error) != 0)
        return -1;
    char *directory = portable_parent_directory(path);
    if (directory == NULL)
        return hcsoci_fail_out_of_memory(error);
    int status_code = check_owner_and_writers(directory, "directory", path, error);
    free(directory);
    return status_code;
}

/* Size of the ops table a module of this kind must at least provide, and whether every op the
 * kind requires is present. */
static size_t minimum_ops_size(uint32_t kind)
{
    switch (kind) {
    case HCSOCI_PLUGIN_BUILDER: return offsetof(hcsoci_builder_ops, build) + sizeof(void *);
    case HCSOCI_PLUGIN_NETWORK: return offsetof(hcsoci_network_ops, release) + sizeof(void *);
    case HCSOCI_PLUGIN_DEVICES:
        return offsetof(hcsoci_devices_ops, assign_linux_devices) + sizeof(void *);
    }
    return SIZE_MAX;
}

static size_t full_ops_size(uint32_t kind)
{
    switch (kind) {
    case HCSOCI_PLUGIN_BUILDER: return sizeof(hcsoci_builder_ops);
    case HCSOCI_PLUGIN_NETWORK: return sizeof(hcsoci_network_ops);
    case HCSOCI_PLUGIN_DEVICES: return sizeof(hcsoci_devices_ops);
    }
    return 0;
}

int plugin_check_descriptor(const hcsoci_plugin_descriptor *descriptor, const char *path,
                            hcsoci_error **error)
{
    if (descriptor->abi_major != HCSOCI_PLUGIN_ABI_MAJOR)
        return hcsoci_fail(error, HCSOCI_E_PLUGIN,
                           "refusing module %s: built for plugin ABI %u.%u, this core speaks ABI "
                           "%u.%u (the major version differs)",
                           path, descriptor->abi_major, descriptor->abi_minor,
                           HCSOCI_PLUGIN_ABI_MAJOR, HCSOCI_PLUGIN_ABI_MINOR);
    if (descriptor->abi_minor > HCSOCI_PLUGIN_ABI_MINOR)
        return hcsoci_fail(error, HCSOCI_E_PLUGIN,
                           "refusing module %s: built for plugin ABI %u.%u, newer than this core's "
                           "%u.%u",
                           path, descriptor->abi_major, descriptor->abi_minor,
                           HCSOCI_PLUGIN_ABI_MAJOR, HCSOCI_PLUGIN_ABI_MINOR);
    if (descriptor->descriptor_size < sizeof(hcsoci_plugin_descriptor))
        return hcsoci_fail(error, HCSOCI_E_PLUGIN,
                           "refusing module %s: descriptor size %u is smaller than the %zu bytes "
                           "of ABI %u.0",
                           path, descriptor->descriptor_size, sizeof(hcsoci_plugin_descriptor),
                           HCSOCI_PLUGIN_ABI_MAJOR);
    if (minimum_ops_size(descriptor->kind) == SIZE_MAX)
        return hcsoci_fail(error, HCSOCI_E_PLUGIN, "refusing module %s: unknown module kind %u",
                           path, descriptor->kind);
    if (descriptor->name == NULL || descriptor->name[0] == '\0')
        return refuse(error, path, "the descriptor has no name");
    if (descriptor->version == NULL)
        return refuse(error, path, "the descriptor has no version");
    if (descriptor->ops == NULL)
        return refuse(error, path, "the descriptor has no ops table");
    if (descriptor->ops_size < minimum_ops_size(descriptor->kind))
        return hcsoci_fail(error, HCSOCI_E_PLUGIN,
                           "refusing module %s: its %s ops table (%u bytes) lacks required ops "
                           "(needs at least %zu bytes)",
                           path, plugin_kind_name(descriptor->kind), descriptor->ops_size,
                           minimum_ops_size(descriptor->kind));
    if (descriptor->kind == HCSOCI_PLUGIN_BUILDER) {
        if (descriptor->match == NULL)
            return refuse(error, path, "a builder needs a match function");
        const hcsoci_builder_ops *ops = descriptor->ops;
        if (ops->build == NULL)
            return refuse(error, path, "the builder op 'build' is missing");
        size_t reading_ops_end = offsetof(hcsoci_builder_ops, release_reading) + sizeof(void *);
        if (descriptor->abi_minor >= 1 && descriptor->ops_size >= reading_ops_end &&
            ops->read_spec != NULL && ops->release_reading == NULL)
            return refuse(error, path, "the builder op 'read_spec' needs 'release_reading'");
    } else if (descriptor->kind == HCSOCI_PLUGIN_NETWORK) {
        const hcsoci_network_ops *ops = descriptor->ops;
        if (ops->create_namespace == NULL || ops->namespace_endpoints == NULL ||
            ops->release == NULL)
            return refuse(error, path, "a network op (create_namespace, namespace_endpoints or "
                                       "release) is missing");
    } else {
        const hcsoci_devices_ops *ops = descriptor->ops;
        if (ops->assign_windows_devices == NULL || ops->assign_linux_devices == NULL)
            return refuse(error, path, "a devices op (assign_windows_devices or "
                                       "assign_linux_devices) is missing");
    }
    return 0;
}

int plugin_load(const char *path, loaded_module *module, hcsoci_error **error)
{
    memset(module, 0, sizeof *module);
    if (!portable_path_is_absolute(path))
        return refuse(error, path, "module paths must be absolute");
    if (plugin_check_permissions(path, error) != 0)
        return -1;

    pthread_mutex_lock(&ltdl_lock);
    lt_dladvise advise;
    lt_dlhandle handle = NULL;
    const char *load_error = NULL;
    if (lt_dlinit() != 0) {
        load_error = lt_dlerror();
        pthread_mutex_unlock(&ltdl_lock);
        return hcsoci_fail(error, HCSOCI_E_PLUGIN, "cannot initialise libltdl: %s",
                           load_error != NULL ? load_error : "unknown error");
    }
    if (lt_dladvise_init(&advise) == 0) {
        lt_dladvise_local(&advise);
        handle = lt_dlopenadvise(path, advise);
        lt_dladvise_destroy(&advise);
    }
    if (handle == NULL) {
        load_error = lt_dlerror();
        /* libltdl reports any file it cannot open as a module as "file not found": the magic
         * number tells a file that is no shared object at all. */
        bool has_magic = portable_has_shared_object_magic(path);
        int status = hcsoci_fail(error, HCSOCI_E_PLUGIN,
                                 "refusing module %s: it is not a loadable module%s%s "
                                 "(libltdl: %s)",
                                 path, has_magic ? "" : ", not ",
                                 has_magic ? "" : portable_shared_object_format(),
                                 load_error != NULL ? load_error : "unknown error");
        lt_dlexit();
        pthread_mutex_unlock(&ltdl_lock);
        return status;
    }
    const hcsoci_plugin_descriptor *descriptor =
        lt_dlsym(handle, HCSOCI_PLUGIN_DESCRIPTOR_SYMBOL);
    pthread_mutex_unlock(&ltdl_lock);

    int status = 0;
    if (descriptor == NULL)
        status = refuse(error, path, "it exports no " HCSOCI_PLUGIN_DESCRIPTOR_SYMBOL
                                     " descriptor (with or without the <module>_LTX_ prefix)");
    else
        status = plugin_check_descriptor(descriptor, path, error);
    if (status == 0) {
        module->path = hcsoci_strdup(path);
        if (module->path == NULL)
            status = hcsoci_fail_out_of_memory(error);
    }
    if (status != 0) {
        pthread_mutex_lock(&ltdl_lock);
        lt_dlclose(handle);
        lt_dlexit();
        pthread_mutex_unlock(&ltdl_lock);
        return -1;
    }
    module->handle = handle;
    module->descriptor = descriptor;
    size_t copy_size = descriptor->ops_size < full_ops_size(descriptor->kind)
                           ? descriptor->ops_size
                           : full_ops_size(descriptor->kind);
    memcpy(&module->ops, descriptor->ops, copy_size);
    return 0;
}

void plugin_unload(loaded_module *module)
{
    if (module->handle != NULL) {
        pthread_mutex_lock(&ltdl_lock);
        lt_dlclose(module->handle);
        lt_dlexit();
        pthread_mutex_unlock(&ltdl_lock);
    }
    free(module->path);
    memset(module, 0, sizeof *module);
}

void plugin_leave_loaded(loaded_module *module)
{
    free(module->path);
    memset(module, 0, sizeof *module);
}
