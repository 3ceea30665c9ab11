/* The state directory (its default place, its creation and its checks) and the ids the store
 * keeps; the store itself, ROOT/state.db, is in store.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "portable.h"

char *cli_default_root(void)
{
    return portable_default_state_directory();
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

/* The first path separator at or after text, or NULL. */
static char *next_separator(char *text)
{
    for (; *text != '\0'; text++) {
        if (portable_is_path_separator(*text))
            return text;
    }
    return NULL;
}

/* Creates path and its missing parents, private to their owner (mode 0700). */
static int make_directories(const char *path, hcsoci_error **error)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    size_t root = portable_path_root_length(copy);
    /* The root ("/", "C:\\") exists; a relative path's first character is no separator. */
    char *slash = next_separator(copy + (root > 0 || copy[0] == '\0' ? root : 1));
    for (;; slash = next_separator(slash + 1)) {
        char saved_separator = slash != NULL ? *slash : '\0';
        if (slash != NULL)
            *slash = '\0';
        if (copy[0] != '\0' && portable_make_private_directory(copy) != 0 && errno != EEXIST) {
            int saved = errno;
            hcsoci_fail(error, HCSOCI_E_IO, "cannot create directory '%s': %s", copy,
                        strerror(saved));
            free(copy);
            return -1;
        }
        if (slash == NULL)
            break;
        *slash = saved_separator;
        while (portable_is_path_separator(slash[1]))
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
