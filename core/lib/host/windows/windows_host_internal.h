/* The Windows host's parts (hcsoci/windows_host.h): the loaded vmcompute.dll, the text and error
 * helpers every op uses, the notification wait of asynchronous HCS operations and the table of
 * compute system handles. Compiled only for Windows. */
#ifndef HCSOCI_WINDOWS_HOST_INTERNAL_H
#define HCSOCI_WINDOWS_HOST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <hcsoci/host.h>
#include <hcsoci/windows_host.h>

#include "vmcompute.h"

/* ---- vmcompute.dll (dll.c) ---- */

/* Every export, looked up once when the DLL is loaded; NULL when the DLL lacks it. */
typedef struct windows_vmcompute {
    HMODULE module;
#define HCSOCI_WINDOWS_EXPORT_FIELD(name, parameters) hcsoci_vmcompute_##name##_fn name;
    HCSOCI_VMCOMPUTE_EXPORTS(HCSOCI_WINDOWS_EXPORT_FIELD)
#undef HCSOCI_WINDOWS_EXPORT_FIELD
} windows_vmcompute;

/* Loads vmcompute.dll from System32, or by the default search order when System32 has none
 * (a test's recording DLL next to the program), and looks up every export. */
int windows_vmcompute_load(windows_vmcompute *dll, hcsoci_error **error);

/* Unloads the DLL; safe on a DLL that was never loaded. */
void windows_vmcompute_unload(windows_vmcompute *dll);

/* Fails with HCSOCI_E_NOT_SUPPORTED naming the export when export_address is NULL. */
int windows_require_export(const void *export_address, const char *name, hcsoci_error **error);
#define WINDOWS_REQUIRE(dll, name, error) windows_require_export((void *)(dll)->name, #name, error)

/* ---- text ---- */

/* UTF-16 copy of a UTF-8 string (caller frees with free), or NULL with an error naming what
 * (e.g. "id") when text is NULL or not valid UTF-8. */
wchar_t *windows_utf16_from_utf8(const char *text, const char *what, hcsoci_error **error);

/* UTF-8 copy of a UTF-16 string (caller frees with free); NULL text gives "". NULL with an error
 * when the text is not valid UTF-16 or memory runs out. */
char *windows_utf8_from_utf16(const wchar_t *text, hcsoci_error **error);

/* Like windows_utf8_from_utf16, and frees text with CoTaskMemFree whatever the outcome. */
char *windows_take_hcs_string(wchar_t *text, hcsoci_error **error);

/* UTF-16 text of a JSON document as Go's encoding/json writes it (caller frees); NULL document
 * gives L"". NULL with an error when memory runs out. */
wchar_t *windows_json_utf16(const json_t *document, const char *what, hcsoci_error **error);

/* Parses the UTF-16 JSON text HCS handed back (and frees it with CoTaskMemFree) into *value
 * (caller owns). what names it in the error ("HNSCall response"). */
int windows_take_hcs_json(wchar_t *text, const char *what, json_t **value, hcsoci_error **error);

/* ---- errors ---- */

/* The Windows system text for an HRESULT as the reference prints it: the project's table
 * (hcsoci_hresult_text, Windows's wording) for the codes it knows, otherwise FormatMessage's
 * text for the code (a FACILITY_WIN32 HRESULT reduced to its Win32 code, trailing CR/LF
 * trimmed), otherwise the table's generic text. Writes into buffer (always NUL-terminated). */
void windows_hresult_text(HRESULT hresult, char *buffer, size_t size);

/* Fails with hresult as the code and its system text as the message. Returns -1. */
int windows_fail_hresult(hcsoci_error **error, HRESULT hresult);

/* As windows_fail_hresult, then appends the error events of the HCS result document (taken
 * and freed with CoTaskMemFree; may be NULL) as "\n[Event Detail: ...]" lines, the reference's
 * wording. Returns -1. */
int windows_fail_hcs(hcsoci_error **error, HRESULT hresult, wchar_t *result);

/* Labels the error just stored in *error (when error is not NULL) with stage, one of host.h's
 * HCSOCI_HOST_STAGE_*, so that the core words it as the reference does. Returns -1. */
int windows_label_failure(hcsoci_error **error, const char *stage);

/* Frees an HCS result document the op does not need (NULL allowed). */
void windows_free_hcs_string(wchar_t *text);

/* ---- notifications of asynchronous operations (notifications.c) ---- */

typedef enum windows_notification_kind {
    WINDOWS_NOTIFICATION_SERVICE_DISCONNECT,
    WINDOWS_NOTIFICATION_SYSTEM_EXITED,
    WINDOWS_NOTIFICATION_SYSTEM_CREATE_COMPLETED,
    WINDOWS_NOTIFICATION_SYSTEM_START_COMPLETED,
    WINDOWS_NOTIFICATION_PROCESS_EXITED,
    WINDOWS_NOTIFICATION_KINDS
} windows_notification_kind;

/* What the callback of one compute system or process has received: per kind an auto-reset
 * event, set when the notification arrives, and the status it carried. */
typedef struct windows_notification_watch windows_notification_watch;

/* A new watch (caller frees with windows_notification_watch_free once the callback it was
 * registered with is unregistered), or NULL with an error. */
windows_notification_watch *windows_notification_watch_new(hcsoci_error **error);
void windows_notification_watch_free(windows_notification_watch *watch);

/* The callback to register with HCS, its context a windows_notification_watch. Types the
 * watch does not follow are ignored. */
void CALLBACK windows_notification_callback(DWORD notification_type, void *context,
                                            HRESULT status, PCWSTR data);

/* Waits up to timeout_ms for the expected notification and fails as the reference does: with
 * the status it carried when that is a failure, "unexpected container exit" when the system
 * exited instead, "lost communication with compute service" when the service disconnected, or
 * "hcsshim: timeout waiting for notification" (then *timed_out is true). */
int windows_notification_wait(windows_notification_watch *watch,
                              windows_notification_kind expected, DWORD timeout_ms,
                              bool *timed_out, hcsoci_error **error);

/* HRESULTs for the reference's own notification failures. */
#define WINDOWS_E_TIMEOUT ((int32_t)0x800705B4)            /* HRESULT_FROM_WIN32(ERROR_TIMEOUT) */
#define WINDOWS_E_UNEXPECTED_EXIT ((int32_t)0xC0370106)    /* HCS_E_UNEXPECTED_EXIT */
#define WINDOWS_E_SERVICE_DISCONNECT ((int32_t)0x800704D4) /* ERROR_CONNECTION_ABORTED */

/* The reference's default wait for an asynchronous operation (4 minutes), or the number of
 * seconds in the environment variable it reads (HCSSHIM_TIMEOUT_SYSTEMCREATE, ...). */
DWORD windows_timeout_ms(const char *environment_variable);

/* ---- the host ---- */

/* One compute system this host holds a handle for. callback is NULL for a system opened by id
 * (no callback registered). */
typedef struct windows_compute_system {
    char *id;
    HCS_SYSTEM handle;
    HCS_CALLBACK callback;
    windows_notification_watch *watch;
} windows_compute_system;

typedef struct windows_host {
    hcsoci_host base;
    windows_vmcompute dll;
    CRITICAL_SECTION lock; /* guards systems, held during every compute system op */
    windows_compute_system *systems;
    size_t system_count;
    size_t system_capacity;
    char *program_directory;
    /* How long create and start wait for their completion notification, in milliseconds. */
    DWORD create_timeout_ms;
    DWORD start_timeout_ms;
    DWORD process_timeout_ms;
} windows_host;

/* windows_host.c: makes a host on exports already looked up (the DLL's, or a test's own
 * functions); the host takes dll over and unloads its module (if any) when destroyed. */
int windows_host_new_with_dll(const windows_vmcompute *dll, hcsoci_host **host,
                              hcsoci_error **error);

/* compute_system.c */
int windows_create_compute_system(hcsoci_host *host, const char *id, const json_t *configuration,
                                  hcsoci_error **error);
int windows_modify_compute_system(hcsoci_host *host, const char *id, const json_t *configuration,
                                  hcsoci_error **error);
int windows_start_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error);
int windows_terminate_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error);
int windows_close_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error);
/* The handle of system id, opened with HcsOpenComputeSystem and kept when the host has none;
 * call with the lock held. */
int windows_system_handle(windows_host *host, const char *id, HCS_SYSTEM *handle,
                          hcsoci_error **error);
/* Unregisters every callback and closes every handle still held. */
void windows_close_all_compute_systems(windows_host *host);

/* guest_process.c */
int windows_run_guest_process(hcsoci_host *host, const char *vm_id, const char *command_line,
                              char **output, hcsoci_error **error);

/* layers.c */
int windows_name_to_guid(hcsoci_host *host, const char *name, char **guid, hcsoci_error **error);
int windows_activate_layer(hcsoci_host *host, const char *path, hcsoci_error **error);
int windows_prepare_layer(hcsoci_host *host, const char *path, const json_t *descriptors,
                          hcsoci_error **error);
int windows_get_layer_mount_path(hcsoci_host *host, const char *path, char **mount_path,
                                 hcsoci_error **error);
int windows_unprepare_layer(hcsoci_host *host, const char *path, hcsoci_error **error);
int windows_deactivate_layer(hcsoci_host *host, const char *path, hcsoci_error **error);
int windows_create_sandbox_layer(hcsoci_host *host, const char *path, const json_t *descriptors,
                                 hcsoci_error **error);
int windows_grant_vm_access(hcsoci_host *host, const char *vm_id, const char *file_path,
                            hcsoci_error **error);
/* Formats a GUID as 36 lower-case characters plus NUL. */
void windows_format_guid(const GUID *guid, char text[37]);
/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case); false when malformed. */
bool windows_parse_guid(const char *text, GUID *guid);

/* hns_services.c */
int windows_hns_call(hcsoci_host *host, const char *method, const char *path,
                     const json_t *request, json_t **response, hcsoci_error **error);
int windows_modify_service_settings(hcsoci_host *host, const json_t *settings,
                                    hcsoci_error **error);
int windows_get_service_properties(hcsoci_host *host, const json_t *property_query,
                                   json_t **properties, hcsoci_error **error);

/* facts.c */
hcsoci_path_kind windows_stat_path(hcsoci_host *host, const char *path, uint64_t *size);
int windows_make_directory(hcsoci_host *host, const char *path, hcsoci_error **error);
uint32_t windows_os_build(hcsoci_host *host);
uint32_t windows_processor_count(hcsoci_host *host);
const char *windows_program_directory(hcsoci_host *host);
void windows_new_guid(hcsoci_host *host, char guid[37]);
/* The directory of the running program in UTF-8 without a trailing backslash (caller frees),
 * or NULL with an error. */
char *windows_find_program_directory(hcsoci_error **error);

#endif
