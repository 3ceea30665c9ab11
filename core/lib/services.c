/* Core services that modules call and that dispatch to other modules. */
#include "runtime_internal.h"

#include "acting_module.h"

int hcsoci_not_supported(hcsoci_error **error, const char *what)
{
    return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED, "%s is not supported by this build of hcsoci",
                       what);
}

/* Runs the devices module's operation for Windows or Linux devices, as its acting module. */
static int assign_devices(hcsoci_build_context *context, bool linux_devices,
                          hcsoci_error **error)
{
    const loaded_module *devices =
        runtime_module_of_kind(context->runtime, HCSOCI_PLUGIN_DEVICES, error);
    if (devices == NULL)
        return -1;
    const char *outer = acting_module_enter(devices->descriptor->name);
    int result = linux_devices ? devices->ops.devices.assign_linux_devices(context, error)
                               : devices->ops.devices.assign_windows_devices(context, error);
    acting_module_enter(outer);
    return result;
}

int hcsoci_assign_windows_devices(hcsoci_build_context *context, hcsoci_error **error)
{
    return assign_devices(context, false, error);
}

int hcsoci_assign_linux_devices(hcsoci_build_context *context, hcsoci_error **error)
{
    return assign_devices(context, true, error);
}

int hcsoci_get_namespace_endpoints(hcsoci_runtime *runtime, const char *namespace_id,
                                   json_t **endpoints, hcsoci_error **error)
{
    *endpoints = NULL;
    if (namespace_id == NULL || namespace_id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a network namespace id is required");
    const loaded_module *network = runtime_module_of_kind(runtime, HCSOCI_PLUGIN_NETWORK, error);
    if (network == NULL)
        return -1;
    return network->ops.network.namespace_endpoints(runtime->host, namespace_id, endpoints, error);
}
