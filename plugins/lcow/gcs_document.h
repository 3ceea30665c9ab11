/* The document a Linux utility VM's guest (the GCS) receives for a new container: the OCI
 * spec after the reference's LCOW cleanup (createLCOWSpec), wrapped with the schema version
 * and the bundle path (the reference's linuxHostedSystem). Not installed. */
#ifndef HCSOCI_LCOW_GCS_DOCUMENT_H
#define HCSOCI_LCOW_GCS_DOCUMENT_H

#include <jansson.h>

#include <hcsoci/error.h>

/* The spec as the guest receives it: normalised through the runtime-spec types (see
 * spec_normalize.h), then: windows reduced to the network namespace (when the spec names one)
 * and the devices (when the spec has a devices list, even an empty one) and dropped when
 * neither is there; hooks removed; linux.cgroupsPath cleared; linux.resources devices, pids,
 * blockIO, hugepageLimits and network removed; linux.seccomp removed. A spec without a linux
 * section is an error. spec is borrowed; *gcs_spec is a new reference. */
int lcow_gcs_spec(const json_t *spec, json_t **gcs_spec, hcsoci_error **error);

/* lcow_gcs_spec without decoding all of spec again: decoded (taken and changed; NULL: decode
 * spec) is the Go value of the spec before resource allocation, and only the fields
 * allocation rewrites are decoded afresh from spec. */
int lcow_gcs_spec_from(const json_t *spec, json_t *decoded, json_t **gcs_spec,
                       hcsoci_error **error);

/* The hosted-system document for a container whose spec has been through resource allocation
 * (root, mounts and devices already rewritten to the utility VM's view) and whose files live
 * at container_root in the VM ("/run/gcs/c/<id>"): {"SchemaVersion": 2.1, "OciBundlePath":
 * container_root, "OciSpecification": lcow_gcs_spec_from(spec, decoded)}. *document is a new
 * reference. */
int lcow_hosted_system_document(const json_t *spec, json_t *decoded, const char *container_root,
                                json_t **document, hcsoci_error **error);

#endif
