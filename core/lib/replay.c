/* Replaying one conformance case in a fresh simulated world, or on a host the caller gives. */
#include <hcsoci/replay.h>

#include <hcsoci/sim.h>
#include <hcsoci/spec.h>

#include <stdlib.h>
#include <string.h>

#include "portable.h"

int hcsoci_case_create_options(const json_t *options, hcsoci_create_options *create,
                               hcsoci_schema_version *schema, hcsoci_error **error)
{
    if (!json_is_object(options))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid case: 'options' must be an object");
    json_t *requested = json_object_get(options, "schemaVersion");
    if (requested != NULL && !json_is_null(requested)) {
        if (hcsoci_schema_from_json(requested, "options.schemaVersion", schema, error) != 0)
            return -1;
        create->schema_version = schema;
    }
    if (hcsoci_json_string(options, "id", "options.id", &create->id, error) ||
        hcsoci_json_string(options, "owner", "options.owner", &create->owner, error) ||
        hcsoci_json_string(options, "networkNamespace", "options.networkNamespace",
                           &create->network_namespace, error) ||
        hcsoci_json_bool(options, "doNotReleaseResourcesOnFailure",
                         "options.doNotReleaseResourcesOnFailure",
                         &create->do_not_release_resources_on_failure, error) ||
        hcsoci_json_bool(options, "scaleCPULimitsToSandbox", "options.scaleCPULimitsToSandbox",
                         &create->scale_cpu_limits_to_sandbox, error))
        return -1;
    return 0;
}

int hcsoci_case_hosting_system(hcsoci_host *host, const json_t *test_case, hcsoci_uvm **uvm,
                               hcsoci_error **error)
{
    *uvm = NULL;
    const json_t *hosting = json_object_get(test_case, "hostingSystem");
    if (hosting == NULL || json_is_null(hosting))
        return 0;
    hcsoci_uvm_properties properties;
    if (hcsoci_uvm_properties_from_json(hosting, &properties, error) != 0)
        return -1;
    return hcsoci_uvm_new(host, &properties, uvm, error);
}

static json_t *error_text(const hcsoci_error *error)
{
    return error != NULL ? json_string(error->message) : json_null();
}

int hcsoci_replay_case(const json_t *test_case, const hcsoci_runtime_options *runtime_options,
                       json_t **trace, hcsoci_error **error)
{
    *trace = NULL;
    if (!json_is_object(test_case))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid case: must be an object");
    hcsoci_create_options create = {0};
    hcsoci_schema_version schema;
    if (hcsoci_case_create_options(json_object_get(test_case, "options"), &create, &schema,
                                   error) != 0)
        return -1;
    create.spec = json_object_get(test_case, "spec");

    /* The caller's host when given (borrowed), else a new sim host for the case (owned). */
    bool own_host = runtime_options == NULL || runtime_options->host == NULL;
    hcsoci_host *host = own_host ? NULL : runtime_options->host;
    hcsoci_runtime *runtime = NULL;
    hcsoci_uvm *uvm = NULL;
    if (own_host && hcsoci_sim_host_new(json_object_get(test_case, "host"), &host, error) != 0)
        return -1;
    hcsoci_runtime_options options = {0};
    if (runtime_options != NULL)
        options = *runtime_options;
    options.host = host;
    int result = hcsoci_runtime_new(&options, &runtime, error);
    if (result == 0)
        result = hcsoci_case_hosting_system(host, test_case, &uvm, error);
    if (result != 0) {
        hcsoci_runtime_free(runtime);
        if (own_host)
            hcsoci_host_destroy(host);
        return -1;
    }
    create.hosting_system = uvm;

    /* Only a sim host has a journal: for any other host "calls" and "releaseCalls" are null
     * (the host records them itself, told the phase by HCSOCI_REPLAY_PHASE). */
    bool journaled = hcsoci_sim_host_journal(host) != NULL;
    if (journaled)
        hcsoci_sim_host_journal_clear(host);
    portable_set_environment(HCSOCI_REPLAY_PHASE_VARIABLE, "create");
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *create_error = NULL, *release_error = NULL;
    int created = hcsoci_create_container(runtime, &create, &container, &resources, &create_error);
    json_t *calls = journaled ? hcsoci_json_copy(hcsoci_sim_host_journal(host)) : json_null();
    json_t *release_calls = json_null();
    if (created == 0) {
        if (journaled)
            hcsoci_sim_host_journal_clear(host);
        portable_set_environment(HCSOCI_REPLAY_PHASE_VARIABLE, "release");
        hcsoci_release_resources(runtime, resources, uvm, true, &release_error);
        if (journaled) {
            json_decref(release_calls);
            release_calls = hcsoci_json_copy(hcsoci_sim_host_journal(host));
        }
    }
    *trace = json_pack("{s:o,s:o,s:o,s:o}", "calls", calls, "error", error_text(create_error),
                       "releaseCalls", release_calls, "releaseError", error_text(release_error));
    hcsoci_error_free(create_error);
    hcsoci_error_free(release_error);
    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    hcsoci_uvm_free(uvm);
    hcsoci_runtime_free(runtime);
    if (own_host)
        hcsoci_host_destroy(host);
    if (*trace == NULL)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}
