/* Replaying a conformance case: one CreateContainer call in a fresh simulated world (or on a
 * host the caller gives), and the trace of host calls it made (the format of the corpus's
 * expected/ files). */
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

/* The utility VM a case's "hostingSystem" member describes, made on host: *uvm is the model
 * (the caller frees it with hcsoci_uvm_free), or NULL when the case has none (absent or null).
 * A malformed member is an error naming the bad field. */
int hcsoci_case_hosting_system(hcsoci_host *host, const json_t *test_case, hcsoci_uvm **uvm,
                               hcsoci_error **error);

/* The process environment variable hcsoci_replay_case sets to "create" before the create and
 * to "release" before releasing: the signal a host recording at a lower level (the recording
 * vmcompute.dll of tests/windows) reads to tell the two phases apart. */
#define HCSOCI_REPLAY_PHASE_VARIABLE "HCSOCI_REPLAY_PHASE"

/* Runs test_case (a parsed cases/NNN-*.json) with the modules runtime_options names (NULL:
 * defaults), then, when the create succeeded, releases everything. The host is
 * runtime_options->host when that is not NULL (borrowed, not destroyed), else a new sim host
 * built from the case's "host" part. *trace receives {"calls", "error", "releaseCalls",
 * "releaseError"} (new reference); "calls" and "releaseCalls" come from the host's journal and
 * are null when the host is not a sim host. Sets HCSOCI_REPLAY_PHASE_VARIABLE in the process
 * environment as it goes. Returns -1 only when the case itself is unusable or the modules
 * cannot be loaded; a failing create is part of the trace. */
int hcsoci_replay_case(const json_t *test_case, const hcsoci_runtime_options *runtime_options,
                       json_t **trace, hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
