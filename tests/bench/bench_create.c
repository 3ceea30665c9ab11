/* Benchmarks (`make bench`; never part of `make check`): hcsoci's create+release on the sim
 * host against the JSON floor, memory over many creates, scale in one utility VM and the
 * command against `hcsoci --version`. Every figure is a ratio measured in this one run.
 *
 *   bench_create [ITERATIONS]       all of it; ITERATIONS per round of a case (default 400)
 *   bench_create --peak-rss N MODE  (internal) N create+release of case 049 with the journal
 *                                   MODE (stream or off), then prints the peak RSS in KiB
 *   bench_create --profile CASE N MODE  N create+release of corpus case CASE (its file name
 *                                   without .json) with the journal MODE (keep or off), or N
 *                                   rounds of its floor (MODE floor), to run under a profiler
 *                                   such as callgrind
 *   bench_create --scale            only the scale figures (256 containers in one VM)
 *   bench_create --command          only the command against `hcsoci --version`
 *
 * The floor of a case is the JSON work no implementation can skip: parsing the spec's text
 * and writing, compactly, every document the case sends the host (the create document and each
 * modify request of its expected trace). It is timed interleaved with hcsoci, round by round. */
#include <hcsoci/document.h>
#include <hcsoci/hcsoci.h>
#include <hcsoci/replay.h>
#include <hcsoci/sim.h>
#include <hcsoci/uvm.h>

#include <errno.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { ROUNDS = 5, SCALE_CONTAINERS = 256, SCALE_GROUP = 16, COMMAND_ROUNDS = 31 };

static const char *const bench_cases[] = {
    "001-argon-v2-basic",        "023-argon-v2-mounts-dirs-and-pipe",
    "049-xenon-v2-basic",        "050-xenon-v2-mounts-vsmb-pipe-scsi",
    "068-lcow-basic-vpmem",      "069-lcow-spec-cleanup",
    "074-lcow-mounts",
};

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static const char *tree_path(const char *variable, const char *relative)
{
    static char buffers[8][4096];
    static unsigned next;
    char *buffer = buffers[next++ % 8];
    const char *root = getenv(variable);
    snprintf(buffer, sizeof buffers[0], "%s/%s", root != NULL ? root : ".", relative);
    return buffer;
}

static const char *const module_names[] = {"wcow", "lcow", "network", "devices"};

static const char *const *plugin_directories(void)
{
    static char directories[4][4096];
    static const char *list[5];
    for (int i = 0; i < 4; i++) {
        char relative[64];
        snprintf(relative, sizeof relative, "plugins/%s/.libs", module_names[i]);
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

static json_t *load_corpus_file(const char *folder, const char *name)
{
    char relative[512];
    snprintf(relative, sizeof relative, "tests/conformance/%s/%s.json", folder, name);
    json_error_t parse_error;
    json_t *value = json_load_file(tree_path("HCSOCI_TEST_SRCDIR", relative), 0, &parse_error);
    if (value == NULL) {
        fprintf(stderr, "bench: cannot read %s: %s\n", relative, parse_error.text);
        exit(1);
    }
    return value;
}

static int compare_doubles(const void *left, const void *right)
{
    double a = *(const double *)left, b = *(const double *)right;
    return a < b ? -1 : a > b;
}

static double median(double *values, size_t count)
{
    qsort(values, count, sizeof *values, compare_doubles);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

/* ---- one case: hcsoci and its floor ---- */

typedef struct bench_case {
    const char *name;
    json_t *test_case;
    char *spec_text;       /* the spec as a client hands it over */
    json_t *documents;     /* every configuration the expected trace sends */
    hcsoci_host *host;
    hcsoci_runtime *runtime;
    hcsoci_uvm *uvm;       /* the hosting system, for xenon and lcow cases */
    hcsoci_create_options options;
    hcsoci_schema_version schema; /* options.schema_version points here when the case asks */
    long next_id;
} bench_case;

/* Adds every "configuration" of the calls to documents. */
static void collect_documents(const json_t *calls, json_t *documents)
{
    size_t index;
    const json_t *call;
    json_array_foreach(calls, index, call) {
        const json_t *configuration = json_object_get(json_object_get(call, "args"),
                                                      "configuration");
        if (configuration != NULL && !json_is_null(configuration))
            json_array_append(documents, (json_t *)configuration);
    }
}

static void bench_case_open(bench_case *bench, const char *name, hcsoci_sim_journal_mode mode)
{
    memset(bench, 0, sizeof *bench);
    bench->name = name;
    bench->test_case = load_corpus_file("cases", name);
    json_t *expected = load_corpus_file("expected", name);
    bench->documents = json_array();
    collect_documents(json_object_get(expected, "calls"), bench->documents);
    collect_documents(json_object_get(expected, "releaseCalls"), bench->documents);
    json_decref(expected);
    bench->spec_text = json_dumps(json_object_get(bench->test_case, "spec"), JSON_COMPACT);

    hcsoci_error *error = NULL;
    if (hcsoci_case_create_options(json_object_get(bench->test_case, "options"),
                                   &bench->options, &bench->schema, &error) != 0)
        die(name, error);
    bench->options.spec = json_object_get(bench->test_case, "spec");
    if (hcsoci_sim_host_new(json_object_get(bench->test_case, "host"), &bench->host, &error) != 0 ||
        hcsoci_sim_host_set_journal(bench->host, mode, NULL, NULL, &error) != 0)
        die("sim host", error);
    hcsoci_runtime_options runtime_options = {.host = bench->host,
                                              .plugin_directories = plugin_directories(),
                                              .skip_environment = true,
                                              .skip_installed_directory = true};
    if (hcsoci_runtime_new(&runtime_options, &bench->runtime, &error) != 0)
        die("runtime", error);
    if (hcsoci_case_hosting_system(bench->host, bench->test_case, &bench->uvm, &error) != 0)
        die("utility VM", error);
    bench->options.hosting_system = bench->uvm;
}

static void bench_case_close(bench_case *bench)
{
    hcsoci_uvm_free(bench->uvm);
    hcsoci_runtime_free(bench->runtime);
    hcsoci_host_destroy(bench->host);
    json_decref(bench->documents);
    free(bench->spec_text);
    json_decref(bench->test_case);
}

/* One create, its resources handed back (the caller releases them). */
static hcsoci_resources *create_one(bench_case *bench)
{
    char id[64];
    snprintf(id, sizeof id, "bench-%ld", bench->next_id++);
    hcsoci_create_options create = bench->options;
    create.id = id;
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_create_container(bench->runtime, &create, &container, &resources, &error) != 0)
        die(bench->name, error);
    hcsoci_container_free(container);
    return resources;
}

static void release_one(bench_case *bench, hcsoci_resources *resources)
{
    hcsoci_error *error = NULL;
    if (hcsoci_release_resources(bench->runtime, resources, bench->uvm, true, &error) != 0)
        die("release", error);
    hcsoci_resources_free(resources);
}

/* Seconds per create+release over iterations. With the journal kept, it is handed over after
 * every create+release, as the command does. */
static double time_hcsoci(bench_case *bench, long iterations)
{
    double start = seconds_now();
    for (long i = 0; i < iterations; i++) {
        release_one(bench, create_one(bench));
        json_decref(hcsoci_sim_host_take_journal(bench->host));
        hcsoci_sim_host_journal_clear(bench->host);
    }
    return (seconds_now() - start) / (double)iterations;
}

static double time_floor(const bench_case *bench, long iterations)
{
    double start = seconds_now();
    for (long i = 0; i < iterations; i++) {
        json_t *spec = json_loads(bench->spec_text, 0, NULL);
        if (spec == NULL)
            die("floor: the spec does not parse", NULL);
        json_decref(spec);
        size_t index;
        json_t *document;
        json_array_foreach(bench->documents, index, document) {
            free(json_dumps(document, JSON_COMPACT));
        }
    }
    return (seconds_now() - start) / (double)iterations;
}

static void print_ratio(const char *label, double *ratios)
{
    double lowest = ratios[0], highest = ratios[0];
    for (int i = 1; i < ROUNDS; i++) {
        lowest = ratios[i] < lowest ? ratios[i] : lowest;
        highest = ratios[i] > highest ? ratios[i] : highest;
    }
    printf(" %s %5.2f (%.2f-%.2f)", label, median(ratios, ROUNDS), lowest, highest);
}

static void bench_against_floor(long iterations)
{
    printf("create+release against the JSON floor, %d rounds of %ld (ratio: median (min-max))\n",
           ROUNDS, iterations);
    printf("%-36s %9s %9s %9s  %s\n", "case", "journal", "off", "floor", "ratios");
    for (size_t c = 0; c < sizeof bench_cases / sizeof bench_cases[0]; c++) {
        bench_case kept, off;
        bench_case_open(&kept, bench_cases[c], HCSOCI_SIM_JOURNAL_KEEP);
        bench_case_open(&off, bench_cases[c], HCSOCI_SIM_JOURNAL_OFF);
        time_hcsoci(&kept, iterations / 10 + 1); /* warm up */
        time_hcsoci(&off, iterations / 10 + 1);
        double kept_times[ROUNDS], off_times[ROUNDS], floor_times[ROUNDS];
        double kept_ratios[ROUNDS], off_ratios[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            kept_times[round] = time_hcsoci(&kept, iterations);
            floor_times[round] = time_floor(&kept, iterations);
            off_times[round] = time_hcsoci(&off, iterations);
            kept_ratios[round] = kept_times[round] / floor_times[round];
            off_ratios[round] = off_times[round] / floor_times[round];
        }
        printf("%-36s %7.1fus %7.1fus %7.1fus ", bench_cases[c],
               median(kept_times, ROUNDS) * 1e6, median(off_times, ROUNDS) * 1e6,
               median(floor_times, ROUNDS) * 1e6);
        print_ratio("journal", kept_ratios);
        print_ratio("off", off_ratios);
        printf("\n");
        bench_case_close(&kept);
        bench_case_close(&off);
    }
}

/* ---- the schema check ---- */

/* The kind the core checks a sent configuration as, in a VM of the case's OS. */
static hcsoci_document_kind kind_of(const json_t *document, bool linux_vm)
{
    if (json_object_get(document, "SystemType") != NULL)
        return HCSOCI_DOCUMENT_CONTAINER_CONFIG;
    if (json_object_get(document, "SchemaVersion") != NULL)
        return HCSOCI_DOCUMENT_COMPUTE_SYSTEM;
    return linux_vm ? HCSOCI_DOCUMENT_MODIFY_LINUX : HCSOCI_DOCUMENT_MODIFY_WINDOWS;
}

/* Seconds to check every document of one create+release of the case, as the core does. */
static double time_check(const bench_case *bench, long iterations)
{
    const char *os = json_string_value(
        json_object_get(json_object_get(bench->test_case, "hostingSystem"), "os"));
    bool linux_vm = os != NULL && strcmp(os, "linux") == 0;
    double start = seconds_now();
    for (long i = 0; i < iterations; i++) {
        size_t index;
        json_t *document;
        json_array_foreach(bench->documents, index, document) {
            if (hcsoci_document_problems(document, kind_of(document, linux_vm), NULL, NULL) != 0)
                die("a corpus document does not conform", NULL);
        }
    }
    return (seconds_now() - start) / (double)iterations;
}

/* What checking the documents costs, against the create+release that sends them (journal
 * off) and against the JSON floor (parsing the spec, writing the documents). */
static void bench_schema_check(long iterations)
{
    printf("\nthe HCS schema check of every document a create+release sends (medians of %d)\n",
           ROUNDS);
    printf("%-36s %9s %9s %13s %13s\n", "case", "check", "documents", "of create", "of floor");
    for (size_t c = 0; c < sizeof bench_cases / sizeof bench_cases[0]; c++) {
        bench_case off;
        bench_case_open(&off, bench_cases[c], HCSOCI_SIM_JOURNAL_OFF);
        time_hcsoci(&off, iterations / 10 + 1);
        double check[ROUNDS], create[ROUNDS], writing[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            check[round] = time_check(&off, iterations);
            create[round] = time_hcsoci(&off, iterations);
            writing[round] = time_floor(&off, iterations);
        }
        double check_median = median(check, ROUNDS);
        printf("%-36s %7.2fus %9zu %12.1f%% %12.1f%%\n", bench_cases[c], check_median * 1e6,
               json_array_size(off.documents), 100 * check_median / median(create, ROUNDS),
               100 * check_median / median(writing, ROUNDS));
        bench_case_close(&off);
    }
}

/* ---- memory ---- */

static int discard_call(void *context, const json_t *call)
{
    (void)call;
    ++*(long *)context;
    return 0;
}

/* This process's peak resident set in KiB: Linux's VmHWM, which counts this program image
 * only (getrusage's ru_maxrss also keeps the peak of the memory before exec, which for a
 * process spawned with vfork semantics is the parent's); ru_maxrss where there is no /proc. */
static long peak_rss_of_this_process(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    long peak = -1;
    while (status != NULL && fgets(line, sizeof line, status) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0)
            peak = strtol(line + 6, NULL, 10);
    }
    if (status != NULL)
        fclose(status);
    if (peak < 0) {
        struct rusage usage;
        getrusage(RUSAGE_SELF, &usage);
        peak = usage.ru_maxrss;
    }
    return peak;
}

/* The --peak-rss mode: runs in its own process so that nothing else counts. */
static int peak_rss_run(long iterations, const char *mode)
{
    bench_case bench;
    bool streamed = strcmp(mode, "stream") == 0;
    bench_case_open(&bench, "049-xenon-v2-basic",
                    streamed ? HCSOCI_SIM_JOURNAL_KEEP : HCSOCI_SIM_JOURNAL_OFF);
    long streamed_calls = 0;
    hcsoci_error *error = NULL;
    if (streamed && hcsoci_sim_host_set_journal(bench.host, HCSOCI_SIM_JOURNAL_STREAM,
                                                discard_call, &streamed_calls, &error) != 0)
        die("journal", error);
    /* As a long-running program: each container's compute system is closed once released. */
    for (long i = 0; i < iterations; i++) {
        release_one(&bench, create_one(&bench));
        char id[64];
        snprintf(id, sizeof id, "bench-%ld", bench.next_id - 1);
        if (hcsoci_compute_system_close(bench.host, id, &error) != 0)
            die("close", error);
    }
    printf("%ld\n", peak_rss_of_this_process());
    bench_case_close(&bench);
    return streamed && streamed_calls == 0 ? 1 : 0;
}

/* Runs argv (argv[0] a path) with stdout to a pipe when output is given; returns its exit
 * status, and its first line of output in output. */
static int run_program(char *const *argv, char *output, size_t output_size)
{
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
    pid_t child;
    int spawned = posix_spawn(&child, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_ends[1]);
    size_t used = 0;
    ssize_t got;
    while ((got = read(pipe_ends[0], output + used, output_size - 1 - used)) > 0 &&
           used + (size_t)got < output_size - 1)
        used += (size_t)got;
    output[used] = '\0';
    close(pipe_ends[0]);
    if (spawned != 0)
        return -1;
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static long peak_rss_kib(const char *self, long iterations, const char *mode)
{
    char count[32], output[256];
    snprintf(count, sizeof count, "%ld", iterations);
    char *argv[] = {(char *)self, "--peak-rss", count, (char *)mode, NULL};
    if (run_program(argv, output, sizeof output) != 0)
        die("peak RSS run", NULL);
    return strtol(output, NULL, 10);
}

static void bench_memory(const char *self)
{
    printf("\npeak RSS, case 049 (one process): ");
    const char *modes[] = {"stream", "off"};
    for (int m = 0; m < 2; m++) {
        long one = peak_rss_kib(self, 1, modes[m]);
        long many = peak_rss_kib(self, 10000, modes[m]);
        printf("%sjournal %s: %.1f MB after 1, %.1f MB after 10000", m ? "; " : "", modes[m],
               (double)one / 1024, (double)many / 1024);
    }
    printf("\n");
}

/* ---- scale: 256 containers in one utility VM ---- */

/* The last release of a VM's containers also removes what they shared (its VSMB shares):
 * the longest of the 256 releases is compared with the release of a container alone in its
 * VM, which does the same. */
/* A release slower by design (one that consolidates something, say) is slow at its position in
 * every round; an interrupt or a preempted CPU (15-35 us here, where a lone release takes 5 us)
 * strikes one release of one round. So each position's median over the rounds shows the first,
 * and the longest single release is printed beside it. */
static void bench_scale(void)
{
    static double releases[SCALE_CONTAINERS][ROUNDS];
    double first_ratios[ROUNDS], single_spikes[ROUNDS], alone_medians[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        bench_case bench;
        bench_case_open(&bench, "049-xenon-v2-basic", HCSOCI_SIM_JOURNAL_OFF);
        double alone[SCALE_GROUP];
        for (int i = 0; i < SCALE_GROUP; i++) {
            hcsoci_resources *resources = create_one(&bench);
            double start = seconds_now();
            release_one(&bench, resources);
            alone[i] = seconds_now() - start;
        }
        hcsoci_resources *held[SCALE_CONTAINERS];
        double first = 0, last = 0;
        for (int i = 0; i < SCALE_CONTAINERS; i++) {
            double start = seconds_now();
            held[i] = create_one(&bench);
            double spent = seconds_now() - start;
            if (i < SCALE_GROUP)
                first += spent;
            else if (i >= SCALE_CONTAINERS - SCALE_GROUP)
                last += spent;
        }
        double longest = 0;
        for (int i = 0; i < SCALE_CONTAINERS; i++) {
            double start = seconds_now();
            release_one(&bench, held[i]);
            double spent = seconds_now() - start;
            releases[i][round] = spent;
            longest = spent > longest ? spent : longest;
        }
        first_ratios[round] = last / first;
        alone_medians[round] = median(alone, SCALE_GROUP);
        single_spikes[round] = longest / alone_medians[round];
        bench_case_close(&bench);
    }
    double alone_time = median(alone_medians, ROUNDS), slowest_position = 0;
    int slowest = 0;
    for (int i = 0; i < SCALE_CONTAINERS; i++) {
        double position = median(releases[i], ROUNDS);
        if (position > slowest_position) {
            slowest_position = position;
            slowest = i;
        }
    }
    printf("\nscale, case 049, %d containers in one VM: creates %d-%d / creates 1-%d %.2f; "
           "slowest release (release %d, its median of %d rounds) / a lone container's release "
           "%.2f; longest single release / a lone one %.2f (median of %d rounds)\n",
           SCALE_CONTAINERS, SCALE_CONTAINERS - SCALE_GROUP + 1, SCALE_CONTAINERS, SCALE_GROUP,
           median(first_ratios, ROUNDS), slowest + 1, ROUNDS, slowest_position / alone_time,
           median(single_spikes, ROUNDS), ROUNDS);
}

/* ---- the command ---- */

static double time_command(char *const *argv, bool must_succeed)
{
    char output[65536];
    double start = seconds_now();
    int status = run_program(argv, output, sizeof output);
    double spent = seconds_now() - start;
    if (must_succeed && status != 0) {
        fprintf(stderr, "bench: %s %s exited with %d\n", argv[0], argv[1], status);
        exit(1);
    }
    return spent;
}

static void bench_command(void)
{
    const char *program = tree_path("HCSOCI_TEST_BUILDDIR", ".libs/hcsoci");
    char library_path[4200];
    snprintf(library_path, sizeof library_path, "%s", tree_path("HCSOCI_TEST_BUILDDIR", ".libs"));
    setenv("LD_LIBRARY_PATH", library_path, 1);
    char root[] = "/tmp/hcsoci-bench.XXXXXX";
    if (mkdtemp(root) == NULL)
        die("mkdtemp", NULL);
    char *world = strdup(tree_path("HCSOCI_TEST_SRCDIR", "examples/world.json"));
    char *bundle = strdup(tree_path("HCSOCI_TEST_SRCDIR", "examples/argon"));
    const char *const *modules = plugin_directories();
    double version[COMMAND_ROUNDS], create[COMMAND_ROUNDS], remove[COMMAND_ROUNDS];
    for (int round = -1; round < COMMAND_ROUNDS; round++) {
        char id[32];
        snprintf(id, sizeof id, "bench-%d", round + 1);
        char *version_argv[] = {(char *)program, "--version", NULL};
        char *create_argv[] = {(char *)program, "--root", root, "--world", world,
                               "--plugin-dir", (char *)modules[0], "--plugin-dir",
                               (char *)modules[1], "--plugin-dir", (char *)modules[2],
                               "--plugin-dir", (char *)modules[3], "create", "--bundle",
                               bundle, id, NULL};
        char *delete_argv[] = {(char *)program, "--root", root, "--plugin-dir",
                               (char *)modules[0], "--plugin-dir", (char *)modules[1],
                               "--plugin-dir", (char *)modules[2], "--plugin-dir",
                               (char *)modules[3], "delete", id, NULL};
        double v = time_command(version_argv, true);
        double c = time_command(create_argv, true);
        double d = time_command(delete_argv, true);
        if (round >= 0) { /* round -1 warms the caches and makes the store */
            version[round] = v;
            create[round] = c;
            remove[round] = d;
        }
    }
    double version_time = median(version, COMMAND_ROUNDS);
    double create_time = median(create, COMMAND_ROUNDS);
    double delete_time = median(remove, COMMAND_ROUNDS);
    printf("\nthe command (medians of %d): --version %.2f ms, create %.2f ms (%.2fx), delete "
           "%.2f ms (%.2fx)\n",
           COMMAND_ROUNDS, version_time * 1e3, create_time * 1e3, create_time / version_time,
           delete_time * 1e3, delete_time / version_time);
    char *cleanup_argv[] = {"/bin/rm", "-rf", root, NULL};
    char output[16];
    run_program(cleanup_argv, output, sizeof output);
    free(world);
    free(bundle);
}

static int profile_run(const char *name, long iterations, const char *mode)
{
    bench_case bench;
    bench_case_open(&bench, name,
                    strcmp(mode, "off") == 0 ? HCSOCI_SIM_JOURNAL_OFF : HCSOCI_SIM_JOURNAL_KEEP);
    if (strcmp(mode, "floor") == 0)
        printf("%s: %.1f us the floor\n", name, time_floor(&bench, iterations) * 1e6);
    else
        printf("%s: %.1f us a create+release\n", name, time_hcsoci(&bench, iterations) * 1e6);
    bench_case_close(&bench);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--peak-rss") == 0)
        return peak_rss_run(strtol(argv[2], NULL, 10), argv[3]);
    if (argc == 5 && strcmp(argv[1], "--profile") == 0)
        return profile_run(argv[2], strtol(argv[3], NULL, 10), argv[4]);
    if (argc == 2 && strcmp(argv[1], "--scale") == 0) {
        bench_scale();
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--command") == 0) {
        bench_command();
        return 0;
    }
    long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 400;
    if (iterations < 1) {
        fprintf(stderr, "usage: bench_create [ITERATIONS >= 1]\n");
        return 2;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    time_t now = time(NULL);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
    printf("hcsoci benchmarks, %s, %ld cores\n\n", date, cores);
    bench_against_floor(iterations);
    bench_schema_check(iterations);
    bench_memory(argv[0]);
    bench_scale();
    bench_command();
    return 0;
}
