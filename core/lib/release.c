/* Releasing a container's resources, by the reference's rules: the namespace leaves the
 * utility VM first, then the ledger's entries in reverse order, then the layers. */
#include "resources_internal.h"
#include "runtime_internal.h"

#include <hcsoci/credentials.h>
#include <hcsoci/layers.h>

#include <string.h>

static bool kind_has_prefix(const char *kind, const char *prefix)
{
    return strncmp(kind, prefix, strlen(prefix)) == 0;
}

/* Releases one entry through whoever owns its kind. */
static int release_entry(hcsoci_runtime *runtime, hcsoci_uvm *uvm, const json_t *entry,
                         hcsoci_error **error)
{
    const char *kind = json_string_value(json_object_get(entry, "kind"));
    if (kind == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a ledger entry has no kind");
    if (kind_has_prefix(kind, "network.")) {
        const loaded_module *network = runtime_module_of_kind(runtime, HCSOCI_PLUGIN_NETWORK, error);
        if (network == NULL)
            return -1;
        return network->ops.network.release(runtime->host, entry, error);
    }
    if (kind_has_prefix(kind, "uvm.")) {
        if (uvm == NULL)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "cannot release a %s: the ledger belongs to a utility VM and none "
                               "was given",
                               kind);
        return hcsoci_uvm_release_entry(uvm, entry, error);
    }
    if (kind_has_prefix(kind, "credentials."))
        return hcsoci_credentials_release_entry(runtime->host, entry, error);
    return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                       "cannot release a resource of kind '%s': no owner for it in this build",
                       kind);
}

int hcsoci_release_resources(hcsoci_runtime *runtime, hcsoci_resources *resources, hcsoci_uvm *uvm,
                             bool all, hcsoci_error **error)
{
    if (runtime == NULL || resources == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a runtime and a ledger are required");
    if (uvm != NULL && hcsoci_resources_namespace_added_to_uvm(resources)) {
        hcsoci_error *remove_error = NULL;
        if (hcsoci_uvm_remove_network_namespace(
                uvm, hcsoci_resources_network_namespace(resources), &remove_error) != 0) {
            HCSOCI_LOG(HCSOCI_LOG_WARN, json_pack("{s:s}", "error", remove_error->message),
                       "failed to remove the network namespace from the utility VM");
            hcsoci_error_free(remove_error);
        }
        hcsoci_resources_set_namespace_added_to_uvm(resources, false);
    }
    bool release_failed = false;
    bool namespace_to_remove = hcsoci_resources_created_network_namespace(resources);
    for (size_t count = hcsoci_resources_count(resources); count > 0; count--) {
        const json_t *entry = hcsoci_resources_entry(resources, count - 1);
        const char *kind = json_string_value(json_object_get(entry, "kind"));
        bool is_network = kind != NULL && kind_has_prefix(kind, "network.");
        bool always_released = kind != NULL && kind_has_prefix(kind, "credentials.");
        bool release = is_network ? namespace_to_remove : (always_released || all);
        if (release) {
            hcsoci_error *entry_error = NULL;
            if (release_entry(runtime, uvm, entry, &entry_error) != 0) {
                HCSOCI_LOG(HCSOCI_LOG_ERROR,
                           json_pack("{s:s?,s:s}", "kind", kind, "error", entry_error->message),
                           "failed to release container resource");
                hcsoci_error_free(entry_error);
                release_failed = true;
            }
        }
        if (is_network)
            namespace_to_remove = false;
        hcsoci_resources_pop(resources);
    }
    if (release_failed)
        return hcsoci_fail(error, HCSOCI_E_FAIL, "failed to release one or more container resources");

    const json_t *layer_folders = hcsoci_resources_layers(resources);
    if (layer_folders != NULL) {
        /* Layers are unmounted from where they were mounted, and nowhere else. */
        const char *layers_uvm = hcsoci_resources_layers_uvm(resources);
        hcsoci_uvm *layers_in = layers_uvm[0] != '\0' ? uvm : NULL;
        if (layers_uvm[0] != '\0' && (uvm == NULL || strcmp(hcsoci_uvm_id(uvm), layers_uvm) != 0))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "the container's layers are mounted in utility VM %s, but %s%s was "
                               "given",
                               layers_uvm, uvm != NULL ? "utility VM " : "no utility VM",
                               uvm != NULL ? hcsoci_uvm_id(uvm) : "");
        if (hcsoci_layers_unmount(runtime->host, layers_in, layer_folders,
                                  hcsoci_resources_container_root_in_uvm(resources), all,
                                  error) != 0)
            return -1;
        hcsoci_resources_clear_layers(resources);
    }
    return 0;
}
