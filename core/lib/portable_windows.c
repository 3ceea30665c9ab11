/* portable.h on Windows (mingw-w64). Paths are UTF-8 outside and UTF-16 at the Win32 calls. */
#include "portable.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

/* A new UTF-16 copy of a UTF-8 string, or NULL with errno. */
static wchar_t *wide_from_utf8(const char *text)
{
    int count = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, NULL, 0);
    if (count <= 0) {
        errno = EINVAL;
        return NULL;
    }
    wchar_t *wide = malloc((size_t)count * sizeof *wide);
    if (wide == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, wide, count);
    return wide;
}

/* A new UTF-8 copy of a UTF-16 string, or NULL with errno. */
static char *utf8_from_wide(const wchar_t *wide)
{
    int count = WideCharToMultiByte(CP_UTF8, 0, wide, -1, NULL, 0, NULL, NULL);
    if (count <= 0) {
        errno = EINVAL;
        return NULL;
    }
    char *text = malloc((size_t)count);
    if (text == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    WideCharToMultiByte(CP_UTF8, 0, wide, -1, text, count, NULL, NULL);
    return text;
}

/* errno for a Win32 error code. */
static int errno_from_win32(DWORD code)
{
    switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_NETPATH: return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION: return EACCES;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS: return EEXIST;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return ENOMEM;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return ENOSPC;
    }
    return EIO;
}

bool portable_is_path_separator(char character)
{
    return character == '/' || character == '\\';
}

static bool is_drive_letter(char character)
{
    return (character >= 'A' && character <= 'Z') || (character >= 'a' && character <= 'z');
}

bool portable_path_is_absolute(const char *path)
{
    if (is_drive_letter(path[0]) && path[1] == ':' && portable_is_path_separator(path[2]))
        return true;
    return portable_is_path_separator(path[0]) && portable_is_path_separator(path[1]);
}

size_t portable_path_root_length(const char *path)
{
    if (is_drive_letter(path[0]) && path[1] == ':')
        return portable_is_path_separator(path[2]) ? 3 : 2;
    if (portable_is_path_separator(path[0]) && portable_is_path_separator(path[1])) {
        /* \\server\share\ (or \\?\X:\): the two components after the leading pair. */
        size_t length = 2;
        for (int component = 0; component < 2 && path[length] != '\0'; component++) {
            while (path[length] != '\0' && !portable_is_path_separator(path[length]))
                length++;
            if (path[length] != '\0')
                length++;
        }
        return length;
    }
    return portable_is_path_separator(path[0]) ? 1 : 0;
}

char portable_path_list_separator(void)
{
    return ';';
}

char *portable_resolve_path(const char *path)
{
    wchar_t *wide = wide_from_utf8(path);
    if (wide == NULL)
        return NULL;
    DWORD count = GetFullPathNameW(wide, 0, NULL, NULL);
    wchar_t *full = count > 0 ? malloc((size_t)count * sizeof *full) : NULL;
    char *resolved = NULL;
    if (count == 0) {
        errno = errno_from_win32(GetLastError());
    } else if (full == NULL) {
        errno = ENOMEM;
    } else if (GetFullPathNameW(wide, count, full, NULL) == 0) {
        errno = errno_from_win32(GetLastError());
    } else if (GetFileAttributesW(full) == INVALID_FILE_ATTRIBUTES) {
        errno = errno_from_win32(GetLastError());
    } else {
        resolved = utf8_from_wide(full);
    }
    free(full);
    free(wide);
    return resolved;
}

char *portable_parent_directory(const char *path)
{
    size_t root = portable_path_root_length(path);
    size_t end = strlen(path);
    while (end > root && portable_is_path_separator(path[end - 1]))
        end--;
    while (end > root && !portable_is_path_separator(path[end - 1]))
        end--;
    while (end > root && portable_is_path_separator(path[end - 1]))
        end--;
    if (end == 0)
        return strdup(".");
    char *parent = malloc(end + 1);
    if (parent == NULL)
        return NULL;
    memcpy(parent, path, end);
    parent[end] = '\0';
    return parent;
}

const char *portable_module_suffix(void)
{
    return ".dll";
}

const char *portable_shared_object_format(void)
{
    return "a PE file";
}

bool portable_has_shared_object_magic(const char *path)
{
    unsigned char magic[2] = {0};
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return false;
    size_t count = fread(magic, 1, sizeof magic, file);
    fclose(file);
    return count == sizeof magic && magic[0] == 'M' && magic[1] == 'Z';
}

/* The module file name (full path) of the module holding address, or of the program for NULL;
 * a new UTF-16 string or NULL. */
static wchar_t *module_file_name(const void *address)
{
    HMODULE module = NULL;
    if (address != NULL &&
        !GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)address, &module))
        return NULL;
    for (DWORD size = MAX_PATH;; size *= 2) {
        wchar_t *name = malloc((size_t)size * sizeof *name);
        if (name == NULL)
            return NULL;
        DWORD length = GetModuleFileNameW(module, name, size);
        if (length > 0 && length < size)
            return name;
        free(name);
        if (length == 0 || size >= 32768)
            return NULL;
    }
}

static char program_name[MAX_PATH * 3];
static char installed_module_directory[32768 * 3];
static INIT_ONCE program_name_once = INIT_ONCE_STATIC_INIT;
static INIT_ONCE module_directory_once = INIT_ONCE_STATIC_INIT;

/* Copies text into buffer, cut at a character boundary when it does not fit. */
static void copy_cut(char *buffer, size_t size, const char *text)
{
    size_t length = strlen(text);
    if (length >= size) {
        length = size - 1;
        while (length > 0 && ((unsigned char)text[length] & 0xc0) == 0x80)
            length--;
    }
    memcpy(buffer, text, length);
    buffer[length] = '\0';
}

static BOOL CALLBACK find_program_name(INIT_ONCE *once, void *parameter, void **context)
{
    (void)once, (void)parameter, (void)context;
    wchar_t *wide = module_file_name(NULL);
    char *full = wide != NULL ? utf8_from_wide(wide) : NULL;
    const char *name = full != NULL ? full : "hcsoci.exe";
    for (const char *c = name; *c != '\0'; c++) {
        if (portable_is_path_separator(*c))
            name = c + 1;
    }
    copy_cut(program_name, sizeof program_name, name);
    free(full);
    free(wide);
    return TRUE;
}

const char *portable_program_name(void)
{
    InitOnceExecuteOnce(&program_name_once, find_program_name, NULL, NULL);
    return program_name;
}

const char *portable_executable_suffix(void)
{
    return ".exe";
}

char *portable_installed_data_directory(const char *configured, const char *beside_program)
{
    (void)configured;
    wchar_t *wide = module_file_name(NULL);
    char *program = wide != NULL ? utf8_from_wide(wide) : NULL;
    char *directory = program != NULL ? portable_parent_directory(program) : NULL;
    char *path = NULL;
    if (directory != NULL && asprintf(&path, "%s\\%s", directory, beside_program) < 0)
        path = NULL;
    free(directory);
    free(program);
    free(wide);
    return path;
}

static BOOL CALLBACK find_module_directory(INIT_ONCE *once, void *parameter, void **context)
{
    (void)once, (void)parameter, (void)context;
    wchar_t *wide = module_file_name((const void *)find_module_directory);
    char *full = wide != NULL ? utf8_from_wide(wide) : NULL;
    char *directory = full != NULL ? portable_parent_directory(full) : NULL;
    char *plugins = NULL;
    if (directory != NULL && asprintf(&plugins, "%s\\plugins", directory) < 0)
        plugins = NULL;
    copy_cut(installed_module_directory, sizeof installed_module_directory,
             plugins != NULL ? plugins : "plugins");
    free(plugins);
    free(directory);
    free(full);
    free(wide);
    return TRUE;
}

const char *portable_installed_module_directory(void)
{
    InitOnceExecuteOnce(&module_directory_once, find_module_directory, NULL, NULL);
    return installed_module_directory;
}

/* ---- who may write a file ---- */

/* TrustedInstaller's service SID (NT SERVICE\TrustedInstaller). */
#define TRUSTED_INSTALLER_SID "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

/* The rights that let their holder change a file or directory, its contents or its ACL. */
#define WRITE_RIGHTS                                                                          \
    (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES |             \
     FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL)

/* The caller's user SID (a new copy for LocalFree) or NULL. */
static PSID caller_sid(void)
{
    HANDLE token = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return NULL;
    DWORD size = 0;
    GetTokenInformation(token, TokenUser, NULL, 0, &size);
    TOKEN_USER *user = size > 0 ? malloc(size) : NULL;
    PSID copy = NULL;
    if (user != NULL && GetTokenInformation(token, TokenUser, user, size, &size)) {
        DWORD length = GetLengthSid(user->User.Sid);
        copy = LocalAlloc(LMEM_FIXED, length);
        if (copy != NULL && !CopySid(length, copy, user->User.Sid)) {
            LocalFree(copy);
            copy = NULL;
        }
    }
    free(user);
    CloseHandle(token);
    return copy;
}

static bool sid_is(PSID sid, const char *text)
{
    PSID known = NULL;
    if (!ConvertStringSidToSidA(text, &known))
        return false;
    bool same = EqualSid(sid, known) != 0;
    LocalFree(known);
    return same;
}

/* SYSTEM, Administrators or TrustedInstaller. */
static bool sid_is_administrative(PSID sid)
{
    return sid_is(sid, "S-1-5-18") || sid_is(sid, "S-1-5-32-544") ||
           sid_is(sid, TRUSTED_INSTALLER_SID);
}

/* "DOMAIN\name (S-1-...)" or the SID alone: a new string or NULL. */
static char *describe_sid(PSID sid)
{
    char *text_sid = NULL;
    if (!ConvertSidToStringSidA(sid, &text_sid))
        return strdup("an unknown account");
    wchar_t name[256], domain[256];
    DWORD name_size = 256, domain_size = 256;
    SID_NAME_USE use;
    char *description = NULL;
    int length = -1;
    if (LookupAccountSidW(NULL, sid, name, &name_size, domain, &domain_size, &use)) {
        char *name_text = utf8_from_wide(name);
        char *domain_text = utf8_from_wide(domain);
        if (name_text != NULL && domain_text != NULL)
            length = asprintf(&description, "%s%s%s (%s)", domain_text,
                              domain_text[0] != '\0' ? "\\" : "", name_text, text_sid);
        free(name_text);
        free(domain_text);
    }
    if (length < 0)
        length = asprintf(&description, "%s", text_sid);
    LocalFree(text_sid);
    return length < 0 ? NULL : description;
}

/* A new "<prefix><account><suffix>" phrase or NULL. */
static char *phrase_about(const char *prefix, PSID sid, const char *suffix)
{
    char *account = describe_sid(sid);
    char *text = NULL;
    if (account == NULL || asprintf(&text, "%s%s%s", prefix, account, suffix) < 0)
        text = NULL;
    free(account);
    return text;
}

int portable_check_writers(const char *path, portable_owner_rule rule, char **reason)
{
    (void)rule; /* the same administrative accounts may own modules and the state directory */
    *reason = NULL;
    wchar_t *wide = wide_from_utf8(path);
    if (wide == NULL)
        return -1;
    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR descriptor = NULL;
    DWORD code = GetNamedSecurityInfoW(wide, SE_FILE_OBJECT,
                                       OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                       &owner, NULL, &dacl, NULL, &descriptor);
    free(wide);
    if (code != ERROR_SUCCESS) {
        errno = errno_from_win32(code);
        return -1;
    }
    PSID caller = caller_sid();
    int result = 0;
    if (caller == NULL) {
        errno = EACCES;
        result = -1;
    } else if (owner == NULL || (!EqualSid(owner, caller) && !sid_is_administrative(owner))) {
        *reason = owner != NULL ? phrase_about("is owned by ", owner,
                                               ", neither the caller, SYSTEM, Administrators "
                                               "nor TrustedInstaller")
                                : strdup("has no owner");
        result = 1;
    } else if (dacl == NULL) {
        *reason = strdup("has no DACL, so everyone may write it");
        result = 1;
    }
    for (DWORD index = 0; result == 0 && index < dacl->AceCount; index++) {
        ACE_HEADER *header = NULL;
        if (!GetAce(dacl, index, (void **)&header))
            continue;
        if (header->AceType != ACCESS_ALLOWED_ACE_TYPE || (header->AceFlags & INHERIT_ONLY_ACE))
            continue;
        ACCESS_ALLOWED_ACE *allowed = (ACCESS_ALLOWED_ACE *)header;
        PSID holder = (PSID)&allowed->SidStart;
        if ((allowed->Mask & WRITE_RIGHTS) == 0 || EqualSid(holder, owner) ||
            EqualSid(holder, caller) || sid_is_administrative(holder))
            continue;
        *reason = phrase_about("is writable by ", holder, "");
        result = 1;
    }
    if (caller != NULL)
        LocalFree(caller);
    LocalFree(descriptor);
    return result;
}

/* ---- files ---- */

int portable_make_private_directory(const char *path)
{
    wchar_t *wide = wide_from_utf8(path);
    if (wide == NULL)
        return -1;
    BOOL made = CreateDirectoryW(wide, NULL);
    DWORD code = made ? ERROR_SUCCESS : GetLastError();
    free(wide);
    if (!made) {
        errno = errno_from_win32(code);
        return -1;
    }
    return 0;
}

int portable_create_private_file(const char *path)
{
    wchar_t *wide = wide_from_utf8(path);
    if (wide == NULL)
        return -1;
    HANDLE file = CreateFileW(wide, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                              NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT,
                              NULL);
    DWORD code = file == INVALID_HANDLE_VALUE ? GetLastError() : ERROR_SUCCESS;
    free(wide);
    if (file == INVALID_HANDLE_VALUE) {
        errno = errno_from_win32(code);
        return -1;
    }
    CloseHandle(file);
    return 0;
}

FILE *portable_open_log_file(const char *path)
{
    wchar_t *wide = wide_from_utf8(path);
    if (wide == NULL)
        return NULL;
    FILE *stream = _wfopen(wide, L"aN"); /* N: not inherited */
    free(wide);
    return stream;
}

bool portable_path_exists(const char *path)
{
    wchar_t *wide = wide_from_utf8(path);
    if (wide == NULL)
        return false;
    bool exists = GetFileAttributesW(wide) != INVALID_FILE_ATTRIBUTES;
    free(wide);
    return exists;
}

bool portable_error_is_disk_full(int number)
{
    return number == ENOSPC;
}

/* ---- time ---- */

char *portable_strndup(const char *text, size_t length)
{
    size_t used = 0;
    while (used < length && text[used] != '\0')
        used++;
    char *copy = malloc(used + 1);
    if (copy == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(copy, text, used);
    copy[used] = '\0';
    return copy;
}

int portable_set_environment(const char *name, const char *value)
{
    wchar_t *wide_name = wide_from_utf8(name);
    wchar_t *wide_value = wide_from_utf8(value);
    int result = -1;
    if (wide_name == NULL || wide_value == NULL)
        ; /* errno set by the conversion */
    else if (!SetEnvironmentVariableW(wide_name, wide_value))
        errno = errno_from_win32(GetLastError());
    else if (_wputenv_s(wide_name, wide_value) != 0)
        errno = EINVAL;
    else
        result = 0;
    free(wide_name);
    free(wide_value);
    return result;
}

struct tm *portable_utc_time(time_t when, struct tm *result)
{
    return gmtime_s(result, &when) == 0 ? result : NULL;
}

/* ---- the command's state ---- */

char *portable_default_state_directory(void)
{
    const char *base = getenv("LOCALAPPDATA");
    if (base == NULL || base[0] == '\0')
        base = getenv("TEMP");
    if (base == NULL || base[0] == '\0')
        base = getenv("TMP");
    if (base == NULL || base[0] == '\0')
        base = "C:\\Windows\\Temp";
    char *root = NULL;
    return asprintf(&root, "%s\\hcsoci", base) < 0 ? NULL : root;
}

const char *portable_default_state_directory_help(void)
{
    return "%LOCALAPPDATA%\\hcsoci, else %TEMP%\\hcsoci";
}
