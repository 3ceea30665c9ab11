/* The recording vmcompute.dll's shared parts: the recorder (case, simulated host, log, phase,
 * failCall counting), its handle table and text conversions. The exports are in
 * recording_vmcompute.c; tests/windows/README.md says what each one answers. */
#ifndef HCSOCI_RECORDING_VMCOMPUTE_H
#define HCSOCI_RECORDING_VMCOMPUTE_H

#include <stdbool.h>

#include <jansson.h>

#include <hcsoci/host.h>

#include "../../core/lib/host/windows/vmcompute.h"

#include <objbase.h> /* CoTaskMemAlloc */

/* HRESULTs the recorder answers with besides the case's. */
#define RECORDING_E_FAIL ((HRESULT)0x80004005L)
#define RECORDING_E_HANDLE ((HRESULT)0x80070006L)
#define RECORDING_E_INVALIDARG ((HRESULT)0x80070057L)
#define RECORDING_E_INSUFFICIENT_BUFFER ((HRESULT)0x8007007AL)
#define RECORDING_E_SYSTEM_DOES_NOT_EXIST ((HRESULT)0xC037010EL)

typedef enum recorded_handle_kind {
    RECORDED_COMPUTE_SYSTEM,
    RECORDED_SYSTEM_CALLBACK,
    RECORDED_PROCESS,
    RECORDED_PROCESS_CALLBACK,
} recorded_handle_kind;

/* One handle handed out. The HANDLE value the caller gets is the address of this record;
 * records stay allocated (marked closed) until the DLL unloads, so a stale handle is
 * recognised as closed rather than read after being freed. */
typedef struct recorded_handle {
    recorded_handle_kind kind;
    bool open;
    char *description;     /* "compute system c-1", "process 1 in uvm-1", ... */
    char *system_id;       /* the compute system it belongs to */
    DWORD process_id;      /* for processes and their callbacks */
    HANDLE callback_thread; /* a process callback's exit notification thread, or NULL */
    struct recorded_handle *next;
} recorded_handle;

/* Enters the recorder (one lock for every export) and makes sure the case is loaded. Returns
 * the sim host answering for the case, or NULL when the case could not be loaded (then
 * recorder_leave must still be called and the export answers RECORDING_E_FAIL). */
hcsoci_host *recorder_enter(void);
void recorder_leave(void);

/* Counts a call of this export when in the create phase and answers the case's failCall
 * HRESULT when this is the call to fail, S_OK otherwise. */
HRESULT recorder_count_call(const char *name);

/* Appends {"call": name, "args": args, "hr": "0x%08X", "returned"?: returned, "phase"} to the
 * log. args and returned are stolen (returned may be NULL: no "returned" member). */
void recorder_log(const char *name, json_t *args, HRESULT hr, json_t *returned);

/* True when the compute system id exists: created in this run or the case's hosting system. */
bool recorder_system_exists(const char *id);
/* Remembers a compute system created in this run. */
void recorder_add_system(const char *id);

/* Makes a new open handle record (the strings are copied); NULL when memory runs out. */
recorded_handle *recorder_new_handle(recorded_handle_kind kind, const char *description,
                                     const char *system_id, DWORD process_id);
/* The open handle record of this kind that handle is, or NULL. */
recorded_handle *recorder_find_handle(HANDLE handle, recorded_handle_kind kind);
/* How the log writes handle: its description for a known handle of the kind (the id for a
 * compute system), "<invalid handle>" otherwise (new reference). */
json_t *recorder_handle_json(HANDLE handle, recorded_handle_kind kind);

/* UTF-16 to UTF-8 (malloc'd; NULL for NULL or invalid text). */
char *recorder_utf8(PCWSTR text);
/* UTF-8 to UTF-16 (malloc'd; NULL for invalid text). */
PWSTR recorder_utf16(const char *text);
/* UTF-8 to UTF-16 allocated with CoTaskMemAlloc, as strings handed back must be. */
PWSTR recorder_task_string(const char *text);
/* A string argument as JSON: its text, or null for NULL. */
json_t *recorder_string_json(PCWSTR text);
/* A JSON-valued argument: parsed when it is a JSON object or array, its text otherwise (an
 * empty string stays ""), null for NULL. */
json_t *recorder_document_json(PCWSTR text);
/* The layer driver info as {"Flavour", "HomeDir"} (null for NULL). */
json_t *recorder_info_json(const hcsoci_layer_driver_info *info);
/* Descriptors as [{"LayerId", "Flags", "Path"}] (null for NULL with a zero count). */
json_t *recorder_descriptors_json(const hcsoci_layer_descriptor *descriptors, ULONG count);
/* GUID text, lower case, 36 characters plus NUL. */
void recorder_guid_text(const GUID *guid, char text[37]);
/* Parses GUID text; false when it is not one. */
bool recorder_parse_guid(const char *text, GUID *guid);
/* The HRESULT an error of the sim host stands for (its code when that is a failure HRESULT). */
HRESULT recorder_error_hresult(const hcsoci_error *error);

#endif
