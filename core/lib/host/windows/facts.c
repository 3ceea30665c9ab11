/* Files and facts of the Windows machine: paths (GetFileAttributesExW, device paths opened),
 * directories, the OS build (RtlGetVersion), processors, the program's directory, GUIDs. */
#include "windows_host_internal.h"

#include <bcrypt.h>
#include <objbase.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>

/* ---- paths ---- */

/* A device path (\\.\PhysicalDrive2): GetFileAttributesExW does not always answer for these,
 * so existence is whether it opens; it counts as a file. */
static hcsoci_path_kind stat_device(const wchar_t *path)
{
    HANDLE device = CreateFileW(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (device == INVALID_HANDLE_VALUE)
        return HCSOCI_PATH_MISSING;
    CloseHandle(device);
    return HCSOCI_PATH_FILE;
}

hcsoci_path_kind windows_stat_path(hcsoci_host *host, const char *path, uint64_t *size)
{
    (void)host;
    uint64_t ignored;
    if (size == NULL)
        size = &ignored;
    *size = 0;
    wchar_t *wide = windows_utf16_from_utf8(path, "path", NULL);
    if (wide == NULL)
        return HCSOCI_PATH_MISSING;
    WIN32_FILE_ATTRIBUTE_DATA data;
    hcsoci_path_kind kind;
    if (GetFileAttributesExW(wide, GetFileExInfoStandard, &data)) {
        if (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
            kind = HCSOCI_PATH_DIRECTORY;
        } else {
            kind = HCSOCI_PATH_FILE;
            *size = (uint64_t)data.nFileSizeHigh << 32 | data.nFileSizeLow;
        }
    } else if (wcsncmp(wide, L"\\\\.\\", 4) == 0) {
        kind = stat_device(wide);
    } else {
        kind = HCSOCI_PATH_MISSING;
    }
    free(wide);
    return kind;
}

static bool is_separator(wchar_t c)
{
    return c == L'\\' || c == L'/';
}

/* The length of the root of path that is never created: "C:\", "\\server\share\", "\\?\C:\". */
static size_t root_length(const wchar_t *path)
{
    size_t start = 0;
    if (wcsncmp(path, L"\\\\?\\", 4) == 0 || wcsncmp(path, L"\\\\.\\", 4) == 0)
        start = 4;
    if (((path[start] >= L'A' && path[start] <= L'Z') || (path[start] >= L'a' && path[start] <= L'z')) &&
        path[start + 1] == L':')
        return start + 2 + (is_separator(path[start + 2]) ? 1 : 0);
    if (start == 0 && is_separator(path[0]) && is_separator(path[1])) {
        /* \\server\share\ */
        size_t i = 2;
        for (int parts = 0; parts < 2 && path[i] != L'\0'; parts++) {
            while (path[i] != L'\0' && !is_separator(path[i]))
                i++;
            if (path[i] != L'\0')
                i++;
        }
        return i;
    }
    return start;
}

/* Creates the directory path and its missing parents (the reference's os.MkdirAll); an
 * existing directory is success, anything else there is ERROR_ALREADY_EXISTS. */
static DWORD make_directories(wchar_t *path)
{
    size_t length = wcslen(path);
    while (length > root_length(path) && is_separator(path[length - 1]))
        path[--length] = L'\0';
    DWORD attributes = GetFileAttributesW(path);
    if (attributes != INVALID_FILE_ATTRIBUTES)
        return (attributes & FILE_ATTRIBUTE_DIRECTORY) ? ERROR_SUCCESS : ERROR_ALREADY_EXISTS;
    if (CreateDirectoryW(path, NULL))
        return ERROR_SUCCESS;
    DWORD failure = GetLastError();
    if (failure != ERROR_PATH_NOT_FOUND)
        return failure;
    /* A parent is missing: make it, then try again. */
    size_t parent = length;
    while (parent > root_length(path) && !is_separator(path[parent - 1]))
        parent--;
    if (parent <= root_length(path))
        return failure;
    wchar_t saved = path[parent - 1];
    path[parent - 1] = L'\0';
    DWORD parent_result = make_directories(path);
    path[parent - 1] = saved;
    if (parent_result != ERROR_SUCCESS)
        return parent_result;
    return CreateDirectoryW(path, NULL) ? ERROR_SUCCESS : GetLastError();
}

int windows_make_directory(hcsoci_host *host, const char *path, hcsoci_error **error)
{
    (void)host;
    if (path == NULL || path[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "mkdir: the path is %s",
                           path == NULL ? "NULL" : "empty");
    wchar_t *wide = windows_utf16_from_utf8(path, "path", error);
    if (wide == NULL)
        return -1;
    DWORD result = make_directories(wide);
    free(wide);
    if (result == ERROR_SUCCESS)
        return 0;
    /* Worded as the simulated host and Go's os.PathError: "mkdir <path>: <text>". */
    windows_fail_hresult(error, HRESULT_FROM_WIN32(result));
    return hcsoci_fail_prefixed(error, "mkdir %s: ", path);
}

/* ---- facts ---- */

typedef LONG(WINAPI *rtl_get_version_fn)(RTL_OSVERSIONINFOW *information);

uint32_t windows_os_build(hcsoci_host *host)
{
    (void)host;
    /* RtlGetVersion, unlike GetVersionEx, answers the real build whatever the manifest says. */
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    rtl_get_version_fn get_version =
        ntdll != NULL ? (rtl_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "RtlGetVersion")
                      : NULL;
    if (get_version == NULL)
        return 0;
    RTL_OSVERSIONINFOW information;
    memset(&information, 0, sizeof information);
    information.dwOSVersionInfoSize = sizeof information;
    if (get_version(&information) != 0)
        return 0;
    return (uint32_t)information.dwBuildNumber;
}

uint32_t windows_processor_count(hcsoci_host *host)
{
    (void)host;
    /* Every group's processors; where that is not known (Wine without /sys reports 0), the
     * processors of this process's group, and never fewer than one. */
    DWORD count = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    if (count == 0) {
        SYSTEM_INFO information;
        GetSystemInfo(&information);
        count = information.dwNumberOfProcessors;
    }
    return count > 0 ? (uint32_t)count : 1;
}

const char *windows_program_directory(hcsoci_host *host)
{
    return ((windows_host *)host)->program_directory;
}

char *windows_find_program_directory(hcsoci_error **error)
{
    DWORD capacity = MAX_PATH;
    for (;;) {
        wchar_t *name = hcsoci_calloc(capacity, sizeof *name);
        if (name == NULL) {
            hcsoci_fail_out_of_memory(error);
            return NULL;
        }
        DWORD length = GetModuleFileNameW(NULL, name, capacity);
        if (length == 0) {
            HRESULT failure = HRESULT_FROM_WIN32(GetLastError());
            free(name);
            windows_fail_hresult(error, failure);
            hcsoci_fail_prefixed(error, "cannot find the program's file: ");
            return NULL;
        }
        if (length >= capacity) {
            free(name);
            if (capacity >= 32768) {
                hcsoci_fail(error, HCSOCI_E_FAIL, "the program's file name is too long");
                return NULL;
            }
            capacity *= 2;
            continue;
        }
        /* Drop the file name: the directory is everything before the last backslash. */
        wchar_t *last = wcsrchr(name, L'\\');
        if (last != NULL)
            *last = L'\0';
        char *directory = windows_utf8_from_utf16(name, error);
        free(name);
        return directory;
    }
}

void windows_new_guid(hcsoci_host *host, char guid[37])
{
    (void)host;
    uint8_t bytes[16];
    if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, bytes, sizeof bytes,
                                        BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
        GUID fallback;
        CoCreateGuid(&fallback); /* random (version 4) too */
        windows_format_guid(&fallback, guid);
        return;
    }
    bytes[6] = (uint8_t)((bytes[6] & 0x0f) | 0x40);
    bytes[8] = (uint8_t)((bytes[8] & 0x3f) | 0x80);
    GUID value;
    value.Data1 = (unsigned long)bytes[0] << 24 | (unsigned long)bytes[1] << 16 |
                  (unsigned long)bytes[2] << 8 | bytes[3];
    value.Data2 = (unsigned short)(bytes[4] << 8 | bytes[5]);
    value.Data3 = (unsigned short)(bytes[6] << 8 | bytes[7]);
    memcpy(value.Data4, bytes + 8, 8);
    windows_format_guid(&value, guid);
}
