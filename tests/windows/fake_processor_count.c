/* An LD_PRELOAD shim (native, for tests/windows/replay): makes Wine report
 * HCSOCI_FAKE_PROCESSOR_COUNT logical processors. Wine reads the processor count from
 * /sys/devices/system/cpu/present and /sys/devices/system/cpu/online with fopen, and may ask
 * sysconf; both are answered with the count while the variable is set (1 to 1024). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT, fmemopen */
#endif
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

FILE *fopen(const char *path, const char *mode);
FILE *fopen64(const char *path, const char *mode);
long sysconf(int name);

/* The requested count, or 0 when the variable is unset or out of range. */
static long fake_count(void)
{
    const char *text = getenv("HCSOCI_FAKE_PROCESSOR_COUNT");
    if (text == NULL)
        return 0;
    char *end = NULL;
    long count = strtol(text, &end, 10);
    return end != text && *end == '\0' && count >= 1 && count <= 1024 ? count : 0;
}

static bool is_processor_list(const char *path)
{
    return path != NULL && (strcmp(path, "/sys/devices/system/cpu/present") == 0 ||
                            strcmp(path, "/sys/devices/system/cpu/online") == 0);
}

/* A stream reading "0-N\n" (or "0\n" for one processor). */
static FILE *processor_list(long count)
{
    static char text[32];
    if (count == 1)
        snprintf(text, sizeof text, "0\n");
    else
        snprintf(text, sizeof text, "0-%ld\n", count - 1);
    return fmemopen(text, strlen(text), "r");
}

FILE *fopen(const char *path, const char *mode)
{
    static FILE *(*real_fopen)(const char *, const char *);
    long count = fake_count();
    if (count > 0 && is_processor_list(path))
        return processor_list(count);
    if (real_fopen == NULL)
        *(void **)&real_fopen = dlsym(RTLD_NEXT, "fopen");
    return real_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    static FILE *(*real_fopen64)(const char *, const char *);
    long count = fake_count();
    if (count > 0 && is_processor_list(path))
        return processor_list(count);
    if (real_fopen64 == NULL)
        *(void **)&real_fopen64 = dlsym(RTLD_NEXT, "fopen64");
    return real_fopen64(path, mode);
}

long sysconf(int name)
{
    static long (*real_sysconf)(int);
    long count = fake_count();
    if (count > 0 && (name == _SC_NPROCESSORS_ONLN || name == _SC_NPROCESSORS_CONF))
        return count;
    if (real_sysconf == NULL)
        *(void **)&real_sysconf = dlsym(RTLD_NEXT, "sysconf");
    return real_sysconf(name);
}
