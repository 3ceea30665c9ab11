/* The layer service (core/lib/layers.c): preparing the scratch layer on the host; for a
 * process-isolated container, through a WCOW create in a sim host (test_run_create), the scratch
 * sandbox, mounting, the rollback of each failing step, release and layer ids; inside a utility
 * VM, what mounting and unmounting send, and rollback. */
#include "test_support.h"

#include <hcsoci/layers.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "C:\\\\l\\\\base"
#define MIDDLE "C:\\\\l\\\\mid"
#define SCRATCH "C:\\\\l\\\\scratch"

static const char *const uvm_world =
    "{\"files\": {\"" BASE "\": \"dir\", \"" MIDDLE "\": \"dir\", \"" SCRATCH "\": \"dir\","
    " \"" SCRATCH "\\\\sandbox.vhdx\": \"file\","
    " \"" BASE "\\\\layer.vhd\": {\"size\": 1000}, \"" MIDDLE "\\\\layer.vhd\": {\"size\": 1000}},"
    " \"layerIds\": {\"" BASE "\": \"8d2a4c6e-1111-4a5b-9c3d-000000000001\","
    "               \"" MIDDLE "\": \"8d2a4c6e-2222-4a5b-9c3d-000000000002\"}}";

typedef struct fixture {
    hcsoci_host *host;
    hcsoci_uvm *uvm;
    json_t *folders;
} fixture;

static fixture make_fixture(const char *world_json, hcsoci_uvm_os os)
{
    fixture made = {.host = test_sim_host(world_json)};
    hcsoci_uvm_properties properties = {.id = "uvm-1", .owner = "o", .os = os,
                                        .processor_count = 2, .scsi_controller_count = 1,
                                        .vpmem_max_count = 4, .vpmem_max_size_bytes = 4096};
    CU_ASSERT_EQUAL_FATAL(hcsoci_uvm_new(made.host, &properties, &made.uvm, NULL), 0);
    made.folders = test_json("[\"" BASE "\", \"" MIDDLE "\", \"" SCRATCH "\"]");
    return made;
}

static void free_fixture(fixture *used)
{
    json_decref(used->folders);
    hcsoci_uvm_free(used->uvm);
    hcsoci_host_destroy(used->host);
}

/* "Call ResourcePath|ResourceType RequestType" per journal entry, joined by ", ". */
static const char *journal_summary(hcsoci_host *host)
{
    static char summary[4096];
    summary[0] = '\0';
    size_t index;
    json_t *call;
    json_array_foreach(hcsoci_sim_host_journal(host), index, call) {
        const char *name = json_string_value(json_object_get(call, "call"));
        const json_t *configuration = json_object_get(json_object_get(call, "args"), "configuration");
        const char *what = json_string_value(json_object_get(configuration, "ResourcePath"));
        const char *request = json_string_value(json_object_get(configuration, "RequestType"));
        if (what == NULL) {
            const json_t *guest = json_object_get(configuration, "GuestRequest");
            what = json_string_value(json_object_get(guest, "ResourceType"));
            request = json_string_value(json_object_get(guest, "RequestType"));
        }
        size_t used = strlen(summary);
        snprintf(summary + used, sizeof summary - used, "%s%s%s%s%s%s", index > 0 ? ", " : "",
                 name, what != NULL ? " " : "", what != NULL ? what : "", request != NULL ? " " : "",
                 request != NULL ? request : "");
    }
    return summary;
}

/* ---- Process isolated, through a WCOW create ---- */

/* The calls of mounting the layers of the WCOW world's spec (and one NameToGuid of the
 * document). */
#define MOUNTED_V2 "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,NameToGuid"

static void test_sandbox_created_in_existing_scratch_folder(void)
{
    json_t *world = test_wcow_world();
    json_object_del(json_object_get(world, "files"), TEST_SANDBOX);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls,
                      "NameToGuid,CreateSandboxLayer," MOUNTED_V2 ",HcsCreateComputeSystem");
    test_run_result_free(&result);
}

static void test_create_sandbox_layer_failure(void)
{
    json_t *world = test_wcow_world();
    json_object_del(json_object_get(world, "files"), TEST_SANDBOX);
    test_fail_call(world, "CreateSandboxLayer", 1, NULL);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result,
                            "failed to CreateSandboxLayer hcsshim::CreateScratchLayer - failed "
                            "failed in Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "NameToGuid,CreateSandboxLayer");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    test_run_result_free(&result);
}

static void test_name_to_guid_failure_before_create_sandbox(void)
{
    json_t *world = test_wcow_world();
    json_object_del(json_object_get(world, "files"), TEST_SANDBOX);
    test_fail_call(world, "NameToGuid", 1, NULL);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result,
                            "failed to CreateSandboxLayer hcsshim::NameToGuid - failed failed in "
                            "Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "NameToGuid");
    test_run_result_free(&result);
}

static void test_activate_layer_failure(void)
{
    json_t *world = test_wcow_world();
    test_fail_call(world, "ActivateLayer", 1, NULL);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result,
                            "failed to mount container storage: hcsshim::ActivateLayer - failed "
                            "failed in Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    test_run_result_free(&result);
}

static void test_prepare_layer_failure_deactivates(void)
{
    json_t *world = test_wcow_world();
    test_fail_call(world, "PrepareLayer", 1, NULL);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result,
                            "failed to mount container storage: hcsshim::PrepareLayer - failed "
                            "failed in Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,DeactivateLayer");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    test_run_result_free(&result);
}

static void test_name_to_guid_failure_while_preparing_deactivates(void)
{
    json_t *world = test_wcow_world();
    test_fail_call(world, "NameToGuid", 1, NULL);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result,
                            "failed to mount container storage: hcsshim::NameToGuid - failed "
                            "failed in Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,DeactivateLayer");
    test_run_result_free(&result);
}

static void test_get_layer_mount_path_failure_unprepares_and_deactivates(void)
{
    json_t *world = test_wcow_world();
    test_fail_call(world, "GetLayerMountPath", 1, NULL);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result,
                            "failed to mount container storage: hcsshim::GetLayerMountPath - "
                            "failed failed in Win32: Access is denied. (0x5) (first call)");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                                    "UnprepareLayer,DeactivateLayer");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    test_run_result_free(&result);
}

/* A host that says the text call failed (the second, after the length): "(second call)". */
static void test_get_layer_mount_path_second_call_failure(void)
{
    json_t *world = test_wcow_world();
    test_fail_call(world, "GetLayerMountPath", 1, NULL);
    test_run_options options = {.failure_stage = HCSOCI_HOST_STAGE_SECOND_CALL};
    test_run_result result;
    test_run_create(world, test_wcow_spec(), &options, &result);
    TEST_ASSERT_FAILED_WITH(result,
                            "failed to mount container storage: hcsshim::GetLayerMountPath - "
                            "failed failed in Win32: Access is denied. (0x5) (second call)");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                                    "UnprepareLayer,DeactivateLayer");
    test_run_result_free(&result);
}

static void test_layer_error_code_of_a_non_win32_hresult(void)
{
    json_t *world = test_wcow_world();
    test_fail_call(world, "ActivateLayer", 1, "0x80004005");
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result,
                            "failed to mount container storage: hcsshim::ActivateLayer - failed "
                            "failed in Win32: Unspecified error (0x80004005)");
    test_run_result_free(&result);
}

static void test_mount_needs_two_layer_folders(void)
{
    json_t *spec = test_wcow_spec();
    json_object_set_new(json_object_get(spec, "windows"), "layerFolders",
                        json_pack("[s]", TEST_SCRATCH));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result,
                            "failed to mount container storage: need at least two layers - base "
                            "and scratch");
    TEST_ASSERT_CALLS(result.calls, "");
    test_run_result_free(&result);
}

static void test_unprepare_failure_on_release(void)
{
    json_t *world = test_wcow_world();
    test_fail_call(world, "UnprepareLayer", 1, NULL);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.release_calls, "UnprepareLayer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.release_error);
    CU_ASSERT_STRING_EQUAL(result.release_error, "hcsshim::UnprepareLayer - failed failed in "
                                                 "Win32: Access is denied. (0x5)");
    test_run_result_free(&result);
}

static void test_deactivate_failure_on_release_keeps_reference_wording(void)
{
    json_t *world = test_wcow_world();
    test_fail_call(world, "DeactivateLayer", 1, NULL);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.release_calls, "UnprepareLayer,DeactivateLayer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.release_error);
    /* The reference's DeactivateLayer title has no space before "- failed". */
    CU_ASSERT_STRING_EQUAL(result.release_error, "hcsshim::DeactivateLayer- failed failed in "
                                                 "Win32: Access is denied. (0x5)");
    test_run_result_free(&result);
}

static void test_layer_id_uses_the_last_path_element(void)
{
    hcsoci_host *host = test_sim_host(
        "{\"layerIds\":{\"C:\\\\x\\\\layer\":\"AABBCCDD-1111-4A5B-9C3D-00000000000F\"}}");
    char *guid = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_layer_id(host, "D:\\other\\place/layer", &guid, &error), 0);
    /* The GUID is written in lower case, as the reference prints GUIDs. */
    CU_ASSERT_STRING_EQUAL(guid, "aabbccdd-1111-4a5b-9c3d-00000000000f");
    free(guid);
    CU_ASSERT_EQUAL_FATAL(hcsoci_layer_id(host, "E:layer", &guid, &error), 0);
    free(guid);
    const json_t *journal = hcsoci_sim_host_journal(host);
    TEST_ASSERT_JSON(test_call_args(journal, 0), "{'name':'layer'}");
    TEST_ASSERT_JSON(test_call_args(journal, 1), "{'name':'layer'}");

    json_t *descriptors = NULL;
    json_t *bad_folders = json_pack("[s,i]", TEST_BASE, 5);
    CU_ASSERT_EQUAL(hcsoci_layer_descriptors(host, bad_folders, 2, &descriptors, &error), -1);
    CU_ASSERT_PTR_NULL(descriptors);
    TEST_ASSERT_ERROR_CONTAINS(error, "element 1 must be a string");
    json_decref(bad_folders);
    hcsoci_host_destroy(host);
}

/* ---- In a utility VM ---- */

static void test_windows_mount_and_unmount(void)
{
    fixture used = make_fixture(uvm_world, HCSOCI_UVM_WINDOWS);
    char *root = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_layers_mount(used.host, used.uvm, used.folders, "C:\\c\\1", &root,
                                              NULL), 0);
    CU_ASSERT_STRING_EQUAL(root, "C:\\c\\1");
    CU_ASSERT_STRING_EQUAL(journal_summary(used.host),
                           "HcsModifyComputeSystem VirtualMachine/Devices/VirtualSmb/Shares Add, "
                           "HcsModifyComputeSystem VirtualMachine/Devices/VirtualSmb/Shares Add, "
                           "GrantVmAccess, "
                           "HcsModifyComputeSystem VirtualMachine/Devices/Scsi/0/Attachments/0 Add, "
                           "NameToGuid, NameToGuid, HcsModifyComputeSystem CombinedLayers Add");
    /* Layers are shared read-only with backup privilege. */
    const json_t *first = json_array_get(hcsoci_sim_host_journal(used.host), 0);
    const json_t *options = json_object_get(
        json_object_get(json_object_get(json_object_get(first, "args"), "configuration"), "Settings"),
        "Options");
    CU_ASSERT_TRUE(json_is_true(json_object_get(options, "TakeBackupPrivilege")));
    CU_ASSERT_TRUE(json_is_true(json_object_get(options, "ReadOnly")));

    json_t *layers = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_layers_in_uvm(used.host, used.uvm, used.folders, 2, &layers, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(json_array_size(layers), 2);
    const char *path = json_string_value(json_object_get(json_array_get(layers, 1), "Path"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    CU_ASSERT_PTR_NOT_NULL(strstr(path, "\\s2"));
    json_decref(layers);

    hcsoci_sim_host_journal_clear(used.host);
    CU_ASSERT_EQUAL(hcsoci_layers_unmount(used.host, used.uvm, used.folders, "C:\\c\\1", true, NULL), 0);
    CU_ASSERT_STRING_EQUAL(journal_summary(used.host),
                           "HcsModifyComputeSystem CombinedLayers Remove, "
                           "HcsModifyComputeSystem VirtualMachine/Devices/Scsi/0/Attachments/0 Remove, "
                           "HcsModifyComputeSystem VirtualMachine/Devices/VirtualSmb/Shares Remove, "
                           "HcsModifyComputeSystem VirtualMachine/Devices/VirtualSmb/Shares Remove");
    free(root);
    free_fixture(&used);
}

static void test_unmount_without_all_keeps_shares(void)
{
    fixture used = make_fixture(uvm_world, HCSOCI_UVM_WINDOWS);
    char *root = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_layers_mount(used.host, used.uvm, used.folders, "C:\\c\\1", &root,
                                              NULL), 0);
    hcsoci_sim_host_journal_clear(used.host);
    CU_ASSERT_EQUAL(hcsoci_layers_unmount(used.host, used.uvm, used.folders, "C:\\c\\1", false, NULL), 0);
    CU_ASSERT_STRING_EQUAL(journal_summary(used.host),
                           "HcsModifyComputeSystem CombinedLayers Remove, "
                           "HcsModifyComputeSystem VirtualMachine/Devices/Scsi/0/Attachments/0 Remove");
    free(root);
    free_fixture(&used);
}

static void test_linux_mount_uses_vpmem_and_rootfs(void)
{
    fixture used = make_fixture(uvm_world, HCSOCI_UVM_LINUX);
    char *root = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_layers_mount(used.host, used.uvm, used.folders, "/run/gcs/c/c1",
                                              &root, NULL), 0);
    CU_ASSERT_STRING_EQUAL(root, "/run/gcs/c/c1/rootfs");
    const char *summary = journal_summary(used.host);
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "VirtualMachine/Devices/VirtualPMem/Devices/0 Add"));
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "VirtualMachine/Devices/VirtualPMem/Devices/1 Add"));
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "CombinedLayers Add"));
    /* The combined-layers request names the rootfs under the container root. */
    const json_t *journal = hcsoci_sim_host_journal(used.host);
    const json_t *last = json_array_get(journal, json_array_size(journal) - 1);
    const json_t *settings = json_object_get(
        json_object_get(json_object_get(json_object_get(last, "args"), "configuration"),
                        "GuestRequest"),
        "Settings");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(settings, "ContainerRootPath")),
                           "/run/gcs/c/c1/rootfs");
    hcsoci_sim_host_journal_clear(used.host);
    CU_ASSERT_EQUAL(hcsoci_layers_unmount(used.host, used.uvm, used.folders, "/run/gcs/c/c1", true,
                                          NULL), 0);
    summary = journal_summary(used.host);
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "VirtualPMem/Devices/0 Remove"));
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "VirtualPMem/Devices/1 Remove"));
    free(root);
    free_fixture(&used);
}

static void test_missing_scratch_rolls_back_the_shares(void)
{
    static const char *const no_scratch =
        "{\"files\": {\"" BASE "\": \"dir\", \"" MIDDLE "\": \"dir\", \"" SCRATCH "\": \"dir\"}}";
    fixture used = make_fixture(no_scratch, HCSOCI_UVM_WINDOWS);
    char *root = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_layers_mount(used.host, used.uvm, used.folders, "C:\\c\\1", &root,
                                        &error), -1);
    CU_ASSERT_PTR_NULL(root);
    TEST_ASSERT_ERROR_CONTAINS(error, "failed to get scratch VHD path in layer folders: "
                                      "failed to eval symlinks");
    CU_ASSERT_STRING_EQUAL(journal_summary(used.host),
                           "HcsModifyComputeSystem VirtualMachine/Devices/VirtualSmb/Shares Add, "
                           "HcsModifyComputeSystem VirtualMachine/Devices/VirtualSmb/Shares Add, "
                           "HcsModifyComputeSystem VirtualMachine/Devices/VirtualSmb/Shares Remove, "
                           "HcsModifyComputeSystem VirtualMachine/Devices/VirtualSmb/Shares Remove");
    free_fixture(&used);
}

static void test_failed_combine_removes_scratch_then_shares(void)
{
    static const char *const failing_combine =
        "{\"files\": {\"" BASE "\": \"dir\", \"" MIDDLE "\": \"dir\", \"" SCRATCH "\": \"dir\","
        " \"" SCRATCH "\\\\sandbox.vhdx\": \"file\"},"
        " \"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 4}}";
    fixture used = make_fixture(failing_combine, HCSOCI_UVM_WINDOWS);
    char *root = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_layers_mount(used.host, used.uvm, used.folders, "C:\\c\\1", &root,
                                        &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Access is denied.");
    const char *summary = journal_summary(used.host);
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "CombinedLayers Add, "
                                           "HcsModifyComputeSystem VirtualMachine/Devices/Scsi/0/"
                                           "Attachments/0 Remove, "
                                           "HcsModifyComputeSystem VirtualMachine/Devices/"
                                           "VirtualSmb/Shares Remove"));
    free_fixture(&used);
}

/* An unmount stops at the first step that fails; resumed from the steps it did, it removes
 * nothing twice. */
static void test_unmount_stops_at_a_failure_and_resumes(void)
{
    static const char *const failing_remove =
        "{\"files\": {\"" BASE "\": \"dir\", \"" MIDDLE "\": \"dir\", \"" SCRATCH "\": \"dir\","
        " \"" SCRATCH "\\\\sandbox.vhdx\": \"file\"},"
        " \"failCall\": {\"call\": \"HcsModifyComputeSystem\", \"nth\": 6}}";
    fixture used = make_fixture(failing_remove, HCSOCI_UVM_WINDOWS);
    char *root = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_layers_mount(used.host, used.uvm, used.folders, "C:\\c\\1", &root,
                                              NULL), 0);
    hcsoci_sim_host_journal_clear(used.host);
    hcsoci_error *error = NULL;
    size_t steps_done = 0;
    /* The combined layers go (5th modify); the scratch disk's removal (6th) fails. */
    CU_ASSERT_EQUAL(hcsoci_layers_unmount_from(used.host, used.uvm, used.folders, "C:\\c\\1",
                                               true, &steps_done, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Access is denied.");
    CU_ASSERT_EQUAL(steps_done, 1);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(used.host)), 2);
    hcsoci_sim_host_journal_clear(used.host);
    CU_ASSERT_EQUAL(hcsoci_layers_unmount_from(used.host, used.uvm, used.folders, "C:\\c\\1",
                                               true, &steps_done, NULL),
                    0);
    CU_ASSERT_EQUAL(steps_done, 4); /* combined layers, scratch, two read-only layers */
    const json_t *calls = hcsoci_sim_host_journal(used.host);
    CU_ASSERT_EQUAL(json_array_size(calls), 3);
    /* It goes on with the scratch disk: the combined layers are not removed again. */
    const json_t *first = json_object_get(json_object_get(json_array_get(calls, 0), "args"),
                                          "configuration");
    const char *path = json_string_value(json_object_get(first, "ResourcePath"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    CU_ASSERT_PTR_NOT_NULL(strstr(path, "/Scsi/"));
    free(root);
    free_fixture(&used);
}

static void test_too_few_layers(void)
{
    fixture used = make_fixture(uvm_world, HCSOCI_UVM_WINDOWS);
    json_t *one = test_json("[\"" SCRATCH "\"]");
    char *root = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_layers_mount(used.host, used.uvm, one, "C:\\c\\1", &root, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "need at least two layers - base and scratch");
    CU_ASSERT_EQUAL(hcsoci_layers_unmount(used.host, used.uvm, one, "C:\\c\\1", true, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "at least two layers are required for unmount");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(used.host)), 0);
    json_decref(one);
    free_fixture(&used);
}

/* ---- preparing the scratch layer ---- */

#define LAYER_IDS                                                                                 \
    " \"layerIds\": {\"" BASE "\": \"8d2a4c6e-1111-4a5b-9c3d-000000000001\","                   \
    "               \"" MIDDLE "\": \"8d2a4c6e-2222-4a5b-9c3d-000000000002\"}"

static void test_prepare_scratch_creates_folder_and_sandbox_once(void)
{
    static const char *const no_scratch =
        "{\"files\": {\"" BASE "\": \"dir\", \"" MIDDLE "\": \"dir\"}," LAYER_IDS "}";
    hcsoci_host *host = test_sim_host(no_scratch);
    json_t *folders = test_json("[\"" BASE "\", \"" MIDDLE "\", \"" SCRATCH "\"]");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_layers_prepare_scratch(host, folders, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(host->ops->stat_path(host, "C:\\l\\scratch", NULL), HCSOCI_PATH_DIRECTORY);
    CU_ASSERT_EQUAL(host->ops->stat_path(host, "C:\\l\\scratch\\sandbox.vhdx", NULL),
                    HCSOCI_PATH_FILE);
    TEST_ASSERT_CALLS(hcsoci_sim_host_journal(host), "NameToGuid,NameToGuid,CreateSandboxLayer");
    const json_t *created = json_array_get(hcsoci_sim_host_journal(host), 2);
    const json_t *args = json_object_get(created, "args");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(args, "id")), "C:\\l\\scratch");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(args, "descriptors")), 2);

    /* Both exist now: a second preparation calls nothing. */
    hcsoci_sim_host_journal_clear(host);
    CU_ASSERT_EQUAL(hcsoci_layers_prepare_scratch(host, folders, NULL), 0);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    json_decref(folders);
    hcsoci_host_destroy(host);
}

static void test_prepare_scratch_failing_create_sandbox_layer(void)
{
    static const char *const failing_create =
        "{\"files\": {\"" BASE "\": \"dir\", \"" MIDDLE "\": \"dir\", \"" SCRATCH "\": \"dir\"},"
        LAYER_IDS ", \"failCall\": {\"call\": \"CreateSandboxLayer\", \"nth\": 1}}";
    hcsoci_host *host = test_sim_host(failing_create);
    json_t *folders = test_json("[\"" BASE "\", \"" MIDDLE "\", \"" SCRATCH "\"]");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_layers_prepare_scratch(host, folders, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_ACCESS_DENIED);
    CU_ASSERT_STRING_EQUAL(error->message,
                           "failed to CreateSandboxLayer hcsshim::CreateScratchLayer - failed "
                           "failed in Win32: Access is denied. (0x5)");
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL(host->ops->stat_path(host, "C:\\l\\scratch\\sandbox.vhdx", NULL),
                    HCSOCI_PATH_MISSING);
    json_decref(folders);
    hcsoci_host_destroy(host);
}

static void test_prepare_scratch_failing_make_directory(void)
{
    /* A file where the scratch folder's parent would be: the host cannot create the folder. */
    static const char *const blocked =
        "{\"files\": {\"C:\\\\l\": \"file\", \"" BASE "\": \"dir\", \"" MIDDLE "\": \"dir\"},"
        LAYER_IDS "}";
    hcsoci_host *host = test_sim_host(blocked);
    json_t *folders = test_json("[\"" BASE "\", \"" MIDDLE "\", \"" SCRATCH "\"]");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_layers_prepare_scratch(host, folders, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_STRING_EQUAL(error->message,
                           "failed to auto-create container scratch folder C:\\l\\scratch: "
                           "mkdir C:\\l\\scratch: The system cannot find the path specified.");
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    json_t *empty = test_json("[]");
    CU_ASSERT_EQUAL(hcsoci_layers_prepare_scratch(host, empty, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "no scratch folder in the layer folders");
    json_decref(empty);
    json_decref(folders);
    hcsoci_host_destroy(host);
}

int main(void)
{
    static const test_entry tests[] = {
        {"sandbox.vhdx created in an existing scratch folder", test_sandbox_created_in_existing_scratch_folder},
        {"CreateSandboxLayer failure", test_create_sandbox_layer_failure},
        {"NameToGuid failure before CreateSandboxLayer", test_name_to_guid_failure_before_create_sandbox},
        {"ActivateLayer failure", test_activate_layer_failure},
        {"PrepareLayer failure deactivates", test_prepare_layer_failure_deactivates},
        {"NameToGuid failure while preparing deactivates", test_name_to_guid_failure_while_preparing_deactivates},
        {"GetLayerMountPath failure unprepares and deactivates", test_get_layer_mount_path_failure_unprepares_and_deactivates},
        {"GetLayerMountPath second call failure", test_get_layer_mount_path_second_call_failure},
        {"layer error code of a non-Win32 HRESULT", test_layer_error_code_of_a_non_win32_hresult},
        {"mounting needs two layer folders", test_mount_needs_two_layer_folders},
        {"UnprepareLayer failure on release", test_unprepare_failure_on_release},
        {"DeactivateLayer failure on release", test_deactivate_failure_on_release_keeps_reference_wording},
        {"layer id from the last path element", test_layer_id_uses_the_last_path_element},
        {"Windows VM: mount and unmount", test_windows_mount_and_unmount},
        {"unmount without all keeps the shares", test_unmount_without_all_keeps_shares},
        {"Linux VM: vPMEM layers and rootfs", test_linux_mount_uses_vpmem_and_rootfs},
        {"a missing scratch rolls back the shares", test_missing_scratch_rolls_back_the_shares},
        {"a failed combine removes scratch then shares", test_failed_combine_removes_scratch_then_shares},
        {"unmount stops at a failure and resumes", test_unmount_stops_at_a_failure_and_resumes},
        {"too few layers", test_too_few_layers},
        {"preparing the scratch creates folder and sandbox once",
         test_prepare_scratch_creates_folder_and_sandbox_once},
        {"preparing the scratch: CreateSandboxLayer fails",
         test_prepare_scratch_failing_create_sandbox_layer},
        {"preparing the scratch: the folder cannot be made",
         test_prepare_scratch_failing_make_directory},
        {NULL, NULL},
    };
    return test_run_suite("layers", tests);
}
