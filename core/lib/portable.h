/* What differs between POSIX systems and Windows, behind small functions: paths, the program's
 * name, who may write a file, private files and directories, the installed module directory.
 * portable_posix.c and portable_windows.c implement it (the build picks one); the library, the
 * command and the conformance kit link it in (libportable.la, internal: nothing is exported).
 * Strings are UTF-8 on both. Functions that fail set errno. */
#ifndef HCSOCI_PORTABLE_H
#define HCSOCI_PORTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* ---- paths ---- */

/* True when path names a file without depending on the current directory or drive: "/..." on
 * POSIX; "X:\..." or "X:/..." and UNC ("\\server\share", "\\?\...") on Windows. */
bool portable_path_is_absolute(const char *path);

/* True for '/' and, on Windows, '\\'. */
bool portable_is_path_separator(char character);

/* The length of the root that starts an absolute path ("/", "C:\", "\\server\share\"), 0 for a
 * relative one. Directory creation starts after it. */
size_t portable_path_root_length(const char *path);

/* The separator of directory lists such as HCSOCI_PLUGIN_PATH: ':' on POSIX, ';' on Windows. */
char portable_path_list_separator(void);

/* The absolute, normalised form of an existing path (realpath; GetFullPathNameW on Windows).
 * The caller frees it; NULL with errno (ENOENT for a missing file, ENOMEM). */
char *portable_resolve_path(const char *path);

/* The directory part of path (as dirname(3), either separator on Windows). The caller frees
 * it; NULL when memory runs out. */
char *portable_parent_directory(const char *path);

/* The file name suffix of loadable modules: ".so" or ".dll". */
const char *portable_module_suffix(void);

/* The platform's shared object format as a phrase ("an ELF file", "a PE file"), and whether
 * the file at path starts with its magic number (what libltdl cannot open may be no shared
 * object at all). */
const char *portable_shared_object_format(void);
bool portable_has_shared_object_magic(const char *path);

/* ---- the program and its modules ---- */

/* The running program's file name without directories: "hcsoci" on POSIX, "hcsoci.exe" on
 * Windows (its module file name). Static storage; never NULL. */
const char *portable_program_name(void);

/* The suffix of executable file names: "" or ".exe". */
const char *portable_executable_suffix(void);

/* The built-in module directory: HCSOCI_PLUGIN_DIR on POSIX; on Windows the "plugins"
 * directory beside the DLL (or program) this code is linked into. Static storage; never NULL. */
const char *portable_installed_module_directory(void);

/* Where an installed data directory is: CONFIGURED (its configure-time path) on POSIX; on
 * Windows BESIDE_PROGRAM taken from the running program's folder (such as ..\share\hcsoci), so
 * that an installed folder still works once moved. The caller frees it; NULL when out of memory. */
char *portable_installed_data_directory(const char *configured, const char *beside_program);

/* ---- who may write a file ---- */

/* Whom a file's owner must be. */
typedef enum portable_owner_rule {
    PORTABLE_OWNER_CALLER_OR_ADMINISTRATOR, /* modules: root or the caller (Windows: the caller,
                                               SYSTEM, Administrators or TrustedInstaller) */
    PORTABLE_OWNER_CALLER,                  /* the state directory: the caller (on Windows also
                                               SYSTEM or Administrators, who own what an
                                               elevated caller makes) */
} portable_owner_rule;

/* Checks that path's owner passes rule and that nobody else may write it: on POSIX the owner
 * uid and the group and other write bits; on Windows the owner and the DACL, in which only the
 * owner, the caller, SYSTEM, Administrators and TrustedInstaller may hold write rights.
 * Returns 0 when trusted; 1 when refused, with *reason a phrase to follow "it " or the path
 * ("is writable by others", "is owned by uid 12345, neither root nor the caller (uid 1000)");
 * -1 with errno when the file cannot be examined. The caller frees *reason. */
int portable_check_writers(const char *path, portable_owner_rule rule, char **reason);

/* ---- files ---- */

/* Creates one directory only its owner may use (mode 0700; on Windows the inherited ACL).
 * 0, or -1 with errno (EEXIST when it exists). */
int portable_make_private_directory(const char *path);

/* Creates path, when missing, as a file only its owner may use (mode 0600, not following a
 * symbolic link), and closes it. 0, or -1 with errno. */
int portable_create_private_file(const char *path);

/* Opens path for appending (the command's --log), creating it when missing as a file only its
 * owner may use, not inherited by child processes. NULL with errno. */
FILE *portable_open_log_file(const char *path);

/* True when something exists at path (a symbolic link counts itself, not its target). */
bool portable_path_exists(const char *path);

/* True when errno value number means the disk or the user's quota is full. */
bool portable_error_is_disk_full(int number);

/* ---- strings ---- */

/* strndup: a new copy of at most length bytes of text (NULL with errno ENOMEM); plain malloc,
 * not the library's counted allocator. */
char *portable_strndup(const char *text, size_t length);

/* ---- the environment ---- */

/* Sets the variable name of this process's environment to value (setenv; on Windows both the C
 * runtime's copy, which getenv reads, and the process block, which other modules read with
 * GetEnvironmentVariableW). 0, or -1 with errno. */
int portable_set_environment(const char *name, const char *value);

/* ---- time ---- */

/* gmtime_r: the broken-down UTC time of when; NULL when it cannot be represented. */
struct tm *portable_utc_time(time_t when, struct tm *result);

/* ---- the command's state ---- */

/* The default state directory of the command (caller frees; NULL on no memory): on POSIX
 * $XDG_RUNTIME_DIR/hcsoci, else /run/hcsoci for root, else /tmp/hcsoci-<uid>; on Windows
 * %LOCALAPPDATA%\hcsoci, else %TEMP%\hcsoci. */
char *portable_default_state_directory(void);

/* A short description of that default for --help. Static storage. */
const char *portable_default_state_directory_help(void);

#endif
