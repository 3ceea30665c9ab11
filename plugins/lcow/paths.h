/* Path arithmetic of the LCOW builder, written the way the reference's Go code does it: guest
 * paths with Go's path package (slash-separated, cleaned); host paths are the core's
 * (hcsoci/windows_path.h). Not installed. */
#ifndef HCSOCI_LCOW_PATHS_H
#define HCSOCI_LCOW_PATHS_H

#include <stddef.h>

/* Go's path.Clean: the shortest equivalent slash-separated path ("" becomes "."). Caller
 * frees; NULL when memory runs out. */
char *lcow_guest_path_clean(const char *path);

/* Go's path.Join of two elements: the non-empty ones joined with "/" and cleaned, "" when both
 * are empty. Caller frees; NULL when memory runs out. */
char *lcow_guest_path_join(const char *first, const char *second);

#endif
