/* The embedded simulated host ("sim"): a host (hcsoci/host.h) that answers every call from a
 * world description, records the calls it gets in a journal, and fails the call the world's
 * failCall names. Its whole state goes out and comes back as JSON, so that a caller can keep
 * it between processes; the library itself never reads or writes a file for it. */
#ifndef HCSOCI_SIM_H
#define HCSOCI_SIM_H

#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Creates a sim host from a world description (the `host` part of a conformance case, see
 * the corpus README) and the trace of calls it records. world is borrowed. The caller owns the
 * result and releases it with hcsoci_host_destroy. */
int hcsoci_sim_host_new(const json_t *world, hcsoci_host **host, hcsoci_error **error);

/* The host's whole state as a saved-state document (new reference; NULL for a host that is not
 * a sim host or when memory runs out): {"format": "hcsoci-sim-state", "version": 1, "world":
 * the world as it is now, "state": {"generatorState", "callCounts",
 * "credentialGuardInstances", "computeSystems": {"<id>": "created" | "running" | "stopped"},
 * "held"}}. The journal is not in it: see
 * hcsoci_sim_host_take_journal. */
json_t *hcsoci_sim_host_to_json(hcsoci_host *host);

/* Rebuilds a sim host from a document made by hcsoci_sim_host_to_json (borrowed). It goes on
 * where the saved host stopped: the same GUID sequence, failCall counting and held counts, with
 * an empty journal. A malformed document is refused with an error naming the bad member
 * ("sim state: invalid field 'state.callCounts' ..."). The caller owns *host. */
int hcsoci_sim_host_from_json(const json_t *saved, hcsoci_host **host, hcsoci_error **error);

/* What the journal does with each call made to the host. A record shares the documents the
 * call was given (it holds a reference; nothing is copied), so a caller must not change a
 * document once it has sent it, or the record changes too; hcsoci's core and modules never
 * do. */
typedef enum hcsoci_sim_journal_mode {
    /* Keeps every call, for hcsoci_sim_host_journal and hcsoci_sim_host_take_journal, until
     * they are taken or cleared (the default: a short-lived program such as the command). A
     * long-running program must take or clear them, or memory grows with every call. */
    HCSOCI_SIM_JOURNAL_KEEP,
    /* Hands each call to the sink as it is made and keeps nothing: memory stays flat. */
    HCSOCI_SIM_JOURNAL_STREAM,
    /* Records nothing (failCall still counts the calls): the fastest. */
    HCSOCI_SIM_JOURNAL_OFF,
} hcsoci_sim_journal_mode;

/* Receives one call in HCSOCI_SIM_JOURNAL_STREAM mode: its name and its {"call", "args"} record
 * (borrowed: valid only during the sink's run; json_incref or copy it to keep it). It runs
 * with the host locked and must not call into the host. Returns 0, or -1 to refuse the call,
 * which then fails before it has any effect. */
typedef int (*hcsoci_sim_journal_sink)(void *context, const json_t *call);

/* Sets what the journal does from now on (sink and context only for STREAM; the calls kept
 * so far stay until taken or cleared). Fails (-1, *error naming the problem) for a host that
 * is not a sim host, a STREAM without a sink or an unknown mode. */
int hcsoci_sim_host_set_journal(hcsoci_host *host, hcsoci_sim_journal_mode mode,
                                hcsoci_sim_journal_sink sink, void *context,
                                hcsoci_error **error);

/* Hands over the calls recorded since the host was made or since the last hand-over, as an
 * array of {"call": NAME, "args": {...}} in order (new reference the caller owns), and forgets
 * them. NULL for a host that is not a sim host, or when memory runs out (the host then keeps
 * them). Independent of hcsoci_sim_host_journal and hcsoci_sim_host_journal_clear. */
json_t *hcsoci_sim_host_take_journal(hcsoci_host *host);

/* The calls recorded so far: an array of {"call": NAME, "args": {...}} in order (borrowed;
 * valid until the next call into the host). */
const json_t *hcsoci_sim_host_journal(hcsoci_host *host);

/* Starts a new journal section: later calls to hcsoci_sim_host_journal show only calls made
 * after this point. Fault counting (failCall's nth) is not reset. */
void hcsoci_sim_host_journal_clear(hcsoci_host *host);

/* The world's current state in the form of a world description (new reference). */
json_t *hcsoci_sim_host_world(hcsoci_host *host);

/* What the host holds now, also the "held" member of hcsoci_sim_host_world (new reference;
 * NULL for a host that is not a sim host). Each counter is successful acquiring calls minus
 * releasing ones (0 when all was released): {"activatedLayers", "preparedLayers",
 * "computeSystems" (HcsCreateComputeSystem minus HcsCloseComputeSystem), "hnsNamespaces"
 * (POST minus DELETE), "namespaceEndpoints" (addresource minus removeresource),
 * "credentialGuardInstances", "modifications": {"<compute system id>": {"<ResourcePath>": Add
 * minus Remove requests}} (entries at 0 are left out)}. */
json_t *hcsoci_sim_host_held(hcsoci_host *host);

#ifdef __cplusplus
}
#endif
#endif
