/* Fuzz target fuzz_host_answers: the host's answers are the input. The input is a simulated
 * host's world description (JSON text: Windows build, processor count, files, layer ids,
 * layer mount path, HNS endpoint records and namespaces, the ids new namespaces get, the GUID
 * generator's seed, guest command outputs, a call to fail); a fixed set of conformance cases
 * (networking, a given namespace, a credential spec, a Windows VM with mounts, LCOW with
 * networking and a GPU) is created against a fresh sim host of that world each, and released
 * when the create succeeded. Any return code is fine. Findings: crashes, leaks, undefined
 * behaviour, and a host left holding something when the world gave no reason to:
 *   - when the world's failCall was reached, anything goes (the world failed a call, maybe a
 *     releasing one, on purpose);
 *   - when the release reported an error, the world refused a release: anything goes;
 *   - otherwise the host must hold what it held before (after the create's rollback, or after
 *     the release and closing the compute system), except that it may hold fewer namespace
 *     endpoints: a world whose namespace already lists an endpoint makes the add a no-op that
 *     the release then undoes (HNS's own behaviour), and more HNS namespaces when the world's
 *     hnsNewNamespaceIds holds an id the network module refuses to put in a request path (not
 *     1 to 64 letters, digits, '-', '{' or '}': HNS then made a namespace whose id the module
 *     rejects, and so cannot delete). */
#include "fuzz_support.h"

#include <hcsoci/replay.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fixed_cases[] = {
    "020-argon-v2-network-create-namespace",
    "021-argon-v2-network-given-namespace",
    "036-argon-v2-credential-spec",
    "050-xenon-v2-mounts-vsmb-pipe-scsi",
    "068-lcow-basic-vpmem",
    "077-lcow-network-create-namespace",
    "079-lcow-gpu-device",
};
enum { FIXED_CASE_COUNT = sizeof fixed_cases / sizeof fixed_cases[0] };

static json_t *loaded_cases[FIXED_CASE_COUNT];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < FIXED_CASE_COUNT; i++) {
        char relative[256];
        snprintf(relative, sizeof relative, "tests/conformance/cases/%s.json", fixed_cases[i]);
        loaded_cases[i] = fuzz_load_source_json(relative);
    }
    fuzz_shared_runtime();
    return 0;
}

/* True when the world's failCall has been reached on sim. */
static bool fail_call_reached(hcsoci_host *sim, const json_t *world)
{
    const json_t *fail_call = json_object_get(world, "failCall");
    const char *call = json_string_value(json_object_get(fail_call, "call"));
    if (call == NULL)
        return false;
    return fuzz_sim_call_count(sim, call) >= json_integer_value(json_object_get(fail_call, "nth"));
}

/* Whether the network module takes id into an HNS request path (plugins/network/hns.c). */
static bool usable_hns_id(const char *id)
{
    size_t length = id != NULL ? strlen(id) : 0;
    if (length == 0 || length > 64)
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '{' || c == '}'))
            return false;
    }
    return true;
}

/* Whether the world would answer a new namespace with an id the network module refuses. */
static bool answers_unusable_namespace_ids(const json_t *world)
{
    size_t index;
    json_t *id;
    json_array_foreach(json_object_get(world, "hnsNewNamespaceIds"), index, id) {
        if (!usable_hns_id(json_string_value(id)))
            return true;
    }
    return false;
}

/* Lowers counter in after to its value in before when after holds more: an allowed excess. */
static void allow_more(json_t *after, const json_t *before, const char *counter)
{
    json_int_t held_before = json_integer_value(json_object_get(before, counter));
    if (json_integer_value(json_object_get(after, counter)) > held_before)
        json_object_set_new(after, counter, json_integer(held_before));
}

/* The held check of the comment above. */
static void expect_nothing_more_held(hcsoci_host *sim, const json_t *world, const json_t *before,
                                     const char *case_name)
{
    json_t *after = hcsoci_sim_host_held(sim);
    if (after == NULL)
        fuzz_finding("the sim host cannot say what it holds", case_name);
    json_int_t endpoints_before = json_integer_value(json_object_get(before, "namespaceEndpoints"));
    json_int_t endpoints_after = json_integer_value(json_object_get(after, "namespaceEndpoints"));
    if (endpoints_after < endpoints_before)
        json_object_set_new(after, "namespaceEndpoints", json_integer(endpoints_before));
    if (answers_unusable_namespace_ids(world))
        allow_more(after, before, "hnsNamespaces");
    bool same = json_equal(before, after);
    json_decref(after);
    if (!same)
        fuzz_expect_held(sim, before, case_name); /* aborts, printing the real counts */
}

static void run_case(const json_t *world, const json_t *test_case, const char *case_name)
{
    hcsoci_host *sim = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(world, &sim, &error) != 0) {
        hcsoci_error_free(error);
        return;
    }
    hcsoci_sim_host_set_journal(sim, HCSOCI_SIM_JOURNAL_OFF, NULL, NULL, NULL);
    hcsoci_host *host = fuzz_shared_switch_host();
    fuzz_switch_host_set(host, sim);

    hcsoci_create_options options = {0};
    hcsoci_schema_version schema;
    hcsoci_uvm *uvm = NULL;
    if (hcsoci_case_create_options(json_object_get(test_case, "options"), &options, &schema,
                                   &error) != 0 ||
        hcsoci_case_hosting_system(host, test_case, &uvm, &error) != 0)
        fuzz_finding("a fixed case does not load", case_name);
    options.spec = json_object_get(test_case, "spec");
    options.hosting_system = uvm;
    options.do_not_release_resources_on_failure = false;
    if (options.id == NULL || options.id[0] == '\0')
        options.id = "fuzz-host-answers";

    json_t *held_before = hcsoci_sim_host_held(sim);
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    int created = hcsoci_create_container(fuzz_shared_runtime(), &options, &container, &resources,
                                          &error);
    fuzz_note_outcome(case_name, error);
    hcsoci_error_free(error);
    error = NULL;
    bool release_failed = false;
    if (created == 0) {
        release_failed = hcsoci_release_resources(fuzz_shared_runtime(), resources, uvm, true,
                                                  &error) != 0;
        if (error != NULL)
            fuzz_note_outcome("release", error);
        hcsoci_error_free(error);
        fuzz_end_compute_system(host, options.id);
    }
    if (!release_failed && !fail_call_reached(sim, world))
        expect_nothing_more_held(sim, world, held_before, case_name);

    json_decref(held_before);
    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    hcsoci_uvm_free(uvm);
    fuzz_switch_host_set(host, NULL);
    hcsoci_host_destroy(sim);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (loaded_cases[0] == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    json_t *world = fuzz_parse_json(data, size);
    if (world == NULL)
        return 0;
    for (size_t i = 0; i < FIXED_CASE_COUNT; i++)
        run_case(world, loaded_cases[i], fixed_cases[i]);
    json_decref(world);
    return 0;
}
