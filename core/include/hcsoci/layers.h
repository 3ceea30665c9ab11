/* Image layers: the layer-storage calls the reference's wclayer and layers packages make, for
 * every backend. Layer folders are in the spec's order: base first, ..., scratch last. */
#ifndef HCSOCI_LAYERS_H
#define HCSOCI_LAYERS_H

#include <stdbool.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>
#include <hcsoci/resources.h>
#include <hcsoci/uvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The GUID of a layer folder: NameToGuid of its last path element. *guid is the caller's. */
int hcsoci_layer_id(hcsoci_host *host, const char *layer_path, char **guid, hcsoci_error **error);

/* [{"LayerId","Flags":0,"Path"}] for the first count folders of layer_folders (new array). */
int hcsoci_layer_descriptors(hcsoci_host *host, const json_t *layer_folders, size_t count,
                             json_t **descriptors, hcsoci_error **error);

/* Creates <scratch_folder>\sandbox.vhdx from the parent layers (all folders but the last) with
 * CreateSandboxLayer. Errors read as the reference's wclayer errors. */
int hcsoci_layers_create_scratch(hcsoci_host *host, const json_t *layer_folders,
                                 hcsoci_error **error);

/* Prepares the scratch layer of a Windows container: creates the scratch folder (the last layer
 * folder) when it does not exist, then its sandbox.vhdx with hcsoci_layers_create_scratch when
 * that does not exist ("failed to CreateSandboxLayer ..." then). Nothing is recorded. */
int hcsoci_layers_prepare_scratch(hcsoci_host *host, const json_t *layer_folders,
                                  hcsoci_error **error);

/* Mounts the layers. Without a utility VM (uvm NULL): ActivateLayer, PrepareLayer and
 * GetLayerMountPath on the scratch folder; *root_path is the volume path. In a utility VM:
 * each read-only layer as a VSMB share with backup privilege (Windows) or its layer.vhd on
 * vPMEM or SCSI (Linux), the scratch's sandbox.vhdx on SCSI at container_root_in_uvm, then the
 * combined-layers request; *root_path is where the root file system is (the root itself for
 * Windows, <root>/rootfs for Linux). What was done is undone on failure. *root_path is the
 * caller's. */
int hcsoci_layers_mount(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                        const char *container_root_in_uvm, char **root_path,
                        hcsoci_error **error);

/* hcsoci_layers_mount, recorded in the ledger (with uvm's id, "" on the host) so that
 * releasing it unmounts them. The record is made once the mount succeeded, so that the ledger
 * (and its observer) never holds layers the host does not; when recording fails the layers are
 * unmounted again. */
int hcsoci_layers_mount_recorded(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                                 const char *container_root_in_uvm,
                                 hcsoci_resources *resources, char **root_path,
                                 hcsoci_error **error);

/* Unmounts layers mounted by hcsoci_layers_mount: on the host (uvm NULL), UnprepareLayer then
 * DeactivateLayer of the scratch folder whatever all says (host-mounted layers are always
 * unmounted whole); in a utility VM, all false unmounts only what SCSI holds. */
int hcsoci_layers_unmount(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                          const char *container_root_in_uvm, bool all, hcsoci_error **error);

/* The most steps an unmount has: the combined layers, the scratch disk and one per read-only
 * layer, of at most this many layers' worth. */
#define HCSOCI_LAYERS_UNMOUNT_MAX_STEPS 130

/* hcsoci_layers_unmount in steps that can be resumed: the steps before *steps_done are skipped,
 * each step that succeeds (or finds its resource gone already: the VM no longer has it) moves
 * *steps_done on, and the first step that fails stops the unmount, so that calling again goes
 * on from there and nothing is removed twice. */
int hcsoci_layers_unmount_from(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                               const char *container_root_in_uvm, bool all, size_t *steps_done,
                               hcsoci_error **error);

/* [{"Id", "Path"}] of the first count layer folders with their paths inside the VM's VSMB
 * shares (the reference's GetHCSLayers; NameToGuid per layer). *layers is the caller's. */
int hcsoci_layers_in_uvm(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                         size_t count, json_t **layers, hcsoci_error **error);

/* The error text the reference's wclayer functions produce for a failed host call:
 * "hcsshim::<Operation> - failed failed in Win32: <text> (0x<code>)". Rewrites error. */
void hcsoci_layers_wrap_host_error(hcsoci_error *error, const char *operation);

#ifdef __cplusplus
}
#endif
#endif
