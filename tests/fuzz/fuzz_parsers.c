/* Fuzz target fuzz_parsers: the input is one text, used as
 *   - a Windows path for every function of hcsoci/windows_path.h (volume name, split, clean,
 *     dir), up to its first NUL byte, with the properties Go's path/filepath has: the volume
 *     name and the split index lie within the path, the split's directory and file put
 *     together are the path, and Clean of a cleaned path is the same path when cleaning kept
 *     the path's volume name (Dir is only run);
 *   - the value of every annotation hcsoci reads (hcsoci/annotations.h), through every parser
 *     (uint64, bool, the processor, storage and memory limits, the Kubernetes pod membership),
 *     when it is UTF-8 (a spec's strings are); a value of decimal digits that fits must parse
 *     to its value;
 *   - when it is JSON text, the spec's windows.resources section the parsers fall back to (and
 *     the whole spec for hcsoci_annotations_check_windows_resources);
 *   - as JSON text, up to its first NUL byte, for hcsoci's reader and writer
 *     (hcsoci/json_number.h): hcsoci_json_loads reads what json_loads reads, to the same value
 *     with its keys in the same order, or fails with jansson's error (beyond jansson it only
 *     reads integers above INT64_MAX), and hcsoci_json_dumps writes what json_dumps writes;
 *   - up to its first NUL byte, for hcsoci_json_new_string (hcsoci/spec.h), which must give
 *     what json_string gives.
 * Findings: crashes, leaks, undefined behaviour and a broken property (abort()). */
#include "fuzz_support.h"

#include <hcsoci/annotations.h>
#include <hcsoci/json_number.h>
#include <hcsoci/windows_path.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_windows_path(const char *path)
{
    size_t length = strlen(path);
    size_t volume = hcsoci_windows_volume_name_length(path);
    if (volume > length)
        fuzz_finding("hcsoci_windows_volume_name_length is past the end of the path", path);
    size_t split = hcsoci_windows_path_split_index(path);
    if (split > length || split < volume)
        fuzz_finding("hcsoci_windows_path_split_index is outside the path", path);

    char *directory = NULL, *file = NULL;
    if (hcsoci_windows_path_split(path, &directory, &file) == 0) {
        if (strlen(directory) != split || strncmp(directory, path, split) != 0 ||
            strcmp(file, path + split) != 0)
            fuzz_finding("hcsoci_windows_path_split does not split at the split index", path);
    }
    free(directory);
    free(file);

    char *clean = hcsoci_windows_path_clean(path);
    /* Go's Clean before 1.20 (which the reference was built with) turns "a\..\C:\" into
     * "C:", a volume name the path did not start with, and Clean("C:") is "C:.": idempotence
     * holds only when cleaning kept the path's own volume name. */
    size_t clean_volume = clean != NULL ? hcsoci_windows_volume_name_length(clean) : 0;
    if (clean != NULL && clean_volume == volume && strncmp(clean, path, volume) == 0) {
        char *clean_again = hcsoci_windows_path_clean(clean);
        if (clean_again != NULL && strcmp(clean, clean_again) != 0) {
            fprintf(stderr, "fuzz: clean: '%s', cleaned again: '%s'\n", clean, clean_again);
            fuzz_finding("hcsoci_windows_path_clean of a clean path changes it", path);
        }
        free(clean_again);
    }
    free(clean);

    /* Dir is not checked for being clean: Go's Dir gives a UNC volume back as it was written
     * ("\\\\s/ir"), which Clean would write with backslashes. */
    free(hcsoci_windows_path_dir(path));
}

/* True for 1 to 19 decimal digits (whatever they are, they fit in 64 bits). */
static bool short_decimal(const char *text)
{
    size_t length = strlen(text);
    if (length == 0 || length > 19)
        return false;
    for (size_t i = 0; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
    }
    return true;
}

static void run_parsers(const json_t *spec, const char *annotation)
{
    int32_t value32 = 0;
    uint64_t value64 = 0;
    hcsoci_error *error = NULL;
    hcsoci_annotation_bool(spec, annotation, false);
    hcsoci_annotations_cpu_count(spec, annotation, 1, &value32, &error);
    hcsoci_error_free(error);
    error = NULL;
    hcsoci_annotations_cpu_limit(spec, annotation, 0, &value32, &error);
    hcsoci_error_free(error);
    error = NULL;
    hcsoci_annotations_cpu_weight(spec, annotation, 0, &value32, &error);
    hcsoci_error_free(error);
    error = NULL;
    hcsoci_annotations_storage_iops(spec, annotation, 0, &value32, &error);
    hcsoci_error_free(error);
    error = NULL;
    hcsoci_annotations_storage_bps(spec, annotation, 0, &value32, &error);
    hcsoci_error_free(error);
    error = NULL;
    hcsoci_annotations_memory_mb(spec, annotation, 1024, &value64, &error);
    hcsoci_error_free(error);
}

static void check_annotations(json_t *value, const char *text, json_t *resources)
{
    json_t *spec = json_object();
    json_t *annotations = json_object();
    json_object_set_new(spec, "annotations", annotations);
    if (resources != NULL)
        json_object_set_new(spec, "windows", json_pack("{s:O}", "resources", resources));
    for (const char *const *name = hcsoci_annotation_names(); *name != NULL; name++)
        if (value != NULL)
            json_object_set(annotations, *name, value);

    for (const char *const *name = hcsoci_annotation_names(); *name != NULL; name++) {
        uint64_t parsed = hcsoci_annotation_uint64(spec, *name, 42);
        if (value != NULL && text != NULL && short_decimal(text) &&
            parsed != strtoull(text, NULL, 10))
            fuzz_finding("hcsoci_annotation_uint64 misreads a decimal number", text);
        run_parsers(spec, *name);
    }
    hcsoci_error *error = NULL;
    hcsoci_annotations_check_windows_resources(spec, &error);
    hcsoci_error_free(error);
    error = NULL;
    hcsoci_kubernetes_container_type type;
    const char *sandbox_id = NULL;
    hcsoci_annotations_sandbox_type_and_id(spec, &type, &sandbox_id, &error);
    hcsoci_error_free(error);
    json_decref(spec);
}

static void log_nothing(void *context, hcsoci_log_level level, const char *message,
                        const json_t *fields)
{
    (void)context;
    (void)level;
    (void)message;
    free(json_dumps(fields, JSON_COMPACT)); /* the fields a warning carries must be whole */
}

static void check_json_text(const char *text)
{
    static const size_t dump_flags[] = {JSON_COMPACT, 0, JSON_INDENT(2) | JSON_ENCODE_ANY};
    json_error_t ours_error, theirs_error;
    json_t *ours = hcsoci_json_loads(text, 0, &ours_error);
    json_t *theirs = json_loads(text, 0, &theirs_error);
    if (theirs == NULL && ours != NULL && strstr(theirs_error.text, "too big integer") == NULL)
        fuzz_finding("hcsoci_json_loads reads text json_loads refuses", text);
    if (theirs != NULL && ours == NULL)
        fuzz_finding("hcsoci_json_loads refuses text json_loads reads", text);
    /* Where jansson stops at an integer above INT64_MAX, hcsoci reads on and may stop later. */
    if (theirs == NULL && ours == NULL && strstr(theirs_error.text, "too big integer") == NULL &&
        (strcmp(ours_error.text, theirs_error.text) != 0 ||
         ours_error.position != theirs_error.position))
        fuzz_finding("hcsoci_json_loads fails with another error than json_loads", text);
    for (size_t index = 0; theirs != NULL && ours != NULL && index < 3; index++) {
        char *ours_text = hcsoci_json_dumps(ours, dump_flags[index]);
        char *theirs_text = json_dumps(theirs, dump_flags[index]);
        char *theirs_by_us = hcsoci_json_dumps(theirs, dump_flags[index]);
        if (ours_text == NULL || theirs_text == NULL || strcmp(ours_text, theirs_text) != 0)
            fuzz_finding("hcsoci_json_loads reads another value than json_loads", text);
        if (theirs_by_us == NULL || strcmp(theirs_by_us, theirs_text) != 0)
            fuzz_finding("hcsoci_json_dumps writes other text than json_dumps", text);
        free(ours_text);
        free(theirs_text);
        free(theirs_by_us);
    }
    json_decref(ours);
    json_decref(theirs);
}

/* hcsoci_json_new_string: json_string's answer (the same text, or NULL when it is not UTF-8). */
static void check_new_string(const char *text)
{
    json_t *ours = hcsoci_json_new_string(text);
    json_t *theirs = json_string(text);
    if ((ours == NULL) != (theirs == NULL) ||
        (ours != NULL && strcmp(json_string_value(ours), json_string_value(theirs)) != 0))
        fuzz_finding("hcsoci_json_new_string differs from json_string", text);
    json_decref(ours);
    json_decref(theirs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hcsoci_log_set_sink(log_nothing, NULL, HCSOCI_LOG_DEBUG);
    char *path = malloc(size + 1);
    if (path == NULL)
        return 0;
    memcpy(path, data, size);
    path[size] = '\0';
    check_windows_path(path);
    check_json_text(path);
    check_new_string(path);

    /* The annotation: the whole input as a string, when it is UTF-8. */
    json_t *value = json_stringn((const char *)data, size);
    json_t *resources = fuzz_parse_json(data, size);
    check_annotations(value, value != NULL ? path : NULL, resources);
    /* The same parsers with no annotation, over the input's windows.resources. */
    if (resources != NULL)
        check_annotations(NULL, NULL, resources);
    json_decref(resources);
    json_decref(value);
    free(path);
    return 0;
}
