/* The host boundary: the only way libhcsoci reaches the outside world. Each call mirrors an
 * entry point of the Windows host services (HCS, HNS, layer storage) or a fact about the host.
 * A host is an ops table plus the implementation's own state; implementations embed
 * `hcsoci_host` as their first member. The embedded simulated host is in hcsoci/sim.h. */
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
 * Windows system text for it; callers add the reference's context around it. An op that makes
 * several calls labels a failure of the later ones with their stage (hcsoci_error_set_stage),
 * which the reference words differently:
 *   create_compute_system: HCSOCI_HOST_STAGE_CALLBACK_REGISTRATION (the notification callback
 *     registration after the create), HCSOCI_HOST_STAGE_PROPERTIES_QUERY (the properties query
 *     after it), HCSOCI_HOST_STAGE_OWN_WORDS (a failure whose message is already the whole
 *     text, such as an empty properties answer);
 *   get_layer_mount_path: HCSOCI_HOST_STAGE_SECOND_CALL (the text, after the length). */
#define HCSOCI_HOST_STAGE_CALLBACK_REGISTRATION "callback registration"
#define HCSOCI_HOST_STAGE_PROPERTIES_QUERY "properties query"
#define HCSOCI_HOST_STAGE_OWN_WORDS "own words"
#define HCSOCI_HOST_STAGE_SECOND_CALL "second call"

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

    /* HCS compute system life cycle, appended after destroy: an implementation built before
     * them has a smaller size and lacks them (use the hcsoci_compute_system_* functions of
     * hcsoci.h, which check). Start runs a created system; terminate stops a created or
     * running one; close forgets a system (its handle, in HCS) whatever its state. */
    int (*start_compute_system)(hcsoci_host *host, const char *id, hcsoci_error **error);
    int (*terminate_compute_system)(hcsoci_host *host, const char *id, hcsoci_error **error);
    int (*close_compute_system)(hcsoci_host *host, const char *id, hcsoci_error **error);
} hcsoci_host_ops;

/* HRESULTs HCS answers for a compute system's life cycle (the simulated host answers them). */
#define HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST ((int32_t)0xC037010E) /* no system with this id */
#define HCSOCI_HCS_E_INVALID_STATE ((int32_t)0xC0370105)   /* not valid in the system's state */
#define HCSOCI_HCS_E_ALREADY_STOPPED ((int32_t)0xC0370110) /* the system is not running */

struct hcsoci_host {
    const hcsoci_host_ops *ops;
};

/* Windows builds the reference compares against. */
#define HCSOCI_BUILD_RS3 16299u
#define HCSOCI_BUILD_RS5 17763u
#define HCSOCI_BUILD_19H1 18362u

/* Destroys any host through its ops; NULL is allowed. */
void hcsoci_host_destroy(hcsoci_host *host);

#ifdef __cplusplus
}
#endif
#endif
