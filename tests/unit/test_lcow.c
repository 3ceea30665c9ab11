/* Tests of the LCOW builder module: dispatch, the root file system (layers on vPMEM or SCSI, or
 * a Plan 9 root), the mounts, the hand-off of devices and the rollback of each step. Containers
 * are created through the core in a sim host with a Linux utility VM; each test checks the host
 * calls (the sim journal), the hosted document, the ledger and what releasing leaves behind.
 * The module's path helpers and mount text are linked in directly and tested on their own. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/hcsoci.h>

#include "allocate.h"
#include "paths.h"
#include "test_support.h"

/* ---- The world the tests start from ---- */

#define LAYER1 "C:\\lcow\\layer1"
#define LAYER2 "C:\\lcow\\layer2"
#define SCRATCH "C:\\lcow\\scratch"
#define LAYER1_VHD LAYER1 "\\layer.vhd"
#define LAYER2_VHD LAYER2 "\\layer.vhd"
#define SANDBOX SCRATCH "\\sandbox.vhdx"
#define SHARE_DIR "C:\\data\\share"
#define CONF_FILE "C:\\data\\files\\app.conf"
#define DATA_DISK "C:\\data\\disks\\data.vhdx"
#define ROOT_DIR "C:\\data\\rootfs"
#define GPU_VHD "C:\\data\\gpu\\nvidia.vhd"
#define PHYSICAL_DRIVE "\\\\.\\PhysicalDrive2"
#define UVM_ID "uvm-lcow-1"
#define ROOT_IN_UVM "/run/gcs/c/c1"

/* Two layers, a scratch, some shared files and disks; build 20348. */
static json_t *make_world(void)
{
    json_t *world = json_pack(
        "{s:i, s:i, s:{s:{s:i}, s:{s:i}, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
        "build", 20348, "processorCount", 8, "files", LAYER1_VHD, "size", 4096, LAYER2_VHD,
        "size", 4096, SANDBOX, "file", "C:\\data", "dir", SHARE_DIR, "dir", "C:\\data\\files",
        "dir", CONF_FILE, "file", "C:\\data\\disks", "dir", DATA_DISK, "file", ROOT_DIR, "dir",
        "C:\\data\\gpu", "dir", GPU_VHD, "file", PHYSICAL_DRIVE, "file");
    CU_ASSERT_PTR_NOT_NULL_FATAL(world);
    return world;
}

/* A Linux spec with one layer and the scratch, and a proc mount. */
static json_t *make_spec(void)
{
    json_t *spec = json_pack("{s:s, s:{s:[s], s:s}, s:{s:s}, s:[{s:s, s:s, s:s}], s:{}, s:{s:[s,s]}}",
                             "ociVersion", "1.0.2-dev", "process", "args", "/bin/sh", "cwd", "/",
                             "root", "path", "rootfs", "mounts", "destination", "/proc", "type",
                             "proc", "source", "proc", "linux", "windows", "layerFolders", LAYER1,
                             SCRATCH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
    return spec;
}

/* Appends a mount to spec.mounts; options is a JSON array text or NULL. */
static void add_mount(json_t *spec, const char *destination, const char *type, const char *source,
                      const char *options)
{
    json_t *mount = json_object();
    if (destination != NULL)
        json_object_set_new(mount, "destination", json_string(destination));
    if (type != NULL)
        json_object_set_new(mount, "type", json_string(type));
    if (source != NULL)
        json_object_set_new(mount, "source", json_string(source));
    if (options != NULL)
        json_object_set_new(mount, "options", test_json(options));
    json_array_append_new(json_object_get(spec, "mounts"), mount);
}

/* ---- Running a create ---- */

typedef struct run_options {
    const char *uvm_os;     /* "linux" (default), "windows", or "none" for no hosting system */
    const char *schema;     /* "1.0", "2.1" or NULL */
    int vpmem_max_count;    /* 0: 64 */
    uint64_t vpmem_max_size; /* 0: 4 GiB */
    bool devices_physically_backed;
    bool without_devices_module; /* load the built-in modules but the devices module */
} run_options;

/* Creates container "c1" from spec in world (both consumed) in a utility VM as options say,
 * then releases all it allocated when the create succeeded. */
static void run_create(json_t *world, json_t *spec, const run_options *options,
                       test_run_result *result)
{
    static const run_options defaults = {0};
    if (options == NULL)
        options = &defaults;
    test_run_options create = {
        .schema = options->schema,
        .without_devices_module = options->without_devices_module,
    };
    const char *os = options->uvm_os != NULL ? options->uvm_os : "linux";
    if (strcmp(os, "none") != 0) {
        create.hosting_system = json_pack(
            "{s:s, s:s, s:s, s:i, s:i, s:i, s:I, s:b}", "id", UVM_ID, "owner", "uvm-owner", "os",
            os, "processorCount", 2, "scsiControllerCount", 1, "vpmemMaxCount",
            options->vpmem_max_count > 0 ? options->vpmem_max_count : 64, "vpmemMaxSizeBytes",
            (json_int_t)(options->vpmem_max_size > 0 ? options->vpmem_max_size : 4294967296u),
            "devicesPhysicallyBacked", options->devices_physically_backed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(create.hosting_system);
    }
    test_run_create(world, spec, &create, result);
}

/* ---- Looking at results ---- */

/* The value at a path of object keys and [n] indices ("a.b[2].c"), or NULL. Keys may not
 * contain '.' or '['. */
static const json_t *at(const json_t *value, const char *path)
{
    char key[128];
    const char *cursor = path;
    while (value != NULL && *cursor != '\0') {
        if (*cursor == '.') {
            cursor++;
        } else if (*cursor == '[') {
            char *end = NULL;
            unsigned long index = strtoul(cursor + 1, &end, 10);
            value = json_array_get(value, index);
            cursor = end + 1;
        } else {
            size_t length = strcspn(cursor, ".[");
            if (length >= sizeof key)
                return NULL;
            memcpy(key, cursor, length);
            key[length] = '\0';
            value = json_object_get(value, key);
            cursor += length;
        }
    }
    return value;
}

static bool absent_or_null(const json_t *value)
{
    return value == NULL || json_is_null(value);
}

/* The string at a path, or "" when there is none. */
static const char *string_at(const json_t *value, const char *path)
{
    const char *text = json_string_value(at(value, path));
    return text != NULL ? text : "";
}

/* The number of modify requests in calls with this resource path and request type. */
static size_t count_modifications(const json_t *calls, const char *resource_path,
                                  const char *request_type)
{
    size_t count = 0, index;
    const json_t *call;
    json_array_foreach(calls, index, call) {
        const json_t *configuration = at(call, "args.configuration");
        if (strcmp(string_at(call, "call"), "HcsModifyComputeSystem") == 0 &&
            strcmp(string_at(configuration, "ResourcePath"), resource_path) == 0 &&
            strcmp(string_at(configuration, "RequestType"), request_type) == 0)
            count++;
    }
    return count;
}

/* The configuration of the first modify request whose guest request has this resource type
 * and request type, or NULL. */
static const json_t *guest_modification(const json_t *calls, const char *resource_type,
                                        const char *request_type, size_t skip)
{
    size_t index;
    const json_t *call;
    json_array_foreach(calls, index, call) {
        const json_t *configuration = at(call, "args.configuration");
        if (strcmp(string_at(configuration, "GuestRequest.ResourceType"), resource_type) == 0 &&
            strcmp(string_at(configuration, "GuestRequest.RequestType"), request_type) == 0) {
            if (skip == 0)
                return configuration;
            skip--;
        }
    }
    return NULL;
}

/* The OCI spec the guest receives. */
static const json_t *guest_spec(const test_run_result *result)
{
    return at(result->document, "OciSpecification");
}

/* True when the host holds nothing for the utility VM or anyone else. */
static bool holds_nothing(const test_run_result *result)
{
    const json_t *modifications = json_object_get(result->held, "modifications");
    bool empty = json_object_size(modifications) == 0;
    if (!empty) {
        char *text = json_dumps(result->held, JSON_COMPACT);
        fprintf(stderr, "\n  the host still holds: %s\n", text);
        free(text);
    }
    return empty;
}

#define ASSERT_STRING_AT(value, path, expected)                                                \
    do {                                                                                       \
        const char *actual_ = string_at((value), (path));                                      \
        if (strcmp(actual_, (expected)) != 0)                                                  \
            fprintf(stderr, "\n  %s: %s\n  expected: %s\n", (path), actual_, (expected));      \
        CU_ASSERT_STRING_EQUAL(actual_, (expected));                                           \
    } while (0)

#define ASSERT_SUCCESS(result)                                                                 \
    do {                                                                                       \
        TEST_ASSERT_SUCCEEDED(result);                                                         \
        if ((result).release_error != NULL)                                                    \
            fprintf(stderr, "\n  release error: %s\n", (result).release_error);               \
        CU_ASSERT_PTR_NULL((result).release_error);                                            \
    } while (0)

/* The calls of mounting one layer on vPMEM with the scratch on SCSI. */
#define ONE_LAYER_MOUNTED "HcsModifyComputeSystem,GrantVmAccess,HcsModifyComputeSystem,HcsModifyComputeSystem"
/* ... and of undoing that. */
#define ONE_LAYER_UNMOUNTED "HcsModifyComputeSystem,HcsModifyComputeSystem,HcsModifyComputeSystem"

/* ---- Path helpers ---- */

static void assert_join(const char *first, const char *second, const char *expected)
{
    char arguments[512];
    snprintf(arguments, sizeof arguments, "%s, %s", first, second);
    test_assert_new_string("join", arguments, lcow_guest_path_join(first, second), expected);
}

static void assert_clean(const char *path, const char *expected)
{
    test_assert_new_string("clean", path, lcow_guest_path_clean(path), expected);
}

static void test_guest_paths_join_and_clean_like_go(void)
{
    assert_join(ROOT_IN_UVM, "mounts/m1", ROOT_IN_UVM "/mounts/m1");
    assert_join(ROOT_IN_UVM, "rootfs", ROOT_IN_UVM "/rootfs");
    assert_join("/run/x/mounts/m2", "app.conf", "/run/x/mounts/m2/app.conf");
    assert_join("/a/b/", "../c", "/a/c");
    assert_join("", "x", "x");
    assert_join("/a", "", "/a");
    assert_join("", "", "");
    assert_clean("", ".");
    assert_clean("/", "/");
    assert_clean("//a//b/./c/", "/a/b/c");
    assert_clean("/../a/..", "/");
    assert_clean("a/../..", "..");
    assert_clean("../../a/b/../c", "../../a/c");
    assert_clean("./", ".");
    assert_clean("/run/gcs/c/../../x", "/run/x");
    assert_clean("...", "...");
    assert_clean("a/..b", "a/..b");
}

static void test_mount_text_reads_like_go(void)
{
    json_t *mount = test_json("{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"C:\\\\x\","
                              "\"options\":[\"rbind\",\"ro\"]}");
    char *text = lcow_mount_text(mount);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, "{Destination:/x Type:bind Source:C:\\x Options:[rbind ro]}");
    free(text);
    json_decref(mount);

    mount = test_json("{\"destination\":\"/y\",\"options\":[7,\"\"]}");
    text = lcow_mount_text(mount);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, "{Destination:/y Type: Source: Options:[ ]}");
    free(text);
    json_decref(mount);

    text = lcow_mount_text(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, "{Destination: Type: Source: Options:[]}");
    free(text);
}

/* ---- Dispatch ---- */

static void expect_builder(hcsoci_runtime *runtime, hcsoci_spec_kind spec_kind,
                           hcsoci_schema_version schema, hcsoci_hosting_kind hosting,
                           const char *expected)
{
    hcsoci_match_key key = {.spec_kind = spec_kind, .schema = schema, .hosting = hosting};
    hcsoci_error *error = NULL;
    const char *builder = hcsoci_runtime_builder_name(runtime, &key, &error);
    const char *name = builder != NULL ? builder : "(none)";
    if (expected == NULL) {
        CU_ASSERT(builder == NULL || strcmp(builder, "lcow") != 0);
    } else {
        CU_ASSERT_STRING_EQUAL(name, expected);
    }
    hcsoci_error_free(error);
}

static void test_every_linux_spec_goes_to_the_lcow_builder(void)
{
    hcsoci_host *host = test_sim_host("{}");
    hcsoci_runtime *runtime = test_runtime(host);
    hcsoci_schema_version v10 = {1, 0}, v21 = {2, 1};
    expect_builder(runtime, HCSOCI_SPEC_LINUX, v21, HCSOCI_HOSTING_LINUX, "lcow");
    expect_builder(runtime, HCSOCI_SPEC_LINUX, v10, HCSOCI_HOSTING_NONE, "lcow");
    expect_builder(runtime, HCSOCI_SPEC_LINUX, v10, HCSOCI_HOSTING_LINUX, "lcow");
    expect_builder(runtime, HCSOCI_SPEC_LINUX, v21, HCSOCI_HOSTING_NONE, "lcow");
    expect_builder(runtime, HCSOCI_SPEC_LINUX, v21, HCSOCI_HOSTING_WINDOWS, "lcow");
    expect_builder(runtime, HCSOCI_SPEC_WINDOWS, v21, HCSOCI_HOSTING_NONE, NULL);
    expect_builder(runtime, HCSOCI_SPEC_WINDOWS, v21, HCSOCI_HOSTING_LINUX, NULL);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

static void test_schema_1_0_is_refused_before_any_call(void)
{
    run_options options = {.uvm_os = "none", .schema = "1.0"};
    test_run_result result;
    run_create(make_world(), make_spec(), &options, &result);
    TEST_ASSERT_FAILED_WITH(result, "LCOW v1 not supported");
    TEST_ASSERT_CALLS(result.calls, "");
    test_run_result_free(&result);
}

static void test_a_missing_hosting_system_is_refused_before_any_call(void)
{
    run_options options = {.uvm_os = "none"};
    test_run_result result;
    run_create(make_world(), make_spec(), &options, &result);
    TEST_ASSERT_FAILED_WITH(result, "a Linux container (LCOW) must be created in a Linux utility VM: no "
                         "hosting system was given");
    TEST_ASSERT_CALLS(result.calls, "");
    test_run_result_free(&result);
}

static void test_a_windows_hosting_system_is_refused_before_any_call(void)
{
    run_options options = {.uvm_os = "windows"};
    test_run_result result;
    run_create(make_world(), make_spec(), &options, &result);
    TEST_ASSERT_FAILED_WITH(result, "a Linux container (LCOW) must be created in a Linux utility VM: "
                         "hosting system " UVM_ID " is a windows utility VM");
    TEST_ASSERT_CALLS(result.calls, "");
    test_run_result_free(&result);
}

static void test_spec_type_errors_come_before_any_call(void)
{
    json_t *spec = make_spec();
    json_object_set_new(json_object_get(spec, "process"), "user", json_pack("{s:i}", "uid", -1));
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "process.user.uid");
    TEST_ASSERT_CALLS(result.calls, "");
    test_run_result_free(&result);

    /* before the schema check too: the reference's spec is typed before it is looked at */
    spec = make_spec();
    add_mount(spec, "/x", "bind", SHARE_DIR, "[\"rbind\", 1]");
    run_options options = {.uvm_os = "none", .schema = "1.0"};
    run_create(make_world(), spec, &options, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "mounts[1].options[1]");
    TEST_ASSERT_CALLS(result.calls, "");
    test_run_result_free(&result);
}

/* ---- Root file system ---- */

static void test_layers_on_vpmem_and_scratch_on_scsi(void)
{
    json_t *spec = make_spec();
    json_array_insert_new((json_t *)at(spec, "windows.layerFolders"), 1, json_string(LAYER2));
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    TEST_ASSERT_CALLS(result.calls, "HcsModifyComputeSystem,HcsModifyComputeSystem,GrantVmAccess,"
                               "HcsModifyComputeSystem,HcsModifyComputeSystem,"
                               "HcsCreateComputeSystem");
    ASSERT_STRING_AT(result.calls, "[0].args.configuration.Settings.HostPath", LAYER1_VHD);
    ASSERT_STRING_AT(result.calls, "[1].args.configuration.Settings.HostPath", LAYER2_VHD);
    ASSERT_STRING_AT(result.calls, "[2].args.filepath", SANDBOX);
    ASSERT_STRING_AT(result.calls, "[3].args.configuration.GuestRequest.Settings.MountPath",
                     ROOT_IN_UVM);
    const json_t *combine = guest_modification(result.calls, "CombinedLayers", "Add", 0);
    ASSERT_STRING_AT(combine, "GuestRequest.Settings.ContainerRootPath", ROOT_IN_UVM "/rootfs");
    ASSERT_STRING_AT(combine, "GuestRequest.Settings.Layers[0].Path", "/run/layers/p0");
    ASSERT_STRING_AT(combine, "GuestRequest.Settings.Layers[1].Path", "/run/layers/p1");
    ASSERT_STRING_AT(combine, "GuestRequest.Settings.ScratchPath", ROOT_IN_UVM);

    ASSERT_STRING_AT(result.document, "OciBundlePath", ROOT_IN_UVM);
    ASSERT_STRING_AT(guest_spec(&result), "root.path", ROOT_IN_UVM "/rootfs");
    CU_ASSERT_PTR_NULL(at(guest_spec(&result), "windows"));
    ASSERT_STRING_AT(result.calls, "[5].args.configuration.HostingSystemId", UVM_ID);

    /* the ledger holds the layers, mounted in the VM */
    ASSERT_STRING_AT(result.ledger, "layerFolders[1]", LAYER2);
    CU_ASSERT_EQUAL(json_array_size(at(result.ledger, "layerFolders")), 3);
    ASSERT_STRING_AT(result.ledger, "layersUvm", UVM_ID);
    TEST_ASSERT_CALLS(result.release_calls, "HcsModifyComputeSystem,HcsModifyComputeSystem,"
                                       "HcsModifyComputeSystem,HcsModifyComputeSystem");
    CU_ASSERT_PTR_NOT_NULL(guest_modification(result.release_calls, "CombinedLayers", "Remove", 0));
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_layers_go_to_scsi_when_vpmem_is_full(void)
{
    json_t *spec = make_spec();
    json_array_insert_new((json_t *)at(spec, "windows.layerFolders"), 1, json_string(LAYER2));
    run_options options = {.vpmem_max_count = 1};
    test_run_result result;
    run_create(make_world(), spec, &options, &result);
    ASSERT_SUCCESS(result);
    CU_ASSERT_EQUAL(count_modifications(result.calls, "VirtualMachine/Devices/VirtualPMem/Devices/0",
                                        "Add"), 1);
    ASSERT_STRING_AT(result.calls, "[1].args.configuration.Settings.Path", LAYER2_VHD);
    CU_ASSERT(json_is_true(at(result.calls, "[1].args.configuration.Settings.ReadOnly")));
    ASSERT_STRING_AT(result.calls, "[1].args.configuration.GuestRequest.Settings.MountPath",
                     "/run/mounts/m1");
    const json_t *combine = guest_modification(result.calls, "CombinedLayers", "Add", 0);
    ASSERT_STRING_AT(combine, "GuestRequest.Settings.Layers[0].Path", "/run/layers/p0");
    ASSERT_STRING_AT(combine, "GuestRequest.Settings.Layers[1].Path", "/run/mounts/m1");
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_layers_too_large_for_vpmem_go_to_scsi(void)
{
    run_options options = {.vpmem_max_size = 1024};
    test_run_result result;
    run_create(make_world(), make_spec(), &options, &result);
    ASSERT_SUCCESS(result);
    CU_ASSERT_EQUAL(count_modifications(result.calls, "VirtualMachine/Devices/VirtualPMem/Devices/0",
                                        "Add"), 0);
    ASSERT_STRING_AT(result.calls, "[0].args.configuration.Settings.Path", LAYER1_VHD);
    ASSERT_STRING_AT(result.calls, "[0].args.configuration.GuestRequest.Settings.MountPath",
                     "/run/mounts/m1");
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_physically_backed_devices_put_layers_on_scsi(void)
{
    run_options options = {.devices_physically_backed = true};
    test_run_result result;
    run_create(make_world(), make_spec(), &options, &result);
    ASSERT_SUCCESS(result);
    ASSERT_STRING_AT(result.calls, "[0].args.configuration.ResourcePath",
                     "VirtualMachine/Devices/Scsi/0/Attachments/0");
    ASSERT_STRING_AT(result.calls, "[0].args.configuration.Settings.Path", LAYER1_VHD);
    test_run_result_free(&result);
}

static void test_a_failed_layer_is_reported_and_rolled_back(void)
{
    json_t *world = make_world();
    test_fail_call(world, "HcsModifyComputeSystem", 2, NULL);
    json_t *spec = make_spec();
    json_array_insert_new((json_t *)at(spec, "windows.layerFolders"), 1, json_string(LAYER2));
    test_run_result result;
    run_create(world, spec, NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "failed to mount container storage: failed to add LCOW layer: "
                                  "failed to add VPMEM layer: ");
    TEST_ASSERT_CALLS(result.calls, "HcsModifyComputeSystem,HcsModifyComputeSystem,"
                               "HcsModifyComputeSystem");
    ASSERT_STRING_AT(result.calls, "[2].args.configuration.RequestType", "Remove");
    CU_ASSERT(absent_or_null(at(result.ledger, "layerFolders")));
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_plan9_root_without_layer_folders(void)
{
    json_t *spec = make_spec();
    json_object_set_new(spec, "windows", json_object());
    json_object_set_new(spec, "root", json_pack("{s:s, s:b}", "path", ROOT_DIR, "readonly", 1));
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    TEST_ASSERT_CALLS(result.calls, "HcsModifyComputeSystem,HcsCreateComputeSystem");
    const json_t *share = at(result.calls, "[0].args.configuration");
    ASSERT_STRING_AT(share, "ResourcePath", "VirtualMachine/Devices/Plan9/Shares");
    ASSERT_STRING_AT(share, "Settings.Path", ROOT_DIR);
    CU_ASSERT_EQUAL(json_integer_value(at(share, "Settings.Flags")), 5);
    ASSERT_STRING_AT(share, "GuestRequest.Settings.MountPath", ROOT_IN_UVM "/rootfs");
    CU_ASSERT(json_is_true(at(share, "GuestRequest.Settings.ReadOnly")));
    ASSERT_STRING_AT(guest_spec(&result), "root.path", ROOT_IN_UVM "/rootfs");
    CU_ASSERT(json_is_true(at(guest_spec(&result), "root.readonly")));
    /* the share is a ledger entry, and no layers are recorded */
    ASSERT_STRING_AT(result.ledger, "entries[0].kind", "uvm.plan9");
    CU_ASSERT(absent_or_null(at(result.ledger, "layerFolders")));
    TEST_ASSERT_CALLS(result.release_calls, "HcsModifyComputeSystem");
    ASSERT_STRING_AT(result.release_calls, "[0].args.configuration.RequestType", "Remove");
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_a_failed_plan9_root_is_reported(void)
{
    json_t *world = make_world();
    test_fail_call(world, "HcsModifyComputeSystem", 1, NULL);
    json_t *spec = make_spec();
    json_object_del(spec, "windows");
    json_object_set_new(spec, "root", json_pack("{s:s}", "path", ROOT_DIR));
    test_run_result result;
    run_create(world, spec, NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "adding plan9 root: ");
    CU_ASSERT_EQUAL(json_array_size(at(result.ledger, "entries")), 0);
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_neither_layer_folders_nor_root_path(void)
{
    static const char *const roots[] = {NULL, "{\"path\": \"\"}", "{\"readonly\": true}"};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        json_t *spec = make_spec();
        json_object_set_new(spec, "windows", json_pack("{s:[]}", "layerFolders"));
        if (roots[i] == NULL)
            json_object_set_new(spec, "root", json_null());
        else
            json_object_set_new(spec, "root", test_json(roots[i]));
        test_run_result result;
        run_create(make_world(), spec, NULL, &result);
        TEST_ASSERT_FAILED_WITH(result, "must provide either Windows.LayerFolders or Root.Path");
        TEST_ASSERT_CALLS(result.calls, "");
        test_run_result_free(&result);
    }
}

static void test_spec_keys_are_matched_the_go_way(void)
{
    /* Go matches "Root"/"Path"/"Windows" to root/path/windows; the core gives the builder
     * the spec with those keys, and itself sees the network section (HNS calls come first). */
    json_t *spec = make_spec();
    json_object_del(spec, "root");
    json_object_del(spec, "windows");
    json_object_set_new(spec, "Root", json_pack("{s:s}", "Path", ROOT_DIR));
    json_object_set_new(spec, "Windows", json_pack("{s:{s:s}}", "network", "networkNamespace", ""));
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    ASSERT_STRING_AT(result.calls, "[0].call", "HNSCall");
    ASSERT_STRING_AT(guest_modification(result.calls, "MappedDirectory", "Add", 0),
                     "Settings.Path", ROOT_DIR);
    ASSERT_STRING_AT(guest_spec(&result), "root.path", ROOT_IN_UVM "/rootfs");
    CU_ASSERT_PTR_NULL(at(guest_spec(&result), "Root"));
    test_run_result_free(&result);
}

/* ---- Mounts ---- */

static void test_bind_mount_of_a_directory_is_a_plan9_share(void)
{
    json_t *spec = make_spec();
    add_mount(spec, "/data", "bind", SHARE_DIR, "[\"rbind\", \"RO\"]");
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED ",HcsModifyComputeSystem,HcsCreateComputeSystem");
    const json_t *share = guest_modification(result.calls, "MappedDirectory", "Add", 0);
    ASSERT_STRING_AT(share, "Settings.Path", SHARE_DIR);
    CU_ASSERT_EQUAL(json_integer_value(at(share, "Settings.Flags")), 5);
    CU_ASSERT_PTR_NULL(at(share, "Settings.AllowedFiles"));
    ASSERT_STRING_AT(share, "GuestRequest.Settings.MountPath", ROOT_IN_UVM "/mounts/m1");
    CU_ASSERT(json_is_true(at(share, "GuestRequest.Settings.ReadOnly")));
    ASSERT_STRING_AT(guest_spec(&result), "mounts[1].source", ROOT_IN_UVM "/mounts/m1");
    ASSERT_STRING_AT(guest_spec(&result), "mounts[1].type", "bind");
    ASSERT_STRING_AT(guest_spec(&result), "mounts[1].options[1]", "RO");
    /* the share is released before the layers */
    ASSERT_STRING_AT(result.release_calls, "[0].args.configuration.ResourcePath",
                     "VirtualMachine/Devices/Plan9/Shares");
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_bind_mount_of_a_file_shares_its_directory_restricted(void)
{
    json_t *spec = make_spec();
    json_array_clear(json_object_get(spec, "mounts"));
    add_mount(spec, "/etc/app.conf", "bind", CONF_FILE, NULL);
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    const json_t *share = guest_modification(result.calls, "MappedDirectory", "Add", 0);
    ASSERT_STRING_AT(share, "Settings.Path", "C:\\data\\files\\");
    CU_ASSERT_EQUAL(json_integer_value(at(share, "Settings.Flags")), 0x84);
    ASSERT_STRING_AT(share, "Settings.AllowedFiles[0]", "app.conf");
    CU_ASSERT_EQUAL(json_array_size(at(share, "Settings.AllowedFiles")), 1);
    ASSERT_STRING_AT(share, "GuestRequest.Settings.MountPath", ROOT_IN_UVM "/mounts/m0");
    CU_ASSERT_PTR_NULL(at(share, "GuestRequest.Settings.ReadOnly"));
    ASSERT_STRING_AT(guest_spec(&result), "mounts[0].source", ROOT_IN_UVM "/mounts/m0/app.conf");
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_single_file_bind_mount_needs_windows_19h1(void)
{
    json_t *world = make_world();
    json_object_set_new(world, "build", json_integer(17763));
    json_t *spec = make_spec();
    add_mount(spec, "/etc/app.conf", "bind", CONF_FILE, NULL);
    test_run_result result;
    run_create(world, spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "adding plan9 mount {Destination:/etc/app.conf Type:bind "
                         "Source:" CONF_FILE " Options:[]}: single-file mappings are not "
                         "supported on this build of Windows");
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED "," ONE_LAYER_UNMOUNTED);
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_sandbox_mounts_are_kept_as_they_are(void)
{
    json_t *spec = make_spec();
    add_mount(spec, "/uvmdir", "bind", "sandbox:///tmp/uvmdir", NULL);
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED ",HcsCreateComputeSystem");
    ASSERT_STRING_AT(guest_spec(&result), "mounts[1].source", "sandbox:///tmp/uvmdir");
    test_run_result_free(&result);
}

static void test_physical_disk_mount_on_scsi(void)
{
    json_t *spec = make_spec();
    add_mount(spec, "/pd", "physical-disk", PHYSICAL_DRIVE, "[\"ro\"]");
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED ",GrantVmAccess,HcsModifyComputeSystem,"
                                                 "HcsCreateComputeSystem");
    ASSERT_STRING_AT(result.calls, "[4].args.filepath", PHYSICAL_DRIVE);
    const json_t *disk = at(result.calls, "[5].args.configuration");
    ASSERT_STRING_AT(disk, "Settings.Type", "PassThru");
    ASSERT_STRING_AT(disk, "GuestRequest.Settings.MountPath", "/run/mounts/m1");
    CU_ASSERT(json_is_true(at(disk, "GuestRequest.Settings.ReadOnly")));
    ASSERT_STRING_AT(guest_spec(&result), "mounts[1].type", "none");
    ASSERT_STRING_AT(guest_spec(&result), "mounts[1].source", "/run/mounts/m1");
    ASSERT_STRING_AT(result.ledger, "entries[0].kind", "uvm.scsi");
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_virtual_disk_attached_twice_keeps_its_first_path(void)
{
    json_t *spec = make_spec();
    add_mount(spec, "/vd", "virtual-disk", DATA_DISK, NULL);
    add_mount(spec, "/vd2", "virtual-disk", DATA_DISK, NULL);
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    CU_ASSERT_EQUAL(count_modifications(result.calls, "VirtualMachine/Devices/Scsi/0/Attachments/1",
                                        "Add"), 1);
    const json_t *disk = guest_modification(result.calls, "MappedVirtualDisk", "Add", 1);
    ASSERT_STRING_AT(disk, "Settings.Type", "VirtualDisk");
    ASSERT_STRING_AT(disk, "Settings.Path", DATA_DISK);
    ASSERT_STRING_AT(disk, "GuestRequest.Settings.MountPath", "/run/mounts/m1");
    /* the second mount took a new number but sees the disk where the VM has it */
    ASSERT_STRING_AT(guest_spec(&result), "mounts[1].source", "/run/mounts/m1");
    ASSERT_STRING_AT(guest_spec(&result), "mounts[2].source", "/run/mounts/m1");
    ASSERT_STRING_AT(guest_spec(&result), "mounts[2].type", "none");
    CU_ASSERT_EQUAL(json_array_size(at(result.ledger, "entries")), 2);
    CU_ASSERT_EQUAL(count_modifications(result.release_calls,
                                        "VirtualMachine/Devices/Scsi/0/Attachments/1", "Remove"),
                    1);
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_other_mount_types_are_left_alone(void)
{
    json_t *spec = make_spec();
    add_mount(spec, "/tmp", "tmpfs", NULL, "[\"nosuid\"]");
    add_mount(spec, "", "", "C:\\nowhere", NULL);
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED ",HcsCreateComputeSystem");
    ASSERT_STRING_AT(guest_spec(&result), "mounts[1].type", "tmpfs");
    CU_ASSERT_PTR_NULL(at(guest_spec(&result), "mounts[1].source"));
    ASSERT_STRING_AT(guest_spec(&result), "mounts[2].source", "C:\\nowhere");
    test_run_result_free(&result);
}

static void test_mounts_need_a_source_and_a_destination(void)
{
    json_t *spec = make_spec();
    add_mount(spec, "/x", "bind", NULL, "[\"rbind\"]");
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid OCI spec - a mount must have both source and a destination: "
                         "{Destination:/x Type:bind Source: Options:[rbind]}");
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED "," ONE_LAYER_UNMOUNTED);
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);

    spec = make_spec();
    add_mount(spec, NULL, "virtual-disk", DATA_DISK, NULL);
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid OCI spec - a mount must have both source and a destination: "
                         "{Destination: Type:virtual-disk Source:" DATA_DISK " Options:[]}");
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_missing_bind_sources_read_as_windows_says(void)
{
    json_t *spec = make_spec();
    add_mount(spec, "/x", "bind", "C:\\data\\nothing", NULL);
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "could not open bind mount target: CreateFile C:\\data\\nothing: The "
                         "system cannot find the file specified.");
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED "," ONE_LAYER_UNMOUNTED);
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);

    spec = make_spec();
    add_mount(spec, "/x", "bind", "C:\\nowhere\\x", NULL);
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "could not open bind mount target: CreateFile C:\\nowhere\\x: The "
                         "system cannot find the path specified.");
    test_run_result_free(&result);

    spec = make_spec();
    add_mount(spec, "/x", "bind", "C:\\x", NULL);
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "C:\\x: The system cannot find the file specified.");
    test_run_result_free(&result);
}

static void test_a_failed_mount_rolls_back_the_mounts_before_it(void)
{
    json_t *world = make_world();
    /* vPMEM, scratch, combine, first share, second share */
    test_fail_call(world, "HcsModifyComputeSystem", 5, NULL);
    json_t *spec = make_spec();
    add_mount(spec, "/a", "bind", SHARE_DIR, NULL);
    add_mount(spec, "/b", "bind", ROOT_DIR, NULL);
    test_run_result result;
    run_create(world, spec, NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "adding plan9 mount {Destination:/b Type:bind Source:" ROOT_DIR
                                  " Options:[]}: ");
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED ",HcsModifyComputeSystem,HcsModifyComputeSystem,"
                                                 "HcsModifyComputeSystem," ONE_LAYER_UNMOUNTED);
    const json_t *removed = guest_modification(result.calls, "MappedDirectory", "Remove", 0);
    ASSERT_STRING_AT(removed, "GuestRequest.Settings.MountPath", ROOT_IN_UVM "/mounts/m1");
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

/* ---- Devices ---- */

static void test_an_empty_device_list_asks_no_module(void)
{
    json_t *spec = make_spec();
    json_object_set_new(json_object_get(spec, "windows"), "devices", json_array());
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED ",HcsCreateComputeSystem");
    /* the list is not nil, so the guest keeps a windows section for it (which Go writes
     * without the empty list) */
    CU_ASSERT(json_is_object(at(guest_spec(&result), "windows")));
    CU_ASSERT(json_is_null(at(guest_spec(&result), "windows.layerFolders")));
    CU_ASSERT_PTR_NULL(at(guest_spec(&result), "windows.devices"));
    test_run_result_free(&result);
}

static void test_a_device_of_an_unsupported_type(void)
{
    json_t *spec = make_spec();
    json_object_set_new(json_object_get(spec, "windows"), "devices",
                        json_pack("[{s:s, s:s}]", "id", "abc", "idType", "class"));
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "specified device abc has unsupported type class");
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED "," ONE_LAYER_UNMOUNTED);
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

/* With the devices module of the build tree a GPU is assigned over vPCI, its id in the guest's
 * spec becomes the VMBus GUID it was assigned under, and the GPU support VHD follows on SCSI;
 * releasing undoes both first. */
static void test_a_gpu_is_assigned_by_the_devices_module(void)
{
    static const char gpu_id[] = "PCIP\\VEN_10DE&DEV_1EB8\\3&1";
    json_t *spec = make_spec();
    json_object_set_new(json_object_get(spec, "windows"), "devices",
                        json_pack("[{s:s, s:s}]", "id", gpu_id, "idType", "gpu"));
    json_object_set_new(spec, "annotations",
                        json_pack("{s:s}", "io.microsoft.lcow.gpuvhdpath", GPU_VHD));
    test_run_result result;
    run_create(make_world(), spec, NULL, &result);
    ASSERT_SUCCESS(result);
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED ",HcsModifyComputeSystem,"
                                    "HcsModifyComputeSystem,HcsCreateComputeSystem");
    const json_t *vpci = guest_modification(result.calls, "VPCIDevice", "Add", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vpci);
    const char *vmbus_guid = string_at(vpci, "GuestRequest.Settings.VMBusGUID");
    CU_ASSERT_EQUAL(strlen(vmbus_guid), 36);
    char resource_path[96];
    snprintf(resource_path, sizeof resource_path, "VirtualMachine/Devices/VirtualPci/%s",
             vmbus_guid);
    ASSERT_STRING_AT(vpci, "ResourcePath", resource_path);
    ASSERT_STRING_AT(vpci, "Settings.Functions[0].DeviceInstancePath", gpu_id);
    ASSERT_STRING_AT(guest_spec(&result), "windows.devices[0].id", vmbus_guid);
    ASSERT_STRING_AT(guest_spec(&result), "windows.devices[0].idType", "gpu");
    const json_t *gpu_vhd = guest_modification(result.calls, "MappedVirtualDisk", "Add", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gpu_vhd);
    ASSERT_STRING_AT(gpu_vhd, "ResourcePath", "VirtualMachine/Devices/Scsi/0/Attachments/1");
    ASSERT_STRING_AT(gpu_vhd, "Settings.Path", GPU_VHD);
    CU_ASSERT_TRUE(json_is_true(at(gpu_vhd, "Settings.ReadOnly")));
    ASSERT_STRING_AT(gpu_vhd, "GuestRequest.Settings.MountPath", "/run/nvidia");
    ASSERT_STRING_AT(result.ledger, "entries[0].kind", "uvm.vpci");
    ASSERT_STRING_AT(result.ledger, "entries[0].deviceInstanceId", gpu_id);
    ASSERT_STRING_AT(result.ledger, "entries[1].kind", "uvm.scsi");
    ASSERT_STRING_AT(result.ledger, "entries[1].hostPath", GPU_VHD);
    CU_ASSERT_EQUAL(json_array_size(at(result.ledger, "entries")), 2);
    /* The release takes the VHD off first, then the GPU, then the layers. */
    ASSERT_STRING_AT(result.release_calls, "[0].args.configuration.ResourcePath",
                     "VirtualMachine/Devices/Scsi/0/Attachments/1");
    ASSERT_STRING_AT(result.release_calls, "[1].args.configuration.ResourcePath", resource_path);
    CU_ASSERT_EQUAL(json_array_size(result.release_calls), 5);
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);
}

static void test_without_a_devices_module(void)
{
    /* a GPU needs the module; any other id type gets the reference's own error */
    run_options options = {.without_devices_module = true};
    json_t *spec = make_spec();
    json_object_set_new(json_object_get(spec, "windows"), "devices",
                        json_pack("[{s:s, s:s}]", "id", "abc", "idType", "class"));
    test_run_result result;
    run_create(make_world(), spec, &options, &result);
    TEST_ASSERT_FAILED_WITH(result, "specified device abc has unsupported type class");
    TEST_ASSERT_CALLS(result.calls, ONE_LAYER_MOUNTED "," ONE_LAYER_UNMOUNTED);
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);

    spec = make_spec();
    json_object_set_new(json_object_get(spec, "windows"), "devices",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "id", "g", "idType", "gpu", "id",
                                  "abc", "idType", "class"));
    run_create(make_world(), spec, &options, &result);
    TEST_ASSERT_FAILED_WITH(result, "no plugin for devices");
    CU_ASSERT(holds_nothing(&result));
    test_run_result_free(&result);

    /* without devices the module is not needed */
    run_create(make_world(), make_spec(), &options, &result);
    ASSERT_SUCCESS(result);
    test_run_result_free(&result);
}

static const test_entry tests[] = {
    {"guest paths join and clean like Go", test_guest_paths_join_and_clean_like_go},
    {"mount text reads like Go", test_mount_text_reads_like_go},
    {"every Linux spec goes to the lcow builder", test_every_linux_spec_goes_to_the_lcow_builder},
    {"schema 1.0 is refused before any call", test_schema_1_0_is_refused_before_any_call},
    {"a missing hosting system is refused", test_a_missing_hosting_system_is_refused_before_any_call},
    {"a Windows hosting system is refused", test_a_windows_hosting_system_is_refused_before_any_call},
    {"spec type errors come before any call", test_spec_type_errors_come_before_any_call},
    {"layers on vPMEM, scratch on SCSI", test_layers_on_vpmem_and_scratch_on_scsi},
    {"layers go to SCSI when vPMEM is full", test_layers_go_to_scsi_when_vpmem_is_full},
    {"layers too large for vPMEM go to SCSI", test_layers_too_large_for_vpmem_go_to_scsi},
    {"physically backed devices put layers on SCSI",
     test_physically_backed_devices_put_layers_on_scsi},
    {"a failed layer is reported and rolled back", test_a_failed_layer_is_reported_and_rolled_back},
    {"Plan 9 root without layer folders", test_plan9_root_without_layer_folders},
    {"a failed Plan 9 root is reported", test_a_failed_plan9_root_is_reported},
    {"neither layer folders nor root path", test_neither_layer_folders_nor_root_path},
    {"spec keys are matched the Go way", test_spec_keys_are_matched_the_go_way},
    {"bind mount of a directory is a Plan 9 share",
     test_bind_mount_of_a_directory_is_a_plan9_share},
    {"bind mount of a file shares its directory restricted",
     test_bind_mount_of_a_file_shares_its_directory_restricted},
    {"single-file bind mount needs Windows 19H1", test_single_file_bind_mount_needs_windows_19h1},
    {"sandbox mounts are kept as they are", test_sandbox_mounts_are_kept_as_they_are},
    {"physical disk mount on SCSI", test_physical_disk_mount_on_scsi},
    {"virtual disk attached twice keeps its first path",
     test_virtual_disk_attached_twice_keeps_its_first_path},
    {"other mount types are left alone", test_other_mount_types_are_left_alone},
    {"mounts need a source and a destination", test_mounts_need_a_source_and_a_destination},
    {"missing bind sources read as Windows says", test_missing_bind_sources_read_as_windows_says},
    {"a failed mount rolls back the mounts before it",
     test_a_failed_mount_rolls_back_the_mounts_before_it},
    {"an empty device list asks no module", test_an_empty_device_list_asks_no_module},
    {"a device of an unsupported type", test_a_device_of_an_unsupported_type},
    {"a GPU is assigned by the devices module", test_a_gpu_is_assigned_by_the_devices_module},
    {"without a devices module", test_without_a_devices_module},
    {NULL, NULL},
};

int main(void)
{
    return test_run_suite("lcow", tests);
}
