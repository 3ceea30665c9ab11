/* The configuration of a Windows container (the reference's createWindowsContainerDocument
 * and parseAssignedDevices), computed from the spec after the allocation step. */
#include "wcow.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>
#include <hcsoci/annotations.h>
#include <hcsoci/layers.h>
#include <hcsoci/log.h>
#include <hcsoci/schema.h>
#include <hcsoci/uvm.h>

static char *concatenate(const char *first, const char *second)
{
    size_t first_length = strlen(first);
    char *result = hcsoci_malloc(first_length + strlen(second) + 1);
    if (result != NULL) {
        memcpy(result, first, first_length);
        strcpy(result + first_length, second);
    }
    return result;
}

/* ---- Processor, memory and storage limits ---- */

static int compute_processor(wcow_build *build, wcow_container_config *config,
                             hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    int32_t count = 0, limit = 0, weight = 0;
    if (hcsoci_annotations_cpu_count(context->spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT,
                                     0, &count, error) != 0 ||
        hcsoci_annotations_cpu_limit(context->spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT,
                                     0, &limit, error) != 0 ||
        hcsoci_annotations_cpu_weight(context->spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_WEIGHT,
                                      0, &weight, error) != 0)
        return -1;
    int set = (count > 0) + (limit > 0) + (weight > 0);
    if (set > 1)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid spec - Windows Process Container CPU Count: '%d', Limit: "
                           "'%d', and Weight: '%d' are mutually exclusive",
                           (int)count, (int)limit, (int)weight);
    if (set == 0)
        return 0;

    uint32_t host_processors = context->host->ops->processor_count(context->host);
    int32_t host_count = host_processors > INT32_MAX ? INT32_MAX : (int32_t)host_processors;
    /* The processors of wherever the container runs: the host, or its hosting system. */
    int32_t usable_count = host_count;
    int32_t uvm_count = 0;
    if (context->hosting_system != NULL) {
        uvm_count = hcsoci_uvm_processor_count(context->hosting_system);
        usable_count = uvm_count;
    }
    if (count > usable_count) {
        json_t *fields = json_pack("{s:s, s:i, s:i}", "cid", context->id, "requested",
                                   (json_int_t)count, "assigned", (json_int_t)usable_count);
        if (fields != NULL && context->hosting_system != NULL)
            json_object_set_new(fields, "uvm-id",
                                json_string(hcsoci_uvm_id(context->hosting_system)));
        hcsoci_log(HCSOCI_LOG_WARN, fields,
                   "Changing user requested CPUCount to current number of processors");
        count = usable_count;
    }
    if (context->scale_cpu_limits_to_sandbox && limit > 0 && context->hosting_system != NULL &&
        uvm_count > 0) {
        /* The limit was computed against the host's processors; recompute it against the
         * hosting system's, bounded to [1, 10000] as kubelet bounds its own. */
        int64_t scaled = (int64_t)limit * host_count / uvm_count;
        if (scaled < 1)
            scaled = 1;
        else if (scaled > 10000)
            scaled = 10000;
        json_t *fields = json_pack("{s:i, s:i, s:i, s:i}", "hostCPUCount", (json_int_t)host_count,
                                   "uvmCPUCount", (json_int_t)uvm_count, "oldCPULimit",
                                   (json_int_t)limit, "newCPULimit", (json_int_t)scaled);
        hcsoci_log(HCSOCI_LOG_INFO, fields, "rescaling CPU limit for UVM sandbox");
        limit = (int32_t)scaled;
    }
    config->processor_set = true;
    config->processor_count = count;
    config->processor_maximum = limit;
    config->processor_weight = weight;
    return 0;
}

static int compute_memory_and_storage(wcow_build *build, wcow_container_config *config,
                                      hcsoci_error **error)
{
    const json_t *spec = build->context->spec;
    uint64_t memory = 0;
    int32_t bandwidth = 0, iops = 0;
    if (hcsoci_annotations_memory_mb(spec, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB, 0,
                                     &memory, error) != 0 ||
        hcsoci_annotations_storage_bps(spec,
                                       HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_BANDWIDTH_MAXIMUM,
                                       0, &bandwidth, error) != 0 ||
        hcsoci_annotations_storage_iops(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM,
                                        0, &iops, error) != 0)
        return -1;
    if (memory > INT64_MAX && hcsoci_schema_is_v10(build->context->schema)) {
        /* Schema 1.0's MemoryMaximumInMB is an int64, which the reference wraps a larger value
         * into; like the 32-bit fields (deviation D6), such a value is not used. */
        char text[24];
        snprintf(text, sizeof text, "%" PRIu64, memory);
        hcsoci_log(HCSOCI_LOG_WARN,
                   json_pack("{s:s, s:s, s:s, s:s}", "oci-annotation",
                             HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB, "value", text,
                             "expected-type", "int64", "error", "value out of range"),
                   "annotation could not be parsed");
        memory = 0;
    }
    config->memory_in_mb = memory;
    if (bandwidth > 0 || iops > 0) {
        config->storage_qos_set = true;
        config->storage_bandwidth_maximum = bandwidth;
        config->storage_iops_maximum = iops;
    }
    return 0;
}

/* ---- Networking and credentials ---- */

static int compute_networking(wcow_build *build, wcow_container_config *config,
                              hcsoci_error **error)
{
    const wcow_spec *spec = &build->spec;
    if (!spec->has_network)
        return 0;
    config->networking_set = true;
    config->endpoint_list = spec->endpoint_list;
    config->network_namespace =
        build->context->network_namespace != NULL ? build->context->network_namespace : "";
    config->allow_unqualified_dns_query = spec->allow_unqualified_dns_query;
    config->network_shared_container_name = spec->network_shared_container_name;
    if (spec->dns_search_list != NULL) {
        size_t length = 0;
        size_t count = json_array_size(spec->dns_search_list);
        for (size_t i = 0; i < count; i++)
            length += strlen(json_string_value(json_array_get(spec->dns_search_list, i))) + 1;
        config->dns_search_list = hcsoci_malloc(length + 1);
        if (config->dns_search_list == NULL)
            return hcsoci_fail_out_of_memory(error);
        config->dns_search_list[0] = '\0';
        for (size_t i = 0; i < count; i++) {
            if (i > 0)
                strcat(config->dns_search_list, ",");
            strcat(config->dns_search_list,
                   json_string_value(json_array_get(spec->dns_search_list, i)));
        }
    }
    return 0;
}

static void compute_credentials(wcow_build *build, wcow_container_config *config)
{
    if (build->spec.credential_spec == NULL)
        return;
    config->credentials = build->spec.credential_spec;
    /* Schema 2.1: the credential guard state the allocation step made, when it made one. */
    config->credential_guard_state = build->credential_guard_state;
}

/* ---- Root and layers ---- */

/* True for "\\?\Volume{GUID}" with an optional trailing '\', matching the reference's pattern
 * exactly: the opening brace is optional, and one or two closing braces are accepted. */
static bool is_volume_guid_path(const char *path)
{
    static const char prefix[] = "\\\\?\\Volume";
    if (strncmp(path, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *cursor = path + sizeof prefix - 1;
    if (*cursor == '{')
        cursor++;
    /* 8-4-4-4-12 hexadecimal digits */
    static const int group_lengths[] = {8, 4, 4, 4, 12};
    for (size_t group = 0; group < 5; group++) {
        if (group > 0) {
            if (*cursor != '-')
                return false;
            cursor++;
        }
        for (int i = 0; i < group_lengths[group]; i++, cursor++) {
            if (!isxdigit((unsigned char)*cursor))
                return false;
        }
    }
    if (*cursor != '}')
        return false;
    cursor++;
    if (*cursor == '}')
        cursor++;
    if (*cursor == '\\')
        cursor++;
    return *cursor == '\0';
}

/* The read-only layers as the hosting system sees them: each one's id and the path of its
 * VSMB share in the VM. */
static int layers_in_hosting_system(wcow_build *build, wcow_container_config *config,
                                    hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    json_t *layers = NULL;
    if (hcsoci_layers_in_uvm(context->host, context->hosting_system, build->spec.layer_folders,
                             build->spec.layer_count - 1, &layers, error) != 0)
        return -1;
    size_t count = json_array_size(layers);
    config->layers = hcsoci_calloc(count > 0 ? count : 1, sizeof *config->layers);
    if (config->layers == NULL) {
        json_decref(layers);
        return hcsoci_fail_out_of_memory(error);
    }
    int status = 0;
    for (size_t i = 0; i < count && status == 0; i++) {
        const json_t *layer = json_array_get(layers, i);
        const char *id = json_string_value(json_object_get(layer, "Id"));
        const char *path = json_string_value(json_object_get(layer, "Path"));
        wcow_layer *out = &config->layers[i];
        out->id = hcsoci_strdup(id != NULL ? id : "");
        out->path = hcsoci_strdup(path != NULL ? path : "");
        config->layer_count = i + 1;
        if (out->id == NULL || out->path == NULL)
            status = hcsoci_fail_out_of_memory(error);
    }
    config->layers_set = true;
    json_decref(layers);
    return status;
}

static int compute_storage(wcow_build *build, wcow_container_config *config,
                           hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    json_t *root = json_object_get(context->spec, "root");
    if (!json_is_object(root))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "spec is invalid - root isn't populated");
    if (wcow_spec_root_readonly(context->spec))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid container spec - readonly is not supported for Windows "
                           "containers");

    config->layer_folder_path =
        json_string_value(json_array_get(build->spec.layer_folders, build->spec.layer_count - 1));

    bool argon = wcow_is_v2_argon(build) || wcow_is_v1_argon(build);
    if (argon) {
        const char *root_path = wcow_spec_root_path(context->spec);
        if (!is_volume_guid_path(root_path))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid container spec - Root.Path '%s' must be a volume GUID "
                               "path in the format '\\\\?\\Volume{GUID}\\'",
                               root_path);
        size_t length = strlen(root_path);
        if (root_path[length - 1] != '\\') {
            /* Well-formed for the clients that expect the trailing backslash. */
            char *with_backslash = concatenate(root_path, "\\");
            if (with_backslash == NULL)
                return hcsoci_fail_out_of_memory(error);
            int status = wcow_spec_set_root_path(context->spec, with_backslash, error);
            free(with_backslash);
            if (status != 0)
                return -1;
            root_path = wcow_spec_root_path(context->spec);
            length++;
        }
        config->storage_path = hcsoci_strdup(root_path);
        config->volume_path = hcsoci_strndup(root_path, length - 1); /* schema 1.0: without it */
        if (config->storage_path == NULL || config->volume_path == NULL)
            return hcsoci_fail_out_of_memory(error);
    } else if (wcow_is_v1_xenon(build)) {
        /* Schema 1.0 in a hosting system cannot happen: a hosting system implies 2.1. */
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "schema 1.0 containers cannot be created in a hosting system");
    } else if (wcow_is_v2_xenon(build)) {
        /* The root is the container's root in the hosting system; a Windows VM also gets
         * the read-only layers as the VSMB shares they were mounted as. */
        config->storage_path = hcsoci_strdup(wcow_spec_root_path(context->spec));
        if (config->storage_path == NULL)
            return hcsoci_fail_out_of_memory(error);
        if (hcsoci_uvm_get_os(context->hosting_system) == HCSOCI_UVM_WINDOWS &&
            layers_in_hosting_system(build, config, error) != 0)
            return -1;
    }

    if (argon) {
        size_t parents = build->spec.layer_count - 1;
        config->layers = hcsoci_calloc(parents > 0 ? parents : 1, sizeof *config->layers);
        if (config->layers == NULL)
            return hcsoci_fail_out_of_memory(error);
        config->layers_set = true;
        for (size_t i = 0; i < parents; i++) {
            const char *path = json_string_value(json_array_get(build->spec.layer_folders, i));
            wcow_layer *layer = &config->layers[i];
            if (hcsoci_layer_id(context->host, path, &layer->id, error) != 0)
                return -1;
            config->layer_count = i + 1;
            layer->path = hcsoci_strdup(path);
            if (layer->path == NULL)
                return hcsoci_fail_out_of_memory(error);
        }
    }
    return 0;
}

/* ---- Mounts ---- */

/* Where the source of a mapped directory is in the hosting system: the path of its VSMB
 * share, or, when it is not shared (a disk mount), where its SCSI disk is mounted. */
static int hosting_system_path(hcsoci_uvm *uvm, const char *source, bool read_only,
                               char **uvm_path, hcsoci_error **error)
{
    hcsoci_error *vsmb_error = NULL;
    if (hcsoci_uvm_vsmb_guest_path(uvm, source, read_only, uvm_path, &vsmb_error) == 0)
        return 0;
    if (vsmb_error == NULL || vsmb_error->code != HCSOCI_E_UVM_NOT_ATTACHED)
        return hcsoci_error_store(error, vsmb_error);
    hcsoci_error_free(vsmb_error);
    return hcsoci_uvm_scsi_guest_path(uvm, source, uvm_path, error);
}

static int compute_mounts(wcow_build *build, wcow_container_config *config,
                          hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    size_t count = build->spec.mount_count;
    if (count == 0)
        return 0;
    config->mapped_directories = hcsoci_calloc(count, sizeof *config->mapped_directories);
    config->mapped_pipes = hcsoci_calloc(count, sizeof *config->mapped_pipes);
    if (config->mapped_directories == NULL || config->mapped_pipes == NULL)
        return hcsoci_fail_out_of_memory(error);

    for (size_t i = 0; i < count; i++) {
        const wcow_mount *mount = &build->spec.mounts[i];
        if (mount->type[0] != '\0')
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid container spec - Mount.Type '%s' must not be set",
                               mount->type);
        if (hcsoci_uvm_is_pipe(mount->source)) {
            /* In a hosting system the pipe is reached through the VM's IPC$ share. */
            wcow_mapped_pipe *pipe = &config->mapped_pipes[config->mapped_pipe_count];
            if (hcsoci_uvm_container_pipe_mapping(context->hosting_system, mount->source,
                                                  mount->destination, &pipe->host_path,
                                                  &pipe->container_pipe_name, error) != 0)
                return -1;
            config->mapped_pipe_count++;
            continue;
        }
        wcow_mapped_directory *directory =
            &config->mapped_directories[config->mapped_directory_count++];
        directory->host_path = mount->source;
        directory->container_path = mount->destination;
        directory->read_only = wcow_mount_is_read_only(mount);
        if (context->hosting_system != NULL) {
            if (hosting_system_path(context->hosting_system, mount->source,
                                    directory->read_only, &directory->v2_host_path,
                                    error) != 0)
                return -1;
            continue;
        }
        directory->v2_host_path = hcsoci_strdup(mount->source);
        if (directory->v2_host_path == NULL)
            return hcsoci_fail_out_of_memory(error);
    }

    if (config->mapped_pipe_count > 0 &&
        context->host->ops->os_build(context->host) < HCSOCI_BUILD_RS3)
        return hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                           "named pipe mounts are not supported on this version of Windows");
    return 0;
}

/* ---- Assigned devices (schema 2.1 only) ---- */

static int compute_assigned_devices(wcow_build *build, wcow_container_config *config,
                                    hcsoci_error **error)
{
    if (!wcow_is_v2_argon(build) && !wcow_is_v2_xenon(build))
        return 0;
    size_t count = build->spec.device_count;
    if (count == 0)
        return 0;
    config->assigned_devices = hcsoci_calloc(count, sizeof *config->assigned_devices);
    if (config->assigned_devices == NULL)
        return hcsoci_fail_out_of_memory(error);
    for (size_t i = 0; i < count; i++) {
        const wcow_device *device = &build->spec.devices[i];
        wcow_assigned_device *assigned = &config->assigned_devices[i];
        if (strcmp(device->id_type, "vpci-location-path") == 0) {
            assigned->type = "DeviceInstance";
            assigned->location_path = device->id;
        } else if (strcmp(device->id_type, "class") == 0 ||
                   strcmp(device->id_type, "vpci-class-guid") == 0) {
            assigned->interface_class_guid = device->id;
        } else {
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "specified device %s has unsupported type %s", device->id,
                               device->id_type);
        }
        config->assigned_device_count = i + 1;
    }
    return 0;
}

/* ---- The whole configuration ---- */

int wcow_container_config_build(wcow_build *build, wcow_container_config *config,
                                hcsoci_error **error)
{
    hcsoci_build_context *context = build->context;
    memset(config, 0, sizeof *config);
    config->name = context->id;
    config->owner = context->owner;
    config->ignore_flushes_during_boot = build->spec.ignore_flushes_during_boot;
    config->hostname = "";

    if (build->spec.layer_folders == NULL || build->spec.layer_count < 2)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid spec - not enough layer folders supplied");
    config->hostname = build->spec.hostname;

    if (compute_processor(build, config, error) != 0 ||
        compute_memory_and_storage(build, config, error) != 0 ||
        compute_networking(build, config, error) != 0)
        return -1;
    compute_credentials(build, config);
    if (compute_storage(build, config, error) != 0 || compute_mounts(build, config, error) != 0 ||
        compute_assigned_devices(build, config, error) != 0)
        return -1;
    return 0;
}

void wcow_container_config_clear(wcow_container_config *config)
{
    free(config->dns_search_list);
    free(config->volume_path);
    free(config->storage_path);
    for (size_t i = 0; i < config->layer_count; i++) {
        free(config->layers[i].id);
        free(config->layers[i].path);
    }
    free(config->layers);
    for (size_t i = 0; i < config->mapped_directory_count; i++)
        free(config->mapped_directories[i].v2_host_path);
    free(config->mapped_directories);
    for (size_t i = 0; i < config->mapped_pipe_count; i++) {
        free(config->mapped_pipes[i].host_path);
        free(config->mapped_pipes[i].container_pipe_name);
    }
    free(config->mapped_pipes);
    free(config->hv_runtime_image_path);
    free(config->assigned_devices);
    memset(config, 0, sizeof *config);
}
