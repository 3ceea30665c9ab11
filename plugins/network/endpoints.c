/* The endpoints of a network namespace as full HNS records (GetNamespaceEndpoints): the
 * namespace's endpoint ids in the order HNS lists them, then each endpoint's record. */
#include "network.h"

int network_namespace_endpoints(hcsoci_host *host, const char *namespace_id, json_t **endpoints,
                                hcsoci_error **error)
{
    *endpoints = NULL;
    if (host == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "network module: no host to ask");
    json_t *ids = NULL;
    hcsoci_error *list_error = NULL;
    if (hns_namespace_endpoint_ids(host, namespace_id, &ids, &list_error) != 0) {
        if (hns_error_is_not_found(list_error))
            hcsoci_error_prefix(list_error, "network namespace %s not found: ", namespace_id);
        return hcsoci_error_store(error, list_error);
    }
    json_t *records = json_array();
    if (records == NULL) {
        json_decref(ids);
        return hcsoci_fail_out_of_memory(error);
    }
    size_t index;
    const json_t *id;
    json_array_foreach(ids, index, id) {
        json_t *record = NULL;
        if (hns_get_endpoint(host, json_string_value(id), &record, error) != 0 ||
            json_array_append_new(records, record) != 0) {
            if (record != NULL)
                hcsoci_fail_out_of_memory(error);
            else
                hcsoci_error_prefix(error != NULL ? *error : NULL,
                                    "endpoint %s of network namespace %s: ",
                                    json_string_value(id), namespace_id);
            json_decref(records);
            json_decref(ids);
            return -1;
        }
    }
    json_decref(ids);
    *endpoints = records;
    return 0;
}
