/* Combined layers: the guest requests that build (and take apart) a container's root file
 * system inside its utility VM. */
#include "uvm_internal.h"

#include <stdlib.h>
#include <string.h>

static int send_combined_layers(hcsoci_uvm *uvm, const char *request_type, json_t *settings,
                                hcsoci_error **error)
{
    json_t *guest_request = settings != NULL
                                ? uvm_guest_request(request_type, "CombinedLayers", settings)
                                : NULL;
    json_t *request = guest_request != NULL ? uvm_request(NULL, NULL, NULL, guest_request) : NULL;
    uvm_lock(uvm);
    int result = uvm_modify_locked(uvm, request, error);
    uvm_unlock(uvm);
    json_decref(request);
    return result;
}

static int record(hcsoci_uvm *uvm, const char *root_path, hcsoci_resources *resources,
                  hcsoci_error **error)
{
    if (uvm_record(resources, uvm_combined_layers_kind.name,
                   json_pack("{s:s}", "containerRootPath", root_path), error) != 0) {
        hcsoci_uvm_remove_combined_layers(uvm, root_path, NULL);
        return -1;
    }
    return 0;
}

int hcsoci_uvm_combine_layers_wcow(hcsoci_uvm *uvm, const json_t *layers,
                                   const char *container_root_path, hcsoci_resources *resources,
                                   hcsoci_error **error)
{
    if (uvm->properties.os != HCSOCI_UVM_WINDOWS)
        return uvm_not_supported(error);
    if (container_root_path == NULL || container_root_path[0] == '\0' || !json_is_array(layers))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "combining layers needs a container root path and an array of layers");
    size_t index;
    json_t *layer;
    json_array_foreach(layers, index, layer) {
        if (!json_is_object(layer))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid layer %zu to combine: must be an object, not %s", index,
                               json_is_null(layer) ? "null" : "another kind of value");
    }
    json_t *settings = json_pack("{s:s}", "ContainerRootPath", container_root_path);
    if (settings != NULL && json_array_size(layers) > 0 &&
        json_object_set_new(settings, "Layers", hcsoci_json_copy(layers)) != 0) {
        json_decref(settings);
        settings = NULL;
    }
    if (send_combined_layers(uvm, "Add", settings, error) != 0)
        return -1;
    return record(uvm, container_root_path, resources, error);
}

int hcsoci_uvm_combine_layers_lcow(hcsoci_uvm *uvm, const json_t *layer_paths,
                                   const char *scratch_path, const char *rootfs_path,
                                   hcsoci_resources *resources, hcsoci_error **error)
{
    if (uvm->properties.os != HCSOCI_UVM_LINUX)
        return uvm_not_supported(error);
    if (rootfs_path == NULL || rootfs_path[0] == '\0' || !json_is_array(layer_paths))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "combining layers needs a root file system path and an array of paths");
    json_t *layers = json_array();
    size_t index;
    json_t *path;
    json_array_foreach(layer_paths, index, path) {
        if (!json_is_string(path)) {
            json_decref(layers);
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid layer path %zu to combine: must be a string", index);
        }
        if (layers != NULL && json_array_append_new(layers, json_pack("{s:O}", "Path", path)) != 0) {
            json_decref(layers);
            layers = NULL;
        }
    }
    json_t *settings = layers != NULL ? json_pack("{s:s}", "ContainerRootPath", rootfs_path) : NULL;
    if (settings != NULL && json_array_size(layers) > 0 &&
        json_object_set(settings, "Layers", layers) != 0) {
        json_decref(settings);
        settings = NULL;
    }
    if (settings != NULL && scratch_path != NULL && scratch_path[0] != '\0' &&
        json_object_set_new(settings, "ScratchPath", json_string(scratch_path)) != 0) {
        json_decref(settings);
        settings = NULL;
    }
    json_decref(layers);
    if (send_combined_layers(uvm, "Add", settings, error) != 0)
        return -1;
    return record(uvm, rootfs_path, resources, error);
}

int hcsoci_uvm_remove_combined_layers(hcsoci_uvm *uvm, const char *root_path,
                                      hcsoci_error **error)
{
    if (root_path == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no root path to remove combined layers from");
    json_t *settings = json_object();
    if (settings != NULL && root_path[0] != '\0' &&
        json_object_set_new(settings, "ContainerRootPath", json_string(root_path)) != 0) {
        json_decref(settings);
        settings = NULL;
    }
    return send_combined_layers(uvm, "Remove", settings, error);
}

/* ---- ledger entries ---- */

static int release_combined_layers_entry(hcsoci_uvm *uvm, const json_t *entry,
                                         hcsoci_error **error)
{
    const char *root_path = NULL;
    if (uvm_entry_string(entry, uvm_combined_layers_kind.name, "containerRootPath", &root_path,
                         error) != 0)
        return -1;
    return hcsoci_uvm_remove_combined_layers(uvm, root_path, error);
}

const uvm_release_kind uvm_combined_layers_kind = {"uvm.combinedLayers",
                                                   release_combined_layers_entry};
