/* Devices of a container in a Linux utility VM: only GPUs. Each is assigned to the VM over
 * vPCI and its id in the spec becomes the VMBus GUID it appears under, so that the guest knows
 * which device to map into the container. The GPU support VHD that the gpuvhdpath annotation
 * names is then attached read-only on SCSI at /run/nvidia, once for all GPUs.
 *
 * What this op adds stays in the build ledger when a later step fails: the builder's caller
 * releases it with everything else, as the reference does. */
#include "devices.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/annotations.h>
#include <hcsoci/spec.h>

#define GPU_VHD_MOUNT_PATH "/run/nvidia"

/* Attaches the GPU support VHD named by the annotation. */
static int add_gpu_vhd(hcsoci_build_context *context, hcsoci_uvm *uvm, hcsoci_error **error)
{
    const char *vhd_path = hcsoci_spec_annotation(context->spec, HCSOCI_ANNOTATION_GPU_VHD_PATH);
    int result = 0;
    if (vhd_path == NULL || vhd_path[0] == '\0') {
        result = hcsoci_fail(error, HCSOCI_E_INVALID, "no gpu vhd specified (annotation %s)",
                             HCSOCI_ANNOTATION_GPU_VHD_PATH);
    } else if (context->host->ops->stat_path(context->host, vhd_path, NULL) ==
               HCSOCI_PATH_MISSING) {
        result = devices_missing_path_error(context->host, vhd_path, error);
        hcsoci_fail_prefixed(error, "failed to find gpu support vhd %s: ", vhd_path);
    }
    if (result != 0)
        return hcsoci_fail_prefixed(error, "failed to add gpu vhd to %s: ", hcsoci_uvm_id(uvm));
    /* The VM group already has access to the GPU VHD, so no access is granted here. */
    if (hcsoci_uvm_add_scsi(uvm, vhd_path, GPU_VHD_MOUNT_PATH, true, HCSOCI_VM_ACCESS_NONE, NULL,
                            context->resources, error) != 0)
        return hcsoci_fail_prefixed(error, "failed to add scsi device %s in the UVM %s at %s: ",
                                    vhd_path, hcsoci_uvm_id(uvm), GPU_VHD_MOUNT_PATH);
    return 0;
}

int devices_assign_linux(hcsoci_build_context *context, hcsoci_error **error)
{
    if (devices_check_context(context, error) != 0)
        return -1;
    hcsoci_uvm *uvm = context->hosting_system;
    if (uvm == NULL || hcsoci_uvm_get_os(uvm) != HCSOCI_UVM_LINUX)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "a Linux container's devices can only be assigned to a Linux utility "
                           "VM%s",
                           uvm == NULL ? " (the container has no hosting system)" : "");
    devices_spec_device *devices = NULL;
    size_t count = 0;
    if (devices_read_spec(context->spec, &devices, &count, error) != 0)
        return -1;

    bool gpu_assigned = false;
    int result = 0;
    for (size_t i = 0; result == 0 && i < count; i++) {
        const devices_spec_device *device = &devices[i];
        if (strcmp(device->id_type, DEVICES_ID_TYPE_GPU) != 0) {
            result = hcsoci_fail(error, HCSOCI_E_INVALID,
                                 "specified device %s has unsupported type %s", device->id,
                                 device->id_type);
            break;
        }
        if (device->id[0] == '\0') {
            result = hcsoci_fail(error, HCSOCI_E_INVALID,
                                 "invalid field 'windows.devices[%zu].id': a device instance id "
                                 "is required for type %s",
                                 i, device->id_type);
            break;
        }
        char *vmbus_guid = NULL;
        result = hcsoci_uvm_assign_device(uvm, device->id, &vmbus_guid, context->resources,
                                          error);
        if (result != 0) {
            hcsoci_fail_prefixed(error, "failed to assign gpu device %s to pod %s: ",
                                 device->id, hcsoci_uvm_id(uvm));
            break;
        }
        gpu_assigned = true;
        /* device->id is borrowed from the member this replaces: not used after this point. */
        if (json_object_set_new(device->object, "id", json_string(vmbus_guid)) != 0)
            result = hcsoci_fail_out_of_memory(error);
        free(vmbus_guid);
    }
    free(devices);
    if (result == 0 && gpu_assigned)
        result = add_gpu_vhd(context, uvm, error);
    return result;
}
