/* Replaying a conformance case: one CreateContainer call in a fresh simulated world, and the
 * trace of host calls it made (the format of the corpus's expected/ files). */
#ifndef HCSOCI_REPLAY_H
#define HCSOCI_REPLAY_H

#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/hcsoci.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fills create from a case's "options" member (id, owner, schemaVersion, networkNamespace,
 * doNotReleaseResourcesOnFailure, scaleCPULimitsToSandbox); *schema holds the requested version
 * that create->schema_version then points at. Strings stay borrowed from options. Other fields
 * of create are left as they were. */
int hcsoci_case_create_options(const json_t *options, hcsoci_create_options *create,
                               hcsoci_schema_version *schema, hcsoci_error **error);

/* Runs test_case (a parsed cases/NNN-*.json) in a new sim host built from its "host" part, with
 * the modules runtime_options names (its host field is ignored; NULL: defaults), then, when the
 * create succeeded, releases everything. *trace receives {"calls", "error", "releaseCalls",
 * "releaseError"} (new reference). Returns -1 only when the case itself is unusable or the
 * modules cannot be loaded; a failing create is part of the trace. */
int hcsoci_replay_case(const json_t *test_case, const hcsoci_runtime_options *runtime_options,
                       json_t **trace, hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
