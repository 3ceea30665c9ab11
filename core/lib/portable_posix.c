/* portable.h on POSIX systems. */
#include "portable.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HCSOCI_PLUGIN_DIR
#define HCSOCI_PLUGIN_DIR "/usr/local/lib/hcsoci/plugins"
#endif

bool portable_path_is_absolute(const char *path)
{
    return path[0] == '/';
}

bool portable_is_path_separator(char character)
{
    return character == '/';
}

size_t portable_path_root_length(const char *path)
{
    return path[0] == '/' ? 1 : 0;
}

char portable_path_list_separator(void)
{
    return ':';
}

char *portable_resolve_path(const char *path)
{
    return realpath(path, NULL);
}

char *portable_parent_directory(const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return NULL;
    char *parent = strdup(dirname(copy));
    free(copy);
    return parent;
}

const char *portable_module_suffix(void)
{
    return ".so";
}

const char *portable_shared_object_format(void)
{
    return "an ELF file";
}

bool portable_has_shared_object_magic(const char *path)
{
    unsigned char magic[4] = {0};
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return false;
    size_t count = fread(magic, 1, sizeof magic, file);
    fclose(file);
    return count == sizeof magic && memcmp(magic, "\x7f" "ELF", sizeof magic) == 0;
}

const char *portable_program_name(void)
{
    return program_invocation_short_name;
}

const char *portable_executable_suffix(void)
{
    return "";
}

const char *portable_installed_module_directory(void)
{
    return HCSOCI_PLUGIN_DIR;
}

char *portable_installed_data_directory(const char *configured, const char *beside_program)
{
    (void)beside_program;
    return strdup(configured);
}

int portable_check_writers(const char *path, portable_owner_rule rule, char **reason)
{
    *reason = NULL;
    struct stat status;
    if (stat(path, &status) != 0)
        return -1;
    unsigned long owner = (unsigned long)status.st_uid;
    unsigned long caller = (unsigned long)geteuid();
    if (rule == PORTABLE_OWNER_CALLER_OR_ADMINISTRATOR) {
        if (owner != 0 && owner != caller) {
            if (asprintf(reason, "is owned by uid %lu, neither root nor the caller (uid %lu)",
                         owner, caller) < 0)
                *reason = NULL;
            return 1;
        }
        if (status.st_mode & (S_IWGRP | S_IWOTH)) {
            *reason = strdup((status.st_mode & S_IWOTH) ? "is writable by others"
                                                         : "is writable by its group");
            return 1;
        }
        return 0;
    }
    if (owner != caller) {
        if (asprintf(reason, "belongs to uid %lu, not to uid %lu", owner, caller) < 0)
            *reason = NULL;
        return 1;
    }
    if (status.st_mode & (S_IWGRP | S_IWOTH)) {
        if (asprintf(reason, "is writable by group or others (mode %03o)",
                     (unsigned)(status.st_mode & 0777)) < 0)
            *reason = NULL;
        return 1;
    }
    return 0;
}

int portable_make_private_directory(const char *path)
{
    return mkdir(path, 0700);
}

int portable_create_private_file(const char *path)
{
    int descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (descriptor < 0)
        return -1;
    close(descriptor);
    return 0;
}

FILE *portable_open_log_file(const char *path)
{
    int descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    FILE *stream = descriptor >= 0 ? fdopen(descriptor, "a") : NULL;
    if (stream == NULL && descriptor >= 0) {
        int saved = errno;
        close(descriptor);
        errno = saved;
    }
    return stream;
}

bool portable_path_exists(const char *path)
{
    struct stat status;
    return lstat(path, &status) == 0;
}

bool portable_error_is_disk_full(int number)
{
    return number == ENOSPC || number == EDQUOT;
}

char *portable_strndup(const char *text, size_t length)
{
    size_t used = 0;
    while (used < length && text[used] != '\0')
        used++;
    char *copy = malloc(used + 1);
    if (copy == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(copy, text, used);
    copy[used] = '\0';
    return copy;
}

int portable_set_environment(const char *name, const char *value)
{
    return setenv(name, value, 1);
}

struct tm *portable_utc_time(time_t when, struct tm *result)
{
    return gmtime_r(&when, result);
}

char *portable_default_state_directory(void)
{
    char *root = NULL;
    const char *runtime_directory = getenv("XDG_RUNTIME_DIR");
    int length;
    if (runtime_directory != NULL && runtime_directory[0] != '\0')
        length = asprintf(&root, "%s/hcsoci", runtime_directory);
    else if (geteuid() == 0)
        length = asprintf(&root, "/run/hcsoci");
    else
        length = asprintf(&root, "/tmp/hcsoci-%lu", (unsigned long)geteuid());
    return length < 0 ? NULL : root;
}

const char *portable_default_state_directory_help(void)
{
    return "$XDG_RUNTIME_DIR/hcsoci, else /run/hcsoci for root, else /tmp/hcsoci-<uid>";
}
