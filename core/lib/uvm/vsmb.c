/* VSMB shares of a Windows utility VM: directory shares and single-file shares, keyed by
 * cleaned host path and read-only, ref-counted, named from the VSMB counter. */
#include "uvm_internal.h"

#include <hcsoci/alloc.h>
#include <hcsoci/log.h>
#include <hcsoci/spec.h>
#include <hcsoci/windows_path.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VSMB_RESOURCE_PATH "VirtualMachine/Devices/VirtualSmb/Shares"

void uvm_vsmb_share_free(uvm_vsmb_share *share)
{
    if (share == NULL)
        return;
    free(share->host_path);
    free(share->name);
    free(share->guest_path);
    json_decref(share->allowed_files);
    free(share);
}

hcsoci_vsmb_options hcsoci_uvm_default_vsmb_options(const hcsoci_uvm *uvm, bool read_only)
{
    hcsoci_vsmb_options options = {0};
    options.no_directmap = uvm->properties.devices_physically_backed;
    if (read_only) {
        options.share_read = true;
        options.cache_io = true;
        options.read_only = true;
        options.pseudo_oplocks = true;
    }
    return options;
}

json_t *hcsoci_vsmb_options_to_json(const hcsoci_vsmb_options *options)
{
    const struct {
        const char *name;
        bool value;
    } fields[] = {
        {"ReadOnly", options->read_only},
        {"ShareRead", options->share_read},
        {"CacheIo", options->cache_io},
        {"NoOplocks", options->no_oplocks},
        {"TakeBackupPrivilege", options->take_backup_privilege},
        {"UseShareRootIdentity", options->use_share_root_identity},
        {"NoDirectmap", options->no_directmap},
        {"NoLocks", options->no_locks},
        {"NoDirnotify", options->no_dirnotify},
        {"VmSharedMemory", options->vm_shared_memory},
        {"RestrictFileAccess", options->restrict_file_access},
        {"ForceLevelIIOplocks", options->force_level_ii_oplocks},
        {"ReparseBaseLayer", options->reparse_base_layer},
        {"PseudoOplocks", options->pseudo_oplocks},
        {"NonCacheIo", options->non_cache_io},
        {"PseudoDirnotify", options->pseudo_dirnotify},
        {"SingleFileMapping", options->single_file_mapping},
    };
    json_t *object = json_object();
    for (size_t i = 0; object != NULL && i < sizeof fields / sizeof fields[0]; i++) {
        if (fields[i].value && json_object_set_new(object, fields[i].name, json_true()) != 0) {
            json_decref(object);
            object = NULL;
        }
    }
    return object;
}

/* The share of (host_path, read_only) in list, or -1. */
static ssize_t find_share(const uvm_list *list, const char *host_path, bool read_only)
{
    for (size_t i = 0; i < list->count; i++) {
        const uvm_vsmb_share *share = list->items[i];
        if (share->read_only == read_only && strcmp(share->host_path, host_path) == 0)
            return (ssize_t)i;
    }
    return -1;
}

/* Where host_path is shared from: the list (directory or file shares), the cleaned shared
 * directory (*directory, caller's) and, for a file, its name (*file_name, caller's, may be
 * NULL). Fails like os.Stat when the host has no such path. */
static int locate(hcsoci_uvm *uvm, const char *host_path, uvm_list **list, char **directory,
                  char **file_name, hcsoci_error **error)
{
    *directory = NULL;
    if (file_name != NULL)
        *file_name = NULL;
    hcsoci_path_kind kind = uvm->host->ops->stat_path(uvm->host, host_path, NULL);
    if (kind == HCSOCI_PATH_MISSING)
        return uvm_stat_error(uvm, host_path, error);
    if (kind == HCSOCI_PATH_DIRECTORY) {
        *list = &uvm->vsmb_directory_shares;
        *directory = hcsoci_windows_path_clean(host_path);
    } else {
        *list = &uvm->vsmb_file_shares;
        *directory = hcsoci_windows_path_dir(host_path);
        if (file_name != NULL && *directory != NULL) {
            *file_name = hcsoci_strdup(host_path + hcsoci_windows_path_split_index(host_path));
            if (*file_name == NULL) {
                free(*directory);
                *directory = NULL;
            }
        }
    }
    return *directory != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

/* A new share named after the next value of the VM's VSMB counter, or NULL with *error set. */
static uvm_vsmb_share *new_share(hcsoci_uvm *uvm, const char *directory, bool read_only,
                                 hcsoci_error **error)
{
    uvm_vsmb_share *share = hcsoci_calloc(1, sizeof *share);
    if (share == NULL) {
        hcsoci_fail_out_of_memory(error);
        return NULL;
    }
    uint64_t number = 0;
    if (uvm_counter_take(uvm, &uvm->vsmb_counter, "VSMB share", &number, error) != 0) {
        free(share);
        return NULL;
    }
    char name[32];
    snprintf(name, sizeof name, "s%" PRIx64, number);
    share->host_path = hcsoci_strdup(directory);
    share->name = hcsoci_strdup(name);
    share->guest_path = hcsoci_malloc(sizeof UVM_VSMB_SHARE_PREFIX + strlen(name));
    share->allowed_files = json_array();
    share->read_only = read_only;
    if (share->host_path == NULL || share->name == NULL || share->guest_path == NULL ||
        share->allowed_files == NULL) {
        uvm_vsmb_share_free(share);
        hcsoci_fail_out_of_memory(error);
        return NULL;
    }
    strcpy(share->guest_path, UVM_VSMB_SHARE_PREFIX);
    strcat(share->guest_path, name);
    return share;
}

/* {Name, Path, AllowedFiles, Options} of an Add or Update. */
static json_t *share_settings(const uvm_vsmb_share *share, const char *directory,
                              const json_t *allowed_files, const hcsoci_vsmb_options *options)
{
    json_t *settings = json_pack("{s:s,s:s}", "Name", share->name, "Path", directory);
    json_t *options_json = hcsoci_vsmb_options_to_json(options);
    if (settings == NULL || options_json == NULL ||
        (json_array_size(allowed_files) > 0 &&
         json_object_set_new(settings, "AllowedFiles", hcsoci_json_copy(allowed_files)) != 0)) {
        json_decref(settings);
        json_decref(options_json);
        return NULL;
    }
    /* json_object_set_new takes the value even when it fails. */
    if (json_object_set_new(settings, "Options", options_json) != 0) {
        json_decref(settings);
        return NULL;
    }
    return settings;
}

static int add_locked(hcsoci_uvm *uvm, const char *host_path, hcsoci_vsmb_options *options,
                      hcsoci_error **error)
{
    uvm_list *list = NULL;
    char *directory = NULL;
    if (locate(uvm, host_path, &list, &directory, NULL, error) != 0)
        return -1;
    const char *file = NULL;
    if (list == &uvm->vsmb_file_shares) {
        file = host_path;
        options->restrict_file_access = true;
        options->single_file_mapping = true;
    }
    /* The reference forces NoDirectmap on builds 18362 to 19042 when the host file system
     * cannot report file ids; the host boundary has no such fact, so file ids are assumed. */

    ssize_t index = find_share(list, directory, options->read_only);
    uvm_vsmb_share *share = index >= 0 ? list->items[index] : NULL;
    uvm_vsmb_share *created = NULL;
    const char *request_type = "Update";
    if (share == NULL) {
        request_type = "Add";
        share = created = new_share(uvm, directory, options->read_only, error);
        if (share == NULL) {
            free(directory);
            return -1;
        }
    }
    json_t *allowed_files = json_copy(share->allowed_files);
    int result = 0;
    if (allowed_files == NULL ||
        (options->restrict_file_access &&
         json_array_append_new(allowed_files, json_string(file)) != 0)) {
        result = hcsoci_fail_out_of_memory(error);
    } else if (created != NULL && uvm_list_reserve(list) != 0) {
        result = hcsoci_fail_out_of_memory(error);
    } else if (created != NULL || options->restrict_file_access) {
        HCSOCI_LOG(HCSOCI_LOG_INFO,
                   json_pack("{s:s,s:s,s:o*,s:s}", "name", share->name, "path", directory,
                             "options", hcsoci_vsmb_options_to_json(options), "operation",
                             request_type),
                   "Modifying VSMB share");
        json_t *settings = share_settings(share, directory, allowed_files, options);
        json_t *request =
            settings != NULL ? uvm_request(VSMB_RESOURCE_PATH, request_type, settings, NULL) : NULL;
        result = uvm_modify_locked(uvm, request, error);
        json_decref(request);
    }
    if (result == 0 && created != NULL)
        uvm_list_append(list, created); /* room was reserved */
    if (result == 0) {
        json_decref(share->allowed_files);
        share->allowed_files = allowed_files;
        allowed_files = NULL;
        share->ref_count++;
    } else {
        uvm_vsmb_share_free(created);
    }
    json_decref(allowed_files);
    free(directory);
    return result;
}

static int remove_locked(hcsoci_uvm *uvm, const char *host_path, bool read_only,
                         hcsoci_error **error)
{
    uvm_list *list = NULL;
    char *directory = NULL;
    if (locate(uvm, host_path, &list, &directory, NULL, error) != 0)
        return -1;
    ssize_t index = find_share(list, directory, read_only);
    if (index < 0) {
        hcsoci_fail(error, HCSOCI_E_UVM_NOT_ATTACHED,
                    "%s is not present as a VSMB share in %s, cannot remove", directory, uvm->id);
        free(directory);
        return -1;
    }
    uvm_vsmb_share *share = list->items[index];
    int result = 0;
    if (--share->ref_count == 0) {
        json_t *settings = json_pack("{s:s}", "Name", share->name);
        /* Without its settings the request would name no share: not sent. */
        json_t *request = settings != NULL
                              ? uvm_request(VSMB_RESOURCE_PATH, "Remove", settings, NULL)
                              : NULL;
        result = uvm_modify_locked(uvm, request, error);
        if (result != 0) {
            /* Kept with its reference so that releasing it again sends the request again. */
            share->ref_count++;
            hcsoci_fail_prefixed(error, "failed to remove vsmb share %s from %s: ", directory,
                                 uvm->id);
        } else {
            uvm_list_remove(list, (size_t)index);
            uvm_vsmb_share_free(share);
        }
        json_decref(request);
    }
    free(directory);
    return result;
}

int hcsoci_uvm_add_vsmb(hcsoci_uvm *uvm, const char *host_path, const hcsoci_vsmb_options *options,
                        hcsoci_resources *resources, hcsoci_error **error)
{
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed to AddVSMB");
    if (uvm->properties.os != HCSOCI_UVM_WINDOWS)
        return uvm_not_supported(error);
    hcsoci_vsmb_options effective = options != NULL ? *options
                                                    : hcsoci_uvm_default_vsmb_options(uvm, false);
    uvm_lock(uvm);
    int result = add_locked(uvm, host_path, &effective, error);
    uvm_unlock(uvm);
    if (result != 0)
        return -1;
    if (uvm_record(resources, uvm_vsmb_kind.name,
                   json_pack("{s:s,s:b}", "hostPath", host_path, "readOnly", effective.read_only),
                   error) != 0) {
        hcsoci_uvm_remove_vsmb(uvm, host_path, effective.read_only, NULL);
        return -1;
    }
    return 0;
}

int hcsoci_uvm_remove_vsmb(hcsoci_uvm *uvm, const char *host_path, bool read_only,
                           hcsoci_error **error)
{
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no host path passed to RemoveVSMB");
    if (uvm->properties.os != HCSOCI_UVM_WINDOWS)
        return uvm_not_supported(error);
    uvm_lock(uvm);
    int result = remove_locked(uvm, host_path, read_only, error);
    uvm_unlock(uvm);
    return result;
}

int hcsoci_uvm_vsmb_guest_path(hcsoci_uvm *uvm, const char *host_path, bool read_only,
                               char **guest_path, hcsoci_error **error)
{
    *guest_path = NULL;
    if (host_path == NULL || host_path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "no hostPath passed to GetVSMBUvmPath");
    uvm_lock(uvm);
    uvm_list *list = NULL;
    char *directory = NULL;
    char *file_name = NULL;
    int result = locate(uvm, host_path, &list, &directory, &file_name, error);
    if (result == 0) {
        ssize_t index = find_share(list, directory, read_only);
        if (index < 0) {
            result = hcsoci_fail(error, HCSOCI_E_UVM_NOT_ATTACHED, "not attached");
        } else {
            const uvm_vsmb_share *share = list->items[index];
            size_t length = strlen(share->guest_path) + 1 +
                            (file_name != NULL ? strlen(file_name) : 0) + 1;
            char *joined = hcsoci_malloc(length);
            if (joined != NULL)
                snprintf(joined, length, "%s%s%s", share->guest_path,
                         file_name != NULL && file_name[0] != '\0' ? "\\" : "",
                         file_name != NULL ? file_name : "");
            *guest_path = joined != NULL ? hcsoci_windows_path_clean(joined) : NULL;
            free(joined);
            if (*guest_path == NULL)
                result = hcsoci_fail_out_of_memory(error);
        }
    }
    free(directory);
    free(file_name);
    uvm_unlock(uvm);
    return result;
}

/* ---- saving and loading ---- */

static json_t *shares_to_json(const uvm_list *list)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < list->count; i++) {
        const uvm_vsmb_share *share = list->items[i];
        json_t *item = json_pack("{s:s,s:s,s:b,s:I,s:O}", "hostPath", share->host_path, "name",
                                 share->name, "readOnly", share->read_only, "refCount",
                                 (json_int_t)share->ref_count, "allowedFiles",
                                 share->allowed_files);
        if (json_array_append_new(array, item) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

int uvm_vsmb_save(const hcsoci_uvm *uvm, json_t *state)
{
    return json_object_set_new(state, "vsmbDirectoryShares",
                               shares_to_json(&uvm->vsmb_directory_shares)) != 0 ||
                   json_object_set_new(state, "vsmbFileShares",
                                       shares_to_json(&uvm->vsmb_file_shares)) != 0
               ? -1
               : 0;
}

static int load_shares(hcsoci_uvm *uvm, const json_t *state, const char *key, uvm_list *list,
                       hcsoci_error **error)
{
    json_t *array = NULL;
    char path[96];
    snprintf(path, sizeof path, "uvm.%s", key);
    if (hcsoci_json_object_array(state, key, path, &array, error) != 0)
        return -1;
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item) {
        snprintf(path, sizeof path, "uvm.%s[%zu]", key, index);
        uvm_vsmb_share *share = hcsoci_calloc(1, sizeof *share);
        if (share == NULL)
            return hcsoci_fail_out_of_memory(error);
        int64_t ref_count = 0;
        json_t *allowed_files = NULL;
        char field[128];
        snprintf(field, sizeof field, "%s.hostPath", path);
        int failed = uvm_load_string(item, "hostPath", field, &share->host_path, error);
        snprintf(field, sizeof field, "%s.name", path);
        failed = failed || uvm_load_string(item, "name", field, &share->name, error);
        snprintf(field, sizeof field, "%s.readOnly", path);
        failed = failed || hcsoci_json_bool(item, "readOnly", field, &share->read_only, error);
        snprintf(field, sizeof field, "%s.refCount", path);
        failed = failed ||
                 uvm_load_integer(item, "refCount", field, 1, UINT32_MAX, &ref_count, error);
        snprintf(field, sizeof field, "%s.allowedFiles", path);
        failed = failed ||
                 hcsoci_json_string_array(item, "allowedFiles", field, &allowed_files, error);
        if (!failed) {
            share->ref_count = (uint32_t)ref_count;
            share->allowed_files = allowed_files != NULL ? hcsoci_json_copy(allowed_files)
                                                         : json_array();
            share->guest_path = hcsoci_malloc(sizeof UVM_VSMB_SHARE_PREFIX + strlen(share->name));
            if (share->allowed_files == NULL || share->guest_path == NULL) {
                failed = hcsoci_fail_out_of_memory(error);
            } else {
                strcpy(share->guest_path, UVM_VSMB_SHARE_PREFIX);
                strcat(share->guest_path, share->name);
            }
        }
        if (!failed && find_share(list, share->host_path, share->read_only) >= 0)
            failed = hcsoci_fail(error, HCSOCI_E_INVALID, "duplicate share in '%s'", path);
        if (!failed && uvm_list_append(list, share) != 0)
            failed = hcsoci_fail_out_of_memory(error);
        if (failed) {
            uvm_vsmb_share_free(share);
            return -1;
        }
    }
    (void)uvm;
    return 0;
}

int uvm_vsmb_load(hcsoci_uvm *uvm, const json_t *state, hcsoci_error **error)
{
    if (load_shares(uvm, state, "vsmbDirectoryShares", &uvm->vsmb_directory_shares, error) != 0 ||
        load_shares(uvm, state, "vsmbFileShares", &uvm->vsmb_file_shares, error) != 0)
        return -1;
    return 0;
}

/* ---- ledger entries ---- */

static int release_vsmb_entry(hcsoci_uvm *uvm, const json_t *entry, hcsoci_error **error)
{
    const char *host_path = NULL;
    bool read_only = false;
    char read_only_path[64];
    snprintf(read_only_path, sizeof read_only_path, "%s.readOnly", uvm_vsmb_kind.name);
    if (uvm_entry_string(entry, uvm_vsmb_kind.name, "hostPath", &host_path, error) != 0 ||
        hcsoci_json_bool(entry, "readOnly", read_only_path, &read_only, error) != 0)
        return -1;
    if (hcsoci_uvm_remove_vsmb(uvm, host_path, read_only, error) != 0)
        return uvm_release_failed(error, "VSMB share");
    return 0;
}

const uvm_release_kind uvm_vsmb_kind = {"uvm.vsmb", release_vsmb_entry};
