/* The WCOW builder module's insides: what it reads from the spec, the allocation step (the
 * reference's allocateWindowsResources), the container configuration it computes (the
 * reference's createWindowsContainerDocument) and the two documents that configuration is
 * written as (schema 1.0 ContainerConfig, schema 2.x Container). Not installed. */
#ifndef HCSOCI_WCOW_H
#define HCSOCI_WCOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/plugin.h>
#include <hcsoci/spec.h>

/* ---- The spec as the module reads it (spec_read.c) ----
 * Strings and arrays are borrowed from the spec; re-read after the spec changes. */

typedef struct wcow_mount {
    const char *destination; /* "" when absent */
    const char *type;        /* "" when absent */
    const char *source;      /* "" when absent */
    const json_t *options;   /* array of strings, or NULL */
} wcow_mount;

typedef struct wcow_device {
    const char *id;      /* "" when absent */
    const char *id_type; /* "" when absent */
} wcow_device;

typedef struct wcow_spec {
    bool has_windows;                   /* spec.windows is present */
    const json_t *layer_folders;        /* windows.layerFolders (strings) or NULL */
    size_t layer_count;
    bool has_hyperv;                    /* windows.hyperv is present (even {}) */
    const char *utility_vm_path;        /* windows.hyperv.utilityVMPath, "" when absent */
    bool ignore_flushes_during_boot;
    const char *credential_spec;        /* windows.credentialSpec when a string, else NULL */
    bool has_network;                   /* windows.network is present */
    const json_t *endpoint_list;        /* windows.network.endpointList or NULL */
    bool allow_unqualified_dns_query;
    const json_t *dns_search_list;      /* windows.network.DNSSearchList or NULL */
    const char *network_shared_container_name; /* "" when absent */
    const char *hostname;               /* "" when absent */
    wcow_mount *mounts;                 /* owned array */
    size_t mount_count;
    wcow_device *devices;               /* owned array */
    size_t device_count;
} wcow_spec;

/* Reads and type-checks every spec field the module uses (and the resource fields the
 * annotation parsers fall back to); errors name the field. Free with wcow_spec_clear. */
int wcow_spec_read(const json_t *spec, wcow_spec *result, hcsoci_error **error);

/* Frees what wcow_spec_read allocated; safe on a zeroed or already cleared value. */
void wcow_spec_clear(wcow_spec *spec);

/* The spec's root.path ("" when absent; borrowed) and root.readonly. */
const char *wcow_spec_root_path(const json_t *spec);
bool wcow_spec_root_readonly(const json_t *spec);

/* Sets root.path, creating root when the spec has none. */
int wcow_spec_set_root_path(json_t *spec, const char *path, hcsoci_error **error);

/* A mount written the way the reference's errors show one:
 * "{Destination:<d> Type:<t> Source:<s> Options:[<o1> <o2>]}". The caller frees it; NULL when
 * memory runs out. */
char *wcow_mount_text(const wcow_mount *mount);

/* True when a mount's options ask for read-only ("ro" in any case). */
bool wcow_mount_is_read_only(const wcow_mount *mount);

/* ---- One build ---- */

typedef struct wcow_build {
    hcsoci_build_context *context;
    wcow_spec spec;
    bool is_v1;  /* schema 1.0 */
    bool is_v2;  /* schema 2.1 */
    /* The ContainerCredentialGuard state for a schema 2.1 document, filled by the allocation
     * step when the spec has a credential spec (else NULL). Owned. */
    json_t *credential_guard_state;
} wcow_build;

/* The reference's four shapes of a Windows container. */
bool wcow_is_v1_argon(const wcow_build *build); /* 1.0 without windows.hyperv */
bool wcow_is_v1_xenon(const wcow_build *build); /* 1.0 in a hosting system (unreachable) */
bool wcow_is_v2_argon(const wcow_build *build); /* 2.1, process isolated */
bool wcow_is_v2_xenon(const wcow_build *build); /* 2.1 in a hosting system */

/* ---- Allocation (allocate.c) ----
 * Scratch folder and sandbox.vhdx, layer mounting (recorded in the ledger), mount checks and,
 * in a hosting system, the mounts as VSMB shares, SCSI disks and pipes of the VM (recorded in
 * the ledger), credentials and devices. May change context->spec (root.path, the type of a
 * disk mount, devices). */
int wcow_allocate(wcow_build *build, hcsoci_error **error);

/* ---- The container configuration (document.c) ---- */

typedef struct wcow_layer {
    char *id;
    char *path;
} wcow_layer;

typedef struct wcow_mapped_directory {
    const char *host_path;       /* schema 1.0: the mount's source */
    char *v2_host_path;          /* schema 2.x: the source, or its path in the hosting system */
    const char *container_path;
    bool read_only;
} wcow_mapped_directory;

typedef struct wcow_mapped_pipe {
    char *host_path;
    char *container_pipe_name;
} wcow_mapped_pipe;

typedef struct wcow_assigned_device {
    const char *type;                 /* NULL when not set */
    const char *interface_class_guid; /* NULL when not set */
    const char *location_path;        /* NULL when not set */
} wcow_assigned_device;

/* Everything createWindowsContainerDocument computes, before it is written as JSON. Strings
 * marked const are borrowed from the spec or the build context. */
typedef struct wcow_container_config {
    const char *name;
    const char *owner;
    bool ignore_flushes_during_boot;
    const char *hostname;                  /* "" when none */

    bool processor_set;
    int32_t processor_count;
    int32_t processor_maximum;
    int32_t processor_weight;

    uint64_t memory_in_mb;                 /* 0: not set */

    bool storage_qos_set;
    int32_t storage_iops_maximum;
    int32_t storage_bandwidth_maximum;

    bool networking_set;
    const json_t *endpoint_list;           /* schema 1.0 only */
    const char *network_namespace;         /* schema 2.x only */
    bool allow_unqualified_dns_query;
    char *dns_search_list;                 /* joined with ","; NULL when the spec has none */
    const char *network_shared_container_name;

    const char *credentials;               /* schema 1.0: the credential spec, or NULL */
    json_t *credential_guard_state;        /* schema 2.x: borrowed from the build, or NULL */

    char *volume_path;                     /* schema 1.0 VolumePath, or NULL */
    char *storage_path;                    /* schema 2.x Storage.Path, or NULL */
    const char *layer_folder_path;         /* schema 1.0: the scratch folder */
    bool layers_set;                       /* schema 1.0 writes Layers as null when not set */
    wcow_layer *layers;
    size_t layer_count;

    wcow_mapped_directory *mapped_directories;
    size_t mapped_directory_count;
    wcow_mapped_pipe *mapped_pipes;
    size_t mapped_pipe_count;

    bool hv_partition;                     /* schema 1.0 */
    char *hv_runtime_image_path;           /* schema 1.0 HvRuntime.ImagePath, or NULL */

    wcow_assigned_device *assigned_devices; /* schema 2.x */
    size_t assigned_device_count;
} wcow_container_config;

/* Computes the configuration (the reference's createWindowsContainerDocument and
 * parseAssignedDevices): checks, resources, network, storage, layer ids, mounts, devices.
 * May change context->spec (root.path gains its trailing backslash). Free with
 * wcow_container_config_clear, also after a failure. */
int wcow_container_config_build(wcow_build *build, wcow_container_config *config,
                                hcsoci_error **error);

void wcow_container_config_clear(wcow_container_config *config);

/* ---- JSON documents (schema_json.c) ----
 * Written in the reference's field order with its omit-when-empty rules. New references,
 * NULL when memory runs out. */

/* The schema 1.0 ContainerConfig, sent to HCS as it is. */
json_t *wcow_v1_container_config_json(const wcow_container_config *config);

/* The schema 2.x Container object. */
json_t *wcow_v2_container_json(const wcow_container_config *config);

/* The schema 2.1 ComputeSystem of a process-isolated container (container is stolen). */
json_t *wcow_v2_compute_system_json(const char *owner, json_t *container);

/* The schema 2.1 HostedSystem of a container in a hosting system (container is stolen). */
json_t *wcow_v2_hosted_system_json(json_t *container);

#endif
