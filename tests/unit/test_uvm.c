/* The utility VM model, one resource type at a time: names, reference counts, limits, the
 * exact requests (checked against the corpus's expected traces), rollback, the modify
 * semantics, ledger entries, saving and loading, and concurrent use. */
#include "test_support.h"

#include <hcsoci/resources.h>
#include <hcsoci/uvm.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ids for GUID-typed fields of the requests (every request is checked against the schema). */
#define TEST_NAMESPACE_ID "9b8a7c6d-0000-4000-8000-0000000000a1"
#define TEST_ENDPOINT_ID "5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1"
#define TEST_SERVICE_ID "1b2c3d4e-0000-0000-0000-0000000000cc"

/* ---- fixtures ---- */

typedef struct fixture {
    json_t *case_document;
    json_t *expected;
    hcsoci_host *host;
    hcsoci_uvm *uvm;
} fixture;

/* A sim host and a UVM from a corpus case (its host part without failCall, or world when not
 * NULL), and the case's expected trace. */
static void fixture_open(fixture *f, const char *case_name, const char *world)
{
    char path[256];
    memset(f, 0, sizeof *f);
    snprintf(path, sizeof path, "tests/conformance/cases/%s.json", case_name);
    f->case_document = test_load_json(path);
    snprintf(path, sizeof path, "tests/conformance/expected/%s.json", case_name);
    f->expected = test_load_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->case_document);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->expected);
    if (world != NULL) {
        f->host = test_sim_host(world);
    } else {
        json_t *host_part = json_deep_copy(json_object_get(f->case_document, "host"));
        json_object_set_new(host_part, "failCall", json_null());
        CU_ASSERT_EQUAL_FATAL(hcsoci_sim_host_new(host_part, &f->host, NULL), 0);
        json_decref(host_part);
    }
    hcsoci_uvm_properties properties;
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_properties_from_json(
                              json_object_get(f->case_document, "hostingSystem"), &properties,
                              NULL),
                          0);
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_new(f->host, &properties, &f->uvm, NULL), 0);
}

static void fixture_close(fixture *f)
{
    hcsoci_uvm_free(f->uvm);
    hcsoci_host_destroy(f->host);
    json_decref(f->case_document);
    json_decref(f->expected);
}

typedef bool (*call_filter)(const json_t *call);

static const char *resource_path_of(const json_t *call)
{
    const json_t *configuration = json_object_get(json_object_get(call, "args"), "configuration");
    const char *path = json_string_value(json_object_get(configuration, "ResourcePath"));
    return path != NULL ? path : "";
}

static const char *guest_resource_type_of(const json_t *call)
{
    const json_t *configuration = json_object_get(json_object_get(call, "args"), "configuration");
    const char *type = json_string_value(
        json_object_get(json_object_get(configuration, "GuestRequest"), "ResourceType"));
    return type != NULL ? type : "";
}

static bool is_call(const json_t *call, const char *name)
{
    return strcmp(json_string_value(json_object_get(call, "call")), name) == 0;
}

static bool path_starts(const json_t *call, const char *prefix)
{
    return is_call(call, "HcsModifyComputeSystem") &&
           strncmp(resource_path_of(call), prefix, strlen(prefix)) == 0;
}

static bool vsmb_calls(const json_t *call)
{
    return path_starts(call, "VirtualMachine/Devices/VirtualSmb/");
}

static bool scsi_calls(const json_t *call)
{
    return is_call(call, "GrantVmAccess") || path_starts(call, "VirtualMachine/Devices/Scsi/");
}

static bool vpmem_calls(const json_t *call)
{
    return path_starts(call, "VirtualMachine/Devices/VirtualPMem/");
}

static bool plan9_calls(const json_t *call)
{
    return path_starts(call, "VirtualMachine/Devices/Plan9/");
}

static bool pipe_calls(const json_t *call)
{
    return path_starts(call, "VirtualMachine/Devices/MappedPipes/");
}

static bool vpci_calls(const json_t *call)
{
    return path_starts(call, "VirtualMachine/Devices/VirtualPci/");
}

static bool hvsocket_calls(const json_t *call)
{
    return path_starts(call, "VirtualMachine/Devices/HvSocket/");
}

static bool network_calls(const json_t *call)
{
    return path_starts(call, "VirtualMachine/Devices/NetworkAdapters/") ||
           (is_call(call, "HcsModifyComputeSystem") &&
            strcmp(guest_resource_type_of(call), "Network") == 0);
}

static bool combined_layers_calls(const json_t *call)
{
    return is_call(call, "HcsModifyComputeSystem") &&
           strcmp(guest_resource_type_of(call), "CombinedLayers") == 0;
}

static bool every_call(const json_t *call)
{
    (void)call;
    return true;
}

static json_t *filtered(const json_t *calls, call_filter keep)
{
    json_t *result = json_array();
    size_t index;
    json_t *call;
    json_array_foreach(calls, index, call) {
        if (keep(call))
            json_array_append(result, call);
    }
    return result;
}

/* What the sim host recorded since the last clear, filtered. */
static json_t *recorded(fixture *f, call_filter keep)
{
    return filtered(hcsoci_sim_host_journal(f->host), keep);
}

/* Asserts that the calls recorded since the last clear (filtered) equal the expected trace's
 * part ("calls" or "releaseCalls", filtered), then clears the journal. */
static void assert_calls_match_trace(fixture *f, const char *part, call_filter keep)
{
    json_t *expected = filtered(json_object_get(f->expected, part), keep);
    json_t *actual = recorded(f, keep);
    CU_ASSERT(json_array_size(expected) > 0);
    if (!json_equal(expected, actual)) {
        char *expected_text = json_dumps(expected, JSON_INDENT(1));
        char *actual_text = json_dumps(actual, JSON_INDENT(1));
        fprintf(stderr, "\nexpected %s:\n%s\nactual:\n%s\n", part, expected_text, actual_text);
        free(expected_text);
        free(actual_text);
        CU_FAIL("the recorded calls differ from the expected trace");
    }
    json_decref(expected);
    json_decref(actual);
    hcsoci_sim_host_journal_clear(f->host);
}

static size_t recorded_count(fixture *f)
{
    return json_array_size(hcsoci_sim_host_journal(f->host));
}

/* The configuration of the last recorded call. */
static const json_t *last_configuration(fixture *f)
{
    const json_t *journal = hcsoci_sim_host_journal(f->host);
    return json_object_get(
        json_object_get(json_array_get(journal, json_array_size(journal) - 1), "args"),
        "configuration");
}

static void assert_json_text(const json_t *value, const char *text)
{
    json_t *wanted = test_json(text);
    if (!json_equal(wanted, value)) {
        char *actual = json_dumps(value, JSON_COMPACT);
        fprintf(stderr, "\nwanted: %s\nactual: %s\n", text, actual != NULL ? actual : "(null)");
        free(actual);
        CU_FAIL("JSON differs");
    }
    json_decref(wanted);
}

#define BASE_LAYER "C:\\ProgramData\\docker\\windowsfilter\\b0c1a2e3f4base"
#define MID_LAYER "C:\\ProgramData\\docker\\windowsfilter\\c1d2e3f4a5mid"
#define SCRATCH_VHDX "C:\\ProgramData\\docker\\windowsfilter\\e3f4a5b6c7scratch\\sandbox.vhdx"
#define GUEST_PREFIX "\\\\?\\VMSMB\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\"

static hcsoci_vsmb_options layer_options(fixture *f)
{
    hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(f->uvm, true);
    options.take_backup_privilege = true;
    return options;
}

/* ---- VSMB ---- */

static void test_vsmb_requests_match_trace_050(void)
{
    fixture f;
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi", NULL);
    hcsoci_vsmb_options layer = layer_options(&f);
    hcsoci_vsmb_options read_write = hcsoci_uvm_default_vsmb_options(f.uvm, false);
    hcsoci_vsmb_options read_only = hcsoci_uvm_default_vsmb_options(f.uvm, true);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, BASE_LAYER, &layer, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\data\\host-rw", &read_write, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\data\\host-ro", &read_only, NULL, NULL), 0);
    /* A second container mount of the same directory is the same share. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\data\\host-ro\\", &read_only, NULL, NULL), 0);
    CU_ASSERT_EQUAL(
        hcsoci_uvm_add_vsmb(f.uvm, "C:\\data\\files\\app.json", &read_only, NULL, NULL), 0);
    assert_calls_match_trace(&f, "calls", vsmb_calls);

    char *path = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_vsmb_guest_path(f.uvm, BASE_LAYER, true, &path, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, GUEST_PREFIX "s1");
    free(path);
    CU_ASSERT_EQUAL(
        hcsoci_uvm_vsmb_guest_path(f.uvm, "C:\\data\\files\\app.json", true, &path, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, GUEST_PREFIX "s4\\app.json");
    free(path);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_vsmb_guest_path(f.uvm, "C:\\data\\host-rw", true, &path, &error),
                    -1);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_UVM_NOT_ATTACHED);
    TEST_ASSERT_ERROR_CONTAINS(error, "not attached");

    /* The trace releases the mounts in reverse, then the layer. */
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, "C:\\data\\files\\app.json", true, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, "C:\\data\\host-ro", true, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 1); /* the second reference keeps s3 */
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, "C:\\data\\host-ro", true, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, "C:\\data\\host-rw", false, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, BASE_LAYER, true, NULL), 0);
    assert_calls_match_trace(&f, "releaseCalls", vsmb_calls);
    fixture_close(&f);
}

static void test_vsmb_no_directmap_when_devices_physically_backed(void)
{
    fixture f;
    fixture_open(&f, "062-xenon-v2-devices-physically-backed", NULL);
    hcsoci_vsmb_options layer = layer_options(&f);
    hcsoci_vsmb_options read_write = hcsoci_uvm_default_vsmb_options(f.uvm, false);
    hcsoci_vsmb_options read_only = hcsoci_uvm_default_vsmb_options(f.uvm, true);
    CU_ASSERT(read_write.no_directmap);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, BASE_LAYER, &layer, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\data\\host-rw", &read_write, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\data\\host-ro", &read_only, NULL, NULL), 0);
    assert_calls_match_trace(&f, "calls", vsmb_calls);
    fixture_close(&f);
}

static void test_vsmb_single_files_grow_the_allowed_list(void)
{
    fixture f;
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi",
                 "{\"files\": {\"C:\\\\d\\\\a.txt\": \"file\", \"C:\\\\d\\\\b.txt\": \"file\","
                 " \"C:\\\\d\": \"dir\"}}");
    hcsoci_vsmb_options read_only = hcsoci_uvm_default_vsmb_options(f.uvm, true);
    hcsoci_vsmb_options read_write = hcsoci_uvm_default_vsmb_options(f.uvm, false);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\d\\a.txt", &read_only, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\d\\b.txt", &read_only, NULL, NULL), 0);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/VirtualSmb/Shares\","
                     "\"RequestType\":\"Update\",\"Settings\":{\"Name\":\"s1\",\"Path\":\"C:\\\\d\","
                     "\"AllowedFiles\":[\"C:\\\\d\\\\a.txt\",\"C:\\\\d\\\\b.txt\"],"
                     "\"Options\":{\"ReadOnly\":true,\"ShareRead\":true,\"CacheIo\":true,"
                     "\"RestrictFileAccess\":true,\"PseudoOplocks\":true,"
                     "\"SingleFileMapping\":true}}}");
    /* The directory itself, and the read-write single-file share, are other shares. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\d", &read_only, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\d\\a.txt", &read_write, NULL, NULL), 0);
    const json_t *journal = hcsoci_sim_host_journal(f.host);
    CU_ASSERT_EQUAL_FATAL(json_array_size(journal), 4);
    const char *names[] = {"s1", "s1", "s2", "s3"};
    const char *types[] = {"Add", "Update", "Add", "Add"};
    for (size_t i = 0; i < 4; i++) {
        const json_t *configuration =
            json_object_get(json_object_get(json_array_get(journal, i), "args"), "configuration");
        CU_ASSERT_STRING_EQUAL(
            json_string_value(json_object_get(json_object_get(configuration, "Settings"), "Name")),
            names[i]);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(configuration, "RequestType")),
                               types[i]);
    }
    char *path = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_vsmb_guest_path(f.uvm, "C:\\d\\b.txt", true, &path, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, GUEST_PREFIX "s1\\b.txt");
    free(path);
    /* The single-file share holds two references: the first removal sends nothing. */
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, "C:\\d\\a.txt", true, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, "C:\\d\\b.txt", true, NULL), 0);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/VirtualSmb/Shares\","
                     "\"RequestType\":\"Remove\",\"Settings\":{\"Name\":\"s1\"}}");
    fixture_close(&f);
}

static void test_vsmb_names_count_in_hex_and_are_never_reused(void)
{
    fixture f;
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi",
                 "{\"files\": {\"C:\\\\v\": \"dir\"},"
                 " \"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 2}}");
    hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(f.uvm, false);
    hcsoci_vsmb_options read_only = hcsoci_uvm_default_vsmb_options(f.uvm, true);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\v", &options, NULL, NULL), 0);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\v", &read_only, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "hcsshim::System::Modify uvm-wcow-1: Access is denied.");
    /* The failed add consumed s2; nine more adds reach "sb". */
    for (int i = 0; i < 9; i++) {
        hcsoci_vsmb_options distinct = options;
        distinct.read_only = (i % 2) == 0;
        if (i >= 1)
            CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, "C:\\v", distinct.read_only, NULL), 0);
        CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\v", &distinct, NULL, NULL), 0);
    }
    char *path = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_vsmb_guest_path(f.uvm, "C:\\v", true, &path, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, GUEST_PREFIX "sb");
    free(path);
    fixture_close(&f);
}

static void test_vsmb_failed_add_reads_like_trace_065(void)
{
    fixture f;
    fixture_open(&f, "065-xenon-v2-fail-mount-vsmb",
                 "{\"files\": {\"C:\\\\data\\\\host-rw\": \"dir\"},"
                 " \"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 1}}");
    hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(f.uvm, false);
    hcsoci_resources *resources = hcsoci_resources_new("c");
    /* Take s1 so that the failing share is s2, as in the trace. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\data\\host-rw", &options, resources, NULL), -1);
    hcsoci_sim_host_journal_clear(f.host);
    fixture_close(&f);
    hcsoci_resources_free(resources);

    fixture_open(&f, "065-xenon-v2-fail-mount-vsmb",
                 "{\"files\": {\"C:\\\\data\\\\host-rw\": \"dir\", \"C:\\\\base\": \"dir\"},"
                 " \"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 2}}");
    resources = hcsoci_resources_new("c");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\base", &options, NULL, NULL), 0);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\data\\host-rw", &options, resources, &error),
                    -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    const char *expected = json_string_value(json_object_get(f.expected, "error"));
    const char *tail = strstr(expected, "hcsshim::System::Modify");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tail);
    CU_ASSERT_STRING_EQUAL(error->message, tail);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x80070005);
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL(hcsoci_resources_count(resources), 0);
    /* Nothing was kept: removing it is an error naming the share. */
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, "C:\\data\\host-rw", false, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error,
                               "C:\\data\\host-rw is not present as a VSMB share in uvm-wcow-1");
    hcsoci_resources_free(resources);
    fixture_close(&f);
}

static void test_vsmb_bad_input_and_os(void)
{
    fixture f;
    fixture_open(&f, "068-lcow-basic-vpmem", "{\"files\": {\"C:\\\\x\": \"dir\"}}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\x", NULL, NULL, &error), -1);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_NOT_SUPPORTED);
    TEST_ASSERT_ERROR_CONTAINS(error, "not supported");
    fixture_close(&f);

    fixture_open(&f, "049-xenon-v2-basic", "{\"files\": {\"C:\\\\x\": \"dir\"}}");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\x\\missing", NULL, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error,
                               "CreateFile C:\\x\\missing: The system cannot find the file "
                               "specified.");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\nowhere\\f", NULL, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "cannot find the path specified");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "", NULL, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "no host path");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, NULL, NULL, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "no host path");
    char *path = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_vsmb_guest_path(f.uvm, "", false, &path, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "no hostPath passed to GetVSMBUvmPath");
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    fixture_close(&f);
}

static void test_vsmb_ledger_entry_releases_the_share(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    hcsoci_resources *resources = hcsoci_resources_new("c");
    hcsoci_vsmb_options layer = layer_options(&f);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, MID_LAYER, &layer, resources, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_count(resources), 1);
    const json_t *entry = hcsoci_resources_entry(resources, 0);
    assert_json_text(entry, "{\"kind\":\"uvm.vsmb\",\"hostPath\":\"" "C:\\\\ProgramData\\\\docker"
                            "\\\\windowsfilter\\\\c1d2e3f4a5mid\",\"readOnly\":true}");
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, entry, NULL), 0);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/VirtualSmb/Shares\","
                     "\"RequestType\":\"Remove\",\"Settings\":{\"Name\":\"s1\"}}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, entry, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to remove VSMB share: ");
    hcsoci_resources_free(resources);
    fixture_close(&f);
}

/* ---- SCSI ---- */

static void test_scsi_requests_match_trace_050(void)
{
    fixture f;
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi", NULL);
    hcsoci_scsi_location location = {9, 9};
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, SCRATCH_VHDX, "C:\\c\\1", false,
                                        HCSOCI_VM_ACCESS_INDIVIDUAL, &location, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(location.controller, 0);
    CU_ASSERT_EQUAL(location.lun, 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi_physical_disk(f.uvm, "\\\\.\\PhysicalDrive2",
                                                      "C:\\mounts\\m6", false, &location, NULL,
                                                      NULL),
                    0);
    CU_ASSERT_EQUAL(location.lun, 1);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\data\\disks\\extra.vhdx", "C:\\mounts\\m7", true,
                                        HCSOCI_VM_ACCESS_INDIVIDUAL, &location, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(location.lun, 2);
    assert_calls_match_trace(&f, "calls", scsi_calls);

    char *path = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_scsi_guest_path(f.uvm, "\\\\.\\PhysicalDrive2", &path, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, "C:\\mounts\\m6");
    free(path);

    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "C:\\data\\disks\\extra.vhdx", NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "\\\\.\\PhysicalDrive2", NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, SCRATCH_VHDX, NULL), 0);
    assert_calls_match_trace(&f, "releaseCalls", scsi_calls);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_scsi_guest_path(f.uvm, SCRATCH_VHDX, &path, &error), -1);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_UVM_NOT_ATTACHED);
    TEST_ASSERT_ERROR_CONTAINS(error, "not attached");
    fixture_close(&f);
}

static void test_scsi_linux_requests_match_trace_070(void)
{
    fixture f;
    fixture_open(&f, "070-lcow-layers-scsi-devices-physically-backed", NULL);
    char *first = NULL;
    char *second = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, "C:\\ProgramData\\docker\\lcow\\layer1\\layer.vhd",
                                              &first, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, "C:\\ProgramData\\docker\\lcow\\layer2\\layer.vhd",
                                              &second, NULL, NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(first, "/run/mounts/m1");
    CU_ASSERT_STRING_EQUAL(second, "/run/mounts/m2");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\ProgramData\\docker\\lcow\\scratch\\sandbox.vhdx",
                                        "/run/gcs/c/c-lcow-pb", false, HCSOCI_VM_ACCESS_INDIVIDUAL,
                                        NULL, NULL, NULL),
                    0);
    assert_calls_match_trace(&f, "calls", scsi_calls);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "C:\\ProgramData\\docker\\lcow\\scratch\\sandbox.vhdx",
                                           NULL),
                    0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_lcow_layer(f.uvm,
                                                 "C:\\ProgramData\\docker\\lcow\\layer1\\layer.vhd",
                                                 NULL),
                    0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_lcow_layer(f.uvm,
                                                 "C:\\ProgramData\\docker\\lcow\\layer2\\layer.vhd",
                                                 NULL),
                    0);
    assert_calls_match_trace(&f, "releaseCalls", scsi_calls);
    free(first);
    free(second);
    fixture_close(&f);
}

static void test_scsi_reference_counting(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\a.vhdx", "C:\\m\\a", false,
                                        HCSOCI_VM_ACCESS_INDIVIDUAL, NULL, NULL, NULL),
                    0);
    hcsoci_scsi_location location = {9, 9};
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\a.vhdx", "C:\\m\\other", false,
                                        HCSOCI_VM_ACCESS_INDIVIDUAL, &location, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(location.lun, 0);
    /* Access is granted again; the disk is not attached again. */
    json_t *calls = recorded(&f, every_call);
    CU_ASSERT_EQUAL_FATAL(json_array_size(calls), 3);
    CU_ASSERT(is_call(json_array_get(calls, 2), "GrantVmAccess"));
    json_decref(calls);
    char *path = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_scsi_guest_path(f.uvm, "C:\\a.vhdx", &path, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, "C:\\m\\a");
    free(path);
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "C:\\a.vhdx", NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "C:\\a.vhdx", NULL), 0);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/Scsi/0/Attachments/0\","
                     "\"RequestType\":\"Remove\",\"GuestRequest\":{\"RequestType\":\"Remove\","
                     "\"ResourceType\":\"MappedVirtualDisk\",\"Settings\":{\"ContainerPath\":"
                     "\"C:\\\\m\\\\a\"}}}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "C:\\a.vhdx", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "not attached");
    fixture_close(&f);
}

static void test_scsi_without_guest_path_or_access(void)
{
    fixture f;
    fixture_open(&f, "068-lcow-basic-vpmem", NULL);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\a.vhdx", NULL, false, HCSOCI_VM_ACCESS_NONE,
                                        NULL, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\b.vhdx", "", true, HCSOCI_VM_ACCESS_GROUP,
                                        NULL, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(recorded_count(&f), 2);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/Scsi/0/Attachments/1\","
                     "\"RequestType\":\"Add\",\"Settings\":{\"Type\":\"VirtualDisk\","
                     "\"Path\":\"C:\\\\b.vhdx\",\"ReadOnly\":true}}");
    /* A Linux guest is always told on removal, even without a mount path. */
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "C:\\b.vhdx", NULL), 0);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/Scsi/0/Attachments/1\","
                     "\"RequestType\":\"Remove\",\"GuestRequest\":{\"RequestType\":\"Remove\","
                     "\"ResourceType\":\"MappedVirtualDisk\",\"Settings\":{\"Lun\":1}}}");
    fixture_close(&f);
}

static void test_scsi_limits(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    char path[64];
    for (int i = 0; i < 64; i++) {
        snprintf(path, sizeof path, "C:\\d%d.vhdx", i);
        CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, path, NULL, false, HCSOCI_VM_ACCESS_NONE, NULL,
                                            NULL, NULL),
                        0);
    }
    hcsoci_error *error = NULL;
    size_t before = recorded_count(&f);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\one-more.vhdx", NULL, false,
                                        HCSOCI_VM_ACCESS_NONE, NULL, NULL, &error),
                    -1);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_UVM_NO_LOCATION);
    TEST_ASSERT_ERROR_CONTAINS(error, "too many SCSI attachments");
    CU_ASSERT_EQUAL(recorded_count(&f), before);
    /* The refused slot was given back: after freeing LUN 5, the next disk takes it. */
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "C:\\d5.vhdx", NULL), 0);
    hcsoci_scsi_location location = {0, 0};
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\one-more.vhdx", NULL, false,
                                        HCSOCI_VM_ACCESS_NONE, &location, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(location.lun, 5);
    fixture_close(&f);

    fixture_open(&f, "049-xenon-v2-basic", NULL);
    hcsoci_uvm_properties properties = {.id = "no-scsi", .os = HCSOCI_UVM_WINDOWS,
                                        .processor_count = 1, .scsi_controller_count = 0};
    hcsoci_uvm *uvm = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_new(f.host, &properties, &uvm, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(uvm, "C:\\a.vhdx", NULL, false, HCSOCI_VM_ACCESS_NONE,
                                        NULL, NULL, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "no SCSI controllers configured for this utility VM");
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(uvm, "C:\\a.vhdx", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "no SCSI controllers configured for this utility VM");
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    hcsoci_uvm_free(uvm);
    fixture_close(&f);
}

static void test_scsi_failures_roll_back_the_slot(void)
{
    fixture f;
    fixture_open(&f, "063-xenon-v2-fail-scratch-scsi",
                 "{\"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 1}}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, SCRATCH_VHDX, "C:\\c\\1", false,
                                        HCSOCI_VM_ACCESS_INDIVIDUAL, NULL, NULL, &error),
                    -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    const char *expected = json_string_value(json_object_get(f.expected, "error"));
    const char *tail = strstr(expected, "failed to modify UVM with new SCSI mount");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tail);
    CU_ASSERT_STRING_EQUAL(error->message, tail);
    hcsoci_error_free(error);
    hcsoci_scsi_location location = {9, 9};
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\other.vhdx", NULL, false,
                                        HCSOCI_VM_ACCESS_NONE, &location, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(location.lun, 0);
    fixture_close(&f);

    fixture_open(&f, "049-xenon-v2-basic",
                 "{\"failCall\": {\"call\": \"GrantVmAccess\", \"nth\": 1}}");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, SCRATCH_VHDX, "C:\\c\\1", false,
                                        HCSOCI_VM_ACCESS_INDIVIDUAL, NULL, NULL, &error),
                    -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_STRING_EQUAL(error->message,
                           "failed to grant VM access for SCSI mount: hcsshim::GrantVmAccess - "
                           "failed failed in Win32: Access is denied. (0x5)");
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL(recorded_count(&f), 1);
    fixture_close(&f);

    /* A failed removal keeps the disk, and releasing it again sends the request again. */
    fixture_open(&f, "049-xenon-v2-basic",
                 "{\"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 2}}");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\a.vhdx", "C:\\m", false,
                                        HCSOCI_VM_ACCESS_NONE, NULL, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "C:\\a.vhdx", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error,
                               "failed to remove SCSI disk C:\\a.vhdx from container uvm-wcow-1: "
                               "hcsshim::System::Modify uvm-wcow-1: Access is denied.");
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_scsi(f.uvm, "C:\\a.vhdx", NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 3);
    fixture_close(&f);
}

static void test_scsi_ledger_entry(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    hcsoci_resources *resources = hcsoci_resources_new("c");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\a.vhdx", "C:\\m", true,
                                        HCSOCI_VM_ACCESS_NONE, NULL, resources, NULL),
                    0);
    const json_t *entry = hcsoci_resources_entry(resources, 0);
    assert_json_text(entry, "{\"kind\":\"uvm.scsi\",\"hostPath\":\"C:\\\\a.vhdx\"}");
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, entry, NULL), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(last_configuration(&f),
                                                             "RequestType")),
                           "Remove");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, entry, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to remove SCSI device: not attached");
    hcsoci_resources_free(resources);
    fixture_close(&f);
}

/* ---- vPMEM ---- */

#define LCOW_LAYER1 "C:\\ProgramData\\docker\\lcow\\layer1\\layer.vhd"
#define LCOW_LAYER2 "C:\\ProgramData\\docker\\lcow\\layer2\\layer.vhd"

static void test_vpmem_requests_match_trace_068(void)
{
    fixture f;
    fixture_open(&f, "068-lcow-basic-vpmem", NULL);
    char *first = NULL;
    char *second = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, LCOW_LAYER1, &first, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, LCOW_LAYER2, &second, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(first, "/run/layers/p0");
    CU_ASSERT_STRING_EQUAL(second, "/run/layers/p1");
    assert_calls_match_trace(&f, "calls", vpmem_calls);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_lcow_layer(f.uvm, LCOW_LAYER1, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vpmem(f.uvm, LCOW_LAYER2, NULL), 0);
    assert_calls_match_trace(&f, "releaseCalls", vpmem_calls);
    free(first);
    free(second);
    fixture_close(&f);
}

static void test_vpmem_failure_reads_like_trace_083(void)
{
    fixture f;
    fixture_open(&f, "083-lcow-fail-second-vpmem", NULL);
    json_t *world = json_deep_copy(json_object_get(f.case_document, "host"));
    hcsoci_host_destroy(f.host);
    CU_ASSERT_EQUAL_FATAL(hcsoci_sim_host_new(world, &f.host, NULL), 0);
    json_decref(world);
    hcsoci_uvm_free(f.uvm);
    hcsoci_uvm_properties properties;
    hcsoci_uvm_properties_from_json(json_object_get(f.case_document, "hostingSystem"),
                                    &properties, NULL);
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_new(f.host, &properties, &f.uvm, NULL), 0);

    char *path = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, LCOW_LAYER1, &path, NULL, NULL), 0);
    free(path);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, LCOW_LAYER2, &path, NULL, &error), -1);
    CU_ASSERT_PTR_NULL(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    const char *expected = json_string_value(json_object_get(f.expected, "error"));
    const char *tail = strstr(expected, "failed to add VPMEM layer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tail);
    CU_ASSERT_STRING_EQUAL(error->message, tail);
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_lcow_layer(f.uvm, LCOW_LAYER1, NULL), 0);
    assert_calls_match_trace(&f, "calls", vpmem_calls);
    /* The failed device was not kept. */
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vpmem(f.uvm, LCOW_LAYER2, &error), -1);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_UVM_NOT_ATTACHED);
    hcsoci_error_free(error);
    fixture_close(&f);
}

static void test_vpmem_limits_fall_back_to_scsi(void)
{
    fixture f;
    fixture_open(&f, "068-lcow-basic-vpmem",
                 "{\"files\": {\"C:\\\\small.vhd\": {\"size\": 100},"
                 " \"C:\\\\small2.vhd\": {\"size\": 100},"
                 " \"C:\\\\big.vhd\": {\"size\": 4294967297}}}");
    hcsoci_uvm_free(f.uvm);
    hcsoci_uvm_properties properties = {.id = "uvm-lcow-1", .os = HCSOCI_UVM_LINUX,
                                        .processor_count = 2, .scsi_controller_count = 1,
                                        .vpmem_max_count = 1,
                                        .vpmem_max_size_bytes = 4294967296ull};
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_new(f.host, &properties, &f.uvm, NULL), 0);
    char *path = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, "C:\\big.vhd", &path, NULL, &error), -1);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_UVM_VPMEM_TOO_LARGE);
    TEST_ASSERT_ERROR_CONTAINS(error, "layer size is to large for VPMEM max size");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, "C:\\missing.vhd", &path, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "CreateFile C:\\missing.vhd: The system cannot find");
    CU_ASSERT_EQUAL(recorded_count(&f), 0);

    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, "C:\\small.vhd", &path, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, "/run/layers/p0");
    free(path);
    /* Ref-counted: the same layer again sends nothing. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, "C:\\small.vhd", &path, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, "/run/layers/p0");
    free(path);
    CU_ASSERT_EQUAL(recorded_count(&f), 1);
    /* Full, then too large: both go to SCSI with the next mount number. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, "C:\\small2.vhd", &path, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, "/run/mounts/m1");
    free(path);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, "C:\\big.vhd", &path, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, "/run/mounts/m2");
    free(path);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/Scsi/0/Attachments/1\","
                     "\"RequestType\":\"Add\",\"Settings\":{\"Type\":\"VirtualDisk\","
                     "\"Path\":\"C:\\\\big.vhd\",\"ReadOnly\":true},\"GuestRequest\":{"
                     "\"RequestType\":\"Add\",\"ResourceType\":\"MappedVirtualDisk\","
                     "\"Settings\":{\"MountPath\":\"/run/mounts/m2\",\"Lun\":1,"
                     "\"ReadOnly\":true}}}");
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_lcow_layer(f.uvm, "C:\\small.vhd", NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_lcow_layer(f.uvm, "C:\\small.vhd", NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_lcow_layer(f.uvm, "C:\\big.vhd", NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 2);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_lcow_layer(f.uvm, "C:\\big.vhd", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to remove SCSI layer: not attached");
    fixture_close(&f);

    fixture_open(&f, "049-xenon-v2-basic", NULL);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, "C:\\x.vhd", &path, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "not supported");
    fixture_close(&f);
}

/* The vPMEM size limit is inclusive, and all vpmemMaxCount devices (up to 128) can be used. */
static void test_vpmem_size_and_count_on_both_sides_of_the_limit(void)
{
    enum { DEVICES = 128 };
    size_t world_size = 128 + DEVICES * 40;
    char *world = malloc(world_size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(world);
    size_t used = (size_t)snprintf(world, world_size,
                                   "{\"files\": {\"C:\\\\over.vhd\": {\"size\": 4097},"
                                   " \"C:\\\\extra.vhd\": {\"size\": 1}");
    for (int i = 0; i < DEVICES; i++)
        used += (size_t)snprintf(world + used, world_size - used,
                                 ", \"C:\\\\v%d.vhd\": {\"size\": %d}", i,
                                 i == 0 ? 4096 : 1);
    snprintf(world + used, world_size - used, "}}");
    fixture f;
    fixture_open(&f, "068-lcow-basic-vpmem", world);
    free(world);
    hcsoci_uvm_free(f.uvm);
    hcsoci_uvm_properties properties = {.id = "uvm-lcow-1", .os = HCSOCI_UVM_LINUX,
                                        .processor_count = 2, .scsi_controller_count = 1,
                                        .vpmem_max_count = DEVICES,
                                        .vpmem_max_size_bytes = 4096};
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_new(f.host, &properties, &f.uvm, NULL), 0);
    hcsoci_error *error = NULL;
    char *path = NULL;
    /* One byte over the maximum size is refused; exactly the maximum (v0) is taken. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, "C:\\over.vhd", &path, NULL, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_UVM_VPMEM_TOO_LARGE);
    TEST_ASSERT_ERROR_CONTAINS(error, "layer size is to large for VPMEM max size");
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    for (int i = 0; i < DEVICES; i++) {
        char host_path[32], expected[32];
        snprintf(host_path, sizeof host_path, "C:\\v%d.vhd", i);
        snprintf(expected, sizeof expected, "/run/layers/p%d", i);
        CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, host_path, &path, NULL, NULL), 0);
        CU_ASSERT_STRING_EQUAL(path, expected);
        free(path);
        path = NULL;
    }
    CU_ASSERT_EQUAL(recorded_count(&f), DEVICES);
    /* Every device is taken: the next file is refused without a request. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, "C:\\extra.vhd", &path, NULL, &error), -1);
    CU_ASSERT_PTR_NULL(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_UVM_NO_LOCATION);
    TEST_ASSERT_ERROR_CONTAINS(error, "no available location");
    CU_ASSERT_EQUAL(recorded_count(&f), DEVICES);
    fixture_close(&f);
}

/* ---- Plan 9 ---- */

static void test_plan9_requests_match_trace_074(void)
{
    fixture f;
    fixture_open(&f, "074-lcow-mounts", NULL);
    hcsoci_resources *resources = hcsoci_resources_new("c");
    char *name = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_plan9(f.uvm, "C:\\data\\share", "/run/gcs/c/c-lcow-mnt/mounts/m1",
                                         true, false, NULL, &name, resources, NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(name, "0");
    free(name);
    json_t *allowed = test_json("[\"app.conf\"]");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_plan9(f.uvm, "C:\\data\\files\\",
                                         "/run/gcs/c/c-lcow-mnt/mounts/m2", false, true, allowed,
                                         &name, resources, NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(name, "1");
    free(name);
    json_decref(allowed);
    assert_calls_match_trace(&f, "calls", plan9_calls);
    assert_json_text(hcsoci_resources_entry(resources, 1),
                     "{\"kind\":\"uvm.plan9\",\"name\":\"1\","
                     "\"uvmPath\":\"/run/gcs/c/c-lcow-mnt/mounts/m2\"}");
    for (size_t i = hcsoci_resources_count(resources); i > 0; i--)
        CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, hcsoci_resources_entry(resources, i - 1),
                                                 NULL),
                        0);
    assert_calls_match_trace(&f, "releaseCalls", plan9_calls);
    hcsoci_resources_free(resources);
    fixture_close(&f);
}

static void test_plan9_checks_and_counter(void)
{
    fixture f;
    fixture_open(&f, "074-lcow-mounts",
                 "{\"build\": 17763, \"failCall\": {\"call\": \"HcsModifyComputeSystem\","
                 " \"nth\": 1}}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_plan9(f.uvm, "C:\\f\\", "/m", false, true, NULL, NULL, NULL,
                                         &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error,
                               "single-file mappings are not supported on this build of Windows");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_plan9(f.uvm, "C:\\f", "", false, false, NULL, NULL, NULL,
                                         &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "uvmPath must be passed to AddPlan9");
    json_t *bad = test_json("[1]");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_plan9(f.uvm, "C:\\f", "/m", false, false, bad, NULL, NULL,
                                         &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "must be a string");
    json_decref(bad);
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    /* A failed add consumes its number. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_plan9(f.uvm, "C:\\f", "/m", false, false, NULL, NULL, NULL,
                                         &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "hcsshim::System::Modify uvm-lcow-1: Access is denied.");
    char *name = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_plan9(f.uvm, "C:\\f", "/m", false, false, NULL, &name, NULL,
                                         NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(name, "1");
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/Plan9/Shares\","
                     "\"RequestType\":\"Add\",\"Settings\":{\"Name\":\"1\",\"AccessName\":\"1\","
                     "\"Path\":\"C:\\\\f\",\"Port\":564,\"Flags\":4},\"GuestRequest\":{"
                     "\"RequestType\":\"Add\",\"ResourceType\":\"MappedDirectory\",\"Settings\":{"
                     "\"MountPath\":\"/m\",\"Port\":564,\"ShareName\":\"1\"}}}");
    free(name);
    fixture_close(&f);

    fixture_open(&f, "049-xenon-v2-basic", NULL);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_plan9(f.uvm, "C:\\f", "/m", false, false, NULL, NULL, NULL,
                                         &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "not supported");
    fixture_close(&f);
}

/* ---- pipes ---- */

static void test_pipes_match_trace_050(void)
{
    fixture f;
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi", NULL);
    hcsoci_resources *resources = hcsoci_resources_new("c");
    CU_ASSERT(hcsoci_uvm_is_pipe("\\\\.\\pipe\\host-pipe"));
    CU_ASSERT(!hcsoci_uvm_is_pipe("C:\\pipe\\x"));
    CU_ASSERT_EQUAL(hcsoci_uvm_add_pipe(f.uvm, "\\\\.\\pipe\\host-pipe", resources, NULL), 0);
    assert_calls_match_trace(&f, "calls", pipe_calls);
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, hcsoci_resources_entry(resources, 0), NULL),
                    0);
    assert_calls_match_trace(&f, "releaseCalls", pipe_calls);

    char *source = NULL;
    char *destination = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_container_pipe_mapping(f.uvm, "\\\\.\\pipe\\host-pipe",
                                                      "\\\\.\\pipe\\in-container", &source,
                                                      &destination, NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(source, GUEST_PREFIX "IPC$\\host-pipe");
    CU_ASSERT_STRING_EQUAL(destination, "in-container");
    free(source);
    free(destination);
    CU_ASSERT_EQUAL(hcsoci_uvm_container_pipe_mapping(NULL, "\\\\.\\pipe\\p", "\\\\.\\pipe\\q",
                                                      &source, &destination, NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(source, "\\\\.\\pipe\\p");
    CU_ASSERT_STRING_EQUAL(destination, "q");
    free(source);
    free(destination);
    hcsoci_resources_free(resources);
    fixture_close(&f);
}

/* A pipe mapped for two containers is added once and removed with its last reference; a
 * failed removal keeps it mapped and referenced, so that releasing again completes it. */
static void test_pipes_are_ref_counted(void)
{
    fixture f;
    /* The third modification (the pipe's first Remove) fails. */
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi",
                 "{\"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 2}}");
    hcsoci_resources *first = hcsoci_resources_new("c1"), *second = hcsoci_resources_new("c2");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_pipe(f.uvm, "\\\\.\\pipe\\p", first, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_pipe(f.uvm, "\\\\.\\pipe\\P", second, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 1);
    CU_ASSERT_EQUAL(hcsoci_resources_count(second), 1);
    json_t *saved = hcsoci_uvm_to_json(f.uvm);
    assert_json_text(json_object_get(saved, "pipes"),
                     "[{\"hostPath\":\"\\\\\\\\.\\\\pipe\\\\p\",\"refCount\":2}]");
    json_decref(saved);
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, hcsoci_resources_entry(first, 0), NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 1); /* still used by c2: nothing sent */

    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, hcsoci_resources_entry(second, 0), &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to remove pipe mount");
    CU_ASSERT_EQUAL(recorded_count(&f), 2);
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, hcsoci_resources_entry(second, 0), NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 3);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/MappedPipes/"
                     "\\\\\\\\.\\\\pipe\\\\p\",\"RequestType\":\"Remove\"}");
    saved = hcsoci_uvm_to_json(f.uvm);
    assert_json_text(json_object_get(saved, "pipes"), "[]");
    json_decref(saved);
    hcsoci_resources_free(first);
    hcsoci_resources_free(second);
    fixture_close(&f);
}

/* Saved pipes read back, and a bad entry is refused naming its field. */
static void test_saved_pipes_are_checked(void)
{
    fixture f;
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi", NULL);
    static const struct {
        const char *pipes;
        const char *message;
    } bad[] = {
        {"[{\"hostPath\":\"C:\\\\p\",\"refCount\":1}]",
         "invalid field 'uvm.pipes[0].hostPath': must name a pipe, not 'C:\\p'"},
        {"[{\"hostPath\":\"\\\\\\\\.\\\\pipe\\\\p\",\"refCount\":0}]", "uvm.pipes[0].refCount"},
        {"[{\"hostPath\":\"\\\\\\\\.\\\\pipe\\\\p\",\"refCount\":1},"
         "{\"hostPath\":\"\\\\\\\\.\\\\pipe\\\\P\",\"refCount\":1}]",
         "'uvm.pipes[1]' repeats a pipe"},
        {"[5]", "uvm.pipes[0]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *saved = hcsoci_uvm_to_json(f.uvm);
        json_object_set_new(saved, "pipes", test_json(bad[i].pipes));
        hcsoci_uvm *loaded = NULL;
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hcsoci_uvm_from_json(f.host, saved, &loaded, &error), -1);
        CU_ASSERT_PTR_NULL(loaded);
        TEST_ASSERT_ERROR_CONTAINS(error, bad[i].message);
        json_decref(saved);
    }
    /* A state saved before pipes were counted has no "pipes": none are mapped. */
    json_t *saved = hcsoci_uvm_to_json(f.uvm);
    json_object_del(saved, "pipes");
    hcsoci_uvm *loaded = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_from_json(f.host, saved, &loaded, NULL), 0);
    hcsoci_uvm_free(loaded);
    json_decref(saved);
    fixture_close(&f);
}

/* Every integer a saved VM resource needs is required: a missing one is refused naming it,
 * rather than loading as 0 (a reference count of 0 would wrap on the next release). */
static void test_saved_resource_integers_are_required(void)
{
    static const struct {
        const char *case_name;
        const char *list;
        const char *entry;
        const char *member;
    } saved_entries[] = {
        {"050-xenon-v2-mounts-vsmb-pipe-scsi", "vsmbDirectoryShares",
         "{\"hostPath\":\"C:\\\\s\",\"name\":\"s1\",\"readOnly\":true,\"refCount\":1,"
         "\"allowedFiles\":[]}",
         "refCount"},
        {"050-xenon-v2-mounts-vsmb-pipe-scsi", "pipes",
         "{\"hostPath\":\"\\\\\\\\.\\\\pipe\\\\p\",\"refCount\":2}", "refCount"},
        {"050-xenon-v2-mounts-vsmb-pipe-scsi", "scsi",
         "{\"hostPath\":\"C:\\\\d.vhdx\",\"uvmPath\":\"C:\\\\m\",\"controller\":0,"
         "\"lun\":1,\"refCount\":1}",
         "refCount"},
        {"050-xenon-v2-mounts-vsmb-pipe-scsi", "scsi",
         "{\"hostPath\":\"C:\\\\d.vhdx\",\"uvmPath\":\"C:\\\\m\",\"controller\":0,"
         "\"lun\":1,\"refCount\":1}",
         "lun"},
        {"050-xenon-v2-mounts-vsmb-pipe-scsi", "scsi",
         "{\"hostPath\":\"C:\\\\d.vhdx\",\"uvmPath\":\"C:\\\\m\",\"controller\":0,"
         "\"lun\":1,\"refCount\":1}",
         "controller"},
        {"068-lcow-basic-vpmem", "vpmem",
         "{\"deviceNumber\":1,\"hostPath\":\"C:\\\\l.vhd\",\"uvmPath\":\"/tmp/p1\","
         "\"refCount\":1}",
         "refCount"},
        {"068-lcow-basic-vpmem", "vpmem",
         "{\"deviceNumber\":1,\"hostPath\":\"C:\\\\l.vhd\",\"uvmPath\":\"/tmp/p1\","
         "\"refCount\":1}",
         "deviceNumber"},
        {"079-lcow-gpu-device", "vpciDevices",
         "{\"deviceInstanceId\":\"PCIP\\\\G\",\"vmbusGuid\":"
         "\"11111111-2222-3333-4444-555555555555\",\"refCount\":1}",
         "refCount"},
    };
    for (size_t i = 0; i < sizeof saved_entries / sizeof saved_entries[0]; i++) {
        fixture f;
        fixture_open(&f, saved_entries[i].case_name, NULL);
        json_t *saved = hcsoci_uvm_to_json(f.uvm);
        json_t *entry = test_json(saved_entries[i].entry);
        json_object_set_new(saved, saved_entries[i].list, json_pack("[O]", entry));
        hcsoci_uvm *loaded = NULL;
        hcsoci_error *error = NULL;
        /* Complete, the entry loads and is kept: what fails below is only the missing member. */
        CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_from_json(f.host, saved, &loaded, NULL), 0);
        json_t *saved_again = hcsoci_uvm_to_json(loaded);
        CU_ASSERT_TRUE(json_equal(json_object_get(saved_again, saved_entries[i].list),
                                  json_object_get(saved, saved_entries[i].list)));
        json_decref(saved_again);
        hcsoci_uvm_free(loaded);
        loaded = NULL;
        json_object_del(entry, saved_entries[i].member);
        char message[128];
        snprintf(message, sizeof message, "missing field 'uvm.%s[0].%s'", saved_entries[i].list,
                 saved_entries[i].member);
        CU_ASSERT_EQUAL(hcsoci_uvm_from_json(f.host, saved, &loaded, &error), -1);
        CU_ASSERT_PTR_NULL(loaded);
        TEST_ASSERT_ERROR_CONTAINS(error, message);
        json_decref(entry);
        json_decref(saved);
        fixture_close(&f);
    }
}

/* ---- vPCI ---- */

static void test_vpci_request_matches_trace_079(void)
{
    fixture f;
    fixture_open(&f, "079-lcow-gpu-device", NULL);
    hcsoci_resources *resources = hcsoci_resources_new("c");
    const char *device = "PCIP\\VEN_10DE&DEV_1EB8\\3&1";
    char *guid = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_assign_device(f.uvm, device, &guid, resources, NULL), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(guid);
    /* The trace's GUID is a placeholder for a random one: put the one drawn in its place. */
    json_t *expected = filtered(json_object_get(f.expected, "calls"), vpci_calls);
    CU_ASSERT_EQUAL_FATAL(json_array_size(expected), 1);
    char text[512];
    snprintf(text, sizeof text,
             "{\"ResourcePath\":\"VirtualMachine/Devices/VirtualPci/%s\",\"RequestType\":\"Add\","
             "\"Settings\":{\"Functions\":[{\"DeviceInstancePath\":"
             "\"PCIP\\\\VEN_10DE&DEV_1EB8\\\\3&1\"}]},\"GuestRequest\":{\"RequestType\":\"Add\","
             "\"ResourceType\":\"VPCIDevice\",\"Settings\":{\"VMBusGUID\":\"%s\"}}}",
             guid, guid);
    assert_json_text(last_configuration(&f), text);
    json_t *shape = json_deep_copy(
        json_object_get(json_object_get(json_array_get(expected, 0), "args"), "configuration"));
    json_object_set_new(shape, "ResourcePath",
                        json_string(json_string_value(json_object_get(last_configuration(&f),
                                                                      "ResourcePath"))));
    json_object_set_new(json_object_get(json_object_get(shape, "GuestRequest"), "Settings"),
                        "VMBusGUID", json_string(guid));
    CU_ASSERT(json_equal(shape, last_configuration(&f)));
    json_decref(shape);
    json_decref(expected);

    /* A second assignment shares the device (a GUID is still drawn). */
    char *again = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_assign_device(f.uvm, device, &again, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(again, guid);
    free(again);
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_device(f.uvm, device, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, hcsoci_resources_entry(resources, 0), NULL),
                    0);
    snprintf(text, sizeof text,
             "{\"ResourcePath\":\"VirtualMachine/Devices/VirtualPci/%s\","
             "\"RequestType\":\"Remove\"}",
             guid);
    assert_json_text(last_configuration(&f), text);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_device(f.uvm, device, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "no device with ID PCIP\\VEN_10DE&DEV_1EB8\\3&1 is present "
                                      "on the uvm uvm-lcow-1");
    char *instance = hcsoci_uvm_assigned_device_vmbus_instance_id(guid);
    char wanted[128];
    snprintf(wanted, sizeof wanted, "VMBUS\\{44c4f61d-4444-4400-9d52-802e27ede19f}\\{%s}", guid);
    CU_ASSERT_STRING_EQUAL(instance, wanted);
    free(instance);
    free(guid);
    hcsoci_resources_free(resources);
    fixture_close(&f);

    /* A Windows VM gets no guest request. */
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    CU_ASSERT_EQUAL(hcsoci_uvm_assign_device(f.uvm, "dev", NULL, NULL, NULL), 0);
    CU_ASSERT_PTR_NULL(json_object_get(last_configuration(&f), "GuestRequest"));
    fixture_close(&f);
}

/* ---- HvSocket ---- */

static void test_hvsocket_update_matches_trace_061(void)
{
    fixture f;
    fixture_open(&f, "061-xenon-v2-credential-spec", NULL);
    hcsoci_hvsocket_service_config config = {
        .bind_security_descriptor = "D:P(A;;FA;;;SY)",
        .connect_security_descriptor = "D:P(A;;FA;;;SY)",
        .allow_wildcard_binds = true,
    };
    CU_ASSERT_EQUAL(hcsoci_uvm_update_hvsocket_service(f.uvm, "1b2c3d4e-0000-0000-0000-0000000000cc",
                                                       &config, NULL, NULL),
                    0);
    assert_calls_match_trace(&f, "calls", hvsocket_calls);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_hvsocket_service(f.uvm, TEST_SERVICE_ID, NULL), 0);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/HvSocket/HvSocketConfig/"
                     "ServiceTable/" TEST_SERVICE_ID "\",\"RequestType\":\"Remove\"}");
    fixture_close(&f);
}

/* ---- network ---- */

static void test_network_windows_matches_trace_055(void)
{
    fixture f;
    fixture_open(&f, "055-xenon-v2-network-create-namespace", NULL);
    const char *namespace_id = "9b8a7c6d-0000-4000-8000-0000000000a1";
    json_t *endpoints = json_object_get(json_object_get(f.case_document, "host"), "hnsEndpoints");
    hcsoci_resources *resources = hcsoci_resources_new("c");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_network_namespace(f.uvm, namespace_id, resources, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_endpoints_to_namespace(f.uvm, namespace_id, endpoints, NULL), 0);
    /* Endpoints already there are skipped. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_endpoints_to_namespace(f.uvm, namespace_id, endpoints, NULL), 0);
    json_t *actual = recorded(&f, network_calls);
    json_t *expected = filtered(json_object_get(f.expected, "calls"), network_calls);
    CU_ASSERT_EQUAL(json_array_size(actual), 4);
    /* NIC ids are random in the reference: compare with the drawn ids put in place. */
    for (size_t i = 0; i < json_array_size(expected) && i < json_array_size(actual); i++) {
        json_t *mine = json_object_get(json_object_get(json_array_get(actual, i), "args"),
                                       "configuration");
        json_t *theirs = json_object_get(json_object_get(json_array_get(expected, i), "args"),
                                         "configuration");
        const json_t *guest = json_object_get(json_object_get(mine, "GuestRequest"), "Settings");
        const char *nic = json_string_value(json_object_get(guest, "AdapterId"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(nic);
        char *text = json_dumps(theirs, JSON_COMPACT);
        const char *placeholder = i < 2 ? "ffffffff-0000-4000-8000-000000000001"
                                        : "ffffffff-0000-4000-8000-000000000002";
        for (char *at = strstr(text, placeholder); at != NULL; at = strstr(at, placeholder))
            memcpy(at, nic, 36);
        json_t *wanted = test_json(text);
        CU_ASSERT(json_equal(wanted, mine));
        json_decref(wanted);
        free(text);
    }
    json_decref(actual);
    json_decref(expected);
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, hcsoci_resources_entry(resources, 0), NULL),
                    0);
    actual = recorded(&f, network_calls);
    CU_ASSERT_EQUAL_FATAL(json_array_size(actual), 2);
    /* Removed in the order they were added (D5). */
    const char *first = json_string_value(json_object_get(
        json_object_get(json_object_get(json_object_get(json_array_get(actual, 0), "args"),
                                        "configuration"),
                        "Settings"),
        "EndpointId"));
    CU_ASSERT_STRING_EQUAL(first, "5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1");
    json_decref(actual);
    /* Gone: removing again is not an error, adding endpoints is. */
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_network_namespace(f.uvm, namespace_id, NULL), 0);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_endpoints_to_namespace(f.uvm, namespace_id, endpoints, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "network namespace not found");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_network_namespace(f.uvm, namespace_id, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_network_namespace(f.uvm, namespace_id, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "network namespace already added");
    hcsoci_resources_free(resources);
    fixture_close(&f);
}

/* Replaces the NIC GUID placeholder of an expected configuration with the drawn one. */
static json_t *with_nic(const json_t *configuration, const char *nic)
{
    char *text = json_dumps(configuration, JSON_COMPACT);
    const char *placeholder = "ffffffff-0000-4000-8000-000000000001";
    for (char *at = strstr(text, placeholder); at != NULL; at = strstr(at, placeholder))
        memcpy(at, nic, 36);
    json_t *result = test_json(text);
    free(text);
    return result;
}

static void test_network_linux_matches_traces_069_and_078(void)
{
    const char *cases[] = {"069-lcow-spec-cleanup", "078-lcow-network-given-namespace-no-guest-ns-support"};
    for (size_t c = 0; c < 2; c++) {
        fixture f;
        fixture_open(&f, cases[c], NULL);
        json_t *endpoints = json_object_get(json_object_get(f.case_document, "host"),
                                            "hnsEndpoints");
        const char *namespace_id = "9b8a7c6d-0000-4000-8000-0000000000a1";
        CU_ASSERT_EQUAL(hcsoci_uvm_add_network_namespace(f.uvm, namespace_id, NULL, NULL), 0);
        CU_ASSERT_EQUAL(hcsoci_uvm_add_endpoints_to_namespace(f.uvm, namespace_id, endpoints, NULL),
                        0);
        json_t *actual = recorded(&f, network_calls);
        json_t *expected = filtered(json_object_get(f.expected, "calls"), network_calls);
        CU_ASSERT_EQUAL(json_array_size(actual), json_array_size(expected));
        for (size_t i = 0; i < json_array_size(expected) && i < json_array_size(actual); i++) {
            json_t *mine = json_object_get(json_object_get(json_array_get(actual, i), "args"),
                                           "configuration");
            const char *path = json_string_value(json_object_get(mine, "ResourcePath"));
            const char *nic = path + strlen("VirtualMachine/Devices/NetworkAdapters/");
            json_t *theirs = json_deep_copy(json_object_get(
                json_object_get(json_array_get(expected, i), "args"), "configuration"));
            /* 078's second NIC uses the second placeholder. */
            char *text = json_dumps(theirs, JSON_COMPACT);
            char *second = strstr(text, "ffffffff-0000-4000-8000-000000000002");
            if (second != NULL)
                memcpy(second, "ffffffff-0000-4000-8000-000000000001", 36);
            json_t *normalized = test_json(text);
            json_t *wanted = with_nic(normalized, nic);
            CU_ASSERT(json_equal(wanted, mine));
            json_decref(normalized);
            json_decref(wanted);
            json_decref(theirs);
            free(text);
        }
        json_decref(actual);
        json_decref(expected);
        hcsoci_sim_host_journal_clear(f.host);
        CU_ASSERT_EQUAL(hcsoci_uvm_remove_network_namespace(f.uvm, namespace_id, NULL), 0);
        CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(f.host)),
                        json_array_size(endpoints));
        fixture_close(&f);
    }
}

/* ---- combined layers ---- */

static void test_combine_layers_match_traces_049_and_068(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    json_t *layers = json_pack("[{s:s,s:s},{s:s,s:s}]", "Id", "8d2a4c6e-1111-4a5b-9c3d-000000000001",
                               "Path", GUEST_PREFIX "s1", "Id",
                               "8d2a4c6e-2222-4a5b-9c3d-000000000002", "Path", GUEST_PREFIX "s2");
    hcsoci_resources *resources = hcsoci_resources_new("c");
    CU_ASSERT_EQUAL(hcsoci_uvm_combine_layers_wcow(f.uvm, layers, "C:\\c\\1", resources, NULL), 0);
    assert_calls_match_trace(&f, "calls", combined_layers_calls);
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, hcsoci_resources_entry(resources, 0), NULL),
                    0);
    assert_calls_match_trace(&f, "releaseCalls", combined_layers_calls);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_combine_layers_lcow(f.uvm, layers, NULL, "/r", NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "not supported");
    json_decref(layers);
    hcsoci_resources_free(resources);
    fixture_close(&f);

    fixture_open(&f, "068-lcow-basic-vpmem", NULL);
    json_t *paths = test_json("[\"/run/layers/p0\", \"/run/layers/p1\"]");
    CU_ASSERT_EQUAL(hcsoci_uvm_combine_layers_lcow(f.uvm, paths, "/run/gcs/c/c-lcow-1",
                                                   "/run/gcs/c/c-lcow-1/rootfs", NULL, NULL),
                    0);
    assert_calls_match_trace(&f, "calls", combined_layers_calls);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_combined_layers(f.uvm, "/run/gcs/c/c-lcow-1/rootfs", NULL),
                    0);
    assert_calls_match_trace(&f, "releaseCalls", combined_layers_calls);
    json_t *bad = test_json("[3]");
    CU_ASSERT_EQUAL(hcsoci_uvm_combine_layers_lcow(f.uvm, bad, NULL, "/r", NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "invalid layer path 0");
    json_decref(bad);
    json_decref(paths);
    fixture_close(&f);
}

/* ---- modify semantics ---- */

static void test_modify_with_a_guest_connection(void)
{
    fixture f;
    fixture_open(&f, "068-lcow-basic-vpmem",
                 "{\"files\": {\"C:\\\\l.vhd\": {\"size\": 10}},"
                 " \"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 2}}");
    hcsoci_uvm_set_guest_connection(f.uvm, true);
    char *path = NULL;
    hcsoci_error *error = NULL;
    /* Host part added, guest part fails, host part removed again. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, "C:\\l.vhd", &path, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "uvm::AddVPMEM: failed to modify utility VM configuration: "
                                      "guest modify: hcsshim::System::Modify uvm-lcow-1");
    json_t *calls = recorded(&f, every_call);
    CU_ASSERT_EQUAL_FATAL(json_array_size(calls), 3);
    const char *expected[] = {
        "{\"ResourcePath\":\"VirtualMachine/Devices/VirtualPMem/Devices/0\",\"RequestType\":"
        "\"Add\",\"Settings\":{\"HostPath\":\"C:\\\\l.vhd\",\"ReadOnly\":true,\"ImageFormat\":"
        "\"Vhd1\"}}",
        "{\"GuestRequest\":{\"RequestType\":\"Add\",\"ResourceType\":\"VPMemDevice\","
        "\"Settings\":{\"MountPath\":\"/run/layers/p0\"}}}",
        "{\"ResourcePath\":\"VirtualMachine/Devices/VirtualPMem/Devices/0\",\"RequestType\":"
        "\"Remove\",\"Settings\":{\"HostPath\":\"C:\\\\l.vhd\",\"ReadOnly\":true,\"ImageFormat\":"
        "\"Vhd1\"}}",
    };
    for (size_t i = 0; i < 3; i++)
        assert_json_text(json_object_get(json_object_get(json_array_get(calls, i), "args"),
                                         "configuration"),
                         expected[i]);
    json_decref(calls);
    hcsoci_sim_host_journal_clear(f.host);
    /* Adding works; removing sends the guest part first. */
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, "C:\\l.vhd", &path, NULL, NULL), 0);
    free(path);
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vpmem(f.uvm, "C:\\l.vhd", NULL), 0);
    calls = recorded(&f, every_call);
    CU_ASSERT_EQUAL_FATAL(json_array_size(calls), 2);
    const json_t *first = json_object_get(json_object_get(json_array_get(calls, 0), "args"),
                                          "configuration");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(first, "GuestRequest"));
    CU_ASSERT_PTR_NULL(json_object_get(first, "ResourcePath"));
    const json_t *second = json_object_get(json_object_get(json_array_get(calls, 1), "args"),
                                           "configuration");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(second, "RequestType")), "Remove");
    CU_ASSERT_PTR_NULL(json_object_get(second, "GuestRequest"));
    json_decref(calls);
    fixture_close(&f);
}

static void test_modify_rejects_bad_requests(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    hcsoci_error *error = NULL;
    json_t *array = test_json("[]");
    CU_ASSERT_EQUAL(hcsoci_uvm_modify(f.uvm, array, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "invalid modify request: must be an object");
    CU_ASSERT_EQUAL(hcsoci_uvm_guest_request(f.uvm, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "invalid guest request");
    json_decref(array);
    /* A request the HCS schema does not describe is refused before the host sees it. */
    json_t *guest = test_json("{\"RequestType\":\"Add\",\"ResourceType\":\"X\"}");
    size_t calls_before = json_array_size(hcsoci_sim_host_journal(f.host));
    CU_ASSERT_EQUAL(hcsoci_uvm_guest_request(f.uvm, guest, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "hcsoci: guest modify request X does not conform to the HCS "
                                      "schema: GuestRequest.ResourceType: \"X\" is not one of");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(f.host)), calls_before);
    json_decref(guest);
    fixture_close(&f);
}

static void test_release_entry_rejects_bad_entries(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    const char *entries[][2] = {
        {"{\"kind\":\"uvm.teleporter\"}", "kind 'uvm.teleporter'"},
        {"{\"hostPath\":\"x\"}", "missing field 'entry.kind'"},
        {"{\"kind\":\"uvm.scsi\"}", "missing field 'uvm.scsi.hostPath'"},
        {"{\"kind\":\"uvm.vsmb\",\"hostPath\":3}", "uvm.vsmb.hostPath"},
        {"{\"kind\":\"uvm.plan9\",\"name\":\"0\"}", "uvm.plan9.uvmPath"},
        {"[]", "must be an object"},
    };
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        json_t *entry = test_json(entries[i][0]);
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, entry, &error), -1);
        TEST_ASSERT_ERROR_CONTAINS(error, entries[i][1]);
        json_decref(entry);
    }
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    fixture_close(&f);
}

/* Every kind of "uvm." ledger entry reaches its own release, on a Windows VM that holds none of
 * them: an entry without its required field is refused naming that kind's field, and an entry
 * for a resource the VM does not hold fails, or sends a request, as only that kind's release
 * does. A kind missing from the dispatch, misspelled, or sent to another kind's release fails
 * here. */
static void test_every_ledger_kind_reaches_its_own_release(void)
{
    const struct {
        const char *without_field;   /* an entry missing a required field */
        const char *missing_message; /* the exact refusal */
        const char *absent;          /* an entry for a resource the VM does not hold */
        const char *absent_message;  /* the exact failure, or NULL when the release succeeds */
        const char *sent;            /* the one request sent, or NULL when none is */
    } kinds[] = {
        {"{\"kind\":\"uvm.vsmb\",\"readOnly\":true}",
         "invalid ledger entry: missing field 'uvm.vsmb.hostPath'",
         "{\"kind\":\"uvm.vsmb\",\"hostPath\":\"C:\\\\nowhere\",\"readOnly\":false}",
         "failed to remove VSMB share: CreateFile C:\\nowhere: The system cannot find the path "
         "specified.",
         NULL},
        {"{\"kind\":\"uvm.scsi\"}", "invalid ledger entry: missing field 'uvm.scsi.hostPath'",
         "{\"kind\":\"uvm.scsi\",\"hostPath\":\"C:\\\\n.vhdx\"}",
         "failed to remove SCSI device: not attached", NULL},
        {"{\"kind\":\"uvm.vpmem\"}", "invalid ledger entry: missing field 'uvm.vpmem.hostPath'",
         "{\"kind\":\"uvm.vpmem\",\"hostPath\":\"C:\\\\a.vhd\"}", "not supported", NULL},
        {"{\"kind\":\"uvm.lcowLayer\"}",
         "invalid ledger entry: missing field 'uvm.lcowLayer.hostPath'",
         "{\"kind\":\"uvm.lcowLayer\",\"hostPath\":\"C:\\\\a.vhd\"}",
         "failed to remove VPMEM layer: not supported", NULL},
        {"{\"kind\":\"uvm.plan9\",\"uvmPath\":\"/m\"}",
         "invalid ledger entry: missing field 'uvm.plan9.name'",
         "{\"kind\":\"uvm.plan9\",\"name\":\"0\",\"uvmPath\":\"/m\"}",
         "failed to remove plan9 share: not supported", NULL},
        {"{\"kind\":\"uvm.pipe\"}", "invalid ledger entry: missing field 'uvm.pipe.hostPath'",
         "{\"kind\":\"uvm.pipe\",\"hostPath\":\"\\\\\\\\.\\\\pipe\\\\none\"}",
         "failed to remove pipe mount: pipe \\\\.\\pipe\\none is not mapped into the uvm "
         "uvm-wcow-1",
         NULL},
        {"{\"kind\":\"uvm.vpci\"}",
         "invalid ledger entry: missing field 'uvm.vpci.deviceInstanceId'",
         "{\"kind\":\"uvm.vpci\",\"deviceInstanceId\":\"PCIP\\\\none\"}",
         "failed to remove VPCI device: no device with ID PCIP\\none is present on the uvm "
         "uvm-wcow-1",
         NULL},
        {"{\"kind\":\"uvm.hvsocket\"}",
         "invalid ledger entry: missing field 'uvm.hvsocket.serviceId'",
         "{\"kind\":\"uvm.hvsocket\",\"serviceId\":\"" TEST_SERVICE_ID "\"}", NULL,
         "{\"ResourcePath\":\"VirtualMachine/Devices/HvSocket/HvSocketConfig/ServiceTable/"
         TEST_SERVICE_ID "\","
         "\"RequestType\":\"Remove\"}"},
        {"{\"kind\":\"uvm.networkNamespace\"}",
         "invalid ledger entry: missing field 'uvm.networkNamespace.namespaceId'",
         "{\"kind\":\"uvm.networkNamespace\",\"namespaceId\":\"ns\"}", NULL, NULL},
        {"{\"kind\":\"uvm.combinedLayers\"}",
         "invalid ledger entry: missing field 'uvm.combinedLayers.containerRootPath'",
         "{\"kind\":\"uvm.combinedLayers\",\"containerRootPath\":\"C:\\\\c\\\\1\"}", NULL,
         "{\"GuestRequest\":{\"RequestType\":\"Remove\",\"ResourceType\":\"CombinedLayers\","
         "\"Settings\":{\"ContainerRootPath\":\"C:\\\\c\\\\1\"}}}"},
    };
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        json_t *entry = test_json(kinds[i].without_field);
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, entry, &error), -1);
        TEST_ASSERT_ERROR_IS(error, kinds[i].missing_message);
        CU_ASSERT_EQUAL(recorded_count(&f), 0);
        json_decref(entry);

        entry = test_json(kinds[i].absent);
        error = NULL;
        int status = hcsoci_uvm_release_entry(f.uvm, entry, &error);
        if (kinds[i].absent_message != NULL) {
            CU_ASSERT_EQUAL(status, -1);
            TEST_ASSERT_ERROR_IS(error, kinds[i].absent_message);
        } else {
            CU_ASSERT_EQUAL(status, 0);
            CU_ASSERT_PTR_NULL(error);
        }
        CU_ASSERT_EQUAL(recorded_count(&f), kinds[i].sent != NULL ? 1 : 0);
        if (kinds[i].sent != NULL)
            assert_json_text(last_configuration(&f), kinds[i].sent);
        hcsoci_sim_host_journal_clear(f.host);
        json_decref(entry);
    }
    fixture_close(&f);
}

/* The refusals before any kind's release: no VM, no object, no kind, an unknown kind, and a
 * field of the wrong type, with their exact messages. */
static void test_release_entry_refusals_are_exact(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", NULL);
    const char *entries[][2] = {
        {"{\"kind\":\"uvm.teleporter\"}",
         "cannot release a resource of kind 'uvm.teleporter': not a utility VM resource"},
        {"{\"kind\":\"network.endpoint\"}",
         "cannot release a resource of kind 'network.endpoint': not a utility VM resource"},
        {"{\"hostPath\":\"x\"}", "invalid ledger entry: missing field 'entry.kind'"},
        {"{\"kind\":3}", "invalid field 'entry.kind': must be a string, not an integer"},
        {"{\"kind\":\"uvm.vsmb\",\"hostPath\":\"x\",\"readOnly\":\"yes\"}",
         "invalid field 'uvm.vsmb.readOnly': must be true or false, not a string"},
        {"[]", "invalid ledger entry: must be an object, not an array"},
    };
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        json_t *entry = test_json(entries[i][0]);
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, entry, &error), -1);
        TEST_ASSERT_ERROR_IS(error, entries[i][1]);
        json_decref(entry);
    }
    json_t *entry = test_json("{\"kind\":\"uvm.scsi\",\"hostPath\":\"C:\\\\a.vhdx\"}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(NULL, entry, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "cannot release a utility VM resource: no VM");
    json_decref(entry);
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    fixture_close(&f);
}

static void test_more_ledger_entries(void)
{
    fixture f;
    fixture_open(&f, "068-lcow-basic-vpmem",
                 "{\"files\": {\"C:\\\\a.vhd\": {\"size\": 1}, \"C:\\\\b.vhd\": {\"size\": 1}}}");
    hcsoci_resources *resources = hcsoci_resources_new("c");
    char *path = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vpmem(f.uvm, "C:\\a.vhd", &path, resources, NULL), 0);
    free(path);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_lcow_layer(f.uvm, "C:\\b.vhd", &path, resources, NULL), 0);
    free(path);
    hcsoci_hvsocket_service_config config = {.disabled = true};
    CU_ASSERT_EQUAL(
        hcsoci_uvm_update_hvsocket_service(f.uvm, TEST_SERVICE_ID, &config, resources, NULL), 0);
    assert_json_text(last_configuration(&f),
                     "{\"ResourcePath\":\"VirtualMachine/Devices/HvSocket/HvSocketConfig/"
                     "ServiceTable/" TEST_SERVICE_ID "\",\"RequestType\":\"Update\",\"Settings\":{"
                     "\"Disabled\":true}}");
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_count(resources), 3);
    assert_json_text(hcsoci_resources_entry(resources, 0),
                     "{\"kind\":\"uvm.vpmem\",\"hostPath\":\"C:\\\\a.vhd\"}");
    assert_json_text(hcsoci_resources_entry(resources, 1),
                     "{\"kind\":\"uvm.lcowLayer\",\"hostPath\":\"C:\\\\b.vhd\"}");
    assert_json_text(hcsoci_resources_entry(resources, 2),
                     "{\"kind\":\"uvm.hvsocket\",\"serviceId\":\"" TEST_SERVICE_ID "\"}");
    hcsoci_sim_host_journal_clear(f.host);
    for (size_t i = 3; i > 0; i--)
        CU_ASSERT_EQUAL(hcsoci_uvm_release_entry(f.uvm, hcsoci_resources_entry(resources, i - 1),
                                                 NULL),
                        0);
    json_t *calls = recorded(&f, every_call);
    CU_ASSERT_EQUAL(json_array_size(calls), 3);
    const char *paths[] = {"VirtualMachine/Devices/HvSocket/HvSocketConfig/ServiceTable/"
                           TEST_SERVICE_ID,
                           "VirtualMachine/Devices/VirtualPMem/Devices/1",
                           "VirtualMachine/Devices/VirtualPMem/Devices/0"};
    for (size_t i = 0; i < 3 && i < json_array_size(calls); i++) {
        CU_ASSERT_STRING_EQUAL(resource_path_of(json_array_get(calls, i)), paths[i]);
        CU_ASSERT_STRING_EQUAL(
            json_string_value(json_object_get(
                json_object_get(json_object_get(json_array_get(calls, i), "args"),
                                "configuration"),
                "RequestType")),
            "Remove");
    }
    json_decref(calls);
    /* The vPMEM devices are all gone (an Update is not counted as an add by the sim). */
    json_t *held = hcsoci_sim_host_held(f.host);
    json_t *modifications = json_object_get(json_object_get(held, "modifications"), "uvm-lcow-1");
    const char *key;
    json_t *value;
    json_object_foreach(modifications, key, value)
        CU_ASSERT(strstr(key, "VirtualPMem") == NULL);
    json_decref(held);
    hcsoci_resources_free(resources);
    fixture_close(&f);
}

static void test_failed_request_text_escapes_like_go(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic",
                 "{\"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 1}}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_assign_device(f.uvm, "PCI\\<A&B>", NULL, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "\"DeviceInstancePath\":\"PCI\\\\\\u003cA\\u0026B\\u003e\"");
    /* Nothing is kept: the device can be assigned again. */
    CU_ASSERT_EQUAL(hcsoci_uvm_assign_device(f.uvm, "PCI\\<A&B>", NULL, NULL, NULL), 0);
    fixture_close(&f);
}

static void test_network_namespace_guest_request_for_windows(void)
{
    fixture f;
    fixture_open(&f, "055-xenon-v2-network-create-namespace",
                 "{\"hnsNamespaces\": {\"9b8a7c6d-0000-4000-8000-0000000000a1\": []}}");
    hcsoci_uvm_free(f.uvm);
    hcsoci_uvm_properties properties = {.id = "uvm-wcow-1", .os = HCSOCI_UVM_WINDOWS,
                                        .processor_count = 2, .scsi_controller_count = 1,
                                        .namespace_add_request_supported = true};
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_new(f.host, &properties, &f.uvm, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_network_namespace(f.uvm, "9b8a7c6d-0000-4000-8000-0000000000a1",
                                                     NULL, NULL),
                    0);
    assert_json_text(last_configuration(&f),
                     "{\"GuestRequest\":{\"RequestType\":\"Add\",\"ResourceType\":"
                     "\"NetworkNamespace\",\"Settings\":{\"ID\":"
                     "\"9b8a7c6d-0000-4000-8000-0000000000a1\",\"SchemaVersion\":{\"Major\":2,"
                     "\"Minor\":0}}}}");
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_network_namespace(f.uvm,
                                                        "9b8a7c6d-0000-4000-8000-0000000000a1",
                                                        NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(json_object_get(last_configuration(&f), "GuestRequest"),
                                          "RequestType")),
        "Remove");
    /* A namespace the host does not know is an error, and nothing is recorded. */
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_add_network_namespace(f.uvm, "unknown", NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Element not found.");
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_network_namespace(f.uvm, "unknown", NULL), 0);
    fixture_close(&f);
}

/* ---- the state as JSON ---- */

/* A container counter at the largest value its saved state holds refuses the next number
 * instead of wrapping, and the state still reads back. */
static void test_container_counter_refuses_to_overflow(void)
{
    fixture f;
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi", "{}");
    json_t *saved = hcsoci_uvm_to_json(f.uvm);
    CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
    json_object_set_new(saved, "containerCounter", json_integer(INT64_MAX - 1));
    hcsoci_uvm *loaded = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_from_json(f.host, saved, &loaded, NULL), 0);
    uint64_t number = 0;
    CU_ASSERT_EQUAL(hcsoci_uvm_take_container_number(loaded, &number, NULL), 0);
    CU_ASSERT_EQUAL(number, (uint64_t)INT64_MAX);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_take_container_number(loaded, &number, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "container counter is at 9223372036854775807");
    json_t *again = hcsoci_uvm_to_json(loaded);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(again, "containerCounter")), INT64_MAX);
    hcsoci_uvm *reloaded = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_from_json(f.host, again, &reloaded, NULL), 0);
    hcsoci_uvm_free(reloaded);
    json_decref(again);
    hcsoci_uvm_free(loaded);
    json_decref(saved);
    fixture_close(&f);
}

/* A VM loaded from saved state whose counter is at INT64_MAX, for the overflow tests. */
static hcsoci_uvm *uvm_with_counter_at_limit(fixture *f, const char *counter)
{
    json_t *saved = hcsoci_uvm_to_json(f->uvm);
    CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
    json_object_set_new(saved, counter, json_integer(INT64_MAX));
    hcsoci_uvm *loaded = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_from_json(f->host, saved, &loaded, NULL), 0);
    json_decref(saved);
    return loaded;
}

/* The mount, VSMB and Plan 9 counters refuse to move past INT64_MAX instead of wrapping: the
 * call fails naming the counter, sends nothing, and the state still reads back. */
static void test_mount_vsmb_and_plan9_counters_refuse_to_overflow(void)
{
    fixture f;
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi", NULL);
    hcsoci_uvm *loaded = uvm_with_counter_at_limit(&f, "mountCounter");
    uint64_t number = 0;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_take_mount_number(loaded, &number, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "its mount counter is at 9223372036854775807");
    hcsoci_uvm_free(loaded);

    loaded = uvm_with_counter_at_limit(&f, "vsmbCounter");
    size_t calls_before = json_array_size(hcsoci_sim_host_journal(f.host));
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(loaded, "C:\\data\\host-rw", NULL, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "its VSMB share counter is at 9223372036854775807");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(f.host)), calls_before);
    json_t *again = hcsoci_uvm_to_json(loaded);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(again, "vsmbCounter")), INT64_MAX);
    hcsoci_uvm *reloaded = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_from_json(f.host, again, &reloaded, NULL), 0);
    hcsoci_uvm_free(reloaded);
    json_decref(again);
    hcsoci_uvm_free(loaded);
    fixture_close(&f);

    fixture_open(&f, "074-lcow-mounts", NULL);
    loaded = uvm_with_counter_at_limit(&f, "plan9Counter");
    calls_before = json_array_size(hcsoci_sim_host_journal(f.host));
    CU_ASSERT_EQUAL(hcsoci_uvm_add_plan9(loaded, "C:\\data\\share", "/run/mounts/p", true, false,
                                         NULL, NULL, NULL, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "its Plan 9 share counter is at 9223372036854775807");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(f.host)), calls_before);
    hcsoci_uvm_free(loaded);
    fixture_close(&f);
}

static void test_json_round_trip(void)
{
    fixture f;
    fixture_open(&f, "050-xenon-v2-mounts-vsmb-pipe-scsi",
                 "{\"files\": {\"C:\\\\b\": \"dir\", \"C:\\\\d\\\\a.txt\": \"file\"}}");
    hcsoci_vsmb_options read_only = hcsoci_uvm_default_vsmb_options(f.uvm, true);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\b", &read_only, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\b", &read_only, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\d\\a.txt", &read_only, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(f.uvm, "C:\\s.vhdx", "C:\\c\\1", false,
                                        HCSOCI_VM_ACCESS_NONE, NULL, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(hcsoci_uvm_assign_device(f.uvm, "dev", NULL, NULL, NULL), 0);
    json_t *endpoints = test_json("[{\"ID\":\"" TEST_ENDPOINT_ID "\",\"MacAddress\":\"m\","
                                  "\"Namespace\":{\"ID\":\"" TEST_NAMESPACE_ID "\"}}]");
    CU_ASSERT_EQUAL(hcsoci_uvm_add_network_namespace(f.uvm, TEST_NAMESPACE_ID, NULL, NULL), 0);
    CU_ASSERT_EQUAL(
        hcsoci_uvm_add_endpoints_to_namespace(f.uvm, TEST_NAMESPACE_ID, endpoints, NULL), 0);
    json_decref(endpoints);
    hcsoci_uvm_next_container_number(f.uvm);
    hcsoci_uvm_next_mount_number(f.uvm);
    hcsoci_uvm_next_mount_number(f.uvm);

    /* Through text, as the command keeps it in ROOT/uvm-<id>.json. */
    json_t *saved = hcsoci_uvm_to_json(f.uvm);
    CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
    char *text = json_dumps(saved, JSON_INDENT(2));
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    json_t *reread = test_json(text);
    free(text);
    hcsoci_uvm *loaded = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_from_json(f.host, reread, &loaded, NULL), 0);
    CU_ASSERT_STRING_EQUAL(hcsoci_uvm_id(loaded), "uvm-wcow-1");
    json_t *before = hcsoci_uvm_to_json(f.uvm);
    json_t *after = hcsoci_uvm_to_json(loaded);
    CU_ASSERT(json_equal(before, after));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(after, "vsmbCounter")), 2);
    json_decref(before);
    json_decref(after);

    /* The loaded model carries on: counters continue, references and slots hold. */
    CU_ASSERT_EQUAL(hcsoci_uvm_next_container_number(loaded), 2);
    CU_ASSERT_EQUAL(hcsoci_uvm_next_mount_number(loaded), 3);
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(loaded, "C:\\b", true, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 0);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(loaded, "C:\\b", true, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 1);
    hcsoci_scsi_location location = {9, 9};
    CU_ASSERT_EQUAL(hcsoci_uvm_add_scsi(loaded, "C:\\t.vhdx", NULL, false, HCSOCI_VM_ACCESS_NONE,
                                        &location, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(location.lun, 1);
    char *path = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_vsmb_guest_path(loaded, "C:\\d\\a.txt", true, &path, NULL), 0);
    CU_ASSERT_STRING_EQUAL(path, GUEST_PREFIX "s2\\a.txt");
    free(path);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_device(loaded, "dev", NULL), 0);
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_uvm_remove_network_namespace(loaded, TEST_NAMESPACE_ID, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 1);
    hcsoci_uvm_free(loaded);

    /* A saved model with a bad member is refused, naming the VM and the member. */
    hcsoci_error *error = NULL;
    json_object_set_new(reread, "mountCounter", json_string("2"));
    CU_ASSERT_EQUAL(hcsoci_uvm_from_json(f.host, reread, &loaded, &error), -1);
    CU_ASSERT_PTR_NULL(loaded);
    TEST_ASSERT_ERROR_CONTAINS(error, "invalid saved utility VM 'uvm-wcow-1'");
    CU_ASSERT_EQUAL(hcsoci_uvm_from_json(f.host, reread, &loaded, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "uvm.mountCounter");
    json_decref(reread);
    json_decref(saved);
    fixture_close(&f);
}

static void test_load_names_bad_fields(void)
{
    hcsoci_host *host = test_sim_host("{}");
    const char *base = "\"id\":\"u\",\"os\":\"windows\",\"processorCount\":1";
    const char *cases[][2] = {
        {"\"vsmbCounter\":-1", "uvm.vsmbCounter"},
        {"\"vsmbDirectoryShares\":[{\"hostPath\":\"C:\\\\x\",\"readOnly\":true,\"refCount\":1}]",
         "uvm.vsmbDirectoryShares[0].name"},
        {"\"vsmbFileShares\":[{\"hostPath\":\"C:\\\\x\",\"name\":\"s1\",\"refCount\":0}]",
         "uvm.vsmbFileShares[0].refCount"},
        {"\"scsi\":[{\"hostPath\":\"a\",\"uvmPath\":\"\",\"controller\":4,\"lun\":0,"
         "\"refCount\":1}]",
         "uvm.scsi[0].controller"},
        {"\"scsi\":[{\"hostPath\":\"a\",\"uvmPath\":\"\",\"controller\":0,\"lun\":0,\"refCount\":1},"
         "{\"hostPath\":\"b\",\"uvmPath\":\"\",\"controller\":0,\"lun\":0,\"refCount\":1}]",
         "repeats a slot"},
        {"\"vpmem\":[{\"deviceNumber\":0,\"hostPath\":\"a\",\"uvmPath\":\"p\",\"refCount\":1}]",
         "uvm.vpmem[0].deviceNumber"},
        {"\"vpciDevices\":{}", "uvm.vpciDevices"},
        {"\"networkNamespaces\":[{\"id\":\"n\",\"nics\":[{\"endpointId\":\"e\",\"nicId\":\"g\"}]}]",
         "uvm.networkNamespaces[0].nics[0].endpoint"},
        {"\"guestConnection\":\"yes\"", "uvm.guestConnection"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "{%s,%s}", base, cases[i][0]);
        json_t *value = test_json(text);
        hcsoci_uvm *uvm = NULL;
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hcsoci_uvm_from_json(host, value, &uvm, &error), -1);
        CU_ASSERT_PTR_NULL(uvm);
        TEST_ASSERT_ERROR_CONTAINS(error, cases[i][1]);
        json_decref(value);
    }
    hcsoci_host_destroy(host);
}

/* ---- limits of the VM's properties ---- */

/* Each bounded hostingSystem member at its limits (taken) and one past them (refused, naming
 * the field and the value); hcsoci_uvm_new checks the same limits on properties. */
static void test_hosting_system_limits_on_both_sides(void)
{
    static const struct {
        const char *member;
        const char *value;
        const char *error; /* NULL: taken */
    } cases[] = {
        {"processorCount", "1", NULL},
        {"processorCount", "1024", NULL},
        {"processorCount", "0",
         "invalid field 'hostingSystem.processorCount': 0 is out of range [1, 1024]"},
        {"processorCount", "1025",
         "invalid field 'hostingSystem.processorCount': 1025 is out of range [1, 1024]"},
        {"scsiControllerCount", "0", NULL},
        {"scsiControllerCount", "4", NULL},
        {"scsiControllerCount", "-1",
         "invalid field 'hostingSystem.scsiControllerCount': -1 is out of range [0, 4]"},
        {"scsiControllerCount", "5",
         "invalid field 'hostingSystem.scsiControllerCount': 5 is out of range [0, 4]"},
        {"vpmemMaxCount", "0", NULL},
        {"vpmemMaxCount", "128", NULL},
        {"vpmemMaxCount", "-1",
         "invalid field 'hostingSystem.vpmemMaxCount': -1 is out of range [0, 128]"},
        {"vpmemMaxCount", "129",
         "invalid field 'hostingSystem.vpmemMaxCount': 129 is out of range [0, 128]"},
        {"vpmemMaxSizeBytes", "0", NULL},
        {"vpmemMaxSizeBytes", "9223372036854775807", NULL},
        {"vpmemMaxSizeBytes", "-1",
         "invalid field 'hostingSystem.vpmemMaxSizeBytes': -1 is out of range "
         "[0, 9223372036854775807]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[160];
        snprintf(text, sizeof text, "{\"id\": \"u\", \"os\": \"linux\", \"%s\": %s}",
                 cases[i].member, cases[i].value);
        json_t *value = test_json(text);
        hcsoci_uvm_properties properties;
        hcsoci_error *error = NULL;
        int status = hcsoci_uvm_properties_from_json(value, &properties, &error);
        if ((status == 0) != (cases[i].error == NULL))
            fprintf(stderr, "\n  %s: %s\n", text, error != NULL ? error->message : "taken");
        CU_ASSERT_EQUAL(status, cases[i].error == NULL ? 0 : -1);
        CU_ASSERT_EQUAL(error == NULL, cases[i].error == NULL);
        if (cases[i].error != NULL && error != NULL)
            CU_ASSERT_STRING_EQUAL(error->message, cases[i].error);
        hcsoci_error_free(error);
        json_decref(value);
    }
    json_t *largest = test_json("{\"id\": \"u\", \"os\": \"linux\", \"processorCount\": 1024,"
                                " \"scsiControllerCount\": 4, \"vpmemMaxCount\": 128}");
    hcsoci_uvm_properties properties;
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_properties_from_json(largest, &properties, NULL), 0);
    CU_ASSERT_EQUAL(properties.processor_count, 1024);
    CU_ASSERT_EQUAL(properties.scsi_controller_count, 4);
    CU_ASSERT_EQUAL(properties.vpmem_max_count, 128);

    /* The same limits on the properties themselves. */
    hcsoci_host *host = test_sim_host("{}");
    hcsoci_uvm *uvm = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_uvm_new(host, &properties, &uvm, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(hcsoci_uvm_processor_count(uvm), 1024);
    hcsoci_uvm_free(uvm);
    uvm = NULL;
    hcsoci_uvm_properties smallest = properties;
    smallest.processor_count = 1;
    smallest.scsi_controller_count = 0;
    smallest.vpmem_max_count = 0;
    CU_ASSERT_EQUAL(hcsoci_uvm_new(host, &smallest, &uvm, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    hcsoci_uvm_free(uvm);
    uvm = NULL;
    hcsoci_uvm_properties refused[3] = {properties, properties, properties};
    refused[0].processor_count = 0;
    refused[1].scsi_controller_count = 5;
    refused[2].vpmem_max_count = 129;
    static const char *const refused_errors[] = {
        "invalid utility VM processor count 0: must be at least 1",
        "invalid utility VM SCSI controller count 5: at most 4",
        "invalid utility VM vPMEM device count 129: at most 128",
    };
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(hcsoci_uvm_new(host, &refused[i], &uvm, &error), -1);
        CU_ASSERT_PTR_NULL(uvm);
        CU_ASSERT_PTR_NOT_NULL_FATAL(error);
        CU_ASSERT_STRING_EQUAL(error->message, refused_errors[i]);
        hcsoci_error_free(error);
        error = NULL;
    }
    json_decref(largest);
    hcsoci_host_destroy(host);
}

/* A saved VM's slots: the last SCSI controller and LUN and the last vPMEM device are taken,
 * one past each is refused. */
static void test_load_takes_the_last_slots_and_refuses_one_past(void)
{
    hcsoci_host *host = test_sim_host("{}");
    const char *base = "\"id\":\"u\",\"os\":\"linux\",\"processorCount\":1,\"vpmemMaxCount\":2";
    static const struct {
        const char *members;
        const char *error; /* NULL: taken */
    } cases[] = {
        {"\"scsi\":[{\"hostPath\":\"a\",\"uvmPath\":\"\",\"controller\":3,\"lun\":63,"
         "\"refCount\":1}]",
         NULL},
        {"\"scsi\":[{\"hostPath\":\"a\",\"uvmPath\":\"\",\"controller\":4,\"lun\":0,"
         "\"refCount\":1}]",
         "invalid saved utility VM 'u': invalid field 'uvm.scsi[0].controller': 4 is out of "
         "range [0, 3]"},
        {"\"scsi\":[{\"hostPath\":\"a\",\"uvmPath\":\"\",\"controller\":0,\"lun\":64,"
         "\"refCount\":1}]",
         "invalid saved utility VM 'u': invalid field 'uvm.scsi[0].lun': 64 is out of range "
         "[0, 63]"},
        {"\"vpmem\":[{\"deviceNumber\":1,\"hostPath\":\"a\",\"uvmPath\":\"p\",\"refCount\":1}]",
         NULL},
        {"\"vpmem\":[{\"deviceNumber\":2,\"hostPath\":\"a\",\"uvmPath\":\"p\",\"refCount\":1}]",
         "invalid saved utility VM 'u': invalid field 'uvm.vpmem[0].deviceNumber': 2 is out "
         "of range [0, 1]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "{%s,%s}", base, cases[i].members);
        json_t *value = test_json(text);
        hcsoci_uvm *uvm = NULL;
        hcsoci_error *error = NULL;
        int status = hcsoci_uvm_from_json(host, value, &uvm, &error);
        if ((status == 0) != (cases[i].error == NULL))
            fprintf(stderr, "\n  %s: %s\n", text, error != NULL ? error->message : "taken");
        CU_ASSERT_EQUAL(status, cases[i].error == NULL ? 0 : -1);
        CU_ASSERT_EQUAL(uvm != NULL, cases[i].error == NULL);
        CU_ASSERT_EQUAL(error == NULL, cases[i].error == NULL);
        if (cases[i].error != NULL && error != NULL)
            CU_ASSERT_STRING_EQUAL(error->message, cases[i].error);
        hcsoci_error_free(error);
        hcsoci_uvm_free(uvm);
        json_decref(value);
    }
    hcsoci_host_destroy(host);
}

/* ---- paths ---- */

static void test_share_keys_use_cleaned_paths(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic",
                 "{\"files\": {\"C:\\\\a\\\\b\": \"dir\", \"C:\\\\a\\\\b\\\\f.txt\": \"file\"}}");
    hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(f.uvm, true);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\a\\b", &options, NULL, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 1);
    /* The same directory written differently is the same share: no new request. */
    const char *aliases[] = {"C:\\a\\b\\", "C:/a/b", "C:\\a\\b\\\\"};
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, aliases[i], &options, NULL, NULL), 0);
        char *path = NULL;
        CU_ASSERT_EQUAL(hcsoci_uvm_vsmb_guest_path(f.uvm, aliases[i], true, &path, NULL), 0);
        CU_ASSERT_STRING_EQUAL(path, GUEST_PREFIX "s1");
        free(path);
    }
    CU_ASSERT_EQUAL(recorded_count(&f), 1);
    for (size_t i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(hcsoci_uvm_remove_vsmb(f.uvm, aliases[i], true, NULL), 0);
    CU_ASSERT_EQUAL(recorded_count(&f), 1);
    CU_ASSERT_EQUAL(hcsoci_uvm_add_vsmb(f.uvm, "C:\\a\\b\\f.txt", &options, NULL, NULL), 0);
    const json_t *settings = json_object_get(last_configuration(&f), "Settings");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(settings, "Path")), "C:\\a\\b");
    fixture_close(&f);
}

/* ---- concurrency ---- */

typedef struct worker {
    hcsoci_uvm *uvm;
    int index;
    uint64_t numbers[50];
    int failures;
} worker;

static void *work(void *argument)
{
    worker *w = argument;
    hcsoci_vsmb_options options = hcsoci_uvm_default_vsmb_options(w->uvm, w->index % 2 == 0);
    for (int i = 0; i < 50; i++) {
        w->numbers[i] = hcsoci_uvm_next_container_number(w->uvm);
        char path[64];
        snprintf(path, sizeof path, "C:\\w%d.vhdx", i % 8);
        if (hcsoci_uvm_add_vsmb(w->uvm, "C:\\shared", &options, NULL, NULL) != 0 ||
            hcsoci_uvm_add_scsi(w->uvm, path, NULL, false, HCSOCI_VM_ACCESS_NONE, NULL, NULL,
                                NULL) != 0 ||
            hcsoci_uvm_remove_scsi(w->uvm, path, NULL) != 0 ||
            hcsoci_uvm_remove_vsmb(w->uvm, "C:\\shared", w->index % 2 == 0, NULL) != 0)
            w->failures++;
    }
    return NULL;
}

static void test_concurrent_use(void)
{
    fixture f;
    fixture_open(&f, "049-xenon-v2-basic", "{\"files\": {\"C:\\\\shared\": \"dir\"}}");
    enum { WORKERS = 4 };
    worker workers[WORKERS];
    pthread_t threads[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        workers[i] = (worker){.uvm = f.uvm, .index = i};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(threads[i], NULL);
    bool seen[WORKERS * 50 + 1] = {false};
    bool unique = true;
    for (int i = 0; i < WORKERS; i++) {
        CU_ASSERT_EQUAL(workers[i].failures, 0);
        for (int n = 0; n < 50; n++) {
            uint64_t number = workers[i].numbers[n];
            if (number < 1 || number > WORKERS * 50 || seen[number])
                unique = false;
            else
                seen[number] = true;
        }
    }
    CU_ASSERT(unique);
    /* Everything was released: the model holds nothing. */
    json_t *state = hcsoci_uvm_to_json(f.uvm);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(state, "vsmbDirectoryShares")), 0);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(state, "scsi")), 0);
    json_decref(state);
    json_t *held = hcsoci_sim_host_held(f.host);
    CU_ASSERT_EQUAL(json_object_size(json_object_get(held, "modifications")), 0);
    json_decref(held);
    fixture_close(&f);
}

int main(void)
{
    static const test_entry tests[] = {
        {"VSMB requests match trace 050", test_vsmb_requests_match_trace_050},
        {"VSMB NoDirectmap when devices are physically backed",
         test_vsmb_no_directmap_when_devices_physically_backed},
        {"VSMB single files grow the allowed list", test_vsmb_single_files_grow_the_allowed_list},
        {"VSMB names count in hex and are never reused",
         test_vsmb_names_count_in_hex_and_are_never_reused},
        {"VSMB failed add reads like trace 065", test_vsmb_failed_add_reads_like_trace_065},
        {"VSMB bad input and os", test_vsmb_bad_input_and_os},
        {"VSMB ledger entry releases the share", test_vsmb_ledger_entry_releases_the_share},
        {"SCSI requests match trace 050", test_scsi_requests_match_trace_050},
        {"SCSI Linux requests match trace 070", test_scsi_linux_requests_match_trace_070},
        {"SCSI reference counting", test_scsi_reference_counting},
        {"SCSI without guest path or access", test_scsi_without_guest_path_or_access},
        {"SCSI limits", test_scsi_limits},
        {"SCSI failures roll back the slot", test_scsi_failures_roll_back_the_slot},
        {"SCSI ledger entry", test_scsi_ledger_entry},
        {"vPMEM requests match trace 068", test_vpmem_requests_match_trace_068},
        {"vPMEM failure reads like trace 083", test_vpmem_failure_reads_like_trace_083},
        {"vPMEM limits fall back to SCSI", test_vpmem_limits_fall_back_to_scsi},
        {"vPMEM size and count on both sides of the limit",
         test_vpmem_size_and_count_on_both_sides_of_the_limit},
        {"Plan 9 requests match trace 074", test_plan9_requests_match_trace_074},
        {"Plan 9 checks and counter", test_plan9_checks_and_counter},
        {"the container counter refuses to overflow", test_container_counter_refuses_to_overflow},
        {"the mount, VSMB and Plan 9 counters refuse to overflow",
         test_mount_vsmb_and_plan9_counters_refuse_to_overflow},
        {"pipes match trace 050", test_pipes_match_trace_050},
        {"pipes are ref-counted", test_pipes_are_ref_counted},
        {"saved pipes are checked", test_saved_pipes_are_checked},
        {"saved resource integers are required", test_saved_resource_integers_are_required},
        {"vPCI request matches trace 079", test_vpci_request_matches_trace_079},
        {"HvSocket update matches trace 061", test_hvsocket_update_matches_trace_061},
        {"network Windows matches trace 055", test_network_windows_matches_trace_055},
        {"network Linux matches traces 069 and 078",
         test_network_linux_matches_traces_069_and_078},
        {"combine layers match traces 049 and 068", test_combine_layers_match_traces_049_and_068},
        {"modify with a guest connection", test_modify_with_a_guest_connection},
        {"modify rejects bad requests", test_modify_rejects_bad_requests},
        {"release entry rejects bad entries", test_release_entry_rejects_bad_entries},
        {"every ledger kind reaches its own release",
         test_every_ledger_kind_reaches_its_own_release},
        {"release entry refusals are exact", test_release_entry_refusals_are_exact},
        {"more ledger entries", test_more_ledger_entries},
        {"failed request text escapes like Go", test_failed_request_text_escapes_like_go},
        {"network namespace guest request for Windows",
         test_network_namespace_guest_request_for_windows},
        {"JSON round trip", test_json_round_trip},
        {"load names bad fields", test_load_names_bad_fields},
        {"hosting system limits on both sides", test_hosting_system_limits_on_both_sides},
        {"load takes the last slots and refuses one past",
         test_load_takes_the_last_slots_and_refuses_one_past},
        {"share keys use cleaned paths", test_share_keys_use_cleaned_paths},
        {"concurrent use", test_concurrent_use},
        {NULL, NULL},
    };
    return test_run_suite("uvm", tests);
}
