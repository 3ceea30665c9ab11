/* The hosted half of the layer service (layers_uvm.c), called by layers.c. */
#ifndef HCSOCI_LAYERS_INTERNAL_H
#define HCSOCI_LAYERS_INTERNAL_H

#include <hcsoci/layers.h>

/* "<folder>\<file>" as the reference's filepath.Join writes it on Windows (trailing separators
 * of folder dropped). The caller frees the result; NULL when memory runs out. */
char *layers_join_windows_path(const char *folder, const char *file);

/* Mounts layers into uvm (see hcsoci_layers_mount). */
int layers_uvm_mount(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                     const char *container_root_in_uvm, char **root_path, hcsoci_error **error);

/* Unmounts layers from uvm in resumable steps (see hcsoci_layers_unmount_from). */
int layers_uvm_unmount(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                       const char *container_root_in_uvm, bool all, size_t *steps_done,
                       hcsoci_error **error);

/* [{"Id", "Path"}] of the first count layer folders as the VM sees them over VSMB. */
int layers_uvm_hcs_layers(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                          size_t count, json_t **layers, hcsoci_error **error);

#endif
