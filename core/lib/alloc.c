/* The allocator and its failure hook (see hcsoci/alloc.h and hcsoci/alloc_testing.h). */
#include <hcsoci/alloc.h>
#include <hcsoci/alloc_testing.h>

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state of the running count. Counting is a test facility used from one thread at a time
 * (see the header); only the pause depth is per thread, so that a paused host call on one
 * thread does not hide another thread's allocations. */
static bool counting;
static unsigned long allocations_numbered;
static unsigned long allocation_to_fail;
static bool failure_injected;
static _Thread_local unsigned pause_depth;

static json_malloc_t previous_json_malloc;
static json_free_t previous_json_free;

/* Numbers one allocation; returns whether it must fail. */
static bool allocation_fails(void)
{
    if (!counting || pause_depth != 0)
        return false;
    allocations_numbered++;
    if (allocations_numbered != allocation_to_fail)
        return false;
    failure_injected = true;
    return true;
}

static void *json_malloc_with_hook(size_t size)
{
    return allocation_fails() ? NULL : previous_json_malloc(size);
}

void *hcsoci_malloc(size_t size)
{
    return allocation_fails() ? NULL : malloc(size);
}

void *hcsoci_calloc(size_t count, size_t size)
{
    return allocation_fails() ? NULL : calloc(count, size);
}

void *hcsoci_realloc(void *memory, size_t size)
{
    return allocation_fails() ? NULL : realloc(memory, size);
}

char *hcsoci_strdup(const char *text)
{
    return hcsoci_strndup(text, strlen(text));
}

char *hcsoci_strndup(const char *text, size_t length)
{
    size_t copied = strnlen(text, length);
    char *copy = hcsoci_malloc(copied + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, text, copied);
    copy[copied] = '\0';
    return copy;
}

char *hcsoci_vasprintf(const char *format, va_list arguments)
{
    va_list measuring;
    va_copy(measuring, arguments);
    int length = vsnprintf(NULL, 0, format, measuring);
    va_end(measuring);
    if (length < 0)
        return NULL;
    char *text = hcsoci_malloc((size_t)length + 1);
    if (text != NULL)
        vsnprintf(text, (size_t)length + 1, format, arguments);
    return text;
}

char *hcsoci_asprintf(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    char *text = hcsoci_vasprintf(format, arguments);
    va_end(arguments);
    return text;
}

void hcsoci_alloc_count_start(unsigned long fail_at)
{
    if (!counting) {
        json_get_alloc_funcs(&previous_json_malloc, &previous_json_free);
        json_set_alloc_funcs(json_malloc_with_hook, previous_json_free);
    }
    counting = true;
    allocations_numbered = 0;
    allocation_to_fail = fail_at;
    failure_injected = false;
}

unsigned long hcsoci_alloc_count_stop(bool *failed)
{
    if (counting)
        json_set_alloc_funcs(previous_json_malloc, previous_json_free);
    counting = false;
    if (failed != NULL)
        *failed = failure_injected;
    return allocations_numbered;
}

void hcsoci_alloc_count_pause(void)
{
    pause_depth++;
}

void hcsoci_alloc_count_resume(void)
{
    if (pause_depth > 0)
        pause_depth--;
}
