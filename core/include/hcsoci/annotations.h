/* OCI spec annotations hcsoci understands, and the parsers that read resource limits from an
 * annotation with a fallback to the spec's windows.resources section (the reference's
 * internal/oci). Every parser takes the whole spec; annotation values are strings. */
#ifndef HCSOCI_ANNOTATIONS_H
#define HCSOCI_ANNOTATIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include <hcsoci/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Names ---- */

/* Limits of a process-isolated (or hosted) container. */
#define HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB "io.microsoft.container.memory.sizeinmb"
#define HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT "io.microsoft.container.processor.count"
#define HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT "io.microsoft.container.processor.limit"
#define HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_WEIGHT "io.microsoft.container.processor.weight"
#define HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_BANDWIDTH_MAXIMUM                              \
    "io.microsoft.container.storage.qos.bandwidthmaximum"
#define HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM                                   \
    "io.microsoft.container.storage.qos.iopsmaximum"

/* Limits of a utility VM. */
#define HCSOCI_ANNOTATION_VM_MEMORY_SIZE_IN_MB                                                 \
    "io.microsoft.virtualmachine.computetopology.memory.sizeinmb"
#define HCSOCI_ANNOTATION_VM_PROCESSOR_COUNT                                                   \
    "io.microsoft.virtualmachine.computetopology.processor.count"
#define HCSOCI_ANNOTATION_VM_PROCESSOR_LIMIT                                                   \
    "io.microsoft.virtualmachine.computetopology.processor.limit"
#define HCSOCI_ANNOTATION_VM_PROCESSOR_WEIGHT                                                  \
    "io.microsoft.virtualmachine.computetopology.processor.weight"
#define HCSOCI_ANNOTATION_VM_STORAGE_QOS_BANDWIDTH_MAXIMUM                                     \
    "io.microsoft.virtualmachine.storageqos.bandwidthmaximum"
#define HCSOCI_ANNOTATION_VM_STORAGE_QOS_IOPS_MAXIMUM                                          \
    "io.microsoft.virtualmachine.storageqos.iopsmaximum"

/* Devices. */
#define HCSOCI_ANNOTATION_GPU_VHD_PATH "io.microsoft.lcow.gpuvhdpath"
#define HCSOCI_ANNOTATION_ASSIGNED_DEVICE_KERNEL_DRIVERS                                       \
    "io.microsoft.assigneddevice.kerneldrivers"

/* Kubernetes (CRI) pod membership. */
#define HCSOCI_ANNOTATION_KUBERNETES_CONTAINER_TYPE "io.kubernetes.cri.container-type"
#define HCSOCI_ANNOTATION_KUBERNETES_SANDBOX_ID "io.kubernetes.cri.sandbox-id"

/* Every annotation name above, in the order listed, then NULL (a static table; the runtime-spec
 * features document of hcsoci_features lists them). */
const char *const *hcsoci_annotation_names(void);

/* ---- Parsers ----
 * An annotation that is absent, not a base-10 unsigned integer, 0, or (for the 32-bit limits)
 * larger than INT32_MAX is not used: the spec's value is used instead, and an unusable one is
 * logged as a warning naming the annotation and its value. A spec value wins when it is > 0;
 * otherwise default_value is returned. They fail (-1) only for a spec field of the wrong JSON
 * type or out of its range, with an error naming the field and the value. */

/* The annotation as an unsigned 64-bit integer, or default_value when absent, unparsable or
 * not a string (the last two logged). Never fails; spec may be NULL. */
uint64_t hcsoci_annotation_uint64(const json_t *spec, const char *annotation,
                                  uint64_t default_value);

/* The annotation "true"/"false" in any case, or default_value when absent or neither (logged). */
bool hcsoci_annotation_bool(const json_t *spec, const char *annotation, bool default_value);

/* Processor count: annotation, else windows.resources.cpu.count (must fit in int32). */
int hcsoci_annotations_cpu_count(const json_t *spec, const char *annotation,
                                 int32_t default_value, int32_t *value, hcsoci_error **error);

/* Processor limit (1..10000 = percent times 100): annotation, else
 * windows.resources.cpu.maximum. */
int hcsoci_annotations_cpu_limit(const json_t *spec, const char *annotation,
                                 int32_t default_value, int32_t *value, hcsoci_error **error);

/* Processor weight: annotation, else windows.resources.cpu.shares. */
int hcsoci_annotations_cpu_weight(const json_t *spec, const char *annotation,
                                  int32_t default_value, int32_t *value, hcsoci_error **error);

/* Storage IOPS maximum: annotation, else windows.resources.storage.iops (must fit in int32). */
int hcsoci_annotations_storage_iops(const json_t *spec, const char *annotation,
                                    int32_t default_value, int32_t *value, hcsoci_error **error);

/* Storage bandwidth maximum in bytes per second: annotation, else
 * windows.resources.storage.bps (must fit in int32). */
int hcsoci_annotations_storage_bps(const json_t *spec, const char *annotation,
                                   int32_t default_value, int32_t *value, hcsoci_error **error);

/* Memory in MB: annotation (MB, any uint64 as strconv.ParseUint reads it), else
 * windows.resources.memory.limit (bytes, at most INT64_MAX: jansson's integers) / 1 MiB. */
int hcsoci_annotations_memory_mb(const json_t *spec, const char *annotation,
                                 uint64_t default_value, uint64_t *value, hcsoci_error **error);

/* Checks every windows.resources field the parsers fall back to (JSON types, the OCI types'
 * ranges, and that cpu.count, storage.iops and storage.bps fit in int32), so that a caller can
 * refuse a bad spec before it allocates anything. */
int hcsoci_annotations_check_windows_resources(const json_t *spec, hcsoci_error **error);

/* ---- Kubernetes pod membership ---- */

typedef enum hcsoci_kubernetes_container_type {
    HCSOCI_KUBERNETES_CONTAINER_TYPE_NONE = 0,      /* no container-type annotation */
    HCSOCI_KUBERNETES_CONTAINER_TYPE_CONTAINER = 1, /* "container": a workload in a pod */
    HCSOCI_KUBERNETES_CONTAINER_TYPE_SANDBOX = 2,   /* "sandbox": the pod's sandbox */
} hcsoci_kubernetes_container_type;

/* Reads the container-type and sandbox-id annotations and checks that they come together:
 * an unknown type, a type without an id, or an id without a type is an error. *sandbox_id is
 * borrowed from spec ("" when absent). */
int hcsoci_annotations_sandbox_type_and_id(const json_t *spec,
                                           hcsoci_kubernetes_container_type *type,
                                           const char **sandbox_id, hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
