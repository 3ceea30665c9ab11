/* The utility VM model's private state and the helpers its resource files share. Every
 * resource file (vsmb.c, scsi.c, ...) works on this one structure under its lock. */
#ifndef HCSOCI_UVM_INTERNAL_H
#define HCSOCI_UVM_INTERNAL_H

#include <hcsoci/spec.h>
#include <hcsoci/uvm.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hyper-V's limits: 4 SCSI controllers of 64 slots each, 128 vPMEM devices. */
#define UVM_SCSI_CONTROLLERS 4
#define UVM_SCSI_SLOTS 64
#define UVM_VPMEM_DEVICES 128

/* The guest path prefix of every VSMB share. */
#define UVM_VSMB_SHARE_PREFIX "\\\\?\\VMSMB\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\"

/* A growable array of owned pointers. */
typedef struct uvm_list {
    void **items;
    size_t count;
    size_t capacity;
} uvm_list;

typedef struct uvm_vsmb_share {
    char *host_path;      /* the shared directory, cleaned */
    char *name;           /* "s<hex counter>" */
    char *guest_path;     /* UVM_VSMB_SHARE_PREFIX + name */
    bool read_only;
    uint32_t ref_count;
    json_t *allowed_files; /* array of the single files mapped through this share */
} uvm_vsmb_share;

typedef struct uvm_scsi_mount {
    char *host_path;
    char *uvm_path; /* "" when attached without a guest mount */
    uint32_t controller;
    uint32_t lun;
    uint32_t ref_count;
} uvm_scsi_mount;

typedef struct uvm_vpmem_device {
    char *host_path;
    char *uvm_path;
    uint32_t ref_count;
} uvm_vpmem_device;

typedef struct uvm_vpci_device {
    char *device_instance_id;
    char *vmbus_guid;
    uint32_t ref_count;
} uvm_vpci_device;

typedef struct uvm_pipe {
    char *host_path; /* \\.\pipe\name, as first mapped */
    uint32_t ref_count;
} uvm_pipe;

typedef struct uvm_nic {
    char *endpoint_id;
    char *nic_id;   /* the adapter GUID handed out when the NIC was added */
    json_t *endpoint; /* the HNS endpoint record in the reference's shape */
} uvm_nic;

typedef struct uvm_namespace {
    char *id;
    uvm_list nics; /* uvm_nic, in the order they were added */
} uvm_namespace;

struct hcsoci_uvm {
    hcsoci_host *host;
    pthread_mutex_t lock;
    char *id;
    char *owner;
    hcsoci_uvm_properties properties; /* id and owner point at the copies above */
    bool guest_connection;
    uint64_t container_counter;
    uint64_t mount_counter;
    uint64_t vsmb_counter;
    uint64_t plan9_counter;
    uvm_list vsmb_directory_shares; /* uvm_vsmb_share */
    uvm_list vsmb_file_shares;      /* uvm_vsmb_share */
    uvm_scsi_mount *scsi[UVM_SCSI_CONTROLLERS][UVM_SCSI_SLOTS];
    uvm_vpmem_device *vpmem[UVM_VPMEM_DEVICES];
    uvm_list vpci_devices; /* uvm_vpci_device */
    uvm_list pipes;        /* uvm_pipe */
    uvm_list namespaces;   /* uvm_namespace */
};

/* ---- lists ---- */

/* Makes room for one more item, so that the next uvm_list_append cannot fail: called before a
 * host call whose result the list must then record. -1 when memory runs out. */
int uvm_list_reserve(uvm_list *list);

/* Appends item; returns -1 when memory runs out (item is then not added). */
int uvm_list_append(uvm_list *list, void *item);

/* Removes item index, keeping the order of the others. */
void uvm_list_remove(uvm_list *list, size_t index);

/* Frees the array (not the items). */
void uvm_list_clear(uvm_list *list);

/* ---- locking ---- */

void uvm_lock(const hcsoci_uvm *uvm);
void uvm_unlock(const hcsoci_uvm *uvm);

/* ---- requests (modify.c) ---- */

/* A ModifySettingRequest in the reference's field order: ResourcePath, RequestType, Settings,
 * GuestRequest, each left out when NULL or empty. settings and guest_request are stolen. */
json_t *uvm_request(const char *resource_path, const char *request_type, json_t *settings,
                    json_t *guest_request);

/* A guest request {RequestType, ResourceType, Settings}; settings is stolen. NULL settings
 * (one that could not be built) gives NULL. */
json_t *uvm_guest_request(const char *request_type, const char *resource_type, json_t *settings);

/* Sends request (borrowed; NULL means memory ran out) with the modify semantics; the lock
 * must be held. Errors read as the reference's. */
int uvm_modify_locked(hcsoci_uvm *uvm, const json_t *request, hcsoci_error **error);

/* Grants the VM access to a host file as access asks (individual access: GrantVmAccess). */
int uvm_grant_access(hcsoci_uvm *uvm, const char *host_path, hcsoci_vm_access access,
                     hcsoci_error **error);

/* The error the reference returns for a path os.Stat cannot find. */
int uvm_stat_error(hcsoci_uvm *uvm, const char *path, hcsoci_error **error);

/* "not supported" for an operation the VM's operating system does not offer. */
int uvm_not_supported(hcsoci_error **error);

/* Adds a ledger entry of kind with details (stolen) when resources is not NULL. */
int uvm_record(hcsoci_resources *resources, const char *kind, json_t *details,
               hcsoci_error **error);

/* ---- releasing ledger entries ---- */

/* One kind of "uvm." ledger entry: the name its entries carry as "kind", and the function that
 * releases one such entry (from its fields, with the reference's Release wording). The file that
 * records entries of a kind defines it and records under its name, so that each name is spelled
 * once; hcsoci_uvm_release_entry (uvm.c) walks them all. */
/* Moves *counter on by one into *number, or refuses (an error naming the VM and what the
 * counter numbers, *counter unchanged) when it is at INT64_MAX, the most saved state holds.
 * The caller holds the VM's lock. */
int uvm_counter_take(const hcsoci_uvm *uvm, uint64_t *counter, const char *what,
                     uint64_t *number, hcsoci_error **error);

typedef struct uvm_release_kind {
    const char *name;
    int (*release)(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error);
} uvm_release_kind;

extern const uvm_release_kind uvm_vsmb_kind;              /* vsmb.c: {hostPath, readOnly} */
extern const uvm_release_kind uvm_scsi_kind;              /* scsi.c: {hostPath} */
extern const uvm_release_kind uvm_vpmem_kind;             /* vpmem.c: {hostPath} */
extern const uvm_release_kind uvm_lcow_layer_kind;        /* vpmem.c: {hostPath} */
extern const uvm_release_kind uvm_plan9_kind;             /* plan9.c: {name, uvmPath} */
extern const uvm_release_kind uvm_pipe_kind;              /* pipes.c: {hostPath} */
extern const uvm_release_kind uvm_vpci_kind;              /* vpci.c: {deviceInstanceId} */
extern const uvm_release_kind uvm_hvsocket_kind;          /* hvsocket.c: {serviceId} */
extern const uvm_release_kind uvm_network_namespace_kind; /* network.c: {namespaceId} */
/* combine_layers.c: {containerRootPath} */
extern const uvm_release_kind uvm_combined_layers_kind;

/* The string member key of a ledger entry of kind, which releasing requires: missing or not a
 * string is an error naming "<kind>.<key>". *value is borrowed from entry. */
int uvm_entry_string(const json_t *entry, const char *kind, const char *key, const char **value,
                     hcsoci_error **error);

/* Puts the reference's Release wording ("failed to remove <what>: ") in front of *error (when
 * error is not NULL); returns -1. */
int uvm_release_failed(hcsoci_error **error, const char *what);

/* ---- per-resource state for save, load and free ---- */

void uvm_vsmb_share_free(uvm_vsmb_share *share);
void uvm_scsi_mount_free(uvm_scsi_mount *mount);
void uvm_vpmem_device_free(uvm_vpmem_device *device);
void uvm_vpci_device_free(uvm_vpci_device *device);
void uvm_pipe_free(uvm_pipe *pipe);
void uvm_namespace_free(uvm_namespace *namespace_info);

/* Each adds its resources' state to state (an object) or reads it back; loading checks
 * every field and names the bad one. */
int uvm_vsmb_save(const hcsoci_uvm *uvm, json_t *state);
int uvm_vsmb_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error);
int uvm_scsi_save(const hcsoci_uvm *uvm, json_t *state);
int uvm_scsi_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error);
int uvm_vpmem_save(const hcsoci_uvm *uvm, json_t *state);
int uvm_vpmem_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error);
int uvm_vpci_save(const hcsoci_uvm *uvm, json_t *state);
int uvm_vpci_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error);
int uvm_pipes_save(const hcsoci_uvm *uvm, json_t *state);
int uvm_pipes_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error);
int uvm_network_save(const hcsoci_uvm *uvm, json_t *state);
int uvm_network_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error);

/* A copy of a string member that loading requires; error names path. */
int uvm_load_string(const json_t *object, const char *key, const char *path, char **value,
                    hcsoci_error **error);
/* An integer member in [minimum, maximum] that loading requires; error names path. */
int uvm_load_integer(const json_t *object, const char *key, const char *path, int64_t minimum,
                     int64_t maximum, int64_t *value, hcsoci_error **error);

#endif
