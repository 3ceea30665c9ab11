/* The LCOW document builder module. This build carries its descriptor and dispatch only:
 * Linux containers arrive with the LCOW issue, and until then every create is refused with a
 * clear error rather than a wrong document. */
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
