/* HCS schema versions: 1.0 (ContainerConfig) and 2.1 (ComputeSystem). */
#ifndef HCSOCI_SCHEMA_H
#define HCSOCI_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hcsoci_schema_version {
    uint32_t major;
    uint32_t minor;
} hcsoci_schema_version;

/* True for exactly 1.0. */
bool hcsoci_schema_is_v10(hcsoci_schema_version version);

/* True for exactly 2.1. */
bool hcsoci_schema_is_v21(hcsoci_schema_version version);

/* The version to use without a hosting system: 2.1 on build >= 17763, else 1.0; a requested
 * version (may be NULL) wins when the host supports it, and is otherwise ignored with a
 * warning. */
hcsoci_schema_version hcsoci_schema_determine(hcsoci_host *host,
                                              const hcsoci_schema_version *requested);

/* {"Major": m, "Minor": n} as a new reference. */
json_t *hcsoci_schema_to_json(hcsoci_schema_version version);

/* Parses {"Major": m, "Minor": n} or "m.n"; field names the input in the error. */
int hcsoci_schema_from_json(const json_t *value, const char *field, hcsoci_schema_version *version,
                            hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
