/* Windows host paths as Go's path/filepath package treats them on Windows, which is how the
 * reference names shares and splits mount sources: '\' and '/' both separate, a path may start
 * with a volume name ("C:" or "\\server\share"). */
#ifndef HCSOCI_WINDOWS_PATH_H
#define HCSOCI_WINDOWS_PATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Length of the volume name path starts with (filepath.VolumeName): 2 for "C:", the length of
 * "\\server\share" for a UNC path, else 0. */
size_t hcsoci_windows_volume_name_length(const char *path);

/* Index just past the last separator after the volume name (filepath.Split: the directory is
 * path[:index], the file path[index:]). */
size_t hcsoci_windows_path_split_index(const char *path);

/* filepath.Split into two new strings, both the caller's (free()). Returns 0, or -1 when memory
 * runs out (both NULL then). */
int hcsoci_windows_path_split(const char *path, char **directory, char **file);

/* filepath.Clean with backslashes: one separator, no "." elements, ".." resolved, "." for an
 * empty path. The caller frees the result; NULL when memory runs out. */
char *hcsoci_windows_path_clean(const char *path);

/* filepath.Dir: the directory part, cleaned. The caller frees the result; NULL when memory runs
 * out. */
char *hcsoci_windows_path_dir(const char *path);

#ifdef __cplusplus
}
#endif
#endif
