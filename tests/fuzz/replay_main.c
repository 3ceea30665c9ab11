/* The regression driver of the fuzz targets: linked with one target instead of libFuzzer, it
 * calls LLVMFuzzerInitialize (when the target defines it) and then LLVMFuzzerTestOneInput on
 * every file of the directories (or the files) named on its command line, in name order. With
 * no arguments it replays the target's seed corpus and its regressions:
 * $HCSOCI_TEST_SRCDIR/tests/fuzz/corpus/<target> and .../regressions/<target>, where <target>
 * is HCSOCI_FUZZ_TARGET, compiled in (this is how `make check` runs it). A finding aborts the
 * program, as it does under libFuzzer; anything else is exit 0 after a summary line. */
#include "fuzz_support.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef HCSOCI_FUZZ_TARGET
#error "HCSOCI_FUZZ_TARGET (the target's name) must be defined"
#endif

/* Weak, so that a target without LLVMFuzzerInitialize links too. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned long inputs_run;

/* Reads a whole file; NULL (and a message) when it cannot be read. *size receives its length. */
static uint8_t *read_input(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "%s: cannot open %s: %s\n", HCSOCI_FUZZ_TARGET, path, strerror(errno));
        return NULL;
    }
    size_t capacity = 4096, length = 0;
    uint8_t *data = malloc(capacity);
    while (data != NULL) {
        length += fread(data + length, 1, capacity - length, file);
        if (length < capacity)
            break;
        uint8_t *grown = realloc(data, capacity * 2);
        if (grown == NULL) {
            free(data);
            data = NULL;
            break;
        }
        data = grown;
        capacity *= 2;
    }
    bool failed = data == NULL || ferror(file);
    fclose(file);
    if (failed) {
        fprintf(stderr, "%s: cannot read %s\n", HCSOCI_FUZZ_TARGET, path);
        free(data);
        return NULL;
    }
    *size = length;
    return data;
}

static int run_file(const char *path)
{
    size_t size = 0;
    uint8_t *data = read_input(path, &size);
    if (data == NULL)
        return -1;
    /* Exactly size bytes, so that ASan and valgrind see a read past the input. */
    uint8_t *input = malloc(size > 0 ? size : 1);
    if (input == NULL) {
        free(data);
        return -1;
    }
    memcpy(input, data, size);
    free(data);
    LLVMFuzzerTestOneInput(input, size);
    free(input);
    inputs_run++;
    return 0;
}

static int compare_names(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* Runs every regular file of directory whose name does not start with '.' (README files too:
 * any input is an input). A missing directory is skipped when optional. */
static int run_directory(const char *directory, bool optional)
{
    DIR *listing = opendir(directory);
    if (listing == NULL) {
        if (optional && errno == ENOENT)
            return 0;
        fprintf(stderr, "%s: cannot list %s: %s\n", HCSOCI_FUZZ_TARGET, directory,
                strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, capacity = 0;
    int result = 0;
    struct dirent *entry;
    while (result == 0 && (entry = readdir(listing)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        if (count == capacity) {
            capacity = capacity > 0 ? capacity * 2 : 16;
            char **grown = realloc(names, capacity * sizeof *names);
            if (grown == NULL) {
                result = -1;
                break;
            }
            names = grown;
        }
        if ((names[count] = strdup(entry->d_name)) == NULL)
            result = -1;
        else
            count++;
    }
    closedir(listing);
    if (count > 0)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        struct stat status;
        snprintf(path, sizeof path, "%s/%s", directory, names[i]);
        if (result == 0 && stat(path, &status) == 0 && S_ISREG(status.st_mode))
            result = run_file(path);
        free(names[i]);
    }
    free(names);
    return result;
}

static int run_path(const char *path, bool optional)
{
    struct stat status;
    if (stat(path, &status) == 0 && S_ISDIR(status.st_mode))
        return run_directory(path, optional);
    if (optional && errno == ENOENT)
        return 0;
    return run_file(path);
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    int result = 0;
    if (argc > 1) {
        for (int i = 1; i < argc && result == 0; i++)
            result = run_path(argv[i], false);
    } else {
        result = run_path(fuzz_source_path("tests/fuzz/corpus/" HCSOCI_FUZZ_TARGET), false);
        if (result == 0)
            result = run_path(fuzz_source_path("tests/fuzz/regressions/" HCSOCI_FUZZ_TARGET),
                              true);
    }
    if (result != 0)
        return 1;
    printf("%s: %lu inputs replayed, no finding\n", HCSOCI_FUZZ_TARGET, inputs_run);
    return 0;
}
