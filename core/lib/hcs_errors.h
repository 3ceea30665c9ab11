/* The reference's wording for failed HCS calls, shared by every core caller of the host. */
#ifndef HCSOCI_HCS_ERRORS_H
#define HCSOCI_HCS_ERRORS_H

#include <hcsoci/error.h>
#include <hcsoci/host.h>
#include <jansson.h>
#include <stdbool.h>

/* A document as Go's encoding/json writes it: compact, in the object's own key order, with &, <
 * and > escaped as \u0026, \u003c and \u003e. NULL when memory runs out; the caller frees. */
char *hcs_go_json_text(const json_t *document);

/* True when error carries the label stage. */
bool hcs_error_has_stage(const hcsoci_error *error, const char *stage);

/* The failure of a compute system's create (the host's error, NULL for one that failed without
 * saying why) worded as the reference words the stage it failed in (host.h): by default
 * "hcsshim::CreateComputeSystem <id>: <host text>\n(extra info: <document>)"; after the
 * callback registration without the document; after the properties query as
 * "hcsshim::System::Properties <id>: <host text>"; in its own words as it is. Returns -1. */
int hcs_create_failed(hcsoci_error *host_error, const char *id, const json_t *document,
                      hcsoci_error **error);

/* Hands a failed HCS call's error to the caller as "<operation> <id>: <host text>\n(extra info:
 * <document>)" (host_error may be NULL: a host that failed without saying why). Returns -1. */
int hcs_call_failed(hcsoci_error *host_error, const char *operation, const char *id,
                    const json_t *document, hcsoci_error **error);

#endif
