/* vPCI device assignment into a utility VM, ref-counted by the host device's instance id. */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>
#include <hcsoci/spec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void uvm_vpci_device_free(uvm_vpci_device *device)
{
    if (device == NULL)
        return;
    free(device->device_instance_id);
    free(device->vmbus_guid);
    free(device);
}

static ssize_t find_device(const hcsoci_uvm *uvm, const char *device_instance_id)
{
    for (size_t i = 0; i < uvm->vpci_devices.count; i++) {
        const uvm_vpci_device *device = uvm->vpci_devices.items[i];
        if (strcmp(device->device_instance_id, device_instance_id) == 0)
            return (ssize_t)i;
    }
    return -1;
}

static void device_path(char *buffer, size_t size, const char *vmbus_guid)
{
    snprintf(buffer, size, "VirtualMachine/Devices/VirtualPci/%s", vmbus_guid);
}

char *hcsoci_uvm_assigned_device_vmbus_instance_id(const char *vmbus_guid)
{
    const char *format = "VMBUS\\{44c4f61d-4444-4400-9d52-802e27ede19f}\\{%s}";
    size_t length = strlen(format) + (vmbus_guid != NULL ? strlen(vmbus_guid) : 0) + 1;
    char *id = hcsoci_malloc(length);
    if (id != NULL)
        snprintf(id, length, "VMBUS\\{44c4f61d-4444-4400-9d52-802e27ede19f}\\{%s}",
                 vmbus_guid != NULL ? vmbus_guid : "");
    return id;
}

static int assign_locked(hcsoci_uvm *uvm, const char *device_instance_id, const char *guid,
                         char **vmbus_guid, hcsoci_error **error)
{
    ssize_t index = find_device(uvm, device_instance_id);
    if (index >= 0) {
        uvm_vpci_device *existing = uvm->vpci_devices.items[index];
        if (vmbus_guid != NULL && (*vmbus_guid = hcsoci_strdup(existing->vmbus_guid)) == NULL)
            return hcsoci_fail_out_of_memory(error);
        existing->ref_count++;
        return 0;
    }
    uvm_vpci_device *device = hcsoci_calloc(1, sizeof *device);
    if (device == NULL ||
        (device->device_instance_id = hcsoci_strdup(device_instance_id)) == NULL ||
        (device->vmbus_guid = hcsoci_strdup(guid)) == NULL ||
        (vmbus_guid != NULL && (*vmbus_guid = hcsoci_strdup(guid)) == NULL)) {
        uvm_vpci_device_free(device);
        return hcsoci_fail_out_of_memory(error);
    }
    device->ref_count = 1;
    char path[96];
    device_path(path, sizeof path, guid);
    json_t *settings = json_pack("{s:[{s:s}]}", "Functions", "DeviceInstancePath",
                                 device_instance_id);
    json_t *guest_request = NULL;
    if (uvm->properties.os != HCSOCI_UVM_WINDOWS)
        guest_request = uvm_guest_request("Add", "VPCIDevice",
                                          json_pack("{s:s}", "VMBusGUID", guid));
    json_t *request = NULL;
    if (settings != NULL && (uvm->properties.os == HCSOCI_UVM_WINDOWS || guest_request != NULL))
        request = uvm_request(path, "Add", settings, guest_request);
    else {
        json_decref(settings);
        json_decref(guest_request);
    }
    int result = uvm_list_reserve(&uvm->vpci_devices) != 0
                     ? hcsoci_fail_out_of_memory(error)
                     : uvm_modify_locked(uvm, request, error);
    json_decref(request);
    if (result == 0)
        uvm_list_append(&uvm->vpci_devices, device); /* room was reserved */
    if (result != 0) {
        uvm_vpci_device_free(device);
        if (vmbus_guid != NULL) {
            free(*vmbus_guid);
            *vmbus_guid = NULL;
        }
    }
    return result;
}

int hcsoci_uvm_assign_device(hcsoci_uvm *uvm, const char *device_instance_id, char **vmbus_guid,
                             hcsoci_resources *resources, hcsoci_error **error)
{
    if (vmbus_guid != NULL)
        *vmbus_guid = NULL;
    if (device_instance_id == NULL || device_instance_id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no device instance id to assign");
    /* A VMBus GUID is drawn for every assignment, also when the device is already there. */
    char guid[37];
    uvm->host->ops->new_guid(uvm->host, guid);
    uvm_lock(uvm);
    int result = assign_locked(uvm, device_instance_id, guid, vmbus_guid, error);
    uvm_unlock(uvm);
    if (result == 0 &&
        uvm_record(resources, uvm_vpci_kind.name,
                   json_pack("{s:s}", "deviceInstanceId", device_instance_id), error) != 0) {
        hcsoci_uvm_remove_device(uvm, device_instance_id, NULL);
        if (vmbus_guid != NULL) {
            free(*vmbus_guid);
            *vmbus_guid = NULL;
        }
        return -1;
    }
    return result;
}

int hcsoci_uvm_remove_device(hcsoci_uvm *uvm, const char *device_instance_id,
                             hcsoci_error **error)
{
    if (device_instance_id == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no device instance id to remove");
    uvm_lock(uvm);
    int result = 0;
    ssize_t index = find_device(uvm, device_instance_id);
    if (index < 0) {
        result = hcsoci_fail(error, HCSOCI_E_UVM_NOT_ATTACHED,
                             "no device with ID %s is present on the uvm %s", device_instance_id,
                             uvm->id);
    } else {
        uvm_vpci_device *device = uvm->vpci_devices.items[index];
        if (device->ref_count == 1) {
            /* The reference forgets the device before the request; here a failed request
             * keeps it, with its reference, so that releasing it again sends it again. */
            char path[96];
            device_path(path, sizeof path, device->vmbus_guid);
            json_t *request = uvm_request(path, "Remove", NULL, NULL);
            result = uvm_modify_locked(uvm, request, error);
            json_decref(request);
            if (result == 0) {
                uvm_list_remove(&uvm->vpci_devices, (size_t)index);
                uvm_vpci_device_free(device);
            }
        } else {
            device->ref_count--;
        }
    }
    uvm_unlock(uvm);
    return result;
}

/* ---- saving and loading ---- */

int uvm_vpci_save(const hcsoci_uvm *uvm, json_t *state)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < uvm->vpci_devices.count; i++) {
        const uvm_vpci_device *device = uvm->vpci_devices.items[i];
        if (json_array_append_new(array, json_pack("{s:s,s:s,s:I}", "deviceInstanceId",
                                                   device->device_instance_id, "vmbusGuid",
                                                   device->vmbus_guid, "refCount",
                                                   (json_int_t)device->ref_count)) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return json_object_set_new(state, "vpciDevices", array);
}

int uvm_vpci_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error)
{
    json_t *array = NULL;
    if (hcsoci_json_object_array(state, "vpciDevices", "uvm.vpciDevices", &array, error) != 0)
        return -1;
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item) {
        char field[96];
        int64_t ref_count = 0;
        uvm_vpci_device *device = hcsoci_calloc(1, sizeof *device);
        if (device == NULL)
            return hcsoci_fail_out_of_memory(error);
        snprintf(field, sizeof field, "uvm.vpciDevices[%zu].deviceInstanceId", index);
        int failed = uvm_load_string(item, "deviceInstanceId", field,
                                     &device->device_instance_id, error);
        snprintf(field, sizeof field, "uvm.vpciDevices[%zu].vmbusGuid", index);
        failed = failed || uvm_load_string(item, "vmbusGuid", field, &device->vmbus_guid, error);
        snprintf(field, sizeof field, "uvm.vpciDevices[%zu].refCount", index);
        failed = failed ||
                 uvm_load_integer(item, "refCount", field, 1, UINT32_MAX, &ref_count, error);
        if (!failed && find_device(uvm, device->device_instance_id) >= 0)
            failed = hcsoci_fail(error, HCSOCI_E_INVALID,
                                 "'uvm.vpciDevices[%zu]' repeats a device", index);
        if (!failed && uvm_list_append(&uvm->vpci_devices, device) != 0)
            failed = hcsoci_fail_out_of_memory(error);
        if (failed) {
            uvm_vpci_device_free(device);
            return -1;
        }
        device->ref_count = (uint32_t)ref_count;
    }
    return 0;
}

/* ---- ledger entries ---- */

static int release_vpci_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error)
{
    const char *device_instance_id = NULL;
    if (uvm_entry_string(entry, uvm_vpci_kind.name, "deviceInstanceId", &device_instance_id,
                         error) != 0)
        return -1;
    if (hcsoci_uvm_remove_device(uvm, device_instance_id, error) != 0)
        return uvm_release_failed(error, "VPCI device");
    return 0;
}

const uvm_release_kind uvm_vpci_kind = {"uvm.vpci", release_vpci_entry};
