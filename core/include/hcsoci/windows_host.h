/* The Windows host: the host boundary (hcsoci/host.h) implemented on the real vmcompute.dll,
 * which it loads at run time from System32. It exists only in the Windows build; elsewhere
 * hcsoci_windows_host_new fails with HCSOCI_E_NOT_SUPPORTED. */
#ifndef HCSOCI_WINDOWS_HOST_H
#define HCSOCI_WINDOWS_HOST_H

#include <stdbool.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* True when this build has the Windows host and vmcompute.dll can be loaded. */
bool hcsoci_windows_host_available(void);

/* Loads vmcompute.dll and makes a host on it. The caller owns *host and releases it with
 * hcsoci_host_destroy, which closes every handle the host opened and unloads the DLL. Fails
 * with HCSOCI_E_NOT_SUPPORTED outside Windows or when the DLL or one of its exports is
 * missing (the error names which). */
int hcsoci_windows_host_new(hcsoci_host **host, hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
