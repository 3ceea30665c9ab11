/* A process in a utility VM, run as the reference's ExecInUvm runs one in a Windows utility
 * VM: HcsCreateProcess with the command line, the SYSTEM account and a standard output pipe,
 * the output read to its end, then the exit notification waited for. */
#include "windows_host_internal.h"

#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>

static int require_process_exports(const windows_vmcompute *dll, hcsoci_error **error)
{
    if (WINDOWS_REQUIRE(dll, HcsCreateProcess, error) != 0 ||
        WINDOWS_REQUIRE(dll, HcsRegisterProcessCallback, error) != 0 ||
        WINDOWS_REQUIRE(dll, HcsUnregisterProcessCallback, error) != 0 ||
        WINDOWS_REQUIRE(dll, HcsCloseProcess, error) != 0)
        return -1;
    return 0;
}

/* The process parameters the reference sends (hcsschema.ProcessParameters, empty members
 * left out): {"CommandLine", "User": "NT AUTHORITY\SYSTEM", "CreateStdOutPipe": true}. */
static wchar_t *process_parameters(const char *command_line, hcsoci_error **error)
{
    json_t *parameters = json_pack("{s:s, s:s, s:b}", "CommandLine", command_line, "User",
                                   "NT AUTHORITY\\SYSTEM", "CreateStdOutPipe", 1);
    if (parameters == NULL) {
        hcsoci_fail(error, HCSOCI_E_INVALID, "RunGuestProcess: the command line is not valid UTF-8");
        return NULL;
    }
    wchar_t *text = windows_json_utf16(parameters, "process parameters", error);
    json_decref(parameters);
    return text;
}

/* Everything the pipe carries until its writer closes it, NUL-terminated (caller frees). */
static char *read_to_end(HANDLE pipe, hcsoci_error **error)
{
    size_t length = 0;
    size_t capacity = 4096;
    char *text = hcsoci_malloc(capacity);
    if (text == NULL) {
        hcsoci_fail_out_of_memory(error);
        return NULL;
    }
    for (;;) {
        if (capacity - length < 1025) {
            char *grown = capacity < SIZE_MAX / 2 ? hcsoci_realloc(text, capacity * 2) : NULL;
            if (grown == NULL) {
                free(text);
                hcsoci_fail_out_of_memory(error);
                return NULL;
            }
            text = grown;
            capacity *= 2;
        }
        DWORD got = 0;
        if (!ReadFile(pipe, text + length, 1024, &got, NULL)) {
            DWORD failure = GetLastError();
            if (failure == ERROR_BROKEN_PIPE || failure == ERROR_HANDLE_EOF)
                break;
            free(text);
            windows_fail_hresult(error, HRESULT_FROM_WIN32(failure));
            hcsoci_fail_prefixed(error, "reading the guest process's output: ");
            return NULL;
        }
        if (got == 0)
            break;
        length += got;
    }
    text[length] = '\0';
    return text;
}

static void close_standard_handles(const hcsoci_hcs_process_information *information)
{
    if (information->StdInput != NULL)
        CloseHandle(information->StdInput);
    if (information->StdOutput != NULL)
        CloseHandle(information->StdOutput);
    if (information->StdError != NULL)
        CloseHandle(information->StdError);
}

/* Reads the output and waits for the exit of a created process; its handles stay open. */
static int collect_output(windows_host *host, HCS_PROCESS process,
                          const hcsoci_hcs_process_information *information, char **output,
                          hcsoci_error **error)
{
    windows_notification_watch *watch = windows_notification_watch_new(error);
    if (watch == NULL)
        return -1;
    HCS_CALLBACK callback = NULL;
    HRESULT registered = host->dll.HcsRegisterProcessCallback(
        process, windows_notification_callback, watch, &callback);
    if (FAILED(registered)) {
        windows_notification_watch_free(watch);
        return windows_fail_hresult(error, registered);
    }
    int status = 0;
    if (information->StdOutput == NULL)
        status = hcsoci_fail(error, HCSOCI_E_FAIL,
                             "HcsCreateProcess gave no standard output pipe");
    else
        *output = read_to_end(information->StdOutput, error);
    if (status == 0 && *output == NULL)
        status = -1;
    bool timed_out = false;
    if (status == 0 &&
        windows_notification_wait(watch, WINDOWS_NOTIFICATION_PROCESS_EXITED,
                                  host->process_timeout_ms, &timed_out, error) != 0) {
        free(*output);
        *output = NULL;
        status = -1;
    }
    if (SUCCEEDED(host->dll.HcsUnregisterProcessCallback(callback)))
        windows_notification_watch_free(watch);
    return status;
}

int windows_run_guest_process(hcsoci_host *base, const char *vm_id, const char *command_line,
                              char **output, hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (output == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "RunGuestProcess: output is NULL");
    *output = NULL;
    if (vm_id == NULL || command_line == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "RunGuestProcess: %s is NULL",
                           vm_id == NULL ? "vmid" : "commandLine");
    if (require_process_exports(&host->dll, error) != 0)
        return -1;
    wchar_t *parameters = process_parameters(command_line, error);
    if (parameters == NULL)
        return -1;

    /* The lock is held throughout, so that no close can take the system's handle away. */
    EnterCriticalSection(&host->lock);
    HCS_SYSTEM system = NULL;
    int status = windows_system_handle(host, vm_id, &system, error);
    if (status == 0) {
        hcsoci_hcs_process_information information;
        memset(&information, 0, sizeof information);
        HCS_PROCESS process = NULL;
        wchar_t *result = NULL;
        HRESULT hresult =
            host->dll.HcsCreateProcess(system, parameters, &information, &process, &result);
        if (FAILED(hresult)) {
            status = windows_fail_hcs(error, hresult, result);
        } else {
            windows_free_hcs_string(result);
            status = collect_output(host, process, &information, output, error);
            close_standard_handles(&information);
            host->dll.HcsCloseProcess(process);
        }
    }
    LeaveCriticalSection(&host->lock);
    free(parameters);
    return status;
}
