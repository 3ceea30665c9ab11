/* The sim host's answers to HNS calls: network namespaces (create, get, add or remove an
 * endpoint, delete) and endpoints (get), as replies {"Success":..,"Output"|"Error":..}.
 * Ids are GUIDs and are compared case-insensitively. */
#include "sim_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ELEMENT_NOT_FOUND "Element not found."

/* {"Success": true, "Output": output}; output is stolen. */
static json_t *success_reply(json_t *output)
{
    return json_pack("{s:b, s:o}", "Success", 1, "Output", output);
}

static json_t *failure_reply(const char *format, ...) HCSOCI_PRINTF_FORMAT(1, 2);

static json_t *failure_reply(const char *format, ...)
{
    char *text = NULL;
    va_list arguments;
    va_start(arguments, format);
    int length = vasprintf(&text, format, arguments);
    va_end(arguments);
    if (length < 0)
        return NULL;
    json_t *reply = json_pack("{s:b, s:s}", "Success", 0, "Error", text);
    free(text);
    return reply;
}

/* The key of the namespace with this id (borrowed from the world), or NULL. */
static const char *find_namespace(const sim_world *world, const char *id, json_t **endpoints)
{
    const char *key;
    json_t *value;
    json_object_foreach(world->hns_namespaces, key, value) {
        if (strcasecmp(key, id) == 0) {
            *endpoints = value;
            return key;
        }
    }
    return NULL;
}

static const json_t *find_endpoint(const sim_world *world, const char *id)
{
    size_t index;
    json_t *endpoint;
    json_array_foreach(world->hns_endpoints, index, endpoint) {
        if (strcasecmp(json_string_value(json_object_get(endpoint, "ID")), id) == 0)
            return endpoint;
    }
    return NULL;
}

/* {"ID": id, "ResourceList": [{"Type": "Endpoint", "Data": {"Id": ...}}, ...]}, holding copies
 * of the world's strings: the caller reads it after the host's lock is released. */
static json_t *describe_namespace(const char *id, const json_t *endpoints)
{
    json_t *resources = json_array();
    size_t index;
    json_t *endpoint;
    json_array_foreach(endpoints, index, endpoint) {
        if (json_array_append_new(resources,
                                  json_pack("{s:s, s:{s:s}}", "Type", "Endpoint", "Data", "Id",
                                            json_string_value(endpoint))) != 0) {
            json_decref(resources);
            return NULL;
        }
    }
    return json_pack("{s:s, s:o}", "ID", id, "ResourceList", resources);
}

/* The id of the next namespace (new reference): the next of hnsNewNamespaceIds, and once
 * those are used up a GUID from the seeded generator that names no namespace yet. */
static json_t *next_namespace_id(sim_host *sim)
{
    sim_world *world = &sim->world;
    if (json_array_size(world->hns_new_namespace_ids) > 0)
        return json_incref(json_array_get(world->hns_new_namespace_ids, 0));
    char guid[37];
    json_t *ignored;
    do
        sim_draw_guid(sim, guid);
    while (find_namespace(world, guid, &ignored) != NULL);
    return json_string(guid);
}

static json_t *create_namespace(sim_host *sim)
{
    sim_world *world = &sim->world;
    bool listed = json_array_size(world->hns_new_namespace_ids) > 0;
    json_t *id = next_namespace_id(sim);
    if (id == NULL)
        return NULL;
    json_t *ignored;
    if (find_namespace(world, json_string_value(id), &ignored) != NULL) {
        json_t *reply = failure_reply("sim host: the next id in hnsNewNamespaceIds, '%s', "
                                      "names a namespace that exists",
                                      json_string_value(id));
        json_decref(id);
        return reply;
    }
    json_t *reply = NULL;
    if (json_object_set_new(world->hns_namespaces, json_string_value(id), json_array()) == 0) {
        if (listed)
            json_array_remove(world->hns_new_namespace_ids, 0);
        sim->held.hns_namespaces++;
        reply = success_reply(json_pack("{s:O, s:[]}", "ID", id, "ResourceList"));
    }
    json_decref(id);
    return reply;
}

static json_t *list_namespaces(const sim_world *world)
{
    json_t *list = json_array();
    const char *id;
    json_t *endpoints;
    json_object_foreach(world->hns_namespaces, id, endpoints) {
        if (json_array_append_new(list, describe_namespace(id, endpoints)) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return success_reply(list);
}

/* The endpoint id of an addresource/removeresource request, or NULL when it is malformed. */
static const char *resource_endpoint_id(const json_t *request)
{
    const char *type = json_string_value(json_object_get(request, "Type"));
    if (type == NULL || strcmp(type, "Endpoint") != 0)
        return NULL;
    return json_string_value(json_object_get(json_object_get(request, "Data"), "Id"));
}

/* The index of endpoint_id in a namespace's endpoint list, or -1. */
static long endpoint_index(const json_t *endpoints, const char *endpoint_id)
{
    size_t index;
    json_t *endpoint;
    json_array_foreach(endpoints, index, endpoint) {
        if (strcasecmp(json_string_value(endpoint), endpoint_id) == 0)
            return (long)index;
    }
    return -1;
}

static json_t *change_namespace_resource(sim_host *sim, const char *key, json_t *endpoints,
                                         bool add, const json_t *request)
{
    const char *endpoint_id = resource_endpoint_id(request);
    if (endpoint_id == NULL)
        return failure_reply("sim host: a namespace %s request must be {\"Type\": \"Endpoint\", "
                             "\"Data\": {\"Id\": \"<endpoint id>\"}}",
                             add ? "addresource" : "removeresource");
    long index = endpoint_index(endpoints, endpoint_id);
    if (add) {
        /* Like the recording host, HNS takes any endpoint id here: an id that names no
         * endpoint is listed all the same, and only GET /endpoints/<id> tells it is unknown.
         * A known endpoint is listed with the spelling of its record. */
        const json_t *endpoint = find_endpoint(&sim->world, endpoint_id);
        if (index < 0) {
            json_t *listed = endpoint != NULL ? json_incref(json_object_get(endpoint, "ID"))
                                              : json_string(endpoint_id);
            if (json_array_append_new(endpoints, listed) != 0)
                return NULL;
            sim->held.namespace_endpoints++;
        }
    } else {
        if (index < 0)
            return failure_reply(ELEMENT_NOT_FOUND);
        json_array_remove(endpoints, (size_t)index);
        sim->held.namespace_endpoints--;
    }
    return success_reply(describe_namespace(key, endpoints));
}

static json_t *answer_namespaces(sim_host *sim, const char *method, const char *id,
                                 const char *action, const json_t *request)
{
    sim_world *world = &sim->world;
    if (id == NULL) {
        if (strcasecmp(method, "POST") == 0)
            return create_namespace(sim);
        if (strcasecmp(method, "GET") == 0)
            return list_namespaces(world);
        return failure_reply("sim host: HNS %s /namespaces/ is not simulated", method);
    }
    json_t *endpoints = NULL;
    const char *key = find_namespace(world, id, &endpoints);
    if (action == NULL && strcasecmp(method, "GET") == 0)
        return key != NULL ? success_reply(describe_namespace(key, endpoints))
                           : failure_reply(ELEMENT_NOT_FOUND);
    if (action == NULL && strcasecmp(method, "DELETE") == 0) {
        if (key == NULL)
            return failure_reply(ELEMENT_NOT_FOUND);
        json_t *reply = success_reply(describe_namespace(key, endpoints));
        if (reply != NULL) {
            json_object_del(world->hns_namespaces, key);
            sim->held.hns_namespaces--;
        }
        return reply;
    }
    if (action != NULL && strcasecmp(method, "POST") == 0 &&
        (strcasecmp(action, "addresource") == 0 || strcasecmp(action, "removeresource") == 0)) {
        if (key == NULL)
            return failure_reply(ELEMENT_NOT_FOUND);
        return change_namespace_resource(sim, key, endpoints,
                                         strcasecmp(action, "addresource") == 0, request);
    }
    return failure_reply("sim host: HNS %s /namespaces/%s%s%s is not simulated", method, id,
                         action != NULL ? "/" : "", action != NULL ? action : "");
}

static json_t *answer_endpoints(const sim_world *world, const char *method, const char *id,
                                const char *action)
{
    if (strcasecmp(method, "GET") != 0 || action != NULL)
        return failure_reply("sim host: HNS %s /endpoints/%s%s%s is not simulated", method,
                             id != NULL ? id : "", action != NULL ? "/" : "",
                             action != NULL ? action : "");
    if (id == NULL)
        return success_reply(hcsoci_json_copy(world->hns_endpoints));
    const json_t *endpoint = find_endpoint(world, id);
    if (endpoint == NULL)
        return failure_reply(ELEMENT_NOT_FOUND);
    return success_reply(hcsoci_json_copy(endpoint));
}

int sim_hns_answer(sim_host *sim, const char *method, const char *path, const json_t *request,
                   json_t **response, hcsoci_error **error)
{
    /* Split "/collection[/id[/action]]" (empty elements, such as a trailing '/', are skipped). */
    char *copy = strdup(path);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    const char *elements[4] = {NULL, NULL, NULL, NULL};
    size_t count = 0;
    char *cursor = copy;
    while (*cursor != '\0') {
        char *end = strchr(cursor, '/');
        if (end != NULL)
            *end = '\0';
        if (*cursor != '\0') {
            if (count == 4)
                break;
            elements[count++] = cursor;
        }
        if (end == NULL)
            break;
        cursor = end + 1;
    }

    json_t *reply;
    if (count < 1 || count > 3 || path[0] != '/')
        reply = failure_reply("sim host: HNS %s %s is not simulated", method, path);
    else if (strcasecmp(elements[0], "namespaces") == 0)
        reply = answer_namespaces(sim, method, elements[1], elements[2], request);
    else if (strcasecmp(elements[0], "endpoints") == 0)
        reply = answer_endpoints(&sim->world, method, elements[1], elements[2]);
    else
        reply = failure_reply("sim host: HNS %s %s is not simulated", method, path);
    free(copy);
    if (reply == NULL)
        return hcsoci_fail_out_of_memory(error);
    *response = reply;
    return 0;
}
