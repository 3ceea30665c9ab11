/* The runtime's insides, shared by runtime.c, create.c, release.c and replay.c. */
#ifndef HCSOCI_RUNTIME_INTERNAL_H
#define HCSOCI_RUNTIME_INTERNAL_H

#include <hcsoci/hcsoci.h>

#include "plugin_loader.h"

struct hcsoci_runtime {
    hcsoci_host *host;
    char *program_name;
    loaded_module *modules;
    size_t module_count;
};

/* The loaded module of a non-builder kind, or NULL with "no plugin for ..." in *error. */
const loaded_module *runtime_module_of_kind(const hcsoci_runtime *runtime, hcsoci_plugin_kind kind,
                                            hcsoci_error **error);

/* The loaded builder chosen for key, or NULL with the reason in *error. */
const loaded_module *runtime_builder_for(const hcsoci_runtime *runtime,
                                         const hcsoci_match_key *key, hcsoci_error **error);

/* "spec windows, schema 2.1, hosting system none" into buffer. */
void runtime_describe_key(const hcsoci_match_key *key, char *buffer, size_t size);

#endif
