/* A fast reader of JSON text into jansson values (see json_reader.h). It reads well-formed
 * text in one pass over the bytes and builds the values with jansson's own constructors; it
 * gives up, leaving the text to jansson, at anything jansson might read differently or refuse,
 * so that its result is always jansson's and every error message jansson's. */
#include "json_reader.h"
#include "json_writer.h"
#include "hex_digit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/json_number.h>

/* Fewer than jansson's 2048 levels: deeper text is jansson's to read or refuse. */
#define READER_MAX_DEPTH 2000
/* The longest number token read here; a longer one goes to jansson. */
#define READER_MAX_NUMBER_LENGTH 63

typedef struct {
    const unsigned char *cursor;
    const unsigned char *end;
    size_t flags;
    bool marks_big_integers;
    char *buffer; /* a string's unescaped bytes */
    size_t buffer_capacity;
} reader;

static void skip_space(reader *in)
{
    while (in->cursor < in->end &&
           (*in->cursor == ' ' || *in->cursor == '\n' || *in->cursor == '\t' ||
            *in->cursor == '\r'))
        in->cursor++;
}

static bool grow_buffer(reader *in, size_t needed)
{
    if (needed <= in->buffer_capacity)
        return true;
    size_t capacity = in->buffer_capacity > 0 ? in->buffer_capacity : 64;
    while (capacity < needed) {
        if (capacity > SIZE_MAX / 2)
            return false;
        capacity *= 2;
    }
    char *larger = hcsoci_realloc(in->buffer, capacity);
    if (larger == NULL)
        return false;
    in->buffer = larger;
    in->buffer_capacity = capacity;
    return true;
}

/* Four hex digits at text (available bytes), or -1. */
static long read_hex4(const unsigned char *text, size_t available)
{
    if (available < 4)
        return -1;
    long value = 0;
    for (int index = 0; index < 4; index++) {
        int digit = hex_digit_value(text[index]);
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

/* Appends code_point as UTF-8 to the buffer at *length (room for 4 bytes reserved). */
static void put_utf8(char *buffer, size_t *length, unsigned long code_point)
{
    unsigned char *out = (unsigned char *)buffer + *length;
    if (code_point < 0x80) {
        out[0] = (unsigned char)code_point;
        *length += 1;
    } else if (code_point < 0x800) {
        out[0] = (unsigned char)(0xc0 | (code_point >> 6));
        out[1] = (unsigned char)(0x80 | (code_point & 0x3f));
        *length += 2;
    } else if (code_point < 0x10000) {
        out[0] = (unsigned char)(0xe0 | (code_point >> 12));
        out[1] = (unsigned char)(0x80 | ((code_point >> 6) & 0x3f));
        out[2] = (unsigned char)(0x80 | (code_point & 0x3f));
        *length += 3;
    } else {
        out[0] = (unsigned char)(0xf0 | (code_point >> 18));
        out[1] = (unsigned char)(0x80 | ((code_point >> 12) & 0x3f));
        out[2] = (unsigned char)(0x80 | ((code_point >> 6) & 0x3f));
        out[3] = (unsigned char)(0x80 | (code_point & 0x3f));
        *length += 4;
    }
}

/* Reads the string whose opening quote is at the cursor into the buffer; false to give up.
 * *text and *length are the bytes (the buffer's, or the text's own when nothing was
 * escaped; not NUL-terminated in that case). */
static bool read_string(reader *in, const char **text, size_t *length)
{
    const unsigned char *start = ++in->cursor;
    const unsigned char *scan = start;
    /* The common case: no escape, so the bytes are the text's own. */
    while (scan < in->end && *scan != '"' && *scan != '\\') {
        if (*scan < 0x20)
            return false;
        if (*scan >= 0x80) {
            size_t sequence = json_utf8_sequence_length(scan, (size_t)(in->end - scan));
            if (sequence == 0)
                return false;
            scan += sequence;
        } else {
            scan++;
        }
    }
    if (scan >= in->end)
        return false;
    if (*scan == '"') {
        *text = (const char *)start;
        *length = (size_t)(scan - start);
        in->cursor = scan + 1;
        return true;
    }
    /* Escapes: the unescaped bytes never outnumber the string's text up to its closing
     * quote, found first so that the buffer holds no more than that. */
    const unsigned char *close = scan;
    while (close < in->end && *close != '"')
        close += *close == '\\' && close + 1 < in->end ? 2 : 1;
    if (close >= in->end)
        return false;
    size_t used = (size_t)(scan - start);
    if (!grow_buffer(in, (size_t)(close - start) + 4))
        return false;
    memcpy(in->buffer, start, used);
    while (scan < in->end && *scan != '"') {
        unsigned char byte = *scan;
        if (byte < 0x20)
            return false;
        if (byte >= 0x80) {
            size_t sequence = json_utf8_sequence_length(scan, (size_t)(in->end - scan));
            if (sequence == 0)
                return false;
            memcpy(in->buffer + used, scan, sequence);
            used += sequence;
            scan += sequence;
            continue;
        }
        if (byte != '\\') {
            in->buffer[used++] = (char)byte;
            scan++;
            continue;
        }
        if (scan + 1 >= in->end)
            return false;
        unsigned char escaped = scan[1];
        scan += 2;
        char simple = 0;
        switch (escaped) {
        case '"': simple = '"'; break;
        case '\\': simple = '\\'; break;
        case '/': simple = '/'; break;
        case 'b': simple = '\b'; break;
        case 'f': simple = '\f'; break;
        case 'n': simple = '\n'; break;
        case 'r': simple = '\r'; break;
        case 't': simple = '\t'; break;
        case 'u': break;
        default: return false;
        }
        if (simple != 0) {
            in->buffer[used++] = simple;
            continue;
        }
        long code_point = read_hex4(scan, (size_t)(in->end - scan));
        if (code_point < 0)
            return false;
        scan += 4;
        if (code_point >= 0xdc00 && code_point <= 0xdfff)
            return false;
        if (code_point >= 0xd800 && code_point <= 0xdbff) {
            /* A high surrogate must be followed by an escaped low one. */
            if (in->end - scan < 6 || scan[0] != '\\' || scan[1] != 'u')
                return false;
            long low = read_hex4(scan + 2, (size_t)(in->end - scan - 2));
            if (low < 0xdc00 || low > 0xdfff)
                return false;
            scan += 6;
            code_point = 0x10000 + ((code_point - 0xd800) << 10) + (low - 0xdc00);
        }
        if (code_point == 0 && (in->flags & JSON_ALLOW_NUL) == 0)
            return false;
        put_utf8(in->buffer, &used, (unsigned long)code_point);
    }
    if (scan >= in->end)
        return false;
    in->cursor = scan + 1;
    *text = in->buffer;
    *length = used;
    return true;
}

static json_t *read_number(reader *in)
{
    const unsigned char *start = in->cursor;
    const unsigned char *scan = start;
    if (scan < in->end && *scan == '-')
        scan++;
    if (scan >= in->end)
        return NULL;
    if (*scan == '0') {
        scan++;
    } else if (*scan >= '1' && *scan <= '9') {
        while (scan < in->end && *scan >= '0' && *scan <= '9')
            scan++;
    } else {
        return NULL;
    }
    size_t length = (size_t)(scan - start);
    /* A real is jansson's to read: its value comes from the C library's strtod, which differs
     * between platforms (msvcrt's from glibc's) and reads the locale's decimal point. Reals
     * are rare in specs and saved state. */
    if ((scan < in->end && (*scan == '.' || *scan == 'e' || *scan == 'E')) ||
        length > READER_MAX_NUMBER_LENGTH)
        return NULL;
    char token[READER_MAX_NUMBER_LENGTH + 1];
    memcpy(token, start, length);
    token[length] = '\0';
    char *token_end = NULL;
    errno = 0;
    long long value = strtoll(token, &token_end, 10);
    json_t *number;
    if (errno == ERANGE && in->marks_big_integers && token[0] != '-') {
        /* Above INT64_MAX: the marked form up to UINT64_MAX (json_number.h). */
        errno = 0;
        unsigned long long big = strtoull(token, &token_end, 10);
        if (errno != 0 || token_end != token + length)
            return NULL;
        number = hcsoci_json_uint64((uint64_t)big);
    } else {
        if (errno != 0 || token_end != token + length)
            return NULL;
        number = json_integer((json_int_t)value);
    }
    in->cursor = scan;
    return number;
}

static bool read_literal(reader *in, const char *word, size_t length)
{
    if ((size_t)(in->end - in->cursor) < length || memcmp(in->cursor, word, length) != 0)
        return false;
    in->cursor += length;
    return true;
}

/* Takes byte (and the space after it) when the cursor is at it. */
static bool take(reader *in, unsigned char byte)
{
    if (in->cursor >= in->end || *in->cursor != byte)
        return false;
    in->cursor++;
    skip_space(in);
    return true;
}

/* After a member of a container that closer ends: 1 when a comma brings another, 0 when the
 * closer ends it, -1 for anything else. */
static int after_member(reader *in, unsigned char closer)
{
    skip_space(in);
    if (take(in, ','))
        return 1;
    if (in->cursor < in->end && *in->cursor == closer) {
        in->cursor++;
        return 0;
    }
    return -1;
}

static json_t *read_value(reader *in, int depth);

/* Steps over a container's opening bracket and the space after it; true when its closing
 * bracket follows at once (an empty container, stepped over too). */
static bool opens_empty(reader *in, char closing)
{
    in->cursor++;
    skip_space(in);
    if (in->cursor < in->end && *in->cursor == closing) {
        in->cursor++;
        return true;
    }
    return false;
}

static json_t *read_object(reader *in, int depth)
{
    json_t *object = json_object();
    if (object == NULL || opens_empty(in, '}'))
        return object;
    for (;;) {
        if (in->cursor >= in->end || *in->cursor != '"')
            break;
        const char *key_text = NULL;
        size_t key_length = 0;
        if (!read_string(in, &key_text, &key_length))
            break;
        /* A key with a NUL is jansson's to refuse; the key is copied out of the buffer,
         * which the value's strings reuse. */
        if (memchr(key_text, '\0', key_length) != NULL)
            break;
        char key_small[128];
        char *key = key_length < sizeof key_small ? key_small : hcsoci_malloc(key_length + 1);
        if (key == NULL)
            break;
        memcpy(key, key_text, key_length);
        key[key_length] = '\0';
        skip_space(in);
        json_t *value = NULL;
        if (take(in, ':'))
            value = read_value(in, depth + 1);
        int set = value != NULL ? json_object_set_new_nocheck(object, key, value) : -1;
        if (key != key_small)
            free(key);
        int next = set == 0 ? after_member(in, '}') : -1;
        if (next == 0)
            return object;
        if (next < 0)
            break;
    }
    json_decref(object);
    return NULL;
}

static json_t *read_array(reader *in, int depth)
{
    json_t *array = json_array();
    if (array == NULL || opens_empty(in, ']'))
        return array;
    for (;;) {
        json_t *value = read_value(in, depth + 1);
        int next = value != NULL && json_array_append_new(array, value) == 0
                       ? after_member(in, ']') : -1;
        if (next == 0)
            return array;
        if (next < 0)
            break;
    }
    json_decref(array);
    return NULL;
}

static json_t *read_value(reader *in, int depth)
{
    if (depth > READER_MAX_DEPTH || in->cursor >= in->end)
        return NULL;
    switch (*in->cursor) {
    case '{':
        return read_object(in, depth);
    case '[':
        return read_array(in, depth);
    case '"': {
        const char *text = NULL;
        size_t length = 0;
        if (!read_string(in, &text, &length))
            return NULL;
        return json_stringn_nocheck(text, length);
    }
    case 't':
        return read_literal(in, "true", 4) ? json_true() : NULL;
    case 'f':
        return read_literal(in, "false", 5) ? json_false() : NULL;
    case 'n':
        return read_literal(in, "null", 4) ? json_null() : NULL;
    default:
        return read_number(in);
    }
}

json_t *json_reader_loads(const char *text, size_t length, size_t flags,
                          bool marks_big_integers)
{
    if (text == NULL || (flags & ~(size_t)JSON_ALLOW_NUL) != 0)
        return NULL;
    reader in = {
        .cursor = (const unsigned char *)text,
        .end = (const unsigned char *)text + length,
        .flags = flags,
        .marks_big_integers = marks_big_integers,
    };
    skip_space(&in);
    json_t *value = NULL;
    if (in.cursor < in.end && (*in.cursor == '{' || *in.cursor == '['))
        value = read_value(&in, 1);
    skip_space(&in);
    if (value != NULL && in.cursor != in.end) {
        json_decref(value);
        value = NULL;
    }
    free(in.buffer);
    return value;
}
