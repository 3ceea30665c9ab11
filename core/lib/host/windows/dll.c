/* The Windows host's link to vmcompute.dll: loading it, UTF-8 <-> UTF-16, the strings HCS
 * hands back (CoTaskMemFree) and the wording of failed calls. */
#include "windows_host_internal.h"

#include <objbase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>

#include "../../hcs_errors.h"

/* ---- loading ---- */

int windows_vmcompute_load(windows_vmcompute *dll, hcsoci_error **error)
{
    memset(dll, 0, sizeof *dll);
    dll->module = LoadLibraryExW(L"vmcompute.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (dll->module == NULL) {
        /* No vmcompute.dll in System32 (a machine without Hyper-V containers, or Wine): the
         * default search order finds a test's recording DLL beside the program. */
        dll->module = LoadLibraryW(L"vmcompute.dll");
    }
    if (dll->module == NULL) {
        char text[512];
        windows_hresult_text(HRESULT_FROM_WIN32(GetLastError()), text, sizeof text);
        return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED, "cannot load vmcompute.dll: %s", text);
    }
#define HCSOCI_WINDOWS_RESOLVE(name, parameters)                                                 \
    dll->name = (hcsoci_vmcompute_##name##_fn)(void (*)(void))GetProcAddress(dll->module, #name);
    HCSOCI_VMCOMPUTE_EXPORTS(HCSOCI_WINDOWS_RESOLVE)
#undef HCSOCI_WINDOWS_RESOLVE
    return 0;
}

void windows_vmcompute_unload(windows_vmcompute *dll)
{
    if (dll->module != NULL)
        FreeLibrary(dll->module);
    memset(dll, 0, sizeof *dll);
}

int windows_require_export(const void *export_address, const char *name, hcsoci_error **error)
{
    if (export_address != NULL)
        return 0;
    return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED, "vmcompute.dll has no export %s", name);
}

/* ---- text ---- */

wchar_t *windows_utf16_from_utf8(const char *text, const char *what, hcsoci_error **error)
{
    if (text == NULL) {
        hcsoci_fail(error, HCSOCI_E_INVALID, "%s is NULL", what);
        return NULL;
    }
    int length = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, NULL, 0);
    if (length <= 0) {
        hcsoci_fail(error, HCSOCI_E_INVALID, "%s is not valid UTF-8", what);
        return NULL;
    }
    wchar_t *wide = hcsoci_calloc((size_t)length, sizeof *wide);
    if (wide == NULL) {
        hcsoci_fail_out_of_memory(error);
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, wide, length);
    return wide;
}

char *windows_utf8_from_utf16(const wchar_t *text, hcsoci_error **error)
{
    if (text == NULL || text[0] == L'\0') {
        char *empty = hcsoci_strdup("");
        if (empty == NULL)
            hcsoci_fail_out_of_memory(error);
        return empty;
    }
    int length = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, text, -1, NULL, 0, NULL, NULL);
    if (length <= 0) {
        hcsoci_fail(error, HCSOCI_E_INVALID, "the host answered text that is not valid UTF-16");
        return NULL;
    }
    char *narrow = hcsoci_malloc((size_t)length);
    if (narrow == NULL) {
        hcsoci_fail_out_of_memory(error);
        return NULL;
    }
    WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, text, -1, narrow, length, NULL, NULL);
    return narrow;
}

int windows_label_failure(hcsoci_error **error, const char *stage)
{
    if (error != NULL)
        hcsoci_error_set_stage(*error, stage);
    return -1;
}

void windows_free_hcs_string(wchar_t *text)
{
    if (text != NULL)
        CoTaskMemFree(text);
}

char *windows_take_hcs_string(wchar_t *text, hcsoci_error **error)
{
    char *narrow = windows_utf8_from_utf16(text, error);
    windows_free_hcs_string(text);
    return narrow;
}

wchar_t *windows_json_utf16(const json_t *document, const char *what, hcsoci_error **error)
{
    if (document == NULL)
        return windows_utf16_from_utf8("", what, error);
    char *text = hcs_go_json_text(document);
    if (text == NULL) {
        hcsoci_fail_out_of_memory(error);
        return NULL;
    }
    wchar_t *wide = windows_utf16_from_utf8(text, what, error);
    free(text);
    return wide;
}

int windows_take_hcs_json(wchar_t *text, const char *what, json_t **value, hcsoci_error **error)
{
    *value = NULL;
    char *narrow = windows_take_hcs_string(text, error);
    if (narrow == NULL)
        return -1;
    json_error_t parse_error;
    *value = json_loads(narrow, JSON_DECODE_ANY, &parse_error);
    if (*value == NULL) {
        int result = hcsoci_fail(error, HCSOCI_E_FAIL, "%s is not JSON (%s): '%s'", what,
                                 parse_error.text, narrow);
        free(narrow);
        return result;
    }
    free(narrow);
    return 0;
}

/* ---- errors ---- */

/* Asks Windows for the text of code in the language given; true when it has one. */
static bool system_text(DWORD code, DWORD language, char *buffer, size_t size)
{
    wchar_t wide[512];
    DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                  FORMAT_MESSAGE_ARGUMENT_ARRAY;
    DWORD length = FormatMessageW(flags, NULL, code, language, wide,
                                  (DWORD)(sizeof wide / sizeof wide[0]), NULL);
    while (length > 0 && (wide[length - 1] == L'\r' || wide[length - 1] == L'\n'))
        length--;
    if (length == 0)
        return false;
    int written = WideCharToMultiByte(CP_UTF8, 0, wide, (int)length, buffer, (int)size - 1, NULL,
                                      NULL);
    if (written <= 0)
        return false;
    buffer[written] = '\0';
    return true;
}

/* The project's table (hcsoci_hresult_text) comes first: it holds Windows's own wording for
 * the codes hcsoci meets, which the corpus and the simulated host use, while Wine's message
 * table words the same codes differently ("Access denied." for "Access is denied."). On
 * Windows the two agree for those codes. Other codes get Windows's text for the code the
 * reference asks about, then the table's generic text. */
void windows_hresult_text(HRESULT hresult, char *buffer, size_t size)
{
    const char *known = hcsoci_hresult_text((int32_t)hresult);
    const char *generic = hcsoci_hresult_text(0); /* S_OK is not in the table */
    if (known != generic) {
        snprintf(buffer, size, "%s", known);
        return;
    }
    DWORD code = (DWORD)hresult;
    /* The reference turns a FACILITY_WIN32 HRESULT into its Win32 code before asking for text. */
    if ((code & 0x1fff0000u) == 0x00070000u)
        code &= 0xffffu;
    if (system_text(code, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), buffer, size) ||
        system_text(code, 0, buffer, size))
        return;
    snprintf(buffer, size, "%s", generic);
}

int windows_fail_hresult(hcsoci_error **error, HRESULT hresult)
{
    char text[1024];
    windows_hresult_text(hresult, text, sizeof text);
    return hcsoci_fail(error, (int32_t)hresult, "%s", text);
}

/* Appends one error event as the reference words it: "\n[Event Detail: <Message>" then the
 * members it has (StackTrace, Provider, EventId, Flags, Source), then "]". */
static void append_event(hcsoci_error *error, const json_t *event)
{
    const char *message = json_string_value(json_object_get(event, "Message"));
    const char *stack_trace = json_string_value(json_object_get(event, "StackTrace"));
    const char *provider = json_string_value(json_object_get(event, "Provider"));
    const char *source = json_string_value(json_object_get(event, "Source"));
    json_int_t event_id = json_integer_value(json_object_get(event, "EventId"));
    json_int_t flags = json_integer_value(json_object_get(event, "Flags"));
    hcsoci_error_suffix(error, "\n[Event Detail: %s", message != NULL ? message : "");
    if (stack_trace != NULL && stack_trace[0] != '\0')
        hcsoci_error_suffix(error, " Stack Trace: %s", stack_trace);
    if (provider != NULL && provider[0] != '\0')
        hcsoci_error_suffix(error, " Provider: %s", provider);
    if (event_id != 0)
        hcsoci_error_suffix(error, " EventID: %lld", (long long)event_id);
    if (flags != 0)
        hcsoci_error_suffix(error, " flags: %lld", (long long)flags);
    if (source != NULL && source[0] != '\0')
        hcsoci_error_suffix(error, " Source: %s", source);
    hcsoci_error_suffix(error, "]");
}

int windows_fail_hcs(hcsoci_error **error, HRESULT hresult, wchar_t *result)
{
    char text[1024];
    windows_hresult_text(hresult, text, sizeof text);
    hcsoci_error *failure = hcsoci_error_new((int32_t)hresult, "%s", text);
    char *narrow = windows_take_hcs_string(result, NULL);
    /* Like the reference, a result that is not JSON only loses its events. */
    json_t *document = narrow != NULL && narrow[0] != '\0' ? json_loads(narrow, 0, NULL) : NULL;
    size_t index;
    json_t *event;
    json_array_foreach(json_object_get(document, "ErrorEvents"), index, event) {
        append_event(failure, event);
    }
    json_decref(document);
    free(narrow);
    return hcsoci_error_store(error, failure);
}
