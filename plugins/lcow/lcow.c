/* The LCOW document builder module. This build carries its descriptor, its dispatch and the
 * guest document (gcs_document.h), but not yet the storage allocation that must come before
 * it, so every create is still refused with a clear error rather than a wrong document. When
 * allocation lands, build normalises the spec first (so that a mistyped spec fails before any
 * host call, as it would in the reference where the spec is typed), allocates, and then calls
 * lcow_hosted_system_document with the container root in the utility VM. */
#include <hcsoci/plugin.h>

static unsigned lcow_match(const hcsoci_match_key *key)
{
    return key->spec_kind == HCSOCI_SPEC_LINUX ? 100 : 0;
}

static int lcow_build(hcsoci_build_context *context, hcsoci_build_output *output,
                      hcsoci_error **error)
{
    (void)context;
    (void)output;
    return hcsoci_not_supported(error, "creating Linux containers (LCOW)");
}

static const hcsoci_builder_ops lcow_ops = {
    .build = lcow_build,
};

HCSOCI_PLUGIN_DESCRIPTOR(lcow) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = sizeof(hcsoci_builder_ops),
    .name = "lcow",
    .version = "0.1.0",
    .description = "Linux containers in a Linux utility VM (not supported by this build yet)",
    .match = lcow_match,
    .ops = &lcow_ops,
};
