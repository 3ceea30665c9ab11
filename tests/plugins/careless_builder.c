/* A builder made for the kit's own test (tests/conformance/test_sweep_catches.sh): it builds the
 * process-isolated schema 2.1 document for a caller-given root path, as corpus case 008
 * expects, checking every input and every allocation but one: it ignores a failure to add
 * ShouldTerminateOnLastHandleClosed. The corpus and the host-call sweep cannot see that; the
 * allocation sweep must. */
#include <hcsoci/plugin.h>

#include <hcsoci/layers.h>

#include <stdlib.h>

static unsigned careless_builder_match(const hcsoci_match_key *key)
{
    return key->spec_kind == HCSOCI_SPEC_WINDOWS && key->hosting == HCSOCI_HOSTING_NONE &&
                   key->schema.major == 2
               ? 1000
               : 0;
}

/* [{"Id", "Path"}] of the read-only layers (all folders but the scratch); NULL on failure. */
static json_t *storage_layers(hcsoci_build_context *context, const json_t *folders,
                              hcsoci_error **error)
{
    json_t *layers = json_array();
    if (layers == NULL) {
        hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    for (size_t index = 0; index + 1 < json_array_size(folders); index++) {
        const char *folder = json_string_value(json_array_get(folders, index));
        if (folder == NULL) {
            hcsoci_fail(error, HCSOCI_E_INVALID, "layerFolders[%zu] is not a string", index);
            goto failed;
        }
        char *guid = NULL;
        if (hcsoci_layer_id(context->host, folder, &guid, error) != 0)
            goto failed;
        json_t *layer = json_pack("{s:s,s:s}", "Id", guid, "Path", folder);
        free(guid);
        if (json_array_append_new(layers, layer) != 0) {
            hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
            goto failed;
        }
    }
    return layers;
failed:
    json_decref(layers);
    return NULL;
}

static int careless_builder_build(hcsoci_build_context *context, hcsoci_build_output *output,
                                  hcsoci_error **error)
{
    if (context == NULL || output == NULL || !json_is_object(context->spec))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "careless_builder: no context, output or spec");
    const char *root = json_string_value(json_object_get(json_object_get(context->spec, "root"),
                                                         "path"));
    const json_t *folders =
        json_object_get(json_object_get(context->spec, "windows"), "layerFolders");
    if (root == NULL || root[0] == '\0' || !json_is_array(folders))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "careless_builder serves only specs with root.path and layerFolders");
    json_t *layers = storage_layers(context, folders, error);
    if (layers == NULL)
        return -1;
    json_t *document = json_pack("{s:s, s:{s:i,s:i}, s:{s:{s:o,s:s}}}", "Owner", context->owner,
                                 "SchemaVersion", "Major", 2, "Minor", 1, "Container", "Storage",
                                 "Layers", layers, "Path", root);
    if (document == NULL)
        return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
    /* The careless line: its result is not checked. */
    json_object_set_new(document, "ShouldTerminateOnLastHandleClosed", json_true());
    output->compute_system_document = document;
    return 0;
}

static const hcsoci_builder_ops careless_builder_ops = {.build = careless_builder_build};

HCSOCI_PLUGIN_DESCRIPTOR(careless_builder) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = sizeof(hcsoci_builder_ops),
    .name = "careless_builder",
    .version = "1",
    .description = "test module that ignores one allocation failure",
    .match = careless_builder_match,
    .ops = &careless_builder_ops,
};
