/* The container credential guard (CCG) of schema 2.1 containers: an instance made by the host's
 * compute service for one container id and credential spec, whose state goes into the
 * container's v2 document and, for a Hyper-V isolated container, whose HvSocket service entry
 * goes into the utility VM. Instances outlive the container until they are removed, so each one
 * is recorded in the container's ledger as a "credentials.ccg" entry {"instanceId"}. */
#ifndef HCSOCI_CREDENTIALS_H
#define HCSOCI_CREDENTIALS_H

#include <stdbool.h>
#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>
#include <hcsoci/resources.h>
#include <hcsoci/uvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ledger kind of a credential guard instance. */
#define HCSOCI_CREDENTIAL_GUARD_KIND "credentials.ccg"

/* What the host reported about a new instance. */
typedef struct hcsoci_credential_guard {
    /* The ContainerCredentialGuardState for the v2 document ({Cookie, RpcEndpoint, Transport,
     * CredentialSpec}, empty ones left out); NULL when the host reported none. Owned. */
    json_t *state;
    /* The instance's ContainerCredentialGuardHvSocketServiceConfig ({ServiceId, ServiceConfig:
     * {BindSecurityDescriptor, ConnectSecurityDescriptor, AllowWildcardBinds, Disabled}},
     * empty ones left out); NULL when the host reported none. Owned. */
    json_t *hvsocket_config;
} hcsoci_credential_guard;

/* Creates the credential guard instance of container_id for credential_spec (transport
 * "HvSocket" when hypervisor_isolated, else "LRPC") and reads back its state. The instance is
 * recorded in resources as soon as the host made it, so a later failure is rolled back by
 * releasing the ledger. Fills *result (zeroed first); free it with
 * hcsoci_credential_guard_clear. */
int hcsoci_credential_guard_create(hcsoci_host *host, hcsoci_resources *resources,
                                   const char *container_id, const char *credential_spec,
                                   bool hypervisor_isolated, hcsoci_credential_guard *result,
                                   hcsoci_error **error);

/* The HvSocket service entry a utility VM needs for the instance: the service id and config
 * with strings borrowed from guard->hvsocket_config. Fails when the host reported none. */
int hcsoci_credential_guard_hvsocket_service(const hcsoci_credential_guard *guard,
                                             const char **service_id,
                                             hcsoci_hvsocket_service_config *config,
                                             hcsoci_error **error);

/* Frees what *guard holds and zeroes it; safe on a zeroed or already cleared value. */
void hcsoci_credential_guard_clear(hcsoci_credential_guard *guard);

/* Releases one "credentials." ledger entry: removes the credential guard instance it names. */
int hcsoci_credentials_release_entry(hcsoci_host *host, const json_t *entry,
                                     hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
