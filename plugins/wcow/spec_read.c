/* Reading the OCI spec fields the WCOW module uses, with their JSON types checked up front
 * (the reference gets the same checks from unmarshalling the spec into Go types). */
#include "wcow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hcsoci/alloc.h>
#include <hcsoci/annotations.h>
#include <hcsoci/spec.h>

/* A string member that reads as "" when absent. */
static int optional_string(const json_t *object, const char *key, const char *path,
                           const char **value, hcsoci_error **error)
{
    const char *text = NULL;
    if (hcsoci_json_string(object, key, path, &text, error) != 0)
        return -1;
    *value = text != NULL ? text : "";
    return 0;
}

static int read_annotations(const json_t *spec, hcsoci_error **error)
{
    json_t *annotations = NULL;
    if (hcsoci_json_object(spec, "annotations", "annotations", &annotations, error) != 0)
        return -1;
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(annotations, key, value) {
        if (!json_is_string(value))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid field 'annotations.%s': must be a string, not %s",
                               key, hcsoci_json_kind(value));
    }
    return 0;
}

static int read_root(const json_t *spec, hcsoci_error **error)
{
    json_t *root = NULL;
    const char *path = NULL;
    bool readonly = false;
    if (hcsoci_json_object(spec, "root", "root", &root, error) != 0)
        return -1;
    if (root == NULL)
        return 0;
    if (hcsoci_json_string(root, "path", "root.path", &path, error) != 0 ||
        hcsoci_json_bool(root, "readonly", "root.readonly", &readonly, error) != 0)
        return -1;
    return 0;
}

/* Reads mounts[index] into out; the field paths are formatted only when error is not NULL. */
static int read_mount(const json_t *mount, size_t index, wcow_mount *out, hcsoci_error **error)
{
    char path[4][64] = {"", "", "", ""};
    if (error != NULL) {
        snprintf(path[0], sizeof path[0], "mounts[%zu].destination", index);
        snprintf(path[1], sizeof path[1], "mounts[%zu].type", index);
        snprintf(path[2], sizeof path[2], "mounts[%zu].source", index);
        snprintf(path[3], sizeof path[3], "mounts[%zu].options", index);
    }
    json_t *options = NULL;
    if (optional_string(mount, "destination", path[0], &out->destination, error) != 0 ||
        optional_string(mount, "type", path[1], &out->type, error) != 0 ||
        optional_string(mount, "source", path[2], &out->source, error) != 0 ||
        hcsoci_json_string_array(mount, "options", path[3], &options, error) != 0)
        return -1;
    out->options = options;
    return 0;
}

static int read_mounts(const json_t *spec, wcow_spec *result, hcsoci_error **error)
{
    json_t *mounts = NULL;
    if (hcsoci_json_object_array(spec, "mounts", "mounts", &mounts, error) != 0)
        return -1;
    size_t count = json_array_size(mounts);
    if (count == 0)
        return 0;
    result->mounts = hcsoci_calloc(count, sizeof *result->mounts);
    if (result->mounts == NULL)
        return hcsoci_fail_out_of_memory(error);
    result->mount_count = count;
    for (size_t i = 0; i < count; i++) {
        const json_t *mount = json_array_get(mounts, i);
        /* Read once without an error (so no field path is formatted), and only when that
         * fails again with one, to name the bad field. */
        if (read_mount(mount, i, &result->mounts[i], NULL) != 0 &&
            read_mount(mount, i, &result->mounts[i], error) != 0)
            return -1;
    }
    return 0;
}

static int read_devices(const json_t *windows, wcow_spec *result, hcsoci_error **error)
{
    json_t *devices = NULL;
    if (hcsoci_json_object_array(windows, "devices", "windows.devices", &devices, error) != 0)
        return -1;
    size_t count = json_array_size(devices);
    if (count == 0)
        return 0;
    result->devices = hcsoci_calloc(count, sizeof *result->devices);
    if (result->devices == NULL)
        return hcsoci_fail_out_of_memory(error);
    result->device_count = count;
    for (size_t i = 0; i < count; i++) {
        const json_t *device = json_array_get(devices, i);
        char id_path[64];
        char type_path[64];
        snprintf(id_path, sizeof id_path, "windows.devices[%zu].id", i);
        snprintf(type_path, sizeof type_path, "windows.devices[%zu].idType", i);
        if (optional_string(device, "id", id_path, &result->devices[i].id, error) != 0 ||
            optional_string(device, "idType", type_path, &result->devices[i].id_type, error) != 0)
            return -1;
    }
    return 0;
}

static int read_network(const json_t *windows, wcow_spec *result, hcsoci_error **error)
{
    json_t *network = NULL;
    if (hcsoci_json_object(windows, "network", "windows.network", &network, error) != 0)
        return -1;
    if (network == NULL)
        return 0;
    result->has_network = true;
    json_t *endpoints = NULL;
    json_t *search_list = NULL;
    const char *namespace_id = NULL;
    if (hcsoci_json_string_array(network, "endpointList", "windows.network.endpointList",
                                 &endpoints, error) != 0 ||
        hcsoci_json_bool(network, "allowUnqualifiedDNSQuery",
                         "windows.network.allowUnqualifiedDNSQuery",
                         &result->allow_unqualified_dns_query, error) != 0 ||
        hcsoci_json_string_array(network, "DNSSearchList", "windows.network.DNSSearchList",
                                 &search_list, error) != 0 ||
        optional_string(network, "networkSharedContainerName",
                        "windows.network.networkSharedContainerName",
                        &result->network_shared_container_name, error) != 0 ||
        hcsoci_json_string(network, "networkNamespace", "windows.network.networkNamespace",
                           &namespace_id, error) != 0)
        return -1;
    result->endpoint_list = endpoints;
    result->dns_search_list = search_list;
    return 0;
}

static int read_windows(const json_t *spec, wcow_spec *result, hcsoci_error **error)
{
    json_t *windows = NULL;
    if (hcsoci_json_object(spec, "windows", "windows", &windows, error) != 0)
        return -1;
    if (windows == NULL)
        return 0;
    result->has_windows = true;

    json_t *layer_folders = NULL;
    if (hcsoci_json_string_array(windows, "layerFolders", "windows.layerFolders", &layer_folders,
                                 error) != 0)
        return -1;
    result->layer_folders = layer_folders;
    result->layer_count = json_array_size(layer_folders);

    json_t *hyperv = NULL;
    if (hcsoci_json_object(windows, "hyperv", "windows.hyperv", &hyperv, error) != 0)
        return -1;
    result->has_hyperv = hyperv != NULL;
    if (hyperv != NULL &&
        optional_string(hyperv, "utilityVMPath", "windows.hyperv.utilityVMPath",
                        &result->utility_vm_path, error) != 0)
        return -1;

    bool servicing = false;
    if (hcsoci_json_bool(windows, "ignoreFlushesDuringBoot", "windows.ignoreFlushesDuringBoot",
                         &result->ignore_flushes_during_boot, error) != 0 ||
        hcsoci_json_bool(windows, "servicing", "windows.servicing", &servicing, error) != 0)
        return -1;

    /* credentialSpec may hold any JSON value; only a string is a credential spec. */
    result->credential_spec = json_string_value(json_object_get(windows, "credentialSpec"));

    if (read_network(windows, result, error) != 0 || read_devices(windows, result, error) != 0)
        return -1;
    return hcsoci_annotations_check_windows_resources(spec, error);
}

int wcow_spec_read(const json_t *spec, wcow_spec *result, hcsoci_error **error)
{
    memset(result, 0, sizeof *result);
    result->utility_vm_path = "";
    result->network_shared_container_name = "";
    result->hostname = "";
    if (!json_is_object(spec))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid OCI spec: must be an object, not %s",
                           hcsoci_json_kind(spec));
    if (read_annotations(spec, error) != 0 || read_root(spec, error) != 0 ||
        optional_string(spec, "hostname", "hostname", &result->hostname, error) != 0 ||
        read_mounts(spec, result, error) != 0 || read_windows(spec, result, error) != 0) {
        wcow_spec_clear(result);
        return -1;
    }
    return 0;
}

void wcow_spec_clear(wcow_spec *spec)
{
    free(spec->mounts);
    spec->mounts = NULL;
    spec->mount_count = 0;
    free(spec->devices);
    spec->devices = NULL;
    spec->device_count = 0;
}

/* ---- root ---- */

const char *wcow_spec_root_path(const json_t *spec)
{
    const char *path = json_string_value(json_object_get(json_object_get(spec, "root"), "path"));
    return path != NULL ? path : "";
}

bool wcow_spec_root_readonly(const json_t *spec)
{
    return json_is_true(json_object_get(json_object_get(spec, "root"), "readonly"));
}

int wcow_spec_set_root_path(json_t *spec, const char *path, hcsoci_error **error)
{
    json_t *root = json_object_get(spec, "root");
    if (!json_is_object(root)) {
        root = json_object();
        if (root == NULL || json_object_set_new_nocheck(spec, "root", root) != 0)
            return hcsoci_fail_out_of_memory(error);
    }
    if (json_object_set_new_nocheck(root, "path", hcsoci_json_new_string(path)) != 0)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

/* ---- mounts ---- */

char *wcow_mount_text(const wcow_mount *mount)
{
    size_t length = 0;
    for (size_t i = 0; i < json_array_size(mount->options); i++)
        length += strlen(json_string_value(json_array_get(mount->options, i))) + 1;
    char *options = hcsoci_malloc(length + 1);
    if (options == NULL)
        return NULL;
    options[0] = '\0';
    for (size_t i = 0; i < json_array_size(mount->options); i++) {
        if (i > 0)
            strcat(options, " ");
        strcat(options, json_string_value(json_array_get(mount->options, i)));
    }
    char *text = hcsoci_asprintf("{Destination:%s Type:%s Source:%s Options:[%s]}",
                                 mount->destination, mount->type, mount->source, options);
    free(options);
    return text;
}

bool wcow_mount_is_read_only(const wcow_mount *mount)
{
    for (size_t i = 0; i < json_array_size(mount->options); i++) {
        if (strcasecmp(json_string_value(json_array_get(mount->options, i)), "ro") == 0)
            return true;
    }
    return false;
}
