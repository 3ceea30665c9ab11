/* The container credential guard service: adding an instance through the host's
 * modify-service-settings call, finding its state among the host's service properties, and
 * removing it again when the container's ledger is released. */
#include <hcsoci/credentials.h>

#include "acting_module.h"

#include <stdio.h>
#include <string.h>

#include <hcsoci/document.h>
#include <hcsoci/log.h>

#define PROPERTY_TYPE "ContainerCredentialGuard"
#define RETRIEVE_CONTEXT "failed to retrieve container credential guard instances: "
#define UNMARSHAL_CONTEXT "failed to unmarshal container credential guard instances: "

/* Hands host_error (or a generic one when the host gave none) to the caller with
 * "<context>hcsshim::<operation>: " in front of the host's text. */
static int fail_host_call(hcsoci_error *host_error, const char *context, const char *operation,
                          hcsoci_error **error)
{
    if (host_error == NULL)
        host_error = hcsoci_error_new(HCSOCI_E_FAIL, "%s", hcsoci_hresult_text(HCSOCI_E_FAIL));
    hcsoci_error_prefix(host_error, "%shcsshim::%s: ", context, operation);
    return hcsoci_error_store(error, host_error);
}

/* {"PropertyType": "ContainerCredentialGuard", "Settings": {"Operation": operation,
 * "OperationDetails": details}} with details stolen; NULL when memory runs out. */
static json_t *modification_request(const char *operation, json_t *details)
{
    if (details == NULL)
        return NULL;
    return json_pack("{s:s, s:{s:s, s:o}}", "PropertyType", PROPERTY_TYPE, "Settings",
                     "Operation", operation, "OperationDetails", details);
}

/* Sets name to value in object unless value is empty (the schema's omit-when-empty rule). */
static int put_string_unless_empty(json_t *object, const char *name, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return 0;
    return json_object_set_new(object, name, json_string(value));
}

/* The ContainerCredentialGuardAddInstanceRequest {Id, CredentialSpec, Transport}. */
static json_t *add_instance_request(const char *container_id, const char *credential_spec,
                                    const char *transport)
{
    json_t *details = json_object();
    if (details == NULL)
        return NULL;
    if (put_string_unless_empty(details, "Id", container_id) != 0 ||
        put_string_unless_empty(details, "CredentialSpec", credential_spec) != 0 ||
        put_string_unless_empty(details, "Transport", transport) != 0) {
        json_decref(details);
        return NULL;
    }
    return modification_request("AddInstance", details);
}

/* The ContainerCredentialGuardRemoveInstanceRequest {Id}. */
static json_t *remove_instance_request(const char *instance_id)
{
    json_t *details = json_object();
    if (details == NULL)
        return NULL;
    if (put_string_unless_empty(details, "Id", instance_id) != 0) {
        json_decref(details);
        return NULL;
    }
    return modification_request("RemoveInstance", details);
}

/* A service document checked against the HCS schema before it is sent, blaming the module
 * the core is working for. */
static int check_service_document(const json_t *document, hcsoci_document_kind kind,
                                  const char *name, hcsoci_error **error)
{
    if (hcsoci_document_problems(document, kind, NULL, error) == 0)
        return 0;
    char actor[128], what[192];
    acting_module_describe(actor, sizeof actor);
    snprintf(what, sizeof what, "%s: %s", actor, name);
    return hcsoci_document_check(document, kind, what, error);
}

/* Sends a credential guard modification request; the error carries the host's text after
 * "<context>hcsshim::ModifyServiceSettings: ". */
static int modify_service_settings(hcsoci_host *host, const json_t *request, const char *context,
                                   hcsoci_error **error)
{
    if (check_service_document(request, HCSOCI_DOCUMENT_SERVICE_SETTINGS, "service settings",
                               error) != 0)
        return -1;
    hcsoci_error *host_error = NULL;
    if (host->ops->modify_service_settings(host, request, &host_error) == 0)
        return 0;
    return fail_host_call(host_error, context, "ModifyServiceSettings", error);
}

/* Removes the instance of instance_id from the host; context goes in front of the error. */
static int remove_instance(hcsoci_host *host, const char *instance_id, const char *context,
                           hcsoci_error **error)
{
    HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "containerID", instance_id),
               "removing container credential guard");
    json_t *request = remove_instance_request(instance_id);
    if (request == NULL)
        return hcsoci_fail_out_of_memory(error);
    int status = modify_service_settings(host, request, context, error);
    json_decref(request);
    return status;
}

/* ---- Reading the host's answer the way the schema's types decode it ---- */

static const char *json_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

typedef enum field_type { FIELD_STRING, FIELD_BOOL } field_type;

typedef struct field {
    const char *name;
    field_type type;
} field;

static const field state_fields[] = {
    {"Cookie", FIELD_STRING},
    {"RpcEndpoint", FIELD_STRING},
    {"Transport", FIELD_STRING},
    {"CredentialSpec", FIELD_STRING},
};

static const field hvsocket_service_fields[] = {
    {"BindSecurityDescriptor", FIELD_STRING},
    {"ConnectSecurityDescriptor", FIELD_STRING},
    {"AllowWildcardBinds", FIELD_BOOL},
    {"Disabled", FIELD_BOOL},
};

static const field hvsocket_config_fields[] = {
    {"ServiceId", FIELD_STRING},
};

#define FIELD_COUNT(fields) (sizeof(fields) / sizeof((fields)[0]))

/* Decodes an object of string and boolean fields into a new object holding the known fields
 * in the schema's order, without empty strings, false and nulls (other members are ignored).
 * An absent or null source gives *result NULL. path names the source in errors. */
static int decode_flat_object(const json_t *source, const field *fields, size_t field_count,
                              const char *path, json_t **result, hcsoci_error **error)
{
    *result = NULL;
    if (source == NULL || json_is_null(source))
        return 0;
    if (!json_is_object(source))
        return hcsoci_fail(error, HCSOCI_E_INVALID, UNMARSHAL_CONTEXT "field '%s' must be an "
                           "object, not %s", path, json_type_name(source));
    json_t *decoded = json_object();
    if (decoded == NULL)
        return hcsoci_fail_out_of_memory(error);
    for (size_t i = 0; i < field_count; i++) {
        const json_t *value = json_object_get(source, fields[i].name);
        if (value == NULL || json_is_null(value))
            continue;
        bool right_type = fields[i].type == FIELD_STRING ? json_is_string(value)
                                                         : json_is_boolean(value);
        if (!right_type) {
            json_decref(decoded);
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               UNMARSHAL_CONTEXT "field '%s.%s' must be %s, not %s", path,
                               fields[i].name,
                               fields[i].type == FIELD_STRING ? "a string" : "a boolean",
                               json_type_name(value));
        }
        int failed = 0;
        if (fields[i].type == FIELD_STRING)
            failed = put_string_unless_empty(decoded, fields[i].name, json_string_value(value));
        else if (json_is_true(value))
            failed = json_object_set_new(decoded, fields[i].name, json_true());
        if (failed != 0) {
            json_decref(decoded);
            return hcsoci_fail_out_of_memory(error);
        }
    }
    *result = decoded;
    return 0;
}

/* Decodes a ContainerCredentialGuardHvSocketServiceConfig {ServiceId, ServiceConfig}. */
static int decode_hvsocket_config(const json_t *source, const char *path, json_t **result,
                                  hcsoci_error **error)
{
    if (decode_flat_object(source, hvsocket_config_fields, FIELD_COUNT(hvsocket_config_fields),
                           path, result, error) != 0)
        return -1;
    if (*result == NULL)
        return 0;
    char service_path[160];
    snprintf(service_path, sizeof service_path, "%s.ServiceConfig", path);
    json_t *service = NULL;
    if (decode_flat_object(json_object_get(source, "ServiceConfig"), hvsocket_service_fields,
                           FIELD_COUNT(hvsocket_service_fields), service_path, &service,
                           error) != 0) {
        json_decref(*result);
        *result = NULL;
        return -1;
    }
    if (service != NULL && json_object_set_new(*result, "ServiceConfig", service) != 0) {
        json_decref(*result);
        *result = NULL;
        return hcsoci_fail_out_of_memory(error);
    }
    return 0;
}

/* Decodes one ContainerCredentialGuardInstance {Id, CredentialGuard, HvSocketConfig}, keeping
 * its state and HvSocket config in *result when wanted is true. Every instance is decoded so
 * that a malformed one fails as it would in the schema's decoder, whichever one is looked for. */
static int decode_instance(const json_t *source, size_t index, bool wanted,
                           hcsoci_credential_guard *result, hcsoci_error **error)
{
    if (source == NULL || json_is_null(source))
        return 0;
    char path[64];
    snprintf(path, sizeof path, "Instances[%zu]", index);
    if (!json_is_object(source))
        return hcsoci_fail(error, HCSOCI_E_INVALID, UNMARSHAL_CONTEXT "field '%s' must be an "
                           "object, not %s", path, json_type_name(source));
    const json_t *id_value = json_object_get(source, "Id");
    if (id_value != NULL && !json_is_null(id_value) && !json_is_string(id_value))
        return hcsoci_fail(error, HCSOCI_E_INVALID, UNMARSHAL_CONTEXT "field '%s.Id' must be a "
                           "string, not %s", path, json_type_name(id_value));

    char field_path[96];
    json_t *state = NULL, *hvsocket_config = NULL;
    snprintf(field_path, sizeof field_path, "%s.CredentialGuard", path);
    if (decode_flat_object(json_object_get(source, "CredentialGuard"), state_fields,
                           FIELD_COUNT(state_fields), field_path, &state, error) != 0)
        return -1;
    snprintf(field_path, sizeof field_path, "%s.HvSocketConfig", path);
    if (decode_hvsocket_config(json_object_get(source, "HvSocketConfig"), field_path,
                               &hvsocket_config, error) != 0) {
        json_decref(state);
        return -1;
    }
    if (wanted) {
        result->state = state;
        result->hvsocket_config = hvsocket_config;
    } else {
        json_decref(state);
        json_decref(hvsocket_config);
    }
    return 0;
}

/* Finds the instance of container_id in the ServiceProperties answer
 * {"Properties": [{"Instances": [...]}]}. */
static int find_instance(const json_t *answer, const char *container_id,
                         hcsoci_credential_guard *result, hcsoci_error **error)
{
    if (answer == NULL)
        return hcsoci_fail(error, HCSOCI_E_FAIL,
                           RETRIEVE_CONTEXT "unexpected value returned from hcs");
    if (!json_is_object(answer))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           RETRIEVE_CONTEXT "the service properties must be an object, not %s",
                           json_type_name(answer));
    const json_t *properties = json_object_get(answer, "Properties");
    if (properties != NULL && !json_is_null(properties) && !json_is_array(properties))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           RETRIEVE_CONTEXT "field 'Properties' must be an array, not %s",
                           json_type_name(properties));
    if (json_array_size(properties) != 1)
        return hcsoci_fail(error, HCSOCI_E_FAIL, "wrong number of service properties present");

    const json_t *system_info = json_array_get(properties, 0);
    const json_t *instances = NULL;
    if (!json_is_null(system_info)) {
        if (!json_is_object(system_info))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               UNMARSHAL_CONTEXT "the system info must be an object, not %s",
                               json_type_name(system_info));
        instances = json_object_get(system_info, "Instances");
        if (instances != NULL && !json_is_null(instances) && !json_is_array(instances))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               UNMARSHAL_CONTEXT "field 'Instances' must be an array, not %s",
                               json_type_name(instances));
    }

    bool found = false;
    for (size_t index = 0; index < json_array_size(instances); index++) {
        const json_t *instance = json_array_get(instances, index);
        const json_t *id_value = json_object_get(instance, "Id");
        bool wanted = !found && json_is_string(id_value) &&
                      strcmp(json_string_value(id_value), container_id) == 0;
        if (decode_instance(instance, index, wanted, result, error) != 0) {
            hcsoci_credential_guard_clear(result);
            return -1;
        }
        found = found || wanted;
    }
    if (!found)
        return hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                           "failed to find credential guard instance with container ID %s",
                           container_id);
    return 0;
}

/* Asks the host for all credential guard instances and picks container_id's. */
static int read_instance(hcsoci_host *host, const char *container_id,
                         hcsoci_credential_guard *result, hcsoci_error **error)
{
    json_t *query = json_pack("{s:[s]}", "PropertyTypes", PROPERTY_TYPE);
    if (query == NULL)
        return hcsoci_fail_out_of_memory(error);
    if (check_service_document(query, HCSOCI_DOCUMENT_PROPERTY_QUERY, "property query",
                               error) != 0) {
        json_decref(query);
        return -1;
    }
    json_t *answer = NULL;
    hcsoci_error *host_error = NULL;
    int status = host->ops->get_service_properties(host, query, &answer, &host_error);
    json_decref(query);
    if (status != 0) {
        json_decref(answer);
        return fail_host_call(host_error, RETRIEVE_CONTEXT, "GetServiceProperties", error);
    }
    status = find_instance(answer, container_id, result, error);
    json_decref(answer);
    return status;
}

/* Records the instance in the ledger; when that fails the instance is removed at once. */
static int record_instance(hcsoci_host *host, hcsoci_resources *resources,
                           const char *container_id, hcsoci_error **error)
{
    json_t *details = json_pack("{s:s}", "instanceId", container_id);
    if (details == NULL) {
        remove_instance(host, container_id, "", NULL);
        return hcsoci_fail_out_of_memory(error);
    }
    if (hcsoci_resources_add(resources, HCSOCI_CREDENTIAL_GUARD_KIND, details, error) != 0) {
        remove_instance(host, container_id, "", NULL);
        return -1;
    }
    return 0;
}

int hcsoci_credential_guard_create(hcsoci_host *host, hcsoci_resources *resources,
                                   const char *container_id, const char *credential_spec,
                                   bool hypervisor_isolated, hcsoci_credential_guard *result,
                                   hcsoci_error **error)
{
    if (result != NULL)
        memset(result, 0, sizeof *result);
    if (host == NULL || resources == NULL || result == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "a host, a ledger and a result are required for a container "
                           "credential guard instance");
    if (container_id == NULL || container_id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "a container credential guard instance needs a container id");
    if (credential_spec == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "a container credential guard instance needs a credential spec");

    HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "containerID", container_id),
               "creating container credential guard instance");
    const char *transport = hypervisor_isolated ? "HvSocket" : "LRPC";
    json_t *request = add_instance_request(container_id, credential_spec, transport);
    if (request == NULL)
        return hcsoci_fail_out_of_memory(error);
    int status = modify_service_settings(
        host, request, "failed to generate container credential guard instance: ", error);
    json_decref(request);
    if (status != 0)
        return -1;

    if (record_instance(host, resources, container_id, error) != 0)
        return -1;
    return read_instance(host, container_id, result, error);
}

int hcsoci_credential_guard_hvsocket_service(const hcsoci_credential_guard *guard,
                                             const char **service_id,
                                             hcsoci_hvsocket_service_config *config,
                                             hcsoci_error **error)
{
    if (guard == NULL || service_id == NULL || config == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "a credential guard, a service id and a config are required");
    *service_id = NULL;
    memset(config, 0, sizeof *config);
    const char *id = json_string_value(json_object_get(guard->hvsocket_config, "ServiceId"));
    if (id == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "the container credential guard instance has no HvSocket service id");
    const json_t *service = json_object_get(guard->hvsocket_config, "ServiceConfig");
    *service_id = id;
    config->bind_security_descriptor =
        json_string_value(json_object_get(service, "BindSecurityDescriptor"));
    config->connect_security_descriptor =
        json_string_value(json_object_get(service, "ConnectSecurityDescriptor"));
    config->allow_wildcard_binds = json_is_true(json_object_get(service, "AllowWildcardBinds"));
    config->disabled = json_is_true(json_object_get(service, "Disabled"));
    return 0;
}

void hcsoci_credential_guard_clear(hcsoci_credential_guard *guard)
{
    if (guard == NULL)
        return;
    json_decref(guard->state);
    json_decref(guard->hvsocket_config);
    memset(guard, 0, sizeof *guard);
}

int hcsoci_credentials_release_entry(hcsoci_host *host, const json_t *entry,
                                     hcsoci_error **error)
{
    if (host == NULL || !json_is_object(entry))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a host and a ledger entry are required");
    const char *kind = json_string_value(json_object_get(entry, "kind"));
    if (kind == NULL || strcmp(kind, HCSOCI_CREDENTIAL_GUARD_KIND) != 0)
        return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                           "cannot release a resource of kind '%s': not a credential guard "
                           "instance",
                           kind != NULL ? kind : "(none)");
    const json_t *instance_id = json_object_get(entry, "instanceId");
    if (!json_is_string(instance_id) || json_string_length(instance_id) == 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid ledger entry '%s': field 'instanceId' must be a non-empty "
                           "string",
                           kind);
    return remove_instance(host, json_string_value(instance_id),
                           "failed to remove container credential guard instance: ", error);
}
