/* Processes run inside a utility VM: the Windows command line the reference builds from an
 * argument list, and running it through the host. */
#include "devices.h"

#include <hcsoci/alloc.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

char *devices_escape_argument(const char *argument)
{
    size_t length = strlen(argument);
    if (length == 0)
        return hcsoci_strdup("\"\"");
    bool quoted = strpbrk(argument, " \t") != NULL;
    /* Worst case: every character is a quote or backslash that gains a backslash. */
    char *escaped = hcsoci_malloc(2 * length + 3);
    if (escaped == NULL)
        return NULL;
    size_t out = 0;
    size_t backslashes = 0;
    if (quoted)
        escaped[out++] = '"';
    for (size_t i = 0; i < length; i++) {
        char character = argument[i];
        if (character == '\\') {
            backslashes++;
        } else if (character == '"') {
            /* Backslashes in front of a quote are doubled, and the quote itself escaped. */
            for (; backslashes > 0; backslashes--)
                escaped[out++] = '\\';
            escaped[out++] = '\\';
        } else {
            backslashes = 0;
        }
        escaped[out++] = character;
    }
    if (quoted) {
        /* Backslashes before the closing quote are doubled so that it stays a quote. */
        for (; backslashes > 0; backslashes--)
            escaped[out++] = '\\';
        escaped[out++] = '"';
    }
    escaped[out] = '\0';
    return escaped;
}

char *devices_command_line(const char *const *arguments, size_t count)
{
    char **escaped = hcsoci_calloc(count > 0 ? count : 1, sizeof *escaped);
    if (escaped == NULL)
        return NULL;
    size_t length = 1;
    bool failed = false;
    for (size_t i = 0; i < count && !failed; i++) {
        escaped[i] = devices_escape_argument(arguments[i]);
        if (escaped[i] == NULL)
            failed = true;
        else
            length += strlen(escaped[i]) + 1;
    }
    char *line = failed ? NULL : hcsoci_malloc(length);
    if (line != NULL) {
        line[0] = '\0';
        for (size_t i = 0; i < count; i++) {
            if (i > 0)
                strcat(line, " ");
            strcat(line, escaped[i]);
        }
    }
    for (size_t i = 0; i < count; i++)
        free(escaped[i]);
    free(escaped);
    return line;
}

int devices_run_in_uvm(hcsoci_host *host, const hcsoci_uvm *uvm, const char *const *arguments,
                       size_t count, char **output, hcsoci_error **error)
{
    *output = NULL;
    if (count == 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "missing command");
    char *line = devices_command_line(arguments, count);
    if (line == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = host->ops->run_guest_process(host, hcsoci_uvm_id(uvm), line, output, error);
    free(line);
    return result;
}
