/* hcsoci/windows_host.h for builds without the vmcompute.dll backend: there is no Windows
 * host to make. */
#include <hcsoci/windows_host.h>

bool hcsoci_windows_host_available(void)
{
    return false;
}

int hcsoci_windows_host_new(hcsoci_host **host, hcsoci_error **error)
{
    *host = NULL;
    return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                       "this build of hcsoci has no Windows host (vmcompute.dll backend); "
                       "use the simulated host");
}
