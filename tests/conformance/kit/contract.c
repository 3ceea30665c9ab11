/* The contract suites, one per module the runtime loads ("contract: <name>"): the descriptor
 * read straight from the module file, the match function over every key, and probes that give
 * each op NULL or malformed input. On POSIX a probe runs in a child process so that a crash is
 * reported (with its signal) instead of ending the kit; the child's exit status also carries
 * valgrind's verdict when the kit runs under valgrind with --error-exitcode. */
#include "kit.h"

#include <ltdl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <hcsoci/sim.h>

typedef struct module_record {
    char *name;
    char *path;
    char *suite_name;
    lt_dlhandle handle; /* kept open for the whole run: module state would survive runs */
    const hcsoci_plugin_descriptor *descriptor;
} module_record;

static module_record *modules;
static size_t module_count;
static bool ltdl_initialised;
static hcsoci_runtime_options runtime_options;

static module_record *current_module(void)
{
    CU_pSuite suite = CU_get_current_suite();
    for (size_t index = 0; suite != NULL && index < module_count; index++) {
        if (strcmp(modules[index].suite_name, suite->pName) == 0)
            return &modules[index];
    }
    return NULL;
}

/* ---- descriptor ---- */

static size_t ops_size_of(uint32_t kind)
{
    switch (kind) {
    case HCSOCI_PLUGIN_BUILDER: return sizeof(hcsoci_builder_ops);
    case HCSOCI_PLUGIN_NETWORK: return sizeof(hcsoci_network_ops);
    case HCSOCI_PLUGIN_DEVICES: return sizeof(hcsoci_devices_ops);
    default: return 0;
    }
}

/* Whether every op of the descriptor's kind is present (the descriptor is otherwise valid). */
static const char *missing_op(const hcsoci_plugin_descriptor *descriptor)
{
    if (descriptor->kind == HCSOCI_PLUGIN_BUILDER) {
        const hcsoci_builder_ops *ops = descriptor->ops;
        return ops->build == NULL ? "build" : NULL;
    }
    if (descriptor->kind == HCSOCI_PLUGIN_NETWORK) {
        const hcsoci_network_ops *ops = descriptor->ops;
        return ops->create_namespace == NULL     ? "create_namespace"
               : ops->namespace_endpoints == NULL ? "namespace_endpoints"
               : ops->release == NULL             ? "release"
                                                  : NULL;
    }
    const hcsoci_devices_ops *ops = descriptor->ops;
    return ops->assign_windows_devices == NULL ? "assign_windows_devices"
           : ops->assign_linux_devices == NULL ? "assign_linux_devices"
                                               : NULL;
}

static void test_descriptor(void)
{
    module_record *module = current_module();
    CU_ASSERT_PTR_NOT_NULL_FATAL(module);
    const hcsoci_plugin_descriptor *descriptor = module->descriptor;
    if (descriptor == NULL) {
        kit_fail("%s exports no %s descriptor", module->path, HCSOCI_PLUGIN_DESCRIPTOR_SYMBOL);
        return;
    }
    if (descriptor->abi_major != HCSOCI_PLUGIN_ABI_MAJOR ||
        descriptor->abi_minor > HCSOCI_PLUGIN_ABI_MINOR)
        kit_fail("ABI %u.%u: this kit checks ABI %u.0 to %u.%u", descriptor->abi_major,
                 descriptor->abi_minor, HCSOCI_PLUGIN_ABI_MAJOR, HCSOCI_PLUGIN_ABI_MAJOR,
                 HCSOCI_PLUGIN_ABI_MINOR);
    /* A module of the current minor has exactly this kit's sizes; one of an older minor
     * (none exists yet: every op of ABI 1.0 is required) has tables no larger. */
    bool current_minor = descriptor->abi_minor == HCSOCI_PLUGIN_ABI_MINOR;
    if (current_minor ? descriptor->descriptor_size != sizeof(hcsoci_plugin_descriptor)
                      : descriptor->descriptor_size > sizeof(hcsoci_plugin_descriptor))
        kit_fail("descriptor_size is %u, not %zu", descriptor->descriptor_size,
                 sizeof(hcsoci_plugin_descriptor));
    size_t ops_size = ops_size_of(descriptor->kind);
    if (ops_size == 0) {
        kit_fail("unknown kind %u", descriptor->kind);
        return;
    }
    if (current_minor ? descriptor->ops_size != ops_size : descriptor->ops_size > ops_size)
        kit_fail("ops_size is %u, not the %zu bytes of its kind's ops table at ABI %u.%u",
                 descriptor->ops_size, ops_size, HCSOCI_PLUGIN_ABI_MAJOR,
                 HCSOCI_PLUGIN_ABI_MINOR);
    const char *name = descriptor->name;
    if (name == NULL || name[0] == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
                                               strlen(name))
        kit_fail("name %s%s%s is not a short lower-case name (a-z, 0-9, _ and -)",
                 name != NULL ? "'" : "", name != NULL ? name : "(NULL)", name != NULL ? "'" : "");
    if (descriptor->version == NULL || descriptor->version[0] == '\0')
        kit_fail("the version is missing");
    if (descriptor->description == NULL || descriptor->description[0] == '\0')
        kit_fail("the description is missing");
    if (descriptor->ops == NULL) {
        kit_fail("the ops table is missing");
        return;
    }
    const char *missing = missing_op(descriptor);
    if (missing != NULL)
        kit_fail("op '%s' is missing", missing);
    if ((descriptor->kind == HCSOCI_PLUGIN_BUILDER) != (descriptor->match != NULL))
        kit_fail(descriptor->match == NULL ? "a builder needs a match function"
                                           : "only builders have a match function");
    CU_PASS("descriptor checked");
}

/* ---- probes (kit_run_probe: probe_posix.c, probe_windows.c) ---- */

/* The world of the probes: a sim host, a runtime and a build context over them. */
typedef struct probe_world {
    hcsoci_host *host;
    hcsoci_runtime *runtime;
    hcsoci_uvm *uvm;
    hcsoci_resources *resources;
    json_t *held_before;
    hcsoci_build_context context;
} probe_world;

static const char probe_world_text[] =
    "{\"build\": 17763, \"processorCount\": 4, \"programDir\": \"C:\\\\hcsoci\","
    " \"files\": {\"C:\\\\layers\\\\base\": \"dir\", \"C:\\\\layers\\\\scratch\": \"dir\"},"
    " \"hnsNewNamespaceIds\": [\"9b8a7c6d-0000-4000-8000-0000000000b9\"]}";

/* Opens the world with spec (stolen) and a utility VM of os (0: none). */
static const char *probe_world_open(probe_world *world, json_t *spec, hcsoci_uvm_os os)
{
    memset(world, 0, sizeof *world);
    json_t *description = json_loads(probe_world_text, 0, NULL);
    hcsoci_runtime_options options = runtime_options;
    hcsoci_error *error = NULL;
    const char *problem = NULL;
    if (description == NULL || hcsoci_sim_host_new(description, &world->host, &error) != 0)
        problem = "cannot make the probe's sim host";
    options.host = world->host;
    if (problem == NULL && hcsoci_runtime_new(&options, &world->runtime, &error) != 0)
        problem = "cannot load the modules for the probe";
    if (problem == NULL && os != 0) {
        hcsoci_uvm_properties properties = {
            .id = "uvm-probe", .owner = "hcsoci", .os = os, .processor_count = 2,
            .scsi_controller_count = 1, .vpmem_max_count = 4,
            .vpmem_max_size_bytes = 4u << 30,
        };
        if (hcsoci_uvm_new(world->host, &properties, &world->uvm, &error) != 0)
            problem = "cannot make the probe's utility VM";
    }
    json_decref(description);
    hcsoci_error_free(error);
    world->resources = hcsoci_resources_new("c-probe");
    world->held_before = hcsoci_sim_host_held(world->host);
    world->context = (hcsoci_build_context){
        .size = sizeof(hcsoci_build_context),
        .runtime = world->runtime,
        .host = world->host,
        .id = "c-probe",
        .owner = "hcsoci",
        .schema = {.major = 2, .minor = 1},
        .spec = spec,
        .hosting_system = world->uvm,
        .network_namespace = "",
        .resources = world->resources,
    };
    if (problem == NULL && world->resources == NULL)
        problem = "out of memory";
    return problem;
}

/* Releases what the ledger holds and reports whether the host holds what it held before. */
static const char *probe_world_close(probe_world *world)
{
    const char *problem = NULL;
    if (world->runtime != NULL && world->resources != NULL) {
        hcsoci_error *error = NULL;
        hcsoci_release_resources(world->runtime, world->resources, world->uvm, true, &error);
        hcsoci_error_free(error);
        json_t *held_after = hcsoci_sim_host_held(world->host);
        char *difference = kit_held_difference(world->held_before, held_after);
        if (difference != NULL)
            problem = "the failed op left the host holding something its ledger does not "
                      "release";
        free(difference);
        json_decref(held_after);
    }
    json_decref(world->held_before);
    json_decref(world->context.spec);
    hcsoci_resources_free(world->resources);
    hcsoci_uvm_free(world->uvm);
    hcsoci_runtime_free(world->runtime);
    hcsoci_host_destroy(world->host);
    return problem;
}

/* The verdict on one op call that had to fail. */
static const char *expect_error(int result, hcsoci_error **error_slot, const char *what)
{
    static char reason[512];
    hcsoci_error *error = *error_slot;
    *error_slot = NULL;
    const char *problem = NULL;
    if (result == 0)
        problem = "accepted it (returned 0)";
    else if (result != -1)
        problem = "returned neither 0 nor -1";
    else if (error == NULL || error->message == NULL || error->message[0] == '\0')
        problem = "returned -1 without an error message";
    hcsoci_error_free(error);
    if (problem == NULL)
        return NULL;
    snprintf(reason, sizeof reason, "%s: %s", what, problem);
    return reason;
}

/* Spec texts that no op may accept. */
static const char *const malformed_specs[] = {
    "\"not a spec\"",
    "{\"windows\": 7, \"linux\": 7}",
    "{\"windows\": {\"layerFolders\": [7], \"network\": 7, \"devices\": 7},"
    " \"linux\": {\"devices\": 7}}",
};
#define MALFORMED_SPEC_COUNT (sizeof malformed_specs / sizeof malformed_specs[0])

typedef int (*context_op)(const hcsoci_plugin_descriptor *descriptor,
                          hcsoci_build_context *context, hcsoci_error **error);

static int call_build(const hcsoci_plugin_descriptor *descriptor, hcsoci_build_context *context,
                      hcsoci_error **error)
{
    hcsoci_build_output output = {0};
    int result = ((const hcsoci_builder_ops *)descriptor->ops)->build(context, &output, error);
    json_decref(output.compute_system_document);
    json_decref(output.hosted_system_document);
    return result;
}

static int call_create_namespace(const hcsoci_plugin_descriptor *descriptor,
                                 hcsoci_build_context *context, hcsoci_error **error)
{
    return ((const hcsoci_network_ops *)descriptor->ops)->create_namespace(context, error);
}

static int call_assign_windows(const hcsoci_plugin_descriptor *descriptor,
                               hcsoci_build_context *context, hcsoci_error **error)
{
    return ((const hcsoci_devices_ops *)descriptor->ops)->assign_windows_devices(context, error);
}

static int call_assign_linux(const hcsoci_plugin_descriptor *descriptor,
                             hcsoci_build_context *context, hcsoci_error **error)
{
    return ((const hcsoci_devices_ops *)descriptor->ops)->assign_linux_devices(context, error);
}

/* NULL context, then each malformed spec with no VM, a Windows VM and a Linux VM. */
static const char *probe_context_op(const hcsoci_plugin_descriptor *descriptor, context_op op,
                                    const char *name)
{
    hcsoci_error *error = NULL;
    static char what[256];
    snprintf(what, sizeof what, "%s(NULL context)", name);
    kit_probe_announce(what);
    const char *reason = expect_error(op(descriptor, NULL, &error), &error, what);
    static const hcsoci_uvm_os systems[] = {0, HCSOCI_UVM_WINDOWS, HCSOCI_UVM_LINUX};
    for (size_t spec = 0; reason == NULL && spec < MALFORMED_SPEC_COUNT; spec++) {
        for (size_t system = 0; reason == NULL && system < 3; system++) {
            probe_world world;
            reason = probe_world_open(&world, json_loads(malformed_specs[spec], 0, NULL),
                                      systems[system]);
            if (reason == NULL) {
                snprintf(what, sizeof what, "%s(spec %s, %s)", name, malformed_specs[spec],
                         systems[system] == 0           ? "process isolated"
                         : systems[system] == HCSOCI_UVM_WINDOWS ? "in a Windows utility VM"
                                                                 : "in a Linux utility VM");
                kit_probe_announce(what);
                error = NULL;
                reason = expect_error(op(descriptor, &world.context, &error), &error, what);
            }
            const char *leak = probe_world_close(&world);
            if (reason == NULL)
                reason = leak;
        }
    }
    return reason;
}

static const char *probe_builder(const hcsoci_plugin_descriptor *descriptor)
{
    const char *reason = probe_context_op(descriptor, call_build, "build");
    if (reason != NULL)
        return reason;
    probe_world world;
    reason = probe_world_open(&world, json_loads("{}", 0, NULL), 0);
    if (reason == NULL) {
        hcsoci_error *error = NULL;
        kit_probe_announce("build(NULL output)");
        reason = expect_error(
            ((const hcsoci_builder_ops *)descriptor->ops)->build(&world.context, NULL, &error),
            &error, "build(NULL output)");
    }
    const char *leak = probe_world_close(&world);
    return reason != NULL ? reason : leak;
}

static const char *probe_network(const hcsoci_plugin_descriptor *descriptor)
{
    const hcsoci_network_ops *ops = descriptor->ops;
    const char *reason = probe_context_op(descriptor, call_create_namespace, "create_namespace");
    if (reason != NULL)
        return reason;
    probe_world world;
    reason = probe_world_open(&world, NULL, 0);
    json_t *endpoints = NULL;
    hcsoci_error *error = NULL;
    kit_probe_announce("namespace_endpoints(NULL host)");
    if (reason == NULL)
        reason = expect_error(ops->namespace_endpoints(NULL, "9b8a7c6d-0000-4000-8000-0000000000b9",
                                                       &endpoints, &error),
                              &error, "namespace_endpoints(NULL host)");
    json_decref(endpoints);
    endpoints = NULL;
    error = NULL;
    kit_probe_announce("namespace_endpoints(NULL namespace)");
    if (reason == NULL)
        reason = expect_error(ops->namespace_endpoints(world.host, NULL, &endpoints, &error),
                              &error, "namespace_endpoints(NULL namespace)");
    json_decref(endpoints);
    endpoints = NULL;
    error = NULL;
    kit_probe_announce("namespace_endpoints(unknown namespace)");
    if (reason == NULL)
        reason = expect_error(ops->namespace_endpoints(world.host, "no such namespace",
                                                       &endpoints, &error),
                              &error, "namespace_endpoints(unknown namespace)");
    json_decref(endpoints);
    static const char *const bad_entries[] = {
        NULL, "\"x\"", "{}", "{\"kind\": \"network.no-such-kind\"}", "{\"kind\": 7}",
    };
    for (size_t index = 0; reason == NULL && index < 5; index++) {
        json_t *entry = bad_entries[index] != NULL ? json_loads(bad_entries[index], 0, NULL)
                                                   : NULL;
        static char what[128];
        snprintf(what, sizeof what, "release(entry %s)",
                 bad_entries[index] != NULL ? bad_entries[index] : "NULL");
        error = NULL;
        kit_probe_announce(what);
        reason = expect_error(ops->release(world.host, entry, &error), &error, what);
        json_decref(entry);
    }
    const char *leak = probe_world_close(&world);
    return reason != NULL ? reason : leak;
}

static const char *probe_devices(const hcsoci_plugin_descriptor *descriptor)
{
    const char *reason =
        probe_context_op(descriptor, call_assign_windows, "assign_windows_devices");
    return reason != NULL ? reason
                          : probe_context_op(descriptor, call_assign_linux, "assign_linux_devices");
}

static const char *probe_ops(const hcsoci_plugin_descriptor *descriptor)
{
    switch (descriptor->kind) {
    case HCSOCI_PLUGIN_BUILDER: return probe_builder(descriptor);
    case HCSOCI_PLUGIN_NETWORK: return probe_network(descriptor);
    case HCSOCI_PLUGIN_DEVICES: return probe_devices(descriptor);
    default: return "unknown kind";
    }
}

/* Every key twice; the answers go back to the parent through the reason text when they
 * differ. */
static const char *probe_match(const hcsoci_plugin_descriptor *descriptor)
{
    static char reason[256];
    static const hcsoci_spec_kind specs[] = {HCSOCI_SPEC_WINDOWS, HCSOCI_SPEC_LINUX};
    static const hcsoci_schema_version schemas[] = {{.major = 1, .minor = 0},
                                                    {.major = 2, .minor = 1}};
    static const hcsoci_hosting_kind hostings[] = {HCSOCI_HOSTING_NONE, HCSOCI_HOSTING_WINDOWS,
                                                   HCSOCI_HOSTING_LINUX};
    unsigned matched = 0;
    for (size_t spec = 0; spec < 2; spec++) {
        for (size_t schema = 0; schema < 2; schema++) {
            for (size_t hosting = 0; hosting < 3; hosting++) {
                hcsoci_match_key key = {specs[spec], schemas[schema], hostings[hosting]};
                unsigned first = descriptor->match(&key);
                unsigned second = descriptor->match(&key);
                if (first != second) {
                    snprintf(reason, sizeof reason,
                             "match is not deterministic: spec %s, schema %u.%u, hosting %s "
                             "gave %u, then %u",
                             spec == 0 ? "windows" : "linux", schemas[schema].major,
                             schemas[schema].minor,
                             hosting == 0 ? "none" : hosting == 1 ? "windows" : "linux", first,
                             second);
                    return reason;
                }
                matched += first != 0;
            }
        }
    }
    return matched == 0 ? "match answers 0 (\"not mine\") for every key: the builder is never "
                          "chosen"
                        : NULL;
}

static void test_match(void)
{
    module_record *module = current_module();
    CU_ASSERT_PTR_NOT_NULL_FATAL(module);
    if (module->descriptor == NULL || module->descriptor->kind != HCSOCI_PLUGIN_BUILDER ||
        module->descriptor->match == NULL) {
        kit_skip("not a builder with a match function");
        return;
    }
    char *reason = kit_run_probe(module->descriptor, probe_match);
    if (reason != NULL)
        kit_fail("%s", reason);
    else
        CU_PASS("match is deterministic and total");
    free(reason);
}

static void test_bad_input(void)
{
    module_record *module = current_module();
    CU_ASSERT_PTR_NOT_NULL_FATAL(module);
    if (module->descriptor == NULL || module->descriptor->ops == NULL ||
        ops_size_of(module->descriptor->kind) == 0 || missing_op(module->descriptor) != NULL) {
        kit_fail("the descriptor is not usable (see the descriptor test)");
        return;
    }
    char *reason = kit_run_probe(module->descriptor, probe_ops);
    if (reason != NULL)
        kit_fail("%s", reason);
    else
        CU_PASS("every probe returned an error");
    free(reason);
}

/* ---- registration ---- */

/* The modules the runtime loads with these options: [{"name", "path"}...] */
static json_t *loaded_modules(void)
{
    json_t *world = json_object();
    hcsoci_host *host = NULL;
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    json_t *plugins = NULL;
    hcsoci_runtime_options options = runtime_options;
    if (world != NULL && hcsoci_sim_host_new(world, &host, &error) == 0) {
        options.host = host;
        if (hcsoci_runtime_new(&options, &runtime, &error) == 0)
            plugins = hcsoci_runtime_plugins(runtime);
    }
    if (error != NULL)
        fprintf(stderr, "hcsoci-conformance: %s\n", error->message);
    hcsoci_error_free(error);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
    json_decref(world);
    return plugins;
}

static int add_module(const json_t *plugin)
{
    const char *name = json_string_value(json_object_get(plugin, "name"));
    const char *path = json_string_value(json_object_get(plugin, "path"));
    if (name == NULL || path == NULL)
        return -1;
    module_record *grown = realloc(modules, (module_count + 1) * sizeof *modules);
    if (grown == NULL)
        return -1;
    modules = grown;
    module_record *module = &modules[module_count];
    memset(module, 0, sizeof *module);
    module->name = strdup(name);
    module->path = strdup(path);
    if (asprintf(&module->suite_name, "contract: %s (%s)", name, path) < 0)
        module->suite_name = NULL;
    module_count++;
    if (module->name == NULL || module->path == NULL || module->suite_name == NULL)
        return -1;
    lt_dladvise advise;
    if (lt_dladvise_init(&advise) == 0) {
        lt_dladvise_local(&advise);
        module->handle = lt_dlopenadvise(path, advise);
        lt_dladvise_destroy(&advise);
    }
    if (module->handle != NULL)
        module->descriptor = lt_dlsym(module->handle, HCSOCI_PLUGIN_DESCRIPTOR_SYMBOL);
    return 0;
}

int kit_register_contract_suites(const kit_options *options)
{
    runtime_options = kit_runtime_options(options);
    json_t *plugins = loaded_modules();
    if (plugins == NULL)
        return -1;
    if (lt_dlinit() != 0) {
        json_decref(plugins);
        return -1;
    }
    ltdl_initialised = true;
    size_t index;
    const json_t *plugin;
    int result = 0;
    json_array_foreach(plugins, index, plugin) {
        if (result == 0)
            result = add_module(plugin);
    }
    json_decref(plugins);
    for (size_t module = 0; result == 0 && module < module_count; module++) {
        CU_pSuite suite = CU_add_suite(modules[module].suite_name, NULL, NULL);
        if (suite == NULL || CU_add_test(suite, "descriptor well formed", test_descriptor) == NULL ||
            CU_add_test(suite, "match deterministic and total", test_match) == NULL ||
            CU_add_test(suite, "NULL and malformed input rejected", test_bad_input) == NULL)
            result = -1;
    }
    return result;
}

void kit_contract_free(void)
{
    for (size_t index = 0; index < module_count; index++) {
        if (modules[index].handle != NULL)
            lt_dlclose(modules[index].handle);
        free(modules[index].name);
        free(modules[index].path);
        free(modules[index].suite_name);
    }
    free(modules);
    modules = NULL;
    module_count = 0;
    if (ltdl_initialised)
        lt_dlexit();
    ltdl_initialised = false;
}
