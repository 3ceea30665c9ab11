/* Typed, field-naming access to JSON input (the OCI spec, case files, saved state). */
#include <hcsoci/spec.h>

#include <hcsoci/annotations.h>

#include "json_writer.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

bool hcsoci_text_is_utf8(const char *text)
{
    const unsigned char *byte = (const unsigned char *)text;
    size_t remaining = strlen(text);
    while (remaining > 0) {
        size_t length = *byte < 0x80 ? 1 : json_utf8_sequence_length(byte, remaining);
        if (length == 0)
            return false;
        byte += length;
        remaining -= length;
    }
    return true;
}

json_t *hcsoci_json_new_string(const char *text)
{
    if (text == NULL)
        return NULL;
    size_t length = strlen(text);
    const unsigned char *bytes = (const unsigned char *)text;
    uint64_t all_bytes = 0;
    size_t index = 0;
    for (; index + sizeof all_bytes <= length; index += sizeof all_bytes) {
        uint64_t word;
        memcpy(&word, bytes + index, sizeof word);
        all_bytes |= word;
    }
    for (; index < length; index++)
        all_bytes |= bytes[index];
    if ((all_bytes & UINT64_C(0x8080808080808080)) != 0 && !hcsoci_text_is_utf8(text))
        return NULL;
    return json_stringn_nocheck(text, length);
}

json_t *hcsoci_json_copy(const json_t *value)
{
    if (value == NULL)
        return NULL;
    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        json_t *copy = json_object();
        const char *key;
        size_t key_length;
        json_t *member;
        json_object_keylen_foreach((json_t *)value, key, key_length, member) {
            if (copy == NULL ||
                json_object_setn_new_nocheck(copy, key, key_length, hcsoci_json_copy(member)) !=
                    0) {
                json_decref(copy);
                return NULL;
            }
        }
        return copy;
    }
    case JSON_ARRAY: {
        json_t *copy = json_array();
        size_t index;
        json_t *element;
        json_array_foreach(value, index, element) {
            if (copy == NULL || json_array_append_new(copy, hcsoci_json_copy(element)) != 0) {
                json_decref(copy);
                return NULL;
            }
        }
        return copy;
    }
    case JSON_STRING:
        return json_stringn_nocheck(json_string_value(value), json_string_length(value));
    case JSON_INTEGER:
        return json_integer(json_integer_value(value));
    case JSON_REAL:
        return json_real(json_real_value(value));
    default: /* true, false and null are shared singletons */
        return json_incref((json_t *)value);
    }
}

const char *hcsoci_json_kind(const json_t *value)
{
    if (value == NULL)
        return "absent";
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static int wrong_type(hcsoci_error **error, const char *path, const char *wanted,
                      const json_t *value)
{
    return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid field '%s': must be %s, not %s", path,
                       wanted, hcsoci_json_kind(value));
}

/* The member, or NULL when object is not an object, the member is absent, or it is null. */
static json_t *member(const json_t *object, const char *key)
{
    if (!json_is_object(object))
        return NULL;
    json_t *value = json_object_get(object, key);
    return json_is_null(value) ? NULL : value;
}

int hcsoci_json_string(const json_t *object, const char *key, const char *path,
                       const char **value, hcsoci_error **error)
{
    json_t *found = member(object, key);
    *value = NULL;
    if (found == NULL)
        return 0;
    if (!json_is_string(found))
        return wrong_type(error, path, "a string", found);
    *value = json_string_value(found);
    return 0;
}

int hcsoci_json_bool(const json_t *object, const char *key, const char *path, bool *value,
                     hcsoci_error **error)
{
    json_t *found = member(object, key);
    *value = false;
    if (found == NULL)
        return 0;
    if (!json_is_boolean(found))
        return wrong_type(error, path, "true or false", found);
    *value = json_is_true(found);
    return 0;
}

int hcsoci_json_integer(const json_t *object, const char *key, const char *path, int64_t minimum,
                        int64_t maximum, int64_t *value, bool *present, hcsoci_error **error)
{
    json_t *found = member(object, key);
    *value = 0;
    if (present != NULL)
        *present = false;
    if (found == NULL)
        return 0;
    if (!json_is_integer(found))
        return wrong_type(error, path, "an integer", found);
    json_int_t number = json_integer_value(found);
    if (number < minimum || number > maximum)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid field '%s': %" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]",
                           path, (int64_t)number, minimum, maximum);
    *value = number;
    if (present != NULL)
        *present = true;
    return 0;
}

int hcsoci_json_unsigned(const json_t *object, const char *key, const char *path,
                         uint64_t *value, bool *present, hcsoci_error **error)
{
    int64_t signed_value = 0;
    int status = hcsoci_json_integer(object, key, path, 0, INT64_MAX, &signed_value, present, error);
    *value = status == 0 ? (uint64_t)signed_value : 0;
    return status;
}

int hcsoci_json_object(const json_t *object, const char *key, const char *path, json_t **value,
                       hcsoci_error **error)
{
    json_t *found = member(object, key);
    *value = NULL;
    if (found == NULL)
        return 0;
    if (!json_is_object(found))
        return wrong_type(error, path, "an object", found);
    *value = found;
    return 0;
}

static int typed_array(const json_t *object, const char *key, const char *path, json_type element,
                       const char *element_name, json_t **value, hcsoci_error **error)
{
    json_t *found = member(object, key);
    *value = NULL;
    if (found == NULL)
        return 0;
    if (!json_is_array(found))
        return wrong_type(error, path, "an array", found);
    size_t index;
    json_t *item;
    json_array_foreach(found, index, item) {
        if (json_typeof(item) != element)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid field '%s[%zu]': must be %s, not %s", path, index,
                               element_name, hcsoci_json_kind(item));
    }
    *value = found;
    return 0;
}

int hcsoci_json_string_array(const json_t *object, const char *key, const char *path,
                             json_t **value, hcsoci_error **error)
{
    return typed_array(object, key, path, JSON_STRING, "a string", value, error);
}

int hcsoci_json_object_array(const json_t *object, const char *key, const char *path,
                             json_t **value, hcsoci_error **error)
{
    return typed_array(object, key, path, JSON_OBJECT, "an object", value, error);
}

const json_t *hcsoci_spec_annotations(const json_t *spec)
{
    json_t *annotations = member(spec, "annotations");
    return json_is_object(annotations) ? annotations : NULL;
}

const char *hcsoci_spec_annotation(const json_t *spec, const char *key)
{
    json_t *value = member(hcsoci_spec_annotations(spec), key);
    return json_is_string(value) ? json_string_value(value) : NULL;
}

int hcsoci_spec_validate(const json_t *spec, hcsoci_error **error)
{
    json_t *section = NULL, *list = NULL;
    if (!json_is_object(spec))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid OCI spec: must be an object, not %s",
                           hcsoci_json_kind(spec));
    static const char *const object_sections[] = {"process", "root", "windows", "linux",
                                                  "hooks", "solaris", "vm"};
    for (size_t i = 0; i < sizeof object_sections / sizeof object_sections[0]; i++) {
        if (hcsoci_json_object(spec, object_sections[i], object_sections[i], &section, error) != 0)
            return -1;
    }
    json_t *annotations = NULL;
    if (hcsoci_json_object(spec, "annotations", "annotations", &annotations, error) != 0)
        return -1;
    const char *key;
    json_t *value;
    json_object_foreach(annotations, key, value) {
        if (!json_is_string(value))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid field 'annotations.%s': must be a string, not %s", key,
                               hcsoci_json_kind(value));
    }
    if (hcsoci_json_object_array(spec, "mounts", "mounts", &list, error) != 0)
        return -1;
    const char *text;
    if (hcsoci_json_string(spec, "hostname", "hostname", &text, error) != 0)
        return -1;
    json_t *root = member(spec, "root");
    if (hcsoci_json_string(root, "path", "root.path", &text, error) != 0)
        return -1;
    bool readonly;
    if (hcsoci_json_bool(root, "readonly", "root.readonly", &readonly, error) != 0)
        return -1;
    json_t *windows = member(spec, "windows");
    if (hcsoci_json_string_array(windows, "layerFolders", "windows.layerFolders", &list, error) != 0)
        return -1;
    if (hcsoci_json_object_array(windows, "devices", "windows.devices", &list, error) != 0)
        return -1;
    static const char *const windows_objects[] = {"resources", "network", "hyperv"};
    for (size_t i = 0; i < sizeof windows_objects / sizeof windows_objects[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "windows.%s", windows_objects[i]);
        if (hcsoci_json_object(windows, windows_objects[i], path, &section, error) != 0)
            return -1;
    }
    /* Networking runs before the backend reads the spec, so its fields are checked here. */
    json_t *network = member(windows, "network");
    bool flag;
    if (hcsoci_json_string_array(network, "endpointList", "windows.network.endpointList", &list,
                                 error) != 0 ||
        hcsoci_json_bool(network, "allowUnqualifiedDNSQuery",
                         "windows.network.allowUnqualifiedDNSQuery", &flag, error) != 0 ||
        hcsoci_json_string_array(network, "DNSSearchList", "windows.network.DNSSearchList", &list,
                                 error) != 0 ||
        hcsoci_json_string(network, "networkSharedContainerName",
                           "windows.network.networkSharedContainerName", &text, error) != 0)
        return -1;
    return hcsoci_annotations_check_windows_resources(spec, error);
}
