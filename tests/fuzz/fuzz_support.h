/* What the fuzz targets of tests/fuzz share: the libFuzzer entry points they define, where the
 * source and build trees are, pinning the four built-in modules in memory, one runtime for a
 * whole run over a host that can be switched per input, and the checks that end a run with a
 * finding (abort()). Each target is built twice: with libFuzzer (`make fuzz`) and, with
 * replay_main.c as its main, as a regression program of `make check`. */
#ifndef HCSOCI_FUZZ_SUPPORT_H
#define HCSOCI_FUZZ_SUPPORT_H

#include <hcsoci/hcsoci.h>
#include <hcsoci/sim.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* The libFuzzer interface each target implements (LLVMFuzzerInitialize is optional). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A file of the source tree ($HCSOCI_TEST_SRCDIR, else the tree the target was built from),
 * in a static buffer of a small ring (valid for the next few calls). */
const char *fuzz_source_path(const char *relative);

/* Parses a JSON file of the source tree; a missing or malformed one ends the run (exit 1: the
 * target is broken, not the library). The caller owns the result. */
json_t *fuzz_load_source_json(const char *relative);

/* The world of every conformance case without a failCall, merged (files, layer ids, HNS
 * endpoints and namespaces, new namespace ids; the scalars of case 001), so that what the
 * corpus's specs name exists. The caller owns the result. */
json_t *fuzz_merged_corpus_world(void);

/* Loads the four built-in modules once more with RTLD_NODELETE, from the build tree
 * ($HCSOCI_TEST_BUILDDIR, else the tree the target was built from), so that they stay mapped
 * for the whole run even when a runtime is freed: libFuzzer's coverage counters of a module
 * must not go away. Idempotent. */
void fuzz_pin_modules(void);

/* Runtime options that load exactly the four built-in modules of the build tree (no
 * environment, no installed directory), with host. */
hcsoci_runtime_options fuzz_runtime_options(hcsoci_host *host);

/* A host that forwards every call to the host set with fuzz_switch_host_set, so that one
 * runtime (made once, modules loaded once) can work on a new sim host for every input.
 * Destroying it leaves the target host alone. */
hcsoci_host *fuzz_switch_host_new(void);
void fuzz_switch_host_set(hcsoci_host *switch_host, hcsoci_host *target);

/* The runtime for the whole run, over one switch host (made at the first call; the modules
 * are pinned first). Ends the run when the modules cannot be loaded. */
hcsoci_runtime *fuzz_shared_runtime(void);
hcsoci_host *fuzz_shared_switch_host(void);

/* A copy of the input as a NUL-terminated string (the caller frees it); NULL when the input
 * holds a NUL byte, which no JSON text the targets read may hold. */
char *fuzz_input_text(const uint8_t *data, size_t size);

/* Parses the input as JSON text the way the command reads files (json_loads, flags 0); NULL
 * when it does not parse. The caller owns the result. */
json_t *fuzz_parse_json(const uint8_t *data, size_t size);

/* Ends the run with a finding: prints "fuzz finding: <what>" (and detail, when not NULL) on
 * stderr and aborts, which libFuzzer and the regression programs report as a crash. */
void fuzz_finding(const char *what, const char *detail) __attribute__((noreturn));
/* A finding named what, printing both documents, unless saved and saved_again are equal. */
void fuzz_expect_same_json(const json_t *saved, const json_t *saved_again, const char *what);

/* Aborts with a finding when the host's held counts differ from before (borrowed), naming
 * what differs; what says where ("after releasing the Windows VM container"). */
void fuzz_expect_held(hcsoci_host *sim, const json_t *before, const char *what);

/* Terminates and closes compute system id, as `hcsoci delete` does after releasing the
 * ledger; errors are ignored (a create that failed made none). */
void fuzz_end_compute_system(hcsoci_host *host, const char *id);

/* With HCSOCI_FUZZ_VERBOSE set, prints "<what>: <outcome>" on stderr (to see what an input
 * does); error may be NULL (success). */
void fuzz_note_outcome(const char *what, const hcsoci_error *error);

/* The number of times the sim host answered call so far (its saved state's callCounts). */
long long fuzz_sim_call_count(hcsoci_host *sim, const char *call);

#endif
