/* The WCOW builder module: Windows containers, process isolated with HCS schema 1.0 or 2.1,
 * and Hyper-V isolated (schema 2.1 in a Windows utility VM). build() allocates what the
 * container needs and returns its HCS document, or the hosted-system document for a container
 * in a utility VM; everything else of the reference's CreateContainer (defaults, schema,
 * ledger, network namespace, the container root in the VM, the create call) is the core's. */
#include "wcow.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/plugin.h>
#include <hcsoci/schema.h>

bool wcow_is_v1_argon(const wcow_build *build)
{
    return build->is_v1 && !build->spec.has_hyperv;
}

bool wcow_is_v1_xenon(const wcow_build *build)
{
    return build->is_v1 && build->context->hosting_system != NULL;
}

bool wcow_is_v2_argon(const wcow_build *build)
{
    return build->is_v2 && build->context->hosting_system == NULL;
}

bool wcow_is_v2_xenon(const wcow_build *build)
{
    return build->is_v2 && build->context->hosting_system != NULL;
}

/* Writes the configuration as the document the core sends: the schema 1.0 ContainerConfig as
 * it is, a schema 2.1 Container inside a ComputeSystem (process isolated) or a HostedSystem
 * (in a hosting system). */
static int write_documents(wcow_build *build, const wcow_container_config *config,
                           hcsoci_build_output *output, hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    if (build->is_v1) {
        output->compute_system_document = wcow_v1_container_config_json(config);
        if (output->compute_system_document == NULL)
            return hcsoci_fail_out_of_memory(error);
        return 0;
    }
    json_t *container = wcow_v2_container_json(config);
    if (container == NULL)
        return hcsoci_fail_out_of_memory(error);
    if (context->hosting_system != NULL) {
        output->hosted_system_document = wcow_v2_hosted_system_json(container);
        if (output->hosted_system_document == NULL)
            return hcsoci_fail_out_of_memory(error);
        return 0;
    }
    output->compute_system_document = wcow_v2_compute_system_json(context->owner, container);
    if (output->compute_system_document == NULL)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

static int wcow_build_container(hcsoci_build_context *context, hcsoci_build_output *output,
                                hcsoci_error **error)
{
    if (context == NULL || output == NULL || context->spec == NULL || context->host == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "wcow: incomplete build context");
    if (context->size < sizeof(hcsoci_build_context))
        return hcsoci_fail(error, HCSOCI_E_PLUGIN,
                           "wcow: the core's build context is smaller (%zu bytes) than this "
                           "module needs (%zu)",
                           context->size, sizeof(hcsoci_build_context));

    wcow_build build = {
        .context = context,
        .is_v1 = hcsoci_schema_is_v10(context->schema),
        .is_v2 = hcsoci_schema_is_v21(context->schema),
    };
    if (!build.is_v1 && !build.is_v2)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "wcow: unsupported schema version %u.%u",
                           (unsigned)context->schema.major, (unsigned)context->schema.minor);

    wcow_container_config config;
    memset(&config, 0, sizeof config);
    int status = -1;
    if (context->spec_reading != NULL) {
        /* read_spec's reading of this very spec: take what it holds. */
        wcow_spec *reading = context->spec_reading;
        build.spec = *reading;
        memset(reading, 0, sizeof *reading);
    } else if (wcow_spec_read(context->spec, &build.spec, error) != 0) {
        goto done;
    }
    if (wcow_allocate(&build, error) != 0)
        goto done;
    /* The allocation may have rewritten parts of the spec (root, devices): read it again. */
    wcow_spec_clear(&build.spec);
    if (wcow_spec_read(context->spec, &build.spec, error) != 0)
        goto done;
    if (wcow_container_config_build(&build, &config, error) != 0)
        goto done;
    status = write_documents(&build, &config, output, error);

done:
    wcow_container_config_clear(&config);
    wcow_spec_clear(&build.spec);
    json_decref(build.credential_guard_state);
    return status;
}

/* The spec's types, checked before the core allocates anything for the container; what it
 * read is build's first reading (context->spec_reading). */
static int wcow_read_spec(const hcsoci_build_context *context, void **reading,
                          hcsoci_error **error)
{
    *reading = NULL;
    if (context == NULL || context->spec == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "wcow: incomplete build context");
    wcow_spec *spec = hcsoci_calloc(1, sizeof *spec);
    if (spec == NULL)
        return hcsoci_fail_out_of_memory(error);
    if (wcow_spec_read(context->spec, spec, error) != 0) {
        free(spec);
        return -1;
    }
    *reading = spec;
    return 0;
}

static void wcow_release_reading(void *reading)
{
    wcow_spec_clear(reading);
    free(reading);
}

/* Windows containers: process isolated with schema 1.0 or 2.1, or in a Windows utility VM
 * with schema 2.1 (the only schema a hosted container has). */
static unsigned wcow_match(const hcsoci_match_key *key)
{
    if (key->spec_kind != HCSOCI_SPEC_WINDOWS)
        return 0;
    switch (key->hosting) {
    case HCSOCI_HOSTING_NONE:
        return hcsoci_schema_is_v10(key->schema) || hcsoci_schema_is_v21(key->schema) ? 100 : 0;
    case HCSOCI_HOSTING_WINDOWS:
        return hcsoci_schema_is_v21(key->schema) ? 100 : 0;
    default:
        return 0;
    }
}

static const hcsoci_builder_ops wcow_ops = {
    .build = wcow_build_container,
    .read_spec = wcow_read_spec,
    .release_reading = wcow_release_reading,
};

HCSOCI_PLUGIN_DESCRIPTOR(wcow) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = sizeof(hcsoci_builder_ops),
    .name = "wcow",
    .version = "0.1.0",
    .description = "Windows containers, process isolated (HCS schema 1.0 and 2.1) and in a "
                   "Windows utility VM (schema 2.1)",
    .match = wcow_match,
    .ops = &wcow_ops,
};
