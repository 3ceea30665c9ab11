/* The runtime-spec v1.0.2 type table (see hcsoci/runtime_spec.h). Each struct below lists its
 * fields in the order specs-go declares them, which is the order Go marshals them in. Types
 * are defined before their users; Go's named string types (LinuxNamespaceType, Arch,
 * LinuxSeccompAction, ...) are plain strings to encoding/json and appear here as such. */
#include <hcsoci/runtime_spec.h>

#include <stddef.h>
#include <string.h>

#define OMITEMPTY true  /* `json:"name,omitempty"` */
#define ALWAYS false    /* `json:"name"`: written even when empty */
#define END {NULL, NULL, false}

#define SCALAR(name, go, k) static const hcsoci_runtime_spec_type name = {.kind = k, .go_name = go}
#define INTEGER(name, go, width, signedness)                                                       \
    static const hcsoci_runtime_spec_type name = {.kind = HCSOCI_RUNTIME_SPEC_INTEGER,             \
                                                  .go_name = go,                                   \
                                                  .bits = width,                                   \
                                                  .is_signed = signedness}
#define STRUCT(name, go, field_list)                                                               \
    static const hcsoci_runtime_spec_type name = {                                                 \
        .kind = HCSOCI_RUNTIME_SPEC_STRUCT, .go_name = go, .fields = field_list}
#define WRAPPER(name, k, go, target)                                                           \
    static const hcsoci_runtime_spec_type name = {.kind = k, .go_name = go, .element = &target}
#define POINTER(name, go, target) WRAPPER(name, HCSOCI_RUNTIME_SPEC_POINTER, go, target)
#define SLICE(name, go, target) WRAPPER(name, HCSOCI_RUNTIME_SPEC_SLICE, go, target)
#define MAP(name, go, target) WRAPPER(name, HCSOCI_RUNTIME_SPEC_MAP, go, target)

/* ---- Scalars (Go int and uint are 64 bits wide on the platforms hcsshim runs on) ---- */
SCALAR(go_string, "string", HCSOCI_RUNTIME_SPEC_STRING);
SCALAR(go_bool, "bool", HCSOCI_RUNTIME_SPEC_BOOL);
SCALAR(go_interface, "interface {}", HCSOCI_RUNTIME_SPEC_ANY);
INTEGER(go_int, "int", 64, true);
INTEGER(go_int64, "int64", 64, true);
INTEGER(go_uint, "uint", 64, false);
INTEGER(go_uint16, "uint16", 16, false);
INTEGER(go_uint32, "uint32", 32, false);
INTEGER(go_uint64, "uint64", 64, false);
INTEGER(go_file_mode, "os.FileMode", 32, false); /* os.FileMode is a uint32 */

POINTER(pointer_int, "*int", go_int);
POINTER(pointer_int64, "*int64", go_int64);
POINTER(pointer_uint16, "*uint16", go_uint16);
POINTER(pointer_uint32, "*uint32", go_uint32);
POINTER(pointer_uint64, "*uint64", go_uint64);
POINTER(pointer_bool, "*bool", go_bool);
POINTER(pointer_file_mode, "*os.FileMode", go_file_mode);

SLICE(slice_string, "[]string", go_string);
SLICE(slice_uint32, "[]uint32", go_uint32);
MAP(map_string, "map[string]string", go_string);

/* ---- Process ---- */
static const hcsoci_runtime_spec_field box_fields[] = {
    {"height", &go_uint, ALWAYS},
    {"width", &go_uint, ALWAYS},
    END,
};
STRUCT(box, "specs.Box", box_fields);
POINTER(pointer_box, "*specs.Box", box);

static const hcsoci_runtime_spec_field user_fields[] = {
    {"uid", &go_uint32, ALWAYS},
    {"gid", &go_uint32, ALWAYS},
    {"umask", &go_uint32, OMITEMPTY},
    {"additionalGids", &slice_uint32, OMITEMPTY},
    {"username", &go_string, OMITEMPTY},
    END,
};
STRUCT(user, "specs.User", user_fields);

static const hcsoci_runtime_spec_field capabilities_fields[] = {
    {"bounding", &slice_string, OMITEMPTY},
    {"effective", &slice_string, OMITEMPTY},
    {"inheritable", &slice_string, OMITEMPTY},
    {"permitted", &slice_string, OMITEMPTY},
    {"ambient", &slice_string, OMITEMPTY},
    END,
};
STRUCT(capabilities, "specs.LinuxCapabilities", capabilities_fields);
POINTER(pointer_capabilities, "*specs.LinuxCapabilities", capabilities);

static const hcsoci_runtime_spec_field rlimit_fields[] = {
    {"type", &go_string, ALWAYS},
    {"hard", &go_uint64, ALWAYS},
    {"soft", &go_uint64, ALWAYS},
    END,
};
STRUCT(rlimit, "specs.POSIXRlimit", rlimit_fields);
SLICE(slice_rlimit, "[]specs.POSIXRlimit", rlimit);

static const hcsoci_runtime_spec_field process_fields[] = {
    {"terminal", &go_bool, OMITEMPTY},
    {"consoleSize", &pointer_box, OMITEMPTY},
    {"user", &user, ALWAYS}, /* a struct value: never omitted */
    {"args", &slice_string, OMITEMPTY},
    {"commandLine", &go_string, OMITEMPTY},
    {"env", &slice_string, OMITEMPTY},
    {"cwd", &go_string, ALWAYS},
    {"capabilities", &pointer_capabilities, OMITEMPTY},
    {"rlimits", &slice_rlimit, OMITEMPTY},
    {"noNewPrivileges", &go_bool, OMITEMPTY},
    {"apparmorProfile", &go_string, OMITEMPTY},
    {"oomScoreAdj", &pointer_int, OMITEMPTY},
    {"selinuxLabel", &go_string, OMITEMPTY},
    END,
};
STRUCT(process, "specs.Process", process_fields);
POINTER(pointer_process, "*specs.Process", process);

/* ---- Root, mounts, hooks ---- */
static const hcsoci_runtime_spec_field root_fields[] = {
    {"path", &go_string, ALWAYS},
    {"readonly", &go_bool, OMITEMPTY},
    END,
};
STRUCT(root, "specs.Root", root_fields);
POINTER(pointer_root, "*specs.Root", root);

static const hcsoci_runtime_spec_field mount_fields[] = {
    {"destination", &go_string, ALWAYS},
    {"type", &go_string, OMITEMPTY},
    {"source", &go_string, OMITEMPTY},
    {"options", &slice_string, OMITEMPTY},
    END,
};
STRUCT(mount, "specs.Mount", mount_fields);
SLICE(slice_mount, "[]specs.Mount", mount);

static const hcsoci_runtime_spec_field hook_fields[] = {
    {"path", &go_string, ALWAYS},
    {"args", &slice_string, OMITEMPTY},
    {"env", &slice_string, OMITEMPTY},
    {"timeout", &pointer_int, OMITEMPTY},
    END,
};
STRUCT(hook, "specs.Hook", hook_fields);
SLICE(slice_hook, "[]specs.Hook", hook);

static const hcsoci_runtime_spec_field hooks_fields[] = {
    {"prestart", &slice_hook, OMITEMPTY},
    {"createRuntime", &slice_hook, OMITEMPTY},
    {"createContainer", &slice_hook, OMITEMPTY},
    {"startContainer", &slice_hook, OMITEMPTY},
    {"poststart", &slice_hook, OMITEMPTY},
    {"poststop", &slice_hook, OMITEMPTY},
    END,
};
STRUCT(hooks, "specs.Hooks", hooks_fields);
POINTER(pointer_hooks, "*specs.Hooks", hooks);

/* ---- Linux ---- */
static const hcsoci_runtime_spec_field id_mapping_fields[] = {
    {"containerID", &go_uint32, ALWAYS},
    {"hostID", &go_uint32, ALWAYS},
    {"size", &go_uint32, ALWAYS},
    END,
};
STRUCT(id_mapping, "specs.LinuxIDMapping", id_mapping_fields);
SLICE(slice_id_mapping, "[]specs.LinuxIDMapping", id_mapping);

static const hcsoci_runtime_spec_field device_cgroup_fields[] = {
    {"allow", &go_bool, ALWAYS},
    {"type", &go_string, OMITEMPTY},
    {"major", &pointer_int64, OMITEMPTY},
    {"minor", &pointer_int64, OMITEMPTY},
    {"access", &go_string, OMITEMPTY},
    END,
};
STRUCT(device_cgroup, "specs.LinuxDeviceCgroup", device_cgroup_fields);
SLICE(slice_device_cgroup, "[]specs.LinuxDeviceCgroup", device_cgroup);

static const hcsoci_runtime_spec_field memory_fields[] = {
    {"limit", &pointer_int64, OMITEMPTY},
    {"reservation", &pointer_int64, OMITEMPTY},
    {"swap", &pointer_int64, OMITEMPTY},
    {"kernel", &pointer_int64, OMITEMPTY},
    {"kernelTCP", &pointer_int64, OMITEMPTY},
    {"swappiness", &pointer_uint64, OMITEMPTY},
    {"disableOOMKiller", &pointer_bool, OMITEMPTY},
    {"useHierarchy", &pointer_bool, OMITEMPTY},
    END,
};
STRUCT(memory, "specs.LinuxMemory", memory_fields);
POINTER(pointer_memory, "*specs.LinuxMemory", memory);

static const hcsoci_runtime_spec_field cpu_fields[] = {
    {"shares", &pointer_uint64, OMITEMPTY},
    {"quota", &pointer_int64, OMITEMPTY},
    {"period", &pointer_uint64, OMITEMPTY},
    {"realtimeRuntime", &pointer_int64, OMITEMPTY},
    {"realtimePeriod", &pointer_uint64, OMITEMPTY},
    {"cpus", &go_string, OMITEMPTY},
    {"mems", &go_string, OMITEMPTY},
    END,
};
STRUCT(cpu, "specs.LinuxCPU", cpu_fields);
POINTER(pointer_cpu, "*specs.LinuxCPU", cpu);

static const hcsoci_runtime_spec_field pids_fields[] = {
    {"limit", &go_int64, ALWAYS},
    END,
};
STRUCT(pids, "specs.LinuxPids", pids_fields);
POINTER(pointer_pids, "*specs.LinuxPids", pids);

/* LinuxWeightDevice and LinuxThrottleDevice embed linuxBlockIODevice; Go promotes its fields
 * (major, minor) to the front of the embedding struct. */
static const hcsoci_runtime_spec_field weight_device_fields[] = {
    {"major", &go_int64, ALWAYS},
    {"minor", &go_int64, ALWAYS},
    {"weight", &pointer_uint16, OMITEMPTY},
    {"leafWeight", &pointer_uint16, OMITEMPTY},
    END,
};
STRUCT(weight_device, "specs.LinuxWeightDevice", weight_device_fields);
SLICE(slice_weight_device, "[]specs.LinuxWeightDevice", weight_device);

static const hcsoci_runtime_spec_field throttle_device_fields[] = {
    {"major", &go_int64, ALWAYS},
    {"minor", &go_int64, ALWAYS},
    {"rate", &go_uint64, ALWAYS},
    END,
};
STRUCT(throttle_device, "specs.LinuxThrottleDevice", throttle_device_fields);
SLICE(slice_throttle_device, "[]specs.LinuxThrottleDevice", throttle_device);

static const hcsoci_runtime_spec_field block_io_fields[] = {
    {"weight", &pointer_uint16, OMITEMPTY},
    {"leafWeight", &pointer_uint16, OMITEMPTY},
    {"weightDevice", &slice_weight_device, OMITEMPTY},
    {"throttleReadBpsDevice", &slice_throttle_device, OMITEMPTY},
    {"throttleWriteBpsDevice", &slice_throttle_device, OMITEMPTY},
    {"throttleReadIOPSDevice", &slice_throttle_device, OMITEMPTY},
    {"throttleWriteIOPSDevice", &slice_throttle_device, OMITEMPTY},
    END,
};
STRUCT(block_io, "specs.LinuxBlockIO", block_io_fields);
POINTER(pointer_block_io, "*specs.LinuxBlockIO", block_io);

static const hcsoci_runtime_spec_field hugepage_limit_fields[] = {
    {"pageSize", &go_string, ALWAYS},
    {"limit", &go_uint64, ALWAYS},
    END,
};
STRUCT(hugepage_limit, "specs.LinuxHugepageLimit", hugepage_limit_fields);
SLICE(slice_hugepage_limit, "[]specs.LinuxHugepageLimit", hugepage_limit);

static const hcsoci_runtime_spec_field interface_priority_fields[] = {
    {"name", &go_string, ALWAYS},
    {"priority", &go_uint32, ALWAYS},
    END,
};
STRUCT(interface_priority, "specs.LinuxInterfacePriority", interface_priority_fields);
SLICE(slice_interface_priority, "[]specs.LinuxInterfacePriority", interface_priority);

static const hcsoci_runtime_spec_field linux_network_fields[] = {
    {"classID", &pointer_uint32, OMITEMPTY},
    {"priorities", &slice_interface_priority, OMITEMPTY},
    END,
};
STRUCT(linux_network, "specs.LinuxNetwork", linux_network_fields);
POINTER(pointer_linux_network, "*specs.LinuxNetwork", linux_network);

static const hcsoci_runtime_spec_field rdma_fields[] = {
    {"hcaHandles", &pointer_uint32, OMITEMPTY},
    {"hcaObjects", &pointer_uint32, OMITEMPTY},
    END,
};
STRUCT(rdma, "specs.LinuxRdma", rdma_fields);
MAP(map_rdma, "map[string]specs.LinuxRdma", rdma);

static const hcsoci_runtime_spec_field resources_fields[] = {
    {"devices", &slice_device_cgroup, OMITEMPTY},
    {"memory", &pointer_memory, OMITEMPTY},
    {"cpu", &pointer_cpu, OMITEMPTY},
    {"pids", &pointer_pids, OMITEMPTY},
    {"blockIO", &pointer_block_io, OMITEMPTY},
    {"hugepageLimits", &slice_hugepage_limit, OMITEMPTY},
    {"network", &pointer_linux_network, OMITEMPTY},
    {"rdma", &map_rdma, OMITEMPTY},
    END,
};
STRUCT(resources, "specs.LinuxResources", resources_fields);
POINTER(pointer_resources, "*specs.LinuxResources", resources);

static const hcsoci_runtime_spec_field namespace_fields[] = {
    {"type", &go_string, ALWAYS},
    {"path", &go_string, OMITEMPTY},
    END,
};
STRUCT(linux_namespace, "specs.LinuxNamespace", namespace_fields);
SLICE(slice_namespace, "[]specs.LinuxNamespace", linux_namespace);

static const hcsoci_runtime_spec_field device_fields[] = {
    {"path", &go_string, ALWAYS},
    {"type", &go_string, ALWAYS},
    {"major", &go_int64, ALWAYS},
    {"minor", &go_int64, ALWAYS},
    {"fileMode", &pointer_file_mode, OMITEMPTY},
    {"uid", &pointer_uint32, OMITEMPTY},
    {"gid", &pointer_uint32, OMITEMPTY},
    END,
};
STRUCT(linux_device, "specs.LinuxDevice", device_fields);
SLICE(slice_linux_device, "[]specs.LinuxDevice", linux_device);

static const hcsoci_runtime_spec_field seccomp_arg_fields[] = {
    {"index", &go_uint, ALWAYS},
    {"value", &go_uint64, ALWAYS},
    {"valueTwo", &go_uint64, OMITEMPTY},
    {"op", &go_string, ALWAYS},
    END,
};
STRUCT(seccomp_arg, "specs.LinuxSeccompArg", seccomp_arg_fields);
SLICE(slice_seccomp_arg, "[]specs.LinuxSeccompArg", seccomp_arg);

static const hcsoci_runtime_spec_field syscall_fields[] = {
    {"names", &slice_string, ALWAYS},
    {"action", &go_string, ALWAYS},
    {"args", &slice_seccomp_arg, OMITEMPTY},
    END,
};
STRUCT(syscall, "specs.LinuxSyscall", syscall_fields);
SLICE(slice_syscall, "[]specs.LinuxSyscall", syscall);

static const hcsoci_runtime_spec_field seccomp_fields[] = {
    {"defaultAction", &go_string, ALWAYS},
    {"architectures", &slice_string, OMITEMPTY},
    {"flags", &slice_string, OMITEMPTY},
    {"syscalls", &slice_syscall, OMITEMPTY},
    END,
};
STRUCT(seccomp, "specs.LinuxSeccomp", seccomp_fields);
POINTER(pointer_seccomp, "*specs.LinuxSeccomp", seccomp);

static const hcsoci_runtime_spec_field intel_rdt_fields[] = {
    {"closID", &go_string, OMITEMPTY},
    {"l3CacheSchema", &go_string, OMITEMPTY},
    {"memBwSchema", &go_string, OMITEMPTY},
    END,
};
STRUCT(intel_rdt, "specs.LinuxIntelRdt", intel_rdt_fields);
POINTER(pointer_intel_rdt, "*specs.LinuxIntelRdt", intel_rdt);

static const hcsoci_runtime_spec_field personality_fields[] = {
    {"domain", &go_string, ALWAYS},
    {"flags", &slice_string, OMITEMPTY},
    END,
};
STRUCT(personality, "specs.LinuxPersonality", personality_fields);
POINTER(pointer_personality, "*specs.LinuxPersonality", personality);

static const hcsoci_runtime_spec_field linux_fields[] = {
    {"uidMappings", &slice_id_mapping, OMITEMPTY},
    {"gidMappings", &slice_id_mapping, OMITEMPTY},
    {"sysctl", &map_string, OMITEMPTY},
    {"resources", &pointer_resources, OMITEMPTY},
    {"cgroupsPath", &go_string, OMITEMPTY},
    {"namespaces", &slice_namespace, OMITEMPTY},
    {"devices", &slice_linux_device, OMITEMPTY},
    {"seccomp", &pointer_seccomp, OMITEMPTY},
    {"rootfsPropagation", &go_string, OMITEMPTY},
    {"maskedPaths", &slice_string, OMITEMPTY},
    {"readonlyPaths", &slice_string, OMITEMPTY},
    {"mountLabel", &go_string, OMITEMPTY},
    {"intelRdt", &pointer_intel_rdt, OMITEMPTY},
    {"personality", &pointer_personality, OMITEMPTY},
    END,
};
STRUCT(linux_section, "specs.Linux", linux_fields);
POINTER(pointer_linux, "*specs.Linux", linux_section);

/* ---- Solaris ---- */
static const hcsoci_runtime_spec_field anet_fields[] = {
    {"linkname", &go_string, OMITEMPTY},
    {"lowerLink", &go_string, OMITEMPTY},
    {"allowedAddress", &go_string, OMITEMPTY},
    {"configureAllowedAddress", &go_string, OMITEMPTY},
    {"defrouter", &go_string, OMITEMPTY},
    {"linkProtection", &go_string, OMITEMPTY},
    {"macAddress", &go_string, OMITEMPTY},
    END,
};
STRUCT(anet, "specs.SolarisAnet", anet_fields);
SLICE(slice_anet, "[]specs.SolarisAnet", anet);

static const hcsoci_runtime_spec_field capped_cpu_fields[] = {
    {"ncpus", &go_string, OMITEMPTY},
    END,
};
STRUCT(capped_cpu, "specs.SolarisCappedCPU", capped_cpu_fields);
POINTER(pointer_capped_cpu, "*specs.SolarisCappedCPU", capped_cpu);

static const hcsoci_runtime_spec_field capped_memory_fields[] = {
    {"physical", &go_string, OMITEMPTY},
    {"swap", &go_string, OMITEMPTY},
    END,
};
STRUCT(capped_memory, "specs.SolarisCappedMemory", capped_memory_fields);
POINTER(pointer_capped_memory, "*specs.SolarisCappedMemory", capped_memory);

static const hcsoci_runtime_spec_field solaris_fields[] = {
    {"milestone", &go_string, OMITEMPTY},
    {"limitpriv", &go_string, OMITEMPTY},
    {"maxShmMemory", &go_string, OMITEMPTY},
    {"anet", &slice_anet, OMITEMPTY},
    {"cappedCPU", &pointer_capped_cpu, OMITEMPTY},
    {"cappedMemory", &pointer_capped_memory, OMITEMPTY},
    END,
};
STRUCT(solaris, "specs.Solaris", solaris_fields);
POINTER(pointer_solaris, "*specs.Solaris", solaris);

/* ---- Windows ---- */
static const hcsoci_runtime_spec_field windows_device_fields[] = {
    {"id", &go_string, ALWAYS},
    {"idType", &go_string, ALWAYS},
    END,
};
STRUCT(windows_device, "specs.WindowsDevice", windows_device_fields);
SLICE(slice_windows_device, "[]specs.WindowsDevice", windows_device);

static const hcsoci_runtime_spec_field windows_memory_fields[] = {
    {"limit", &pointer_uint64, OMITEMPTY},
    END,
};
STRUCT(windows_memory, "specs.WindowsMemoryResources", windows_memory_fields);
POINTER(pointer_windows_memory, "*specs.WindowsMemoryResources", windows_memory);

static const hcsoci_runtime_spec_field windows_cpu_fields[] = {
    {"count", &pointer_uint64, OMITEMPTY},
    {"shares", &pointer_uint16, OMITEMPTY},
    {"maximum", &pointer_uint16, OMITEMPTY},
    END,
};
STRUCT(windows_cpu, "specs.WindowsCPUResources", windows_cpu_fields);
POINTER(pointer_windows_cpu, "*specs.WindowsCPUResources", windows_cpu);

static const hcsoci_runtime_spec_field windows_storage_fields[] = {
    {"iops", &pointer_uint64, OMITEMPTY},
    {"bps", &pointer_uint64, OMITEMPTY},
    {"sandboxSize", &pointer_uint64, OMITEMPTY},
    END,
};
STRUCT(windows_storage, "specs.WindowsStorageResources", windows_storage_fields);
POINTER(pointer_windows_storage, "*specs.WindowsStorageResources", windows_storage);

static const hcsoci_runtime_spec_field windows_resources_fields[] = {
    {"memory", &pointer_windows_memory, OMITEMPTY},
    {"cpu", &pointer_windows_cpu, OMITEMPTY},
    {"storage", &pointer_windows_storage, OMITEMPTY},
    END,
};
STRUCT(windows_resources, "specs.WindowsResources", windows_resources_fields);
POINTER(pointer_windows_resources, "*specs.WindowsResources", windows_resources);

static const hcsoci_runtime_spec_field hyperv_fields[] = {
    {"utilityVMPath", &go_string, OMITEMPTY},
    END,
};
STRUCT(hyperv, "specs.WindowsHyperV", hyperv_fields);
POINTER(pointer_hyperv, "*specs.WindowsHyperV", hyperv);

static const hcsoci_runtime_spec_field windows_network_fields[] = {
    {"endpointList", &slice_string, OMITEMPTY},
    {"allowUnqualifiedDNSQuery", &go_bool, OMITEMPTY},
    {"DNSSearchList", &slice_string, OMITEMPTY},
    {"networkSharedContainerName", &go_string, OMITEMPTY},
    {"networkNamespace", &go_string, OMITEMPTY},
    END,
};
static const hcsoci_runtime_spec_type windows_network_type = {
    .kind = HCSOCI_RUNTIME_SPEC_STRUCT, .go_name = "specs.WindowsNetwork",
    .fields = windows_network_fields};
POINTER(pointer_windows_network, "*specs.WindowsNetwork", windows_network_type);

static const hcsoci_runtime_spec_field windows_fields[] = {
    {"layerFolders", &slice_string, ALWAYS}, /* written as null when nil */
    {"devices", &slice_windows_device, OMITEMPTY},
    {"resources", &pointer_windows_resources, OMITEMPTY},
    {"credentialSpec", &go_interface, OMITEMPTY},
    {"servicing", &go_bool, OMITEMPTY},
    {"ignoreFlushesDuringBoot", &go_bool, OMITEMPTY},
    {"hyperv", &pointer_hyperv, OMITEMPTY},
    {"network", &pointer_windows_network, OMITEMPTY},
    END,
};
static const hcsoci_runtime_spec_type windows_type = {
    .kind = HCSOCI_RUNTIME_SPEC_STRUCT, .go_name = "specs.Windows", .fields = windows_fields};
POINTER(pointer_windows, "*specs.Windows", windows_type);

/* ---- VM (its three parts are struct values: omitempty never omits them) ---- */
static const hcsoci_runtime_spec_field vm_hypervisor_fields[] = {
    {"path", &go_string, ALWAYS},
    {"parameters", &slice_string, OMITEMPTY},
    END,
};
STRUCT(vm_hypervisor, "specs.VMHypervisor", vm_hypervisor_fields);

static const hcsoci_runtime_spec_field vm_kernel_fields[] = {
    {"path", &go_string, ALWAYS},
    {"parameters", &slice_string, OMITEMPTY},
    {"initrd", &go_string, OMITEMPTY},
    END,
};
STRUCT(vm_kernel, "specs.VMKernel", vm_kernel_fields);

static const hcsoci_runtime_spec_field vm_image_fields[] = {
    {"path", &go_string, ALWAYS},
    {"format", &go_string, ALWAYS},
    END,
};
STRUCT(vm_image, "specs.VMImage", vm_image_fields);

static const hcsoci_runtime_spec_field vm_fields[] = {
    {"hypervisor", &vm_hypervisor, OMITEMPTY},
    {"kernel", &vm_kernel, ALWAYS},
    {"image", &vm_image, OMITEMPTY},
    END,
};
STRUCT(vm, "specs.VM", vm_fields);
POINTER(pointer_vm, "*specs.VM", vm);

/* ---- Spec ---- */
static const hcsoci_runtime_spec_field spec_fields[] = {
    {"ociVersion", &go_string, ALWAYS},
    {"process", &pointer_process, OMITEMPTY},
    {"root", &pointer_root, OMITEMPTY},
    {"hostname", &go_string, OMITEMPTY},
    {"mounts", &slice_mount, OMITEMPTY},
    {"hooks", &pointer_hooks, OMITEMPTY},
    {"annotations", &map_string, OMITEMPTY},
    {"linux", &pointer_linux, OMITEMPTY},
    {"solaris", &pointer_solaris, OMITEMPTY},
    {"windows", &pointer_windows, OMITEMPTY},
    {"vm", &pointer_vm, OMITEMPTY},
    END,
};
static const hcsoci_runtime_spec_type spec_type = {
    .kind = HCSOCI_RUNTIME_SPEC_STRUCT, .go_name = "specs.Spec", .fields = spec_fields};

const hcsoci_runtime_spec_type *hcsoci_runtime_spec_root_type(void)
{
    return &spec_type;
}

const hcsoci_runtime_spec_type *hcsoci_runtime_spec_windows_type(void)
{
    return &windows_type;
}

const hcsoci_runtime_spec_type *hcsoci_runtime_spec_windows_network_type(void)
{
    return &windows_network_type;
}

const hcsoci_runtime_spec_field *
hcsoci_runtime_spec_field_named(const hcsoci_runtime_spec_type *structure, const char *json_name)
{
    if (structure == NULL || structure->kind != HCSOCI_RUNTIME_SPEC_STRUCT)
        return NULL;
    for (const hcsoci_runtime_spec_field *field = structure->fields; field->json_name != NULL;
         field++) {
        if (strcmp(field->json_name, json_name) == 0)
            return field;
    }
    return NULL;
}
