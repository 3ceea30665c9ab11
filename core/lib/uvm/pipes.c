/* Named pipes mapped into a utility VM, and the names a container sees them by. */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>
#include <hcsoci/spec.h>

#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#define PIPE_PREFIX "\\\\.\\pipe\\"

bool hcsoci_uvm_is_pipe(const char *path)
{
    return path != NULL && strncmp(path, PIPE_PREFIX, strlen(PIPE_PREFIX)) == 0;
}

void uvm_pipe_free(uvm_pipe *pipe)
{
    if (pipe == NULL)
        return;
    free(pipe->host_path);
    free(pipe);
}

/* Pipe names are case-insensitive on Windows. */
static ssize_t find_pipe(const hcsoci_uvm *uvm, const char *host_path)
{
    for (size_t i = 0; i < uvm->pipes.count; i++) {
        const uvm_pipe *pipe = uvm->pipes.items[i];
        if (strcasecmp(pipe->host_path, host_path) == 0)
            return (ssize_t)i;
    }
    return -1;
}

/* Sends the Add or Remove of a mapped pipe; the lock must be held. */
static int modify_pipe_locked(hcsoci_uvm *uvm, const char *host_path, const char *request_type,
                              hcsoci_error **error)
{
    size_t length = strlen(host_path) + sizeof "VirtualMachine/Devices/MappedPipes/";
    char *path = hcsoci_malloc(length);
    if (path == NULL)
        return hcsoci_fail_out_of_memory(error);
    snprintf(path, length, "VirtualMachine/Devices/MappedPipes/%s", host_path);
    json_t *request = uvm_request(path, request_type, NULL, NULL);
    int result = uvm_modify_locked(uvm, request, error);
    json_decref(request);
    free(path);
    return result;
}

/* The reference maps a pipe again for every container and unmaps it when the first of them
 * goes, cutting the others off; here a pipe is mapped once and unmapped with its last user. */
static int add_pipe_locked(hcsoci_uvm *uvm, const char *host_path, hcsoci_error **error)
{
    ssize_t index = find_pipe(uvm, host_path);
    if (index >= 0) {
        ((uvm_pipe *)uvm->pipes.items[index])->ref_count++;
        return 0;
    }
    uvm_pipe *pipe = hcsoci_calloc(1, sizeof *pipe);
    if (pipe == NULL || (pipe->host_path = hcsoci_strdup(host_path)) == NULL ||
        uvm_list_reserve(&uvm->pipes) != 0) {
        uvm_pipe_free(pipe);
        return hcsoci_fail_out_of_memory(error);
    }
    pipe->ref_count = 1;
    if (modify_pipe_locked(uvm, host_path, "Add", error) != 0) {
        uvm_pipe_free(pipe);
        return -1;
    }
    uvm_list_append(&uvm->pipes, pipe); /* room was reserved */
    return 0;
}

int hcsoci_uvm_add_pipe(hcsoci_uvm *uvm, const char *host_path, hcsoci_resources *resources,
                        hcsoci_error **error)
{
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed for a mapped pipe");
    uvm_lock(uvm);
    int result = add_pipe_locked(uvm, host_path, error);
    uvm_unlock(uvm);
    if (result != 0)
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
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed for a mapped pipe");
    uvm_lock(uvm);
    int result = 0;
    ssize_t index = find_pipe(uvm, host_path);
    if (index < 0) {
        result = hcsoci_fail(error, HCSOCI_E_UVM_NOT_ATTACHED,
                             "pipe %s is not mapped into the uvm %s", host_path, uvm->id);
    } else {
        uvm_pipe *pipe = uvm->pipes.items[index];
        if (pipe->ref_count == 1) {
            result = modify_pipe_locked(uvm, pipe->host_path, "Remove", error);
            if (result == 0) {
                uvm_list_remove(&uvm->pipes, (size_t)index);
                uvm_pipe_free(pipe);
            }
        } else {
            pipe->ref_count--;
        }
    }
    uvm_unlock(uvm);
    return result;
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

/* ---- saving and loading ---- */

int uvm_pipes_save(const hcsoci_uvm *uvm, json_t *state)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < uvm->pipes.count; i++) {
        const uvm_pipe *pipe = uvm->pipes.items[i];
        if (json_array_append_new(array, json_pack("{s:s,s:I}", "hostPath", pipe->host_path,
                                                   "refCount", (json_int_t)pipe->ref_count)) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return json_object_set_new(state, "pipes", array);
}

int uvm_pipes_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error)
{
    json_t *array = NULL;
    if (hcsoci_json_object_array(state, "pipes", "uvm.pipes", &array, error) != 0)
        return -1;
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item) {
        char field[64];
        int64_t ref_count = 0;
        uvm_pipe *pipe = hcsoci_calloc(1, sizeof *pipe);
        if (pipe == NULL)
            return hcsoci_fail_out_of_memory(error);
        snprintf(field, sizeof field, "uvm.pipes[%zu].hostPath", index);
        int failed = uvm_load_string(item, "hostPath", field, &pipe->host_path, error);
        if (!failed && !hcsoci_uvm_is_pipe(pipe->host_path))
            failed = hcsoci_fail(error, HCSOCI_E_INVALID,
                                 "invalid field '%s': must name a pipe, not '%s'", field,
                                 pipe->host_path);
        snprintf(field, sizeof field, "uvm.pipes[%zu].refCount", index);
        failed = failed ||
                 uvm_load_integer(item, "refCount", field, 1, UINT32_MAX, &ref_count, error);
        if (!failed && find_pipe(uvm, pipe->host_path) >= 0)
            failed = hcsoci_fail(error, HCSOCI_E_INVALID, "'uvm.pipes[%zu]' repeats a pipe",
                                 index);
        if (!failed && uvm_list_append(&uvm->pipes, pipe) != 0)
            failed = hcsoci_fail_out_of_memory(error);
        if (failed) {
            uvm_pipe_free(pipe);
            return -1;
        }
        pipe->ref_count = (uint32_t)ref_count;
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
