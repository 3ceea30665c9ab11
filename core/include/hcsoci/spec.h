/* Typed access to the OCI runtime spec (and any other JSON input) held as jansson values.
 * Getters name the field by its path in their errors, e.g. "invalid OCI spec: field
 * 'windows.layerFolders[1]' must be a string, not a number". Missing fields are not errors:
 * the getter reports absence and the caller decides. */
#ifndef HCSOCI_SPEC_H
#define HCSOCI_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include <hcsoci/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A deep copy of value (a new reference; NULL for NULL or when memory runs out), the same as
 * json_deep_copy but several times faster: it skips jansson's check for reference loops, which
 * a value built by jansson's own calls cannot have. */
json_t *hcsoci_json_copy(const json_t *value);

/* Kind of a JSON value for messages: "a string", "a number", "null", ... (static string). */
const char *hcsoci_json_kind(const json_t *value);

/* Whether text is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF),
 * which is what a JSON string may hold. */
bool hcsoci_text_is_utf8(const char *text);

/* A new JSON string holding a copy of text: json_string's result (NULL when text is NULL, is
 * not UTF-8 or memory runs out), reached faster: text with no byte above 0x7F, the usual case,
 * is checked eight bytes at a time. The caller owns the reference. */
json_t *hcsoci_json_new_string(const char *text);

/* String member key of object (absent or null: *value = NULL, returns 0). path names the field
 * in errors. The string is borrowed from object. */
int hcsoci_json_string(const json_t *object, const char *key, const char *path,
                       const char **value, hcsoci_error **error);

/* Boolean member (absent or null: *value = false). */
int hcsoci_json_bool(const json_t *object, const char *key, const char *path, bool *value,
                     hcsoci_error **error);

/* Integer member within [minimum, maximum] (absent or null: *present = false, *value = 0).
 * A value out of range is an error naming the field and the value. */
int hcsoci_json_integer(const json_t *object, const char *key, const char *path, int64_t minimum,
                        int64_t maximum, int64_t *value, bool *present, hcsoci_error **error);

/* Unsigned 64-bit member: accepts integers >= 0 (absent or null: *present = false). Values
 * beyond INT64_MAX cannot be represented by jansson and are reported as errors. */
int hcsoci_json_unsigned(const json_t *object, const char *key, const char *path,
                         uint64_t *value, bool *present, hcsoci_error **error);

/* Object member (absent or null: *value = NULL). Borrowed. */
int hcsoci_json_object(const json_t *object, const char *key, const char *path, json_t **value,
                       hcsoci_error **error);

/* Array member whose elements are all strings (absent or null: *value = NULL). Borrowed. */
int hcsoci_json_string_array(const json_t *object, const char *key, const char *path,
                             json_t **value, hcsoci_error **error);

/* Array member of objects (absent or null: *value = NULL). Borrowed. */
int hcsoci_json_object_array(const json_t *object, const char *key, const char *path,
                             json_t **value, hcsoci_error **error);

/* The spec's annotations object (borrowed) or NULL when absent. */
const json_t *hcsoci_spec_annotations(const json_t *spec);

/* Value of one annotation (borrowed) or NULL when absent or not a string. */
const char *hcsoci_spec_annotation(const json_t *spec, const char *key);

/* Checks the shape of every spec field that hcsoci reads (types, element types, integer
 * ranges) so that the backends can rely on it; the error names the first bad field. */
int hcsoci_spec_validate(const json_t *spec, hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
