/* The HNS network module's own interface between its files: the HNS requests (hns.c), the
 * namespace a container gets and its release (namespace.c) and the endpoint listing
 * (endpoints.c). Nothing here leaves the module: it exports only its descriptor. */
#ifndef HCSOCI_NETWORK_MODULE_H
#define HCSOCI_NETWORK_MODULE_H

#include <stdbool.h>
#include <jansson.h>

#include <hcsoci/plugin.h>

/* The ledger kind of the namespace hcsoci created and the endpoints it added to it:
 * {"kind": NETWORK_ENDPOINTS_KIND, "namespace": "<id>", "endpoints": ["<id>", ...]}. */
#define NETWORK_ENDPOINTS_KIND "network.endpoints"

/* ---- HNS requests (hns.c) ----
 * Each returns 0, or -1 with *error worded as the reference words it ("POST /namespaces/<id>/
 * addresource: hns failed with error : ..."). An error whose cause is HNS's "Element not
 * found." carries the code HCSOCI_E_NOT_FOUND (see hns_error_is_not_found). */

/* True when id can name an HNS object in a request path: 1 to 64 letters, digits, '-', '{'
 * or '}' (GUIDs, with or without braces). */
bool hns_valid_id(const char *id);

/* True when error says that the HNS object does not exist. */
bool hns_error_is_not_found(const hcsoci_error *error);

/* POST /namespaces/: a new namespace; *namespace_id is the caller's (free). */
int hns_create_namespace(hcsoci_host *host, char **namespace_id, hcsoci_error **error);

/* DELETE /namespaces/<id>. */
int hns_remove_namespace(hcsoci_host *host, const char *namespace_id, hcsoci_error **error);

/* POST /namespaces/<id>/addresource with the endpoint. */
int hns_add_namespace_endpoint(hcsoci_host *host, const char *namespace_id,
                               const char *endpoint_id, hcsoci_error **error);

/* POST /namespaces/<id>/removeresource with the endpoint. */
int hns_remove_namespace_endpoint(hcsoci_host *host, const char *namespace_id,
                                  const char *endpoint_id, hcsoci_error **error);

/* GET /namespaces/<id>: the ids of its "Endpoint" resources in HNS order (new array of
 * strings, the caller's). */
int hns_namespace_endpoint_ids(hcsoci_host *host, const char *namespace_id, json_t **ids,
                               hcsoci_error **error);

/* GET /endpoints/<id>: the endpoint's HNS record as HNS gave it, its IPAddress and IPv6Address
 * in Go's net.IP form (new object, the caller's); an address Go cannot parse is an error. */
int hns_get_endpoint(hcsoci_host *host, const char *endpoint_id, json_t **record,
                     hcsoci_error **error);

/* ---- The container's namespace (namespace.c) ---- */

/* Creates a namespace for context's spec (windows.network.endpointList), adds the endpoints
 * and keeps the ledger up to date after each step, so that releasing it undoes exactly what
 * was done (see hcsoci_network_ops.create_namespace). */
int network_create_namespace(hcsoci_build_context *context, hcsoci_error **error);

/* Releases a NETWORK_ENDPOINTS_KIND ledger entry: removes its endpoints from its namespace,
 * then the namespace; what is already gone is not an error. */
int network_release(hcsoci_host *host, const json_t *entry, hcsoci_error **error);

/* ---- Listing (endpoints.c) ---- */

/* The full HNS records of a namespace's endpoints, in HNS order (new array, the caller's). */
int network_namespace_endpoints(hcsoci_host *host, const char *namespace_id, json_t **endpoints,
                                hcsoci_error **error);

#endif
