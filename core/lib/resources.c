/* The resource ledger of one container. */
#include "resources_internal.h"

#include <hcsoci/layers.h>

#include <hcsoci/alloc.h>
#include <hcsoci/spec.h>

#include <stdlib.h>
#include <string.h>

struct hcsoci_resources {
    char *container_id;
    char *container_root_in_uvm;
    char *network_namespace;
    bool created_network_namespace;
    bool namespace_added_to_uvm;
    json_t *layer_folders; /* NULL when no layers are mounted */
    char *layers_uvm;
    size_t layers_unmount_steps; /* steps of the layers' unmount already done */
    json_t *entries;       /* array of {"kind", ...} in allocation order */
    hcsoci_ledger_observer observer; /* NULL: none */
    void *observer_context;
};

static void notify(const hcsoci_resources *resources, hcsoci_ledger_change change)
{
    if (resources->observer != NULL)
        resources->observer(resources->observer_context, change, resources);
}

void hcsoci_resources_set_observer(hcsoci_resources *resources, hcsoci_ledger_observer observer,
                                   void *context)
{
    resources->observer = observer;
    resources->observer_context = context;
}

static int replace_string(char **slot, const char *value, hcsoci_error **error)
{
    char *copy = hcsoci_strdup(value != NULL ? value : "");
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    free(*slot);
    *slot = copy;
    return 0;
}

hcsoci_resources *hcsoci_resources_new(const char *container_id)
{
    hcsoci_resources *resources = hcsoci_calloc(1, sizeof *resources);
    if (resources == NULL)
        return NULL;
    resources->container_id = hcsoci_strdup(container_id != NULL ? container_id : "");
    resources->container_root_in_uvm = hcsoci_strdup("");
    resources->network_namespace = hcsoci_strdup("");
    resources->layers_uvm = hcsoci_strdup("");
    resources->entries = json_array();
    if (resources->container_id == NULL || resources->container_root_in_uvm == NULL ||
        resources->network_namespace == NULL || resources->layers_uvm == NULL ||
        resources->entries == NULL) {
        hcsoci_resources_free(resources);
        return NULL;
    }
    return resources;
}

void hcsoci_resources_free(hcsoci_resources *resources)
{
    if (resources == NULL)
        return;
    free(resources->container_id);
    free(resources->container_root_in_uvm);
    free(resources->network_namespace);
    free(resources->layers_uvm);
    json_decref(resources->layer_folders);
    json_decref(resources->entries);
    free(resources);
}

const char *hcsoci_resources_container_id(const hcsoci_resources *resources)
{
    return resources->container_id;
}

const char *hcsoci_resources_container_root_in_uvm(const hcsoci_resources *resources)
{
    return resources->container_root_in_uvm;
}

int hcsoci_resources_set_container_root_in_uvm(hcsoci_resources *resources, const char *root,
                                               hcsoci_error **error)
{
    if (replace_string(&resources->container_root_in_uvm, root, error) != 0)
        return -1;
    notify(resources, HCSOCI_LEDGER_UPDATED);
    return 0;
}

const char *hcsoci_resources_network_namespace(const hcsoci_resources *resources)
{
    return resources->network_namespace;
}

int hcsoci_resources_set_network_namespace(hcsoci_resources *resources, const char *namespace_id,
                                           bool created, hcsoci_error **error)
{
    if (replace_string(&resources->network_namespace, namespace_id, error) != 0)
        return -1;
    resources->created_network_namespace = created;
    notify(resources, HCSOCI_LEDGER_NAMESPACE_RECORDED);
    return 0;
}

bool hcsoci_resources_created_network_namespace(const hcsoci_resources *resources)
{
    return resources->created_network_namespace;
}

void hcsoci_resources_set_namespace_added_to_uvm(hcsoci_resources *resources, bool added)
{
    resources->namespace_added_to_uvm = added;
    notify(resources, HCSOCI_LEDGER_UPDATED);
}

bool hcsoci_resources_namespace_added_to_uvm(const hcsoci_resources *resources)
{
    return resources->namespace_added_to_uvm;
}

int hcsoci_resources_set_layers(hcsoci_resources *resources, const json_t *layer_folders,
                                const char *uvm_id, hcsoci_error **error)
{
    if (!json_is_array(layer_folders))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "layer folders must be an array");
    json_t *copy = hcsoci_json_copy(layer_folders);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    if (replace_string(&resources->layers_uvm, uvm_id, error) != 0) {
        json_decref(copy);
        return -1;
    }
    json_decref(resources->layer_folders);
    resources->layer_folders = copy;
    resources->layers_unmount_steps = 0;
    notify(resources, HCSOCI_LEDGER_LAYERS_RECORDED);
    return 0;
}

const json_t *hcsoci_resources_layers(const hcsoci_resources *resources)
{
    return resources->layer_folders;
}

const char *hcsoci_resources_layers_uvm(const hcsoci_resources *resources)
{
    return resources->layers_uvm;
}

size_t hcsoci_resources_layers_unmount_steps(const hcsoci_resources *resources)
{
    return resources->layers_unmount_steps;
}

void hcsoci_resources_set_layers_unmount_steps(hcsoci_resources *resources, size_t steps)
{
    if (resources->layers_unmount_steps == steps)
        return;
    resources->layers_unmount_steps = steps;
    notify(resources, HCSOCI_LEDGER_UPDATED);
}

void hcsoci_resources_clear_layers(hcsoci_resources *resources)
{
    json_decref(resources->layer_folders);
    resources->layer_folders = NULL;
    resources->layers_unmount_steps = 0;
    notify(resources, HCSOCI_LEDGER_LAYERS_RELEASED);
}

int hcsoci_resources_add(hcsoci_resources *resources, const char *kind, json_t *details,
                         hcsoci_error **error)
{
    json_t *entry = json_pack("{s:s}", "kind", kind != NULL ? kind : "");
    if (entry != NULL && details != NULL && json_object_update(entry, details) != 0) {
        json_decref(entry);
        entry = NULL;
    }
    /* json_array_append_new takes the entry even when it fails. */
    if (entry == NULL || json_array_append_new(resources->entries, entry) != 0) {
        json_decref(details);
        return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory recording a %s",
                           kind != NULL ? kind : "resource");
    }
    json_decref(details);
    notify(resources, HCSOCI_LEDGER_ENTRY_ADDED);
    return 0;
}

size_t hcsoci_resources_count(const hcsoci_resources *resources)
{
    return json_array_size(resources->entries);
}

const json_t *hcsoci_resources_entry(const hcsoci_resources *resources, size_t index)
{
    return json_array_get(resources->entries, index);
}

void hcsoci_resources_remove(hcsoci_resources *resources, size_t index)
{
    if (index < json_array_size(resources->entries)) {
        json_array_remove(resources->entries, index);
        notify(resources, HCSOCI_LEDGER_ENTRY_RELEASED);
    }
}

void hcsoci_resources_pop(hcsoci_resources *resources)
{
    size_t count = json_array_size(resources->entries);
    if (count > 0) {
        json_array_remove(resources->entries, count - 1);
        notify(resources, HCSOCI_LEDGER_ENTRY_RELEASED);
    }
}

json_t *hcsoci_resources_to_json(const hcsoci_resources *resources)
{
    json_t *saved = json_pack("{s:s,s:s,s:s,s:b,s:b,s:O?,s:s,s:O}", "containerId",
                              resources->container_id, "containerRootInUvm",
                              resources->container_root_in_uvm, "networkNamespace",
                              resources->network_namespace, "createdNetworkNamespace",
                              resources->created_network_namespace, "namespaceAddedToUvm",
                              resources->namespace_added_to_uvm, "layerFolders",
                              resources->layer_folders, "layersUvm", resources->layers_uvm,
                              "entries", resources->entries);
    /* Only a release that stopped half-way through the layers leaves steps to remember. */
    if (saved != NULL && resources->layers_unmount_steps > 0 &&
        json_object_set_new(saved, "layersUnmountSteps",
                            json_integer((json_int_t)resources->layers_unmount_steps)) != 0) {
        json_decref(saved);
        saved = NULL;
    }
    return saved;
}

int hcsoci_resources_from_json(const json_t *value, hcsoci_resources **resources,
                               hcsoci_error **error)
{
    *resources = NULL;
    const char *container_id, *root, *namespace_id, *layers_uvm;
    bool created, added;
    json_t *layer_folders, *entries;
    int64_t unmount_steps = 0;
    if (!json_is_object(value))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid resource ledger: must be an object");
    if (hcsoci_json_string(value, "containerId", "resources.containerId", &container_id, error) ||
        hcsoci_json_string(value, "containerRootInUvm", "resources.containerRootInUvm", &root, error) ||
        hcsoci_json_string(value, "networkNamespace", "resources.networkNamespace", &namespace_id,
                           error) ||
        hcsoci_json_bool(value, "createdNetworkNamespace", "resources.createdNetworkNamespace",
                         &created, error) ||
        hcsoci_json_bool(value, "namespaceAddedToUvm", "resources.namespaceAddedToUvm", &added,
                         error) ||
        hcsoci_json_string_array(value, "layerFolders", "resources.layerFolders", &layer_folders,
                                 error) ||
        hcsoci_json_string(value, "layersUvm", "resources.layersUvm", &layers_uvm, error) ||
        hcsoci_json_object_array(value, "entries", "resources.entries", &entries, error) ||
        hcsoci_json_integer(value, "layersUnmountSteps", "resources.layersUnmountSteps", 0,
                            HCSOCI_LAYERS_UNMOUNT_MAX_STEPS, &unmount_steps, NULL, error))
        return -1;
    size_t index;
    json_t *entry;
    json_array_foreach(entries, index, entry) {
        if (!json_is_string(json_object_get(entry, "kind")))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid field 'resources.entries[%zu].kind': must be a string",
                               index);
    }
    hcsoci_resources *loaded = hcsoci_resources_new(container_id);
    if (loaded == NULL)
        return hcsoci_fail_out_of_memory(error);
    if (hcsoci_resources_set_container_root_in_uvm(loaded, root, error) != 0 ||
        hcsoci_resources_set_network_namespace(loaded, namespace_id, created, error) != 0 ||
        (layer_folders != NULL &&
         hcsoci_resources_set_layers(loaded, layer_folders, layers_uvm, error) != 0)) {
        hcsoci_resources_free(loaded);
        return -1;
    }
    loaded->namespace_added_to_uvm = added;
    loaded->layers_unmount_steps = layer_folders != NULL ? (size_t)unmount_steps : 0;
    if (entries != NULL) {
        json_decref(loaded->entries);
        loaded->entries = hcsoci_json_copy(entries);
        if (loaded->entries == NULL) {
            hcsoci_resources_free(loaded);
            return hcsoci_fail_out_of_memory(error);
        }
    }
    *resources = loaded;
    return 0;
}
