/* The OCI runtime-spec v1.0.2 Go types (specs-go, the version hcsshim v0.8.14 vendors) written
 * down as data: for every struct its fields in Go declaration order, each with its JSON name,
 * its Go type and whether it is tagged omitempty. The generic normaliser (spec_normalize.h)
 * walks this table; nothing else in the module knows the spec's shape field by field.
 * Not installed. */
#ifndef HCSOCI_LCOW_RUNTIME_SPEC_FIELDS_H
#define HCSOCI_LCOW_RUNTIME_SPEC_FIELDS_H

#include <stdbool.h>

/* What a Go type is, as far as encoding/json cares. */
typedef enum runtime_spec_kind {
    RUNTIME_SPEC_STRING,  /* string and the named string types (LinuxNamespaceType, Arch, ...) */
    RUNTIME_SPEC_BOOL,
    RUNTIME_SPEC_INTEGER, /* int/uint of some width; see bits and is_signed */
    RUNTIME_SPEC_ANY,     /* interface{}: any JSON value, numbers held as float64 */
    RUNTIME_SPEC_STRUCT,  /* fields, in declaration order */
    RUNTIME_SPEC_POINTER, /* *element: nil or a value */
    RUNTIME_SPEC_SLICE,   /* []element: nil, or a (possibly empty) list */
    RUNTIME_SPEC_MAP,     /* map[string]element: nil, or a (possibly empty) map */
} runtime_spec_kind;

typedef struct runtime_spec_field runtime_spec_field;

typedef struct runtime_spec_type {
    runtime_spec_kind kind;
    const char *go_name;                 /* for messages: "uint32", "specs.Process", "[]string" */
    unsigned bits;                       /* integers: 8, 16, 32 or 64 (Go int/uint are 64) */
    bool is_signed;                      /* integers */
    const runtime_spec_field *fields;    /* structs: ends with an entry whose json_name is NULL */
    const struct runtime_spec_type *element; /* pointers, slices, maps (the value type) */
} runtime_spec_type;

struct runtime_spec_field {
    const char *json_name;
    const runtime_spec_type *type;
    bool omitempty;
};

/* specs.Spec, the root of the table. */
extern const runtime_spec_type runtime_spec_type_spec;
/* specs.Windows and specs.WindowsNetwork, which the LCOW cleanup rebuilds. */
extern const runtime_spec_type runtime_spec_type_windows;
extern const runtime_spec_type runtime_spec_type_windows_network;

/* The field of a struct type with exactly this JSON name, or NULL. */
const runtime_spec_field *runtime_spec_field_named(const runtime_spec_type *structure,
                                                   const char *json_name);

#endif
