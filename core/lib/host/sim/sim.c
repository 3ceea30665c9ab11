/* The embedded simulated host ("sim"): answers every host call from a world description,
 * records the calls in a journal, and fails the call that failCall names.
 *
 * World members are documented in sim_internal.h. Two extras beyond the corpus's `host` part:
 * "seed" (integer >= 0, seeds the GUID generator) and "guestProcessOutputs"
 * ({"<vm id>": {"<command line>": "<output>"}}, run_guest_process's answers).
 *
 * GUIDs: new_guid draws 128 bits from splitmix64 seeded with "seed" and marks them version 4;
 * POST /namespaces/ draws from the same generator once hnsNewNamespaceIds is used up.
 * NameToGuid for a name no layerIds path ends in answers a GUID derived from the name: the
 * FNV-1a 64-bit hash of the lower-cased name, then FNV-1a 64 of the same bytes continued from
 * that hash, as 16 bytes (big endian), marked version 8 (custom, RFC 9562), variant 10. */
#include "sim_internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <hcsoci/log.h>

static const char *const call_names[] = {
    "HcsCreateComputeSystem", "HcsModifyComputeSystem", "HcsModifyServiceSettings",
    "HcsGetServiceProperties", "GrantVmAccess", "RunGuestProcess", "HNSCall", "NameToGuid",
    "ActivateLayer", "PrepareLayer", "GetLayerMountPath", "UnprepareLayer", "DeactivateLayer",
    "CreateSandboxLayer", "HcsStartComputeSystem", "HcsTerminateComputeSystem",
    "HcsCloseComputeSystem",
};

bool sim_call_name_known(const char *name)
{
    for (size_t i = 0; i < sizeof call_names / sizeof call_names[0]; i++) {
        if (strcmp(call_names[i], name) == 0)
            return true;
    }
    return false;
}

static const hcsoci_host_ops sim_ops;

sim_host *sim_host_from(hcsoci_host *host)
{
    if (host == NULL || host->ops != &sim_ops)
        return NULL;
    return (sim_host *)host;
}

static sim_host *lock_host(hcsoci_host *host)
{
    sim_host *sim = (sim_host *)host;
    pthread_mutex_lock(&sim->lock);
    return sim;
}

static void unlock_host(sim_host *sim)
{
    pthread_mutex_unlock(&sim->lock);
}

/* ---- recording and fault injection ---- */

/* The arguments of a call to record (a new reference, NULL when memory ran out), evaluated
 * only when the journal records anything. */
#define JOURNAL_ARGS(sim, arguments)                                                           \
    ((sim)->journal_mode == HCSOCI_SIM_JOURNAL_OFF ? NULL : (arguments))

/* A call's arguments for its record: count pairs of a constant key and a value (stolen; NULL
 * when it could not be made, e.g. a string that is not UTF-8), as an object in that order.
 * NULL when a value is NULL or memory runs out. */
static json_t *call_args(int count, ...)
{
    va_list pairs;
    va_start(pairs, count);
    json_t *args = json_object();
    for (int index = 0; index < count; index++) {
        const char *key = va_arg(pairs, const char *);
        json_t *value = va_arg(pairs, json_t *);
        /* A failed set has taken the value: what follows is only released. */
        if (args != NULL && (value == NULL || json_object_set_new_nocheck(args, key, value) != 0)) {
            json_decref(args);
            args = NULL;
        } else if (args == NULL) {
            json_decref(value);
        }
    }
    va_end(pairs);
    return args;
}

/* A document for a call's record (JSON null for NULL): the caller's own, shared (a new
 * reference), not copied: a document once sent is not changed (sim.h). */
static json_t *record_document(const json_t *value)
{
    return value != NULL ? json_incref((json_t *)value) : json_null();
}

/* Records {"call": name, "args": args} (args is stolen; NULL when it could not be made) as the
 * journal's mode says. */
static int record_call(sim_host *sim, const char *name, json_t *args, hcsoci_error **error)
{
    if (sim->journal_mode == HCSOCI_SIM_JOURNAL_OFF)
        return 0;
    if (args == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "sim host: cannot record %s: an argument is not valid UTF-8 or "
                           "memory ran out",
                           name);
    /* name is one of this file's constants: no UTF-8 check needed for it or the keys. */
    json_t *call = json_object();
    if (call == NULL || json_object_set_new_nocheck(call, "call", json_string_nocheck(name)) != 0) {
        json_decref(call);
        json_decref(args);
        return hcsoci_fail_out_of_memory(error);
    }
    if (json_object_set_new_nocheck(call, "args", args) != 0) { /* args is consumed */
        json_decref(call);
        return hcsoci_fail_out_of_memory(error);
    }
    int result = 0;
    if (sim->journal_mode == HCSOCI_SIM_JOURNAL_STREAM) {
        if (sim->journal_sink(sim->journal_sink_context, call) != 0)
            result = hcsoci_fail(error, HCSOCI_E_FAIL, "sim host: the journal's sink refused %s",
                                 name);
    } else if (json_array_append(sim->journal_section, call) != 0 ||
               json_array_append(sim->journal_pending, call) != 0) {
        result = hcsoci_fail_out_of_memory(error);
    }
    json_decref(call);
    return result;
}

/* Counts a call of this name, records {"call": name, "args": args} (args is stolen) and
 * applies failCall: returns -1 with the injected error when this is the call to fail. */
static int begin_call(sim_host *sim, const char *name, json_t *args, hcsoci_error **error)
{
    /* name is one of this file's constants: no UTF-8 check for it as a key. */
    json_t *counter = json_object_get(sim->call_counts, name);
    json_int_t count = json_integer_value(counter) + 1;
    if (counter != NULL && json_is_integer(counter)) {
        json_integer_set(counter, count);
    } else if (json_object_set_new_nocheck(sim->call_counts, name, json_integer(count)) != 0) {
        json_decref(args);
        return hcsoci_fail_out_of_memory(error);
    }
    if (record_call(sim, name, args, error) != 0)
        return -1;

    const sim_fail_call *fail_call = &sim->world.fail_call;
    if (fail_call->call != NULL && strcmp(fail_call->call, name) == 0 &&
        count == fail_call->nth) {
        HCSOCI_LOG(HCSOCI_LOG_DEBUG,
                   json_pack("{s:s, s:I}", "call", name, "nth", (json_int_t)count),
                   "sim host: failing %s as failCall asks", name);
        return hcsoci_fail(error, fail_call->hresult, "%s",
                           hcsoci_hresult_text(fail_call->hresult));
    }
    return 0;
}

/* A failure the host itself reports: the HRESULT and its system text only. */
static int host_failure(hcsoci_error **error, int32_t hresult)
{
    return hcsoci_fail(error, hresult, "%s", hcsoci_hresult_text(hresult));
}

static int missing_argument(hcsoci_error **error, const char *call, const char *argument)
{
    return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: %s: %s is NULL", call, argument);
}

/* ---- HCS ---- */

static int sim_create_compute_system(hcsoci_host *host, const char *id,
                                     const json_t *configuration, hcsoci_error **error)
{
    if (id == NULL)
        return missing_argument(error, "HcsCreateComputeSystem", "id");
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(sim, call_args(2, "id", hcsoci_json_new_string(id), "configuration",
                                               record_document(configuration)));
    int result = begin_call(sim, "HcsCreateComputeSystem", args, error);
    if (result == 0) {
        if (json_object_set_new(sim->compute_systems, id,
                                json_string_nocheck(SIM_SYSTEM_CREATED)) != 0)
            result = hcsoci_fail_out_of_memory(error);
        else
            sim->held.compute_systems++;
    }
    unlock_host(sim);
    return result;
}

/* ---- the compute system life cycle ---- */

/* Records a life-cycle call on the system id ({"computeSystem": id, plus "options": "" for
 * start and terminate, as the reference passes}) and answers its state (borrowed), or fails
 * with HCS's answer for an unknown system. */
static int begin_system_call(sim_host *sim, const char *name, const char *id, bool has_options,
                             const char **system_state, hcsoci_error **error)
{
    json_t *args = JOURNAL_ARGS(
        sim, has_options ? call_args(2, "computeSystem", hcsoci_json_new_string(id), "options",
                                     json_string_nocheck(""))
                         : call_args(1, "computeSystem", hcsoci_json_new_string(id)));
    if (begin_call(sim, name, args, error) != 0)
        return -1;
    *system_state = json_string_value(json_object_get(sim->compute_systems, id));
    if (*system_state == NULL) {
        HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s, s:s}", "call", name, "id", id),
                   "sim host: no compute system with this id");
        return host_failure(error, HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST);
    }
    return 0;
}

static int set_system_state(sim_host *sim, const char *id, const char *system_state,
                            hcsoci_error **error)
{
    if (json_object_set_new(sim->compute_systems, id, hcsoci_json_new_string(system_state)) != 0)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

static int sim_start_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    if (id == NULL)
        return missing_argument(error, "HcsStartComputeSystem", "computeSystem");
    sim_host *sim = lock_host(host);
    const char *system_state = NULL;
    int result = begin_system_call(sim, "HcsStartComputeSystem", id, true, &system_state, error);
    if (result == 0) {
        /* Only a created system starts: a running or stopped one is in the wrong state. */
        if (strcmp(system_state, SIM_SYSTEM_CREATED) != 0)
            result = host_failure(error, HCSOCI_HCS_E_INVALID_STATE);
        else
            result = set_system_state(sim, id, SIM_SYSTEM_RUNNING, error);
    }
    unlock_host(sim);
    return result;
}

static int sim_terminate_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    if (id == NULL)
        return missing_argument(error, "HcsTerminateComputeSystem", "computeSystem");
    sim_host *sim = lock_host(host);
    const char *system_state = NULL;
    int result =
        begin_system_call(sim, "HcsTerminateComputeSystem", id, true, &system_state, error);
    if (result == 0) {
        if (strcmp(system_state, SIM_SYSTEM_STOPPED) == 0)
            result = host_failure(error, HCSOCI_HCS_E_ALREADY_STOPPED);
        else
            result = set_system_state(sim, id, SIM_SYSTEM_STOPPED, error);
    }
    unlock_host(sim);
    return result;
}

static int sim_close_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    if (id == NULL)
        return missing_argument(error, "HcsCloseComputeSystem", "computeSystem");
    sim_host *sim = lock_host(host);
    const char *system_state = NULL;
    int result = begin_system_call(sim, "HcsCloseComputeSystem", id, false, &system_state, error);
    if (result == 0) {
        /* The last handle closed: HCS forgets the system (a running one is ended with it). */
        json_object_del(sim->compute_systems, id);
        sim->held.compute_systems--;
    }
    unlock_host(sim);
    return result;
}

/* Keeps the Add/Remove balance of the request's ResourcePath for the held counts. */
static int track_modify_request(sim_host *sim, const char *id, const json_t *configuration,
                                hcsoci_error **error)
{
    const char *resource_path = json_string_value(json_object_get(configuration, "ResourcePath"));
    const char *request_type = json_string_value(json_object_get(configuration, "RequestType"));
    if (resource_path == NULL || resource_path[0] == '\0' || request_type == NULL)
        return 0;
    int64_t delta = 0;
    if (strcmp(request_type, "Add") == 0)
        delta = 1;
    else if (strcmp(request_type, "Remove") == 0)
        delta = -1;
    if (delta != 0 && sim_held_modify(&sim->held, id, resource_path, delta) != 0)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

static int sim_modify_compute_system(hcsoci_host *host, const char *id,
                                     const json_t *configuration, hcsoci_error **error)
{
    if (id == NULL)
        return missing_argument(error, "HcsModifyComputeSystem", "id");
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(sim, call_args(2, "computeSystem", hcsoci_json_new_string(id),
                                               "configuration", record_document(configuration)));
    int result = begin_call(sim, "HcsModifyComputeSystem", args, error);
    if (result == 0)
        result = track_modify_request(sim, id, configuration, error);
    unlock_host(sim);
    return result;
}

/* The index of the remembered credential-guard instance with this id, or -1. */
static ssize_t find_credential_guard_instance(const sim_host *sim, const char *id)
{
    size_t index;
    json_t *instance;
    json_array_foreach(sim->credential_guard_instances, index, instance) {
        if (strcasecmp(json_string_value(json_object_get(instance, "Id")), id) == 0)
            return (ssize_t)index;
    }
    return -1;
}

static int bad_settings(hcsoci_error **error, const char *field)
{
    return hcsoci_fail(error, HCSOCI_E_INVALID,
                       "sim host: HcsModifyServiceSettings: field '%s' is missing or not a "
                       "string",
                       field);
}

/* Applies a ContainerCredentialGuard AddInstance or RemoveInstance; other settings are
 * accepted and change nothing. */
static int apply_service_settings(sim_host *sim, const json_t *settings, hcsoci_error **error)
{
    const char *property_type = json_string_value(json_object_get(settings, "PropertyType"));
    if (property_type == NULL || strcmp(property_type, "ContainerCredentialGuard") != 0)
        return 0;
    const json_t *operation_request = json_object_get(settings, "Settings");
    const char *operation = json_string_value(json_object_get(operation_request, "Operation"));
    const json_t *details = json_object_get(operation_request, "OperationDetails");
    const char *id = json_string_value(json_object_get(details, "Id"));
    if (operation == NULL)
        return bad_settings(error, "Settings.Operation");
    if (id == NULL)
        return bad_settings(error, "Settings.OperationDetails.Id");

    if (strcmp(operation, "AddInstance") == 0) {
        const char *transport = json_string_value(json_object_get(details, "Transport"));
        if (transport == NULL)
            return bad_settings(error, "Settings.OperationDetails.Transport");
        json_t *instance = json_pack("{s:s, s:s}", "Id", id, "Transport", transport);
        ssize_t existing = find_credential_guard_instance(sim, id);
        int failed = existing >= 0
                         ? json_array_set_new(sim->credential_guard_instances, (size_t)existing,
                                              instance)
                         : json_array_append_new(sim->credential_guard_instances, instance);
        if (failed != 0)
            return hcsoci_fail_out_of_memory(error);
        if (existing < 0)
            sim->held.credential_guard_instances++;
        return 0;
    }
    if (strcmp(operation, "RemoveInstance") == 0) {
        ssize_t existing = find_credential_guard_instance(sim, id);
        if (existing < 0) {
            HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "id", id),
                       "sim host: no credential guard instance with this id to remove");
            return host_failure(error, HCSOCI_E_NOT_FOUND);
        }
        json_array_remove(sim->credential_guard_instances, (size_t)existing);
        sim->held.credential_guard_instances--;
        return 0;
    }
    return hcsoci_fail(error, HCSOCI_E_INVALID,
                       "sim host: HcsModifyServiceSettings: credential guard operation '%s' is "
                       "not simulated (AddInstance, RemoveInstance)",
                       operation);
}

static int sim_modify_service_settings(hcsoci_host *host, const json_t *settings,
                                       hcsoci_error **error)
{
    sim_host *sim = lock_host(host);
    json_t *args =
        JOURNAL_ARGS(sim, call_args(1, "settings", record_document(settings)));
    int result = begin_call(sim, "HcsModifyServiceSettings", args, error);
    if (result == 0)
        result = apply_service_settings(sim, settings, error);
    unlock_host(sim);
    return result;
}

/* What HCS answers about one remembered credential-guard instance: copies, since the caller
 * reads the answer after the host's lock is released while another thread may remove the
 * instance. */
static json_t *credential_guard_instance_properties(const json_t *instance)
{
    return json_pack(
        "{s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:{s:s, s:s, s:b}}}",
        "Id", json_string_value(json_object_get(instance, "Id")),
        "CredentialGuard",
            "Cookie", "Y2NnLWNvb2tpZQ==",
            "RpcEndpoint", "ccg-rpc-endpoint",
            "Transport", json_string_value(json_object_get(instance, "Transport")),
            "CredentialSpec", "",
        "HvSocketConfig",
            "ServiceId", "1b2c3d4e-0000-0000-0000-0000000000cc",
            "ServiceConfig",
                "BindSecurityDescriptor", "D:P(A;;FA;;;SY)",
                "ConnectSecurityDescriptor", "D:P(A;;FA;;;SY)",
                "AllowWildcardBinds", 1);
}

static int answer_service_properties(sim_host *sim, const json_t *query, json_t **properties,
                                     hcsoci_error **error)
{
    const json_t *types = json_object_get(query, "PropertyTypes");
    if (!json_is_array(types))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "sim host: HcsGetServiceProperties: field 'PropertyTypes' must be an "
                           "array");
    json_t *answer = json_pack("{s:[]}", "Properties");
    if (answer == NULL)
        return hcsoci_fail_out_of_memory(error);
    size_t index;
    json_t *type;
    json_array_foreach(types, index, type) {
        const char *name = json_string_value(type);
        if (name == NULL || strcmp(name, "ContainerCredentialGuard") != 0) {
            json_decref(answer);
            return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                               "sim host: HcsGetServiceProperties: property type %s%s%s is not "
                               "simulated (ContainerCredentialGuard)",
                               name != NULL ? "'" : "", name != NULL ? name : "(not a string)",
                               name != NULL ? "'" : "");
        }
        json_t *instances = json_array();
        size_t instance_index;
        json_t *instance;
        json_array_foreach(sim->credential_guard_instances, instance_index, instance) {
            json_array_append_new(instances, credential_guard_instance_properties(instance));
        }
        if (json_array_size(instances) != json_array_size(sim->credential_guard_instances) ||
            json_array_append_new(json_object_get(answer, "Properties"),
                                  json_pack("{s:o}", "Instances", instances)) != 0) {
            json_decref(answer);
            return hcsoci_fail_out_of_memory(error);
        }
    }
    *properties = answer;
    return 0;
}

static int sim_get_service_properties(hcsoci_host *host, const json_t *property_query,
                                      json_t **properties, hcsoci_error **error)
{
    if (properties == NULL)
        return missing_argument(error, "HcsGetServiceProperties", "properties");
    *properties = NULL;
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(
        sim, call_args(1, "propertyQuery", record_document(property_query)));
    int result = begin_call(sim, "HcsGetServiceProperties", args, error);
    if (result == 0)
        result = answer_service_properties(sim, property_query, properties, error);
    unlock_host(sim);
    return result;
}

static int sim_grant_vm_access(hcsoci_host *host, const char *vm_id, const char *file_path,
                               hcsoci_error **error)
{
    if (vm_id == NULL || file_path == NULL)
        return missing_argument(error, "GrantVmAccess", vm_id == NULL ? "vmid" : "filepath");
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(sim, call_args(2, "vmid", hcsoci_json_new_string(vm_id), "filepath",
                                               hcsoci_json_new_string(file_path)));
    int result = begin_call(sim, "GrantVmAccess", args, error);
    unlock_host(sim);
    return result;
}

static int answer_guest_process(sim_host *sim, const char *vm_id, const char *command_line,
                                char **output, hcsoci_error **error)
{
    const char *key;
    json_t *commands;
    json_object_foreach(sim->world.guest_process_outputs, key, commands) {
        if (strcasecmp(key, vm_id) != 0)
            continue;
        const char *text = json_string_value(json_object_get(commands, command_line));
        if (text == NULL)
            break;
        *output = strdup(text);
        return *output != NULL ? 0 : hcsoci_fail_out_of_memory(error);
    }
    return hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                       "sim host: no output for command line '%s' in utility VM '%s' (world "
                       "member guestProcessOutputs)",
                       command_line, vm_id);
}

static int sim_run_guest_process(hcsoci_host *host, const char *vm_id, const char *command_line,
                                 char **output, hcsoci_error **error)
{
    if (vm_id == NULL || command_line == NULL || output == NULL)
        return missing_argument(error, "RunGuestProcess",
                                vm_id == NULL ? "vmid"
                                : command_line == NULL ? "commandLine" : "output");
    *output = NULL;
    sim_host *sim = lock_host(host);
    json_t *args =
        JOURNAL_ARGS(sim, call_args(2, "vmid", hcsoci_json_new_string(vm_id), "commandLine",
                                            hcsoci_json_new_string(command_line)));
    int result = begin_call(sim, "RunGuestProcess", args, error);
    if (result == 0)
        result = answer_guest_process(sim, vm_id, command_line, output, error);
    unlock_host(sim);
    return result;
}

/* ---- HNS ---- */

static int sim_hns_call(hcsoci_host *host, const char *method, const char *path,
                        const json_t *request, json_t **response, hcsoci_error **error)
{
    if (method == NULL || path == NULL || response == NULL)
        return missing_argument(error, "HNSCall",
                                method == NULL ? "method" : path == NULL ? "path" : "response");
    *response = NULL;
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(
        sim, call_args(3, "method", hcsoci_json_new_string(method), "path",
                       hcsoci_json_new_string(path), "object",
                       request != NULL ? record_document(request) : json_string_nocheck("")));
    int result = begin_call(sim, "HNSCall", args, error);
    if (result == 0)
        result = sim_hns_answer(sim, method, path, request, response, error);
    unlock_host(sim);
    return result;
}

/* ---- layer storage ---- */

static void format_guid(const uint8_t bytes[16], char guid[37])
{
    static const char digits[] = "0123456789abcdef";
    size_t out = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            guid[out++] = '-';
        guid[out++] = digits[bytes[i] >> 4];
        guid[out++] = digits[bytes[i] & 0x0f];
    }
    guid[out] = '\0';
}

static void store_big_endian(uint64_t value, uint8_t bytes[8])
{
    for (int i = 7; i >= 0; i--) {
        bytes[i] = (uint8_t)value;
        value >>= 8;
    }
}

static uint64_t fnv1a_lower(const char *text, uint64_t hash)
{
    for (const char *c = text; *c != '\0'; c++) {
        char lower = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
        hash ^= (uint8_t)lower;
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

/* The GUID NameToGuid answers for a name no layer path ends in (see the top of this file). */
static void name_derived_guid(const char *name, char guid[37])
{
    uint8_t bytes[16];
    uint64_t first = fnv1a_lower(name, UINT64_C(0xcbf29ce484222325));
    store_big_endian(first, bytes);
    store_big_endian(fnv1a_lower(name, first), bytes + 8);
    bytes[6] = (uint8_t)((bytes[6] & 0x0f) | 0x80);
    bytes[8] = (uint8_t)((bytes[8] & 0x3f) | 0x80);
    format_guid(bytes, guid);
}

static int answer_name_to_guid(sim_host *sim, const char *name, char **guid,
                               hcsoci_error **error)
{
    size_t name_length = strlen(name);
    const char *path;
    json_t *value;
    json_object_foreach(sim->world.layer_ids, path, value) {
        size_t length;
        const char *last = sim_path_last_element(path, &length);
        if (length == name_length && strncasecmp(last, name, length) == 0) {
            *guid = strdup(json_string_value(value));
            return *guid != NULL ? 0 : hcsoci_fail_out_of_memory(error);
        }
    }
    char derived[37];
    name_derived_guid(name, derived);
    *guid = strdup(derived);
    return *guid != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

static int sim_name_to_guid(hcsoci_host *host, const char *name, char **guid,
                            hcsoci_error **error)
{
    if (name == NULL || guid == NULL)
        return missing_argument(error, "NameToGuid", name == NULL ? "name" : "guid");
    *guid = NULL;
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(sim, call_args(1, "name", hcsoci_json_new_string(name)));
    int result = begin_call(sim, "NameToGuid", args, error);
    if (result == 0)
        result = answer_name_to_guid(sim, name, guid, error);
    unlock_host(sim);
    return result;
}

/* A layer call with only the layer path ({"id": path}); adds delta to *counter on success. */
static int layer_call(hcsoci_host *host, const char *call, const char *path, size_t counter,
                      int64_t delta, hcsoci_error **error)
{
    if (path == NULL)
        return missing_argument(error, call, "id");
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(sim, call_args(1, "id", hcsoci_json_new_string(path)));
    int result = begin_call(sim, call, args, error);
    if (result == 0 && delta != 0)
        *(int64_t *)((char *)&sim->held + counter) += delta;
    unlock_host(sim);
    return result;
}

static int sim_activate_layer(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    return layer_call(host, "ActivateLayer", path, offsetof(sim_held, activated_layers), 1,
                      error);
}

static int sim_deactivate_layer(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    return layer_call(host, "DeactivateLayer", path, offsetof(sim_held, activated_layers), -1,
                      error);
}

static int sim_unprepare_layer(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    return layer_call(host, "UnprepareLayer", path, offsetof(sim_held, prepared_layers), -1,
                      error);
}

static int sim_prepare_layer(hcsoci_host *host, const char *path, const json_t *descriptors,
                             hcsoci_error **error)
{
    if (path == NULL)
        return missing_argument(error, "PrepareLayer", "id");
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(
        sim, call_args(2, "id", hcsoci_json_new_string(path), "descriptors",
                       record_document(descriptors)));
    int result = begin_call(sim, "PrepareLayer", args, error);
    if (result == 0)
        sim->held.prepared_layers++;
    unlock_host(sim);
    return result;
}

static int sim_get_layer_mount_path(hcsoci_host *host, const char *path, char **mount_path,
                                    hcsoci_error **error)
{
    if (path == NULL || mount_path == NULL)
        return missing_argument(error, "GetLayerMountPath", path == NULL ? "id" : "mount_path");
    *mount_path = NULL;
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(sim, call_args(1, "id", hcsoci_json_new_string(path)));
    int result = begin_call(sim, "GetLayerMountPath", args, error);
    if (result == 0) {
        *mount_path = strdup(sim->world.layer_mount_path);
        if (*mount_path == NULL)
            result = hcsoci_fail_out_of_memory(error);
    }
    unlock_host(sim);
    return result;
}

/* Adds path to the files as kind ("dir" or "file") unless it is listed already (then the
 * entry keeps its spelling and becomes kind). */
static int add_file(sim_host *sim, const char *path, const char *kind, hcsoci_error **error)
{
    const char *key = NULL;
    json_t *existing = sim_files_lookup(sim->world.files, path, &key);
    int failed = json_object_set_new(sim->world.files, existing != NULL ? key : path,
                                     hcsoci_json_new_string(kind));
    return failed == 0 ? 0 : hcsoci_fail_out_of_memory(error);
}

static int sim_create_sandbox_layer(hcsoci_host *host, const char *path,
                                    const json_t *descriptors, hcsoci_error **error)
{
    if (path == NULL)
        return missing_argument(error, "CreateSandboxLayer", "id");
    sim_host *sim = lock_host(host);
    json_t *args = JOURNAL_ARGS(
        sim, call_args(2, "id", hcsoci_json_new_string(path), "descriptors",
                       record_document(descriptors)));
    int result = begin_call(sim, "CreateSandboxLayer", args, error);
    if (result == 0) {
        size_t length = strlen(path);
        bool separated = length > 0 && (path[length - 1] == '\\' || path[length - 1] == '/');
        char *file = NULL;
        if (asprintf(&file, "%s%ssandbox.vhdx", path, separated ? "" : "\\") < 0)
            result = hcsoci_fail_out_of_memory(error);
        else
            result = add_file(sim, file, "file", error);
        free(file);
    }
    unlock_host(sim);
    return result;
}

/* ---- files ---- */

static hcsoci_path_kind kind_of_entry(const json_t *entry, uint64_t *size)
{
    if (json_is_string(entry) && strcmp(json_string_value(entry), "dir") == 0)
        return HCSOCI_PATH_DIRECTORY;
    if (json_is_object(entry))
        *size = (uint64_t)json_integer_value(json_object_get(entry, "size"));
    return HCSOCI_PATH_FILE;
}

static hcsoci_path_kind sim_stat_path(hcsoci_host *host, const char *path, uint64_t *size)
{
    uint64_t ignored;
    if (size == NULL)
        size = &ignored;
    *size = 0;
    if (path == NULL)
        return HCSOCI_PATH_MISSING;
    sim_host *sim = lock_host(host);
    const json_t *entry = sim_files_lookup(sim->world.files, path, NULL);
    hcsoci_path_kind kind = entry != NULL ? kind_of_entry(entry, size) : HCSOCI_PATH_MISSING;
    unlock_host(sim);
    return kind;
}

#define HRESULT_PATH_NOT_FOUND ((int32_t)0x80070003)
#define HRESULT_ALREADY_EXISTS ((int32_t)0x800700B7)

/* Fails when a listed file stands where one of path's parent directories would be. */
static int check_parents(const sim_host *sim, const char *path, hcsoci_error **error)
{
    char *prefix = strdup(path);
    if (prefix == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = 0;
    for (size_t i = 1; prefix[i] != '\0' && result == 0; i++) {
        if (prefix[i] != '\\' && prefix[i] != '/')
            continue;
        char separator = prefix[i];
        prefix[i] = '\0';
        uint64_t size;
        const json_t *entry = sim_files_lookup(sim->world.files, prefix, NULL);
        if (entry != NULL && kind_of_entry(entry, &size) == HCSOCI_PATH_FILE)
            result = hcsoci_fail(error, HRESULT_PATH_NOT_FOUND, "mkdir %s: %s", path,
                                 hcsoci_hresult_text(HRESULT_PATH_NOT_FOUND));
        prefix[i] = separator;
    }
    free(prefix);
    return result;
}

static int sim_make_directory(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    if (path == NULL || path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: mkdir: the path is %s",
                           path == NULL ? "NULL" : "empty");
    sim_host *sim = lock_host(host);
    uint64_t size;
    const json_t *entry = sim_files_lookup(sim->world.files, path, NULL);
    int result = 0;
    if (entry != NULL) {
        if (kind_of_entry(entry, &size) == HCSOCI_PATH_FILE)
            result = hcsoci_fail(error, HRESULT_ALREADY_EXISTS, "mkdir %s: %s", path,
                                 hcsoci_hresult_text(HRESULT_ALREADY_EXISTS));
    } else {
        result = check_parents(sim, path, error);
        if (result == 0)
            result = add_file(sim, path, "dir", error);
    }
    unlock_host(sim);
    return result;
}

/* ---- facts and randomness ---- */

static uint32_t sim_os_build(hcsoci_host *host)
{
    sim_host *sim = lock_host(host);
    uint32_t build = sim->world.build;
    unlock_host(sim);
    return build;
}

static uint32_t sim_processor_count(hcsoci_host *host)
{
    sim_host *sim = lock_host(host);
    uint32_t count = sim->world.processor_count;
    unlock_host(sim);
    return count;
}

static const char *sim_program_directory(hcsoci_host *host)
{
    /* Set once when the host is made and never changed: no lock needed to hand it out. */
    return ((sim_host *)host)->world.program_directory;
}

/* splitmix64: a small, well-distributed 64-bit generator with a 64-bit state. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t mixed = (*state += UINT64_C(0x9e3779b97f4a7c15));
    mixed = (mixed ^ (mixed >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    mixed = (mixed ^ (mixed >> 27)) * UINT64_C(0x94d049bb133111eb);
    return mixed ^ (mixed >> 31);
}

void sim_draw_guid(sim_host *sim, char guid[37])
{
    uint8_t bytes[16];
    store_big_endian(next_random(&sim->generator_state), bytes);
    store_big_endian(next_random(&sim->generator_state), bytes + 8);
    bytes[6] = (uint8_t)((bytes[6] & 0x0f) | 0x40);
    bytes[8] = (uint8_t)((bytes[8] & 0x3f) | 0x80);
    format_guid(bytes, guid);
}

static void sim_new_guid(hcsoci_host *host, char guid[37])
{
    sim_host *sim = lock_host(host);
    sim_draw_guid(sim, guid);
    unlock_host(sim);
}

/* ---- life cycle ---- */

static void sim_destroy(hcsoci_host *host)
{
    sim_host *sim = (sim_host *)host;
    sim_world_release(&sim->world);
    sim_held_release(&sim->held);
    json_decref(sim->call_counts);
    json_decref(sim->credential_guard_instances);
    json_decref(sim->compute_systems);
    json_decref(sim->journal_section);
    json_decref(sim->journal_pending);
    pthread_mutex_destroy(&sim->lock);
    free(sim);
}

static const hcsoci_host_ops sim_ops = {
    .size = sizeof(hcsoci_host_ops),
    .create_compute_system = sim_create_compute_system,
    .modify_compute_system = sim_modify_compute_system,
    .modify_service_settings = sim_modify_service_settings,
    .get_service_properties = sim_get_service_properties,
    .grant_vm_access = sim_grant_vm_access,
    .run_guest_process = sim_run_guest_process,
    .hns_call = sim_hns_call,
    .name_to_guid = sim_name_to_guid,
    .activate_layer = sim_activate_layer,
    .prepare_layer = sim_prepare_layer,
    .get_layer_mount_path = sim_get_layer_mount_path,
    .unprepare_layer = sim_unprepare_layer,
    .deactivate_layer = sim_deactivate_layer,
    .create_sandbox_layer = sim_create_sandbox_layer,
    .stat_path = sim_stat_path,
    .make_directory = sim_make_directory,
    .os_build = sim_os_build,
    .processor_count = sim_processor_count,
    .program_directory = sim_program_directory,
    .new_guid = sim_new_guid,
    .destroy = sim_destroy,
    .start_compute_system = sim_start_compute_system,
    .terminate_compute_system = sim_terminate_compute_system,
    .close_compute_system = sim_close_compute_system,
};

int sim_host_new_from_world(sim_world *world, sim_host **result, hcsoci_error **error)
{
    sim_host *sim = calloc(1, sizeof *sim);
    if (sim == NULL) {
        sim_world_release(world);
        return hcsoci_fail_out_of_memory(error);
    }
    sim->base.ops = &sim_ops;
    sim->world = *world;
    memset(world, 0, sizeof *world);
    sim->generator_state = sim->world.seed;
    sim->call_counts = json_object();
    sim->credential_guard_instances = json_array();
    sim->compute_systems = json_object();
    sim->held.modifications = json_object();
    sim->journal_section = json_array();
    sim->journal_pending = json_array();
    if (pthread_mutex_init(&sim->lock, NULL) != 0) {
        sim_world_release(&sim->world);
        sim_held_release(&sim->held);
        json_decref(sim->call_counts);
        json_decref(sim->credential_guard_instances);
        json_decref(sim->compute_systems);
        json_decref(sim->journal_section);
        json_decref(sim->journal_pending);
        free(sim);
        return hcsoci_fail(error, HCSOCI_E_FAIL, "sim host: cannot initialise its lock");
    }
    if (sim->call_counts == NULL || sim->credential_guard_instances == NULL ||
        sim->compute_systems == NULL || sim->held.modifications == NULL ||
        sim->journal_section == NULL || sim->journal_pending == NULL) {
        sim_destroy(&sim->base);
        return hcsoci_fail_out_of_memory(error);
    }
    *result = sim;
    return 0;
}

/* ---- the sim's public functions (sim.h) ---- */

int hcsoci_sim_host_new(const json_t *world, hcsoci_host **host, hcsoci_error **error)
{
    if (host == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: no place for the host given");
    *host = NULL;
    sim_world parsed;
    if (sim_world_parse(world, &parsed, error) != 0)
        return -1;
    sim_host *sim = NULL;
    if (sim_host_new_from_world(&parsed, &sim, error) != 0)
        return -1;
    *host = &sim->base;
    return 0;
}

const json_t *hcsoci_sim_host_journal(hcsoci_host *host)
{
    sim_host *sim = sim_host_from(host);
    if (sim == NULL)
        return NULL;
    pthread_mutex_lock(&sim->lock);
    const json_t *journal = sim->journal_section;
    pthread_mutex_unlock(&sim->lock);
    return journal;
}

int hcsoci_sim_host_set_journal(hcsoci_host *host, hcsoci_sim_journal_mode mode,
                                hcsoci_sim_journal_sink sink, void *context,
                                hcsoci_error **error)
{
    sim_host *sim = sim_host_from(host);
    if (sim == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: not a sim host");
    if (mode != HCSOCI_SIM_JOURNAL_KEEP && mode != HCSOCI_SIM_JOURNAL_STREAM &&
        mode != HCSOCI_SIM_JOURNAL_OFF)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: unknown journal mode %d",
                           (int)mode);
    if (mode == HCSOCI_SIM_JOURNAL_STREAM && sink == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "sim host: a streamed journal needs a sink, and none was given");
    pthread_mutex_lock(&sim->lock);
    sim->journal_mode = mode;
    sim->journal_sink = mode == HCSOCI_SIM_JOURNAL_STREAM ? sink : NULL;
    sim->journal_sink_context = mode == HCSOCI_SIM_JOURNAL_STREAM ? context : NULL;
    pthread_mutex_unlock(&sim->lock);
    return 0;
}

void hcsoci_sim_host_journal_clear(hcsoci_host *host)
{
    sim_host *sim = sim_host_from(host);
    if (sim == NULL)
        return;
    pthread_mutex_lock(&sim->lock);
    json_t *fresh = json_array();
    if (fresh != NULL) {
        json_decref(sim->journal_section);
        sim->journal_section = fresh;
    } else {
        json_array_clear(sim->journal_section);
    }
    pthread_mutex_unlock(&sim->lock);
}

json_t *hcsoci_sim_host_world(hcsoci_host *host)
{
    sim_host *sim = sim_host_from(host);
    if (sim == NULL)
        return NULL;
    pthread_mutex_lock(&sim->lock);
    json_t *world = sim_world_describe(&sim->world);
    if (world != NULL && json_object_set_new(world, "held", sim_held_describe(&sim->held)) != 0) {
        json_decref(world);
        world = NULL;
    }
    pthread_mutex_unlock(&sim->lock);
    return world;
}

json_t *hcsoci_sim_host_held(hcsoci_host *host)
{
    sim_host *sim = sim_host_from(host);
    if (sim == NULL)
        return NULL;
    pthread_mutex_lock(&sim->lock);
    json_t *held = sim_held_describe(&sim->held);
    pthread_mutex_unlock(&sim->lock);
    return held;
}
