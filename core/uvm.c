/* The utility VM model: identity, properties and counters. The resources a VM holds (VSMB,
 * SCSI, vPMEM, Plan 9, vPCI, pipes, NICs) arrive with the hosted backends. */
#include <hcsoci/uvm.h>

#include <hcsoci/spec.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct hcsoci_uvm {
    hcsoci_host *host;
    pthread_mutex_t lock;
    char *id;
    char *owner;
    hcsoci_uvm_properties properties; /* id and owner point at the copies above */
    uint64_t container_counter;
};

const char *hcsoci_uvm_os_name(hcsoci_uvm_os os)
{
    return os == HCSOCI_UVM_LINUX ? "linux" : "windows";
}

int hcsoci_uvm_new(hcsoci_host *host, const hcsoci_uvm_properties *properties, hcsoci_uvm **uvm,
                   hcsoci_error **error)
{
    *uvm = NULL;
    if (properties->id == NULL || properties->id[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "a utility VM needs an id");
    if (properties->os != HCSOCI_UVM_WINDOWS && properties->os != HCSOCI_UVM_LINUX)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid utility VM os %d", (int)properties->os);
    if (properties->processor_count < 1)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid utility VM processor count %d: must be at least 1",
                           (int)properties->processor_count);
    hcsoci_uvm *made = calloc(1, sizeof *made);
    if (made == NULL)
        return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
    made->id = strdup(properties->id);
    made->owner = strdup(properties->owner != NULL ? properties->owner : "");
    if (made->id == NULL || made->owner == NULL) {
        free(made->id);
        free(made->owner);
        free(made);
        return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
    }
    pthread_mutex_init(&made->lock, NULL);
    made->host = host;
    made->properties = *properties;
    made->properties.id = made->id;
    made->properties.owner = made->owner;
    *uvm = made;
    return 0;
}

int hcsoci_uvm_properties_from_json(const json_t *value, hcsoci_uvm_properties *properties,
                                    hcsoci_error **error)
{
    memset(properties, 0, sizeof *properties);
    const char *os = NULL;
    int64_t number = 0;
    uint64_t size = 0;
    bool present = false;
    if (!json_is_object(value))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid hosting system: must be an object, not %s",
                           hcsoci_json_kind(value));
    if (hcsoci_json_string(value, "id", "hostingSystem.id", &properties->id, error) ||
        hcsoci_json_string(value, "owner", "hostingSystem.owner", &properties->owner, error) ||
        hcsoci_json_string(value, "os", "hostingSystem.os", &os, error))
        return -1;
    if (os == NULL || (strcmp(os, "windows") != 0 && strcmp(os, "linux") != 0))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid field 'hostingSystem.os': '%s' is not \"windows\" or \"linux\"",
                           os != NULL ? os : "");
    properties->os = strcmp(os, "linux") == 0 ? HCSOCI_UVM_LINUX : HCSOCI_UVM_WINDOWS;
    if (hcsoci_json_integer(value, "processorCount", "hostingSystem.processorCount", 1, 1024,
                            &number, &present, error))
        return -1;
    properties->processor_count = present ? (int32_t)number : 2;
    if (hcsoci_json_integer(value, "scsiControllerCount", "hostingSystem.scsiControllerCount", 0, 4,
                            &number, &present, error))
        return -1;
    properties->scsi_controller_count = present ? (uint32_t)number : 1;
    if (hcsoci_json_integer(value, "vpmemMaxCount", "hostingSystem.vpmemMaxCount", 0, 128, &number,
                            NULL, error))
        return -1;
    properties->vpmem_max_count = (uint32_t)number;
    if (hcsoci_json_unsigned(value, "vpmemMaxSizeBytes", "hostingSystem.vpmemMaxSizeBytes", &size,
                             NULL, error))
        return -1;
    properties->vpmem_max_size_bytes = size;
    if (hcsoci_json_bool(value, "physicallyBacked", "hostingSystem.physicallyBacked",
                         &properties->physically_backed, error) ||
        hcsoci_json_bool(value, "devicesPhysicallyBacked", "hostingSystem.devicesPhysicallyBacked",
                         &properties->devices_physically_backed, error) ||
        hcsoci_json_bool(value, "namespaceAddRequestSupported",
                         "hostingSystem.namespaceAddRequestSupported",
                         &properties->namespace_add_request_supported, error))
        return -1;
    return 0;
}

void hcsoci_uvm_free(hcsoci_uvm *uvm)
{
    if (uvm == NULL)
        return;
    pthread_mutex_destroy(&uvm->lock);
    free(uvm->id);
    free(uvm->owner);
    free(uvm);
}

const char *hcsoci_uvm_id(const hcsoci_uvm *uvm)
{
    return uvm->id;
}

hcsoci_uvm_os hcsoci_uvm_get_os(const hcsoci_uvm *uvm)
{
    return uvm->properties.os;
}

int32_t hcsoci_uvm_processor_count(const hcsoci_uvm *uvm)
{
    return uvm->properties.processor_count;
}

uint64_t hcsoci_uvm_next_container_number(hcsoci_uvm *uvm)
{
    pthread_mutex_lock(&uvm->lock);
    uint64_t number = ++uvm->container_counter;
    pthread_mutex_unlock(&uvm->lock);
    return number;
}

json_t *hcsoci_uvm_to_json(const hcsoci_uvm *uvm)
{
    const hcsoci_uvm_properties *p = &uvm->properties;
    return json_pack("{s:s,s:s,s:s,s:i,s:I,s:I,s:I,s:b,s:b,s:b,s:I}", "id", uvm->id, "owner",
                     uvm->owner, "os", hcsoci_uvm_os_name(p->os), "processorCount",
                     (int)p->processor_count, "scsiControllerCount",
                     (json_int_t)p->scsi_controller_count, "vpmemMaxCount",
                     (json_int_t)p->vpmem_max_count, "vpmemMaxSizeBytes",
                     (json_int_t)p->vpmem_max_size_bytes, "physicallyBacked", p->physically_backed,
                     "devicesPhysicallyBacked", p->devices_physically_backed,
                     "namespaceAddRequestSupported", p->namespace_add_request_supported,
                     "containerCounter", (json_int_t)uvm->container_counter);
}

int hcsoci_uvm_from_json(hcsoci_host *host, const json_t *value, hcsoci_uvm **uvm,
                         hcsoci_error **error)
{
    hcsoci_uvm_properties properties;
    int64_t counter = 0;
    *uvm = NULL;
    if (hcsoci_uvm_properties_from_json(value, &properties, error) != 0 ||
        hcsoci_json_integer(value, "containerCounter", "uvm.containerCounter", 0, INT64_MAX,
                            &counter, NULL, error) != 0 ||
        hcsoci_uvm_new(host, &properties, uvm, error) != 0)
        return -1;
    (*uvm)->container_counter = (uint64_t)counter;
    return 0;
}
