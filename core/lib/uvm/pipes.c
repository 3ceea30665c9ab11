/* Named pipes mapped into a utility VM, and the names a container sees them by. */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIPE_PREFIX "\\\\.\\pipe\\"

bool hcsoci_uvm_is_pipe(const char *path)
{
    return path != NULL && strncmp(path, PIPE_PREFIX, strlen(PIPE_PREFIX)) == 0;
}

static int modify_pipe(hcsoci_uvm *uvm, const char *host_path, const char *request_type,
                       hcsoci_error **error)
{
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed for a mapped pipe");
    size_t length = strlen(host_path) + sizeof "VirtualMachine/Devices/MappedPipes/";
    char *path = hcsoci_malloc(length);
    if (path == NULL)
        return hcsoci_fail_out_of_memory(error);
    snprintf(path, length, "VirtualMachine/Devices/MappedPipes/%s", host_path);
    json_t *request = uvm_request(path, request_type, NULL, NULL);
    uvm_lock(uvm);
    int result = uvm_modify_locked(uvm, request, error);
    uvm_unlock(uvm);
    json_decref(request);
    free(path);
    return result;
}

int hcsoci_uvm_add_pipe(hcsoci_uvm *uvm, const char *host_path, hcsoci_resources *resources,
                        hcsoci_error **error)
{
    if (modify_pipe(uvm, host_path, "Add", error) != 0)
        return -1;
    if (uvm_record(resources, uvm_pipe_kind.name, json_pack("{s:s}", "hostPath", host_path),
                   error) != 0) {
        hcsoci_uvm_remove_pipe(uvm, host_path, NULL);
        return -1;
    }
    return 0;
}

int hcsoci_uvm_remove_pipe(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error)
{
    return modify_pipe(uvm, host_path, "Remove", error);
}

int hcsoci_uvm_container_pipe_mapping(const hcsoci_uvm *uvm, const char *source,
                                      const char *destination, char **host_path,
                                      char **container_pipe_name, hcsoci_error **error)
{
    *host_path = NULL;
    *container_pipe_name = NULL;
    if (source == NULL || destination == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a pipe mount needs a source and a destination");
    const char *pipe_name = hcsoci_uvm_is_pipe(source) ? source + strlen(PIPE_PREFIX) : source;
    if (uvm == NULL) {
        *host_path = hcsoci_strdup(source);
    } else {
        size_t length = sizeof UVM_VSMB_SHARE_PREFIX + sizeof "IPC$\\" + strlen(pipe_name);
        *host_path = hcsoci_malloc(length);
        if (*host_path != NULL)
            snprintf(*host_path, length, "%sIPC$\\%s", UVM_VSMB_SHARE_PREFIX, pipe_name);
    }
    *container_pipe_name = hcsoci_strdup(hcsoci_uvm_is_pipe(destination)
                                      ? destination + strlen(PIPE_PREFIX)
                                      : destination);
    if (*host_path == NULL || *container_pipe_name == NULL) {
        free(*host_path);
        free(*container_pipe_name);
        *host_path = NULL;
        *container_pipe_name = NULL;
        return hcsoci_fail_out_of_memory(error);
    }
    return 0;
}

/* ---- ledger entries ---- */

static int release_pipe_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error)
{
    const char *host_path = NULL;
    if (uvm_entry_string(entry, uvm_pipe_kind.name, "hostPath", &host_path, error) != 0)
        return -1;
    if (hcsoci_uvm_remove_pipe(uvm, host_path, error) != 0)
        return uvm_release_failed(error, "pipe mount");
    return 0;
}

const uvm_release_kind uvm_pipe_kind = {"uvm.pipe", release_pipe_entry};
