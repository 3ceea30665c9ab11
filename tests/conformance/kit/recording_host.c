/* The recording host: forwards every call to the sim host and notes, for each call that
 * succeeded, what it acquired or released in the world. These events are what the fault sweep
 * checks the order of removals with (world_check.c).
 *
 * Resources and the calls that add and remove them:
 *   "activated layer <path>"         ActivateLayer / DeactivateLayer
 *   "prepared layer <path>"          PrepareLayer / UnprepareLayer
 *   "compute system <id>"            HcsCreateComputeSystem / HcsCloseComputeSystem (never
 *                                    closed by a create or a release)
 *   "<vm> <ResourcePath>"            HcsModifyComputeSystem Add / Remove; for the VSMB and Plan 9
 *                                    share lists the share's Settings.Name is appended
 *   "<vm> combined layers <root>"    guest-only CombinedLayers Add / Remove
 *   "credential guard instance <id>" HcsModifyServiceSettings AddInstance / RemoveInstance
 *   "HNS namespace <id>"             HNS POST /namespaces/ (id from the answer) / DELETE
 *   "endpoint <id> in namespace <n>" HNS POST .../addresource / .../removeresource
 * Groups: NICs (ResourcePath .../NetworkAdapters/...), HNS namespaces and endpoints are in group
 * "network"; a VM attachment whose host path is one of the case's read-only layer folders (or a
 * file in one) is in group "image layer"; everything else has group "". Other calls (queries,
 * NameToGuid, GrantVmAccess, guest-only requests other than CombinedLayers, starting and
 * terminating a compute system) make no event. */
#include "kit.h"
#include "portable.h"

#include <hcsoci/alloc_testing.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct recording_host {
    hcsoci_host base;
    hcsoci_host *inner;
    const json_t *image_layers;
    json_t *events;
    const char *phase;
    long index; /* traced calls forwarded in this phase */
} recording_host;

static recording_host *recording(hcsoci_host *host)
{
    return (recording_host *)host;
}

/* Appends one event; memory exhaustion only loses the event (the check then reports it). */
static void note(recording_host *host, const char *call, bool add, const char *resource,
                 const char *group)
{
    json_array_append_new(host->events,
                          json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "phase", host->phase,
                                    "index", (json_int_t)host->index, "call", call, "action",
                                    add ? "add" : "remove", "resource", resource, "group",
                                    group));
}

static void note_printf(recording_host *host, const char *call, bool add, const char *group,
                        const char *format, ...) HCSOCI_PRINTF_FORMAT(5, 6);

static void note_printf(recording_host *host, const char *call, bool add, const char *group,
                        const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    char *resource = NULL;
    int length = vasprintf(&resource, format, arguments);
    va_end(arguments);
    if (length >= 0) {
        note(host, call, add, resource, group);
        free(resource);
    }
}

/* Whether path is one of the image layer folders or lies in one (Windows paths, any case). */
static bool in_image_layer(const recording_host *host, const char *path)
{
    size_t index;
    const json_t *folder;
    json_array_foreach(host->image_layers, index, folder) {
        const char *folder_path = json_string_value(folder);
        size_t length = folder_path != NULL ? strlen(folder_path) : 0;
        if (length != 0 && strncasecmp(path, folder_path, length) == 0 &&
            (path[length] == '\0' || path[length] == '\\'))
            return true;
    }
    return false;
}

/* ---- forwarded calls ----
 * Every call runs with the allocation count paused: the sim host stands for the world outside
 * the process, and the notes are the kit's own, so an allocation sweep fails only allocations
 * of the core and the modules. Each op pauses first and resumes through one of these. */

static int leave_int(int result)
{
    hcsoci_alloc_count_resume();
    return result;
}

static hcsoci_path_kind leave_kind(hcsoci_path_kind result)
{
    hcsoci_alloc_count_resume();
    return result;
}

static uint32_t leave_number(uint32_t result)
{
    hcsoci_alloc_count_resume();
    return result;
}

static const char *leave_text(const char *result)
{
    hcsoci_alloc_count_resume();
    return result;
}

static int record_create_compute_system(hcsoci_host *host, const char *id,
                                        const json_t *configuration, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    int result = self->inner->ops->create_compute_system(self->inner, id, configuration, error);
    if (result == 0)
        note_printf(self, "HcsCreateComputeSystem", true, "", "compute system %s", id);
    return leave_int(result);
}

static void note_modify(recording_host *self, const char *id, const json_t *configuration)
{
    const char *resource_path = json_string_value(json_object_get(configuration, "ResourcePath"));
    const char *request_type = json_string_value(json_object_get(configuration, "RequestType"));
    const json_t *settings = json_object_get(configuration, "Settings");
    if (resource_path != NULL && resource_path[0] != '\0' && request_type != NULL) {
        bool add = strcmp(request_type, "Add") == 0;
        if (!add && strcmp(request_type, "Remove") != 0)
            return;
        const char *group = "";
        if (strstr(resource_path, "/NetworkAdapters/") != NULL) {
            group = "network";
        } else {
            const char *host_path = json_string_value(json_object_get(settings, "Path"));
            if (host_path == NULL)
                host_path = json_string_value(json_object_get(settings, "HostPath"));
            if (host_path != NULL && in_image_layer(self, host_path))
                group = "image layer";
        }
        size_t length = strlen(resource_path);
        bool share_list = length >= 7 && strcmp(resource_path + length - 7, "/Shares") == 0;
        const char *share = json_string_value(json_object_get(settings, "Name"));
        if (share_list)
            note_printf(self, "HcsModifyComputeSystem", add, group, "%s %s name=%s", id,
                        resource_path, share != NULL ? share : "(none)");
        else
            note_printf(self, "HcsModifyComputeSystem", add, group, "%s %s", id, resource_path);
        return;
    }
    const json_t *guest = json_object_get(configuration, "GuestRequest");
    const char *type = json_string_value(json_object_get(guest, "ResourceType"));
    const char *guest_request = json_string_value(json_object_get(guest, "RequestType"));
    if (type == NULL || strcmp(type, "CombinedLayers") != 0 || guest_request == NULL)
        return;
    const char *root = json_string_value(
        json_object_get(json_object_get(guest, "Settings"), "ContainerRootPath"));
    bool add = strcmp(guest_request, "Add") == 0;
    if (add || strcmp(guest_request, "Remove") == 0)
        note_printf(self, "HcsModifyComputeSystem", add, "", "%s combined layers %s", id,
                    root != NULL ? root : "(none)");
}

static int record_modify_compute_system(hcsoci_host *host, const char *id,
                                        const json_t *configuration, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    int result = self->inner->ops->modify_compute_system(self->inner, id, configuration, error);
    if (result == 0 && id != NULL)
        note_modify(self, id, configuration);
    return leave_int(result);
}

static int record_modify_service_settings(hcsoci_host *host, const json_t *settings,
                                          hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    int result = self->inner->ops->modify_service_settings(self->inner, settings, error);
    const char *type = json_string_value(json_object_get(settings, "PropertyType"));
    if (result != 0 || type == NULL || strcmp(type, "ContainerCredentialGuard") != 0)
        return leave_int(result);
    const json_t *request = json_object_get(settings, "Settings");
    const char *operation = json_string_value(json_object_get(request, "Operation"));
    const char *instance =
        json_string_value(json_object_get(json_object_get(request, "OperationDetails"), "Id"));
    if (operation != NULL && instance != NULL &&
        (strcmp(operation, "AddInstance") == 0 || strcmp(operation, "RemoveInstance") == 0))
        note_printf(self, "HcsModifyServiceSettings", strcmp(operation, "AddInstance") == 0, "",
                    "credential guard instance %s", instance);
    return leave_int(result);
}

static int record_get_service_properties(hcsoci_host *host, const json_t *property_query,
                                         json_t **properties, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(self->inner->ops->get_service_properties(self->inner, property_query,
                                                              properties, error));
}

static int record_grant_vm_access(hcsoci_host *host, const char *vm_id, const char *file_path,
                                  hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(self->inner->ops->grant_vm_access(self->inner, vm_id, file_path, error));
}

static int record_run_guest_process(hcsoci_host *host, const char *vm_id,
                                    const char *command_line, char **output, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(
        self->inner->ops->run_guest_process(self->inner, vm_id, command_line, output, error));
}

/* The namespace id in "/namespaces/<id>..." (malloc'ed) or NULL. */
static char *namespace_in_path(const char *path)
{
    static const char prefix[] = "/namespaces/";
    if (strncmp(path, prefix, sizeof prefix - 1) != 0)
        return NULL;
    const char *id = path + sizeof prefix - 1;
    size_t length = strcspn(id, "/");
    return length != 0 ? portable_strndup(id, length) : NULL;
}

static void note_hns(recording_host *self, const char *method, const char *path,
                     const json_t *request, const json_t *response)
{
    if (!json_is_true(json_object_get(response, "Success")))
        return;
    if (strcmp(method, "POST") == 0 && strcmp(path, "/namespaces/") == 0) {
        const char *id = json_string_value(json_object_get(json_object_get(response, "Output"),
                                                           "ID"));
        note_printf(self, "HNSCall", true, "network", "HNS namespace %s", id ? id : "(none)");
        return;
    }
    char *namespace_id = namespace_in_path(path);
    if (namespace_id == NULL)
        return;
    const char *rest = path + strlen("/namespaces/") + strlen(namespace_id);
    const char *endpoint =
        json_string_value(json_object_get(json_object_get(request, "Data"), "Id"));
    if (strcmp(method, "DELETE") == 0 && rest[0] == '\0')
        note_printf(self, "HNSCall", false, "network", "HNS namespace %s", namespace_id);
    else if (strcmp(method, "POST") == 0 && strcmp(rest, "/addresource") == 0)
        note_printf(self, "HNSCall", true, "network", "endpoint %s in namespace %s",
                    endpoint != NULL ? endpoint : "(none)", namespace_id);
    else if (strcmp(method, "POST") == 0 && strcmp(rest, "/removeresource") == 0)
        note_printf(self, "HNSCall", false, "network", "endpoint %s in namespace %s",
                    endpoint != NULL ? endpoint : "(none)", namespace_id);
    free(namespace_id);
}

static int record_hns_call(hcsoci_host *host, const char *method, const char *path,
                           const json_t *request, json_t **response, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    int result = self->inner->ops->hns_call(self->inner, method, path, request, response, error);
    if (result == 0 && method != NULL && path != NULL && response != NULL)
        note_hns(self, method, path, request, *response);
    return leave_int(result);
}

static int record_name_to_guid(hcsoci_host *host, const char *name, char **guid,
                               hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(self->inner->ops->name_to_guid(self->inner, name, guid, error));
}

/* The four layer calls that add or remove something share this shape. */
static int layer_event(recording_host *self, const char *call, int result, bool add,
                       const char *kind, const char *path)
{
    if (result == 0 && path != NULL)
        note_printf(self, call, add, "", "%s layer %s", kind, path);
    return result;
}

static int record_activate_layer(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(layer_event(self, "ActivateLayer",
                       self->inner->ops->activate_layer(self->inner, path, error), true,
                       "activated", path));
}

static int record_prepare_layer(hcsoci_host *host, const char *path, const json_t *descriptors,
                                hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(layer_event(self, "PrepareLayer",
                       self->inner->ops->prepare_layer(self->inner, path, descriptors, error),
                       true, "prepared", path));
}

static int record_get_layer_mount_path(hcsoci_host *host, const char *path, char **mount_path,
                                       hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(self->inner->ops->get_layer_mount_path(self->inner, path, mount_path, error));
}

static int record_unprepare_layer(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(layer_event(self, "UnprepareLayer",
                       self->inner->ops->unprepare_layer(self->inner, path, error), false,
                       "prepared", path));
}

static int record_deactivate_layer(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(layer_event(self, "DeactivateLayer",
                       self->inner->ops->deactivate_layer(self->inner, path, error), false,
                       "activated", path));
}

static int record_create_sandbox_layer(hcsoci_host *host, const char *path,
                                       const json_t *descriptors, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(self->inner->ops->create_sandbox_layer(self->inner, path, descriptors, error));
}

/* ---- calls the sim does not trace ---- */

static hcsoci_path_kind record_stat_path(hcsoci_host *host, const char *path, uint64_t *size)
{
    hcsoci_alloc_count_pause();
    hcsoci_host *inner = recording(host)->inner;
    return leave_kind(inner->ops->stat_path(inner, path, size));
}

static int record_make_directory(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    hcsoci_host *inner = recording(host)->inner;
    return leave_int(inner->ops->make_directory(inner, path, error));
}

static uint32_t record_os_build(hcsoci_host *host)
{
    hcsoci_alloc_count_pause();
    hcsoci_host *inner = recording(host)->inner;
    return leave_number(inner->ops->os_build(inner));
}

static uint32_t record_processor_count(hcsoci_host *host)
{
    hcsoci_alloc_count_pause();
    hcsoci_host *inner = recording(host)->inner;
    return leave_number(inner->ops->processor_count(inner));
}

static const char *record_program_directory(hcsoci_host *host)
{
    hcsoci_alloc_count_pause();
    hcsoci_host *inner = recording(host)->inner;
    return leave_text(inner->ops->program_directory(inner));
}

static void record_new_guid(hcsoci_host *host, char guid[37])
{
    hcsoci_alloc_count_pause();
    hcsoci_host *inner = recording(host)->inner;
    inner->ops->new_guid(inner, guid);
    hcsoci_alloc_count_resume();
}

static int record_start_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(self->inner->ops->start_compute_system(self->inner, id, error));
}

static int record_terminate_compute_system(hcsoci_host *host, const char *id,
                                           hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    return leave_int(self->inner->ops->terminate_compute_system(self->inner, id, error));
}

static int record_close_compute_system(hcsoci_host *host, const char *id, hcsoci_error **error)
{
    hcsoci_alloc_count_pause();
    recording_host *self = recording(host);
    self->index++;
    int result = self->inner->ops->close_compute_system(self->inner, id, error);
    if (result == 0)
        note_printf(self, "HcsCloseComputeSystem", false, "", "compute system %s", id);
    return leave_int(result);
}

static void record_destroy(hcsoci_host *host)
{
    recording_host *self = recording(host);
    json_decref(self->events);
    free(self);
}

static const hcsoci_host_ops recording_ops = {
    .size = sizeof(hcsoci_host_ops),
    .create_compute_system = record_create_compute_system,
    .modify_compute_system = record_modify_compute_system,
    .modify_service_settings = record_modify_service_settings,
    .get_service_properties = record_get_service_properties,
    .grant_vm_access = record_grant_vm_access,
    .run_guest_process = record_run_guest_process,
    .hns_call = record_hns_call,
    .name_to_guid = record_name_to_guid,
    .activate_layer = record_activate_layer,
    .prepare_layer = record_prepare_layer,
    .get_layer_mount_path = record_get_layer_mount_path,
    .unprepare_layer = record_unprepare_layer,
    .deactivate_layer = record_deactivate_layer,
    .create_sandbox_layer = record_create_sandbox_layer,
    .stat_path = record_stat_path,
    .make_directory = record_make_directory,
    .os_build = record_os_build,
    .processor_count = record_processor_count,
    .program_directory = record_program_directory,
    .new_guid = record_new_guid,
    .destroy = record_destroy,
    .start_compute_system = record_start_compute_system,
    .terminate_compute_system = record_terminate_compute_system,
    .close_compute_system = record_close_compute_system,
};

hcsoci_host *kit_recording_host_new(hcsoci_host *inner, const json_t *image_layers)
{
    recording_host *self = calloc(1, sizeof *self);
    if (self == NULL)
        return NULL;
    self->base.ops = &recording_ops;
    self->inner = inner;
    self->image_layers = image_layers;
    self->phase = "create";
    self->events = json_array();
    if (self->events == NULL) {
        free(self);
        return NULL;
    }
    return &self->base;
}

void kit_recording_host_set_phase(hcsoci_host *host, const char *phase)
{
    recording(host)->phase = phase;
    recording(host)->index = 0;
}

const json_t *kit_recording_host_events(hcsoci_host *host)
{
    return recording(host)->events;
}
