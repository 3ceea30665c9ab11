/* Host boundary helpers common to every host implementation. */
#include <hcsoci/host.h>

void hcsoci_host_destroy(hcsoci_host *host)
{
    if (host != NULL && host->ops != NULL && host->ops->destroy != NULL)
        host->ops->destroy(host);
}
