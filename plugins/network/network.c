/* The HNS network module: its descriptor and ops table. A process-isolated container's
 * namespace is created (or adopted by the core) here; adding the namespace and its NICs to a
 * utility VM belongs to the core's UVM model. */
#include "network.h"

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
    .version = "0.2.0",
    .description = "HNS network namespaces and endpoints",
    .match = NULL,
    .ops = &network_ops,
};
