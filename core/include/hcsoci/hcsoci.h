/* libhcsoci: create Windows-host containers the way hcsshim's internal/hcsoci does, with
 * loadable backends. This is the API a program uses; module authors also read plugin.h.
 *
 * Threads: one runtime, one host and one utility VM may be used by many threads at once (a shim
 * creating a pod's containers concurrently): creates and releases in one VM share and ref-count
 * its resources safely. A container, its resources and an error belong to one thread at a time;
 * hcsoci_runtime_new and hcsoci_runtime_free must not overlap other calls on that runtime. */
#ifndef HCSOCI_HCSOCI_H
#define HCSOCI_HCSOCI_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>
#include <hcsoci/log.h>
#include <hcsoci/plugin.h>
#include <hcsoci/resources.h>
#include <hcsoci/schema.h>
#include <hcsoci/spec.h>
#include <hcsoci/uvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Runtime: the loaded modules and the host they talk to ---- */

typedef struct hcsoci_runtime_options {
    hcsoci_host *host;                       /* borrowed; must outlive the runtime */
    const char *const *plugin_directories;   /* NULL-terminated; searched after
                                                HCSOCI_PLUGIN_PATH, before the installed dir */
    const char *const *plugin_files;         /* NULL-terminated; extra module files to load */
    bool skip_environment;                   /* ignore HCSOCI_PLUGIN_PATH */
    bool skip_installed_directory;           /* do not search the installed module directory */
    const char *program_name;                /* default Owner; NULL: this process's name */
} hcsoci_runtime_options;

/* Loads the modules and makes a runtime (README.md, "Modules", gives the discovery order and
 * what is refused). A refused module fails the whole call with an error naming the file and the
 * reason.
 * The caller owns *runtime and frees it with hcsoci_runtime_free. */
int hcsoci_runtime_new(const hcsoci_runtime_options *options, hcsoci_runtime **runtime,
                       hcsoci_error **error);

/* Frees the runtime; NULL is allowed. Its modules stay loaded until the process ends (a later
 * runtime that loads the same files reuses them). */
void hcsoci_runtime_free(hcsoci_runtime *runtime);

/* The host the runtime was made with (borrowed). */
hcsoci_host *hcsoci_runtime_host(const hcsoci_runtime *runtime);

/* What was loaded: [{"name","version","kind","path","description","matches":[...]}] in load
 * order, where matches lists each (spec, schema, hosting) triple the builder takes with its
 * priority. New reference. */
json_t *hcsoci_runtime_plugins(const hcsoci_runtime *runtime);

/* The name of the builder module a create with key goes to (borrowed, valid while the runtime
 * lives), or NULL with an error naming the key (no match) or both modules (equal priorities). */
const char *hcsoci_runtime_builder_name(const hcsoci_runtime *runtime,
                                        const hcsoci_match_key *key, hcsoci_error **error);

/* The installed module directory compiled into the library (static string). */
const char *hcsoci_installed_plugin_directory(void);

/* ---- CreateContainer ---- */

/* The longest container id hcsoci_create_container takes, in bytes. */
#define HCSOCI_MAX_CONTAINER_ID_LENGTH 128

typedef struct hcsoci_create_options {
    const char *id;                         /* NULL or "": a random GUID; at most
                                               HCSOCI_MAX_CONTAINER_ID_LENGTH bytes */
    const char *owner;                      /* NULL or "": the program name; a hosted
                                               container has its VM's owner instead */
    const json_t *spec;                     /* the OCI runtime spec (borrowed, not changed) */
    const hcsoci_schema_version *schema_version; /* requested; NULL: by host build */
    hcsoci_uvm *hosting_system;             /* NULL: process isolated */
    const char *network_namespace;          /* NULL or "": create one when the spec asks */
    bool do_not_release_resources_on_failure;
    bool scale_cpu_limits_to_sandbox;
    bool documents_only;                    /* build the documents, release everything and
                                               create nothing (`hcsoci doc`) */
    /* Observes the ledger as it changes (NULL: not observed): called with ledger_context after
     * each entry added or released, the layers recorded (after they were mounted) or released,
     * the namespace recorded, during the create and the releases it makes on failure; see
     * hcsoci_ledger_observer. A caller that persists the ledger there never forgets what the
     * host holds. */
    hcsoci_ledger_observer ledger_observer;
    void *ledger_context;
} hcsoci_create_options;

/* A created (or, with documents_only, described) container. */
typedef struct hcsoci_container {
    char *id;
    char *owner;                    /* the owner its document carries */
    hcsoci_schema_version schema;
    char *hosting_system_id;        /* NULL when process isolated */
    json_t *document;               /* what was sent to HcsCreateComputeSystem (for a hosted
                                       container: the system in its VM, HostedSystem inside) */
    json_t *spec;                   /* the spec as the backend left it */
} hcsoci_container;

/* Creates a container. *resources receives the ledger in every case where one was opened
 * (also on failure; with do_not_release_resources_on_failure it still holds what was
 * allocated), and the caller owns it. *container is set only on success; the caller frees it
 * with hcsoci_container_free. */
int hcsoci_create_container(hcsoci_runtime *runtime, const hcsoci_create_options *options,
                            hcsoci_container **container, hcsoci_resources **resources,
                            hcsoci_error **error);

/* Frees a container description; NULL is allowed. */
void hcsoci_container_free(hcsoci_container *container);

/* Releases what a ledger holds, in reverse order. With all false only what the reference
 * always releases is released (network namespaces hcsoci created, credential guard
 * instances); uvm is the hosting system (NULL when process isolated). Releasing continues
 * past failures; the error reports that one or more failed. Released entries leave the ledger. */
int hcsoci_release_resources(hcsoci_runtime *runtime, hcsoci_resources *resources, hcsoci_uvm *uvm,
                             bool all, hcsoci_error **error);

/* The HNS endpoint records of a network namespace, in the order HNS lists them (new array). */
int hcsoci_get_namespace_endpoints(hcsoci_runtime *runtime, const char *namespace_id,
                                   json_t **endpoints, hcsoci_error **error);

/* ---- What this build supports ---- */

/* The OCI runtime-spec version hcsoci implements (that of the reference's vendored spec). */
#define HCSOCI_OCI_VERSION "1.0.2"

/* The runtime-spec "features" document of this build (new reference; NULL when memory runs
 * out): {"ociVersionMin": "1.0.0", "ociVersionMax": HCSOCI_OCI_VERSION, "hooks": [] (hcsoci
 * runs no hooks), "mountOptions": ["ro"], "annotations": {implementation facts}, and
 * "potentiallyUnsafeConfigAnnotations": hcsoci_annotation_names(), the config.json annotations
 * that change what is created}. */
json_t *hcsoci_features(void);

/* ---- A compute system's life cycle (hcsshim's System Start, Terminate and Close) ----
 * Each makes one host call (HcsStartComputeSystem, HcsTerminateComputeSystem,
 * HcsCloseComputeSystem) on the compute system id (a container's id, also for a container in a
 * utility VM). Failures read "hcsshim::System::Start <id>: <host text>" with the host's HRESULT
 * as the code; a host built without the op fails with HCSOCI_E_NOT_SUPPORTED. */

/* Starts a created compute system; a running, stopped or unknown one is the host's error. */
int hcsoci_compute_system_start(hcsoci_host *host, const char *id, hcsoci_error **error);

/* Terminates a compute system. As in the reference, one that has already stopped
 * (HCSOCI_HCS_E_ALREADY_STOPPED) or does not exist is not an error. */
int hcsoci_compute_system_terminate(hcsoci_host *host, const char *id, hcsoci_error **error);

/* Closes a compute system: HCS forgets it. One that does not exist (any more) is not an
 * error, so closing twice is harmless. */
int hcsoci_compute_system_close(hcsoci_host *host, const char *id, hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
