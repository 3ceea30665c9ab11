/* Annotation parsers with their fallback to the spec's windows.resources (see annotations.h). */
#include <hcsoci/annotations.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <hcsoci/log.h>
#include <hcsoci/spec.h>

/* ---- Names ---- */

const char *const *hcsoci_annotation_names(void)
{
    static const char *const names[] = {
        HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB,
        HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT,
        HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT,
        HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_WEIGHT,
        HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_BANDWIDTH_MAXIMUM,
        HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM,
        HCSOCI_ANNOTATION_VM_MEMORY_SIZE_IN_MB,
        HCSOCI_ANNOTATION_VM_PROCESSOR_COUNT,
        HCSOCI_ANNOTATION_VM_PROCESSOR_LIMIT,
        HCSOCI_ANNOTATION_VM_PROCESSOR_WEIGHT,
        HCSOCI_ANNOTATION_VM_STORAGE_QOS_BANDWIDTH_MAXIMUM,
        HCSOCI_ANNOTATION_VM_STORAGE_QOS_IOPS_MAXIMUM,
        HCSOCI_ANNOTATION_GPU_VHD_PATH,
        HCSOCI_ANNOTATION_ASSIGNED_DEVICE_KERNEL_DRIVERS,
        HCSOCI_ANNOTATION_KUBERNETES_CONTAINER_TYPE,
        HCSOCI_ANNOTATION_KUBERNETES_SANDBOX_ID,
        NULL,
    };
    return names;
}

/* ---- Reading annotation values ---- */

/* Parses a base-10 unsigned integer the way the reference's strconv.ParseUint(v, 10, 64) does:
 * digits only, no sign, no prefix, at least one digit. On failure *reason says why. */
static bool parse_decimal_uint64(const char *text, uint64_t *value, const char **reason)
{
    if (text[0] == '\0') {
        *reason = "invalid syntax";
        return false;
    }
    uint64_t result = 0;
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (*cursor < '0' || *cursor > '9') {
            *reason = "invalid syntax";
            return false;
        }
        unsigned digit = (unsigned)(*cursor - '0');
        if (result > (UINT64_MAX - digit) / 10) {
            *reason = "value out of range";
            return false;
        }
        result = result * 10 + digit;
    }
    *value = result;
    return true;
}

/* The annotation's raw value, or NULL when the spec has no such annotation or it is not a
 * string. *present tells an absent annotation from a non-string one, whose JSON kind
 * *kind then names. */
static const char *annotation_text(const json_t *spec, const char *annotation, bool *present,
                                   const char **kind)
{
    *present = false;
    *kind = "absent";
    if (spec == NULL || annotation == NULL || !json_is_object(spec))
        return NULL;
    const json_t *annotations = json_object_get(spec, "annotations");
    if (!json_is_object(annotations))
        return NULL;
    const json_t *value = json_object_get(annotations, annotation);
    if (value == NULL || json_is_null(value))
        return NULL;
    *present = true;
    *kind = hcsoci_json_kind(value);
    return json_string_value(value);
}

static void warn_unusable_annotation(const char *annotation, const char *value,
                                     const char *expected_type, const char *reason)
{
    json_t *fields = json_pack("{s:s, s:s, s:s, s:s}", "oci-annotation", annotation, "value",
                               value, "expected-type", expected_type, "error", reason);
    hcsoci_log(HCSOCI_LOG_WARN, fields, "annotation could not be parsed");
}

uint64_t hcsoci_annotation_uint64(const json_t *spec, const char *annotation,
                                  uint64_t default_value)
{
    bool present = false;
    const char *kind = NULL;
    const char *text = annotation_text(spec, annotation, &present, &kind);
    if (text == NULL) {
        if (present)
            warn_unusable_annotation(annotation, kind, "uint64", "the annotation is not a string");
        return default_value;
    }
    uint64_t value = 0;
    const char *reason = NULL;
    if (parse_decimal_uint64(text, &value, &reason))
        return value;
    warn_unusable_annotation(annotation, text, "uint64", reason);
    return default_value;
}

bool hcsoci_annotation_bool(const json_t *spec, const char *annotation, bool default_value)
{
    bool present = false;
    const char *kind = NULL;
    const char *text = annotation_text(spec, annotation, &present, &kind);
    if (text == NULL) {
        if (present)
            warn_unusable_annotation(annotation, kind, "bool", "the annotation is not a string");
        return default_value;
    }
    if (strcasecmp(text, "true") == 0)
        return true;
    if (strcasecmp(text, "false") == 0)
        return false;
    warn_unusable_annotation(annotation, text, "bool", "invalid syntax");
    return default_value;
}

/* The annotation as a positive number no larger than maximum; 0 when it is absent, 0 or
 * unusable (an unusable one is logged, naming the type it must fit). */
static uint64_t annotation_positive(const json_t *spec, const char *annotation, uint64_t maximum,
                                    const char *expected_type)
{
    uint64_t value = hcsoci_annotation_uint64(spec, annotation, 0);
    if (value > maximum) {
        char text[32];
        snprintf(text, sizeof text, "%" PRIu64, value);
        warn_unusable_annotation(annotation, text, expected_type, "value out of range");
        return 0;
    }
    return value;
}

/* ---- Reading windows.resources ---- */

/* One windows.resources.<section>.<key> value: *present is false when any level is absent. A
 * value above maximum is an error naming the field; fits_int32 words the error for the fields
 * that must fit the documents' 32-bit fields. */
static int read_resource_value(const json_t *spec, const char *section, const char *key,
                               uint64_t maximum, bool fits_int32, uint64_t *value,
                               bool *present, hcsoci_error **error);

static int resource_value(const json_t *spec, const char *section, const char *key,
                          uint64_t maximum, bool fits_int32, uint64_t *value, bool *present,
                          hcsoci_error **error)
{
    /* Read once without an error (so no field path is formatted), and only when that fails
     * again with one, to name the bad field. */
    if (read_resource_value(spec, section, key, maximum, fits_int32, value, present, NULL) == 0)
        return 0;
    return read_resource_value(spec, section, key, maximum, fits_int32, value, present, error);
}

/* resource_value's reading; the field paths are formatted only when error is not NULL. */
static int read_resource_value(const json_t *spec, const char *section, const char *key,
                               uint64_t maximum, bool fits_int32, uint64_t *value,
                               bool *present, hcsoci_error **error)
{
    *value = 0;
    *present = false;
    if (spec == NULL)
        return 0;
    json_t *windows = NULL;
    json_t *resources = NULL;
    json_t *group = NULL;
    char group_path[64] = "";
    char field_path[96] = "";
    if (error != NULL) {
        snprintf(group_path, sizeof group_path, "windows.resources.%s", section);
        snprintf(field_path, sizeof field_path, "%s.%s", group_path, key);
    }
    if (hcsoci_json_object(spec, "windows", "windows", &windows, error) != 0)
        return -1;
    if (windows == NULL)
        return 0;
    if (hcsoci_json_object(windows, "resources", "windows.resources", &resources, error) != 0)
        return -1;
    if (resources == NULL)
        return 0;
    if (hcsoci_json_object(resources, section, group_path, &group, error) != 0)
        return -1;
    if (group == NULL)
        return 0;
    uint64_t number = 0;
    bool found = false;
    if (hcsoci_json_unsigned(group, key, field_path, &number, &found, error) != 0)
        return -1;
    if (!found)
        return 0;
    if (number > maximum) {
        if (fits_int32)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid field '%s': %" PRIu64
                               " does not fit in a 32-bit signed integer (at most %" PRIu64 ")",
                               field_path, number, maximum);
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid field '%s': %" PRIu64 " is out of range [0, %" PRIu64 "]",
                           field_path, number, maximum);
    }
    *value = number;
    *present = true;
    return 0;
}

/* The shape of every resources field a parser can fall back to. */
typedef struct resource_field {
    const char *section;
    const char *key;
    uint64_t maximum;
    bool fits_int32;
} resource_field;

static const resource_field resource_fields[] = {
    {"cpu", "count", INT32_MAX, true},        /* uint64 in OCI, int32 in the documents */
    {"cpu", "shares", UINT16_MAX, false},     /* uint16 in OCI */
    {"cpu", "maximum", UINT16_MAX, false},    /* uint16 in OCI */
    {"memory", "limit", INT64_MAX, false},    /* uint64 in OCI; JSON here stops at INT64_MAX */
    {"storage", "iops", INT32_MAX, true},     /* uint64 in OCI, int32 in the documents */
    {"storage", "bps", INT32_MAX, true},      /* uint64 in OCI, int32 in the documents */
};

static const resource_field *find_resource_field(const char *section, const char *key)
{
    for (size_t i = 0; i < sizeof resource_fields / sizeof resource_fields[0]; i++) {
        if (strcmp(resource_fields[i].section, section) == 0 &&
            strcmp(resource_fields[i].key, key) == 0)
            return &resource_fields[i];
    }
    return NULL;
}

int hcsoci_annotations_check_windows_resources(const json_t *spec, hcsoci_error **error)
{
    /* Most specs set no windows.resources: two lookups tell, without a pass for each field. */
    const json_t *windows = json_object_get(spec, "windows");
    if (windows == NULL ||
        (json_is_object(windows) && json_object_get(windows, "resources") == NULL))
        return 0;
    for (size_t i = 0; i < sizeof resource_fields / sizeof resource_fields[0]; i++) {
        const resource_field *field = &resource_fields[i];
        uint64_t value = 0;
        bool present = false;
        if (resource_value(spec, field->section, field->key, field->maximum, field->fits_int32,
                           &value, &present, error) != 0)
            return -1;
    }
    return 0;
}

/* The common shape of the 32-bit parsers: a usable annotation wins, then a spec value > 0,
 * then the default. */
static int parse_int32_limit(const json_t *spec, const char *annotation, const char *section,
                             const char *key, int32_t default_value, int32_t *value,
                             hcsoci_error **error)
{
    uint64_t from_annotation = annotation_positive(spec, annotation, INT32_MAX, "int32");
    if (from_annotation != 0) {
        *value = (int32_t)from_annotation;
        return 0;
    }
    const resource_field *field = find_resource_field(section, key);
    uint64_t from_spec = 0;
    bool present = false;
    if (resource_value(spec, section, key, field->maximum, field->fits_int32, &from_spec,
                       &present, error) != 0)
        return -1;
    *value = (present && from_spec > 0) ? (int32_t)from_spec : default_value;
    return 0;
}

int hcsoci_annotations_cpu_count(const json_t *spec, const char *annotation,
                                 int32_t default_value, int32_t *value, hcsoci_error **error)
{
    return parse_int32_limit(spec, annotation, "cpu", "count", default_value, value, error);
}

int hcsoci_annotations_cpu_limit(const json_t *spec, const char *annotation,
                                 int32_t default_value, int32_t *value, hcsoci_error **error)
{
    return parse_int32_limit(spec, annotation, "cpu", "maximum", default_value, value, error);
}

int hcsoci_annotations_cpu_weight(const json_t *spec, const char *annotation,
                                  int32_t default_value, int32_t *value, hcsoci_error **error)
{
    return parse_int32_limit(spec, annotation, "cpu", "shares", default_value, value, error);
}

int hcsoci_annotations_storage_iops(const json_t *spec, const char *annotation,
                                    int32_t default_value, int32_t *value, hcsoci_error **error)
{
    return parse_int32_limit(spec, annotation, "storage", "iops", default_value, value, error);
}

int hcsoci_annotations_storage_bps(const json_t *spec, const char *annotation,
                                   int32_t default_value, int32_t *value, hcsoci_error **error)
{
    return parse_int32_limit(spec, annotation, "storage", "bps", default_value, value, error);
}

int hcsoci_annotations_memory_mb(const json_t *spec, const char *annotation,
                                 uint64_t default_value, uint64_t *value, hcsoci_error **error)
{
    /* A uint64 in the reference, whole range (the documents hold it: hcsoci/json_number.h). */
    uint64_t from_annotation = annotation_positive(spec, annotation, UINT64_MAX, "uint64");
    if (from_annotation != 0) {
        *value = from_annotation;
        return 0;
    }
    uint64_t limit_bytes = 0;
    bool present = false;
    if (resource_value(spec, "memory", "limit", INT64_MAX, false, &limit_bytes, &present,
                       error) != 0)
        return -1;
    *value = (present && limit_bytes > 0) ? limit_bytes / 1024 / 1024 : default_value;
    return 0;
}

/* ---- Kubernetes pod membership ---- */

/* A string annotation for the pod checks: "" when absent; a non-string value is an error. */
static int pod_annotation(const json_t *spec, const char *annotation, const char **value,
                          hcsoci_error **error)
{
    *value = "";
    if (spec == NULL)
        return 0;
    json_t *annotations = NULL;
    if (hcsoci_json_object(spec, "annotations", "annotations", &annotations, error) != 0)
        return -1;
    if (annotations == NULL)
        return 0;
    char path[128];
    snprintf(path, sizeof path, "annotations.%s", annotation);
    const char *text = NULL;
    if (hcsoci_json_string(annotations, annotation, path, &text, error) != 0)
        return -1;
    if (text != NULL)
        *value = text;
    return 0;
}

int hcsoci_annotations_sandbox_type_and_id(const json_t *spec,
                                           hcsoci_kubernetes_container_type *type,
                                           const char **sandbox_id, hcsoci_error **error)
{
    *type = HCSOCI_KUBERNETES_CONTAINER_TYPE_NONE;
    *sandbox_id = "";
    const char *type_text = NULL;
    const char *id = NULL;
    bool type_present = false;
    const char *kind = NULL;
    if (pod_annotation(spec, HCSOCI_ANNOTATION_KUBERNETES_CONTAINER_TYPE, &type_text, error) != 0)
        return -1;
    annotation_text(spec, HCSOCI_ANNOTATION_KUBERNETES_CONTAINER_TYPE, &type_present, &kind);
    if (pod_annotation(spec, HCSOCI_ANNOTATION_KUBERNETES_SANDBOX_ID, &id, error) != 0)
        return -1;

    hcsoci_kubernetes_container_type parsed = HCSOCI_KUBERNETES_CONTAINER_TYPE_NONE;
    if (type_present) {
        if (strcmp(type_text, "container") == 0)
            parsed = HCSOCI_KUBERNETES_CONTAINER_TYPE_CONTAINER;
        else if (strcmp(type_text, "sandbox") == 0)
            parsed = HCSOCI_KUBERNETES_CONTAINER_TYPE_SANDBOX;
        else
            return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid '%s': '%s'",
                               HCSOCI_ANNOTATION_KUBERNETES_CONTAINER_TYPE, type_text);
    }
    if (parsed != HCSOCI_KUBERNETES_CONTAINER_TYPE_NONE && id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "cannot specify '%s' without '%s'",
                           HCSOCI_ANNOTATION_KUBERNETES_CONTAINER_TYPE,
                           HCSOCI_ANNOTATION_KUBERNETES_SANDBOX_ID);
    if (parsed == HCSOCI_KUBERNETES_CONTAINER_TYPE_NONE && id[0] != '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "cannot specify '%s' without '%s'",
                           HCSOCI_ANNOTATION_KUBERNETES_SANDBOX_ID,
                           HCSOCI_ANNOTATION_KUBERNETES_CONTAINER_TYPE);
    *type = parsed;
    *sandbox_id = id;
    return 0;
}
