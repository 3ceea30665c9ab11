/* The allocation-failure hook, for tests: hcsoci-conformance's allocation sweep and a module
 * author's own tests use it to make one chosen allocation fail. Not for production code. */
#ifndef HCSOCI_ALLOC_TESTING_H
#define HCSOCI_ALLOC_TESTING_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* While a count is running, every allocation made through hcsoci/alloc.h's functions and through
 * jansson is numbered from 1, and the one numbered fail_at returns NULL (fail_at 0: none).
 * Starting and stopping swap jansson's allocation functions for the whole process (the
 * previous ones are used underneath and put back), so call them while no other thread uses
 * jansson. Counts do not nest. */
void hcsoci_alloc_count_start(unsigned long fail_at);

/* Ends the count; returns how many allocations were numbered, and sets *failed (may be NULL)
 * to whether the allocation numbered fail_at was reached and made to fail. */
unsigned long hcsoci_alloc_count_stop(bool *failed);

/* Allocations between pause and resume (on this thread) are neither numbered nor failed: the
 * kit wraps calls into the simulated host, which stands for the world outside the process.
 * Pauses nest. */
void hcsoci_alloc_count_pause(void);
void hcsoci_alloc_count_resume(void);

#ifdef __cplusplus
}
#endif
#endif
