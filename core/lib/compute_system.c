/* A compute system's life cycle after create: start, terminate and close, with the reference's
 * wording for failures ("hcsshim::System::Start <id>: <host text>") and its tolerance of a
 * system that has already stopped or gone. */
#include <hcsoci/hcsoci.h>

#include <stddef.h>

typedef int (*system_op)(hcsoci_host *host, const char *id, hcsoci_error **error);

/* The op at offset in host's ops, or NULL when the host was built without it. */
static system_op find_op(const hcsoci_host *host, size_t offset)
{
    if (host == NULL || host->ops == NULL || host->ops->size < offset + sizeof(system_op))
        return NULL;
    return *(const system_op *)((const char *)host->ops + offset);
}

/* Runs one life-cycle op; a failure named in tolerated (0 ends the list) counts as success. */
static int run_op(hcsoci_host *host, size_t offset, const char *operation, const char *id,
                  const int32_t *tolerated, hcsoci_error **error)
{
    if (id == NULL || id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "%s: no compute system id given", operation);
    system_op op = find_op(host, offset);
    if (op == NULL)
        return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED, "%s %s: the host does not implement it",
                           operation, id);
    hcsoci_error *host_error = NULL;
    if (op(host, id, &host_error) == 0)
        return 0;
    for (const int32_t *code = tolerated; host_error != NULL && *code != 0; code++) {
        if (host_error->code == *code) {
            HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s, s:s}", "operation", operation, "id", id),
                       "%s: %s (not an error here)", operation, host_error->message);
            hcsoci_error_free(host_error);
            return 0;
        }
    }
    if (host_error == NULL)
        host_error = hcsoci_error_new(HCSOCI_E_FAIL, "%s", hcsoci_hresult_text(HCSOCI_E_FAIL));
    hcsoci_error_prefix(host_error, "%s %s: ", operation, id);
    return hcsoci_error_store(error, host_error);
}

int hcsoci_compute_system_start(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    static const int32_t none[] = {0};
    return run_op(host, offsetof(hcsoci_host_ops, start_compute_system),
                  "hcsshim::System::Start", id, none, error);
}

int hcsoci_compute_system_terminate(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    static const int32_t gone[] = {HCSOCI_HCS_E_ALREADY_STOPPED,
                                   HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST, 0};
    return run_op(host, offsetof(hcsoci_host_ops, terminate_compute_system),
                  "hcsshim::System::Terminate", id, gone, error);
}

int hcsoci_compute_system_close(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    static const int32_t gone[] = {HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST, 0};
    return run_op(host, offsetof(hcsoci_host_ops, close_compute_system),
                  "hcsshim::System::Close", id, gone, error);
}
