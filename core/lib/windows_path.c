/* Windows host paths with the results Go's path/filepath gives on Windows (see
 * hcsoci/windows_path.h). The UVM model keys VSMB shares by these cleaned paths, as the
 * reference does. */
#include <hcsoci/windows_path.h>

#include <hcsoci/alloc.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_separator(char c)
{
    return c == '\\' || c == '/';
}

size_t hcsoci_windows_volume_name_length(const char *path)
{
    size_t length = strlen(path);
    if (length >= 2 && path[1] == ':' && isalpha((unsigned char)path[0]))
        return 2;
    if (length >= 5 && is_separator(path[0]) && is_separator(path[1]) &&
        !is_separator(path[2]) && path[2] != '.') {
        for (size_t n = 3; n < length - 1; n++) {
            if (!is_separator(path[n]))
                continue;
            n++;
            if (is_separator(path[n]) || path[n] == '.')
                return 0;
            while (n < length && !is_separator(path[n]))
                n++;
            return n;
        }
    }
    return 0;
}

static void to_backslashes(char *path)
{
    for (char *c = path; *c != '\0'; c++) {
        if (*c == '/')
            *c = '\\';
    }
}

char *hcsoci_windows_path_clean(const char *path)
{
    size_t volume = hcsoci_windows_volume_name_length(path);
    size_t length = strlen(path);
    /* The result is never longer than the input plus a "." or a separator. */
    char *out = hcsoci_malloc(length + 3);
    if (out == NULL)
        return NULL;
    memcpy(out, path, volume);
    if (volume == length) {
        if (volume > 1 && path[1] != ':') {
            memcpy(out, path, length + 1);
        } else {
            memcpy(out + volume, ".", 2);
        }
        to_backslashes(out);
        return out;
    }
    const char *rest = path + volume;
    size_t n = length - volume;
    char *buffer = out + volume;
    size_t written = 0;
    size_t read = 0;
    size_t dotdot = 0;
    bool rooted = is_separator(rest[0]);
    if (rooted) {
        buffer[written++] = '\\';
        read = 1;
        dotdot = 1;
    }
    while (read < n) {
        if (is_separator(rest[read])) {
            read++;
        } else if (rest[read] == '.' && (read + 1 == n || is_separator(rest[read + 1]))) {
            read++;
        } else if (rest[read] == '.' && rest[read + 1] == '.' &&
                   (read + 2 == n || is_separator(rest[read + 2]))) {
            read += 2;
            if (written > dotdot) {
                written--;
                while (written > dotdot && !is_separator(buffer[written]))
                    written--;
            } else if (!rooted) {
                if (written > 0)
                    buffer[written++] = '\\';
                buffer[written++] = '.';
                buffer[written++] = '.';
                dotdot = written;
            }
        } else {
            if ((rooted && written != 1) || (!rooted && written != 0))
                buffer[written++] = '\\';
            while (read < n && !is_separator(rest[read]))
                buffer[written++] = rest[read++];
        }
    }
    if (written == 0)
        buffer[written++] = '.';
    buffer[written] = '\0';
    to_backslashes(out);
    return out;
}

size_t hcsoci_windows_path_split_index(const char *path)
{
    size_t volume = hcsoci_windows_volume_name_length(path);
    size_t index = strlen(path);
    while (index > volume && !is_separator(path[index - 1]))
        index--;
    return index;
}

char *hcsoci_windows_path_dir(const char *path)
{
    size_t volume = hcsoci_windows_volume_name_length(path);
    size_t split = hcsoci_windows_path_split_index(path);
    char *directory = hcsoci_strndup(path + volume, split - volume);
    if (directory == NULL)
        return NULL;
    char *cleaned = hcsoci_windows_path_clean(directory);
    free(directory);
    if (cleaned == NULL)
        return NULL;
    if (strcmp(cleaned, ".") == 0 && volume > 2) {
        free(cleaned);
        return hcsoci_strndup(path, volume);
    }
    char *result = hcsoci_malloc(volume + strlen(cleaned) + 1);
    if (result != NULL) {
        memcpy(result, path, volume);
        strcpy(result + volume, cleaned);
        to_backslashes(result);
    }
    free(cleaned);
    return result;
}

int hcsoci_windows_path_split(const char *path, char **directory, char **file)
{
    size_t split = hcsoci_windows_path_split_index(path);
    *directory = hcsoci_strndup(path, split);
    *file = hcsoci_strdup(path + split);
    if (*directory == NULL || *file == NULL) {
        free(*directory);
        free(*file);
        *directory = *file = NULL;
        return -1;
    }
    return 0;
}
