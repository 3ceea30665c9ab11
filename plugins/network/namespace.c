/* The network namespace hcsoci creates for a container (spec.windows.network.endpointList on
 * schema 2.1 without a given namespace), and its release.
 *
 * The ledger always says what exists: right after HNS created the namespace it holds the
 * namespace with no endpoints, and after each endpoint was added it holds that endpoint too.
 * So when adding an endpoint fails, releasing the ledger removes exactly the endpoints that
 * were added and then the namespace (deviation D4: the reference recorded the namespace only
 * after every endpoint was added and so leaked it). */
#include "network.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/log.h>
#include <hcsoci/spec.h>

/* Removes endpoints (an array of id strings) from the namespace in order, then the namespace,
 * stopping at the first failure other than "does not exist", as the reference does. */
static int remove_namespace_and_endpoints(hcsoci_host *host, const char *namespace_id,
                                          const json_t *endpoints, hcsoci_error **error)
{
    size_t index;
    const json_t *endpoint;
    json_array_foreach(endpoints, index, endpoint) {
        const char *endpoint_id = json_string_value(endpoint);
        hcsoci_error *remove_error = NULL;
        if (hns_remove_namespace_endpoint(host, namespace_id, endpoint_id, &remove_error) == 0)
            continue;
        if (!hns_error_is_not_found(remove_error))
            return hcsoci_error_store(error, remove_error);
        hcsoci_error_free(remove_error);
        HCSOCI_LOG(HCSOCI_LOG_WARN,
                   json_pack("{s:s, s:s}", "endpointID", endpoint_id, "netID", namespace_id),
                   "removing endpoint from namespace: does not exist");
    }
    hcsoci_error *remove_error = NULL;
    if (hns_remove_namespace(host, namespace_id, &remove_error) == 0)
        return 0;
    if (!hns_error_is_not_found(remove_error))
        return hcsoci_error_store(error, remove_error);
    hcsoci_error_free(remove_error);
    HCSOCI_LOG(HCSOCI_LOG_WARN, json_pack("{s:s}", "netID", namespace_id),
               "removing network namespace: does not exist");
    return 0;
}

/* Undoes a creation whose ledger could not be kept up to date (memory ran out): removes what
 * what was made at once, logging any failure to undo (the caller keeps the reason). */
static void undo_unrecorded(hcsoci_host *host, const char *namespace_id, const json_t *endpoints)
{
    hcsoci_error *undo_error = NULL;
    if (remove_namespace_and_endpoints(host, namespace_id, endpoints, &undo_error) != 0) {
        HCSOCI_LOG(HCSOCI_LOG_ERROR,
                   json_pack("{s:s, s:s}", "netID", namespace_id, "error", undo_error->message),
                   "failed to remove a network namespace that could not be recorded");
        hcsoci_error_free(undo_error);
    }
}

/* Undoes the namespace after endpoint_id was added to it but could not be recorded: removes
 * that endpoint, then the recorded ones and the namespace. */
static void undo_unrecorded_endpoint(hcsoci_host *host, const char *namespace_id,
                                     const char *endpoint_id, const json_t *recorded)
{
    hcsoci_error *undo_error = NULL;
    if (hns_remove_namespace_endpoint(host, namespace_id, endpoint_id, &undo_error) != 0 &&
        !hns_error_is_not_found(undo_error))
        HCSOCI_LOG(HCSOCI_LOG_ERROR,
                   json_pack("{s:s, s:s, s:s}", "netID", namespace_id, "endpointID", endpoint_id,
                             "error", undo_error->message),
                   "failed to remove an endpoint that could not be recorded");
    hcsoci_error_free(undo_error);
    undo_unrecorded(host, namespace_id, recorded);
}

/* Makes the ledger's last entry {"kind": network.endpoints, "namespace", "endpoints"}: appends
 * it when replace is false, otherwise replaces the last entry (which must be the namespace's).
 * endpoints is borrowed and copied. */
static int record_namespace(hcsoci_resources *resources, const char *namespace_id,
                            const json_t *endpoints, bool replace, hcsoci_error **error)
{
    json_t *details = json_pack("{s:s, s:o}", "namespace", namespace_id, "endpoints",
                                hcsoci_json_copy(endpoints));
    if (details == NULL)
        return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory recording a %s",
                           NETWORK_ENDPOINTS_KIND);
    if (replace) {
        size_t count = hcsoci_resources_count(resources);
        const json_t *last = count > 0 ? hcsoci_resources_entry(resources, count - 1) : NULL;
        const char *kind = json_string_value(json_object_get(last, "kind"));
        const char *recorded = json_string_value(json_object_get(last, "namespace"));
        if (kind == NULL || strcmp(kind, NETWORK_ENDPOINTS_KIND) != 0 || recorded == NULL ||
            strcmp(recorded, namespace_id) != 0) {
            json_decref(details);
            return hcsoci_fail(error, HCSOCI_E_FAIL,
                               "the resource ledger changed while network namespace %s was being "
                               "set up",
                               namespace_id);
        }
        hcsoci_resources_pop(resources);
    }
    return hcsoci_resources_add(resources, NETWORK_ENDPOINTS_KIND, details, error);
}

/* The spec's windows.network.endpointList (borrowed; NULL when absent). */
static int read_endpoint_list(const json_t *spec, json_t **endpoint_list, hcsoci_error **error)
{
    json_t *windows = NULL;
    json_t *network = NULL;
    *endpoint_list = NULL;
    if (hcsoci_json_object(spec, "windows", "windows", &windows, error) != 0 ||
        hcsoci_json_object(windows, "network", "windows.network", &network, error) != 0)
        return -1;
    return hcsoci_json_string_array(network, "endpointList", "windows.network.endpointList",
                                    endpoint_list, error);
}

/* Adds the endpoints in order, recording each one after HNS added it. added (empty on entry)
 * receives the ids added. */
static int add_endpoints(hcsoci_build_context *context, const char *namespace_id,
                         const json_t *endpoint_list, json_t *added, hcsoci_error **error)
{
    size_t index;
    const json_t *endpoint;
    json_array_foreach(endpoint_list, index, endpoint) {
        const char *endpoint_id = json_string_value(endpoint);
        hcsoci_error *add_error = NULL;
        if (hns_add_namespace_endpoint(context->host, namespace_id, endpoint_id, &add_error) != 0) {
            if (hns_error_is_not_found(add_error))
                hcsoci_error_prefix(add_error, "windows.network.endpointList[%zu]: endpoint '%s' "
                                               "or namespace %s does not exist: ",
                                    index, endpoint_id, namespace_id);
            return hcsoci_error_store(error, add_error);
        }
        HCSOCI_LOG(HCSOCI_LOG_INFO,
                   json_pack("{s:s, s:s}", "netID", namespace_id, "endpointID", endpoint_id),
                   "added network endpoint to namespace");
        if (json_array_append_new(added, json_string(endpoint_id)) != 0) {
            hcsoci_fail_out_of_memory(error);
            undo_unrecorded_endpoint(context->host, namespace_id, endpoint_id, added);
            return -1;
        }
        if (record_namespace(context->resources, namespace_id, added, true, error) != 0) {
            json_array_remove(added, json_array_size(added) - 1);
            undo_unrecorded_endpoint(context->host, namespace_id, endpoint_id, added);
            return -1;
        }
    }
    return 0;
}

int network_create_namespace(hcsoci_build_context *context, hcsoci_error **error)
{
    if (context == NULL ||
        context->size < offsetof(hcsoci_build_context, resources) + sizeof context->resources ||
        context->host == NULL || context->resources == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "network module: the build context is incomplete");
    if (!json_is_object(context->spec))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid OCI spec: must be an object, not %s",
                           hcsoci_json_kind(context->spec));
    json_t *endpoint_list = NULL;
    if (read_endpoint_list(context->spec, &endpoint_list, error) != 0)
        return -1;

    char *namespace_id = NULL;
    if (hns_create_namespace(context->host, &namespace_id, error) != 0)
        return -1;
    HCSOCI_LOG(HCSOCI_LOG_INFO,
               json_pack("{s:s, s:s?}", "netID", namespace_id, "cid", context->id),
               "created network namespace for container");

    int result = -1;
    json_t *added = json_array();
    if (added == NULL) {
        hcsoci_fail_out_of_memory(error);
        undo_unrecorded(context->host, namespace_id, NULL);
    } else if (hcsoci_resources_set_network_namespace(context->resources, namespace_id, true,
                                                      error) != 0 ||
               record_namespace(context->resources, namespace_id, added, false, error) != 0) {
        undo_unrecorded(context->host, namespace_id, NULL);
    } else {
        result = add_endpoints(context, namespace_id, endpoint_list, added, error);
    }
    json_decref(added);
    free(namespace_id);
    return result;
}

int network_release(hcsoci_host *host, const json_t *entry, hcsoci_error **error)
{
    const char *kind = json_string_value(json_object_get(entry, "kind"));
    if (kind == NULL || strcmp(kind, NETWORK_ENDPOINTS_KIND) != 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "the network module cannot release a resource of kind '%s'",
                           kind != NULL ? kind : "(none)");
    const char *namespace_id = NULL;
    json_t *endpoints = NULL;
    if (hcsoci_json_string(entry, "namespace", NETWORK_ENDPOINTS_KIND ".namespace",
                           &namespace_id, error) != 0 ||
        hcsoci_json_string_array(entry, "endpoints", NETWORK_ENDPOINTS_KIND ".endpoints",
                                 &endpoints, error) != 0) {
        hcsoci_error_prefix(error != NULL ? *error : NULL, "invalid resource ledger entry: ");
        return -1;
    }
    if (namespace_id == NULL || !hns_valid_id(namespace_id))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid resource ledger entry: %s.namespace is '%s', not a network "
                           "namespace id",
                           NETWORK_ENDPOINTS_KIND, namespace_id != NULL ? namespace_id : "(absent)");
    return remove_namespace_and_endpoints(host, namespace_id, endpoints, error);
}
