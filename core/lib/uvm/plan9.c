/* Plan 9 shares of a Linux utility VM: names from the Plan 9 counter, the share flags, and
 * restricted single-file shares where the host build allows them. */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN9_RESOURCE_PATH "VirtualMachine/Devices/Plan9/Shares"
#define PLAN9_PORT 564

/* The share flags HCS keeps private in its schema. */
#define PLAN9_FLAG_READ_ONLY 0x00000001
#define PLAN9_FLAG_LINUX_METADATA 0x00000004
#define PLAN9_FLAG_RESTRICT_FILE_ACCESS 0x00000080

int hcsoci_uvm_add_plan9(hcsoci_uvm *uvm, const char *host_path, const char *uvm_path,
                         bool read_only, bool restrict_files, const json_t *allowed_names,
                         char **share_name, hcsoci_resources *resources, hcsoci_error **error)
{
    if (share_name != NULL)
        *share_name = NULL;
    if (uvm->properties.os != HCSOCI_UVM_LINUX)
        return uvm_not_supported(error);
    if (restrict_files && uvm->host->ops->os_build(uvm->host) < HCSOCI_BUILD_19H1)
        return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                           "single-file mappings are not supported on this build of Windows");
    if (uvm_path == NULL || uvm_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "uvmPath must be passed to AddPlan9");
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed to AddPlan9");
    if (allowed_names != NULL && !json_is_array(allowed_names))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid allowed names for a Plan 9 share: must be an array");
    size_t index;
    json_t *name_value;
    json_array_foreach(allowed_names, index, name_value) {
        if (!json_is_string(name_value))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid allowed name %zu for a Plan 9 share: must be a string",
                               index);
    }
    int flags = PLAN9_FLAG_LINUX_METADATA;
    if (read_only)
        flags |= PLAN9_FLAG_READ_ONLY;
    if (restrict_files)
        flags |= PLAN9_FLAG_RESTRICT_FILE_ACCESS;

    /* Plan 9 share names start at 0: the name is the counter's value before it moves on. */
    uvm_lock(uvm);
    uint64_t next = 0;
    int taken = uvm_counter_take(uvm, &uvm->plan9_counter, "Plan 9 share", &next, error);
    uvm_unlock(uvm);
    if (taken != 0)
        return -1;
    char name[32];
    snprintf(name, sizeof name, "%" PRIu64, next - 1);
    char *name_copy = NULL;
    if (share_name != NULL && (name_copy = hcsoci_strdup(name)) == NULL)
        return hcsoci_fail_out_of_memory(error);

    json_t *settings = json_pack("{s:s,s:s,s:s,s:i,s:i}", "Name", name, "AccessName", name,
                                 "Path", host_path, "Port", PLAN9_PORT, "Flags", flags);
    if (settings != NULL && json_array_size(allowed_names) > 0 &&
        json_object_set_new(settings, "AllowedFiles", hcsoci_json_copy(allowed_names)) != 0) {
        json_decref(settings);
        settings = NULL;
    }
    json_t *guest = json_pack("{s:s,s:i,s:s}", "MountPath", uvm_path, "Port", PLAN9_PORT,
                              "ShareName", name);
    if (guest != NULL && read_only && json_object_set_new(guest, "ReadOnly", json_true()) != 0) {
        json_decref(guest);
        guest = NULL;
    }
    json_t *guest_request = uvm_guest_request("Add", "MappedDirectory", guest);
    json_t *request = NULL;
    if (settings != NULL && guest_request != NULL)
        request = uvm_request(PLAN9_RESOURCE_PATH, "Add", settings, guest_request);
    else {
        json_decref(settings);
        json_decref(guest_request);
    }
    uvm_lock(uvm);
    int result = uvm_modify_locked(uvm, request, error);
    uvm_unlock(uvm);
    json_decref(request);
    if (result == 0 &&
        uvm_record(resources, uvm_plan9_kind.name,
                   json_pack("{s:s,s:s}", "name", name, "uvmPath", uvm_path), error) != 0) {
        hcsoci_uvm_remove_plan9(uvm, name, uvm_path, NULL);
        result = -1;
    }
    if (result != 0) {
        free(name_copy);
        return -1;
    }
    if (share_name != NULL)
        *share_name = name_copy;
    return 0;
}

int hcsoci_uvm_remove_plan9(hcsoci_uvm *uvm, const char *share_name, const char *uvm_path,
                            hcsoci_error **error)
{
    if (uvm->properties.os != HCSOCI_UVM_LINUX)
        return uvm_not_supported(error);
    if (share_name == NULL || uvm_path == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a Plan 9 share name and path are required");
    json_t *settings = json_pack("{s:s,s:s,s:i}", "Name", share_name, "AccessName", share_name,
                                 "Port", PLAN9_PORT);
    json_t *guest = json_object();
    if (guest != NULL &&
        ((uvm_path[0] != '\0' &&
          json_object_set_new(guest, "MountPath", json_string(uvm_path)) != 0) ||
         json_object_set_new(guest, "Port", json_integer(PLAN9_PORT)) != 0 ||
         (share_name[0] != '\0' &&
          json_object_set_new(guest, "ShareName", json_string(share_name)) != 0))) {
        json_decref(guest);
        guest = NULL;
    }
    json_t *guest_request = uvm_guest_request("Remove", "MappedDirectory", guest);
    json_t *request = NULL;
    if (settings != NULL && guest_request != NULL)
        request = uvm_request(PLAN9_RESOURCE_PATH, "Remove", settings, guest_request);
    else {
        json_decref(settings);
        json_decref(guest_request);
    }
    uvm_lock(uvm);
    int result = uvm_modify_locked(uvm, request, error);
    uvm_unlock(uvm);
    if (result != 0 && error != NULL) {
        char *text = json_dumps(request, JSON_COMPACT | JSON_PRESERVE_ORDER);
        hcsoci_error_prefix(*error, "failed to remove plan9 share %s from %s: %s: ", share_name,
                            uvm->id, text != NULL ? text : "");
        free(text);
    }
    json_decref(request);
    return result;
}

/* ---- ledger entries ---- */

static int release_plan9_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error)
{
    const char *name = NULL;
    const char *uvm_path = NULL;
    if (uvm_entry_string(entry, uvm_plan9_kind.name, "name", &name, error) != 0 ||
        uvm_entry_string(entry, uvm_plan9_kind.name, "uvmPath", &uvm_path, error) != 0)
        return -1;
    if (hcsoci_uvm_remove_plan9(uvm, name, uvm_path, error) != 0)
        return uvm_release_failed(error, "plan9 share");
    return 0;
}

const uvm_release_kind uvm_plan9_kind = {"uvm.plan9", release_plan9_entry};
