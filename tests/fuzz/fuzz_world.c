/* Fuzz target fuzz_world: the input is a simulated host's world description (JSON text, the
 * `host` part of a conformance case, what `hcsoci --world FILE` reads). When hcsoci_sim_host_new
 * takes it, a few host calls follow, each answered from the world: the facts (build, processor
 * count, program directory, a GUID), the world and held counts as `hcsoci host inspect` prints
 * them, the saved state and a host rebuilt from it (whose saved state must be the same), every
 * file and layer of the world (stat, NameToGuid, activate/prepare/mount path and back), HNS
 * queries of the endpoints and namespaces, a namespace created and deleted, and the guest
 * processes the world knows. Any return code is fine; crashes, leaks, undefined behaviour and
 * a saved state that does not survive being loaded again are findings. */
#include "fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ignore_error(int result, hcsoci_error *error)
{
    (void)result;
    hcsoci_error_free(error);
}

/* The saved state must load again into a host whose saved state is the same. */
static void check_saved_state(hcsoci_host *host)
{
    json_t *saved = hcsoci_sim_host_to_json(host);
    if (saved == NULL)
        fuzz_finding("hcsoci_sim_host_to_json failed", NULL);
    hcsoci_host *reloaded = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_from_json(saved, &reloaded, &error) != 0)
        fuzz_finding("the sim host's saved state does not load again",
                     error != NULL ? error->message : NULL);
    json_t *saved_again = hcsoci_sim_host_to_json(reloaded);
    fuzz_expect_same_json(saved, saved_again,
                          "the sim host's saved state changes when it is loaded again");
    json_decref(saved_again);
    json_decref(saved);
    hcsoci_host_destroy(reloaded);
}

static void touch_layers(hcsoci_host *host, const json_t *world)
{
    const char *path;
    json_t *value;
    json_object_foreach((json_t *)json_object_get(world, "files"), path, value) {
        uint64_t size = 0;
        host->ops->stat_path(host, path, &size);
    }
    json_object_foreach((json_t *)json_object_get(world, "layerIds"), path, value) {
        hcsoci_error *error = NULL;
        char *guid = NULL;
        ignore_error(host->ops->name_to_guid(host, path, &guid, &error), error);
        free(guid);
        error = NULL;
        if (host->ops->activate_layer(host, path, &error) != 0) {
            hcsoci_error_free(error);
            continue;
        }
        json_t *descriptors = json_pack("[{s:s,s:i,s:s}]", "LayerId",
                                        "00000000-0000-0000-0000-000000000000", "Flags", 0,
                                        "Path", path);
        if (host->ops->prepare_layer(host, path, descriptors, &error) == 0) {
            char *mount_path = NULL;
            ignore_error(host->ops->get_layer_mount_path(host, path, &mount_path, &error), error);
            free(mount_path);
            error = NULL;
            ignore_error(host->ops->unprepare_layer(host, path, &error), error);
        } else {
            hcsoci_error_free(error);
        }
        json_decref(descriptors);
        error = NULL;
        ignore_error(host->ops->deactivate_layer(host, path, &error), error);
    }
}

static void hns_call(hcsoci_host *host, const char *method, const char *path,
                     const json_t *request, json_t **response)
{
    hcsoci_error *error = NULL;
    *response = NULL;
    if (host->ops->hns_call(host, method, path, request, response, &error) != 0) {
        hcsoci_error_free(error);
        json_decref(*response);
        *response = NULL;
    }
}

static void touch_hns(hcsoci_host *host, const json_t *world)
{
    json_t *response = NULL;
    hns_call(host, "GET", "/endpoints/", NULL, &response);
    json_decref(response);
    hns_call(host, "GET", "/namespaces/", NULL, &response);
    json_decref(response);
    size_t index;
    json_t *endpoint;
    json_array_foreach(json_object_get(world, "hnsEndpoints"), index, endpoint) {
        const char *id = json_string_value(json_object_get(endpoint, "ID"));
        char path[512];
        snprintf(path, sizeof path, "/endpoints/%s", id != NULL ? id : "");
        hns_call(host, "GET", path, NULL, &response);
        json_decref(response);
    }
    /* A namespace created, an endpoint added to it and removed, the namespace deleted. */
    hns_call(host, "POST", "/namespaces/", NULL, &response);
    const char *namespace_id = json_string_value(json_object_get(response, "ID"));
    if (namespace_id == NULL)
        namespace_id = json_string_value(
            json_object_get(json_object_get(response, "Output"), "ID"));
    char *created = namespace_id != NULL ? strdup(namespace_id) : NULL;
    json_decref(response);
    if (created == NULL)
        return;
    const char *endpoint_id =
        json_string_value(json_object_get(json_array_get(json_object_get(world, "hnsEndpoints"), 0),
                                          "ID"));
    char path[512];
    if (endpoint_id != NULL) {
        json_t *request = json_pack("{s:s,s:{s:s}}", "Type", "Endpoint", "Data", "Id",
                                    endpoint_id);
        snprintf(path, sizeof path, "/namespaces/%s/addresource", created);
        hns_call(host, "POST", path, request, &response);
        json_decref(response);
        snprintf(path, sizeof path, "/namespaces/%s/removeresource", created);
        hns_call(host, "POST", path, request, &response);
        json_decref(response);
        json_decref(request);
    }
    snprintf(path, sizeof path, "/namespaces/%s", created);
    hns_call(host, "DELETE", path, NULL, &response);
    json_decref(response);
    free(created);
}

static void touch_guest_processes(hcsoci_host *host, const json_t *world)
{
    const char *vm_id;
    json_t *commands;
    json_object_foreach((json_t *)json_object_get(world, "guestProcessOutputs"), vm_id, commands) {
        const char *command_line;
        json_t *output;
        json_object_foreach(commands, command_line, output) {
            char *printed = NULL;
            hcsoci_error *error = NULL;
            ignore_error(host->ops->run_guest_process(host, vm_id, command_line, &printed,
                                                      &error),
                         error);
            free(printed);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *world = fuzz_parse_json(data, size);
    if (world == NULL)
        return 0;
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(world, &host, &error) != 0) {
        hcsoci_error_free(error);
        json_decref(world);
        return 0;
    }
    host->ops->os_build(host);
    host->ops->processor_count(host);
    host->ops->program_directory(host);
    char guid[37];
    host->ops->new_guid(host, guid);
    if (strlen(guid) != 36)
        fuzz_finding("new_guid did not write a GUID", guid);
    json_t *current = hcsoci_sim_host_world(host);
    if (current == NULL)
        fuzz_finding("hcsoci_sim_host_world failed", NULL);
    free(json_dumps(current, JSON_INDENT(2)));
    json_decref(current);
    check_saved_state(host);
    touch_layers(host, world);
    touch_hns(host, world);
    touch_guest_processes(host, world);
    check_saved_state(host);
    json_decref(hcsoci_sim_host_take_journal(host));
    hcsoci_host_destroy(host);
    json_decref(world);
    return 0;
}
