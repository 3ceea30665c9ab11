/* The allocator of libhcsoci and its modules, with a hook that makes one chosen allocation
 * fail. Memory from these functions is ordinary heap memory: release it with free(). Modules
 * should allocate through them too, so that the conformance kit's allocation sweep reaches
 * their code (plain malloc still works; it just cannot be made to fail). */
#ifndef HCSOCI_ALLOC_H
#define HCSOCI_ALLOC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* malloc, calloc, realloc, strdup and strndup through the hook: NULL when memory runs out or
 * the hook fails this allocation. The caller owns the result (free()). */
void *hcsoci_malloc(size_t size);
void *hcsoci_calloc(size_t count, size_t size);
void *hcsoci_realloc(void *memory, size_t size);
char *hcsoci_strdup(const char *text);
char *hcsoci_strndup(const char *text, size_t length);

/* A new printf-formatted string, or NULL when memory runs out (caller frees with free()). */
char *hcsoci_asprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));
char *hcsoci_vasprintf(const char *format, va_list arguments)
    __attribute__((format(printf, 1, 0)));

/* ---- the failure hook (tests and hcsoci-conformance) ----
 * While a count is running, every allocation made through the functions above and through
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
