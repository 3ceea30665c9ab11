/* The document a Linux utility VM's guest (the GCS) receives for a new container: the OCI
 * spec after the reference's LCOW cleanup (createLCOWSpec), wrapped with the schema version
 * and the bundle path (the reference's linuxHostedSystem). Not installed. */
#ifndef HCSOCI_LCOW_GCS_DOCUMENT_H
#define HCSOCI_LCOW_GCS_DOCUMENT_H

#include <stdbool.h>

#include <jansson.h>

#include <hcsoci/error.h>

/* The spec normalised through the runtime-spec types (see spec_normalize.h), from decoded (its
 * Go value, borrowed) when not NULL. One thing the typed spec knows that its JSON loses is
 * kept: json.Marshal leaves out an empty windows.devices list, but the guest's spec keeps the
 * devices whenever the list is not nil, so an empty list stays. *normalized is a new
 * reference. */
int lcow_normalized_spec(const json_t *spec, const json_t *decoded, json_t **normalized,
                         hcsoci_error **error);

/* The spec as the guest receives it: lcow_normalized_spec, then: windows reduced to the
 * network namespace (when the spec names one) and the devices (when the spec has a devices
 * list, even an empty one) and dropped when neither is there; hooks removed;
 * linux.cgroupsPath cleared; linux.resources devices, pids, blockIO, hugepageLimits and network
 * removed; linux.seccomp removed. A spec without a linux section is an error. spec is
 * borrowed; *gcs_spec is a new reference. */
int lcow_gcs_spec(const json_t *spec, json_t **gcs_spec, hcsoci_error **error);

/* lcow_gcs_spec for a spec that normalising already wrote (lcow.c's build does so before
 * allocation) except the fields resource allocation rewrites (root, mounts, windows), which are
 * normalised here. The rest of *gcs_spec shares its values with spec: neither may be changed in
 * place afterwards. */
int lcow_gcs_spec_of_normalized(const json_t *spec, json_t **gcs_spec, hcsoci_error **error);

/* The hosted-system document for a container whose spec has been through resource allocation
 * (root, mounts and devices already rewritten to the utility VM's view) and whose files live
 * at container_root in the VM ("/run/gcs/c/<id>"): {"SchemaVersion": 2.1, "OciBundlePath":
 * container_root, "OciSpecification": the guest's spec}, the guest's spec made by
 * lcow_gcs_spec_of_normalized when spec_is_normalized is set, else by lcow_gcs_spec. *document
 * is a new reference. */
int lcow_hosted_system_document(const json_t *spec, bool spec_is_normalized,
                                const char *container_root, json_t **document,
                                hcsoci_error **error);

#endif
