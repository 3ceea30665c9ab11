/* Fuzz target fuzz_spec: the input is an OCI runtime spec (JSON text). It is created and then
 * released four times on a fresh simulated host (so that no input depends on the ones before
 * it): process isolated (the schema the host's build picks, then schema 1.0), in a Windows
 * utility VM and in a Linux utility VM. The host's world is every conformance case's world
 * without a failing call, merged, so that the layer folders, files and HNS endpoints of the
 * corpus exist. Any return code is fine; a finding is a crash, a leak, undefined behaviour, or
 * a host that holds more or less after the create failed (its rollback) or after the release
 * than before it (abort()). */
#include "fuzz_support.h"

#include <hcsoci/replay.h>

/* The cases whose hostingSystem members describe the two utility VMs. */
#define WINDOWS_VM_CASE "tests/conformance/cases/049-xenon-v2-basic.json"
#define LINUX_VM_CASE "tests/conformance/cases/068-lcow-basic-vpmem.json"

static json_t *spec_world;            /* the world of each input's sim host */
static hcsoci_host *spec_host;        /* the current input's sim host */
static json_t *windows_vm_case;       /* a case whose hostingSystem is a Windows VM */
static json_t *linux_vm_case;         /* ... a Linux VM */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    spec_world = fuzz_merged_corpus_world();
    windows_vm_case = fuzz_load_source_json(WINDOWS_VM_CASE);
    linux_vm_case = fuzz_load_source_json(LINUX_VM_CASE);
    fuzz_shared_runtime();
    return 0;
}

/* One create and its release (or the create's own rollback), then the held check. */
static void create_and_release(const json_t *spec, const char *id,
                               const hcsoci_schema_version *schema, const json_t *vm_case,
                               const char *what)
{
    hcsoci_runtime *runtime = fuzz_shared_runtime();
    hcsoci_host *host = fuzz_shared_switch_host();
    json_t *held_before = hcsoci_sim_host_held(spec_host);
    hcsoci_uvm *uvm = NULL;
    hcsoci_error *error = NULL;
    if (vm_case != NULL && hcsoci_case_hosting_system(host, vm_case, &uvm, &error) != 0)
        fuzz_finding("the utility VM of the corpus cannot be made",
                     error != NULL ? error->message : NULL);

    hcsoci_create_options options = {.id = id,
                                     .owner = "fuzz-owner",
                                     .spec = spec,
                                     .schema_version = schema,
                                     .hosting_system = uvm};
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    int created = hcsoci_create_container(runtime, &options, &container, &resources, &error);
    fuzz_note_outcome(what, error);
    hcsoci_error_free(error);
    error = NULL;
    if (created == 0) {
        hcsoci_release_resources(runtime, resources, uvm, true, &error);
        if (error != NULL)
            fuzz_note_outcome("release", error);
        hcsoci_error_free(error);
        fuzz_end_compute_system(host, id);
    }
    fuzz_expect_held(spec_host, held_before, what);
    json_decref(held_before);
    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    hcsoci_uvm_free(uvm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (spec_world == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    json_t *spec = fuzz_parse_json(data, size);
    if (spec == NULL)
        return 0;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(spec_world, &spec_host, &error) != 0 ||
        hcsoci_sim_host_set_journal(spec_host, HCSOCI_SIM_JOURNAL_OFF, NULL, NULL, &error) != 0)
        fuzz_finding("the corpus's merged world makes no sim host",
                     error != NULL ? error->message : NULL);
    fuzz_switch_host_set(fuzz_shared_switch_host(), spec_host);
    static const hcsoci_schema_version schema_1_0 = {1, 0};
    create_and_release(spec, "fuzz-spec-argon", NULL, NULL, "process isolated, default schema");
    create_and_release(spec, "fuzz-spec-argon-v1", &schema_1_0, NULL,
                       "process isolated, schema 1.0");
    create_and_release(spec, "fuzz-spec-xenon", NULL, windows_vm_case, "in a Windows VM");
    create_and_release(spec, "fuzz-spec-lcow", NULL, linux_vm_case, "in a Linux VM");
    fuzz_switch_host_set(fuzz_shared_switch_host(), NULL);
    hcsoci_host_destroy(spec_host);
    spec_host = NULL;
    json_decref(spec);
    return 0;
}
