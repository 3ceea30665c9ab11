/* JSON text read into jansson values several times faster than jansson's json_loads, for text
 * that jansson reads; hcsoci_json_loads (json_number.h) is the way in. */
#ifndef HCSOCI_JSON_READER_H
#define HCSOCI_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* The value json_loads would read from the length bytes of text (flags: 0 or JSON_ALLOW_NUL),
 * or NULL whenever this reader does not read it exactly as jansson would: malformed text,
 * anything jansson refuses, a real number (the C library's strtod differs between platforms),
 * JSON nested 2000 levels or more, other flags, or memory running out. The caller then hands the text to jansson, for its value or its error. With
 * marks_big_integers an integer from 2^63 to 2^64-1 is read in the marked form of
 * json_number.h. New reference, the caller's. */
json_t *json_reader_loads(const char *text, size_t length, size_t flags,
                          bool marks_big_integers);

#endif
