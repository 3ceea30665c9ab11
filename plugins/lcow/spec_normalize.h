/* A generic normaliser driven by the runtime-spec type table (hcsoci/runtime_spec.h): it reads
 * JSON the way Go's encoding/json unmarshals it into a typed value and writes it back the way
 * json.Marshal writes that value. This is the round trip the reference puts the OCI spec
 * through before handing it to the Linux guest.
 *
 * Decoding follows encoding/json on a spec whose keys the core made canonical
 * (hcsoci_spec_canonical_keys: Go's case-insensitive matching and the merging of two spellings
 * are done there, once, for every module): object keys match field names exactly; unknown keys
 * are dropped; null leaves strings, numbers, booleans and struct values as they were and makes
 * pointers, slices, maps and interfaces nil. A value of the wrong
 * JSON type, a non-integer or out-of-range number for a Go integer is an error naming the
 * field path and the value: "invalid OCI spec: field 'process.user.uid' must be an integer in
 * [0, 4294967295] (Go uint32), not -1". Where Go would go on and report the first such error
 * at the end, this stops at the first one (the same error).
 *
 * Encoding follows json.Marshal: fields in Go declaration order, omitempty dropping "", 0,
 * false and nil or empty pointers/slices/maps/interfaces but never a struct value, map keys
 * sorted. interface{} values (windows.credentialSpec) hold numbers as float64, so integers
 * beyond 2^53 lose precision and integral reals are written as integers, as Go writes them.
 *
 * Limits: jansson cannot hold integers beyond INT64_MAX, so uint64 fields accept
 * [0, 9223372036854775807]; jansson itself keeps only the last of two identical keys. */
#ifndef HCSOCI_LCOW_SPEC_NORMALIZE_H
#define HCSOCI_LCOW_SPEC_NORMALIZE_H

#include <jansson.h>

#include <hcsoci/error.h>

#include <hcsoci/runtime_spec.h>

/* The "Go value" form used between decoding and encoding: a struct is an object holding the
 * fields that are set, a field it does not hold having its zero value ("", 0, false, a zero
 * struct, or a nil pointer, slice, map or interface); a non-nil pointer is the value it points
 * to; a slice is an array and a map an object, each possibly empty. Strings and numbers are
 * shared with the decoded JSON and with the encoded JSON by reference: none of them may be
 * changed in place. */

/* The zero value of type in the Go value form (new reference, NULL when memory runs out). */
json_t *spec_value_zero(const hcsoci_runtime_spec_type *type);

/* Decodes input (borrowed) into a new Go value of type, as json.Unmarshal would. path names
 * the input in errors ("" for a whole spec). */
int spec_value_decode(const hcsoci_runtime_spec_type *type, const json_t *input, const char *path,
                      json_t **value, hcsoci_error **error);

/* The JSON json.Marshal writes for a Go value of type (new reference; NULL when memory runs
 * out). value is borrowed and must be in the form spec_value_decode produces. */
json_t *spec_value_encode(const hcsoci_runtime_spec_type *type, const json_t *value);

/* Sets member json_name of object, the JSON of a struct of type structure, to the JSON of the
 * field's Go value value (borrowed; NULL: the zero value), or removes it where json.Marshal
 * leaves the field out (omitempty). -1 when there is no such field or memory runs out. */
int spec_value_encode_field(const hcsoci_runtime_spec_type *structure, json_t *object,
                            const char *json_name, const json_t *value);

/* The type of field json_name of a struct type, looking through a pointer to it: the struct
 * type of "linux" in specs.Spec is specs.Linux. NULL when there is no such field. */
const hcsoci_runtime_spec_type *spec_value_field_type(const hcsoci_runtime_spec_type *structure,
                                               const char *json_name);

/* The OCI spec as Go writes it after unmarshalling it into specs.Spec (new reference). */
int spec_normalize(const json_t *spec, json_t **normalized, hcsoci_error **error);

#endif
