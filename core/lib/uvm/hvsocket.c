/* The utility VM's HvSocket service table. */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HVSOCKET_RESOURCE_FORMAT "VirtualMachine/Devices/HvSocket/HvSocketConfig/ServiceTable/%s"

static char *service_path(const char *service_id)
{
    size_t length = strlen(HVSOCKET_RESOURCE_FORMAT) + strlen(service_id) + 1;
    char *path = hcsoci_malloc(length);
    if (path != NULL)
        snprintf(path, length, HVSOCKET_RESOURCE_FORMAT, service_id);
    return path;
}

/* {BindSecurityDescriptor, ConnectSecurityDescriptor, AllowWildcardBinds, Disabled}. */
static json_t *service_config(const hcsoci_hvsocket_service_config *config)
{
    json_t *settings = json_object();
    int failed = settings == NULL;
    if (!failed && config->bind_security_descriptor != NULL &&
        config->bind_security_descriptor[0] != '\0')
        failed = json_object_set_new(settings, "BindSecurityDescriptor",
                                     json_string(config->bind_security_descriptor));
    if (!failed && config->connect_security_descriptor != NULL &&
        config->connect_security_descriptor[0] != '\0')
        failed = json_object_set_new(settings, "ConnectSecurityDescriptor",
                                     json_string(config->connect_security_descriptor));
    if (!failed && config->allow_wildcard_binds)
        failed = json_object_set_new(settings, "AllowWildcardBinds", json_true());
    if (!failed && config->disabled)
        failed = json_object_set_new(settings, "Disabled", json_true());
    if (failed) {
        json_decref(settings);
        return NULL;
    }
    return settings;
}

int hcsoci_uvm_update_hvsocket_service(hcsoci_uvm *uvm, const char *service_id,
                                       const hcsoci_hvsocket_service_config *config,
                                       hcsoci_resources *resources, hcsoci_error **error)
{
    if (service_id == NULL || service_id[0] == '\0' || config == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "an HvSocket service id and configuration are required");
    char *path = service_path(service_id);
    json_t *settings = service_config(config);
    json_t *request = NULL;
    if (path != NULL && settings != NULL)
        request = uvm_request(path, "Update", settings, NULL);
    else
        json_decref(settings);
    uvm_lock(uvm);
    int result = uvm_modify_locked(uvm, request, error);
    uvm_unlock(uvm);
    json_decref(request);
    free(path);
    if (result == 0 &&
        uvm_record(resources, uvm_hvsocket_kind.name,
                   json_pack("{s:s}", "serviceId", service_id), error) != 0) {
        hcsoci_uvm_remove_hvsocket_service(uvm, service_id, NULL);
        return -1;
    }
    return result;
}

int hcsoci_uvm_remove_hvsocket_service(hcsoci_uvm *uvm, const char *service_id,
                                       hcsoci_error **error)
{
    if (service_id == NULL || service_id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "an HvSocket service id is required");
    char *path = service_path(service_id);
    json_t *request = path != NULL ? uvm_request(path, "Remove", NULL, NULL) : NULL;
    uvm_lock(uvm);
    int result = uvm_modify_locked(uvm, request, error);
    uvm_unlock(uvm);
    json_decref(request);
    free(path);
    return result;
}

/* ---- ledger entries ---- */

static int release_hvsocket_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error)
{
    const char *service_id = NULL;
    if (uvm_entry_string(entry, uvm_hvsocket_kind.name, "serviceId", &service_id, error) != 0)
        return -1;
    return hcsoci_uvm_remove_hvsocket_service(uvm, service_id, error);
}

const uvm_release_kind uvm_hvsocket_kind = {"uvm.hvsocket", release_hvsocket_entry};
