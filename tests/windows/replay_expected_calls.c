/* Windows-only check of the recording vmcompute.dll against the corpus (run under Wine by
 * `make check-windows`): makes, through the DLL, exactly the calls an expected trace lists
 * (tests/conformance-windows/expected/NNN.json), with their arguments, the release calls
 * after setting HCSOCI_REPLAY_PHASE=release, then closes every handle and unloads the DLL.
 * The DLL's log, assembled by windows_trace, must then compare equal to the same expected
 * trace: the DLL answers each call (hr and what it hands back) as the reference's recorder did.
 *
 *   replay_expected_calls EXPECTED     (HCSOCI_RECORDING_CASE and HCSOCI_RECORDING_LOG set)
 *
 * Exit status: 0 when every call could be made (the answers are judged by the comparison), 2
 * when the trace names a call or an argument this program cannot make. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../core/lib/host/windows/vmcompute.h"

#include <objbase.h> /* CoTaskMemFree */

#define DECLARE_POINTER(name, parameters) static hcsoci_vmcompute_##name##_fn call_##name;
HCSOCI_VMCOMPUTE_EXPORTS(DECLARE_POINTER)
#undef DECLARE_POINTER

/* The handles this program holds: compute system id -> handle, and callbacks to unregister. */
#define MAXIMUM_HANDLES 64
static struct {
    char *id;
    HCS_SYSTEM handle;
} systems[MAXIMUM_HANDLES];
static size_t system_count;
static struct {
    char *system_id;
    HCS_CALLBACK handle;
} callbacks[MAXIMUM_HANDLES];
static size_t callback_count;
/* How the recording DLL names a callback handle in its log. */
static const char callback_name_prefix[] = "callback of compute system ";

static int unusable(const char *call, const char *why)
{
    fprintf(stderr, "replay_expected_calls: cannot make %s: %s\n", call, why);
    return 2;
}

/* UTF-16 copy of a JSON string member, or of the compact JSON text of any other value (NULL
 * for a missing member or JSON null). The caller frees it. */
static PWSTR wide_argument(const json_t *args, const char *member)
{
    const json_t *value = json_object_get(args, member);
    if (value == NULL || json_is_null(value))
        return NULL;
    char *text = json_is_string(value) ? strdup(json_string_value(value))
                                       : json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL)
        return NULL;
    int needed = MultiByteToWideChar(CP_UTF8, 0, text, -1, NULL, 0);
    PWSTR wide = needed > 0 ? malloc((size_t)needed * sizeof(WCHAR)) : NULL;
    if (wide != NULL)
        MultiByteToWideChar(CP_UTF8, 0, text, -1, wide, needed);
    free(text);
    return wide;
}

static bool parse_guid(const char *text, GUID *guid)
{
    unsigned long data1;
    unsigned int data2, data3, bytes[8];
    if (text == NULL || strlen(text) != 36 ||
        sscanf(text, "%8lx-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &data1, &data2, &data3, &bytes[0],
               &bytes[1], &bytes[2], &bytes[3], &bytes[4], &bytes[5], &bytes[6], &bytes[7]) != 11)
        return false;
    guid->Data1 = data1;
    guid->Data2 = (unsigned short)data2;
    guid->Data3 = (unsigned short)data3;
    for (int i = 0; i < 8; i++)
        guid->Data4[i] = (unsigned char)bytes[i];
    return true;
}

/* The descriptors argument as structures (*count of them; the paths are allocated). */
static hcsoci_layer_descriptor *descriptors_argument(const json_t *args, ULONG *count)
{
    const json_t *list = json_object_get(args, "descriptors");
    *count = (ULONG)json_array_size(list);
    hcsoci_layer_descriptor *descriptors = calloc(*count + 1, sizeof *descriptors);
    for (ULONG i = 0; descriptors != NULL && i < *count; i++) {
        const json_t *entry = json_array_get(list, i);
        parse_guid(json_string_value(json_object_get(entry, "LayerId")), &descriptors[i].LayerId);
        descriptors[i].Flags = (ULONG)json_integer_value(json_object_get(entry, "Flags"));
        descriptors[i].Path = wide_argument(entry, "Path");
    }
    return descriptors;
}

static void free_descriptors(hcsoci_layer_descriptor *descriptors, ULONG count)
{
    for (ULONG i = 0; descriptors != NULL && i < count; i++)
        free((void *)descriptors[i].Path);
    free(descriptors);
}

/* The handle for the compute system the argument names: one this program created, else one it
 * opens (as hcsoci opens a utility VM). */
static HCS_SYSTEM system_argument(const json_t *args)
{
    const char *id = json_string_value(json_object_get(args, "computeSystem"));
    if (id == NULL)
        return NULL;
    for (size_t i = 0; i < system_count; i++) {
        if (strcmp(systems[i].id, id) == 0)
            return systems[i].handle;
    }
    PWSTR wide = wide_argument(args, "computeSystem");
    HCS_SYSTEM handle = NULL;
    PWSTR result = NULL;
    if (call_HcsOpenComputeSystem(wide, &handle, &result) == S_OK && system_count < MAXIMUM_HANDLES) {
        systems[system_count].id = strdup(id);
        systems[system_count++].handle = handle;
    }
    free(wide);
    return handle;
}

/* Closes the handle of the compute system the argument names, as the trace does (a create
 * whose callback registration or first properties query failed closes its system), and forgets
 * it so that it is not closed again at the end. */
static void close_system_argument(const json_t *args)
{
    const char *id = json_string_value(json_object_get(args, "computeSystem"));
    for (size_t i = 0; id != NULL && i < system_count; i++) {
        if (strcmp(systems[i].id, id) == 0) {
            call_HcsCloseComputeSystem(systems[i].handle);
            free(systems[i].id);
            systems[i] = systems[--system_count];
            return;
        }
    }
}

/* Unregisters the callback the argument names ("callback of compute system ID"), as the trace
 * does, and forgets it. */
static void unregister_callback_argument(const json_t *args)
{
    const char *name = json_string_value(json_object_get(args, "callbackHandle"));
    size_t prefix_length = sizeof callback_name_prefix - 1;
    if (name == NULL || strncmp(name, callback_name_prefix, prefix_length) != 0)
        return;
    for (size_t i = 0; i < callback_count; i++) {
        if (callbacks[i].system_id != NULL &&
            strcmp(callbacks[i].system_id, name + prefix_length) == 0) {
            call_HcsUnregisterComputeSystemCallback(callbacks[i].handle);
            free(callbacks[i].system_id);
            callbacks[i] = callbacks[--callback_count];
            return;
        }
    }
}

static void CALLBACK ignore_notification(DWORD type, void *context, HRESULT status, PCWSTR data)
{
    (void)type;
    (void)context;
    (void)status;
    (void)data;
}

static int make_call(const json_t *call)
{
    static const hcsoci_layer_driver_info info = {1, L""};
    const char *name = json_string_value(json_object_get(call, "call"));
    const json_t *args = json_object_get(call, "args");
    if (name == NULL || !json_is_object(args))
        return unusable("a call", "no 'call' or 'args'");
    PWSTR id = wide_argument(args, "id");
    PWSTR result = NULL, answer = NULL;
    int status = 0;
    if (strcmp(name, "ActivateLayer") == 0) {
        call_ActivateLayer(&info, id);
    } else if (strcmp(name, "DeactivateLayer") == 0) {
        call_DeactivateLayer(&info, id);
    } else if (strcmp(name, "UnprepareLayer") == 0) {
        call_UnprepareLayer(&info, id);
    } else if (strcmp(name, "PrepareLayer") == 0 || strcmp(name, "CreateSandboxLayer") == 0) {
        /* hcsoci makes a missing scratch folder before CreateSandboxLayer. */
        if (strcmp(name, "CreateSandboxLayer") == 0 && id != NULL)
            CreateDirectoryW(id, NULL);
        ULONG count;
        hcsoci_layer_descriptor *descriptors = descriptors_argument(args, &count);
        if (strcmp(name, "PrepareLayer") == 0)
            call_PrepareLayer(&info, id, descriptors, count);
        else
            call_CreateSandboxLayer(&info, id, 0, descriptors, count);
        free_descriptors(descriptors, count);
    } else if (strcmp(name, "GetLayerMountPath") == 0) {
        UINT_PTR length = (UINT_PTR)json_integer_value(json_object_get(args, "length"));
        bool probe = json_is_null(json_object_get(args, "buffer"));
        PWSTR buffer = probe ? NULL : calloc(length + 1, sizeof(WCHAR));
        call_GetLayerMountPath(&info, id, &length, buffer);
        free(buffer);
    } else if (strcmp(name, "NameToGuid") == 0) {
        PWSTR layer_name = wide_argument(args, "name");
        GUID guid;
        call_NameToGuid(layer_name, &guid);
        free(layer_name);
    } else if (strcmp(name, "HcsCreateComputeSystem") == 0) {
        PWSTR configuration = wide_argument(args, "configuration");
        HCS_SYSTEM handle = NULL;
        if (call_HcsCreateComputeSystem(id, configuration, NULL, &handle, &result) == S_OK &&
            system_count < MAXIMUM_HANDLES) {
            systems[system_count].id = strdup(json_string_value(json_object_get(args, "id")));
            systems[system_count++].handle = handle;
        }
        free(configuration);
    } else if (strcmp(name, "HcsRegisterComputeSystemCallback") == 0) {
        HCS_CALLBACK callback = NULL;
        if (call_HcsRegisterComputeSystemCallback(system_argument(args), ignore_notification, NULL,
                                                  &callback) == S_OK &&
            callback_count < MAXIMUM_HANDLES) {
            callbacks[callback_count].system_id =
                strdup(json_string_value(json_object_get(args, "computeSystem")));
            callbacks[callback_count++].handle = callback;
        }
    } else if (strcmp(name, "HcsUnregisterComputeSystemCallback") == 0) {
        unregister_callback_argument(args);
    } else if (strcmp(name, "HcsGetComputeSystemProperties") == 0) {
        PWSTR query = wide_argument(args, "propertyQuery");
        call_HcsGetComputeSystemProperties(system_argument(args), query, &answer, &result);
        free(query);
    } else if (strcmp(name, "HcsModifyComputeSystem") == 0) {
        PWSTR configuration = wide_argument(args, "configuration");
        call_HcsModifyComputeSystem(system_argument(args), configuration, &result);
        free(configuration);
    } else if (strcmp(name, "HcsTerminateComputeSystem") == 0) {
        PWSTR options = wide_argument(args, "options");
        call_HcsTerminateComputeSystem(system_argument(args), options, &result);
        free(options);
    } else if (strcmp(name, "HcsCloseComputeSystem") == 0) {
        close_system_argument(args);
    } else if (strcmp(name, "HcsModifyServiceSettings") == 0) {
        PWSTR settings = wide_argument(args, "settings");
        call_HcsModifyServiceSettings(settings, &result);
        free(settings);
    } else if (strcmp(name, "HcsGetServiceProperties") == 0) {
        PWSTR query = wide_argument(args, "propertyQuery");
        call_HcsGetServiceProperties(query, &answer, &result);
        free(query);
    } else if (strcmp(name, "HNSCall") == 0) {
        PWSTR method = wide_argument(args, "method");
        PWSTR path = wide_argument(args, "path");
        PWSTR object = wide_argument(args, "object");
        call_HNSCall(method, path, object != NULL ? object : L"", &answer);
        free(method);
        free(path);
        free(object);
    } else if (strcmp(name, "GrantVmAccess") == 0) {
        PWSTR vm = wide_argument(args, "vmid");
        PWSTR file = wide_argument(args, "filepath");
        call_GrantVmAccess(vm, file);
        free(vm);
        free(file);
    } else {
        status = unusable(name, "this program does not know the call");
    }
    CoTaskMemFree(answer);
    CoTaskMemFree(result);
    free(id);
    return status;
}

static int make_calls(const json_t *calls)
{
    size_t index;
    json_t *call;
    json_array_foreach(calls, index, call) {
        if (make_call(call) != 0)
            return 2;
    }
    return 0;
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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: replay_expected_calls EXPECTED\n");
        return 2;
    }
    json_error_t error;
    json_t *expected = json_load_file(argv[1], 0, &error);
    if (expected == NULL) {
        fprintf(stderr, "replay_expected_calls: cannot read %s: %s\n", argv[1], error.text);
        return 2;
    }
    HMODULE dll = load_recording_dll();
    if (dll == NULL) {
        fprintf(stderr, "replay_expected_calls: cannot load vmcompute.dll\n");
        return 2;
    }
#define LOOK_UP(name, parameters)                                                                \
    call_##name = (hcsoci_vmcompute_##name##_fn)(void (*)(void))GetProcAddress(dll, #name);
    HCSOCI_VMCOMPUTE_EXPORTS(LOOK_UP)
#undef LOOK_UP
    SetEnvironmentVariableW(L"HCSOCI_REPLAY_PHASE", L"create");
    int status = make_calls(json_object_get(expected, "calls"));
    /* As hcsoci_replay_case: a release phase only after a successful create. */
    if (status == 0 && json_is_array(json_object_get(expected, "releaseCalls"))) {
        SetEnvironmentVariableW(L"HCSOCI_REPLAY_PHASE", L"release");
        status = make_calls(json_object_get(expected, "releaseCalls"));
    }
    for (size_t i = 0; i < callback_count; i++) {
        call_HcsUnregisterComputeSystemCallback(callbacks[i].handle);
        free(callbacks[i].system_id);
    }
    for (size_t i = 0; i < system_count; i++) {
        call_HcsCloseComputeSystem(systems[i].handle);
        free(systems[i].id);
    }
    FreeLibrary(dll);
    json_decref(expected);
    return status;
}
