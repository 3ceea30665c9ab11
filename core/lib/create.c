/* CreateContainer, step by step in the reference's order (docs/architecture.md, "A create,
 * step by step"). */
#include "runtime_internal.h"

#include "acting_module.h"
#include "hcs_errors.h"
#include "resources_internal.h"

#include <hcsoci/alloc.h>
#include <hcsoci/annotations.h>
#include <hcsoci/document.h>
#include <hcsoci/layers.h>
#include <hcsoci/runtime_spec.h>
#include <hcsoci/spec.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one create works with; everything here is owned by the create. */
typedef struct create_state {
    char id[HCSOCI_MAX_CONTAINER_ID_LENGTH + 1];
    const char *owner;
    hcsoci_schema_version schema;
    json_t *spec;
    hcsoci_resources *resources;
    hcsoci_build_output output;
    json_t *document; /* what HcsCreateComputeSystem gets (see compose_document) */
    const char *builder_name; /* the module that built the document */
} create_state;

static hcsoci_match_key key_for(const json_t *spec, hcsoci_schema_version schema,
                                const hcsoci_uvm *uvm)
{
    hcsoci_match_key key = {
        .spec_kind = json_is_object(json_object_get(spec, "linux")) ? HCSOCI_SPEC_LINUX
                                                                    : HCSOCI_SPEC_WINDOWS,
        .schema = schema,
        .hosting = HCSOCI_HOSTING_NONE,
    };
    if (uvm != NULL)
        key.hosting = hcsoci_uvm_get_os(uvm) == HCSOCI_UVM_LINUX ? HCSOCI_HOSTING_LINUX
                                                                 : HCSOCI_HOSTING_WINDOWS;
    return key;
}

/* The container's root inside its utility VM: /run/gcs/c/<id> for Linux containers,
 * C:\c\<hex of the VM's container counter> for Windows containers. */
static int set_container_root(create_state *state, hcsoci_uvm *uvm, const char *requested_id,
                              hcsoci_error **error)
{
    char root[192];
    uint64_t number = 0;
    if (json_is_object(json_object_get(state->spec, "linux")))
        snprintf(root, sizeof root, "/run/gcs/c/%s", requested_id);
    else if (hcsoci_uvm_take_container_number(uvm, &number, error) != 0)
        return -1;
    else
        snprintf(root, sizeof root, "C:\\c\\%" PRIx64, number);
    return hcsoci_resources_set_container_root_in_uvm(state->resources, root, error);
}

/* Brings the container's network namespace into its utility VM: the namespace, then a NIC for
 * each of its HNS endpoints. Only a standalone container or a pod's sandbox does this; a
 * workload container of a pod uses the namespace its sandbox already brought. When adding the
 * NICs fails the namespace leaves the VM again at once; on success the ledger's flag makes
 * releasing it remove the namespace (and its NICs) from the VM first. */
static int add_network_to_hosting_system(hcsoci_runtime *runtime, create_state *state,
                                         hcsoci_uvm *uvm, const char *namespace_id,
                                         hcsoci_error **error)
{
    hcsoci_kubernetes_container_type container_type = HCSOCI_KUBERNETES_CONTAINER_TYPE_NONE;
    const char *sandbox_id = NULL;
    if (hcsoci_annotations_sandbox_type_and_id(state->spec, &container_type, &sandbox_id,
                                               error) != 0)
        return -1;
    if (container_type == HCSOCI_KUBERNETES_CONTAINER_TYPE_CONTAINER)
        return 0;
    json_t *endpoints = NULL;
    if (hcsoci_get_namespace_endpoints(runtime, namespace_id, &endpoints, error) != 0)
        return -1;
    /* No ledger entry for the namespace: the flag below stands for it, as the reference has it. */
    int result = hcsoci_uvm_add_network_namespace(uvm, namespace_id, NULL, error);
    if (result == 0) {
        result = hcsoci_uvm_add_endpoints_to_namespace(uvm, namespace_id, endpoints, error);
        if (result == 0) {
            hcsoci_resources_set_namespace_added_to_uvm(state->resources, true);
        } else {
            hcsoci_error *remove_error = NULL;
            if (hcsoci_uvm_remove_network_namespace(uvm, namespace_id, &remove_error) != 0) {
                HCSOCI_LOG(HCSOCI_LOG_WARN,
                           json_pack("{s:s,s:s}", "netID", namespace_id, "error",
                                     remove_error != NULL ? remove_error->message : ""),
                           "failed to remove the network namespace from the utility VM after "
                           "adding its endpoints failed");
                hcsoci_error_free(remove_error);
            }
        }
    }
    json_decref(endpoints);
    return result;
}

/* Networking for schema 2.1 when the spec has a windows.network section: adopt the given
 * namespace or have the network module create one; a hosted container then brings it into its
 * utility VM. */
static int set_up_network(hcsoci_runtime *runtime, create_state *state,
                          hcsoci_build_context *context, const hcsoci_create_options *options,
                          hcsoci_error **error)
{
    json_t *windows = json_object_get(state->spec, "windows");
    if (!json_is_object(json_object_get(windows, "network")) || !hcsoci_schema_is_v21(state->schema))
        return 0;
    if (options->network_namespace != NULL && options->network_namespace[0] != '\0') {
        if (hcsoci_resources_set_network_namespace(state->resources, options->network_namespace,
                                                   false, error) != 0)
            return -1;
    } else {
        const loaded_module *network = runtime_module_of_kind(runtime, HCSOCI_PLUGIN_NETWORK, error);
        if (network == NULL)
            return -1;
        const char *outer = acting_module_enter(network->descriptor->name);
        int created = network->ops.network.create_namespace(context, error);
        acting_module_enter(outer);
        if (created != 0)
            return -1;
    }
    context->network_namespace = hcsoci_resources_network_namespace(state->resources);
    if (options->hosting_system == NULL)
        return 0;
    return add_network_to_hosting_system(runtime, state, options->hosting_system,
                                         context->network_namespace, error);
}

/* HcsCreateComputeSystem with the reference's error text (hcs_create_failed). */
static int create_compute_system(hcsoci_host *host, const char *id, const json_t *document,
                                 hcsoci_error **error)
{
    hcsoci_error *host_error = NULL;
    if (host->ops->create_compute_system(host, id, document, &host_error) == 0)
        return 0;
    return hcs_create_failed(host_error, id, document, error);
}

/* The builder's operations in order: reading (or validating) the spec, then building, with
 * the container root and the network set up in between. */
static int run_builder(const hcsoci_builder_ops *ops, create_state *state,
                       hcsoci_build_context *context, const hcsoci_create_options *options,
                       hcsoci_error **error)
{
    if (ops->read_spec != NULL) {
        if (ops->read_spec(context, &context->spec_reading, error) != 0) {
            /* A module that made something before failing still has it freed. */
            if (context->spec_reading != NULL)
                ops->release_reading(context->spec_reading);
            return -1;
        }
    } else if (ops->validate != NULL && ops->validate(context, error) != 0) {
        return -1;
    }
    int built = -1;
    if ((options->hosting_system == NULL ||
         set_container_root(state, options->hosting_system,
                            options->id != NULL ? options->id : "", error) == 0) &&
        set_up_network(context->runtime, state, context, options, error) == 0)
        built = ops->build(context, &state->output, error);
    if (context->spec_reading != NULL)
        ops->release_reading(context->spec_reading);
    if (built != 0)
        return -1;
    bool has_compute_system = state->output.compute_system_document != NULL;
    bool has_hosted_system = state->output.hosted_system_document != NULL;
    if (has_compute_system == has_hosted_system)
        return hcsoci_fail(error, HCSOCI_E_PLUGIN,
                           "module %s returned %s document; it must return exactly one",
                           state->builder_name, has_compute_system ? "more than one" : "no");
    return 0;
}

static int build_documents(hcsoci_runtime *runtime, create_state *state,
                           const hcsoci_create_options *options, hcsoci_error **error)
{
    hcsoci_host *host = runtime->host;
    if (options->hosting_system != NULL) {
        /* By definition a hosted container is a schema 2.1 container. */
        state->schema = (hcsoci_schema_version){2, 1};
    } else {
        state->schema = hcsoci_schema_determine(host, options->schema_version);
    }
    HCSOCI_LOG(HCSOCI_LOG_DEBUG,
               json_pack("{s:s,s:o}", "id", state->id, "schema", hcsoci_schema_to_json(state->schema)),
               "hcsoci::CreateContainer");

    /* The builder is chosen before anything is allocated: choosing makes no host call. */
    hcsoci_match_key key = key_for(state->spec, state->schema, options->hosting_system);
    const loaded_module *builder = runtime_builder_for(runtime, &key, error);
    if (builder == NULL)
        return -1;
    state->builder_name = builder->descriptor->name;

    hcsoci_build_context context = {
        .size = sizeof context,
        .runtime = runtime,
        .host = host,
        .id = state->id,
        .owner = state->owner,
        .schema = state->schema,
        .spec = state->spec,
        .hosting_system = options->hosting_system,
        .network_namespace = "",
        .scale_cpu_limits_to_sandbox = options->scale_cpu_limits_to_sandbox,
        .resources = state->resources,
    };
    const hcsoci_builder_ops *ops = &builder->ops.builder;
    const char *outer = acting_module_enter(builder->descriptor->name);
    int built = run_builder(ops, state, &context, options, error);
    acting_module_enter(outer);
    return built;
}

/* The document the compute system is created from: the built document itself for a process
 * isolated container; for a hosted one, without a guest connection, an HCS compute system that
 * names its hosting system and carries the hosted document, owned by the VM's owner. */
static int compose_document(create_state *state, const hcsoci_uvm *uvm, hcsoci_error **error)
{
    if (state->output.hosted_system_document == NULL)
        state->document = json_incref(state->output.compute_system_document);
    else
        state->document = json_pack("{s:s,s:o,s:s,s:O,s:b}", "Owner", state->owner,
                                    "SchemaVersion", hcsoci_schema_to_json(state->schema),
                                    "HostingSystemId", hcsoci_uvm_id(uvm), "HostedSystem",
                                    state->output.hosted_system_document,
                                    "ShouldTerminateOnLastHandleClosed", true);
    return state->document != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

/* The create document checked against the HCS schema before it is sent (or, with
 * documents_only, handed back): a problem fails the create, blaming the builder. */
static int check_document(const create_state *state, hcsoci_error **error)
{
    hcsoci_document_kind kind = hcsoci_schema_is_v10(state->schema)
                                    ? HCSOCI_DOCUMENT_CONTAINER_CONFIG
                                    : HCSOCI_DOCUMENT_COMPUTE_SYSTEM;
    if (hcsoci_document_problems(state->document, kind, NULL, error) == 0)
        return 0;
    char what[160];
    snprintf(what, sizeof what, "module %s: create document", state->builder_name);
    return hcsoci_document_check(state->document, kind, what, error);
}

static int make_container(const create_state *state, const hcsoci_create_options *options,
                          hcsoci_container **container, hcsoci_error **error)
{
    hcsoci_container *made = hcsoci_calloc(1, sizeof *made);
    if (made == NULL)
        return hcsoci_fail_out_of_memory(error);
    made->id = hcsoci_strdup(state->id);
    made->owner = hcsoci_strdup(state->owner);
    made->schema = state->schema;
    if (options->hosting_system != NULL)
        made->hosting_system_id = hcsoci_strdup(hcsoci_uvm_id(options->hosting_system));
    made->document = json_incref(state->document);
    made->spec = json_incref(state->spec);
    if (made->id == NULL || made->owner == NULL ||
        (options->hosting_system != NULL && made->hosting_system_id == NULL)) {
        hcsoci_container_free(made);
        return hcsoci_fail_out_of_memory(error);
    }
    *container = made;
    return 0;
}

/* The id names the container's directory in its utility VM (/run/gcs/c/<id>) and appears in
 * JSON documents, so it must be UTF-8 and may not step outside that directory: no path
 * separators, no "." or "..", no control characters. */
static int check_container_id(const char *id, hcsoci_error **error)
{
    bool bad = strcmp(id, ".") == 0 || strcmp(id, "..") == 0;
    for (const char *c = id; !bad && *c != '\0'; c++)
        bad = *c == '/' || *c == '\\' || (unsigned char)*c < 0x20 || *c == 0x7f;
    if (bad)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid container id '%s': it may not contain '/', '\\' or control "
                           "characters, nor be '.' or '..'",
                           id);
    if (!hcsoci_text_is_utf8(id))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid container id: not UTF-8 text");
    return 0;
}

int hcsoci_create_container(hcsoci_runtime *runtime, const hcsoci_create_options *options,
                            hcsoci_container **container, hcsoci_resources **resources,
                            hcsoci_error **error)
{
    *container = NULL;
    *resources = NULL;
    if (runtime == NULL || options == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a runtime and create options are required");

    create_state state = {.owner = options->owner};
    if (options->id != NULL && options->id[0] != '\0') {
        if (strlen(options->id) > HCSOCI_MAX_CONTAINER_ID_LENGTH)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid container id: longer than %d characters",
                               HCSOCI_MAX_CONTAINER_ID_LENGTH);
        if (check_container_id(options->id, error) != 0)
            return -1;
        strcpy(state.id, options->id);
    } else {
        runtime->host->ops->new_guid(runtime->host, state.id);
    }
    if (options->hosting_system != NULL)
        /* A hosted container is created under its VM's owner, whatever was asked. */
        state.owner = hcsoci_uvm_owner(options->hosting_system);
    else if (state.owner == NULL || state.owner[0] == '\0')
        state.owner = runtime->program_name;
    if (options->spec == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "Spec must be supplied");
    /* The create works on its own copy of the spec with the keys spelled canonically, as the
     * reference reads the spec through json.Unmarshal: the core and every module (vendor
     * modules too) read "windows" however the caller spelled it. */
    if (hcsoci_spec_canonical_keys(options->spec, &state.spec, error) != 0)
        return -1;
    if (hcsoci_spec_validate(state.spec, error) != 0) {
        json_decref(state.spec);
        return -1;
    }

    state.resources = hcsoci_resources_new(state.id);
    if (state.resources == NULL) {
        json_decref(state.spec);
        hcsoci_resources_free(state.resources);
        return hcsoci_fail_out_of_memory(error);
    }
    hcsoci_resources_set_observer(state.resources, options->ledger_observer,
                                  options->ledger_context);

    /* The container object is made before the compute system, so that nothing can fail after
     * the host has created it. */
    int result = build_documents(runtime, &state, options, error);
    if (result == 0)
        result = compose_document(&state, options->hosting_system, error);
    if (result == 0)
        result = check_document(&state, error);
    if (result == 0)
        result = make_container(&state, options, container, error);
    if (result == 0 && !options->documents_only &&
        create_compute_system(runtime->host, state.id, state.document, error) != 0) {
        hcsoci_container_free(*container);
        *container = NULL;
        result = -1;
    }
    if (result == 0 && options->documents_only) {
        /* Nothing was created, so nothing may stay allocated. */
        hcsoci_error *release_error = NULL;
        if (hcsoci_release_resources(runtime, state.resources, options->hosting_system, true,
                                     &release_error) != 0) {
            hcsoci_container_free(*container);
            *container = NULL;
            result = hcsoci_error_store(error, release_error);
        }
    } else if (result != 0 && !options->do_not_release_resources_on_failure) {
        hcsoci_error *release_error = NULL;
        if (hcsoci_release_resources(runtime, state.resources, options->hosting_system, true,
                                     &release_error) != 0) {
            HCSOCI_LOG(HCSOCI_LOG_ERROR,
                       json_pack("{s:s,s:s}", "id", state.id, "error", release_error->message),
                       "failed to release resources after a failed create");
            hcsoci_error_free(release_error);
        }
    }
    json_decref(state.spec);
    json_decref(state.output.compute_system_document);
    json_decref(state.output.hosted_system_document);
    json_decref(state.document);
    *resources = state.resources;
    return result;
}

void hcsoci_container_free(hcsoci_container *container)
{
    if (container == NULL)
        return;
    free(container->id);
    free(container->owner);
    free(container->hosting_system_id);
    json_decref(container->document);
    json_decref(container->spec);
    free(container);
}
