/* The resource ledger of one container: everything a create allocated, in order, so that it
 * can be released in reverse order. Entries are plain JSON ({"kind": "<owner>.<what>", ...})
 * so that a ledger can be saved with the container and released by a later process. The kind's
 * prefix names the owner that releases it: "uvm." and "credentials." entries by the core,
 * "network." entries by the network module. Layers and the network namespace are kept apart
 * from the entries because the reference releases them by their own rules. */
#ifndef HCSOCI_RESOURCES_H
#define HCSOCI_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <hcsoci/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hcsoci_resources hcsoci_resources;

/* What changed in a ledger, as its observer is told. */
typedef enum hcsoci_ledger_change {
    HCSOCI_LEDGER_ENTRY_ADDED = 0,      /* hcsoci_resources_add: the last entry is new */
    HCSOCI_LEDGER_ENTRY_RELEASED = 1,   /* hcsoci_resources_pop or _remove: an entry left */
    HCSOCI_LEDGER_LAYERS_RECORDED = 2,  /* the layers were mounted and recorded */
    HCSOCI_LEDGER_LAYERS_RELEASED = 3,  /* the layers were unmounted and forgotten */
    HCSOCI_LEDGER_NAMESPACE_RECORDED = 4, /* the network namespace was recorded */
    HCSOCI_LEDGER_UPDATED = 5,          /* another slot changed (the container's root in its
                                           utility VM, the namespace-added-to-VM flag) */
} hcsoci_ledger_change;

/* Called after each change of a ledger with what changed and the ledger as it is now
 * (borrowed; read it, e.g. with hcsoci_resources_to_json, but do not change it). It cannot
 * fail the call that made the change: a caller that cannot record it remembers that itself. */
typedef void (*hcsoci_ledger_observer)(void *context, hcsoci_ledger_change change,
                                       const hcsoci_resources *resources);

/* A new empty ledger for a container id, or NULL when memory runs out. The caller owns it and
 * frees it with hcsoci_resources_free. */
hcsoci_resources *hcsoci_resources_new(const char *container_id);

/* Frees the ledger (it releases nothing); NULL is allowed. */
void hcsoci_resources_free(hcsoci_resources *resources);

/* The container id the ledger belongs to (borrowed). */
const char *hcsoci_resources_container_id(const hcsoci_resources *resources);

/* The container's root inside its utility VM ("" when process isolated; borrowed). */
const char *hcsoci_resources_container_root_in_uvm(const hcsoci_resources *resources);

/* The network namespace id ("" when none; borrowed). */
const char *hcsoci_resources_network_namespace(const hcsoci_resources *resources);

/* Records the network namespace (copied) and whether hcsoci created it (and so must remove it). */
int hcsoci_resources_set_network_namespace(hcsoci_resources *resources, const char *namespace_id,
                                           bool created, hcsoci_error **error);

/* True when the create made the recorded network namespace (and a release deletes it). */
bool hcsoci_resources_created_network_namespace(const hcsoci_resources *resources);

/* True when the namespace is added to the utility VM (a release removes it from there first). */
bool hcsoci_resources_namespace_added_to_uvm(const hcsoci_resources *resources);

/* Records the mounted image layers: the spec's layer folders (copied), the utility VM id they
 * were mounted into ("" or NULL when mounted on the host) and the container root in it. */
int hcsoci_resources_set_layers(hcsoci_resources *resources, const json_t *layer_folders,
                                const char *uvm_id, hcsoci_error **error);

/* The recorded layer folders (borrowed array) or NULL when no layers were mounted. */
const json_t *hcsoci_resources_layers(const hcsoci_resources *resources);

/* Appends an entry of the given kind; details is an object (stolen, may be NULL) whose members
 * say what to release. On failure details is freed and nothing is added. */
int hcsoci_resources_add(hcsoci_resources *resources, const char *kind, json_t *details,
                         hcsoci_error **error);

/* Sets the ledger's observer (NULL: none) and its context (borrowed), called after each later
 * change; hcsoci_create_container sets the one its options give. */
void hcsoci_resources_set_observer(hcsoci_resources *resources, hcsoci_ledger_observer observer,
                                   void *context);

/* Number of entries. */
size_t hcsoci_resources_count(const hcsoci_resources *resources);

/* Entry i (borrowed), an object with "kind" and the details' members. */
const json_t *hcsoci_resources_entry(const hcsoci_resources *resources, size_t index);

/* Removes the last entry (after it was released). */
void hcsoci_resources_pop(hcsoci_resources *resources);

/* Removes entry index (after it was released); the later entries move down by one. An index
 * past the end changes nothing. */
void hcsoci_resources_remove(hcsoci_resources *resources, size_t index);

/* The whole ledger as JSON (new reference), NULL when memory runs out. */
json_t *hcsoci_resources_to_json(const hcsoci_resources *resources);

/* Rebuilds a ledger saved by hcsoci_resources_to_json; the caller owns *resources. */
int hcsoci_resources_from_json(const json_t *value, hcsoci_resources **resources,
                               hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
