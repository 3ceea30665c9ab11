/* hcsoci-conformance: the conformance kit for backend modules. Declarations shared by its
 * files: the options, running one corpus case in a fresh sim world with an optional injected
 * fault, the checks on what the world holds afterwards, and the test suites. */
#ifndef HCSOCI_CONFORMANCE_KIT_H
#define HCSOCI_CONFORMANCE_KIT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <CUnit/CUnit.h>
#include <hcsoci/hcsoci.h>
#include <hcsoci/plugin.h>

/* ---- options ---- */

typedef struct kit_options {
    const char **plugin_files;       /* --plugin, NULL-terminated */
    const char **plugin_directories; /* --plugin-dir, NULL-terminated */
    const char **areas;              /* --area, NULL-terminated; empty: every area */
    const char **cases;              /* --case, NULL-terminated; empty: every case */
    const char *cases_directory;     /* --cases: holds cases/ and expected/ */
    const char **known_faults;       /* --known-fault CASE:K, NULL-terminated */
    const char **known_failures;     /* --known-failure "SUITE: TEST", NULL-terminated */
    const char *junit_path;          /* --junit or NULL */
    bool faults;                     /* --faults */
    bool no_installed_modules;       /* --no-installed-modules */
} kit_options;

/* The runtime options every run uses: the named modules next to the built-in ones. */
hcsoci_runtime_options kit_runtime_options(const kit_options *options);

/* ---- running one case (case_run.c) ---- */

/* What the run changes in the case before it runs. */
typedef struct kit_fault {
    const char *call; /* host call to fail (NULL: none besides the case's own failCall) */
    long nth;         /* which call of that name, 1-based, counted as failCall counts */
    bool keep_resources_on_failure; /* sets doNotReleaseResourcesOnFailure */
    /* The allocation of the create to fail, 1-based, as hcsoci_alloc_count_start numbers
     * them (host calls excluded); 0: none. */
    unsigned long allocation;
    /* The allocation of the release to fail, numbered the same way; 0: none. */
    unsigned long release_allocation;
    /* Release a second time, with no fault, after the first release (the release sweep). */
    bool release_again;
} kit_fault;

/* The outcome of one run. Every JSON member is a new reference owned by the run. */
typedef struct kit_run {
    json_t *trace;             /* {"calls","error","releaseCalls","releaseError"} */
    bool created;              /* the create succeeded */
    bool released;             /* a release ran (after success, or of a kept ledger) */
    json_t *held_before;       /* the sim's held counts before the create */
    json_t *held_after_create; /* ... right after the create (its rollback included) */
    json_t *held_after_release; /* ... after the release (NULL when none ran) */
    json_t *events;            /* resource events, see recording_host.c */
    int32_t error_code;        /* the create's error code (0 when it succeeded) */
    unsigned long allocations; /* allocations the create made (host calls excluded) */
    bool allocation_failed;    /* the fault's allocation was reached and failed */
    bool first_release_failed; /* the (first) release returned an error */
    unsigned long release_allocations; /* allocations the first release made */
    bool release_allocation_failed;    /* the fault's release allocation was reached */
    json_t *second_release_error;      /* with release_again: its error text or null */
} kit_run;

/* Runs test_case in a new sim world: the create, then, when it succeeded or when the fault
 * keeps resources on failure and a ledger came back, the release of everything in the ledger.
 * Returns -1 with *problem (malloc'ed) only when the case cannot be run at all. */
int kit_run_case(const json_t *test_case, const hcsoci_runtime_options *runtime_options,
                 const kit_fault *fault, kit_run *run, char **problem);

/* Frees what a run holds (not the struct itself). */
void kit_run_clear(kit_run *run);

/* ---- the recording host (recording_host.c) ---- */

/* A host that forwards every call to inner (borrowed; must outlive it) and records, for each
 * call that succeeded and acquires or releases something, an event
 * {"phase", "index", "call", "action": "add"|"remove", "resource", "group"}. image_layers
 * (borrowed array of host paths, may be NULL) are the case's read-only layer folders; a
 * utility VM attachment of one of them is in group "image layer". Destroying it leaves inner. */
hcsoci_host *kit_recording_host_new(hcsoci_host *inner, const json_t *image_layers);

/* Starts a new phase ("create", "release"): later events carry it and call indexes restart. */
void kit_recording_host_set_phase(hcsoci_host *host, const char *phase);

/* The events so far (borrowed). */
const json_t *kit_recording_host_events(hcsoci_host *host);

/* ---- checks on the world (world_check.c) ---- */

/* Compares two held descriptions; returns NULL when they are equal, else a malloc'ed text
 * listing what differs ("activatedLayers: 1 more than before; ..."). */
char *kit_held_difference(const json_t *before, const json_t *after);

/* Checks the events: every removal pairs with an earlier addition of the same resource in the
 * run, nothing is removed twice, and removals come in reverse order of the additions (the exact
 * rule is in world_check.c). only_unwinding: every removal must undo the newest addition still
 * held (what a step undoing its own unfinished work does; used while resources are kept on
 * failure). Returns NULL when all holds, else a malloc'ed description of the first violation. */
char *kit_check_events(const json_t *events, bool only_unwinding);

/* kit_check_events without the order rule: every removal pairs with an earlier addition of the
 * same resource and nothing is removed twice (a release repeated after a failure releases what
 * the first one could not after what it could). */
char *kit_check_event_pairs(const json_t *events);

/* Checks the world after a create that failed: without keep, what it held before and removals
 * in reverse order; with keep (resources kept on failure), the create removed only what undoes
 * the failing step's own additions, and releasing the returned ledger balanced the world.
 * Returns NULL when all holds, else a malloc'ed reason. */
char *kit_check_failed_run(const kit_run *run, bool keep);

/* ---- reporting (report.c) ---- */

/* Records a failure message for the running CUnit test (and prints it to stderr), then fails
 * the test. */
void kit_fail(const char *format, ...) HCSOCI_PRINTF_FORMAT(1, 2);

/* The tests whose failures are known ("<suite>: <test>", a contract suite named without its
 * module path): kit_fail reports them as KNOWN and does not fail the test. Borrowed list. */
void kit_set_known_failures(const char **tests);

/* Prints a NOTE for each known failure that did not fail in this run. */
void kit_note_stale_known_failures(void);

/* Marks the running test as skipped with a reason (printed; CUnit itself has no skip). */
void kit_skip(const char *format, ...) HCSOCI_PRINTF_FORMAT(1, 2);

/* Writes a JUnit XML report of the finished CUnit run; -1 with a message on stderr. */
int kit_write_junit(const char *path);

/* Frees what reporting recorded. */
void kit_report_free(void);

/* ---- the suites ---- */

/* Registers the contract suites for every module the runtime loads (contract.c). */
int kit_register_contract_suites(const kit_options *options);

/* Registers the corpus suite and, with --faults, the fault sweep suite (corpus.c). */
int kit_register_corpus_suites(const kit_options *options);

/* One corpus case (corpus.c owns every member). */
typedef struct kit_case {
    char *name;
    json_t *test_case;
    json_t *expected;
    char *problem; /* why its files cannot be used, or NULL */
} kit_case;

/* The selected cases, sorted by name: how many; case index (borrowed; NULL past the end); and
 * case index's name and parsed case (borrowed; NULL when its files cannot be used). */
size_t kit_corpus_count(void);
const kit_case *kit_corpus_entry(size_t index);
const json_t *kit_corpus_case(size_t index, const char **name);

/* The case the running CUnit test is named after (borrowed), or NULL. */
const kit_case *kit_current_case(void);

/* The runtime options every corpus run uses (borrowed). */
const hcsoci_runtime_options *kit_corpus_runtime_options(void);

/* Why a run does not apply: its create failed with "not supported by this build" or "no
 * plugin for" where the reference's did not fail that way (static text), else NULL. */
const char *kit_not_served(const json_t *trace, const json_t *expected);

/* ---- what the sweeps share (sweep.c) ---- */

/* Adds a suite with one test per selected case whose reference create succeeds. */
int kit_register_sweep_suite(const char *suite_name, CU_TestFunc test);

/* Runs the running test's case without a fault. Returns the case when its create succeeded
 * (clean then holds the run; the caller clears it); otherwise reports the test as failed or
 * skipped, leaves clean cleared and returns NULL. */
const kit_case *kit_sweep_clean_run(kit_run *clean);

/* Checks one run of a sweep: NULL when the fault was survived, else a malloc'ed reason. keep
 * says whether resources were kept on failure; context is the sweep's own. */
typedef char *(*kit_sweep_check)(const kit_case *entry, const kit_run *run, bool keep,
                                 const void *context);

/* Runs the case with fault, releasing on failure and then keeping resources (the fault's own
 * keep_resources_on_failure is ignored), and checks each run; NULL when both were survived,
 * else a malloc'ed reason naming the mode that was not. */
char *kit_sweep_both_modes(const kit_case *entry, kit_fault fault, kit_sweep_check check,
                           const void *context);

/* The sweeps run with --faults, one test per case whose reference create succeeds: every host
 * call of the create failing in turn (fault_sweep.c), every allocation of the create failing in
 * turn (allocation_sweep.c), and every host call and every allocation of the release failing
 * in turn, followed by a second release (release_sweep.c). Each prints its table after the
 * run. */
int kit_register_fault_sweep_suite(const kit_options *options);
int kit_register_allocation_sweep_suite(const kit_options *options);
int kit_register_release_sweep_suite(const kit_options *options);
void kit_print_fault_table(void);
void kit_print_allocation_table(void);
void kit_print_release_table(void);
void kit_fault_sweep_free(void);
void kit_allocation_sweep_free(void);
void kit_release_sweep_free(void);

/* Registers the repeatability suite over the selected cases (repeatability.c). */
int kit_register_repeatability_suite(const kit_options *options);

/* Frees what the corpus suites hold (corpus.c). */
void kit_corpus_free(void);

/* Frees what the contract suites hold (contract.c). */
void kit_contract_free(void);

/* A contract probe: NULL when the module behaved, else a reason in static storage. */
typedef const char *(*kit_probe_function)(const hcsoci_plugin_descriptor *descriptor);

/* Runs probe over a module's descriptor; NULL when it passed, else a new reason (a crash in a
 * child process names the last call announced). probe_posix.c or probe_windows.c. */
char *kit_run_probe(const hcsoci_plugin_descriptor *descriptor, kit_probe_function probe);

/* Called by a probe before each op call with its description ("build(NULL output)"). */
void kit_probe_announce(const char *what);

#endif
