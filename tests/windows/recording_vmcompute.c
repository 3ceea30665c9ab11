/* The recording vmcompute.dll: defines every export of core/lib/host/windows/vmcompute.h, logs
 * each call as one JSON line (the call format of tests/conformance-windows/expected) and
 * answers from the case's host part through the project's simulated host. What each export
 * answers: tests/windows/README.md. */
#include "recording_vmcompute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/sim.h>

/* Every definition below is checked against the header's prototype. */
#define RECORDING_DECLARE_EXPORT(name, parameters)                                               \
    __declspec(dllexport) HRESULT WINAPI name parameters;
HCSOCI_VMCOMPUTE_EXPORTS(RECORDING_DECLARE_EXPORT)
#undef RECORDING_DECLARE_EXPORT

/* ---- the shape every export has ---- */

/* Enters the recorder and counts the call: the HRESULT of a failCall failure, E_FAIL when the
 * case could not be loaded, S_OK otherwise. */
static HRESULT begin_call(const char *name, hcsoci_host **host)
{
    *host = recorder_enter();
    if (*host == NULL)
        return RECORDING_E_FAIL;
    return recorder_count_call(name);
}

/* Logs the call and leaves the recorder; returns hr. */
static HRESULT end_call(const char *name, json_t *args, HRESULT hr, json_t *returned)
{
    if (FAILED(hr)) {
        json_decref(returned);
        returned = NULL;
    }
    recorder_log(name, args, hr, returned);
    recorder_leave();
    return hr;
}

static void clear_string(PWSTR *out)
{
    if (out != NULL)
        *out = NULL;
}

static void clear_handle(HANDLE *out)
{
    if (out != NULL)
        *out = NULL;
}

/* Parses a JSON-valued argument for the sim host (new reference; NULL when it is not JSON). */
static json_t *parse_document(PCWSTR text)
{
    char *converted = recorder_utf8(text);
    json_t *value = converted != NULL ? json_loads(converted, JSON_DECODE_ANY, NULL) : NULL;
    free(converted);
    return value;
}

/* Hands a JSON value back as a CoTaskMemAlloc'd string; false when memory runs out. */
static bool hand_back_json(const json_t *value, PWSTR *out)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    *out = text != NULL ? recorder_task_string(text) : NULL;
    free(text);
    return *out != NULL;
}

/* The compute system id a handle is for, or NULL for an invalid handle. */
static const char *system_of(HCS_SYSTEM compute_system)
{
    recorded_handle *system = recorder_find_handle(compute_system, RECORDED_COMPUTE_SYSTEM);
    return system != NULL ? system->system_id : NULL;
}

/* An export that only logs and answers S_OK (or the failCall failure). When member is not
 * NULL, args gains member: how the log writes handle, and an invalid handle of that kind
 * answers E_HANDLE. args is stolen. */
static HRESULT answer_ok(const char *name, const char *member, HANDLE handle,
                         recorded_handle_kind kind, json_t *args)
{
    hcsoci_host *host;
    HRESULT hr = begin_call(name, &host);
    if (args == NULL)
        args = json_object();
    if (member != NULL) {
        json_object_set_new(args, member, recorder_handle_json(handle, kind));
        if (SUCCEEDED(hr) && recorder_find_handle(handle, kind) == NULL)
            hr = RECORDING_E_HANDLE;
    }
    return end_call(name, args, hr, NULL);
}

/* Runs a sim host operation's result into an HRESULT (and frees the error). */
static HRESULT sim_result(int result, hcsoci_error *error)
{
    HRESULT hr = result == 0 ? S_OK : recorder_error_hresult(error);
    hcsoci_error_free(error);
    return hr;
}

/* ---- HCS compute systems ---- */

HRESULT WINAPI HcsEnumerateComputeSystems(PCWSTR query, PWSTR *compute_systems, PWSTR *result)
{
    clear_string(compute_systems);
    clear_string(result);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsEnumerateComputeSystems", &host);
    return end_call("HcsEnumerateComputeSystems",
                    json_pack("{s:o}", "query", recorder_document_json(query)), hr, NULL);
}

HRESULT WINAPI HcsCreateComputeSystem(PCWSTR id, PCWSTR configuration, HANDLE identity,
                                      HCS_SYSTEM *compute_system, PWSTR *result)
{
    clear_handle(compute_system);
    clear_string(result);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsCreateComputeSystem", &host);
    json_t *args = json_pack("{s:o, s:o, s:I}", "id", recorder_string_json(id), "configuration",
                             recorder_document_json(configuration), "identity",
                             (json_int_t)(intptr_t)identity);
    char *system_id = recorder_utf8(id);
    json_t *document = parse_document(configuration);
    json_t *returned = NULL;
    if (SUCCEEDED(hr) && (system_id == NULL || document == NULL || compute_system == NULL))
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->create_compute_system(host, system_id, document, &error), error);
    }
    if (SUCCEEDED(hr)) {
        char description[512];
        snprintf(description, sizeof description, "compute system %s", system_id);
        recorded_handle *handle =
            recorder_new_handle(RECORDED_COMPUTE_SYSTEM, description, system_id, 0);
        if (handle == NULL) {
            hr = (HRESULT)0x8007000EL;
        } else {
            recorder_add_system(system_id);
            *compute_system = (HCS_SYSTEM)handle;
            returned = json_pack("{s:s}", "computeSystem", system_id);
        }
    }
    json_decref(document);
    free(system_id);
    return end_call("HcsCreateComputeSystem", args, hr, returned);
}

HRESULT WINAPI HcsOpenComputeSystem(PCWSTR id, HCS_SYSTEM *compute_system, PWSTR *result)
{
    clear_handle(compute_system);
    clear_string(result);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsOpenComputeSystem", &host);
    json_t *args = json_pack("{s:o}", "id", recorder_string_json(id));
    char *system_id = recorder_utf8(id);
    json_t *returned = NULL;
    if (SUCCEEDED(hr) && (system_id == NULL || compute_system == NULL))
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr) && !recorder_system_exists(system_id))
        hr = RECORDING_E_SYSTEM_DOES_NOT_EXIST;
    if (SUCCEEDED(hr)) {
        char description[512];
        snprintf(description, sizeof description, "compute system %s (opened)", system_id);
        recorded_handle *handle =
            recorder_new_handle(RECORDED_COMPUTE_SYSTEM, description, system_id, 0);
        if (handle == NULL) {
            hr = (HRESULT)0x8007000EL;
        } else {
            *compute_system = (HCS_SYSTEM)handle;
            returned = json_pack("{s:s}", "computeSystem", system_id);
        }
    }
    free(system_id);
    return end_call("HcsOpenComputeSystem", args, hr, returned);
}

HRESULT WINAPI HcsCloseComputeSystem(HCS_SYSTEM compute_system)
{
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsCloseComputeSystem", &host);
    json_t *args = json_pack("{s:o}", "computeSystem",
                             recorder_handle_json(compute_system, RECORDED_COMPUTE_SYSTEM));
    recorded_handle *system = recorder_find_handle(compute_system, RECORDED_COMPUTE_SYSTEM);
    if (SUCCEEDED(hr) && system == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr))
        system->open = false;
    return end_call("HcsCloseComputeSystem", args, hr, NULL);
}

/* Start, shutdown, terminate, pause and resume: {"computeSystem", "options"}. Start and
 * terminate go to the sim host (its failure for start is answered; terminate always succeeds,
 * as the corpus README says); the others only log. */
static HRESULT system_operation(const char *name, HCS_SYSTEM compute_system, PCWSTR options,
                                PWSTR *result)
{
    clear_string(result);
    hcsoci_host *host;
    HRESULT hr = begin_call(name, &host);
    json_t *args = json_pack("{s:o, s:o}", "computeSystem",
                             recorder_handle_json(compute_system, RECORDED_COMPUTE_SYSTEM),
                             "options", recorder_document_json(options));
    const char *id = system_of(compute_system);
    if (SUCCEEDED(hr) && id == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr) && strcmp(name, "HcsStartComputeSystem") == 0) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->start_compute_system(host, id, &error), error);
    } else if (SUCCEEDED(hr) && strcmp(name, "HcsTerminateComputeSystem") == 0) {
        hcsoci_error *error = NULL;
        host->ops->terminate_compute_system(host, id, &error);
        hcsoci_error_free(error);
    }
    return end_call(name, args, hr, NULL);
}

HRESULT WINAPI HcsStartComputeSystem(HCS_SYSTEM compute_system, PCWSTR options, PWSTR *result)
{
    return system_operation("HcsStartComputeSystem", compute_system, options, result);
}

HRESULT WINAPI HcsShutdownComputeSystem(HCS_SYSTEM compute_system, PCWSTR options,
                                        PWSTR *result)
{
    return system_operation("HcsShutdownComputeSystem", compute_system, options, result);
}

HRESULT WINAPI HcsTerminateComputeSystem(HCS_SYSTEM compute_system, PCWSTR options,
                                         PWSTR *result)
{
    return system_operation("HcsTerminateComputeSystem", compute_system, options, result);
}

HRESULT WINAPI HcsPauseComputeSystem(HCS_SYSTEM compute_system, PCWSTR options, PWSTR *result)
{
    return system_operation("HcsPauseComputeSystem", compute_system, options, result);
}

HRESULT WINAPI HcsResumeComputeSystem(HCS_SYSTEM compute_system, PCWSTR options, PWSTR *result)
{
    return system_operation("HcsResumeComputeSystem", compute_system, options, result);
}

HRESULT WINAPI HcsGetComputeSystemProperties(HCS_SYSTEM compute_system, PCWSTR property_query,
                                             PWSTR *properties, PWSTR *result)
{
    clear_string(properties);
    clear_string(result);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsGetComputeSystemProperties", &host);
    json_t *args = json_pack("{s:o, s:o}", "computeSystem",
                             recorder_handle_json(compute_system, RECORDED_COMPUTE_SYSTEM),
                             "propertyQuery", recorder_document_json(property_query));
    const char *id = system_of(compute_system);
    json_t *returned = NULL;
    if (SUCCEEDED(hr) && id == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr) && properties == NULL)
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        json_t *answer =
            json_pack("{s:s, s:s, s:s}", "Id", id, "SystemType", "Container", "State", "Created");
        if (answer == NULL || !hand_back_json(answer, properties)) {
            json_decref(answer);
            hr = (HRESULT)0x8007000EL;
        } else {
            returned = json_pack("{s:o}", "properties", answer);
        }
    }
    return end_call("HcsGetComputeSystemProperties", args, hr, returned);
}

HRESULT WINAPI HcsModifyComputeSystem(HCS_SYSTEM compute_system, PCWSTR configuration,
                                      PWSTR *result)
{
    clear_string(result);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsModifyComputeSystem", &host);
    json_t *args = json_pack("{s:o, s:o}", "computeSystem",
                             recorder_handle_json(compute_system, RECORDED_COMPUTE_SYSTEM),
                             "configuration", recorder_document_json(configuration));
    const char *id = system_of(compute_system);
    json_t *document = parse_document(configuration);
    if (SUCCEEDED(hr) && id == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr) && document == NULL)
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->modify_compute_system(host, id, document, &error), error);
    }
    json_decref(document);
    return end_call("HcsModifyComputeSystem", args, hr, NULL);
}

HRESULT WINAPI HcsModifyServiceSettings(PCWSTR settings, PWSTR *result)
{
    clear_string(result);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsModifyServiceSettings", &host);
    json_t *args = json_pack("{s:o}", "settings", recorder_document_json(settings));
    json_t *document = parse_document(settings);
    if (SUCCEEDED(hr) && document == NULL)
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->modify_service_settings(host, document, &error), error);
    }
    json_decref(document);
    return end_call("HcsModifyServiceSettings", args, hr, NULL);
}

HRESULT WINAPI HcsGetServiceProperties(PCWSTR property_query, PWSTR *properties, PWSTR *result)
{
    clear_string(properties);
    clear_string(result);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsGetServiceProperties", &host);
    json_t *args = json_pack("{s:o}", "propertyQuery", recorder_document_json(property_query));
    json_t *query = parse_document(property_query);
    json_t *answer = NULL, *returned = NULL;
    if (SUCCEEDED(hr) && (query == NULL || properties == NULL))
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->get_service_properties(host, query, &answer, &error), error);
    }
    if (SUCCEEDED(hr)) {
        if (!hand_back_json(answer, properties))
            hr = (HRESULT)0x8007000EL;
        else
            returned = json_pack("{s:O}", "properties", answer);
    }
    json_decref(answer);
    json_decref(query);
    return end_call("HcsGetServiceProperties", args, hr, returned);
}

/* ---- callbacks ---- */

HRESULT WINAPI HcsRegisterComputeSystemCallback(HCS_SYSTEM compute_system,
                                                hcsoci_hcs_notification_callback callback,
                                                void *context, HCS_CALLBACK *callback_handle)
{
    (void)context;
    clear_handle(callback_handle);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsRegisterComputeSystemCallback", &host);
    json_t *args = json_pack("{s:o}", "computeSystem",
                             recorder_handle_json(compute_system, RECORDED_COMPUTE_SYSTEM));
    const char *id = system_of(compute_system);
    if (SUCCEEDED(hr) && id == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr) && (callback == NULL || callback_handle == NULL))
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        char description[512];
        snprintf(description, sizeof description, "callback of compute system %s", id);
        recorded_handle *handle = recorder_new_handle(RECORDED_SYSTEM_CALLBACK, description, id, 0);
        if (handle == NULL)
            hr = (HRESULT)0x8007000EL;
        else
            *callback_handle = (HCS_CALLBACK)handle;
    }
    return end_call("HcsRegisterComputeSystemCallback", args, hr, NULL);
}

HRESULT WINAPI HcsUnregisterComputeSystemCallback(HCS_CALLBACK callback_handle)
{
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsUnregisterComputeSystemCallback", &host);
    json_t *args = json_pack("{s:o}", "callbackHandle",
                             recorder_handle_json(callback_handle, RECORDED_SYSTEM_CALLBACK));
    recorded_handle *handle = recorder_find_handle(callback_handle, RECORDED_SYSTEM_CALLBACK);
    if (SUCCEEDED(hr) && handle == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr))
        handle->open = false;
    return end_call("HcsUnregisterComputeSystemCallback", args, hr, NULL);
}

/* ---- processes ---- */

static DWORD next_process_id = 100;

/* An anonymous pipe holding output (all of it written, the writing end closed): its reading
 * end, or NULL when it cannot be made. */
static HANDLE output_pipe(const char *output)
{
    HANDLE read_end = NULL, write_end = NULL;
    DWORD length = (DWORD)strlen(output);
    if (!CreatePipe(&read_end, &write_end, NULL, length + 4096))
        return NULL;
    DWORD written = 0;
    BOOL wrote = length == 0 || WriteFile(write_end, output, length, &written, NULL);
    CloseHandle(write_end);
    if (!wrote || written != length) {
        CloseHandle(read_end);
        return NULL;
    }
    return read_end;
}

/* A standard input pipe: its writing end (its reading end closed, so writes fail). */
static HANDLE input_pipe(void)
{
    HANDLE read_end = NULL, write_end = NULL;
    if (!CreatePipe(&read_end, &write_end, NULL, 0))
        return NULL;
    CloseHandle(read_end);
    return write_end;
}

static bool wants_pipe(const json_t *parameters, const char *member)
{
    return json_is_true(json_object_get(parameters, member));
}

HRESULT WINAPI HcsCreateProcess(HCS_SYSTEM compute_system, PCWSTR process_parameters,
                                hcsoci_hcs_process_information *process_information,
                                HCS_PROCESS *process, PWSTR *result)
{
    clear_handle(process);
    clear_string(result);
    if (process_information != NULL)
        memset(process_information, 0, sizeof *process_information);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsCreateProcess", &host);
    json_t *args = json_pack("{s:o, s:o}", "computeSystem",
                             recorder_handle_json(compute_system, RECORDED_COMPUTE_SYSTEM),
                             "processParameters", recorder_document_json(process_parameters));
    const char *id = system_of(compute_system);
    json_t *parameters = parse_document(process_parameters);
    const char *command_line = json_string_value(json_object_get(parameters, "CommandLine"));
    char *output = NULL;
    json_t *returned = NULL;
    if (SUCCEEDED(hr) && id == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr) && (command_line == NULL || process_information == NULL || process == NULL))
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->run_guest_process(host, id, command_line, &output, &error),
                        error);
    }
    if (SUCCEEDED(hr)) {
        DWORD process_id = next_process_id++;
        char description[512];
        snprintf(description, sizeof description, "process %lu in %s", (unsigned long)process_id,
                 id);
        HANDLE standard_output = wants_pipe(parameters, "CreateStdOutPipe") ? output_pipe(output)
                                                                            : NULL;
        HANDLE standard_error = wants_pipe(parameters, "CreateStdErrPipe") ? output_pipe("") : NULL;
        HANDLE standard_input = wants_pipe(parameters, "CreateStdInPipe") ? input_pipe() : NULL;
        recorded_handle *handle =
            recorder_new_handle(RECORDED_PROCESS, description, id, process_id);
        if (handle == NULL) {
            hr = (HRESULT)0x8007000EL;
        } else {
            process_information->ProcessId = process_id;
            process_information->StdOutput = standard_output;
            process_information->StdError = standard_error;
            process_information->StdInput = standard_input;
            *process = (HCS_PROCESS)handle;
            returned = json_pack("{s:s, s:I}", "process", description, "processId",
                                 (json_int_t)process_id);
        }
    }
    free(output);
    json_decref(parameters);
    return end_call("HcsCreateProcess", args, hr, returned);
}

HRESULT WINAPI HcsOpenProcess(HCS_SYSTEM compute_system, DWORD process_id, HCS_PROCESS *process,
                              PWSTR *result)
{
    clear_handle(process);
    clear_string(result);
    return answer_ok("HcsOpenProcess", "computeSystem", compute_system, RECORDED_COMPUTE_SYSTEM,
                     json_pack("{s:I}", "processId", (json_int_t)process_id));
}

HRESULT WINAPI HcsCloseProcess(HCS_PROCESS process)
{
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsCloseProcess", &host);
    json_t *args =
        json_pack("{s:o}", "process", recorder_handle_json(process, RECORDED_PROCESS));
    recorded_handle *handle = recorder_find_handle(process, RECORDED_PROCESS);
    if (SUCCEEDED(hr) && handle == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr))
        handle->open = false;
    return end_call("HcsCloseProcess", args, hr, NULL);
}

HRESULT WINAPI HcsTerminateProcess(HCS_PROCESS process, PWSTR *result)
{
    clear_string(result);
    return answer_ok("HcsTerminateProcess", "process", process, RECORDED_PROCESS, NULL);
}

HRESULT WINAPI HcsSignalProcess(HCS_PROCESS process, PCWSTR options, PWSTR *result)
{
    clear_string(result);
    return answer_ok("HcsSignalProcess", "process", process, RECORDED_PROCESS,
                     json_pack("{s:o}", "options", recorder_document_json(options)));
}

HRESULT WINAPI HcsGetProcessInfo(HCS_PROCESS process,
                                 hcsoci_hcs_process_information *process_information,
                                 PWSTR *result)
{
    clear_string(result);
    if (process_information != NULL)
        memset(process_information, 0, sizeof *process_information);
    return answer_ok("HcsGetProcessInfo", "process", process, RECORDED_PROCESS, NULL);
}

/* The properties of a process: it has exited with code 0 (the output was all written when it
 * was created). */
HRESULT WINAPI HcsGetProcessProperties(HCS_PROCESS process, PWSTR *process_properties,
                                       PWSTR *result)
{
    clear_string(process_properties);
    clear_string(result);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsGetProcessProperties", &host);
    json_t *args =
        json_pack("{s:o}", "process", recorder_handle_json(process, RECORDED_PROCESS));
    recorded_handle *handle = recorder_find_handle(process, RECORDED_PROCESS);
    json_t *returned = NULL;
    if (SUCCEEDED(hr) && handle == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr) && process_properties == NULL)
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        json_t *answer = json_pack("{s:I, s:b, s:i}", "ProcessId", (json_int_t)handle->process_id,
                                   "Exited", 1, "ExitCode", 0);
        if (answer == NULL || !hand_back_json(answer, process_properties)) {
            json_decref(answer);
            hr = (HRESULT)0x8007000EL;
        } else {
            returned = json_pack("{s:o}", "processProperties", answer);
        }
    }
    return end_call("HcsGetProcessProperties", args, hr, returned);
}

HRESULT WINAPI HcsModifyProcess(HCS_PROCESS process, PCWSTR settings, PWSTR *result)
{
    clear_string(result);
    return answer_ok("HcsModifyProcess", "process", process, RECORDED_PROCESS,
                     json_pack("{s:o}", "settings", recorder_document_json(settings)));
}

/* The exit notification of a process callback, delivered on its own thread as HCS does. */
typedef struct exit_notification {
    hcsoci_hcs_notification_callback callback;
    void *context;
} exit_notification;

static DWORD WINAPI deliver_exit_notification(LPVOID parameter)
{
    exit_notification notification = *(exit_notification *)parameter;
    free(parameter);
    notification.callback(HCSOCI_HCS_NOTIFICATION_PROCESS_EXITED, notification.context, S_OK,
                          NULL);
    return 0;
}

HRESULT WINAPI HcsRegisterProcessCallback(HCS_PROCESS process,
                                          hcsoci_hcs_notification_callback callback,
                                          void *context, HCS_CALLBACK *callback_handle)
{
    clear_handle(callback_handle);
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsRegisterProcessCallback", &host);
    json_t *args =
        json_pack("{s:o}", "process", recorder_handle_json(process, RECORDED_PROCESS));
    recorded_handle *target = recorder_find_handle(process, RECORDED_PROCESS);
    if (SUCCEEDED(hr) && target == NULL)
        hr = RECORDING_E_HANDLE;
    if (SUCCEEDED(hr) && (callback == NULL || callback_handle == NULL))
        hr = RECORDING_E_INVALIDARG;
    recorded_handle *handle = NULL;
    exit_notification *notification = NULL;
    if (SUCCEEDED(hr)) {
        char description[600];
        snprintf(description, sizeof description, "callback of %s", target->description);
        handle = recorder_new_handle(RECORDED_PROCESS_CALLBACK, description, target->system_id,
                                     target->process_id);
        notification = malloc(sizeof *notification);
        if (handle == NULL || notification == NULL) {
            if (handle != NULL)
                handle->open = false;
            free(notification);
            notification = NULL;
            hr = (HRESULT)0x8007000EL;
        }
    }
    if (SUCCEEDED(hr)) {
        /* The process has already exited: its exit is reported on another thread as soon as
         * the callback is registered; unregistering waits for that delivery. */
        notification->callback = callback;
        notification->context = context;
        handle->callback_thread =
            CreateThread(NULL, 0, deliver_exit_notification, notification, 0, NULL);
        if (handle->callback_thread == NULL) {
            free(notification);
            handle->open = false;
            hr = RECORDING_E_FAIL;
        } else {
            *callback_handle = (HCS_CALLBACK)handle;
        }
    }
    return end_call("HcsRegisterProcessCallback", args, hr, NULL);
}

HRESULT WINAPI HcsUnregisterProcessCallback(HCS_CALLBACK callback_handle)
{
    hcsoci_host *host;
    HRESULT hr = begin_call("HcsUnregisterProcessCallback", &host);
    json_t *args = json_pack("{s:o}", "callbackHandle",
                             recorder_handle_json(callback_handle, RECORDED_PROCESS_CALLBACK));
    recorded_handle *handle = recorder_find_handle(callback_handle, RECORDED_PROCESS_CALLBACK);
    if (SUCCEEDED(hr) && handle == NULL)
        hr = RECORDING_E_HANDLE;
    HANDLE thread = NULL;
    if (SUCCEEDED(hr)) {
        handle->open = false;
        thread = handle->callback_thread;
        handle->callback_thread = NULL;
    }
    hr = end_call("HcsUnregisterProcessCallback", args, hr, NULL);
    /* Outside the recorder's lock: the callback may call into the DLL. */
    if (thread != NULL) {
        WaitForSingleObject(thread, INFINITE);
        CloseHandle(thread);
    }
    return hr;
}

/* ---- HNS ---- */

HRESULT WINAPI HNSCall(PCWSTR method, PCWSTR path, PCWSTR object, PWSTR *response)
{
    clear_string(response);
    hcsoci_host *host;
    HRESULT hr = begin_call("HNSCall", &host);
    json_t *args = json_pack("{s:o, s:o, s:o}", "method", recorder_string_json(method), "path",
                             recorder_string_json(path), "object", recorder_document_json(object));
    char *method_text = recorder_utf8(method);
    char *path_text = recorder_utf8(path);
    char *object_text = recorder_utf8(object);
    json_t *request = NULL, *answer = NULL, *returned = NULL;
    if (SUCCEEDED(hr) && (method_text == NULL || path_text == NULL || response == NULL))
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr) && object_text != NULL && object_text[0] != '\0') {
        request = json_loads(object_text, JSON_DECODE_ANY, NULL);
        if (request == NULL)
            hr = RECORDING_E_INVALIDARG;
    }
    if (SUCCEEDED(hr)) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->hns_call(host, method_text, path_text, request, &answer, &error),
                        error);
    }
    if (SUCCEEDED(hr)) {
        if (!hand_back_json(answer, response))
            hr = (HRESULT)0x8007000EL;
        else
            returned = json_pack("{s:O}", "response", answer);
    }
    json_decref(answer);
    json_decref(request);
    free(method_text);
    free(path_text);
    free(object_text);
    return end_call("HNSCall", args, hr, returned);
}

/* ---- layer storage ---- */

/* A layer call on one layer path ({"info", "id"}) that the sim host answers through op. */
static HRESULT layer_path_call(const char *name, const hcsoci_layer_driver_info *info, PCWSTR id,
                               int (*op)(hcsoci_host *, const char *, hcsoci_error **))
{
    hcsoci_host *host;
    HRESULT hr = begin_call(name, &host);
    json_t *args = json_pack("{s:o, s:o}", "info", recorder_info_json(info), "id",
                             recorder_string_json(id));
    char *path = recorder_utf8(id);
    if (SUCCEEDED(hr) && path == NULL)
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr) && op != NULL) {
        hcsoci_error *error = NULL;
        hr = sim_result(op(host, path, &error), error);
    }
    free(path);
    return end_call(name, args, hr, NULL);
}

/* Descriptors as the sim host takes them ([{"LayerId", "Flags", "Path"}]). */
static json_t *sim_descriptors(const hcsoci_layer_descriptor *descriptors, ULONG count)
{
    json_t *list = recorder_descriptors_json(descriptors, count);
    return json_is_null(list) ? (json_decref(list), json_array()) : list;
}

HRESULT WINAPI ActivateLayer(const hcsoci_layer_driver_info *info, PCWSTR id)
{
    hcsoci_host *host = recorder_enter();
    int (*op)(hcsoci_host *, const char *, hcsoci_error **) =
        host != NULL ? host->ops->activate_layer : NULL;
    HRESULT hr = layer_path_call("ActivateLayer", info, id, op);
    recorder_leave();
    return hr;
}

HRESULT WINAPI DeactivateLayer(const hcsoci_layer_driver_info *info, PCWSTR id)
{
    hcsoci_host *host = recorder_enter();
    int (*op)(hcsoci_host *, const char *, hcsoci_error **) =
        host != NULL ? host->ops->deactivate_layer : NULL;
    HRESULT hr = layer_path_call("DeactivateLayer", info, id, op);
    recorder_leave();
    return hr;
}

HRESULT WINAPI UnprepareLayer(const hcsoci_layer_driver_info *info, PCWSTR id)
{
    hcsoci_host *host = recorder_enter();
    int (*op)(hcsoci_host *, const char *, hcsoci_error **) =
        host != NULL ? host->ops->unprepare_layer : NULL;
    HRESULT hr = layer_path_call("UnprepareLayer", info, id, op);
    recorder_leave();
    return hr;
}

HRESULT WINAPI DestroyLayer(const hcsoci_layer_driver_info *info, PCWSTR id)
{
    return layer_path_call("DestroyLayer", info, id, NULL);
}

HRESULT WINAPI PrepareLayer(const hcsoci_layer_driver_info *info, PCWSTR id,
                            const hcsoci_layer_descriptor *descriptors, ULONG descriptor_count)
{
    hcsoci_host *host;
    HRESULT hr = begin_call("PrepareLayer", &host);
    json_t *args = json_pack("{s:o, s:o, s:o}", "info", recorder_info_json(info), "id",
                             recorder_string_json(id), "descriptors",
                             recorder_descriptors_json(descriptors, descriptor_count));
    char *path = recorder_utf8(id);
    if (SUCCEEDED(hr) && path == NULL)
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        json_t *list = sim_descriptors(descriptors, descriptor_count);
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->prepare_layer(host, path, list, &error), error);
        json_decref(list);
    }
    free(path);
    return end_call("PrepareLayer", args, hr, NULL);
}

/* Creates an empty <id>\sandbox.vhdx for real (the directory must exist). */
static HRESULT create_sandbox_file(PCWSTR id)
{
    size_t length = wcslen(id);
    bool separated = length > 0 && (id[length - 1] == L'\\' || id[length - 1] == L'/');
    PWSTR file = malloc((length + 16) * sizeof(WCHAR));
    if (file == NULL)
        return (HRESULT)0x8007000EL;
    wcscpy(file, id);
    wcscat(file, separated ? L"sandbox.vhdx" : L"\\sandbox.vhdx");
    HANDLE created = CreateFileW(file, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                                 FILE_ATTRIBUTE_NORMAL, NULL);
    free(file);
    if (created == INVALID_HANDLE_VALUE)
        return HRESULT_FROM_WIN32(GetLastError());
    CloseHandle(created);
    return S_OK;
}

HRESULT WINAPI CreateSandboxLayer(const hcsoci_layer_driver_info *info, PCWSTR id,
                                  UINT_PTR parent, const hcsoci_layer_descriptor *descriptors,
                                  ULONG descriptor_count)
{
    hcsoci_host *host;
    HRESULT hr = begin_call("CreateSandboxLayer", &host);
    json_t *args = json_pack("{s:o, s:o, s:I, s:o}", "info", recorder_info_json(info), "id",
                             recorder_string_json(id), "parent", (json_int_t)parent,
                             "descriptors",
                             recorder_descriptors_json(descriptors, descriptor_count));
    char *path = recorder_utf8(id);
    if (SUCCEEDED(hr) && path == NULL)
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        json_t *list = sim_descriptors(descriptors, descriptor_count);
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->create_sandbox_layer(host, path, list, &error), error);
        json_decref(list);
    }
    if (SUCCEEDED(hr))
        hr = create_sandbox_file(id);
    free(path);
    return end_call("CreateSandboxLayer", args, hr, NULL);
}

/* Both calls of the pair: the size probe (buffer NULL) sets *length to the UTF-16 length of
 * host.layerMountPath plus the NUL; the buffer call copies it (a too small *length answers
 * ERROR_INSUFFICIENT_BUFFER). */
HRESULT WINAPI GetLayerMountPath(const hcsoci_layer_driver_info *info, PCWSTR id,
                                 UINT_PTR *length, PWSTR buffer)
{
    hcsoci_host *host;
    HRESULT hr = begin_call("GetLayerMountPath", &host);
    json_t *args = json_pack("{s:o, s:o, s:o, s:o}", "info", recorder_info_json(info), "id",
                             recorder_string_json(id), "length",
                             length != NULL ? json_integer((json_int_t)*length) : json_null(),
                             "buffer", buffer != NULL ? json_string("<buffer>") : json_null());
    char *path = recorder_utf8(id);
    char *mount_path = NULL;
    PWSTR wide = NULL;
    json_t *returned = NULL;
    if (SUCCEEDED(hr) && (path == NULL || length == NULL))
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->get_layer_mount_path(host, path, &mount_path, &error), error);
    }
    if (SUCCEEDED(hr) && (wide = recorder_utf16(mount_path)) == NULL)
        hr = (HRESULT)0x8007000EL;
    if (SUCCEEDED(hr)) {
        UINT_PTR needed = wcslen(wide) + 1;
        if (buffer == NULL) {
            *length = needed;
            returned = json_pack("{s:I}", "length", (json_int_t)needed);
        } else if (*length < needed) {
            hr = RECORDING_E_INSUFFICIENT_BUFFER;
        } else {
            memcpy(buffer, wide, needed * sizeof(WCHAR));
            *length = needed;
            returned = json_pack("{s:s, s:I}", "mountPath", mount_path, "length",
                                 (json_int_t)needed);
        }
    }
    free(wide);
    free(mount_path);
    free(path);
    return end_call("GetLayerMountPath", args, hr, returned);
}

HRESULT WINAPI NameToGuid(PCWSTR name, GUID *guid)
{
    if (guid != NULL)
        memset(guid, 0, sizeof *guid);
    hcsoci_host *host;
    HRESULT hr = begin_call("NameToGuid", &host);
    json_t *args = json_pack("{s:o}", "name", recorder_string_json(name));
    char *name_text = recorder_utf8(name);
    char *answer = NULL;
    json_t *returned = NULL;
    if (SUCCEEDED(hr) && (name_text == NULL || guid == NULL))
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->name_to_guid(host, name_text, &answer, &error), error);
    }
    if (SUCCEEDED(hr)) {
        if (!recorder_parse_guid(answer, guid)) {
            hr = RECORDING_E_FAIL;
        } else {
            char text[37];
            recorder_guid_text(guid, text);
            returned = json_pack("{s:s}", "guid", text);
        }
    }
    free(answer);
    free(name_text);
    return end_call("NameToGuid", args, hr, returned);
}

HRESULT WINAPI GrantVmAccess(PCWSTR vm_id, PCWSTR file_path)
{
    hcsoci_host *host;
    HRESULT hr = begin_call("GrantVmAccess", &host);
    json_t *args = json_pack("{s:o, s:o}", "vmid", recorder_string_json(vm_id), "filepath",
                             recorder_string_json(file_path));
    char *vm = recorder_utf8(vm_id);
    char *file = recorder_utf8(file_path);
    if (SUCCEEDED(hr) && (vm == NULL || file == NULL))
        hr = RECORDING_E_INVALIDARG;
    if (SUCCEEDED(hr)) {
        hcsoci_error *error = NULL;
        hr = sim_result(host->ops->grant_vm_access(host, vm, file, &error), error);
    }
    free(vm);
    free(file);
    return end_call("GrantVmAccess", args, hr, NULL);
}

/* ---- layer exports hcsoci does not use: logged, S_OK, no outputs ---- */

HRESULT WINAPI CopyLayer(const hcsoci_layer_driver_info *info, PCWSTR source_id,
                         PCWSTR destination_id, const hcsoci_layer_descriptor *descriptors,
                         ULONG descriptor_count)
{
    return answer_ok("CopyLayer", NULL, NULL, RECORDED_PROCESS,
                     json_pack("{s:o, s:o, s:o, s:o}", "info", recorder_info_json(info),
                               "sourceId", recorder_string_json(source_id), "destinationId",
                               recorder_string_json(destination_id), "descriptors",
                               recorder_descriptors_json(descriptors, descriptor_count)));
}

HRESULT WINAPI CreateLayer(const hcsoci_layer_driver_info *info, PCWSTR id, PCWSTR parent)
{
    return answer_ok("CreateLayer", NULL, NULL, RECORDED_PROCESS,
                     json_pack("{s:o, s:o, s:o}", "info", recorder_info_json(info), "id",
                               recorder_string_json(id), "parent", recorder_string_json(parent)));
}

HRESULT WINAPI ExpandSandboxSize(const hcsoci_layer_driver_info *info, PCWSTR id, ULONGLONG size)
{
    return answer_ok("ExpandSandboxSize", NULL, NULL, RECORDED_PROCESS,
                     json_pack("{s:o, s:o, s:I}", "info", recorder_info_json(info), "id",
                               recorder_string_json(id), "size", (json_int_t)size));
}

HRESULT WINAPI ExportLayer(const hcsoci_layer_driver_info *info, PCWSTR id, PCWSTR path,
                           const hcsoci_layer_descriptor *descriptors, ULONG descriptor_count)
{
    return answer_ok("ExportLayer", NULL, NULL, RECORDED_PROCESS,
                     json_pack("{s:o, s:o, s:o, s:o}", "info", recorder_info_json(info), "id",
                               recorder_string_json(id), "path", recorder_string_json(path),
                               "descriptors",
                               recorder_descriptors_json(descriptors, descriptor_count)));
}

HRESULT WINAPI ImportLayer(const hcsoci_layer_driver_info *info, PCWSTR id, PCWSTR path,
                           const hcsoci_layer_descriptor *descriptors, ULONG descriptor_count)
{
    return answer_ok("ImportLayer", NULL, NULL, RECORDED_PROCESS,
                     json_pack("{s:o, s:o, s:o, s:o}", "info", recorder_info_json(info), "id",
                               recorder_string_json(id), "path", recorder_string_json(path),
                               "descriptors",
                               recorder_descriptors_json(descriptors, descriptor_count)));
}

HRESULT WINAPI GetBaseImages(PWSTR *buffer)
{
    clear_string(buffer);
    return answer_ok("GetBaseImages", NULL, NULL, RECORDED_PROCESS, NULL);
}

HRESULT WINAPI LayerExists(const hcsoci_layer_driver_info *info, PCWSTR id, ULONG *exists)
{
    if (exists != NULL)
        *exists = 0;
    return answer_ok("LayerExists", NULL, NULL, RECORDED_PROCESS,
                     json_pack("{s:o, s:o}", "info", recorder_info_json(info), "id",
                               recorder_string_json(id)));
}

HRESULT WINAPI ProcessBaseImage(PCWSTR path)
{
    return answer_ok("ProcessBaseImage", NULL, NULL, RECORDED_PROCESS,
                     json_pack("{s:o}", "path", recorder_string_json(path)));
}

HRESULT WINAPI ProcessUtilityImage(PCWSTR path)
{
    return answer_ok("ProcessUtilityImage", NULL, NULL, RECORDED_PROCESS,
                     json_pack("{s:o}", "path", recorder_string_json(path)));
}
