/* Writing a Windows container configuration as the HCS documents: schema 1.0 ContainerConfig
 * and schema 2.x Container / ComputeSystem / HostedSystem, with the reference's field order
 * and its omit-when-empty rules (a field tagged omitempty is left out when it is zero). */
#include "wcow.h"

#include <stdbool.h>

#include <hcsoci/json_number.h>
#include <hcsoci/spec.h>

/* Adding members: each helper records a failure in *failed (memory ran out, or a string that
 * is not UTF-8) and leaves the object as it was; the value is always consumed. Every key is
 * one of this file's constants, so none is checked for UTF-8. */

static void put(json_t *object, const char *key, json_t *value, bool *failed)
{
    if (value == NULL || object == NULL || json_object_set_new_nocheck(object, key, value) != 0) {
        if (value != NULL && object == NULL)
            json_decref(value);
        *failed = true;
    }
}

static void put_string(json_t *object, const char *key, const char *value, bool *failed)
{
    put(object, key, hcsoci_json_new_string(value != NULL ? value : ""), failed);
}

static void put_string_omit_empty(json_t *object, const char *key, const char *value,
                                  bool *failed)
{
    if (value != NULL && value[0] != '\0')
        put(object, key, hcsoci_json_new_string(value), failed);
}

static void put_integer_omit_zero(json_t *object, const char *key, json_int_t value,
                                  bool *failed)
{
    if (value != 0)
        put(object, key, json_integer(value), failed);
}

static void put_true_omit_false(json_t *object, const char *key, bool value, bool *failed)
{
    if (value)
        put(object, key, json_true(), failed);
}

static void append(json_t *array, json_t *value, bool *failed)
{
    if (value == NULL || array == NULL || json_array_append_new(array, value) != 0) {
        if (value != NULL && array == NULL)
            json_decref(value);
        *failed = true;
    }
}

/* Returns object, or NULL (freeing it) when a member could not be added. */
static json_t *finish(json_t *object, bool failed)
{
    if (failed) {
        json_decref(object);
        return NULL;
    }
    return object;
}

/* ---- Schema 1.0 ---- */

static json_t *v1_layers(const wcow_container_config *config, bool *failed)
{
    if (!config->layers_set)
        return json_null();
    json_t *layers = json_array();
    for (size_t i = 0; i < config->layer_count; i++) {
        json_t *layer = json_object();
        put_string(layer, "ID", config->layers[i].id, failed);
        put_string(layer, "Path", config->layers[i].path, failed);
        append(layers, layer, failed);
    }
    if (layers == NULL)
        *failed = true;
    return layers;
}

static json_t *v1_mapped_directories(const wcow_container_config *config, bool *failed)
{
    json_t *list = json_array();
    for (size_t i = 0; i < config->mapped_directory_count; i++) {
        const wcow_mapped_directory *directory = &config->mapped_directories[i];
        json_t *item = json_object();
        put_string(item, "HostPath", directory->host_path, failed);
        put_string(item, "ContainerPath", directory->container_path, failed);
        put(item, "ReadOnly", json_boolean(directory->read_only), failed);
        put(item, "BandwidthMaximum", json_integer(0), failed);
        put(item, "IOPSMaximum", json_integer(0), failed);
        put(item, "CreateInUtilityVM", json_false(), failed);
        append(list, item, failed);
    }
    return list;
}

static json_t *v1_mapped_pipes(const wcow_container_config *config, bool *failed)
{
    json_t *list = json_array();
    for (size_t i = 0; i < config->mapped_pipe_count; i++) {
        json_t *item = json_object();
        put_string(item, "HostPath", config->mapped_pipes[i].host_path, failed);
        put_string(item, "ContainerPipeName", config->mapped_pipes[i].container_pipe_name,
                   failed);
        append(list, item, failed);
    }
    return list;
}

json_t *wcow_v1_container_config_json(const wcow_container_config *config)
{
    bool failed = false;
    json_t *document = json_object();
    put_string(document, "SystemType", "Container", &failed);
    put_string(document, "Name", config->name, &failed);
    put_string_omit_empty(document, "Owner", config->owner, &failed);
    put_string_omit_empty(document, "VolumePath", config->volume_path, &failed);
    put_true_omit_false(document, "IgnoreFlushesDuringBoot", config->ignore_flushes_during_boot,
                        &failed);
    put_string_omit_empty(document, "LayerFolderPath", config->layer_folder_path, &failed);
    put(document, "Layers", v1_layers(config, &failed), &failed);
    put_string_omit_empty(document, "Credentials", config->credentials, &failed);
    if (config->processor_set) {
        put_integer_omit_zero(document, "ProcessorCount", config->processor_count, &failed);
        put_integer_omit_zero(document, "ProcessorWeight", config->processor_weight, &failed);
        put_integer_omit_zero(document, "ProcessorMaximum", config->processor_maximum, &failed);
    }
    if (config->storage_qos_set) {
        put_integer_omit_zero(document, "StorageIOPSMaximum", config->storage_iops_maximum,
                              &failed);
        put_integer_omit_zero(document, "StorageBandwidthMaximum",
                              config->storage_bandwidth_maximum, &failed);
    }
    put_integer_omit_zero(document, "MemoryMaximumInMB", (json_int_t)config->memory_in_mb,
                          &failed);
    put_string_omit_empty(document, "HostName", config->hostname, &failed);
    if (config->mapped_directory_count > 0)
        put(document, "MappedDirectories", v1_mapped_directories(config, &failed), &failed);
    if (config->mapped_pipe_count > 0)
        put(document, "MappedPipes", v1_mapped_pipes(config, &failed), &failed);
    put(document, "HvPartition", json_boolean(config->hv_partition), &failed);
    if (config->networking_set) {
        put_string_omit_empty(document, "NetworkSharedContainerName",
                              config->network_shared_container_name, &failed);
        if (json_array_size(config->endpoint_list) > 0)
            put(document, "EndpointList", hcsoci_json_copy(config->endpoint_list), &failed);
    }
    if (config->hv_runtime_image_path != NULL && config->hv_runtime_image_path[0] != '\0') {
        json_t *runtime = json_object();
        put_string(runtime, "ImagePath", config->hv_runtime_image_path, &failed);
        put(document, "HvRuntime", runtime, &failed);
    }
    if (config->networking_set) {
        put_true_omit_false(document, "AllowUnqualifiedDNSQuery",
                            config->allow_unqualified_dns_query, &failed);
        put_string_omit_empty(document, "DNSSearchList", config->dns_search_list, &failed);
    }
    return finish(document, failed);
}

/* ---- Schema 2.x ---- */

static json_t *v2_storage(const wcow_container_config *config, bool *failed)
{
    json_t *storage = json_object();
    if (config->layer_count > 0) {
        json_t *layers = json_array();
        for (size_t i = 0; i < config->layer_count; i++) {
            json_t *layer = json_object();
            put_string_omit_empty(layer, "Id", config->layers[i].id, failed);
            put_string_omit_empty(layer, "Path", config->layers[i].path, failed);
            append(layers, layer, failed);
        }
        put(storage, "Layers", layers, failed);
    }
    put_string_omit_empty(storage, "Path", config->storage_path, failed);
    if (config->storage_qos_set) {
        json_t *qos = json_object();
        put_integer_omit_zero(qos, "IopsMaximum", config->storage_iops_maximum, failed);
        put_integer_omit_zero(qos, "BandwidthMaximum", config->storage_bandwidth_maximum,
                              failed);
        put(storage, "QoS", qos, failed);
    }
    return storage;
}

static json_t *v2_mapped_directories(const wcow_container_config *config, bool *failed)
{
    json_t *list = json_array();
    for (size_t i = 0; i < config->mapped_directory_count; i++) {
        const wcow_mapped_directory *directory = &config->mapped_directories[i];
        json_t *item = json_object();
        put_string_omit_empty(item, "HostPath", directory->v2_host_path, failed);
        put_string_omit_empty(item, "ContainerPath", directory->container_path, failed);
        put_true_omit_false(item, "ReadOnly", directory->read_only, failed);
        append(list, item, failed);
    }
    return list;
}

static json_t *v2_mapped_pipes(const wcow_container_config *config, bool *failed)
{
    json_t *list = json_array();
    for (size_t i = 0; i < config->mapped_pipe_count; i++) {
        json_t *item = json_object();
        put_string_omit_empty(item, "ContainerPipeName",
                              config->mapped_pipes[i].container_pipe_name, failed);
        put_string_omit_empty(item, "HostPath", config->mapped_pipes[i].host_path, failed);
        append(list, item, failed);
    }
    return list;
}

static json_t *v2_networking(const wcow_container_config *config, bool *failed)
{
    json_t *networking = json_object();
    put_true_omit_false(networking, "AllowUnqualifiedDnsQuery",
                        config->allow_unqualified_dns_query, failed);
    put_string_omit_empty(networking, "DnsSearchList", config->dns_search_list, failed);
    put_string_omit_empty(networking, "NetworkSharedContainerName",
                          config->network_shared_container_name, failed);
    put_string_omit_empty(networking, "Namespace", config->network_namespace, failed);
    return networking;
}

static json_t *v2_assigned_devices(const wcow_container_config *config, bool *failed)
{
    json_t *list = json_array();
    for (size_t i = 0; i < config->assigned_device_count; i++) {
        const wcow_assigned_device *device = &config->assigned_devices[i];
        json_t *item = json_object();
        put_string_omit_empty(item, "Type", device->type, failed);
        put_string_omit_empty(item, "InterfaceClassGuid", device->interface_class_guid, failed);
        put_string_omit_empty(item, "LocationPath", device->location_path, failed);
        append(list, item, failed);
    }
    return list;
}

json_t *wcow_v2_container_json(const wcow_container_config *config)
{
    bool failed = false;
    json_t *container = json_object();
    if (config->hostname != NULL && config->hostname[0] != '\0') {
        json_t *guest_os = json_object();
        put_string(guest_os, "HostName", config->hostname, &failed);
        put(container, "GuestOs", guest_os, &failed);
    }
    put(container, "Storage", v2_storage(config, &failed), &failed);
    if (config->mapped_directory_count > 0)
        put(container, "MappedDirectories", v2_mapped_directories(config, &failed), &failed);
    if (config->mapped_pipe_count > 0)
        put(container, "MappedPipes", v2_mapped_pipes(config, &failed), &failed);
    if (config->memory_in_mb > 0) {
        json_t *memory = json_object();
        /* uint64 in the schema: written in full, as Go writes it. */
        put(memory, "SizeInMB", hcsoci_json_uint64(config->memory_in_mb), &failed);
        put(container, "Memory", memory, &failed);
    }
    if (config->processor_set) {
        json_t *processor = json_object();
        put_integer_omit_zero(processor, "Count", config->processor_count, &failed);
        put_integer_omit_zero(processor, "Maximum", config->processor_maximum, &failed);
        put_integer_omit_zero(processor, "Weight", config->processor_weight, &failed);
        put(container, "Processor", processor, &failed);
    }
    if (config->networking_set)
        put(container, "Networking", v2_networking(config, &failed), &failed);
    if (config->credential_guard_state != NULL)
        put(container, "ContainerCredentialGuard", hcsoci_json_copy(config->credential_guard_state),
            &failed);
    if (config->assigned_device_count > 0)
        put(container, "AssignedDevices", v2_assigned_devices(config, &failed), &failed);
    return finish(container, failed);
}

static json_t *schema_v21(void)
{
    return json_pack("{s:i, s:i}", "Major", 2, "Minor", 1);
}

json_t *wcow_v2_compute_system_json(const char *owner, json_t *container)
{
    bool failed = false;
    json_t *document = json_object();
    put_string_omit_empty(document, "Owner", owner, &failed);
    put(document, "SchemaVersion", schema_v21(), &failed);
    put(document, "Container", container, &failed);
    put(document, "ShouldTerminateOnLastHandleClosed", json_true(), &failed);
    return finish(document, failed);
}

json_t *wcow_v2_hosted_system_json(json_t *container)
{
    bool failed = false;
    json_t *document = json_object();
    put(document, "SchemaVersion", schema_v21(), &failed);
    put(document, "Container", container, &failed);
    return finish(document, failed);
}
