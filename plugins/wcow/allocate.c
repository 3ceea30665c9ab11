/* The allocation step of a Windows container (the reference's allocateWindowsResources):
 * scratch folder and sandbox.vhdx, layer mounting, the mounts (added to the hosting system for
 * a Hyper-V isolated container), credentials, devices. */
#include "wcow.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/credentials.h>
#include <hcsoci/layers.h>
#include <hcsoci/log.h>
#include <hcsoci/resources.h>
#include <hcsoci/uvm.h>

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
    if (hcsoci_layers_mount_recorded(context->host, context->hosting_system,
                                     build->spec.layer_folders, root_in_uvm, context->resources,
                                     &root_path, error) != 0)
        return hcsoci_fail_prefixed(error, "failed to mount container storage: ");
    int status = wcow_spec_set_root_path(context->spec, root_path, error);
    free(root_path);
    return status;
}

/* Puts "<what> <mount as text>: " in front of an error about a mount. */
static void prefix_mount_error(hcsoci_error **error, const char *what, const wcow_mount *mount)
{
    if (error == NULL || *error == NULL)
        return;
    char *text = wcow_mount_text(mount);
    hcsoci_error_prefix(*error, "%s %s: ", what, text != NULL ? text : "(out of memory)");
    free(text);
}

/* Forgets a mount's type in the spec once its disk is attached to the hosting system: the
 * container then sees the disk's mount path in the VM as a plain mapped directory. */
static void clear_mount_type(wcow_build *build, size_t index)
{
    json_t *mount = json_array_get(json_object_get(build->context->spec, "mounts"), index);
    if (json_is_object(mount))
        json_object_del(mount, "type");
    build->spec.mounts[index].type = ""; /* the spec's string is gone */
}

/* Adds one mount of a container in a hosting system to the VM, recorded in the ledger: a
 * physical or virtual disk on SCSI at C:\mounts\m<n> of the VM, a named pipe, or a VSMB
 * share of the source (read-only with the "ro" option). Every mount takes a mount number,
 * used or not, as the reference's do. */
static int add_mount_to_hosting_system(wcow_build *build, size_t index, hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    hcsoci_uvm *uvm = context->hosting_system;
    const wcow_mount *mount = &build->spec.mounts[index];
    char uvm_path[48];
    uint64_t mount_number = 0;
    if (hcsoci_uvm_take_mount_number(uvm, &mount_number, error) != 0)
        return -1;
    snprintf(uvm_path, sizeof uvm_path, "C:\\mounts\\m%" PRIu64, mount_number);
    bool read_only = wcow_mount_is_read_only(mount);

    if (strcmp(mount->type, "physical-disk") == 0) {
        HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "mount", mount->source),
                   "hot-adding SCSI physical disk for OCI mount");
        if (hcsoci_uvm_add_scsi_physical_disk(uvm, mount->source, uvm_path, read_only, NULL,
                                              context->resources, error) != 0) {
            prefix_mount_error(error, "adding SCSI physical disk mount", mount);
            return -1;
        }
        clear_mount_type(build, index);
        return 0;
    }
    if (strcmp(mount->type, "virtual-disk") == 0) {
        HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "mount", mount->source),
                   "hot-adding SCSI virtual disk for OCI mount");
        if (hcsoci_uvm_add_scsi(uvm, mount->source, uvm_path, read_only,
                                HCSOCI_VM_ACCESS_INDIVIDUAL, NULL, context->resources,
                                error) != 0) {
            prefix_mount_error(error, "adding SCSI virtual disk mount", mount);
            return -1;
        }
        clear_mount_type(build, index);
        return 0;
    }
    if (hcsoci_uvm_is_pipe(mount->source)) {
        if (hcsoci_uvm_add_pipe(uvm, mount->source, context->resources, error) != 0)
            return hcsoci_fail_prefixed(error, "failed to add named pipe to UVM: ");
        return 0;
    }
    HCSOCI_LOG(HCSOCI_LOG_DEBUG, json_pack("{s:s}", "mount", mount->source),
               "hot-adding VSMB share for OCI mount");
    hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(uvm, read_only);
    if (hcsoci_uvm_add_vsmb(uvm, mount->source, &options, context->resources, error) != 0) {
        prefix_mount_error(error, "failed to add VSMB share to utility VM for mount", mount);
        return -1;
    }
    return 0;
}

/* Checks each mount and, for a container in a hosting system, adds it to the VM. What was
 * added stays in the ledger, so a failure is rolled back by releasing it. */
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
        if (wcow_is_v2_xenon(build) && add_mount_to_hosting_system(build, i, error) != 0)
            return -1;
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
    int status = 0;
    if (hypervisor_isolated) {
        /* Nothing in the VM may connect to the host over HvSocket unless the VM's service
         * table allows it: the instance's entry is added (or updated) so that the container
         * can reach the credential guard on the host. The entry is not recorded in the
         * ledger: the reference leaves it in the VM when the container goes, and the corpus
         * (case 061) shows no removal. The instance itself is in the ledger already. */
        const char *service_id = NULL;
        hcsoci_hvsocket_service_config config;
        if (hcsoci_credential_guard_hvsocket_service(&guard, &service_id, &config, error) != 0) {
            status = -1;
        } else if (hcsoci_uvm_update_hvsocket_service(context->hosting_system, service_id,
                                                      &config, NULL, error) != 0) {
            status = hcsoci_fail_prefixed(error, "failed to update hvsocket service: ");
        }
    }
    hcsoci_credential_guard_clear(&guard);
    return status;
}

int wcow_allocate(wcow_build *build, hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    if (!build->spec.has_windows || build->spec.layer_folders == NULL ||
        build->spec.layer_count == 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "field 'Spec.Windows.Layerfolders' is not populated");

    if (hcsoci_layers_prepare_scratch(context->host, build->spec.layer_folders, error) != 0 ||
        mount_storage(build, error) != 0 || allocate_mounts(build, error) != 0 ||
        allocate_credentials(build, error) != 0)
        return -1;

    if (context->hosting_system != NULL && build->spec.device_count > 0)
        return hcsoci_assign_windows_devices(context, error);
    return 0;
}
