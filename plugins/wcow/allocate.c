/* The allocation step of a Windows container (the reference's allocateWindowsResources):
 * scratch folder and sandbox.vhdx, layer mounting, mount checks, credentials, devices. */
#include "wcow.h"

#include <stdlib.h>
#include <string.h>

#include <hcsoci/credentials.h>
#include <hcsoci/layers.h>
#include <hcsoci/log.h>
#include <hcsoci/resources.h>
#include <hcsoci/uvm.h>

/* <folder>\<name>, without doubling a trailing separator of folder. */
static char *join_path(const char *folder, const char *name)
{
    size_t length = strlen(folder);
    while (length > 0 && (folder[length - 1] == '\\' || folder[length - 1] == '/'))
        length--;
    char *path = malloc(length + 1 + strlen(name) + 1);
    if (path == NULL)
        return NULL;
    memcpy(path, folder, length);
    path[length] = '\\';
    strcpy(path + length + 1, name);
    return path;
}

/* Creates the scratch folder when it does not exist, then sandbox.vhdx in it from the parent
 * layers when that does not exist. */
static int prepare_scratch(hcsoci_host *host, const json_t *layer_folders, hcsoci_error **error)
{
    size_t count = json_array_size(layer_folders);
    const char *scratch = json_string_value(json_array_get(layer_folders, count - 1));
    uint64_t size = 0;
    if (host->ops->stat_path(host, scratch, &size) == HCSOCI_PATH_MISSING) {
        hcsoci_error *host_error = NULL;
        if (host->ops->make_directory(host, scratch, &host_error) != 0) {
            if (host_error == NULL)
                host_error = hcsoci_error_new(HCSOCI_E_FAIL, "%s",
                                              hcsoci_hresult_text(HCSOCI_E_FAIL));
            hcsoci_error_prefix(host_error, "failed to auto-create container scratch folder %s: ",
                                scratch);
            if (error != NULL)
                *error = host_error;
            else
                hcsoci_error_free(host_error);
            return -1;
        }
    }

    char *sandbox = join_path(scratch, "sandbox.vhdx");
    if (sandbox == NULL)
        return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
    hcsoci_path_kind kind = host->ops->stat_path(host, sandbox, &size);
    free(sandbox);
    if (kind != HCSOCI_PATH_MISSING)
        return 0;
    if (hcsoci_layers_create_scratch(host, layer_folders, error) != 0) {
        if (error != NULL)
            hcsoci_error_prefix(*error, "failed to CreateSandboxLayer ");
        return -1;
    }
    return 0;
}

/* Mounts the layers (on the host, or into the hosting system) unless the caller gave a root
 * path, or the container is to be Hyper-V isolated without a hosting system (then HCS mounts
 * them itself), and records them in the ledger. */
static int mount_storage(wcow_build *build, hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    if (json_object_get(context->spec, "root") == NULL ||
        json_is_null(json_object_get(context->spec, "root"))) {
        if (wcow_spec_set_root_path(context->spec, "", error) != 0)
            return -1;
    }
    if (wcow_spec_root_path(context->spec)[0] != '\0')
        return 0;
    if (context->hosting_system == NULL && build->spec.has_hyperv)
        return 0;

    const char *root_in_uvm = hcsoci_resources_container_root_in_uvm(context->resources);
    char *root_path = NULL;
    if (hcsoci_layers_mount(context->host, context->hosting_system, build->spec.layer_folders,
                            root_in_uvm, &root_path, error) != 0) {
        if (error != NULL)
            hcsoci_error_prefix(*error, "failed to mount container storage: ");
        return -1;
    }
    int status = wcow_spec_set_root_path(context->spec, root_path, error);
    free(root_path);
    const char *uvm_id =
        context->hosting_system != NULL ? hcsoci_uvm_id(context->hosting_system) : "";
    /* Recorded even when setting the root failed, so that the core unmounts them. */
    if (hcsoci_resources_set_layers(context->resources, build->spec.layer_folders, uvm_id,
                                    status == 0 ? error : NULL) != 0)
        status = -1;
    return status;
}

/* Checks each mount; a container in a hosting system would get its mounts added there. */
static int allocate_mounts(wcow_build *build, hcsoci_error **error)
{
    for (size_t i = 0; i < build->spec.mount_count; i++) {
        const wcow_mount *mount = &build->spec.mounts[i];
        if (mount->destination[0] == '\0' || mount->source[0] == '\0') {
            char *text = wcow_mount_text(mount);
            int status = hcsoci_fail(error, HCSOCI_E_INVALID,
                                     "invalid OCI spec - a mount must have both source and a "
                                     "destination: %s",
                                     text != NULL ? text : "(out of memory)");
            free(text);
            return status;
        }
        if (strcmp(mount->type, "") != 0 && strcmp(mount->type, "physical-disk") != 0 &&
            strcmp(mount->type, "virtual-disk") != 0)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid OCI spec - Type '%s' not supported", mount->type);
        if (wcow_is_v2_xenon(build)) {
            /* Hosted: SCSI disks, VSMB shares and pipes of the hosting system; added with the
             * hosted WCOW builder. */
            return hcsoci_not_supported(error, "adding mounts to a utility VM");
        }
    }
    return 0;
}

/* A string credential spec asks a schema 2.1 container for a credential guard instance, whose
 * state goes into the document. */
static int allocate_credentials(wcow_build *build, hcsoci_error **error)
{
    if (build->spec.credential_spec == NULL || !build->is_v2)
        return 0;
    hcsoci_build_context *context = build->context;
    bool hypervisor_isolated = context->hosting_system != NULL;
    hcsoci_credential_guard guard;
    if (hcsoci_credential_guard_create(context->host, context->resources, context->id,
                                       build->spec.credential_spec, hypervisor_isolated, &guard,
                                       error) != 0)
        return -1;
    json_decref(build->credential_guard_state);
    build->credential_guard_state = guard.state;
    guard.state = NULL;
    hcsoci_credential_guard_clear(&guard);
    if (hypervisor_isolated) {
        /* The utility VM needs an HvSocket service entry (guard.hvsocket_config) so that the
         * container can reach the instance on the host; added with the hosted WCOW builder.
         * The instance is already in the ledger, so the rollback removes it. */
        return hcsoci_not_supported(error,
                                    "the hvsocket service entry for the credential guard in a "
                                    "utility VM");
    }
    return 0;
}

int wcow_allocate(wcow_build *build, hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    if (!build->spec.has_windows || build->spec.layer_folders == NULL ||
        build->spec.layer_count == 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "field 'Spec.Windows.Layerfolders' is not populated");

    if (prepare_scratch(context->host, build->spec.layer_folders, error) != 0 ||
        mount_storage(build, error) != 0 || allocate_mounts(build, error) != 0 ||
        allocate_credentials(build, error) != 0)
        return -1;

    if (context->hosting_system != NULL && build->spec.device_count > 0)
        return hcsoci_assign_windows_devices(context, error);
    return 0;
}
