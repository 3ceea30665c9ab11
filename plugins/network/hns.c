/* HNS requests for namespaces and endpoints, shaped and worded as the reference's hns package
 * shapes and words them. Every request goes through the host's HNS call. */
#include "network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hcsoci/alloc.h>
#include <hcsoci/ip_address.h>
#include <hcsoci/spec.h>

#define ELEMENT_NOT_FOUND "Element not found."
#define MAXIMUM_ID_LENGTH 64

bool hns_valid_id(const char *id)
{
    if (id == NULL)
        return false;
    size_t length = strlen(id);
    if (length == 0 || length > MAXIMUM_ID_LENGTH)
        return false;
    for (const char *character = id; *character != '\0'; character++) {
        char c = *character;
        bool allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       c == '-' || c == '{' || c == '}';
        if (!allowed)
            return false;
    }
    return true;
}

bool hns_error_is_not_found(const hcsoci_error *error)
{
    return error != NULL && error->code == HCSOCI_E_NOT_FOUND;
}

/* A member of a reply object, matched as Go's decoder matches field names: the exact key
 * first, otherwise any key equal to it ignoring case. Borrowed; NULL when absent. */
static json_t *reply_member(const json_t *object, const char *key)
{
    json_t *value = json_object_get(object, key);
    if (value != NULL || !json_is_object(object))
        return value;
    const char *candidate;
    json_t *member;
    json_object_foreach((json_t *)object, candidate, member) {
        if (strcasecmp(candidate, key) == 0)
            return member;
    }
    return NULL;
}

/* The Win32 code the reference prints for a failed call's HRESULT: the low word of a
 * FACILITY_WIN32 HRESULT, otherwise the HRESULT itself. */
static unsigned win32_code(int32_t hresult)
{
    uint32_t value = (uint32_t)hresult;
    if ((value & 0x1fff0000u) == 0x00070000u)
        value &= 0xffffu;
    return (unsigned)value;
}

/* Marks an error whose text carries HNS's "does not exist" answer, as the reference tells
 * them apart (by the text). */
static void classify_not_found(hcsoci_error *error)
{
    if (error != NULL && strstr(error->message, ELEMENT_NOT_FOUND) != NULL)
        error->code = HCSOCI_E_NOT_FOUND;
}

/* Sends one request and returns the reply's Output (new reference; NULL when the reply has
 * none). Errors read "failed during hnsCallRawResponse: ..." when the call itself failed and
 * "hns failed with error : <HNS's text>" when HNS answered with Success false. */
static int hns_request(hcsoci_host *host, const char *method, const char *path,
                       const json_t *request, json_t **output, hcsoci_error **error)
{
    *output = NULL;
    json_t *reply = NULL;
    hcsoci_error *call_error = NULL;
    if (host->ops->hns_call(host, method, path, request, &reply, &call_error) != 0) {
        if (call_error == NULL)
            call_error = hcsoci_error_new(HCSOCI_E_FAIL, "%s", hcsoci_hresult_text(HCSOCI_E_FAIL));
        hcsoci_error_prefix(call_error, "failed during hnsCallRawResponse: hnsCall failed in Win32: ");
        hcsoci_error_suffix(call_error, " (0x%x)", win32_code(call_error->code));
        classify_not_found(call_error);
        json_decref(reply);
        return hcsoci_error_store(error, call_error);
    }
    if (!json_is_object(reply)) {
        int result = hcsoci_fail(error, HCSOCI_E_FAIL,
                                 "failed during hnsCallRawResponse: the HNS reply is %s, not an "
                                 "object",
                                 hcsoci_json_kind(reply));
        json_decref(reply);
        return result;
    }
    if (!json_is_true(reply_member(reply, "Success"))) {
        const char *text = json_string_value(reply_member(reply, "Error"));
        hcsoci_error *failure =
            hcsoci_error_new(HCSOCI_E_FAIL, "hns failed with error : %s", text != NULL ? text : "");
        classify_not_found(failure);
        json_decref(reply);
        return hcsoci_error_store(error, failure);
    }
    json_t *value = reply_member(reply, "Output");
    if (value != NULL && !json_is_null(value))
        *output = json_incref(value);
    json_decref(reply);
    return 0;
}

/* hns_request for a namespace path, with the reference's "<METHOD> <path>: " in front of any
 * error. */
static int namespace_request(hcsoci_host *host, const char *method, const char *path,
                             const json_t *request, json_t **output, hcsoci_error **error)
{
    hcsoci_error *request_error = NULL;
    if (hns_request(host, method, path, request, output, &request_error) == 0)
        return 0;
    hcsoci_error_prefix(request_error, "%s %s: ", method, path);
    return hcsoci_error_store(error, request_error);
}

/* "/namespaces/<id>" followed by "/<action>" when action is not NULL; the id must be valid. */
static int namespace_path(const char *namespace_id, const char *action, char *path, size_t size,
                          hcsoci_error **error)
{
    if (!hns_valid_id(namespace_id))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid network namespace id '%s': expected 1 to %d letters, digits, "
                           "'-', '{' or '}'",
                           namespace_id != NULL ? namespace_id : "(null)", MAXIMUM_ID_LENGTH);
    snprintf(path, size, "/namespaces/%s%s%s", namespace_id, action != NULL ? "/" : "",
             action != NULL ? action : "");
    return 0;
}

/* The path buffer size for any namespace or endpoint path. */
#define PATH_SIZE (MAXIMUM_ID_LENGTH + 64)

int hns_create_namespace(hcsoci_host *host, char **namespace_id, hcsoci_error **error)
{
    *namespace_id = NULL;
    /* The request's only field, IsDefault, is false and so left out. */
    json_t *request = json_object();
    if (request == NULL)
        return hcsoci_fail_out_of_memory(error);
    json_t *output = NULL;
    int result = namespace_request(host, "POST", "/namespaces/", request, &output, error);
    json_decref(request);
    if (result != 0)
        return -1;
    const char *id = json_string_value(reply_member(output, "ID"));
    if (id == NULL || id[0] == '\0')
        result = hcsoci_fail(error, HCSOCI_E_FAIL,
                             "POST /namespaces/: HNS answered without the new namespace's ID");
    else if (!hns_valid_id(id))
        result = hcsoci_fail(error, HCSOCI_E_FAIL,
                             "POST /namespaces/: HNS answered with an invalid namespace ID '%s'",
                             id);
    else if ((*namespace_id = hcsoci_strdup(id)) == NULL) {
        result = hcsoci_fail_out_of_memory(error);
        /* Nobody else knows the namespace exists: take it down again. */
        hns_remove_namespace(host, id, NULL);
    }
    json_decref(output);
    return result;
}

int hns_remove_namespace(hcsoci_host *host, const char *namespace_id, hcsoci_error **error)
{
    char path[PATH_SIZE];
    if (namespace_path(namespace_id, NULL, path, sizeof path, error) != 0)
        return -1;
    json_t *output = NULL;
    int result = namespace_request(host, "DELETE", path, NULL, &output, error);
    json_decref(output);
    return result;
}

/* addresource or removeresource of one endpoint: {"Type": "Endpoint", "Data": {"Id": ..}}. */
static int change_namespace_endpoint(hcsoci_host *host, const char *namespace_id,
                                     const char *action, const char *endpoint_id,
                                     hcsoci_error **error)
{
    char path[PATH_SIZE];
    if (namespace_path(namespace_id, action, path, sizeof path, error) != 0)
        return -1;
    if (endpoint_id == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "an endpoint id is required");
    json_t *request = json_pack("{s:s, s:{s:s}}", "Type", "Endpoint", "Data", "Id", endpoint_id);
    if (request == NULL)
        return hcsoci_fail_out_of_memory(error);
    json_t *output = NULL;
    int result = namespace_request(host, "POST", path, request, &output, error);
    json_decref(output);
    json_decref(request);
    return result;
}

int hns_add_namespace_endpoint(hcsoci_host *host, const char *namespace_id,
                               const char *endpoint_id, hcsoci_error **error)
{
    return change_namespace_endpoint(host, namespace_id, "addresource", endpoint_id, error);
}

int hns_remove_namespace_endpoint(hcsoci_host *host, const char *namespace_id,
                                  const char *endpoint_id, hcsoci_error **error)
{
    return change_namespace_endpoint(host, namespace_id, "removeresource", endpoint_id, error);
}

/* Appends the endpoint id of ResourceList[index] when that resource is an endpoint. */
static int collect_endpoint_id(const char *path, size_t index, const json_t *resource,
                               json_t *ids, hcsoci_error **error)
{
    const char *type = json_string_value(reply_member(resource, "Type"));
    if (type == NULL || strcmp(type, "Endpoint") != 0)
        return 0;
    const json_t *data = reply_member(resource, "Data");
    if (!json_is_object(data))
        return hcsoci_fail(error, HCSOCI_E_FAIL,
                           "GET %s: unmarshal endpoint: ResourceList[%zu].Data is %s, not an "
                           "object",
                           path, index, hcsoci_json_kind(data));
    const char *id = json_string_value(reply_member(data, "Id"));
    if (id == NULL)
        return hcsoci_fail(error, HCSOCI_E_FAIL,
                           "GET %s: unmarshal endpoint: ResourceList[%zu].Data has no Id string",
                           path, index);
    if (json_array_append_new(ids, json_string(id)) != 0)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

int hns_namespace_endpoint_ids(hcsoci_host *host, const char *namespace_id, json_t **ids,
                               hcsoci_error **error)
{
    *ids = NULL;
    char path[PATH_SIZE];
    if (namespace_path(namespace_id, NULL, path, sizeof path, error) != 0)
        return -1;
    json_t *output = NULL;
    if (namespace_request(host, "GET", path, NULL, &output, error) != 0)
        return -1;
    int result = 0;
    json_t *list = json_array();
    const json_t *resources = reply_member(output, "ResourceList");
    if (list == NULL) {
        result = hcsoci_fail_out_of_memory(error);
    } else if (resources != NULL && !json_is_null(resources) && !json_is_array(resources)) {
        result = hcsoci_fail(error, HCSOCI_E_FAIL, "GET %s: ResourceList is %s, not an array",
                             path, hcsoci_json_kind(resources));
    } else {
        size_t index;
        const json_t *resource;
        json_array_foreach(resources, index, resource) {
            if ((result = collect_endpoint_id(path, index, resource, list, error)) != 0)
                break;
        }
    }
    json_decref(output);
    if (result != 0) {
        json_decref(list);
        return -1;
    }
    *ids = list;
    return 0;
}

int hns_get_endpoint(hcsoci_host *host, const char *endpoint_id, json_t **record,
                     hcsoci_error **error)
{
    *record = NULL;
    if (!hns_valid_id(endpoint_id))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid HNS endpoint id '%s': expected 1 to %d letters, digits, '-', "
                           "'{' or '}'",
                           endpoint_id != NULL ? endpoint_id : "(null)", MAXIMUM_ID_LENGTH);
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "/endpoints/%s", endpoint_id);
    json_t *output = NULL;
    hcsoci_error *request_error = NULL;
    if (hns_request(host, "GET", path, NULL, &output, &request_error) != 0) {
        hcsoci_error_prefix(request_error, "GET %s: ", path);
        return hcsoci_error_store(error, request_error);
    }
    if (!json_is_object(output)) {
        int result = hcsoci_fail(error, HCSOCI_E_FAIL,
                                 "GET %s: HNS answered with %s, not an endpoint record", path,
                                 hcsoci_json_kind(output));
        json_decref(output);
        return result;
    }
    /* The reference decodes the record into HNSEndpoint, whose addresses are net.IP: an
     * address Go cannot parse fails the request, the others read back in Go's form. */
    if (hcsoci_endpoint_canonical_addresses(output, error) != 0) {
        hcsoci_error_prefix(error != NULL ? *error : NULL, "GET %s: ", path);
        json_decref(output);
        return -1;
    }
    *record = output;
    return 0;
}
