/* Windows-only test of the recording vmcompute.dll (run under Wine by `make check-windows`):
 * loads the DLL next to this program, calls its exports for a small case, unloads it and
 * checks the log it wrote: the call lines, failCall counting in the create phase only, the
 * process output pipe and exit notification, and the final handlesLeftOpen line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../core/lib/host/windows/vmcompute.h"

#include <objbase.h> /* CoTaskMemFree */

static int failures;

#define CHECK(condition)                                                                         \
    do {                                                                                         \
        if (!(condition)) {                                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition);       \
            failures++;                                                                          \
        }                                                                                        \
    } while (0)

#define DECLARE_POINTER(name, parameters) static hcsoci_vmcompute_##name##_fn call_##name;
HCSOCI_VMCOMPUTE_EXPORTS(DECLARE_POINTER)
#undef DECLARE_POINTER

static const char case_text[] =
    "{\"options\": {\"id\": \"c-test\"}, \"hostingSystem\": {\"id\": \"uvm-test\"},"
    " \"host\": {\"build\": 20348, \"processorCount\": 8, \"files\": {},"
    "  \"layerIds\": {\"C:\\\\layers\\\\base\": \"8d2a4c6e-1111-4a5b-9c3d-000000000001\"},"
    "  \"layerMountPath\": \"\\\\\\\\?\\\\Volume{1}\\\\\","
    "  \"hnsEndpoints\": [], \"hnsNamespaces\": {},"
    "  \"hnsNewNamespaceIds\": [\"9b8a7c6d-0000-4000-8000-0000000000b2\"],"
    "  \"failCall\": {\"call\": \"PrepareLayer\", \"nth\": 2, \"hresult\": \"0x80070020\"},"
    "  \"guestProcessOutputs\": {\"uvm-test\": {\"device-util.exe children\": \"line one\\n\"}},"
    "  \"programDir\": \"C:\\\\Program Files\\\\hcsoci\"}}";

static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "wb");
    CHECK(file != NULL);
    if (file != NULL) {
        fputs(text, file);
        fclose(file);
    }
}

static HANDLE exited_event;

static void CALLBACK on_notification(DWORD type, void *context, HRESULT status, PCWSTR data)
{
    (void)data;
    CHECK(context == (void *)&exited_event);
    CHECK(type == HCSOCI_HCS_NOTIFICATION_PROCESS_EXITED);
    CHECK(status == S_OK);
    SetEvent(exited_event);
}

/* The log lines, parsed (an array). */
static json_t *read_log(const char *path)
{
    json_t *lines = json_array();
    FILE *file = fopen(path, "rb");
    CHECK(file != NULL);
    char line[65536];
    while (file != NULL && fgets(line, sizeof line, file) != NULL) {
        json_t *value = json_loads(line, 0, NULL);
        CHECK(value != NULL);
        if (value != NULL)
            json_array_append_new(lines, value);
    }
    if (file != NULL)
        fclose(file);
    return lines;
}

static const char *hr_of(const json_t *line)
{
    return json_string_value(json_object_get(line, "hr"));
}

static void exercise(const char *directory)
{
    hcsoci_layer_driver_info info = {1, L""};
    HRESULT hr = call_ActivateLayer(&info, L"C:\\layers\\scratch");
    CHECK(hr == S_OK);
    GUID guid;
    CHECK(call_NameToGuid(L"BASE", &guid) == S_OK);
    CHECK(guid.Data1 == 0x8d2a4c6e && guid.Data2 == 0x1111 && guid.Data4[7] == 1);
    hcsoci_layer_descriptor descriptor = {guid, 0, L"C:\\layers\\base"};
    CHECK(call_PrepareLayer(&info, L"C:\\layers\\scratch", &descriptor, 1) == S_OK);
    CHECK(call_PrepareLayer(&info, L"C:\\layers\\scratch", &descriptor, 1) ==
          (HRESULT)0x80070020L);
    UINT_PTR length = 0;
    CHECK(call_GetLayerMountPath(&info, L"C:\\layers\\scratch", &length, NULL) == S_OK);
    CHECK(length == 15);
    WCHAR buffer[64];
    CHECK(call_GetLayerMountPath(&info, L"C:\\layers\\scratch", &length, buffer) == S_OK);
    CHECK(wcscmp(buffer, L"\\\\?\\Volume{1}\\") == 0);

    /* CreateSandboxLayer makes the file for real. */
    WCHAR sandbox_directory[MAX_PATH];
    MultiByteToWideChar(CP_UTF8, 0, directory, -1, sandbox_directory, MAX_PATH);
    CHECK(call_CreateSandboxLayer(&info, sandbox_directory, 0, &descriptor, 1) == S_OK);
    char sandbox[MAX_PATH];
    snprintf(sandbox, sizeof sandbox, "%s\\sandbox.vhdx", directory);
    CHECK(GetFileAttributesA(sandbox) != INVALID_FILE_ATTRIBUTES);

    HCS_SYSTEM container = NULL;
    PWSTR result = NULL;
    CHECK(call_HcsCreateComputeSystem(L"c-test", L"{\"Owner\":\"o\"}", NULL, &container,
                                      &result) == S_OK);
    CHECK(container != NULL && result == NULL);
    HCS_CALLBACK system_callback = NULL;
    CHECK(call_HcsRegisterComputeSystemCallback(container, on_notification, NULL,
                                                &system_callback) == S_OK);
    PWSTR properties = NULL;
    CHECK(call_HcsGetComputeSystemProperties(container, L"{}", &properties, &result) == S_OK);
    CHECK(properties != NULL && wcsstr(properties, L"\"c-test\"") != NULL);
    CoTaskMemFree(properties);
    PWSTR response = NULL;
    CHECK(call_HNSCall(L"POST", L"/namespaces/", L"{}", &response) == S_OK);
    CHECK(response != NULL && wcsstr(response, L"0000000000b2") != NULL);
    CoTaskMemFree(response);

    /* A system that does not exist does not open; the hosting system does. */
    HCS_SYSTEM uvm = NULL;
    CHECK(call_HcsOpenComputeSystem(L"nobody", &uvm, &result) == (HRESULT)0xC037010EL);
    CHECK(call_HcsOpenComputeSystem(L"uvm-test", &uvm, &result) == S_OK);
    hcsoci_hcs_process_information process_information;
    HCS_PROCESS process = NULL;
    CHECK(call_HcsCreateProcess(uvm,
                                L"{\"CommandLine\":\"device-util.exe children\","
                                L"\"CreateStdOutPipe\":true}",
                                &process_information, &process, &result) == S_OK);
    CHECK(process_information.StdOutput != NULL && process_information.StdInput == NULL);
    char output[64] = {0};
    DWORD read = 0;
    CHECK(ReadFile(process_information.StdOutput, output, sizeof output - 1, &read, NULL));
    CHECK(strcmp(output, "line one\n") == 0);
    CHECK(!ReadFile(process_information.StdOutput, output, sizeof output - 1, &read, NULL));
    CloseHandle(process_information.StdOutput);
    exited_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    HCS_CALLBACK process_callback = NULL;
    CHECK(call_HcsRegisterProcessCallback(process, on_notification, (void *)&exited_event,
                                          &process_callback) == S_OK);
    CHECK(WaitForSingleObject(exited_event, 5000) == WAIT_OBJECT_0);
    CHECK(call_HcsUnregisterProcessCallback(process_callback) == S_OK);
    CHECK(call_HcsCloseProcess(process) == S_OK);
    CHECK(call_HcsCloseProcess(process) == (HRESULT)0x80070006L);
    CHECK(call_HcsCloseComputeSystem(uvm) == S_OK);
    CloseHandle(exited_event);

    /* The release phase: failCall no longer counts. */
    SetEnvironmentVariableW(L"HCSOCI_REPLAY_PHASE", L"release");
    CHECK(call_PrepareLayer(&info, L"C:\\layers\\scratch", &descriptor, 1) == S_OK);
    CHECK(call_HcsUnregisterComputeSystemCallback(system_callback) == S_OK);
    /* container is left open on purpose: the final line must name it. */
}

static void check_log(const char *log_path)
{
    json_t *lines = read_log(log_path);
    size_t count = json_array_size(lines);
    CHECK(count == 22);
    if (count != 22) {
        json_decref(lines);
        return;
    }
    json_t *activate = json_array_get(lines, 0);
    CHECK(strcmp(json_string_value(json_object_get(activate, "call")), "ActivateLayer") == 0);
    CHECK(strcmp(hr_of(activate), "0x00000000") == 0);
    json_t *info = json_pack("{s:i, s:s}", "Flavour", 1, "HomeDir", "");
    CHECK(json_equal(json_object_get(json_object_get(activate, "args"), "info"), info));
    json_decref(info);
    CHECK(strcmp(json_string_value(json_object_get(activate, "phase")), "create") == 0);
    CHECK(json_object_get(activate, "returned") == NULL);
    json_t *guid = json_object_get(json_object_get(json_array_get(lines, 1), "returned"), "guid");
    CHECK(strcmp(json_string_value(guid), "8d2a4c6e-1111-4a5b-9c3d-000000000001") == 0);
    json_t *prepare = json_object_get(json_array_get(lines, 2), "args");
    CHECK(strcmp(json_string_value(json_object_get(
                     json_array_get(json_object_get(prepare, "descriptors"), 0), "LayerId")),
                 "8d2a4c6e-1111-4a5b-9c3d-000000000001") == 0);
    json_t *failed = json_array_get(lines, 3);
    CHECK(strcmp(hr_of(failed), "0x80070020") == 0);
    CHECK(json_object_get(failed, "returned") == NULL);
    json_t *probe = json_array_get(lines, 4);
    CHECK(json_is_null(json_object_get(json_object_get(probe, "args"), "buffer")));
    CHECK(json_integer_value(json_object_get(json_object_get(probe, "returned"), "length")) == 15);
    json_t *copy = json_array_get(lines, 5);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(copy, "args"), "buffer")),
                 "<buffer>") == 0);
    CHECK(json_integer_value(json_object_get(json_object_get(copy, "args"), "length")) == 15);
    json_t *create = json_array_get(lines, 7);
    CHECK(json_integer_value(json_object_get(json_object_get(create, "args"), "identity")) == 0);
    CHECK(json_is_object(json_object_get(json_object_get(create, "args"), "configuration")));
    CHECK(strcmp(json_string_value(
                     json_object_get(json_object_get(create, "returned"), "computeSystem")),
                 "c-test") == 0);
    json_t *registered = json_object_get(json_array_get(lines, 8), "args");
    CHECK(strcmp(json_string_value(json_object_get(registered, "computeSystem")), "c-test") == 0);
    json_t *hns = json_array_get(lines, 10);
    CHECK(json_is_object(json_object_get(json_object_get(hns, "args"), "object")));
    CHECK(json_is_true(json_object_get(
        json_object_get(json_object_get(hns, "returned"), "response"), "Success")));
    CHECK(strcmp(hr_of(json_array_get(lines, 11)), "0xC037010E") == 0);
    json_t *release = json_array_get(lines, 19);
    CHECK(strcmp(json_string_value(json_object_get(release, "call")), "PrepareLayer") == 0);
    CHECK(strcmp(hr_of(release), "0x00000000") == 0);
    CHECK(strcmp(json_string_value(json_object_get(release, "phase")), "release") == 0);
    json_t *left_open = json_object_get(json_array_get(lines, 21), "handlesLeftOpen");
    CHECK(json_array_size(left_open) == 1);
    CHECK(strcmp(json_string_value(json_array_get(left_open, 0)), "compute system c-test") == 0);
    json_decref(lines);
}

/* Loads the recording vmcompute.dll from this program's directory or its .libs (where libtool
 * leaves it in the build tree). */
static HMODULE load_recording_dll(void)
{
    WCHAR path[MAX_PATH + 32];
    DWORD length = GetModuleFileNameW(NULL, path, MAX_PATH);
    if (length == 0 || length >= MAX_PATH)
        return NULL;
    WCHAR *slash = wcsrchr(path, L'\\');
    if (slash == NULL)
        return NULL;
    wcscpy(slash + 1, L"vmcompute.dll");
    HMODULE dll = LoadLibraryW(path);
    if (dll == NULL) {
        wcscpy(slash + 1, L".libs\\vmcompute.dll");
        dll = LoadLibraryW(path);
    }
    return dll;
}

int main(void)
{
    char directory[MAX_PATH], case_path[MAX_PATH], log_path[MAX_PATH];
    DWORD length = GetTempPathA(MAX_PATH, directory);
    CHECK(length > 0);
    snprintf(directory + length, MAX_PATH - length, "recording-test-%lu",
             (unsigned long)GetCurrentProcessId());
    CreateDirectoryA(directory, NULL);
    snprintf(case_path, sizeof case_path, "%s\\case.json", directory);
    snprintf(log_path, sizeof log_path, "%s\\log.jsonl", directory);
    write_file(case_path, case_text);
    DeleteFileA(log_path);
    SetEnvironmentVariableA("HCSOCI_RECORDING_CASE", case_path);
    SetEnvironmentVariableA("HCSOCI_RECORDING_LOG", log_path);
    SetEnvironmentVariableA("HCSOCI_REPLAY_PHASE", NULL);

    HMODULE dll = load_recording_dll();
    CHECK(dll != NULL);
    if (dll == NULL)
        return 1;
#define LOOK_UP(name, parameters)                                                                \
    call_##name = (hcsoci_vmcompute_##name##_fn)(void (*)(void))GetProcAddress(dll, #name);     \
    CHECK(call_##name != NULL);
    HCSOCI_VMCOMPUTE_EXPORTS(LOOK_UP)
#undef LOOK_UP
    if (failures == 0)
        exercise(directory);
    FreeLibrary(dll);
    check_log(log_path);

    char sandbox[MAX_PATH];
    snprintf(sandbox, sizeof sandbox, "%s\\sandbox.vhdx", directory);
    DeleteFileA(sandbox);
    DeleteFileA(case_path);
    DeleteFileA(log_path);
    RemoveDirectoryA(directory);
    printf("%s: %d failed checks\n", failures == 0 ? "PASS" : "FAIL", failures);
    return failures == 0 ? 0 : 1;
}
