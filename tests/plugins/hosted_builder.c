/* A stand-in builder for hosted containers, built only for the tests of the core's hosted
 * networking: it claims every hosted key above the built-in builders, makes no host call and
 * returns a hosted document that carries the network namespace the core handed it. A spec
 * annotation "hcsoci.test/fail-build" makes it fail instead, so that tests can watch the core
 * roll back what it set up before the builder ran. */
#include <hcsoci/plugin.h>

#define FAIL_BUILD_ANNOTATION "hcsoci.test/fail-build"

static unsigned hosted_builder_match(const hcsoci_match_key *key)
{
    return key->hosting != HCSOCI_HOSTING_NONE ? 1000 : 0;
}

static int hosted_builder_build(hcsoci_build_context *context, hcsoci_build_output *output,
                                hcsoci_error **error)
{
    const json_t *annotations = json_object_get(context->spec, "annotations");
    if (json_object_get(annotations, FAIL_BUILD_ANNOTATION) != NULL)
        return hcsoci_fail(error, HCSOCI_E_FAIL, "hosted builder failed on purpose");
    output->hosted_system_document =
        json_pack("{s:{s:i,s:i}, s:{s:{s:s}, s:{s:s*}}}", "SchemaVersion", "Major", 2, "Minor",
                  1, "Container", "GuestOs", "HostName", "hosted_builder", "Networking",
                  "Namespace", context->network_namespace[0] != '\0'
                                   ? context->network_namespace : NULL);
    if (output->hosted_system_document == NULL)
        return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
    return 0;
}

static const hcsoci_builder_ops hosted_builder_ops = {.build = hosted_builder_build};

HCSOCI_PLUGIN_DESCRIPTOR(hosted_builder) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = sizeof(hcsoci_builder_ops),
    .name = "hosted_builder",
    .version = "1",
    .description = "test stand-in for hosted builders",
    .match = hosted_builder_match,
    .ops = &hosted_builder_ops,
};
