/* The spec's keys in their canonical spelling, matched and merged as Go's encoding/json
 * decodes a spec into specs.Spec (see hcsoci/runtime_spec.h). */
#include <hcsoci/runtime_spec.h>

#include <string.h>

#include <hcsoci/spec.h>

/* ---- Matching a key to a field ---- */

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Go's case-insensitive match of a key against an ASCII field name: ASCII letters fold, and so
 * do the two non-ASCII letters whose simple case folding is ASCII (KELVIN SIGN, LONG S). */
static bool key_folds_to(const char *key, const char *name)
{
    const unsigned char *k = (const unsigned char *)key;
    const char *n = name;
    while (*k != '\0' && *n != '\0') {
        char wanted = ascii_lower(*n);
        if (k[0] < 0x80) {
            if (ascii_lower((char)k[0]) != wanted)
                return false;
            k++;
        } else if (k[0] == 0xE2 && k[1] == 0x84 && k[2] == 0xAA) { /* U+212A KELVIN SIGN */
            if (wanted != 'k')
                return false;
            k += 3;
        } else if (k[0] == 0xC5 && k[1] == 0xBF) { /* U+017F LATIN SMALL LETTER LONG S */
            if (wanted != 's')
                return false;
            k += 2;
        } else {
            return false;
        }
        n++;
    }
    return *k == '\0' && *n == '\0';
}

const hcsoci_runtime_spec_field *
hcsoci_runtime_spec_field_for_key(const hcsoci_runtime_spec_type *structure, const char *key)
{
    if (key == NULL)
        return NULL;
    const hcsoci_runtime_spec_field *field = hcsoci_runtime_spec_field_named(structure, key);
    if (field != NULL || structure == NULL || structure->kind != HCSOCI_RUNTIME_SPEC_STRUCT)
        return field;
    for (field = structure->fields; field->json_name != NULL; field++) {
        if (key_folds_to(key, field->json_name))
            return field;
    }
    return NULL;
}

/* ---- Canonical keys ---- */

static json_t *canonical_value(const hcsoci_runtime_spec_type *type, const json_t *value);

/* The value of a field after Go decoded input into it when it held previous (borrowed; NULL
 * when the field was not set yet). New reference; NULL when memory runs out. */
static json_t *merged_value(const hcsoci_runtime_spec_type *type, const json_t *previous,
                            const json_t *input);

/* The members of input (an object of struct type) added to object, each under its field's
 * name, merged into what object already holds for that field. */
static int add_struct_members(const hcsoci_runtime_spec_type *type, json_t *object,
                              const json_t *input)
{
    const char *key;
    size_t key_length;
    json_t *member;
    json_object_keylen_foreach((json_t *)input, key, key_length, member) {
        /* A key with a NUL character in it names no field. */
        const hcsoci_runtime_spec_field *field =
            strlen(key) == key_length ? hcsoci_runtime_spec_field_for_key(type, key) : NULL;
        json_t *value;
        if (field == NULL) {
            value = hcsoci_json_copy(member);
            if (value == NULL || json_object_setn_new_nocheck(object, key, key_length, value) != 0)
                return -1;
            continue;
        }
        value = merged_value(field->type, json_object_get(object, field->json_name), member);
        if (value == NULL || json_object_set_new_nocheck(object, field->json_name, value) != 0)
            return -1;
    }
    return 0;
}

/* Element by element: element i of input merged into element i of previous (NULL or an
 * array; an element beyond it starts afresh), as Go decodes into an existing slice. */
static json_t *merged_array(const hcsoci_runtime_spec_type *element_type, const json_t *previous,
                            const json_t *input)
{
    json_t *list = json_array();
    if (list == NULL)
        return NULL;
    size_t index;
    json_t *item;
    json_array_foreach(input, index, item) {
        const json_t *earlier = json_is_array(previous) ? json_array_get(previous, index) : NULL;
        json_t *element = merged_value(element_type, earlier, item);
        if (element == NULL || json_array_append_new(list, element) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* A map: previous's entries (when it is one), then input's, each value made afresh. */
static json_t *merged_map(const hcsoci_runtime_spec_type *element_type, const json_t *previous,
                          const json_t *input)
{
    json_t *map = json_is_object(previous) ? hcsoci_json_copy(previous) : json_object();
    if (map == NULL)
        return NULL;
    const char *key;
    size_t key_length;
    json_t *member;
    json_object_keylen_foreach((json_t *)input, key, key_length, member) {
        json_t *value = canonical_value(element_type, member);
        /* json_object_setn_new_nocheck takes value even when it fails. */
        if (value == NULL || json_object_setn_new_nocheck(map, key, key_length, value) != 0) {
            json_decref(map);
            return NULL;
        }
    }
    return map;
}

static json_t *merged_value(const hcsoci_runtime_spec_type *type, const json_t *previous,
                            const json_t *input)
{
    if (previous == NULL)
        return canonical_value(type, input);
    if (json_is_null(input)) {
        /* null makes a pointer, slice, map or interface nil and leaves everything else. */
        switch (type->kind) {
        case HCSOCI_RUNTIME_SPEC_POINTER:
        case HCSOCI_RUNTIME_SPEC_SLICE:
        case HCSOCI_RUNTIME_SPEC_MAP:
        case HCSOCI_RUNTIME_SPEC_ANY:
            return json_null();
        default:
            return hcsoci_json_copy(previous);
        }
    }
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_POINTER:
        /* A nil pointer gets a fresh value; a set one is decoded into. */
        return json_is_null(previous) ? canonical_value(type->element, input)
                                      : merged_value(type->element, previous, input);
    case HCSOCI_RUNTIME_SPEC_STRUCT:
        if (json_is_object(previous) && json_is_object(input)) {
            json_t *object = hcsoci_json_copy(previous);
            if (object == NULL || add_struct_members(type, object, input) != 0) {
                json_decref(object);
                return NULL;
            }
            return object;
        }
        break;
    case HCSOCI_RUNTIME_SPEC_SLICE:
        if (json_is_array(input))
            return merged_array(type->element, previous, input);
        break;
    case HCSOCI_RUNTIME_SPEC_MAP:
        if (json_is_object(input))
            return merged_map(type->element, previous, input);
        break;
    default:
        break;
    }
    /* A scalar, an interface, or a value of another type than the field's: the later one. */
    return canonical_value(type, input);
}

/* value with canonical keys wherever type says it is a struct (new reference). */
static json_t *canonical_value(const hcsoci_runtime_spec_type *type, const json_t *value)
{
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_POINTER:
        return canonical_value(type->element, value);
    case HCSOCI_RUNTIME_SPEC_STRUCT:
        if (json_is_object(value)) {
            json_t *object = json_object();
            if (object == NULL || add_struct_members(type, object, value) != 0) {
                json_decref(object);
                return NULL;
            }
            return object;
        }
        break;
    case HCSOCI_RUNTIME_SPEC_SLICE:
        if (json_is_array(value))
            return merged_array(type->element, NULL, value);
        break;
    case HCSOCI_RUNTIME_SPEC_MAP:
        if (json_is_object(value))
            return merged_map(type->element, NULL, value);
        break;
    default:
        break;
    }
    return hcsoci_json_copy(value);
}

int hcsoci_spec_canonical_keys(const json_t *spec, json_t **canonical, hcsoci_error **error)
{
    *canonical = spec != NULL ? canonical_value(hcsoci_runtime_spec_root_type(), spec) : NULL;
    if (spec != NULL && *canonical == NULL)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}
