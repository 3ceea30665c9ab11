/* The allocation steps of a Linux container in its utility VM (the reference's
 * allocateLinuxResources), in the order the builder runs them. Each works on context->spec in
 * its normalised form (spec_normalize.h: canonical keys, Go's types already checked), rewrites
 * it to what the guest sees, and records what it adds in context->resources so that the core
 * releases it. context->hosting_system must be a Linux utility VM. Not installed. */
#ifndef HCSOCI_LCOW_ALLOCATE_H
#define HCSOCI_LCOW_ALLOCATE_H

#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/plugin.h>

/* The root file system: with windows.layerFolders, each read-only layer's layer.vhd on vPMEM
 * or SCSI, the scratch's sandbox.vhdx on SCSI at the container root and the combined layers at
 * <root>/rootfs (recorded as the ledger's layers); without them, a Plan 9 share of root.path at
 * <root>/rootfs. root.path becomes the path in the VM. */
int lcow_allocate_root(hcsoci_build_context *context, hcsoci_error **error);

/* The mounts of type bind, physical-disk and virtual-disk: Plan 9 shares of host directories
 * (or of a single file's directory, restricted to that file), sandbox:// paths kept as they
 * are, and SCSI disks (their type becomes "none"). Each source becomes its path in the VM.
 * Mounts of other types are left alone. */
int lcow_allocate_mounts(hcsoci_build_context *context, hcsoci_error **error);

/* Hands a non-empty windows.devices list to the core's device service, which assigns the
 * devices into the VM and rewrites their ids in context->spec. */
int lcow_assign_devices(hcsoci_build_context *context, hcsoci_error **error);

/* A mount as Go's %+v prints the reference's specs.Mount, for error messages:
 * "{Destination:/x Type:bind Source:C:\x Options:[rbind ro]}". Caller frees; NULL when memory
 * runs out. */
char *lcow_mount_text(const json_t *mount);

#endif
