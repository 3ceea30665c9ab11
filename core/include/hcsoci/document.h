/* Checking an HCS document against the schema of hcsshim v0.8.14: the create documents
 * (schema 1.0 ContainerConfig, schema 2.1 ComputeSystem with a container or a hosted system),
 * the modify requests sent to a utility VM with their guest requests, and the credential-guard
 * service settings and query. The core checks every document right before the host call that
 * carries it; `hcsoci validate` checks a user's. A problem reads "<JSON path>: <what is wrong>",
 * e.g. "Container.Storage.Layers[0].Path: expected a string, got 5". */
#ifndef HCSOCI_DOCUMENT_H
#define HCSOCI_DOCUMENT_H

#include <stdbool.h>
#include <jansson.h>

#include <hcsoci/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hcsoci_document_kind {
    HCSOCI_DOCUMENT_INFER = 0,            /* "infer": told by the document's shape */
    HCSOCI_DOCUMENT_CONTAINER_CONFIG = 1, /* "container-config": schema 1.0 create document */
    HCSOCI_DOCUMENT_COMPUTE_SYSTEM = 2,   /* "compute-system": schema 2.1 create document */
    HCSOCI_DOCUMENT_MODIFY_WINDOWS = 3,   /* "modify-windows": modify request, Windows UVM */
    HCSOCI_DOCUMENT_MODIFY_LINUX = 4,     /* "modify-linux": modify request, Linux UVM */
    HCSOCI_DOCUMENT_SERVICE_SETTINGS = 5, /* "service-settings": HcsModifyServiceSettings */
    HCSOCI_DOCUMENT_PROPERTY_QUERY = 6,   /* "property-query": HcsGetServiceProperties */
} hcsoci_document_kind;

/* The number of kinds, HCSOCI_DOCUMENT_INFER included (kinds are 0 .. count - 1). */
#define HCSOCI_DOCUMENT_KIND_COUNT 7

/* The kind's name (above), or NULL for a value outside the enum. Static; not to be freed. */
const char *hcsoci_document_kind_name(hcsoci_document_kind kind);

/* One line saying what the kind is, for help texts; NULL outside the enum. Static. */
const char *hcsoci_document_kind_summary(hcsoci_document_kind kind);

/* Sets *kind from its name; false (and *kind unchanged) for a name that is no kind. */
bool hcsoci_document_kind_from_name(const char *name, hcsoci_document_kind *kind);

/* The kind the document's shape says (SystemType: container-config; SchemaVersion, Container,
 * HostedSystem or VirtualMachine: compute-system; PropertyTypes: property-query; PropertyType:
 * service-settings; ResourcePath, RequestType or GuestRequest: the modify kind it fits best,
 * Windows on a tie), or HCSOCI_DOCUMENT_INFER when it says none. */
hcsoci_document_kind hcsoci_document_infer_kind(const json_t *document);

/* Checks document against the schema of kind (INFER: hcsoci_document_infer_kind's; a document
 * that says no kind is one problem). Returns the number of problems, 0 when it conforms. When
 * problems is not NULL, *problems is set to a new array of "path: message" strings when there
 * is at least one problem and to NULL otherwise; the caller owns it (json_decref). Nothing is
 * allocated when the document conforms. -1 with *error set when memory runs out. */
int hcsoci_document_problems(const json_t *document, hcsoci_document_kind kind,
                             json_t **problems, hcsoci_error **error);

/* 0 when document conforms to kind; otherwise -1 with an HCSOCI_E_INVALID error reading
 * "<what> does not conform to the HCS schema: <problem>; <problem>..." (what: for example
 * "module wcow: create document"), or the out-of-memory error. */
int hcsoci_document_check(const json_t *document, hcsoci_document_kind kind, const char *what,
                          hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
