/* Running one corpus case the way hcsoci_replay_case does (a fresh sim world, one create, the
 * release of everything after a success), with three additions for the sweeps: a host call to
 * fail, an allocation of the create to fail, and the release of the ledger a create kept on
 * failure. The runtime and the utility VM talk to the sim through the recording host, so that
 * every acquisition and removal is noted with its order. */
#include "kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc_testing.h>
#include <hcsoci/replay.h>
#include <hcsoci/sim.h>
#include <hcsoci/spec.h>


/* The world of the case with the fault's failCall put in (new reference). */
static json_t *world_with_fault(const json_t *test_case, const kit_fault *fault)
{
    const json_t *host = json_object_get(test_case, "host");
    json_t *world = json_is_object(host) ? json_deep_copy(host) : json_object();
    if (world != NULL && fault != NULL && fault->call != NULL &&
        json_object_set_new(world, "failCall",
                            json_pack("{s:s, s:I}", "call", fault->call, "nth",
                                      (json_int_t)fault->nth)) != 0) {
        json_decref(world);
        return NULL;
    }
    return world;
}

/* The case's read-only layer folders: windows.layerFolders without the last (the scratch). */
static json_t *image_layer_folders(const json_t *test_case)
{
    const json_t *folders = json_object_get(
        json_object_get(json_object_get(test_case, "spec"), "windows"), "layerFolders");
    json_t *layers = json_array();
    size_t count = json_array_size(folders);
    for (size_t index = 0; layers != NULL && index + 1 < count; index++)
        json_array_append(layers, json_array_get(folders, index));
    return layers;
}

static json_t *error_text(const hcsoci_error *error)
{
    return error != NULL ? json_string(error->message) : json_null();
}

static int setup_failed(char **problem, hcsoci_error *error, const char *what)
{
    if (asprintf(problem, "%s: %s", what, error != NULL ? error->message : "out of memory") < 0)
        *problem = NULL;
    hcsoci_error_free(error);
    return -1;
}

/* The parts of a run that are torn down together. */
typedef struct run_world {
    hcsoci_host *sim;
    hcsoci_host *recorder;
    hcsoci_runtime *runtime;
    hcsoci_uvm *uvm;
    json_t *image_layers;
} run_world;

static void run_world_free(run_world *world)
{
    hcsoci_uvm_free(world->uvm);
    hcsoci_runtime_free(world->runtime);
    hcsoci_host_destroy(world->recorder);
    hcsoci_host_destroy(world->sim);
    json_decref(world->image_layers);
}

static int run_world_open(const json_t *test_case, const hcsoci_runtime_options *runtime_options,
                          const kit_fault *fault, run_world *world, char **problem)
{
    hcsoci_error *error = NULL;
    json_t *description = world_with_fault(test_case, fault);
    if (description == NULL)
        return setup_failed(problem, NULL, "cannot describe the world");
    int result = hcsoci_sim_host_new(description, &world->sim, &error);
    json_decref(description);
    if (result != 0)
        return setup_failed(problem, error, "cannot make the sim host");
    world->image_layers = image_layer_folders(test_case);
    world->recorder = kit_recording_host_new(world->sim, world->image_layers);
    if (world->image_layers == NULL || world->recorder == NULL)
        return setup_failed(problem, NULL, "cannot make the recording host");
    hcsoci_runtime_options options = *runtime_options;
    options.host = world->recorder;
    if (hcsoci_runtime_new(&options, &world->runtime, &error) != 0)
        return setup_failed(problem, error, "cannot load the modules");
    if (hcsoci_case_hosting_system(world->recorder, test_case, &world->uvm, &error) != 0)
        return setup_failed(problem, error, "cannot make the utility VM");
    return 0;
}

int kit_run_case(const json_t *test_case, const hcsoci_runtime_options *runtime_options,
                 const kit_fault *fault, kit_run *run, char **problem)
{
    memset(run, 0, sizeof *run);
    *problem = NULL;
    hcsoci_create_options create = {0};
    hcsoci_schema_version schema;
    hcsoci_error *error = NULL;
    if (!json_is_object(test_case))
        return setup_failed(problem, hcsoci_error_new(HCSOCI_E_INVALID, "not an object"),
                            "invalid case");
    if (hcsoci_case_create_options(json_object_get(test_case, "options"), &create, &schema,
                                   &error) != 0)
        return setup_failed(problem, error, "invalid case");
    create.spec = json_object_get(test_case, "spec");
    if (fault != NULL && fault->keep_resources_on_failure)
        create.do_not_release_resources_on_failure = true;

    run_world world = {0};
    if (run_world_open(test_case, runtime_options, fault, &world, problem) != 0) {
        run_world_free(&world);
        return -1;
    }
    create.hosting_system = world.uvm;
    run->held_before = hcsoci_sim_host_held(world.sim);

    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *create_error = NULL, *release_error = NULL;
    hcsoci_alloc_count_start(fault != NULL ? fault->allocation : 0);
    run->created =
        hcsoci_create_container(world.runtime, &create, &container, &resources, &create_error) ==
        0;
    run->allocations = hcsoci_alloc_count_stop(&run->allocation_failed);
    run->error_code = create_error != NULL ? create_error->code : 0;
    json_t *calls = json_deep_copy(hcsoci_sim_host_journal(world.sim));
    run->held_after_create = hcsoci_sim_host_held(world.sim);
    json_t *release_calls = json_null();
    /* A ledger kept on failure is released only for the sweep, never in a plain corpus run
     * (whose trace must read like the reference's). */
    bool release = resources != NULL &&
                   (run->created || (fault != NULL && fault->keep_resources_on_failure));
    if (release) {
        hcsoci_sim_host_journal_clear(world.sim);
        kit_recording_host_set_phase(world.recorder, "release");
        hcsoci_alloc_count_start(fault != NULL ? fault->release_allocation : 0);
        run->first_release_failed = hcsoci_release_resources(world.runtime, resources, world.uvm,
                                                             true, &release_error) != 0;
        run->release_allocations = hcsoci_alloc_count_stop(&run->release_allocation_failed);
        if (fault != NULL && fault->release_again) {
            hcsoci_error *again_error = NULL;
            hcsoci_release_resources(world.runtime, resources, world.uvm, true, &again_error);
            run->second_release_error = error_text(again_error);
            hcsoci_error_free(again_error);
        }
        json_decref(release_calls);
        release_calls = json_deep_copy(hcsoci_sim_host_journal(world.sim));
        run->held_after_release = hcsoci_sim_host_held(world.sim);
        run->released = true;
    }
    run->trace = json_pack("{s:o, s:o, s:o, s:o}", "calls", calls, "error",
                           error_text(create_error), "releaseCalls", release_calls,
                           "releaseError", error_text(release_error));
    run->events = json_deep_copy(kit_recording_host_events(world.recorder));
    hcsoci_error_free(create_error);
    hcsoci_error_free(release_error);
    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    run_world_free(&world);
    if (run->trace == NULL || run->events == NULL || run->held_before == NULL ||
        run->held_after_create == NULL || (release && run->held_after_release == NULL)) {
        kit_run_clear(run);
        return setup_failed(problem, NULL, "cannot record the run");
    }
    return 0;
}

void kit_run_clear(kit_run *run)
{
    json_decref(run->trace);
    json_decref(run->held_before);
    json_decref(run->held_after_create);
    json_decref(run->held_after_release);
    json_decref(run->events);
    json_decref(run->second_release_error);
    memset(run, 0, sizeof *run);
}
