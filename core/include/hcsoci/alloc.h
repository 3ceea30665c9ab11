/* The allocator of libhcsoci and its modules. Memory from these functions is ordinary heap
 * memory: release it with free(). Modules should allocate through them too, so that the
 * conformance kit's allocation sweep (hcsoci/alloc_testing.h) reaches their code (plain malloc
 * still works; it just cannot be made to fail). */
#ifndef HCSOCI_ALLOC_H
#define HCSOCI_ALLOC_H

#include <stdarg.h>
#include <stddef.h>
#include <hcsoci/printf_format.h>

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
char *hcsoci_asprintf(const char *format, ...) HCSOCI_PRINTF_FORMAT(1, 2);
char *hcsoci_vasprintf(const char *format, va_list arguments)
    HCSOCI_PRINTF_FORMAT(1, 0);

#ifdef __cplusplus
}
#endif
#endif
