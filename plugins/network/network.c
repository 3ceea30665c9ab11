/* The HNS network module. This build carries its descriptor only: namespaces and endpoints
 * arrive with the network issue, and until then each op reports that clearly. */
#include <hcsoci/plugin.h>

static int network_create_namespace(hcsoci_build_context *context, hcsoci_error **error)
{
    (void)context;
    return hcsoci_not_supported(error, "creating an HNS network namespace");
}

static int network_namespace_endpoints(hcsoci_host *host, const char *namespace_id,
                                       json_t **endpoints, hcsoci_error **error)
{
    (void)host;
    (void)namespace_id;
    *endpoints = NULL;
    return hcsoci_not_supported(error, "listing the endpoints of a network namespace");
}

static int network_release(hcsoci_host *host, const json_t *entry, hcsoci_error **error)
{
    (void)host;
    (void)entry;
    return hcsoci_not_supported(error, "releasing network resources");
}

static const hcsoci_network_ops network_ops = {
    .create_namespace = network_create_namespace,
    .namespace_endpoints = network_namespace_endpoints,
    .release = network_release,
};

HCSOCI_PLUGIN_DESCRIPTOR(network) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_NETWORK,
    .ops_size = sizeof(hcsoci_network_ops),
    .name = "network",
    .version = "0.1.0",
    .description = "HNS network namespaces and endpoints (not supported by this build yet)",
    .match = NULL,
    .ops = &network_ops,
};
