/* The sim host's world description: strict validation into a sim_world, the description of
 * its current state, the held counts, and Windows path comparison (see sim_internal.h). */
#include "sim_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/spec.h>

#define WORLD_ERROR_PREFIX "sim world: "

/* Fails with HCSOCI_E_INVALID and a message starting with "sim world: ". */
static int world_invalid(hcsoci_error **error, const char *format, ...)
    HCSOCI_PRINTF_FORMAT(2, 3);

static int world_invalid(hcsoci_error **error, const char *format, ...)
{
    char *text = NULL;
    va_list arguments;
    va_start(arguments, format);
    int length = vasprintf(&text, format, arguments);
    va_end(arguments);
    if (length < 0)
        return hcsoci_fail_out_of_memory(error);
    hcsoci_fail(error, HCSOCI_E_INVALID, WORLD_ERROR_PREFIX "%s", text);
    free(text);
    return -1;
}

/* Passes on an error from a spec.h getter with the world prefix in front. */
static int getter_failed(hcsoci_error **error, hcsoci_error *cause)
{
    hcsoci_error_prefix(cause, WORLD_ERROR_PREFIX);
    return hcsoci_error_store(error, cause);
}

/* ---- Windows paths ---- */

static bool is_separator(char c)
{
    return c == '\\' || c == '/';
}

/* Length of path (length bytes) without trailing separators, keeping a drive root ("C:\")
 * and a lone "\". */
static size_t trimmed_length_of(const char *path, size_t length)
{
    while (length > 1 && is_separator(path[length - 1]) && !(length == 3 && path[1] == ':'))
        length--;
    return length;
}

static size_t trimmed_length(const char *path)
{
    return trimmed_length_of(path, strlen(path));
}

static int fold_character(char c)
{
    if (c == '/')
        return '\\';
    return tolower((unsigned char)c);
}

/* Whether the first length characters of a and b are the same path characters. */
static bool same_folded(const char *a, const char *b, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (fold_character(a[i]) != fold_character(b[i]))
            return false;
    }
    return true;
}

bool sim_path_equal(const char *a, const char *b)
{
    size_t length = trimmed_length(a);
    return length == trimmed_length(b) && same_folded(a, b, length);
}

json_t *sim_files_lookup(const json_t *files, const char *path, const char **key)
{
    size_t path_length = trimmed_length(path);
    const char *entry_key;
    size_t entry_length;
    json_t *value;
    json_object_keylen_foreach((json_t *)files, entry_key, entry_length, value) {
        if (trimmed_length_of(entry_key, entry_length) == path_length &&
            same_folded(entry_key, path, path_length)) {
            if (key != NULL)
                *key = entry_key;
            return value;
        }
    }
    return NULL;
}

const char *sim_path_last_element(const char *path, size_t *length)
{
    size_t end = trimmed_length(path);
    size_t start = end;
    while (start > 0 && !is_separator(path[start - 1]))
        start--;
    *length = end - start;
    return path + start;
}

bool sim_guid_valid(const char *text)
{
    static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(text) != sizeof pattern - 1)
        return false;
    for (size_t i = 0; i < sizeof pattern - 1; i++) {
        if (pattern[i] == '-' ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
            return false;
    }
    return true;
}

/* ---- parsing the members ---- */

static int parse_scalars(const json_t *description, sim_world *world, hcsoci_error **error)
{
    hcsoci_error *cause = NULL;
    int64_t number;
    bool present;

    if (hcsoci_json_integer(description, "build", "build", 1, UINT32_MAX, &number, &present,
                            &cause) != 0)
        return getter_failed(error, cause);
    world->build = present ? (uint32_t)number : SIM_DEFAULT_BUILD;

    if (hcsoci_json_integer(description, "processorCount", "processorCount", 1, 65535, &number,
                            &present, &cause) != 0)
        return getter_failed(error, cause);
    world->processor_count = present ? (uint32_t)number : SIM_DEFAULT_PROCESSOR_COUNT;

    if (hcsoci_json_integer(description, "seed", "seed", 0, INT64_MAX, &number, &present,
                            &cause) != 0)
        return getter_failed(error, cause);
    world->seed = present ? (uint64_t)number : SIM_DEFAULT_SEED;

    const char *text;
    if (hcsoci_json_string(description, "programDir", "programDir", &text, &cause) != 0)
        return getter_failed(error, cause);
    world->program_directory = strdup(text != NULL ? text : SIM_DEFAULT_PROGRAM_DIRECTORY);
    if (hcsoci_json_string(description, "layerMountPath", "layerMountPath", &text, &cause) != 0)
        return getter_failed(error, cause);
    world->layer_mount_path = strdup(text != NULL ? text : SIM_DEFAULT_LAYER_MOUNT_PATH);
    if (world->program_directory == NULL || world->layer_mount_path == NULL)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

/* An object member (absent or null: an empty object); a borrowed value through *value. */
static int object_member(const json_t *description, const char *key, const json_t **value,
                         hcsoci_error **error)
{
    const json_t *member = json_object_get(description, key);
    if (member == NULL || json_is_null(member)) {
        *value = NULL;
        return 0;
    }
    if (!json_is_object(member))
        return world_invalid(error, "invalid field '%s': must be an object, not %s", key,
                             hcsoci_json_kind(member));
    *value = member;
    return 0;
}

static int array_member(const json_t *description, const char *key, const json_t **value,
                        hcsoci_error **error)
{
    const json_t *member = json_object_get(description, key);
    if (member == NULL || json_is_null(member)) {
        *value = NULL;
        return 0;
    }
    if (!json_is_array(member))
        return world_invalid(error, "invalid field '%s': must be an array, not %s", key,
                             hcsoci_json_kind(member));
    *value = member;
    return 0;
}

/* A copy of member, or a new empty container of the given kind when member is NULL. */
static json_t *copy_or_empty(const json_t *member, bool array)
{
    if (member != NULL)
        return hcsoci_json_copy(member);
    return array ? json_array() : json_object();
}

/* Fails when an earlier key of object names the same path (or id) as key. */
static int check_unique_key(const json_t *object, const char *field, const char *key,
                            bool as_path, hcsoci_error **error)
{
    const char *other;
    json_t *value;
    json_object_foreach((json_t *)object, other, value) {
        if (other == key || strcmp(other, key) == 0)
            return 0; /* reached key itself: every earlier key differs */
        if (as_path ? sim_path_equal(other, key) : strcasecmp(other, key) == 0)
            return world_invalid(error, "invalid field '%s': names '%s' twice (as '%s' and '%s')",
                                 field, key, other, key);
    }
    return 0;
}

static int parse_files(const json_t *description, sim_world *world, hcsoci_error **error)
{
    const json_t *files;
    if (object_member(description, "files", &files, error) != 0)
        return -1;
    if (files != NULL) {
        const char *path;
        json_t *value;
        json_object_foreach((json_t *)files, path, value) {
            if (path[0] == '\0')
                return world_invalid(error, "invalid field 'files': has an empty path");
            if (check_unique_key(files, "files", path, true, error) != 0)
                return -1;
            if (json_is_string(value)) {
                const char *kind = json_string_value(value);
                if (strcmp(kind, "dir") == 0 || strcmp(kind, "file") == 0)
                    continue;
                return world_invalid(
                    error,
                    "invalid field 'files' entry '%s': must be \"dir\", \"file\" or "
                    "{\"size\": n}, not \"%s\"",
                    path, kind);
            }
            if (!json_is_object(value))
                return world_invalid(
                    error,
                    "invalid field 'files' entry '%s': must be \"dir\", \"file\" or "
                    "{\"size\": n}, not %s",
                    path, hcsoci_json_kind(value));
            const json_t *size = json_object_get(value, "size");
            if (json_is_integer(size) && json_integer_value(size) < 0)
                return world_invalid(error,
                                     "invalid field 'files' entry '%s' member 'size': must be "
                                     ">= 0, not %lld",
                                     path, (long long)json_integer_value(size));
            if (!json_is_integer(size))
                return world_invalid(error,
                                     "invalid field 'files' entry '%s' member 'size': must be "
                                     "an integer, not %s",
                                     path, size == NULL ? "missing" : hcsoci_json_kind(size));
        }
    }
    world->files = copy_or_empty(files, false);
    return world->files != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

static int parse_layer_ids(const json_t *description, sim_world *world, hcsoci_error **error)
{
    const json_t *layer_ids;
    if (object_member(description, "layerIds", &layer_ids, error) != 0)
        return -1;
    if (layer_ids != NULL) {
        const char *path;
        json_t *value;
        json_object_foreach((json_t *)layer_ids, path, value) {
            if (path[0] == '\0')
                return world_invalid(error, "invalid field 'layerIds': has an empty path");
            if (check_unique_key(layer_ids, "layerIds", path, true, error) != 0)
                return -1;
            if (!json_is_string(value))
                return world_invalid(
                    error, "invalid field 'layerIds' entry '%s': must be a string, not %s", path,
                    hcsoci_json_kind(value));
            if (!sim_guid_valid(json_string_value(value)))
                return world_invalid(
                    error, "invalid field 'layerIds' entry '%s': must be a GUID, not '%s'", path,
                    json_string_value(value));
        }
    }
    world->layer_ids = copy_or_empty(layer_ids, false);
    return world->layer_ids != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

static int parse_hns_endpoints(const json_t *description, sim_world *world,
                               hcsoci_error **error)
{
    const json_t *endpoints;
    if (array_member(description, "hnsEndpoints", &endpoints, error) != 0)
        return -1;
    size_t index;
    json_t *endpoint;
    json_array_foreach((json_t *)endpoints, index, endpoint) {
        if (!json_is_object(endpoint))
            return world_invalid(error,
                                 "invalid field 'hnsEndpoints[%zu]': must be an object, not %s",
                                 index, hcsoci_json_kind(endpoint));
        const json_t *id = json_object_get(endpoint, "ID");
        if (!json_is_string(id) || json_string_length(id) == 0)
            return world_invalid(
                error, "invalid field 'hnsEndpoints[%zu].ID': must be a non-empty string, not %s",
                index, id == NULL ? "missing" : hcsoci_json_kind(id));
        for (size_t earlier = 0; earlier < index; earlier++) {
            const char *other = json_string_value(
                json_object_get(json_array_get(endpoints, earlier), "ID"));
            if (strcasecmp(other, json_string_value(id)) == 0)
                return world_invalid(error, "invalid field 'hnsEndpoints': has the ID '%s' twice",
                                     json_string_value(id));
        }
    }
    world->hns_endpoints = copy_or_empty(endpoints, true);
    return world->hns_endpoints != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

/* Checks that value is an array of non-empty strings; field names it in errors. */
static int check_string_array(const json_t *value, const char *field, hcsoci_error **error)
{
    if (!json_is_array(value))
        return world_invalid(error, "invalid field '%s': must be an array of strings, not %s",
                             field, hcsoci_json_kind(value));
    size_t index;
    json_t *element;
    json_array_foreach((json_t *)value, index, element) {
        if (!json_is_string(element) || json_string_length(element) == 0)
            return world_invalid(error,
                                 "invalid field '%s[%zu]': must be a non-empty string, not %s",
                                 field, index, hcsoci_json_kind(element));
    }
    return 0;
}

static int parse_hns_namespaces(const json_t *description, sim_world *world,
                                hcsoci_error **error)
{
    const json_t *namespaces;
    if (object_member(description, "hnsNamespaces", &namespaces, error) != 0)
        return -1;
    if (namespaces != NULL) {
        const char *id;
        json_t *endpoints;
        json_object_foreach((json_t *)namespaces, id, endpoints) {
            if (id[0] == '\0')
                return world_invalid(error, "invalid field 'hnsNamespaces': has an empty id");
            if (check_unique_key(namespaces, "hnsNamespaces", id, false, error) != 0)
                return -1;
            char field[96];
            snprintf(field, sizeof field, "hnsNamespaces.%.60s", id);
            if (check_string_array(endpoints, field, error) != 0)
                return -1;
        }
    }
    world->hns_namespaces = copy_or_empty(namespaces, false);
    if (world->hns_namespaces == NULL)
        return hcsoci_fail_out_of_memory(error);

    const json_t *new_ids;
    if (array_member(description, "hnsNewNamespaceIds", &new_ids, error) != 0)
        return -1;
    if (new_ids != NULL && check_string_array(new_ids, "hnsNewNamespaceIds", error) != 0)
        return -1;
    world->hns_new_namespace_ids = copy_or_empty(new_ids, true);
    return world->hns_new_namespace_ids != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

/* Reads failCall.hresult: an integer (negative or up to 0xFFFFFFFF) or a "0x..." string. */
static int parse_hresult(const json_t *value, int32_t *hresult, hcsoci_error **error)
{
    uint32_t bits;
    if (json_is_integer(value)) {
        json_int_t number = json_integer_value(value);
        if (number < INT32_MIN || number > (json_int_t)UINT32_MAX)
            return world_invalid(
                error,
                "invalid field 'failCall.hresult': must fit in 32 bits, not %lld",
                (long long)number);
        bits = (uint32_t)number;
    } else if (json_is_string(value)) {
        const char *text = json_string_value(value);
        char *end = NULL;
        errno = 0;
        unsigned long long number = strtoull(text, &end, 0);
        if (text[0] == '\0' || text[0] == '-' || *end != '\0' || errno != 0 ||
            number > UINT32_MAX)
            return world_invalid(
                error,
                "invalid field 'failCall.hresult': must be a 32-bit number such as "
                "\"0x80070005\", not '%s'",
                text);
        bits = (uint32_t)number;
    } else {
        return world_invalid(
            error, "invalid field 'failCall.hresult': must be an integer or a string, not %s",
            hcsoci_json_kind(value));
    }
    if ((bits & UINT32_C(0x80000000)) == 0)
        return world_invalid(
            error,
            "invalid field 'failCall.hresult': must be a failure HRESULT (severity bit "
            "set), not 0x%08" PRIX32,
            bits);
    *hresult = (int32_t)bits;
    return 0;
}

static int parse_fail_call(const json_t *description, sim_world *world, hcsoci_error **error)
{
    const json_t *fail_call = json_object_get(description, "failCall");
    world->fail_call.hresult = SIM_DEFAULT_FAIL_HRESULT;
    if (fail_call == NULL || json_is_null(fail_call))
        return 0;
    if (!json_is_object(fail_call))
        return world_invalid(error, "invalid field 'failCall': must be null or an object, not %s",
                             hcsoci_json_kind(fail_call));

    hcsoci_error *cause = NULL;
    const char *call;
    if (hcsoci_json_string(fail_call, "call", "failCall.call", &call, &cause) != 0)
        return getter_failed(error, cause);
    if (call == NULL)
        return world_invalid(error, "invalid field 'failCall.call': missing");
    if (!sim_call_name_known(call))
        return world_invalid(
            error, "invalid field 'failCall.call': names no host call the sim records: '%s'", call);

    int64_t nth;
    bool present;
    if (hcsoci_json_integer(fail_call, "nth", "failCall.nth", 1, INT32_MAX, &nth, &present,
                            &cause) != 0)
        return getter_failed(error, cause);
    if (!present)
        return world_invalid(error, "invalid field 'failCall.nth': missing");

    const json_t *hresult = json_object_get(fail_call, "hresult");
    if (hresult != NULL && !json_is_null(hresult)) {
        if (parse_hresult(hresult, &world->fail_call.hresult, error) != 0)
            return -1;
        world->fail_call.hresult_given = true;
    }
    world->fail_call.nth = nth;
    world->fail_call.call = strdup(call);
    return world->fail_call.call != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

static int parse_guest_process_outputs(const json_t *description, sim_world *world,
                                       hcsoci_error **error)
{
    const json_t *outputs;
    if (object_member(description, "guestProcessOutputs", &outputs, error) != 0)
        return -1;
    if (outputs != NULL) {
        const char *vm_id;
        json_t *commands;
        json_object_foreach((json_t *)outputs, vm_id, commands) {
            if (!json_is_object(commands))
                return world_invalid(error,
                                     "invalid field 'guestProcessOutputs.%s': must be an object of "
                                     "command line -> output, not %s",
                                     vm_id, hcsoci_json_kind(commands));
            const char *command_line;
            json_t *output;
            json_object_foreach(commands, command_line, output) {
                if (!json_is_string(output))
                    return world_invalid(
                        error,
                        "invalid field 'guestProcessOutputs.%s' entry '%s': must be a "
                        "string, not %s",
                        vm_id, command_line, hcsoci_json_kind(output));
            }
        }
    }
    world->guest_process_outputs = copy_or_empty(outputs, false);
    return world->guest_process_outputs != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

int sim_world_parse(const json_t *description, sim_world *world, hcsoci_error **error)
{
    memset(world, 0, sizeof *world);
    if (!json_is_object(description))
        return world_invalid(error, "the world description must be an object, not %s",
                             description == NULL ? "missing" : hcsoci_json_kind(description));
    if (parse_scalars(description, world, error) != 0 ||
        parse_files(description, world, error) != 0 ||
        parse_layer_ids(description, world, error) != 0 ||
        parse_hns_endpoints(description, world, error) != 0 ||
        parse_hns_namespaces(description, world, error) != 0 ||
        parse_fail_call(description, world, error) != 0 ||
        parse_guest_process_outputs(description, world, error) != 0) {
        sim_world_release(world);
        return -1;
    }
    return 0;
}

void sim_world_release(sim_world *world)
{
    free(world->program_directory);
    free(world->layer_mount_path);
    free(world->fail_call.call);
    json_decref(world->files);
    json_decref(world->layer_ids);
    json_decref(world->hns_endpoints);
    json_decref(world->hns_namespaces);
    json_decref(world->hns_new_namespace_ids);
    json_decref(world->guest_process_outputs);
    memset(world, 0, sizeof *world);
}

/* ---- describing ---- */

static json_t *describe_fail_call(const sim_fail_call *fail_call)
{
    if (fail_call->call == NULL)
        return json_null();
    json_t *description = json_pack("{s:s, s:I}", "call", fail_call->call, "nth",
                                    (json_int_t)fail_call->nth);
    if (description != NULL && fail_call->hresult_given) {
        char text[16];
        snprintf(text, sizeof text, "0x%08" PRIX32, (uint32_t)fail_call->hresult);
        if (json_object_set_new(description, "hresult", json_string(text)) != 0) {
            json_decref(description);
            return NULL;
        }
    }
    return description;
}

json_t *sim_world_describe(const sim_world *world)
{
    /* Members in the corpus's order, then the extras. */
    return json_pack("{s:I, s:I, s:O, s:O, s:s, s:O, s:O, s:O, s:o, s:s, s:I, s:O}",
                     "build", (json_int_t)world->build,
                     "processorCount", (json_int_t)world->processor_count,
                     "files", world->files,
                     "layerIds", world->layer_ids,
                     "layerMountPath", world->layer_mount_path,
                     "hnsEndpoints", world->hns_endpoints,
                     "hnsNamespaces", world->hns_namespaces,
                     "hnsNewNamespaceIds", world->hns_new_namespace_ids,
                     "failCall", describe_fail_call(&world->fail_call),
                     "programDir", world->program_directory,
                     "seed", (json_int_t)world->seed,
                     "guestProcessOutputs", world->guest_process_outputs);
}

/* ---- held counts ---- */

static const struct {
    const char *name;
    size_t offset;
} held_counters[] = {
    {"activatedLayers", offsetof(sim_held, activated_layers)},
    {"preparedLayers", offsetof(sim_held, prepared_layers)},
    {"computeSystems", offsetof(sim_held, compute_systems)},
    {"hnsNamespaces", offsetof(sim_held, hns_namespaces)},
    {"namespaceEndpoints", offsetof(sim_held, namespace_endpoints)},
    {"credentialGuardInstances", offsetof(sim_held, credential_guard_instances)},
};

#define HELD_COUNTER_COUNT (sizeof held_counters / sizeof held_counters[0])

static int64_t *held_counter(sim_held *held, size_t index)
{
    return (int64_t *)((char *)held + held_counters[index].offset);
}

json_t *sim_held_describe(const sim_held *held)
{
    json_t *description = json_object();
    if (description == NULL)
        return NULL;
    for (size_t i = 0; i < HELD_COUNTER_COUNT; i++) {
        int64_t value = *held_counter((sim_held *)held, i);
        if (json_object_set_new(description, held_counters[i].name,
                                json_integer((json_int_t)value)) != 0)
            goto fail;
    }
    json_t *modifications =
        held->modifications != NULL ? hcsoci_json_copy(held->modifications) : json_object();
    if (json_object_set_new(description, "modifications", modifications) != 0)
        goto fail;
    return description;
fail:
    json_decref(description);
    return NULL;
}

int sim_held_parse(const json_t *description, const char *path, sim_held *held,
                   hcsoci_error **error)
{
    memset(held, 0, sizeof *held);
    if (!json_is_object(description))
        return world_invalid(error, "invalid field '%s': must be an object, not %s", path,
                             description == NULL ? "missing" : hcsoci_json_kind(description));
    for (size_t i = 0; i < HELD_COUNTER_COUNT; i++) {
        const json_t *value = json_object_get(description, held_counters[i].name);
        if (!json_is_integer(value))
            return world_invalid(error, "invalid field '%s.%s': must be an integer, not %s", path,
                                 held_counters[i].name,
                                 value == NULL ? "missing" : hcsoci_json_kind(value));
        *held_counter(held, i) = json_integer_value(value);
    }
    const json_t *modifications = json_object_get(description, "modifications");
    if (!json_is_object(modifications))
        return world_invalid(error, "invalid field '%s.modifications': must be an object, not %s",
                             path,
                             modifications == NULL ? "missing" : hcsoci_json_kind(modifications));
    const char *system_id;
    json_t *balances;
    json_object_foreach((json_t *)modifications, system_id, balances) {
        if (!json_is_object(balances))
            return world_invalid(error,
                                 "invalid field '%s.modifications.%s': must be an object, not %s",
                                 path, system_id, hcsoci_json_kind(balances));
        const char *resource_path;
        json_t *balance;
        json_object_foreach(balances, resource_path, balance) {
            if (!json_is_integer(balance))
                return world_invalid(error,
                                     "invalid field '%s.modifications.%s' entry '%s': must be an "
                                     "integer, not %s",
                                     path, system_id, resource_path, hcsoci_json_kind(balance));
        }
    }
    held->modifications = hcsoci_json_copy(modifications);
    return held->modifications != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

int sim_held_modify(sim_held *held, const char *system_id, const char *resource_path,
                    int64_t delta)
{
    if (held->modifications == NULL && (held->modifications = json_object()) == NULL)
        return -1;
    json_t *balances = json_object_get(held->modifications, system_id);
    if (balances == NULL) {
        balances = json_object();
        if (json_object_set_new(held->modifications, system_id, balances) != 0)
            return -1;
    }
    int64_t balance = json_integer_value(json_object_get(balances, resource_path)) + delta;
    int result = 0;
    if (balance == 0)
        json_object_del(balances, resource_path);
    else
        result = json_object_set_new(balances, resource_path, json_integer((json_int_t)balance));
    if (json_object_size(balances) == 0)
        json_object_del(held->modifications, system_id);
    return result;
}

void sim_held_release(sim_held *held)
{
    json_decref(held->modifications);
    memset(held, 0, sizeof *held);
}
