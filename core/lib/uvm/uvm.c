/* The utility VM model: identity, properties, counters, its state as JSON, and releasing
 * ledger entries. Each kind of resource lives in its own file (vsmb.c, scsi.c, ...). */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>
#include <hcsoci/spec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lists ---- */

int uvm_list_reserve(uvm_list *list)
{
    if (list->count < list->capacity)
        return 0;
    size_t capacity = list->capacity == 0 ? 4 : list->capacity * 2;
    void **items = hcsoci_realloc(list->items, capacity * sizeof *items);
    if (items == NULL)
        return -1;
    list->items = items;
    list->capacity = capacity;
    return 0;
}

int uvm_list_append(uvm_list *list, void *item)
{
    if (uvm_list_reserve(list) != 0)
        return -1;
    list->items[list->count++] = item;
    return 0;
}

void uvm_list_remove(uvm_list *list, size_t index)
{
    memmove(&list->items[index], &list->items[index + 1],
            (list->count - index - 1) * sizeof list->items[0]);
    list->count--;
}

void uvm_list_clear(uvm_list *list)
{
    free(list->items);
    list->items = NULL;
    list->count = 0;
    list->capacity = 0;
}

/* ---- identity and properties ---- */

const char *hcsoci_uvm_os_name(hcsoci_uvm_os os)
{
    return os == HCSOCI_UVM_LINUX ? "linux" : "windows";
}

int hcsoci_uvm_new(hcsoci_host *host, const hcsoci_uvm_properties *properties, hcsoci_uvm **uvm,
                   hcsoci_error **error)
{
    *uvm = NULL;
    if (properties->id == NULL || properties->id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a utility VM needs an id");
    if (properties->os != HCSOCI_UVM_WINDOWS && properties->os != HCSOCI_UVM_LINUX)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid utility VM os %d", (int)properties->os);
    if (properties->processor_count < 1)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid utility VM processor count %d: must be at least 1",
                           (int)properties->processor_count);
    if (properties->scsi_controller_count > UVM_SCSI_CONTROLLERS)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid utility VM SCSI controller count %u: at most %d",
                           (unsigned)properties->scsi_controller_count, UVM_SCSI_CONTROLLERS);
    if (properties->vpmem_max_count > UVM_VPMEM_DEVICES)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid utility VM vPMEM device count %u: at most %d",
                           (unsigned)properties->vpmem_max_count, UVM_VPMEM_DEVICES);
    hcsoci_uvm *made = hcsoci_calloc(1, sizeof *made);
    if (made == NULL)
        return hcsoci_fail_out_of_memory(error);
    made->id = hcsoci_strdup(properties->id);
    made->owner = hcsoci_strdup(properties->owner != NULL ? properties->owner : "");
    if (made->id == NULL || made->owner == NULL) {
        free(made->id);
        free(made->owner);
        free(made);
        return hcsoci_fail_out_of_memory(error);
    }
    pthread_mutex_init(&made->lock, NULL);
    made->host = host;
    made->properties = *properties;
    made->properties.id = made->id;
    made->properties.owner = made->owner;
    *uvm = made;
    return 0;
}

int hcsoci_uvm_properties_from_json(const json_t *value, hcsoci_uvm_properties *properties,
                                    hcsoci_error **error)
{
    memset(properties, 0, sizeof *properties);
    const char *os = NULL;
    int64_t number = 0;
    uint64_t size = 0;
    bool present = false;
    if (!json_is_object(value))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid hosting system: must be an object, not %s",
                           hcsoci_json_kind(value));
    if (hcsoci_json_string(value, "id", "hostingSystem.id", &properties->id, error) ||
        hcsoci_json_string(value, "owner", "hostingSystem.owner", &properties->owner, error) ||
        hcsoci_json_string(value, "os", "hostingSystem.os", &os, error))
        return -1;
    if (os == NULL || (strcmp(os, "windows") != 0 && strcmp(os, "linux") != 0))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid field 'hostingSystem.os': '%s' is not \"windows\" or \"linux\"",
                           os != NULL ? os : "");
    properties->os = strcmp(os, "linux") == 0 ? HCSOCI_UVM_LINUX : HCSOCI_UVM_WINDOWS;
    if (hcsoci_json_integer(value, "processorCount", "hostingSystem.processorCount", 1, 1024,
                            &number, &present, error))
        return -1;
    properties->processor_count = present ? (int32_t)number : 2;
    if (hcsoci_json_integer(value, "scsiControllerCount", "hostingSystem.scsiControllerCount", 0, 4,
                            &number, &present, error))
        return -1;
    properties->scsi_controller_count = present ? (uint32_t)number : 1;
    if (hcsoci_json_integer(value, "vpmemMaxCount", "hostingSystem.vpmemMaxCount", 0, 128, &number,
                            NULL, error))
        return -1;
    properties->vpmem_max_count = (uint32_t)number;
    if (hcsoci_json_unsigned(value, "vpmemMaxSizeBytes", "hostingSystem.vpmemMaxSizeBytes", &size,
                             NULL, error))
        return -1;
    properties->vpmem_max_size_bytes = size;
    if (hcsoci_json_bool(value, "physicallyBacked", "hostingSystem.physicallyBacked",
                         &properties->physically_backed, error) ||
        hcsoci_json_bool(value, "devicesPhysicallyBacked", "hostingSystem.devicesPhysicallyBacked",
                         &properties->devices_physically_backed, error) ||
        hcsoci_json_bool(value, "namespaceAddRequestSupported",
                         "hostingSystem.namespaceAddRequestSupported",
                         &properties->namespace_add_request_supported, error))
        return -1;
    return 0;
}

void hcsoci_uvm_free(hcsoci_uvm *uvm)
{
    if (uvm == NULL)
        return;
    for (size_t i = 0; i < uvm->vsmb_directory_shares.count; i++)
        uvm_vsmb_share_free(uvm->vsmb_directory_shares.items[i]);
    for (size_t i = 0; i < uvm->vsmb_file_shares.count; i++)
        uvm_vsmb_share_free(uvm->vsmb_file_shares.items[i]);
    uvm_list_clear(&uvm->vsmb_directory_shares);
    uvm_list_clear(&uvm->vsmb_file_shares);
    for (size_t controller = 0; controller < UVM_SCSI_CONTROLLERS; controller++) {
        for (size_t lun = 0; lun < UVM_SCSI_SLOTS; lun++)
            uvm_scsi_mount_free(uvm->scsi[controller][lun]);
    }
    for (size_t i = 0; i < UVM_VPMEM_DEVICES; i++)
        uvm_vpmem_device_free(uvm->vpmem[i]);
    for (size_t i = 0; i < uvm->vpci_devices.count; i++)
        uvm_vpci_device_free(uvm->vpci_devices.items[i]);
    uvm_list_clear(&uvm->vpci_devices);
    for (size_t i = 0; i < uvm->pipes.count; i++)
        uvm_pipe_free(uvm->pipes.items[i]);
    uvm_list_clear(&uvm->pipes);
    for (size_t i = 0; i < uvm->namespaces.count; i++)
        uvm_namespace_free(uvm->namespaces.items[i]);
    uvm_list_clear(&uvm->namespaces);
    pthread_mutex_destroy(&uvm->lock);
    free(uvm->id);
    free(uvm->owner);
    free(uvm);
}

const char *hcsoci_uvm_id(const hcsoci_uvm *uvm)
{
    return uvm->id;
}

const char *hcsoci_uvm_owner(const hcsoci_uvm *uvm)
{
    return uvm->owner;
}

hcsoci_uvm_os hcsoci_uvm_get_os(const hcsoci_uvm *uvm)
{
    return uvm->properties.os;
}

int32_t hcsoci_uvm_processor_count(const hcsoci_uvm *uvm)
{
    return uvm->properties.processor_count;
}

void hcsoci_uvm_set_guest_connection(hcsoci_uvm *uvm, bool connected)
{
    uvm_lock(uvm);
    uvm->guest_connection = connected;
    uvm_unlock(uvm);
}

/* ---- counters ---- */

uint64_t hcsoci_uvm_next_container_number(hcsoci_uvm *uvm)
{
    uvm_lock(uvm);
    uint64_t number = ++uvm->container_counter;
    uvm_unlock(uvm);
    return number;
}

int uvm_counter_take(const hcsoci_uvm *uvm, uint64_t *counter, const char *what,
                     uint64_t *number, hcsoci_error **error)
{
    /* Saved as a JSON integer: past INT64_MAX it would not read back. */
    if (*counter >= (uint64_t)INT64_MAX)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "utility VM %s: its %s counter is at %lld, the largest it can hold; "
                           "no more can be numbered in it",
                           uvm->id, what, (long long)INT64_MAX);
    *number = ++*counter;
    return 0;
}

int hcsoci_uvm_take_container_number(hcsoci_uvm *uvm, uint64_t *number, hcsoci_error **error)
{
    uvm_lock(uvm);
    int result = uvm_counter_take(uvm, &uvm->container_counter, "container", number, error);
    uvm_unlock(uvm);
    return result;
}

uint64_t hcsoci_uvm_next_mount_number(hcsoci_uvm *uvm)
{
    uvm_lock(uvm);
    uint64_t number = ++uvm->mount_counter;
    uvm_unlock(uvm);
    return number;
}

int hcsoci_uvm_take_mount_number(hcsoci_uvm *uvm, uint64_t *number, hcsoci_error **error)
{
    uvm_lock(uvm);
    int result = uvm_counter_take(uvm, &uvm->mount_counter, "mount", number, error);
    uvm_unlock(uvm);
    return result;
}

/* ---- the state as JSON ---- */

int uvm_load_string(const json_t *object, const char *key, const char *path, char **value,
                    hcsoci_error **error)
{
    const char *text = NULL;
    *value = NULL;
    if (hcsoci_json_string(object, key, path, &text, error) != 0)
        return -1;
    if (text == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "missing field '%s'", path);
    *value = hcsoci_strdup(text);
    return *value != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

int uvm_load_integer(const json_t *object, const char *key, const char *path, int64_t minimum,
                     int64_t maximum, int64_t *value, hcsoci_error **error)
{
    bool present = false;
    if (hcsoci_json_integer(object, key, path, minimum, maximum, value, &present, error) != 0)
        return -1;
    return present ? 0 : hcsoci_fail(error, HCSOCI_E_INVALID, "missing field '%s'", path);
}

json_t *hcsoci_uvm_to_json(const hcsoci_uvm *uvm)
{
    const hcsoci_uvm_properties *p = &uvm->properties;
    uvm_lock(uvm);
    json_t *state = json_pack(
        "{s:s,s:s,s:s,s:i,s:I,s:I,s:I,s:b,s:b,s:b,s:b,s:I,s:I,s:I,s:I}", "id", uvm->id, "owner",
        uvm->owner, "os", hcsoci_uvm_os_name(p->os), "processorCount", (int)p->processor_count,
        "scsiControllerCount", (json_int_t)p->scsi_controller_count, "vpmemMaxCount",
        (json_int_t)p->vpmem_max_count, "vpmemMaxSizeBytes", (json_int_t)p->vpmem_max_size_bytes,
        "physicallyBacked", p->physically_backed, "devicesPhysicallyBacked",
        p->devices_physically_backed, "namespaceAddRequestSupported",
        p->namespace_add_request_supported, "guestConnection", uvm->guest_connection,
        "containerCounter", (json_int_t)uvm->container_counter, "mountCounter",
        (json_int_t)uvm->mount_counter, "vsmbCounter", (json_int_t)uvm->vsmb_counter,
        "plan9Counter", (json_int_t)uvm->plan9_counter);
    if (state != NULL &&
        (uvm_vsmb_save(uvm, state) != 0 || uvm_scsi_save(uvm, state) != 0 ||
         uvm_vpmem_save(uvm, state) != 0 || uvm_vpci_save(uvm, state) != 0 ||
         uvm_pipes_save(uvm, state) != 0 || uvm_network_save(uvm, state) != 0)) {
        json_decref(state);
        state = NULL;
    }
    uvm_unlock(uvm);
    return state;
}

static int load_counter(const json_t *value, const char *key, uint64_t *counter,
                        hcsoci_error **error)
{
    char path[64];
    int64_t number = 0;
    snprintf(path, sizeof path, "uvm.%s", key);
    if (hcsoci_json_integer(value, key, path, 0, INT64_MAX, &number, NULL, error) != 0)
        return -1;
    *counter = (uint64_t)number;
    return 0;
}

int hcsoci_uvm_from_json(hcsoci_host *host, const json_t *value, hcsoci_uvm **uvm,
                         hcsoci_error **error)
{
    hcsoci_uvm_properties properties;
    bool guest_connection = false;
    *uvm = NULL;
    if (hcsoci_uvm_properties_from_json(value, &properties, error) != 0 ||
        hcsoci_json_bool(value, "guestConnection", "uvm.guestConnection", &guest_connection,
                         error) != 0 ||
        hcsoci_uvm_new(host, &properties, uvm, error) != 0)
        return -1;
    hcsoci_uvm *made = *uvm;
    made->guest_connection = guest_connection;
    if (load_counter(value, "containerCounter", &made->container_counter, error) != 0 ||
        load_counter(value, "mountCounter", &made->mount_counter, error) != 0 ||
        load_counter(value, "vsmbCounter", &made->vsmb_counter, error) != 0 ||
        load_counter(value, "plan9Counter", &made->plan9_counter, error) != 0 ||
        uvm_vsmb_load(made, value, error) != 0 || uvm_scsi_load(made, value, error) != 0 ||
        uvm_vpmem_load(made, value, error) != 0 || uvm_vpci_load(made, value, error) != 0 ||
        uvm_pipes_load(made, value, error) != 0 || uvm_network_load(made, value, error) != 0) {
        hcsoci_fail_prefixed(error, "invalid saved utility VM '%s': ", made->id);
        hcsoci_uvm_free(made);
        *uvm = NULL;
        return -1;
    }
    return 0;
}

/* ---- releasing ledger entries ---- */

int uvm_entry_string(const json_t *entry, const char *kind, const char *key, const char **value,
                     hcsoci_error **error)
{
    char path[96];
    snprintf(path, sizeof path, "%s.%s", kind, key);
    if (hcsoci_json_string(entry, key, path, value, error) != 0)
        return -1;
    if (*value == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid ledger entry: missing field '%s'",
                           path);
    return 0;
}

int uvm_release_failed(hcsoci_error **error, const char *what)
{
    return hcsoci_fail_prefixed(error, "failed to remove %s: ", what);
}

/* Every kind of "uvm." entry; each resource file defines its own. */
static const uvm_release_kind *const release_kinds[] = {
    &uvm_vsmb_kind, &uvm_scsi_kind, &uvm_vpmem_kind, &uvm_lcow_layer_kind, &uvm_plan9_kind,
    &uvm_pipe_kind, &uvm_vpci_kind, &uvm_hvsocket_kind, &uvm_network_namespace_kind,
    &uvm_combined_layers_kind,
};

int hcsoci_uvm_release_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error)
{
    const char *kind = NULL;
    if (uvm == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "cannot release a utility VM resource: no VM");
    if (!json_is_object(entry))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid ledger entry: must be an object, not %s",
                           hcsoci_json_kind(entry));
    if (uvm_entry_string(entry, "entry", "kind", &kind, error) != 0)
        return -1;
    for (size_t i = 0; i < sizeof release_kinds / sizeof release_kinds[0]; i++) {
        if (strcmp(kind, release_kinds[i]->name) == 0)
            return release_kinds[i]->release(uvm, entry, error);
    }
    return hcsoci_fail(error, HCSOCI_E_INVALID,
                       "cannot release a resource of kind '%s': not a utility VM resource", kind);
}
