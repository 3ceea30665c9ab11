/* The utility VM (hosting system) model: state the core owns and every hosted backend uses.
 * Every change is a modify request sent through the host. */
#ifndef HCSOCI_UVM_H
#define HCSOCI_UVM_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hcsoci_uvm hcsoci_uvm;

typedef enum hcsoci_uvm_os {
    HCSOCI_UVM_WINDOWS = 1,
    HCSOCI_UVM_LINUX = 2,
} hcsoci_uvm_os;

/* What a utility VM is created with (the fields of a conformance case's hostingSystem). */
typedef struct hcsoci_uvm_properties {
    const char *id;
    const char *owner;
    hcsoci_uvm_os os;
    int32_t processor_count;
    uint32_t scsi_controller_count;
    uint32_t vpmem_max_count;
    uint64_t vpmem_max_size_bytes;
    bool physically_backed;
    bool devices_physically_backed;
    bool namespace_add_request_supported;
} hcsoci_uvm_properties;

/* A new utility VM model bound to host (borrowed; must outlive it). Makes no host call. The
 * caller owns the result and frees it with hcsoci_uvm_free. */
int hcsoci_uvm_new(hcsoci_host *host, const hcsoci_uvm_properties *properties, hcsoci_uvm **uvm,
                   hcsoci_error **error);

/* Reads properties from a hostingSystem-shaped object (id, owner, os, processorCount, ...);
 * strings in *properties are borrowed from value. */
int hcsoci_uvm_properties_from_json(const json_t *value, hcsoci_uvm_properties *properties,
                                    hcsoci_error **error);

/* Frees the model (sends nothing); NULL is allowed. */
void hcsoci_uvm_free(hcsoci_uvm *uvm);

/* The VM's id (borrowed). */
const char *hcsoci_uvm_id(const hcsoci_uvm *uvm);

/* The VM's operating system. */
hcsoci_uvm_os hcsoci_uvm_get_os(const hcsoci_uvm *uvm);

/* "windows" or "linux" (static). */
const char *hcsoci_uvm_os_name(hcsoci_uvm_os os);

/* Number of virtual processors. */
int32_t hcsoci_uvm_processor_count(const hcsoci_uvm *uvm);

/* Returns the next value of the container counter (the first call returns 1). */
uint64_t hcsoci_uvm_next_container_number(hcsoci_uvm *uvm);

/* The whole state as JSON (new reference). */
json_t *hcsoci_uvm_to_json(const hcsoci_uvm *uvm);

/* Rebuilds a model saved with hcsoci_uvm_to_json, bound to host (borrowed). */
int hcsoci_uvm_from_json(hcsoci_host *host, const json_t *value, hcsoci_uvm **uvm,
                         hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
