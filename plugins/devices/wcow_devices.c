/* Devices of a container hosted in a Windows utility VM. The device utility (device-util.exe
 * beside the program) is shared into the VM; every vpci-instance-id (or legacy vpci) device is
 * assigned to the VM over vPCI, and the utility, run in the VM, names the location paths of
 * the device's children, which replace the spec's devices as vpci-location-path entries. Then
 * the kernel drivers that the assigned-device annotation names are shared into the VM and
 * installed with pnputil, after the devices so that they bind before the container starts.
 *
 * Everything added is recorded in the build ledger; when a step fails, what this op added is
 * released again here, newest first (the reference also cleans up after itself here, but it
 * leaked the utility's share when assigning a device failed: deviation D3). */
#include "devices.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/annotations.h>
#include <hcsoci/log.h>
#include <hcsoci/spec.h>

#define DEVICE_UTILITY_NAME "device-util.exe"
#define PNPUTIL_PATH "C:\\Windows\\System32\\pnputil.exe"
/* HRESULT_FROM_WIN32(ERROR_NO_MORE_ITEMS): pnputil found no driver ranked above the one the
 * VM already has, which the reference accepts with a warning. */
#define DRIVER_NOT_RANKED_HIGHER ((int32_t)0x80070103)

typedef struct windows_assignment {
    hcsoci_build_context *context;
    hcsoci_uvm *uvm;
    json_t *container_devices; /* the vpci-location-path entries that replace the spec's */
} windows_assignment;

/* <program directory>\device-util.exe (caller frees). */
static int device_utility_host_path(hcsoci_host *host, char **path, hcsoci_error **error)
{
    *path = NULL;
    const char *directory = host->ops->program_directory(host);
    if (directory == NULL || directory[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                           "the host does not say which directory the program runs from, so "
                           "%s cannot be found",
                           DEVICE_UTILITY_NAME);
    size_t length = strlen(directory);
    while (length > 0 && (directory[length - 1] == '\\' || directory[length - 1] == '/'))
        length--;
    size_t size = length + 1 + sizeof DEVICE_UTILITY_NAME;
    *path = hcsoci_malloc(size);
    if (*path == NULL)
        return hcsoci_fail_out_of_memory(error);
    snprintf(*path, size, "%.*s\\%s", (int)length, directory, DEVICE_UTILITY_NAME);
    return 0;
}

/* Shares host_path read-only into the VM and returns its path there (caller frees). */
static int share_read_only(windows_assignment *assignment, const char *host_path,
                           char **guest_path, hcsoci_error **error)
{
    *guest_path = NULL;
    hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(assignment->uvm, true);
    if (hcsoci_uvm_add_vsmb(assignment->uvm, host_path, &options,
                            assignment->context->resources, error) != 0)
        return hcsoci_fail_prefixed(error, "failed to add VSMB share to utility VM for path %s: ",
                                    host_path);
    return hcsoci_uvm_vsmb_guest_path(assignment->uvm, host_path, true, guest_path, error);
}

/* Appends a vpci-location-path entry for every comma-separated path the utility printed. */
static int add_location_paths(windows_assignment *assignment, const char *device_id,
                              const char *output, hcsoci_error **error)
{
    size_t length = strlen(output);
    if (length > 0 && output[length - 1] == '\n')
        length--;
    if (length > 0 && output[length - 1] == '\r')
        length--;
    if (length == 0)
        return hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                           "failed to get any pipe output: %s printed no location path for "
                           "device %s",
                           DEVICE_UTILITY_NAME, device_id);
    const char *start = output;
    const char *end = output + length;
    while (start <= end) {
        const char *comma = memchr(start, ',', (size_t)(end - start));
        const char *stop = comma != NULL ? comma : end;
        json_t *entry = json_pack("{s:s%,s:s}", "id", start, (size_t)(stop - start), "idType",
                                  DEVICES_ID_TYPE_LOCATION_PATH);
        if (entry == NULL)
            return hcsoci_fail_out_of_memory(error);
        HCSOCI_LOG(HCSOCI_LOG_INFO, json_pack("{s:O}", "parsed devices", entry),
                   "added windows device to spec");
        if (json_array_append_new(assignment->container_devices, entry) != 0)
            return hcsoci_fail_out_of_memory(error);
        start = stop + 1;
    }
    return 0;
}

/* Assigns one device over vPCI and asks the utility in the VM for its children. */
static int assign_device(windows_assignment *assignment, const devices_spec_device *device,
                         size_t index, const char *utility_guest_path, hcsoci_error **error)
{
    if (strcmp(device->id_type, DEVICES_ID_TYPE_VPCI_INSTANCE) != 0 &&
        strcmp(device->id_type, DEVICES_ID_TYPE_VPCI_LEGACY) != 0)
        return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                           "device type %s for device %s is not supported in windows",
                           device->id_type, device->id);
    if (device->id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid field 'windows.devices[%zu].id': a device instance id is "
                           "required for type %s",
                           index, device->id_type);

    char *vmbus_guid = NULL;
    if (hcsoci_uvm_assign_device(assignment->uvm, device->id, &vmbus_guid,
                                 assignment->context->resources, error) != 0)
        return hcsoci_fail_prefixed(error, "failed to assign device %s of type %s to pod %s: ",
                                    device->id, device->id_type, hcsoci_uvm_id(assignment->uvm));
    char *vmbus_instance_id = hcsoci_uvm_assigned_device_vmbus_instance_id(vmbus_guid);
    free(vmbus_guid);
    char *parent_flag =
        vmbus_instance_id != NULL ? hcsoci_asprintf("--parentID=%s", vmbus_instance_id) : NULL;
    if (parent_flag == NULL) {
        free(vmbus_instance_id);
        return hcsoci_fail_out_of_memory(error);
    }
    HCSOCI_LOG(HCSOCI_LOG_INFO, json_pack("{s:s}", "vmbus id", vmbus_instance_id),
               "vmbus instance ID");
    free(vmbus_instance_id);

    const char *arguments[] = {utility_guest_path, "children", parent_flag,
                               "--property=location"};
    char *output = NULL;
    int result = devices_run_in_uvm(assignment->context->host, assignment->uvm, arguments,
                                    sizeof arguments / sizeof arguments[0], &output, error);
    free(parent_flag);
    if (result != 0) {
        /* The host reports no exit code when the process could not be run: the reference's
         * "unknown" exit code is -1. */
        return hcsoci_fail_prefixed(error, "failed to find devices with exit code -1: ");
    }
    result = add_location_paths(assignment, device->id, output, error);
    free(output);
    return result;
}

/* The kernel driver paths of the annotation (a new array of strings, empty when the
 * annotation is absent or ""); every path must exist on the host. */
static int kernel_driver_paths(windows_assignment *assignment, json_t **paths,
                               hcsoci_error **error)
{
    hcsoci_host *host = assignment->context->host;
    *paths = json_array();
    if (*paths == NULL)
        return hcsoci_fail_out_of_memory(error);
    const char *value = hcsoci_spec_annotation(assignment->context->spec,
                                               HCSOCI_ANNOTATION_ASSIGNED_DEVICE_KERNEL_DRIVERS);
    if (value == NULL || value[0] == '\0')
        return 0;
    const char *start = value;
    for (;;) {
        size_t length = strcspn(start, ",");
        json_t *path = json_stringn(start, length);
        if (path == NULL || json_array_append_new(*paths, path) != 0)
            return hcsoci_fail_out_of_memory(error);
        const char *text = json_string_value(path);
        if (host->ops->stat_path(host, text, NULL) == HCSOCI_PATH_MISSING) {
            devices_missing_path_error(host, text, error);
            return hcsoci_fail_prefixed(error, "failed to find path to drivers at %s: ", text);
        }
        if (start[length] == '\0')
            return 0;
        start += length + 1;
    }
}

/* Shares a driver directory into the VM and installs the drivers in it with pnputil. */
static int install_driver(windows_assignment *assignment, const char *driver,
                          hcsoci_error **error)
{
    char *guest_path = NULL;
    if (share_read_only(assignment, driver, &guest_path, error) != 0)
        return -1;
    char *pattern = hcsoci_asprintf("%s/*.inf", guest_path);
    if (pattern == NULL) {
        free(guest_path);
        return hcsoci_fail_out_of_memory(error);
    }
    const char *arguments[] = {"cmd", "/c", PNPUTIL_PATH, "/add-driver", pattern, "/subdirs",
                               "/install"};
    char *output = NULL;
    hcsoci_error *cause = NULL;
    int result = devices_run_in_uvm(assignment->context->host, assignment->uvm, arguments,
                                    sizeof arguments / sizeof arguments[0], &output, &cause);
    free(pattern);
    free(output);
    if (result != 0 && cause != NULL && cause->code == DRIVER_NOT_RANKED_HIGHER) {
        HCSOCI_LOG(HCSOCI_LOG_WARN,
                   json_pack("{s:s,s:s,s:s}", "uvm-id", hcsoci_uvm_id(assignment->uvm),
                             "driver", guest_path, "error",
                             "driver not ranked higher than existing driver in UVM; if the "
                             "drivers were not in the UVM before, this is an expected race"),
                   "expected version of driver may not have been installed");
        hcsoci_error_free(cause);
        cause = NULL;
        result = 0;
    }
    if (result != 0) {
        if (cause == NULL)
            cause = hcsoci_error_new(HCSOCI_E_FAIL, "the host gave no reason");
        hcsoci_error_prefix(cause, "failed to install driver %s in uvm with exit code -1: ",
                            guest_path);
        hcsoci_error_store(error, cause);
    } else {
        HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "added drivers", guest_path),
                   "installed drivers");
    }
    free(guest_path);
    return result;
}

static int assign_all(windows_assignment *assignment, const devices_spec_device *devices,
                      size_t count, hcsoci_error **error)
{
    char *utility_host_path = NULL;
    char *utility_guest_path = NULL;
    if (device_utility_host_path(assignment->context->host, &utility_host_path, error) != 0)
        return -1;
    int result = share_read_only(assignment, utility_host_path, &utility_guest_path, error);
    free(utility_host_path);
    for (size_t i = 0; result == 0 && i < count; i++)
        result = assign_device(assignment, &devices[i], i, utility_guest_path, error);
    free(utility_guest_path);
    if (result != 0)
        return -1;

    json_t *drivers = NULL;
    result = kernel_driver_paths(assignment, &drivers, error);
    size_t index;
    json_t *driver;
    json_array_foreach(drivers, index, driver) {
        if (result != 0)
            break;
        result = install_driver(assignment, json_string_value(driver), error);
    }
    json_decref(drivers);
    return result;
}

/* Releases the ledger entries from first on, newest first, and forgets them. A release that
 * fails is logged and the entry forgotten all the same (best effort, as the reference). */
static void release_added(hcsoci_uvm *uvm, hcsoci_resources *resources, size_t first)
{
    while (hcsoci_resources_count(resources) > first) {
        const json_t *entry = hcsoci_resources_entry(resources, hcsoci_resources_count(resources) - 1);
        hcsoci_error *error = NULL;
        if (hcsoci_uvm_release_entry(uvm, entry, &error) != 0) {
            HCSOCI_LOG(HCSOCI_LOG_ERROR, json_pack("{s:s}", "error", error->message),
                       "failed to release container resource");
            hcsoci_error_free(error);
        }
        hcsoci_resources_pop(resources);
    }
}

int devices_assign_windows(hcsoci_build_context *context, hcsoci_error **error)
{
    if (devices_check_context(context, error) != 0)
        return -1;
    hcsoci_uvm *uvm = context->hosting_system;
    if (uvm == NULL || hcsoci_uvm_get_os(uvm) != HCSOCI_UVM_WINDOWS)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "windows devices can only be assigned to a Windows utility VM%s",
                           uvm == NULL ? " (the container has no hosting system)" : "");
    if (context->resources == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "assigning devices needs a resource ledger to record them in");
    devices_spec_device *devices = NULL;
    size_t count = 0;
    if (devices_read_spec(context->spec, &devices, &count, error) != 0)
        return -1;
    if (count == 0)
        return 0;

    windows_assignment assignment = {
        .context = context,
        .uvm = uvm,
        .container_devices = json_array(),
    };
    size_t first = hcsoci_resources_count(context->resources);
    int result = assignment.container_devices != NULL
                     ? assign_all(&assignment, devices, count, error)
                     : hcsoci_fail_out_of_memory(error);
    if (result == 0 &&
        json_object_set(json_object_get(context->spec, "windows"), "devices",
                        assignment.container_devices) != 0)
        result = hcsoci_fail_out_of_memory(error);
    if (result != 0)
        release_added(uvm, context->resources, first);
    json_decref(assignment.container_devices);
    free(devices);
    return result;
}
