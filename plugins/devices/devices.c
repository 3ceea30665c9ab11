/* The device-assignment module's descriptor: the ops live in wcow_devices.c (Windows utility
 * VMs) and lcow_gpu.c (Linux utility VMs). */
#include "devices.h"

static const hcsoci_devices_ops devices_ops = {
    .assign_windows_devices = devices_assign_windows,
    .assign_linux_devices = devices_assign_linux,
};

HCSOCI_PLUGIN_DESCRIPTOR(devices) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_DEVICES,
    .ops_size = sizeof(hcsoci_devices_ops),
    .name = "devices",
    .version = "1.0.0",
    .description = "vPCI device assignment into utility VMs (Windows devices and kernel "
                   "drivers, Linux GPUs)",
    .match = NULL,
    .ops = &devices_ops,
};
