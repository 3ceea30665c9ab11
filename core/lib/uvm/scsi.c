/* SCSI attachments of a utility VM: slots on up to four controllers of 64 LUNs, ref-counted
 * by host path, with the guest mount request for Windows or Linux guests. */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>
#include <hcsoci/log.h>
#include <hcsoci/spec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void uvm_scsi_mount_free(uvm_scsi_mount *mount)
{
    if (mount == NULL)
        return;
    free(mount->host_path);
    free(mount->uvm_path);
    free(mount);
}

static uvm_scsi_mount *find_mount(const hcsoci_uvm *uvm, const char *host_path)
{
    for (size_t controller = 0; controller < UVM_SCSI_CONTROLLERS; controller++) {
        for (size_t lun = 0; lun < UVM_SCSI_SLOTS; lun++) {
            uvm_scsi_mount *mount = uvm->scsi[controller][lun];
            if (mount != NULL && strcmp(mount->host_path, host_path) == 0)
                return mount;
        }
    }
    return NULL;
}

/* Takes the first free slot, searching every controller in order. */
static int allocate_slot(hcsoci_uvm *uvm, const char *host_path, const char *uvm_path,
                         uvm_scsi_mount **allocated, hcsoci_error **error)
{
    for (uint32_t controller = 0; controller < UVM_SCSI_CONTROLLERS; controller++) {
        for (uint32_t lun = 0; lun < UVM_SCSI_SLOTS; lun++) {
            if (uvm->scsi[controller][lun] != NULL)
                continue;
            uvm_scsi_mount *mount = hcsoci_calloc(1, sizeof *mount);
            if (mount == NULL)
                return hcsoci_fail_out_of_memory(error);
            mount->host_path = hcsoci_strdup(host_path);
            mount->uvm_path = hcsoci_strdup(uvm_path);
            mount->controller = controller;
            mount->lun = lun;
            mount->ref_count = 1;
            if (mount->host_path == NULL || mount->uvm_path == NULL) {
                uvm_scsi_mount_free(mount);
                return hcsoci_fail_out_of_memory(error);
            }
            uvm->scsi[controller][lun] = mount;
            *allocated = mount;
            return 0;
        }
    }
    return hcsoci_fail(error, HCSOCI_E_UVM_NO_LOCATION, "no available location");
}

static void deallocate_slot(hcsoci_uvm *uvm, uvm_scsi_mount *mount)
{
    uvm->scsi[mount->controller][mount->lun] = NULL;
    uvm_scsi_mount_free(mount);
}

static json_t *wcow_disk_settings(const uvm_scsi_mount *mount)
{
    json_t *settings = json_pack("{s:s}", "ContainerPath", mount->uvm_path);
    if (settings != NULL && mount->lun != 0 &&
        json_object_set_new(settings, "Lun", json_integer(mount->lun)) != 0) {
        json_decref(settings);
        return NULL;
    }
    return settings;
}

static json_t *lcow_disk_settings(const uvm_scsi_mount *mount, bool read_only)
{
    json_t *settings = json_object();
    int failed = settings == NULL;
    if (!failed && mount->uvm_path[0] != '\0')
        failed = json_object_set_new(settings, "MountPath", json_string(mount->uvm_path));
    if (!failed && mount->lun != 0)
        failed = json_object_set_new(settings, "Lun", json_integer(mount->lun));
    if (!failed && mount->controller != 0)
        failed = json_object_set_new(settings, "Controller", json_integer(mount->controller));
    if (!failed && read_only)
        failed = json_object_set_new(settings, "ReadOnly", json_true());
    if (failed) {
        json_decref(settings);
        return NULL;
    }
    return settings;
}

static void resource_path(char *buffer, size_t size, const uvm_scsi_mount *mount)
{
    snprintf(buffer, size, "VirtualMachine/Devices/Scsi/%u/Attachments/%u",
             (unsigned)mount->controller, (unsigned)mount->lun);
}

static int add_actual(hcsoci_uvm *uvm, const char *host_path, const char *uvm_path,
                      const char *attachment_type, bool read_only, hcsoci_vm_access access,
                      hcsoci_scsi_location *location, hcsoci_error **error)
{
    if (uvm_grant_access(uvm, host_path, access, error) != 0)
        return hcsoci_fail_prefixed(error, "failed to grant VM access for SCSI mount: ");
    uvm_lock(uvm);
    uvm_scsi_mount *mount = find_mount(uvm, host_path);
    if (mount != NULL) {
        mount->ref_count++;
        if (location != NULL)
            *location = (hcsoci_scsi_location){mount->controller, mount->lun};
        uvm_unlock(uvm);
        return 0;
    }
    int result = allocate_slot(uvm, host_path, uvm_path, &mount, error);
    if (result == 0 && uvm->properties.scsi_controller_count == 0)
        result = hcsoci_fail(error, HCSOCI_E_INVALID,
                             "no SCSI controllers configured for this utility VM");
    else if (result == 0 && mount->controller > 0)
        result = hcsoci_fail(error, HCSOCI_E_UVM_NO_LOCATION, "too many SCSI attachments");
    if (result == 0) {
        char path[96];
        resource_path(path, sizeof path, mount);
        json_t *settings = json_pack("{s:s,s:s}", "Type", attachment_type, "Path", host_path);
        if (settings != NULL && read_only &&
            json_object_set_new(settings, "ReadOnly", json_true()) != 0) {
            json_decref(settings);
            settings = NULL;
        }
        json_t *guest_request = NULL;
        bool guest_mount = mount->uvm_path[0] != '\0';
        if (guest_mount) {
            json_t *disk = uvm->properties.os == HCSOCI_UVM_WINDOWS
                               ? wcow_disk_settings(mount)
                               : lcow_disk_settings(mount, read_only);
            guest_request = disk != NULL ? uvm_guest_request("Add", "MappedVirtualDisk", disk)
                                         : NULL;
        }
        json_t *request = NULL;
        if (settings != NULL && (!guest_mount || guest_request != NULL)) {
            request = uvm_request(path, "Add", settings, guest_request);
        } else {
            json_decref(settings);
            json_decref(guest_request);
        }
        result = uvm_modify_locked(uvm, request, error);
        json_decref(request);
        if (result != 0)
            hcsoci_fail_prefixed(error, "failed to modify UVM with new SCSI mount: ");
    }
    if (result == 0 && location != NULL)
        *location = (hcsoci_scsi_location){mount->controller, mount->lun};
    if (result != 0 && mount != NULL)
        deallocate_slot(uvm, mount);
    uvm_unlock(uvm);
    return result;
}

static int add_and_record(hcsoci_uvm *uvm, const char *host_path, const char *uvm_path,
                          const char *attachment_type, bool read_only, hcsoci_vm_access access,
                          hcsoci_scsi_location *location, hcsoci_resources *resources,
                          hcsoci_error **error)
{
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed to AddSCSI");
    if (add_actual(uvm, host_path, uvm_path != NULL ? uvm_path : "", attachment_type, read_only,
                   access, location, error) != 0)
        return -1;
    if (uvm_record(resources, uvm_scsi_kind.name, json_pack("{s:s}", "hostPath", host_path),
                   error) != 0) {
        hcsoci_uvm_remove_scsi(uvm, host_path, NULL);
        return -1;
    }
    return 0;
}

int hcsoci_uvm_add_scsi(hcsoci_uvm *uvm, const char *host_path, const char *uvm_path,
                        bool read_only, hcsoci_vm_access access, hcsoci_scsi_location *location,
                        hcsoci_resources *resources, hcsoci_error **error)
{
    return add_and_record(uvm, host_path, uvm_path, "VirtualDisk", read_only, access, location,
                          resources, error);
}

int hcsoci_uvm_add_scsi_physical_disk(hcsoci_uvm *uvm, const char *host_path, const char *uvm_path,
                                      bool read_only, hcsoci_scsi_location *location,
                                      hcsoci_resources *resources, hcsoci_error **error)
{
    return add_and_record(uvm, host_path, uvm_path, "PassThru", read_only,
                          HCSOCI_VM_ACCESS_INDIVIDUAL, location, resources, error);
}

int hcsoci_uvm_remove_scsi(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error)
{
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed to RemoveSCSI");
    uvm_lock(uvm);
    int result = 0;
    uvm_scsi_mount *mount = NULL;
    if (uvm->properties.scsi_controller_count == 0) {
        result = hcsoci_fail(error, HCSOCI_E_INVALID,
                             "no SCSI controllers configured for this utility VM");
    } else if ((mount = find_mount(uvm, host_path)) == NULL) {
        result = hcsoci_fail(error, HCSOCI_E_UVM_NOT_ATTACHED, "not attached");
    } else if (--mount->ref_count == 0) {
        char path[96];
        resource_path(path, sizeof path, mount);
        /* The guest is always told, so that it lets go of the disk before the slot is reused. */
        json_t *settings = uvm->properties.os == HCSOCI_UVM_WINDOWS && mount->uvm_path[0] != '\0'
                               ? wcow_disk_settings(mount)
                               : lcow_disk_settings(mount, false);
        json_t *guest_request =
            settings != NULL ? uvm_guest_request("Remove", "MappedVirtualDisk", settings) : NULL;
        json_t *request = guest_request != NULL ? uvm_request(path, "Remove", NULL, guest_request)
                                                : NULL;
        result = uvm_modify_locked(uvm, request, error);
        json_decref(request);
        if (result != 0) {
            /* Kept with its reference so that releasing it again sends the request again. */
            mount->ref_count++;
            hcsoci_fail_prefixed(error, "failed to remove SCSI disk %s from container %s: ",
                                 host_path, uvm->id);
        } else {
            deallocate_slot(uvm, mount);
        }
    }
    uvm_unlock(uvm);
    return result;
}

int hcsoci_uvm_scsi_guest_path(hcsoci_uvm *uvm, const char *host_path, char **uvm_path,
                               hcsoci_error **error)
{
    *uvm_path = NULL;
    if (host_path == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed to GetScsiUvmPath");
    uvm_lock(uvm);
    const uvm_scsi_mount *mount = find_mount(uvm, host_path);
    int result = 0;
    if (mount == NULL)
        result = hcsoci_fail(error, HCSOCI_E_UVM_NOT_ATTACHED, "not attached");
    else if ((*uvm_path = hcsoci_strdup(mount->uvm_path)) == NULL)
        result = hcsoci_fail_out_of_memory(error);
    uvm_unlock(uvm);
    return result;
}

/* ---- saving and loading ---- */

int uvm_scsi_save(const hcsoci_uvm *uvm, json_t *state)
{
    json_t *array = json_array();
    if (array == NULL)
        return -1;
    for (size_t controller = 0; controller < UVM_SCSI_CONTROLLERS; controller++) {
        for (size_t lun = 0; lun < UVM_SCSI_SLOTS; lun++) {
            const uvm_scsi_mount *mount = uvm->scsi[controller][lun];
            if (mount == NULL)
                continue;
            if (json_array_append_new(
                    array, json_pack("{s:s,s:s,s:I,s:I,s:I}", "hostPath", mount->host_path,
                                     "uvmPath", mount->uvm_path, "controller",
                                     (json_int_t)mount->controller, "lun",
                                     (json_int_t)mount->lun, "refCount",
                                     (json_int_t)mount->ref_count)) != 0) {
                json_decref(array);
                return -1;
            }
        }
    }
    return json_object_set_new(state, "scsi", array);
}

int uvm_scsi_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error)
{
    json_t *array = NULL;
    if (hcsoci_json_object_array(state, "scsi", "uvm.scsi", &array, error) != 0)
        return -1;
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item) {
        char path[64];
        char field[96];
        int64_t controller = 0, lun = 0, ref_count = 0;
        snprintf(path, sizeof path, "uvm.scsi[%zu]", index);
        uvm_scsi_mount *mount = hcsoci_calloc(1, sizeof *mount);
        if (mount == NULL)
            return hcsoci_fail_out_of_memory(error);
        snprintf(field, sizeof field, "%s.hostPath", path);
        int failed = uvm_load_string(item, "hostPath", field, &mount->host_path, error);
        snprintf(field, sizeof field, "%s.uvmPath", path);
        failed = failed || uvm_load_string(item, "uvmPath", field, &mount->uvm_path, error);
        snprintf(field, sizeof field, "%s.controller", path);
        failed = failed || uvm_load_integer(item, "controller", field, 0,
                                            UVM_SCSI_CONTROLLERS - 1, &controller, error);
        snprintf(field, sizeof field, "%s.lun", path);
        failed = failed ||
                 uvm_load_integer(item, "lun", field, 0, UVM_SCSI_SLOTS - 1, &lun, error);
        snprintf(field, sizeof field, "%s.refCount", path);
        failed = failed ||
                 uvm_load_integer(item, "refCount", field, 1, UINT32_MAX, &ref_count, error);
        if (!failed && (uvm->scsi[controller][lun] != NULL || find_mount(uvm, mount->host_path)))
            failed = hcsoci_fail(error, HCSOCI_E_INVALID,
                                 "'%s' repeats a slot or a host path", path);
        if (failed) {
            uvm_scsi_mount_free(mount);
            return -1;
        }
        mount->controller = (uint32_t)controller;
        mount->lun = (uint32_t)lun;
        mount->ref_count = (uint32_t)ref_count;
        uvm->scsi[controller][lun] = mount;
    }
    return 0;
}

/* ---- ledger entries ---- */

static int release_scsi_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error)
{
    const char *host_path = NULL;
    if (uvm_entry_string(entry, uvm_scsi_kind.name, "hostPath", &host_path, error) != 0)
        return -1;
    if (hcsoci_uvm_remove_scsi(uvm, host_path, error) != 0)
        return uvm_release_failed(error, "SCSI device");
    return 0;
}

const uvm_release_kind uvm_scsi_kind = {"uvm.scsi", release_scsi_entry};
