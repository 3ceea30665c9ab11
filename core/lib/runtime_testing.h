/* Lookups that hand out a loaded module's descriptor, and with it the module's raw ops. They
 * are not public API, so that a program or a module cannot call a module directly (a module
 * never calls another); the unit tests use them to reach one module of a runtime. The
 * library still exports them (every hcsoci_ symbol is exported). */
#ifndef HCSOCI_RUNTIME_TESTING_H
#define HCSOCI_RUNTIME_TESTING_H

#include <hcsoci/hcsoci.h>
#include <hcsoci/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The builder chosen for a key: its descriptor (borrowed) or NULL with an error naming the
 * key (no match) or both modules (equal priorities). */
const hcsoci_plugin_descriptor *hcsoci_runtime_select_builder(const hcsoci_runtime *runtime,
                                                              const hcsoci_match_key *key,
                                                              hcsoci_error **error);

/* The module of a non-builder kind (borrowed) or NULL with "no plugin for ..." in *error. */
const hcsoci_plugin_descriptor *hcsoci_runtime_module(const hcsoci_runtime *runtime,
                                                      hcsoci_plugin_kind kind,
                                                      hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
