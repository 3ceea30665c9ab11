/* Threads: one runtime, one simulated host and one utility VM shared by 8 threads that create
 * and release containers at once, as a shim creating a pod's containers concurrently does
 * (hcsoci.h promises this). For each kind of VM the containers are corpus cases that share
 * VSMB shares, SCSI attachments, vPMEM devices, Plan 9 shares, pipes, network namespaces and
 * credential guard instances; each container is released and its compute system closed, as a
 * caller does. Checked afterwards: every create, release and close succeeded; the
 * host's journal (calls are journaled in the order the host ran them) never adds a VM
 * resource that is still there (a SCSI slot, vPMEM slot, share name or pipe handed out twice)
 * nor removes one that is not; and the host holds what it held before. `make check-tsan` runs
 * this program built with ThreadSanitizer (HCSOCI_SOAK_ITERATIONS sets the creates per thread). */
#include <pthread.h>

#include <hcsoci/replay.h>
#include <hcsoci/uvm.h>

#include "test_support.h"

enum { SOAK_THREADS = 8, SOAK_DEFAULT_ITERATIONS = 12 };

typedef struct soak_case {
    json_t *test_case;
    hcsoci_create_options options;
    hcsoci_schema_version schema;
} soak_case;

typedef struct soak {
    hcsoci_host *host;
    hcsoci_runtime *runtime;
    hcsoci_uvm *uvm;
    soak_case cases[8];
    size_t case_count;
    long iterations;
    pthread_mutex_t lock;
    json_t *failures; /* messages of failed calls, under lock */
} soak;

typedef struct soak_thread {
    soak *shared;
    int number;
    pthread_t thread;
} soak_thread;

/* Adds to target what source has and target lacks: members recursively, array items that are
 * not already there. Corpus worlds of one VM kind agree where they overlap. */
static void merge_world(json_t *target, const json_t *source)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)source, key, value) {
        json_t *existing = json_object_get(target, key);
        if (existing == NULL) {
            json_object_set_new(target, key, json_deep_copy(value));
        } else if (json_is_object(existing) && json_is_object(value)) {
            merge_world(existing, value);
        } else if (json_is_array(existing) && json_is_array(value)) {
            size_t index, known;
            json_t *item, *present;
            json_array_foreach(value, index, item) {
                bool found = false;
                json_array_foreach(existing, known, present) {
                    found = found || json_equal(present, item);
                }
                if (!found)
                    json_array_append_new(existing, json_deep_copy(item));
            }
        }
    }
}

static json_t *load_case(const char *name)
{
    char relative[256];
    snprintf(relative, sizeof relative, "tests/conformance/cases/%s.json", name);
    return test_load_json(relative);
}

/* The soak's host (one world merged from the cases), runtime and VM (the first case's). */
static void soak_open(soak *soaking, const char *const *case_names)
{
    memset(soaking, 0, sizeof *soaking);
    const char *iterations = getenv("HCSOCI_SOAK_ITERATIONS");
    soaking->iterations = iterations != NULL ? strtol(iterations, NULL, 10) : 0;
    if (soaking->iterations <= 0)
        soaking->iterations = SOAK_DEFAULT_ITERATIONS;
    json_t *world = json_object();
    for (size_t i = 0; case_names[i] != NULL; i++) {
        soak_case *entry = &soaking->cases[soaking->case_count++];
        entry->test_case = load_case(case_names[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(entry->test_case);
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL_FATAL(hcsoci_case_create_options(json_object_get(entry->test_case,
                                                                         "options"),
                                                         &entry->options, &entry->schema, &error),
                              0);
        entry->options.spec = json_object_get(entry->test_case, "spec");
        merge_world(world, json_object_get(entry->test_case, "host"));
    }
    soaking->host = test_sim_host_of_world(world);
    json_decref(world);
    hcsoci_runtime_options options = {.host = soaking->host,
                                      .plugin_directories = test_builtin_plugin_directories(),
                                      .skip_environment = true,
                                      .skip_installed_directory = true};
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_runtime_new(&options, &soaking->runtime, &error), 0);
    CU_ASSERT_EQUAL_FATAL(hcsoci_case_hosting_system(soaking->host, soaking->cases[0].test_case,
                                                     &soaking->uvm, &error),
                          0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(soaking->uvm);
    for (size_t i = 0; i < soaking->case_count; i++)
        soaking->cases[i].options.hosting_system = soaking->uvm;
    soaking->failures = json_array();
    pthread_mutex_init(&soaking->lock, NULL);
}

static void soak_close(soak *soaking)
{
    hcsoci_uvm_free(soaking->uvm);
    hcsoci_runtime_free(soaking->runtime);
    hcsoci_host_destroy(soaking->host);
    for (size_t i = 0; i < soaking->case_count; i++)
        json_decref(soaking->cases[i].test_case);
    json_decref(soaking->failures);
    pthread_mutex_destroy(&soaking->lock);
}

static void note_failure(soak *soaking, const char *what, const char *id, hcsoci_error *error)
{
    pthread_mutex_lock(&soaking->lock);
    json_array_append_new(soaking->failures,
                          json_sprintf("%s %s: %s", what, id,
                                       error != NULL ? error->message : "(no error)"));
    pthread_mutex_unlock(&soaking->lock);
    hcsoci_error_free(error);
}

/* One thread's creates, each released before the next; threads start on different cases. */
static void *soak_run(void *argument)
{
    soak_thread *self = argument;
    soak *soaking = self->shared;
    for (long k = 0; k < soaking->iterations; k++) {
        const soak_case *entry = &soaking->cases[(size_t)(self->number + k) %
                                                 soaking->case_count];
        char id[64];
        snprintf(id, sizeof id, "soak-%d-%ld", self->number, k);
        hcsoci_create_options create = entry->options;
        create.id = id;
        hcsoci_container *container = NULL;
        hcsoci_resources *resources = NULL;
        hcsoci_error *error = NULL;
        if (hcsoci_create_container(soaking->runtime, &create, &container, &resources,
                                    &error) != 0)
            note_failure(soaking, "create", id, error);
        else if (hcsoci_release_resources(soaking->runtime, resources, soaking->uvm, true,
                                          (error = NULL, &error)) != 0)
            note_failure(soaking, "release", id, error);
        else if (hcsoci_compute_system_close(soaking->host, id, (error = NULL, &error)) != 0)
            note_failure(soaking, "close", id, error);
        hcsoci_container_free(container);
        hcsoci_resources_free(resources);
    }
    return NULL;
}

/* What one VM modification adds or removes: its resource path, and the share's name for the
 * collections that hold several (VSMB and Plan 9 shares). NULL for other requests. */
static char *modified_resource(const json_t *configuration, int *delta)
{
    const char *request = json_string_value(json_object_get(configuration, "RequestType"));
    const char *path = json_string_value(json_object_get(configuration, "ResourcePath"));
    *delta = request == NULL ? 0 : strcmp(request, "Add") == 0 ? 1
                                 : strcmp(request, "Remove") == 0 ? -1 : 0;
    if (path == NULL || *delta == 0)
        return NULL;
    const char *name =
        json_string_value(json_object_get(json_object_get(configuration, "Settings"), "Name"));
    size_t size = strlen(path) + (name != NULL ? strlen(name) : 0) + 2;
    char *key = malloc(size);
    snprintf(key, size, "%s#%s", path, name != NULL ? name : "");
    return key;
}

/* Replays the journal's VM modifications: an Add of what is there or a Remove of what is not
 * is a resource handed out or removed twice. */
static void check_modifications(const json_t *journal, const char *uvm_id)
{
    json_t *present = json_object();
    size_t index;
    const json_t *call;
    size_t added = 0, doubled = 0, missing = 0;
    json_array_foreach(journal, index, call) {
        const json_t *args = json_object_get(call, "args");
        const char *name = json_string_value(json_object_get(call, "call"));
        const char *system = json_string_value(json_object_get(args, "computeSystem"));
        if (name == NULL || strcmp(name, "HcsModifyComputeSystem") != 0 || system == NULL ||
            strcmp(system, uvm_id) != 0)
            continue;
        int delta = 0;
        char *key = modified_resource(json_object_get(args, "configuration"), &delta);
        if (key == NULL)
            continue;
        bool there = json_object_get(present, key) != NULL;
        if (delta > 0) {
            added++;
            if (there && doubled++ == 0)
                fprintf(stderr, "\n  added twice: %s\n", key);
            json_object_set_new(present, key, json_true());
        } else {
            if (!there && missing++ == 0)
                fprintf(stderr, "\n  removed while absent: %s\n", key);
            json_object_del(present, key);
        }
        free(key);
    }
    CU_ASSERT(added > 0);
    CU_ASSERT_EQUAL(doubled, 0);
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT_EQUAL(json_object_size(present), 0);
    json_decref(present);
}

static void soak_in_vm(const char *const *case_names)
{
    soak soaking;
    soak_open(&soaking, case_names);
    json_t *held_before = hcsoci_sim_host_held(soaking.host);
    hcsoci_sim_host_journal_clear(soaking.host);
    soak_thread threads[SOAK_THREADS];
    for (int i = 0; i < SOAK_THREADS; i++) {
        threads[i] = (soak_thread){.shared = &soaking, .number = i};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[i].thread, NULL, soak_run, &threads[i]),
                              0);
    }
    for (int i = 0; i < SOAK_THREADS; i++)
        pthread_join(threads[i].thread, NULL);

    size_t index;
    json_t *failure;
    json_array_foreach(soaking.failures, index, failure) {
        if (index < 5)
            fprintf(stderr, "\n  %s", json_string_value(failure));
    }
    CU_ASSERT_EQUAL(json_array_size(soaking.failures), 0);
    check_modifications(hcsoci_sim_host_journal(soaking.host), hcsoci_uvm_id(soaking.uvm));
    json_t *held_after = hcsoci_sim_host_held(soaking.host);
    if (!json_equal(held_before, held_after)) {
        char *before = json_dumps(held_before, JSON_COMPACT | JSON_SORT_KEYS);
        char *after = json_dumps(held_after, JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(stderr, "\n  held before: %s\n  held after:  %s\n", before, after);
        free(before);
        free(after);
        CU_FAIL("the host holds something more than before the creates");
    }
    json_decref(held_before);
    json_decref(held_after);
    soak_close(&soaking);
}

static void test_windows_vm(void)
{
    static const char *const cases[] = {"050-xenon-v2-mounts-vsmb-pipe-scsi",
                                        "049-xenon-v2-basic", "061-xenon-v2-credential-spec",
                                        "055-xenon-v2-network-create-namespace", NULL};
    soak_in_vm(cases);
}

static void test_linux_vm(void)
{
    static const char *const cases[] = {"074-lcow-mounts", "068-lcow-basic-vpmem",
                                        "070-lcow-layers-scsi-devices-physically-backed",
                                        "073-lcow-plan9-root",
                                        "077-lcow-network-create-namespace", NULL};
    soak_in_vm(cases);
}

int main(void)
{
    static const test_entry tests[] = {
        {"8 threads in one Windows utility VM", test_windows_vm},
        {"8 threads in one Linux utility VM", test_linux_vm},
        {NULL, NULL},
    };
    return test_run_suite("threads", tests);
}
