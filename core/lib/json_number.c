/* Unsigned 64-bit JSON numbers above INT64_MAX (see json_number.h). */
#include <hcsoci/json_number.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>

#include "json_reader.h"
#include "json_writer.h"

/* The marked form: a NUL, "uint64:", then the digits. */
static const char marker[] = "\0uint64:";
#define MARKER_LENGTH (sizeof marker - 1)
/* How jansson writes the marker at the start of a string: the quote, then the escaped NUL. */
static const char dumped_marker[] = "\"\\u0000uint64:";
#define DUMPED_MARKER_LENGTH (sizeof dumped_marker - 1)

/* Reads digits [text, text + length) as a uint64; false when empty, not digits or too big. */
static bool digits_value(const char *text, size_t length, uint64_t *value)
{
    if (length == 0)
        return false;
    uint64_t result = 0;
    for (size_t index = 0; index < length; index++) {
        if (text[index] < '0' || text[index] > '9')
            return false;
        unsigned digit = (unsigned)(text[index] - '0');
        if (result > (UINT64_MAX - digit) / 10)
            return false;
        result = result * 10 + digit;
    }
    *value = result;
    return true;
}

json_t *hcsoci_json_uint64(uint64_t value)
{
    if (value <= INT64_MAX)
        return json_integer((json_int_t)value);
    char text[MARKER_LENGTH + 24];
    memcpy(text, marker, MARKER_LENGTH);
    int digits = snprintf(text + MARKER_LENGTH, sizeof text - MARKER_LENGTH, "%" PRIu64, value);
    return json_stringn(text, MARKER_LENGTH + (size_t)digits);
}

bool hcsoci_json_uint64_value(const json_t *json, uint64_t *value)
{
    if (json_is_integer(json)) {
        if (json_integer_value(json) < 0)
            return false;
        *value = (uint64_t)json_integer_value(json);
        return true;
    }
    if (!json_is_string(json))
        return false;
    const char *text = json_string_value(json);
    size_t length = json_string_length(json);
    uint64_t number = 0;
    if (length <= MARKER_LENGTH || memcmp(text, marker, MARKER_LENGTH) != 0 ||
        !digits_value(text + MARKER_LENGTH, length - MARKER_LENGTH, &number) ||
        number <= INT64_MAX)
        return false;
    *value = number;
    return true;
}

/* The length of the digits of a dumped marked number that starts at text (at its opening
 * quote), or 0 when text does not start one. start is the beginning of the whole text. */
static size_t dumped_number_digits(const char *start, const char *text)
{
    if (strncmp(text, dumped_marker, DUMPED_MARKER_LENGTH) != 0)
        return 0;
    /* An escaped quote inside a string is not a string's start. */
    size_t backslashes = 0;
    while (text - backslashes > start && text[-(ptrdiff_t)backslashes - 1] == '\\')
        backslashes++;
    if (backslashes % 2 != 0)
        return 0;
    const char *digits = text + DUMPED_MARKER_LENGTH;
    size_t length = strspn(digits, "0123456789");
    uint64_t value = 0;
    if (digits[length] != '"' || !digits_value(digits, length, &value) || value <= INT64_MAX)
        return 0;
    return length;
}

char *hcsoci_json_dumps(const json_t *json, size_t flags)
{
    if ((flags & JSON_WRITER_UNSUPPORTED_FLAGS) == 0)
        return json_writer_dumps(json, flags);
    char *text = json_dumps(json, flags);
    if (text == NULL || strstr(text, dumped_marker) == NULL)
        return text;
    /* Each marked number becomes its digits: the result is never longer. */
    char *out = text;
    for (const char *in = text; *in != '\0';) {
        size_t digits = dumped_number_digits(text, in);
        if (digits > 0) {
            memmove(out, in + DUMPED_MARKER_LENGTH, digits);
            out += digits;
            in += DUMPED_MARKER_LENGTH + digits + 1;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
    return text;
}

/* Where text holds an integer literal above INT64_MAX that fits in uint64, outside strings:
 * the offset and length of the next one from *cursor on (false: none). */
static bool next_big_integer(const char *text, size_t *cursor, size_t *offset, size_t *length)
{
    bool in_string = false;
    for (size_t index = *cursor; text[index] != '\0'; index++) {
        char c = text[index];
        if (in_string) {
            if (c == '\\' && text[index + 1] != '\0')
                index++;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (c != '-' && (c < '0' || c > '9'))
            continue;
        /* A number token: digits, sign, fraction and exponent characters. */
        size_t end = index + strspn(text + index, "0123456789+-.eE");
        uint64_t value = 0;
        /* JSON has no leading zeros: such a token is left for jansson to refuse. */
        if (c != '-' && c != '0' && digits_value(text + index, end - index, &value) &&
            value > INT64_MAX) {
            *offset = index;
            *length = end - index;
            *cursor = end;
            return true;
        }
        index = end - 1;
    }
    *cursor = strlen(text);
    return false;
}

/* What json_loads leaves in *error when it reads the text. */
static void clear_error(json_error_t *error)
{
    if (error == NULL)
        return;
    error->text[0] = '\0';
    error->line = -1;
    error->column = -1;
    error->position = 0;
    snprintf(error->source, sizeof error->source, "<string>");
}

/* Makes the error jansson gave for the rewritten form of text the error for text itself:
 * jansson's own, unless jansson stops at an integer above INT64_MAX, where the rewritten
 * form's error stands, moved back by what each integer rewritten before it added (bytes, and
 * columns on its line). */
static void error_on_original_text(const char *text, size_t flags, json_error_t *error)
{
    json_error_t original;
    json_t *value = json_loads(text, flags, &original);
    json_decref(value); /* NULL: what fails rewritten fails as it is */
    if (strstr(original.text, "too big integer") == NULL) {
        *error = original;
        return;
    }
    const size_t added = DUMPED_MARKER_LENGTH + 1;
    size_t cursor = 0, offset = 0, length = 0, moved = 0, scanned = 0;
    int line = 1, moved_columns = 0;
    while (next_big_integer(text, &cursor, &offset, &length) &&
           offset + moved < (size_t)error->position) {
        for (; scanned < offset; scanned++)
            line += text[scanned] == '\n';
        moved += added;
        if (line == error->line)
            moved_columns += (int)added;
    }
    error->position -= (int)moved;
    error->column -= moved_columns;
}

json_t *hcsoci_json_loads(const char *text, size_t flags, json_error_t *error)
{
    if (text == NULL)
        return json_loads(text, flags, error);
    /* The fast reader takes what jansson takes and gives up at anything else, which then goes
     * the slow way below, for jansson's value or error. */
    json_t *fast = json_reader_loads(text, strlen(text), flags, true);
    if (fast != NULL) {
        clear_error(error);
        return fast;
    }
    size_t cursor = 0, offset = 0, length = 0, count = 0;
    while (next_big_integer(text, &cursor, &offset, &length))
        count++;
    if (count == 0)
        return json_loads(text, flags, error);
    /* Each number gains the quotes and the escaped marker. */
    size_t size = strlen(text) + count * (DUMPED_MARKER_LENGTH + 1) + 1;
    char *rewritten = hcsoci_malloc(size);
    if (rewritten == NULL) {
        if (error != NULL)
            snprintf(error->text, sizeof error->text, "out of memory");
        return NULL;
    }
    char *out = rewritten;
    size_t copied = 0;
    cursor = 0;
    while (next_big_integer(text, &cursor, &offset, &length)) {
        memcpy(out, text + copied, offset - copied);
        out += offset - copied;
        memcpy(out, dumped_marker, DUMPED_MARKER_LENGTH);
        out += DUMPED_MARKER_LENGTH;
        memcpy(out, text + offset, length);
        out += length;
        *out++ = '"';
        copied = offset + length;
    }
    strcpy(out, text + copied);
    /* The marked form holds a NUL, which jansson takes only when told to. */
    json_t *value = json_loads(rewritten, flags | JSON_ALLOW_NUL, error);
    free(rewritten);
    if (value == NULL && error != NULL)
        error_on_original_text(text, flags, error);
    return value;
}

/* Fills error for a file that could not be read. */
static void file_error(json_error_t *error, const char *path, const char *what)
{
    if (error == NULL)
        return;
    memset(error, 0, sizeof *error);
    error->line = -1;
    error->column = -1;
    snprintf(error->source, sizeof error->source, "%s", path);
    snprintf(error->text, sizeof error->text, "unable to read %s: %s", path, what);
}

json_t *hcsoci_json_load_file(const char *path, size_t flags, json_error_t *error)
{
    FILE *file = path != NULL ? fopen(path, "rb") : NULL;
    if (file == NULL) {
        file_error(error, path != NULL ? path : "(null)", "cannot open it");
        return NULL;
    }
    size_t size = 0, capacity = 4096;
    char *text = hcsoci_malloc(capacity);
    while (text != NULL) {
        size += fread(text + size, 1, capacity - size - 1, file);
        if (size < capacity - 1)
            break;
        char *larger = hcsoci_realloc(text, capacity * 2);
        if (larger == NULL) {
            free(text);
            text = NULL;
            break;
        }
        text = larger;
        capacity *= 2;
    }
    bool failed = ferror(file) != 0;
    fclose(file);
    if (text == NULL || failed) {
        file_error(error, path, text == NULL ? "out of memory" : "read error");
        free(text);
        return NULL;
    }
    text[size] = '\0';
    if (strlen(text) != size) {
        free(text);
        file_error(error, path, "it holds a NUL character");
        return NULL;
    }
    json_t *value = hcsoci_json_loads(text, flags, error);
    free(text);
    return value;
}
