/* Tests of the WCOW builder module (process isolated, schema 1.0 and 2.1, and hosted in a
 * Windows utility VM). Containers are created through the core in a sim host
 * (test_run_create); each test checks the host calls (the sim journal), the document, the spec
 * the module left, the ledger, the release calls and the log. The layer service and the
 * annotation parsers the module uses have their own programs (test_layers, test_annotations). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/annotations.h>
#include <hcsoci/hcsoci.h>

#include "test_support.h"

/* Ids the documents carry in GUID-typed fields (every document is checked against the HCS
 * schema before it is sent). */
#define NAMESPACE_GUID "9b8a7c6d-0000-4000-8000-0000000000a1"
#define ENDPOINT_GUID_1 "5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1"
#define ENDPOINT_GUID_2 "5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2"
#define CLASS_GUID "24e552bb-3a0e-4a1d-9a9d-f2a4b31c4a8a"

/* The VSMB share prefix and the pipe of the world, as written inside JSON text. */
#define JSON_VSMB_SHARE "\\\\\\\\?\\\\VMSMB\\\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\\\"
#define JSON_PIPE "\\\\\\\\.\\\\pipe\\\\engine"

/* The schema 1.0 document instead of the host build's 2.1. */
static const test_run_options schema_1_0 = {.schema = "1.0"};

/* CU_ASSERT that a JSON value is the expected string (printing it when not). */
#define ASSERT_STRING(actual, expected)                                                        \
    do {                                                                                       \
        const char *actual_ = json_string_value(actual);                                       \
        if (actual_ == NULL || strcmp(actual_, (expected)) != 0)                               \
            fprintf(stderr, "\n  actual:   %s\n  expected: %s\n",                             \
                    actual_ != NULL ? actual_ : "(not a string)", (expected));                  \
        CU_ASSERT_TRUE(actual_ != NULL && strcmp(actual_, (expected)) == 0);                   \
    } while (0)

#define MOUNTED_V2 "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,NameToGuid"

/* ---- Module descriptor ---- */

static void test_match_windows_specs(void)
{
    hcsoci_host *host = test_sim_host("{}");
    hcsoci_runtime *runtime = test_runtime(host);
    hcsoci_match_key key = {HCSOCI_SPEC_WINDOWS, {2, 1}, HCSOCI_HOSTING_NONE};
    hcsoci_error *error = NULL;
    const char *chosen = hcsoci_runtime_builder_name(runtime, &key, &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chosen);
    CU_ASSERT_STRING_EQUAL(chosen, "wcow");
    const hcsoci_plugin_descriptor *descriptor = test_builtin_module("wcow");
    CU_ASSERT_STRING_EQUAL(descriptor->name, "wcow");
    CU_ASSERT_EQUAL(descriptor->kind, HCSOCI_PLUGIN_BUILDER);
    CU_ASSERT_EQUAL(descriptor->match(&key), 100u);
    key.schema = (hcsoci_schema_version){1, 0};
    CU_ASSERT_EQUAL(descriptor->match(&key), 100u);
    /* In a Windows utility VM: schema 2.1 only. */
    key = (hcsoci_match_key){HCSOCI_SPEC_WINDOWS, {2, 1}, HCSOCI_HOSTING_WINDOWS};
    chosen = hcsoci_runtime_builder_name(runtime, &key, &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chosen);
    CU_ASSERT_STRING_EQUAL(chosen, "wcow");
    CU_ASSERT_EQUAL(descriptor->match(&key), 100u);

    static const hcsoci_match_key others[] = {
        {HCSOCI_SPEC_WINDOWS, {1, 0}, HCSOCI_HOSTING_WINDOWS},
        {HCSOCI_SPEC_WINDOWS, {2, 0}, HCSOCI_HOSTING_WINDOWS},
        {HCSOCI_SPEC_WINDOWS, {2, 1}, HCSOCI_HOSTING_LINUX},
        {HCSOCI_SPEC_WINDOWS, {2, 0}, HCSOCI_HOSTING_NONE},
        {HCSOCI_SPEC_WINDOWS, {1, 1}, HCSOCI_HOSTING_NONE},
        {HCSOCI_SPEC_LINUX, {2, 1}, HCSOCI_HOSTING_NONE},
        {HCSOCI_SPEC_LINUX, {2, 1}, HCSOCI_HOSTING_LINUX},
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        CU_ASSERT_EQUAL(descriptor->match(&others[i]), 0u);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

/* ---- Layers: mounting, the ledger and release ---- */

static void test_v2_basic_mounts_documents_and_releases(void)
{
    json_t *spec = test_wcow_spec();
    json_object_set_new(spec, "hostname", json_string("web"));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",HcsCreateComputeSystem");
    TEST_ASSERT_JSON(test_call_args(result.calls, 0), "{'id':'$SCRATCH'}");
    TEST_ASSERT_JSON(test_call_args(result.calls, 1), "{'name':'base'}");
    TEST_ASSERT_JSON(test_call_args(result.calls, 2),
                     "{'id':'$SCRATCH','descriptors':[{'LayerId':'$GUID_BASE','Flags':0,"
                     "'Path':'$BASE'}]}");
    TEST_ASSERT_JSON(test_call_args(result.calls, 5),
                     "{'id':'c1','configuration':{'Owner':'owner','SchemaVersion':{'Major':2,"
                     "'Minor':1},'Container':{'GuestOs':{'HostName':'web'},'Storage':{'Layers':"
                     "[{'Id':'$GUID_BASE','Path':'$BASE'}],'Path':'$VOLUME'}},"
                     "'ShouldTerminateOnLastHandleClosed':true}}");
    CU_ASSERT_TRUE(json_equal(result.sent_document,
                              json_object_get(test_call_args(result.calls, 5), "configuration")));
    CU_ASSERT_STRING_EQUAL(result.owner, "owner");
    /* The ledger holds the layers; releasing unprepares, then deactivates the scratch. */
    TEST_ASSERT_JSON(result.ledger_layers, "['$BASE','$SCRATCH']");
    TEST_ASSERT_CALLS(result.release_calls, "UnprepareLayer,DeactivateLayer");
    TEST_ASSERT_JSON(test_call_args(result.release_calls, 1), "{'id':'$SCRATCH'}");
    CU_ASSERT_PTR_NULL(result.release_error);
    test_run_result_free(&result);
}

static void test_v1_basic_document(void)
{
    json_t *spec = test_wcow_spec();
    json_object_set_new(spec, "hostname", json_string("web"));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",HcsCreateComputeSystem");
    TEST_ASSERT_JSON(
        result.document,
        "{'SystemType':'Container','Name':'c1','Owner':'owner','VolumePath':'$VOLUME_V1',"
        "'LayerFolderPath':'$SCRATCH','Layers':[{'ID':'$GUID_BASE','Path':'$BASE'}],"
        "'HostName':'web','HvPartition':false}");
    TEST_ASSERT_CALLS(result.release_calls, "UnprepareLayer,DeactivateLayer");
    test_run_result_free(&result);
}

static void test_documents_keep_the_reference_field_order(void)
{
    json_t *spec = test_wcow_spec();
    json_object_set_new(spec, "hostname", json_string("h"));
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "2");
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB, "64");
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM, "5");
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_BANDWIDTH_MAXIMUM, "6");
    test_set_path(spec, "mounts",
                  json_pack("[{s:s, s:s}, {s:s, s:s}]", "destination", "C:\\d", "source", "C:\\s",
                            "destination", TEST_PIPE, "source", TEST_PIPE));
    test_set_path(spec, "windows.network",
                  json_pack("{s:b, s:[s], s:s}", "allowUnqualifiedDNSQuery", 1, "DNSSearchList",
                            "a", "networkSharedContainerName", "n"));
    test_set_path(spec, "windows.devices",
                  json_pack("[{s:s, s:s}]", "id", CLASS_GUID, "idType", "class"));

    test_run_options options = {.schema = "2.1", .network_namespace = NAMESPACE_GUID};
    test_run_result v2;
    test_run_create(test_wcow_world(), json_deep_copy(spec), &options, &v2);
    TEST_ASSERT_SUCCEEDED(v2);
    char *text = json_dumps(v2.document, JSON_COMPACT);
    CU_ASSERT_STRING_EQUAL(
        text, "{\"Owner\":\"owner\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"Container\":{"
              "\"GuestOs\":{\"HostName\":\"h\"},\"Storage\":{\"Layers\":[{\"Id\":\"" TEST_GUID_BASE
              "\",\"Path\":\"C:\\\\lf\\\\base\"}],\"Path\":\"\\\\\\\\?\\\\Volume{" TEST_VOLUME_GUID
              "}\\\\\",\"QoS\":{\"IopsMaximum\":5,\"BandwidthMaximum\":6}},"
              "\"MappedDirectories\":[{\"HostPath\":\"C:\\\\s\",\"ContainerPath\":\"C:\\\\d\"}],"
              "\"MappedPipes\":[{\"ContainerPipeName\":\"engine\",\"HostPath\":\"\\\\\\\\.\\\\"
              "pipe\\\\engine\"}],\"Memory\":{\"SizeInMB\":64},\"Processor\":{\"Count\":2},"
              "\"Networking\":{\"AllowUnqualifiedDnsQuery\":true,\"DnsSearchList\":\"a\","
              "\"NetworkSharedContainerName\":\"n\",\"Namespace\":\"" NAMESPACE_GUID "\"},"
              "\"AssignedDevices\":[{\"InterfaceClassGuid\":\"" CLASS_GUID "\"}]},"
              "\"ShouldTerminateOnLastHandleClosed\":true}");
    free(text);
    test_run_result_free(&v2);

    json_object_set_new(spec, "windows",
                        json_pack("{s:[s,s], s:s, s:b, s:{s:[s], s:b, s:[s], s:s}}", "layerFolders",
                                  TEST_BASE, TEST_SCRATCH, "credentialSpec", "cred",
                                  "ignoreFlushesDuringBoot", 1, "network", "endpointList",
                                  ENDPOINT_GUID_1,
                                  "allowUnqualifiedDNSQuery", 1, "DNSSearchList", "a",
                                  "networkSharedContainerName", "n"));
    test_run_result v1;
    test_run_create(test_wcow_world(), spec, &schema_1_0, &v1);
    TEST_ASSERT_SUCCEEDED(v1);
    text = json_dumps(v1.document, JSON_COMPACT);
    CU_ASSERT_STRING_EQUAL(
        text, "{\"SystemType\":\"Container\",\"Name\":\"c1\",\"Owner\":\"owner\","
              "\"VolumePath\":\"\\\\\\\\?\\\\Volume{" TEST_VOLUME_GUID "}\","
              "\"IgnoreFlushesDuringBoot\":true,\"LayerFolderPath\":\"C:\\\\lf\\\\scratch\","
              "\"Layers\":[{\"ID\":\"" TEST_GUID_BASE "\",\"Path\":\"C:\\\\lf\\\\base\"}],"
              "\"Credentials\":\"cred\",\"ProcessorCount\":2,\"StorageIOPSMaximum\":5,"
              "\"StorageBandwidthMaximum\":6,\"MemoryMaximumInMB\":64,\"HostName\":\"h\","
              "\"MappedDirectories\":[{\"HostPath\":\"C:\\\\s\",\"ContainerPath\":\"C:\\\\d\","
              "\"ReadOnly\":false,\"BandwidthMaximum\":0,\"IOPSMaximum\":0,"
              "\"CreateInUtilityVM\":false}],\"MappedPipes\":[{\"HostPath\":\"\\\\\\\\.\\\\pipe"
              "\\\\engine\",\"ContainerPipeName\":\"engine\"}],\"HvPartition\":false,"
              "\"NetworkSharedContainerName\":\"n\",\"EndpointList\":[\"" ENDPOINT_GUID_1 "\"],"
              "\"AllowUnqualifiedDNSQuery\":true,\"DNSSearchList\":\"a\"}");
    free(text);
    test_run_result_free(&v1);
}

static void test_scratch_folder_and_sandbox_are_created(void)
{
    json_t *world = test_wcow_world();
    json_t *files = json_object_get(world, "files");
    json_object_del(files, TEST_SCRATCH);
    json_object_del(files, TEST_SANDBOX);
    json_t *spec = test_wcow_spec();
    json_object_set_new(json_object_get(spec, "windows"), "layerFolders",
                        json_pack("[s,s,s]", TEST_BASE, TEST_MID, TEST_SCRATCH));
    test_run_result result;
    test_run_create(world, spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, "NameToGuid,NameToGuid,CreateSandboxLayer,ActivateLayer,"
                               "NameToGuid,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "NameToGuid,NameToGuid,HcsCreateComputeSystem");
    TEST_ASSERT_JSON(test_call_args(result.calls, 2),
                     "{'id':'$SCRATCH','descriptors':[{'LayerId':'$GUID_BASE','Flags':0,"
                     "'Path':'$BASE'},{'LayerId':'$GUID_MID','Flags':0,'Path':'$MID'}]}");
    const json_t *files_after = json_object_get(result.world, "files");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(files_after, TEST_SCRATCH)), "dir");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(files_after, TEST_SANDBOX));
    TEST_ASSERT_JSON(
        json_object_get(json_object_get(test_container_of(&result), "Storage"), "Layers"),
        "[{'Id':'$GUID_BASE','Path':'$BASE'},{'Id':'$GUID_MID','Path':'$MID'}]");
    test_run_result_free(&result);
}

static void test_scratch_folder_creation_failure(void)
{
    /* A file stands where the scratch folder's parent would be. */
    json_t *world = test_wcow_world();
    json_object_set_new(json_object_get(world, "files"), "C:\\blocked", json_string("file"));
    json_t *spec = test_wcow_spec();
    json_object_set_new(json_object_get(spec, "windows"), "layerFolders",
                        json_pack("[s,s]", TEST_BASE, "C:\\blocked\\scratch"));
    test_run_result result;
    test_run_create(world, spec, NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "failed to auto-create container scratch folder "
                                  "C:\\blocked\\scratch: ");
    TEST_ASSERT_CALLS(result.calls, "");
    test_run_result_free(&result);
}

static void test_root_path_given_mounts_nothing(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "root.path", json_string(TEST_VOLUME));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, "NameToGuid,HcsCreateComputeSystem");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    TEST_ASSERT_CALLS(result.release_calls, "");
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Storage"),
                     "{'Layers':[{'Id':'$GUID_BASE','Path':'$BASE'}],'Path':'$VOLUME'}");
    test_run_result_free(&result);
}

/* ---- Document rules ---- */

static void test_missing_windows_section_or_layer_folders(void)
{
    static const char *const windows_sections[] = {NULL, "{}", "{\"layerFolders\":null}",
                                                   "{\"layerFolders\":[]}"};
    for (size_t i = 0; i < sizeof windows_sections / sizeof windows_sections[0]; i++) {
        json_t *spec = json_pack("{s:s}", "ociVersion", "1.0.2");
        if (windows_sections[i] != NULL)
            json_object_set_new(spec, "windows", test_json(windows_sections[i]));
        test_run_result result;
        test_run_create(test_wcow_world(), spec, NULL, &result);
        TEST_ASSERT_FAILED_WITH(result, "field 'Spec.Windows.Layerfolders' is not populated");
        TEST_ASSERT_CALLS(result.calls, "");
        test_run_result_free(&result);
    }
}

static void test_not_enough_layer_folders_for_the_document(void)
{
    json_t *spec = test_wcow_spec();
    json_object_set_new(json_object_get(spec, "windows"), "layerFolders",
                        json_pack("[s]", TEST_SCRATCH));
    test_set_path(spec, "root.path", json_string(TEST_VOLUME));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid spec - not enough layer folders supplied");
    TEST_ASSERT_CALLS(result.calls, "");
    test_run_result_free(&result);
}

static void test_hostname(void)
{
    test_run_result result;
    test_run_create(test_wcow_world(), test_wcow_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(test_container_of(&result), "GuestOs"));
    test_run_result_free(&result);

    json_t *spec = test_wcow_spec();
    json_object_set_new(spec, "hostname", json_string("box"));
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "GuestOs"), "{'HostName':'box'}");
    test_run_result_free(&result);

    test_run_create(test_wcow_world(), test_wcow_spec(), &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "HostName"));
    test_run_result_free(&result);
}

static void test_cpu_count_from_annotation_or_spec(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.resources.cpu.count", json_integer(3));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Count':3}");
    test_run_result_free(&result);

    /* The annotation wins over the spec. */
    spec = test_wcow_spec();
    test_set_path(spec, "windows.resources.cpu.count", json_integer(3));
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "2");
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(result.document, "ProcessorCount")), 2);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "ProcessorWeight"));
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "ProcessorMaximum"));
    test_run_result_free(&result);
}

static void test_cpu_limit_and_weight(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.resources.cpu.maximum", json_integer(2500));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Maximum':2500}");
    test_run_result_free(&result);

    spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_WEIGHT, "400");
    test_set_path(spec, "windows.resources.cpu.shares", json_integer(300));
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(result.document, "ProcessorWeight")),
                    400);
    test_run_result_free(&result);

    spec = test_wcow_spec();
    test_set_path(spec, "windows.resources.cpu.shares", json_integer(300));
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Weight':300}");
    test_run_result_free(&result);
}

static void test_cpu_settings_are_mutually_exclusive(void)
{
    json_t *spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "2");
    test_set_path(spec, "windows.resources.cpu.shares", json_integer(300));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid spec - Windows Process Container CPU Count: '2', Limit: '0', "
                         "and Weight: '300' are mutually exclusive");
    /* Found after the layers were mounted, which are released again. */
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "UnprepareLayer,DeactivateLayer");
    test_run_result_free(&result);
}

static void test_cpu_count_clamped_to_host_processors_with_warning(void)
{
    json_t *spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "16");
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Count':8}");
    const json_t *fields = test_find_log(
        result.logs, "Changing user requested CPUCount to current number of processors");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "requested")), 16);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "assigned")), 8);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fields, "cid")), "c1");
    test_run_result_free(&result);

    /* Exactly the host's count is not changed and not logged. */
    spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "8");
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Count':8}");
    CU_ASSERT_PTR_NULL(test_find_log(result.logs, "Changing user requested CPUCount"));
    test_run_result_free(&result);
}

static void test_memory_from_annotation_or_spec(void)
{
    json_t *spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB, "2048");
    test_set_path(spec, "windows.resources.memory.limit", json_integer(1073741824));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Memory"), "{'SizeInMB':2048}");
    test_run_result_free(&result);

    spec = test_wcow_spec();
    test_set_path(spec, "windows.resources.memory.limit", json_integer(1073741824));
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(result.document, "MemoryMaximumInMB")),
                    1024);
    test_run_result_free(&result);

    /* Less than 1 MiB is no limit at all. */
    spec = test_wcow_spec();
    test_set_path(spec, "windows.resources.memory.limit", json_integer(1048575));
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(test_container_of(&result), "Memory"));
    test_run_result_free(&result);
}

static void test_storage_qos_from_annotations_or_spec(void)
{
    json_t *spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_BANDWIDTH_MAXIMUM, "1000000");
    test_set_path(spec, "windows.resources.storage.iops", json_integer(250));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(json_object_get(test_container_of(&result), "Storage"), "QoS"),
                     "{'IopsMaximum':250,'BandwidthMaximum':1000000}");
    test_run_result_free(&result);

    spec = test_wcow_spec();
    test_set_path(spec, "windows.resources.storage.bps", json_integer(5000000));
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_EQUAL(
        json_integer_value(json_object_get(result.document, "StorageBandwidthMaximum")), 5000000);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "StorageIOPSMaximum"));
    test_run_result_free(&result);

    test_run_create(test_wcow_world(), test_wcow_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(
        json_object_get(json_object_get(test_container_of(&result), "Storage"), "QoS"));
    test_run_result_free(&result);
}

static void test_v1_network_fields(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.network",
                  json_pack("{s:[s,s], s:b, s:[s,s], s:s}", "endpointList", ENDPOINT_GUID_1,
                            ENDPOINT_GUID_2,
                            "allowUnqualifiedDNSQuery", 1, "DNSSearchList", "corp.example",
                            "example.com", "networkSharedContainerName", "shared"));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    /* Schema 1.0 makes no namespace: no HNS call. */
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",HcsCreateComputeSystem");
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(result.document, "NetworkSharedContainerName")),
        "shared");
    TEST_ASSERT_JSON(json_object_get(result.document, "EndpointList"),
                     "['" ENDPOINT_GUID_1 "','" ENDPOINT_GUID_2 "']");
    CU_ASSERT_TRUE(json_is_true(json_object_get(result.document, "AllowUnqualifiedDNSQuery")));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result.document, "DNSSearchList")),
                           "corp.example,example.com");
    test_run_result_free(&result);

    /* Empty values are left out. */
    spec = test_wcow_spec();
    test_set_path(spec, "windows.network",
                  json_pack("{s:[], s:[]}", "endpointList", "DNSSearchList"));
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "EndpointList"));
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "DNSSearchList"));
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "AllowUnqualifiedDNSQuery"));
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "NetworkSharedContainerName"));
    test_run_result_free(&result);
}

static void test_v2_networking(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.network",
                  json_pack("{s:[s], s:b, s:[s,s], s:s}", "endpointList", "e1",
                            "allowUnqualifiedDNSQuery", 1, "DNSSearchList", "a.example",
                            "b.example", "networkSharedContainerName", "shared"));
    test_run_options options = {.network_namespace = "9b8a7c6d-0000-4000-8000-0000000000a1"};
    test_run_result result;
    test_run_create(test_wcow_world(), spec, &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Networking"),
                     "{'AllowUnqualifiedDnsQuery':true,'DnsSearchList':'a.example,b.example',"
                     "'NetworkSharedContainerName':'shared',"
                     "'Namespace':'9b8a7c6d-0000-4000-8000-0000000000a1'}");
    test_run_result_free(&result);

    /* Omit-when-empty: only the namespace remains. */
    spec = test_wcow_spec();
    test_set_path(spec, "windows.network",
                  json_pack("{s:b, s:[]}", "allowUnqualifiedDNSQuery", 0, "DNSSearchList"));
    test_run_create(test_wcow_world(), spec, &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Networking"),
                     "{'Namespace':'9b8a7c6d-0000-4000-8000-0000000000a1'}");
    test_run_result_free(&result);

    /* No network section: no Networking. */
    test_run_create(test_wcow_world(), test_wcow_spec(), &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(test_container_of(&result), "Networking"));
    test_run_result_free(&result);
}

static void test_credential_spec(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.credentialSpec",
                  json_string("{\"CmsPlugins\":[\"ActiveDirectory\"]}"));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result.document, "Credentials")),
                           "{\"CmsPlugins\":[\"ActiveDirectory\"]}");
    test_run_result_free(&result);

    /* Only a string is a credential spec. */
    spec = test_wcow_spec();
    test_set_path(spec, "windows.credentialSpec", json_pack("{s:s}", "a", "b"));
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(test_container_of(&result), "ContainerCredentialGuard"));
    test_run_result_free(&result);

    /* Schema 2.1 gets a credential guard instance after mounting: its state goes into the
     * document, and releasing removes it before the layers. */
    spec = test_wcow_spec();
    test_set_path(spec, "windows.credentialSpec", json_string("{}"));
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "HcsModifyServiceSettings,HcsGetServiceProperties,NameToGuid,"
                               "HcsCreateComputeSystem");
    TEST_ASSERT_JSON(
        json_object_get(test_container_of(&result), "ContainerCredentialGuard"),
        "{'Cookie':'Y2NnLWNvb2tpZQ==','RpcEndpoint':'ccg-rpc-endpoint','Transport':'LRPC'}");
    TEST_ASSERT_CALLS(result.release_calls, "HcsModifyServiceSettings,UnprepareLayer,DeactivateLayer");
    test_run_result_free(&result);
}

static void test_root_is_created_and_gets_the_mount_path(void)
{
    test_run_result result;
    test_run_create(test_wcow_world(), test_wcow_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(result.spec, "root"), "{'path':'$VOLUME'}");
    test_run_result_free(&result);

    /* A mount path without the trailing backslash gains it in the spec and the v2 document;
     * schema 1.0's VolumePath never has it. */
    json_t *world = test_wcow_world();
    json_object_set_new(world, "layerMountPath", json_string(TEST_VOLUME_V1));
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(result.spec, "root"), "{'path':'$VOLUME'}");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
                               json_object_get(test_container_of(&result), "Storage"), "Path")),
                           TEST_VOLUME);
    test_run_result_free(&result);

    world = test_wcow_world();
    json_object_set_new(world, "layerMountPath", json_string(TEST_VOLUME_V1));
    test_run_create(world, test_wcow_spec(), &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result.document, "VolumePath")),
                           TEST_VOLUME_V1);
    test_run_result_free(&result);
}

static void test_readonly_root_is_refused(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "root", json_pack("{s:s, s:b}", "path", "", "readonly", 1));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid container spec - readonly is not supported for Windows "
                         "containers");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "UnprepareLayer,DeactivateLayer");
    test_run_result_free(&result);
}

static void test_volume_guid_path_check(void)
{
    static const char *const accepted[] = {
        "\\\\?\\Volume{" TEST_VOLUME_GUID "}\\",
        "\\\\?\\Volume{" TEST_VOLUME_GUID "}",
        "\\\\?\\Volume" TEST_VOLUME_GUID "}",     /* the opening brace is optional */
        "\\\\?\\Volume{" TEST_VOLUME_GUID "}}\\", /* two closing braces match too */
        "\\\\?\\Volume{3F9E8D7C-6B5A-4C3D-8E1F-0A1B2C3D4E5F}",
    };
    static const char *const refused[] = {
        "",
        "C:\\mnt\\notavolume",
        "\\\\?\\volume{" TEST_VOLUME_GUID "}",     /* "Volume" is case sensitive */
        "\\\\?\\Volume{" TEST_VOLUME_GUID,         /* a closing brace is required */
        "\\\\?\\Volume{" TEST_VOLUME_GUID "}\\\\", /* one trailing backslash at most */
        "\\\\?\\Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5g}",
        "\\\\?\\Volume{3f9e8d7c6b5a-4c3d-8e1f-0a1b2c3d4e5f}",
        "\\\\?\\Volume{" TEST_VOLUME_GUID "}x",
        "x\\\\?\\Volume{" TEST_VOLUME_GUID "}",
        "\\\\?\\Volume{{" TEST_VOLUME_GUID "}",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        json_t *spec = test_wcow_spec();
        test_set_path(spec, "root.path", json_string(accepted[i]));
        test_run_result result;
        test_run_create(test_wcow_world(), spec, NULL, &result);
        if (result.status != 0)
            fprintf(stderr, "\n  refused: %s (%s)\n", accepted[i], result.error);
        CU_ASSERT_EQUAL(result.status, 0);
        test_run_result_free(&result);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        json_t *spec = test_wcow_spec();
        test_set_path(spec, "windows.hyperv", json_object()); /* nothing mounted: root stays */
        test_set_path(spec, "root.path", json_string(refused[i]));
        test_run_result result;
        test_run_create(test_wcow_world(), spec, NULL, &result);
        char expected[256];
        snprintf(expected, sizeof expected,
                 "invalid container spec - Root.Path '%s' must be a volume GUID path in the "
                 "format '\\\\?\\Volume{GUID}\\'",
                 refused[i]);
        TEST_ASSERT_FAILED_WITH(result, expected);
        test_run_result_free(&result);
    }
}

static void test_v2_hyperv_section_without_utility_vm(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.hyperv", json_object());
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid container spec - Root.Path '' must be a volume GUID path in "
                         "the format '\\\\?\\Volume{GUID}\\'");
    TEST_ASSERT_CALLS(result.calls, "");
    test_run_result_free(&result);
}

static void test_v1_hyperv_section_without_utility_vm(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.hyperv.utilityVMPath", json_string("C:\\lf\\base\\UtilityVM"));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, "HcsCreateComputeSystem");
    TEST_ASSERT_JSON(result.document, "{'SystemType':'Container','Name':'c1','Owner':'owner',"
                                      "'LayerFolderPath':'$SCRATCH','Layers':null,"
                                      "'HvPartition':false}");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    TEST_ASSERT_CALLS(result.release_calls, "");
    test_run_result_free(&result);
}

static void test_mapped_directories(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "mounts",
                  json_pack("[{s:s, s:s, s:[s]}, {s:s, s:s, s:[s,s]}]", "destination", "C:\\data",
                            "source", "C:\\host\\rw", "options", "rw", "destination", "C:\\ro",
                            "source", "C:\\host\\ro", "options", "nosuid", "Ro"));
    test_run_result result;
    test_run_create(test_wcow_world(), json_deep_copy(spec), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "MappedDirectories"),
                     "[{'HostPath':'$HOST_RW','ContainerPath':'$DATA'},"
                     "{'HostPath':'$HOST_RO','ContainerPath':'C:\\\\ro','ReadOnly':true}]");
    CU_ASSERT_PTR_NULL(json_object_get(test_container_of(&result), "MappedPipes"));
    test_run_result_free(&result);

    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(result.document, "MappedDirectories"),
                     "[{'HostPath':'$HOST_RW','ContainerPath':'$DATA','ReadOnly':false,"
                     "'BandwidthMaximum':0,'IOPSMaximum':0,'CreateInUtilityVM':false},"
                     "{'HostPath':'$HOST_RO','ContainerPath':'C:\\\\ro','ReadOnly':true,"
                     "'BandwidthMaximum':0,'IOPSMaximum':0,'CreateInUtilityVM':false}]");
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "MappedPipes"));
    test_run_result_free(&result);
}

static void test_mapped_pipes(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "mounts",
                  json_pack("[{s:s, s:s}, {s:s, s:s}]", "destination", TEST_PIPE, "source",
                            TEST_PIPE, "destination", "inside", "source", "\\\\.\\pipe\\other"));
    test_run_result result;
    test_run_create(test_wcow_world(), json_deep_copy(spec), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "MappedPipes"),
                     "[{'ContainerPipeName':'engine','HostPath':'$PIPE'},"
                     "{'ContainerPipeName':'inside','HostPath':'\\\\\\\\.\\\\pipe\\\\other'}]");
    CU_ASSERT_PTR_NULL(json_object_get(test_container_of(&result), "MappedDirectories"));
    test_run_result_free(&result);

    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(result.document, "MappedPipes"),
                     "[{'HostPath':'$PIPE','ContainerPipeName':'engine'},"
                     "{'HostPath':'\\\\\\\\.\\\\pipe\\\\other','ContainerPipeName':'inside'}]");
    test_run_result_free(&result);
}

static void test_pipes_need_rs3(void)
{
    json_t *world = test_wcow_world();
    json_object_set_new(world, "build", json_integer(HCSOCI_BUILD_RS3 - 1));
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "mounts",
                  json_pack("[{s:s, s:s}]", "destination", TEST_PIPE, "source", TEST_PIPE));
    test_run_result result;
    test_run_create(world, spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "named pipe mounts are not supported on this version of Windows");
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",UnprepareLayer,DeactivateLayer");
    test_run_result_free(&result);

    /* Directories are fine on that build, and pipes on RS3 itself. */
    world = test_wcow_world();
    json_object_set_new(world, "build", json_integer(HCSOCI_BUILD_RS3 - 1));
    spec = test_wcow_spec();
    test_set_path(spec, "mounts",
                  json_pack("[{s:s, s:s}]", "destination", "C:\\d", "source", "C:\\s"));
    test_run_create(world, spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    test_run_result_free(&result);

    world = test_wcow_world();
    json_object_set_new(world, "build", json_integer(HCSOCI_BUILD_RS3));
    spec = test_wcow_spec();
    test_set_path(spec, "mounts",
                  json_pack("[{s:s, s:s}]", "destination", TEST_PIPE, "source", TEST_PIPE));
    test_run_create(world, spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    test_run_result_free(&result);
}

static void test_mount_needs_source_and_destination(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "mounts",
                  json_pack("[{s:s, s:s, s:[s,s]}]", "destination", "C:\\d", "type", "virtual-disk",
                            "options", "ro", "x"));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid OCI spec - a mount must have both source and a destination: "
                         "{Destination:C:\\d Type:virtual-disk Source: Options:[ro x]}");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "UnprepareLayer,DeactivateLayer");
    test_run_result_free(&result);

    spec = test_wcow_spec();
    test_set_path(spec, "mounts", json_pack("[{s:s}]", "source", "C:\\s"));
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid OCI spec - a mount must have both source and a destination: "
                         "{Destination: Type: Source:C:\\s Options:[]}");
    test_run_result_free(&result);
}

static void test_mount_types(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(
        spec, "mounts",
        json_pack("[{s:s, s:s, s:s}]", "destination", "C:\\d", "source", "C:\\s", "type", "bind"));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid OCI spec - Type 'bind' not supported");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "UnprepareLayer,DeactivateLayer");
    test_run_result_free(&result);

    /* Disk types pass the allocation for a process-isolated container but not the document
     * (after the document's layer ids were read). */
    static const char *const disk_types[] = {"physical-disk", "virtual-disk"};
    for (size_t i = 0; i < 2; i++) {
        spec = test_wcow_spec();
        test_set_path(spec, "mounts",
                      json_pack("[{s:s, s:s, s:s}]", "destination", "C:\\d", "source",
                                "\\\\.\\PhysicalDrive3", "type", disk_types[i]));
        test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
        char expected[128];
        snprintf(expected, sizeof expected,
                 "invalid container spec - Mount.Type '%s' must not be set", disk_types[i]);
        TEST_ASSERT_FAILED_WITH(result, expected);
        TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",UnprepareLayer,DeactivateLayer");
        test_run_result_free(&result);
    }
}

static void test_assigned_devices_v2(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.devices",
                  json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "id",
                            "5B45201D-F2F2-4F3B-85BB-30FF1F953599", "idType", "class", "id",
                            "24e552bb-3a0e-4a1d-9a9d-f2a4b31c4a8a", "idType", "vpci-class-guid",
                            "id", "PCIROOT(0)#PCI(0100)", "idType", "vpci-location-path"));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "AssignedDevices"),
                     "[{'InterfaceClassGuid':'5B45201D-F2F2-4F3B-85BB-30FF1F953599'},"
                     "{'InterfaceClassGuid':'24e552bb-3a0e-4a1d-9a9d-f2a4b31c4a8a'},"
                     "{'Type':'DeviceInstance','LocationPath':'PCIROOT(0)#PCI(0100)'}]");
    test_run_result_free(&result);

    spec = test_wcow_spec();
    test_set_path(spec, "windows.devices", json_array());
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(test_container_of(&result), "AssignedDevices"));
    test_run_result_free(&result);
}

static void test_assigned_device_of_unsupported_type(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.devices",
                  json_pack("[{s:s, s:s}, {s:s, s:s}]", "id", "g", "idType", "class", "id", "GPU-1",
                            "idType", "gpu"));
    test_run_result result;
    test_run_create(test_wcow_world(), json_deep_copy(spec), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "specified device GPU-1 has unsupported type gpu");
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",UnprepareLayer,DeactivateLayer");
    test_run_result_free(&result);

    /* Schema 1.0 ignores devices altogether. */
    test_run_create(test_wcow_world(), spec, &schema_1_0, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "AssignedDevices"));
    test_run_result_free(&result);
}

static void test_failed_compute_system_create_releases_layers(void)
{
    json_t *world = test_wcow_world();
    test_fail_call(world, "HcsCreateComputeSystem", 1, NULL);
    test_run_result result;
    test_run_create(world, test_wcow_spec(), NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "hcsshim::CreateComputeSystem c1: Access is denied.");
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",HcsCreateComputeSystem,UnprepareLayer,"
                               "DeactivateLayer");
    test_run_result_free(&result);
}

/* A create the host failed after the system was made: worded as the reference words the stage
 * (host.h), and rolled back as any failed create. */
static void test_create_failure_stages_are_worded_as_the_reference(void)
{
    static const struct {
        const char *stage;
        const char *message;
    } cases[] = {
        {HCSOCI_HOST_STAGE_CALLBACK_REGISTRATION,
         "hcsshim::CreateComputeSystem c1: Access is denied."},
        {HCSOCI_HOST_STAGE_PROPERTIES_QUERY, "hcsshim::System::Properties c1: Access is denied."},
        {HCSOCI_HOST_STAGE_OWN_WORDS, "Access is denied."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *world = test_wcow_world();
        test_fail_call(world, "HcsCreateComputeSystem", 1, NULL);
        test_run_options options = {.failure_stage = cases[i].stage};
        test_run_result result;
        test_run_create(world, test_wcow_spec(), &options, &result);
        TEST_ASSERT_FAILED_WITH(result, cases[i].message);
        TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",HcsCreateComputeSystem,UnprepareLayer,"
                                   "DeactivateLayer");
        test_run_result_free(&result);
    }
}

/* ---- Deviation D6 and bad input ---- */

static void test_d6_spec_value_beyond_int32_is_an_error(void)
{
    static const char *const fields[] = {"windows.resources.cpu.count",
                                         "windows.resources.storage.iops",
                                         "windows.resources.storage.bps"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *spec = test_wcow_spec();
        test_set_path(spec, fields[i], json_integer(2147483648));
        test_run_result result;
        test_run_create(test_wcow_world(), spec, NULL, &result);
        char expected[160];
        snprintf(expected, sizeof expected,
                 "invalid field '%s': 2147483648 does not fit in a 32-bit signed integer (at "
                 "most 2147483647)",
                 fields[i]);
        TEST_ASSERT_FAILED_WITH(result, expected);
        /* Refused before anything was allocated. */
        TEST_ASSERT_CALLS(result.calls, "");
        test_run_result_free(&result);
    }

    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.resources.storage.bps", json_integer(2147483647));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(json_object_get(test_container_of(&result), "Storage"), "QoS"),
                     "{'BandwidthMaximum':2147483647}");
    test_run_result_free(&result);

    /* An annotation that is used hides a bad spec value from the document, but not from the
     * check: the spec is refused as a whole. */
    spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "2");
    test_set_path(spec, "windows.resources.cpu.count", json_integer(INT64_MAX));
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "'windows.resources.cpu.count': 9223372036854775807");
    test_run_result_free(&result);
}

static void test_bad_spec_field_types_name_the_field(void)
{
    static const struct {
        const char *path;
        const char *value;
        const char *needle;
    } bad[] = {
        {"windows.resources.cpu.count", "-1", "'windows.resources.cpu.count'"},
        {"windows.resources.cpu.count", "2.5", "'windows.resources.cpu.count'"},
        {"windows.resources.cpu.count", "\"2\"", "'windows.resources.cpu.count'"},
        {"windows.resources.cpu.shares", "70000", "'windows.resources.cpu.shares': 70000"},
        {"windows.resources.cpu.maximum", "-5", "'windows.resources.cpu.maximum'"},
        {"windows.resources.memory.limit", "\"1GB\"", "'windows.resources.memory.limit'"},
        {"windows.resources.storage.iops", "true", "'windows.resources.storage.iops'"},
        {"windows.resources.storage", "[]", "'windows.resources.storage'"},
        {"windows.network.DNSSearchList", "[1]", "'windows.network.DNSSearchList[0]'"},
        {"windows.network.allowUnqualifiedDNSQuery", "\"yes\"",
         "'windows.network.allowUnqualifiedDNSQuery'"},
        {"windows.hyperv.utilityVMPath", "7", "'windows.hyperv.utilityVMPath'"},
        {"windows.ignoreFlushesDuringBoot", "1", "'windows.ignoreFlushesDuringBoot'"},
        {"mounts", "[{\"destination\":\"C:\\\\d\",\"source\":\"C:\\\\s\",\"options\":\"ro\"}]",
         "'mounts[0].options'"},
        {"mounts", "[{\"destination\":5}]", "'mounts[0].destination'"},
        {"mounts", "[{\"destination\":\"C:\\\\d\",\"source\":\"C:\\\\s\"},{\"type\":7}]",
         "'mounts[1].type'"},
        {"windows.devices", "[{\"id\":5,\"idType\":\"class\"}]", "'windows.devices[0].id'"},
        {"windows.layerFolders", "[\"C:\\\\a\",3]", "'windows.layerFolders[1]'"},
        {"hostname", "{}", "'hostname'"},
        {"annotations", "{\"io.microsoft.container.processor.count\":2}",
         "'annotations.io.microsoft.container.processor.count'"},
        {"root", "{\"path\":false}", "'root.path'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *spec = test_wcow_spec();
        json_t *value = json_loads(bad[i].value, JSON_DECODE_ANY, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(value);
        test_set_path(spec, bad[i].path, value);
        /* A given namespace: the core adopts it without asking the network module. */
        test_run_options options = {.network_namespace = "ns"};
        test_run_result result;
        test_run_create(test_wcow_world(), spec, &options, &result);
        if (result.status == 0 || strstr(result.error, bad[i].needle) == NULL)
            fprintf(stderr, "\n  %s = %s: %s\n", bad[i].path, bad[i].value,
                    result.error != NULL ? result.error : "accepted");
        TEST_ASSERT_FAILED_CONTAINING(result, bad[i].needle);
        TEST_ASSERT_CALLS(result.calls, "");
        test_run_result_free(&result);
    }
}

/* ---- Hyper-V isolated: schema 2.1 in a Windows utility VM ---- */

/* A Windows utility VM "uvm1" with 2 processors and one SCSI controller (stolen by
 * run_create_with). */
static json_t *make_uvm(void)
{
    json_t *uvm = json_pack("{s:s, s:s, s:s, s:i, s:i}", "id", "uvm1", "owner", "uvm-owner", "os",
                            "windows", "processorCount", 2, "scsiControllerCount", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(uvm);
    return uvm;
}

/* make_world() plus the sources the hosted mounts use. */
static json_t *make_hosted_world(void)
{
    json_t *world = test_wcow_world();
    json_t *files = json_object_get(world, "files");
    json_object_set_new(files, "C:\\host\\rw", json_string("dir"));
    json_object_set_new(files, "C:\\host\\ro", json_string("dir"));
    json_object_set_new(files, "C:\\host\\files", json_string("dir"));
    json_object_set_new(files, TEST_HOST_FILE, json_string("file"));
    json_object_set_new(files, TEST_DRIVE, json_string("file"));
    json_object_set_new(files, TEST_DISK, json_string("file"));
    return world;
}

static void run_hosted(json_t *world, json_t *spec, test_run_result *result)
{
    test_run_options options = {.hosting_system = make_uvm()};
    test_run_create(world, spec, &options, result);
}

/* The modify request a host call sent to the VM. */
static const json_t *modify_request(const json_t *calls, size_t index)
{
    return json_object_get(test_call_args(calls, index), "configuration");
}

/* The layers in a VM: the base layer's VSMB share, the scratch on SCSI, the combined layers
 * (with a NameToGuid for the base layer); and their release. */
#define HOSTED_LAYERS                                                                          \
    "HcsModifyComputeSystem,GrantVmAccess,HcsModifyComputeSystem,NameToGuid,"                  \
    "HcsModifyComputeSystem"
#define HOSTED_LAYERS_RELEASE "HcsModifyComputeSystem,HcsModifyComputeSystem,HcsModifyComputeSystem"

/* Checks the three requests that release the layers of a one-layer hosted container. */
static void assert_layers_released(const json_t *calls, size_t first)
{
    TEST_ASSERT_JSON(modify_request(calls, first),
                     "{'GuestRequest':{'RequestType':'Remove','ResourceType':'CombinedLayers',"
                     "'Settings':{'ContainerRootPath':'$ROOT'}}}");
    ASSERT_STRING(json_object_get(modify_request(calls, first + 1), "ResourcePath"),
                  "VirtualMachine/Devices/Scsi/0/Attachments/0");
    TEST_ASSERT_JSON(modify_request(calls, first + 2),
                     "{'ResourcePath':'VirtualMachine/Devices/VirtualSmb/Shares','RequestType':"
                     "'Remove','Settings':{'Name':'s1'}}");
}

static void test_hosted_layers_document_and_release(void)
{
    json_t *spec = test_wcow_spec();
    json_object_set_new(spec, "hostname", json_string("web"));
    test_run_result result;
    run_hosted(make_hosted_world(), spec, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS ",NameToGuid,HcsCreateComputeSystem");
    /* The read-only layer: a VSMB share with backup privilege. */
    TEST_ASSERT_JSON(
        modify_request(result.calls, 0),
        "{'ResourcePath':'VirtualMachine/Devices/VirtualSmb/Shares','RequestType':'Add',"
        "'Settings':{'Name':'s1','Path':'$BASE','Options':{'ReadOnly':true,"
        "'ShareRead':true,'CacheIo':true,'TakeBackupPrivilege':true,"
        "'PseudoOplocks':true}}}");
    /* The scratch on SCSI, mounted at the container's root in the VM. */
    TEST_ASSERT_JSON(test_call_args(result.calls, 1), "{'vmid':'uvm1','filepath':'$SANDBOX'}");
    TEST_ASSERT_JSON(modify_request(result.calls, 2),
                     "{'ResourcePath':'VirtualMachine/Devices/Scsi/0/Attachments/0','RequestType':"
                     "'Add','Settings':{'Type':'VirtualDisk','Path':'$SANDBOX'},'GuestRequest':{"
                     "'RequestType':'Add','ResourceType':'MappedVirtualDisk','Settings':{"
                     "'ContainerPath':'$ROOT'}}}");
    TEST_ASSERT_JSON(modify_request(result.calls, 4),
                     "{'GuestRequest':{'RequestType':'Add','ResourceType':'CombinedLayers',"
                     "'Settings':{'ContainerRootPath':'$ROOT','Layers':[{'Id':'$GUID_BASE',"
                     "'Path':'$S1'}]}}}");
    /* The hosted-system document: the layers as the VM sees them, the root in the VM. */
    TEST_ASSERT_JSON(test_call_args(result.calls, 6),
                     "{'id':'c1','configuration':{'Owner':'uvm-owner','SchemaVersion':{'Major':2,"
                     "'Minor':1},'HostingSystemId':'uvm1','HostedSystem':{'SchemaVersion':{"
                     "'Major':2,'Minor':1},'Container':{'GuestOs':{'HostName':'web'},'Storage':{"
                     "'Layers':[{'Id':'$GUID_BASE','Path':'$S1'}],'Path':'$ROOT'}}},"
                     "'ShouldTerminateOnLastHandleClosed':true}}");
    /* The container's document is the one sent, under the VM's owner, which it reports. */
    CU_ASSERT_TRUE(json_equal(result.sent_document,
                              json_object_get(test_call_args(result.calls, 6), "configuration")));
    CU_ASSERT_STRING_EQUAL(result.owner, "uvm-owner");
    TEST_ASSERT_JSON(json_object_get(result.spec, "root"), "{'path':'$ROOT'}");
    TEST_ASSERT_JSON(result.ledger_layers, "['$BASE','$SCRATCH']");
    /* Released in reverse: combined layers, scratch, share. */
    TEST_ASSERT_CALLS(result.release_calls, HOSTED_LAYERS_RELEASE);
    assert_layers_released(result.release_calls, 0);
    CU_ASSERT_PTR_NULL(result.release_error);
    test_run_result_free(&result);
}

/* Every kind of mount: read-write and read-only directories (the read-only one twice, sharing
 * one VSMB share), a single file, a pipe, a physical disk and a virtual disk. */
static json_t *make_spec_with_every_mount(void)
{
    json_t *spec = test_wcow_spec();
    json_t *mounts = json_pack(
        "[{s:s, s:s}, {s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}, {s:s, s:s},"
        " {s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s]}]",
        "destination", "C:\\rw", "source", "C:\\host\\rw", "destination", "C:\\ro", "source",
        "C:\\host\\ro", "options", "ro", "destination", "C:\\ro2", "source", "C:\\host\\ro",
        "options", "RO", "destination", "C:\\app.json", "source", TEST_HOST_FILE, "options", "ro",
        "destination", "\\\\.\\pipe\\inside", "source", TEST_PIPE, "destination", "C:\\pd",
        "source", TEST_DRIVE, "type", "physical-disk", "destination", "C:\\vd", "source", TEST_DISK,
        "type", "virtual-disk", "options", "ro");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mounts);
    json_object_set_new(spec, "mounts", mounts);
    return spec;
}

static void test_hosted_mounts_of_every_kind(void)
{
    test_run_result result;
    run_hosted(make_hosted_world(), make_spec_with_every_mount(), &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS ",HcsModifyComputeSystem,HcsModifyComputeSystem,"
                               "HcsModifyComputeSystem,HcsModifyComputeSystem,GrantVmAccess,"
                               "HcsModifyComputeSystem,GrantVmAccess,HcsModifyComputeSystem,"
                               "NameToGuid,HcsCreateComputeSystem");
    /* Directories: read-write with no options, read-only with the read-only defaults (and no
     * backup privilege); the second read-only mount of the same source adds nothing. */
    TEST_ASSERT_JSON(
        modify_request(result.calls, 5),
        "{'ResourcePath':'VirtualMachine/Devices/VirtualSmb/Shares','RequestType':'Add',"
        "'Settings':{'Name':'s2','Path':'$HOST_RW','Options':{}}}");
    TEST_ASSERT_JSON(json_object_get(modify_request(result.calls, 6), "Settings"),
                     "{'Name':'s3','Path':'$HOST_RO','Options':{'ReadOnly':true,'ShareRead':true,"
                     "'CacheIo':true,'PseudoOplocks':true}}");
    /* A file: its directory, restricted to that file. */
    TEST_ASSERT_JSON(json_object_get(modify_request(result.calls, 7), "Settings"),
                     "{'Name':'s4','Path':'C:\\\\host\\\\files','AllowedFiles':['$HOST_FILE'],"
                     "'Options':{'ReadOnly':true,'ShareRead':true,'CacheIo':true,"
                     "'RestrictFileAccess':true,'PseudoOplocks':true,'SingleFileMapping':true}}");
    TEST_ASSERT_JSON(modify_request(result.calls, 8),
                     "{'ResourcePath':'VirtualMachine/Devices/MappedPipes/" JSON_PIPE "',"
                     "'RequestType':'Add'}");
    /* Disks on SCSI at C:\mounts\m<n>: every mount took a number, so these are 6 and 7. */
    TEST_ASSERT_JSON(test_call_args(result.calls, 9), "{'vmid':'uvm1','filepath':'$DRIVE'}");
    TEST_ASSERT_JSON(modify_request(result.calls, 10),
                     "{'ResourcePath':'VirtualMachine/Devices/Scsi/0/Attachments/1','RequestType':"
                     "'Add','Settings':{'Type':'PassThru','Path':'$DRIVE'},'GuestRequest':{"
                     "'RequestType':'Add','ResourceType':'MappedVirtualDisk','Settings':{"
                     "'ContainerPath':'C:\\\\mounts\\\\m6','Lun':1}}}");
    TEST_ASSERT_JSON(test_call_args(result.calls, 11), "{'vmid':'uvm1','filepath':'$DISK'}");
    TEST_ASSERT_JSON(modify_request(result.calls, 12),
                     "{'ResourcePath':'VirtualMachine/Devices/Scsi/0/Attachments/2','RequestType':"
                     "'Add','Settings':{'Type':'VirtualDisk','Path':'$DISK','ReadOnly':true},"
                     "'GuestRequest':{'RequestType':'Add','ResourceType':'MappedVirtualDisk',"
                     "'Settings':{'ContainerPath':'C:\\\\mounts\\\\m7','Lun':2}}}");

    /* The container sees shares and disks through their paths in the VM, and the pipe
     * through the VM's IPC$ share. */
    TEST_ASSERT_JSON(
        json_object_get(test_container_of(&result), "MappedDirectories"),
        "[{'HostPath':'$S2','ContainerPath':'C:\\\\rw'},"
        "{'HostPath':'$S3','ContainerPath':'C:\\\\ro','ReadOnly':true},"
        "{'HostPath':'$S3','ContainerPath':'C:\\\\ro2','ReadOnly':true},"
        "{'HostPath':'" JSON_VSMB_SHARE "s4\\\\app.json','ContainerPath':'C:\\\\app.json',"
        "'ReadOnly':true},"
        "{'HostPath':'C:\\\\mounts\\\\m6','ContainerPath':'C:\\\\pd'},"
        "{'HostPath':'C:\\\\mounts\\\\m7','ContainerPath':'C:\\\\vd','ReadOnly':true}]");
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "MappedPipes"),
                     "[{'ContainerPipeName':'inside','HostPath':'" JSON_VSMB_SHARE
                     "IPC$\\\\engine'}]");
    /* The disk mounts lost their type in the spec the module left. */
    const json_t *mounts = json_object_get(result.spec, "mounts");
    CU_ASSERT_EQUAL_FATAL(json_array_size(mounts), 7u);
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(mounts, 5), "type"));
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(mounts, 6), "type"));
    ASSERT_STRING(json_object_get(json_array_get(mounts, 6), "source"), TEST_DISK);

    /* Release in reverse order: the disks, the pipe, the shares (s3 once, at its last
     * reference), then the layers. */
    TEST_ASSERT_CALLS(result.release_calls, "HcsModifyComputeSystem,HcsModifyComputeSystem,"
                                       "HcsModifyComputeSystem,HcsModifyComputeSystem,"
                                       "HcsModifyComputeSystem,HcsModifyComputeSystem,"
                                       HOSTED_LAYERS_RELEASE);
    TEST_ASSERT_JSON(modify_request(result.release_calls, 0),
                     "{'ResourcePath':'VirtualMachine/Devices/Scsi/0/Attachments/2','RequestType':"
                     "'Remove','GuestRequest':{'RequestType':'Remove','ResourceType':"
                     "'MappedVirtualDisk','Settings':{'ContainerPath':'C:\\\\mounts\\\\m7',"
                     "'Lun':2}}}");
    ASSERT_STRING(json_object_get(modify_request(result.release_calls, 1), "ResourcePath"),
                  "VirtualMachine/Devices/Scsi/0/Attachments/1");
    TEST_ASSERT_JSON(modify_request(result.release_calls, 2),
                     "{'ResourcePath':'VirtualMachine/Devices/MappedPipes/" JSON_PIPE "',"
                     "'RequestType':'Remove'}");
    static const char *const removed_shares[] = {"s4", "s3", "s2"};
    for (size_t i = 0; i < 3; i++) {
        const json_t *settings = json_object_get(modify_request(result.release_calls, 3 + i),
                                                 "Settings");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(settings, "Name")),
                               removed_shares[i]);
    }
    assert_layers_released(result.release_calls, 6);
    CU_ASSERT_PTR_NULL(result.release_error);
    test_run_result_free(&result);
}

static void test_hosted_mapped_directory_paths(void)
{
    /* The same source read-write and read-only is two shares; a disk mount alone is found
     * through its SCSI mount path (it is no VSMB share), at the first mount number. */
    json_t *spec = test_wcow_spec();
    json_object_set_new(spec, "mounts",
                        json_pack("[{s:s, s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:[s]}]", "destination",
                                  "C:\\vd", "source", TEST_DISK, "type", "virtual-disk",
                                  "destination", "C:\\a", "source", "C:\\host\\rw", "destination",
                                  "C:\\b", "source", "C:\\host\\rw", "options", "ro"));
    test_run_result result;
    run_hosted(make_hosted_world(), spec, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "MappedDirectories"),
                     "[{'HostPath':'C:\\\\mounts\\\\m1','ContainerPath':'C:\\\\vd'},"
                     "{'HostPath':'$S2','ContainerPath':'C:\\\\a'},"
                     "{'HostPath':'$S3','ContainerPath':'C:\\\\b','ReadOnly':true}]");
    CU_ASSERT_PTR_NULL(json_object_get(test_container_of(&result), "MappedPipes"));
    test_run_result_free(&result);

    /* A devices-physically-backed VM shares everything with NoDirectmap. */
    spec = test_wcow_spec();
    json_object_set_new(spec, "mounts", json_pack("[{s:s, s:s}]", "destination", "C:\\a",
                                                  "source", "C:\\host\\rw"));
    json_t *uvm = make_uvm();
    json_object_set_new(uvm, "devicesPhysicallyBacked", json_true());
    test_run_options options = {.hosting_system = uvm};
    test_run_create(make_hosted_world(), spec, &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(
        json_object_get(json_object_get(modify_request(result.calls, 0), "Settings"), "Options"),
        "{'ReadOnly':true,'ShareRead':true,'CacheIo':true,'TakeBackupPrivilege':true,"
        "'NoDirectmap':true,'PseudoOplocks':true}");
    TEST_ASSERT_JSON(
        json_object_get(json_object_get(modify_request(result.calls, 5), "Settings"), "Options"),
        "{'NoDirectmap':true}");
    test_run_result_free(&result);
}

static void test_hosted_bad_mounts_add_nothing(void)
{
    /* Checked before anything is added to the VM for that mount; the layers are rolled
     * back. */
    static const struct {
        const char *mounts;
        const char *error;
    } cases[] = {
        {"[{\"destination\":\"C:\\\\a\"}]",
         "invalid OCI spec - a mount must have both source and a destination: "
         "{Destination:C:\\a Type: Source: Options:[]}"},
        {"[{\"destination\":\"C:\\\\a\",\"source\":\"C:\\\\host\\\\rw\",\"type\":\"bind\"}]",
         "invalid OCI spec - Type 'bind' not supported"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *spec = test_wcow_spec();
        json_object_set_new(spec, "mounts", test_json(cases[i].mounts));
        test_run_result result;
        run_hosted(make_hosted_world(), spec, &result);
        TEST_ASSERT_FAILED_WITH(result, cases[i].error);
        TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS "," HOSTED_LAYERS_RELEASE);
        test_run_result_free(&result);
    }
}

static void test_hosted_mount_failure_rolls_back(void)
{
    /* Mounts: a read-write share, a pipe, a physical disk, a virtual disk. The layers take
     * the first three modify requests; the failing one is the nth. */
    static const struct {
        int nth;
        const char *error_start;
        const char *rollback; /* the calls after the failed one */
    } cases[] = {
        {4,
         "failed to add VSMB share to utility VM for mount {Destination:C:\\rw Type: "
         "Source:C:\\host\\rw Options:[]}: hcsshim::System::Modify uvm1: Access is denied.",
         HOSTED_LAYERS_RELEASE},
        {5, "failed to add named pipe to UVM: hcsshim::System::Modify uvm1: Access is denied.",
         "HcsModifyComputeSystem," HOSTED_LAYERS_RELEASE},
        {6,
         "adding SCSI physical disk mount {Destination:C:\\pd Type:physical-disk "
         "Source:" TEST_DRIVE " Options:[]}: ",
         "HcsModifyComputeSystem,HcsModifyComputeSystem," HOSTED_LAYERS_RELEASE},
        {7,
         "adding SCSI virtual disk mount {Destination:C:\\vd Type:virtual-disk "
         "Source:" TEST_DISK " Options:[ro]}: ",
         "HcsModifyComputeSystem,HcsModifyComputeSystem,"
         "HcsModifyComputeSystem," HOSTED_LAYERS_RELEASE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *spec = test_wcow_spec();
        json_object_set_new(
            spec, "mounts",
            json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s]}]",
                      "destination", "C:\\rw", "source", "C:\\host\\rw", "destination",
                      "\\\\.\\pipe\\inside", "source", TEST_PIPE, "destination", "C:\\pd", "source",
                      TEST_DRIVE, "type", "physical-disk", "destination", "C:\\vd", "source",
                      TEST_DISK, "type", "virtual-disk", "options", "ro"));
        json_t *world = make_hosted_world();
        test_fail_call(world, "HcsModifyComputeSystem", cases[i].nth, NULL);
        test_run_result result;
        run_hosted(world, spec, &result);
        CU_ASSERT_EQUAL(result.status, -1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(result.error);
        if (strncmp(result.error, cases[i].error_start, strlen(cases[i].error_start)) != 0)
            fprintf(stderr, "\n  error: %s\n  expected to start with: %s\n", result.error,
                    cases[i].error_start);
        CU_ASSERT_EQUAL(strncmp(result.error, cases[i].error_start,
                                strlen(cases[i].error_start)), 0);
        /* Everything added before the failure is removed, newest first, layers last. */
        size_t total = json_array_size(result.calls);
        size_t failed_at = 0;
        int modifies = 0;
        for (size_t c = 0; c < total; c++) {
            if (strcmp(json_string_value(json_object_get(json_array_get(result.calls, c),
                                                         "call")),
                       "HcsModifyComputeSystem") == 0 &&
                ++modifies == cases[i].nth) {
                failed_at = c;
                break;
            }
        }
        json_t *rollback = json_array();
        for (size_t c = failed_at + 1; c < total; c++)
            json_array_append(rollback, json_array_get(result.calls, c));
        TEST_ASSERT_CALLS(rollback, cases[i].rollback);
        size_t count = json_array_size(rollback);
        CU_ASSERT_TRUE_FATAL(count >= 3);
        assert_layers_released(rollback, count - 3);
        if (cases[i].nth == 7) {
            ASSERT_STRING(json_object_get(modify_request(rollback, 0), "ResourcePath"),
                          "VirtualMachine/Devices/Scsi/0/Attachments/1");
            ASSERT_STRING(json_object_get(modify_request(rollback, 1), "ResourcePath"),
                          "VirtualMachine/Devices/MappedPipes/" TEST_PIPE);
            TEST_ASSERT_JSON(modify_request(rollback, 2),
                             "{'ResourcePath':'VirtualMachine/Devices/VirtualSmb/Shares',"
                             "'RequestType':'Remove','Settings':{'Name':'s2'}}");
        }
        json_decref(rollback);
        test_run_result_free(&result);
    }
}

/* Runs a hosted create with CPU annotations on a host and VM of the given sizes. */
static void run_hosted_cpu(const char *annotation, const char *value, int host_processors,
                           int uvm_processors, bool scale, test_run_result *result)
{
    json_t *world = make_hosted_world();
    json_object_set_new(world, "processorCount", json_integer(host_processors));
    json_t *spec = test_wcow_spec();
    test_set_annotation(spec, annotation, value);
    json_t *uvm = make_uvm();
    json_object_set_new(uvm, "processorCount", json_integer(uvm_processors));
    test_run_options options = {.hosting_system = uvm, .scale_cpu_limits_to_sandbox = scale};
    test_run_create(world, spec, &options, result);
}

static void test_hosted_cpu_limit_scaled_to_the_vm(void)
{
    static const struct {
        const char *limit;
        int host, uvm;
        int expected;
    } cases[] = {
        {"2500", 8, 2, 10000}, /* 2500 * 8 / 2 */
        {"1000", 8, 2, 4000},
        {"3000", 4, 8, 1500},  /* a VM larger than the host scales down */
        {"5000", 8, 2, 10000}, /* 20000: bounded to 10000 */
        {"2", 1, 4, 1},        /* 0: bounded to 1 */
        {"10000", 1, 1, 10000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_run_result result;
        run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT, cases[i].limit,
                       cases[i].host, cases[i].uvm, true, &result);
        TEST_ASSERT_SUCCEEDED(result);
        const json_t *processor = json_object_get(test_container_of(&result), "Processor");
        if (json_integer_value(json_object_get(processor, "Maximum")) != cases[i].expected)
            fprintf(stderr, "\n  limit %s, host %d, uvm %d: %lld\n", cases[i].limit,
                    cases[i].host, cases[i].uvm,
                    (long long)json_integer_value(json_object_get(processor, "Maximum")));
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(processor, "Maximum")),
                        cases[i].expected);
        CU_ASSERT_EQUAL(json_object_size(processor), 1u);
        const json_t *fields = test_find_log(result.logs, "rescaling CPU limit for UVM sandbox");
        CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "hostCPUCount")),
                        cases[i].host);
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "uvmCPUCount")), cases[i].uvm);
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "oldCPULimit")),
                        atoi(cases[i].limit));
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "newCPULimit")),
                        cases[i].expected);
        test_run_result_free(&result);
    }

    /* Without the option, or process isolated, the limit is taken as it is. */
    test_run_result result;
    run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT, "2500", 8, 2, false, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Maximum':2500}");
    CU_ASSERT_PTR_NULL(test_find_log(result.logs, "rescaling"));
    test_run_result_free(&result);

    json_t *spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT, "2500");
    test_run_options options = {.scale_cpu_limits_to_sandbox = true};
    test_run_create(test_wcow_world(), spec, &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Maximum':2500}");
    CU_ASSERT_PTR_NULL(test_find_log(result.logs, "rescaling"));
    test_run_result_free(&result);

    /* Only a limit is rescaled; a weight is left alone. */
    run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_WEIGHT, "300", 8, 2, true, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Weight':300}");
    CU_ASSERT_PTR_NULL(test_find_log(result.logs, "rescaling"));
    test_run_result_free(&result);
}

static void test_hosted_cpu_count_clamped_to_the_vm(void)
{
    /* The VM's processors count, not the host's. */
    test_run_result result;
    run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "4", 8, 2, false, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Count':2}");
    const json_t *fields = test_find_log(
        result.logs, "Changing user requested CPUCount to current number of processors");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
    TEST_ASSERT_JSON(fields, "{'cid':'c1','uvm-id':'uvm1','requested':4,'assigned':2}");
    test_run_result_free(&result);

    /* More than the host has, within the VM's count: kept. */
    run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "6", 4, 8, false, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Count':6}");
    CU_ASSERT_PTR_NULL(test_find_log(result.logs, "Changing user requested CPUCount"));
    test_run_result_free(&result);
}

static void test_hosted_credential_guard_hvsocket_service(void)
{
    json_t *spec = test_wcow_spec();
    test_set_path(spec, "windows.credentialSpec", json_string("{}"));
    test_run_result result;
    run_hosted(make_hosted_world(), spec, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS ",HcsModifyServiceSettings,HcsGetServiceProperties,"
                                             "HcsModifyComputeSystem,NameToGuid,"
                                             "HcsCreateComputeSystem");
    TEST_ASSERT_JSON(
        json_object_get(
            json_object_get(json_object_get(test_call_args(result.calls, 5), "settings"),
                            "Settings"),
            "OperationDetails"),
        "{'Id':'c1','CredentialSpec':'{}','Transport':'HvSocket'}");
    /* The VM's service table lets the container reach the instance on the host. */
    TEST_ASSERT_JSON(modify_request(result.calls, 7),
                     "{'ResourcePath':'VirtualMachine/Devices/HvSocket/HvSocketConfig/ServiceTable/"
                     "1b2c3d4e-0000-0000-0000-0000000000cc','RequestType':'Update','Settings':{"
                     "'BindSecurityDescriptor':'D:P(A;;FA;;;SY)','ConnectSecurityDescriptor':"
                     "'D:P(A;;FA;;;SY)','AllowWildcardBinds':true}}");
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "ContainerCredentialGuard"),
                     "{'Cookie':'Y2NnLWNvb2tpZQ==','RpcEndpoint':'ccg-rpc-endpoint',"
                     "'Transport':'HvSocket'}");
    /* Release: the instance, then the layers; the service entry stays, as in the corpus. */
    TEST_ASSERT_CALLS(result.release_calls, "HcsModifyServiceSettings," HOSTED_LAYERS_RELEASE);
    assert_layers_released(result.release_calls, 1);
    test_run_result_free(&result);

    /* A failed service-table update removes the instance and the layers again. */
    spec = test_wcow_spec();
    test_set_path(spec, "windows.credentialSpec", json_string("{}"));
    json_t *world = make_hosted_world();
    test_fail_call(world, "HcsModifyComputeSystem", 4, NULL);
    run_hosted(world, spec, &result);
    CU_ASSERT_EQUAL(result.status, -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.error);
    static const char update_failed[] =
        "failed to update hvsocket service: hcsshim::System::Modify uvm1: Access is denied.";
    CU_ASSERT_EQUAL(strncmp(result.error, update_failed, sizeof update_failed - 1), 0);
    TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS ",HcsModifyServiceSettings,HcsGetServiceProperties,"
                                             "HcsModifyComputeSystem,HcsModifyServiceSettings,"
                                             HOSTED_LAYERS_RELEASE);
    TEST_ASSERT_JSON(
        json_object_get(json_object_get(test_call_args(result.calls, 8), "settings"), "Settings"),
        "{'Operation':'RemoveInstance','OperationDetails':{'Id':'c1'}}");
    test_run_result_free(&result);
}

int main(void)
{
    static const test_entry tests[] = {
        {"match: Windows specs, process isolated or in a Windows utility VM", test_match_windows_specs},
        {"v2 basic: mount, document, release", test_v2_basic_mounts_documents_and_releases},
        {"v1 basic document", test_v1_basic_document},
        {"documents keep the reference's field order", test_documents_keep_the_reference_field_order},
        {"scratch folder and sandbox.vhdx are created", test_scratch_folder_and_sandbox_are_created},
        {"scratch folder creation failure", test_scratch_folder_creation_failure},
        {"a given root path mounts nothing", test_root_path_given_mounts_nothing},
        {"missing windows section or layer folders", test_missing_windows_section_or_layer_folders},
        {"not enough layer folders for the document", test_not_enough_layer_folders_for_the_document},
        {"hostname", test_hostname},
        {"CPU count from annotation or spec", test_cpu_count_from_annotation_or_spec},
        {"CPU limit and weight", test_cpu_limit_and_weight},
        {"CPU settings are mutually exclusive", test_cpu_settings_are_mutually_exclusive},
        {"CPU count clamped with a warning", test_cpu_count_clamped_to_host_processors_with_warning},
        {"memory from annotation or spec", test_memory_from_annotation_or_spec},
        {"storage QoS from annotations or spec", test_storage_qos_from_annotations_or_spec},
        {"v1 network fields", test_v1_network_fields},
        {"v2 Networking", test_v2_networking},
        {"credential spec", test_credential_spec},
        {"root is created and gets the mount path", test_root_is_created_and_gets_the_mount_path},
        {"read-only root is refused", test_readonly_root_is_refused},
        {"volume GUID path check", test_volume_guid_path_check},
        {"v2 hyperv section without a utility VM", test_v2_hyperv_section_without_utility_vm},
        {"v1 hyperv section without a utility VM", test_v1_hyperv_section_without_utility_vm},
        {"mapped directories", test_mapped_directories},
        {"mapped pipes", test_mapped_pipes},
        {"pipes need RS3", test_pipes_need_rs3},
        {"a mount needs source and destination", test_mount_needs_source_and_destination},
        {"mount types", test_mount_types},
        {"assigned devices (v2)", test_assigned_devices_v2},
        {"assigned device of an unsupported type", test_assigned_device_of_unsupported_type},
        {"failed compute system create releases the layers", test_failed_compute_system_create_releases_layers},
        {"create failure stages are worded as the reference", test_create_failure_stages_are_worded_as_the_reference},
        {"D6: spec value beyond int32 is an error", test_d6_spec_value_beyond_int32_is_an_error},
        {"bad spec field types name the field", test_bad_spec_field_types_name_the_field},
        {"hosted: layers, document and release", test_hosted_layers_document_and_release},
        {"hosted: mounts of every kind and their release", test_hosted_mounts_of_every_kind},
        {"hosted: mapped directory paths in the VM", test_hosted_mapped_directory_paths},
        {"hosted: bad mounts add nothing", test_hosted_bad_mounts_add_nothing},
        {"hosted: a failed mount rolls back", test_hosted_mount_failure_rolls_back},
        {"hosted: CPU limit scaled to the VM, bounded", test_hosted_cpu_limit_scaled_to_the_vm},
        {"hosted: CPU count clamped to the VM", test_hosted_cpu_count_clamped_to_the_vm},
        {"hosted: credential guard HvSocket service", test_hosted_credential_guard_hvsocket_service},
        {NULL, NULL},
    };
    return test_run_suite("wcow", tests);
}
