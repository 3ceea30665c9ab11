/* Checking a document against its schema description (hcs_schema.h): one walk over the
 * document beside the description. The path of a value lives on the stack as a chain of
 * frames and is written out only when a problem is reported, so a document that conforms
 * costs no allocation and no text. */
#include "hcs_schema.h"

#include <hcsoci/alloc.h>
#include <hcsoci/json_number.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One step from the document's root: an object member (key) or an array item (index). */
typedef struct path_frame {
    const struct path_frame *parent;
    const char *key; /* NULL: index */
    size_t index;
} path_frame;

/* What a walk collects: problems as strings (NULL: only count them). */
typedef struct check_state {
    json_t *problems;
    int count;
    bool out_of_memory;
} check_state;

/* ---- writing paths and values (only for problems) ---- */

typedef struct text_buffer {
    char *data;
    size_t length, capacity;
    bool failed;
} text_buffer;

static void text_append(text_buffer *out, const char *data, size_t length)
{
    if (out->failed)
        return;
    if (out->length + length + 1 > out->capacity) {
        size_t capacity = out->capacity * 2 + length + 32;
        char *grown = hcsoci_realloc(out->data, capacity);
        if (grown == NULL) {
            out->failed = true;
            return;
        }
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->length, data, length);
    out->length += length;
    out->data[out->length] = '\0';
}

static void text_printf(text_buffer *out, const char *format, ...) HCSOCI_PRINTF_FORMAT(2, 3);
static void text_printf(text_buffer *out, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    char *formatted = hcsoci_vasprintf(format, arguments);
    va_end(arguments);
    if (formatted == NULL) {
        out->failed = true;
        return;
    }
    text_append(out, formatted, strlen(formatted));
    free(formatted);
}

/* A key reads .Key when it is a plain name, ["key"] otherwise. */
static bool is_plain_name(const char *key)
{
    if (!isalpha((unsigned char)key[0]) && key[0] != '_')
        return false;
    for (const char *c = key; *c != '\0'; c++)
        if (!isalnum((unsigned char)*c) && *c != '_')
            return false;
    return true;
}

static void append_path(text_buffer *out, const path_frame *frame)
{
    if (frame == NULL)
        return;
    append_path(out, frame->parent);
    if (frame->key == NULL) {
        text_printf(out, "[%" PRIu64 "]", (uint64_t)frame->index);
    } else if (is_plain_name(frame->key)) {
        if (frame->parent != NULL)
            text_append(out, ".", 1);
        text_append(out, frame->key, strlen(frame->key));
    } else {
        text_append(out, "[\"", 2);
        for (const char *c = frame->key; *c != '\0'; c++) {
            if (*c == '"' || *c == '\\')
                text_append(out, "\\", 1);
            text_append(out, c, 1);
        }
        text_append(out, "\"]", 2);
    }
}

enum { VALUE_SHOWN_MAX = 60 };

/* The value as a problem shows it: scalars as JSON (long ones cut), containers by kind. */
static void append_value(text_buffer *out, const json_t *value)
{
    if (json_is_object(value)) {
        text_append(out, "an object", 9);
        return;
    }
    if (json_is_array(value)) {
        text_append(out, "an array", 8);
        return;
    }
    char *dumped = json_dumps(value, JSON_ENCODE_ANY);
    if (dumped == NULL) {
        out->failed = true;
        return;
    }
    size_t length = strlen(dumped);
    if (length > VALUE_SHOWN_MAX) {
        /* Cut at a character's first byte, so that the text stays UTF-8. */
        size_t cut = VALUE_SHOWN_MAX;
        while (cut > 0 && ((unsigned char)dumped[cut] & 0xC0) == 0x80)
            cut--;
        text_append(out, dumped, cut);
        text_append(out, "...", 3);
    } else {
        text_append(out, dumped, length);
    }
    free(dumped);
}

/* What is wrong with a value. */
typedef enum problem_kind {
    PROBLEM_WRONG_TYPE,    /* expected <type's JSON type>, got <value> */
    PROBLEM_NOT_A_GUID,    /* <value> is not a GUID */
    PROBLEM_NOT_IN_ENUM,   /* <value> is not one of <values> */
    PROBLEM_OUT_OF_RANGE,  /* <value> is out of range for <type> (<minimum>..<maximum>) */
    PROBLEM_UNKNOWN_FIELD, /* unknown field */
    PROBLEM_MISSING,       /* missing required field */
    PROBLEM_NOT_A_KEY,     /* key <value> is not a <key type> */
    PROBLEM_UNMATCHED,     /* <value> <type's unmatched text> */
    PROBLEM_NO_SELECTOR,   /* missing: it says what <selected> holds */
    PROBLEM_NOT_EXPECTED,  /* not expected here */
} problem_kind;

/* "a string", "an integer", ... for the JSON type a schema type wants. */
static const char *json_type_wanted(const schema_type *type)
{
    switch (type->kind) {
    case SCHEMA_STRING:
    case SCHEMA_GUID:
    case SCHEMA_ENUM:
        return "a string";
    case SCHEMA_BOOL:
        return "a boolean";
    case SCHEMA_INTEGER:
        return "an integer";
    case SCHEMA_ARRAY:
        return "an array";
    case SCHEMA_OBJECT:
    case SCHEMA_MAP:
    case SCHEMA_ANY_OBJECT:
    case SCHEMA_ONE_OF:
        return "an object";
    case SCHEMA_ANY:
        break;
    }
    return "a value";
}

static void append_problem(text_buffer *out, problem_kind problem, const schema_type *type,
                           const schema_type *parent, const json_t *value)
{
    switch (problem) {
    case PROBLEM_WRONG_TYPE:
        text_printf(out, "expected %s, got ", json_type_wanted(type));
        append_value(out, value);
        return;
    case PROBLEM_NOT_A_GUID:
        append_value(out, value);
        text_printf(out, " is not a GUID");
        return;
    case PROBLEM_NOT_IN_ENUM:
        append_value(out, value);
        text_printf(out, " is not one of");
        for (const char *const *known = type->values; *known != NULL; known++)
            text_printf(out, "%s \"%s\"", known == type->values ? "" : ",", *known);
        return;
    case PROBLEM_OUT_OF_RANGE:
        append_value(out, value);
        text_printf(out, " is out of range for %s (%" PRId64 "..%" PRId64 ")", type->name,
                    (int64_t)type->minimum, (int64_t)type->maximum);
        return;
    case PROBLEM_UNKNOWN_FIELD:
        text_printf(out, "unknown field");
        return;
    case PROBLEM_MISSING:
        text_printf(out, "missing required field");
        return;
    case PROBLEM_NOT_A_KEY:
        text_printf(out, "key ");
        append_value(out, value);
        text_printf(out, " is not %s", type->kind == SCHEMA_GUID ? "a GUID" : "a number");
        return;
    case PROBLEM_UNMATCHED:
        append_value(out, value);
        text_printf(out, " %s", parent->unmatched);
        return;
    case PROBLEM_NO_SELECTOR:
        text_printf(out, "missing: it says what %s holds", parent->selected);
        return;
    case PROBLEM_NOT_EXPECTED:
        append_value(out, value);
        text_printf(out, ": not expected with this %s", parent->selector);
        return;
    }
}

/* Records one problem of value (at frame); type is the value's schema type, parent the type
 * of the object holding it. Only counts when the caller asked for no problem text. */
static void report(check_state *state, const path_frame *frame, problem_kind problem,
                   const schema_type *type, const schema_type *parent, const json_t *value)
{
    state->count++;
    if (state->problems == NULL || state->out_of_memory)
        return;
    text_buffer out = {0};
    if (frame == NULL)
        text_append(&out, "(root)", 6);
    append_path(&out, frame);
    text_append(&out, ": ", 2);
    append_problem(&out, problem, type, parent, value);
    json_t *line = out.failed ? NULL : json_string(out.data);
    if (line == NULL || json_array_append_new(state->problems, line) != 0)
        state->out_of_memory = true;
    free(out.data);
}

/* ---- formats ---- */

static bool enum_contains(const schema_type *type, const char *value)
{
    for (const char *const *known = type->values; *known != NULL; known++)
        if (strcmp(*known, value) == 0)
            return true;
    return false;
}

static bool is_guid(const char *text)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    size_t i = 0;
    for (; shape[i] != '\0'; i++) {
        if (shape[i] == '-' ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
            return false;
    }
    return text[i] == '\0';
}

static bool is_decimal(const char *text, size_t length)
{
    if (length == 0)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!isdigit((unsigned char)text[i]))
            return false;
    return true;
}

/* Whether value matches pattern: literal text, where "*" is one path segment (no '/'),
 * "{n}" a decimal number and "{guid}" a GUID. */
static bool pattern_matches(const char *pattern, const char *value)
{
    while (*pattern != '\0') {
        size_t literal = strcspn(pattern, "*{");
        if (literal > 0) {
            if (strncmp(pattern, value, literal) != 0)
                return false;
            pattern += literal;
            value += literal;
            continue;
        }
        bool any = pattern[0] == '*';
        bool number = strncmp(pattern, "{n}", 3) == 0;
        bool guid = strncmp(pattern, "{guid}", 6) == 0;
        if (!any && !number && !guid) {
            if (*pattern++ != *value++)
                return false;
            continue;
        }
        size_t length = strcspn(value, "/");
        if (length == 0 || (number && !is_decimal(value, length)))
            return false;
        if (guid) {
            char segment[40];
            if (length >= sizeof segment)
                return false;
            memcpy(segment, value, length);
            segment[length] = '\0';
            if (!is_guid(segment))
                return false;
        }
        value += length;
        pattern += any ? 1 : number ? 3 : 6;
    }
    return *value == '\0';
}

/* ---- the walk ---- */

static void check_value(check_state *state, const json_t *value, const schema_type *type,
                        const schema_type *parent, const path_frame *at);

static const schema_field *field_named(const schema_type *type, const char *name)
{
    for (const schema_field *field = type->fields; field->name != NULL; field++)
        if (strcmp(field->name, name) == 0)
            return field;
    return NULL;
}

/* The variant the selector's value picks (selector NULL: absent), or NULL when none does. */
static const schema_variant *selected_variant(const schema_type *type, const json_t *selector)
{
    const char *value = json_string_value(selector);
    for (size_t i = 0; i < type->variant_count; i++) {
        const schema_variant *variant = &type->variants[i];
        if (variant->match == NULL ? selector == NULL
                                   : value != NULL && pattern_matches(variant->match, value))
            return variant;
    }
    return NULL;
}

/* Whether the selector's value passes its own field's type (so that a problem with it is
 * reported once). */
static bool selector_fits_its_type(const schema_type *type, const json_t *selector)
{
    const schema_field *field = field_named(type, type->selector);
    if (!json_is_string(selector) || field == NULL)
        return false;
    return field->type->kind != SCHEMA_ENUM ||
           enum_contains(field->type, json_string_value(selector));
}

/* An object with a selector: the selector's value must pick a variant (reported at the
 * selector), and the selected field, when present (value), is checked against the variant's
 * type. selector and value are the object's members (NULL: absent). */
static void check_selection(check_state *state, const json_t *selector, const json_t *value,
                            const schema_type *type, const path_frame *at)
{
    const schema_variant *variant = selected_variant(type, selector);
    path_frame selector_frame = {at, type->selector, 0};
    path_frame selected_frame = {at, type->selected, 0};
    if (variant == NULL) {
        if (selector != NULL && type->unmatched != NULL &&
            selector_fits_its_type(type, selector))
            report(state, &selector_frame, PROBLEM_UNMATCHED, NULL, type, selector);
        else if (selector == NULL && value != NULL)
            report(state, &selector_frame, PROBLEM_NO_SELECTOR, NULL, type, NULL);
        /* Otherwise the selector's own type reports it. */
        return;
    }
    if (value == NULL)
        return;
    if (variant->type == NULL) {
        if (!json_is_null(value))
            report(state, &selected_frame, PROBLEM_NOT_EXPECTED, NULL, type, value);
        return;
    }
    check_value(state, value, variant->type, type, &selected_frame);
}

/* One pass over the object's members: each is checked against its field (the selected one
 * where it stands, against the variant its selector picks), and the required fields are
 * counted, so that only an object missing one is searched for which. */
static void check_object(check_state *state, const json_t *object, const schema_type *type,
                         const path_frame *at)
{
    const char *key;
    json_t *member;
    const json_t *selector = NULL;
    bool selector_seen = false, selection_checked = false;
    size_t required_present = 0;
    json_object_foreach((json_t *)object, key, member) {
        path_frame frame = {at, key, 0};
        const schema_field *field = field_named(type, key);
        if (field == NULL) {
            report(state, &frame, PROBLEM_UNKNOWN_FIELD, NULL, type, member);
            continue;
        }
        required_present += field->required ? 1 : 0;
        if (type->selector != NULL && strcmp(key, type->selector) == 0) {
            selector = member;
            selector_seen = true;
        }
        if (type->selected != NULL && strcmp(key, type->selected) == 0) {
            if (!selector_seen)
                selector = json_object_get(object, type->selector);
            check_selection(state, selector, member, type, at);
            selection_checked = true;
        } else {
            check_value(state, member, field->type, type, &frame);
        }
    }
    if (type->selector != NULL && !selection_checked)
        check_selection(state, selector, NULL, type, at);
    size_t required = 0;
    for (const schema_field *field = type->fields; field->name != NULL; field++)
        required += field->required ? 1 : 0;
    if (required_present == required)
        return;
    for (const schema_field *field = type->fields; field->name != NULL; field++) {
        if (field->required && json_object_get(object, field->name) == NULL) {
            path_frame frame = {at, field->name, 0};
            report(state, &frame, PROBLEM_MISSING, field->type, type, NULL);
        }
    }
}

static void check_map(check_state *state, const json_t *object, const schema_type *type,
                      const path_frame *at)
{
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)object, key, member) {
        path_frame frame = {at, key, 0};
        bool key_ok = type->keys->kind == SCHEMA_GUID      ? is_guid(key)
                      : type->keys->kind == SCHEMA_INTEGER ? is_decimal(key, strlen(key))
                                                           : true;
        if (!key_ok && state->problems == NULL) {
            state->count++;
        } else if (!key_ok) {
            json_t *shown = json_string(key);
            if (shown == NULL)
                state->out_of_memory = true;
            report(state, &frame, PROBLEM_NOT_A_KEY, type->keys, type, shown);
            json_decref(shown);
        }
        check_value(state, member, type->items, type, &frame);
    }
}

static void check_value(check_state *state, const json_t *value, const schema_type *type,
                        const schema_type *parent, const path_frame *at)
{
    switch (type->kind) {
    case SCHEMA_STRING:
        if (!json_is_string(value))
            report(state, at, PROBLEM_WRONG_TYPE, type, parent, value);
        return;
    case SCHEMA_GUID:
        if (!json_is_string(value))
            report(state, at, PROBLEM_WRONG_TYPE, type, parent, value);
        else if (!is_guid(json_string_value(value)))
            report(state, at, PROBLEM_NOT_A_GUID, type, parent, value);
        return;
    case SCHEMA_ENUM:
        if (!json_is_string(value)) {
            report(state, at, PROBLEM_WRONG_TYPE, type, parent, value);
            return;
        }
        if (!enum_contains(type, json_string_value(value)))
            report(state, at, PROBLEM_NOT_IN_ENUM, type, parent, value);
        return;
    case SCHEMA_BOOL:
        if (!json_is_boolean(value))
            report(state, at, PROBLEM_WRONG_TYPE, type, parent, value);
        return;
    case SCHEMA_INTEGER: {
        uint64_t above_int64 = 0;
        if (!json_is_integer(value) && type->whole_uint64 &&
            hcsoci_json_uint64_value(value, &above_int64))
            return;
        if (!json_is_integer(value))
            report(state, at, PROBLEM_WRONG_TYPE, type, parent, value);
        else if (json_integer_value(value) < type->minimum ||
                 json_integer_value(value) > type->maximum)
            report(state, at, PROBLEM_OUT_OF_RANGE, type, parent, value);
        return;
    }
    case SCHEMA_ARRAY:
        if (json_is_null(value))
            return;
        if (!json_is_array(value)) {
            report(state, at, PROBLEM_WRONG_TYPE, type, parent, value);
            return;
        }
        for (size_t i = 0; i < json_array_size(value); i++) {
            path_frame frame = {at, NULL, i};
            check_value(state, json_array_get(value, i), type->items, type, &frame);
        }
        return;
    case SCHEMA_OBJECT:
    case SCHEMA_MAP:
    case SCHEMA_ANY_OBJECT:
    case SCHEMA_ONE_OF:
        if (json_is_null(value))
            return;
        if (!json_is_object(value)) {
            report(state, at, PROBLEM_WRONG_TYPE, type, parent, value);
            return;
        }
        if (type->kind == SCHEMA_OBJECT) {
            check_object(state, value, type, at);
        } else if (type->kind == SCHEMA_MAP) {
            check_map(state, value, type, at);
        } else if (type->kind == SCHEMA_ONE_OF) {
            for (size_t i = 0; i < type->variant_count; i++) {
                const schema_variant *variant = &type->variants[i];
                if (variant->match == NULL || json_object_get(value, variant->match) != NULL) {
                    check_value(state, value, variant->type, type, at);
                    return;
                }
            }
        }
        return;
    case SCHEMA_ANY:
        return;
    }
}

/* ---- the public functions ---- */

static const struct {
    const char *name;
    const char *summary;
} kinds[HCSOCI_DOCUMENT_KIND_COUNT] = {
    [HCSOCI_DOCUMENT_INFER] = {"infer", "told by the document's shape"},
    [HCSOCI_DOCUMENT_CONTAINER_CONFIG] =
        {"container-config", "schema 1.0 create document (ContainerConfig)"},
    [HCSOCI_DOCUMENT_COMPUTE_SYSTEM] =
        {"compute-system", "schema 2.1 create document (ComputeSystem: Container or "
                           "HostedSystem)"},
    [HCSOCI_DOCUMENT_MODIFY_WINDOWS] =
        {"modify-windows", "modify request to a Windows utility VM (ModifySettingRequest)"},
    [HCSOCI_DOCUMENT_MODIFY_LINUX] =
        {"modify-linux", "modify request to a Linux utility VM (ModifySettingRequest)"},
    [HCSOCI_DOCUMENT_SERVICE_SETTINGS] =
        {"service-settings", "HcsModifyServiceSettings settings (ModificationRequest)"},
    [HCSOCI_DOCUMENT_PROPERTY_QUERY] =
        {"property-query", "HcsGetServiceProperties query (PropertyQuery)"},
};

const char *hcsoci_document_kind_name(hcsoci_document_kind kind)
{
    return (unsigned)kind < HCSOCI_DOCUMENT_KIND_COUNT ? kinds[kind].name : NULL;
}

const char *hcsoci_document_kind_summary(hcsoci_document_kind kind)
{
    return (unsigned)kind < HCSOCI_DOCUMENT_KIND_COUNT ? kinds[kind].summary : NULL;
}

bool hcsoci_document_kind_from_name(const char *name, hcsoci_document_kind *kind)
{
    for (unsigned i = 0; name != NULL && i < HCSOCI_DOCUMENT_KIND_COUNT; i++) {
        if (strcmp(kinds[i].name, name) == 0) {
            *kind = (hcsoci_document_kind)i;
            return true;
        }
    }
    return false;
}

/* The number of problems of document as kind, counted without writing them. */
static int count_problems(const json_t *document, hcsoci_document_kind kind)
{
    check_state state = {0};
    check_value(&state, document, hcs_schema_for_kind(kind), NULL, NULL);
    return state.count;
}

hcsoci_document_kind hcsoci_document_infer_kind(const json_t *document)
{
    if (!json_is_object(document))
        return HCSOCI_DOCUMENT_INFER;
    if (json_object_get(document, "SystemType") != NULL)
        return HCSOCI_DOCUMENT_CONTAINER_CONFIG;
    if (json_object_get(document, "SchemaVersion") != NULL ||
        json_object_get(document, "Container") != NULL ||
        json_object_get(document, "HostedSystem") != NULL ||
        json_object_get(document, "VirtualMachine") != NULL)
        return HCSOCI_DOCUMENT_COMPUTE_SYSTEM;
    if (json_object_get(document, "PropertyTypes") != NULL)
        return HCSOCI_DOCUMENT_PROPERTY_QUERY;
    if (json_object_get(document, "PropertyType") != NULL)
        return HCSOCI_DOCUMENT_SERVICE_SETTINGS;
    if (json_object_get(document, "ResourcePath") != NULL ||
        json_object_get(document, "RequestType") != NULL ||
        json_object_get(document, "GuestRequest") != NULL)
        return count_problems(document, HCSOCI_DOCUMENT_MODIFY_LINUX) <
                       count_problems(document, HCSOCI_DOCUMENT_MODIFY_WINDOWS)
                   ? HCSOCI_DOCUMENT_MODIFY_LINUX
                   : HCSOCI_DOCUMENT_MODIFY_WINDOWS;
    return HCSOCI_DOCUMENT_INFER;
}

int hcsoci_document_problems(const json_t *document, hcsoci_document_kind kind,
                             json_t **problems, hcsoci_error **error)
{
    if (problems != NULL)
        *problems = NULL;
    if (kind == HCSOCI_DOCUMENT_INFER)
        kind = hcsoci_document_infer_kind(document);
    const schema_type *schema = hcs_schema_for_kind(kind);
    check_state state = {0};
    if (schema == NULL) {
        state.count = 1;
        if (problems != NULL) {
            *problems = json_pack("[s]", "(root): not a document whose kind can be told by "
                                         "its shape (SystemType, SchemaVersion, ResourcePath, "
                                         "GuestRequest, PropertyType or PropertyTypes)");
            if (*problems == NULL)
                return hcsoci_fail_out_of_memory(error);
        }
        return state.count;
    }
    /* One walk that only counts; the problems' text is written by a second walk, when there
     * are some, so that a document that conforms allocates nothing. */
    check_value(&state, document, schema, NULL, NULL);
    if (state.count == 0 || problems == NULL)
        return state.count;
    state = (check_state){.problems = json_array()};
    if (state.problems == NULL)
        return hcsoci_fail_out_of_memory(error);
    check_value(&state, document, schema, NULL, NULL);
    if (state.out_of_memory) {
        json_decref(state.problems);
        return hcsoci_fail_out_of_memory(error);
    }
    *problems = state.problems;
    return state.count;
}

int hcsoci_document_check(const json_t *document, hcsoci_document_kind kind, const char *what,
                          hcsoci_error **error)
{
    json_t *problems = NULL;
    int count = hcsoci_document_problems(document, kind, &problems, error);
    if (count <= 0)
        return count;
    text_buffer out = {0};
    text_printf(&out, "%s does not conform to the HCS schema: ", what);
    for (size_t i = 0; i < json_array_size(problems); i++) {
        if (i > 0)
            text_append(&out, "; ", 2);
        const char *line = json_string_value(json_array_get(problems, i));
        text_append(&out, line, strlen(line));
    }
    json_decref(problems);
    int result = out.failed ? hcsoci_fail_out_of_memory(error)
                            : hcsoci_fail(error, HCSOCI_E_INVALID, "%s", out.data);
    free(out.data);
    return result;
}
