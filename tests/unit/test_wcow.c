/* Tests of the WCOW builder module (process isolated, schema 1.0 and 2.1), the core's layer
 * service (core/lib/layers.c) and the annotation parsers (core/lib/annotations.c). Containers are
 * created through the core in a sim host; each test checks the host calls (the sim journal),
 * the document, the spec the module left, the ledger, the release calls and the log. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/annotations.h>
#include <hcsoci/hcsoci.h>
#include <hcsoci/layers.h>

#include "../../core/lib/runtime_testing.h"
#include "test_support.h"

/* ---- The world the tests start from ---- */

#define BASE "C:\\lf\\base"
#define MID "C:\\lf\\mid"
#define SCRATCH "C:\\lf\\scratch"
#define SANDBOX "C:\\lf\\scratch\\sandbox.vhdx"
#define GUID_BASE "8d2a4c6e-1111-4a5b-9c3d-000000000001"
#define GUID_MID "8d2a4c6e-2222-4a5b-9c3d-000000000002"
#define GUID_SCRATCH "8d2a4c6e-4444-4a5b-9c3d-000000000004"
#define VOLUME_GUID "3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f"
#define VOLUME "\\\\?\\Volume{" VOLUME_GUID "}\\"
#define VOLUME_V1 "\\\\?\\Volume{" VOLUME_GUID "}"
#define PIPE "\\\\.\\pipe\\engine"
/* What a container in a utility VM uses: its root in the VM, the VM's VSMB shares, and the
 * mount sources of the hosted tests (a file, a physical drive and a virtual disk). */
#define ROOT_IN_UVM "C:\\c\\1"
#define VSMB_SHARE "\\\\?\\VMSMB\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\"
#define JSON_VSMB_SHARE "\\\\\\\\?\\\\VMSMB\\\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\\\"
#define JSON_PIPE "\\\\\\\\.\\\\pipe\\\\engine"
#define HOST_FILE "C:\\host\\files\\app.json"
#define DRIVE "\\\\.\\PhysicalDrive1"
#define DISK "C:\\host\\disk.vhdx"

/* Base and mid layers, a scratch folder with its sandbox.vhdx, 8 processors, build 20348. */
static json_t *make_world(void)
{
    json_t *world = json_pack("{s:i, s:i, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s}",
                              "build", 20348, "processorCount", 8, "files", BASE, "dir", MID,
                              "dir", SCRATCH, "dir", SANDBOX, "file", "layerIds", BASE, GUID_BASE,
                              MID, GUID_MID, SCRATCH, GUID_SCRATCH, "layerMountPath", VOLUME);
    CU_ASSERT_PTR_NOT_NULL_FATAL(world);
    return world;
}

/* Makes the world's nth call of that name fail with hresult (0: the sim's default). */
static void fail_call(json_t *world, const char *call, int nth, const char *hresult)
{
    json_t *description = json_pack("{s:s, s:i}", "call", call, "nth", nth);
    if (hresult != NULL)
        json_object_set_new(description, "hresult", json_string(hresult));
    json_object_set_new(world, "failCall", description);
}

/* A spec with the base layer and the scratch folder. */
static json_t *make_spec(void)
{
    json_t *spec = json_pack("{s:s, s:{s:[s,s]}}", "ociVersion", "1.0.2-dev", "windows",
                             "layerFolders", BASE, SCRATCH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
    return spec;
}

/* Sets root.<a>.<b>... = value (stolen), making the objects on the way. */
static void set_path(json_t *root, const char *dotted, json_t *value)
{
    char *copy = strdup(dotted);
    json_t *object = root;
    char *segment = copy;
    for (char *dot = strchr(segment, '.'); dot != NULL; dot = strchr(segment, '.')) {
        *dot = '\0';
        json_t *next = json_object_get(object, segment);
        if (!json_is_object(next)) {
            next = json_object();
            json_object_set_new(object, segment, next);
        }
        object = next;
        segment = dot + 1;
    }
    json_object_set_new(object, segment, value);
    free(copy);
}

static void set_annotation(json_t *spec, const char *name, const char *value)
{
    json_t *annotations = json_object_get(spec, "annotations");
    if (annotations == NULL) {
        annotations = json_object();
        json_object_set_new(spec, "annotations", annotations);
    }
    json_object_set_new(annotations, name, json_string(value));
}

/* Expected JSON written with ' for " and placeholders ($BASE, $GUID_BASE, ...) for the
 * strings with backslashes; a string equal to a placeholder becomes its value. */
static const struct {
    const char *name;
    const char *value;
} placeholders[] = {
    {"$BASE", BASE},       {"$MID", MID},           {"$SCRATCH", SCRATCH},
    {"$SANDBOX", SANDBOX}, {"$GUID_BASE", GUID_BASE}, {"$GUID_MID", GUID_MID},
    {"$VOLUME", VOLUME},   {"$VOLUME_V1", VOLUME_V1}, {"$PIPE", PIPE},
    {"$DATA", "C:\\data"}, {"$HOST_RW", "C:\\host\\rw"}, {"$HOST_RO", "C:\\host\\ro"},
    {"$ROOT", ROOT_IN_UVM}, {"$S1", VSMB_SHARE "s1"}, {"$S2", VSMB_SHARE "s2"},
    {"$S3", VSMB_SHARE "s3"}, {"$S4", VSMB_SHARE "s4"}, {"$HOST_FILE", HOST_FILE},
    {"$DRIVE", DRIVE},     {"$DISK", DISK},
};

static void substitute(json_t *value)
{
    if (json_is_string(value)) {
        for (size_t i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++) {
            if (strcmp(json_string_value(value), placeholders[i].name) == 0) {
                json_string_set(value, placeholders[i].value);
                return;
            }
        }
    } else if (json_is_array(value)) {
        size_t index;
        json_t *item;
        json_array_foreach(value, index, item) substitute(item);
    } else if (json_is_object(value)) {
        const char *key;
        json_t *item;
        json_object_foreach(value, key, item) substitute(item);
    }
}

static json_t *expect(const char *quoted)
{
    char *text = strdup(quoted);
    for (char *character = text; *character != '\0'; character++) {
        if (*character == '\'')
            *character = '"';
    }
    json_t *value = test_json(text);
    free(text);
    substitute(value);
    return value;
}

/* CU_ASSERT that a JSON value is the expected string (printing it when not). */
#define ASSERT_STRING(actual, expected)                                                        \
    do {                                                                                       \
        const char *actual_ = json_string_value(actual);                                       \
        if (actual_ == NULL || strcmp(actual_, (expected)) != 0)                               \
            fprintf(stderr, "\n  actual:   %s\n  expected: %s\n",                             \
                    actual_ != NULL ? actual_ : "(not a string)", (expected));                  \
        CU_ASSERT_TRUE(actual_ != NULL && strcmp(actual_, (expected)) == 0);                   \
    } while (0)

/* CU_ASSERT that actual equals the expected JSON (printing both when not); frees expected. */
#define ASSERT_JSON(actual, expected_quoted)                                                   \
    do {                                                                                       \
        json_t *expected_ = expect(expected_quoted);                                           \
        int equal_ = json_equal((actual), expected_);                                          \
        if (!equal_) {                                                                         \
            char *actual_text_ = json_dumps((actual), JSON_COMPACT | JSON_ENCODE_ANY);          \
            char *expected_text_ = json_dumps(expected_, JSON_COMPACT);                        \
            fprintf(stderr, "\n  actual:   %s\n  expected: %s\n",                             \
                    actual_text_ != NULL ? actual_text_ : "(null)", expected_text_);           \
            free(actual_text_);                                                                \
            free(expected_text_);                                                              \
        }                                                                                      \
        CU_ASSERT_TRUE(equal_);                                                                \
        json_decref(expected_);                                                                \
    } while (0)

/* ---- Running one create ---- */

static json_t *captured_logs;

static void capture_log(void *context, hcsoci_log_level level, const char *message,
                        const json_t *fields)
{
    (void)context;
    json_array_append_new(captured_logs, json_pack("{s:i, s:s, s:O}", "level", (int)level,
                                                   "message", message, "fields", fields));
}

/* The fields of the first captured record whose message contains text, or NULL. */
static const json_t *find_log(const json_t *logs, const char *text)
{
    size_t index;
    const json_t *record;
    json_array_foreach(logs, index, record) {
        if (strstr(json_string_value(json_object_get(record, "message")), text) != NULL)
            return json_object_get(record, "fields");
    }
    return NULL;
}

/* The fields of the first captured warning about this annotation, or NULL. */
static const json_t *find_annotation_warning(const json_t *logs, const char *annotation)
{
    size_t index;
    const json_t *record;
    json_array_foreach(logs, index, record) {
        const json_t *fields = json_object_get(record, "fields");
        const char *name = json_string_value(json_object_get(fields, "oci-annotation"));
        if (name != NULL && strcmp(name, annotation) == 0 &&
            json_integer_value(json_object_get(record, "level")) == HCSOCI_LOG_WARN)
            return fields;
    }
    return NULL;
}

typedef struct run_options {
    const char *schema;            /* "1.0", "2.1" or NULL (by the host's build) */
    const char *network_namespace; /* NULL: none */
    json_t *hosting_system;        /* hostingSystem properties (stolen), NULL: process isolated */
    bool scale_cpu_limits_to_sandbox;
} run_options;

typedef struct run_result {
    int status;
    char *error;            /* the create's error message, or NULL */
    json_t *calls;          /* the create's host calls */
    json_t *document;       /* what was sent to HCS (success only) */
    json_t *spec;           /* the spec the module left (success only) */
    json_t *ledger_layers;  /* the layers the ledger held after the create, or NULL */
    json_t *release_calls;  /* releasing everything after a success, else NULL */
    char *release_error;
    json_t *world;          /* the sim world afterwards */
    json_t *logs;           /* captured log records */
} run_result;

static void run_result_free(run_result *result)
{
    free(result->error);
    free(result->release_error);
    json_decref(result->calls);
    json_decref(result->document);
    json_decref(result->spec);
    json_decref(result->ledger_layers);
    json_decref(result->release_calls);
    json_decref(result->world);
    json_decref(result->logs);
    memset(result, 0, sizeof *result);
}

static char *take_message(hcsoci_error *error)
{
    if (error == NULL)
        return NULL;
    char *message = strdup(error->message);
    hcsoci_error_free(error);
    return message;
}

/* Creates container "c1" (owner "owner") from spec in world (both consumed), then releases
 * all it allocated when the create succeeded. */
static void run_create_with(json_t *world, json_t *spec, const run_options *options,
                            run_result *result)
{
    memset(result, 0, sizeof *result);
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(world, &host, &error) != 0) {
        fprintf(stderr, "cannot make sim host: %s\n", error->message);
        abort();
    }
    json_decref(world);
    hcsoci_runtime *runtime = test_runtime(host);
    hcsoci_uvm *uvm = NULL;
    if (options != NULL && options->hosting_system != NULL) {
        hcsoci_uvm_properties properties;
        if (hcsoci_uvm_properties_from_json(options->hosting_system, &properties, &error) != 0 ||
            hcsoci_uvm_new(host, &properties, &uvm, &error) != 0) {
            fprintf(stderr, "cannot make the utility VM: %s\n", error->message);
            abort();
        }
    }
    captured_logs = json_array();
    hcsoci_log_set_sink(capture_log, NULL, HCSOCI_LOG_INFO);

    hcsoci_schema_version schema = {0, 0};
    if (options != NULL && options->schema != NULL)
        schema = strcmp(options->schema, "1.0") == 0 ? (hcsoci_schema_version){1, 0}
                                                     : (hcsoci_schema_version){2, 1};
    hcsoci_create_options create = {
        .id = "c1",
        .owner = "owner",
        .spec = spec,
        .schema_version = (options != NULL && options->schema != NULL) ? &schema : NULL,
        .network_namespace = options != NULL ? options->network_namespace : NULL,
        .hosting_system = uvm,
        .scale_cpu_limits_to_sandbox = options != NULL && options->scale_cpu_limits_to_sandbox,
    };
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    result->status = hcsoci_create_container(runtime, &create, &container, &resources, &error);
    result->error = take_message(error);
    result->calls = json_deep_copy(hcsoci_sim_host_journal(host));
    if (resources != NULL && hcsoci_resources_layers(resources) != NULL)
        result->ledger_layers = json_deep_copy(hcsoci_resources_layers(resources));
    if (result->status == 0) {
        result->document = json_incref(container->document);
        result->spec = json_incref(container->spec);
        hcsoci_sim_host_journal_clear(host);
        hcsoci_error *release_error = NULL;
        if (hcsoci_release_resources(runtime, resources, uvm, true, &release_error) != 0)
            result->release_error = take_message(release_error);
        result->release_calls = json_deep_copy(hcsoci_sim_host_journal(host));
    }
    result->world = hcsoci_sim_host_world(host);

    hcsoci_log_set_sink(NULL, NULL, HCSOCI_LOG_WARN);
    result->logs = captured_logs;
    captured_logs = NULL;
    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    hcsoci_uvm_free(uvm);
    if (options != NULL)
        json_decref(options->hosting_system);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
    json_decref(spec);
}

static void run_create(json_t *world, json_t *spec, const char *schema, run_result *result)
{
    run_options options = {.schema = schema};
    run_create_with(world, spec, &options, result);
}

/* The Container object of a schema 2.1 ComputeSystem document. */
static const json_t *container_of(const run_result *result)
{
    return json_object_get(result->document, "Container");
}

/* The i-th call's args. */
static const json_t *call_args(const json_t *calls, size_t index)
{
    return json_object_get(json_array_get(calls, index), "args");
}

#define MOUNTED_V2 "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,NameToGuid"

/* ---- Module descriptor ---- */

static void test_match_windows_specs(void)
{
    hcsoci_host *host = test_sim_host("{}");
    hcsoci_runtime *runtime = test_runtime(host);
    hcsoci_match_key key = {HCSOCI_SPEC_WINDOWS, {2, 1}, HCSOCI_HOSTING_NONE};
    hcsoci_error *error = NULL;
    const hcsoci_plugin_descriptor *descriptor =
        hcsoci_runtime_select_builder(runtime, &key, &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(descriptor);
    CU_ASSERT_STRING_EQUAL(descriptor->name, "wcow");
    CU_ASSERT_EQUAL(descriptor->kind, HCSOCI_PLUGIN_BUILDER);
    CU_ASSERT_EQUAL(descriptor->match(&key), 100u);
    key.schema = (hcsoci_schema_version){1, 0};
    CU_ASSERT_EQUAL(descriptor->match(&key), 100u);
    /* In a Windows utility VM: schema 2.1 only. */
    key = (hcsoci_match_key){HCSOCI_SPEC_WINDOWS, {2, 1}, HCSOCI_HOSTING_WINDOWS};
    CU_ASSERT_PTR_EQUAL(hcsoci_runtime_select_builder(runtime, &key, &error), descriptor);
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
    json_t *spec = make_spec();
    json_object_set_new(spec, "hostname", json_string("web"));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",HcsCreateComputeSystem");
    ASSERT_JSON(call_args(result.calls, 0), "{'id':'$SCRATCH'}");
    ASSERT_JSON(call_args(result.calls, 1), "{'name':'base'}");
    ASSERT_JSON(call_args(result.calls, 2),
                "{'id':'$SCRATCH','descriptors':[{'LayerId':'$GUID_BASE','Flags':0,"
                "'Path':'$BASE'}]}");
    ASSERT_JSON(call_args(result.calls, 5),
                "{'id':'c1','configuration':{'Owner':'owner','SchemaVersion':{'Major':2,"
                "'Minor':1},'Container':{'GuestOs':{'HostName':'web'},'Storage':{'Layers':"
                "[{'Id':'$GUID_BASE','Path':'$BASE'}],'Path':'$VOLUME'}},"
                "'ShouldTerminateOnLastHandleClosed':true}}");
    /* The ledger holds the layers; releasing unprepares, then deactivates the scratch. */
    ASSERT_JSON(result.ledger_layers, "['$BASE','$SCRATCH']");
    TEST_ASSERT_CALLS(result.release_calls, "UnprepareLayer,DeactivateLayer");
    ASSERT_JSON(call_args(result.release_calls, 1), "{'id':'$SCRATCH'}");
    CU_ASSERT_PTR_NULL(result.release_error);
    run_result_free(&result);
}

static void test_v1_basic_document(void)
{
    json_t *spec = make_spec();
    json_object_set_new(spec, "hostname", json_string("web"));
    run_result result;
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",HcsCreateComputeSystem");
    ASSERT_JSON(result.document,
                "{'SystemType':'Container','Name':'c1','Owner':'owner','VolumePath':'$VOLUME_V1',"
                "'LayerFolderPath':'$SCRATCH','Layers':[{'ID':'$GUID_BASE','Path':'$BASE'}],"
                "'HostName':'web','HvPartition':false}");
    TEST_ASSERT_CALLS(result.release_calls, "UnprepareLayer,DeactivateLayer");
    run_result_free(&result);
}

static void test_documents_keep_the_reference_field_order(void)
{
    json_t *spec = make_spec();
    json_object_set_new(spec, "hostname", json_string("h"));
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "2");
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB, "64");
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM, "5");
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_BANDWIDTH_MAXIMUM, "6");
    set_path(spec, "mounts", json_pack("[{s:s, s:s}, {s:s, s:s}]", "destination", "C:\\d",
                                       "source", "C:\\s", "destination", PIPE, "source", PIPE));
    set_path(spec, "windows.network",
             json_pack("{s:b, s:[s], s:s}", "allowUnqualifiedDNSQuery", 1, "DNSSearchList", "a",
                       "networkSharedContainerName", "n"));
    set_path(spec, "windows.devices", json_pack("[{s:s, s:s}]", "id", "g", "idType", "class"));

    run_options options = {.schema = "2.1", .network_namespace = "ns"};
    run_result v2;
    run_create_with(make_world(), json_deep_copy(spec), &options, &v2);
    TEST_ASSERT_SUCCEEDED(v2);
    char *text = json_dumps(v2.document, JSON_COMPACT);
    CU_ASSERT_STRING_EQUAL(
        text, "{\"Owner\":\"owner\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"Container\":{"
              "\"GuestOs\":{\"HostName\":\"h\"},\"Storage\":{\"Layers\":[{\"Id\":\"" GUID_BASE
              "\",\"Path\":\"C:\\\\lf\\\\base\"}],\"Path\":\"\\\\\\\\?\\\\Volume{" VOLUME_GUID
              "}\\\\\",\"QoS\":{\"IopsMaximum\":5,\"BandwidthMaximum\":6}},"
              "\"MappedDirectories\":[{\"HostPath\":\"C:\\\\s\",\"ContainerPath\":\"C:\\\\d\"}],"
              "\"MappedPipes\":[{\"ContainerPipeName\":\"engine\",\"HostPath\":\"\\\\\\\\.\\\\"
              "pipe\\\\engine\"}],\"Memory\":{\"SizeInMB\":64},\"Processor\":{\"Count\":2},"
              "\"Networking\":{\"AllowUnqualifiedDnsQuery\":true,\"DnsSearchList\":\"a\","
              "\"NetworkSharedContainerName\":\"n\",\"Namespace\":\"ns\"},\"AssignedDevices\":"
              "[{\"InterfaceClassGuid\":\"g\"}]},\"ShouldTerminateOnLastHandleClosed\":true}");
    free(text);
    run_result_free(&v2);

    json_object_set_new(spec, "windows", json_pack("{s:[s,s], s:s, s:b, s:{s:[s], s:b, s:[s], s:s}}",
                                                   "layerFolders", BASE, SCRATCH,
                                                   "credentialSpec", "cred",
                                                   "ignoreFlushesDuringBoot", 1, "network",
                                                   "endpointList", "e1",
                                                   "allowUnqualifiedDNSQuery", 1,
                                                   "DNSSearchList", "a",
                                                   "networkSharedContainerName", "n"));
    run_result v1;
    run_create(make_world(), spec, "1.0", &v1);
    TEST_ASSERT_SUCCEEDED(v1);
    text = json_dumps(v1.document, JSON_COMPACT);
    CU_ASSERT_STRING_EQUAL(
        text, "{\"SystemType\":\"Container\",\"Name\":\"c1\",\"Owner\":\"owner\","
              "\"VolumePath\":\"\\\\\\\\?\\\\Volume{" VOLUME_GUID "}\","
              "\"IgnoreFlushesDuringBoot\":true,\"LayerFolderPath\":\"C:\\\\lf\\\\scratch\","
              "\"Layers\":[{\"ID\":\"" GUID_BASE "\",\"Path\":\"C:\\\\lf\\\\base\"}],"
              "\"Credentials\":\"cred\",\"ProcessorCount\":2,\"StorageIOPSMaximum\":5,"
              "\"StorageBandwidthMaximum\":6,\"MemoryMaximumInMB\":64,\"HostName\":\"h\","
              "\"MappedDirectories\":[{\"HostPath\":\"C:\\\\s\",\"ContainerPath\":\"C:\\\\d\","
              "\"ReadOnly\":false,\"BandwidthMaximum\":0,\"IOPSMaximum\":0,"
              "\"CreateInUtilityVM\":false}],\"MappedPipes\":[{\"HostPath\":\"\\\\\\\\.\\\\pipe"
              "\\\\engine\",\"ContainerPipeName\":\"engine\"}],\"HvPartition\":false,"
              "\"NetworkSharedContainerName\":\"n\",\"EndpointList\":[\"e1\"],"
              "\"AllowUnqualifiedDNSQuery\":true,\"DNSSearchList\":\"a\"}");
    free(text);
    run_result_free(&v1);
}

static void test_scratch_folder_and_sandbox_are_created(void)
{
    json_t *world = make_world();
    json_t *files = json_object_get(world, "files");
    json_object_del(files, SCRATCH);
    json_object_del(files, SANDBOX);
    json_t *spec = make_spec();
    json_object_set_new(json_object_get(spec, "windows"), "layerFolders",
                        json_pack("[s,s,s]", BASE, MID, SCRATCH));
    run_result result;
    run_create(world, spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, "NameToGuid,NameToGuid,CreateSandboxLayer,ActivateLayer,"
                               "NameToGuid,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "NameToGuid,NameToGuid,HcsCreateComputeSystem");
    ASSERT_JSON(call_args(result.calls, 2),
                "{'id':'$SCRATCH','descriptors':[{'LayerId':'$GUID_BASE','Flags':0,"
                "'Path':'$BASE'},{'LayerId':'$GUID_MID','Flags':0,'Path':'$MID'}]}");
    const json_t *files_after = json_object_get(result.world, "files");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(files_after, SCRATCH)), "dir");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(files_after, SANDBOX));
    ASSERT_JSON(json_object_get(json_object_get(container_of(&result), "Storage"), "Layers"),
                "[{'Id':'$GUID_BASE','Path':'$BASE'},{'Id':'$GUID_MID','Path':'$MID'}]");
    run_result_free(&result);
}

static void test_sandbox_created_in_existing_scratch_folder(void)
{
    json_t *world = make_world();
    json_object_del(json_object_get(world, "files"), SANDBOX);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, "NameToGuid,CreateSandboxLayer," MOUNTED_V2
                               ",HcsCreateComputeSystem");
    run_result_free(&result);
}

static void test_scratch_folder_creation_failure(void)
{
    /* A file stands where the scratch folder's parent would be. */
    json_t *world = make_world();
    json_object_set_new(json_object_get(world, "files"), "C:\\blocked", json_string("file"));
    json_t *spec = make_spec();
    json_object_set_new(json_object_get(spec, "windows"), "layerFolders",
                        json_pack("[s,s]", BASE, "C:\\blocked\\scratch"));
    run_result result;
    run_create(world, spec, NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "failed to auto-create container scratch folder "
                                  "C:\\blocked\\scratch: ");
    TEST_ASSERT_CALLS(result.calls, "");
    run_result_free(&result);
}

static void test_create_sandbox_layer_failure(void)
{
    json_t *world = make_world();
    json_object_del(json_object_get(world, "files"), SANDBOX);
    fail_call(world, "CreateSandboxLayer", 1, NULL);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "failed to CreateSandboxLayer hcsshim::CreateScratchLayer - failed "
                         "failed in Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "NameToGuid,CreateSandboxLayer");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    run_result_free(&result);
}

static void test_name_to_guid_failure_before_create_sandbox(void)
{
    json_t *world = make_world();
    json_object_del(json_object_get(world, "files"), SANDBOX);
    fail_call(world, "NameToGuid", 1, NULL);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "failed to CreateSandboxLayer hcsshim::NameToGuid - failed failed in "
                         "Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "NameToGuid");
    run_result_free(&result);
}

static void test_activate_layer_failure(void)
{
    json_t *world = make_world();
    fail_call(world, "ActivateLayer", 1, NULL);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "failed to mount container storage: hcsshim::ActivateLayer - failed "
                         "failed in Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    run_result_free(&result);
}

static void test_prepare_layer_failure_deactivates(void)
{
    json_t *world = make_world();
    fail_call(world, "PrepareLayer", 1, NULL);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "failed to mount container storage: hcsshim::PrepareLayer - failed "
                         "failed in Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,DeactivateLayer");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    run_result_free(&result);
}

static void test_name_to_guid_failure_while_preparing_deactivates(void)
{
    json_t *world = make_world();
    fail_call(world, "NameToGuid", 1, NULL);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "failed to mount container storage: hcsshim::NameToGuid - failed "
                         "failed in Win32: Access is denied. (0x5)");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,DeactivateLayer");
    run_result_free(&result);
}

static void test_get_layer_mount_path_failure_unprepares_and_deactivates(void)
{
    json_t *world = make_world();
    fail_call(world, "GetLayerMountPath", 1, NULL);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "failed to mount container storage: hcsshim::GetLayerMountPath - "
                         "failed failed in Win32: Access is denied. (0x5) (first call)");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "UnprepareLayer,DeactivateLayer");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    run_result_free(&result);
}

static void test_layer_error_code_of_a_non_win32_hresult(void)
{
    json_t *world = make_world();
    fail_call(world, "ActivateLayer", 1, "0x80004005");
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "failed to mount container storage: hcsshim::ActivateLayer - failed "
                         "failed in Win32: Unspecified error (0x80004005)");
    run_result_free(&result);
}

static void test_mount_needs_two_layer_folders(void)
{
    json_t *spec = make_spec();
    json_object_set_new(json_object_get(spec, "windows"), "layerFolders",
                        json_pack("[s]", SCRATCH));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "failed to mount container storage: need at least two layers - base "
                         "and scratch");
    TEST_ASSERT_CALLS(result.calls, "");
    run_result_free(&result);
}

static void test_root_path_given_mounts_nothing(void)
{
    json_t *spec = make_spec();
    set_path(spec, "root.path", json_string(VOLUME));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, "NameToGuid,HcsCreateComputeSystem");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    TEST_ASSERT_CALLS(result.release_calls, "");
    ASSERT_JSON(json_object_get(container_of(&result), "Storage"),
                "{'Layers':[{'Id':'$GUID_BASE','Path':'$BASE'}],'Path':'$VOLUME'}");
    run_result_free(&result);
}

static void test_unprepare_failure_on_release(void)
{
    json_t *world = make_world();
    fail_call(world, "UnprepareLayer", 1, NULL);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.release_calls, "UnprepareLayer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.release_error);
    CU_ASSERT_STRING_EQUAL(result.release_error, "hcsshim::UnprepareLayer - failed failed in "
                                                 "Win32: Access is denied. (0x5)");
    run_result_free(&result);
}

static void test_deactivate_failure_on_release_keeps_reference_wording(void)
{
    json_t *world = make_world();
    fail_call(world, "DeactivateLayer", 1, NULL);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.release_calls, "UnprepareLayer,DeactivateLayer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.release_error);
    /* The reference's DeactivateLayer title has no space before "- failed". */
    CU_ASSERT_STRING_EQUAL(result.release_error, "hcsshim::DeactivateLayer- failed failed in "
                                                 "Win32: Access is denied. (0x5)");
    run_result_free(&result);
}

static void test_layer_id_uses_the_last_path_element(void)
{
    hcsoci_host *host =
        test_sim_host("{\"layerIds\":{\"C:\\\\x\\\\layer\":\"AABBCCDD-1111-4A5B-9C3D-00000000000F\"}}");
    char *guid = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_layer_id(host, "D:\\other\\place/layer", &guid, &error), 0);
    /* The GUID is written in lower case, as the reference prints GUIDs. */
    CU_ASSERT_STRING_EQUAL(guid, "aabbccdd-1111-4a5b-9c3d-00000000000f");
    free(guid);
    CU_ASSERT_EQUAL_FATAL(hcsoci_layer_id(host, "E:layer", &guid, &error), 0);
    free(guid);
    const json_t *journal = hcsoci_sim_host_journal(host);
    ASSERT_JSON(call_args(journal, 0), "{'name':'layer'}");
    ASSERT_JSON(call_args(journal, 1), "{'name':'layer'}");

    json_t *descriptors = NULL;
    json_t *bad_folders = json_pack("[s,i]", BASE, 5);
    CU_ASSERT_EQUAL(hcsoci_layer_descriptors(host, bad_folders, 2, &descriptors, &error), -1);
    CU_ASSERT_PTR_NULL(descriptors);
    TEST_ASSERT_ERROR_CONTAINS(error, "element 1 must be a string");
    json_decref(bad_folders);
    hcsoci_host_destroy(host);
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
        run_result result;
        run_create(make_world(), spec, NULL, &result);
        TEST_ASSERT_FAILED_WITH(result, "field 'Spec.Windows.Layerfolders' is not populated");
        TEST_ASSERT_CALLS(result.calls, "");
        run_result_free(&result);
    }
}

static void test_not_enough_layer_folders_for_the_document(void)
{
    json_t *spec = make_spec();
    json_object_set_new(json_object_get(spec, "windows"), "layerFolders",
                        json_pack("[s]", SCRATCH));
    set_path(spec, "root.path", json_string(VOLUME));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid spec - not enough layer folders supplied");
    TEST_ASSERT_CALLS(result.calls, "");
    run_result_free(&result);
}

static void test_hostname(void)
{
    run_result result;
    run_create(make_world(), make_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "GuestOs"));
    run_result_free(&result);

    json_t *spec = make_spec();
    json_object_set_new(spec, "hostname", json_string("box"));
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "GuestOs"), "{'HostName':'box'}");
    run_result_free(&result);

    run_create(make_world(), make_spec(), "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "HostName"));
    run_result_free(&result);
}

static void test_cpu_count_from_annotation_or_spec(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.resources.cpu.count", json_integer(3));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Count':3}");
    run_result_free(&result);

    /* The annotation wins over the spec. */
    spec = make_spec();
    set_path(spec, "windows.resources.cpu.count", json_integer(3));
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "2");
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(result.document, "ProcessorCount")), 2);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "ProcessorWeight"));
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "ProcessorMaximum"));
    run_result_free(&result);
}

static void test_cpu_limit_and_weight(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.resources.cpu.maximum", json_integer(2500));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Maximum':2500}");
    run_result_free(&result);

    spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_WEIGHT, "400");
    set_path(spec, "windows.resources.cpu.shares", json_integer(300));
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(result.document, "ProcessorWeight")),
                    400);
    run_result_free(&result);

    spec = make_spec();
    set_path(spec, "windows.resources.cpu.shares", json_integer(300));
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Weight':300}");
    run_result_free(&result);
}

static void test_cpu_settings_are_mutually_exclusive(void)
{
    json_t *spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "2");
    set_path(spec, "windows.resources.cpu.shares", json_integer(300));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid spec - Windows Process Container CPU Count: '2', Limit: '0', "
                         "and Weight: '300' are mutually exclusive");
    /* Found after the layers were mounted, which are released again. */
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "UnprepareLayer,DeactivateLayer");
    run_result_free(&result);
}

static void test_cpu_count_clamped_to_host_processors_with_warning(void)
{
    json_t *spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "16");
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Count':8}");
    const json_t *fields =
        find_log(result.logs, "Changing user requested CPUCount to current number of processors");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "requested")), 16);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "assigned")), 8);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fields, "cid")), "c1");
    run_result_free(&result);

    /* Exactly the host's count is not changed and not logged. */
    spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "8");
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Count':8}");
    CU_ASSERT_PTR_NULL(find_log(result.logs, "Changing user requested CPUCount"));
    run_result_free(&result);
}

static void test_unparsable_or_zero_annotation_falls_back_to_spec(void)
{
    json_t *spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "two");
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM, "0");
    set_path(spec, "windows.resources.cpu.count", json_integer(3));
    set_path(spec, "windows.resources.storage.iops", json_integer(40));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Count':3}");
    ASSERT_JSON(json_object_get(json_object_get(container_of(&result), "Storage"), "QoS"),
                "{'IopsMaximum':40}");
    const json_t *fields =
        find_annotation_warning(result.logs, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fields, "value")), "two");
    /* "0" parses: nothing to warn about. */
    CU_ASSERT_PTR_NULL(
        find_annotation_warning(result.logs, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM));
    run_result_free(&result);
}

static void test_memory_from_annotation_or_spec(void)
{
    json_t *spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB, "2048");
    set_path(spec, "windows.resources.memory.limit", json_integer(1073741824));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Memory"), "{'SizeInMB':2048}");
    run_result_free(&result);

    spec = make_spec();
    set_path(spec, "windows.resources.memory.limit", json_integer(1073741824));
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(result.document, "MemoryMaximumInMB")),
                    1024);
    run_result_free(&result);

    /* Less than 1 MiB is no limit at all. */
    spec = make_spec();
    set_path(spec, "windows.resources.memory.limit", json_integer(1048575));
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "Memory"));
    run_result_free(&result);
}

static void test_storage_qos_from_annotations_or_spec(void)
{
    json_t *spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_BANDWIDTH_MAXIMUM, "1000000");
    set_path(spec, "windows.resources.storage.iops", json_integer(250));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(json_object_get(container_of(&result), "Storage"), "QoS"),
                "{'IopsMaximum':250,'BandwidthMaximum':1000000}");
    run_result_free(&result);

    spec = make_spec();
    set_path(spec, "windows.resources.storage.bps", json_integer(5000000));
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_EQUAL(
        json_integer_value(json_object_get(result.document, "StorageBandwidthMaximum")), 5000000);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "StorageIOPSMaximum"));
    run_result_free(&result);

    run_create(make_world(), make_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(json_object_get(container_of(&result), "Storage"), "QoS"));
    run_result_free(&result);
}

static void test_v1_network_fields(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.network",
             json_pack("{s:[s,s], s:b, s:[s,s], s:s}", "endpointList", "e1", "e2",
                       "allowUnqualifiedDNSQuery", 1, "DNSSearchList", "corp.example",
                       "example.com", "networkSharedContainerName", "shared"));
    run_result result;
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    /* Schema 1.0 makes no namespace: no HNS call. */
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",HcsCreateComputeSystem");
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(result.document, "NetworkSharedContainerName")),
        "shared");
    ASSERT_JSON(json_object_get(result.document, "EndpointList"), "['e1','e2']");
    CU_ASSERT_TRUE(json_is_true(json_object_get(result.document, "AllowUnqualifiedDNSQuery")));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result.document, "DNSSearchList")),
                           "corp.example,example.com");
    run_result_free(&result);

    /* Empty values are left out. */
    spec = make_spec();
    set_path(spec, "windows.network", json_pack("{s:[], s:[]}", "endpointList", "DNSSearchList"));
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "EndpointList"));
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "DNSSearchList"));
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "AllowUnqualifiedDNSQuery"));
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "NetworkSharedContainerName"));
    run_result_free(&result);
}

static void test_v2_networking(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.network",
             json_pack("{s:[s], s:b, s:[s,s], s:s}", "endpointList", "e1",
                       "allowUnqualifiedDNSQuery", 1, "DNSSearchList", "a.example", "b.example",
                       "networkSharedContainerName", "shared"));
    run_options options = {.network_namespace = "9b8a7c6d-0000-4000-8000-0000000000a1"};
    run_result result;
    run_create_with(make_world(), spec, &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Networking"),
                "{'AllowUnqualifiedDnsQuery':true,'DnsSearchList':'a.example,b.example',"
                "'NetworkSharedContainerName':'shared',"
                "'Namespace':'9b8a7c6d-0000-4000-8000-0000000000a1'}");
    run_result_free(&result);

    /* Omit-when-empty: only the namespace remains. */
    spec = make_spec();
    set_path(spec, "windows.network", json_pack("{s:b, s:[]}", "allowUnqualifiedDNSQuery", 0,
                                                "DNSSearchList"));
    run_create_with(make_world(), spec, &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Networking"),
                "{'Namespace':'9b8a7c6d-0000-4000-8000-0000000000a1'}");
    run_result_free(&result);

    /* No network section: no Networking. */
    run_create_with(make_world(), make_spec(), &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "Networking"));
    run_result_free(&result);
}

static void test_credential_spec(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.credentialSpec", json_string("{\"CmsPlugins\":[\"ActiveDirectory\"]}"));
    run_result result;
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result.document, "Credentials")),
                           "{\"CmsPlugins\":[\"ActiveDirectory\"]}");
    run_result_free(&result);

    /* Only a string is a credential spec. */
    spec = make_spec();
    set_path(spec, "windows.credentialSpec", json_pack("{s:s}", "a", "b"));
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "ContainerCredentialGuard"));
    run_result_free(&result);

    /* Schema 2.1 gets a credential guard instance after mounting: its state goes into the
     * document, and releasing removes it before the layers. */
    spec = make_spec();
    set_path(spec, "windows.credentialSpec", json_string("{}"));
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "HcsModifyServiceSettings,HcsGetServiceProperties,NameToGuid,"
                               "HcsCreateComputeSystem");
    ASSERT_JSON(json_object_get(container_of(&result), "ContainerCredentialGuard"),
                "{'Cookie':'Y2NnLWNvb2tpZQ==','RpcEndpoint':'ccg-rpc-endpoint','Transport':'LRPC'}");
    TEST_ASSERT_CALLS(result.release_calls, "HcsModifyServiceSettings,UnprepareLayer,DeactivateLayer");
    run_result_free(&result);
}

static void test_root_is_created_and_gets_the_mount_path(void)
{
    run_result result;
    run_create(make_world(), make_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(result.spec, "root"), "{'path':'$VOLUME'}");
    run_result_free(&result);

    /* A mount path without the trailing backslash gains it in the spec and the v2 document;
     * schema 1.0's VolumePath never has it. */
    json_t *world = make_world();
    json_object_set_new(world, "layerMountPath", json_string(VOLUME_V1));
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(result.spec, "root"), "{'path':'$VOLUME'}");
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(json_object_get(container_of(&result), "Storage"),
                                          "Path")),
        VOLUME);
    run_result_free(&result);

    world = make_world();
    json_object_set_new(world, "layerMountPath", json_string(VOLUME_V1));
    run_create(world, make_spec(), "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(result.document, "VolumePath")),
                           VOLUME_V1);
    run_result_free(&result);
}

static void test_readonly_root_is_refused(void)
{
    json_t *spec = make_spec();
    set_path(spec, "root", json_pack("{s:s, s:b}", "path", "", "readonly", 1));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid container spec - readonly is not supported for Windows "
                         "containers");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "UnprepareLayer,DeactivateLayer");
    run_result_free(&result);
}

static void test_volume_guid_path_check(void)
{
    static const char *const accepted[] = {
        "\\\\?\\Volume{" VOLUME_GUID "}\\",
        "\\\\?\\Volume{" VOLUME_GUID "}",
        "\\\\?\\Volume" VOLUME_GUID "}",              /* the opening brace is optional */
        "\\\\?\\Volume{" VOLUME_GUID "}}\\",          /* two closing braces match too */
        "\\\\?\\Volume{3F9E8D7C-6B5A-4C3D-8E1F-0A1B2C3D4E5F}",
    };
    static const char *const refused[] = {
        "",
        "C:\\mnt\\notavolume",
        "\\\\?\\volume{" VOLUME_GUID "}",             /* "Volume" is case sensitive */
        "\\\\?\\Volume{" VOLUME_GUID,                 /* a closing brace is required */
        "\\\\?\\Volume{" VOLUME_GUID "}\\\\",         /* one trailing backslash at most */
        "\\\\?\\Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5g}",
        "\\\\?\\Volume{3f9e8d7c6b5a-4c3d-8e1f-0a1b2c3d4e5f}",
        "\\\\?\\Volume{" VOLUME_GUID "}x",
        "x\\\\?\\Volume{" VOLUME_GUID "}",
        "\\\\?\\Volume{{" VOLUME_GUID "}",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        json_t *spec = make_spec();
        set_path(spec, "root.path", json_string(accepted[i]));
        run_result result;
        run_create(make_world(), spec, NULL, &result);
        if (result.status != 0)
            fprintf(stderr, "\n  refused: %s (%s)\n", accepted[i], result.error);
        CU_ASSERT_EQUAL(result.status, 0);
        run_result_free(&result);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        json_t *spec = make_spec();
        set_path(spec, "windows.hyperv", json_object()); /* nothing mounted: root stays */
        set_path(spec, "root.path", json_string(refused[i]));
        run_result result;
        run_create(make_world(), spec, NULL, &result);
        char expected[256];
        snprintf(expected, sizeof expected,
                 "invalid container spec - Root.Path '%s' must be a volume GUID path in the "
                 "format '\\\\?\\Volume{GUID}\\'",
                 refused[i]);
        TEST_ASSERT_FAILED_WITH(result, expected);
        run_result_free(&result);
    }
}

static void test_v2_hyperv_section_without_utility_vm(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.hyperv", json_object());
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid container spec - Root.Path '' must be a volume GUID path in "
                         "the format '\\\\?\\Volume{GUID}\\'");
    TEST_ASSERT_CALLS(result.calls, "");
    run_result_free(&result);
}

static void test_v1_hyperv_section_without_utility_vm(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.hyperv.utilityVMPath", json_string("C:\\lf\\base\\UtilityVM"));
    run_result result;
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, "HcsCreateComputeSystem");
    ASSERT_JSON(result.document, "{'SystemType':'Container','Name':'c1','Owner':'owner',"
                                 "'LayerFolderPath':'$SCRATCH','Layers':null,"
                                 "'HvPartition':false}");
    CU_ASSERT_PTR_NULL(result.ledger_layers);
    TEST_ASSERT_CALLS(result.release_calls, "");
    run_result_free(&result);
}

static void test_mapped_directories(void)
{
    json_t *spec = make_spec();
    set_path(spec, "mounts",
             json_pack("[{s:s, s:s, s:[s]}, {s:s, s:s, s:[s,s]}]", "destination", "C:\\data",
                       "source", "C:\\host\\rw", "options", "rw", "destination", "C:\\ro",
                       "source", "C:\\host\\ro", "options", "nosuid", "Ro"));
    run_result result;
    run_create(make_world(), json_deep_copy(spec), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "MappedDirectories"),
                "[{'HostPath':'$HOST_RW','ContainerPath':'$DATA'},"
                "{'HostPath':'$HOST_RO','ContainerPath':'C:\\\\ro','ReadOnly':true}]");
    CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "MappedPipes"));
    run_result_free(&result);

    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(result.document, "MappedDirectories"),
                "[{'HostPath':'$HOST_RW','ContainerPath':'$DATA','ReadOnly':false,"
                "'BandwidthMaximum':0,'IOPSMaximum':0,'CreateInUtilityVM':false},"
                "{'HostPath':'$HOST_RO','ContainerPath':'C:\\\\ro','ReadOnly':true,"
                "'BandwidthMaximum':0,'IOPSMaximum':0,'CreateInUtilityVM':false}]");
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "MappedPipes"));
    run_result_free(&result);
}

static void test_mapped_pipes(void)
{
    json_t *spec = make_spec();
    set_path(spec, "mounts",
             json_pack("[{s:s, s:s}, {s:s, s:s}]", "destination", PIPE, "source", PIPE,
                       "destination", "inside", "source", "\\\\.\\pipe\\other"));
    run_result result;
    run_create(make_world(), json_deep_copy(spec), NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "MappedPipes"),
                "[{'ContainerPipeName':'engine','HostPath':'$PIPE'},"
                "{'ContainerPipeName':'inside','HostPath':'\\\\\\\\.\\\\pipe\\\\other'}]");
    CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "MappedDirectories"));
    run_result_free(&result);

    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(result.document, "MappedPipes"),
                "[{'HostPath':'$PIPE','ContainerPipeName':'engine'},"
                "{'HostPath':'\\\\\\\\.\\\\pipe\\\\other','ContainerPipeName':'inside'}]");
    run_result_free(&result);
}

static void test_pipes_need_rs3(void)
{
    json_t *world = make_world();
    json_object_set_new(world, "build", json_integer(HCSOCI_BUILD_RS3 - 1));
    json_t *spec = make_spec();
    set_path(spec, "mounts", json_pack("[{s:s, s:s}]", "destination", PIPE, "source", PIPE));
    run_result result;
    run_create(world, spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "named pipe mounts are not supported on this version of Windows");
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",UnprepareLayer,DeactivateLayer");
    run_result_free(&result);

    /* Directories are fine on that build, and pipes on RS3 itself. */
    world = make_world();
    json_object_set_new(world, "build", json_integer(HCSOCI_BUILD_RS3 - 1));
    spec = make_spec();
    set_path(spec, "mounts",
             json_pack("[{s:s, s:s}]", "destination", "C:\\d", "source", "C:\\s"));
    run_create(world, spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    run_result_free(&result);

    world = make_world();
    json_object_set_new(world, "build", json_integer(HCSOCI_BUILD_RS3));
    spec = make_spec();
    set_path(spec, "mounts", json_pack("[{s:s, s:s}]", "destination", PIPE, "source", PIPE));
    run_create(world, spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    run_result_free(&result);
}

static void test_mount_needs_source_and_destination(void)
{
    json_t *spec = make_spec();
    set_path(spec, "mounts", json_pack("[{s:s, s:s, s:[s,s]}]", "destination", "C:\\d", "type",
                                       "virtual-disk", "options", "ro", "x"));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid OCI spec - a mount must have both source and a destination: "
                         "{Destination:C:\\d Type:virtual-disk Source: Options:[ro x]}");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "UnprepareLayer,DeactivateLayer");
    run_result_free(&result);

    spec = make_spec();
    set_path(spec, "mounts", json_pack("[{s:s}]", "source", "C:\\s"));
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid OCI spec - a mount must have both source and a destination: "
                         "{Destination: Type: Source:C:\\s Options:[]}");
    run_result_free(&result);
}

static void test_mount_types(void)
{
    json_t *spec = make_spec();
    set_path(spec, "mounts", json_pack("[{s:s, s:s, s:s}]", "destination", "C:\\d", "source",
                                       "C:\\s", "type", "bind"));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "invalid OCI spec - Type 'bind' not supported");
    TEST_ASSERT_CALLS(result.calls, "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                               "UnprepareLayer,DeactivateLayer");
    run_result_free(&result);

    /* Disk types pass the allocation for a process-isolated container but not the document
     * (after the document's layer ids were read). */
    static const char *const disk_types[] = {"physical-disk", "virtual-disk"};
    for (size_t i = 0; i < 2; i++) {
        spec = make_spec();
        set_path(spec, "mounts", json_pack("[{s:s, s:s, s:s}]", "destination", "C:\\d", "source",
                                           "\\\\.\\PhysicalDrive3", "type", disk_types[i]));
        run_create(make_world(), spec, "1.0", &result);
        char expected[128];
        snprintf(expected, sizeof expected,
                 "invalid container spec - Mount.Type '%s' must not be set", disk_types[i]);
        TEST_ASSERT_FAILED_WITH(result, expected);
        TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",UnprepareLayer,DeactivateLayer");
        run_result_free(&result);
    }
}

static void test_assigned_devices_v2(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.devices",
             json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "id",
                       "5B45201D-F2F2-4F3B-85BB-30FF1F953599", "idType", "class", "id",
                       "24e552bb-3a0e-4a1d-9a9d-f2a4b31c4a8a", "idType", "vpci-class-guid",
                       "id", "PCIROOT(0)#PCI(0100)", "idType", "vpci-location-path"));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "AssignedDevices"),
                "[{'InterfaceClassGuid':'5B45201D-F2F2-4F3B-85BB-30FF1F953599'},"
                "{'InterfaceClassGuid':'24e552bb-3a0e-4a1d-9a9d-f2a4b31c4a8a'},"
                "{'Type':'DeviceInstance','LocationPath':'PCIROOT(0)#PCI(0100)'}]");
    run_result_free(&result);

    spec = make_spec();
    set_path(spec, "windows.devices", json_array());
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "AssignedDevices"));
    run_result_free(&result);
}

static void test_assigned_device_of_unsupported_type(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.devices",
             json_pack("[{s:s, s:s}, {s:s, s:s}]", "id", "g", "idType", "class", "id", "GPU-1",
                       "idType", "gpu"));
    run_result result;
    run_create(make_world(), json_deep_copy(spec), NULL, &result);
    TEST_ASSERT_FAILED_WITH(result, "specified device GPU-1 has unsupported type gpu");
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",UnprepareLayer,DeactivateLayer");
    run_result_free(&result);

    /* Schema 1.0 ignores devices altogether. */
    run_create(make_world(), spec, "1.0", &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "AssignedDevices"));
    run_result_free(&result);
}

static void test_failed_compute_system_create_releases_layers(void)
{
    json_t *world = make_world();
    fail_call(world, "HcsCreateComputeSystem", 1, NULL);
    run_result result;
    run_create(world, make_spec(), NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "hcsshim::CreateComputeSystem c1: Access is denied.");
    TEST_ASSERT_CALLS(result.calls, MOUNTED_V2 ",HcsCreateComputeSystem,UnprepareLayer,"
                               "DeactivateLayer");
    run_result_free(&result);
}

/* ---- Deviation D6 and bad input ---- */

static void test_d6_annotation_beyond_int32_is_ignored_with_warning(void)
{
    static const char *const annotations[] = {
        HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT,
        HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT,
        HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_WEIGHT,
        HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM,
        HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_BANDWIDTH_MAXIMUM,
    };
    for (size_t i = 0; i < sizeof annotations / sizeof annotations[0]; i++) {
        json_t *spec = make_spec();
        set_annotation(spec, annotations[i], "2147483648");
        run_result result;
        run_create(make_world(), spec, NULL, &result);
        TEST_ASSERT_SUCCEEDED(result);
        CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "Processor"));
        CU_ASSERT_PTR_NULL(
            json_object_get(json_object_get(container_of(&result), "Storage"), "QoS"));
        const json_t *fields = find_annotation_warning(result.logs, annotations[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fields, "value")),
                               "2147483648");
        run_result_free(&result);
    }

    /* The largest value that fits is used; an ignored annotation leaves the spec's value. */
    json_t *spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM, "2147483647");
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT, "99999999999999999999");
    set_path(spec, "windows.resources.cpu.maximum", json_integer(5000));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(json_object_get(container_of(&result), "Storage"), "QoS"),
                "{'IopsMaximum':2147483647}");
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Maximum':5000}");
    const json_t *fields =
        find_annotation_warning(result.logs, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fields, "value")),
                           "99999999999999999999");
    run_result_free(&result);

    /* Memory is 64-bit, but JSON here stops at INT64_MAX. */
    spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB, "9223372036854775808");
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "Memory"));
    CU_ASSERT_PTR_NOT_NULL(
        find_annotation_warning(result.logs, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB));
    run_result_free(&result);
}

static void test_d6_spec_value_beyond_int32_is_an_error(void)
{
    static const char *const fields[] = {"windows.resources.cpu.count",
                                         "windows.resources.storage.iops",
                                         "windows.resources.storage.bps"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *spec = make_spec();
        set_path(spec, fields[i], json_integer(2147483648));
        run_result result;
        run_create(make_world(), spec, NULL, &result);
        char expected[160];
        snprintf(expected, sizeof expected,
                 "invalid field '%s': 2147483648 does not fit in a 32-bit signed integer (at "
                 "most 2147483647)",
                 fields[i]);
        TEST_ASSERT_FAILED_WITH(result, expected);
        /* Refused before anything was allocated. */
        TEST_ASSERT_CALLS(result.calls, "");
        run_result_free(&result);
    }

    json_t *spec = make_spec();
    set_path(spec, "windows.resources.storage.bps", json_integer(2147483647));
    run_result result;
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(json_object_get(container_of(&result), "Storage"), "QoS"),
                "{'BandwidthMaximum':2147483647}");
    run_result_free(&result);

    /* An annotation that is used hides a bad spec value from the document, but not from the
     * check: the spec is refused as a whole. */
    spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "2");
    set_path(spec, "windows.resources.cpu.count", json_integer(INT64_MAX));
    run_create(make_world(), spec, NULL, &result);
    TEST_ASSERT_FAILED_CONTAINING(result, "'windows.resources.cpu.count': 9223372036854775807");
    run_result_free(&result);
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
        {"windows.devices", "[{\"id\":5,\"idType\":\"class\"}]", "'windows.devices[0].id'"},
        {"windows.layerFolders", "[\"C:\\\\a\",3]", "'windows.layerFolders[1]'"},
        {"hostname", "{}", "'hostname'"},
        {"annotations", "{\"io.microsoft.container.processor.count\":2}",
         "'annotations.io.microsoft.container.processor.count'"},
        {"root", "{\"path\":false}", "'root.path'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *spec = make_spec();
        json_t *value = json_loads(bad[i].value, JSON_DECODE_ANY, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(value);
        set_path(spec, bad[i].path, value);
        /* A given namespace: the core adopts it without asking the network module. */
        run_options options = {.network_namespace = "ns"};
        run_result result;
        run_create_with(make_world(), spec, &options, &result);
        if (result.status == 0 || strstr(result.error, bad[i].needle) == NULL)
            fprintf(stderr, "\n  %s = %s: %s\n", bad[i].path, bad[i].value,
                    result.error != NULL ? result.error : "accepted");
        TEST_ASSERT_FAILED_CONTAINING(result, bad[i].needle);
        TEST_ASSERT_CALLS(result.calls, "");
        run_result_free(&result);
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
    json_t *world = make_world();
    json_t *files = json_object_get(world, "files");
    json_object_set_new(files, "C:\\host\\rw", json_string("dir"));
    json_object_set_new(files, "C:\\host\\ro", json_string("dir"));
    json_object_set_new(files, "C:\\host\\files", json_string("dir"));
    json_object_set_new(files, HOST_FILE, json_string("file"));
    json_object_set_new(files, DRIVE, json_string("file"));
    json_object_set_new(files, DISK, json_string("file"));
    return world;
}

static void run_hosted(json_t *world, json_t *spec, run_result *result)
{
    run_options options = {.hosting_system = make_uvm()};
    run_create_with(world, spec, &options, result);
}

/* The modify request a host call sent to the VM. */
static const json_t *modify_request(const json_t *calls, size_t index)
{
    return json_object_get(call_args(calls, index), "configuration");
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
    ASSERT_JSON(modify_request(calls, first),
                "{'GuestRequest':{'RequestType':'Remove','ResourceType':'CombinedLayers',"
                "'Settings':{'ContainerRootPath':'$ROOT'}}}");
    ASSERT_STRING(json_object_get(modify_request(calls, first + 1), "ResourcePath"),
                  "VirtualMachine/Devices/Scsi/0/Attachments/0");
    ASSERT_JSON(modify_request(calls, first + 2),
                "{'ResourcePath':'VirtualMachine/Devices/VirtualSmb/Shares','RequestType':"
                "'Remove','Settings':{'Name':'s1'}}");
}

static void test_hosted_layers_document_and_release(void)
{
    json_t *spec = make_spec();
    json_object_set_new(spec, "hostname", json_string("web"));
    run_result result;
    run_hosted(make_hosted_world(), spec, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS ",NameToGuid,HcsCreateComputeSystem");
    /* The read-only layer: a VSMB share with backup privilege. */
    ASSERT_JSON(modify_request(result.calls, 0),
                "{'ResourcePath':'VirtualMachine/Devices/VirtualSmb/Shares','RequestType':'Add',"
                "'Settings':{'Name':'s1','Path':'$BASE','Options':{'ReadOnly':true,"
                "'ShareRead':true,'CacheIo':true,'TakeBackupPrivilege':true,"
                "'PseudoOplocks':true}}}");
    /* The scratch on SCSI, mounted at the container's root in the VM. */
    ASSERT_JSON(call_args(result.calls, 1), "{'vmid':'uvm1','filepath':'$SANDBOX'}");
    ASSERT_JSON(modify_request(result.calls, 2),
                "{'ResourcePath':'VirtualMachine/Devices/Scsi/0/Attachments/0','RequestType':"
                "'Add','Settings':{'Type':'VirtualDisk','Path':'$SANDBOX'},'GuestRequest':{"
                "'RequestType':'Add','ResourceType':'MappedVirtualDisk','Settings':{"
                "'ContainerPath':'$ROOT'}}}");
    ASSERT_JSON(modify_request(result.calls, 4),
                "{'GuestRequest':{'RequestType':'Add','ResourceType':'CombinedLayers',"
                "'Settings':{'ContainerRootPath':'$ROOT','Layers':[{'Id':'$GUID_BASE',"
                "'Path':'$S1'}]}}}");
    /* The hosted-system document: the layers as the VM sees them, the root in the VM. */
    ASSERT_JSON(call_args(result.calls, 6),
                "{'id':'c1','configuration':{'Owner':'uvm-owner','SchemaVersion':{'Major':2,"
                "'Minor':1},'HostingSystemId':'uvm1','HostedSystem':{'SchemaVersion':{"
                "'Major':2,'Minor':1},'Container':{'GuestOs':{'HostName':'web'},'Storage':{"
                "'Layers':[{'Id':'$GUID_BASE','Path':'$S1'}],'Path':'$ROOT'}}},"
                "'ShouldTerminateOnLastHandleClosed':true}}");
    ASSERT_JSON(json_object_get(result.spec, "root"), "{'path':'$ROOT'}");
    ASSERT_JSON(result.ledger_layers, "['$BASE','$SCRATCH']");
    /* Released in reverse: combined layers, scratch, share. */
    TEST_ASSERT_CALLS(result.release_calls, HOSTED_LAYERS_RELEASE);
    assert_layers_released(result.release_calls, 0);
    CU_ASSERT_PTR_NULL(result.release_error);
    run_result_free(&result);
}

/* Every kind of mount: read-write and read-only directories (the read-only one twice, sharing
 * one VSMB share), a single file, a pipe, a physical disk and a virtual disk. */
static json_t *make_spec_with_every_mount(void)
{
    json_t *spec = make_spec();
    json_t *mounts = json_pack(
        "[{s:s, s:s}, {s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}, {s:s, s:s},"
        " {s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s]}]",
        "destination", "C:\\rw", "source", "C:\\host\\rw",
        "destination", "C:\\ro", "source", "C:\\host\\ro", "options", "ro",
        "destination", "C:\\ro2", "source", "C:\\host\\ro", "options", "RO",
        "destination", "C:\\app.json", "source", HOST_FILE, "options", "ro",
        "destination", "\\\\.\\pipe\\inside", "source", PIPE,
        "destination", "C:\\pd", "source", DRIVE, "type", "physical-disk",
        "destination", "C:\\vd", "source", DISK, "type", "virtual-disk", "options", "ro");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mounts);
    json_object_set_new(spec, "mounts", mounts);
    return spec;
}

static void test_hosted_mounts_of_every_kind(void)
{
    run_result result;
    run_hosted(make_hosted_world(), make_spec_with_every_mount(), &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS ",HcsModifyComputeSystem,HcsModifyComputeSystem,"
                               "HcsModifyComputeSystem,HcsModifyComputeSystem,GrantVmAccess,"
                               "HcsModifyComputeSystem,GrantVmAccess,HcsModifyComputeSystem,"
                               "NameToGuid,HcsCreateComputeSystem");
    /* Directories: read-write with no options, read-only with the read-only defaults (and no
     * backup privilege); the second read-only mount of the same source adds nothing. */
    ASSERT_JSON(modify_request(result.calls, 5),
                "{'ResourcePath':'VirtualMachine/Devices/VirtualSmb/Shares','RequestType':'Add',"
                "'Settings':{'Name':'s2','Path':'$HOST_RW','Options':{}}}");
    ASSERT_JSON(json_object_get(modify_request(result.calls, 6), "Settings"),
                "{'Name':'s3','Path':'$HOST_RO','Options':{'ReadOnly':true,'ShareRead':true,"
                "'CacheIo':true,'PseudoOplocks':true}}");
    /* A file: its directory, restricted to that file. */
    ASSERT_JSON(json_object_get(modify_request(result.calls, 7), "Settings"),
                "{'Name':'s4','Path':'C:\\\\host\\\\files','AllowedFiles':['$HOST_FILE'],"
                "'Options':{'ReadOnly':true,'ShareRead':true,'CacheIo':true,"
                "'RestrictFileAccess':true,'PseudoOplocks':true,'SingleFileMapping':true}}");
    ASSERT_JSON(modify_request(result.calls, 8),
                "{'ResourcePath':'VirtualMachine/Devices/MappedPipes/" JSON_PIPE "',"
                "'RequestType':'Add'}");
    /* Disks on SCSI at C:\mounts\m<n>: every mount took a number, so these are 6 and 7. */
    ASSERT_JSON(call_args(result.calls, 9), "{'vmid':'uvm1','filepath':'$DRIVE'}");
    ASSERT_JSON(modify_request(result.calls, 10),
                "{'ResourcePath':'VirtualMachine/Devices/Scsi/0/Attachments/1','RequestType':"
                "'Add','Settings':{'Type':'PassThru','Path':'$DRIVE'},'GuestRequest':{"
                "'RequestType':'Add','ResourceType':'MappedVirtualDisk','Settings':{"
                "'ContainerPath':'C:\\\\mounts\\\\m6','Lun':1}}}");
    ASSERT_JSON(call_args(result.calls, 11), "{'vmid':'uvm1','filepath':'$DISK'}");
    ASSERT_JSON(modify_request(result.calls, 12),
                "{'ResourcePath':'VirtualMachine/Devices/Scsi/0/Attachments/2','RequestType':"
                "'Add','Settings':{'Type':'VirtualDisk','Path':'$DISK','ReadOnly':true},"
                "'GuestRequest':{'RequestType':'Add','ResourceType':'MappedVirtualDisk',"
                "'Settings':{'ContainerPath':'C:\\\\mounts\\\\m7','Lun':2}}}");

    /* The container sees shares and disks through their paths in the VM, and the pipe
     * through the VM's IPC$ share. */
    ASSERT_JSON(json_object_get(container_of(&result), "MappedDirectories"),
                "[{'HostPath':'$S2','ContainerPath':'C:\\\\rw'},"
                "{'HostPath':'$S3','ContainerPath':'C:\\\\ro','ReadOnly':true},"
                "{'HostPath':'$S3','ContainerPath':'C:\\\\ro2','ReadOnly':true},"
                "{'HostPath':'" JSON_VSMB_SHARE "s4\\\\app.json','ContainerPath':'C:\\\\app.json',"
                "'ReadOnly':true},"
                "{'HostPath':'C:\\\\mounts\\\\m6','ContainerPath':'C:\\\\pd'},"
                "{'HostPath':'C:\\\\mounts\\\\m7','ContainerPath':'C:\\\\vd','ReadOnly':true}]");
    ASSERT_JSON(json_object_get(container_of(&result), "MappedPipes"),
                "[{'ContainerPipeName':'inside','HostPath':'" JSON_VSMB_SHARE "IPC$\\\\engine'}]");
    /* The disk mounts lost their type in the spec the module left. */
    const json_t *mounts = json_object_get(result.spec, "mounts");
    CU_ASSERT_EQUAL(json_array_size(mounts), 7u);
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(mounts, 5), "type"));
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(mounts, 6), "type"));
    ASSERT_STRING(json_object_get(json_array_get(mounts, 6), "source"), DISK);

    /* Release in reverse order: the disks, the pipe, the shares (s3 once, at its last
     * reference), then the layers. */
    TEST_ASSERT_CALLS(result.release_calls, "HcsModifyComputeSystem,HcsModifyComputeSystem,"
                                       "HcsModifyComputeSystem,HcsModifyComputeSystem,"
                                       "HcsModifyComputeSystem,HcsModifyComputeSystem,"
                                       HOSTED_LAYERS_RELEASE);
    ASSERT_JSON(modify_request(result.release_calls, 0),
                "{'ResourcePath':'VirtualMachine/Devices/Scsi/0/Attachments/2','RequestType':"
                "'Remove','GuestRequest':{'RequestType':'Remove','ResourceType':"
                "'MappedVirtualDisk','Settings':{'ContainerPath':'C:\\\\mounts\\\\m7',"
                "'Lun':2}}}");
    ASSERT_STRING(json_object_get(modify_request(result.release_calls, 1), "ResourcePath"),
                  "VirtualMachine/Devices/Scsi/0/Attachments/1");
    ASSERT_JSON(modify_request(result.release_calls, 2),
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
    run_result_free(&result);
}

static void test_hosted_mapped_directory_paths(void)
{
    /* The same source read-write and read-only is two shares; a disk mount alone is found
     * through its SCSI mount path (it is no VSMB share), at the first mount number. */
    json_t *spec = make_spec();
    json_object_set_new(spec, "mounts",
                        json_pack("[{s:s, s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:[s]}]",
                                  "destination", "C:\\vd", "source", DISK, "type",
                                  "virtual-disk", "destination", "C:\\a", "source",
                                  "C:\\host\\rw", "destination", "C:\\b", "source",
                                  "C:\\host\\rw", "options", "ro"));
    run_result result;
    run_hosted(make_hosted_world(), spec, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "MappedDirectories"),
                "[{'HostPath':'C:\\\\mounts\\\\m1','ContainerPath':'C:\\\\vd'},"
                "{'HostPath':'$S2','ContainerPath':'C:\\\\a'},"
                "{'HostPath':'$S3','ContainerPath':'C:\\\\b','ReadOnly':true}]");
    CU_ASSERT_PTR_NULL(json_object_get(container_of(&result), "MappedPipes"));
    run_result_free(&result);

    /* A devices-physically-backed VM shares everything with NoDirectmap. */
    spec = make_spec();
    json_object_set_new(spec, "mounts", json_pack("[{s:s, s:s}]", "destination", "C:\\a",
                                                  "source", "C:\\host\\rw"));
    json_t *uvm = make_uvm();
    json_object_set_new(uvm, "devicesPhysicallyBacked", json_true());
    run_options options = {.hosting_system = uvm};
    run_create_with(make_hosted_world(), spec, &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(json_object_get(modify_request(result.calls, 0), "Settings"),
                                "Options"),
                "{'ReadOnly':true,'ShareRead':true,'CacheIo':true,'TakeBackupPrivilege':true,"
                "'NoDirectmap':true,'PseudoOplocks':true}");
    ASSERT_JSON(json_object_get(json_object_get(modify_request(result.calls, 5), "Settings"),
                                "Options"),
                "{'NoDirectmap':true}");
    run_result_free(&result);
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
        json_t *spec = make_spec();
        json_object_set_new(spec, "mounts", test_json(cases[i].mounts));
        run_result result;
        run_hosted(make_hosted_world(), spec, &result);
        TEST_ASSERT_FAILED_WITH(result, cases[i].error);
        TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS "," HOSTED_LAYERS_RELEASE);
        run_result_free(&result);
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
        {4, "failed to add VSMB share to utility VM for mount {Destination:C:\\rw Type: "
            "Source:C:\\host\\rw Options:[]}: hcsshim::System::Modify uvm1: Access is denied.",
         HOSTED_LAYERS_RELEASE},
        {5, "failed to add named pipe to UVM: hcsshim::System::Modify uvm1: Access is denied.",
         "HcsModifyComputeSystem," HOSTED_LAYERS_RELEASE},
        {6, "adding SCSI physical disk mount {Destination:C:\\pd Type:physical-disk "
            "Source:" DRIVE " Options:[]}: ",
         "HcsModifyComputeSystem,HcsModifyComputeSystem," HOSTED_LAYERS_RELEASE},
        {7, "adding SCSI virtual disk mount {Destination:C:\\vd Type:virtual-disk "
            "Source:" DISK " Options:[ro]}: ",
         "HcsModifyComputeSystem,HcsModifyComputeSystem,HcsModifyComputeSystem,"
         HOSTED_LAYERS_RELEASE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *spec = make_spec();
        json_object_set_new(
            spec, "mounts",
            json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s]}]",
                      "destination", "C:\\rw", "source", "C:\\host\\rw", "destination",
                      "\\\\.\\pipe\\inside", "source", PIPE, "destination", "C:\\pd", "source",
                      DRIVE, "type", "physical-disk", "destination", "C:\\vd", "source", DISK,
                      "type", "virtual-disk", "options", "ro"));
        json_t *world = make_hosted_world();
        fail_call(world, "HcsModifyComputeSystem", cases[i].nth, NULL);
        run_result result;
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
                          "VirtualMachine/Devices/MappedPipes/" PIPE);
            ASSERT_JSON(modify_request(rollback, 2),
                        "{'ResourcePath':'VirtualMachine/Devices/VirtualSmb/Shares',"
                        "'RequestType':'Remove','Settings':{'Name':'s2'}}");
        }
        json_decref(rollback);
        run_result_free(&result);
    }
}

/* Runs a hosted create with CPU annotations on a host and VM of the given sizes. */
static void run_hosted_cpu(const char *annotation, const char *value, int host_processors,
                           int uvm_processors, bool scale, run_result *result)
{
    json_t *world = make_hosted_world();
    json_object_set_new(world, "processorCount", json_integer(host_processors));
    json_t *spec = make_spec();
    set_annotation(spec, annotation, value);
    json_t *uvm = make_uvm();
    json_object_set_new(uvm, "processorCount", json_integer(uvm_processors));
    run_options options = {.hosting_system = uvm, .scale_cpu_limits_to_sandbox = scale};
    run_create_with(world, spec, &options, result);
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
        run_result result;
        run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT, cases[i].limit,
                       cases[i].host, cases[i].uvm, true, &result);
        TEST_ASSERT_SUCCEEDED(result);
        const json_t *processor = json_object_get(container_of(&result), "Processor");
        if (json_integer_value(json_object_get(processor, "Maximum")) != cases[i].expected)
            fprintf(stderr, "\n  limit %s, host %d, uvm %d: %lld\n", cases[i].limit,
                    cases[i].host, cases[i].uvm,
                    (long long)json_integer_value(json_object_get(processor, "Maximum")));
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(processor, "Maximum")),
                        cases[i].expected);
        CU_ASSERT_EQUAL(json_object_size(processor), 1u);
        const json_t *fields = find_log(result.logs, "rescaling CPU limit for UVM sandbox");
        CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "hostCPUCount")),
                        cases[i].host);
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "uvmCPUCount")), cases[i].uvm);
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "oldCPULimit")),
                        atoi(cases[i].limit));
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(fields, "newCPULimit")),
                        cases[i].expected);
        run_result_free(&result);
    }

    /* Without the option, or process isolated, the limit is taken as it is. */
    run_result result;
    run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT, "2500", 8, 2, false, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Maximum':2500}");
    CU_ASSERT_PTR_NULL(find_log(result.logs, "rescaling"));
    run_result_free(&result);

    json_t *spec = make_spec();
    set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT, "2500");
    run_options options = {.scale_cpu_limits_to_sandbox = true};
    run_create_with(make_world(), spec, &options, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Maximum':2500}");
    CU_ASSERT_PTR_NULL(find_log(result.logs, "rescaling"));
    run_result_free(&result);

    /* Only a limit is rescaled; a weight is left alone. */
    run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_WEIGHT, "300", 8, 2, true, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Weight':300}");
    CU_ASSERT_PTR_NULL(find_log(result.logs, "rescaling"));
    run_result_free(&result);
}

static void test_hosted_cpu_count_clamped_to_the_vm(void)
{
    /* The VM's processors count, not the host's. */
    run_result result;
    run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "4", 8, 2, false, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Count':2}");
    const json_t *fields =
        find_log(result.logs, "Changing user requested CPUCount to current number of processors");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
    ASSERT_JSON(fields, "{'cid':'c1','uvm-id':'uvm1','requested':4,'assigned':2}");
    run_result_free(&result);

    /* More than the host has, within the VM's count: kept. */
    run_hosted_cpu(HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "6", 4, 8, false, &result);
    TEST_ASSERT_SUCCEEDED(result);
    ASSERT_JSON(json_object_get(container_of(&result), "Processor"), "{'Count':6}");
    CU_ASSERT_PTR_NULL(find_log(result.logs, "Changing user requested CPUCount"));
    run_result_free(&result);
}

static void test_hosted_credential_guard_hvsocket_service(void)
{
    json_t *spec = make_spec();
    set_path(spec, "windows.credentialSpec", json_string("{}"));
    run_result result;
    run_hosted(make_hosted_world(), spec, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS ",HcsModifyServiceSettings,HcsGetServiceProperties,"
                                             "HcsModifyComputeSystem,NameToGuid,"
                                             "HcsCreateComputeSystem");
    ASSERT_JSON(json_object_get(json_object_get(json_object_get(call_args(result.calls, 5),
                                                                "settings"),
                                                "Settings"),
                                "OperationDetails"),
                "{'Id':'c1','CredentialSpec':'{}','Transport':'HvSocket'}");
    /* The VM's service table lets the container reach the instance on the host. */
    ASSERT_JSON(modify_request(result.calls, 7),
                "{'ResourcePath':'VirtualMachine/Devices/HvSocket/HvSocketConfig/ServiceTable/"
                "1b2c3d4e-0000-0000-0000-0000000000cc','RequestType':'Update','Settings':{"
                "'BindSecurityDescriptor':'D:P(A;;FA;;;SY)','ConnectSecurityDescriptor':"
                "'D:P(A;;FA;;;SY)','AllowWildcardBinds':true}}");
    ASSERT_JSON(json_object_get(container_of(&result), "ContainerCredentialGuard"),
                "{'Cookie':'Y2NnLWNvb2tpZQ==','RpcEndpoint':'ccg-rpc-endpoint',"
                "'Transport':'HvSocket'}");
    /* Release: the instance, then the layers; the service entry stays, as in the corpus. */
    TEST_ASSERT_CALLS(result.release_calls, "HcsModifyServiceSettings," HOSTED_LAYERS_RELEASE);
    assert_layers_released(result.release_calls, 1);
    run_result_free(&result);

    /* A failed service-table update removes the instance and the layers again. */
    spec = make_spec();
    set_path(spec, "windows.credentialSpec", json_string("{}"));
    json_t *world = make_hosted_world();
    fail_call(world, "HcsModifyComputeSystem", 4, NULL);
    run_hosted(world, spec, &result);
    CU_ASSERT_EQUAL(result.status, -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.error);
    static const char update_failed[] =
        "failed to update hvsocket service: hcsshim::System::Modify uvm1: Access is denied.";
    CU_ASSERT_EQUAL(strncmp(result.error, update_failed, sizeof update_failed - 1), 0);
    TEST_ASSERT_CALLS(result.calls, HOSTED_LAYERS ",HcsModifyServiceSettings,HcsGetServiceProperties,"
                                             "HcsModifyComputeSystem,HcsModifyServiceSettings,"
                                             HOSTED_LAYERS_RELEASE);
    ASSERT_JSON(json_object_get(json_object_get(call_args(result.calls, 8), "settings"),
                                "Settings"),
                "{'Operation':'RemoveInstance','OperationDetails':{'Id':'c1'}}");
    run_result_free(&result);
}

/* ---- The annotation parsers on their own ---- */

static void test_annotation_number_parsing(void)
{
    static const struct {
        const char *text;
        uint64_t value; /* 77 = the default: unparsable */
    } cases[] = {
        {"0", 0}, {"007", 7}, {"18446744073709551615", UINT64_MAX},
        {"18446744073709551616", 77}, {"", 77}, {"+5", 77}, {"-5", 77}, {" 5", 77},
        {"5 ", 77}, {"0x10", 77}, {"1_000", 77}, {"1e3", 77},
    };
    captured_logs = json_array();
    hcsoci_log_set_sink(capture_log, NULL, HCSOCI_LOG_WARN);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *spec = json_pack("{s:{s:s}}", "annotations", "n", cases[i].text);
        uint64_t value = hcsoci_annotation_uint64(spec, "n", 77);
        if (value != cases[i].value)
            fprintf(stderr, "\n  \"%s\" gave %llu\n", cases[i].text, (unsigned long long)value);
        CU_ASSERT_EQUAL(value, cases[i].value);
        json_decref(spec);
    }
    /* One warning per unparsable text. */
    CU_ASSERT_EQUAL(json_array_size(captured_logs), 9u);
    json_t *spec = json_pack("{s:{s:s, s:s, s:s, s:i}}", "annotations", "t", "TRUE", "f", "false",
                             "x", "yes", "n", 1);
    CU_ASSERT_TRUE(hcsoci_annotation_bool(spec, "t", false));
    CU_ASSERT_FALSE(hcsoci_annotation_bool(spec, "f", true));
    CU_ASSERT_TRUE(hcsoci_annotation_bool(spec, "x", true));
    CU_ASSERT_FALSE(hcsoci_annotation_bool(spec, "absent", false));
    CU_ASSERT_EQUAL(hcsoci_annotation_uint64(spec, "n", 3), 3u); /* not a string */
    CU_ASSERT_EQUAL(hcsoci_annotation_uint64(NULL, "n", 3), 3u);
    CU_ASSERT_EQUAL(json_array_size(captured_logs), 11u);
    json_decref(spec);
    hcsoci_log_set_sink(NULL, NULL, HCSOCI_LOG_WARN);
    json_decref(captured_logs);
    captured_logs = NULL;
}

static void test_resource_parsers_fall_back_in_order(void)
{
    json_t *spec = test_json("{\"windows\":{\"resources\":{\"cpu\":{\"count\":0,\"shares\":7},"
                             "\"memory\":{\"limit\":3145728}}}}");
    int32_t value = -1;
    uint64_t memory = 0;
    hcsoci_error *error = NULL;
    /* count 0 in the spec is "not set": the default is returned. */
    CU_ASSERT_EQUAL(hcsoci_annotations_cpu_count(spec, "a", 9, &value, &error), 0);
    CU_ASSERT_EQUAL(value, 9);
    CU_ASSERT_EQUAL(hcsoci_annotations_cpu_weight(spec, "a", 9, &value, &error), 0);
    CU_ASSERT_EQUAL(value, 7);
    CU_ASSERT_EQUAL(hcsoci_annotations_cpu_limit(spec, "a", 9, &value, &error), 0);
    CU_ASSERT_EQUAL(value, 9);
    CU_ASSERT_EQUAL(hcsoci_annotations_memory_mb(spec, "a", 1, &memory, &error), 0);
    CU_ASSERT_EQUAL(memory, 3u);
    CU_ASSERT_EQUAL(hcsoci_annotations_storage_bps(spec, "a", 0, &value, &error), 0);
    CU_ASSERT_EQUAL(value, 0);
    json_object_set_new(spec, "annotations", json_pack("{s:s}", "a", "12"));
    CU_ASSERT_EQUAL(hcsoci_annotations_cpu_weight(spec, "a", 9, &value, &error), 0);
    CU_ASSERT_EQUAL(value, 12);
    CU_ASSERT_EQUAL(hcsoci_annotations_memory_mb(spec, "a", 1, &memory, &error), 0);
    CU_ASSERT_EQUAL(memory, 12u);
    CU_ASSERT_PTR_NULL(error);
    /* The parsers run without a spec too. */
    CU_ASSERT_EQUAL(hcsoci_annotations_storage_iops(NULL, "a", 4, &value, &error), 0);
    CU_ASSERT_EQUAL(value, 4);
    json_decref(spec);
}

static void test_sandbox_type_and_id(void)
{
    static const struct {
        const char *annotations;
        int status;
        hcsoci_kubernetes_container_type type;
        const char *id_or_error;
    } cases[] = {
        {"{}", 0, HCSOCI_KUBERNETES_CONTAINER_TYPE_NONE, ""},
        {"{\"io.kubernetes.cri.container-type\":\"sandbox\",\"io.kubernetes.cri.sandbox-id\":"
         "\"pod\"}",
         0, HCSOCI_KUBERNETES_CONTAINER_TYPE_SANDBOX, "pod"},
        {"{\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-id\":"
         "\"pod\"}",
         0, HCSOCI_KUBERNETES_CONTAINER_TYPE_CONTAINER, "pod"},
        {"{\"io.kubernetes.cri.container-type\":\"container\"}", -1, 0,
         "cannot specify 'io.kubernetes.cri.container-type' without "
         "'io.kubernetes.cri.sandbox-id'"},
        {"{\"io.kubernetes.cri.sandbox-id\":\"pod\"}", -1, 0,
         "cannot specify 'io.kubernetes.cri.sandbox-id' without "
         "'io.kubernetes.cri.container-type'"},
        {"{\"io.kubernetes.cri.container-type\":\"pod\"}", -1, 0,
         "invalid 'io.kubernetes.cri.container-type': 'pod'"},
        {"{\"io.kubernetes.cri.container-type\":\"\"}", -1, 0,
         "invalid 'io.kubernetes.cri.container-type': ''"},
        {"{\"io.kubernetes.cri.sandbox-id\":7}", -1, 0, "'annotations.io.kubernetes.cri.sandbox-id'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *spec = json_pack("{s:o}", "annotations", test_json(cases[i].annotations));
        hcsoci_kubernetes_container_type type = HCSOCI_KUBERNETES_CONTAINER_TYPE_SANDBOX;
        const char *id = NULL;
        hcsoci_error *error = NULL;
        int status = hcsoci_annotations_sandbox_type_and_id(spec, &type, &id, &error);
        CU_ASSERT_EQUAL(status, cases[i].status);
        if (cases[i].status == 0) {
            CU_ASSERT_EQUAL(type, cases[i].type);
            CU_ASSERT_STRING_EQUAL(id, cases[i].id_or_error);
            CU_ASSERT_PTR_NULL(error);
        } else {
            TEST_ASSERT_ERROR_CONTAINS(error, cases[i].id_or_error);
        }
        json_decref(spec);
    }
}

int main(void)
{
    static const test_entry tests[] = {
        {"match: Windows specs, process isolated or in a Windows utility VM", test_match_windows_specs},
        {"v2 basic: mount, document, release", test_v2_basic_mounts_documents_and_releases},
        {"v1 basic document", test_v1_basic_document},
        {"documents keep the reference's field order", test_documents_keep_the_reference_field_order},
        {"scratch folder and sandbox.vhdx are created", test_scratch_folder_and_sandbox_are_created},
        {"sandbox.vhdx created in an existing scratch folder", test_sandbox_created_in_existing_scratch_folder},
        {"scratch folder creation failure", test_scratch_folder_creation_failure},
        {"CreateSandboxLayer failure", test_create_sandbox_layer_failure},
        {"NameToGuid failure before CreateSandboxLayer", test_name_to_guid_failure_before_create_sandbox},
        {"ActivateLayer failure", test_activate_layer_failure},
        {"PrepareLayer failure deactivates", test_prepare_layer_failure_deactivates},
        {"NameToGuid failure while preparing deactivates", test_name_to_guid_failure_while_preparing_deactivates},
        {"GetLayerMountPath failure unprepares and deactivates", test_get_layer_mount_path_failure_unprepares_and_deactivates},
        {"layer error code of a non-Win32 HRESULT", test_layer_error_code_of_a_non_win32_hresult},
        {"mounting needs two layer folders", test_mount_needs_two_layer_folders},
        {"a given root path mounts nothing", test_root_path_given_mounts_nothing},
        {"UnprepareLayer failure on release", test_unprepare_failure_on_release},
        {"DeactivateLayer failure on release", test_deactivate_failure_on_release_keeps_reference_wording},
        {"layer id from the last path element", test_layer_id_uses_the_last_path_element},
        {"missing windows section or layer folders", test_missing_windows_section_or_layer_folders},
        {"not enough layer folders for the document", test_not_enough_layer_folders_for_the_document},
        {"hostname", test_hostname},
        {"CPU count from annotation or spec", test_cpu_count_from_annotation_or_spec},
        {"CPU limit and weight", test_cpu_limit_and_weight},
        {"CPU settings are mutually exclusive", test_cpu_settings_are_mutually_exclusive},
        {"CPU count clamped with a warning", test_cpu_count_clamped_to_host_processors_with_warning},
        {"unparsable or zero annotation falls back to the spec", test_unparsable_or_zero_annotation_falls_back_to_spec},
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
        {"D6: annotation beyond int32 is ignored with a warning", test_d6_annotation_beyond_int32_is_ignored_with_warning},
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
        {"annotation number parsing", test_annotation_number_parsing},
        {"resource parsers fall back in order", test_resource_parsers_fall_back_in_order},
        {"Kubernetes sandbox type and id", test_sandbox_type_and_id},
        {NULL, NULL},
    };
    return test_run_suite("wcow", tests);
}
