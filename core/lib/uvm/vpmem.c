/* vPMEM devices of a Linux utility VM (read-only layers), ref-counted by host path and limited
 * in count and size by the VM's properties, and LCOW layers that fall back to SCSI. */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>
#include <hcsoci/log.h>
#include <hcsoci/spec.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void uvm_vpmem_device_free(uvm_vpmem_device *device)
{
    if (device == NULL)
        return;
    free(device->host_path);
    free(device->uvm_path);
    free(device);
}

/* The device number holding host_path, or -1. */
static int find_device(const hcsoci_uvm *uvm, const char *host_path)
{
    for (uint32_t i = 0; i < uvm->properties.vpmem_max_count; i++) {
        if (uvm->vpmem[i] != NULL && strcmp(uvm->vpmem[i]->host_path, host_path) == 0)
            return (int)i;
    }
    return -1;
}

/* {DeviceNumber (left out when 0), MountPath} of the VPMemDevice guest request. */
static json_t *guest_settings(uint32_t device_number, const char *uvm_path)
{
    json_t *settings = json_object();
    if (settings == NULL)
        return NULL;
    if ((device_number != 0 &&
         json_object_set_new(settings, "DeviceNumber", json_integer(device_number)) != 0) ||
        json_object_set_new(settings, "MountPath", json_string(uvm_path)) != 0) {
        json_decref(settings);
        return NULL;
    }
    return settings;
}

static json_t *device_request(const char *request_type, uint32_t device_number,
                              const char *host_path, const char *uvm_path)
{
    char path[64];
    snprintf(path, sizeof path, "VirtualMachine/Devices/VirtualPMem/Devices/%u",
             (unsigned)device_number);
    json_t *settings = NULL;
    if (strcmp(request_type, "Add") == 0) {
        settings = json_pack("{s:s,s:b,s:s}", "HostPath", host_path, "ReadOnly", 1,
                             "ImageFormat", "Vhd1");
        if (settings == NULL)
            return NULL;
    }
    json_t *guest = guest_settings(device_number, uvm_path);
    json_t *guest_request = guest != NULL ? uvm_guest_request(request_type, "VPMemDevice", guest)
                                          : NULL;
    if (guest_request == NULL) {
        json_decref(settings);
        return NULL;
    }
    return uvm_request(path, request_type, settings, guest_request);
}

static int add_locked(hcsoci_uvm *uvm, const char *host_path, char **uvm_path,
                      hcsoci_error **error)
{
    int existing = find_device(uvm, host_path);
    if (existing >= 0) {
        uvm->vpmem[existing]->ref_count++;
        *uvm_path = hcsoci_strdup(uvm->vpmem[existing]->uvm_path);
        if (*uvm_path == NULL) {
            uvm->vpmem[existing]->ref_count--;
            return hcsoci_fail_out_of_memory(error);
        }
        return 0;
    }
    uint64_t size = 0;
    if (uvm->host->ops->stat_path(uvm->host, host_path, &size) == HCSOCI_PATH_MISSING)
        return uvm_stat_error(uvm, host_path, error);
    if (size > uvm->properties.vpmem_max_size_bytes)
        return hcsoci_fail(error, HCSOCI_E_UVM_VPMEM_TOO_LARGE,
                           "layer size is to large for VPMEM max size");
    uint32_t device_number = 0;
    while (device_number < uvm->properties.vpmem_max_count && uvm->vpmem[device_number] != NULL)
        device_number++;
    if (device_number >= uvm->properties.vpmem_max_count)
        return hcsoci_fail(error, HCSOCI_E_UVM_NO_LOCATION, "no available location");
    HCSOCI_LOG(HCSOCI_LOG_DEBUG,
               json_pack("{s:s,s:I}", "hostPath", host_path, "deviceNumber",
                         (json_int_t)device_number),
               "allocated VPMEM location");

    char path[32];
    snprintf(path, sizeof path, "/run/layers/p%u", (unsigned)device_number);
    uvm_vpmem_device *device = hcsoci_calloc(1, sizeof *device);
    if (device == NULL || (device->host_path = hcsoci_strdup(host_path)) == NULL ||
        (device->uvm_path = hcsoci_strdup(path)) == NULL ||
        (*uvm_path = hcsoci_strdup(path)) == NULL) {
        uvm_vpmem_device_free(device);
        return hcsoci_fail_out_of_memory(error);
    }
    device->ref_count = 1;
    json_t *request = device_request("Add", device_number, host_path, path);
    int result = uvm_modify_locked(uvm, request, error);
    json_decref(request);
    if (result != 0) {
        hcsoci_fail_prefixed(error, "uvm::AddVPMEM: failed to modify utility VM configuration: ");
        uvm_vpmem_device_free(device);
        free(*uvm_path);
        *uvm_path = NULL;
        return -1;
    }
    uvm->vpmem[device_number] = device;
    return 0;
}

int hcsoci_uvm_add_vpmem(hcsoci_uvm *uvm, const char *host_path, char **uvm_path,
                         hcsoci_resources *resources, hcsoci_error **error)
{
    *uvm_path = NULL;
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed to AddVPMEM");
    if (uvm->properties.os != HCSOCI_UVM_LINUX)
        return uvm_not_supported(error);
    uvm_lock(uvm);
    int result = add_locked(uvm, host_path, uvm_path, error);
    uvm_unlock(uvm);
    if (result == 0 &&
        uvm_record(resources, uvm_vpmem_kind.name, json_pack("{s:s}", "hostPath", host_path),
                   error) != 0) {
        hcsoci_uvm_remove_vpmem(uvm, host_path, NULL);
        free(*uvm_path);
        *uvm_path = NULL;
        return -1;
    }
    return result;
}

int hcsoci_uvm_remove_vpmem(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error)
{
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed to RemoveVPMEM");
    if (uvm->properties.os != HCSOCI_UVM_LINUX)
        return uvm_not_supported(error);
    uvm_lock(uvm);
    int result = 0;
    int device_number = find_device(uvm, host_path);
    if (device_number < 0) {
        result = hcsoci_fail(error, HCSOCI_E_UVM_NOT_ATTACHED, "not attached");
    } else if (uvm->vpmem[device_number]->ref_count > 1) {
        uvm->vpmem[device_number]->ref_count--;
    } else {
        uvm_vpmem_device *device = uvm->vpmem[device_number];
        json_t *request = device_request("Remove", (uint32_t)device_number, device->host_path,
                                         device->uvm_path);
        result = uvm_modify_locked(uvm, request, error);
        json_decref(request);
        if (result != 0) {
            hcsoci_fail_prefixed(error, "failed to remove VPMEM %s from utility VM %s: ",
                                 host_path, uvm->id);
        } else {
            uvm->vpmem[device_number] = NULL;
            uvm_vpmem_device_free(device);
        }
    }
    uvm_unlock(uvm);
    return result;
}

/* ---- LCOW layers ---- */

int hcsoci_uvm_add_lcow_layer(hcsoci_uvm *uvm, const char *host_path, char **uvm_path,
                              hcsoci_resources *resources, hcsoci_error **error)
{
    *uvm_path = NULL;
    if (!uvm->properties.devices_physically_backed) {
        hcsoci_error *vpmem_error = NULL;
        if (hcsoci_uvm_add_vpmem(uvm, host_path, uvm_path, NULL, &vpmem_error) == 0) {
            HCSOCI_LOG(HCSOCI_LOG_DEBUG,
                       json_pack("{s:s,s:s}", "layerPath", host_path, "layerType", "vpmem"),
                       "Added LCOW layer");
            goto added;
        }
        if (vpmem_error == NULL || (vpmem_error->code != HCSOCI_E_UVM_NO_LOCATION &&
                                    vpmem_error->code != HCSOCI_E_UVM_VPMEM_TOO_LARGE)) {
            hcsoci_error_prefix(vpmem_error, "failed to add VPMEM layer: ");
            return hcsoci_error_store(error, vpmem_error);
        }
        hcsoci_error_free(vpmem_error);
    }
    char path[48];
    uint64_t mount_number = 0;
    if (hcsoci_uvm_take_mount_number(uvm, &mount_number, error) != 0)
        return -1;
    snprintf(path, sizeof path, "/run/mounts/m%" PRIu64, mount_number);
    if (hcsoci_uvm_add_scsi(uvm, host_path, path, true, HCSOCI_VM_ACCESS_NONE, NULL, NULL,
                            error) != 0)
        return hcsoci_fail_prefixed(error, "failed to add SCSI layer: ");
    if (hcsoci_uvm_scsi_guest_path(uvm, host_path, uvm_path, error) != 0) {
        hcsoci_uvm_remove_scsi(uvm, host_path, NULL);
        return -1;
    }
    HCSOCI_LOG(HCSOCI_LOG_DEBUG,
               json_pack("{s:s,s:s}", "layerPath", host_path, "layerType", "scsi"),
               "Added LCOW layer");
added:
    if (uvm_record(resources, uvm_lcow_layer_kind.name, json_pack("{s:s}", "hostPath", host_path),
                   error) != 0) {
        hcsoci_uvm_remove_lcow_layer(uvm, host_path, NULL);
        free(*uvm_path);
        *uvm_path = NULL;
        return -1;
    }
    return 0;
}

int hcsoci_uvm_remove_lcow_layer(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error)
{
    hcsoci_error *vpmem_error = NULL;
    if (hcsoci_uvm_remove_vpmem(uvm, host_path, &vpmem_error) == 0)
        return 0;
    if (vpmem_error != NULL && vpmem_error->code == HCSOCI_E_UVM_NOT_ATTACHED) {
        hcsoci_error_free(vpmem_error);
        if (hcsoci_uvm_remove_scsi(uvm, host_path, error) == 0)
            return 0;
        return hcsoci_fail_prefixed(error, "failed to remove SCSI layer: ");
    }
    hcsoci_error_prefix(vpmem_error, "failed to remove VPMEM layer: ");
    return hcsoci_error_store(error, vpmem_error);
}

/* ---- saving and loading ---- */

int uvm_vpmem_save(const hcsoci_uvm *uvm, json_t *state)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < UVM_VPMEM_DEVICES; i++) {
        const uvm_vpmem_device *device = uvm->vpmem[i];
        if (device != NULL &&
            json_array_append_new(array, json_pack("{s:I,s:s,s:s,s:I}", "deviceNumber",
                                                   (json_int_t)i, "hostPath", device->host_path,
                                                   "uvmPath", device->uvm_path, "refCount",
                                                   (json_int_t)device->ref_count)) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return json_object_set_new(state, "vpmem", array);
}

int uvm_vpmem_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error)
{
    json_t *array = NULL;
    if (hcsoci_json_object_array(state, "vpmem", "uvm.vpmem", &array, error) != 0)
        return -1;
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item) {
        char field[96];
        int64_t number = 0, ref_count = 0;
        uvm_vpmem_device *device = hcsoci_calloc(1, sizeof *device);
        if (device == NULL)
            return hcsoci_fail_out_of_memory(error);
        snprintf(field, sizeof field, "uvm.vpmem[%zu].deviceNumber", index);
        int failed = uvm_load_integer(item, "deviceNumber", field, 0,
                                      (int64_t)uvm->properties.vpmem_max_count - 1, &number,
                                      error);
        snprintf(field, sizeof field, "uvm.vpmem[%zu].hostPath", index);
        failed = failed || uvm_load_string(item, "hostPath", field, &device->host_path, error);
        snprintf(field, sizeof field, "uvm.vpmem[%zu].uvmPath", index);
        failed = failed || uvm_load_string(item, "uvmPath", field, &device->uvm_path, error);
        snprintf(field, sizeof field, "uvm.vpmem[%zu].refCount", index);
        failed = failed ||
                 uvm_load_integer(item, "refCount", field, 1, UINT32_MAX, &ref_count, error);
        if (!failed && (uvm->vpmem[number] != NULL || find_device(uvm, device->host_path) >= 0))
            failed = hcsoci_fail(error, HCSOCI_E_INVALID,
                                 "'uvm.vpmem[%zu]' repeats a device or a host path", index);
        if (failed) {
            uvm_vpmem_device_free(device);
            return -1;
        }
        device->ref_count = (uint32_t)ref_count;
        uvm->vpmem[number] = device;
    }
    return 0;
}

/* ---- ledger entries ---- */

static int release_vpmem_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error)
{
    const char *host_path = NULL;
    if (uvm_entry_string(entry, uvm_vpmem_kind.name, "hostPath", &host_path, error) != 0)
        return -1;
    return hcsoci_uvm_remove_vpmem(uvm, host_path, error);
}

static int release_lcow_layer_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error)
{
    const char *host_path = NULL;
    if (uvm_entry_string(entry, uvm_lcow_layer_kind.name, "hostPath", &host_path, error) != 0)
        return -1;
    return hcsoci_uvm_remove_lcow_layer(uvm, host_path, error);
}

const uvm_release_kind uvm_vpmem_kind = {"uvm.vpmem", release_vpmem_entry};
const uvm_release_kind uvm_lcow_layer_kind = {"uvm.lcowLayer", release_lcow_layer_entry};
