/* JSON text of jansson values, written as jansson's json_dumps writes it, several times faster.
 * hcsoci_json_dumps (json_number.h) is the way in; this is the writer behind it. */
#ifndef HCSOCI_JSON_WRITER_H
#define HCSOCI_JSON_WRITER_H

#include <stddef.h>

#include <jansson.h>

/* The json_dumps flags this writer does not implement (sorted keys, escaped slashes, ASCII
 * only, no outer brackets); hcsoci_json_dumps hands those to jansson. */
#define JSON_WRITER_UNSUPPORTED_FLAGS \
    (JSON_SORT_KEYS | JSON_ESCAPE_SLASH | JSON_ENSURE_ASCII | JSON_EMBED)

/* The text json_dumps(json, flags) would return, with a marked uint64 (json_number.h) written
 * as its digits. NULL when memory runs out, when jansson would refuse the value (invalid UTF-8,
 * a scalar without JSON_ENCODE_ANY), when it is nested more than 4096 levels deep, or for an
 * unsupported flag. The caller frees the text. */
char *json_writer_dumps(const json_t *json, size_t flags);

/* The length of the valid UTF-8 sequence at text (its lead byte >= 0x80, available bytes from
 * there), or 0 when it is none: jansson's rules, which refuse overlong forms, surrogates and
 * code points above U+10FFFF. */
size_t json_utf8_sequence_length(const unsigned char *text, size_t available);

#endif
