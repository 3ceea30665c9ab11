/* The guest's container document (see gcs_document.h). The rules edit the decoded Go value of
 * the spec, as the reference edits its specs.Spec, and the result is encoded once at the end. */
#include "gcs_document.h"

#include <stdbool.h>

#include <hcsoci/schema.h>
#include <hcsoci/spec.h>

#include "runtime_spec_fields.h"
#include "spec_normalize.h"

/* The Windows part the guest keeps: the network namespace and the devices of the original
 * spec. Returns the new (or nil) specs.Windows value, or NULL when memory runs out. */
static json_t *reduced_windows(const json_t *original)
{
    if (json_is_null(original))
        return json_null();
    const json_t *network = json_object_get(original, "network");
    const json_t *namespace_id = json_object_get(network, "networkNamespace");
    bool keep_namespace = json_is_string(namespace_id) && json_string_length(namespace_id) > 0;
    const json_t *devices = json_object_get(original, "devices");
    bool keep_devices = json_is_array(devices); /* a non-nil list, even an empty one */
    if (!keep_namespace && !keep_devices)
        return json_null();

    json_t *windows = spec_value_zero(&runtime_spec_type_windows);
    if (windows == NULL)
        return NULL;
    if (keep_namespace) {
        json_t *reduced_network = spec_value_zero(&runtime_spec_type_windows_network);
        if (reduced_network == NULL ||
            json_object_set(reduced_network, "networkNamespace", (json_t *)namespace_id) != 0) {
            json_decref(reduced_network);
            json_decref(windows);
            return NULL;
        }
        /* json_object_set_new takes the value even when it fails. */
        if (json_object_set_new(windows, "network", reduced_network) != 0) {
            json_decref(windows);
            return NULL;
        }
    }
    if (keep_devices && json_object_set(windows, "devices", (json_t *)devices) != 0) {
        json_decref(windows);
        return NULL;
    }
    return windows;
}

/* Applies the cleanup rules to a decoded specs.Spec value. */
static int clean_spec_value(json_t *spec, hcsoci_error **error)
{
    const runtime_spec_type *spec_type = &runtime_spec_type_spec;
    const runtime_spec_type *linux_type = spec_value_field_type(spec_type, "linux");
    const runtime_spec_type *resources_type = spec_value_field_type(linux_type, "resources");

    json_t *linux_section = json_object_get(spec, "linux");
    if (linux_section == NULL || json_is_null(linux_section))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid OCI spec: a Linux container needs a 'linux' section");

    json_t *windows = reduced_windows(json_object_get(spec, "windows"));
    if (windows == NULL || json_object_set_new(spec, "windows", windows) != 0)
        return hcsoci_fail_out_of_memory(error);

    if (spec_value_clear_field(spec_type, spec, "hooks") != 0
        || spec_value_clear_field(linux_type, linux_section, "cgroupsPath") != 0
        || spec_value_clear_field(linux_type, linux_section, "seccomp") != 0)
        return hcsoci_fail_out_of_memory(error);

    json_t *resources = json_object_get(linux_section, "resources");
    if (!json_is_null(resources)) {
        static const char *const unsupported[] = {"devices", "pids", "blockIO", "hugepageLimits",
                                                  "network"};
        for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
            if (spec_value_clear_field(resources_type, resources, unsupported[i]) != 0)
                return hcsoci_fail_out_of_memory(error);
        }
    }
    return 0;
}

/* The top-level fields resource allocation rewrites (allocate.h): the root (root_filesystem.c),
 * the mounts (mounts.c) and windows.devices (the devices module). */
static const char *const rewritten_fields[] = {"root", "mounts", "windows"};

/* The spec in the Go value form: decoded, or, from decoded (the original spec's value, taken),
 * with the rewritten fields decoded afresh from spec. */
static int spec_value(const json_t *spec, json_t *decoded, json_t **value, hcsoci_error **error)
{
    if (decoded == NULL)
        return spec_value_decode(&runtime_spec_type_spec, spec, "", value, error);
    for (size_t i = 0; i < sizeof rewritten_fields / sizeof rewritten_fields[0]; i++) {
        if (spec_value_decode_field(&runtime_spec_type_spec, decoded, spec, rewritten_fields[i],
                                    error) != 0)
            return -1;
    }
    *value = json_incref(decoded);
    return 0;
}

int lcow_gcs_spec(const json_t *spec, json_t **gcs_spec, hcsoci_error **error)
{
    return lcow_gcs_spec_from(spec, NULL, gcs_spec, error);
}

int lcow_gcs_spec_from(const json_t *spec, json_t *decoded, json_t **gcs_spec,
                       hcsoci_error **error)
{
    json_t *value = NULL;
    *gcs_spec = NULL;
    if (spec_value(spec, decoded, &value, error) != 0)
        return -1;
    if (clean_spec_value(value, error) != 0) {
        json_decref(value);
        return -1;
    }
    *gcs_spec = spec_value_encode(&runtime_spec_type_spec, value);
    json_decref(value);
    if (*gcs_spec == NULL)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

int lcow_hosted_system_document(const json_t *spec, json_t *decoded, const char *container_root,
                                json_t **document, hcsoci_error **error)
{
    json_t *gcs_spec = NULL;
    *document = NULL;
    if (lcow_gcs_spec_from(spec, decoded, &gcs_spec, error) != 0)
        return -1;
    const char *root = container_root != NULL ? container_root : "";
    json_t *bundle_path = hcsoci_text_is_utf8(root) ? json_string(root) : NULL;
    if (bundle_path == NULL) {
        json_decref(gcs_spec);
        return hcsoci_text_is_utf8(root)
                   ? hcsoci_fail_out_of_memory(error)
                   : hcsoci_fail(error, HCSOCI_E_INVALID,
                                 "invalid container root in the utility VM: not UTF-8 text");
    }
    hcsoci_schema_version version = {.major = 2, .minor = 1};
    json_t *hosted = json_object();
    /* json_object_set_new consumes its value even when it fails. */
    int failed = hosted == NULL;
    failed |= json_object_set_new(hosted, "SchemaVersion", hcsoci_schema_to_json(version)) != 0;
    failed |= json_object_set_new(hosted, "OciBundlePath", bundle_path) != 0;
    failed |= json_object_set_new(hosted, "OciSpecification", gcs_spec) != 0;
    if (failed) {
        json_decref(hosted);
        return hcsoci_fail_out_of_memory(error);
    }
    *document = hosted;
    return 0;
}
