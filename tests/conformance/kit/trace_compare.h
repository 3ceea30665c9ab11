/* Comparing a replayed trace with a corpus trace by the rules of the corpus README
 * ("Comparing"): same calls in the same order with JSON-equal arguments, generated GUIDs renamed
 * consistently, errors present exactly when expected. */
#ifndef HCSOCI_TRACE_COMPARE_H
#define HCSOCI_TRACE_COMPARE_H

#include <jansson.h>

/* Compares actual against expected, both {"calls", "error", "releaseCalls", "releaseError"};
 * GUIDs found anywhere in test_case must appear literally, any other expected GUID matches any
 * GUID renamed one-to-one through the whole trace. Returns 0 when the traces match, else 1 and
 * *difference (malloc'ed, the caller frees it) describes the first difference. */
int trace_compare(const json_t *test_case, const json_t *expected, const json_t *actual,
                  char **difference);

#endif
