/* Network namespaces and NICs of a utility VM: one NIC per HNS endpoint, added with the
 * reference's guest requests and removed in the order they were added. */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>
#include <hcsoci/ip_address.h>
#include <hcsoci/spec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void uvm_namespace_free(uvm_namespace *namespace_info)
{
    if (namespace_info == NULL)
        return;
    for (size_t i = 0; i < namespace_info->nics.count; i++) {
        uvm_nic *nic = namespace_info->nics.items[i];
        free(nic->endpoint_id);
        free(nic->nic_id);
        json_decref(nic->endpoint);
        free(nic);
    }
    uvm_list_clear(&namespace_info->nics);
    free(namespace_info->id);
    free(namespace_info);
}

static uvm_namespace *find_namespace(const hcsoci_uvm *uvm, const char *id, size_t *index)
{
    for (size_t i = 0; i < uvm->namespaces.count; i++) {
        uvm_namespace *namespace_info = uvm->namespaces.items[i];
        if (strcmp(namespace_info->id, id) == 0) {
            if (index != NULL)
                *index = i;
            return namespace_info;
        }
    }
    return NULL;
}

static ssize_t find_nic(const uvm_namespace *namespace_info, const char *endpoint_id)
{
    for (size_t i = 0; i < namespace_info->nics.count; i++) {
        const uvm_nic *nic = namespace_info->nics.items[i];
        if (strcmp(nic->endpoint_id, endpoint_id) == 0)
            return (ssize_t)i;
    }
    return -1;
}

/* True for what Go's omitempty leaves out. */
static bool is_empty(const json_t *value)
{
    return value == NULL || json_is_null(value) || json_is_false(value) ||
           (json_is_string(value) && json_string_length(value) == 0) ||
           (json_is_integer(value) && json_integer_value(value) == 0) ||
           (json_is_real(value) && json_real_value(value) == 0) ||
           (json_is_array(value) && json_array_size(value) == 0);
}

/* Copies the members of source named in fields, in that order, leaving out empty ones. */
static int copy_fields(json_t *target, const json_t *source, const char *const *fields)
{
    for (size_t i = 0; fields[i] != NULL; i++) {
        json_t *value = json_object_get(source, fields[i]);
        if (!is_empty(value) && json_object_set_new(target, fields[i], hcsoci_json_copy(value)) != 0)
            return -1;
    }
    return 0;
}

/* An HNS endpoint record in the shape the reference marshals it (HNSEndpoint). */
static json_t *normalized_endpoint(const json_t *record)
{
    static const char *const head[] = {"ID", "Name", "VirtualNetwork", "VirtualNetworkName",
                                       "Policies", "MacAddress", "IPAddress", "IPv6Address",
                                       "DNSSuffix", "DNSServerList", "GatewayAddress",
                                       "GatewayAddressV6", "EnableInternalDNS", "DisableICC",
                                       "PrefixLength", "IPv6PrefixLength", "IsRemoteEndpoint",
                                       "EnableLowMetric", NULL};
    static const char *const namespace_tail[] = {"IsDefault", "ResourceList", "CompartmentId",
                                                 NULL};
    static const char *const tail[] = {"EncapOverhead", NULL};
    json_t *endpoint = json_object();
    if (endpoint == NULL || copy_fields(endpoint, record, head) != 0)
        goto failed;
    const json_t *namespace_record = json_object_get(record, "Namespace");
    if (json_is_object(namespace_record)) {
        const json_t *id = json_object_get(namespace_record, "ID");
        json_t *namespace_json = json_pack("{s:s}", "ID", json_is_string(id) ? json_string_value(id)
                                                                               : "");
        if (namespace_json == NULL ||
            copy_fields(namespace_json, namespace_record, namespace_tail) != 0) {
            json_decref(namespace_json);
            goto failed;
        }
        /* json_object_set_new takes the value even when it fails. */
        if (json_object_set_new(endpoint, "Namespace", namespace_json) != 0)
            goto failed;
    }
    /* The reference holds the addresses as net.IP: they are written back in Go's form. */
    if (copy_fields(endpoint, record, tail) != 0 ||
        hcsoci_endpoint_canonical_addresses(endpoint, NULL) != 0)
        goto failed;
    return endpoint;
failed:
    json_decref(endpoint);
    return NULL;
}

static const char *member_string(const json_t *object, const char *key)
{
    const char *value = json_string_value(json_object_get(object, key));
    return value != NULL ? value : "";
}

/* The namespace id an endpoint record names. */
static const char *endpoint_namespace(const json_t *endpoint)
{
    return member_string(json_object_get(endpoint, "Namespace"), "ID");
}

/* {AdapterId, RequestType, Settings} (RS4 builds: AdapterInstanceId). settings is stolen. */
static json_t *network_modify_request(hcsoci_uvm *uvm, const char *adapter_id,
                                      const char *request_type, json_t *settings)
{
    bool rs5 = uvm->host->ops->os_build(uvm->host) >= HCSOCI_BUILD_RS5;
    json_t *request = json_pack("{s:s,s:s}", rs5 ? "AdapterId" : "AdapterInstanceId", adapter_id,
                                "RequestType", request_type);
    if (request == NULL) {
        json_decref(settings);
        return NULL;
    }
    /* json_object_set_new takes settings even when it fails. */
    if (settings != NULL && json_object_set_new(request, "Settings", settings) != 0) {
        json_decref(request);
        return NULL;
    }
    return request;
}

static json_t *adapter_settings(const uvm_nic *nic)
{
    json_t *settings = json_object();
    const char *mac = member_string(nic->endpoint, "MacAddress");
    if (settings == NULL ||
        (nic->endpoint_id[0] != '\0' &&
         json_object_set_new(settings, "EndpointId", json_string(nic->endpoint_id)) != 0) ||
        (mac[0] != '\0' && json_object_set_new(settings, "MacAddress", json_string(mac)) != 0)) {
        json_decref(settings);
        return NULL;
    }
    return settings;
}

/* The LCOW guest's adapter settings (LCOWNetworkAdapter). */
static json_t *lcow_adapter(const uvm_nic *nic, bool adding)
{
    json_t *settings = json_object();
    if (settings == NULL)
        return NULL;
    const char *namespace_id = endpoint_namespace(nic->endpoint);
    int failed = namespace_id[0] != '\0' &&
                 json_object_set_new(settings, "NamespaceID", json_string(namespace_id));
    if (!adding) {
        failed = failed || (nic->endpoint_id[0] != '\0' &&
                            json_object_set_new(settings, "ID", json_string(nic->endpoint_id)));
    } else {
        static const char *const before[] = {"MacAddress", "PrefixLength", "GatewayAddress",
                                             "DNSSuffix", "DNSServerList", "EnableLowMetric",
                                             "EncapOverhead", NULL};
        /* The reference writes the net.IP's String(): Go's "<nil>" for an endpoint without
         * an IPv4 address (the model's endpoint holds it in Go's form already). */
        const char *address = member_string(nic->endpoint, "IPAddress");
        failed = failed || json_object_set_new(settings, "ID", json_string(nic->nic_id)) ||
                 copy_fields(settings, nic->endpoint, before) ||
                 json_object_set_new(settings, "IPAddress",
                                     json_string(address[0] != '\0' ? address : "<nil>"));
    }
    if (failed) {
        json_decref(settings);
        return NULL;
    }
    return settings;
}

static int send(hcsoci_uvm *uvm, json_t *request, hcsoci_error **error)
{
    int result = uvm_modify_locked(uvm, request, error);
    json_decref(request);
    return result;
}

static int add_nic(hcsoci_uvm *uvm, const uvm_nic *nic, hcsoci_error **error)
{
    bool windows = uvm->properties.os == HCSOCI_UVM_WINDOWS;
    if (windows) {
        /* A guest-only PreAdd carrying the whole endpoint comes first. */
        json_t *endpoint = hcsoci_json_copy(nic->endpoint);
        json_t *pre_add =
            endpoint != NULL ? network_modify_request(uvm, nic->nic_id, "PreAdd", endpoint) : NULL;
        json_t *guest = pre_add != NULL ? uvm_guest_request("Add", "Network", pre_add) : NULL;
        if (send(uvm, guest != NULL ? uvm_request(NULL, NULL, NULL, guest) : NULL, error) != 0)
            return -1;
    }
    char path[128];
    snprintf(path, sizeof path, "VirtualMachine/Devices/NetworkAdapters/%s", nic->nic_id);
    json_t *guest_request = NULL;
    bool want_guest = windows || uvm->properties.namespace_add_request_supported;
    if (windows) {
        json_t *add = network_modify_request(uvm, nic->nic_id, "Add", NULL);
        guest_request = add != NULL ? uvm_guest_request("Add", "Network", add) : NULL;
    } else if (want_guest) {
        json_t *adapter = lcow_adapter(nic, true);
        guest_request = adapter != NULL ? uvm_guest_request("Add", "Network", adapter) : NULL;
    }
    json_t *settings = adapter_settings(nic);
    json_t *request = NULL;
    if (settings != NULL && (!want_guest || guest_request != NULL))
        request = uvm_request(path, "Add", settings, guest_request);
    else {
        json_decref(settings);
        json_decref(guest_request);
    }
    return send(uvm, request, error);
}

static int remove_nic(hcsoci_uvm *uvm, const uvm_nic *nic, hcsoci_error **error)
{
    bool windows = uvm->properties.os == HCSOCI_UVM_WINDOWS;
    char path[128];
    snprintf(path, sizeof path, "VirtualMachine/Devices/NetworkAdapters/%s", nic->nic_id);
    json_t *guest_request = NULL;
    bool want_guest = windows || uvm->properties.namespace_add_request_supported;
    if (windows) {
        /* The reference shapes this guest part as a modify request, without a resource type. */
        json_t *remove = network_modify_request(uvm, nic->nic_id, "Remove", NULL);
        guest_request = remove != NULL ? uvm_request(NULL, "Remove", remove, NULL) : NULL;
    } else if (want_guest) {
        json_t *adapter = lcow_adapter(nic, false);
        guest_request = adapter != NULL ? uvm_guest_request("Remove", "Network", adapter) : NULL;
    }
    json_t *settings = adapter_settings(nic);
    json_t *request = NULL;
    if (settings != NULL && (!want_guest || guest_request != NULL))
        request = uvm_request(path, "Remove", settings, guest_request);
    else {
        json_decref(settings);
        json_decref(guest_request);
    }
    return send(uvm, request, error);
}

/* The NetworkNamespace guest request's settings: the namespace as the host network service
 * describes it, in the shape of an HCN namespace. */
static int namespace_settings(hcsoci_uvm *uvm, const char *namespace_id, json_t **settings,
                              hcsoci_error **error)
{
    *settings = NULL;
    size_t length = strlen(namespace_id) + sizeof "/namespaces/";
    char *path = hcsoci_malloc(length);
    if (path == NULL)
        return hcsoci_fail_out_of_memory(error);
    snprintf(path, length, "/namespaces/%s", namespace_id);
    json_t *response = NULL;
    int result = uvm->host->ops->hns_call(uvm->host, "GET", path, NULL, &response, error);
    if (result == 0 && !json_is_true(json_object_get(response, "Success")))
        result = hcsoci_fail(error, HCSOCI_E_NOT_FOUND, "GET %s: %s", path,
                             member_string(response, "Error"));
    if (result == 0) {
        const json_t *output = json_object_get(response, "Output");
        const json_t *resources = json_object_get(output, "ResourceList");
        *settings = json_pack("{s:s}", "ID", namespace_id);
        if (*settings == NULL ||
            (json_array_size(resources) > 0 &&
             json_object_set_new(*settings, "Resources", hcsoci_json_copy(resources)) != 0) ||
            json_object_set_new(*settings, "SchemaVersion",
                                json_pack("{s:i,s:i}", "Major", 2, "Minor", 0)) != 0) {
            json_decref(*settings);
            *settings = NULL;
            result = hcsoci_fail_out_of_memory(error);
        }
    }
    json_decref(response);
    free(path);
    return result;
}

static int guest_namespace_request(hcsoci_uvm *uvm, const char *namespace_id,
                                   const char *request_type, hcsoci_error **error)
{
    if (!uvm->properties.namespace_add_request_supported ||
        uvm->properties.os != HCSOCI_UVM_WINDOWS)
        return 0;
    json_t *settings = NULL;
    if (namespace_settings(uvm, namespace_id, &settings, error) != 0)
        return -1;
    json_t *guest = uvm_guest_request(request_type, "NetworkNamespace", settings);
    return send(uvm, guest != NULL ? uvm_request(NULL, NULL, NULL, guest) : NULL, error);
}

int hcsoci_uvm_add_network_namespace(hcsoci_uvm *uvm, const char *namespace_id,
                                     hcsoci_resources *resources, hcsoci_error **error)
{
    if (namespace_id == NULL || namespace_id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no network namespace id to add");
    uvm_lock(uvm);
    int result = 0;
    uvm_namespace *namespace_info = NULL;
    if (find_namespace(uvm, namespace_id, NULL) != NULL) {
        result = hcsoci_fail(error, HCSOCI_E_INVALID, "network namespace already added");
    } else if ((namespace_info = hcsoci_calloc(1, sizeof *namespace_info)) == NULL ||
               (namespace_info->id = hcsoci_strdup(namespace_id)) == NULL ||
               uvm_list_reserve(&uvm->namespaces) != 0) {
        uvm_namespace_free(namespace_info);
        result = hcsoci_fail_out_of_memory(error);
    } else if (guest_namespace_request(uvm, namespace_id, "Add", error) != 0) {
        uvm_namespace_free(namespace_info);
        result = -1;
    } else {
        uvm_list_append(&uvm->namespaces, namespace_info); /* room was reserved */
    }
    uvm_unlock(uvm);
    if (result == 0 &&
        uvm_record(resources, uvm_network_namespace_kind.name,
                   json_pack("{s:s}", "namespaceId", namespace_id), error) != 0) {
        hcsoci_uvm_remove_network_namespace(uvm, namespace_id, NULL);
        return -1;
    }
    return result;
}

static int check_endpoints(const json_t *endpoints, hcsoci_error **error)
{
    if (!json_is_array(endpoints))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid endpoints: must be an array, not %s",
                           hcsoci_json_kind(endpoints));
    size_t index;
    json_t *endpoint;
    json_array_foreach(endpoints, index, endpoint) {
        if (!json_is_object(endpoint) || !json_is_string(json_object_get(endpoint, "ID")))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid endpoint %zu: must be an object with a string 'ID'", index);
        /* Its addresses must read as Go's net.IP reads them (checked on a copy). */
        json_t *copy = json_copy(endpoint);
        if (copy == NULL)
            return hcsoci_fail_out_of_memory(error);
        int checked = hcsoci_endpoint_canonical_addresses(copy, error);
        json_decref(copy);
        if (checked != 0) {
            hcsoci_error_prefix(error != NULL ? *error : NULL, "invalid endpoint %s: ",
                                json_string_value(json_object_get(endpoint, "ID")));
            return -1;
        }
    }
    return 0;
}

int hcsoci_uvm_add_endpoints_to_namespace(hcsoci_uvm *uvm, const char *namespace_id,
                                          const json_t *endpoints, hcsoci_error **error)
{
    if (namespace_id == NULL || check_endpoints(endpoints, error) != 0)
        return namespace_id == NULL ? hcsoci_fail(error, HCSOCI_E_INVALID, "no namespace id") : -1;
    uvm_lock(uvm);
    uvm_namespace *namespace_info = find_namespace(uvm, namespace_id, NULL);
    int result = 0;
    if (namespace_info == NULL)
        result = hcsoci_fail(error, HCSOCI_E_NOT_FOUND, "network namespace not found");
    size_t index;
    json_t *record;
    json_array_foreach(endpoints, index, record) {
        if (result != 0)
            break;
        const char *endpoint_id = member_string(record, "ID");
        if (find_nic(namespace_info, endpoint_id) >= 0)
            continue;
        uvm_nic *nic = hcsoci_calloc(1, sizeof *nic);
        char guid[37];
        uvm->host->ops->new_guid(uvm->host, guid);
        if (nic == NULL || (nic->endpoint_id = hcsoci_strdup(endpoint_id)) == NULL ||
            (nic->nic_id = hcsoci_strdup(guid)) == NULL ||
            (nic->endpoint = normalized_endpoint(record)) == NULL ||
            uvm_list_reserve(&namespace_info->nics) != 0) {
            result = hcsoci_fail_out_of_memory(error);
        } else if (add_nic(uvm, nic, error) != 0) {
            result = -1;
        } else {
            uvm_list_append(&namespace_info->nics, nic); /* room was reserved */
            continue;
        }
        if (nic != NULL) {
            free(nic->endpoint_id);
            free(nic->nic_id);
            json_decref(nic->endpoint);
            free(nic);
        }
    }
    uvm_unlock(uvm);
    return result;
}

/* Removes NIC index of a namespace from the VM and the model. */
static int remove_nic_at(hcsoci_uvm *uvm, uvm_namespace *namespace_info, size_t index,
                         hcsoci_error **error)
{
    uvm_nic *nic = namespace_info->nics.items[index];
    if (remove_nic(uvm, nic, error) != 0)
        return -1;
    uvm_list_remove(&namespace_info->nics, index);
    free(nic->endpoint_id);
    free(nic->nic_id);
    json_decref(nic->endpoint);
    free(nic);
    return 0;
}

int hcsoci_uvm_remove_network_namespace(hcsoci_uvm *uvm, const char *namespace_id,
                                        hcsoci_error **error)
{
    if (namespace_id == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no network namespace id to remove");
    uvm_lock(uvm);
    size_t index = 0;
    uvm_namespace *namespace_info = find_namespace(uvm, namespace_id, &index);
    int result = 0;
    if (namespace_info != NULL) {
        while (result == 0 && namespace_info->nics.count > 0)
            result = remove_nic_at(uvm, namespace_info, 0, error);
        if (result == 0)
            result = guest_namespace_request(uvm, namespace_id, "Remove", error);
        if (result == 0) {
            uvm_list_remove(&uvm->namespaces, index);
            uvm_namespace_free(namespace_info);
        }
    }
    uvm_unlock(uvm);
    return result;
}

int hcsoci_uvm_remove_endpoints_from_namespace(hcsoci_uvm *uvm, const char *namespace_id,
                                               const json_t *endpoints, hcsoci_error **error)
{
    if (namespace_id == NULL || check_endpoints(endpoints, error) != 0)
        return namespace_id == NULL ? hcsoci_fail(error, HCSOCI_E_INVALID, "no namespace id") : -1;
    uvm_lock(uvm);
    uvm_namespace *namespace_info = find_namespace(uvm, namespace_id, NULL);
    int result = 0;
    if (namespace_info == NULL)
        result = hcsoci_fail(error, HCSOCI_E_NOT_FOUND, "network namespace not found");
    size_t index;
    json_t *record;
    json_array_foreach(endpoints, index, record) {
        if (result != 0)
            break;
        ssize_t nic = find_nic(namespace_info, member_string(record, "ID"));
        if (nic >= 0)
            result = remove_nic_at(uvm, namespace_info, (size_t)nic, error);
    }
    uvm_unlock(uvm);
    return result;
}

/* ---- saving and loading ---- */

int uvm_network_save(const hcsoci_uvm *uvm, json_t *state)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < uvm->namespaces.count; i++) {
        const uvm_namespace *namespace_info = uvm->namespaces.items[i];
        json_t *nics = json_array();
        for (size_t n = 0; nics != NULL && n < namespace_info->nics.count; n++) {
            const uvm_nic *nic = namespace_info->nics.items[n];
            if (json_array_append_new(nics, json_pack("{s:s,s:s,s:O}", "endpointId",
                                                      nic->endpoint_id, "nicId", nic->nic_id,
                                                      "endpoint", nic->endpoint)) != 0) {
                json_decref(nics);
                nics = NULL;
            }
        }
        if (json_array_append_new(array, json_pack("{s:s,s:o*}", "id", namespace_info->id,
                                                   "nics", nics)) != 0 ||
            nics == NULL) {
            json_decref(array);
            array = NULL;
        }
    }
    return json_object_set_new(state, "networkNamespaces", array);
}

static int load_nic(uvm_namespace *namespace_info, const json_t *item, const char *path,
                    hcsoci_error **error)
{
    char field[160];
    json_t *endpoint = NULL;
    uvm_nic *nic = hcsoci_calloc(1, sizeof *nic);
    if (nic == NULL)
        return hcsoci_fail_out_of_memory(error);
    snprintf(field, sizeof field, "%s.endpointId", path);
    int failed = uvm_load_string(item, "endpointId", field, &nic->endpoint_id, error);
    snprintf(field, sizeof field, "%s.nicId", path);
    failed = failed || uvm_load_string(item, "nicId", field, &nic->nic_id, error);
    snprintf(field, sizeof field, "%s.endpoint", path);
    failed = failed || hcsoci_json_object(item, "endpoint", field, &endpoint, error);
    if (!failed && endpoint == NULL)
        failed = hcsoci_fail(error, HCSOCI_E_INVALID, "missing field '%s'", field);
    if (!failed && (nic->endpoint = hcsoci_json_copy(endpoint)) == NULL)
        failed = hcsoci_fail_out_of_memory(error);
    if (!failed && uvm_list_append(&namespace_info->nics, nic) != 0)
        failed = hcsoci_fail_out_of_memory(error);
    if (failed) {
        free(nic->endpoint_id);
        free(nic->nic_id);
        json_decref(nic->endpoint);
        free(nic);
        return -1;
    }
    return 0;
}

int uvm_network_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error)
{
    json_t *array = NULL;
    if (hcsoci_json_object_array(state, "networkNamespaces", "uvm.networkNamespaces", &array,
                                 error) != 0)
        return -1;
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item) {
        char path[96];
        char field[128];
        json_t *nics = NULL;
        snprintf(path, sizeof path, "uvm.networkNamespaces[%zu]", index);
        uvm_namespace *namespace_info = hcsoci_calloc(1, sizeof *namespace_info);
        if (namespace_info == NULL)
            return hcsoci_fail_out_of_memory(error);
        snprintf(field, sizeof field, "%s.id", path);
        int failed = uvm_load_string(item, "id", field, &namespace_info->id, error);
        snprintf(field, sizeof field, "%s.nics", path);
        failed = failed || hcsoci_json_object_array(item, "nics", field, &nics, error);
        if (!failed && find_namespace(uvm, namespace_info->id, NULL) != NULL)
            failed = hcsoci_fail(error, HCSOCI_E_INVALID, "'%s' repeats a namespace", path);
        size_t n;
        json_t *nic;
        json_array_foreach(nics, n, nic) {
            if (failed)
                break;
            snprintf(field, sizeof field, "%s.nics[%zu]", path, n);
            failed = load_nic(namespace_info, nic, field, error);
        }
        if (!failed && uvm_list_append(&uvm->namespaces, namespace_info) != 0)
            failed = hcsoci_fail_out_of_memory(error);
        if (failed) {
            uvm_namespace_free(namespace_info);
            return -1;
        }
    }
    return 0;
}

/* ---- ledger entries ---- */

static int release_network_namespace_entry(hcsoci_uvm *uvm, const json_t *entry,
                                           hcsoci_error **error)
{
    const char *namespace_id = NULL;
    if (uvm_entry_string(entry, uvm_network_namespace_kind.name, "namespaceId", &namespace_id,
                         error) != 0)
        return -1;
    return hcsoci_uvm_remove_network_namespace(uvm, namespace_id, error);
}

const uvm_release_kind uvm_network_namespace_kind = {"uvm.networkNamespace",
                                                     release_network_namespace_entry};
