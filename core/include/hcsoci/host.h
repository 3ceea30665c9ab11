/* The host boundary: the only way libhcsoci reaches the outside world. Each call mirrors an
 * entry point of the Windows host services (HCS, HNS, layer storage) or a fact about the host.
 * A host is an ops table plus the implementation's own state; implementations embed
 * `hcsoci_host` as their first member. */
#ifndef HCSOCI_HOST_H
#define HCSOCI_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include <hcsoci/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hcsoci_host hcsoci_host;

typedef enum hcsoci_path_kind {
    HCSOCI_PATH_MISSING = 0,
    HCSOCI_PATH_DIRECTORY = 1,
    HCSOCI_PATH_FILE = 2,
} hcsoci_path_kind;

/* Every fallible op returns 0 on success, or -1 with *error set (error may be NULL). JSON
 * arguments are borrowed; JSON and strings returned through out-parameters belong to the
 * caller. The error code of a failed host call is the host's HRESULT and its message the
 * Windows system text for it; callers add the reference's context around it. */
typedef struct hcsoci_host_ops {
    size_t size; /* sizeof(hcsoci_host_ops) the implementation was built with */

    /* HCS */
    int (*create_compute_system)(hcsoci_host *host, const char *id, const json_t *configuration,
                                 hcsoci_error **error);
    int (*modify_compute_system)(hcsoci_host *host, const char *id, const json_t *configuration,
                                 hcsoci_error **error);
    int (*modify_service_settings)(hcsoci_host *host, const json_t *settings, hcsoci_error **error);
    int (*get_service_properties)(hcsoci_host *host, const json_t *property_query,
                                  json_t **properties, hcsoci_error **error);
    int (*grant_vm_access)(hcsoci_host *host, const char *vm_id, const char *file_path,
                           hcsoci_error **error);
    /* Runs a command line in a utility VM and returns what it printed (caller frees). */
    int (*run_guest_process)(hcsoci_host *host, const char *vm_id, const char *command_line,
                             char **output, hcsoci_error **error);

    /* HNS: request may be NULL (sent as ""); *response is the parsed reply. */
    int (*hns_call)(hcsoci_host *host, const char *method, const char *path, const json_t *request,
                    json_t **response, hcsoci_error **error);

    /* Layer storage. descriptors: [{"LayerId","Flags","Path"}]. */
    int (*name_to_guid)(hcsoci_host *host, const char *name, char **guid, hcsoci_error **error);
    int (*activate_layer)(hcsoci_host *host, const char *path, hcsoci_error **error);
    int (*prepare_layer)(hcsoci_host *host, const char *path, const json_t *descriptors,
                         hcsoci_error **error);
    int (*get_layer_mount_path)(hcsoci_host *host, const char *path, char **mount_path,
                                hcsoci_error **error);
    int (*unprepare_layer)(hcsoci_host *host, const char *path, hcsoci_error **error);
    int (*deactivate_layer)(hcsoci_host *host, const char *path, hcsoci_error **error);
    int (*create_sandbox_layer)(hcsoci_host *host, const char *path, const json_t *descriptors,
                                hcsoci_error **error);

    /* Files on the host. */
    hcsoci_path_kind (*stat_path)(hcsoci_host *host, const char *path, uint64_t *size);
    int (*make_directory)(hcsoci_host *host, const char *path, hcsoci_error **error);

    /* Facts and randomness. */
    uint32_t (*os_build)(hcsoci_host *host);
    uint32_t (*processor_count)(hcsoci_host *host);
    const char *(*program_directory)(hcsoci_host *host); /* borrowed */
    /* Writes a new random (version 4) GUID, lower case, 36 characters plus NUL. */
    void (*new_guid)(hcsoci_host *host, char guid[37]);

    void (*destroy)(hcsoci_host *host);
} hcsoci_host_ops;

struct hcsoci_host {
    const hcsoci_host_ops *ops;
};

/* Windows builds the reference compares against. */
#define HCSOCI_BUILD_RS3 16299u
#define HCSOCI_BUILD_RS5 17763u
#define HCSOCI_BUILD_19H1 18362u

/* Destroys any host through its ops; NULL is allowed. */
void hcsoci_host_destroy(hcsoci_host *host);

/* ---- The embedded simulated host ("sim") ---- */

/* Creates a sim host from a world description (the `host` part of a conformance case, see
 * the corpus README) and the trace of calls it records. world is borrowed. The caller owns the
 * result and releases it with hcsoci_host_destroy. */
int hcsoci_sim_host_new(const json_t *world, hcsoci_host **host, hcsoci_error **error);

/* Loads a sim host from a state directory written by hcsoci_sim_host_save, or, when the
 * directory has no saved world yet, from world (which may then not be NULL). */
int hcsoci_sim_host_open(const char *state_directory, const json_t *world, hcsoci_host **host,
                         hcsoci_error **error);

/* Writes the world's current state to state_directory/sim-world.json and appends the calls
 * recorded since the last save to state_directory/journal.jsonl (one call per line). */
int hcsoci_sim_host_save(hcsoci_host *host, const char *state_directory, hcsoci_error **error);

/* The calls recorded so far: an array of {"call": NAME, "args": {...}} in order (borrowed;
 * valid until the next call into the host). */
const json_t *hcsoci_sim_host_journal(hcsoci_host *host);

/* Starts a new journal section: later calls to hcsoci_sim_host_journal show only calls made
 * after this point. Fault counting (failCall's nth) is not reset. */
void hcsoci_sim_host_journal_clear(hcsoci_host *host);

/* The world's current state in the form of a world description (new reference). */
json_t *hcsoci_sim_host_world(hcsoci_host *host);

/* What the host holds now, also the "held" member of hcsoci_sim_host_world (new reference;
 * NULL for a host that is not a sim host). Each counter is successful acquiring calls minus
 * releasing ones (0 when all was released): {"activatedLayers", "preparedLayers",
 * "computeSystems", "hnsNamespaces" (POST minus DELETE), "namespaceEndpoints" (addresource
 * minus removeresource), "credentialGuardInstances", "modifications": {"<compute system id>":
 * {"<ResourcePath>": Add minus Remove requests}} (entries at 0 are left out)}. */
json_t *hcsoci_sim_host_held(hcsoci_host *host);

#ifdef __cplusplus
}
#endif
#endif
