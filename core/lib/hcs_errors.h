/* The reference's wording for failed HCS calls, shared by every core caller of the host. */
#ifndef HCSOCI_HCS_ERRORS_H
#define HCSOCI_HCS_ERRORS_H

#include <hcsoci/error.h>
#include <jansson.h>

/* A document as Go's encoding/json writes it: compact, in the object's own key order, with &, <
 * and > escaped as \u0026, \u003c and \u003e. NULL when memory runs out; the caller frees. */
char *hcs_go_json_text(const json_t *document);

/* Hands a failed HCS call's error to the caller as "<operation> <id>: <host text>\n(extra info:
 * <document>)" (host_error may be NULL: a host that failed without saying why). Returns -1. */
int hcs_call_failed(hcsoci_error *host_error, const char *operation, const char *id,
                    const json_t *document, hcsoci_error **error);

#endif
