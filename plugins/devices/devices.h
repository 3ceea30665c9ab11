/* The devices module's internal interface: the two assignment flows (Windows utility VMs:
 * vPCI devices and kernel drivers; Linux utility VMs: GPUs) and the helpers they share. */
#ifndef HCSOCI_DEVICES_MODULE_H
#define HCSOCI_DEVICES_MODULE_H

#include <stddef.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>
#include <hcsoci/plugin.h>
#include <hcsoci/uvm.h>

/* The spec's device id types the module knows (the OCI windows.devices[].idType values). */
#define DEVICES_ID_TYPE_VPCI_INSTANCE "vpci-instance-id"
#define DEVICES_ID_TYPE_VPCI_LEGACY "vpci"
#define DEVICES_ID_TYPE_LOCATION_PATH "vpci-location-path"
#define DEVICES_ID_TYPE_GPU "gpu"

/* One entry of the spec's windows.devices: the object itself and its two strings (borrowed
 * from it; "" when absent). */
typedef struct devices_spec_device {
    json_t *object;
    const char *id;
    const char *id_type;
} devices_spec_device;

/* Checks what both ops rely on: a context with a host and a spec that is a JSON object. */
int devices_check_context(const hcsoci_build_context *context, hcsoci_error **error);

/* Reads spec.windows.devices, checking that it is an array of objects whose id and idType are
 * strings. *devices (caller frees with free) borrows from spec; *count is 0 and *devices NULL
 * when the spec names no devices. */
int devices_read_spec(const json_t *spec, devices_spec_device **devices, size_t *count,
                      hcsoci_error **error);

/* Fails with the error the host's file system gives for a path that does not exist
 * ("CreateFile <path>: The system cannot find the file specified.", or "path" when the
 * parent directory is missing too). Returns -1. */
int devices_missing_path_error(hcsoci_host *host, const char *path, hcsoci_error **error);

/* One argument quoted for a Windows command line the way the reference quotes it (Go's
 * EscapeArg). Caller frees; NULL when memory runs out. */
char *devices_escape_argument(const char *argument);

/* The arguments joined into one Windows command line, each quoted as above. Caller frees;
 * NULL when memory runs out. */
char *devices_command_line(const char *const *arguments, size_t count);

/* Runs the arguments as a process in the utility VM through the host and returns what it
 * printed (*output, caller frees). */
int devices_run_in_uvm(hcsoci_host *host, const hcsoci_uvm *uvm, const char *const *arguments,
                       size_t count, char **output, hcsoci_error **error);

/* The hcsoci_devices_ops.assign_windows_devices op (see plugin.h). */
int devices_assign_windows(hcsoci_build_context *context, hcsoci_error **error);

/* The hcsoci_devices_ops.assign_linux_devices op (see plugin.h). */
int devices_assign_linux(hcsoci_build_context *context, hcsoci_error **error);

#endif
