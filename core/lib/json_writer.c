/* The JSON text of a jansson value, written in one pass into one growing buffer (see
 * json_writer.h). jansson's own writer costs about 100 instructions a byte, most of the
 * command's JSON work. */
#include "json_writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/json_number.h>

/* Deeper than this the value is refused (NULL), so that the recursion's stack stays small:
 * jansson reads nothing deeper than 2048 levels, and the store refuses to keep it. */
#define WRITER_MAX_DEPTH 4096

typedef struct {
    char *data;
    size_t length;
    size_t capacity;
    bool failed;
    size_t flags;
    int indent;          /* spaces a level; 0: one line */
} writer;

/* Makes room for size more bytes; false (and the writer failed) when memory runs out. */
static bool reserve(writer *out, size_t size)
{
    if (out->failed)
        return false;
    if (out->capacity - out->length > size)
        return true;
    size_t capacity = out->capacity;
    while (capacity - out->length <= size) {
        if (capacity > SIZE_MAX / 2) {
            out->failed = true;
            return false;
        }
        capacity *= 2;
    }
    char *larger = hcsoci_realloc(out->data, capacity);
    if (larger == NULL) {
        out->failed = true;
        return false;
    }
    out->data = larger;
    out->capacity = capacity;
    return true;
}

static void put(writer *out, const char *text, size_t length)
{
    if (reserve(out, length)) {
        memcpy(out->data + out->length, text, length);
        out->length += length;
    }
}

static void put_byte(writer *out, char byte)
{
    if (reserve(out, 1))
        out->data[out->length++] = byte;
}

/* What goes between two members, or after an opening bracket (between false): a new line and
 * the depth's indentation when indenting, else a space between members unless compact. */
static void put_separator_space(writer *out, int depth, bool between)
{
    if (out->indent > 0) {
        size_t spaces = (size_t)out->indent * (size_t)depth;
        if (reserve(out, spaces + 1)) {
            out->data[out->length++] = '\n';
            memset(out->data + out->length, ' ', spaces);
            out->length += spaces;
        }
    } else if (between && (out->flags & JSON_COMPACT) == 0) {
        put_byte(out, ' ');
    }
}

/* After a member of a container at depth: a comma and the space before the next member, or
 * the space before the closing bracket when it was the last. */
static void put_after_member(writer *out, int depth, bool more)
{
    if (more) {
        put_byte(out, ',');
        put_separator_space(out, depth + 1, true);
    } else {
        put_separator_space(out, depth, false);
    }
}

size_t json_utf8_sequence_length(const unsigned char *text, size_t available)
{
    unsigned char lead = text[0];
    size_t length;
    uint32_t code_point;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        code_point = lead & 0x1fu;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        code_point = lead & 0x0fu;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        code_point = lead & 0x07u;
    } else {
        return 0;
    }
    if (available < length)
        return 0;
    for (size_t index = 1; index < length; index++) {
        if ((text[index] & 0xc0) != 0x80)
            return 0;
        code_point = (code_point << 6) | (text[index] & 0x3fu);
    }
    if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000) ||
        (code_point >= 0xd800 && code_point <= 0xdfff) || code_point > 0x10ffff)
        return 0;
    return length;
}

/* A string with its quotes; false when it is not valid UTF-8. */
static bool put_string(writer *out, const char *text, size_t length)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *bytes = (const unsigned char *)text;
    put_byte(out, '"');
    size_t run = 0; /* start of the bytes not yet written */
    for (size_t index = 0; index < length;) {
        unsigned char byte = bytes[index];
        if (byte >= 0x20 && byte != '"' && byte != '\\' && byte < 0x80) {
            index++;
            continue;
        }
        if (byte >= 0x80) {
            size_t sequence = json_utf8_sequence_length(bytes + index, length - index);
            if (sequence == 0)
                return false;
            index += sequence;
            continue;
        }
        put(out, text + run, index - run);
        char escape[6] = {'\\', 0, 0, 0, 0, 0};
        size_t escape_length = 2;
        switch (byte) {
        case '"': escape[1] = '"'; break;
        case '\\': escape[1] = '\\'; break;
        case '\b': escape[1] = 'b'; break;
        case '\f': escape[1] = 'f'; break;
        case '\n': escape[1] = 'n'; break;
        case '\r': escape[1] = 'r'; break;
        case '\t': escape[1] = 't'; break;
        default:
            memcpy(escape + 1, "u00", 3);
            escape[4] = hex[byte >> 4];
            escape[5] = hex[byte & 0xf];
            escape_length = 6;
        }
        put(out, escape, escape_length);
        run = ++index;
    }
    put(out, text + run, length - run);
    put_byte(out, '"');
    return true;
}

/* A real, written by jansson itself: its digits come from the C library's printf, whose
 * rounding of ties differs between platforms (msvcrt's from glibc's), and from the locale. Reals
 * are rare in hcsoci's documents, so the cost does not matter. */
static void put_real(writer *out, const json_t *real)
{
    char *text = json_dumps(real, JSON_ENCODE_ANY | (out->flags & JSON_REAL_PRECISION(0x1f)));
    if (text == NULL) {
        out->failed = true;
        return;
    }
    put(out, text, strlen(text));
    free(text);
}

static bool put_value(writer *out, const json_t *value, int depth);

static bool put_object(writer *out, const json_t *object, int depth)
{
    put_byte(out, '{');
    void *iterator = json_object_iter((json_t *)object);
    if (iterator == NULL) {
        put_byte(out, '}');
        return true;
    }
    put_separator_space(out, depth + 1, false);
    while (iterator != NULL) {
        if (!put_string(out, json_object_iter_key(iterator), json_object_iter_key_len(iterator)))
            return false;
        if ((out->flags & JSON_COMPACT) != 0)
            put_byte(out, ':');
        else
            put(out, ": ", 2);
        if (!put_value(out, json_object_iter_value(iterator), depth + 1))
            return false;
        iterator = json_object_iter_next((json_t *)object, iterator);
        put_after_member(out, depth, iterator != NULL);
    }
    put_byte(out, '}');
    return true;
}

static bool put_array(writer *out, const json_t *array, int depth)
{
    put_byte(out, '[');
    size_t size = json_array_size(array);
    if (size == 0) {
        put_byte(out, ']');
        return true;
    }
    put_separator_space(out, depth + 1, false);
    for (size_t index = 0; index < size; index++) {
        if (!put_value(out, json_array_get(array, index), depth + 1))
            return false;
        put_after_member(out, depth, index + 1 < size);
    }
    put_byte(out, ']');
    return true;
}

static bool put_value(writer *out, const json_t *value, int depth)
{
    if (depth > WRITER_MAX_DEPTH)
        return false;
    char number[32];
    uint64_t marked = 0;
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return put_object(out, value, depth);
    case JSON_ARRAY:
        return put_array(out, value, depth);
    case JSON_STRING:
        /* A marked number starts with a NUL, which no other string hcsoci holds does. */
        if (json_string_length(value) > 0 && json_string_value(value)[0] == '\0' &&
            hcsoci_json_uint64_value(value, &marked)) {
            put(out, number, (size_t)snprintf(number, sizeof number, "%" PRIu64, marked));
            return true;
        }
        return put_string(out, json_string_value(value), json_string_length(value));
    case JSON_INTEGER:
        put(out, number, (size_t)snprintf(number, sizeof number, "%" PRId64,
                                          (int64_t)json_integer_value(value)));
        return true;
    case JSON_REAL:
        put_real(out, value);
        return true;
    case JSON_TRUE:
        put(out, "true", 4);
        return true;
    case JSON_FALSE:
        put(out, "false", 5);
        return true;
    case JSON_NULL:
        put(out, "null", 4);
        return true;
    }
    return false;
}

char *json_writer_dumps(const json_t *json, size_t flags)
{
    if (json == NULL || (flags & JSON_WRITER_UNSUPPORTED_FLAGS) != 0)
        return NULL;
    if ((flags & JSON_ENCODE_ANY) == 0 && !json_is_object(json) && !json_is_array(json))
        return NULL;
    writer out = {
        .data = hcsoci_malloc(256),
        .capacity = 256,
        .flags = flags,
        .indent = (int)(flags & JSON_MAX_INDENT),
    };
    if (out.data == NULL)
        return NULL;
    if (!put_value(&out, json, 0) || out.failed) {
        free(out.data);
        return NULL;
    }
    out.data[out.length] = '\0';
    return out.data;
}
