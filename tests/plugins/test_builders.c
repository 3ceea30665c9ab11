/* Small modules built only for the loader tests: one source, one variant per macro. Each
 * variant is either a usable builder or broken in exactly one way the core must refuse. */
#include <hcsoci/plugin.h>

#include <hcsoci/layers.h>
#include <hcsoci/log.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Claims process-isolated Windows containers at the given priority and builds a minimal
 * document that names the module, so tests can see which builder ran. */
/* A schema 2.1 document that says who built it in Container.GuestOs.HostName (every document
 * is checked against the HCS schema before it is sent, so the test modules send valid ones). */
#define BUILT_BY_DOCUMENT "{s:{s:i,s:i},s:s,s:{s:{s:s}}}"

#define MAKE_BUILDER(module, priority_value)                                                   \
    static unsigned module##_match(const hcsoci_match_key *key)                                \
    {                                                                                          \
        return key->spec_kind == HCSOCI_SPEC_WINDOWS && key->hosting == HCSOCI_HOSTING_NONE   \
                   ? priority_value                                                            \
                   : 0;                                                                        \
    }                                                                                          \
    static int module##_build(hcsoci_build_context *context, hcsoci_build_output *output,      \
                              hcsoci_error **error)                                            \
    {                                                                                          \
        (void)error;                                                                           \
        output->compute_system_document =                                                      \
            json_pack(BUILT_BY_DOCUMENT, "SchemaVersion", "Major", 2, "Minor", 1, "Owner",        \
                      context->owner, "Container", "GuestOs", "HostName", #module);            \
        return 0;                                                                              \
    }                                                                                          \
    static const hcsoci_builder_ops module##_ops = {.build = module##_build};

#if defined(VARIANT_GOOD_BUILDER)
MAKE_BUILDER(good_builder, 100)
HCSOCI_PLUGIN_DESCRIPTOR(good_builder) = {
    HCSOCI_PLUGIN_ABI_FIELDS, .kind = HCSOCI_PLUGIN_BUILDER, .ops_size = sizeof(hcsoci_builder_ops),
    .name = "good_builder", .version = "1", .match = good_builder_match, .ops = &good_builder_ops,
};
#elif defined(VARIANT_RIVAL_BUILDER)
/* Same priority as good_builder for the same keys: loading both is a conflict. */
MAKE_BUILDER(rival_builder, 100)
HCSOCI_PLUGIN_DESCRIPTOR(rival_builder) = {
    HCSOCI_PLUGIN_ABI_FIELDS, .kind = HCSOCI_PLUGIN_BUILDER, .ops_size = sizeof(hcsoci_builder_ops),
    .name = "rival_builder", .version = "1", .match = rival_builder_match, .ops = &rival_builder_ops,
};
#elif defined(VARIANT_OVERRIDE_BUILDER)
/* Higher priority than the built-in WCOW builder: it wins the keys it claims. */
MAKE_BUILDER(override_builder, 1000)
HCSOCI_PLUGIN_DESCRIPTOR(override_builder) = {
    HCSOCI_PLUGIN_ABI_FIELDS, .kind = HCSOCI_PLUGIN_BUILDER, .ops_size = sizeof(hcsoci_builder_ops),
    .name = "override_builder", .version = "2", .match = override_builder_match,
    .ops = &override_builder_ops,
};
#elif defined(VARIANT_WRONG_MAJOR)
MAKE_BUILDER(wrong_major, 100)
HCSOCI_PLUGIN_DESCRIPTOR(wrong_major) = {
    .abi_major = HCSOCI_PLUGIN_ABI_MAJOR + 1, .abi_minor = 0,
    .descriptor_size = sizeof(hcsoci_plugin_descriptor), .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = sizeof(hcsoci_builder_ops), .name = "wrong_major", .version = "1",
    .match = wrong_major_match, .ops = &wrong_major_ops,
};
#elif defined(VARIANT_NEWER_MINOR)
MAKE_BUILDER(newer_minor, 100)
HCSOCI_PLUGIN_DESCRIPTOR(newer_minor) = {
    .abi_major = HCSOCI_PLUGIN_ABI_MAJOR, .abi_minor = HCSOCI_PLUGIN_ABI_MINOR + 1,
    .descriptor_size = sizeof(hcsoci_plugin_descriptor), .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = sizeof(hcsoci_builder_ops), .name = "newer_minor", .version = "1",
    .match = newer_minor_match, .ops = &newer_minor_ops,
};
#elif defined(VARIANT_NO_DESCRIPTOR)
/* Exports a function but no descriptor. */
__attribute__((visibility("default"))) int no_descriptor_LTX_something_else(void);
int no_descriptor_LTX_something_else(void)
{
    return 0;
}
#elif defined(VARIANT_UNKNOWN_KIND)
MAKE_BUILDER(unknown_kind, 100)
HCSOCI_PLUGIN_DESCRIPTOR(unknown_kind) = {
    HCSOCI_PLUGIN_ABI_FIELDS, .kind = 42, .ops_size = sizeof(hcsoci_builder_ops),
    .name = "unknown_kind", .version = "1", .match = unknown_kind_match, .ops = &unknown_kind_ops,
};
#elif defined(VARIANT_SHORT_OPS)
/* Declares an ops table too small to hold the build op. */
MAKE_BUILDER(short_ops, 100)
HCSOCI_PLUGIN_DESCRIPTOR(short_ops) = {
    HCSOCI_PLUGIN_ABI_FIELDS, .kind = HCSOCI_PLUGIN_BUILDER, .ops_size = 0,
    .name = "short_ops", .version = "1", .match = short_ops_match, .ops = &short_ops_ops,
};
#elif defined(VARIANT_FAILING_BUILDER)
/* Allocates (mounts the spec's layers, records a created namespace and a network entry), then
 * fails, so that tests can watch the core release the ledger in reverse order or keep it. */
static unsigned failing_builder_match(const hcsoci_match_key *key)
{
    return key->spec_kind == HCSOCI_SPEC_WINDOWS && key->hosting == HCSOCI_HOSTING_NONE ? 100 : 0;
}
static int failing_builder_build(hcsoci_build_context *context, hcsoci_build_output *output,
                                 hcsoci_error **error)
{
    (void)output;
    json_t *layer_folders = json_object_get(json_object_get(context->spec, "windows"), "layerFolders");
    char *root_path = NULL;
    if (hcsoci_layers_mount(context->host, NULL, layer_folders, "", &root_path, error) != 0)
        return -1;
    free(root_path);
    if (hcsoci_resources_set_layers(context->resources, layer_folders, NULL, error) != 0 ||
        hcsoci_resources_set_network_namespace(context->resources, "ns-test", true, error) != 0 ||
        hcsoci_resources_add(context->resources, "network.namespace",
                             json_pack("{s:s}", "id", "ns-test"), error) != 0)
        return -1;
    return hcsoci_fail(error, HCSOCI_E_FAIL, "builder failed on purpose");
}
static const hcsoci_builder_ops failing_builder_ops = {.build = failing_builder_build};
HCSOCI_PLUGIN_DESCRIPTOR(failing_builder) = {
    HCSOCI_PLUGIN_ABI_FIELDS, .kind = HCSOCI_PLUGIN_BUILDER, .ops_size = sizeof(hcsoci_builder_ops),
    .name = "failing_builder", .version = "1", .match = failing_builder_match,
    .ops = &failing_builder_ops,
};
#elif defined(VARIANT_RECORDING_NETWORK)
/* Releases a "network." entry by sending DELETE /namespaces/<id> to the host, where the sim
 * journal records it. */
static int recording_create_namespace(hcsoci_build_context *context, hcsoci_error **error)
{
    return hcsoci_resources_set_network_namespace(context->resources, "ns-recorded", true, error);
}
static int recording_namespace_endpoints(hcsoci_host *host, const char *namespace_id,
                                         json_t **endpoints, hcsoci_error **error)
{
    (void)host;
    (void)namespace_id;
    (void)error;
    *endpoints = json_array();
    return 0;
}
static int recording_release(hcsoci_host *host, const json_t *entry, hcsoci_error **error)
{
    char path[256];
    snprintf(path, sizeof path, "/namespaces/%s", json_string_value(json_object_get(entry, "id")));
    json_t *response = NULL;
    int status = host->ops->hns_call(host, "DELETE", path, NULL, &response, error);
    json_decref(response);
    return status;
}
static const hcsoci_network_ops recording_network_ops = {
    .create_namespace = recording_create_namespace,
    .namespace_endpoints = recording_namespace_endpoints,
    .release = recording_release,
};
HCSOCI_PLUGIN_DESCRIPTOR(recording_network) = {
    HCSOCI_PLUGIN_ABI_FIELDS, .kind = HCSOCI_PLUGIN_NETWORK,
    .ops_size = sizeof(hcsoci_network_ops), .name = "recording_network", .version = "1",
    .ops = &recording_network_ops,
};
#elif defined(VARIANT_READING_BUILDER)
/* read_spec keeps the spec's hostname as its reading; build writes it into the document, so a
 * test sees that build got it; release_reading logs, so a test sees it released once. */
static unsigned reading_builder_match(const hcsoci_match_key *key)
{
    return key->spec_kind == HCSOCI_SPEC_WINDOWS && key->hosting == HCSOCI_HOSTING_NONE ? 100 : 0;
}
static int reading_builder_read_spec(const hcsoci_build_context *context, void **reading,
                                     hcsoci_error **error)
{
    const char *hostname = json_string_value(json_object_get(context->spec, "hostname"));
    if (hostname == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "reading_builder: the spec has no hostname");
    *reading = json_string(hostname);
    if (*reading != NULL && strcmp(hostname, "fail-after-reading") == 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "reading_builder: failing after reading");
    return *reading != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}
static void reading_builder_release_reading(void *reading)
{
    hcsoci_log(HCSOCI_LOG_WARN, json_pack("{s:O}", "reading", (json_t *)reading),
               "reading_builder: reading released");
    json_decref(reading);
}
static int reading_builder_build(hcsoci_build_context *context, hcsoci_build_output *output,
                                 hcsoci_error **error)
{
    output->compute_system_document =
        json_pack("{s:{s:i,s:i},s:s,s:{s:{s:O?}}}", "SchemaVersion", "Major", 2, "Minor", 1,
                  "Owner", "reading_builder", "Container", "GuestOs", "HostName",
                  (json_t *)context->spec_reading);
    return output->compute_system_document != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}
static const hcsoci_builder_ops reading_builder_ops = {
    .build = reading_builder_build,
    .read_spec = reading_builder_read_spec,
    .release_reading = reading_builder_release_reading,
};
HCSOCI_PLUGIN_DESCRIPTOR(reading_builder) = {
    HCSOCI_PLUGIN_ABI_FIELDS, .kind = HCSOCI_PLUGIN_BUILDER, .ops_size = sizeof(hcsoci_builder_ops),
    .name = "reading_builder", .version = "1", .match = reading_builder_match,
    .ops = &reading_builder_ops,
};
#elif defined(VARIANT_READING_WITHOUT_RELEASE)
/* read_spec without release_reading: what it reads could never be freed. */
static unsigned reading_without_release_match(const hcsoci_match_key *key)
{
    (void)key;
    return 100;
}
static int reading_without_release_build(hcsoci_build_context *context,
                                         hcsoci_build_output *output, hcsoci_error **error)
{
    (void)context;
    (void)output;
    return hcsoci_fail(error, HCSOCI_E_FAIL, "reading_without_release: never loaded");
}
static int reading_without_release_read_spec(const hcsoci_build_context *context,
                                             void **reading, hcsoci_error **error)
{
    (void)context;
    (void)error;
    *reading = NULL;
    return 0;
}
static const hcsoci_builder_ops reading_without_release_full_ops = {
    .build = reading_without_release_build,
    .read_spec = reading_without_release_read_spec,
};
HCSOCI_PLUGIN_DESCRIPTOR(reading_without_release) = {
    HCSOCI_PLUGIN_ABI_FIELDS, .kind = HCSOCI_PLUGIN_BUILDER, .ops_size = sizeof(hcsoci_builder_ops),
    .name = "reading_without_release", .version = "1", .match = reading_without_release_match,
    .ops = &reading_without_release_full_ops,
};
#elif defined(VARIANT_ABI_1_0_BUILDER)
/* Built as a module of ABI 1.0 would be: minor 0 and the 1.0 ops table (build and validate);
 * its validate refuses the hostname "bad". */
static unsigned abi_1_0_builder_match(const hcsoci_match_key *key)
{
    return key->spec_kind == HCSOCI_SPEC_WINDOWS && key->hosting == HCSOCI_HOSTING_NONE ? 100 : 0;
}
static int abi_1_0_builder_validate(const hcsoci_build_context *context, hcsoci_error **error)
{
    const char *hostname = json_string_value(json_object_get(context->spec, "hostname"));
    if (hostname != NULL && strcmp(hostname, "bad") == 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "abi_1_0_builder: hostname 'bad' refused");
    return 0;
}
static int abi_1_0_builder_build(hcsoci_build_context *context, hcsoci_build_output *output,
                                 hcsoci_error **error)
{
    (void)context;
    output->compute_system_document =
        json_pack(BUILT_BY_DOCUMENT, "SchemaVersion", "Major", 2, "Minor", 1, "Owner", "hcsoci",
                  "Container", "GuestOs", "HostName", "abi_1_0_builder");
    return output->compute_system_document != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}
static const hcsoci_builder_ops abi_1_0_builder_ops = {
    .build = abi_1_0_builder_build,
    .validate = abi_1_0_builder_validate,
};
HCSOCI_PLUGIN_DESCRIPTOR(abi_1_0_builder) = {
    .abi_major = HCSOCI_PLUGIN_ABI_MAJOR, .abi_minor = 0,
    .descriptor_size = sizeof(hcsoci_plugin_descriptor), .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = offsetof(hcsoci_builder_ops, read_spec), .name = "abi_1_0_builder",
    .version = "1", .match = abi_1_0_builder_match, .ops = &abi_1_0_builder_ops,
};
#else
#error "choose a VARIANT_ macro"
#endif
