/* The Windows host (core/lib/host/windows) under Wine: every op against exports of this test's
 * own (a fake vmcompute.dll in the program, recording each call and answering as configured,
 * including HCS's asynchronous completions from another thread), the notification wait on its
 * own, the host's files and facts, the loading of vmcompute.dll, and every op again through
 * the recording vmcompute.dll of tests/windows, which must be next to this program (its log
 * read back: the calls, their arguments, and no handle left open). */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <objbase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/hcsoci.h>

#include "../../core/lib/hcs_errors.h"
#include "../../core/lib/host/windows/windows_host_internal.h"

/* ---- the fake exports ---- */

#define FAKE_HANDLE_BASE 0x1000u

static struct {
    json_t *calls;               /* [{"call": name, "args": {...}}] */
    json_t *failures;            /* {"<export>": HRESULT}: the answer of that export */
    HRESULT create_answer;       /* what a successful HcsCreateComputeSystem answers */
    DWORD completion_delay_ms;   /* when the create is pending: the completion's delay */
    DWORD completion_type;       /* ... its notification type */
    HRESULT completion_status;   /* ... and status */
    bool complete_pending;       /* whether a pending create completes at all */
    const char *failure_result;  /* the result document handed back with a failure */
    const char *properties;      /* HcsGetComputeSystemProperties' answer (NULL: none) */
    const char *mount_path;      /* GetLayerMountPath's text */
    HRESULT mount_path_buffer_answer; /* what its buffer call answers (S_OK: the text) */
    const char *guest_output;    /* what the process writes to its standard output */
    int open_systems;            /* handles handed out and not closed */
    int registered_callbacks;
    int open_processes;
    char *system_ids[64];        /* the id of each handle (index: handle - base) */
    size_t handle_count;
    HANDLE output_pipe;          /* the reading end handed out by HcsCreateProcess */
    HANDLE threads[16];
    size_t thread_count;
} fake;

static char *narrow(PCWSTR text)
{
    if (text == NULL)
        return NULL;
    int length = WideCharToMultiByte(CP_UTF8, 0, text, -1, NULL, 0, NULL, NULL);
    char *result = malloc((size_t)length);
    WideCharToMultiByte(CP_UTF8, 0, text, -1, result, length, NULL, NULL);
    return result;
}

static json_t *wide_json(PCWSTR text)
{
    char *utf8 = narrow(text);
    json_t *value = utf8 != NULL ? json_string(utf8) : json_null();
    free(utf8);
    return value;
}

static PWSTR cotask_text(const char *text)
{
    int length = MultiByteToWideChar(CP_UTF8, 0, text, -1, NULL, 0);
    PWSTR result = CoTaskMemAlloc((size_t)length * sizeof(WCHAR));
    MultiByteToWideChar(CP_UTF8, 0, text, -1, result, length);
    return result;
}

/* Records a call; answers the configured failure for it, or S_OK. */
static HRESULT record(const char *name, json_t *args)
{
    json_array_append_new(fake.calls, json_pack("{s:s, s:o}", "call", name, "args", args));
    json_t *failure = json_object_get(fake.failures, name);
    return failure != NULL ? (HRESULT)json_integer_value(failure) : S_OK;
}

static void fail_export(const char *name, HRESULT hresult)
{
    json_object_set_new(fake.failures, name, json_integer((json_int_t)(uint32_t)hresult));
}

static HANDLE new_handle(const char *id)
{
    size_t index = fake.handle_count++;
    fake.system_ids[index] = strdup(id);
    return (HANDLE)(uintptr_t)(FAKE_HANDLE_BASE + index);
}

static const char *id_of(HANDLE handle)
{
    size_t index = (size_t)((uintptr_t)handle - FAKE_HANDLE_BASE);
    return index < fake.handle_count ? fake.system_ids[index] : "(unknown handle)";
}

static HRESULT WINAPI fake_create(PCWSTR id, PCWSTR configuration, HANDLE identity,
                                  HCS_SYSTEM *system, PWSTR *result)
{
    char *id_text = narrow(id);
    json_t *parsed = NULL;
    char *configuration_text = narrow(configuration);
    parsed = json_loads(configuration_text, 0, NULL);
    free(configuration_text);
    HRESULT hresult = record("HcsCreateComputeSystem",
                             json_pack("{s:s, s:o, s:b}", "id", id_text, "configuration",
                                       parsed != NULL ? parsed : json_null(), "identityNull",
                                       identity == NULL));
    if (FAILED(hresult)) {
        if (fake.failure_result != NULL)
            *result = cotask_text(fake.failure_result);
        free(id_text);
        return hresult;
    }
    *system = new_handle(id_text);
    fake.open_systems++;
    free(id_text);
    return fake.create_answer;
}

static HRESULT WINAPI fake_open(PCWSTR id, HCS_SYSTEM *system, PWSTR *result)
{
    (void)result;
    char *id_text = narrow(id);
    HRESULT hresult = record("HcsOpenComputeSystem", json_pack("{s:s}", "id", id_text));
    if (SUCCEEDED(hresult)) {
        *system = new_handle(id_text);
        fake.open_systems++;
    }
    free(id_text);
    return hresult;
}

static HRESULT WINAPI fake_close(HCS_SYSTEM system)
{
    fake.open_systems--;
    return record("HcsCloseComputeSystem", json_pack("{s:s}", "computeSystem", id_of(system)));
}

static HRESULT system_call(const char *name, HCS_SYSTEM system, PCWSTR options, PWSTR *result)
{
    HRESULT hresult = record(name, json_pack("{s:s, s:o}", "computeSystem", id_of(system),
                                             "options", wide_json(options)));
    if (FAILED(hresult) && fake.failure_result != NULL)
        *result = cotask_text(fake.failure_result);
    return hresult;
}

static HRESULT WINAPI fake_start(HCS_SYSTEM system, PCWSTR options, PWSTR *result)
{
    return system_call("HcsStartComputeSystem", system, options, result);
}

static HRESULT WINAPI fake_terminate(HCS_SYSTEM system, PCWSTR options, PWSTR *result)
{
    return system_call("HcsTerminateComputeSystem", system, options, result);
}

static HRESULT WINAPI fake_properties(HCS_SYSTEM system, PCWSTR query, PWSTR *properties,
                                      PWSTR *result)
{
    (void)result;
    HRESULT hresult = record("HcsGetComputeSystemProperties",
                             json_pack("{s:s, s:o}", "computeSystem", id_of(system),
                                       "propertyQuery", wide_json(query)));
    if (SUCCEEDED(hresult) && fake.properties != NULL)
        *properties = cotask_text(fake.properties);
    return hresult;
}

static HRESULT WINAPI fake_modify(HCS_SYSTEM system, PCWSTR configuration, PWSTR *result)
{
    return system_call("HcsModifyComputeSystem", system, configuration, result);
}

typedef struct completion {
    hcsoci_hcs_notification_callback callback;
    void *context;
    DWORD type;
    HRESULT status;
    DWORD delay_ms;
} completion;

static DWORD WINAPI deliver(void *argument)
{
    completion *notification = argument;
    Sleep(notification->delay_ms);
    notification->callback(notification->type, notification->context, notification->status,
                           NULL);
    free(notification);
    return 0;
}

static void deliver_later(hcsoci_hcs_notification_callback callback, void *context, DWORD type,
                          HRESULT status, DWORD delay_ms)
{
    completion *notification = malloc(sizeof *notification);
    *notification = (completion){callback, context, type, status, delay_ms};
    fake.threads[fake.thread_count++] = CreateThread(NULL, 0, deliver, notification, 0, NULL);
}

static HRESULT WINAPI fake_register(HCS_SYSTEM system, hcsoci_hcs_notification_callback callback,
                                    void *context, HCS_CALLBACK *callback_handle)
{
    HRESULT hresult = record("HcsRegisterComputeSystemCallback",
                             json_pack("{s:s, s:b}", "computeSystem", id_of(system), "callback",
                                       callback != NULL));
    if (FAILED(hresult))
        return hresult;
    fake.registered_callbacks++;
    *callback_handle = (HCS_CALLBACK)(uintptr_t)0x7000;
    if (fake.create_answer == HCSOCI_HCS_E_OPERATION_PENDING && fake.complete_pending)
        deliver_later(callback, context, fake.completion_type, fake.completion_status,
                      fake.completion_delay_ms);
    return S_OK;
}

static HRESULT WINAPI fake_unregister(HCS_CALLBACK callback_handle)
{
    (void)callback_handle;
    fake.registered_callbacks--;
    return record("HcsUnregisterComputeSystemCallback", json_object());
}

static HRESULT WINAPI fake_modify_service(PCWSTR settings, PWSTR *result)
{
    HRESULT hresult = record("HcsModifyServiceSettings", json_pack("{s:o}", "settings",
                                                                   wide_json(settings)));
    if (FAILED(hresult) && fake.failure_result != NULL)
        *result = cotask_text(fake.failure_result);
    return hresult;
}

static HRESULT WINAPI fake_service_properties(PCWSTR query, PWSTR *properties, PWSTR *result)
{
    (void)result;
    HRESULT hresult = record("HcsGetServiceProperties", json_pack("{s:o}", "propertyQuery",
                                                                  wide_json(query)));
    if (SUCCEEDED(hresult))
        *properties = cotask_text("{\"Properties\":[{\"Instances\":[]}]}");
    return hresult;
}

static HRESULT WINAPI fake_hns(PCWSTR method, PCWSTR path, PCWSTR object, PWSTR *response)
{
    HRESULT hresult = record("HNSCall", json_pack("{s:o, s:o, s:o}", "method", wide_json(method),
                                                  "path", wide_json(path), "object",
                                                  wide_json(object)));
    if (SUCCEEDED(hresult))
        *response = cotask_text("{\"Success\":true,\"Output\":{\"ID\":\"n1\"}}");
    return hresult;
}

static json_t *info_json(const hcsoci_layer_driver_info *info)
{
    return json_pack("{s:i, s:o}", "Flavour", info->Flavour, "HomeDir", wide_json(info->HomeDir));
}

static json_t *descriptors_json(const hcsoci_layer_descriptor *descriptors, ULONG count)
{
    json_t *list = json_array();
    for (ULONG i = 0; i < count; i++) {
        char guid[37];
        windows_format_guid(&descriptors[i].LayerId, guid);
        json_array_append_new(list, json_pack("{s:s, s:i, s:o}", "LayerId", guid, "Flags",
                                              (int)descriptors[i].Flags, "Path",
                                              wide_json(descriptors[i].Path)));
    }
    return list;
}

static HRESULT WINAPI fake_activate(const hcsoci_layer_driver_info *info, PCWSTR id)
{
    return record("ActivateLayer", json_pack("{s:o, s:o}", "info", info_json(info), "id",
                                             wide_json(id)));
}

static HRESULT WINAPI fake_deactivate(const hcsoci_layer_driver_info *info, PCWSTR id)
{
    return record("DeactivateLayer", json_pack("{s:o, s:o}", "info", info_json(info), "id",
                                               wide_json(id)));
}

static HRESULT WINAPI fake_unprepare(const hcsoci_layer_driver_info *info, PCWSTR id)
{
    return record("UnprepareLayer", json_pack("{s:o, s:o}", "info", info_json(info), "id",
                                              wide_json(id)));
}

static HRESULT WINAPI fake_prepare(const hcsoci_layer_driver_info *info, PCWSTR id,
                                   const hcsoci_layer_descriptor *descriptors, ULONG count)
{
    return record("PrepareLayer", json_pack("{s:o, s:o, s:o}", "info", info_json(info), "id",
                                            wide_json(id), "descriptors",
                                            descriptors_json(descriptors, count)));
}

static HRESULT WINAPI fake_create_sandbox(const hcsoci_layer_driver_info *info, PCWSTR id,
                                          UINT_PTR parent,
                                          const hcsoci_layer_descriptor *descriptors, ULONG count)
{
    return record("CreateSandboxLayer",
                  json_pack("{s:o, s:o, s:I, s:o}", "info", info_json(info), "id", wide_json(id),
                            "parent", (json_int_t)parent, "descriptors",
                            descriptors_json(descriptors, count)));
}

static HRESULT WINAPI fake_mount_path(const hcsoci_layer_driver_info *info, PCWSTR id,
                                      UINT_PTR *length, PWSTR buffer)
{
    HRESULT hresult = record("GetLayerMountPath",
                             json_pack("{s:o, s:o, s:I, s:b}", "info", info_json(info), "id",
                                       wide_json(id), "length", (json_int_t)*length, "buffer",
                                       buffer != NULL));
    if (FAILED(hresult))
        return hresult;
    if (buffer != NULL && FAILED(fake.mount_path_buffer_answer))
        return fake.mount_path_buffer_answer;
    int needed = MultiByteToWideChar(CP_UTF8, 0, fake.mount_path, -1, NULL, 0);
    if (fake.mount_path[0] == '\0')
        needed = 0;
    if (buffer != NULL && needed > 0)
        MultiByteToWideChar(CP_UTF8, 0, fake.mount_path, -1, buffer, (int)*length);
    *length = (UINT_PTR)needed;
    return S_OK;
}

static HRESULT WINAPI fake_name_to_guid(PCWSTR name, GUID *guid)
{
    HRESULT hresult = record("NameToGuid", json_pack("{s:o}", "name", wide_json(name)));
    if (SUCCEEDED(hresult))
        windows_parse_guid("8D2A4C6E-1111-4A5B-9C3D-00000000000A", guid);
    return hresult;
}

static HRESULT WINAPI fake_grant(PCWSTR vm_id, PCWSTR path)
{
    return record("GrantVmAccess", json_pack("{s:o, s:o}", "vmid", wide_json(vm_id), "filepath",
                                             wide_json(path)));
}

static HRESULT WINAPI fake_create_process(HCS_SYSTEM system, PCWSTR parameters,
                                          hcsoci_hcs_process_information *information,
                                          HCS_PROCESS *process, PWSTR *result)
{
    (void)result;
    HRESULT hresult = record("HcsCreateProcess",
                             json_pack("{s:s, s:o}", "computeSystem", id_of(system),
                                       "processParameters", wide_json(parameters)));
    if (FAILED(hresult))
        return hresult;
    HANDLE reader = NULL;
    HANDLE writer = NULL;
    CreatePipe(&reader, &writer, NULL, 0);
    DWORD written = 0;
    WriteFile(writer, fake.guest_output, (DWORD)strlen(fake.guest_output), &written, NULL);
    CloseHandle(writer);
    memset(information, 0, sizeof *information);
    information->ProcessId = 42;
    information->StdOutput = reader;
    fake.output_pipe = reader;
    *process = (HCS_PROCESS)(uintptr_t)0x9000;
    fake.open_processes++;
    return S_OK;
}

static HRESULT WINAPI fake_register_process(HCS_PROCESS process,
                                            hcsoci_hcs_notification_callback callback,
                                            void *context, HCS_CALLBACK *callback_handle)
{
    (void)process;
    HRESULT hresult = record("HcsRegisterProcessCallback", json_object());
    if (FAILED(hresult))
        return hresult;
    fake.registered_callbacks++;
    *callback_handle = (HCS_CALLBACK)(uintptr_t)0x7100;
    if (fake.complete_pending)
        deliver_later(callback, context, HCSOCI_HCS_NOTIFICATION_PROCESS_EXITED, S_OK, 10);
    return S_OK;
}

static HRESULT WINAPI fake_unregister_process(HCS_CALLBACK callback_handle)
{
    (void)callback_handle;
    fake.registered_callbacks--;
    return record("HcsUnregisterProcessCallback", json_object());
}

static HRESULT WINAPI fake_close_process(HCS_PROCESS process)
{
    (void)process;
    fake.open_processes--;
    return record("HcsCloseProcess", json_object());
}

static windows_vmcompute fake_exports(void)
{
    windows_vmcompute dll;
    memset(&dll, 0, sizeof dll);
    dll.HcsCreateComputeSystem = fake_create;
    dll.HcsOpenComputeSystem = fake_open;
    dll.HcsCloseComputeSystem = fake_close;
    dll.HcsStartComputeSystem = fake_start;
    dll.HcsTerminateComputeSystem = fake_terminate;
    dll.HcsGetComputeSystemProperties = fake_properties;
    dll.HcsModifyComputeSystem = fake_modify;
    dll.HcsRegisterComputeSystemCallback = fake_register;
    dll.HcsUnregisterComputeSystemCallback = fake_unregister;
    dll.HcsModifyServiceSettings = fake_modify_service;
    dll.HcsGetServiceProperties = fake_service_properties;
    dll.HNSCall = fake_hns;
    dll.ActivateLayer = fake_activate;
    dll.DeactivateLayer = fake_deactivate;
    dll.UnprepareLayer = fake_unprepare;
    dll.PrepareLayer = fake_prepare;
    dll.CreateSandboxLayer = fake_create_sandbox;
    dll.GetLayerMountPath = fake_mount_path;
    dll.NameToGuid = fake_name_to_guid;
    dll.GrantVmAccess = fake_grant;
    dll.HcsCreateProcess = fake_create_process;
    dll.HcsRegisterProcessCallback = fake_register_process;
    dll.HcsUnregisterProcessCallback = fake_unregister_process;
    dll.HcsCloseProcess = fake_close_process;
    return dll;
}

static void fake_reset(void)
{
    for (size_t i = 0; i < fake.thread_count; i++) {
        WaitForSingleObject(fake.threads[i], INFINITE);
        CloseHandle(fake.threads[i]);
    }
    for (size_t i = 0; i < fake.handle_count; i++)
        free(fake.system_ids[i]);
    json_decref(fake.calls);
    json_decref(fake.failures);
    memset(&fake, 0, sizeof fake);
    fake.calls = json_array();
    fake.failures = json_object();
    fake.create_answer = S_OK;
    fake.completion_type = HCSOCI_HCS_NOTIFICATION_SYSTEM_CREATE_COMPLETED;
    fake.completion_delay_ms = 20;
    fake.complete_pending = true;
    fake.properties = "{\"Id\":\"c1\",\"SystemType\":\"Container\",\"State\":\"Created\"}";
    fake.mount_path = "\\\\?\\Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f}\\";
    fake.guest_output = "";
}

static hcsoci_host *fake_host(void)
{
    fake_reset();
    windows_vmcompute dll = fake_exports();
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(windows_host_new_with_dll(&dll, &host, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    return host;
}

/* The names of the calls recorded so far, comma-separated (caller frees). */
static char *call_names(void)
{
    size_t size = 1;
    size_t index;
    json_t *call;
    json_array_foreach(fake.calls, index, call) {
        size += strlen(json_string_value(json_object_get(call, "call"))) + 1;
    }
    char *names = calloc(1, size);
    json_array_foreach(fake.calls, index, call) {
        if (index > 0)
            strcat(names, ",");
        strcat(names, json_string_value(json_object_get(call, "call")));
    }
    return names;
}

#define ASSERT_CALLS(expected)                                                                   \
    do {                                                                                         \
        char *names_ = call_names();                                                             \
        CU_ASSERT_STRING_EQUAL(names_, expected);                                                \
        if (strcmp(names_, expected) != 0)                                                       \
            fprintf(stderr, "\n  calls: %s\n  wanted: %s\n", names_, expected);                 \
        free(names_);                                                                            \
    } while (0)

static const json_t *call_args(size_t index)
{
    return json_object_get(json_array_get(fake.calls, index), "args");
}

#define ASSERT_ERROR(error, expected_code, expected_message)                                     \
    do {                                                                                         \
        CU_ASSERT_PTR_NOT_NULL_FATAL(error);                                                     \
        CU_ASSERT_EQUAL((uint32_t)(error)->code, (uint32_t)(expected_code));                     \
        CU_ASSERT_STRING_EQUAL((error)->message, expected_message);                              \
        if (strcmp((error)->message, expected_message) != 0)                                     \
            fprintf(stderr, "\n  message: %s\n  wanted: %s\n", (error)->message,               \
                    expected_message);                                                           \
        hcsoci_error_free(error);                                                                \
        (error) = NULL;                                                                          \
    } while (0)

static void destroy_and_check_closed(hcsoci_host *host)
{
    hcsoci_host_destroy(host);
    CU_ASSERT_EQUAL(fake.open_systems, 0);
    CU_ASSERT_EQUAL(fake.registered_callbacks, 0);
    CU_ASSERT_EQUAL(fake.open_processes, 0);
}

static json_t *parse(const char *text)
{
    json_t *value = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(value);
    return value;
}

/* ---- compute systems ---- */

static void test_create_registers_a_callback_and_queries_properties(void)
{
    hcsoci_host *host = fake_host();
    json_t *document = parse("{\"Owner\":\"o\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1}}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", document, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    ASSERT_CALLS("HcsCreateComputeSystem,HcsRegisterComputeSystemCallback,"
                 "HcsGetComputeSystemProperties");
    CU_ASSERT_TRUE(json_equal(json_object_get(call_args(0), "configuration"), document));
    CU_ASSERT_TRUE(json_is_true(json_object_get(call_args(0), "identityNull")));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(2), "propertyQuery")),
                           "{}");
    /* The handle is kept: modify needs no open. */
    json_t *request = parse("{\"ResourcePath\":\"a\",\"RequestType\":\"Add\"}");
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "c1", request, &error), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(3), "computeSystem")),
                           "c1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(3), "options")),
                           "{\"ResourcePath\":\"a\",\"RequestType\":\"Add\"}");
    CU_ASSERT_EQUAL(fake.open_systems, 1);
    destroy_and_check_closed(host);
    ASSERT_CALLS("HcsCreateComputeSystem,HcsRegisterComputeSystemCallback,"
                 "HcsGetComputeSystemProperties,HcsModifyComputeSystem,"
                 "HcsUnregisterComputeSystemCallback,HcsCloseComputeSystem");
    json_decref(document);
    json_decref(request);
}

static void test_a_pending_create_waits_for_its_completion(void)
{
    hcsoci_host *host = fake_host();
    fake.create_answer = HCSOCI_HCS_E_OPERATION_PENDING;
    fake.completion_delay_ms = 50;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    ASSERT_CALLS("HcsCreateComputeSystem,HcsRegisterComputeSystemCallback,"
                 "HcsGetComputeSystemProperties");
    CU_ASSERT_EQUAL(host->ops->close_compute_system(host, "c1", &error), 0);
    CU_ASSERT_EQUAL(fake.open_systems, 0);
    destroy_and_check_closed(host);
}

static void test_a_pending_create_that_completes_with_a_failure(void)
{
    hcsoci_host *host = fake_host();
    fake.create_answer = HCSOCI_HCS_E_OPERATION_PENDING;
    fake.completion_status = (HRESULT)0x80070005;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), -1);
    ASSERT_ERROR(error, 0x80070005, "Access is denied.");
    /* No properties query; the system is closed again, its callback first. */
    ASSERT_CALLS("HcsCreateComputeSystem,HcsRegisterComputeSystemCallback,"
                 "HcsUnregisterComputeSystemCallback,HcsCloseComputeSystem");
    destroy_and_check_closed(host);
}

static void test_a_pending_create_that_times_out_is_terminated(void)
{
    hcsoci_host *host = fake_host();
    ((windows_host *)host)->create_timeout_ms = 50;
    fake.create_answer = HCSOCI_HCS_E_OPERATION_PENDING;
    fake.complete_pending = false;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), -1);
    ASSERT_ERROR(error, WINDOWS_E_TIMEOUT, "hcsshim: timeout waiting for notification");
    ASSERT_CALLS("HcsCreateComputeSystem,HcsRegisterComputeSystemCallback,"
                 "HcsTerminateComputeSystem,HcsUnregisterComputeSystemCallback,"
                 "HcsCloseComputeSystem");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(2), "options")), "");
    destroy_and_check_closed(host);
}

static void test_a_pending_create_ended_by_the_system_exiting(void)
{
    hcsoci_host *host = fake_host();
    fake.create_answer = HCSOCI_HCS_E_OPERATION_PENDING;
    fake.completion_type = HCSOCI_HCS_NOTIFICATION_SYSTEM_EXITED;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), -1);
    ASSERT_ERROR(error, WINDOWS_E_UNEXPECTED_EXIT, "unexpected container exit");
    destroy_and_check_closed(host);
}

static void test_a_failed_create_carries_the_code_text_and_events(void)
{
    hcsoci_host *host = fake_host();
    fail_export("HcsCreateComputeSystem", (HRESULT)0x80070005);
    fake.failure_result = "{\"Error\":-2147024891,\"ErrorEvents\":[{\"Message\":\"no\","
                          "\"Provider\":\"p\",\"EventId\":7}]}";
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), -1);
    ASSERT_ERROR(error, 0x80070005,
                 "Access is denied.\n[Event Detail: no Provider: p EventID: 7]");
    ASSERT_CALLS("HcsCreateComputeSystem");
    destroy_and_check_closed(host);
}

static void test_a_failed_registration_terminates_and_closes(void)
{
    hcsoci_host *host = fake_host();
    fail_export("HcsRegisterComputeSystemCallback", (HRESULT)0x8007000E);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), -1);
    CU_ASSERT_TRUE(hcs_error_has_stage(error, HCSOCI_HOST_STAGE_CALLBACK_REGISTRATION));
    ASSERT_ERROR(error, 0x8007000E,
                 "Not enough memory resources are available to complete this operation.");
    ASSERT_CALLS("HcsCreateComputeSystem,HcsRegisterComputeSystemCallback,"
                 "HcsTerminateComputeSystem,HcsCloseComputeSystem");
    destroy_and_check_closed(host);
}

static void test_a_failed_properties_query_closes_the_system(void)
{
    hcsoci_host *host = fake_host();
    fail_export("HcsGetComputeSystemProperties", (HRESULT)0xC037010E);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), -1);
    CU_ASSERT_TRUE(hcs_error_has_stage(error, HCSOCI_HOST_STAGE_PROPERTIES_QUERY));
    ASSERT_ERROR(error, 0xC037010E,
                 "A virtual machine or container with the specified identifier does not exist.");
    ASSERT_CALLS("HcsCreateComputeSystem,HcsRegisterComputeSystemCallback,"
                 "HcsGetComputeSystemProperties,HcsUnregisterComputeSystemCallback,"
                 "HcsCloseComputeSystem");
    destroy_and_check_closed(host);
}

static void test_properties_that_are_not_json_fail_the_create(void)
{
    hcsoci_host *host = fake_host();
    fake.properties = "not json";
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, "the compute system's properties is not JSON"));
    CU_ASSERT_TRUE(hcs_error_has_stage(error, HCSOCI_HOST_STAGE_PROPERTIES_QUERY));
    hcsoci_error_free(error);
    /* No properties at all: the reference's own words, nothing around them. */
    fake.properties = "";
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c2", NULL, &error), -1);
    CU_ASSERT_TRUE(hcs_error_has_stage(error, HCSOCI_HOST_STAGE_OWN_WORDS));
    ASSERT_ERROR(error, HCSOCI_E_FAIL, "unexpected value returned from hcs");
    destroy_and_check_closed(host);
}

static void test_a_system_not_created_here_is_opened_once(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    json_t *request = parse("{\"ResourcePath\":\"x\"}");
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "uvm-1", request, &error), 0);
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "UVM-1", request, &error), 0);
    ASSERT_CALLS("HcsOpenComputeSystem,HcsModifyComputeSystem,HcsModifyComputeSystem");
    CU_ASSERT_EQUAL(fake.open_systems, 1);
    destroy_and_check_closed(host);
    ASSERT_CALLS("HcsOpenComputeSystem,HcsModifyComputeSystem,HcsModifyComputeSystem,"
                 "HcsCloseComputeSystem");
    json_decref(request);
}

static void test_a_failed_modify_and_a_failed_open(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    fail_export("HcsOpenComputeSystem", (HRESULT)0xC037010E);
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "gone", NULL, &error), -1);
    ASSERT_ERROR(error, 0xC037010E,
                 "A virtual machine or container with the specified identifier does not exist.");
    json_object_clear(fake.failures);
    fail_export("HcsModifyComputeSystem", (HRESULT)0x80070005);
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "uvm-1", NULL, &error), -1);
    ASSERT_ERROR(error, 0x80070005, "Access is denied.");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(2), "options")), "");
    destroy_and_check_closed(host);
}

static void test_start_terminate_and_close(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), 0);
    CU_ASSERT_EQUAL(host->ops->start_compute_system(host, "c1", &error), 0);
    CU_ASSERT_EQUAL(host->ops->terminate_compute_system(host, "c1", &error), 0);
    CU_ASSERT_EQUAL(host->ops->close_compute_system(host, "c1", &error), 0);
    CU_ASSERT_PTR_NULL(error);
    ASSERT_CALLS("HcsCreateComputeSystem,HcsRegisterComputeSystemCallback,"
                 "HcsGetComputeSystemProperties,HcsStartComputeSystem,HcsTerminateComputeSystem,"
                 "HcsUnregisterComputeSystemCallback,HcsCloseComputeSystem");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(3), "options")), "");
    CU_ASSERT_EQUAL(fake.open_systems, 0);
    destroy_and_check_closed(host);
}

static void test_a_pending_start_waits_for_its_completion(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), 0);
    windows_compute_system *system = &((windows_host *)host)->systems[0];
    fail_export("HcsStartComputeSystem", HCSOCI_HCS_E_OPERATION_PENDING);
    deliver_later(windows_notification_callback, system->watch,
                  HCSOCI_HCS_NOTIFICATION_SYSTEM_START_COMPLETED, S_OK, 30);
    CU_ASSERT_EQUAL(host->ops->start_compute_system(host, "c1", &error), 0);
    CU_ASSERT_PTR_NULL(error);
    /* A failed completion is the start's failure. */
    deliver_later(windows_notification_callback, system->watch,
                  HCSOCI_HCS_NOTIFICATION_SYSTEM_START_COMPLETED, (HRESULT)0xC0370105, 30);
    CU_ASSERT_EQUAL(host->ops->start_compute_system(host, "c1", &error), -1);
    ASSERT_ERROR(error, 0xC0370105,
                 "The requested virtual machine or container operation is not valid in the "
                 "current state.");
    destroy_and_check_closed(host);
}

static void test_terminate_answers_as_the_reference(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    /* Pending is done (the reference does not wait); already stopped is handed up. */
    fail_export("HcsTerminateComputeSystem", HCSOCI_HCS_E_OPERATION_PENDING);
    CU_ASSERT_EQUAL(host->ops->terminate_compute_system(host, "c9", &error), 0);
    fail_export("HcsTerminateComputeSystem", HCSOCI_HCS_E_ALREADY_STOPPED);
    CU_ASSERT_EQUAL(host->ops->terminate_compute_system(host, "c9", &error), -1);
    ASSERT_ERROR(error, HCSOCI_HCS_E_ALREADY_STOPPED,
                 "The virtual machine or container with the specified identifier is not "
                 "running.");
    /* Through the core, that is success. */
    CU_ASSERT_EQUAL(hcsoci_compute_system_terminate(host, "c9", &error), 0);
    CU_ASSERT_PTR_NULL(error);
    destroy_and_check_closed(host);
}

static void test_close_of_a_system_not_created_here(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->close_compute_system(host, "c7", &error), 0);
    ASSERT_CALLS("HcsOpenComputeSystem,HcsCloseComputeSystem");
    CU_ASSERT_EQUAL(fake.open_systems, 0);
    destroy_and_check_closed(host);
}

static void test_destroy_closes_every_handle(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), 0);
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c2", NULL, &error), 0);
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "uvm", NULL, &error), 0);
    CU_ASSERT_EQUAL(fake.open_systems, 3);
    CU_ASSERT_EQUAL(fake.registered_callbacks, 2);
    /* A second create of an id held is refused before any call. */
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "C1", NULL, &error), -1);
    ASSERT_ERROR(error, HCSOCI_E_INVALID, "Windows host: compute system C1 is already open");
    destroy_and_check_closed(host);
}

static void test_a_missing_export_is_named(void)
{
    fake_reset();
    windows_vmcompute dll = fake_exports();
    dll.HcsRegisterComputeSystemCallback = NULL;
    dll.NameToGuid = NULL;
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(windows_host_new_with_dll(&dll, &host, &error), 0);
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, &error), -1);
    ASSERT_ERROR(error, HCSOCI_E_NOT_SUPPORTED,
                 "vmcompute.dll has no export HcsRegisterComputeSystemCallback");
    char *guid = NULL;
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "x", &guid, &error), -1);
    ASSERT_ERROR(error, HCSOCI_E_NOT_SUPPORTED, "vmcompute.dll has no export NameToGuid");
    ASSERT_CALLS("");
    destroy_and_check_closed(host);
}

static void test_bad_text_is_refused_before_any_call(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "bad\xff", NULL, &error), -1);
    ASSERT_ERROR(error, HCSOCI_E_INVALID, "id is not valid UTF-8");
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, NULL, &error), -1);
    ASSERT_ERROR(error, HCSOCI_E_INVALID, "layer path is NULL");
    ASSERT_CALLS("");
    destroy_and_check_closed(host);
}

/* ---- layers ---- */

static void test_layer_calls_pass_the_driver_info_and_descriptors(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    json_t *descriptors = parse("[{\"LayerId\":\"8d2a4c6e-1111-4a5b-9c3d-000000000001\","
                                "\"Flags\":0,\"Path\":\"C:\\\\layers\\\\base\"},"
                                "{\"LayerId\":\"8D2A4C6E-2222-4A5B-9C3D-0000000000FF\","
                                "\"Flags\":1,\"Path\":\"C:\\\\layers\\\\m\\u00e9\"}]");
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\s", &error), 0);
    CU_ASSERT_EQUAL(host->ops->prepare_layer(host, "C:\\s", descriptors, &error), 0);
    CU_ASSERT_EQUAL(host->ops->create_sandbox_layer(host, "C:\\s", descriptors, &error), 0);
    CU_ASSERT_EQUAL(host->ops->unprepare_layer(host, "C:\\s", &error), 0);
    CU_ASSERT_EQUAL(host->ops->deactivate_layer(host, "C:\\s", &error), 0);
    CU_ASSERT_EQUAL(host->ops->grant_vm_access(host, "uvm", "C:\\f.vhdx", &error), 0);
    CU_ASSERT_PTR_NULL(error);
    ASSERT_CALLS("ActivateLayer,PrepareLayer,CreateSandboxLayer,UnprepareLayer,DeactivateLayer,"
                 "GrantVmAccess");
    json_t *info = parse("{\"Flavour\":1,\"HomeDir\":\"\"}");
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_TRUE(json_equal(json_object_get(call_args(i), "info"), info));
    json_t *expected = parse("[{\"LayerId\":\"8d2a4c6e-1111-4a5b-9c3d-000000000001\","
                             "\"Flags\":0,\"Path\":\"C:\\\\layers\\\\base\"},"
                             "{\"LayerId\":\"8d2a4c6e-2222-4a5b-9c3d-0000000000ff\","
                             "\"Flags\":1,\"Path\":\"C:\\\\layers\\\\m\\u00e9\"}]");
    CU_ASSERT_TRUE(json_equal(json_object_get(call_args(1), "descriptors"), expected));
    CU_ASSERT_TRUE(json_equal(json_object_get(call_args(2), "descriptors"), expected));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(call_args(2), "parent")), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(5), "filepath")),
                           "C:\\f.vhdx");
    json_decref(info);
    json_decref(expected);
    json_decref(descriptors);
    destroy_and_check_closed(host);
}

static void test_a_bad_descriptor_is_named(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    json_t *descriptors = parse("[{\"LayerId\":\"8d2a4c6e-1111-4a5b-9c3d-000000000001\","
                                "\"Path\":\"C:\\\\a\"},{\"LayerId\":\"not-a-guid\",\"Path\":\"b\"}]");
    CU_ASSERT_EQUAL(host->ops->prepare_layer(host, "C:\\s", descriptors, &error), -1);
    ASSERT_ERROR(error, HCSOCI_E_INVALID, "layer descriptor 1: field 'LayerId' is missing or not valid");
    ASSERT_CALLS("");
    json_decref(descriptors);
    destroy_and_check_closed(host);
}

static void test_a_failed_layer_call_carries_the_code_and_text(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    fail_export("ActivateLayer", (HRESULT)0x80070005);
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\s", &error), -1);
    ASSERT_ERROR(error, 0x80070005, "Access is denied.");
    destroy_and_check_closed(host);
}

static void test_the_mount_path_is_asked_for_twice(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    char *mount_path = NULL;
    CU_ASSERT_EQUAL(host->ops->get_layer_mount_path(host, "C:\\s", &mount_path, &error), 0);
    CU_ASSERT_STRING_EQUAL(mount_path, "\\\\?\\Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f}\\");
    free(mount_path);
    ASSERT_CALLS("GetLayerMountPath,GetLayerMountPath");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(call_args(0), "length")), 0);
    CU_ASSERT_TRUE(json_is_false(json_object_get(call_args(0), "buffer")));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(call_args(1), "length")), 50);
    CU_ASSERT_TRUE(json_is_true(json_object_get(call_args(1), "buffer")));
    /* No mount path: one call, "". */
    fake.mount_path = "";
    CU_ASSERT_EQUAL(host->ops->get_layer_mount_path(host, "C:\\s", &mount_path, &error), 0);
    CU_ASSERT_STRING_EQUAL(mount_path, "");
    free(mount_path);
    CU_ASSERT_EQUAL(json_array_size(fake.calls), 3);
    /* A failed buffer call is labelled as the second call, a failed size probe is not. */
    fake.mount_path = "C:\\m";
    fake.mount_path_buffer_answer = (HRESULT)0x80070005;
    CU_ASSERT_EQUAL(host->ops->get_layer_mount_path(host, "C:\\s", &mount_path, &error), -1);
    CU_ASSERT_PTR_NULL(mount_path);
    CU_ASSERT_EQUAL(json_array_size(fake.calls), 5);
    CU_ASSERT_TRUE(hcs_error_has_stage(error, HCSOCI_HOST_STAGE_SECOND_CALL));
    ASSERT_ERROR(error, 0x80070005, "Access is denied.");
    fail_export("GetLayerMountPath", (HRESULT)0x80070003);
    CU_ASSERT_EQUAL(host->ops->get_layer_mount_path(host, "C:\\s", &mount_path, &error), -1);
    CU_ASSERT_PTR_NULL(mount_path);
    CU_ASSERT_EQUAL(json_array_size(fake.calls), 6);
    CU_ASSERT_FALSE(hcs_error_has_stage(error, HCSOCI_HOST_STAGE_SECOND_CALL));
    ASSERT_ERROR(error, 0x80070003, "The system cannot find the path specified.");
    destroy_and_check_closed(host);
}

static void test_name_to_guid_answers_lower_case(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    char *guid = NULL;
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "b0c1base", &guid, &error), 0);
    CU_ASSERT_STRING_EQUAL(guid, "8d2a4c6e-1111-4a5b-9c3d-00000000000a");
    free(guid);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(0), "name")), "b0c1base");
    fail_export("NameToGuid", (HRESULT)0x80070057);
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "x", &guid, &error), -1);
    CU_ASSERT_PTR_NULL(guid);
    ASSERT_ERROR(error, 0x80070057, "The parameter is incorrect.");
    destroy_and_check_closed(host);
}

static void test_guids_are_parsed_and_formatted(void)
{
    GUID guid;
    CU_ASSERT_TRUE(windows_parse_guid("01234567-89ab-cdef-0123-456789ABCDEF", &guid));
    CU_ASSERT_EQUAL(guid.Data1, 0x01234567u);
    CU_ASSERT_EQUAL(guid.Data2, 0x89abu);
    CU_ASSERT_EQUAL(guid.Data4[7], 0xefu);
    char text[37];
    windows_format_guid(&guid, text);
    CU_ASSERT_STRING_EQUAL(text, "01234567-89ab-cdef-0123-456789abcdef");
    CU_ASSERT_FALSE(windows_parse_guid("01234567-89ab-cdef-0123-456789ABCDE", &guid));
    CU_ASSERT_FALSE(windows_parse_guid("01234567x89ab-cdef-0123-456789ABCDEF", &guid));
    CU_ASSERT_FALSE(windows_parse_guid("0123456g-89ab-cdef-0123-456789ABCDEF", &guid));
    CU_ASSERT_FALSE(windows_parse_guid(NULL, &guid));
}

/* ---- HNS and services ---- */

static void test_hns_call_sends_the_request_and_parses_the_response(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    json_t *response = NULL;
    CU_ASSERT_EQUAL(host->ops->hns_call(host, "GET", "/endpoints/", NULL, &response, &error), 0);
    json_t *expected = parse("{\"Success\":true,\"Output\":{\"ID\":\"n1\"}}");
    CU_ASSERT_TRUE(json_equal(response, expected));
    json_decref(response);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(0), "object")), "");
    json_t *request = parse("{\"a\":\"<&>\",\"b\":1}");
    CU_ASSERT_EQUAL(host->ops->hns_call(host, "POST", "/x", request, &response, &error), 0);
    json_decref(response);
    /* Sent as Go writes it: object order, <, & and > escaped. */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(1), "object")),
                           "{\"a\":\"\\u003c\\u0026\\u003e\",\"b\":1}");
    fail_export("HNSCall", (HRESULT)0x80070005);
    CU_ASSERT_EQUAL(host->ops->hns_call(host, "GET", "/x", NULL, &response, &error), -1);
    CU_ASSERT_PTR_NULL(response);
    ASSERT_ERROR(error, 0x80070005, "Access is denied.");
    json_decref(request);
    json_decref(expected);
    destroy_and_check_closed(host);
}

static void test_service_settings_and_properties(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    json_t *settings = parse("{\"PropertyType\":\"ContainerCredentialGuard\"}");
    CU_ASSERT_EQUAL(host->ops->modify_service_settings(host, settings, &error), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(call_args(0), "settings")),
                           "{\"PropertyType\":\"ContainerCredentialGuard\"}");
    json_t *query = parse("{\"PropertyTypes\":[\"ContainerCredentialGuard\"]}");
    json_t *properties = NULL;
    CU_ASSERT_EQUAL(host->ops->get_service_properties(host, query, &properties, &error), 0);
    json_t *expected = parse("{\"Properties\":[{\"Instances\":[]}]}");
    CU_ASSERT_TRUE(json_equal(properties, expected));
    json_decref(properties);
    fail_export("HcsModifyServiceSettings", (HRESULT)0x80070490);
    fake.failure_result = "{\"ErrorEvents\":[{\"Message\":\"m\",\"Source\":\"s\"}]}";
    CU_ASSERT_EQUAL(host->ops->modify_service_settings(host, settings, &error), -1);
    ASSERT_ERROR(error, 0x80070490, "Element not found.\n[Event Detail: m Source: s]");
    fail_export("HcsGetServiceProperties", (HRESULT)0x80070005);
    CU_ASSERT_EQUAL(host->ops->get_service_properties(host, query, &properties, &error), -1);
    CU_ASSERT_PTR_NULL(properties);
    ASSERT_ERROR(error, 0x80070005, "Access is denied.");
    json_decref(settings);
    json_decref(query);
    json_decref(expected);
    destroy_and_check_closed(host);
}

/* ---- guest processes ---- */

static void test_a_guest_process_output_is_read_to_its_end(void)
{
    hcsoci_host *host = fake_host();
    hcsoci_error *error = NULL;
    fake.guest_output = "PCI\\VEN_1\r\nPCI\\VEN_2\r\n";
    char *output = NULL;
    CU_ASSERT_EQUAL(host->ops->run_guest_process(host, "uvm-1", "C:\\device-util.exe children",
                                                 &output, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_STRING_EQUAL(output, "PCI\\VEN_1\r\nPCI\\VEN_2\r\n");
    free(output);
    ASSERT_CALLS("HcsOpenComputeSystem,HcsCreateProcess,HcsRegisterProcessCallback,"
                 "HcsUnregisterProcessCallback,HcsCloseProcess");
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(call_args(1), "processParameters")),
        "{\"CommandLine\":\"C:\\\\device-util.exe children\",\"User\":\"NT "
        "AUTHORITY\\\\SYSTEM\",\"CreateStdOutPipe\":true}");
    /* The pipe was closed. */
    DWORD flags = 0;
    CU_ASSERT_FALSE(GetHandleInformation(fake.output_pipe, &flags));
    CU_ASSERT_EQUAL(fake.open_processes, 0);
    destroy_and_check_closed(host);
}

static void test_a_guest_process_that_does_not_exit_times_out(void)
{
    hcsoci_host *host = fake_host();
    ((windows_host *)host)->process_timeout_ms = 50;
    fake.complete_pending = false;
    fake.guest_output = "x";
    hcsoci_error *error = NULL;
    char *output = NULL;
    CU_ASSERT_EQUAL(host->ops->run_guest_process(host, "uvm-1", "cmd", &output, &error), -1);
    CU_ASSERT_PTR_NULL(output);
    ASSERT_ERROR(error, WINDOWS_E_TIMEOUT, "hcsshim: timeout waiting for notification");
    CU_ASSERT_EQUAL(fake.open_processes, 0);
    fail_export("HcsCreateProcess", (HRESULT)0x80070002);
    CU_ASSERT_EQUAL(host->ops->run_guest_process(host, "uvm-1", "cmd", &output, &error), -1);
    ASSERT_ERROR(error, 0x80070002, "The system cannot find the file specified.");
    destroy_and_check_closed(host);
}

/* ---- the notification wait on its own ---- */

static void test_the_wait_takes_the_expected_notification(void)
{
    windows_notification_watch *watch = windows_notification_watch_new(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(watch);
    fake_reset();
    /* A type the watch does not follow changes nothing. */
    windows_notification_callback(0x0000000Bu, watch, S_OK, NULL);
    deliver_later(windows_notification_callback, watch,
                  HCSOCI_HCS_NOTIFICATION_SYSTEM_CREATE_COMPLETED, S_OK, 30);
    bool timed_out = true;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(windows_notification_wait(watch, WINDOWS_NOTIFICATION_SYSTEM_CREATE_COMPLETED,
                                              5000, &timed_out, &error), 0);
    CU_ASSERT_FALSE(timed_out);
    CU_ASSERT_PTR_NULL(error);
    /* A notification counts once. */
    CU_ASSERT_EQUAL(windows_notification_wait(watch, WINDOWS_NOTIFICATION_SYSTEM_CREATE_COMPLETED,
                                              20, &timed_out, &error), -1);
    CU_ASSERT_TRUE(timed_out);
    ASSERT_ERROR(error, WINDOWS_E_TIMEOUT, "hcsshim: timeout waiting for notification");
    fake_reset();
    windows_notification_watch_free(watch);
}

static void test_the_wait_reports_exit_and_disconnect(void)
{
    windows_notification_watch *watch = windows_notification_watch_new(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(watch);
    bool timed_out = false;
    hcsoci_error *error = NULL;
    windows_notification_callback(HCSOCI_HCS_NOTIFICATION_SERVICE_DISCONNECT, watch, S_OK, NULL);
    CU_ASSERT_EQUAL(windows_notification_wait(watch, WINDOWS_NOTIFICATION_SYSTEM_START_COMPLETED,
                                              1000, &timed_out, &error), -1);
    ASSERT_ERROR(error, WINDOWS_E_SERVICE_DISCONNECT, "lost communication with compute service");
    /* Waiting for the exit itself: its status is the answer. */
    windows_notification_callback(HCSOCI_HCS_NOTIFICATION_SYSTEM_EXITED, watch,
                                  (HRESULT)0x80070005, NULL);
    CU_ASSERT_EQUAL(windows_notification_wait(watch, WINDOWS_NOTIFICATION_SYSTEM_EXITED, 1000,
                                              &timed_out, &error), -1);
    ASSERT_ERROR(error, 0x80070005, "Access is denied.");
    CU_ASSERT_EQUAL(windows_notification_wait(watch, WINDOWS_NOTIFICATION_KINDS, 1000, &timed_out,
                                              &error), -1);
    ASSERT_ERROR(error, HCSOCI_E_INVALID, "hcsshim: invalid notification type");
    windows_notification_watch_free(watch);
}

static void test_timeouts_come_from_the_environment(void)
{
    SetEnvironmentVariableA("HCSOCI_TEST_TIMEOUT", NULL);
    _putenv("HCSOCI_TEST_TIMEOUT=");
    CU_ASSERT_EQUAL(windows_timeout_ms("HCSOCI_TEST_TIMEOUT"), 240000u);
    _putenv("HCSOCI_TEST_TIMEOUT=7");
    CU_ASSERT_EQUAL(windows_timeout_ms("HCSOCI_TEST_TIMEOUT"), 7000u);
    _putenv("HCSOCI_TEST_TIMEOUT=-3");
    CU_ASSERT_EQUAL(windows_timeout_ms("HCSOCI_TEST_TIMEOUT"), 240000u);
    _putenv("HCSOCI_TEST_TIMEOUT=5s");
    CU_ASSERT_EQUAL(windows_timeout_ms("HCSOCI_TEST_TIMEOUT"), 240000u);
    _putenv("HCSOCI_TEST_TIMEOUT=");
}

/* ---- text and errors ---- */

static void test_text_converts_both_ways(void)
{
    hcsoci_error *error = NULL;
    wchar_t *wide = windows_utf16_from_utf8("C:\\m\xc3\xa9\xf0\x9f\x98\x80", "path", &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wide);
    CU_ASSERT_EQUAL(wcslen(wide), 7); /* the emoji is a surrogate pair */
    char *back = windows_utf8_from_utf16(wide, &error);
    CU_ASSERT_STRING_EQUAL(back, "C:\\m\xc3\xa9\xf0\x9f\x98\x80");
    free(back);
    free(wide);
    const wchar_t lone_surrogate[] = {0xD800, 0};
    CU_ASSERT_PTR_NULL(windows_utf8_from_utf16(lone_surrogate, &error));
    ASSERT_ERROR(error, HCSOCI_E_INVALID, "the host answered text that is not valid UTF-16");
    CU_ASSERT_PTR_NULL(windows_utf16_from_utf8("\xc3", "name", &error));
    ASSERT_ERROR(error, HCSOCI_E_INVALID, "name is not valid UTF-8");
    char *empty = windows_take_hcs_string(NULL, &error);
    CU_ASSERT_STRING_EQUAL(empty, "");
    free(empty);
}

static void test_hresults_read_as_windows_words_them(void)
{
    char text[256];
    windows_hresult_text((HRESULT)0x80070005, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "Access is denied.");
    windows_hresult_text((HRESULT)0xC0370110, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "The virtual machine or container with the specified identifier "
                                 "is not running.");
    /* Not in the table: the system's text for the Win32 code, no trailing line break. */
    windows_hresult_text(HRESULT_FROM_WIN32(ERROR_INVALID_FUNCTION), text, sizeof text);
    CU_ASSERT_TRUE(strlen(text) > 0 && text[strlen(text) - 1] != '\n' &&
                   strcmp(text, "The operation failed.") != 0);
    /* Neither: the table's generic text. */
    windows_hresult_text((HRESULT)0xA1B2C3D4, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "The operation failed.");
}

/* ---- files and facts ---- */

static void set_variable(const char *name, const char *value)
{
    SetEnvironmentVariableA(name, value);
}

static char scratch[MAX_PATH];

static const char *scratch_path(const char *name)
{
    static char path[MAX_PATH * 2];
    snprintf(path, sizeof path, "%s\\%s", scratch, name);
    return path;
}

static void make_scratch(void)
{
    char temp[MAX_PATH];
    GetTempPathA(sizeof temp, temp);
    snprintf(scratch, sizeof scratch, "%shcsoci-windows-host-%lu", temp,
             (unsigned long)GetCurrentProcessId());
    CreateDirectoryA(scratch, NULL);
}

static void remove_scratch(void)
{
    DeleteFileA(scratch_path("file"));
    DeleteFileA(scratch_path("file2"));
    RemoveDirectoryA(scratch_path("a\\b\\c"));
    RemoveDirectoryA(scratch_path("a\\b"));
    RemoveDirectoryA(scratch_path("a"));
    RemoveDirectoryA(scratch);
}

static void test_paths_are_stat_ed(void)
{
    make_scratch();
    HANDLE file = CreateFileA(scratch_path("file"), GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD written = 0;
    WriteFile(file, "12345", 5, &written, NULL);
    CloseHandle(file);
    uint64_t size = 99;
    CU_ASSERT_EQUAL(windows_stat_path(NULL, scratch, &size), HCSOCI_PATH_DIRECTORY);
    CU_ASSERT_EQUAL(size, 0);
    CU_ASSERT_EQUAL(windows_stat_path(NULL, scratch_path("file"), &size), HCSOCI_PATH_FILE);
    CU_ASSERT_EQUAL(size, 5);
    CU_ASSERT_EQUAL(windows_stat_path(NULL, scratch_path("missing"), &size), HCSOCI_PATH_MISSING);
    CU_ASSERT_EQUAL(windows_stat_path(NULL, "\\\\.\\PhysicalDrive97", NULL), HCSOCI_PATH_MISSING);
    /* A device that opens is a file, even where GetFileAttributesExW does not answer for it
     * (Wine's \\.\PhysicalDrive0: error 66). */
    HANDLE device = CreateFileA("\\\\.\\PhysicalDrive0", 0, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                NULL, OPEN_EXISTING, 0, NULL);
    if (device != INVALID_HANDLE_VALUE) {
        CloseHandle(device);
        CU_ASSERT_EQUAL(windows_stat_path(NULL, "\\\\.\\PhysicalDrive0", NULL), HCSOCI_PATH_FILE);
    }
    CU_ASSERT_EQUAL(windows_stat_path(NULL, "bad\xff", NULL), HCSOCI_PATH_MISSING);
    remove_scratch();
}

static void test_directories_are_made_with_their_parents(void)
{
    make_scratch();
    hcsoci_error *error = NULL;
    char path[MAX_PATH * 2];
    snprintf(path, sizeof path, "%s", scratch_path("a\\b\\c\\"));
    CU_ASSERT_EQUAL(windows_make_directory(NULL, path, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(windows_stat_path(NULL, scratch_path("a\\b\\c"), NULL), HCSOCI_PATH_DIRECTORY);
    /* An existing directory is fine. */
    CU_ASSERT_EQUAL(windows_make_directory(NULL, scratch_path("a\\b"), &error), 0);
    HANDLE file = CreateFileA(scratch_path("file2"), GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    CloseHandle(file);
    snprintf(path, sizeof path, "%s", scratch_path("file2"));
    CU_ASSERT_EQUAL(windows_make_directory(NULL, path, &error), -1);
    char expected[MAX_PATH * 3];
    snprintf(expected, sizeof expected,
             "mkdir %s: Cannot create a file when that file already exists.", path);
    ASSERT_ERROR(error, 0x800700B7, expected);
    CU_ASSERT_EQUAL(windows_make_directory(NULL, "", &error), -1);
    ASSERT_ERROR(error, HCSOCI_E_INVALID, "mkdir: the path is empty");
    remove_scratch();
}

static void test_facts_of_the_machine(void)
{
    hcsoci_host *host = fake_host();
    CU_ASSERT_TRUE(host->ops->os_build(host) > 0);
    /* Every group's processors when Windows knows them (Wine without /sys does not): never 0. */
    DWORD active = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    if (active > 0)
        CU_ASSERT_EQUAL(host->ops->processor_count(host), (uint32_t)active);
    CU_ASSERT_TRUE(host->ops->processor_count(host) >= 1);
    /* The program's directory: where this .exe is, no trailing backslash. */
    char module[MAX_PATH];
    GetModuleFileNameA(NULL, module, sizeof module);
    *strrchr(module, '\\') = '\0';
    CU_ASSERT_STRING_EQUAL(host->ops->program_directory(host), module);
    char first[37];
    char second[37];
    host->ops->new_guid(host, first);
    host->ops->new_guid(host, second);
    CU_ASSERT_EQUAL(strlen(first), 36);
    CU_ASSERT_EQUAL(first[14], '4');
    CU_ASSERT_TRUE(strchr("89ab", first[19]) != NULL);
    GUID parsed;
    CU_ASSERT_TRUE(windows_parse_guid(first, &parsed));
    for (const char *c = first; *c != '\0'; c++)
        CU_ASSERT_FALSE(*c >= 'A' && *c <= 'F');
    CU_ASSERT_STRING_NOT_EQUAL(first, second);
    destroy_and_check_closed(host);
}

/* ---- loading vmcompute.dll ---- */

static void test_loading_vmcompute_dll(void)
{
    /* Loading alone makes no call: a recording DLL writes only its handlesLeftOpen line. */
    make_scratch();
    set_variable("HCSOCI_RECORDING_LOG", scratch_path("load.jsonl"));
    HMODULE present = LoadLibraryW(L"vmcompute.dll");
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    int status = hcsoci_windows_host_new(&host, &error);
    if (present == NULL) {
        /* Wine has no vmcompute.dll of its own. */
        CU_ASSERT_FALSE(hcsoci_windows_host_available());
        CU_ASSERT_EQUAL(status, -1);
        CU_ASSERT_PTR_NULL(host);
        CU_ASSERT_PTR_NOT_NULL_FATAL(error);
        CU_ASSERT_EQUAL(error->code, HCSOCI_E_NOT_SUPPORTED);
        CU_ASSERT_PTR_NOT_NULL(strstr(error->message, "cannot load vmcompute.dll: "));
        hcsoci_error_free(error);
    } else {
        CU_ASSERT_TRUE(hcsoci_windows_host_available());
        CU_ASSERT_EQUAL(status, 0);
        CU_ASSERT_PTR_NOT_NULL(host);
        hcsoci_host_destroy(host);
        FreeLibrary(present);
    }
    CU_ASSERT_EQUAL(hcsoci_windows_host_new(NULL, &error), -1);
    ASSERT_ERROR(error, HCSOCI_E_INVALID, "Windows host: no place for the host given");
    DeleteFileA(scratch_path("load.jsonl"));
    set_variable("HCSOCI_RECORDING_LOG", NULL);
    remove_scratch();
}

/* ---- against the recording vmcompute.dll (tests/windows/recording_vmcompute.c) ---- */

static char dll_case_path[MAX_PATH];
static char dll_log_path[MAX_PATH];

/* Writes a case for the recording DLL (failCall as given, JSON text or "null") and points the
 * DLL at it and at a fresh log. */
static void write_recording_case(const char *fail_call)
{
    make_scratch();
    snprintf(dll_case_path, sizeof dll_case_path, "%s", scratch_path("case.json"));
    snprintf(dll_log_path, sizeof dll_log_path, "%s", scratch_path("log.jsonl"));
    DeleteFileA(dll_log_path);
    json_t *fail = json_loads(fail_call, JSON_DECODE_ANY, NULL);
    json_t *test_case = json_pack(
        "{s:{s:s}, s:{s:i, s:i, s:{}, s:{s:s}, s:s, s:[], s:{}, s:[], s:o, s:{s:{s:s}}, s:s}}",
        "hostingSystem", "id", "uvm-test",
        "host", "build", 20348, "processorCount", 8, "files",
        "layerIds", "C:\\layers\\base", "8d2a4c6e-1111-4a5b-9c3d-000000000001",
        "layerMountPath", "\\\\?\\Volume{1}\\",
        "hnsEndpoints", "hnsNamespaces", "hnsNewNamespaceIds",
        "failCall", fail,
        "guestProcessOutputs", "uvm-test", "device-util.exe children", "line one\n",
        "programDir", "C:\\Program Files\\hcsoci");
    CU_ASSERT_PTR_NOT_NULL_FATAL(test_case);
    CU_ASSERT_EQUAL(json_dump_file(test_case, dll_case_path, 0), 0);
    json_decref(test_case);
    set_variable("HCSOCI_RECORDING_CASE", dll_case_path);
    set_variable("HCSOCI_RECORDING_LOG", dll_log_path);
    set_variable("HCSOCI_REPLAY_PHASE", NULL);
}

static json_t *read_recording_log(void)
{
    json_t *lines = json_array();
    FILE *file = fopen(dll_log_path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    static char line[1 << 16];
    while (fgets(line, sizeof line, file) != NULL) {
        json_t *value = json_loads(line, 0, NULL);
        CU_ASSERT_PTR_NOT_NULL(value);
        if (value != NULL)
            json_array_append_new(lines, value);
    }
    fclose(file);
    return lines;
}

/* The call names of the log's lines, comma-separated, then "|" and the handles left open. */
static char *recorded_calls(const json_t *lines)
{
    json_t *names = json_array();
    json_t *left_open = NULL;
    size_t index;
    json_t *line;
    json_array_foreach(lines, index, line) {
        if (json_object_get(line, "handlesLeftOpen") != NULL)
            left_open = json_object_get(line, "handlesLeftOpen");
        else
            json_array_append(names, json_object_get(line, "call"));
    }
    size_t size = 16;
    json_t *name;
    json_array_foreach(names, index, name) {
        size += strlen(json_string_value(name)) + 1;
    }
    char *text = calloc(1, size);
    json_array_foreach(names, index, name) {
        if (index > 0)
            strcat(text, ",");
        strcat(text, json_string_value(name));
    }
    strcat(text, json_array_size(left_open) == 0 && left_open != NULL ? "|closed" : "|LEFT OPEN");
    json_decref(names);
    return text;
}

static const json_t *recorded_line(const json_t *lines, const char *call, size_t nth)
{
    size_t index;
    json_t *line;
    json_array_foreach(lines, index, line) {
        const char *name = json_string_value(json_object_get(line, "call"));
        if (name != NULL && strcmp(name, call) == 0 && nth-- == 0)
            return line;
    }
    return NULL;
}

static hcsoci_host *recording_host(void)
{
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_windows_host_new(&host, &error) != 0) {
        fprintf(stderr, "\n  the recording vmcompute.dll must be next to this program: %s\n",
                error->message);
        hcsoci_error_free(error);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(host);
    return host;
}

static void test_every_op_against_the_recording_dll(void)
{
    write_recording_case("null");
    hcsoci_host *host = recording_host();
    hcsoci_error *error = NULL;
    char *guid = NULL;
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "base", &guid, &error), 0);
    CU_ASSERT_STRING_EQUAL(guid, "8d2a4c6e-1111-4a5b-9c3d-000000000001");
    json_t *descriptors = json_pack("[{s:s, s:i, s:s}]", "LayerId", guid, "Flags", 0, "Path",
                                    "C:\\layers\\base");
    free(guid);
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\layers\\scratch", &error), 0);
    CU_ASSERT_EQUAL(host->ops->prepare_layer(host, "C:\\layers\\scratch", descriptors, &error), 0);
    char *mount_path = NULL;
    CU_ASSERT_EQUAL(host->ops->get_layer_mount_path(host, "C:\\layers\\scratch", &mount_path,
                                                    &error), 0);
    CU_ASSERT_STRING_EQUAL(mount_path, "\\\\?\\Volume{1}\\");
    free(mount_path);
    json_t *document = parse("{\"Owner\":\"o\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1}}");
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c-test", document, &error), 0);
    json_t *request = parse("{\"ResourcePath\":\"VirtualMachine/Devices/Scsi/0/Attachments/0\","
                            "\"RequestType\":\"Add\",\"Settings\":{\"Type\":\"VirtualDisk\"}}");
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "uvm-test", request, &error), 0);
    CU_ASSERT_EQUAL(host->ops->grant_vm_access(host, "uvm-test", "C:\\f.vhdx", &error), 0);
    json_t *response = NULL;
    CU_ASSERT_EQUAL(host->ops->hns_call(host, "GET", "/endpoints/", NULL, &response, &error), 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(response, "Success")));
    json_decref(response);
    json_t *settings = parse("{\"PropertyType\":\"ContainerCredentialGuard\",\"Settings\":"
                             "{\"Operation\":\"AddInstance\",\"OperationDetails\":{\"Id\":"
                             "\"ccg1\",\"CredentialSpec\":\"{}\",\"Transport\":\"LRPC\"}}}");
    CU_ASSERT_EQUAL(host->ops->modify_service_settings(host, settings, &error), 0);
    json_t *query = parse("{\"PropertyTypes\":[\"ContainerCredentialGuard\"]}");
    json_t *properties = NULL;
    CU_ASSERT_EQUAL(host->ops->get_service_properties(host, query, &properties, &error), 0);
    const json_t *instance =
        json_array_get(json_object_get(json_array_get(json_object_get(properties, "Properties"),
                                                      0), "Instances"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(instance, "Id")), "ccg1");
    json_decref(properties);
    char *output = NULL;
    CU_ASSERT_EQUAL(host->ops->run_guest_process(host, "uvm-test", "device-util.exe children",
                                                 &output, &error), 0);
    CU_ASSERT_STRING_EQUAL(output, "line one\n");
    free(output);
    CU_ASSERT_EQUAL(host->ops->start_compute_system(host, "c-test", &error), 0);
    CU_ASSERT_EQUAL(host->ops->terminate_compute_system(host, "c-test", &error), 0);
    CU_ASSERT_EQUAL(host->ops->close_compute_system(host, "c-test", &error), 0);
    CU_ASSERT_EQUAL(host->ops->unprepare_layer(host, "C:\\layers\\scratch", &error), 0);
    CU_ASSERT_EQUAL(host->ops->deactivate_layer(host, "C:\\layers\\scratch", &error), 0);
    CU_ASSERT_EQUAL(host->ops->create_sandbox_layer(host, scratch, descriptors, &error), 0);
    CU_ASSERT_EQUAL(windows_stat_path(NULL, scratch_path("sandbox.vhdx"), NULL), HCSOCI_PATH_FILE);
    if (error != NULL)
        fprintf(stderr, "\n  unexpected error: %s\n", error->message);
    CU_ASSERT_PTR_NULL(error);
    hcsoci_host_destroy(host);

    json_t *lines = read_recording_log();
    char *calls = recorded_calls(lines);
    const char *expected =
        "NameToGuid,ActivateLayer,PrepareLayer,GetLayerMountPath,GetLayerMountPath,"
        "HcsCreateComputeSystem,HcsRegisterComputeSystemCallback,HcsGetComputeSystemProperties,"
        "HcsOpenComputeSystem,HcsModifyComputeSystem,GrantVmAccess,HNSCall,"
        "HcsModifyServiceSettings,HcsGetServiceProperties,HcsCreateProcess,"
        "HcsRegisterProcessCallback,HcsUnregisterProcessCallback,HcsCloseProcess,"
        "HcsStartComputeSystem,HcsTerminateComputeSystem,HcsUnregisterComputeSystemCallback,"
        "HcsCloseComputeSystem,UnprepareLayer,DeactivateLayer,CreateSandboxLayer,"
        "HcsCloseComputeSystem|closed";
    CU_ASSERT_STRING_EQUAL(calls, expected);
    if (strcmp(calls, expected) != 0)
        fprintf(stderr, "\n  recorded: %s\n  wanted:   %s\n", calls, expected);
    free(calls);

    /* The arguments as the corpus records them. */
    const json_t *probe = json_object_get(recorded_line(lines, "GetLayerMountPath", 0), "args");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(probe, "length")), 0);
    CU_ASSERT_TRUE(json_is_null(json_object_get(probe, "buffer")));
    json_t *info = parse("{\"Flavour\":1,\"HomeDir\":\"\"}");
    CU_ASSERT_TRUE(json_equal(json_object_get(probe, "info"), info));
    const json_t *fill = json_object_get(recorded_line(lines, "GetLayerMountPath", 1), "args");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(fill, "length")), 15);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fill, "buffer")), "<buffer>");
    const json_t *create = json_object_get(recorded_line(lines, "HcsCreateComputeSystem", 0),
                                           "args");
    CU_ASSERT_TRUE(json_equal(json_object_get(create, "configuration"), document));
    const json_t *query_args =
        json_object_get(recorded_line(lines, "HcsGetComputeSystemProperties", 0), "args");
    json_t *empty = json_object();
    CU_ASSERT_TRUE(json_equal(json_object_get(query_args, "propertyQuery"), empty));
    const json_t *hns = json_object_get(recorded_line(lines, "HNSCall", 0), "args");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hns, "object")), "");
    const json_t *prepare = json_object_get(recorded_line(lines, "PrepareLayer", 0), "args");
    CU_ASSERT_TRUE(json_equal(json_object_get(prepare, "descriptors"), descriptors));
    json_decref(empty);
    json_decref(info);
    json_decref(lines);
    json_decref(query);
    json_decref(settings);
    json_decref(request);
    json_decref(document);
    json_decref(descriptors);
    DeleteFileA(scratch_path("sandbox.vhdx"));
    DeleteFileA(dll_case_path);
    DeleteFileA(dll_log_path);
    remove_scratch();
}

static void test_failed_calls_of_the_recording_dll(void)
{
    write_recording_case("{\"call\": \"HcsCreateComputeSystem\", \"nth\": 1}");
    hcsoci_host *host = recording_host();
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c-test", NULL, &error), -1);
    ASSERT_ERROR(error, 0x80070005, "Access is denied.");
    /* The second create is not the one to fail. */
    json_t *document = parse("{\"Owner\":\"o\"}");
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c-test", document, &error), 0);
    if (error != NULL)
        fprintf(stderr, "\n  unexpected error: %s\n", error->message);
    hcsoci_error_free(error);
    error = NULL;
    json_decref(document);
    hcsoci_host_destroy(host);
    json_t *lines = read_recording_log();
    char *calls = recorded_calls(lines);
    CU_ASSERT_STRING_EQUAL(calls, "HcsCreateComputeSystem,HcsCreateComputeSystem,"
                                  "HcsRegisterComputeSystemCallback,"
                                  "HcsGetComputeSystemProperties,"
                                  "HcsUnregisterComputeSystemCallback,HcsCloseComputeSystem|closed");
    free(calls);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(lines, 0), "hr")),
                           "0x80070005");
    json_decref(lines);

    write_recording_case("{\"call\": \"GetLayerMountPath\", \"nth\": 2, \"hresult\": \"0x80070020\"}");
    host = recording_host();
    char *mount_path = NULL;
    CU_ASSERT_EQUAL(host->ops->get_layer_mount_path(host, "C:\\s", &mount_path, &error), -1);
    CU_ASSERT_PTR_NULL(mount_path);
    ASSERT_ERROR(error, 0x80070020,
                 "The process cannot access the file because it is being used by another "
                 "process.");
    hcsoci_host_destroy(host);
    lines = read_recording_log();
    calls = recorded_calls(lines);
    CU_ASSERT_STRING_EQUAL(calls, "GetLayerMountPath,GetLayerMountPath|closed");
    free(calls);
    json_decref(lines);
    DeleteFileA(dll_case_path);
    DeleteFileA(dll_log_path);
    remove_scratch();
}

/* ---- the runner ---- */

typedef struct test_entry {
    const char *name;
    CU_TestFunc function;
} test_entry;

static const test_entry tests[] = {
    {"create registers a callback and queries properties",
     test_create_registers_a_callback_and_queries_properties},
    {"a pending create waits for its completion", test_a_pending_create_waits_for_its_completion},
    {"a pending create that completes with a failure",
     test_a_pending_create_that_completes_with_a_failure},
    {"a pending create that times out is terminated",
     test_a_pending_create_that_times_out_is_terminated},
    {"a pending create ended by the system exiting",
     test_a_pending_create_ended_by_the_system_exiting},
    {"a failed create carries the code, text and events",
     test_a_failed_create_carries_the_code_text_and_events},
    {"a failed registration terminates and closes",
     test_a_failed_registration_terminates_and_closes},
    {"a failed properties query closes the system",
     test_a_failed_properties_query_closes_the_system},
    {"properties that are not JSON fail the create",
     test_properties_that_are_not_json_fail_the_create},
    {"a system not created here is opened once", test_a_system_not_created_here_is_opened_once},
    {"a failed modify and a failed open", test_a_failed_modify_and_a_failed_open},
    {"start, terminate and close", test_start_terminate_and_close},
    {"a pending start waits for its completion", test_a_pending_start_waits_for_its_completion},
    {"terminate answers as the reference", test_terminate_answers_as_the_reference},
    {"close of a system not created here", test_close_of_a_system_not_created_here},
    {"destroy closes every handle", test_destroy_closes_every_handle},
    {"a missing export is named", test_a_missing_export_is_named},
    {"bad text is refused before any call", test_bad_text_is_refused_before_any_call},
    {"layer calls pass the driver info and descriptors",
     test_layer_calls_pass_the_driver_info_and_descriptors},
    {"a bad descriptor is named", test_a_bad_descriptor_is_named},
    {"a failed layer call carries the code and text",
     test_a_failed_layer_call_carries_the_code_and_text},
    {"the mount path is asked for twice", test_the_mount_path_is_asked_for_twice},
    {"NameToGuid answers lower case", test_name_to_guid_answers_lower_case},
    {"GUIDs are parsed and formatted", test_guids_are_parsed_and_formatted},
    {"HNSCall sends the request and parses the response",
     test_hns_call_sends_the_request_and_parses_the_response},
    {"service settings and properties", test_service_settings_and_properties},
    {"a guest process's output is read to its end",
     test_a_guest_process_output_is_read_to_its_end},
    {"a guest process that does not exit times out",
     test_a_guest_process_that_does_not_exit_times_out},
    {"the wait takes the expected notification", test_the_wait_takes_the_expected_notification},
    {"the wait reports exit and disconnect", test_the_wait_reports_exit_and_disconnect},
    {"timeouts come from the environment", test_timeouts_come_from_the_environment},
    {"text converts both ways", test_text_converts_both_ways},
    {"HRESULTs read as Windows words them", test_hresults_read_as_windows_words_them},
    {"paths are stat'ed", test_paths_are_stat_ed},
    {"directories are made with their parents", test_directories_are_made_with_their_parents},
    {"facts of the machine", test_facts_of_the_machine},
    {"loading vmcompute.dll", test_loading_vmcompute_dll},
    {"every op against the recording DLL", test_every_op_against_the_recording_dll},
    {"failed calls of the recording DLL", test_failed_calls_of_the_recording_dll},
    {NULL, NULL},
};

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    CU_pSuite suite = CU_add_suite("windows host", NULL, NULL);
    for (const test_entry *test = tests; test->name != NULL; test++)
        CU_add_test(suite, test->name, test->function);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    json_decref(fake.calls);
    json_decref(fake.failures);
    return failures == 0 ? 0 : 1;
}
