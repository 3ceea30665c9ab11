/* The device-assignment module. This build carries its descriptor only: assigning devices
 * into utility VMs arrives with the devices issue, and until then each op reports that. */
#include <hcsoci/plugin.h>

static int devices_assign_windows(hcsoci_build_context *context, hcsoci_error **error)
{
    (void)context;
    return hcsoci_not_supported(error, "assigning devices to a Windows utility VM");
}

static int devices_assign_linux(hcsoci_build_context *context, hcsoci_error **error)
{
    (void)context;
    return hcsoci_not_supported(error, "assigning devices to a Linux utility VM");
}

static const hcsoci_devices_ops devices_ops = {
    .assign_windows_devices = devices_assign_windows,
    .assign_linux_devices = devices_assign_linux,
};

HCSOCI_PLUGIN_DESCRIPTOR(devices) = {
    HCSOCI_PLUGIN_ABI_FIELDS,
    .kind = HCSOCI_PLUGIN_DEVICES,
    .ops_size = sizeof(hcsoci_devices_ops),
    .name = "devices",
    .version = "0.1.0",
    .description = "device assignment into utility VMs (not supported by this build yet)",
    .match = NULL,
    .ops = &devices_ops,
};
