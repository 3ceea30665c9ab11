/* test_platform.h on POSIX systems. */
#include "test_platform.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

char *test_make_temporary_directory(char *template_path)
{
    if (mkdtemp(template_path) == NULL)
        return NULL;
    chmod(template_path, 0755);
    return template_path;
}

int test_set_environment(const char *name, const char *value)
{
    return setenv(name, value, 1);
}

int test_unset_environment(const char *name)
{
    return unsetenv(name);
}

bool test_mode_bits_control_writers(void)
{
    return true;
}

bool test_running_as_root(void)
{
    return geteuid() == 0;
}

int test_change_owner(const char *path, unsigned owner)
{
    return chown(path, (uid_t)owner, (gid_t)owner);
}

bool test_module_is_loaded(const char *path)
{
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL)
        return false;
    dlclose(handle);
    return true;
}
