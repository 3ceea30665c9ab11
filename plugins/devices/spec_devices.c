/* Reading the spec's windows.devices, and the host file system's answer for a missing path. */
#include "devices.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/spec.h>

int devices_check_context(const hcsoci_build_context *context, hcsoci_error **error)
{
    if (context == NULL || context->host == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "assigning devices needs a build context%s",
                           context == NULL ? "" : " with a host");
    if (!json_is_object(context->spec))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid OCI spec: must be an object, not %s",
                           hcsoci_json_kind(context->spec));
    return 0;
}

int devices_read_spec(const json_t *spec, devices_spec_device **devices, size_t *count,
                      hcsoci_error **error)
{
    *devices = NULL;
    *count = 0;
    json_t *windows = NULL;
    json_t *list = NULL;
    if (hcsoci_json_object(spec, "windows", "windows", &windows, error) != 0 ||
        hcsoci_json_object_array(windows, "devices", "windows.devices", &list, error) != 0)
        return -1;
    size_t size = json_array_size(list);
    if (size == 0)
        return 0;
    devices_spec_device *read = hcsoci_calloc(size, sizeof *read);
    if (read == NULL)
        return hcsoci_fail_out_of_memory(error);
    for (size_t i = 0; i < size; i++) {
        char id_field[64];
        char type_field[64];
        snprintf(id_field, sizeof id_field, "windows.devices[%zu].id", i);
        snprintf(type_field, sizeof type_field, "windows.devices[%zu].idType", i);
        read[i].object = json_array_get(list, i);
        if (hcsoci_json_string(read[i].object, "id", id_field, &read[i].id, error) != 0 ||
            hcsoci_json_string(read[i].object, "idType", type_field, &read[i].id_type,
                               error) != 0) {
            free(read);
            return -1;
        }
        if (read[i].id == NULL)
            read[i].id = "";
        if (read[i].id_type == NULL)
            read[i].id_type = "";
    }
    *devices = read;
    *count = size;
    return 0;
}

int devices_missing_path_error(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    /* Windows reports a missing file as "file" when its directory exists, "path" otherwise.
     * The directory is everything before the last separator; "C:" and "" mean a root. */
    size_t split = strlen(path);
    while (split > 0 && path[split - 1] != '\\' && path[split - 1] != '/')
        split--;
    bool parent_exists = false;
    if (split > 0) {
        size_t length = split - 1;
        if (length == 0 || (length == 2 && path[1] == ':'))
            length++;
        char *parent = hcsoci_strndup(path, length);
        if (parent == NULL)
            return hcsoci_fail_out_of_memory(error);
        parent_exists = host->ops->stat_path(host, parent, NULL) == HCSOCI_PATH_DIRECTORY;
        free(parent);
    }
    return hcsoci_fail(error, (int32_t)(parent_exists ? 0x80070002 : 0x80070003),
                       "CreateFile %s: The system cannot find the %s specified.", path,
                       parent_exists ? "file" : "path");
}
