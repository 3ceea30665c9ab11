/* Tests of the devices module: assigning a hosted Windows container's devices and kernel
 * drivers, and a Linux container's GPUs, through the module's ops with a build context made
 * here, over the sim host. The command-line quoting is linked in directly. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <hcsoci/hcsoci.h>
#include <hcsoci/plugin.h>
#include <hcsoci/replay.h>
#include <hcsoci/resources.h>
#include <hcsoci/uvm.h>

#include "devices.h"
#include "test_support.h"

#define PROGRAM_DIRECTORY "C:\\Program Files\\hcsoci"
#define DEVICE_UTILITY PROGRAM_DIRECTORY "\\device-util.exe"
#define VSMB_PREFIX "\\\\?\\VMSMB\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\"
#define UTILITY_IN_UVM VSMB_PREFIX "s1\\device-util.exe"
#define VMBUS_PREFIX "VMBUS\\{44c4f61d-4444-4400-9d52-802e27ede19f}\\{"
#define PNPUTIL "cmd /c C:\\Windows\\System32\\pnputil.exe /add-driver "
#define PNPUTIL_TAIL "/*.inf /subdirs /install"
#define GPU_VHD "C:\\data\\gpu\\nvidia.vhd"
#define GPU_ID "PCIP\\VEN_10DE&DEV_1EB8\\3&1"
#define DEVICE_A "PCI\\VEN_8086&DEV_1234\\1"
#define DEVICE_B "PCI\\VEN_8086&DEV_5678\\2"

/* ---- fixture ------------------------------------------------------------------------------- */

typedef test_build_fixture fixture;

/* A world with the device utility, two driver directories, a driver file with a space in its
 * name and the GPU VHD (new reference). */
static json_t *base_world(void)
{
    json_t *world = json_pack(
        "{s:i, s:i, s:i, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "seed", 7, "build",
        20348, "processorCount", 8, "programDir", PROGRAM_DIRECTORY, "files", PROGRAM_DIRECTORY,
        "dir", DEVICE_UTILITY, "file", "C:\\drivers", "dir", "C:\\drivers\\gpu", "dir",
        "C:\\drivers\\net", "dir", "C:\\drivers\\my driver.inf", "file", GPU_VHD, "file");
    CU_ASSERT_PTR_NOT_NULL_FATAL(world);
    return world;
}

/* The first count GUIDs a sim host over world will hand out. */
static void predicted_guids(const json_t *world, char guids[][37], size_t count)
{
    hcsoci_host *probe = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_sim_host_new(world, &probe, NULL), 0);
    for (size_t i = 0; i < count; i++)
        probe->ops->new_guid(probe, guids[i]);
    hcsoci_host_destroy(probe);
}

/* Makes the sim answer command_line in vm_id with output. */
static void add_guest_output(json_t *world, const char *vm_id, const char *command_line,
                             const char *output)
{
    json_t *outputs = json_object_get(world, "guestProcessOutputs");
    if (outputs == NULL) {
        outputs = json_object();
        json_object_set_new(world, "guestProcessOutputs", outputs);
    }
    json_t *commands = json_object_get(outputs, vm_id);
    if (commands == NULL) {
        commands = json_object();
        json_object_set_new(outputs, vm_id, commands);
    }
    json_object_set_new(commands, command_line, json_string(output));
}

/* The device utility's command line for the device assigned under guid. */
static char *utility_command(const char *utility_in_uvm, const char *guid)
{
    char *line = NULL;
    CU_ASSERT_FATAL(asprintf(&line, "%s children --parentID=" VMBUS_PREFIX "%s} --property=location",
                             utility_in_uvm, guid) > 0);
    return line;
}

/* world and spec are stolen; hosting is a hostingSystem object (borrowed) or NULL. */
static void fixture_open(fixture *f, json_t *world, const json_t *hosting, json_t *spec)
{
    test_build_fixture_open(f, HCSOCI_PLUGIN_DEVICES, sizeof(hcsoci_devices_ops), world, hosting,
                            spec);
}

static json_t *hosting(const char *id, const char *os)
{
    json_t *value = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:I}", "id", id, "owner",
                              "uvm-owner", "os", os, "processorCount", 2, "scsiControllerCount",
                              1, "vpmemMaxCount", 0, "vpmemMaxSizeBytes", (json_int_t)0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(value);
    return value;
}

static void fixture_open_windows(fixture *f, json_t *world, json_t *spec)
{
    json_t *uvm = hosting("uvm-wcow-1", "windows");
    fixture_open(f, world, uvm, spec);
    json_decref(uvm);
}

static void fixture_open_linux(fixture *f, json_t *world, json_t *spec)
{
    json_t *uvm = hosting("uvm-lcow-1", "linux");
    fixture_open(f, world, uvm, spec);
    json_decref(uvm);
}

/* A spec whose windows.devices are the (id, idType) pairs, NULL-terminated. */
static json_t *spec_with_devices(const char *first_id, ...)
{
    json_t *devices = json_array();
    va_list arguments;
    va_start(arguments, first_id);
    for (const char *id = first_id; id != NULL; id = va_arg(arguments, const char *)) {
        const char *type = va_arg(arguments, const char *);
        json_array_append_new(devices, json_pack("{s:s, s:s}", "id", id, "idType", type));
    }
    va_end(arguments);
    json_t *spec = json_pack("{s:s, s:{s:[s], s:o}}", "ociVersion", "1.0.2-dev", "windows",
                             "layerFolders", "C:\\layers\\scratch", "devices", devices);
    CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
    return spec;
}

/* ---- journal helpers ---------------------------------------------------------------------- */

/* One line per recorded call: "<RequestType> <ResourcePath>" for a modify request (the guest
 * request's type and resource type when it has no resource path), "run <command line>" for a
 * guest process, else the call name. */
static char *call_summary(const json_t *call)
{
    const char *name = json_string_value(json_object_get(call, "call"));
    const json_t *args = json_object_get(call, "args");
    char *summary = NULL;
    if (strcmp(name, "HcsModifyComputeSystem") == 0) {
        const json_t *request = json_object_get(args, "configuration");
        const char *path = json_string_value(json_object_get(request, "ResourcePath"));
        const char *type = json_string_value(json_object_get(request, "RequestType"));
        if (path == NULL) {
            const json_t *guest = json_object_get(request, "GuestRequest");
            path = json_string_value(json_object_get(guest, "ResourceType"));
            type = json_string_value(json_object_get(guest, "RequestType"));
        }
        CU_ASSERT_FATAL(asprintf(&summary, "%s %s", type, path) > 0);
    } else if (strcmp(name, "RunGuestProcess") == 0) {
        CU_ASSERT_FATAL(asprintf(&summary, "run %s",
                                 json_string_value(json_object_get(args, "commandLine"))) > 0);
    } else {
        summary = strdup(name);
    }
    return summary;
}

/* Checks the journal against the expected summaries (NULL-terminated). */
static void assert_journal(fixture *f, const char *const *expected)
{
    const json_t *journal = hcsoci_sim_host_journal(f->host);
    size_t count = 0;
    while (expected[count] != NULL)
        count++;
    bool same = json_array_size(journal) == count;
    for (size_t i = 0; same && i < count; i++) {
        char *summary = call_summary(json_array_get(journal, i));
        same = strcmp(summary, expected[i]) == 0;
        free(summary);
    }
    if (!same) {
        fprintf(stderr, "\n  journal:\n");
        for (size_t i = 0; i < json_array_size(journal); i++) {
            char *summary = call_summary(json_array_get(journal, i));
            fprintf(stderr, "    %s\n", summary);
            free(summary);
        }
        fprintf(stderr, "  expected:\n");
        for (size_t i = 0; i < count; i++)
            fprintf(stderr, "    %s\n", expected[i]);
    }
    CU_ASSERT_TRUE(same);
}

static void assert_ledger_kinds(fixture *f, const char *const *kinds)
{
    size_t count = 0;
    while (kinds[count] != NULL)
        count++;
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_count(f->resources), count);
    for (size_t i = 0; i < count; i++) {
        const json_t *entry = hcsoci_resources_entry(f->resources, i);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(entry, "kind")), kinds[i]);
    }
}

/* The spec's devices as JSON equal to the ' for " text. */
static void assert_spec_devices(fixture *f, const char *expected_text)
{
    json_t *expected = test_quoted_json(expected_text);
    const json_t *devices = json_object_get(json_object_get(f->spec, "windows"), "devices");
    if (!json_equal(devices, expected)) {
        char *dump = json_dumps(devices, JSON_COMPACT);
        fprintf(stderr, "\n  spec devices: %s\n", dump != NULL ? dump : "(none)");
        free(dump);
    }
    CU_ASSERT_TRUE(json_equal(devices, expected));
    json_decref(expected);
}

/* Releases the whole ledger newest first, as the core does. */
static void release_ledger(fixture *f)
{
    while (hcsoci_resources_count(f->resources) > 0) {
        const json_t *entry =
            hcsoci_resources_entry(f->resources, hcsoci_resources_count(f->resources) - 1);
        CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f->uvm, entry, NULL), 0);
        hcsoci_resources_pop(f->resources);
    }
}

/* Releases the whole ledger and checks that the VM holds nothing any more. */
static void release_all(fixture *f)
{
    release_ledger(f);
    json_t *held = hcsoci_sim_host_held(f->host);
    json_t *modifications = json_object_get(held, "modifications");
    const char *vm;
    json_t *paths;
    json_object_foreach(modifications, vm, paths) {
        CU_ASSERT_EQUAL(json_object_size(paths), 0);
    }
    json_decref(held);
}

/* ---- command lines ------------------------------------------------------------------------ */

static void assert_escaped(const char *argument, const char *expected)
{
    test_assert_new_string("escape", argument, devices_escape_argument(argument), expected);
}

static void test_arguments_are_quoted_like_the_reference(void)
{
    assert_escaped("", "\"\"");
    assert_escaped("children", "children");
    assert_escaped("C:\\a\\b", "C:\\a\\b");
    assert_escaped("a b", "\"a b\"");
    assert_escaped("a\tb", "\"a\tb\"");
    assert_escaped("a\"b", "a\\\"b");
    assert_escaped("a\\\"b", "a\\\\\\\"b");
    assert_escaped("C:\\my dir\\", "\"C:\\my dir\\\\\"");
    assert_escaped("end\\", "end\\");
}

static void test_command_line_joins_with_spaces(void)
{
    const char *arguments[] = {"cmd", "/c", "a b", ""};
    char *line = devices_command_line(arguments, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    CU_ASSERT_STRING_EQUAL(line, "cmd /c \"a b\" \"\"");
    free(line);
    line = devices_command_line(arguments, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    CU_ASSERT_STRING_EQUAL(line, "");
    free(line);
}

/* ---- Windows utility VMs ------------------------------------------------------------------ */

static void test_windows_device_becomes_location_paths(void)
{
    json_t *world = base_world();
    char guids[1][37];
    predicted_guids(world, guids, 1);
    char *command = utility_command(UTILITY_IN_UVM, guids[0]);
    add_guest_output(world, "uvm-wcow-1", command, "PCIROOT(0)#PCI(0100),PCIROOT(0)#PCI(0200)\n");
    fixture f;
    fixture_open_windows(&f, world, spec_with_devices(DEVICE_A, "vpci-instance-id", NULL));

    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    char *vpci = NULL;
    CU_ASSERT_FATAL(asprintf(&vpci, "Add VirtualMachine/Devices/VirtualPci/%s", guids[0]) > 0);
    char *run = NULL;
    CU_ASSERT_FATAL(asprintf(&run, "run %s", command) > 0);
    assert_journal(&f, (const char *const[]){"Add VirtualMachine/Devices/VirtualSmb/Shares", vpci,
                                             run, NULL});
    assert_spec_devices(&f, "[{'id':'PCIROOT(0)#PCI(0100)','idType':'vpci-location-path'},"
                            "{'id':'PCIROOT(0)#PCI(0200)','idType':'vpci-location-path'}]");
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vsmb", "uvm.vpci", NULL});

    /* The utility is shared alone from its directory, read-only; the device has no guest part. */
    const json_t *journal = hcsoci_sim_host_journal(f.host);
    json_t *expected_share = test_json(
        "{\"Name\":\"s1\",\"Path\":\"C:\\\\Program Files\\\\hcsoci\",\"AllowedFiles\":"
        "[\"C:\\\\Program Files\\\\hcsoci\\\\device-util.exe\"],\"Options\":{\"ReadOnly\":true,"
        "\"ShareRead\":true,\"CacheIo\":true,\"RestrictFileAccess\":true,\"PseudoOplocks\":true,"
        "\"SingleFileMapping\":true}}");
    const json_t *share_request =
        json_object_get(json_object_get(json_array_get(journal, 0), "args"), "configuration");
    CU_ASSERT_TRUE(json_equal(json_object_get(share_request, "Settings"), expected_share));
    json_decref(expected_share);
    const json_t *vpci_request =
        json_object_get(json_object_get(json_array_get(journal, 1), "args"), "configuration");
    CU_ASSERT_PTR_NULL(json_object_get(vpci_request, "GuestRequest"));
    json_t *expected_functions = json_pack("{s:[{s:s}]}", "Functions", "DeviceInstancePath",
                                           DEVICE_A);
    CU_ASSERT_TRUE(json_equal(json_object_get(vpci_request, "Settings"), expected_functions));
    json_decref(expected_functions);

    release_all(&f);
    free(vpci);
    free(run);
    free(command);
    test_build_fixture_close(&f);
}

static void test_windows_legacy_type_and_crlf_output(void)
{
    json_t *world = base_world();
    char guids[2][37];
    predicted_guids(world, guids, 2);
    char *first = utility_command(UTILITY_IN_UVM, guids[0]);
    char *second = utility_command(UTILITY_IN_UVM, guids[1]);
    add_guest_output(world, "uvm-wcow-1", first, "PCIROOT(0)#PCI(0100)\r\n");
    add_guest_output(world, "uvm-wcow-1", second, "PCIROOT(0)#PCI(0300)");
    fixture f;
    fixture_open_windows(&f, world,
                         spec_with_devices(DEVICE_A, "vpci", DEVICE_B, "vpci-instance-id", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), 0);
    hcsoci_error_free(error);
    assert_spec_devices(&f, "[{'id':'PCIROOT(0)#PCI(0100)','idType':'vpci-location-path'},"
                            "{'id':'PCIROOT(0)#PCI(0300)','idType':'vpci-location-path'}]");
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vsmb", "uvm.vpci", "uvm.vpci", NULL});
    release_all(&f);
    free(first);
    free(second);
    test_build_fixture_close(&f);
}

static void test_windows_without_devices_does_nothing(void)
{
    fixture f;
    json_t *spec = spec_with_devices(NULL);
    fixture_open_windows(&f, base_world(), spec);
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, NULL), 0);
    assert_journal(&f, (const char *const[]){NULL});
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    json_object_del(json_object_get(f.spec, "windows"), "devices");
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, NULL), 0);
    assert_journal(&f, (const char *const[]){NULL});
    test_build_fixture_close(&f);
}

/* D3: the utility's share is released when a device cannot be assigned. */
static void test_windows_unsupported_type_releases_the_utility_share(void)
{
    fixture f;
    fixture_open_windows(&f, base_world(),
                         spec_with_devices("5B45201D-F2F2-4F3B-85BB-30FF1F953599", "class", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error,
        "device type class for device 5B45201D-F2F2-4F3B-85BB-30FF1F953599 is "
        "not supported in windows");
    assert_journal(&f, (const char *const[]){"Add VirtualMachine/Devices/VirtualSmb/Shares",
                                             "Remove VirtualMachine/Devices/VirtualSmb/Shares",
                                             NULL});
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    assert_spec_devices(&f, "[{'id':'5B45201D-F2F2-4F3B-85BB-30FF1F953599','idType':'class'}]");
    test_build_fixture_close(&f);
}

/* What was there before the op stays in the ledger; what it added goes, newest first. */
static void test_windows_second_device_failure_releases_in_reverse(void)
{
    json_t *world = base_world();
    char guids[1][37];
    predicted_guids(world, guids, 1);
    char *command = utility_command(UTILITY_IN_UVM, guids[0]);
    add_guest_output(world, "uvm-wcow-1", command, "PCIROOT(0)#PCI(0100)\n");
    fixture f;
    fixture_open_windows(&f, world,
                         spec_with_devices(DEVICE_A, "vpci-instance-id", "x", "gpu", NULL));
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_add(f.resources, "test.earlier", NULL, NULL), 0);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "device type gpu for device x is not supported in windows");
    char *vpci_add = NULL;
    char *vpci_remove = NULL;
    char *run = NULL;
    CU_ASSERT_FATAL(asprintf(&vpci_add, "Add VirtualMachine/Devices/VirtualPci/%s", guids[0]) > 0);
    CU_ASSERT_FATAL(asprintf(&vpci_remove, "Remove VirtualMachine/Devices/VirtualPci/%s",
                             guids[0]) > 0);
    CU_ASSERT_FATAL(asprintf(&run, "run %s", command) > 0);
    assert_journal(&f, (const char *const[]){"Add VirtualMachine/Devices/VirtualSmb/Shares",
                                             vpci_add, run, vpci_remove,
                                             "Remove VirtualMachine/Devices/VirtualSmb/Shares",
                                             NULL});
    assert_ledger_kinds(&f, (const char *const[]){"test.earlier", NULL});
    free(vpci_add);
    free(vpci_remove);
    free(run);
    free(command);
    test_build_fixture_close(&f);
}

static void test_windows_missing_device_utility(void)
{
    json_t *world = base_world();
    json_object_del(json_object_get(world, "files"), DEVICE_UTILITY);
    fixture f;
    fixture_open_windows(&f, world, spec_with_devices(DEVICE_A, "vpci-instance-id", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "failed to add VSMB share to utility VM for path " DEVICE_UTILITY
                         ": CreateFile " DEVICE_UTILITY
                         ": The system cannot find the file specified.");
    assert_journal(&f, (const char *const[]){NULL});
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    test_build_fixture_close(&f);
}

static void test_windows_program_directory_with_trailing_separator(void)
{
    json_t *world = base_world();
    json_object_set_new(world, "programDir", json_string(PROGRAM_DIRECTORY "\\"));
    fixture f;
    fixture_open_windows(&f, world, spec_with_devices("a", "class", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "device type class for device a is not supported in windows");
    const json_t *journal = hcsoci_sim_host_journal(f.host);
    const json_t *settings = json_object_get(
        json_object_get(json_object_get(json_array_get(journal, 0), "args"), "configuration"),
        "Settings");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(settings,
                                                                            "AllowedFiles"),
                                                            0)),
                           DEVICE_UTILITY);
    test_build_fixture_close(&f);
}

static void test_windows_failed_assignment(void)
{
    json_t *world = base_world();
    test_fail_call(world, "HcsModifyComputeSystem", 2, NULL);
    fixture f;
    fixture_open_windows(&f, world, spec_with_devices(DEVICE_A, "vpci-instance-id", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x80070005);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to assign device " DEVICE_A
                                      " of type vpci-instance-id to pod uvm-wcow-1: ");
    const json_t *journal = hcsoci_sim_host_journal(f.host);
    CU_ASSERT_EQUAL_FATAL(json_array_size(journal), 3);
    char *last = call_summary(json_array_get(journal, 2));
    CU_ASSERT_STRING_EQUAL(last, "Remove VirtualMachine/Devices/VirtualSmb/Shares");
    free(last);
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    test_build_fixture_close(&f);
}

static void test_windows_device_utility_cannot_run(void)
{
    json_t *world = base_world();
    test_fail_call(world, "RunGuestProcess", 1, "0x80070002");
    char guids[1][37];
    predicted_guids(world, guids, 1);
    fixture f;
    fixture_open_windows(&f, world, spec_with_devices(DEVICE_A, "vpci-instance-id", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x80070002);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to find devices with exit code -1: ");
    char *command = utility_command(UTILITY_IN_UVM, guids[0]);
    char *run = NULL;
    char *vpci_add = NULL;
    char *vpci_remove = NULL;
    CU_ASSERT_FATAL(asprintf(&run, "run %s", command) > 0);
    CU_ASSERT_FATAL(asprintf(&vpci_add, "Add VirtualMachine/Devices/VirtualPci/%s", guids[0]) > 0);
    CU_ASSERT_FATAL(asprintf(&vpci_remove, "Remove VirtualMachine/Devices/VirtualPci/%s",
                             guids[0]) > 0);
    assert_journal(&f, (const char *const[]){"Add VirtualMachine/Devices/VirtualSmb/Shares",
                                             vpci_add, run, vpci_remove,
                                             "Remove VirtualMachine/Devices/VirtualSmb/Shares",
                                             NULL});
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    free(command);
    free(run);
    free(vpci_add);
    free(vpci_remove);
    test_build_fixture_close(&f);
}

static void test_windows_device_utility_prints_nothing(void)
{
    json_t *world = base_world();
    char guids[1][37];
    predicted_guids(world, guids, 1);
    char *command = utility_command(UTILITY_IN_UVM, guids[0]);
    add_guest_output(world, "uvm-wcow-1", command, "\n");
    fixture f;
    fixture_open_windows(&f, world, spec_with_devices(DEVICE_A, "vpci-instance-id", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "printed no location path for device " DEVICE_A);
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(f.host)), 5);
    free(command);
    test_build_fixture_close(&f);
}

/* Windows devices with kernel drivers: world with outputs for one device and the drivers. */
static json_t *driver_world(char guid[37], const char *const *driver_commands)
{
    json_t *world = base_world();
    char guids[1][37];
    predicted_guids(world, guids, 1);
    memcpy(guid, guids[0], 37);
    char *command = utility_command(UTILITY_IN_UVM, guid);
    add_guest_output(world, "uvm-wcow-1", command, "PCIROOT(0)#PCI(0100)\n");
    free(command);
    for (const char *const *line = driver_commands; line != NULL && *line != NULL; line++)
        add_guest_output(world, "uvm-wcow-1", *line, "Driver package added successfully.\n");
    return world;
}

static void test_windows_drivers_are_installed_after_the_devices(void)
{
    const char *const driver_commands[] = {PNPUTIL VSMB_PREFIX "s2" PNPUTIL_TAIL,
                                           PNPUTIL VSMB_PREFIX "s3" PNPUTIL_TAIL, NULL};
    char guid[37];
    json_t *world = driver_world(guid, driver_commands);
    json_t *spec = spec_with_devices(DEVICE_A, "vpci-instance-id", NULL);
    test_set_annotation(spec, "io.microsoft.assigneddevice.kerneldrivers",
                        "C:\\drivers\\gpu,C:\\drivers\\net");
    fixture f;
    fixture_open_windows(&f, world, spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), 0);
    hcsoci_error_free(error);
    char *vpci = NULL;
    char *run = NULL;
    char *command = utility_command(UTILITY_IN_UVM, guid);
    CU_ASSERT_FATAL(asprintf(&vpci, "Add VirtualMachine/Devices/VirtualPci/%s", guid) > 0);
    CU_ASSERT_FATAL(asprintf(&run, "run %s", command) > 0);
    assert_journal(&f, (const char *const[]){"Add VirtualMachine/Devices/VirtualSmb/Shares", vpci,
                                             run, "Add VirtualMachine/Devices/VirtualSmb/Shares",
                                             "run " PNPUTIL VSMB_PREFIX "s2" PNPUTIL_TAIL,
                                             "Add VirtualMachine/Devices/VirtualSmb/Shares",
                                             "run " PNPUTIL VSMB_PREFIX "s3" PNPUTIL_TAIL, NULL});
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vsmb", "uvm.vpci", "uvm.vsmb", "uvm.vsmb",
                                                  NULL});
    /* A driver directory is shared whole and read-only. */
    const json_t *journal = hcsoci_sim_host_journal(f.host);
    json_t *expected = test_json("{\"Name\":\"s2\",\"Path\":\"C:\\\\drivers\\\\gpu\",\"Options\":{"
                                 "\"ReadOnly\":true,\"ShareRead\":true,\"CacheIo\":true,"
                                 "\"PseudoOplocks\":true}}");
    CU_ASSERT_TRUE(json_equal(
        json_object_get(json_object_get(json_object_get(json_array_get(journal, 3), "args"),
                                        "configuration"),
                        "Settings"),
        expected));
    json_decref(expected);
    release_all(&f);
    free(vpci);
    free(run);
    free(command);
    test_build_fixture_close(&f);
}

static void test_windows_missing_driver_path_releases_everything(void)
{
    char guid[37];
    json_t *world = driver_world(guid, NULL);
    json_t *spec = spec_with_devices(DEVICE_A, "vpci-instance-id", NULL);
    test_set_annotation(spec, "io.microsoft.assigneddevice.kerneldrivers",
                        "C:\\drivers\\gpu,C:\\drivers\\missing");
    fixture f;
    fixture_open_windows(&f, world, spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error,
        "failed to find path to drivers at C:\\drivers\\missing: CreateFile "
        "C:\\drivers\\missing: The system cannot find the file specified.");
    /* The paths are all checked before any driver is shared. */
    const json_t *journal = hcsoci_sim_host_journal(f.host);
    CU_ASSERT_EQUAL_FATAL(json_array_size(journal), 5);
    char *fourth = call_summary(json_array_get(journal, 3));
    CU_ASSERT_PTR_NOT_NULL(strstr(fourth, "Remove VirtualMachine/Devices/VirtualPci/"));
    free(fourth);
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    test_build_fixture_close(&f);
}

static void test_windows_empty_driver_entry_is_an_error(void)
{
    char guid[37];
    json_t *world = driver_world(guid, NULL);
    json_t *spec = spec_with_devices(DEVICE_A, "vpci-instance-id", NULL);
    test_set_annotation(spec, "io.microsoft.assigneddevice.kerneldrivers", "C:\\drivers\\gpu,");
    fixture f;
    fixture_open_windows(&f, world, spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to find path to drivers at : CreateFile : ");
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    test_build_fixture_close(&f);
}

static void test_windows_failed_driver_install_releases_everything(void)
{
    char guid[37];
    json_t *world = driver_world(guid, NULL);
    test_fail_call(world, "RunGuestProcess", 2, NULL);
    json_t *spec = spec_with_devices(DEVICE_A, "vpci-instance-id", NULL);
    test_set_annotation(spec, "io.microsoft.assigneddevice.kerneldrivers", "C:\\drivers\\gpu");
    fixture f;
    fixture_open_windows(&f, world, spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to install driver " VSMB_PREFIX
                                      "s2 in uvm with exit code -1: ");
    char *vpci_remove = NULL;
    CU_ASSERT_FATAL(asprintf(&vpci_remove, "Remove VirtualMachine/Devices/VirtualPci/%s", guid) >
                    0);
    const json_t *journal = hcsoci_sim_host_journal(f.host);
    CU_ASSERT_EQUAL_FATAL(json_array_size(journal), 8);
    const char *const tail[] = {"Remove VirtualMachine/Devices/VirtualSmb/Shares", vpci_remove,
                                "Remove VirtualMachine/Devices/VirtualSmb/Shares"};
    for (size_t i = 0; i < 3; i++) {
        char *summary = call_summary(json_array_get(journal, 5 + i));
        CU_ASSERT_STRING_EQUAL(summary, tail[i]);
        free(summary);
    }
    /* The driver's share goes first (s2), the utility's last (s1). */
    const json_t *first_removed = json_object_get(
        json_object_get(json_object_get(json_array_get(journal, 5), "args"), "configuration"),
        "Settings");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(first_removed, "Name")), "s2");
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    free(vpci_remove);
    test_build_fixture_close(&f);
}

static void test_windows_driver_not_ranked_higher_is_accepted(void)
{
    char guid[37];
    json_t *world = driver_world(guid, NULL);
    test_fail_call(world, "RunGuestProcess", 2, "0x80070103");
    json_t *spec = spec_with_devices(DEVICE_A, "vpci-instance-id", NULL);
    test_set_annotation(spec, "io.microsoft.assigneddevice.kerneldrivers", "C:\\drivers\\gpu");
    fixture f;
    fixture_open_windows(&f, world, spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    hcsoci_error_free(error);
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vsmb", "uvm.vpci", "uvm.vsmb", NULL});
    release_all(&f);
    test_build_fixture_close(&f);
}

static void test_windows_driver_file_with_space_is_quoted(void)
{
    const char *const driver_commands[] = {
        PNPUTIL "\"" VSMB_PREFIX "s2\\my driver.inf/*.inf\" /subdirs /install", NULL};
    char guid[37];
    json_t *world = driver_world(guid, driver_commands);
    json_t *spec = spec_with_devices(DEVICE_A, "vpci-instance-id", NULL);
    test_set_annotation(spec, "io.microsoft.assigneddevice.kerneldrivers",
                        "C:\\drivers\\my driver.inf");
    fixture f;
    fixture_open_windows(&f, world, spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), 0);
    if (error != NULL)
        fprintf(stderr, "\n  error: %s\n", error->message);
    hcsoci_error_free(error);
    release_all(&f);
    test_build_fixture_close(&f);
}

static void test_windows_refuses_bad_input(void)
{
    fixture f;
    /* No hosting system. */
    fixture_open(&f, base_world(), NULL, spec_with_devices(DEVICE_A, "vpci", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "no hosting system");
    test_build_fixture_close(&f);

    /* A Linux utility VM. */
    fixture_open_linux(&f, base_world(), spec_with_devices(DEVICE_A, "vpci", NULL));
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "only be assigned to a Windows utility VM");
    test_build_fixture_close(&f);

    /* Wrong JSON types name the field, before anything is shared. */
    fixture_open_windows(&f, base_world(), spec_with_devices(DEVICE_A, "vpci", NULL));
    json_t *device = json_array_get(json_object_get(json_object_get(f.spec, "windows"),
                                                    "devices"),
                                    0);
    json_object_set_new(device, "id", json_integer(5));
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error,
        "invalid field 'windows.devices[0].id': must be a string, not an integer");
    json_object_set_new(device, "id", json_string(DEVICE_A));
    json_object_set_new(device, "idType", json_true());
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error,
        "invalid field 'windows.devices[0].idType': must be a string, not a boolean");
    json_object_set_new(json_object_get(f.spec, "windows"), "devices", json_string("x"));
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "windows.devices");
    json_object_set_new(json_object_get(f.spec, "windows"), "devices", json_pack("[i]", 1));
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "windows.devices");
    assert_journal(&f, (const char *const[]){NULL});

    /* A device without an id: the utility's share is released again. */
    json_object_set_new(json_object_get(f.spec, "windows"), "devices",
                        json_pack("[{s:s}]", "idType", "vpci-instance-id"));
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "invalid field 'windows.devices[0].id': a device instance id is "
                         "required for type vpci-instance-id");
    assert_journal(&f, (const char *const[]){"Add VirtualMachine/Devices/VirtualSmb/Shares",
                                             "Remove VirtualMachine/Devices/VirtualSmb/Shares",
                                             NULL});
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    test_build_fixture_close(&f);
}

static void test_null_context_and_non_object_spec_are_refused(void)
{
    fixture f;
    fixture_open_windows(&f, base_world(), json_string("not a spec"));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(NULL, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "assigning devices needs a build context");
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(NULL, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "assigning devices needs a build context");
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "invalid OCI spec: must be an object, not a string");
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "invalid OCI spec: must be an object, not a string");
    f.context.host = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, NULL), -1);
    assert_journal(&f, (const char *const[]){NULL});
    test_build_fixture_close(&f);
}

/* ---- Linux utility VMs -------------------------------------------------------------------- */

static void test_linux_gpu_is_assigned_and_vhd_attached(void)
{
    json_t *world = base_world();
    char guids[1][37];
    predicted_guids(world, guids, 1);
    json_t *spec = spec_with_devices(GPU_ID, "gpu", NULL);
    test_set_annotation(spec, "io.microsoft.lcow.gpuvhdpath", GPU_VHD);
    fixture f;
    fixture_open_linux(&f, world, spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    hcsoci_error_free(error);
    char *vpci = NULL;
    CU_ASSERT_FATAL(asprintf(&vpci, "Add VirtualMachine/Devices/VirtualPci/%s", guids[0]) > 0);
    assert_journal(&f, (const char *const[]){vpci, "Add VirtualMachine/Devices/Scsi/0/Attachments/0",
                                             NULL});
    char expected_devices[128];
    snprintf(expected_devices, sizeof expected_devices, "[{'id':'%s','idType':'gpu'}]", guids[0]);
    assert_spec_devices(&f, expected_devices);
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vpci", "uvm.scsi", NULL});
    const json_t *journal = hcsoci_sim_host_journal(f.host);
    json_t *expected_vpci = json_pack(
        "{s:s, s:s, s:{s:[{s:s}]}, s:{s:s, s:s, s:{s:s}}}", "ResourcePath", vpci + 4,
        "RequestType", "Add", "Settings", "Functions", "DeviceInstancePath", GPU_ID,
        "GuestRequest", "RequestType", "Add", "ResourceType", "VPCIDevice", "Settings",
        "VMBusGUID", guids[0]);
    CU_ASSERT_TRUE(json_equal(
        json_object_get(json_object_get(json_array_get(journal, 0), "args"), "configuration"),
        expected_vpci));
    json_decref(expected_vpci);
    json_t *expected_vhd = test_json(
        "{\"ResourcePath\":\"VirtualMachine/Devices/Scsi/0/Attachments/0\",\"RequestType\":"
        "\"Add\",\"Settings\":{\"Type\":\"VirtualDisk\",\"Path\":\"C:\\\\data\\\\gpu\\\\nvidia.vhd\","
        "\"ReadOnly\":true},\"GuestRequest\":{\"RequestType\":\"Add\",\"ResourceType\":"
        "\"MappedVirtualDisk\",\"Settings\":{\"MountPath\":\"/run/nvidia\","
        "\"ReadOnly\":true}}}");
    CU_ASSERT_TRUE(json_equal(
        json_object_get(json_object_get(json_array_get(journal, 1), "args"), "configuration"),
        expected_vhd));
    json_decref(expected_vhd);
    release_all(&f);
    free(vpci);
    test_build_fixture_close(&f);
}

static void test_linux_two_gpus_share_one_vhd(void)
{
    json_t *spec = spec_with_devices(GPU_ID, "gpu", "PCIP\\VEN_10DE&DEV_1EB8\\4&2", "gpu", NULL);
    test_set_annotation(spec, "io.microsoft.lcow.gpuvhdpath", GPU_VHD);
    fixture f;
    fixture_open_linux(&f, base_world(), spec);
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, NULL), 0);
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vpci", "uvm.vpci", "uvm.scsi", NULL});
    const json_t *devices = json_object_get(json_object_get(f.spec, "windows"), "devices");
    const char *first = json_string_value(json_object_get(json_array_get(devices, 0), "id"));
    const char *second = json_string_value(json_object_get(json_array_get(devices, 1), "id"));
    CU_ASSERT_EQUAL(strlen(first), 36);
    CU_ASSERT_EQUAL(strlen(second), 36);
    CU_ASSERT_STRING_NOT_EQUAL(first, second);
    release_all(&f);
    test_build_fixture_close(&f);
}

static void test_linux_unsupported_type_keeps_what_was_added(void)
{
    json_t *spec = spec_with_devices(GPU_ID, "gpu", "abc", "class", NULL);
    test_set_annotation(spec, "io.microsoft.lcow.gpuvhdpath", GPU_VHD);
    fixture f;
    fixture_open_linux(&f, base_world(), spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "specified device abc has unsupported type class");
    /* The builder's caller releases the ledger, as the reference's caller does. */
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vpci", NULL});
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(f.host)), 1);
    release_all(&f);
    test_build_fixture_close(&f);
}

static void test_linux_vhd_annotation_is_required(void)
{
    fixture f;
    fixture_open_linux(&f, base_world(), spec_with_devices(GPU_ID, "gpu", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "failed to add gpu vhd to uvm-lcow-1: no gpu vhd specified "
                         "(annotation io.microsoft.lcow.gpuvhdpath)");
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vpci", NULL});
    release_all(&f);
    test_build_fixture_close(&f);
}

static void test_linux_vhd_must_exist(void)
{
    json_t *spec = spec_with_devices(GPU_ID, "gpu", NULL);
    test_set_annotation(spec, "io.microsoft.lcow.gpuvhdpath", "C:\\data\\gpu\\missing.vhd");
    fixture f;
    fixture_open_linux(&f, base_world(), spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), -1);
    /* C:\data\gpu is not a directory in this world: Windows then says "path". */
    TEST_ASSERT_ERROR_IS(error,
        "failed to add gpu vhd to uvm-lcow-1: failed to find gpu support vhd "
        "C:\\data\\gpu\\missing.vhd: CreateFile C:\\data\\gpu\\missing.vhd: The "
        "system cannot find the path specified.");
    release_all(&f);
    test_build_fixture_close(&f);
}

static void test_linux_failed_assignment(void)
{
    json_t *world = base_world();
    test_fail_call(world, "HcsModifyComputeSystem", 1, NULL);
    json_t *spec = spec_with_devices(GPU_ID, "gpu", NULL);
    test_set_annotation(spec, "io.microsoft.lcow.gpuvhdpath", GPU_VHD);
    fixture f;
    fixture_open_linux(&f, world, spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to assign gpu device " GPU_ID
                                      " to pod uvm-lcow-1: ");
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    assert_spec_devices(&f, "[{'id':'PCIP\\\\VEN_10DE&DEV_1EB8\\\\3&1','idType':'gpu'}]");
    test_build_fixture_close(&f);
}

static void test_linux_failed_vhd_attachment(void)
{
    json_t *world = base_world();
    test_fail_call(world, "HcsModifyComputeSystem", 2, NULL);
    json_t *spec = spec_with_devices(GPU_ID, "gpu", NULL);
    test_set_annotation(spec, "io.microsoft.lcow.gpuvhdpath", GPU_VHD);
    fixture f;
    fixture_open_linux(&f, world, spec);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to add scsi device " GPU_VHD
                                      " in the UVM uvm-lcow-1 at /run/nvidia: ");
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vpci", NULL});
    release_all(&f);
    test_build_fixture_close(&f);
}

static void test_linux_refuses_bad_input(void)
{
    fixture f;
    fixture_open_windows(&f, base_world(), spec_with_devices(GPU_ID, "gpu", NULL));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "only be assigned to a Linux utility VM");
    test_build_fixture_close(&f);

    fixture_open_linux(&f, base_world(), spec_with_devices("", "gpu", NULL));
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "invalid field 'windows.devices[0].id': a device instance id is "
                         "required for type gpu");
    json_object_set_new(f.spec, "windows", json_integer(1));
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "invalid field 'windows': must be an object, not an integer");
    /* No windows section, or no devices: nothing to do. */
    json_object_del(f.spec, "windows");
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, NULL), 0);
    assert_journal(&f, (const char *const[]){NULL});
    assert_ledger_kinds(&f, (const char *const[]){NULL});
    test_build_fixture_close(&f);
}

/* ---- the corpus cases' device parts ------------------------------------------------------- */

/* The journal with guid renamed to the corpus's placeholder (new reference). */
static json_t *journal_with_placeholder(fixture *f, const char *guid)
{
    char *text = json_dumps(hcsoci_sim_host_journal(f->host), JSON_COMPACT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (char *found = guid != NULL ? strstr(text, guid) : NULL; found != NULL;
         found = strstr(found, guid))
        memcpy(found, "ffffffff-0000-4000-8000-000000000001", 36);
    json_t *journal = test_json(text);
    free(text);
    return journal;
}

static json_t *expected_slice(const json_t *calls, size_t first, size_t count)
{
    json_t *slice = json_array();
    for (size_t i = first; i < first + count; i++)
        json_array_append(slice, json_array_get(calls, i));
    return slice;
}

static void assert_same_calls(const json_t *got, const json_t *expected)
{
    if (!json_equal(got, expected)) {
        char *got_text = json_dumps(got, JSON_INDENT(1));
        char *expected_text = json_dumps(expected, JSON_INDENT(1));
        fprintf(stderr, "\n  got: %s\n  expected: %s\n", got_text, expected_text);
        free(got_text);
        free(expected_text);
    }
    CU_ASSERT_TRUE(json_equal(got, expected));
}

/* Case 059 (D3): the utility's share is s2 after the base layer's s1, and is removed again. */
static void test_case_059_device_calls(void)
{
    json_t *document = test_load_json("tests/conformance/cases/059-xenon-v2-assigned-devices-"
                                      "unsupported.json");
    json_t *expected = test_load_json("tests/conformance/expected/059-xenon-v2-assigned-devices-"
                                      "unsupported.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(document);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    fixture f;
    fixture_open(&f, json_incref(json_object_get(document, "host")),
                 json_object_get(document, "hostingSystem"),
                 json_deep_copy(json_object_get(document, "spec")));
    hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(f.uvm, true);
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_add_vsmb(f.uvm,
                                              "C:\\ProgramData\\docker\\windowsfilter\\"
                                              "b0c1a2e3f4base",
                                              &options, f.resources, NULL),
                          0);
    hcsoci_sim_host_journal_clear(f.host);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_windows_devices(&f.context, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_STRING_EQUAL(error->message,
                           json_string_value(json_object_get(expected, "error")));
    hcsoci_error_free(error);
    json_t *got = journal_with_placeholder(&f, NULL);
    json_t *wanted = expected_slice(json_object_get(expected, "calls"), 5, 2);
    assert_same_calls(got, wanted);
    assert_ledger_kinds(&f, (const char *const[]){"uvm.vsmb", NULL});
    json_decref(got);
    json_decref(wanted);
    test_build_fixture_close(&f);
    json_decref(document);
    json_decref(expected);
}

/* Case 079: the GPU after the scratch disk (LUN 0), and its release. */
static void test_case_079_device_calls(void)
{
    json_t *document = test_load_json("tests/conformance/cases/079-lcow-gpu-device.json");
    json_t *expected = test_load_json("tests/conformance/expected/079-lcow-gpu-device.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(document);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    fixture f;
    fixture_open(&f, json_incref(json_object_get(document, "host")),
                 json_object_get(document, "hostingSystem"),
                 json_deep_copy(json_object_get(document, "spec")));
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_add_scsi(f.uvm,
                                              "C:\\ProgramData\\docker\\lcow\\scratch\\"
                                              "sandbox.vhdx",
                                              "/run/gcs/c/c-lcow-gpu", false,
                                              HCSOCI_VM_ACCESS_INDIVIDUAL, NULL, NULL, NULL),
                          0);
    hcsoci_sim_host_journal_clear(f.host);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.devices->assign_linux_devices(&f.context, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    hcsoci_error_free(error);
    const json_t *device = json_array_get(
        json_object_get(json_object_get(f.spec, "windows"), "devices"), 0);
    char *guid = strdup(json_string_value(json_object_get(device, "id")));
    CU_ASSERT_PTR_NOT_NULL_FATAL(guid);
    CU_ASSERT_EQUAL(strlen(guid), 36);
    json_t *got = journal_with_placeholder(&f, guid);
    json_t *wanted = expected_slice(json_object_get(expected, "calls"), 4, 2);
    assert_same_calls(got, wanted);
    json_decref(got);
    json_decref(wanted);

    hcsoci_sim_host_journal_clear(f.host);
    release_ledger(&f);
    got = journal_with_placeholder(&f, guid);
    wanted = expected_slice(json_object_get(expected, "releaseCalls"), 0, 2);
    assert_same_calls(got, wanted);
    json_decref(got);
    json_decref(wanted);
    free(guid);
    test_build_fixture_close(&f);
    json_decref(document);
    json_decref(expected);
}

/* A whole create and release through the core and the WCOW builder: case 059 with a device
 * that can be assigned. The container sees the device by its location path. */
static void test_hosted_create_with_a_device(void)
{
    json_t *document = test_load_json("tests/conformance/cases/059-xenon-v2-assigned-devices-"
                                      "unsupported.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(document);
    json_t *device = json_array_get(
        json_object_get(json_object_get(json_object_get(document, "spec"), "windows"),
                        "devices"),
        0);
    json_object_set_new(device, "id", json_string(DEVICE_A));
    json_object_set_new(device, "idType", json_string("vpci-instance-id"));
    json_t *world = json_object_get(document, "host");
    char guids[1][37];
    predicted_guids(world, guids, 1);
    char *command = utility_command(VSMB_PREFIX "s2\\device-util.exe", guids[0]);
    add_guest_output(world, "uvm-wcow-1", command, "PCIROOT(0)#PCI(0100)\n");

    hcsoci_runtime_options options = {
        .plugin_directories = test_builtin_plugin_directories(),
        .skip_environment = true,
        .skip_installed_directory = true,
        .program_name = "hcsoci",
    };
    json_t *trace = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_replay_case(document, &options, &trace, &error), 0);
    CU_ASSERT_TRUE(json_is_null(json_object_get(trace, "error")));
    if (!json_is_null(json_object_get(trace, "error")))
        fprintf(stderr, "\n  create failed: %s\n",
                json_string_value(json_object_get(trace, "error")));

    /* The device calls come after the layers were combined; the document's layer lookup and
     * the create follow them. */
    const json_t *calls = json_object_get(trace, "calls");
    size_t count = json_array_size(calls);
    CU_ASSERT_FATAL(count >= 5);
    char *vpci_add = NULL;
    char *vpci_remove = NULL;
    char *run = NULL;
    CU_ASSERT_FATAL(asprintf(&vpci_add, "Add VirtualMachine/Devices/VirtualPci/%s", guids[0]) > 0);
    CU_ASSERT_FATAL(asprintf(&vpci_remove, "Remove VirtualMachine/Devices/VirtualPci/%s",
                             guids[0]) > 0);
    CU_ASSERT_FATAL(asprintf(&run, "run %s", command) > 0);
    const char *const tail[] = {"Add VirtualMachine/Devices/VirtualSmb/Shares", vpci_add, run,
                                "NameToGuid", "HcsCreateComputeSystem"};
    for (size_t i = 0; i < 5; i++) {
        char *summary = call_summary(json_array_get(calls, count - 5 + i));
        if (strcmp(summary, tail[i]) != 0)
            fprintf(stderr, "\n  call %zu: %s\n  expected: %s\n", count - 5 + i, summary,
                    tail[i]);
        CU_ASSERT_STRING_EQUAL(summary, tail[i]);
        free(summary);
    }
    const json_t *hosted = json_object_get(
        json_object_get(json_object_get(json_array_get(calls, count - 1), "args"),
                        "configuration"),
        "HostedSystem");
    json_t *expected_devices =
        test_json("[{\"Type\":\"DeviceInstance\",\"LocationPath\":\"PCIROOT(0)#PCI(0100)\"}]");
    CU_ASSERT_TRUE(json_equal(
        json_object_get(json_object_get(hosted, "Container"), "AssignedDevices"),
        expected_devices));
    json_decref(expected_devices);

    /* Released newest first: the device, then the utility's share, then the layers. */
    const json_t *release = json_object_get(trace, "releaseCalls");
    CU_ASSERT_FATAL(json_array_size(release) >= 2);
    char *first = call_summary(json_array_get(release, 0));
    char *second = call_summary(json_array_get(release, 1));
    CU_ASSERT_STRING_EQUAL(first, vpci_remove);
    CU_ASSERT_STRING_EQUAL(second, "Remove VirtualMachine/Devices/VirtualSmb/Shares");
    free(first);
    free(second);
    CU_ASSERT_TRUE(json_is_null(json_object_get(trace, "releaseError")));

    free(vpci_add);
    free(vpci_remove);
    free(run);
    free(command);
    json_decref(trace);
    json_decref(document);
}

static void test_module_describes_itself(void)
{
    hcsoci_host *host = test_sim_host("{}");
    hcsoci_runtime *runtime = test_runtime(host);
    const hcsoci_plugin_descriptor *devices = test_builtin_module("devices");
    CU_ASSERT_STRING_EQUAL(devices->name, "devices");
    CU_ASSERT_PTR_NULL(devices->match);
    CU_ASSERT_PTR_NULL(strstr(devices->description, "not supported"));
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

int main(void)
{
    static const test_entry tests[] = {
        {"arguments are quoted like the reference", test_arguments_are_quoted_like_the_reference},
        {"a command line joins the quoted arguments", test_command_line_joins_with_spaces},
        {"windows: a device becomes its location paths", test_windows_device_becomes_location_paths},
        {"windows: legacy vpci type, CRLF output", test_windows_legacy_type_and_crlf_output},
        {"windows: no devices, nothing done", test_windows_without_devices_does_nothing},
        {"windows D3: unsupported type releases the utility share",
         test_windows_unsupported_type_releases_the_utility_share},
        {"windows: a failure releases what was added, newest first",
         test_windows_second_device_failure_releases_in_reverse},
        {"windows: missing device utility", test_windows_missing_device_utility},
        {"windows: program directory with a trailing separator",
         test_windows_program_directory_with_trailing_separator},
        {"windows: failed assignment", test_windows_failed_assignment},
        {"windows: the device utility cannot run", test_windows_device_utility_cannot_run},
        {"windows: the device utility prints nothing",
         test_windows_device_utility_prints_nothing},
        {"windows: drivers installed after the devices",
         test_windows_drivers_are_installed_after_the_devices},
        {"windows: a missing driver path releases everything",
         test_windows_missing_driver_path_releases_everything},
        {"windows: an empty driver entry is an error", test_windows_empty_driver_entry_is_an_error},
        {"windows: a failed driver install releases everything",
         test_windows_failed_driver_install_releases_everything},
        {"windows: a driver not ranked higher is accepted",
         test_windows_driver_not_ranked_higher_is_accepted},
        {"windows: a driver path with a space is quoted",
         test_windows_driver_file_with_space_is_quoted},
        {"windows: bad input is refused", test_windows_refuses_bad_input},
        {"a NULL context and a non-object spec are refused",
         test_null_context_and_non_object_spec_are_refused},
        {"linux: a GPU is assigned and the VHD attached",
         test_linux_gpu_is_assigned_and_vhd_attached},
        {"linux: two GPUs share one VHD", test_linux_two_gpus_share_one_vhd},
        {"linux: unsupported type keeps what was added",
         test_linux_unsupported_type_keeps_what_was_added},
        {"linux: the VHD annotation is required", test_linux_vhd_annotation_is_required},
        {"linux: the VHD must exist", test_linux_vhd_must_exist},
        {"linux: failed assignment", test_linux_failed_assignment},
        {"linux: failed VHD attachment", test_linux_failed_vhd_attachment},
        {"linux: bad input is refused", test_linux_refuses_bad_input},
        {"case 059: the device calls", test_case_059_device_calls},
        {"case 079: the device calls and their release", test_case_079_device_calls},
        {"a hosted create with a device, end to end", test_hosted_create_with_a_device},
        {"the module describes itself", test_module_describes_itself},
        {NULL, NULL},
    };
    return test_run_suite("devices", tests);
}
