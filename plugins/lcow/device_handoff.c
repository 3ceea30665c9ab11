/* Handing a Linux container's devices to the core's device service (see allocate.h). The
 * builder never assigns devices itself: the devices module does, and rewrites each id in
 * context->spec to the VMBus GUID the guest sees.
 *
 * A devices module that cannot assign Linux devices yet (or no devices module at all) answers
 * with a not-supported or no-plugin error before it changed anything. A GPU then fails with
 * that error, which says what this build lacks; any other id type fails with the reference's
 * own error for it, which is what a complete module answers too. */
#include "allocate.h"

#include <stdbool.h>
#include <string.h>

#include <hcsoci/log.h>
#include <hcsoci/resources.h>

#define GPU_ID_TYPE "gpu"

int lcow_assign_devices(hcsoci_build_context *context, hcsoci_error **error)
{
    const json_t *devices = json_object_get(json_object_get(context->spec, "windows"), "devices");
    if (json_array_size(devices) == 0)
        return 0;
    size_t recorded = hcsoci_resources_count(context->resources);
    hcsoci_error *module_error = NULL;
    if (hcsoci_assign_linux_devices(context, &module_error) == 0)
        return 0;
    if (module_error == NULL)
        module_error = hcsoci_error_new(HCSOCI_E_FAIL,
                                        "the devices module failed to assign the devices "
                                        "without saying why");

    bool module_unable = module_error != NULL &&
                         (module_error->code == HCSOCI_E_NOT_SUPPORTED ||
                          module_error->code == HCSOCI_E_PLUGIN) &&
                         hcsoci_resources_count(context->resources) == recorded;
    const json_t *first = json_array_get(devices, 0);
    const char *id = json_string_value(json_object_get(first, "id"));
    const char *id_type = json_string_value(json_object_get(first, "idType"));
    if (module_unable && (id_type == NULL || strcmp(id_type, GPU_ID_TYPE) != 0)) {
        HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "devicesModule", module_error->message),
                   "the devices module cannot assign Linux devices; checking the id type here");
        hcsoci_error_free(module_error);
        return hcsoci_fail(error, HCSOCI_E_INVALID, "specified device %s has unsupported type %s",
                           id != NULL ? id : "", id_type != NULL ? id_type : "");
    }
    return hcsoci_error_store(error, module_error);
}
