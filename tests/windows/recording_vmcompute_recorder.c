/* The recording vmcompute.dll's recorder: loads the case named by HCSOCI_RECORDING_CASE, builds
 * the simulated host that answers for it, counts calls for failCall, writes the log named by
 * HCSOCI_RECORDING_LOG and keeps the table of handles handed out. */
#include "recording_vmcompute.h"
#include "../../core/lib/hex_digit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/sim.h>

static CRITICAL_SECTION recorder_lock;
static bool recorder_loaded;        /* the case was tried (successfully or not) */
static hcsoci_host *recorder_host;  /* NULL when the case could not be loaded */
static HANDLE recorder_log_file = INVALID_HANDLE_VALUE;
static json_t *recorder_call_counts; /* export name -> calls in the create phase */
static json_t *recorder_systems;     /* ids of compute systems that exist -> true */
static char *fail_call_name;
static json_int_t fail_call_nth;
static HRESULT fail_call_hresult;
static recorded_handle *recorder_handles;

/* A variable of the process environment, read with GetEnvironmentVariableW so that a value the
 * program set with SetEnvironmentVariableW is seen (malloc'd UTF-8; NULL when unset). */
static char *environment_value(PCWSTR name)
{
    DWORD needed = GetEnvironmentVariableW(name, NULL, 0);
    if (needed == 0)
        return NULL;
    PWSTR value = malloc(needed * sizeof(WCHAR));
    if (value == NULL)
        return NULL;
    DWORD written = GetEnvironmentVariableW(name, value, needed);
    char *text = written > 0 && written < needed ? recorder_utf8(value) : NULL;
    free(value);
    return text;
}

static void open_log(void)
{
    if (recorder_log_file != INVALID_HANDLE_VALUE)
        return;
    DWORD needed = GetEnvironmentVariableW(L"HCSOCI_RECORDING_LOG", NULL, 0);
    if (needed == 0)
        return;
    PWSTR path = malloc(needed * sizeof(WCHAR));
    if (path == NULL)
        return;
    if (GetEnvironmentVariableW(L"HCSOCI_RECORDING_LOG", path, needed) > 0)
        recorder_log_file = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                        NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    free(path);
}

/* Writes one JSON value as a line of the log (value is stolen). */
static void write_line(json_t *value)
{
    open_log();
    char *text = value != NULL ? json_dumps(value, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(value);
    if (text == NULL)
        text = strdup("{\"recordingError\":\"out of memory writing a log line\"}");
    if (text == NULL)
        return;
    if (recorder_log_file != INVALID_HANDLE_VALUE) {
        DWORD written;
        WriteFile(recorder_log_file, text, (DWORD)strlen(text), &written, NULL);
        WriteFile(recorder_log_file, "\n", 1, &written, NULL);
    } else {
        fprintf(stderr, "recording vmcompute.dll: HCSOCI_RECORDING_LOG is not set: %s\n", text);
    }
    free(text);
}

/* Logs why the case could not be loaded: every export then fails with E_FAIL. */
static void recording_error(const char *format, ...) __attribute__((format(gnu_printf, 1, 2)));
static void recording_error(const char *format, ...)
{
    char message[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    fprintf(stderr, "recording vmcompute.dll: %s\n", message);
    write_line(json_pack("{s:s}", "recordingError", message));
}

static bool load_fail_call(const json_t *fail_call)
{
    if (fail_call == NULL || json_is_null(fail_call))
        return true;
    const char *name = json_string_value(json_object_get(fail_call, "call"));
    json_t *nth = json_object_get(fail_call, "nth");
    json_t *hresult = json_object_get(fail_call, "hresult");
    if (name == NULL || !json_is_integer(nth)) {
        recording_error("invalid field 'host.failCall': needs a string 'call' and an integer "
                        "'nth'");
        return false;
    }
    fail_call_name = strdup(name);
    fail_call_nth = json_integer_value(nth);
    fail_call_hresult = (HRESULT)0x80070005L;
    if (json_is_integer(hresult)) {
        fail_call_hresult = (HRESULT)(uint32_t)json_integer_value(hresult);
    } else if (json_is_string(hresult)) {
        char *end = NULL;
        unsigned long long value = strtoull(json_string_value(hresult), &end, 0);
        if (end == json_string_value(hresult) || *end != '\0' || value > 0xFFFFFFFFull) {
            recording_error("invalid field 'host.failCall.hresult': '%s'",
                            json_string_value(hresult));
            return false;
        }
        fail_call_hresult = (HRESULT)(uint32_t)value;
    } else if (hresult != NULL && !json_is_null(hresult)) {
        recording_error("invalid field 'host.failCall.hresult': must be an integer or a "
                        "string");
        return false;
    }
    return fail_call_name != NULL;
}

/* Reads the case and builds the sim host from its host part without failCall (the recorder
 * counts failCall itself, per export). */
static void load_case(void)
{
    recorder_call_counts = json_object();
    recorder_systems = json_object();
    char *path = environment_value(L"HCSOCI_RECORDING_CASE");
    if (path == NULL) {
        recording_error("HCSOCI_RECORDING_CASE is not set");
        return;
    }
    json_error_t parse_error;
    json_t *test_case = json_load_file(path, 0, &parse_error);
    if (test_case == NULL) {
        recording_error("cannot read the case %s: %s", path, parse_error.text);
        free(path);
        return;
    }
    free(path);
    json_t *world = json_deep_copy(json_object_get(test_case, "host"));
    if (!json_is_object(world)) {
        recording_error("invalid case: 'host' must be an object");
    } else if (load_fail_call(json_object_get(world, "failCall"))) {
        json_object_set_new(world, "failCall", json_null());
        hcsoci_error *error = NULL;
        if (hcsoci_sim_host_new(world, &recorder_host, &error) != 0) {
            recording_error("invalid case: %s", error->message);
            hcsoci_error_free(error);
            recorder_host = NULL;
        }
        const char *hosting_id =
            json_string_value(json_object_get(json_object_get(test_case, "hostingSystem"), "id"));
        if (hosting_id != NULL)
            recorder_add_system(hosting_id);
    }
    json_decref(world);
    json_decref(test_case);
}

hcsoci_host *recorder_enter(void)
{
    EnterCriticalSection(&recorder_lock);
    if (!recorder_loaded) {
        recorder_loaded = true;
        load_case();
    }
    return recorder_host;
}

void recorder_leave(void)
{
    LeaveCriticalSection(&recorder_lock);
}

/* "release" once the program (hcsoci_replay_case) said so, "create" before. */
static bool release_phase(void)
{
    char *phase = environment_value(L"HCSOCI_REPLAY_PHASE");
    bool release = phase != NULL && strcmp(phase, "release") == 0;
    free(phase);
    return release;
}

HRESULT recorder_count_call(const char *name)
{
    if (release_phase())
        return S_OK;
    json_int_t count = json_integer_value(json_object_get(recorder_call_counts, name)) + 1;
    json_object_set_new(recorder_call_counts, name, json_integer(count));
    if (fail_call_name != NULL && strcmp(fail_call_name, name) == 0 && count == fail_call_nth)
        return fail_call_hresult;
    return S_OK;
}

void recorder_log(const char *name, json_t *args, HRESULT hr, json_t *returned)
{
    char hr_text[16];
    snprintf(hr_text, sizeof hr_text, "0x%08lX", (unsigned long)(uint32_t)hr);
    json_t *line = json_pack("{s:s, s:o, s:s}", "call", name, "args",
                             args != NULL ? args : json_null(), "hr", hr_text);
    if (line != NULL && returned != NULL)
        json_object_set_new(line, "returned", returned);
    else
        json_decref(returned);
    if (line != NULL)
        json_object_set_new(line, "phase", json_string(release_phase() ? "release" : "create"));
    write_line(line);
}

bool recorder_system_exists(const char *id)
{
    const char *key;
    json_t *value;
    json_object_foreach(recorder_systems, key, value) {
        if (_stricmp(key, id) == 0)
            return true;
    }
    return false;
}

void recorder_add_system(const char *id)
{
    json_object_set_new(recorder_systems, id, json_true());
}

recorded_handle *recorder_new_handle(recorded_handle_kind kind, const char *description,
                                     const char *system_id, DWORD process_id)
{
    recorded_handle *handle = calloc(1, sizeof *handle);
    if (handle == NULL)
        return NULL;
    handle->kind = kind;
    handle->open = true;
    handle->description = strdup(description);
    handle->system_id = strdup(system_id);
    handle->process_id = process_id;
    if (handle->description == NULL || handle->system_id == NULL) {
        free(handle->description);
        free(handle->system_id);
        free(handle);
        return NULL;
    }
    handle->next = recorder_handles;
    recorder_handles = handle;
    return handle;
}

recorded_handle *recorder_find_handle(HANDLE handle, recorded_handle_kind kind)
{
    for (recorded_handle *known = recorder_handles; known != NULL; known = known->next) {
        if ((HANDLE)known == handle)
            return known->open && known->kind == kind ? known : NULL;
    }
    return NULL;
}

json_t *recorder_handle_json(HANDLE handle, recorded_handle_kind kind)
{
    recorded_handle *known = recorder_find_handle(handle, kind);
    if (known == NULL)
        return json_string("<invalid handle>");
    return json_string(kind == RECORDED_COMPUTE_SYSTEM ? known->system_id : known->description);
}

/* At unload: the final line lists every handle still open; on FreeLibrary (not at process
 * exit) everything is freed too. */
static void recorder_unload(bool process_exiting)
{
    json_t *left_open = json_array();
    for (recorded_handle *known = recorder_handles; known != NULL; known = known->next) {
        if (known->open)
            json_array_append_new(left_open, json_string(known->description));
    }
    write_line(json_pack("{s:o}", "handlesLeftOpen", left_open));
    if (recorder_log_file != INVALID_HANDLE_VALUE)
        CloseHandle(recorder_log_file);
    recorder_log_file = INVALID_HANDLE_VALUE;
    if (process_exiting)
        return;
    while (recorder_handles != NULL) {
        recorded_handle *next = recorder_handles->next;
        if (recorder_handles->callback_thread != NULL)
            CloseHandle(recorder_handles->callback_thread);
        free(recorder_handles->description);
        free(recorder_handles->system_id);
        free(recorder_handles);
        recorder_handles = next;
    }
    hcsoci_host_destroy(recorder_host);
    recorder_host = NULL;
    json_decref(recorder_call_counts);
    json_decref(recorder_systems);
    free(fail_call_name);
    DeleteCriticalSection(&recorder_lock);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved);
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    if (reason == DLL_PROCESS_ATTACH)
        InitializeCriticalSection(&recorder_lock);
    else if (reason == DLL_PROCESS_DETACH)
        recorder_unload(reserved != NULL);
    return TRUE;
}

/* ---- conversions ---- */

char *recorder_utf8(PCWSTR text)
{
    if (text == NULL)
        return NULL;
    int needed = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, text, -1, NULL, 0, NULL, NULL);
    if (needed <= 0)
        return NULL;
    char *converted = malloc((size_t)needed);
    if (converted != NULL &&
        WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, text, -1, converted, needed, NULL,
                            NULL) != needed) {
        free(converted);
        return NULL;
    }
    return converted;
}

PWSTR recorder_utf16(const char *text)
{
    int needed = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, NULL, 0);
    if (needed <= 0)
        return NULL;
    PWSTR converted = malloc((size_t)needed * sizeof(WCHAR));
    if (converted != NULL &&
        MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, converted, needed) != needed) {
        free(converted);
        return NULL;
    }
    return converted;
}

PWSTR recorder_task_string(const char *text)
{
    PWSTR converted = recorder_utf16(text);
    if (converted == NULL)
        return NULL;
    size_t bytes = (wcslen(converted) + 1) * sizeof(WCHAR);
    PWSTR task = CoTaskMemAlloc(bytes);
    if (task != NULL)
        memcpy(task, converted, bytes);
    free(converted);
    return task;
}

json_t *recorder_string_json(PCWSTR text)
{
    if (text == NULL)
        return json_null();
    char *converted = recorder_utf8(text);
    json_t *value = converted != NULL ? json_string(converted) : json_string("<invalid UTF-16>");
    free(converted);
    return value;
}

json_t *recorder_document_json(PCWSTR text)
{
    if (text == NULL)
        return json_null();
    char *converted = recorder_utf8(text);
    if (converted == NULL)
        return json_string("<invalid UTF-16>");
    json_t *value = json_loads(converted, JSON_DECODE_ANY, NULL);
    if (!json_is_object(value) && !json_is_array(value)) {
        json_decref(value);
        value = json_string(converted);
    }
    free(converted);
    return value;
}

json_t *recorder_info_json(const hcsoci_layer_driver_info *info)
{
    if (info == NULL)
        return json_null();
    return json_pack("{s:i, s:o}", "Flavour", info->Flavour, "HomeDir",
                     recorder_string_json(info->HomeDir));
}

void recorder_guid_text(const GUID *guid, char text[37])
{
    snprintf(text, 37, "%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             (unsigned long)guid->Data1, guid->Data2, guid->Data3, guid->Data4[0], guid->Data4[1],
             guid->Data4[2], guid->Data4[3], guid->Data4[4], guid->Data4[5], guid->Data4[6],
             guid->Data4[7]);
}

bool recorder_parse_guid(const char *text, GUID *guid)
{
    uint8_t bytes[16];
    size_t count = 0;
    for (size_t i = 0; text[i] != '\0'; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return false;
            continue;
        }
        int high = hex_digit_value(text[i]);
        int low = text[i + 1] != '\0' ? hex_digit_value(text[i + 1]) : -1;
        if (high < 0 || low < 0 || count == 16)
            return false;
        bytes[count++] = (uint8_t)(high << 4 | low);
        i++;
    }
    if (count != 16 || strlen(text) != 36)
        return false;
    guid->Data1 = (unsigned long)bytes[0] << 24 | (unsigned long)bytes[1] << 16 |
                  (unsigned long)bytes[2] << 8 | bytes[3];
    guid->Data2 = (unsigned short)(bytes[4] << 8 | bytes[5]);
    guid->Data3 = (unsigned short)(bytes[6] << 8 | bytes[7]);
    memcpy(guid->Data4, bytes + 8, 8);
    return true;
}

json_t *recorder_descriptors_json(const hcsoci_layer_descriptor *descriptors, ULONG count)
{
    if (descriptors == NULL && count == 0)
        return json_null();
    json_t *list = json_array();
    for (ULONG i = 0; descriptors != NULL && i < count; i++) {
        char id[37];
        recorder_guid_text(&descriptors[i].LayerId, id);
        json_array_append_new(list, json_pack("{s:s, s:I, s:o}", "LayerId", id, "Flags",
                                              (json_int_t)descriptors[i].Flags, "Path",
                                              recorder_string_json(descriptors[i].Path)));
    }
    return list;
}

HRESULT recorder_error_hresult(const hcsoci_error *error)
{
    if (error != NULL && error->code < 0)
        return (HRESULT)error->code;
    return RECORDING_E_FAIL;
}
