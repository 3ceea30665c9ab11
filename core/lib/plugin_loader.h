/* Loading backend modules with libltdl and checking them before use (internal to the core). */
#ifndef HCSOCI_PLUGIN_LOADER_H
#define HCSOCI_PLUGIN_LOADER_H

#include <ltdl.h>
#include <stdbool.h>

#include <hcsoci/plugin.h>

/* One loaded module. The ops are copied into full-size tables so that ops a module built
 * against an older minor does not have read as NULL. */
typedef struct loaded_module {
    lt_dlhandle handle;
    char *path;
    const hcsoci_plugin_descriptor *descriptor;
    union {
        hcsoci_builder_ops builder;
        hcsoci_network_ops network;
        hcsoci_devices_ops devices;
    } ops;
} loaded_module;

/* Checks that a module file, and the directory holding it, are owned by root or the caller
 * and not writable by group or others (on Windows: by no account but the owner, the caller and
 * the administrative ones), and that the file is a regular file. The error names the path and
 * the reason. */
int plugin_check_permissions(const char *path, hcsoci_error **error);

/* Checks a descriptor: ABI major and minor, sizes, kind, name, version and the ops every module
 * of its kind must have. The error names path and the reason. */
int plugin_check_descriptor(const hcsoci_plugin_descriptor *descriptor, const char *path,
                            hcsoci_error **error);

/* Opens an absolute module path, finds and checks its descriptor and fills module. On failure
 * nothing stays loaded. */
int plugin_load(const char *path, loaded_module *module, hcsoci_error **error);

/* Unloads a module loaded by plugin_load and frees its path: for a module that was refused or
 * shadowed, whose code nothing has used. */
void plugin_unload(loaded_module *module);

/* Frees the path of a module a runtime used and forgets it, leaving its code loaded for the
 * rest of the process (libltdl keeps the handle, and hands it out again if the file is loaded
 * once more). Code a runtime used may still be reached after the runtime is gone, from a
 * thread or a callback the module started, and unmapping it would cost a short-lived command
 * more than loading it did. */
void plugin_leave_loaded(loaded_module *module);

/* "builder", "network", "devices" or "unknown". */
const char *plugin_kind_name(uint32_t kind);

#endif
