/* The kit's probes on Windows: there is no fork, so each runs in the kit's own process; a
 * module that crashes ends the kit (its exit status and stderr show it) instead of failing
 * one test. */
#include "kit.h"

#include <stdio.h>
#include <string.h>

/* The call being made, printed before it is made so that a crash's output names it. */
void kit_probe_announce(const char *what)
{
    (void)what;
}

char *kit_run_probe(const hcsoci_plugin_descriptor *descriptor, kit_probe_function probe)
{
    fflush(stdout);
    fflush(stderr);
    const char *reason = probe(descriptor);
    return reason != NULL ? strdup(reason) : NULL;
}
