/* A network module made for the kit's own test (tests/conformance/test_sweep_catches.sh): the
 * built-in network module's code, except that its release reports success whatever HNS
 * answered, so that a ledger entry whose release failed leaves the ledger and is never tried
 * again. The corpus, the host-call sweep and the allocation sweep of the create cannot see
 * that; the release sweep must. */
#include "../../plugins/network/network.h"

/* A malformed entry is still refused (the contract suite checks that); what HNS answers is
 * not passed on. */
static int careless_release(hcsoci_host *host, const json_t *entry, hcsoci_error **error)
{
    hcsoci_error *failure = NULL;
    if (network_release(host, entry, &failure) == 0)
        return 0;
    if (failure->code == HCSOCI_E_INVALID)
        return hcsoci_error_store(error, failure);
    hcsoci_error_free(failure);
    return 0;
}

static const hcsoci_network_ops careless_network_ops = {
    .create_namespace = network_create_namespace,
    .namespace_endpoints = network_namespace_endpoints,
    .release = careless_release,
};

HCSOCI_PLUGIN_DESCRIPTOR(careless_network) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_NETWORK,
    .ops_size = sizeof(hcsoci_network_ops),
    .name = "careless-network",
    .version = "0.0.1",
    .description = "the network module, whose release hides HNS failures (a test module)",
    .match = NULL,
    .ops = &careless_network_ops,
};
