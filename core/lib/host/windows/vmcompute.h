/* The vmcompute.dll exports hcsoci uses, declared by the project (mingw-w64 ships no header
 * for them). The argument lists follow what hcsshim v0.8.14 passes; every export returns an
 * HRESULT. Strings are UTF-16. Strings handed back (result, properties, response) are
 * allocated with CoTaskMemAlloc and freed by the caller with CoTaskMemFree.
 *
 * Both sides of the DLL boundary include this header: the Windows host (which loads the DLL
 * with LoadLibraryExW and looks each export up with GetProcAddress) and the recording
 * vmcompute.dll of tests/windows (which defines them), so that the two cannot disagree. */
#ifndef HCSOCI_VMCOMPUTE_H
#define HCSOCI_VMCOMPUTE_H

#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef HANDLE HCS_SYSTEM;
typedef HANDLE HCS_PROCESS;
typedef HANDLE HCS_CALLBACK;

/* HCS answers an operation it completes later with this, and reports the completion
 * through the compute system's notification callback. */
#define HCSOCI_HCS_E_OPERATION_PENDING ((HRESULT)0xC0370103L)

/* Notification types the callback receives (the ones the reference waits for). */
#define HCSOCI_HCS_NOTIFICATION_SYSTEM_EXITED 0x00000001u
#define HCSOCI_HCS_NOTIFICATION_SYSTEM_CREATE_COMPLETED 0x00000002u
#define HCSOCI_HCS_NOTIFICATION_SYSTEM_START_COMPLETED 0x00000003u
#define HCSOCI_HCS_NOTIFICATION_PROCESS_EXITED 0x00010000u
#define HCSOCI_HCS_NOTIFICATION_SERVICE_DISCONNECT 0x01000000u

/* The layer storage driver info: Flavour 1 is the filter driver; HomeDir is always "". */
typedef struct hcsoci_layer_driver_info {
    int Flavour;
    PCWSTR HomeDir;
} hcsoci_layer_driver_info;

/* One parent layer of PrepareLayer and CreateSandboxLayer. */
typedef struct hcsoci_layer_descriptor {
    GUID LayerId;
    ULONG Flags;
    PCWSTR Path;
} hcsoci_layer_descriptor;

/* What HcsCreateProcess hands back: the process id and its standard handles (NULL when not
 * asked for in the process parameters). */
typedef struct hcsoci_hcs_process_information {
    DWORD ProcessId;
    DWORD Reserved;
    HANDLE StdInput;
    HANDLE StdOutput;
    HANDLE StdError;
} hcsoci_hcs_process_information;

/* The notification callback: type, the context given at registration, the operation's
 * status and its JSON result (may be NULL). */
typedef void(CALLBACK *hcsoci_hcs_notification_callback)(DWORD notification_type, void *context,
                                                         HRESULT status, PCWSTR data);

/* Every export the reference declares in vmcompute.dll, as one X-macro list:
 * X(name, parameter list); each returns HRESULT WINAPI. */
#define HCSOCI_VMCOMPUTE_EXPORTS(X)                                                              \
    X(HcsEnumerateComputeSystems, (PCWSTR query, PWSTR *compute_systems, PWSTR *result))         \
    X(HcsCreateComputeSystem, (PCWSTR id, PCWSTR configuration, HANDLE identity,                 \
                               HCS_SYSTEM *compute_system, PWSTR *result))                       \
    X(HcsOpenComputeSystem, (PCWSTR id, HCS_SYSTEM *compute_system, PWSTR *result))              \
    X(HcsCloseComputeSystem, (HCS_SYSTEM compute_system))                                        \
    X(HcsStartComputeSystem, (HCS_SYSTEM compute_system, PCWSTR options, PWSTR *result))         \
    X(HcsShutdownComputeSystem, (HCS_SYSTEM compute_system, PCWSTR options, PWSTR *result))      \
    X(HcsTerminateComputeSystem, (HCS_SYSTEM compute_system, PCWSTR options, PWSTR *result))     \
    X(HcsPauseComputeSystem, (HCS_SYSTEM compute_system, PCWSTR options, PWSTR *result))         \
    X(HcsResumeComputeSystem, (HCS_SYSTEM compute_system, PCWSTR options, PWSTR *result))        \
    X(HcsGetComputeSystemProperties, (HCS_SYSTEM compute_system, PCWSTR property_query,          \
                                      PWSTR *properties, PWSTR *result))                         \
    X(HcsModifyComputeSystem, (HCS_SYSTEM compute_system, PCWSTR configuration, PWSTR *result))  \
    X(HcsModifyServiceSettings, (PCWSTR settings, PWSTR *result))                                \
    X(HcsRegisterComputeSystemCallback, (HCS_SYSTEM compute_system,                              \
                                         hcsoci_hcs_notification_callback callback,              \
                                         void *context, HCS_CALLBACK *callback_handle))          \
    X(HcsUnregisterComputeSystemCallback, (HCS_CALLBACK callback_handle))                        \
    X(HcsCreateProcess, (HCS_SYSTEM compute_system, PCWSTR process_parameters,                   \
                         hcsoci_hcs_process_information *process_information,                    \
                         HCS_PROCESS *process, PWSTR *result))                                   \
    X(HcsOpenProcess, (HCS_SYSTEM compute_system, DWORD process_id, HCS_PROCESS *process,        \
                       PWSTR *result))                                                           \
    X(HcsCloseProcess, (HCS_PROCESS process))                                                    \
    X(HcsTerminateProcess, (HCS_PROCESS process, PWSTR *result))                                 \
    X(HcsSignalProcess, (HCS_PROCESS process, PCWSTR options, PWSTR *result))                    \
    X(HcsGetProcessInfo, (HCS_PROCESS process,                                                   \
                          hcsoci_hcs_process_information *process_information, PWSTR *result))  \
    X(HcsGetProcessProperties, (HCS_PROCESS process, PWSTR *process_properties, PWSTR *result))  \
    X(HcsModifyProcess, (HCS_PROCESS process, PCWSTR settings, PWSTR *result))                   \
    X(HcsGetServiceProperties, (PCWSTR property_query, PWSTR *properties, PWSTR *result))        \
    X(HcsRegisterProcessCallback, (HCS_PROCESS process,                                          \
                                   hcsoci_hcs_notification_callback callback, void *context,     \
                                   HCS_CALLBACK *callback_handle))                               \
    X(HcsUnregisterProcessCallback, (HCS_CALLBACK callback_handle))                              \
    X(HNSCall, (PCWSTR method, PCWSTR path, PCWSTR object, PWSTR *response))                     \
    X(ActivateLayer, (const hcsoci_layer_driver_info *info, PCWSTR id))                          \
    X(CopyLayer, (const hcsoci_layer_driver_info *info, PCWSTR source_id, PCWSTR destination_id, \
                  const hcsoci_layer_descriptor *descriptors, ULONG descriptor_count))           \
    X(CreateLayer, (const hcsoci_layer_driver_info *info, PCWSTR id, PCWSTR parent))             \
    X(CreateSandboxLayer, (const hcsoci_layer_driver_info *info, PCWSTR id, UINT_PTR parent,     \
                           const hcsoci_layer_descriptor *descriptors, ULONG descriptor_count))  \
    X(ExpandSandboxSize, (const hcsoci_layer_driver_info *info, PCWSTR id, ULONGLONG size))      \
    X(DeactivateLayer, (const hcsoci_layer_driver_info *info, PCWSTR id))                        \
    X(DestroyLayer, (const hcsoci_layer_driver_info *info, PCWSTR id))                           \
    X(ExportLayer, (const hcsoci_layer_driver_info *info, PCWSTR id, PCWSTR path,                \
                    const hcsoci_layer_descriptor *descriptors, ULONG descriptor_count))         \
    X(GetLayerMountPath, (const hcsoci_layer_driver_info *info, PCWSTR id, UINT_PTR *length,     \
                          PWSTR buffer))                                                         \
    X(GetBaseImages, (PWSTR *buffer))                                                            \
    X(ImportLayer, (const hcsoci_layer_driver_info *info, PCWSTR id, PCWSTR path,                \
                    const hcsoci_layer_descriptor *descriptors, ULONG descriptor_count))         \
    X(LayerExists, (const hcsoci_layer_driver_info *info, PCWSTR id, ULONG *exists))             \
    X(NameToGuid, (PCWSTR name, GUID *guid))                                                     \
    X(PrepareLayer, (const hcsoci_layer_driver_info *info, PCWSTR id,                            \
                     const hcsoci_layer_descriptor *descriptors, ULONG descriptor_count))        \
    X(UnprepareLayer, (const hcsoci_layer_driver_info *info, PCWSTR id))                         \
    X(ProcessBaseImage, (PCWSTR path))                                                           \
    X(ProcessUtilityImage, (PCWSTR path))                                                        \
    X(GrantVmAccess, (PCWSTR vm_id, PCWSTR file_path))

/* A function pointer type per export: hcsoci_vmcompute_<name>_fn. */
#define HCSOCI_VMCOMPUTE_DECLARE_TYPE(name, parameters)                                          \
    typedef HRESULT(WINAPI *hcsoci_vmcompute_##name##_fn) parameters;
HCSOCI_VMCOMPUTE_EXPORTS(HCSOCI_VMCOMPUTE_DECLARE_TYPE)
#undef HCSOCI_VMCOMPUTE_DECLARE_TYPE

#ifdef __cplusplus
}
#endif
#endif
