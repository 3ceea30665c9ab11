/* The HCS schema of hcsshim v0.8.14, as data (hcs_schema.h says how to read it): field names
 * as the reference's JSON tags spell them, JSON types and integer widths, enum values and GUID
 * formats. Required are only the fields the reference always sends. A Go pointer, slice, map
 * or interface may be null. */
#include "hcs_schema.h"

#include <stddef.h>
#include <stdint.h>

/* ---- building blocks ---- */

#define FIELDS(...) ((const schema_field[]){__VA_ARGS__, {NULL, NULL, 0}})
#define VALUES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define VARIANTS(...) ((const schema_variant[]){__VA_ARGS__})
#define VARIANT_COUNT(...) (sizeof((const schema_variant[]){__VA_ARGS__}) / sizeof(schema_variant))
#define REQUIRED 1
#define OPTIONAL 0

#define OBJECT(type_name, ...)                                                               \
    {.kind = SCHEMA_OBJECT, .name = type_name, .fields = FIELDS(__VA_ARGS__)}
#define ENUM(type_name, ...) {.kind = SCHEMA_ENUM, .name = type_name, .values = VALUES(__VA_ARGS__)}
#define ARRAY_OF(item) {.kind = SCHEMA_ARRAY, .name = "array", .items = (item)}
#define MAP_OF(key, item) {.kind = SCHEMA_MAP, .name = "map", .keys = (key), .items = (item)}

static const schema_type t_string = {.kind = SCHEMA_STRING, .name = "string"};
static const schema_type t_guid = {.kind = SCHEMA_GUID, .name = "GUID"};
static const schema_type t_bool = {.kind = SCHEMA_BOOL, .name = "bool"};
static const schema_type t_any = {.kind = SCHEMA_ANY, .name = "interface{}"};
static const schema_type t_uint8 = {.kind = SCHEMA_INTEGER, .name = "uint8", .maximum = UINT8_MAX};
static const schema_type t_uint16 = {.kind = SCHEMA_INTEGER, .name = "uint16",
                                     .maximum = UINT16_MAX};
static const schema_type t_int32 = {.kind = SCHEMA_INTEGER, .name = "int32",
                                    .minimum = INT32_MIN, .maximum = INT32_MAX};
static const schema_type t_uint32 = {.kind = SCHEMA_INTEGER, .name = "uint32",
                                     .maximum = UINT32_MAX};
static const schema_type t_int64 = {.kind = SCHEMA_INTEGER, .name = "int64",
                                    .minimum = INT64_MIN, .maximum = INT64_MAX};
static const schema_type t_uint64 = {.kind = SCHEMA_INTEGER, .name = "uint64",
                                     .maximum = INT64_MAX, .whole_uint64 = true};
static const schema_type t_strings = ARRAY_OF(&t_string);
static const schema_type t_guids = ARRAY_OF(&t_guid);

/* ---- schema 2.1: the container ---- */

static const schema_type t_version = OBJECT("Version",
    {"Major", &t_int32, REQUIRED},
    {"Minor", &t_int32, OPTIONAL});

static const schema_type t_guest_os = OBJECT("GuestOs",
    {"HostName", &t_string, OPTIONAL});

static const schema_type t_layer_path_type =
    ENUM("PathType", "AbsolutePath", "VirtualSmbShareName");
static const schema_type t_layer = OBJECT("Layer",
    {"Id", &t_guid, OPTIONAL},
    {"Path", &t_string, REQUIRED},
    {"PathType", &t_layer_path_type, OPTIONAL},
    {"Cache", &t_string, OPTIONAL});
static const schema_type t_layers = ARRAY_OF(&t_layer);

static const schema_type t_storage_qos = OBJECT("StorageQoS",
    {"IopsMaximum", &t_int32, OPTIONAL},
    {"BandwidthMaximum", &t_int32, OPTIONAL});

static const schema_type t_storage = OBJECT("Storage",
    {"Layers", &t_layers, OPTIONAL},
    {"Path", &t_string, OPTIONAL},
    {"QoS", &t_storage_qos, OPTIONAL});

static const schema_type t_directory_path_type =
    ENUM("HostPathType", "AbsolutePath", "VirtualSmbShareName");
static const schema_type t_mapped_directory = OBJECT("MappedDirectory",
    {"HostPath", &t_string, OPTIONAL},
    {"HostPathType", &t_directory_path_type, OPTIONAL},
    {"ContainerPath", &t_string, OPTIONAL},
    {"ReadOnly", &t_bool, OPTIONAL});
static const schema_type t_mapped_directories = ARRAY_OF(&t_mapped_directory);

static const schema_type t_pipe_path_type =
    ENUM("HostPathType", "AbsolutePath", "VirtualSmbPipeName");
static const schema_type t_mapped_pipe = OBJECT("MappedPipe",
    {"ContainerPipeName", &t_string, OPTIONAL},
    {"HostPath", &t_string, OPTIONAL},
    {"HostPathType", &t_pipe_path_type, OPTIONAL});
static const schema_type t_mapped_pipes = ARRAY_OF(&t_mapped_pipe);

static const schema_type t_memory = OBJECT("Memory",
    {"SizeInMB", &t_uint64, OPTIONAL});

static const schema_type t_processor = OBJECT("Processor",
    {"Count", &t_int32, OPTIONAL},
    {"Maximum", &t_int32, OPTIONAL},
    {"Weight", &t_int32, OPTIONAL});

static const schema_type t_networking = OBJECT("Networking",
    {"AllowUnqualifiedDnsQuery", &t_bool, OPTIONAL},
    {"DnsSearchList", &t_string, OPTIONAL},
    {"NetworkSharedContainerName", &t_string, OPTIONAL},
    {"Namespace", &t_guid, OPTIONAL},
    {"NetworkAdapters", &t_guids, OPTIONAL});

static const schema_type t_hv_socket_service_config = OBJECT("HvSocketServiceConfig",
    {"BindSecurityDescriptor", &t_string, OPTIONAL},
    {"ConnectSecurityDescriptor", &t_string, OPTIONAL},
    {"AllowWildcardBinds", &t_bool, OPTIONAL},
    {"Disabled", &t_bool, OPTIONAL});
static const schema_type t_service_table = MAP_OF(&t_guid, &t_hv_socket_service_config);
static const schema_type t_hv_socket_system_config = OBJECT("HvSocketSystemConfig",
    {"DefaultBindSecurityDescriptor", &t_string, OPTIONAL},
    {"DefaultConnectSecurityDescriptor", &t_string, OPTIONAL},
    {"ServiceTable", &t_service_table, OPTIONAL});
static const schema_type t_hv_socket = OBJECT("HvSocket",
    {"Config", &t_hv_socket_system_config, OPTIONAL},
    {"EnablePowerShellDirect", &t_bool, OPTIONAL});

static const schema_type t_credential_guard_transport = ENUM("Transport", "LRPC", "HvSocket");
static const schema_type t_credential_guard_state = OBJECT("ContainerCredentialGuardState",
    {"Cookie", &t_string, OPTIONAL},
    {"RpcEndpoint", &t_string, OPTIONAL},
    {"Transport", &t_credential_guard_transport, OPTIONAL},
    {"CredentialSpec", &t_string, OPTIONAL});

static const schema_type t_registry_hive = ENUM("Hive", "System", "Software", "Security", "Sam");
static const schema_type t_registry_key = OBJECT("RegistryKey",
    {"Hive", &t_registry_hive, OPTIONAL},
    {"Name", &t_string, OPTIONAL},
    {"Volatile", &t_bool, OPTIONAL});
static const schema_type t_registry_value_type = ENUM("Type", "None", "String", "ExpandedString",
    "MultiString", "Binary", "DWord", "QWord", "CustomType");
static const schema_type t_registry_value = OBJECT("RegistryValue",
    {"Key", &t_registry_key, OPTIONAL},
    {"Name", &t_string, OPTIONAL},
    {"Type", &t_registry_value_type, OPTIONAL},
    {"StringValue", &t_string, OPTIONAL},
    {"BinaryValue", &t_string, OPTIONAL},
    {"DWordValue", &t_int32, OPTIONAL},
    {"QWordValue", &t_int32, OPTIONAL},
    {"CustomType", &t_int32, OPTIONAL});
static const schema_type t_registry_values = ARRAY_OF(&t_registry_value);
static const schema_type t_registry_keys = ARRAY_OF(&t_registry_key);
static const schema_type t_registry_changes = OBJECT("RegistryChanges",
    {"AddValues", &t_registry_values, OPTIONAL},
    {"DeleteKeys", &t_registry_keys, OPTIONAL});

static const schema_type t_device_type = ENUM("DeviceType", "ClassGuid", "DeviceInstance",
                                              "GpuMirror");
static const schema_type t_device = OBJECT("Device",
    {"Type", &t_device_type, OPTIONAL},
    {"InterfaceClassGuid", &t_guid, OPTIONAL},
    {"LocationPath", &t_string, OPTIONAL});
static const schema_type t_devices = ARRAY_OF(&t_device);

static const schema_type t_container = OBJECT("Container",
    {"GuestOs", &t_guest_os, OPTIONAL},
    {"Storage", &t_storage, OPTIONAL},
    {"MappedDirectories", &t_mapped_directories, OPTIONAL},
    {"MappedPipes", &t_mapped_pipes, OPTIONAL},
    {"Memory", &t_memory, OPTIONAL},
    {"Processor", &t_processor, OPTIONAL},
    {"Networking", &t_networking, OPTIONAL},
    {"HvSocket", &t_hv_socket, OPTIONAL},
    {"ContainerCredentialGuard", &t_credential_guard_state, OPTIONAL},
    {"RegistryChanges", &t_registry_changes, OPTIONAL},
    {"AssignedDevices", &t_devices, OPTIONAL});

/* ---- schema 2.1: the hosted systems and the compute system ---- */

/* A Windows utility VM's guest is sent the schema's HostedSystem. */
static const schema_type t_windows_hosted_system = OBJECT("HostedSystem",
    {"SchemaVersion", &t_version, REQUIRED},
    {"Container", &t_container, REQUIRED});

/* A Linux one the reference's LCOW hosted-system document (untagged Go fields, all always
 * sent), whose OCI specification is the runtime spec's own schema: any object here. */
static const schema_type t_oci_specification = {.kind = SCHEMA_ANY_OBJECT,
                                                .name = "specs.Spec"};
static const schema_type t_linux_hosted_system = OBJECT("linuxHostedSystem",
    {"SchemaVersion", &t_version, REQUIRED},
    {"OciBundlePath", &t_string, REQUIRED},
    {"OciSpecification", &t_oci_specification, REQUIRED});

static const schema_type t_hosted_system = {
    .kind = SCHEMA_ONE_OF,
    .name = "HostedSystem",
    .variants = VARIANTS({"OciSpecification", &t_linux_hosted_system},
                         {"OciBundlePath", &t_linux_hosted_system},
                         {NULL, &t_windows_hosted_system}),
    .variant_count = VARIANT_COUNT({"OciSpecification", &t_linux_hosted_system},
                                   {"OciBundlePath", &t_linux_hosted_system},
                                   {NULL, &t_windows_hosted_system}),
};

/* hcsoci creates no utility VM, so the VM's own document is not described (any object). */
static const schema_type t_virtual_machine = {.kind = SCHEMA_ANY_OBJECT,
                                              .name = "VirtualMachine"};

static const schema_type t_compute_system = OBJECT("ComputeSystem",
    {"Owner", &t_string, OPTIONAL},
    {"SchemaVersion", &t_version, REQUIRED},
    {"HostingSystemId", &t_string, OPTIONAL},
    {"HostedSystem", &t_hosted_system, OPTIONAL},
    {"Container", &t_container, OPTIONAL},
    {"VirtualMachine", &t_virtual_machine, OPTIONAL},
    {"ShouldTerminateOnLastHandleClosed", &t_bool, OPTIONAL});

/* ---- schema 1.0 ---- */

static const schema_type t_v1_system_type = ENUM("SystemType", "Container");
static const schema_type t_v1_layer = OBJECT("Layer",
    {"ID", &t_guid, REQUIRED},
    {"Path", &t_string, REQUIRED});
static const schema_type t_v1_layers = ARRAY_OF(&t_v1_layer);
static const schema_type t_v1_mapped_dir = OBJECT("MappedDir",
    {"HostPath", &t_string, REQUIRED},
    {"ContainerPath", &t_string, REQUIRED},
    {"ReadOnly", &t_bool, OPTIONAL},
    {"BandwidthMaximum", &t_uint64, OPTIONAL},
    {"IOPSMaximum", &t_uint64, OPTIONAL},
    {"CreateInUtilityVM", &t_bool, OPTIONAL},
    {"LinuxMetadata", &t_bool, OPTIONAL});
static const schema_type t_v1_mapped_dirs = ARRAY_OF(&t_v1_mapped_dir);
static const schema_type t_v1_mapped_pipe = OBJECT("MappedPipe",
    {"HostPath", &t_string, REQUIRED},
    {"ContainerPipeName", &t_string, REQUIRED});
static const schema_type t_v1_mapped_pipes = ARRAY_OF(&t_v1_mapped_pipe);
static const schema_type t_v1_hv_runtime = OBJECT("HvRuntime",
    {"ImagePath", &t_string, OPTIONAL},
    {"SkipTemplate", &t_bool, OPTIONAL},
    {"LinuxInitrdFile", &t_string, OPTIONAL},
    {"LinuxKernelFile", &t_string, OPTIONAL},
    {"LinuxBootParameters", &t_string, OPTIONAL},
    {"BootSource", &t_string, OPTIONAL},
    {"WritableBootSource", &t_bool, OPTIONAL});
static const schema_type t_v1_disk_cache =
    ENUM("Cache", "", "Disabled", "Enabled", "Private", "PrivateAllowSharing");
static const schema_type t_v1_mapped_virtual_disk = OBJECT("MappedVirtualDisk",
    {"HostPath", &t_string, OPTIONAL},
    {"ContainerPath", &t_string, REQUIRED},
    {"CreateInUtilityVM", &t_bool, OPTIONAL},
    {"ReadOnly", &t_bool, OPTIONAL},
    {"Cache", &t_v1_disk_cache, OPTIONAL},
    {"AttachOnly", &t_bool, OPTIONAL});
static const schema_type t_v1_mapped_virtual_disks = ARRAY_OF(&t_v1_mapped_virtual_disk);
static const schema_type t_v1_assigned_device = OBJECT("AssignedDevice",
    {"InterfaceClassGuid", &t_guid, OPTIONAL});
static const schema_type t_v1_assigned_devices = ARRAY_OF(&t_v1_assigned_device);
static const schema_type t_v1_container_type = ENUM("ContainerType", "Linux");

static const schema_type t_container_config = OBJECT("ContainerConfig",
    {"SystemType", &t_v1_system_type, REQUIRED},
    {"Name", &t_string, REQUIRED},
    {"Owner", &t_string, OPTIONAL},
    {"VolumePath", &t_string, OPTIONAL},
    {"IgnoreFlushesDuringBoot", &t_bool, OPTIONAL},
    {"LayerFolderPath", &t_string, OPTIONAL},
    {"Layers", &t_v1_layers, REQUIRED},
    {"Credentials", &t_string, OPTIONAL},
    {"ProcessorCount", &t_uint32, OPTIONAL},
    {"ProcessorWeight", &t_uint64, OPTIONAL},
    {"ProcessorMaximum", &t_int64, OPTIONAL},
    {"StorageIOPSMaximum", &t_uint64, OPTIONAL},
    {"StorageBandwidthMaximum", &t_uint64, OPTIONAL},
    {"StorageSandboxSize", &t_uint64, OPTIONAL},
    {"MemoryMaximumInMB", &t_int64, OPTIONAL},
    {"HostName", &t_string, OPTIONAL},
    {"MappedDirectories", &t_v1_mapped_dirs, OPTIONAL},
    {"MappedPipes", &t_v1_mapped_pipes, OPTIONAL},
    {"HvPartition", &t_bool, REQUIRED},
    {"NetworkSharedContainerName", &t_string, OPTIONAL},
    {"EndpointList", &t_guids, OPTIONAL},
    {"HvRuntime", &t_v1_hv_runtime, OPTIONAL},
    {"Servicing", &t_bool, OPTIONAL},
    {"AllowUnqualifiedDNSQuery", &t_bool, OPTIONAL},
    {"DNSSearchList", &t_string, OPTIONAL},
    {"ContainerType", &t_v1_container_type, OPTIONAL},
    {"TerminateOnLastHandleClosed", &t_bool, OPTIONAL},
    {"MappedVirtualDisks", &t_v1_mapped_virtual_disks, OPTIONAL},
    {"AssignedDevices", &t_v1_assigned_devices, OPTIONAL});

/* ---- the settings of each resource path of a utility VM ---- */

static const schema_type t_vsmb_share_options = OBJECT("VirtualSmbShareOptions",
    {"ReadOnly", &t_bool, OPTIONAL},
    {"ShareRead", &t_bool, OPTIONAL},
    {"CacheIo", &t_bool, OPTIONAL},
    {"NoOplocks", &t_bool, OPTIONAL},
    {"TakeBackupPrivilege", &t_bool, OPTIONAL},
    {"UseShareRootIdentity", &t_bool, OPTIONAL},
    {"NoDirectmap", &t_bool, OPTIONAL},
    {"NoLocks", &t_bool, OPTIONAL},
    {"NoDirnotify", &t_bool, OPTIONAL},
    {"VmSharedMemory", &t_bool, OPTIONAL},
    {"RestrictFileAccess", &t_bool, OPTIONAL},
    {"ForceLevelIIOplocks", &t_bool, OPTIONAL},
    {"ReparseBaseLayer", &t_bool, OPTIONAL},
    {"PseudoOplocks", &t_bool, OPTIONAL},
    {"NonCacheIo", &t_bool, OPTIONAL},
    {"PseudoDirnotify", &t_bool, OPTIONAL},
    {"SingleFileMapping", &t_bool, OPTIONAL});
static const schema_type t_vsmb_share = OBJECT("VirtualSmbShare",
    {"Name", &t_string, REQUIRED},
    {"Path", &t_string, OPTIONAL},
    {"AllowedFiles", &t_strings, OPTIONAL},
    {"Options", &t_vsmb_share_options, OPTIONAL});

static const schema_type t_attachment_type = ENUM("Type", "VirtualDisk", "Iso", "PassThru");
static const schema_type t_attachment = OBJECT("Attachment",
    {"Type", &t_attachment_type, REQUIRED},
    {"Path", &t_string, REQUIRED},
    {"IgnoreFlushes", &t_bool, OPTIONAL},
    {"CachingMode", &t_string, OPTIONAL},
    {"NoWriteHardening", &t_bool, OPTIONAL},
    {"DisableExpansionOptimization", &t_bool, OPTIONAL},
    {"IgnoreRelativeLocator", &t_bool, OPTIONAL},
    {"CaptureIoAttributionContext", &t_bool, OPTIONAL},
    {"ReadOnly", &t_bool, OPTIONAL});

static const schema_type t_image_format = ENUM("ImageFormat", "Vhdx", "Vhd1");
static const schema_type t_vpmem_device = OBJECT("VirtualPMemDevice",
    {"HostPath", &t_string, REQUIRED},
    {"ReadOnly", &t_bool, OPTIONAL},
    {"ImageFormat", &t_image_format, OPTIONAL});

static const schema_type t_plan9_share = OBJECT("Plan9Share",
    {"Name", &t_string, REQUIRED},
    {"AccessName", &t_string, OPTIONAL},
    {"Path", &t_string, OPTIONAL},
    {"Port", &t_int32, OPTIONAL},
    {"Flags", &t_int32, OPTIONAL},
    {"ReadOnly", &t_bool, OPTIONAL},
    {"UseShareRootIdentity", &t_bool, OPTIONAL},
    {"AllowedFiles", &t_strings, OPTIONAL});

static const schema_type t_network_adapter = OBJECT("NetworkAdapter",
    {"EndpointId", &t_guid, REQUIRED},
    {"MacAddress", &t_string, OPTIONAL});

static const schema_type t_vpci_function = OBJECT("VirtualPciFunction",
    {"DeviceInstancePath", &t_string, OPTIONAL},
    {"VirtualFunction", &t_uint16, OPTIONAL});
static const schema_type t_vpci_functions = ARRAY_OF(&t_vpci_function);
static const schema_type t_vpci_device = OBJECT("VirtualPciDevice",
    {"Functions", &t_vpci_functions, OPTIONAL});

/* ResourcePath -> Settings. A mapped pipe and a guest-only request carry no settings. */
#define RESOURCE_PATH_VARIANTS                                                               \
    {"VirtualMachine/Devices/VirtualSmb/Shares", &t_vsmb_share},                             \
    {"VirtualMachine/Devices/Scsi/*/Attachments/{n}", &t_attachment},                        \
    {"VirtualMachine/Devices/VirtualPMem/Devices/{n}", &t_vpmem_device},                     \
    {"VirtualMachine/Devices/Plan9/Shares", &t_plan9_share},                                 \
    {"VirtualMachine/Devices/MappedPipes/*", NULL},                                          \
    {"VirtualMachine/Devices/NetworkAdapters/{guid}", &t_network_adapter},                   \
    {"VirtualMachine/Devices/VirtualPci/{guid}", &t_vpci_device},                            \
    {"VirtualMachine/Devices/HvSocket/HvSocketConfig/ServiceTable/{guid}",                   \
     &t_hv_socket_service_config},                                                           \
    {NULL, NULL}
#define RESOURCE_PATH_UNMATCHED "is not a resource path of a utility VM that hcsoci sends"

/* ---- guest requests ---- */

static const schema_type t_request_type = ENUM("RequestType", "Add", "Remove", "Update");
static const schema_type t_network_request_type =
    ENUM("RequestType", "Add", "Remove", "PreAdd", "Update");
static const schema_type t_resource_type = ENUM("ResourceType", "MappedDirectory",
    "MappedVirtualDisk", "Network", "NetworkNamespace", "CombinedLayers", "VPMemDevice",
    "VPCIDevice", "HvSocket");

static const schema_type t_combined_layers = OBJECT("CombinedLayers",
    {"ContainerRootPath", &t_string, OPTIONAL},
    {"Layers", &t_layers, OPTIONAL},
    {"ScratchPath", &t_string, OPTIONAL});

/* An HNS or HCN document (an endpoint, a namespace): another service's schema. */
static const schema_type t_network_document = {.kind = SCHEMA_ANY_OBJECT, .name = "HNS object"};

/* The Windows guest's network request; RS4 hosts name the adapter AdapterInstanceId. */
static const schema_type t_network_modify_request = OBJECT("NetworkModifyRequest",
    {"AdapterId", &t_guid, OPTIONAL},
    {"AdapterInstanceId", &t_guid, OPTIONAL},
    {"RequestType", &t_network_request_type, REQUIRED},
    {"Settings", &t_network_document, OPTIONAL});

static const schema_type t_wcow_mapped_virtual_disk = OBJECT("WCOWMappedVirtualDisk",
    {"ContainerPath", &t_string, OPTIONAL},
    {"Lun", &t_int32, OPTIONAL});

static const schema_type t_lcow_mapped_virtual_disk = OBJECT("LCOWMappedVirtualDisk",
    {"MountPath", &t_string, OPTIONAL},
    {"Lun", &t_uint8, OPTIONAL},
    {"Controller", &t_uint8, OPTIONAL},
    {"ReadOnly", &t_bool, OPTIONAL});
static const schema_type t_lcow_mapped_directory = OBJECT("LCOWMappedDirectory",
    {"MountPath", &t_string, OPTIONAL},
    {"Port", &t_int32, OPTIONAL},
    {"ShareName", &t_string, OPTIONAL},
    {"ReadOnly", &t_bool, OPTIONAL});
static const schema_type t_lcow_mapped_vpmem_device = OBJECT("LCOWMappedVPMemDevice",
    {"DeviceNumber", &t_uint32, OPTIONAL},
    {"MountPath", &t_string, OPTIONAL});
static const schema_type t_lcow_mapped_vpci_device = OBJECT("LCOWMappedVPCIDevice",
    {"VMBusGUID", &t_guid, OPTIONAL});
static const schema_type t_lcow_network_adapter = OBJECT("LCOWNetworkAdapter",
    {"NamespaceID", &t_guid, OPTIONAL},
    {"ID", &t_guid, OPTIONAL},
    {"MacAddress", &t_string, OPTIONAL},
    {"IPAddress", &t_string, OPTIONAL},
    {"PrefixLength", &t_uint8, OPTIONAL},
    {"GatewayAddress", &t_string, OPTIONAL},
    {"DNSSuffix", &t_string, OPTIONAL},
    {"DNSServerList", &t_string, OPTIONAL},
    {"EnableLowMetric", &t_bool, OPTIONAL},
    {"EncapOverhead", &t_uint16, OPTIONAL});

/* What a Windows guest's GCS connects to over Hyper-V sockets (sent when a VM starts). */
static const schema_type t_hv_socket_address = OBJECT("HvSocketAddress",
    {"LocalAddress", &t_guid, OPTIONAL},
    {"ParentAddress", &t_guid, OPTIONAL});

#define GUEST_REQUEST_FIELDS                                                                 \
    {"RequestType", &t_request_type, REQUIRED},                                              \
    {"ResourceType", &t_resource_type, OPTIONAL},                                            \
    {"Settings", &t_any, OPTIONAL}

/* ResourceType -> Settings in a Windows guest; a request without a resource type is the
 * modify-request-shaped network request the reference sends to remove a NIC. */
#define WINDOWS_GUEST_VARIANTS                                                               \
    {"MappedVirtualDisk", &t_wcow_mapped_virtual_disk},                                      \
    {"CombinedLayers", &t_combined_layers},                                                  \
    {"Network", &t_network_modify_request},                                                  \
    {"NetworkNamespace", &t_network_document},                                               \
    {"HvSocket", &t_hv_socket_address},                                                      \
    {NULL, &t_network_modify_request}
static const schema_type t_windows_guest_request = {
    .kind = SCHEMA_OBJECT,
    .name = "GuestRequest",
    .fields = FIELDS(GUEST_REQUEST_FIELDS),
    .selector = "ResourceType",
    .selected = "Settings",
    .variants = VARIANTS(WINDOWS_GUEST_VARIANTS),
    .variant_count = VARIANT_COUNT(WINDOWS_GUEST_VARIANTS),
    .unmatched = "is not a resource type of a Windows guest",
};

#define LINUX_GUEST_VARIANTS                                                                 \
    {"MappedVirtualDisk", &t_lcow_mapped_virtual_disk},                                      \
    {"MappedDirectory", &t_lcow_mapped_directory},                                           \
    {"VPMemDevice", &t_lcow_mapped_vpmem_device},                                            \
    {"VPCIDevice", &t_lcow_mapped_vpci_device},                                              \
    {"Network", &t_lcow_network_adapter},                                                    \
    {"NetworkNamespace", &t_network_document},                                               \
    {"CombinedLayers", &t_combined_layers}
static const schema_type t_linux_guest_request = {
    .kind = SCHEMA_OBJECT,
    .name = "GuestRequest",
    .fields = FIELDS(GUEST_REQUEST_FIELDS),
    .selector = "ResourceType",
    .selected = "Settings",
    .variants = VARIANTS(LINUX_GUEST_VARIANTS),
    .variant_count = VARIANT_COUNT(LINUX_GUEST_VARIANTS),
    .unmatched = "is not a resource type of a Linux guest",
};

/* ---- modify requests ---- */

#define MODIFY_REQUEST(guest_request)                                                        \
    {                                                                                        \
        .kind = SCHEMA_OBJECT,                                                               \
        .name = "ModifySettingRequest",                                                      \
        .fields = FIELDS({"ResourcePath", &t_string, OPTIONAL},                              \
                         {"RequestType", &t_request_type, OPTIONAL},                         \
                         {"Settings", &t_any, OPTIONAL},                                     \
                         {"GuestRequest", (guest_request), OPTIONAL}),                       \
        .selector = "ResourcePath",                                                          \
        .selected = "Settings",                                                              \
        .variants = VARIANTS(RESOURCE_PATH_VARIANTS),                                        \
        .variant_count = VARIANT_COUNT(RESOURCE_PATH_VARIANTS),                              \
        .unmatched = RESOURCE_PATH_UNMATCHED,                                                \
    }
static const schema_type t_modify_windows = MODIFY_REQUEST(&t_windows_guest_request);
static const schema_type t_modify_linux = MODIFY_REQUEST(&t_linux_guest_request);

/* ---- the credential-guard service ---- */

static const schema_type t_property_type = ENUM("PropertyType", "Memory", "GuestMemory",
    "Statistics", "ProcessList", "TerminateOnLastHandleClosed", "SharedMemoryRegion",
    "ContainerCredentialGuard", "GuestConnection", "ICHeartbeatStatus", "ProcessorTopology",
    "CpuGroup");
static const schema_type t_property_types = ARRAY_OF(&t_property_type);

static const schema_type t_credential_guard_operation =
    ENUM("ContainerCredentialGuardModifyOperation", "AddInstance", "RemoveInstance");
static const schema_type t_credential_guard_add = OBJECT(
    "ContainerCredentialGuardAddInstanceRequest",
    {"Id", &t_string, REQUIRED},
    {"CredentialSpec", &t_string, OPTIONAL},
    {"Transport", &t_credential_guard_transport, OPTIONAL});
static const schema_type t_credential_guard_remove = OBJECT(
    "ContainerCredentialGuardRemoveInstanceRequest",
    {"Id", &t_string, REQUIRED});
#define CREDENTIAL_GUARD_VARIANTS                                                            \
    {"AddInstance", &t_credential_guard_add},                                                \
    {"RemoveInstance", &t_credential_guard_remove}
static const schema_type t_credential_guard_request = {
    .kind = SCHEMA_OBJECT,
    .name = "ContainerCredentialGuardOperationRequest",
    .fields = FIELDS({"Operation", &t_credential_guard_operation, REQUIRED},
                     {"OperationDetails", &t_any, OPTIONAL}),
    .selector = "Operation",
    .selected = "OperationDetails",
    .variants = VARIANTS(CREDENTIAL_GUARD_VARIANTS),
    .variant_count = VARIANT_COUNT(CREDENTIAL_GUARD_VARIANTS),
};

#define SERVICE_SETTINGS_VARIANTS {"ContainerCredentialGuard", &t_credential_guard_request}
static const schema_type t_service_settings = {
    .kind = SCHEMA_OBJECT,
    .name = "ModificationRequest",
    .fields = FIELDS({"PropertyType", &t_property_type, REQUIRED},
                     {"Settings", &t_any, OPTIONAL}),
    .selector = "PropertyType",
    .selected = "Settings",
    .variants = VARIANTS(SERVICE_SETTINGS_VARIANTS),
    .variant_count = VARIANT_COUNT(SERVICE_SETTINGS_VARIANTS),
    .unmatched = "is not a property type whose service settings hcsoci sends",
};

static const schema_type t_property_query = OBJECT("PropertyQuery",
    {"PropertyTypes", &t_property_types, OPTIONAL});

const schema_type *hcs_schema_for_kind(hcsoci_document_kind kind)
{
    switch (kind) {
    case HCSOCI_DOCUMENT_CONTAINER_CONFIG:
        return &t_container_config;
    case HCSOCI_DOCUMENT_COMPUTE_SYSTEM:
        return &t_compute_system;
    case HCSOCI_DOCUMENT_MODIFY_WINDOWS:
        return &t_modify_windows;
    case HCSOCI_DOCUMENT_MODIFY_LINUX:
        return &t_modify_linux;
    case HCSOCI_DOCUMENT_SERVICE_SETTINGS:
        return &t_service_settings;
    case HCSOCI_DOCUMENT_PROPERTY_QUERY:
        return &t_property_query;
    case HCSOCI_DOCUMENT_INFER:
        break;
    }
    return NULL;
}
