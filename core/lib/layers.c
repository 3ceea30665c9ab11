/* Image layers on the host: the layer-storage calls of the reference's wclayer and layers
 * packages, with their error texts and their rollback order (see layers.h). */
#include "hcs_errors.h"
#include "layers_internal.h"
#include "resources_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/plugin.h>
#include <hcsoci/spec.h>

/* ---- Errors ---- */

/* The Win32 error code the reference prints for a failed layer-storage HRESULT: the low word
 * of a FACILITY_WIN32 HRESULT, otherwise the HRESULT itself. */
static uint32_t win32_code_of(int32_t hresult)
{
    uint32_t value = (uint32_t)hresult;
    if ((value & 0x1fff0000u) == 0x00070000u)
        value &= 0xffffu;
    return value;
}

/* Rewrites a failed host call's error as "<title> failed in Win32: <text> (0x<code>)" followed
 * by " <detail>" when detail is not NULL. */
static void wrap_with_title(hcsoci_error *error, const char *title, const char *detail)
{
    if (error == NULL)
        return;
    hcsoci_error_prefix(error, "%s failed in Win32: ", title);
    hcsoci_error_suffix(error, " (0x%x)%s%s", (unsigned)win32_code_of(error->code),
                        detail != NULL ? " " : "", detail != NULL ? detail : "");
}

/* Hands a failed host call's error to the caller, worded by title and detail; a host that
 * failed without saying why still yields an error. Returns -1. */
static int fail_with_host_error(hcsoci_error *host_error, const char *title, const char *detail,
                                hcsoci_error **error)
{
    if (host_error == NULL)
        host_error = hcsoci_error_new(HCSOCI_E_FAIL, "%s", hcsoci_hresult_text(HCSOCI_E_FAIL));
    wrap_with_title(host_error, title, detail);
    return hcsoci_error_store(error, host_error);
}

void hcsoci_layers_wrap_host_error(hcsoci_error *error, const char *operation)
{
    char title[128];
    snprintf(title, sizeof title, "hcsshim::%s - failed", operation);
    wrap_with_title(error, title, NULL);
}

char *layers_join_windows_path(const char *folder, const char *file)
{
    size_t length = strlen(folder);
    while (length > 0 && (folder[length - 1] == '\\' || folder[length - 1] == '/'))
        length--;
    return hcsoci_asprintf("%.*s\\%s", (int)length, folder, file);
}

/* ---- Layer ids and descriptors ---- */

/* The last element of a Windows path: what follows the last '\' or '/', or the drive ("C:"). */
static const char *last_path_element(const char *path)
{
    const char *start = path;
    if (isalpha((unsigned char)path[0]) && path[1] == ':')
        start = path + 2;
    for (const char *cursor = start; *cursor != '\0'; cursor++) {
        if (*cursor == '\\' || *cursor == '/')
            start = cursor + 1;
    }
    return start;
}

int hcsoci_layer_id(hcsoci_host *host, const char *layer_path, char **guid, hcsoci_error **error)
{
    *guid = NULL;
    char *answer = NULL;
    hcsoci_error *host_error = NULL;
    if (host->ops->name_to_guid(host, last_path_element(layer_path), &answer, &host_error) != 0)
        return fail_with_host_error(host_error, "hcsshim::NameToGuid - failed", NULL, error);
    if (answer == NULL)
        return hcsoci_fail(error, HCSOCI_E_FAIL, "NameToGuid gave no GUID for %s", layer_path);
    /* The reference prints the GUID it got back in lower case. */
    for (char *cursor = answer; cursor != NULL && *cursor != '\0'; cursor++)
        *cursor = (char)tolower((unsigned char)*cursor);
    *guid = answer;
    return 0;
}

/* The path of layer_folders[index], or NULL with an error when it is not a string. */
static const char *layer_folder_at(const json_t *layer_folders, size_t index,
                                   hcsoci_error **error)
{
    const char *path = json_string_value(json_array_get(layer_folders, index));
    if (path == NULL)
        hcsoci_fail(error, HCSOCI_E_INVALID,
                    "invalid layer folders: element %zu must be a string, not %s", index,
                    hcsoci_json_kind(json_array_get(layer_folders, index)));
    return path;
}

static int check_layer_folders(const json_t *layer_folders, hcsoci_error **error)
{
    if (!json_is_array(layer_folders))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid layer folders: must be an array, not %s",
                           hcsoci_json_kind(layer_folders));
    for (size_t i = 0; i < json_array_size(layer_folders); i++) {
        if (layer_folder_at(layer_folders, i, error) == NULL)
            return -1;
    }
    return 0;
}

int hcsoci_layer_descriptors(hcsoci_host *host, const json_t *layer_folders, size_t count,
                             json_t **descriptors, hcsoci_error **error)
{
    *descriptors = NULL;
    if (check_layer_folders(layer_folders, error) != 0)
        return -1;
    if (count > json_array_size(layer_folders))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "asked for %zu layer descriptors of %zu",
                           count, json_array_size(layer_folders));
    json_t *list = json_array();
    if (list == NULL)
        return hcsoci_fail_out_of_memory(error);
    for (size_t i = 0; i < count; i++) {
        const char *path = json_string_value(json_array_get(layer_folders, i));
        char *guid = NULL;
        if (hcsoci_layer_id(host, path, &guid, error) != 0) {
            json_decref(list);
            return -1;
        }
        json_t *descriptor = json_pack("{s:s, s:i, s:s}", "LayerId", guid, "Flags", 0, "Path",
                                       path);
        free(guid);
        if (descriptor == NULL || json_array_append_new(list, descriptor) != 0) {
            json_decref(list);
            return hcsoci_fail_out_of_memory(error);
        }
    }
    *descriptors = list;
    return 0;
}

/* ---- The scratch layer ---- */

/* The scratch folder (the last layer folder), or NULL with an error when the layer folders are
 * not an array of strings or are empty. */
static const char *scratch_folder(const json_t *layer_folders, hcsoci_error **error)
{
    if (check_layer_folders(layer_folders, error) != 0)
        return NULL;
    size_t count = json_array_size(layer_folders);
    if (count == 0) {
        hcsoci_fail(error, HCSOCI_E_INVALID, "no scratch folder in the layer folders");
        return NULL;
    }
    return json_string_value(json_array_get(layer_folders, count - 1));
}

int hcsoci_layers_create_scratch(hcsoci_host *host, const json_t *layer_folders,
                                 hcsoci_error **error)
{
    const char *scratch = scratch_folder(layer_folders, error);
    if (scratch == NULL)
        return -1;
    size_t count = json_array_size(layer_folders);
    json_t *descriptors = NULL;
    if (hcsoci_layer_descriptors(host, layer_folders, count - 1, &descriptors, error) != 0)
        return -1;
    hcsoci_error *host_error = NULL;
    int status = host->ops->create_sandbox_layer(host, scratch, descriptors, &host_error);
    json_decref(descriptors);
    if (status != 0)
        return fail_with_host_error(host_error, "hcsshim::CreateScratchLayer - failed", NULL,
                                    error);
    return 0;
}

int hcsoci_layers_prepare_scratch(hcsoci_host *host, const json_t *layer_folders,
                                  hcsoci_error **error)
{
    const char *scratch = scratch_folder(layer_folders, error);
    if (scratch == NULL)
        return -1;
    uint64_t size = 0;
    if (host->ops->stat_path(host, scratch, &size) == HCSOCI_PATH_MISSING) {
        hcsoci_error *host_error = NULL;
        if (host->ops->make_directory(host, scratch, &host_error) != 0) {
            if (host_error == NULL)
                host_error = hcsoci_error_new(HCSOCI_E_FAIL, "%s",
                                              hcsoci_hresult_text(HCSOCI_E_FAIL));
            hcsoci_error_prefix(host_error, "failed to auto-create container scratch folder %s: ",
                                scratch);
            return hcsoci_error_store(error, host_error);
        }
    }

    char *sandbox = layers_join_windows_path(scratch, "sandbox.vhdx");
    if (sandbox == NULL)
        return hcsoci_fail_out_of_memory(error);
    hcsoci_path_kind kind = host->ops->stat_path(host, sandbox, &size);
    free(sandbox);
    if (kind != HCSOCI_PATH_MISSING)
        return 0;
    if (hcsoci_layers_create_scratch(host, layer_folders, error) != 0)
        return hcsoci_fail_prefixed(error, "failed to CreateSandboxLayer ");
    return 0;
}

/* ---- Mounting on the host ---- */

/* Runs one single-path layer call and words its failure like the reference's wclayer function
 * of that title. */
typedef int (*layer_path_call)(hcsoci_host *host, const char *path, hcsoci_error **error);

static int call_layer_op(hcsoci_host *host, layer_path_call call, const char *path,
                         const char *title, hcsoci_error **error)
{
    hcsoci_error *host_error = NULL;
    if (call(host, path, &host_error) == 0)
        return 0;
    return fail_with_host_error(host_error, title, NULL, error);
}

static int activate(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    return call_layer_op(host, host->ops->activate_layer, path, "hcsshim::ActivateLayer - failed",
                         error);
}

static int unprepare(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    return call_layer_op(host, host->ops->unprepare_layer, path,
                         "hcsshim::UnprepareLayer - failed", error);
}

/* The reference's DeactivateLayer title lacks the space before "- failed"; kept as it reads. */
static int deactivate(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    return call_layer_op(host, host->ops->deactivate_layer, path,
                         "hcsshim::DeactivateLayer- failed", error);
}

/* PrepareLayer with the descriptors of the parent layers (NameToGuid per parent first). */
static int prepare(hcsoci_host *host, const char *path, const json_t *layer_folders,
                   hcsoci_error **error)
{
    json_t *descriptors = NULL;
    if (hcsoci_layer_descriptors(host, layer_folders, json_array_size(layer_folders) - 1,
                                 &descriptors, error) != 0)
        return -1;
    hcsoci_error *host_error = NULL;
    int status = host->ops->prepare_layer(host, path, descriptors, &host_error);
    json_decref(descriptors);
    if (status == 0)
        return 0;
    return fail_with_host_error(host_error, "hcsshim::PrepareLayer - failed", NULL, error);
}

static int get_mount_path(hcsoci_host *host, const char *path, char **mount_path,
                          hcsoci_error **error)
{
    hcsoci_error *host_error = NULL;
    char *answer = NULL;
    if (host->ops->get_layer_mount_path(host, path, &answer, &host_error) != 0) {
        /* The reference asks twice (length, then text) and says which call failed. */
        const char *which = hcs_error_has_stage(host_error, HCSOCI_HOST_STAGE_SECOND_CALL)
                                ? "(second call)"
                                : "(first call)";
        return fail_with_host_error(host_error, "hcsshim::GetLayerMountPath - failed", which,
                                    error);
    }
    if (answer == NULL) {
        answer = hcsoci_strdup("");
        if (answer == NULL)
            return hcsoci_fail_out_of_memory(error);
    }
    *mount_path = answer;
    return 0;
}

int hcsoci_layers_mount(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                        const char *container_root_in_uvm, char **root_path,
                        hcsoci_error **error)
{
    *root_path = NULL;
    if (check_layer_folders(layer_folders, error) != 0)
        return -1;
    size_t count = json_array_size(layer_folders);
    if (count < 2)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "need at least two layers - base and scratch");
    if (uvm != NULL)
        return layers_uvm_mount(host, uvm, layer_folders,
                                container_root_in_uvm != NULL ? container_root_in_uvm : "",
                                root_path, error);
    const char *scratch = json_string_value(json_array_get(layer_folders, count - 1));

    if (activate(host, scratch, error) != 0)
        return -1;
    if (prepare(host, scratch, layer_folders, error) != 0) {
        deactivate(host, scratch, NULL); /* best effort, as the reference */
        return -1;
    }
    if (get_mount_path(host, scratch, root_path, error) != 0) {
        unprepare(host, scratch, NULL);
        deactivate(host, scratch, NULL);
        return -1;
    }
    return 0;
}

int hcsoci_layers_mount_recorded(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                                 const char *container_root_in_uvm,
                                 hcsoci_resources *resources, char **root_path,
                                 hcsoci_error **error)
{
    *root_path = NULL;
    /* Recorded once mounted, so that the ledger never holds layers the host does not. */
    if (hcsoci_layers_mount(host, uvm, layer_folders, container_root_in_uvm, root_path, error) !=
        0)
        return -1;
    if (hcsoci_resources_set_layers(resources, layer_folders, uvm != NULL ? hcsoci_uvm_id(uvm) : "",
                                    error) != 0) {
        hcsoci_layers_unmount(host, uvm, layer_folders, container_root_in_uvm, true, NULL);
        free(*root_path);
        *root_path = NULL;
        return -1;
    }
    return 0;
}

int hcsoci_layers_unmount(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                          const char *container_root_in_uvm, bool all, hcsoci_error **error)
{
    size_t steps_done = 0;
    return hcsoci_layers_unmount_from(host, uvm, layer_folders, container_root_in_uvm, all,
                                      &steps_done, error);
}

int hcsoci_layers_unmount_from(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                               const char *container_root_in_uvm, bool all, size_t *steps_done,
                               hcsoci_error **error)
{
    if (check_layer_folders(layer_folders, error) != 0)
        return -1;
    if (uvm != NULL)
        return layers_uvm_unmount(host, uvm, layer_folders,
                                  container_root_in_uvm != NULL ? container_root_in_uvm : "", all,
                                  steps_done, error);
    /* Host-mounted layers are always unmounted whole, whatever all says: UnprepareLayer, then
     * DeactivateLayer, of the scratch folder. */
    size_t count = json_array_size(layer_folders);
    if (count < 1)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "need at least one layer for Unmount");
    const char *scratch = json_string_value(json_array_get(layer_folders, count - 1));
    if (*steps_done < 1) {
        if (unprepare(host, scratch, error) != 0)
            return -1;
        *steps_done = 1;
    }
    if (*steps_done < 2) {
        if (deactivate(host, scratch, error) != 0)
            return -1;
        *steps_done = 2;
    }
    return 0;
}

int hcsoci_layers_in_uvm(hcsoci_host *host, hcsoci_uvm *uvm, const json_t *layer_folders,
                         size_t count, json_t **layers, hcsoci_error **error)
{
    *layers = NULL;
    if (check_layer_folders(layer_folders, error) != 0)
        return -1;
    if (count > json_array_size(layer_folders))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "asked for %zu layers of %zu", count,
                           json_array_size(layer_folders));
    return layers_uvm_hcs_layers(host, uvm, layer_folders, count, layers, error);
}
