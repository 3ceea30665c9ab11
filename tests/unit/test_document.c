/* The HCS schema check (hcsoci/document.h): every document of both corpora conforms; each
 * kind of mistake is named with its path; a conforming document costs no allocation and a
 * failing allocation while reporting fails cleanly; and a module's invalid create document or
 * modify request (tests/plugins/invalid_builder.c) fails the create before the host sees it,
 * with the ledger rolled back. */
#include "test_support.h"

#include <dirent.h>

#include <hcsoci/alloc_testing.h>
#include <hcsoci/document.h>
#include <hcsoci/json_number.h>
#include <hcsoci/replay.h>

/* ---- helpers ---- */

/* The problems of text (a JSON document) as kind, joined by "\n" ("" when none); static. */
static const char *problems_of(const char *text, hcsoci_document_kind kind)
{
    static char joined[4096];
    joined[0] = '\0';
    json_t *document = test_json(text);
    json_t *problems = NULL;
    hcsoci_error *error = NULL;
    int count = hcsoci_document_problems(document, kind, &problems, &error);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(count, (int)json_array_size(problems));
    for (size_t i = 0; i < json_array_size(problems); i++) {
        if (i > 0)
            strncat(joined, "\n", sizeof joined - strlen(joined) - 1);
        strncat(joined, json_string_value(json_array_get(problems, i)),
                sizeof joined - strlen(joined) - 1);
    }
    json_decref(problems);
    json_decref(document);
    hcsoci_error_free(error);
    return joined;
}

#define ASSERT_PROBLEMS(text, kind, expected)                                                  \
    do {                                                                                       \
        const char *found = problems_of(text, kind);                                           \
        if (strcmp(found, expected) != 0)                                                      \
            fprintf(stderr, "\n  expected:\n%s\n  found:\n%s\n", expected, found);            \
        CU_ASSERT_STRING_EQUAL(found, expected);                                               \
    } while (0)

/* The kind of the document a traced call carries, for a case whose VM runs os. */
static hcsoci_document_kind kind_of_call(const json_t *call, const char *os,
                                         const json_t **document)
{
    const char *name = json_string_value(json_object_get(call, "call"));
    const json_t *args = json_object_get(call, "args");
    *document = NULL;
    if (strcmp(name, "HcsCreateComputeSystem") == 0) {
        *document = json_object_get(args, "configuration");
        return json_object_get(*document, "SystemType") != NULL
                   ? HCSOCI_DOCUMENT_CONTAINER_CONFIG
                   : HCSOCI_DOCUMENT_COMPUTE_SYSTEM;
    }
    if (strcmp(name, "HcsModifyComputeSystem") == 0) {
        *document = json_object_get(args, "configuration");
        return strcmp(os, "linux") == 0 ? HCSOCI_DOCUMENT_MODIFY_LINUX
                                        : HCSOCI_DOCUMENT_MODIFY_WINDOWS;
    }
    if (strcmp(name, "HcsModifyServiceSettings") == 0) {
        *document = json_object_get(args, "settings");
        return HCSOCI_DOCUMENT_SERVICE_SETTINGS;
    }
    if (strcmp(name, "HcsGetServiceProperties") == 0) {
        *document = json_object_get(args, "propertyQuery");
        return HCSOCI_DOCUMENT_PROPERTY_QUERY;
    }
    return HCSOCI_DOCUMENT_INFER;
}

/* Checks every document of every expected trace under corpus; returns how many. */
static size_t check_corpus(const char *corpus)
{
    char relative[256];
    snprintf(relative, sizeof relative, "%s/expected", corpus);
    DIR *directory = opendir(test_source_path(relative));
    CU_ASSERT_PTR_NOT_NULL_FATAL(directory);
    size_t checked = 0;
    for (struct dirent *entry = readdir(directory); entry != NULL; entry = readdir(directory)) {
        size_t length = strlen(entry->d_name);
        if (length <= 5 || strcmp(entry->d_name + length - 5, ".json") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/expected/%s", corpus, entry->d_name);
        json_t *expected = test_load_json(path);
        snprintf(path, sizeof path, "%s/cases/%s", corpus, entry->d_name);
        json_t *test_case = test_load_json(path);
        const char *os = json_string_value(
            json_object_get(json_object_get(test_case, "hostingSystem"), "os"));
        const char *const parts[] = {"calls", "releaseCalls"};
        for (size_t part = 0; part < 2; part++) {
            const json_t *calls = json_object_get(expected, parts[part]);
            for (size_t i = 0; i < json_array_size(calls); i++) {
                const json_t *document = NULL;
                hcsoci_document_kind kind =
                    kind_of_call(json_array_get(calls, i), os != NULL ? os : "windows",
                                 &document);
                if (document == NULL)
                    continue;
                json_t *problems = NULL;
                int count = hcsoci_document_problems(document, kind, &problems, NULL);
                if (count != 0)
                    fprintf(stderr, "\n  %s %s[%zu]: %s\n", entry->d_name, parts[part], i,
                            json_string_value(json_array_get(problems, 0)));
                CU_ASSERT_EQUAL(count, 0);
                json_decref(problems);
                checked++;
            }
        }
        json_decref(expected);
        json_decref(test_case);
    }
    closedir(directory);
    return checked;
}

/* ---- the corpus ---- */

static void test_every_corpus_document_conforms(void)
{
    /* Both corpora send create documents of both schemas, modify requests to both kinds of
     * VM and the credential-guard documents: hundreds of documents in all. */
    CU_ASSERT(check_corpus("tests/conformance") > 200);
    CU_ASSERT(check_corpus("tests/conformance-windows") > 200);
}

/* ---- each kind of mistake ---- */

static void test_create_document_mistakes(void)
{
    ASSERT_PROBLEMS(
        "{\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"Container\":{"
        "\"Storage\":{\"Layers\":[{\"Id\":\"not-a-guid\",\"Path\":5},"
        "{\"Id\":\"8D2A4C6E-1111-4A5B-9C3D-000000000001\"}]},"
        "\"Processor\":{\"Cuont\":2,\"Count\":3000000000},\"MappedPipes\":[7],"
        "\"AssignedDevices\":[{\"Type\":\"Bogus\"}],\"Memory\":{\"SizeInMB\":1.5}}}",
        HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
        "Container.Storage.Layers[0].Id: \"not-a-guid\" is not a GUID\n"
        "Container.Storage.Layers[0].Path: expected a string, got 5\n"
        "Container.Storage.Layers[1].Path: missing required field\n"
        "Container.Processor.Cuont: unknown field\n"
        "Container.Processor.Count: 3000000000 is out of range for int32 "
        "(-2147483648..2147483647)\n"
        "Container.MappedPipes[0]: expected an object, got 7\n"
        "Container.AssignedDevices[0].Type: \"Bogus\" is not one of \"ClassGuid\", "
        "\"DeviceInstance\", \"GpuMirror\"\n"
        "Container.Memory.SizeInMB: expected an integer, got 1.5");
    /* A long value is cut, between characters. */
    ASSERT_PROBLEMS("{\"SchemaVersion\":{\"Major\":2},\"Container\":{\"GuestOs\":"
                    "{\"HostName\":[]},\"Networking\":{\"Namespace\":\"x"
                    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}}}",
                    HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
                    "Container.GuestOs.HostName: expected a string, got an array\n"
                    "Container.Networking.Namespace: \"x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                    "\xc3\xa9... is not a GUID");
    ASSERT_PROBLEMS("{\"Container\":{}}", HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
                    "SchemaVersion: missing required field");
    ASSERT_PROBLEMS("[]", HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
                    "(root): expected an object, got an array");
    /* A hosted system is Windows' HostedSystem or the LCOW document, told by its fields. */
    ASSERT_PROBLEMS("{\"SchemaVersion\":{\"Major\":2},\"HostedSystem\":{\"SchemaVersion\":"
                    "{\"Major\":2,\"Minor\":1},\"OciBundlePath\":\"/run/gcs/c/x\"}}",
                    HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
                    "HostedSystem.OciSpecification: missing required field");
    ASSERT_PROBLEMS("{\"SchemaVersion\":{\"Major\":2},\"HostedSystem\":{\"SchemaVersion\":"
                    "{\"Major\":2,\"Minor\":1},\"Container\":{\"GuestOs\":{\"HostName\":1}}}}",
                    HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
                    "HostedSystem.Container.GuestOs.HostName: expected a string, got 1");
    /* Map keys have formats too; odd keys are quoted in the path. */
    ASSERT_PROBLEMS("{\"SchemaVersion\":{\"Major\":2},\"Container\":{\"HvSocket\":{\"Config\":"
                    "{\"ServiceTable\":{\"a b\":{\"Disabled\":1}}}}}}",
                    HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
                    "Container.HvSocket.Config.ServiceTable[\"a b\"]: key \"a b\" is not a GUID\n"
                    "Container.HvSocket.Config.ServiceTable[\"a b\"].Disabled: expected a "
                    "boolean, got 1");
}

/* A uint64 field takes the whole uint64 range, including hcsoci's marked form of the values
 * above INT64_MAX (hcsoci/json_number.h); no other integer field takes that form. */
static void test_uint64_fields_take_the_whole_range(void)
{
    json_t *document = test_json("{\"SchemaVersion\":{\"Major\":2,\"Minor\":1},"
                                 "\"Container\":{\"Memory\":{},\"Processor\":{}}}");
    json_t *memory = json_object_get(json_object_get(document, "Container"), "Memory");
    json_t *processor = json_object_get(json_object_get(document, "Container"), "Processor");
    json_object_set_new(memory, "SizeInMB", hcsoci_json_uint64(UINT64_MAX));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_document_check(document, HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
                                          "create document", &error), 0);
    CU_ASSERT_PTR_NULL(error);
    hcsoci_error_free(error);
    error = NULL;
    json_object_set_new(processor, "Count", hcsoci_json_uint64(UINT64_MAX));
    CU_ASSERT_EQUAL(hcsoci_document_check(document, HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
                                          "create document", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Container.Processor.Count: expected an integer");
    json_decref(document);
}

static void test_schema_1_0_mistakes(void)
{
    ASSERT_PROBLEMS("{\"SystemType\":\"VirtualMachine\",\"Name\":\"c\",\"Layers\":null,"
                    "\"EndpointList\":[\"e1\"],\"ProcessorCount\":-1}",
                    HCSOCI_DOCUMENT_CONTAINER_CONFIG,
                    "SystemType: \"VirtualMachine\" is not one of \"Container\"\n"
                    "EndpointList[0]: \"e1\" is not a GUID\n"
                    "ProcessorCount: -1 is out of range for uint32 (0..4294967295)\n"
                    "HvPartition: missing required field");
}

static void test_modify_request_mistakes(void)
{
    /* The resource path picks the settings' type; the guest's resource type picks its own. */
    ASSERT_PROBLEMS("{\"ResourcePath\":\"VirtualMachine/Devices/Scsi/0/Attachments/1\","
                    "\"RequestType\":\"Attach\",\"Settings\":{\"Type\":\"Disk\",\"Path\":5,"
                    "\"Lun\":1},\"GuestRequest\":{\"ResourceType\":\"MappedVirtualDisk\","
                    "\"Settings\":{\"ContainerPath\":[\"C:\\\\m\"],\"Lun\":\"1\"}}}",
                    HCSOCI_DOCUMENT_MODIFY_WINDOWS,
                    "RequestType: \"Attach\" is not one of \"Add\", \"Remove\", \"Update\"\n"
                    "Settings.Type: \"Disk\" is not one of \"VirtualDisk\", \"Iso\", "
                    "\"PassThru\"\n"
                    "Settings.Path: expected a string, got 5\n"
                    "Settings.Lun: unknown field\n"
                    "GuestRequest.Settings.ContainerPath: expected a string, got an array\n"
                    "GuestRequest.Settings.Lun: expected an integer, got \"1\"\n"
                    "GuestRequest.RequestType: missing required field");
    ASSERT_PROBLEMS("{\"ResourcePath\":\"VirtualMachine/Devices/NetworkAdapters/nic-1\","
                    "\"RequestType\":\"Add\",\"Settings\":{}}",
                    HCSOCI_DOCUMENT_MODIFY_WINDOWS,
                    "ResourcePath: \"VirtualMachine/Devices/NetworkAdapters/nic-1\" is not a "
                    "resource path of a utility VM that hcsoci sends");
    /* A mapped pipe and a guest-only request carry no settings. */
    ASSERT_PROBLEMS("{\"ResourcePath\":\"VirtualMachine/Devices/MappedPipes/p\","
                    "\"RequestType\":\"Add\",\"Settings\":{}}",
                    HCSOCI_DOCUMENT_MODIFY_WINDOWS,
                    "Settings: an object: not expected with this ResourcePath");
    /* The same guest request is right for one guest and wrong for the other. */
    const char *vpmem = "{\"GuestRequest\":{\"RequestType\":\"Add\",\"ResourceType\":"
                        "\"VPMemDevice\",\"Settings\":{\"DeviceNumber\":1,"
                        "\"MountPath\":\"/run/layers/p1\"}}}";
    ASSERT_PROBLEMS(vpmem, HCSOCI_DOCUMENT_MODIFY_LINUX, "");
    ASSERT_PROBLEMS(vpmem, HCSOCI_DOCUMENT_MODIFY_WINDOWS,
                    "GuestRequest.ResourceType: \"VPMemDevice\" is not a resource type of a "
                    "Windows guest");
    /* The Windows guest's own request, sent as a VM starts: its addresses are GUIDs. */
    ASSERT_PROBLEMS("{\"GuestRequest\":{\"RequestType\":\"Update\",\"ResourceType\":"
                    "\"HvSocket\",\"Settings\":{\"LocalAddress\":\"vm\",\"ParentAddress\":"
                    "\"a42e7cda-d03f-480c-9cc2-a4de20abb878\"}}}",
                    HCSOCI_DOCUMENT_MODIFY_WINDOWS,
                    "GuestRequest.Settings.LocalAddress: \"vm\" is not a GUID");
    ASSERT_PROBLEMS("{\"GuestRequest\":{\"RequestType\":\"Add\",\"Settings\":{}}}",
                    HCSOCI_DOCUMENT_MODIFY_LINUX,
                    "GuestRequest.ResourceType: missing: it says what Settings holds");
    ASSERT_PROBLEMS("{\"GuestRequest\":{\"RequestType\":\"Add\",\"ResourceType\":\"Network\","
                    "\"Settings\":{\"NamespaceID\":\"ns\",\"PrefixLength\":300}}}",
                    HCSOCI_DOCUMENT_MODIFY_LINUX,
                    "GuestRequest.Settings.NamespaceID: \"ns\" is not a GUID\n"
                    "GuestRequest.Settings.PrefixLength: 300 is out of range for uint8 (0..255)");
}

static void test_service_document_mistakes(void)
{
    ASSERT_PROBLEMS("{\"PropertyType\":\"ContainerCredentialGuard\",\"Settings\":{"
                    "\"Operation\":\"AddInstance\",\"OperationDetails\":{\"CredentialSpec\":1,"
                    "\"Transport\":\"Pipe\"}}}",
                    HCSOCI_DOCUMENT_SERVICE_SETTINGS,
                    "Settings.OperationDetails.CredentialSpec: expected a string, got 1\n"
                    "Settings.OperationDetails.Transport: \"Pipe\" is not one of \"LRPC\", "
                    "\"HvSocket\"\n"
                    "Settings.OperationDetails.Id: missing required field");
    ASSERT_PROBLEMS("{\"PropertyTypes\":[\"ContainerCredentialGuard\",5]}",
                    HCSOCI_DOCUMENT_PROPERTY_QUERY,
                    "PropertyTypes[1]: expected a string, got 5");
}

/* ---- kinds ---- */

static void test_kinds_by_name_and_shape(void)
{
    hcsoci_document_kind kind = HCSOCI_DOCUMENT_INFER;
    for (int i = 0; i < HCSOCI_DOCUMENT_KIND_COUNT; i++) {
        CU_ASSERT_TRUE(hcsoci_document_kind_from_name(
            hcsoci_document_kind_name((hcsoci_document_kind)i), &kind));
        CU_ASSERT_EQUAL((int)kind, i);
        CU_ASSERT_PTR_NOT_NULL(hcsoci_document_kind_summary((hcsoci_document_kind)i));
    }
    CU_ASSERT_FALSE(hcsoci_document_kind_from_name("modify", &kind));
    CU_ASSERT_PTR_NULL(hcsoci_document_kind_name(HCSOCI_DOCUMENT_KIND_COUNT));
    const struct {
        const char *document;
        hcsoci_document_kind kind;
    } shapes[] = {
        {"{\"SystemType\":\"Container\"}", HCSOCI_DOCUMENT_CONTAINER_CONFIG},
        {"{\"SchemaVersion\":{\"Major\":2}}", HCSOCI_DOCUMENT_COMPUTE_SYSTEM},
        {"{\"PropertyTypes\":[]}", HCSOCI_DOCUMENT_PROPERTY_QUERY},
        {"{\"PropertyType\":\"ContainerCredentialGuard\"}", HCSOCI_DOCUMENT_SERVICE_SETTINGS},
        {"{\"GuestRequest\":{\"RequestType\":\"Add\",\"ResourceType\":\"VPMemDevice\"}}",
         HCSOCI_DOCUMENT_MODIFY_LINUX},
        {"{\"ResourcePath\":\"VirtualMachine/Devices/VirtualSmb/Shares\"}",
         HCSOCI_DOCUMENT_MODIFY_WINDOWS},
        {"{\"Name\":\"x\"}", HCSOCI_DOCUMENT_INFER},
        {"5", HCSOCI_DOCUMENT_INFER},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        json_t *document = json_loads(shapes[i].document, JSON_DECODE_ANY, NULL);
        CU_ASSERT_EQUAL((int)hcsoci_document_infer_kind(document), (int)shapes[i].kind);
        json_decref(document);
    }
    /* A document that says no kind is one problem. */
    CU_ASSERT_STRING_EQUAL(problems_of("{\"Name\":\"x\"}", HCSOCI_DOCUMENT_INFER),
                           "(root): not a document whose kind can be told by its shape "
                           "(SystemType, SchemaVersion, ResourcePath, GuestRequest, "
                           "PropertyType or PropertyTypes)");
}

/* ---- cost and allocation failures ---- */

static const char *const invalid_document =
    "{\"SchemaVersion\":{\"Major\":2},\"Container\":{\"Storage\":{\"Layers\":"
    "[{\"Id\":\"x\",\"Path\":5}]},\"Processor\":{\"Cuont\":2}}}";

static void test_conforming_document_allocates_nothing(void)
{
    json_t *document = test_load_json("tests/conformance/expected/050-xenon-v2-mounts-vsmb-"
                                      "pipe-scsi.json");
    const json_t *create = json_object_get(
        json_object_get(json_array_get(json_object_get(document, "calls"), 0), "args"),
        "configuration");
    hcsoci_alloc_count_start(0);
    json_t *problems = NULL;
    int count = hcsoci_document_problems(json_object_get(document, "calls"),
                                         HCSOCI_DOCUMENT_PROPERTY_QUERY, NULL, NULL);
    int create_count = hcsoci_document_problems(create, HCSOCI_DOCUMENT_INFER, &problems, NULL);
    int check = hcsoci_document_check(create, HCSOCI_DOCUMENT_INFER, "create document", NULL);
    unsigned long allocations = hcsoci_alloc_count_stop(NULL);
    CU_ASSERT_EQUAL(count, 1); /* an array is no property query: counted, not written */
    CU_ASSERT_EQUAL(create_count, 0);
    CU_ASSERT_PTR_NULL(problems);
    CU_ASSERT_EQUAL(check, 0);
    CU_ASSERT_EQUAL(allocations, 0);
    json_decref(document);
}

static void test_allocation_failures_while_reporting(void)
{
    json_t *document = test_json(invalid_document);
    const char *full = "create document does not conform to the HCS schema: "
                       "Container.Storage.Layers[0].Id: \"x\" is not a GUID; "
                       "Container.Storage.Layers[0].Path: expected a string, got 5; "
                       "Container.Processor.Cuont: unknown field";
    bool failed = true;
    unsigned long fail_at = 1;
    for (; failed && fail_at < 1000; fail_at++) {
        hcsoci_error *error = NULL;
        hcsoci_alloc_count_start(fail_at);
        int result = hcsoci_document_check(document, HCSOCI_DOCUMENT_COMPUTE_SYSTEM,
                                           "create document", &error);
        hcsoci_alloc_count_stop(&failed);
        CU_ASSERT_EQUAL(result, -1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(error);
        if (failed && error->code != HCSOCI_E_OUT_OF_MEMORY)
            fprintf(stderr, "\n  allocation %lu failing: %s\n", fail_at, error->message);
        if (failed) {
            CU_ASSERT_EQUAL(error->code, HCSOCI_E_OUT_OF_MEMORY);
        } else {
            CU_ASSERT_STRING_EQUAL(error->message, full);
        }
        hcsoci_error_free(error);
    }
    CU_ASSERT(fail_at > 3); /* reporting allocates, and each allocation was made to fail */
    CU_ASSERT_FALSE(failed);
    json_decref(document);
}

/* ---- a module's invalid documents in a create ---- */

/* Replays corpus case name with tests/plugins/invalid_builder taking over its builder, the
 * annotation (may be NULL) added to its spec. The caller frees the trace. */
static json_t *replay_with_invalid_builder(const char *name, const char *annotation)
{
    char relative[256];
    snprintf(relative, sizeof relative, "tests/conformance/cases/%s.json", name);
    json_t *test_case = test_load_json(relative);
    CU_ASSERT_PTR_NOT_NULL_FATAL(test_case);
    if (annotation != NULL)
        test_set_annotation(json_object_get(test_case, "spec"), annotation, "yes");
    static char module[4096];
    snprintf(module, sizeof module, "%s", test_plugin_module("invalid_builder"));
    const char *files[] = {module, NULL};
    hcsoci_runtime_options options = {
        .plugin_directories = test_builtin_plugin_directories(),
        .plugin_files = files,
        .skip_environment = true,
        .skip_installed_directory = true,
        .program_name = "hcsoci",
    };
    json_t *trace = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_replay_case(test_case, &options, &trace, &error), 0);
    if (error != NULL)
        fprintf(stderr, "\n  replay failed: %s\n", error->message);
    hcsoci_error_free(error);
    json_decref(test_case);
    CU_ASSERT_PTR_NOT_NULL_FATAL(trace);
    return trace;
}

/* The traced calls as "Name" or "Name RequestType ResourcePath", joined by ", "; static. */
static const char *calls_summary(const json_t *calls)
{
    static char summary[4096];
    summary[0] = '\0';
    for (size_t i = 0; i < json_array_size(calls); i++) {
        const json_t *call = json_array_get(calls, i);
        const json_t *configuration =
            json_object_get(json_object_get(call, "args"), "configuration");
        char line[512];
        snprintf(line, sizeof line, "%s%s", i > 0 ? ", " : "",
                 json_string_value(json_object_get(call, "call")));
        const char *path = json_string_value(json_object_get(configuration, "ResourcePath"));
        if (path != NULL)
            snprintf(line + strlen(line), sizeof line - strlen(line), " %s %s",
                     json_string_value(json_object_get(configuration, "RequestType")), path);
        strncat(summary, line, sizeof summary - strlen(summary) - 1);
    }
    return summary;
}

#define SIX_MISTAKES(prefix)                                                                   \
    prefix "Container.Storage.Layers[0].Id: \"not-a-guid\" is not a GUID; " prefix              \
           "Container.Storage.Layers[0].Path: expected a string, got 5; " prefix                \
           "Container.Storage.Layers[1].Path: missing required field; " prefix                  \
           "Container.Processor.Cuont: unknown field; " prefix                                  \
           "Container.MappedPipes[0]: expected an object, got 7; " prefix                       \
           "Container.AssignedDevices[0].Type: \"Bogus\" is not one of \"ClassGuid\", "         \
           "\"DeviceInstance\", \"GpuMirror\""

static void test_invalid_create_document_is_not_sent(void)
{
    json_t *trace = replay_with_invalid_builder("001-argon-v2-basic", NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(trace, "error")),
                           "module invalid_builder: create document does not conform to the "
                           "HCS schema: " SIX_MISTAKES(""));
    /* The builder allocated nothing through the core: the host saw nothing at all. */
    CU_ASSERT_STRING_EQUAL(calls_summary(json_object_get(trace, "calls")), "");
    json_decref(trace);
}

static void test_invalid_hosted_document_is_not_sent(void)
{
    json_t *trace = replay_with_invalid_builder("049-xenon-v2-basic", NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(trace, "error")),
                           "module invalid_builder: create document does not conform to the "
                           "HCS schema: " SIX_MISTAKES("HostedSystem."));
    /* The share the module added went back with the ledger; no create reached the host. */
    CU_ASSERT_STRING_EQUAL(calls_summary(json_object_get(trace, "calls")),
                           "HcsModifyComputeSystem Add VirtualMachine/Devices/VirtualSmb/Shares, "
                           "HcsModifyComputeSystem Remove VirtualMachine/Devices/VirtualSmb/"
                           "Shares");
    json_decref(trace);
}

static void test_invalid_modify_request_is_not_sent(void)
{
    json_t *trace = replay_with_invalid_builder("049-xenon-v2-basic", "test.invalid.modify");
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(trace, "error")),
        "module invalid_builder: modify request VirtualMachine/Devices/VirtualPci/"
        "ffffffff-0000-4000-8000-000000000009 does not conform to the HCS schema: "
        "RequestType: \"Attach\" is not one of \"Add\", \"Remove\", \"Update\"; "
        "Settings.Functions[0].DeviceInstancePath: expected a string, got 5; "
        "Settings.Functions[1]: expected an object, got \"PCI\\\\VEN_1\"; "
        "Settings.Bus: unknown field; "
        "GuestRequest.Settings.Layers[0].Id: \"not-a-guid\" is not a GUID; "
        "GuestRequest.Settings.Layers[0].Path: missing required field; "
        "GuestRequest.RequestType: missing required field");
    CU_ASSERT_STRING_EQUAL(calls_summary(json_object_get(trace, "calls")),
                           "HcsModifyComputeSystem Add VirtualMachine/Devices/VirtualSmb/Shares, "
                           "HcsModifyComputeSystem Remove VirtualMachine/Devices/VirtualSmb/"
                           "Shares");
    json_decref(trace);
}

int main(void)
{
    static const test_entry tests[] = {
        {"every corpus document conforms", test_every_corpus_document_conforms},
        {"create document mistakes are named with their paths", test_create_document_mistakes},
        {"uint64 fields take the whole range", test_uint64_fields_take_the_whole_range},
        {"schema 1.0 mistakes", test_schema_1_0_mistakes},
        {"modify request mistakes", test_modify_request_mistakes},
        {"service document mistakes", test_service_document_mistakes},
        {"kinds by name and by shape", test_kinds_by_name_and_shape},
        {"a conforming document allocates nothing", test_conforming_document_allocates_nothing},
        {"allocation failures while reporting fail cleanly",
         test_allocation_failures_while_reporting},
        {"a module's invalid create document is not sent",
         test_invalid_create_document_is_not_sent},
        {"a module's invalid hosted document is not sent, its share released",
         test_invalid_hosted_document_is_not_sent},
        {"a module's invalid modify request is not sent, its share released",
         test_invalid_modify_request_is_not_sent},
        {NULL, NULL},
    };
    return test_run_suite("document", tests);
}
