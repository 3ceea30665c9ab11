/* test_platform.h on Windows (mingw-w64). */
#include "test_platform.h"

#include <direct.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

char *test_make_temporary_directory(char *template_path)
{
    if (_mktemp_s(template_path, strlen(template_path) + 1) != 0 || _mkdir(template_path) != 0)
        return NULL;
    return template_path;
}

int test_set_environment(const char *name, const char *value)
{
    return _putenv_s(name, value) == 0 ? 0 : -1;
}

int test_unset_environment(const char *name)
{
    return _putenv_s(name, "") == 0 ? 0 : -1;
}

bool test_mode_bits_control_writers(void)
{
    return false;
}

bool test_running_as_root(void)
{
    return false;
}

int test_change_owner(const char *path, unsigned owner)
{
    (void)path, (void)owner;
    return -1;
}

bool test_module_is_loaded(const char *path)
{
    const char *name = path;
    for (const char *at = path; *at != '\0'; at++)
        if (*at == '/' || *at == '\\')
            name = at + 1;
    return GetModuleHandleA(name) != NULL;
}
