/* Unsigned 64-bit numbers in JSON values. jansson holds integers as signed 64-bit values, but
 * the reference's documents have uint64 fields (Memory.SizeInMB) that Go writes in full, up to
 * 18446744073709551615. hcsoci holds a number above INT64_MAX as a marked string that only
 * hcsoci_json_uint64 makes ("\0uint64:" and the decimal digits); the text functions below
 * write it as the bare number and read such numbers back into it. Every other value is plain
 * jansson. */
#ifndef HCSOCI_JSON_NUMBER_H
#define HCSOCI_JSON_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A JSON number of any uint64 value: a jansson integer up to INT64_MAX, the marked form above
 * it (new reference; NULL when memory runs out). */
json_t *hcsoci_json_uint64(uint64_t value);

/* Reads a JSON integer >= 0 in either form into *value; false for anything else. */
bool hcsoci_json_uint64_value(const json_t *json, uint64_t *value);

/* json_dumps with the marked numbers written as numbers: the same text, byte for byte, written
 * by hcsoci's own faster writer (the caller frees the text; NULL when memory runs out, when
 * jansson refuses the value, or when it is nested more than 4096 levels deep). */
char *hcsoci_json_dumps(const json_t *json, size_t flags);

/* json_loads that also takes integers from 2^63 to 2^64-1, as the marked form (new reference,
 * the caller's; NULL with *error filled as jansson fills it). Text jansson reads is read by
 * hcsoci's own faster reader, to the same value with its keys in the same order. */
json_t *hcsoci_json_loads(const char *text, size_t flags, json_error_t *error);

/* hcsoci_json_loads of a whole file (new reference, the caller's; NULL with *error filled
 * when the file cannot be read or parsed). */
json_t *hcsoci_json_load_file(const char *path, size_t flags, json_error_t *error);

#ifdef __cplusplus
}
#endif
#endif
