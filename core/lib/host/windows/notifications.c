/* Notifications of asynchronous HCS operations: the callback HCS calls (on a thread of its
 * own) records the notification in a watch, and the op waiting for the completion of its
 * operation waits on the watch. Kept apart from the DLL so that it can be tested alone. */
#include "windows_host_internal.h"

#include <stdlib.h>

#include <hcsoci/alloc.h>

struct windows_notification_watch {
    CRITICAL_SECTION lock; /* guards status */
    HANDLE events[WINDOWS_NOTIFICATION_KINDS];
    HRESULT status[WINDOWS_NOTIFICATION_KINDS];
};

/* The kind a notification type is followed as, or WINDOWS_NOTIFICATION_KINDS when the watch
 * ignores it (the reference keeps channels for these types only). */
static windows_notification_kind kind_of(DWORD notification_type)
{
    switch (notification_type) {
    case HCSOCI_HCS_NOTIFICATION_SERVICE_DISCONNECT:
        return WINDOWS_NOTIFICATION_SERVICE_DISCONNECT;
    case HCSOCI_HCS_NOTIFICATION_SYSTEM_EXITED:
        return WINDOWS_NOTIFICATION_SYSTEM_EXITED;
    case HCSOCI_HCS_NOTIFICATION_SYSTEM_CREATE_COMPLETED:
        return WINDOWS_NOTIFICATION_SYSTEM_CREATE_COMPLETED;
    case HCSOCI_HCS_NOTIFICATION_SYSTEM_START_COMPLETED:
        return WINDOWS_NOTIFICATION_SYSTEM_START_COMPLETED;
    case HCSOCI_HCS_NOTIFICATION_PROCESS_EXITED:
        return WINDOWS_NOTIFICATION_PROCESS_EXITED;
    default:
        return WINDOWS_NOTIFICATION_KINDS;
    }
}

windows_notification_watch *windows_notification_watch_new(hcsoci_error **error)
{
    windows_notification_watch *watch = hcsoci_calloc(1, sizeof *watch);
    if (watch == NULL) {
        hcsoci_fail_out_of_memory(error);
        return NULL;
    }
    InitializeCriticalSection(&watch->lock);
    for (size_t kind = 0; kind < WINDOWS_NOTIFICATION_KINDS; kind++) {
        watch->events[kind] = CreateEventW(NULL, FALSE, FALSE, NULL);
        if (watch->events[kind] == NULL) {
            HRESULT failure = HRESULT_FROM_WIN32(GetLastError());
            windows_notification_watch_free(watch);
            windows_fail_hresult(error, failure);
            hcsoci_fail_prefixed(error, "cannot make a notification event: ");
            return NULL;
        }
    }
    return watch;
}

void windows_notification_watch_free(windows_notification_watch *watch)
{
    if (watch == NULL)
        return;
    for (size_t kind = 0; kind < WINDOWS_NOTIFICATION_KINDS; kind++) {
        if (watch->events[kind] != NULL)
            CloseHandle(watch->events[kind]);
    }
    DeleteCriticalSection(&watch->lock);
    free(watch);
}

void CALLBACK windows_notification_callback(DWORD notification_type, void *context,
                                            HRESULT status, PCWSTR data)
{
    (void)data;
    windows_notification_watch *watch = context;
    windows_notification_kind kind = kind_of(notification_type);
    if (watch == NULL || kind == WINDOWS_NOTIFICATION_KINDS)
        return;
    EnterCriticalSection(&watch->lock);
    watch->status[kind] = status;
    LeaveCriticalSection(&watch->lock);
    SetEvent(watch->events[kind]);
}

static HRESULT status_of(windows_notification_watch *watch, windows_notification_kind kind)
{
    EnterCriticalSection(&watch->lock);
    HRESULT status = watch->status[kind];
    LeaveCriticalSection(&watch->lock);
    return status;
}

int windows_notification_wait(windows_notification_watch *watch,
                              windows_notification_kind expected, DWORD timeout_ms,
                              bool *timed_out, hcsoci_error **error)
{
    *timed_out = false;
    if (watch == NULL || expected >= WINDOWS_NOTIFICATION_KINDS)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "hcsshim: invalid notification type");
    /* The expected one first: when several are set, WaitForMultipleObjects answers the lowest. */
    HANDLE events[3];
    windows_notification_kind kinds[3];
    DWORD count = 0;
    kinds[count] = expected;
    events[count++] = watch->events[expected];
    if (expected != WINDOWS_NOTIFICATION_SYSTEM_EXITED) {
        kinds[count] = WINDOWS_NOTIFICATION_SYSTEM_EXITED;
        events[count++] = watch->events[WINDOWS_NOTIFICATION_SYSTEM_EXITED];
    }
    kinds[count] = WINDOWS_NOTIFICATION_SERVICE_DISCONNECT;
    events[count++] = watch->events[WINDOWS_NOTIFICATION_SERVICE_DISCONNECT];

    DWORD outcome = WaitForMultipleObjects(count, events, FALSE, timeout_ms);
    if (outcome == WAIT_TIMEOUT) {
        *timed_out = true;
        return hcsoci_fail(error, WINDOWS_E_TIMEOUT, "hcsshim: timeout waiting for notification");
    }
    if (outcome >= WAIT_OBJECT_0 + count) {
        HRESULT failure = HRESULT_FROM_WIN32(GetLastError());
        windows_fail_hresult(error, failure);
        return hcsoci_fail_prefixed(error, "waiting for an HCS notification: ");
    }
    windows_notification_kind arrived = kinds[outcome - WAIT_OBJECT_0];
    if (arrived == WINDOWS_NOTIFICATION_SERVICE_DISCONNECT)
        return hcsoci_fail(error, WINDOWS_E_SERVICE_DISCONNECT,
                           "lost communication with compute service");
    if (arrived != expected)
        return hcsoci_fail(error, WINDOWS_E_UNEXPECTED_EXIT, "unexpected container exit");
    HRESULT status = status_of(watch, arrived);
    if (FAILED(status))
        return windows_fail_hresult(error, status);
    return 0;
}

DWORD windows_timeout_ms(const char *environment_variable)
{
    const DWORD default_ms = 4u * 60u * 1000u;
    const char *text = getenv(environment_variable);
    if (text == NULL || text[0] == '\0')
        return default_ms;
    char *end = NULL;
    long seconds = strtol(text, &end, 10);
    /* As the reference: a positive whole number of seconds, anything else keeps the default. */
    if (*end != '\0' || seconds <= 0 || seconds > 4000000)
        return default_ms;
    return (DWORD)seconds * 1000u;
}
