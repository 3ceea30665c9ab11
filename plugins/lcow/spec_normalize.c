/* The table-driven JSON round trip through the runtime-spec Go types (see spec_normalize.h). */
#include "spec_normalize.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/spec.h>

/* Where a value sits in the input, kept as a chain of links and written out only for errors. */
typedef struct value_path {
    const struct value_path *parent;
    const char *key; /* a field or map key; NULL for an array index */
    size_t index;
} value_path;

/* Writes the path into out (when not NULL) and returns its length. */
static size_t render_path(const value_path *path, char *out)
{
    if (path == NULL)
        return 0;
    size_t length = render_path(path->parent, out);
    char index_text[32];
    const char *separator = "";
    const char *text;
    if (path->key == NULL) {
        snprintf(index_text, sizeof index_text, "[%zu]", path->index);
        text = index_text;
    } else {
        if (path->key[0] == '\0')
            return length;
        text = path->key;
        if (length > 0)
            separator = ".";
    }
    size_t separator_length = strlen(separator), text_length = strlen(text);
    if (out != NULL) {
        memcpy(out + length, separator, separator_length);
        memcpy(out + length + separator_length, text, text_length);
    }
    return length + separator_length + text_length;
}

/* What a type accepts, for messages. */
static void describe_expected(const hcsoci_runtime_spec_type *type, char *out, size_t size)
{
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_STRING:
        snprintf(out, size, "a string");
        return;
    case HCSOCI_RUNTIME_SPEC_BOOL:
        snprintf(out, size, "a boolean");
        return;
    case HCSOCI_RUNTIME_SPEC_INTEGER:
        if (type->is_signed) {
            int64_t maximum = type->bits >= 64 ? INT64_MAX : (INT64_C(1) << (type->bits - 1)) - 1;
            snprintf(out, size, "an integer in [%" PRId64 ", %" PRId64 "]", -maximum - 1,
                     maximum);
        } else {
            uint64_t maximum = type->bits >= 64 ? UINT64_MAX : (UINT64_C(1) << type->bits) - 1;
            snprintf(out, size, "an integer in [0, %" PRIu64 "]", maximum);
        }
        return;
    case HCSOCI_RUNTIME_SPEC_SLICE:
        snprintf(out, size, "an array");
        return;
    case HCSOCI_RUNTIME_SPEC_STRUCT:
    case HCSOCI_RUNTIME_SPEC_MAP:
        snprintf(out, size, "an object");
        return;
    case HCSOCI_RUNTIME_SPEC_ANY:
    case HCSOCI_RUNTIME_SPEC_POINTER:
        break;
    }
    snprintf(out, size, "a JSON value");
}

/* The error for a value the type does not accept: the field's path, what it must be (with the
 * Go type) and what it was, scalars quoted as JSON and cut short when long. */
static int wrong_value(hcsoci_error **error, const hcsoci_runtime_spec_type *type,
                       const json_t *input, const value_path *path)
{
    size_t path_length = render_path(path, NULL);
    char *where = hcsoci_malloc(path_length + 1);
    if (where == NULL)
        return hcsoci_fail_out_of_memory(error);
    render_path(path, where);
    where[path_length] = '\0';

    char expected[96];
    describe_expected(type, expected, sizeof expected);

    char shown[96] = "";
    if (!json_is_object(input) && !json_is_array(input)) {
        char *text = json_dumps(input, JSON_ENCODE_ANY | JSON_COMPACT);
        if (text != NULL) {
            if (strlen(text) > 64)
                snprintf(shown, sizeof shown, " (%.64s...)", text);
            else
                snprintf(shown, sizeof shown, " (%s)", text);
            free(text);
        }
    }
    int result;
    if (path_length == 0)
        result = hcsoci_fail(error, HCSOCI_E_INVALID,
                             "invalid OCI spec: must be %s (Go %s), not %s%s", expected,
                             type->go_name, hcsoci_json_kind(input), shown);
    else
        result = hcsoci_fail(error, HCSOCI_E_INVALID,
                             "invalid OCI spec: field '%s' must be %s (Go %s), not %s%s", where,
                             expected, type->go_name, hcsoci_json_kind(input), shown);
    free(where);
    return result;
}

/* ---- Zero values ---- */

json_t *spec_value_zero(const hcsoci_runtime_spec_type *type)
{
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_STRING:
        return json_stringn_nocheck("", 0);
    case HCSOCI_RUNTIME_SPEC_BOOL:
        return json_false();
    case HCSOCI_RUNTIME_SPEC_INTEGER:
        return json_integer(0);
    case HCSOCI_RUNTIME_SPEC_STRUCT:
        return json_object(); /* every field absent: every field zero */
    case HCSOCI_RUNTIME_SPEC_ANY:
    case HCSOCI_RUNTIME_SPEC_POINTER:
    case HCSOCI_RUNTIME_SPEC_SLICE:
    case HCSOCI_RUNTIME_SPEC_MAP:
        break;
    }
    return json_null();
}

/* ---- Decoding ---- */

static int decode_into(const hcsoci_runtime_spec_type *type, const json_t *input, json_t **slot,
                       const value_path *path, hcsoci_error **error);

/* Replaces *slot (owned; NULL is the zero value) by replacement (a new reference, NULL meaning
 * out of memory). */
static int replace_slot(json_t **slot, json_t *replacement, hcsoci_error **error)
{
    if (replacement == NULL)
        return hcsoci_fail_out_of_memory(error);
    json_decref(*slot);
    *slot = replacement;
    return 0;
}

/* Makes *slot nil (a pointer, slice, map or interface): absent from its struct. */
static int clear_slot(json_t **slot)
{
    json_decref(*slot);
    *slot = NULL;
    return 0;
}

/* Decodes into a fresh element of a slice or map (held, when not NULL, by *element) and
 * returns it, the zero value filled in when the element's JSON left it unset; NULL when
 * decoding failed (error set). */
static json_t *decode_element(const hcsoci_runtime_spec_type *type, const json_t *input,
                              json_t *element, const value_path *path, hcsoci_error **error)
{
    if (decode_into(type, input, &element, path, error) != 0) {
        json_decref(element);
        return NULL;
    }
    if (element == NULL && (element = spec_value_zero(type)) == NULL)
        hcsoci_fail_out_of_memory(error);
    return element;
}

static int decode_struct(const hcsoci_runtime_spec_type *type, const json_t *input, json_t *object,
                         const value_path *path, hcsoci_error **error)
{
    const char *key;
    size_t key_length;
    json_t *member;
    json_object_keylen_foreach((json_t *)input, key, key_length, member) {
        /* The core gave the spec canonical keys (hcsoci_spec_canonical_keys), and what this
         * module writes into it is canonical: a key names its field exactly or not at all. A
         * key with a NUL character in it cannot name a field. */
        const hcsoci_runtime_spec_field *field =
            strlen(key) == key_length ? hcsoci_runtime_spec_field_named(type, key) : NULL;
        if (field == NULL)
            continue; /* unknown to specs-go: dropped */
        value_path child_path = {path, field->json_name, 0};
        json_t *child = json_incref(json_object_get(object, field->json_name));
        if (decode_into(field->type, member, &child, &child_path, error) != 0) {
            json_decref(child);
            return -1;
        }
        if (child == NULL)
            json_object_del(object, field->json_name); /* zero: absent */
        else if (json_object_set_new_nocheck(object, field->json_name, child) != 0)
            return hcsoci_fail_out_of_memory(error);
    }
    return 0;
}

/* A JSON array into a slice. Like Go, element i decodes into what element i of the slice
 * already held (which only matters when a key appears twice). */
static int decode_slice(const hcsoci_runtime_spec_type *type, const json_t *input, json_t **slot,
                        const value_path *path, hcsoci_error **error)
{
    json_t *list = json_array();
    if (list == NULL)
        return hcsoci_fail_out_of_memory(error);
    size_t index;
    json_t *item;
    json_array_foreach(input, index, item) {
        json_t *previous = json_is_array(*slot) ? json_array_get(*slot, index) : NULL;
        value_path element_path = {path, NULL, index};
        json_t *element =
            decode_element(type->element, item, json_incref(previous), &element_path, error);
        if (element == NULL) {
            json_decref(list);
            return -1;
        }
        if (json_array_append_new(list, element) != 0) {
            json_decref(list);
            return hcsoci_fail_out_of_memory(error);
        }
    }
    return replace_slot(slot, list, error);
}

/* A JSON object into a map: a nil map is made, an existing one gains the keys; each value
 * decodes into a fresh zero element, as in Go. */
static int decode_map(const hcsoci_runtime_spec_type *type, const json_t *input, json_t **slot,
                      const value_path *path, hcsoci_error **error)
{
    if (!json_is_object(*slot) && replace_slot(slot, json_object(), error) != 0)
        return -1;
    const char *key;
    size_t key_length;
    json_t *member;
    json_object_keylen_foreach((json_t *)input, key, key_length, member) {
        value_path element_path = {path, key, 0};
        json_t *element = decode_element(type->element, member, NULL, &element_path, error);
        if (element == NULL)
            return -1;
        if (json_object_setn_new(*slot, key, key_length, element) != 0)
            return hcsoci_fail_out_of_memory(error);
    }
    return 0;
}

static int decode_integer(const hcsoci_runtime_spec_type *type, const json_t *input, json_t **slot,
                          const value_path *path, hcsoci_error **error)
{
    if (!json_is_integer(input))
        return wrong_value(error, type, input, path);
    json_int_t value = json_integer_value(input);
    bool fits;
    if (type->is_signed) {
        int64_t maximum = type->bits >= 64 ? INT64_MAX : (INT64_C(1) << (type->bits - 1)) - 1;
        fits = value >= -maximum - 1 && value <= maximum;
    } else {
        fits = value >= 0 && (type->bits >= 64 || (uint64_t)value < (UINT64_C(1) << type->bits));
    }
    if (!fits)
        return wrong_value(error, type, input, path);
    /* Numbers and strings are never changed in place: the value shares the input's. */
    return replace_slot(slot, json_incref((json_t *)input), error);
}

/* Decodes input into *slot, which holds the current Go value of type (owned; NULL is the zero
 * value; still valid and owned by the caller when this fails). *slot is NULL afterwards when
 * the value is a nil pointer, slice, map or interface. */
static int decode_into(const hcsoci_runtime_spec_type *type, const json_t *input, json_t **slot,
                       const value_path *path, hcsoci_error **error)
{
    if (json_is_null(input)) {
        /* Go: null makes pointers, slices, maps and interfaces nil and leaves the rest. */
        switch (type->kind) {
        case HCSOCI_RUNTIME_SPEC_POINTER:
        case HCSOCI_RUNTIME_SPEC_SLICE:
        case HCSOCI_RUNTIME_SPEC_MAP:
        case HCSOCI_RUNTIME_SPEC_ANY:
            return clear_slot(slot);
        default:
            return 0;
        }
    }
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_STRING:
        if (!json_is_string(input))
            return wrong_value(error, type, input, path);
        return replace_slot(slot, json_incref((json_t *)input), error);
    case HCSOCI_RUNTIME_SPEC_BOOL:
        if (!json_is_boolean(input))
            return wrong_value(error, type, input, path);
        return replace_slot(slot, json_boolean(json_is_true(input)), error);
    case HCSOCI_RUNTIME_SPEC_INTEGER:
        return decode_integer(type, input, slot, path, error);
    case HCSOCI_RUNTIME_SPEC_ANY:
        return replace_slot(slot, hcsoci_json_copy(input), error);
    case HCSOCI_RUNTIME_SPEC_STRUCT:
        if (!json_is_object(input))
            return wrong_value(error, type, input, path);
        if (!json_is_object(*slot) && replace_slot(slot, json_object(), error) != 0)
            return -1;
        return decode_struct(type, input, *slot, path, error);
    case HCSOCI_RUNTIME_SPEC_POINTER:
        /* A nil pointer decodes into a fresh zero value, a set one into what it points to. */
        return decode_into(type->element, input, slot, path, error);
    case HCSOCI_RUNTIME_SPEC_SLICE:
        if (!json_is_array(input))
            return wrong_value(error, type, input, path);
        return decode_slice(type, input, slot, path, error);
    case HCSOCI_RUNTIME_SPEC_MAP:
        if (!json_is_object(input))
            return wrong_value(error, type, input, path);
        return decode_map(type, input, slot, path, error);
    }
    return wrong_value(error, type, input, path);
}

int spec_value_decode(const hcsoci_runtime_spec_type *type, const json_t *input, const char *path,
                      json_t **value, hcsoci_error **error)
{
    *value = NULL;
    value_path root = {NULL, path != NULL ? path : "", 0};
    if (input == NULL)
        return wrong_value(error, type, json_null(), &root);
    json_t *decoded = decode_element(type, input, NULL, &root, error);
    if (decoded == NULL)
        return -1;
    *value = decoded;
    return 0;
}

/* ---- Encoding ---- */

/* Go's omitempty test: false, 0, "", and a nil or empty pointer, slice, map or interface.
 * A struct value is never empty. */
static bool is_empty(const hcsoci_runtime_spec_type *type, const json_t *value)
{
    if (value == NULL || json_is_null(value))
        return type->kind != HCSOCI_RUNTIME_SPEC_STRUCT;
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_STRING:
        return json_string_length(value) == 0;
    case HCSOCI_RUNTIME_SPEC_BOOL:
        return json_is_false(value);
    case HCSOCI_RUNTIME_SPEC_INTEGER:
        return json_integer_value(value) == 0;
    case HCSOCI_RUNTIME_SPEC_SLICE:
        return json_array_size(value) == 0;
    case HCSOCI_RUNTIME_SPEC_MAP:
        return json_object_size(value) == 0;
    case HCSOCI_RUNTIME_SPEC_STRUCT:
    case HCSOCI_RUNTIME_SPEC_POINTER:
    case HCSOCI_RUNTIME_SPEC_ANY:
        break;
    }
    return false;
}

/* An object key with its length (keys may hold NUL characters). */
typedef struct object_key {
    const char *text;
    size_t length;
} object_key;

/* Go's string order: bytewise, a prefix first. */
static int compare_keys(const void *left, const void *right)
{
    const object_key *a = left, *b = right;
    int order = memcmp(a->text, b->text, a->length < b->length ? a->length : b->length);
    if (order != 0)
        return order;
    return (a->length > b->length) - (a->length < b->length);
}

typedef json_t *(*value_encoder)(const hcsoci_runtime_spec_type *type, const json_t *value);

/* An object with the same keys in Go's map order (sorted), each value passed through encode. */
static json_t *encode_sorted_object(const hcsoci_runtime_spec_type *type, const json_t *value,
                                    value_encoder encode)
{
    size_t count = json_object_size(value);
    object_key *keys = hcsoci_malloc((count > 0 ? count : 1) * sizeof *keys);
    json_t *object = json_object();
    if (keys == NULL || object == NULL) {
        free(keys);
        json_decref(object);
        return NULL;
    }
    size_t used = 0;
    const char *key;
    size_t key_length;
    json_t *member;
    json_object_keylen_foreach((json_t *)value, key, key_length, member) {
        keys[used++] = (object_key){key, key_length};
    }
    qsort(keys, used, sizeof *keys, compare_keys);
    for (size_t i = 0; i < used; i++) {
        json_t *encoded = encode(type, json_object_getn(value, keys[i].text, keys[i].length));
        if (json_object_setn_new(object, keys[i].text, keys[i].length, encoded) != 0) {
            json_decref(object);
            object = NULL;
            break;
        }
    }
    free(keys);
    return object;
}

/* A number as Go writes a float64: integral values below 1e21 without a fraction. */
static json_t *float64_number(double number)
{
    if (number >= -9223372036854775808.0 && number < 9223372036854775808.0
        && (double)(json_int_t)number == number)
        return json_integer((json_int_t)number);
    return json_real(number);
}

/* An interface{} value as Go writes it after decoding it: objects sorted, numbers float64. */
static json_t *encode_any(const hcsoci_runtime_spec_type *type, const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return encode_sorted_object(type, value, encode_any);
    case JSON_ARRAY: {
        json_t *list = json_array();
        size_t index;
        json_t *item;
        json_array_foreach(value, index, item) {
            if (list != NULL && json_array_append_new(list, encode_any(type, item)) != 0) {
                json_decref(list);
                list = NULL;
            }
        }
        return list;
    }
    case JSON_INTEGER:
        return float64_number((double)json_integer_value(value));
    case JSON_REAL:
        return float64_number(json_real_value(value));
    default:
        return hcsoci_json_copy(value);
    }
}

static json_t *encode_value(const hcsoci_runtime_spec_type *type, const json_t *value);

static json_t *encode_map_value(const hcsoci_runtime_spec_type *type, const json_t *value)
{
    return encode_value(type->element, value);
}

/* The JSON of value (NULL: the zero value of type; new reference, NULL when memory runs out). */
static json_t *encode_value(const hcsoci_runtime_spec_type *type, const json_t *value)
{
    bool is_nil = value == NULL || json_is_null(value);
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_STRING:
        return value != NULL ? json_incref((json_t *)value) : json_stringn_nocheck("", 0);
    case HCSOCI_RUNTIME_SPEC_BOOL:
        return json_boolean(json_is_true(value));
    case HCSOCI_RUNTIME_SPEC_INTEGER:
        return value != NULL ? json_incref((json_t *)value) : json_integer(0);
    case HCSOCI_RUNTIME_SPEC_ANY:
        return is_nil ? json_null() : encode_any(type, value);
    case HCSOCI_RUNTIME_SPEC_POINTER:
        return is_nil ? json_null() : encode_value(type->element, value);
    case HCSOCI_RUNTIME_SPEC_STRUCT: {
        json_t *object = json_object();
        for (const hcsoci_runtime_spec_field *field = type->fields;
             object != NULL && field->json_name != NULL; field++) {
            const json_t *member = json_object_get(value, field->json_name);
            if (field->omitempty && is_empty(field->type, member))
                continue;
            if (json_object_set_new_nocheck(object, field->json_name,
                                            encode_value(field->type, member)) != 0) {
                json_decref(object);
                object = NULL;
            }
        }
        return object;
    }
    case HCSOCI_RUNTIME_SPEC_SLICE: {
        if (is_nil)
            return json_null();
        json_t *list = json_array();
        size_t index;
        json_t *item;
        json_array_foreach(value, index, item) {
            if (list != NULL
                && json_array_append_new(list, encode_value(type->element, item)) != 0) {
                json_decref(list);
                list = NULL;
            }
        }
        return list;
    }
    case HCSOCI_RUNTIME_SPEC_MAP:
        if (is_nil)
            return json_null();
        return encode_sorted_object(type, value, encode_map_value);
    }
    return NULL;
}

json_t *spec_value_encode(const hcsoci_runtime_spec_type *type, const json_t *value)
{
    return value != NULL ? encode_value(type, value) : NULL;
}

/* ---- Helpers for rules that edit a spec's JSON ---- */

int spec_value_encode_field(const hcsoci_runtime_spec_type *structure, json_t *object,
                            const char *json_name, const json_t *value)
{
    const hcsoci_runtime_spec_field *field = hcsoci_runtime_spec_field_named(structure, json_name);
    if (field == NULL || !json_is_object(object))
        return -1;
    if (field->omitempty && is_empty(field->type, value)) {
        json_object_del(object, json_name); /* nothing to remove is fine too */
        return 0;
    }
    return json_object_set_new_nocheck(object, json_name, encode_value(field->type, value));
}

const hcsoci_runtime_spec_type *spec_value_field_type(const hcsoci_runtime_spec_type *structure,
                                               const char *json_name)
{
    const hcsoci_runtime_spec_field *field = hcsoci_runtime_spec_field_named(structure, json_name);
    if (field == NULL)
        return NULL;
    return field->type->kind == HCSOCI_RUNTIME_SPEC_POINTER ? field->type->element : field->type;
}

int spec_normalize(const json_t *spec, json_t **normalized, hcsoci_error **error)
{
    json_t *value = NULL;
    *normalized = NULL;
    if (spec_value_decode(hcsoci_runtime_spec_root_type(), spec, "", &value, error) != 0)
        return -1;
    *normalized = spec_value_encode(hcsoci_runtime_spec_root_type(), value);
    json_decref(value);
    if (*normalized == NULL)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}
