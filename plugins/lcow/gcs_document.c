/* The guest's container document (see gcs_document.h). The reference edits its specs.Spec and
 * marshals it; here the rules edit the normalised JSON, which is the same: clearing an omitempty
 * field of the value removes its member from the JSON. Only the fields allocation rewrote are
 * decoded and encoded again. */
#include "gcs_document.h"

#include <stdbool.h>
#include <string.h>

#include <hcsoci/schema.h>
#include <hcsoci/spec.h>

#include <hcsoci/runtime_spec.h>
#include "spec_normalize.h"

/* The Windows part the guest keeps: the network namespace and the devices of the original
 * (its Go value; NULL: nil). Returns the new (or nil) specs.Windows value, or NULL when memory
 * runs out. */
static json_t *reduced_windows(const json_t *original)
{
    if (original == NULL || json_is_null(original))
        return json_null();
    const json_t *network = json_object_get(original, "network");
    const json_t *namespace_id = json_object_get(network, "networkNamespace");
    bool keep_namespace = json_is_string(namespace_id) && json_string_length(namespace_id) > 0;
    const json_t *devices = json_object_get(original, "devices");
    bool keep_devices = json_is_array(devices); /* a non-nil list, even an empty one */
    if (!keep_namespace && !keep_devices)
        return json_null();

    json_t *windows = json_object();
    /* json_pack's o and O never fail half-way: on failure nothing is kept. */
    if (windows != NULL && keep_namespace &&
        json_object_set_new_nocheck(windows, "network",
                                    json_pack("{s:O}", "networkNamespace", namespace_id)) != 0) {
        json_decref(windows);
        return NULL;
    }
    if (windows != NULL && keep_devices &&
        json_object_set_nocheck(windows, "devices", (json_t *)devices) != 0) {
        json_decref(windows);
        return NULL;
    }
    return windows;
}

/* Normalises field name of spec into gcs_spec, the Windows part reduced when reduce is set. */
static int normalize_field(const json_t *spec, const char *name, bool reduce, json_t *gcs_spec,
                           hcsoci_error **error)
{
    const hcsoci_runtime_spec_type *spec_type = hcsoci_runtime_spec_root_type();
    const json_t *member = json_object_get(spec, name);
    json_t *value = NULL;
    if (member != NULL && spec_value_decode(hcsoci_runtime_spec_field_named(spec_type, name)->type,
                                            member, name, &value, error) != 0)
        return -1;
    if (reduce) {
        json_t *reduced = reduced_windows(value);
        json_decref(value);
        if ((value = reduced) == NULL)
            return hcsoci_fail_out_of_memory(error);
    }
    int failed = spec_value_encode_field(spec_type, gcs_spec, name, value);
    json_decref(value);
    return failed != 0 ? hcsoci_fail_out_of_memory(error) : 0;
}

/* A copy of object (the JSON of a struct of type structure) with the given fields set to their
 * zero values, which json.Marshal leaves out when they are omitempty; the other members are
 * shared. NULL when memory runs out (jansson's own shallow copy would drop members instead). */
static json_t *without_fields(const hcsoci_runtime_spec_type *structure, const json_t *object,
                              const char *const *names, size_t count)
{
    json_t *copy = json_object();
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)object, key, member) {
        bool removed = false;
        for (size_t i = 0; i < count && !removed; i++)
            removed = strcmp(key, names[i]) == 0;
        if (copy != NULL && (removed ? spec_value_encode_field(structure, copy, key, NULL)
                                     : json_object_set_nocheck(copy, key, member)) != 0) {
            json_decref(copy);
            copy = NULL;
        }
    }
    return copy;
}

/* The linux section without cgroupsPath and seccomp, and its resources without what the guest
 * does not support. */
static json_t *cleaned_linux(const json_t *linux_section)
{
    const hcsoci_runtime_spec_type *linux_type =
        spec_value_field_type(hcsoci_runtime_spec_root_type(), "linux");
    static const char *const linux_removed[] = {"cgroupsPath", "seccomp"};
    json_t *cleaned = without_fields(linux_type, linux_section, linux_removed, 2);
    const json_t *resources = json_object_get(cleaned, "resources");
    if (cleaned == NULL || !json_is_object(resources))
        return cleaned;
    static const char *const resources_removed[] = {"devices", "pids", "blockIO",
                                                    "hugepageLimits", "network"};
    json_t *cleaned_resources =
        without_fields(spec_value_field_type(linux_type, "resources"), resources,
                       resources_removed, sizeof resources_removed / sizeof *resources_removed);
    /* Replacing a member keeps its place in the object. */
    if (cleaned_resources == NULL || json_object_set_new(cleaned, "resources",
                                                         cleaned_resources) != 0) {
        json_decref(cleaned);
        return NULL;
    }
    return cleaned;
}

int lcow_normalized_spec(const json_t *spec, const json_t *decoded, json_t **normalized,
                         hcsoci_error **error)
{
    json_t *value = json_incref((json_t *)decoded);
    *normalized = NULL;
    if (value == NULL &&
        spec_value_decode(hcsoci_runtime_spec_root_type(), spec, "", &value, error) != 0)
        return -1;
    json_t *encoded = spec_value_encode(hcsoci_runtime_spec_root_type(), value);
    const json_t *devices = json_object_get(json_object_get(value, "windows"), "devices");
    json_t *encoded_windows = json_object_get(encoded, "windows");
    int failed = encoded == NULL;
    if (!failed && json_is_array(devices) && json_array_size(devices) == 0 &&
        json_is_object(encoded_windows))
        failed = json_object_set_new_nocheck(encoded_windows, "devices", json_array()) != 0;
    json_decref(value);
    if (failed) {
        json_decref(encoded);
        return hcsoci_fail_out_of_memory(error);
    }
    *normalized = encoded;
    return 0;
}

int lcow_gcs_spec(const json_t *spec, json_t **gcs_spec, hcsoci_error **error)
{
    json_t *normalized = NULL;
    *gcs_spec = NULL;
    if (lcow_normalized_spec(spec, NULL, &normalized, error) != 0)
        return -1;
    int result = lcow_gcs_spec_of_normalized(normalized, gcs_spec, error);
    json_decref(normalized);
    return result;
}

int lcow_gcs_spec_of_normalized(const json_t *spec, json_t **gcs_spec, hcsoci_error **error)
{
    *gcs_spec = NULL;
    const json_t *linux_section = json_object_get(spec, "linux");
    if (!json_is_object(linux_section))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid OCI spec: a Linux container needs a 'linux' section");
    json_t *cleaned = json_object();
    if (cleaned == NULL)
        return hcsoci_fail_out_of_memory(error);
    /* Member by member in the types' order, which is json.Marshal's. */
    for (const hcsoci_runtime_spec_field *field = hcsoci_runtime_spec_root_type()->fields;
         field->json_name != NULL; field++) {
        const char *name = field->json_name;
        int failed = 0;
        if (strcmp(name, "root") == 0 || strcmp(name, "mounts") == 0 ||
            strcmp(name, "windows") == 0) {
            /* What resource allocation rewrote (allocate.h) is normalised afresh. */
            failed = normalize_field(spec, name, strcmp(name, "windows") == 0, cleaned, error);
        } else if (strcmp(name, "linux") == 0) {
            json_t *cleaned_section = cleaned_linux(linux_section);
            failed = cleaned_section == NULL ||
                     json_object_set_new_nocheck(cleaned, name, cleaned_section) != 0;
            if (failed)
                hcsoci_fail_out_of_memory(error);
        } else if (strcmp(name, "hooks") != 0 && json_object_get(spec, name) != NULL) {
            failed = json_object_set_nocheck(cleaned, name, json_object_get(spec, name)) != 0;
            if (failed)
                hcsoci_fail_out_of_memory(error);
        }
        if (failed) {
            json_decref(cleaned);
            return -1;
        }
    }
    *gcs_spec = cleaned;
    return 0;
}

int lcow_hosted_system_document(const json_t *spec, bool spec_is_normalized,
                                const char *container_root, json_t **document,
                                hcsoci_error **error)
{
    json_t *gcs_spec = NULL;
    *document = NULL;
    if ((spec_is_normalized ? lcow_gcs_spec_of_normalized(spec, &gcs_spec, error)
                            : lcow_gcs_spec(spec, &gcs_spec, error)) != 0)
        return -1;
    const char *root = container_root != NULL ? container_root : "";
    json_t *bundle_path = hcsoci_json_new_string(root);
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
