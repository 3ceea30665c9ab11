/* Path arithmetic of the LCOW builder, written the way the reference's Go code does it: guest
 * paths with Go's path package (slash-separated, cleaned), host paths with Go's path/filepath
 * package as it behaves on Windows. Not installed. */
#ifndef HCSOCI_LCOW_PATHS_H
#define HCSOCI_LCOW_PATHS_H

#include <stddef.h>

/* Go's path.Clean: the shortest equivalent slash-separated path ("" becomes "."). Caller
 * frees; NULL when memory runs out. */
char *lcow_guest_path_clean(const char *path);

/* Go's path.Join of two elements: the non-empty ones joined with "/" and cleaned, "" when both
 * are empty. Caller frees; NULL when memory runs out. */
char *lcow_guest_path_join(const char *first, const char *second);

/* Length of the volume name a Windows path starts with, as Go's filepath.VolumeName sees it:
 * 2 for "C:", the length of "\\server\share" for a UNC path, else 0. */
size_t lcow_host_volume_name_length(const char *path);

/* Go's filepath.Split on Windows: *directory is everything up to and including the last
 * separator ('\' or '/') after the volume name, *file the rest. Both are the caller's.
 * Returns 0, or -1 when memory runs out (both NULL then). */
int lcow_host_path_split(const char *path, char **directory, char **file);

#endif
