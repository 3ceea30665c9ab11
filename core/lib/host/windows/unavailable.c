/* hcsoci/windows_host.h in builds for other systems: there is no vmcompute.dll to load. */
#include <hcsoci/windows_host.h>

#include <stddef.h>

bool hcsoci_windows_host_available(void)
{
    return false;
}

int hcsoci_windows_host_new(hcsoci_host **host, hcsoci_error **error)
{
    if (host != NULL)
        *host = NULL;
    return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                       "the Windows host exists only in the Windows build of hcsoci");
}
