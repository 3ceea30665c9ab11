/* The utility VM (hosting system) model: state the core owns and every hosted backend uses.
 * Every change is a modify request sent through the host. */
#ifndef HCSOCI_UVM_H
#define HCSOCI_UVM_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>
#include <hcsoci/resources.h>

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

/* The VM's owner (borrowed); containers created in the VM are created under it. */
const char *hcsoci_uvm_owner(const hcsoci_uvm *uvm);

/* The VM's operating system. */
hcsoci_uvm_os hcsoci_uvm_get_os(const hcsoci_uvm *uvm);

/* "windows" or "linux" (static). */
const char *hcsoci_uvm_os_name(hcsoci_uvm_os os);

/* Number of virtual processors. */
int32_t hcsoci_uvm_processor_count(const hcsoci_uvm *uvm);

/* Returns the next value of the container counter (the first call returns 1). */
uint64_t hcsoci_uvm_next_container_number(hcsoci_uvm *uvm);

/* Like hcsoci_uvm_next_container_number, but refuses (an error naming the limit, the counter
 * unchanged) when the counter is at INT64_MAX, the most its saved state can hold. */
int hcsoci_uvm_take_container_number(hcsoci_uvm *uvm, uint64_t *number, hcsoci_error **error);

/* The whole state as JSON (new reference). */
json_t *hcsoci_uvm_to_json(const hcsoci_uvm *uvm);

/* Rebuilds a model saved with hcsoci_uvm_to_json, bound to host (borrowed). */
int hcsoci_uvm_from_json(hcsoci_host *host, const json_t *value, hcsoci_uvm **uvm,
                         hcsoci_error **error);

/* ---- Errors callers tell apart (the codes of the reference's sentinel errors) ---- */

#define HCSOCI_E_UVM_NO_LOCATION ((int32_t)0x8004B101)   /* "no available location" */
#define HCSOCI_E_UVM_NOT_ATTACHED ((int32_t)0x8004B102)  /* "not attached" */
#define HCSOCI_E_UVM_VPMEM_TOO_LARGE ((int32_t)0x8004B103) /* layer too large for vPMEM */

/* ---- Counters and connection ---- */

/* Returns the next value of the mount counter (the first call returns 1); used for unique
 * mount paths in the VM ("/run/mounts/m<n>", "C:\mounts\m<n>"). */
uint64_t hcsoci_uvm_next_mount_number(hcsoci_uvm *uvm);

/* Like hcsoci_uvm_next_mount_number, but refuses (an error naming the limit, the counter
 * unchanged) when the counter is at INT64_MAX, the most its saved state can hold. */
int hcsoci_uvm_take_mount_number(hcsoci_uvm *uvm, uint64_t *number, hcsoci_error **error);

/* Says whether the model talks to a guest connection (GCS). Without one (the default, and the
 * corpus's case) a modify request goes to the host whole, guest request included. With one,
 * the host part and the guest part go separately: on an add the host part first, then the
 * guest part, undoing the host part if the guest part fails; on a remove the guest part first. */
void hcsoci_uvm_set_guest_connection(hcsoci_uvm *uvm, bool connected);

/* ---- Modify requests ---- */

/* Sends a ModifySettingRequest (ResourcePath, RequestType, Settings, GuestRequest) to the VM
 * with the modify semantics above. A failed host call reads
 * "hcsshim::System::Modify <id>: <host text>\n(extra info: <request>)". */
int hcsoci_uvm_modify(hcsoci_uvm *uvm, const json_t *request, hcsoci_error **error);

/* Sends a guest-only request ({"GuestRequest": guest_request}). */
int hcsoci_uvm_guest_request(hcsoci_uvm *uvm, const json_t *guest_request, hcsoci_error **error);

/* ---- Releasing ledger entries ----
 * Every add function below takes an optional ledger (resources may be NULL): on success it
 * appends one "uvm.<what>" entry that hcsoci_uvm_release_entry can release later, and when
 * that append fails it undoes the add. Kinds and their members:
 *   "uvm.vsmb" {hostPath, readOnly}     "uvm.scsi" {hostPath}     "uvm.vpmem" {hostPath}
 *   "uvm.lcowLayer" {hostPath}          "uvm.plan9" {name, uvmPath}
 *   "uvm.pipe" {hostPath}               "uvm.vpci" {deviceInstanceId}
 *   "uvm.hvsocket" {serviceId}          "uvm.networkNamespace" {namespaceId}
 *   "uvm.combinedLayers" {containerRootPath} */

/* Releases one "uvm." ledger entry from this VM, with the reference's Release wording. */
int hcsoci_uvm_release_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error);

/* ---- VSMB shares (Windows VMs) ---- */

/* The share options of the HCS schema (VirtualSmbShareOptions), in its field order. */
typedef struct hcsoci_vsmb_options {
    bool read_only;
    bool share_read;
    bool cache_io;
    bool no_oplocks;
    bool take_backup_privilege;
    bool use_share_root_identity;
    bool no_directmap;
    bool no_locks;
    bool no_dirnotify;
    bool vm_shared_memory;
    bool restrict_file_access;
    bool force_level_ii_oplocks;
    bool reparse_base_layer;
    bool pseudo_oplocks;
    bool non_cache_io;
    bool pseudo_dirnotify;
    bool single_file_mapping;
} hcsoci_vsmb_options;

/* The reference's default options: NoDirectmap when devices are physically backed, and for a
 * read-only share ReadOnly, ShareRead, CacheIo and PseudoOplocks. */
hcsoci_vsmb_options hcsoci_uvm_default_vsmb_options(const hcsoci_uvm *uvm, bool read_only);

/* The options as the schema's JSON object (new reference; false members left out). */
json_t *hcsoci_vsmb_options_to_json(const hcsoci_vsmb_options *options);

/* Shares host_path into the VM. A directory is shared whole; a file shares its directory
 * restricted to the files mapped so far (RestrictFileAccess, SingleFileMapping, AllowedFiles,
 * sent as an Update when the directory is already shared for files). Shares are keyed by path
 * and read-only and ref-counted; names are "s<hex counter>". options NULL: the read-write
 * defaults. */
int hcsoci_uvm_add_vsmb(hcsoci_uvm *uvm, const char *host_path, const hcsoci_vsmb_options *options,
                        hcsoci_resources *resources, hcsoci_error **error);

/* Drops one reference to the share of host_path and read_only; removes it at zero. */
int hcsoci_uvm_remove_vsmb(hcsoci_uvm *uvm, const char *host_path, bool read_only,
                           hcsoci_error **error);

/* The path of host_path inside the VM: the share's guest path, plus the file name for a
 * single-file share. *guest_path is the caller's. */
int hcsoci_uvm_vsmb_guest_path(hcsoci_uvm *uvm, const char *host_path, bool read_only,
                               char **guest_path, hcsoci_error **error);

/* ---- SCSI ---- */

typedef enum hcsoci_vm_access {
    HCSOCI_VM_ACCESS_NONE = 0,       /* access was granted outside hcsoci */
    HCSOCI_VM_ACCESS_GROUP = 1,      /* the VM group (an ACL change on the host; no host call) */
    HCSOCI_VM_ACCESS_INDIVIDUAL = 2, /* GrantVmAccess for this VM */
} hcsoci_vm_access;

typedef struct hcsoci_scsi_location {
    uint32_t controller;
    uint32_t lun;
} hcsoci_scsi_location;

/* Attaches a VHD(X) at the first free slot (ref-counted by host path). uvm_path (may be NULL
 * or "") is where the guest mounts it; without it no guest request is sent. location (may be
 * NULL) receives the slot. Only controller 0 is used ("too many SCSI attachments"). */
int hcsoci_uvm_add_scsi(hcsoci_uvm *uvm, const char *host_path, const char *uvm_path,
                        bool read_only, hcsoci_vm_access access, hcsoci_scsi_location *location,
                        hcsoci_resources *resources, hcsoci_error **error);

/* Attaches a host physical disk (PassThru), granting this VM access to it. */
int hcsoci_uvm_add_scsi_physical_disk(hcsoci_uvm *uvm, const char *host_path, const char *uvm_path,
                                      bool read_only, hcsoci_scsi_location *location,
                                      hcsoci_resources *resources, hcsoci_error **error);

/* Drops one reference to the attachment of host_path; detaches it at zero. */
int hcsoci_uvm_remove_scsi(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error);

/* The guest mount path of an attached host path (caller's). */
int hcsoci_uvm_scsi_guest_path(hcsoci_uvm *uvm, const char *host_path, char **uvm_path,
                               hcsoci_error **error);

/* ---- vPMEM (Linux VMs) ---- */

/* Adds a read-only layer VHD as a vPMEM device ("/run/layers/p<n>", ref-counted by host
 * path). Fails with HCSOCI_E_UVM_VPMEM_TOO_LARGE when the file is larger than the VM's
 * maximum and HCSOCI_E_UVM_NO_LOCATION when all devices are taken. *uvm_path is the caller's. */
int hcsoci_uvm_add_vpmem(hcsoci_uvm *uvm, const char *host_path, char **uvm_path,
                         hcsoci_resources *resources, hcsoci_error **error);

/* Drops one reference to the vPMEM device of host_path; removes it at zero. */
int hcsoci_uvm_remove_vpmem(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error);

/* Adds an LCOW read-only layer: vPMEM first (unless devices are physically backed), falling
 * back to SCSI at "/run/mounts/m<mount counter>" when vPMEM is full or the file too large. */
int hcsoci_uvm_add_lcow_layer(hcsoci_uvm *uvm, const char *host_path, char **uvm_path,
                              hcsoci_resources *resources, hcsoci_error **error);

/* Removes an LCOW layer from vPMEM, or from SCSI when vPMEM does not hold it. */
int hcsoci_uvm_remove_lcow_layer(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error);

/* ---- Plan 9 shares (Linux VMs) ---- */

/* Shares host_path at uvm_path; names come from the Plan 9 counter ("0", "1", ...). restrict_files
 * maps only allowed_names (an array of strings, may be NULL) and needs build 18362 or later.
 * *share_name (may be NULL) is the caller's. */
int hcsoci_uvm_add_plan9(hcsoci_uvm *uvm, const char *host_path, const char *uvm_path,
                         bool read_only, bool restrict_files, const json_t *allowed_names,
                         char **share_name, hcsoci_resources *resources, hcsoci_error **error);

/* Removes the Plan 9 share name mounted at uvm_path. */
int hcsoci_uvm_remove_plan9(hcsoci_uvm *uvm, const char *share_name, const char *uvm_path,
                            hcsoci_error **error);

/* ---- Named pipes ---- */

/* True when path names a named pipe (starts with \\.\pipe\). */
bool hcsoci_uvm_is_pipe(const char *path);

/* Maps the host pipe host_path into the VM, ref-counted by its name (case-insensitively): the
 * host is asked once, and a "uvm.pipe" entry is recorded in resources for every call. */
int hcsoci_uvm_add_pipe(hcsoci_uvm *uvm, const char *host_path, hcsoci_resources *resources,
                        hcsoci_error **error);

/* Drops one reference to a mapped pipe; the last one unmaps it (on failure it stays mapped
 * and referenced). */
int hcsoci_uvm_remove_pipe(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error);

/* The pipe a container sees for a pipe mount: the source through the VM's IPC$ share (or as
 * it is when uvm is NULL) and the destination without the \\.\pipe\ prefix. Both are the
 * caller's. */
int hcsoci_uvm_container_pipe_mapping(const hcsoci_uvm *uvm, const char *source,
                                      const char *destination, char **host_path,
                                      char **container_pipe_name, hcsoci_error **error);

/* ---- vPCI devices ---- */

/* Assigns the host device into the VM under a new VMBus GUID (ref-counted by device id; LCOW
 * also sends a VPCIDevice guest request). *vmbus_guid (may be NULL) is the caller's. */
int hcsoci_uvm_assign_device(hcsoci_uvm *uvm, const char *device_instance_id, char **vmbus_guid,
                             hcsoci_resources *resources, hcsoci_error **error);

/* Drops one reference to an assigned device; removes it at zero. */
int hcsoci_uvm_remove_device(hcsoci_uvm *uvm, const char *device_instance_id,
                             hcsoci_error **error);

/* "VMBUS\{44c4f61d-4444-4400-9d52-802e27ede19f}\{<guid>}": the instance id of the VMBus
 * channel an assigned device appears under in the VM (caller frees; NULL on no memory). */
char *hcsoci_uvm_assigned_device_vmbus_instance_id(const char *vmbus_guid);

/* ---- HvSocket service table ---- */

typedef struct hcsoci_hvsocket_service_config {
    const char *bind_security_descriptor;    /* may be NULL */
    const char *connect_security_descriptor; /* may be NULL */
    bool allow_wildcard_binds;
    bool disabled;
} hcsoci_hvsocket_service_config;

/* Creates or updates the VM's HvSocket service entry for service_id (an Update request). */
int hcsoci_uvm_update_hvsocket_service(hcsoci_uvm *uvm, const char *service_id,
                                       const hcsoci_hvsocket_service_config *config,
                                       hcsoci_resources *resources, hcsoci_error **error);

/* Removes the VM's HvSocket service entry for service_id. */
int hcsoci_uvm_remove_hvsocket_service(hcsoci_uvm *uvm, const char *service_id,
                                       hcsoci_error **error);

/* ---- Network namespaces and NICs ---- */

/* Records a network namespace in the VM ("network namespace already added" when it is); a
 * Windows guest that supports it also gets a NetworkNamespace guest request. */
int hcsoci_uvm_add_network_namespace(hcsoci_uvm *uvm, const char *namespace_id,
                                     hcsoci_resources *resources, hcsoci_error **error);

/* Adds a NIC for each HNS endpoint record (array of objects) not yet in the namespace; the
 * NIC ids are new GUIDs. Windows VMs get a guest-only PreAdd first. Not rolled back. */
int hcsoci_uvm_add_endpoints_to_namespace(hcsoci_uvm *uvm, const char *namespace_id,
                                          const json_t *endpoints, hcsoci_error **error);

/* Removes the namespace's NICs in the order they were added, then the namespace. A namespace
 * the VM does not hold is not an error. */
int hcsoci_uvm_remove_network_namespace(hcsoci_uvm *uvm, const char *namespace_id,
                                        hcsoci_error **error);

/* Removes the NICs of the given endpoints (array of HNS endpoint records) from a namespace. */
int hcsoci_uvm_remove_endpoints_from_namespace(hcsoci_uvm *uvm, const char *namespace_id,
                                               const json_t *endpoints, hcsoci_error **error);

/* ---- Combined layers (the container's root file system in the VM) ---- */

/* Windows: combines layers ([{"Id", "Path"}] in the VM) at container_root_path. */
int hcsoci_uvm_combine_layers_wcow(hcsoci_uvm *uvm, const json_t *layers,
                                   const char *container_root_path, hcsoci_resources *resources,
                                   hcsoci_error **error);

/* Linux: an overlay of layer_paths (array of strings) and scratch_path (may be NULL: read
 * only) at rootfs_path. */
int hcsoci_uvm_combine_layers_lcow(hcsoci_uvm *uvm, const json_t *layer_paths,
                                   const char *scratch_path, const char *rootfs_path,
                                   hcsoci_resources *resources, hcsoci_error **error);

/* Removes the layers combined at root_path. */
int hcsoci_uvm_remove_combined_layers(hcsoci_uvm *uvm, const char *root_path,
                                      hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
