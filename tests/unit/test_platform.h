/* What the tests do differently on POSIX and on Windows (test_platform_posix.c,
 * test_platform_windows.c; the build picks one). */
#ifndef HCSOCI_TEST_PLATFORM_H
#define HCSOCI_TEST_PLATFORM_H

#include <stdbool.h>

/* mkdtemp: replaces the template's trailing XXXXXX and creates the directory (mode 0755 on
 * POSIX). Returns template, or NULL. */
char *test_make_temporary_directory(char *template_path);

/* setenv(name, value, 1) and unsetenv(name); 0 or -1. */
int test_set_environment(const char *name, const char *value);
int test_unset_environment(const char *name);

/* True where mode bits decide who may write a file (POSIX), so that chmod makes a file
 * writable by group or others; false on Windows, where the DACL does. */
bool test_mode_bits_control_writers(void);

/* True when the tests run as root (POSIX) and may give files to other users. */
bool test_running_as_root(void);

/* chown(path, owner, owner); -1 where files cannot be given away. */
int test_change_owner(const char *path, unsigned owner);

/* True when the module file at path is loaded in this process (POSIX: that file; Windows: a
 * DLL of its file name). */
bool test_module_is_loaded(const char *path);

#endif
