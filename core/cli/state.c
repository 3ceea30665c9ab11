/* The state directory (its default place, its creation and its checks) and the ids the store
 * keeps; the store itself, ROOT/state.db, is in store.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

char *cli_default_root(void)
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

/* Copies id into buffer with non-printable bytes written as \xNN, cut to fit. */
static const char *escape_for_message(const char *id, char *buffer, size_t size)
{
    size_t used = 0;
    for (const char *c = id; *c != '\0' && used + 5 < size; c++) {
        unsigned char byte = (unsigned char)*c;
        if (byte < 0x20 || byte >= 0x7f)
            used += (size_t)snprintf(buffer + used, size - used, "\\x%02x", byte);
        else
            buffer[used++] = (char)byte;
    }
    buffer[used] = '\0';
    return buffer;
}

int cli_validate_id(const char *what, const char *id, hcsoci_error **error)
{
    char shown[64];
    size_t length = strlen(id);
    if (length == 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid %s id: it is empty", what);
    if (length > CLI_MAX_ID_LENGTH)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid %s id '%s...': longer than %d characters", what,
                           escape_for_message(id, shown, sizeof shown), CLI_MAX_ID_LENGTH);
    escape_for_message(id, shown, sizeof shown);
    if (id[0] == '.')
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid %s id '%s': it must not start with '.'", what, shown);
    for (const char *c = id; *c != '\0'; c++) {
        unsigned char byte = (unsigned char)*c;
        bool allowed = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || byte == '_' || byte == '-' ||
                       byte == '.' || byte == '+';
        if (!allowed)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid %s id '%s': only letters, digits, '_', '-', '.' "
                               "and '+' are allowed",
                               what, shown);
    }
    if (strstr(id, "..") != NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid %s id '%s': it must not contain '..'", what, shown);
    return 0;
}

int cli_validate_container_id(const char *id, hcsoci_error **error)
{
    return cli_validate_id("container", id, error);
}

int cli_validate_uvm_id(const char *id, hcsoci_error **error)
{
    return cli_validate_id("utility VM", id, error);
}

/* Creates path and its missing parents with mode 0700. */
static int make_directories(const char *path, hcsoci_error **error)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    for (char *slash = strchr(copy + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash != NULL)
            *slash = '\0';
        if (copy[0] != '\0' && mkdir(copy, 0700) != 0 && errno != EEXIST) {
            int saved = errno;
            hcsoci_fail(error, HCSOCI_E_IO, "cannot create directory '%s': %s", copy,
                        strerror(saved));
            free(copy);
            return -1;
        }
        if (slash == NULL)
            break;
        *slash = '/';
        while (slash[1] == '/')
            slash++;
    }
    free(copy);
    return 0;
}

int cli_prepare_root(const char *root, hcsoci_error **error)
{
    if (make_directories(root, error) != 0)
        return -1;
    return cli_check_root(root, error);
}
