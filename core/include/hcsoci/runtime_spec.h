/* The OCI runtime-spec v1.0.2 Go types (specs-go, the version hcsshim v0.8.14 vendors) written
 * down as data: for every struct its fields in Go declaration order, each with its JSON name,
 * its Go type and whether it is tagged omitempty; and the key spelling Go's encoding/json
 * accepts for them.
 *
 * The core rewrites every spec it is given with canonical keys (hcsoci_spec_canonical_keys)
 * before it reads it or hands it to a module, so that "Windows" or "LayerFolders" mean what
 * "windows" and "layerFolders" mean, as they do to the reference's json.Unmarshal. The tables
 * are static and owned by the library. */
#ifndef HCSOCI_RUNTIME_SPEC_H
#define HCSOCI_RUNTIME_SPEC_H

#include <stdbool.h>

#include <jansson.h>

#include <hcsoci/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a Go type is, as far as encoding/json cares. */
typedef enum hcsoci_runtime_spec_kind {
    HCSOCI_RUNTIME_SPEC_STRING,  /* string and the named string types (Arch, ...) */
    HCSOCI_RUNTIME_SPEC_BOOL,
    HCSOCI_RUNTIME_SPEC_INTEGER, /* int/uint of some width; see bits and is_signed */
    HCSOCI_RUNTIME_SPEC_ANY,     /* interface{}: any JSON value, numbers held as float64 */
    HCSOCI_RUNTIME_SPEC_STRUCT,  /* fields, in declaration order */
    HCSOCI_RUNTIME_SPEC_POINTER, /* *element: nil or a value */
    HCSOCI_RUNTIME_SPEC_SLICE,   /* []element: nil, or a (possibly empty) list */
    HCSOCI_RUNTIME_SPEC_MAP,     /* map[string]element: nil, or a (possibly empty) map */
} hcsoci_runtime_spec_kind;

typedef struct hcsoci_runtime_spec_field hcsoci_runtime_spec_field;

typedef struct hcsoci_runtime_spec_type {
    hcsoci_runtime_spec_kind kind;
    const char *go_name;   /* for messages: "uint32", "specs.Process", "[]string" */
    unsigned bits;         /* integers: 8, 16, 32 or 64 (Go int/uint are 64) */
    bool is_signed;        /* integers */
    const hcsoci_runtime_spec_field *fields; /* structs: ends with a NULL json_name */
    const struct hcsoci_runtime_spec_type *element; /* pointers, slices, maps (value type) */
} hcsoci_runtime_spec_type;

struct hcsoci_runtime_spec_field {
    const char *json_name;
    const hcsoci_runtime_spec_type *type;
    bool omitempty;
};

/* specs.Spec, the root of the table (static, the library's). */
const hcsoci_runtime_spec_type *hcsoci_runtime_spec_root_type(void);

/* specs.Windows and specs.WindowsNetwork (static, the library's). */
const hcsoci_runtime_spec_type *hcsoci_runtime_spec_windows_type(void);
const hcsoci_runtime_spec_type *hcsoci_runtime_spec_windows_network_type(void);

/* The field of a struct type with exactly this JSON name, or NULL (static). */
const hcsoci_runtime_spec_field *
hcsoci_runtime_spec_field_named(const hcsoci_runtime_spec_type *structure, const char *json_name);

/* The field a JSON object key fills, as Go's decoder matches it: the field with exactly that
 * name, otherwise the first (in declaration order) whose name equals the key ignoring case,
 * Go's folding included (U+212A KELVIN SIGN is k, U+017F LONG S is s); NULL for none. */
const hcsoci_runtime_spec_field *
hcsoci_runtime_spec_field_for_key(const hcsoci_runtime_spec_type *structure, const char *key);

/* A copy of spec (new reference, the caller's) in which every key that names a specs-go field
 * is spelled as the field's JSON name, at every level. Two spellings of one field are merged
 * as json.Unmarshal decodes them, in order, into one field: a later object fills in an
 * earlier one, a later array's elements fill in the earlier elements, a later map adds its
 * keys, a later scalar replaces, and a later null makes a pointer, slice, map or interface
 * nil (null) and leaves the others. Keys that name no field and values of a type the field
 * does not take are kept as they are (checking them is the readers' business). Fails only
 * when memory runs out. */
int hcsoci_spec_canonical_keys(const json_t *spec, json_t **canonical, hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
