/* Releasing a container's resources, by the reference's rules: the namespace leaves the
 * utility VM first, then the ledger's entries in reverse order, then the layers. Unlike the
 * reference, a release converges: what fails stays recorded for the next release, and what is
 * gone already counts as released. */
#include "resources_internal.h"
#include "runtime_internal.h"

#include "acting_module.h"

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
        const char *outer = acting_module_enter(network->descriptor->name);
        int released = network->ops.network.release(runtime->host, entry, error);
        acting_module_enter(outer);
        return released;
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

/* A failure that says the resource is gone already (HNS "Element not found", a VM resource
 * the utility VM no longer has): what releasing it would achieve is done. */
static bool means_already_gone(const hcsoci_error *error)
{
    return error != NULL &&
           (error->code == HCSOCI_E_NOT_FOUND || error->code == HCSOCI_E_UVM_NOT_ATTACHED);
}

/* Releases entry index; true when it is released (or was gone already) and may leave the
 * ledger, false when it failed and stays for the next release. */
static bool release_entry_at(hcsoci_runtime *runtime, hcsoci_uvm *uvm,
                             const hcsoci_resources *resources, size_t index)
{
    const json_t *entry = hcsoci_resources_entry(resources, index);
    const char *kind = json_string_value(json_object_get(entry, "kind"));
    hcsoci_error *entry_error = NULL;
    if (release_entry(runtime, uvm, entry, &entry_error) == 0)
        return true;
    bool gone = means_already_gone(entry_error);
    HCSOCI_LOG(gone ? HCSOCI_LOG_WARN : HCSOCI_LOG_ERROR,
               json_pack("{s:s?,s:O,s:s}", "kind", kind, "resource", entry, "error",
                         entry_error->message),
               gone ? "container resource was already gone: counted as released"
                    : "failed to release container resource: it stays in the ledger");
    hcsoci_error_free(entry_error);
    return gone;
}

int hcsoci_release_resources(hcsoci_runtime *runtime, hcsoci_resources *resources, hcsoci_uvm *uvm,
                             bool all, hcsoci_error **error)
{
    if (runtime == NULL || resources == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a runtime and a ledger are required");
    bool release_failed = false;
    if (uvm != NULL && hcsoci_resources_namespace_added_to_uvm(resources)) {
        hcsoci_error *remove_error = NULL;
        if (hcsoci_uvm_remove_network_namespace(
                uvm, hcsoci_resources_network_namespace(resources), &remove_error) != 0 &&
            !means_already_gone(remove_error)) {
            /* Kept: the next release removes it first, before anything it depends on. */
            HCSOCI_LOG(HCSOCI_LOG_ERROR, json_pack("{s:s}", "error", remove_error->message),
                       "failed to remove the network namespace from the utility VM");
            release_failed = true;
        } else {
            hcsoci_resources_set_namespace_added_to_uvm(resources, false);
        }
        hcsoci_error_free(remove_error);
    }
    /* Newest first. An entry that fails stays, and so does everything older (which it may
     * depend on): a later release goes on from there, in the same order. */
    bool namespace_to_remove = hcsoci_resources_created_network_namespace(resources);
    for (size_t count = hcsoci_resources_count(resources); !release_failed && count > 0;
         count--) {
        size_t index = count - 1;
        const json_t *entry = hcsoci_resources_entry(resources, index);
        const char *kind = json_string_value(json_object_get(entry, "kind"));
        bool is_network = kind != NULL && kind_has_prefix(kind, "network.");
        bool always_released = kind != NULL && kind_has_prefix(kind, "credentials.");
        bool release = is_network ? namespace_to_remove : (always_released || all);
        if (is_network)
            namespace_to_remove = false;
        if (!release || release_entry_at(runtime, uvm, resources, index))
            hcsoci_resources_remove(resources, index);
        else
            release_failed = true;
    }
    if (release_failed)
        return hcsoci_fail(error, HCSOCI_E_FAIL,
                           "failed to release one or more container resources (they stay in the "
                           "ledger for the next release)");

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
        size_t steps_done = hcsoci_resources_layers_unmount_steps(resources);
        if (hcsoci_layers_unmount_from(runtime->host, layers_in, layer_folders,
                                       hcsoci_resources_container_root_in_uvm(resources), all,
                                       &steps_done, error) != 0) {
            /* What was done is remembered, so that the next release goes on from there. */
            hcsoci_resources_set_layers_unmount_steps(resources, steps_done);
            return -1;
        }
        hcsoci_resources_clear_layers(resources);
    }
    return 0;
}
