/* A builder that makes the mistakes the core's schema check must catch (tests/unit/
 * test_document.c and the kit's tests/conformance/test_kit_schema.sh): a wrong type deep
 * inside, an unknown field, a missing required field, a bad GUID, a bad enum value and an
 * array item of the wrong type.
 *   - Without a hosting system it returns a schema 2.1 create document with all six.
 *   - In a Windows utility VM it first adds a VSMB share of the spec's first layer folder
 *     through the core (recorded in the ledger, so the failed create must remove it), then,
 *     when the spec has the annotation "test.invalid.modify", sends a modify request with
 *     mistakes of its own through hcsoci_uvm_modify; otherwise it returns a hosted document
 *     with them. */
#include <hcsoci/plugin.h>
#include <hcsoci/uvm.h>

#include <stdlib.h>

#define INVALID_MODIFY_ANNOTATION "test.invalid.modify"
#define LAYER_GUID "8d2a4c6e-1111-4a5b-9c3d-000000000001"

static unsigned invalid_builder_match(const hcsoci_match_key *key)
{
    return key->spec_kind == HCSOCI_SPEC_WINDOWS && key->schema.major == 2 &&
                   key->hosting != HCSOCI_HOSTING_LINUX
               ? 1000
               : 0;
}

/* A container with the six mistakes. */
static json_t *invalid_container(void)
{
    return json_pack("{s:{s:[{s:s,s:i},{s:s}],s:s},s:{s:i},s:[i],s:[{s:s}]}",
                     "Storage", "Layers", "Id", "not-a-guid", "Path", 5, "Id", LAYER_GUID,
                     "Path", "C:\\c\\1",
                     "Processor", "Cuont", 2,
                     "MappedPipes", 7,
                     "AssignedDevices", "Type", "Bogus");
}

/* A vPCI modify request with mistakes of each kind in its settings and guest request. */
static json_t *invalid_modify_request(void)
{
    return json_pack("{s:s,s:s,s:{s:[{s:i},s],s:i},s:{s:s,s:{s:s,s:[{s:s}]}}}",
                     "ResourcePath",
                     "VirtualMachine/Devices/VirtualPci/ffffffff-0000-4000-8000-000000000009",
                     "RequestType", "Attach",
                     "Settings", "Functions", "DeviceInstancePath", 5, "PCI\\VEN_1", "Bus", 1,
                     "GuestRequest", "ResourceType", "CombinedLayers", "Settings",
                     "ContainerRootPath", "C:\\c\\1", "Layers", "Id", "not-a-guid");
}

static int out_of_memory(hcsoci_error **error)
{
    return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
}

static int build_hosted(hcsoci_build_context *context, hcsoci_build_output *output,
                        hcsoci_error **error)
{
    const char *folder = json_string_value(json_array_get(
        json_object_get(json_object_get(context->spec, "windows"), "layerFolders"), 0));
    if (folder == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid_builder: no layer folder");
    hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(context->hosting_system, true);
    if (hcsoci_uvm_add_vsmb(context->hosting_system, folder, &options, context->resources,
                            error) != 0)
        return -1;
    const json_t *annotations = json_object_get(context->spec, "annotations");
    if (json_object_get(annotations, INVALID_MODIFY_ANNOTATION) != NULL) {
        json_t *request = invalid_modify_request();
        if (request == NULL)
            return out_of_memory(error);
        int result = hcsoci_uvm_modify(context->hosting_system, request, error);
        json_decref(request);
        if (result != 0)
            return -1;
    }
    output->hosted_system_document = json_pack("{s:{s:i,s:i},s:o}", "SchemaVersion", "Major", 2,
                                               "Minor", 1, "Container", invalid_container());
    return output->hosted_system_document != NULL ? 0 : out_of_memory(error);
}

static int invalid_builder_build(hcsoci_build_context *context, hcsoci_build_output *output,
                                 hcsoci_error **error)
{
    if (context == NULL || output == NULL || !json_is_object(context->spec) ||
        !json_is_object(json_object_get(context->spec, "windows")))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid_builder: no context, output or spec with a windows section");
    if (context->hosting_system != NULL)
        return build_hosted(context, output, error);
    output->compute_system_document =
        json_pack("{s:s,s:{s:i,s:i},s:o}", "Owner", context->owner, "SchemaVersion", "Major", 2,
                  "Minor", 1, "Container", invalid_container());
    return output->compute_system_document != NULL ? 0 : out_of_memory(error);
}

static const hcsoci_builder_ops invalid_builder_ops = {.build = invalid_builder_build};

HCSOCI_PLUGIN_DESCRIPTOR(invalid_builder) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = sizeof(hcsoci_builder_ops),
    .name = "invalid_builder",
    .version = "1",
    .description = "test builder whose documents break the HCS schema",
    .match = invalid_builder_match,
    .ops = &invalid_builder_ops,
};
