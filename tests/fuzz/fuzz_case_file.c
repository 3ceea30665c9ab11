/* Fuzz target fuzz_case_file: the input is a conformance case file (the format of
 * tests/conformance/cases/NNN-name.json), read as `hcsoci replay` reads it: JSON text that must hold an
 * object, then hcsoci_replay_case, which reads the case's options, hostingSystem, spec and host
 * (a fresh sim host made from it), runs the create and, when it succeeded, the release, and
 * returns the trace; the trace is then written out as the command prints it. Any return code
 * is fine; crashes, leaks and undefined behaviour are findings. hcsoci_replay_case loads the
 * modules for each case; they are pinned (fuzz_pin_modules) so that they stay mapped. */
#include "fuzz_support.h"

#include <hcsoci/replay.h>

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_pin_modules();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pin_modules();
    json_t *test_case = fuzz_parse_json(data, size);
    if (test_case == NULL)
        return 0;
    if (json_is_object(test_case)) {
        hcsoci_runtime_options options = fuzz_runtime_options(NULL);
        json_t *trace = NULL;
        hcsoci_error *error = NULL;
        if (hcsoci_replay_case(test_case, &options, &trace, &error) == 0) {
            if (trace == NULL)
                fuzz_finding("hcsoci_replay_case succeeded without a trace", NULL);
            free(json_dumps(trace, JSON_INDENT(2)));
        } else if (error == NULL) {
            fuzz_finding("hcsoci_replay_case failed without an error", NULL);
        }
        json_decref(trace);
        hcsoci_error_free(error);
    }
    json_decref(test_case);
    return 0;
}
