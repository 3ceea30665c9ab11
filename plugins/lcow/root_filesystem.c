/* The container's root file system in its Linux utility VM: image layers mounted through the
 * core's layer service, or a host directory shared with Plan 9 (see allocate.h). */
#include "allocate.h"

#include <stdbool.h>
#include <stdlib.h>

#include <hcsoci/layers.h>
#include <hcsoci/resources.h>
#include <hcsoci/uvm.h>

#include "paths.h"

/* spec.root, made an empty root (path "") when the spec has none, as the reference does. */
static json_t *root_of(json_t *spec, hcsoci_error **error)
{
    json_t *root = json_object_get(spec, "root");
    if (json_is_object(root))
        return root;
    root = json_pack("{s:s}", "path", "");
    if (root == NULL || json_object_set_new(spec, "root", root) != 0) {
        hcsoci_fail_out_of_memory(error);
        return NULL;
    }
    return root;
}

static int set_root_path(json_t *root, const char *path, hcsoci_error **error)
{
    if (json_object_set_new(root, "path", json_string(path)) != 0)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

/* Mounts the layers into the VM and records them in the ledger. */
static int mount_layers(hcsoci_build_context *context, json_t *root, const json_t *layer_folders,
                        hcsoci_error **error)
{
    const char *container_root = hcsoci_resources_container_root_in_uvm(context->resources);
    char *rootfs = NULL;
    if (hcsoci_layers_mount_recorded(context->host, context->hosting_system, layer_folders,
                                     container_root, context->resources, &rootfs, error) != 0) {
        hcsoci_error_prefix(error != NULL ? *error : NULL, "failed to mount container storage: ");
        return -1;
    }
    int status = set_root_path(root, rootfs, error);
    free(rootfs);
    return status;
}

/* Shares the host directory root.path at <container root>/rootfs. host_path is borrowed from
 * root and used only before root.path is replaced. */
static int share_root_directory(hcsoci_build_context *context, json_t *root, const char *host_path,
                                hcsoci_error **error)
{
    const char *container_root = hcsoci_resources_container_root_in_uvm(context->resources);
    char *rootfs = lcow_guest_path_join(container_root, "rootfs");
    if (rootfs == NULL)
        return hcsoci_fail_out_of_memory(error);
    bool read_only = json_is_true(json_object_get(root, "readonly"));
    int status = hcsoci_uvm_add_plan9(context->hosting_system, host_path, rootfs, read_only, false,
                                      NULL, NULL, context->resources, error);
    if (status != 0)
        hcsoci_error_prefix(error != NULL ? *error : NULL, "adding plan9 root: ");
    else
        status = set_root_path(root, rootfs, error);
    free(rootfs);
    return status;
}

int lcow_allocate_root(hcsoci_build_context *context, hcsoci_error **error)
{
    json_t *root = root_of(context->spec, error);
    if (root == NULL)
        return -1;
    const json_t *windows = json_object_get(context->spec, "windows");
    const json_t *layer_folders = json_object_get(windows, "layerFolders");
    if (json_array_size(layer_folders) > 0)
        return mount_layers(context, root, layer_folders, error);

    const char *host_path = json_string_value(json_object_get(root, "path"));
    if (host_path != NULL && host_path[0] != '\0')
        return share_root_directory(context, root, host_path, error);
    return hcsoci_fail(error, HCSOCI_E_INVALID,
                       "must provide either Windows.LayerFolders or Root.Path");
}
