/* The HCS schema as data: one description per document type hcsoci sends (schema 1.0, schema
 * 2.1, modify requests and their guest requests, the service settings), which the document
 * checker (document_check.c) walks beside a document. The descriptions are in hcs_schema.c;
 * nothing here is code per type. */
#ifndef HCSOCI_HCS_SCHEMA_H
#define HCSOCI_HCS_SCHEMA_H

#include <hcsoci/document.h>

#include <stdbool.h>

/* What a value must be. */
typedef enum schema_kind {
    SCHEMA_STRING,     /* any string */
    SCHEMA_GUID,       /* a string xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex, either case) */
    SCHEMA_ENUM,       /* a string among values */
    SCHEMA_BOOL,       /* true or false */
    SCHEMA_INTEGER,    /* a JSON integer within [minimum, maximum] */
    SCHEMA_OBJECT,     /* an object with exactly the named fields (or null: a Go pointer) */
    SCHEMA_ARRAY,      /* an array of items (or null: a Go slice) */
    SCHEMA_MAP,        /* an object whose keys are keys and values items (or null) */
    SCHEMA_ANY,        /* anything (a Go interface{} the schema does not describe) */
    SCHEMA_ANY_OBJECT, /* any object (a document of another schema, such as an OCI spec) */
    SCHEMA_ONE_OF,     /* an object checked against the first variant whose marker field it
                          has, or against the variant without a marker */
} schema_kind;

/* A field of an object: its JSON name, its type, and whether the reference always sends it. */
typedef struct schema_field {
    const char *name;
    const struct schema_type *type;
    int required;
} schema_field;

/* One variant of a selected field (SCHEMA_OBJECT with a selector) or of a SCHEMA_ONE_OF.
 * For a selector, match is a pattern of the selector's value: literal text, where "*" stands
 * for one path segment (no '/'), "{n}" for a decimal number and "{guid}" for a GUID; NULL
 * matches when the selector field is absent. For SCHEMA_ONE_OF, match is the marker field's
 * name (NULL: the default variant). type NULL: the selected field must be absent. */
typedef struct schema_variant {
    const char *match;
    const struct schema_type *type;
} schema_variant;

typedef struct schema_type {
    schema_kind kind;
    const char *name;               /* the reference's type name, for the reader */
    const schema_field *fields;     /* SCHEMA_OBJECT: ends with {NULL} */
    const struct schema_type *items; /* SCHEMA_ARRAY items, SCHEMA_MAP values */
    const struct schema_type *keys; /* SCHEMA_MAP keys: a string, GUID or integer type */
    const char *const *values;      /* SCHEMA_ENUM: ends with NULL */
    long long minimum, maximum;     /* SCHEMA_INTEGER within jansson's integers */
    bool whole_uint64;              /* SCHEMA_INTEGER: also every uint64 above INT64_MAX, in
                                       hcsoci/json_number.h's marked form */
    /* SCHEMA_OBJECT whose field `selected` has the type the value of field `selector` picks
     * among the variant_count variants; SCHEMA_ONE_OF: the variants only. */
    const char *selector;
    const char *selected;
    const schema_variant *variants;
    size_t variant_count;
    const char *unmatched; /* the problem when no variant matches the selector's value */
} schema_type;

/* The description of the document of a kind (never HCSOCI_DOCUMENT_INFER); NULL for an
 * unknown kind. Static: the caller does not free it. */
const schema_type *hcs_schema_for_kind(hcsoci_document_kind kind);

#endif
