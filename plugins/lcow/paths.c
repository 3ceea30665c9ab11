/* Go's path functions the LCOW builder needs for guest paths (see paths.h). */
#include "paths.h"

#include <hcsoci/alloc.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

char *lcow_guest_path_clean(const char *path)
{
    size_t length = strlen(path);
    /* The result is never longer than the input, except "" which becomes ".". */
    char *out = hcsoci_malloc(length + 2);
    if (out == NULL)
        return NULL;
    bool rooted = length > 0 && path[0] == '/';
    size_t read = 0, written = 0, backtrack_limit = 0;
    if (rooted) {
        out[written++] = '/';
        read = 1;
        backtrack_limit = 1;
    }
    while (read < length) {
        bool element_ends_at_1 = read + 1 == length || path[read + 1] == '/';
        bool element_ends_at_2 = read + 2 >= length || path[read + 2] == '/';
        if (path[read] == '/') {
            read++; /* an empty element */
        } else if (path[read] == '.' && element_ends_at_1) {
            read++; /* "." */
        } else if (path[read] == '.' && path[read + 1] == '.' && element_ends_at_2) {
            read += 2; /* "..": drop the last element written, if there is one to drop */
            if (written > backtrack_limit) {
                written--;
                while (written > backtrack_limit && out[written] != '/')
                    written--;
            } else if (!rooted) {
                if (written > 0)
                    out[written++] = '/';
                out[written++] = '.';
                out[written++] = '.';
                backtrack_limit = written;
            }
        } else {
            if ((rooted && written != 1) || (!rooted && written != 0))
                out[written++] = '/';
            while (read < length && path[read] != '/')
                out[written++] = path[read++];
        }
    }
    if (written == 0)
        out[written++] = '.';
    out[written] = '\0';
    return out;
}

char *lcow_guest_path_join(const char *first, const char *second)
{
    size_t first_length = strlen(first), second_length = strlen(second);
    if (first_length == 0 && second_length == 0)
        return hcsoci_strdup("");
    char *joined = hcsoci_malloc(first_length + 1 + second_length + 1);
    if (joined == NULL)
        return NULL;
    size_t length = 0;
    memcpy(joined, first, first_length);
    length += first_length;
    if (first_length > 0 && second_length > 0)
        joined[length++] = '/';
    memcpy(joined + length, second, second_length);
    length += second_length;
    joined[length] = '\0';
    char *clean = lcow_guest_path_clean(joined);
    free(joined);
    return clean;
}
