/* Internal model of the embedded simulated host ("sim"), shared by core/lib/host/sim/.
 *
 * The world description (the `host` part of a conformance case, tests/conformance/README.md):
 *   build               integer 1..4294967295      default 20348
 *   processorCount      integer 1..65535           default 8
 *   programDir          string                     default "C:\Program Files\hcsoci"
 *   files               {"<path>": "dir" | "file" | {"size": n}}       default {}
 *   layerIds            {"<layer folder path>": "<GUID>"}              default {}
 *   layerMountPath      string (GetLayerMountPath's answer)
 *                       default "\\?\Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f}\"
 *   hnsEndpoints        [{"ID": "<id>", ...}]                          default []
 *   hnsNamespaces       {"<namespace id>": ["<endpoint id>", ...]}     default {}
 *   hnsNewNamespaceIds  ["<id>", ...] handed out in order by POST /namespaces/   default []
 *                       (then GUIDs from the seeded generator)
 *   failCall            null | {"call": NAME, "nth": n >= 1, "hresult"?: integer or "0x..."}
 *                       (hresult must have the severity bit set; default 0x80070005)
 * Extra members hcsoci accepts (not in the corpus):
 *   seed                integer >= 0 seeding the GUID generator (default SIM_DEFAULT_SEED)
 *   guestProcessOutputs {"<vm id>": {"<command line>": "<output>"}}: run_guest_process's answers
 * Other members are ignored. The defaults are the values every corpus case uses.
 *
 * Held counts (hcsoci_sim_host_held, "held" in hcsoci_sim_host_world): each counter is the
 * number of successful acquiring calls minus the successful releasing calls, so it is 0 when
 * everything acquired was released and negative when something was released twice. */
#ifndef HCSOCI_SIM_INTERNAL_H
#define HCSOCI_SIM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>
#include <hcsoci/sim.h>
#include <hcsoci/spec.h>

#define SIM_DEFAULT_BUILD 20348u
#define SIM_DEFAULT_PROCESSOR_COUNT 8u
#define SIM_DEFAULT_PROGRAM_DIRECTORY "C:\\Program Files\\hcsoci"
#define SIM_DEFAULT_LAYER_MOUNT_PATH "\\\\?\\Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f}\\"
#define SIM_DEFAULT_SEED UINT64_C(0x6863736f63692d31) /* "hcsoci-1" */
#define SIM_DEFAULT_FAIL_HRESULT ((int32_t)0x80070005) /* E_ACCESSDENIED */

/* The states of a compute system: created by HcsCreateComputeSystem, running after
 * HcsStartComputeSystem, stopped after HcsTerminateComputeSystem; HcsCloseComputeSystem
 * forgets it. */
#define SIM_SYSTEM_CREATED "created"
#define SIM_SYSTEM_RUNNING "running"
#define SIM_SYSTEM_STOPPED "stopped"

/* The call that failCall makes fail; call is NULL when none does. */
typedef struct sim_fail_call {
    char *call;
    int64_t nth;          /* 1-based, counted per call name over the host's life */
    int32_t hresult;
    bool hresult_given;   /* false: the default was used (and is not written back) */
} sim_fail_call;

/* What is currently held, as acquiring minus releasing calls (see the top of this file). */
typedef struct sim_held {
    int64_t activated_layers;          /* ActivateLayer - DeactivateLayer */
    int64_t prepared_layers;           /* PrepareLayer - UnprepareLayer */
    int64_t compute_systems;           /* HcsCreateComputeSystem - HcsCloseComputeSystem */
    int64_t hns_namespaces;            /* POST /namespaces/ - DELETE /namespaces/<id> */
    int64_t namespace_endpoints;       /* addresource - removeresource */
    int64_t credential_guard_instances; /* AddInstance - RemoveInstance */
    json_t *modifications; /* {"<compute system id>": {"<ResourcePath>": Add - Remove}};
                              zero entries and empty systems are dropped */
} sim_held;

/* The world description, validated, in its current state. */
typedef struct sim_world {
    uint32_t build;
    uint32_t processor_count;
    char *program_directory;
    char *layer_mount_path;
    json_t *files;                 /* {"<path>": "dir" | "file" | {"size": n}} */
    json_t *layer_ids;             /* {"<path>": "<guid>"} */
    json_t *hns_endpoints;         /* [{"ID": ...}, ...] */
    json_t *hns_namespaces;        /* {"<id>": ["<endpoint id>", ...]} */
    json_t *hns_new_namespace_ids; /* the ids still to hand out, in order */
    sim_fail_call fail_call;
    uint64_t seed;
    json_t *guest_process_outputs; /* {"<vm id>": {"<command line>": "<output>"}} */
} sim_world;

typedef struct sim_host {
    hcsoci_host base; /* first member: a sim_host is an hcsoci_host */
    pthread_mutex_t lock;
    sim_world world;
    uint64_t generator_state;
    json_t *call_counts;                /* {"<call name>": n} over the host's life */
    json_t *credential_guard_instances; /* [{"Id": ..., "Transport": ...}] in order added */
    json_t *compute_systems; /* {"<id>": SIM_SYSTEM_*} for each created system not closed */
    sim_held held;
    json_t *journal_section; /* calls since the last hcsoci_sim_host_journal_clear */
    json_t *journal_pending; /* calls since the last hcsoci_sim_host_take_journal */
    hcsoci_sim_journal_mode journal_mode;
    hcsoci_sim_journal_sink journal_sink; /* and its context, in STREAM mode */
    void *journal_sink_context;
} sim_host;

/* ---- sim.c ---- */

/* The sim host behind host, or NULL when host is NULL or another implementation. */
sim_host *sim_host_from(hcsoci_host *host);

/* Makes a sim host from a parsed world; takes the world's contents (the struct is emptied). */
int sim_host_new_from_world(sim_world *world, sim_host **sim, hcsoci_error **error);

/* True when name is one of the recorded call names ("HcsCreateComputeSystem", ...). */
bool sim_call_name_known(const char *name);

/* ---- world.c: the world description ---- */

/* Validates description and fills world (owned; release with sim_world_release). Errors name
 * the field: "sim world: invalid field 'failCall.nth' ...". */
int sim_world_parse(const json_t *description, sim_world *world, hcsoci_error **error);

/* Frees what world holds and empties it; safe on an emptied or zeroed world. */
void sim_world_release(sim_world *world);

/* The world in the form of a world description (new reference; NULL when memory runs out). */
json_t *sim_world_describe(const sim_world *world);

/* The held counts as {"activatedLayers", "preparedLayers", "computeSystems", "hnsNamespaces",
 * "namespaceEndpoints", "credentialGuardInstances", "modifications"} (new reference). */
json_t *sim_held_describe(const sim_held *held);

/* Reads held counts written by sim_held_describe; path names the member in errors. */
int sim_held_parse(const json_t *description, const char *path, sim_held *held,
                   hcsoci_error **error);

/* Adds delta to the balance of resource_path in compute system system_id. */
int sim_held_modify(sim_held *held, const char *system_id, const char *resource_path,
                    int64_t delta);

/* Frees what held holds. */
void sim_held_release(sim_held *held);

/* Compares Windows paths like the host's file system: ASCII case-insensitively, '/' equal to
 * '\', trailing separators ignored. */
bool sim_path_equal(const char *a, const char *b);

/* The files entry for path: its value (borrowed) and the key it is stored under, or NULL. */
json_t *sim_files_lookup(const json_t *files, const char *path, const char **key);

/* The last element of a Windows path (after the last separator, trailing ones ignored) as a
 * pointer into path and its length. */
const char *sim_path_last_element(const char *path, size_t *length);

/* True when text is a GUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case). */
bool sim_guid_valid(const char *text);

/* A new version 4 GUID from the seeded generator (the caller holds the lock). */
void sim_draw_guid(sim_host *sim, char guid[37]);

/* ---- hns.c ---- */

/* Answers one HNS call from the world (the caller holds the lock, has recorded the call and
 * applied failCall). *response is the reply document, including HNS failure replies. */
int sim_hns_answer(sim_host *sim, const char *method, const char *path, const json_t *request,
                   json_t **response, hcsoci_error **error);

#endif
