/* The plugin ABI: what a backend module exports and what the core hands it.
 *
 * A module is a libtool module (-module -avoid-version) that exports exactly one symbol, its
 * descriptor, named with libltdl's prefix: <module>_LTX_hcsoci_plugin_descriptor, where
 * <module> is the file name without extension ("wcow" for wcow.so). HCSOCI_PLUGIN_DESCRIPTOR
 * writes that declaration.
 *
 * Compatibility: the core refuses a module built for another ABI major, or for a newer minor
 * than the core knows. Structures carry their size and only ever grow at the end; a module
 * built against an older minor has a smaller ops table, and the core treats the ops beyond it
 * as absent. */
#ifndef HCSOCI_PLUGIN_H
#define HCSOCI_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>
#include <hcsoci/resources.h>
#include <hcsoci/schema.h>
#include <hcsoci/uvm.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HCSOCI_PLUGIN_ABI_MAJOR 1
#define HCSOCI_PLUGIN_ABI_MINOR 1

/* The symbol libltdl looks up (after trying the <module>_LTX_ prefixed form). */
#define HCSOCI_PLUGIN_DESCRIPTOR_SYMBOL "hcsoci_plugin_descriptor"

typedef enum hcsoci_plugin_kind {
    HCSOCI_PLUGIN_BUILDER = 1, /* builds container documents (WCOW, LCOW) */
    HCSOCI_PLUGIN_NETWORK = 2, /* HNS namespaces and endpoints */
    HCSOCI_PLUGIN_DEVICES = 3, /* device assignment into utility VMs */
} hcsoci_plugin_kind;

typedef enum hcsoci_spec_kind {
    HCSOCI_SPEC_WINDOWS = 1, /* the spec has no linux section */
    HCSOCI_SPEC_LINUX = 2,   /* the spec has a linux section */
} hcsoci_spec_kind;

typedef enum hcsoci_hosting_kind {
    HCSOCI_HOSTING_NONE = 0, /* process isolated */
    HCSOCI_HOSTING_WINDOWS = 1,
    HCSOCI_HOSTING_LINUX = 2,
} hcsoci_hosting_kind;

/* What a builder is chosen by. */
typedef struct hcsoci_match_key {
    hcsoci_spec_kind spec_kind;
    hcsoci_schema_version schema;
    hcsoci_hosting_kind hosting;
} hcsoci_match_key;

typedef struct hcsoci_runtime hcsoci_runtime;

/* Everything a builder is given for one create. The core owns all of it; the builder may change
 * spec (its own copy of the caller's) and add to resources. */
typedef struct hcsoci_build_context {
    size_t size;                       /* sizeof(hcsoci_build_context) of the core */
    hcsoci_runtime *runtime;           /* for core services that dispatch to other modules */
    hcsoci_host *host;
    const char *id;
    const char *owner;
    hcsoci_schema_version schema;      /* already determined */
    json_t *spec;
    hcsoci_uvm *hosting_system;        /* NULL when process isolated */
    const char *network_namespace;     /* "" when the container has none */
    bool scale_cpu_limits_to_sandbox;
    hcsoci_resources *resources;
    /* ABI 1.1: what the builder's read_spec made of the spec for this create (its own type),
     * or NULL. build may use it and take what it holds; the core releases it afterwards. */
    void *spec_reading;
} hcsoci_build_context;

/* What a builder returns: exactly one of the two documents (new references, owned by the core
 * once returned). */
typedef struct hcsoci_build_output {
    json_t *compute_system_document; /* sent to HcsCreateComputeSystem as it is */
    json_t *hosted_system_document;  /* created inside the hosting system */
} hcsoci_build_output;

typedef struct hcsoci_builder_ops {
    /* Allocates what the container needs (recording each allocation in context->resources)
     * and builds its document. On failure the core releases what the ledger holds. */
    int (*build)(hcsoci_build_context *context, hcsoci_build_output *output,
                 hcsoci_error **error);
    /* Optional (NULL: none): checks the spec's types before anything is allocated. The core
     * calls it right after choosing the builder, before networking, so that a malformed spec
     * makes no host call. It must not allocate, call the host or change the context. */
    int (*validate)(const hcsoci_build_context *context, hcsoci_error **error);
    /* Optional (ABI 1.1; NULL: none): validate that keeps what it read, so that build need
     * not read the spec again. The core calls it instead of validate, under the same rules;
     * *reading (the module's own type, NULL allowed) reaches build as context->spec_reading
     * and is handed to release_reading once build has returned, or when the create stops
     * before build (also when read_spec itself failed after setting *reading). */
    int (*read_spec)(const hcsoci_build_context *context, void **reading, hcsoci_error **error);
    /* Frees what read_spec made (never called with NULL); required with read_spec. */
    void (*release_reading)(void *reading);
} hcsoci_builder_ops;

typedef struct hcsoci_network_ops {
    /* Creates a namespace for the spec's windows.network section and adds its endpoints,
     * recording both in context->resources ("network." entries and the namespace). */
    int (*create_namespace)(hcsoci_build_context *context, hcsoci_error **error);
    /* The full HNS records of the endpoints in a namespace, in HNS order (new array). */
    int (*namespace_endpoints)(hcsoci_host *host, const char *namespace_id, json_t **endpoints,
                               hcsoci_error **error);
    /* Releases one "network." ledger entry. Something already gone is not an error. */
    int (*release)(hcsoci_host *host, const json_t *entry, hcsoci_error **error);
} hcsoci_network_ops;

typedef struct hcsoci_devices_ops {
    /* Assigns the spec's windows.devices into context->hosting_system and replaces them with
     * what the container sees; records what it added in context->resources. */
    int (*assign_windows_devices)(hcsoci_build_context *context, hcsoci_error **error);
    /* Assigns a Linux container's devices (GPUs) into its utility VM and rewrites their ids. */
    int (*assign_linux_devices)(hcsoci_build_context *context, hcsoci_error **error);
} hcsoci_devices_ops;

typedef struct hcsoci_plugin_descriptor {
    uint16_t abi_major;         /* HCSOCI_PLUGIN_ABI_MAJOR the module was built against */
    uint16_t abi_minor;         /* HCSOCI_PLUGIN_ABI_MINOR likewise */
    uint32_t descriptor_size;   /* sizeof(hcsoci_plugin_descriptor) likewise */
    uint32_t kind;              /* hcsoci_plugin_kind */
    uint32_t ops_size;          /* sizeof the kind's ops table likewise */
    const char *name;           /* short unique name, e.g. "wcow" */
    const char *version;        /* the module's own version */
    const char *description;    /* one line for `hcsoci plugins` */
    /* Builders: the priority for a key, 0 meaning "not mine". Other kinds: NULL. */
    unsigned (*match)(const hcsoci_match_key *key);
    const void *ops;            /* hcsoci_builder_ops, hcsoci_network_ops or hcsoci_devices_ops */
} hcsoci_plugin_descriptor;

/* Declares a module's descriptor under libltdl's prefixed name; follow it with the
 * initializer: HCSOCI_PLUGIN_DESCRIPTOR(wcow) = { ... }; */
#define HCSOCI_PLUGIN_DESCRIPTOR(module)                                                       \
    extern const hcsoci_plugin_descriptor module##_LTX_hcsoci_plugin_descriptor;              \
    __attribute__((visibility("default")))                                                    \
    const hcsoci_plugin_descriptor module##_LTX_hcsoci_plugin_descriptor

/* Fills the ABI fields of a descriptor initializer. */
#define HCSOCI_PLUGIN_ABI_FIELDS                                                               \
    .abi_major = HCSOCI_PLUGIN_ABI_MAJOR, .abi_minor = HCSOCI_PLUGIN_ABI_MINOR,               \
    .descriptor_size = sizeof(hcsoci_plugin_descriptor)

/* ---- Core services for modules ---- */

/* Asks the devices module to assign the spec's windows devices (see hcsoci_devices_ops). */
int hcsoci_assign_windows_devices(hcsoci_build_context *context, hcsoci_error **error);

/* Asks the devices module to assign a Linux container's devices. */
int hcsoci_assign_linux_devices(hcsoci_build_context *context, hcsoci_error **error);

/* The error every op of a module without that feature returns: "<what> is not supported by
 * this build of hcsoci". Returns -1. */
int hcsoci_not_supported(hcsoci_error **error, const char *what);

#ifdef __cplusplus
}
#endif
#endif
