/* The acting module of each thread (acting_module.h). */
#include "acting_module.h"

#include <stdio.h>

static _Thread_local const char *current_module;

const char *acting_module(void)
{
    return current_module;
}

const char *acting_module_enter(const char *name)
{
    const char *previous = current_module;
    current_module = name;
    return previous;
}

void acting_module_describe(char *buffer, size_t size)
{
    if (current_module != NULL)
        snprintf(buffer, size, "module %s", current_module);
    else
        snprintf(buffer, size, "hcsoci");
}
