/* The LCOW builder module: Linux containers (a spec with a linux section) inside a Linux utility
 * VM. build() does the reference's Linux branch of CreateContainer: it refuses schema 1.0 and a
 * missing or Windows hosting system, allocates the root file system, the mounts and the
 * devices in the VM (allocate.h), and returns the hosted-system document for the guest
 * (gcs_document.h). Defaults, schema choice, the ledger, networking and the create call are
 * the core's. */
#include <stddef.h>

#include <hcsoci/log.h>
#include <hcsoci/plugin.h>
#include <hcsoci/resources.h>
#include <hcsoci/schema.h>
#include <hcsoci/spec.h>
#include <hcsoci/uvm.h>

#include "allocate.h"
#include "gcs_document.h"
#include <hcsoci/runtime_spec.h>
#include "spec_normalize.h"

/* Replaces the spec with its normalised form (lcow_normalized_spec, from decoded when
 * read_spec made it): the Go types' checks run here, before anything is allocated, as the
 * reference's typed spec is checked when it is read; and every later step (and the devices
 * module) reads canonical keys, as the reference reads typed fields. */
static int normalize_spec_in_place(json_t *spec, const json_t *decoded, hcsoci_error **error)
{
    json_t *normalized = NULL;
    if (lcow_normalized_spec(spec, decoded, &normalized, error) != 0)
        return -1;
    int failed = json_object_clear(spec) != 0 || json_object_update(spec, normalized) != 0;
    json_decref(normalized);
    return failed ? hcsoci_fail_out_of_memory(error) : 0;
}

/* A Linux container runs in a Linux utility VM with schema 2.1. The reference refuses schema
 * 1.0 with its own error; it has no answer for a missing or Windows VM (it would mount the
 * layers as a Windows container's and then fail or crash), so those are refused here, before
 * anything is allocated. */
static int check_request(const hcsoci_build_context *context, hcsoci_error **error)
{
    if (hcsoci_schema_is_v10(context->schema))
        return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED, "LCOW v1 not supported");
    if (!hcsoci_schema_is_v21(context->schema))
        return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                           "lcow: unsupported schema version %u.%u for a Linux container",
                           (unsigned)context->schema.major, (unsigned)context->schema.minor);
    if (context->hosting_system == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "a Linux container (LCOW) must be created in a Linux utility VM: no "
                           "hosting system was given");
    if (hcsoci_uvm_get_os(context->hosting_system) != HCSOCI_UVM_LINUX)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "a Linux container (LCOW) must be created in a Linux utility VM: "
                           "hosting system %s is a %s utility VM",
                           hcsoci_uvm_id(context->hosting_system),
                           hcsoci_uvm_os_name(hcsoci_uvm_get_os(context->hosting_system)));
    return 0;
}

/* The Go types' checks, before the core allocates anything for the container; the spec in
 * the Go value form it makes is build's (context->spec_reading). */
static int lcow_read_spec(const hcsoci_build_context *context, void **reading,
                          hcsoci_error **error)
{
    *reading = NULL;
    if (context == NULL || !json_is_object(context->spec))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid OCI spec: must be an object, not %s",
                           hcsoci_json_kind(context != NULL ? context->spec : NULL));
    json_t *value = NULL;
    if (spec_value_decode(hcsoci_runtime_spec_root_type(), context->spec, "", &value, error) != 0)
        return -1;
    *reading = value;
    return 0;
}

static void lcow_release_reading(void *reading)
{
    json_decref(reading);
}

static int lcow_build(hcsoci_build_context *context, hcsoci_build_output *output,
                      hcsoci_error **error)
{
    if (context == NULL || output == NULL || context->spec == NULL || context->host == NULL ||
        context->resources == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "lcow: incomplete build context");
    if (context->size < sizeof(hcsoci_build_context))
        return hcsoci_fail(error, HCSOCI_E_PLUGIN,
                           "lcow: the core's build context is smaller (%zu bytes) than this "
                           "module needs (%zu)",
                           context->size, sizeof(hcsoci_build_context));
    if (!json_is_object(context->spec))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid OCI spec: must be an object, not %s",
                           hcsoci_json_kind(context->spec));

    if (normalize_spec_in_place(context->spec, context->spec_reading, error) != 0 ||
        check_request(context, error) != 0)
        return -1;
    HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "id", context->id),
               "lcow: allocating the container's resources in utility VM %s",
               hcsoci_uvm_id(context->hosting_system));
    if (lcow_allocate_root(context, error) != 0 || lcow_allocate_mounts(context, error) != 0 ||
        lcow_assign_devices(context, error) != 0)
        return -1;
    /* The spec was normalised above: only what allocation rewrote is normalised again. */
    return lcow_hosted_system_document(context->spec, true,
                                       hcsoci_resources_container_root_in_uvm(context->resources),
                                       &output->hosted_system_document, error);
}

/* Every Linux spec: the build gives the reference's error for schema 1.0 and a clear one for a
 * missing or Windows hosting system, rather than a "no plugin" error. */
static unsigned lcow_match(const hcsoci_match_key *key)
{
    return key->spec_kind == HCSOCI_SPEC_LINUX ? 100 : 0;
}

static const hcsoci_builder_ops lcow_ops = {
    .build = lcow_build,
    .read_spec = lcow_read_spec,
    .release_reading = lcow_release_reading,
};

HCSOCI_PLUGIN_DESCRIPTOR(lcow) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = sizeof(hcsoci_builder_ops),
    .name = "lcow",
    .version = "0.2.0",
    .description = "Linux containers (LCOW) in a Linux utility VM, HCS schema 2.1",
    .match = lcow_match,
    .ops = &lcow_ops,
};
