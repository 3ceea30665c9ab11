/* The container's mounts in its Linux utility VM (see allocate.h): what each mount type adds to
 * the VM and how its source is rewritten to the VM's view. */
#include "allocate.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hcsoci/alloc.h>
#include <hcsoci/host.h>
#include <hcsoci/resources.h>
#include <hcsoci/uvm.h>
#include <hcsoci/windows_path.h>

#include "paths.h"

#define SANDBOX_PREFIX "sandbox://"

/* A string member, "" when absent or not a string. */
static const char *string_member(const json_t *object, const char *key)
{
    const char *value = json_string_value(json_object_get(object, key));
    return value != NULL ? value : "";
}

char *lcow_mount_text(const json_t *mount)
{
    size_t options_length = 0;
    size_t index;
    const json_t *option;
    const json_t *options = json_object_get(mount, "options");
    /* Each option plus one separating space. */
    json_array_foreach(options, index, option) {
        const char *text = json_string_value(option);
        options_length += (text != NULL ? strlen(text) : 0) + 1;
    }
    char *options_text = hcsoci_malloc(options_length + 1);
    if (options_text == NULL)
        return NULL;
    options_text[0] = '\0';
    json_array_foreach(options, index, option) {
        const char *text = json_string_value(option);
        if (index > 0)
            strcat(options_text, " ");
        strcat(options_text, text != NULL ? text : "");
    }
    char *mount_text = hcsoci_asprintf("{Destination:%s Type:%s Source:%s Options:[%s]}",
                                       string_member(mount, "destination"),
                                       string_member(mount, "type"),
                                       string_member(mount, "source"), options_text);
    free(options_text);
    return mount_text;
}

/* Prefixes error with "<what> <mount text>: ". */
static void prefix_with_mount(hcsoci_error **error, const char *what, const json_t *mount)
{
    if (error == NULL || *error == NULL)
        return;
    char *text = lcow_mount_text(mount);
    hcsoci_error_prefix(*error, "%s %s: ", what, text != NULL ? text : "(out of memory)");
    free(text);
}

/* True when an option of the mount is "ro" in any letter case. */
static bool mount_is_read_only(const json_t *mount)
{
    size_t index;
    const json_t *option;
    json_array_foreach(json_object_get(mount, "options"), index, option) {
        const char *text = json_string_value(option);
        if (text != NULL && strcasecmp(text, "ro") == 0)
            return true;
    }
    return false;
}

/* The error Windows gives for a path that does not exist: "file" when its parent directory
 * exists (a volume root always does), "path" when that is missing too. */
static int missing_path_error(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    char *directory = NULL, *file = NULL;
    if (hcsoci_windows_path_split(path, &directory, &file) != 0)
        return hcsoci_fail_out_of_memory(error);
    free(file);
    size_t volume = hcsoci_windows_volume_name_length(directory);
    size_t length = strlen(directory);
    while (length > volume && (directory[length - 1] == '\\' || directory[length - 1] == '/'))
        length--;
    directory[length] = '\0';
    bool parent_exists = length == volume ||
                         host->ops->stat_path(host, directory, NULL) == HCSOCI_PATH_DIRECTORY;
    free(directory);
    return hcsoci_fail(error, parent_exists ? (int32_t)0x80070002 : (int32_t)0x80070003,
                       "CreateFile %s: The system cannot find the %s specified.", path,
                       parent_exists ? "file" : "path");
}

/* A physical or virtual disk on SCSI at /run/mounts/m<n> (or where the VM already has it).
 * *guest_path is where the VM mounted it. */
static int add_disk(hcsoci_build_context *context, json_t *mount, bool physical, bool read_only,
                    char **guest_path, hcsoci_error **error)
{
    hcsoci_uvm *uvm = context->hosting_system;
    const char *host_path = string_member(mount, "source");
    char mount_path[64];
    uint64_t mount_number = 0;
    if (hcsoci_uvm_take_mount_number(uvm, &mount_number, error) != 0)
        return -1;
    snprintf(mount_path, sizeof mount_path, "/run/mounts/m%" PRIu64, mount_number);
    int status = physical
                     ? hcsoci_uvm_add_scsi_physical_disk(uvm, host_path, mount_path, read_only,
                                                         NULL, context->resources, error)
                     : hcsoci_uvm_add_scsi(uvm, host_path, mount_path, read_only,
                                           HCSOCI_VM_ACCESS_INDIVIDUAL, NULL, context->resources,
                                           error);
    if (status != 0) {
        prefix_with_mount(error,
                          physical ? "adding SCSI physical disk mount"
                                   : "adding SCSI virtual disk mount",
                          mount);
        return -1;
    }
    if (hcsoci_uvm_scsi_guest_path(uvm, host_path, guest_path, error) != 0)
        return -1;
    if (json_object_set_new(mount, "type", json_string("none")) != 0)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

/* A bind mount of a host directory (shared whole at share_path) or file (its directory shared
 * at share_path, restricted to that file). *guest_path is where the VM sees the source. */
static int add_bind(hcsoci_build_context *context, const json_t *mount, const char *share_path,
                    bool read_only, char **guest_path, hcsoci_error **error)
{
    hcsoci_host *host = context->host;
    const char *source = string_member(mount, "source");
    hcsoci_path_kind kind = host->ops->stat_path(host, source, NULL);
    if (kind == HCSOCI_PATH_MISSING) {
        missing_path_error(host, source, error);
        hcsoci_error_prefix(error != NULL ? *error : NULL, "could not open bind mount target: ");
        return -1;
    }
    char *share_host_path = NULL, *file_name = NULL;
    json_t *allowed_names = NULL;
    bool restrict_files = kind != HCSOCI_PATH_DIRECTORY;
    if (restrict_files) {
        if (hcsoci_windows_path_split(source, &share_host_path, &file_name) != 0)
            return hcsoci_fail_out_of_memory(error);
        allowed_names = json_pack("[s]", file_name);
        *guest_path = lcow_guest_path_join(share_path, file_name);
    } else {
        share_host_path = hcsoci_strdup(source);
        *guest_path = hcsoci_strdup(share_path);
    }
    int status = 0;
    if (share_host_path == NULL || *guest_path == NULL ||
        (restrict_files && allowed_names == NULL)) {
        status = hcsoci_fail_out_of_memory(error);
    } else if (hcsoci_uvm_add_plan9(context->hosting_system, share_host_path, share_path,
                                    read_only, restrict_files, allowed_names, NULL,
                                    context->resources, error) != 0) {
        prefix_with_mount(error, "adding plan9 mount", mount);
        status = -1;
    }
    if (status != 0) {
        free(*guest_path);
        *guest_path = NULL;
    }
    free(share_host_path);
    free(file_name);
    json_decref(allowed_names);
    return status;
}

/* Adds mount number index (of a type that needs the VM) and rewrites its source. */
static int add_mount(hcsoci_build_context *context, json_t *mount, size_t index,
                     hcsoci_error **error)
{
    const char *type = string_member(mount, "type");
    const char *source = string_member(mount, "source");
    bool read_only = mount_is_read_only(mount);
    char *guest_path = NULL;
    int status;
    if (strcmp(type, "physical-disk") == 0 || strcmp(type, "virtual-disk") == 0) {
        status = add_disk(context, mount, strcmp(type, "physical-disk") == 0, read_only,
                          &guest_path, error);
    } else if (strncmp(source, SANDBOX_PREFIX, strlen(SANDBOX_PREFIX)) == 0) {
        /* A path inside the VM already. */
        guest_path = hcsoci_strdup(source);
        status = guest_path != NULL ? 0 : hcsoci_fail_out_of_memory(error);
    } else {
        char element[48];
        snprintf(element, sizeof element, "mounts/m%zu", index);
        char *share_path = lcow_guest_path_join(
            hcsoci_resources_container_root_in_uvm(context->resources), element);
        status = share_path != NULL
                     ? add_bind(context, mount, share_path, read_only, &guest_path, error)
                     : hcsoci_fail_out_of_memory(error);
        free(share_path);
    }
    if (status == 0 && json_object_set_new(mount, "source", json_string(guest_path)) != 0)
        status = hcsoci_fail_out_of_memory(error);
    free(guest_path);
    return status;
}

int lcow_allocate_mounts(hcsoci_build_context *context, hcsoci_error **error)
{
    size_t index;
    json_t *mount;
    json_array_foreach(json_object_get(context->spec, "mounts"), index, mount) {
        const char *type = string_member(mount, "type");
        if (strcmp(type, "bind") != 0 && strcmp(type, "physical-disk") != 0 &&
            strcmp(type, "virtual-disk") != 0)
            continue; /* not the VM's business */
        if (string_member(mount, "destination")[0] == '\0' ||
            string_member(mount, "source")[0] == '\0') {
            char *text = lcow_mount_text(mount);
            hcsoci_fail(error, HCSOCI_E_INVALID,
                        "invalid OCI spec - a mount must have both source and a destination: %s",
                        text != NULL ? text : "(out of memory)");
            free(text);
            return -1;
        }
        if (add_mount(context, mount, index, error) != 0)
            return -1;
    }
    return 0;
}
