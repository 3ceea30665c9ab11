/* The Windows host (hcsoci/windows_host.h): its ops table, how it is made and destroyed. */
#include "windows_host_internal.h"

#include <stdlib.h>

#include <hcsoci/alloc.h>

static void windows_destroy(hcsoci_host *base)
{
    windows_host *host = (windows_host *)base;
    EnterCriticalSection(&host->lock);
    windows_close_all_compute_systems(host);
    LeaveCriticalSection(&host->lock);
    DeleteCriticalSection(&host->lock);
    windows_vmcompute_unload(&host->dll);
    free(host->program_directory);
    free(host);
}

static const hcsoci_host_ops windows_ops = {
    .size = sizeof(hcsoci_host_ops),
    .create_compute_system = windows_create_compute_system,
    .modify_compute_system = windows_modify_compute_system,
    .modify_service_settings = windows_modify_service_settings,
    .get_service_properties = windows_get_service_properties,
    .grant_vm_access = windows_grant_vm_access,
    .run_guest_process = windows_run_guest_process,
    .hns_call = windows_hns_call,
    .name_to_guid = windows_name_to_guid,
    .activate_layer = windows_activate_layer,
    .prepare_layer = windows_prepare_layer,
    .get_layer_mount_path = windows_get_layer_mount_path,
    .unprepare_layer = windows_unprepare_layer,
    .deactivate_layer = windows_deactivate_layer,
    .create_sandbox_layer = windows_create_sandbox_layer,
    .stat_path = windows_stat_path,
    .make_directory = windows_make_directory,
    .os_build = windows_os_build,
    .processor_count = windows_processor_count,
    .program_directory = windows_program_directory,
    .new_guid = windows_new_guid,
    .destroy = windows_destroy,
    .start_compute_system = windows_start_compute_system,
    .terminate_compute_system = windows_terminate_compute_system,
    .close_compute_system = windows_close_compute_system,
};

bool hcsoci_windows_host_available(void)
{
    windows_vmcompute dll;
    if (windows_vmcompute_load(&dll, NULL) != 0)
        return false;
    windows_vmcompute_unload(&dll);
    return true;
}

int windows_host_new_with_dll(const windows_vmcompute *dll, hcsoci_host **result,
                              hcsoci_error **error)
{
    windows_host *host = hcsoci_calloc(1, sizeof *host);
    if (host == NULL)
        return hcsoci_fail_out_of_memory(error);
    host->program_directory = windows_find_program_directory(error);
    if (host->program_directory == NULL) {
        free(host);
        return -1;
    }
    host->dll = *dll;
    InitializeCriticalSection(&host->lock);
    host->base.ops = &windows_ops;
    host->create_timeout_ms = windows_timeout_ms("HCSSHIM_TIMEOUT_SYSTEMCREATE");
    host->start_timeout_ms = windows_timeout_ms("HCSSHIM_TIMEOUT_SYSTEMSTART");
    host->process_timeout_ms = windows_timeout_ms("HCSSHIM_TIMEOUT_EXTERNALCOMMANDCOMPLETE");
    *result = &host->base;
    return 0;
}

int hcsoci_windows_host_new(hcsoci_host **result, hcsoci_error **error)
{
    if (result == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "Windows host: no place for the host given");
    *result = NULL;
    windows_vmcompute dll;
    if (windows_vmcompute_load(&dll, error) != 0)
        return -1;
    if (windows_host_new_with_dll(&dll, result, error) != 0) {
        windows_vmcompute_unload(&dll);
        return -1;
    }
    return 0;
}
