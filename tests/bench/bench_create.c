/* Benchmarks: how fast the core creates and releases containers on the sim host, and how fast
 * the whole conformance corpus replays. Run with `make bench`; never part of `make check`.
 * Usage: bench_create [ITERATIONS] (default 2000). */
#include <hcsoci/hcsoci.h>
#include <hcsoci/replay.h>
#include <hcsoci/sim.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static const char *tree_path(const char *variable, const char *relative)
{
    static char buffers[4][4096];
    static unsigned next;
    char *buffer = buffers[next++ % 4];
    const char *root = getenv(variable);
    snprintf(buffer, sizeof buffers[0], "%s/%s", root != NULL ? root : ".", relative);
    return buffer;
}

static const char *const *plugin_directories(void)
{
    static char directories[4][4096];
    static const char *list[5];
    static const char *const modules[] = {"wcow", "lcow", "network", "devices"};
    for (int i = 0; i < 4; i++) {
        char relative[64];
        snprintf(relative, sizeof relative, "plugins/%s/.libs", modules[i]);
        snprintf(directories[i], sizeof directories[i], "%s",
                 tree_path("HCSOCI_TEST_BUILDDIR", relative));
        list[i] = directories[i];
    }
    return list;
}

static void die(const char *what, hcsoci_error *error)
{
    fprintf(stderr, "bench: %s: %s\n", what, error != NULL ? error->message : "failed");
    exit(1);
}

/* Creates and releases the argon container of corpus case 001 again and again. */
static void bench_create_release(const json_t *test_case, long iterations)
{
    hcsoci_host *host = NULL;
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(json_object_get(test_case, "host"), &host, &error) != 0)
        die("sim host", error);
    hcsoci_runtime_options options = {.host = host, .plugin_directories = plugin_directories(),
                                      .skip_environment = true,
                                      .skip_installed_directory = true};
    if (hcsoci_runtime_new(&options, &runtime, &error) != 0)
        die("runtime", error);
    const json_t *spec = json_object_get(test_case, "spec");
    double start = seconds_now();
    for (long i = 0; i < iterations; i++) {
        char id[64];
        snprintf(id, sizeof id, "bench-%ld", i);
        hcsoci_create_options create = {.id = id, .owner = "bench", .spec = spec};
        hcsoci_container *container = NULL;
        hcsoci_resources *resources = NULL;
        if (hcsoci_create_container(runtime, &create, &container, &resources, &error) != 0)
            die("create", error);
        if (hcsoci_release_resources(runtime, resources, NULL, true, &error) != 0)
            die("release", error);
        hcsoci_container_free(container);
        hcsoci_resources_free(resources);
        if (i % 256 == 255)
            hcsoci_sim_host_journal_clear(host);
    }
    double elapsed = seconds_now() - start;
    printf("create+release (argon v2, case 001): %ld in %.3f s = %.1f us each, %.0f per second\n",
           iterations, elapsed, elapsed * 1e6 / (double)iterations, (double)iterations / elapsed);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

/* Replays every case of the corpus (each in a fresh world with freshly loaded modules). */
static void bench_replay_corpus(long rounds)
{
    const char *directory = tree_path("HCSOCI_TEST_SRCDIR", "tests/conformance/cases");
    DIR *stream = opendir(directory);
    if (stream == NULL) {
        fprintf(stderr, "bench: cannot open %s\n", directory);
        exit(1);
    }
    json_t *cases = json_array();
    struct dirent *entry;
    while ((entry = readdir(stream)) != NULL) {
        if (strstr(entry->d_name, ".json") == NULL)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
        json_t *test_case = json_load_file(path, 0, NULL);
        if (test_case != NULL)
            json_array_append_new(cases, test_case);
    }
    closedir(stream);
    hcsoci_runtime_options options = {.plugin_directories = plugin_directories(),
                                      .skip_environment = true,
                                      .skip_installed_directory = true};
    double start = seconds_now();
    for (long round = 0; round < rounds; round++) {
        size_t index;
        json_t *test_case;
        json_array_foreach(cases, index, test_case) {
            json_t *trace = NULL;
            hcsoci_error *error = NULL;
            if (hcsoci_replay_case(test_case, &options, &trace, &error) != 0)
                die("replay", error);
            json_decref(trace);
        }
    }
    double elapsed = seconds_now() - start;
    double replays = (double)rounds * (double)json_array_size(cases);
    printf("corpus replay (%zu cases, modules loaded per case): %.0f replays in %.3f s = %.1f us "
           "each\n",
           json_array_size(cases), replays, elapsed, elapsed * 1e6 / replays);
    json_decref(cases);
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
    if (iterations < 1) {
        fprintf(stderr, "usage: bench_create [ITERATIONS >= 1]\n");
        return 2;
    }
    json_t *test_case = json_load_file(
        tree_path("HCSOCI_TEST_SRCDIR", "tests/conformance/cases/001-argon-v2-basic.json"), 0, NULL);
    if (test_case == NULL) {
        fprintf(stderr, "bench: cannot read corpus case 001\n");
        return 1;
    }
    bench_create_release(test_case, iterations);
    bench_replay_corpus(iterations / 200 > 0 ? iterations / 200 : 1);
    json_decref(test_case);
    return 0;
}
