/* Which module the calling thread is working for: the core sets it around each call into a
 * module's operations, so that a document the module makes the core send (directly, or
 * through a core service such as the utility VM model) can be blamed on it. */
#ifndef HCSOCI_ACTING_MODULE_H
#define HCSOCI_ACTING_MODULE_H

#include <stddef.h>

/* The name of the module whose operation this thread is in, or NULL outside any. Static or
 * owned by the loaded module; valid while that operation runs. */
const char *acting_module(void);

/* Makes name (may be NULL) this thread's acting module; returns the one it replaces, to be
 * put back with another call when the module's operation returns. */
const char *acting_module_enter(const char *name);

/* "module <name>" for the acting module, or "hcsoci" outside any module, into buffer. */
void acting_module_describe(char *buffer, size_t size);

#endif
