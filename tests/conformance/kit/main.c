/* hcsoci-conformance: command line, running the CUnit suites, the summary and the exit
 * status. */
#include "kit.h"
#include "portable.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#ifndef HCSOCI_CONFORMANCE_DIR
#define HCSOCI_CONFORMANCE_DIR "/usr/local/share/hcsoci/conformance"
#endif
/* The installed corpus as seen from the kit's own folder (bin\ in a Windows install). */
#define CONFORMANCE_DIR_BESIDE_PROGRAM "..\\share\\hcsoci\\conformance"

/* The corpus --cases defaults to (see portable_installed_data_directory). */
static char *default_cases_directory;

static const char usage_text[] =
    "Usage: hcsoci-conformance [OPTION]...\n"
    "Checks hcsoci backend modules: the built-in ones (from the installed module directory,\n"
    "%s) and the ones named here, which take part by their priority\n"
    "like any module (a higher priority overrides a built-in builder).\n"
    "\n"
    "Suites:\n"
    "  contract     for each module loaded: its descriptor is well formed (ABI version, sizes,\n"
    "               name, kind, every op of its kind); a builder's match function answers every\n"
    "               (spec kind, schema 1.0/2.1, hosting none/windows/linux) key, the same way\n"
    "               twice, and matches at least one; every op given NULL or malformed input\n"
    "               returns -1 with an error message (each probe runs in a child process, so\n"
    "               a crash is reported with its signal) and, once the probe's ledger is\n"
    "               released, the host holds nothing more than before.\n"
    "  repeatability  every selected case run twice in one process gives the same trace (no\n"
    "               state kept between creates), and pairs of cases run in two threads, each\n"
    "               in its own sim world and utility VM, give the traces they give alone.\n"
    "  corpus       one test per case: the host calls must match the reference's, call for\n"
    "               call; a failure names the first differing call and field, or, when the\n"
    "               core's HCS schema check refused one of the module's documents, the\n"
    "               document and each problem with its JSON path. A case the\n"
    "               loaded modules answer with \"not supported by this build\" or \"no plugin\n"
    "               for\" is reported as skipped, unless the reference's create failed that\n"
    "               same way (a case where the reference failed otherwise is skipped too).\n"
    "  fault sweep  (--faults) for each case whose create succeeds, and each host call k of\n"
    "               that create: the case is run again with call k failing (the sim's\n"
    "               failCall). The create must fail; afterwards the sim world must hold what it\n"
    "               held before, and every resource added (share, disk, vPMEM and vPCI device,\n"
    "               pipe, Plan 9 share, NIC, combined layers, HNS namespace and endpoint,\n"
    "               activated or prepared layer, credential guard instance) must have been\n"
    "               removed exactly once, in reverse order of the additions. Exceptions, as in\n"
    "               the reference: networking (NICs, HNS namespaces and endpoints) is released\n"
    "               by its own order, where only \"endpoints before their namespace\" is\n"
    "               checked, and the image's read-only layers may be removed in any order\n"
    "               among themselves. The case then runs again keeping resources on failure:\n"
    "               the create may only undo the failing step's own newest additions (the\n"
    "               kit cannot see step boundaries), and releasing the ledger it returns must\n"
    "               succeed and bring the world back to what it held before.\n"
    "  allocation sweep  (--faults) for each case whose create succeeds, and each allocation\n"
    "               n the create makes through hcsoci's allocator and jansson (calls into the\n"
    "               sim host excluded): the case is run again with allocation n failing, once\n"
    "               releasing and once keeping resources on failure. Either the create fails\n"
    "               with an out-of-memory error and the world passes the fault sweep's checks,\n"
    "               or the failure was absorbed and the trace is the reference's. A module\n"
    "               that allocates with plain malloc is swept only where it calls hcsoci and\n"
    "               jansson (see <hcsoci/alloc.h>).\n"
    "  release sweep  (--faults) for each case whose create succeeds, each host call of its\n"
    "               release and then each allocation the release makes fails in turn, and the\n"
    "               ledger is released a second time. The first release must report a failed\n"
    "               host call, the second must succeed, and afterwards the world must hold what\n"
    "               it held before with nothing removed twice.\n"
    "\n"
    "Options:\n"
    "  --plugin FILE       load this module file too (repeatable)\n"
    "  --plugin-dir DIR    load every *.so in DIR too (repeatable)\n"
    "  --no-installed-modules  do not load the installed module directory\n"
    "  --cases DIR         the corpus: DIR/cases/*.json and DIR/expected/*.json\n"
    "                      (default: %s)\n"
    "  --area AREA         select the cases of this area (repeatable): wcow-process,\n"
    "                      wcow-hosted, credentials, lcow, network, devices\n"
    "  --case NAME         select this case (repeatable; file name without .json). Without\n"
    "                      --area and --case every case runs; with them, the cases of the\n"
    "                      areas named and the cases named run\n"
    "  --faults            run the fault, allocation and release sweeps too, and print\n"
    "                      their tables\n"
    "                      (cases, faults injected, faults survived)\n"
    "  --known-fault CASE:K  a fault (case, 1-based host call) known not to be survived:\n"
    "                      reported as KNOWN, not as a failure (repeatable)\n"
    "  --known-failure \"SUITE: TEST\"  a test known to fail, e.g. \"contract: network: NULL and\n"
    "                      malformed input rejected\": its failures are reported as KNOWN\n"
    "                      (repeatable)\n"
    "  --junit FILE        write a JUnit XML report of every test to FILE\n"
    "  --help              print this text and exit\n"
    "\n"
    "HCSOCI_PLUGIN_PATH (colon-separated directories) is searched first, as by hcsoci.\n"
    "Memory leaks are found only under a memory checker: run the kit under valgrind, or\n"
    "build it with -fsanitize=address, and LeakSanitizer is asked after every case of the\n"
    "allocation sweep, so that a leak is reported against the case that made it.\n"
    "Exit status: 0 when every test passed; 1 when a test failed, no test ran, a module was\n"
    "refused (the message names the file and the reason; no tests run then) or the JUnit\n"
    "report could not be written; 2 on a usage error.\n";

static void usage(FILE *stream)
{
    fprintf(stream, usage_text, hcsoci_installed_plugin_directory(),
            default_cases_directory != NULL ? default_cases_directory : HCSOCI_CONFORMANCE_DIR);
}

static kit_options parsed;

hcsoci_runtime_options kit_runtime_options(const kit_options *options)
{
    return (hcsoci_runtime_options){
        .plugin_files = options->plugin_files,
        .plugin_directories = options->plugin_directories,
        .skip_installed_directory = options->no_installed_modules,
        .program_name = "hcsoci",
    };
}

/* Appends value to a NULL-terminated list with room for argc + 1 entries. */
static void push(const char **list, const char *value)
{
    size_t count = 0;
    while (list[count] != NULL)
        count++;
    list[count] = value;
}

enum { OPTION_PLUGIN = 1000, OPTION_PLUGIN_DIR, OPTION_NO_INSTALLED, OPTION_CASES, OPTION_AREA,
       OPTION_CASE, OPTION_FAULTS, OPTION_KNOWN_FAULT, OPTION_KNOWN_FAILURE, OPTION_JUNIT,
       OPTION_HELP };

static const struct option long_options[] = {
    {"plugin", required_argument, NULL, OPTION_PLUGIN},
    {"plugin-dir", required_argument, NULL, OPTION_PLUGIN_DIR},
    {"no-installed-modules", no_argument, NULL, OPTION_NO_INSTALLED},
    {"cases", required_argument, NULL, OPTION_CASES},
    {"area", required_argument, NULL, OPTION_AREA},
    {"case", required_argument, NULL, OPTION_CASE},
    {"faults", no_argument, NULL, OPTION_FAULTS},
    {"known-fault", required_argument, NULL, OPTION_KNOWN_FAULT},
    {"known-failure", required_argument, NULL, OPTION_KNOWN_FAILURE},
    {"junit", required_argument, NULL, OPTION_JUNIT},
    {"help", no_argument, NULL, OPTION_HELP},
    {NULL, 0, NULL, 0},
};

enum { PARSE_RUN, PARSE_HELP, PARSE_USAGE_ERROR };

/* Fills parsed; returns PARSE_RUN, PARSE_HELP (the text was printed) or PARSE_USAGE_ERROR (a
 * message was printed). Module files are loaded by absolute path only; a relative one is
 * resolved here, and the resolved copies are kept in resolved (freed by the caller). */
static int parse_arguments(int argc, char **argv, char **resolved)
{
    size_t resolved_count = 0;
    int option;
    opterr = 0;
    while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (option) {
        case OPTION_PLUGIN: {
            char *absolute = portable_resolve_path(optarg);
            if (absolute == NULL) {
                fprintf(stderr, "hcsoci-conformance: --plugin %s: ", optarg);
                perror(NULL);
                return PARSE_USAGE_ERROR;
            }
            resolved[resolved_count++] = absolute;
            push(parsed.plugin_files, absolute);
            break;
        }
        case OPTION_PLUGIN_DIR: push(parsed.plugin_directories, optarg); break;
        case OPTION_NO_INSTALLED: parsed.no_installed_modules = true; break;
        case OPTION_CASES: parsed.cases_directory = optarg; break;
        case OPTION_AREA: push(parsed.areas, optarg); break;
        case OPTION_CASE: push(parsed.cases, optarg); break;
        case OPTION_FAULTS: parsed.faults = true; break;
        case OPTION_KNOWN_FAULT:
            if (strchr(optarg, ':') == NULL) {
                fprintf(stderr, "hcsoci-conformance: --known-fault %s: expected CASE:K\n",
                        optarg);
                return PARSE_USAGE_ERROR;
            }
            push(parsed.known_faults, optarg);
            break;
        case OPTION_KNOWN_FAILURE: push(parsed.known_failures, optarg); break;
        case OPTION_JUNIT: parsed.junit_path = optarg; break;
        case OPTION_HELP: usage(stdout); return PARSE_HELP;
        default:
            fprintf(stderr, "hcsoci-conformance: unknown option or missing value: %s\n",
                    argv[optind - 1]);
            usage(stderr);
            return PARSE_USAGE_ERROR;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "hcsoci-conformance: unexpected argument: %s\n", argv[optind]);
        usage(stderr);
        return PARSE_USAGE_ERROR;
    }
    return PARSE_RUN;
}

/* Registers and runs every suite; returns the exit status. */
static int run_kit(void)
{
    int status = 1;
    kit_set_known_failures(parsed.known_failures);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    if (kit_register_contract_suites(&parsed) != 0 || kit_register_corpus_suites(&parsed) != 0) {
        fprintf(stderr, "hcsoci-conformance: cannot set up the tests%s%s\n",
                CU_get_error() != CUE_SUCCESS ? ": " : "",
                CU_get_error() != CUE_SUCCESS ? CU_get_error_msg() : "");
    } else {
        CU_basic_set_mode(CU_BRM_VERBOSE);
        CU_basic_run_tests();
        unsigned failed = CU_get_number_of_failures();
        unsigned ran = CU_get_number_of_tests_run();
        kit_print_fault_table();
        kit_print_allocation_table();
        kit_print_release_table();
        kit_note_stale_known_failures();
        bool written = parsed.junit_path == NULL || kit_write_junit(parsed.junit_path) == 0;
        status = failed == 0 && ran > 0 && written ? 0 : 1;
    }
    CU_cleanup_registry();
    kit_report_free();
    kit_fault_sweep_free();
    kit_allocation_sweep_free();
    kit_release_sweep_free();
    kit_corpus_free();
    kit_contract_free();
    return status;
}

enum { LIST_COUNT = 6 };

int main(int argc, char **argv)
{
    /* every list has room for all arguments and its NULL */
    size_t slots = (size_t)argc + 1;
    const char **lists[LIST_COUNT] = {NULL};
    char **resolved = calloc(slots, sizeof *resolved);
    default_cases_directory =
        portable_installed_data_directory(HCSOCI_CONFORMANCE_DIR, CONFORMANCE_DIR_BESIDE_PROGRAM);
    bool allocated = resolved != NULL && default_cases_directory != NULL;
    for (int index = 0; index < LIST_COUNT; index++) {
        lists[index] = calloc(slots, sizeof *lists[index]);
        allocated = allocated && lists[index] != NULL;
    }
    int status = 1;
    if (allocated) {
        parsed = (kit_options){.plugin_files = lists[0], .plugin_directories = lists[1],
                               .areas = lists[2], .cases = lists[3], .known_faults = lists[4],
                               .known_failures = lists[5],
                               .cases_directory = default_cases_directory};
        int parse = parse_arguments(argc, argv, resolved);
        status = parse == PARSE_RUN ? run_kit() : parse == PARSE_HELP ? 0 : 2;
    }
    for (size_t index = 0; resolved != NULL && index < slots; index++)
        free(resolved[index]);
    free(resolved);
    for (int index = 0; index < LIST_COUNT; index++)
        free(lists[index]);
    free(default_cases_directory);
    return status;
}
