/* Modify requests to a utility VM: building them in the reference's field order, sending
 * them with the host-then-guest semantics, and the errors the reference words for them. */
#include "uvm_internal.h"

#include "../acting_module.h"
#include "../hcs_errors.h"

#include <hcsoci/document.h>

#include <hcsoci/layers.h>
#include <hcsoci/log.h>
#include <hcsoci/spec.h>
#include <hcsoci/windows_path.h>

#include <stdlib.h>
#include <string.h>

void uvm_lock(const hcsoci_uvm *uvm)
{
    pthread_mutex_lock(&((hcsoci_uvm *)uvm)->lock);
}

void uvm_unlock(const hcsoci_uvm *uvm)
{
    pthread_mutex_unlock(&((hcsoci_uvm *)uvm)->lock);
}

int uvm_not_supported(hcsoci_error **error)
{
    return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED, "not supported");
}

int uvm_record(hcsoci_resources *resources, const char *kind, json_t *details,
               hcsoci_error **error)
{
    if (resources == NULL) {
        json_decref(details);
        return 0;
    }
    if (details == NULL)
        return hcsoci_fail_out_of_memory(error);
    return hcsoci_resources_add(resources, kind, details, error);
}

int uvm_stat_error(hcsoci_uvm *uvm, const char *path, hcsoci_error **error)
{
    /* Windows says "file" when the parent directory exists and "path" when it does not. */
    char *parent = hcsoci_windows_path_dir(path);
    bool parent_exists = parent != NULL &&
                         uvm->host->ops->stat_path(uvm->host, parent, NULL) ==
                             HCSOCI_PATH_DIRECTORY;
    free(parent);
    return hcsoci_fail(error, (int32_t)(parent_exists ? 0x80070002 : 0x80070003),
                       "CreateFile %s: The system cannot find the %s specified.", path,
                       parent_exists ? "file" : "path");
}

json_t *uvm_guest_request(const char *request_type, const char *resource_type, json_t *settings)
{
    json_t *request = settings != NULL ? json_object() : NULL;
    if (request == NULL) {
        json_decref(settings);
        return NULL;
    }
    int failed = 0;
    if (request_type != NULL && request_type[0] != '\0')
        failed |= json_object_set_new(request, "RequestType", json_string(request_type));
    if (resource_type != NULL && resource_type[0] != '\0')
        failed |= json_object_set_new(request, "ResourceType", json_string(resource_type));
    failed |= json_object_set_new(request, "Settings", settings);
    if (failed) {
        json_decref(request);
        return NULL;
    }
    return request;
}

json_t *uvm_request(const char *resource_path, const char *request_type, json_t *settings,
                    json_t *guest_request)
{
    json_t *request = json_object();
    if (request == NULL) {
        json_decref(settings);
        json_decref(guest_request);
        return NULL;
    }
    int failed = 0;
    if (resource_path != NULL && resource_path[0] != '\0')
        failed |= json_object_set_new(request, "ResourcePath", json_string(resource_path));
    if (request_type != NULL && request_type[0] != '\0')
        failed |= json_object_set_new(request, "RequestType", json_string(request_type));
    if (settings != NULL)
        failed |= json_object_set_new(request, "Settings", settings);
    if (guest_request != NULL)
        failed |= json_object_set_new(request, "GuestRequest", guest_request);
    if (failed) {
        json_decref(request);
        return NULL;
    }
    return request;
}

static int send_request(hcsoci_uvm *uvm, const json_t *request, hcsoci_error **error);

/* HcsModifyComputeSystem with the reference's error: the operation, the VM id, the host's
 * text and the request that was refused. */
static int host_modify(hcsoci_uvm *uvm, const json_t *request, hcsoci_error **error)
{
    hcsoci_error *host_error = NULL;
    if (uvm->host->ops->modify_compute_system(uvm->host, uvm->id, request, &host_error) == 0)
        return 0;
    return hcs_call_failed(host_error, "hcsshim::System::Modify", uvm->id, request, error);
}

/* The guest part over the guest connection. The host boundary has one channel into a VM, so
 * the guest part travels as a guest-only modify request. */
static int guest_modify(hcsoci_uvm *uvm, const json_t *guest_request, hcsoci_error **error)
{
    json_t *request = json_pack("{s:O}", "GuestRequest", guest_request);
    if (request == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = host_modify(uvm, request, error);
    json_decref(request);
    if (result != 0)
        hcsoci_fail_prefixed(error, "guest modify: ");
    return result;
}

/* The request checked against the HCS schema of the VM's guest before anything of it is
 * sent. The error names who made it (the module the core works for, directly or through the
 * utility VM model) and the request by its resource path (or guest resource type). */
static int check_request(const hcsoci_uvm *uvm, const json_t *request, bool built_by_module,
                         hcsoci_error **error)
{
    hcsoci_document_kind kind = uvm->properties.os == HCSOCI_UVM_LINUX
                                    ? HCSOCI_DOCUMENT_MODIFY_LINUX
                                    : HCSOCI_DOCUMENT_MODIFY_WINDOWS;
    if (hcsoci_document_problems(request, kind, NULL, error) == 0)
        return 0;
    char actor[128], what[512];
    acting_module_describe(actor, sizeof actor);
    const char *resource_path = json_string_value(json_object_get(request, "ResourcePath"));
    const char *resource_type = json_string_value(
        json_object_get(json_object_get(request, "GuestRequest"), "ResourceType"));
    if (resource_path != NULL)
        snprintf(what, sizeof what, "%s%s: modify request %s", actor,
                 built_by_module ? "" : " (through the utility VM model)", resource_path);
    else
        snprintf(what, sizeof what, "%s%s: guest modify request%s%s", actor,
                 built_by_module ? "" : " (through the utility VM model)",
                 resource_type != NULL ? " " : "", resource_type != NULL ? resource_type : "");
    return hcsoci_document_check(request, kind, what, error);
}

int uvm_modify_locked(hcsoci_uvm *uvm, const json_t *request, hcsoci_error **error)
{
    if (request == NULL)
        return hcsoci_fail_out_of_memory(error);
    if (check_request(uvm, request, false, error) != 0)
        return -1;
    return send_request(uvm, request, error);
}

/* Sends a checked request with the host-then-guest semantics. */
static int send_request(hcsoci_uvm *uvm, const json_t *request, hcsoci_error **error)
{
    const json_t *guest_request = json_object_get(request, "GuestRequest");
    if (guest_request == NULL || !uvm->guest_connection)
        return host_modify(uvm, request, error);

    const char *resource_path = json_string_value(json_object_get(request, "ResourcePath"));
    const char *request_type = json_string_value(json_object_get(request, "RequestType"));
    bool has_resource = resource_path != NULL && resource_path[0] != '\0';
    bool adding = has_resource && request_type != NULL && strcmp(request_type, "Add") == 0;
    bool removing = has_resource && request_type != NULL && strcmp(request_type, "Remove") == 0;
    json_t *host_request = json_copy((json_t *)request);
    /* The undo of an add is built before the add is sent, so that it cannot be missing. */
    json_t *undo_request = adding ? json_copy(host_request) : NULL;
    if (host_request == NULL || (adding && undo_request == NULL) ||
        (adding && (json_object_del(undo_request, "GuestRequest") != 0 ||
                    json_object_set_new(undo_request, "RequestType",
                                        json_string("Remove")) != 0))) {
        json_decref(host_request);
        json_decref(undo_request);
        return hcsoci_fail_out_of_memory(error);
    }
    json_object_del(host_request, "GuestRequest");

    int result = 0;
    if (adding && host_modify(uvm, host_request, error) != 0) {
        result = hcsoci_fail_prefixed(error, "adding VM resources: ");
    } else if (guest_modify(uvm, guest_request, error) != 0) {
        if (adding) {
            hcsoci_error *rollback_error = NULL;
            if (host_modify(uvm, undo_request, &rollback_error) != 0) {
                HCSOCI_LOG(HCSOCI_LOG_ERROR,
                           json_pack("{s:s}", "error", rollback_error->message),
                           "failed to roll back resource add");
                hcsoci_error_free(rollback_error);
            }
        }
        result = -1;
    } else if (removing && host_modify(uvm, host_request, error) != 0) {
        if (error != NULL) {
            hcsoci_error_prefix(*error, "removing VM resources: ");
            HCSOCI_LOG(HCSOCI_LOG_ERROR, json_pack("{s:s}", "error", (*error)->message),
                       "failed to remove host resources after successful guest request");
        }
        result = -1;
    }
    json_decref(host_request);
    json_decref(undo_request);
    return result;
}

int hcsoci_uvm_modify(hcsoci_uvm *uvm, const json_t *request, hcsoci_error **error)
{
    if (!json_is_object(request))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid modify request: must be an object, not %s",
                           hcsoci_json_kind(request));
    uvm_lock(uvm);
    int result = check_request(uvm, request, true, error) == 0
                     ? send_request(uvm, request, error)
                     : -1;
    uvm_unlock(uvm);
    return result;
}

int hcsoci_uvm_guest_request(hcsoci_uvm *uvm, const json_t *guest_request, hcsoci_error **error)
{
    if (!json_is_object(guest_request))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid guest request: must be an object, not %s",
                           hcsoci_json_kind(guest_request));
    json_t *request = json_pack("{s:O}", "GuestRequest", guest_request);
    if (request == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = hcsoci_uvm_modify(uvm, request, error);
    json_decref(request);
    return result;
}

int uvm_grant_access(hcsoci_uvm *uvm, const char *host_path, hcsoci_vm_access access,
                     hcsoci_error **error)
{
    if (access == HCSOCI_VM_ACCESS_GROUP) {
        /* The VM group's access is an ACL on the host file, not a host-service call. */
        HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "path", host_path),
                   "granting vm group access");
        return 0;
    }
    if (access != HCSOCI_VM_ACCESS_INDIVIDUAL)
        return 0;
    hcsoci_error *host_error = NULL;
    if (uvm->host->ops->grant_vm_access(uvm->host, uvm->id, host_path, &host_error) == 0)
        return 0;
    if (host_error == NULL)
        host_error = hcsoci_error_new(HCSOCI_E_FAIL, "%s", hcsoci_hresult_text(HCSOCI_E_FAIL));
    hcsoci_layers_wrap_host_error(host_error, "GrantVmAccess");
    return hcsoci_error_store(error, host_error);
}
