/* Compute systems on vmcompute.dll: create (with the callback registration, the wait for an
 * asynchronous completion and the properties query the reference makes right after it),
 * modify, start, terminate and close, and the table of handles the host holds. */
#include "windows_host_internal.h"

#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/log.h>

/* ---- the table ---- */

static windows_compute_system *find_system(windows_host *host, const char *id)
{
    for (size_t i = 0; i < host->system_count; i++) {
        if (_stricmp(host->systems[i].id, id) == 0)
            return &host->systems[i];
    }
    return NULL;
}

static int keep_system(windows_host *host, const char *id, HCS_SYSTEM handle,
                       HCS_CALLBACK callback, windows_notification_watch *watch,
                       hcsoci_error **error)
{
    if (host->system_count == host->system_capacity) {
        size_t capacity = host->system_capacity == 0 ? 4 : host->system_capacity * 2;
        windows_compute_system *grown =
            hcsoci_realloc(host->systems, capacity * sizeof *grown);
        if (grown == NULL)
            return hcsoci_fail_out_of_memory(error);
        host->systems = grown;
        host->system_capacity = capacity;
    }
    char *copy = hcsoci_strdup(id);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    host->systems[host->system_count++] =
        (windows_compute_system){copy, handle, callback, watch};
    return 0;
}

/* Unregisters the callback and closes the handle of one system (the reference's Close);
 * returns the first failure's HRESULT, S_OK when both worked. */
static HRESULT release_system(windows_host *host, HCS_SYSTEM handle, HCS_CALLBACK callback,
                              windows_notification_watch *watch)
{
    HRESULT first = S_OK;
    if (callback != NULL && host->dll.HcsUnregisterComputeSystemCallback != NULL)
        first = host->dll.HcsUnregisterComputeSystemCallback(callback);
    /* The watch is freed only when no callback can reach it any more. */
    if (SUCCEEDED(first) || callback == NULL)
        windows_notification_watch_free(watch);
    if (handle != NULL && host->dll.HcsCloseComputeSystem != NULL) {
        HRESULT closed = host->dll.HcsCloseComputeSystem(handle);
        if (SUCCEEDED(first))
            first = closed;
    }
    return first;
}

static void forget_system(windows_host *host, windows_compute_system *system)
{
    free(system->id);
    size_t index = (size_t)(system - host->systems);
    memmove(system, system + 1, (host->system_count - index - 1) * sizeof *system);
    host->system_count--;
}

void windows_close_all_compute_systems(windows_host *host)
{
    for (size_t i = 0; i < host->system_count; i++) {
        windows_compute_system *system = &host->systems[i];
        HRESULT closed = release_system(host, system->handle, system->callback, system->watch);
        if (FAILED(closed))
            HCSOCI_LOG(HCSOCI_LOG_WARN,
                       json_pack("{s:s, s:i}", "id", system->id, "hresult", (int)closed),
                       "Windows host: closing compute system %s failed", system->id);
        free(system->id);
    }
    free(host->systems);
    host->systems = NULL;
    host->system_count = host->system_capacity = 0;
}

int windows_system_handle(windows_host *host, const char *id, HCS_SYSTEM *handle,
                          hcsoci_error **error)
{
    *handle = NULL;
    windows_compute_system *system = find_system(host, id);
    if (system != NULL) {
        *handle = system->handle;
        return 0;
    }
    /* A system this host did not create (a utility VM, or a container created by an earlier
     * run): opened by id and kept. No callback is registered, as the reference, which opened
     * the utility VM before the container's create, makes no such call during it. */
    if (WINDOWS_REQUIRE(&host->dll, HcsOpenComputeSystem, error) != 0)
        return -1;
    wchar_t *wide_id = windows_utf16_from_utf8(id, "id", error);
    if (wide_id == NULL)
        return -1;
    HCS_SYSTEM opened = NULL;
    wchar_t *result = NULL;
    HRESULT hresult = host->dll.HcsOpenComputeSystem(wide_id, &opened, &result);
    free(wide_id);
    if (FAILED(hresult))
        return windows_fail_hcs(error, hresult, result);
    windows_free_hcs_string(result);
    if (keep_system(host, id, opened, NULL, NULL, error) != 0) {
        host->dll.HcsCloseComputeSystem(opened);
        return -1;
    }
    *handle = opened;
    return 0;
}

/* ---- create ---- */

/* Terminates a system whose create went wrong, as the reference does (options "", its
 * failure ignored). */
static void terminate_quietly(windows_host *host, HCS_SYSTEM handle)
{
    wchar_t *result = NULL;
    if (host->dll.HcsTerminateComputeSystem(handle, L"", &result) < 0)
        HCSOCI_LOG(HCSOCI_LOG_DEBUG, NULL, "Windows host: terminating a failed create failed");
    windows_free_hcs_string(result);
}

/* The reference's properties query right after a create: an empty property query ("{}"), the
 * answer parsed. A failure is labelled HCSOCI_HOST_STAGE_PROPERTIES_QUERY (the core words it
 * as the reference's System::Properties); an empty answer is the reference's own words. */
static int query_properties(windows_host *host, HCS_SYSTEM handle, hcsoci_error **error)
{
    wchar_t *properties = NULL;
    wchar_t *result = NULL;
    HRESULT hresult = host->dll.HcsGetComputeSystemProperties(handle, L"{}", &properties, &result);
    if (FAILED(hresult)) {
        windows_free_hcs_string(properties);
        windows_fail_hcs(error, hresult, result);
        return windows_label_failure(error, HCSOCI_HOST_STAGE_PROPERTIES_QUERY);
    }
    windows_free_hcs_string(result);
    if (properties == NULL || properties[0] == L'\0') {
        windows_free_hcs_string(properties);
        hcsoci_fail(error, HCSOCI_E_FAIL, "unexpected value returned from hcs");
        return windows_label_failure(error, HCSOCI_HOST_STAGE_OWN_WORDS);
    }
    json_t *parsed = NULL;
    if (windows_take_hcs_json(properties, "the compute system's properties", &parsed, error) != 0)
        return windows_label_failure(error, HCSOCI_HOST_STAGE_PROPERTIES_QUERY);
    json_decref(parsed);
    return 0;
}

static int require_create_exports(windows_host *host, hcsoci_error **error)
{
    const windows_vmcompute *dll = &host->dll;
    if (WINDOWS_REQUIRE(dll, HcsCreateComputeSystem, error) != 0 ||
        WINDOWS_REQUIRE(dll, HcsRegisterComputeSystemCallback, error) != 0 ||
        WINDOWS_REQUIRE(dll, HcsUnregisterComputeSystemCallback, error) != 0 ||
        WINDOWS_REQUIRE(dll, HcsGetComputeSystemProperties, error) != 0 ||
        WINDOWS_REQUIRE(dll, HcsTerminateComputeSystem, error) != 0 ||
        WINDOWS_REQUIRE(dll, HcsCloseComputeSystem, error) != 0)
        return -1;
    return 0;
}

/* Everything after HcsCreateComputeSystem answered success or pending. On failure the system
 * is closed again (the callback unregistered first), as the reference's deferred Close. */
static int complete_create(windows_host *host, const char *id, HCS_SYSTEM handle,
                           HRESULT create_status, hcsoci_error **error)
{
    windows_notification_watch *watch = windows_notification_watch_new(error);
    if (watch == NULL) {
        terminate_quietly(host, handle);
        host->dll.HcsCloseComputeSystem(handle);
        return -1;
    }
    HCS_CALLBACK callback = NULL;
    HRESULT registered = host->dll.HcsRegisterComputeSystemCallback(
        handle, windows_notification_callback, watch, &callback);
    if (FAILED(registered)) {
        /* The reference terminates, closes, and fails with the registration's error (no
         * document in its extra info: the core words the stage
         * HCSOCI_HOST_STAGE_CALLBACK_REGISTRATION so). */
        terminate_quietly(host, handle);
        release_system(host, handle, NULL, watch);
        windows_fail_hresult(error, registered);
        return windows_label_failure(error, HCSOCI_HOST_STAGE_CALLBACK_REGISTRATION);
    }
    if (create_status == HCSOCI_HCS_E_OPERATION_PENDING) {
        bool timed_out = false;
        if (windows_notification_wait(watch, WINDOWS_NOTIFICATION_SYSTEM_CREATE_COMPLETED,
                                      host->create_timeout_ms, &timed_out, error) != 0) {
            if (timed_out)
                terminate_quietly(host, handle);
            release_system(host, handle, callback, watch);
            return -1;
        }
    }
    if (query_properties(host, handle, error) != 0 ||
        keep_system(host, id, handle, callback, watch, error) != 0) {
        release_system(host, handle, callback, watch);
        return -1;
    }
    return 0;
}

int windows_create_compute_system(hcsoci_host *base, const char *id, const json_t *configuration,
                                  hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (require_create_exports(host, error) != 0)
        return -1;
    wchar_t *wide_id = windows_utf16_from_utf8(id, "id", error);
    if (wide_id == NULL)
        return -1;
    wchar_t *document = windows_json_utf16(configuration, "configuration", error);
    if (document == NULL) {
        free(wide_id);
        return -1;
    }
    EnterCriticalSection(&host->lock);
    int status;
    if (find_system(host, id) != NULL) {
        status = hcsoci_fail(error, HCSOCI_E_INVALID,
                             "Windows host: compute system %s is already open", id);
    } else {
        HCS_SYSTEM handle = NULL;
        wchar_t *result = NULL;
        HRESULT hresult = host->dll.HcsCreateComputeSystem(wide_id, document, NULL, &handle,
                                                           &result);
        if (SUCCEEDED(hresult) || hresult == HCSOCI_HCS_E_OPERATION_PENDING) {
            windows_free_hcs_string(result);
            status = complete_create(host, id, handle, hresult, error);
        } else {
            status = windows_fail_hcs(error, hresult, result);
        }
    }
    LeaveCriticalSection(&host->lock);
    free(document);
    free(wide_id);
    return status;
}

/* ---- modify ---- */

int windows_modify_compute_system(hcsoci_host *base, const char *id, const json_t *configuration,
                                  hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (WINDOWS_REQUIRE(&host->dll, HcsModifyComputeSystem, error) != 0)
        return -1;
    if (id == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "HcsModifyComputeSystem: id is NULL");
    wchar_t *request = windows_json_utf16(configuration, "configuration", error);
    if (request == NULL)
        return -1;
    EnterCriticalSection(&host->lock);
    HCS_SYSTEM handle = NULL;
    int status = windows_system_handle(host, id, &handle, error);
    if (status == 0) {
        wchar_t *result = NULL;
        HRESULT hresult = host->dll.HcsModifyComputeSystem(handle, request, &result);
        if (FAILED(hresult))
            status = windows_fail_hcs(error, hresult, result);
        else
            windows_free_hcs_string(result);
    }
    LeaveCriticalSection(&host->lock);
    free(request);
    return status;
}

/* ---- start, terminate, close ---- */

int windows_start_compute_system(hcsoci_host *base, const char *id, hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (WINDOWS_REQUIRE(&host->dll, HcsStartComputeSystem, error) != 0)
        return -1;
    if (id == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "HcsStartComputeSystem: id is NULL");
    EnterCriticalSection(&host->lock);
    HCS_SYSTEM handle = NULL;
    int status = windows_system_handle(host, id, &handle, error);
    if (status == 0) {
        wchar_t *result = NULL;
        HRESULT hresult = host->dll.HcsStartComputeSystem(handle, L"", &result);
        if (hresult == HCSOCI_HCS_E_OPERATION_PENDING) {
            windows_free_hcs_string(result);
            windows_compute_system *system = find_system(host, id);
            bool timed_out = false;
            if (system->watch == NULL)
                /* Opened by id, so no callback: the completion cannot be waited for. */
                status = hcsoci_fail(error, HCSOCI_E_FAIL,
                                     "hcsshim: the handle generating this notification has been "
                                     "closed");
            else
                status = windows_notification_wait(system->watch,
                                                   WINDOWS_NOTIFICATION_SYSTEM_START_COMPLETED,
                                                   host->start_timeout_ms, &timed_out, error);
        } else if (FAILED(hresult)) {
            status = windows_fail_hcs(error, hresult, result);
        } else {
            windows_free_hcs_string(result);
        }
    }
    LeaveCriticalSection(&host->lock);
    return status;
}

int windows_terminate_compute_system(hcsoci_host *base, const char *id, hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (WINDOWS_REQUIRE(&host->dll, HcsTerminateComputeSystem, error) != 0)
        return -1;
    if (id == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "HcsTerminateComputeSystem: id is NULL");
    EnterCriticalSection(&host->lock);
    HCS_SYSTEM handle = NULL;
    int status = windows_system_handle(host, id, &handle, error);
    if (status == 0) {
        wchar_t *result = NULL;
        HRESULT hresult = host->dll.HcsTerminateComputeSystem(handle, L"", &result);
        /* Pending counts as done: the reference does not wait for a terminate. Already stopped
         * and gone are handed up; the core tolerates them. */
        if (FAILED(hresult) && hresult != HCSOCI_HCS_E_OPERATION_PENDING)
            status = windows_fail_hcs(error, hresult, result);
        else
            windows_free_hcs_string(result);
    }
    LeaveCriticalSection(&host->lock);
    return status;
}

int windows_close_compute_system(hcsoci_host *base, const char *id, hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (WINDOWS_REQUIRE(&host->dll, HcsCloseComputeSystem, error) != 0 ||
        WINDOWS_REQUIRE(&host->dll, HcsUnregisterComputeSystemCallback, error) != 0)
        return -1;
    if (id == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "HcsCloseComputeSystem: id is NULL");
    EnterCriticalSection(&host->lock);
    HCS_SYSTEM handle = NULL;
    int status = windows_system_handle(host, id, &handle, error);
    if (status == 0) {
        windows_compute_system *system = find_system(host, id);
        HRESULT closed = release_system(host, system->handle, system->callback, system->watch);
        forget_system(host, system);
        if (FAILED(closed))
            status = windows_fail_hresult(error, closed);
    }
    LeaveCriticalSection(&host->lock);
    return status;
}
