/* Image layers inside a utility VM (the reference's layers package, hosted branch): read-only
 * layers as VSMB shares (Windows) or vPMEM/SCSI devices (Linux), the scratch on SCSI, and the
 * combined-layers request that makes the container's root file system. */
#include "layers_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/log.h>

/* The host path of a read-only layer as the VM mounts it: the folder itself for Windows, its
 * layer.vhd for Linux. */
static char *layer_host_path(hcsoci_uvm *uvm, const char *folder)
{
    if (hcsoci_uvm_get_os(uvm) == HCSOCI_UVM_WINDOWS)
        return hcsoci_strdup(folder);
    return layers_join_windows_path(folder, "layer.vhd");
}

/* The scratch disk: <scratch folder>\sandbox.vhdx, which must exist (the reference resolves
 * symbolic links here and fails on a missing file). */
static int scratch_disk_path(hcsoci_host *host, const json_t *layer_folders, char **path,
                             hcsoci_error **error)
{
    const char *scratch =
        json_string_value(json_array_get(layer_folders, json_array_size(layer_folders) - 1));
    *path = layers_join_windows_path(scratch, "sandbox.vhdx");
    if (*path == NULL)
        return hcsoci_fail_out_of_memory(error);
    if (host->ops->stat_path(host, *path, NULL) == HCSOCI_PATH_MISSING) {
        hcsoci_fail(error, (int32_t)0x80070002,
                    "failed to eval symlinks: CreateFile %s: The system cannot find the file "
                    "specified.",
                    *path);
        free(*path);
        *path = NULL;
        return -1;
    }
    return 0;
}

/* Where the container's root file system is combined: the root itself for Windows,
 * <root>/rootfs for Linux. */
static char *rootfs_path(hcsoci_uvm *uvm, const char *container_root)
{
    if (hcsoci_uvm_get_os(uvm) == HCSOCI_UVM_WINDOWS)
        return hcsoci_strdup(container_root);
    return hcsoci_asprintf("%s/rootfs", container_root);
}

static int remove_read_only_layer(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error)
{
    if (hcsoci_uvm_get_os(uvm) == HCSOCI_UVM_WINDOWS)
        return hcsoci_uvm_remove_vsmb(uvm, host_path, true, error);
    return hcsoci_uvm_remove_lcow_layer(uvm, host_path, error);
}

/* Removes the first count read-only layers again, best effort (rollback of a failed mount). */
static void remove_added_layers(hcsoci_uvm *uvm, const json_t *layer_folders, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *host_path = layer_host_path(uvm, json_string_value(json_array_get(layer_folders, i)));
        hcsoci_error *error = NULL;
        if (host_path == NULL || remove_read_only_layer(uvm, host_path, &error) != 0)
            HCSOCI_LOG(HCSOCI_LOG_WARN,
                       json_pack("{s:s?,s:s?}", "layer", host_path, "error",
                                 error != NULL ? error->message : NULL),
                       "failed to remove layer on cleanup");
        hcsoci_error_free(error);
        free(host_path);
    }
}

/* Adds read-only layer `index`; for Linux, *guest_path receives where the VM sees it. */
static int add_read_only_layer(hcsoci_uvm *uvm, const char *folder, char **guest_path,
                               hcsoci_error **error)
{
    char *host_path = layer_host_path(uvm, folder);
    if (host_path == NULL)
        return hcsoci_fail_out_of_memory(error);
    int status;
    if (hcsoci_uvm_get_os(uvm) == HCSOCI_UVM_WINDOWS) {
        hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(uvm, true);
        options.take_backup_privilege = true;
        status = hcsoci_uvm_add_vsmb(uvm, host_path, &options, NULL, error);
        if (status != 0)
            hcsoci_error_prefix(error != NULL ? *error : NULL, "failed to add VSMB layer: ");
    } else {
        status = hcsoci_uvm_add_lcow_layer(uvm, host_path, guest_path, NULL, error);
        if (status != 0)
            hcsoci_error_prefix(error != NULL ? *error : NULL, "failed to add LCOW layer: ");
    }
    free(host_path);
    return status;
}

int layers_uvm_hcs_layers(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                          size_t count, json_t **layers, hcsoci_error **error)
{
    *layers = json_array();
    if (*layers == NULL)
        return hcsoci_fail_out_of_memory(error);
    for (size_t i = 0; i < count; i++) {
        const char *folder = json_string_value(json_array_get(layer_folders, i));
        char *guest_path = NULL, *guid = NULL;
        int status = hcsoci_uvm_vsmb_guest_path(uvm, folder, true, &guest_path, error);
        if (status == 0)
            status = hcsoci_layer_id(host, folder, &guid, error);
        json_t *layer = status == 0 ? json_pack("{s:s,s:s}", "Id", guid, "Path", guest_path) : NULL;
        free(guest_path);
        free(guid);
        if (status == 0 && (layer == NULL || json_array_append_new(*layers, layer) != 0))
            status = hcsoci_fail_out_of_memory(error);
        if (status != 0) {
            json_decref(*layers);
            *layers = NULL;
            return -1;
        }
    }
    return 0;
}

int layers_uvm_mount(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                     const char *container_root_in_uvm, char **root_path, hcsoci_error **error)
{
    size_t read_only_count = json_array_size(layer_folders) - 1;
    json_t *lcow_guest_paths = json_array();
    char *scratch = NULL, *rootfs = NULL;
    size_t added = 0;
    bool scratch_added = false;
    int status = lcow_guest_paths != NULL ? 0
                                          : hcsoci_fail_out_of_memory(error);
    for (; status == 0 && added < read_only_count; added++) {
        char *guest_path = NULL;
        status = add_read_only_layer(uvm, json_string_value(json_array_get(layer_folders, added)),
                                     &guest_path, error);
        if (status != 0)
            break;
        if (guest_path != NULL && json_array_append_new(lcow_guest_paths, json_string(guest_path)) != 0)
            status = hcsoci_fail_out_of_memory(error);
        free(guest_path);
    }
    if (status == 0 && scratch_disk_path(host, layer_folders, &scratch, error) != 0) {
        hcsoci_error_prefix(error != NULL ? *error : NULL,
                            "failed to get scratch VHD path in layer folders: ");
        status = -1;
    }
    char *scratch_guest_path = NULL;
    if (status == 0) {
        status = hcsoci_uvm_add_scsi(uvm, scratch, container_root_in_uvm, false,
                                     HCSOCI_VM_ACCESS_INDIVIDUAL, NULL, NULL, error);
        if (status != 0)
            hcsoci_error_prefix(error != NULL ? *error : NULL, "failed to add SCSI scratch VHD: ");
        else
            scratch_added = true;
    }
    if (status == 0)
        status = hcsoci_uvm_scsi_guest_path(uvm, scratch, &scratch_guest_path, error);
    if (status == 0) {
        rootfs = rootfs_path(uvm, container_root_in_uvm);
        if (rootfs == NULL)
            status = hcsoci_fail_out_of_memory(error);
    }
    if (status == 0 && hcsoci_uvm_get_os(uvm) == HCSOCI_UVM_WINDOWS) {
        json_t *layers = NULL;
        status = layers_uvm_hcs_layers(host, uvm, layer_folders, read_only_count, &layers, error);
        /* Deviation D1: a failed combine fails the mount (the reference ignored it). */
        if (status == 0)
            status = hcsoci_uvm_combine_layers_wcow(uvm, layers, scratch_guest_path, NULL, error);
        json_decref(layers);
    } else if (status == 0) {
        status = hcsoci_uvm_combine_layers_lcow(uvm, lcow_guest_paths, scratch_guest_path, rootfs,
                                                NULL, error);
    }
    if (status != 0) {
        if (scratch_added) {
            hcsoci_error *cleanup_error = NULL;
            if (hcsoci_uvm_remove_scsi(uvm, scratch, &cleanup_error) != 0)
                HCSOCI_LOG(HCSOCI_LOG_WARN, json_pack("{s:s}", "error", cleanup_error->message),
                           "failed to remove scratch on cleanup");
            hcsoci_error_free(cleanup_error);
        }
        remove_added_layers(uvm, layer_folders, added);
        free(rootfs);
        rootfs = NULL;
    }
    free(scratch);
    free(scratch_guest_path);
    json_decref(lcow_guest_paths);
    *root_path = rootfs;
    return status;
}

/* Keeps the first error and puts each later one in front of it, as the reference wraps. */
/* Whether a failed step found its resource gone already (the VM no longer has it): what the
 * step would do is done. Logged, and the error freed, when so. */
static bool step_found_gone(hcsoci_error *step_error)
{
    if (step_error->code != HCSOCI_E_UVM_NOT_ATTACHED && step_error->code != HCSOCI_E_NOT_FOUND)
        return false;
    HCSOCI_LOG(HCSOCI_LOG_WARN, json_pack("{s:s}", "error", step_error->message),
               "a layer's resource was already gone from the utility VM: counted as removed");
    hcsoci_error_free(step_error);
    return true;
}

/* Step `step` of the unmount: 0 the combined layers, 1 the scratch disk, 2 + i read-only
 * layer i. */
static int unmount_step(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                        const char *container_root_in_uvm, size_t step, hcsoci_error **error)
{
    if (step == 0) {
        char *rootfs = rootfs_path(uvm, container_root_in_uvm);
        if (rootfs == NULL)
            return hcsoci_fail_out_of_memory(error);
        int result = hcsoci_uvm_remove_combined_layers(uvm, rootfs, error);
        free(rootfs);
        return result;
    }
    if (step == 1) {
        char *scratch = NULL;
        if (scratch_disk_path(host, layer_folders, &scratch, error) != 0)
            return hcsoci_fail_prefixed(error, "failed to get scratch VHD path in layer folders: ");
        int result = hcsoci_uvm_remove_scsi(uvm, scratch, error);
        free(scratch);
        return result;
    }
    char *host_path =
        layer_host_path(uvm, json_string_value(json_array_get(layer_folders, step - 2)));
    if (host_path == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = remove_read_only_layer(uvm, host_path, error);
    if (result != 0 && hcsoci_uvm_get_os(uvm) == HCSOCI_UVM_LINUX)
        hcsoci_fail_prefixed(error, "failed to remove %s layer: ", "LCOW");
    free(host_path);
    return result;
}

int layers_uvm_unmount(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                       const char *container_root_in_uvm, bool all, size_t *steps_done,
                       hcsoci_error **error)
{
    size_t count = json_array_size(layer_folders);
    if (count < 2)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "at least two layers are required for unmount");
    /* Without all, only what SCSI holds: the combined layers and the scratch disk. */
    size_t steps = all ? count + 1 : 2;
    for (; *steps_done < steps; (*steps_done)++) {
        hcsoci_error *step_error = NULL;
        if (unmount_step(host, uvm, layer_folders, container_root_in_uvm, *steps_done,
                         &step_error) != 0 &&
            !step_found_gone(step_error))
            return hcsoci_error_store(error, step_error);
    }
    return 0;
}
