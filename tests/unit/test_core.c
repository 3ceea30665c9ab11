/* Core modules: errors, logging, spec access, schema choice, the ledger and its release. */
#include "test_support.h"

#include <hcsoci/alloc_testing.h>
#include <hcsoci/layers.h>
#include <hcsoci/replay.h>
#include <hcsoci/sim.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const argon_world =
    "{\"build\": 20348, \"processorCount\": 8,"
    " \"files\": {\"C:\\\\l\\\\base\": \"dir\", \"C:\\\\l\\\\scratch\": \"dir\","
    "            \"C:\\\\l\\\\scratch\\\\sandbox.vhdx\": \"file\"},"
    " \"layerIds\": {\"C:\\\\l\\\\base\": \"8d2a4c6e-1111-4a5b-9c3d-000000000001\"},"
    " \"layerMountPath\": \"\\\\\\\\?\\\\Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f}\\\\\","
    " \"hnsEndpoints\": [], \"hnsNamespaces\": {}, \"hnsNewNamespaceIds\": [],"
    " \"failCall\": null, \"programDir\": \"C:\\\\hcsoci\"}";

static const char *const argon_spec =
    "{\"windows\": {\"layerFolders\": [\"C:\\\\l\\\\base\", \"C:\\\\l\\\\scratch\"]}}";

/* ---- errors ---- */

static void test_error_context_reads_outer_to_inner(void)
{
    hcsoci_error *error = hcsoci_error_new(HCSOCI_E_ACCESS_DENIED, "Access is %s.", "denied");
    hcsoci_error_prefix(error, "failed to add %s: ", "SCSI scratch VHD");
    hcsoci_error_prefix(error, "failed to mount container storage: ");
    hcsoci_error_suffix(error, " (0x%x)", 5);
    CU_ASSERT_STRING_EQUAL(error->message, "failed to mount container storage: failed to add SCSI "
                                           "scratch VHD: Access is denied. (0x5)");
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_ACCESS_DENIED);
    hcsoci_error_free(error);
}

static void test_fail_tolerates_null_out_parameter(void)
{
    CU_ASSERT_EQUAL(hcsoci_fail(NULL, HCSOCI_E_FAIL, "ignored %d", 1), -1);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_fail(&error, HCSOCI_E_INVALID, "bad %s", "thing"), -1);
    CU_ASSERT_STRING_EQUAL(error->message, "bad thing");
    hcsoci_error_free(error);
    hcsoci_error_prefix(NULL, "nothing happens");
    hcsoci_error_free(NULL);
}

static void test_error_stage_label(void)
{
    hcsoci_error *error = hcsoci_error_new(HCSOCI_E_FAIL, "x");
    CU_ASSERT_PTR_NULL(hcsoci_error_stage(error));
    hcsoci_error_set_stage(error, HCSOCI_HOST_STAGE_SECOND_CALL);
    CU_ASSERT_STRING_EQUAL(hcsoci_error_stage(error), "second call");
    /* Context added around the message keeps the label. */
    hcsoci_error_prefix(error, "p: ");
    CU_ASSERT_STRING_EQUAL(hcsoci_error_stage(error), "second call");
    hcsoci_error_set_stage(error, NULL);
    CU_ASSERT_PTR_NULL(hcsoci_error_stage(error));
    hcsoci_error_free(error);
    hcsoci_error_set_stage(NULL, HCSOCI_HOST_STAGE_OWN_WORDS);
    CU_ASSERT_PTR_NULL(hcsoci_error_stage(NULL));
}

static void test_error_store_sets_the_out_parameter(void)
{
    hcsoci_error *made = hcsoci_error_new(HCSOCI_E_NOT_FOUND, "no %s", "thing");
    hcsoci_error *stored = NULL;
    CU_ASSERT_EQUAL(hcsoci_error_store(&stored, made), -1);
    CU_ASSERT_PTR_EQUAL(stored, made);
    CU_ASSERT_EQUAL(stored->code, HCSOCI_E_NOT_FOUND);
    CU_ASSERT_STRING_EQUAL(stored->message, "no thing");
    hcsoci_error_free(stored);
}

static void test_error_store_without_out_parameter_frees(void)
{
    /* Valgrind (make check-valgrind) reports the error as lost if it is not freed here. */
    CU_ASSERT_EQUAL(hcsoci_error_store(NULL, hcsoci_error_new(HCSOCI_E_FAIL, "dropped")), -1);
    CU_ASSERT_EQUAL(hcsoci_error_store(NULL, NULL), -1);
}

static void test_fail_out_of_memory(void)
{
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_fail_out_of_memory(&error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_OUT_OF_MEMORY);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x8007000E);
    CU_ASSERT_STRING_EQUAL(error->message, "out of memory");
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL(hcsoci_fail_out_of_memory(NULL), -1);
}

static void test_fail_prefixed(void)
{
    hcsoci_error *error = hcsoci_error_new(HCSOCI_E_ACCESS_DENIED, "Access is denied.");
    CU_ASSERT_EQUAL(hcsoci_fail_prefixed(&error, "failed to add %s: ", "share"), -1);
    CU_ASSERT_STRING_EQUAL(error->message, "failed to add share: Access is denied.");
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_ACCESS_DENIED);
    hcsoci_error_free(error);

    hcsoci_error *none = NULL;
    CU_ASSERT_EQUAL(hcsoci_fail_prefixed(&none, "nothing to prefix: "), -1);
    CU_ASSERT_PTR_NULL(none);
    CU_ASSERT_EQUAL(hcsoci_fail_prefixed(NULL, "no out-parameter: "), -1);
}

static void test_hresult_text(void)
{
    CU_ASSERT_STRING_EQUAL(hcsoci_hresult_text((int32_t)0x80070005), "Access is denied.");
    CU_ASSERT_STRING_EQUAL(hcsoci_hresult_text(0x12345), "The operation failed.");
}

/* ---- logging ---- */

static void test_log_levels_and_fields(void)
{
    test_log_capture_begin(HCSOCI_LOG_WARN);
    hcsoci_log(HCSOCI_LOG_DEBUG, json_pack("{s:i}", "x", 1), "hidden");
    CU_ASSERT_EQUAL(json_array_size(test_log_captured()), 0);
    hcsoci_log(HCSOCI_LOG_WARN, json_pack("{s:i,s:i}", "requested", 16, "assigned", 8), "clamped %s",
               "count");
    json_t *logs = test_log_capture_end();
    CU_ASSERT_EQUAL(json_array_size(logs), 1);
    const json_t *record = json_array_get(logs, 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(record, "level")), HCSOCI_LOG_WARN);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(record, "message")), "clamped count");
    char *fields = json_dumps(json_object_get(record, "fields"), JSON_COMPACT | JSON_SORT_KEYS);
    CU_ASSERT_STRING_EQUAL(fields, "{\"assigned\":8,\"requested\":16}");
    free(fields);
    /* capture ended: no sink, every level let through */
    hcsoci_log_set_sink(NULL, NULL, HCSOCI_LOG_DEBUG);
    hcsoci_log(HCSOCI_LOG_ERROR, NULL, "dropped");
    CU_ASSERT_EQUAL(json_array_size(logs), 1);
    json_decref(logs);
    CU_ASSERT_EQUAL(hcsoci_log_level_parse("Warning"), HCSOCI_LOG_WARN);
    CU_ASSERT_EQUAL(hcsoci_log_level_parse("loud"), -1);
}

static int fields_built;

static json_t *counted_fields(void)
{
    fields_built++;
    return json_pack("{s:i}", "built", fields_built);
}

/* HCSOCI_LOG builds the fields only for a level that reaches the sink. */
static void test_log_macro_builds_fields_only_when_logged(void)
{
    fields_built = 0;
    test_log_capture_begin(HCSOCI_LOG_WARN);
    HCSOCI_LOG(HCSOCI_LOG_DEBUG, counted_fields(), "hidden %d", 1);
    CU_ASSERT_EQUAL(fields_built, 0);
    HCSOCI_LOG(HCSOCI_LOG_WARN, counted_fields(), "shown %d", 2);
    CU_ASSERT_EQUAL(fields_built, 1);
    json_t *logs = test_log_capture_end();
    CU_ASSERT_EQUAL_FATAL(json_array_size(logs), 1);
    const json_t *record = json_array_get(logs, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(record, "message")), "shown 2");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(record, "fields"), "built")),
                    1);
    json_decref(logs);
}

/* ---- spec access ---- */

static void test_json_copy_is_deep_ordered_and_fails_cleanly(void)
{
    json_t *original = test_json("{\"z\": {\"list\": [1, 2.5, \"three\", null, true, false]},"
                                 " \"a\": \"caf\u00e9\", \"empty\": {}, \"none\": []}");
    json_object_set_new(original, "nul", json_stringn("x\0y", 3)); /* a string holding NUL */
    json_t *copy = hcsoci_json_copy(original);
    CU_ASSERT_TRUE(json_equal(copy, original));
    /* Key order is kept, as the documents' key order matters to the traces. */
    char *original_text = json_dumps(original, JSON_COMPACT);
    char *copy_text = json_dumps(copy, JSON_COMPACT);
    CU_ASSERT_STRING_EQUAL(copy_text, original_text);
    free(original_text);
    free(copy_text);
    /* Deep: changing the copy leaves the original alone. */
    json_array_append_new(json_object_get(json_object_get(copy, "z"), "list"), json_integer(7));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(original, "z"), "list")), 6);
    CU_ASSERT_EQUAL(json_string_length(json_object_get(copy, "nul")), 3);
    CU_ASSERT_PTR_NULL(hcsoci_json_copy(NULL));
    json_decref(copy);

    /* Every allocation it makes failing in turn gives NULL, and leaks nothing (valgrind). */
    unsigned long total = 0;
    hcsoci_alloc_count_start(0);
    json_decref(hcsoci_json_copy(original));
    total = hcsoci_alloc_count_stop(NULL);
    CU_ASSERT_TRUE(total > 10);
    for (unsigned long fail_at = 1; fail_at <= total; fail_at++) {
        hcsoci_alloc_count_start(fail_at);
        json_t *failed_copy = hcsoci_json_copy(original);
        hcsoci_alloc_count_stop(NULL);
        CU_ASSERT_PTR_NULL(failed_copy);
        json_decref(failed_copy);
    }
    json_decref(original);
}

/* hcsoci_json_new_string gives what json_string gives: the same string, or NULL for text that
 * is not UTF-8, wherever its first byte above 0x7F falls (in a word of eight or in the tail). */
static void test_json_new_string_is_json_string(void)
{
    static const char *const samples[] = {
        "", "a", "C:\\ProgramData\\docker\\windowsfilter\\layer", "0123456",
        "01234567", "012345678", "caf\xc3\xa9", "\xe2\x82\xac 100, \xf0\x9f\x90\xb3 inside",
        "\xc3", "0123456\xc3", "01234567\xc3", "\x80 lone continuation",
        "overlong \xc0\xaf", "surrogate \xed\xa0\x80", "past U+10FFFF \xf4\x90\x80\x80",
        "\xff", "twelve bytes\xfe", "0123\xff" "56789", "0123\xc3\xa9" "67abc",
        "0123456\xff" "89abcdef", "abcdefgh1234\xed\xa0\x80" "Z",
    };
    for (size_t index = 0; index < sizeof samples / sizeof samples[0]; index++) {
        json_t *expected = json_string(samples[index]);
        json_t *made = hcsoci_json_new_string(samples[index]);
        CU_ASSERT_EQUAL(made == NULL, expected == NULL);
        if (made != NULL && expected != NULL)
            CU_ASSERT_STRING_EQUAL(json_string_value(made), json_string_value(expected));
        CU_ASSERT_EQUAL(hcsoci_text_is_utf8(samples[index]), expected != NULL);
        json_decref(made);
        json_decref(expected);
    }
    CU_ASSERT_PTR_NULL(hcsoci_json_new_string(NULL));
    /* Out of memory: NULL, nothing left behind (valgrind). */
    hcsoci_alloc_count_start(1);
    json_t *failed = hcsoci_json_new_string("text");
    hcsoci_alloc_count_stop(NULL);
    CU_ASSERT_PTR_NULL(failed);
}

static void test_json_getters_name_the_field(void)
{
    json_t *object = test_json("{\"s\": 5, \"n\": 3000000000, \"a\": [\"x\", 1], \"b\": \"yes\","
                               " \"ok\": \"fine\", \"missing\": null}");
    const char *text = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_json_string(object, "s", "windows.s", &text, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "'windows.s': must be a string, not an integer");
    CU_ASSERT_EQUAL(hcsoci_json_string(object, "ok", "ok", &text, NULL), 0);
    CU_ASSERT_STRING_EQUAL(text, "fine");
    CU_ASSERT_EQUAL(hcsoci_json_string(object, "missing", "missing", &text, NULL), 0);
    CU_ASSERT_PTR_NULL(text);

    int64_t number = 0;
    bool present = true;
    CU_ASSERT_EQUAL(hcsoci_json_integer(object, "n", "cpu.count", 0, INT32_MAX, &number, &present,
                                        &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "'cpu.count': 3000000000 is out of range");
    CU_ASSERT_EQUAL(hcsoci_json_integer(object, "absent", "x", 0, 1, &number, &present, NULL), 0);
    CU_ASSERT_FALSE(present);

    json_t *array = NULL;
    CU_ASSERT_EQUAL(hcsoci_json_string_array(object, "a", "windows.layerFolders", &array, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "'windows.layerFolders[1]': must be a string, not an integer");
    bool flag;
    CU_ASSERT_EQUAL(hcsoci_json_bool(object, "b", "root.readonly", &flag, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "'root.readonly': must be true or false, not a string");
    json_decref(object);
}

static void test_spec_validate_rejects_bad_shapes(void)
{
    static const struct {
        const char *spec;
        const char *message;
    } cases[] = {
        {"[]", "must be an object, not an array"},
        {"{\"windows\": []}", "'windows': must be an object"},
        {"{\"annotations\": {\"a\": 1}}", "'annotations.a': must be a string"},
        {"{\"mounts\": [1]}", "'mounts[0]': must be an object"},
        {"{\"root\": {\"path\": 7}}", "'root.path': must be a string"},
        {"{\"windows\": {\"layerFolders\": \"C:\\\\x\"}}", "'windows.layerFolders': must be an array"},
        {"{\"windows\": {\"network\": true}}", "'windows.network': must be an object"},
        {"{\"windows\": {\"network\": {\"endpointList\": [5]}}}",
         "'windows.network.endpointList[0]': must be a string"},
        {"{\"windows\": {\"network\": {\"allowUnqualifiedDNSQuery\": 1}}}",
         "'windows.network.allowUnqualifiedDNSQuery': must be true or false"},
        {"{\"windows\": {\"resources\": {\"cpu\": {\"count\": 2147483648}}}}",
         "windows.resources.cpu.count"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *spec = test_json(cases[i].spec);
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hcsoci_spec_validate(spec, &error), -1);
        TEST_ASSERT_ERROR_CONTAINS(error, cases[i].message);
        json_decref(spec);
    }
    json_t *good = test_json(argon_spec);
    CU_ASSERT_EQUAL(hcsoci_spec_validate(good, NULL), 0);
    json_decref(good);
}

/* ---- schema ---- */

static hcsoci_host *host_with_build(unsigned build)
{
    char world[1024];
    snprintf(world, sizeof world,
             "{\"build\": %u, \"processorCount\": 2, \"files\": {}, \"layerIds\": {},"
             " \"layerMountPath\": \"\", \"hnsEndpoints\": [], \"hnsNamespaces\": {},"
             " \"hnsNewNamespaceIds\": [], \"failCall\": null, \"programDir\": \"C:\\\\x\"}",
             build);
    return test_sim_host(world);
}

static void test_schema_by_build_and_request(void)
{
    test_log_capture_begin(HCSOCI_LOG_WARN);
    hcsoci_host *old_host = host_with_build(17134), *new_host = host_with_build(17763);
    hcsoci_schema_version v10 = {1, 0}, v21 = {2, 1}, v30 = {3, 0};

    CU_ASSERT_TRUE(hcsoci_schema_is_v10(hcsoci_schema_determine(old_host, NULL)));
    CU_ASSERT_TRUE(hcsoci_schema_is_v21(hcsoci_schema_determine(new_host, NULL)));
    CU_ASSERT_TRUE(hcsoci_schema_is_v10(hcsoci_schema_determine(new_host, &v10)));
    CU_ASSERT_EQUAL(json_array_size(test_log_captured()), 0);
    /* 2.1 is not supported before RS5: ignored with a warning. */
    CU_ASSERT_TRUE(hcsoci_schema_is_v10(hcsoci_schema_determine(old_host, &v21)));
    CU_ASSERT_EQUAL(json_array_size(test_log_captured()), 1);
    CU_ASSERT_EQUAL(test_count_logs(test_log_captured(),
                                    "Ignoring unsupported requested schema version"), 1);
    CU_ASSERT_TRUE(hcsoci_schema_is_v21(hcsoci_schema_determine(new_host, &v30)));
    CU_ASSERT_EQUAL(json_array_size(test_log_captured()), 2);

    json_decref(test_log_capture_end());
    hcsoci_host_destroy(old_host);
    hcsoci_host_destroy(new_host);
}

static void test_schema_parsing(void)
{
    hcsoci_schema_version version;
    json_t *object = test_json("{\"Major\": 2, \"Minor\": 1}");
    CU_ASSERT_EQUAL(hcsoci_schema_from_json(object, "schema", &version, NULL), 0);
    CU_ASSERT_TRUE(hcsoci_schema_is_v21(version));
    json_t *text = json_string("1.0");
    CU_ASSERT_EQUAL(hcsoci_schema_from_json(text, "schema", &version, NULL), 0);
    CU_ASSERT_TRUE(hcsoci_schema_is_v10(version));
    json_t *bad = json_string("2.1x");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_schema_from_json(bad, "--schema", &version, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "'--schema': '2.1x' is not a schema version");
    json_t *negative = test_json("{\"Major\": -1, \"Minor\": 0}");
    CU_ASSERT_EQUAL(hcsoci_schema_from_json(negative, "schema", &version, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "'schema.Major': -1 is out of range");
    json_decref(object);
    json_decref(text);
    json_decref(bad);
    json_decref(negative);
}

/* ---- the ledger ---- */

static void test_ledger_round_trip(void)
{
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(resources);
    json_t *folders = test_json("[\"C:\\\\l\\\\base\", \"C:\\\\l\\\\scratch\"]");
    CU_ASSERT_EQUAL(hcsoci_resources_set_layers(resources, folders, NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_resources_set_network_namespace(resources, "ns1", true, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_resources_add(resources, "network.namespace",
                                         json_pack("{s:s}", "id", "ns1"), NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_resources_add(resources, "uvm.vsmb", NULL, NULL), 0);
    json_t *saved = hcsoci_resources_to_json(resources);
    hcsoci_resources *loaded = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_from_json(saved, &loaded, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_count(loaded), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hcsoci_resources_entry(loaded, 0), "id")),
                           "ns1");
    CU_ASSERT_STRING_EQUAL(hcsoci_resources_network_namespace(loaded), "ns1");
    CU_ASSERT_TRUE(hcsoci_resources_created_network_namespace(loaded));
    CU_ASSERT_TRUE(json_equal(hcsoci_resources_layers(loaded), folders));
    json_t *saved_again = hcsoci_resources_to_json(loaded);
    CU_ASSERT_TRUE(json_equal(saved, saved_again));
    hcsoci_resources_pop(loaded);
    CU_ASSERT_EQUAL(hcsoci_resources_count(loaded), 1);
    json_decref(saved);
    json_decref(saved_again);
    json_decref(folders);
    hcsoci_resources_free(loaded);
    hcsoci_resources_free(resources);
}

/* How far an interrupted unmount of the layers got is read back and saved again; a ledger
 * whose unmount never stopped half-way has none, and a bad count is refused naming it. */
static void test_ledger_keeps_the_layers_unmount_steps(void)
{
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    json_t *folders = test_json("[\"C:\\\\l\\\\base\", \"C:\\\\l\\\\scratch\"]");
    CU_ASSERT_EQUAL(hcsoci_resources_set_layers(resources, folders, NULL, NULL), 0);
    json_t *saved = hcsoci_resources_to_json(resources);
    CU_ASSERT_PTR_NULL(json_object_get(saved, "layersUnmountSteps"));
    json_object_set_new(saved, "layersUnmountSteps", json_integer(1));
    hcsoci_resources *loaded = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_from_json(saved, &loaded, NULL), 0);
    json_t *saved_again = hcsoci_resources_to_json(loaded);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(saved_again, "layersUnmountSteps")), 1);
    json_decref(saved_again);
    hcsoci_resources_free(loaded);
    /* Negative, past the most steps an unmount has, not a number. */
    json_t *values[] = {json_integer(-1), json_integer(HCSOCI_LAYERS_UNMOUNT_MAX_STEPS + 1),
                        json_string("1")};
    for (size_t i = 0; i < 3; i++) {
        json_object_set_new(saved, "layersUnmountSteps", values[i]);
        hcsoci_error *error = NULL;
        loaded = NULL;
        CU_ASSERT_EQUAL(hcsoci_resources_from_json(saved, &loaded, &error), -1);
        CU_ASSERT_PTR_NULL(loaded);
        TEST_ASSERT_ERROR_CONTAINS(error, "resources.layersUnmountSteps");
    }
    json_decref(saved);
    json_decref(folders);
    hcsoci_resources_free(resources);
}

static void test_ledger_rejects_malformed_json(void)
{
    static const char *const inputs[] = {
        "[]",
        "{\"containerId\": 3}",
        "{\"containerId\": \"c\", \"entries\": [{\"kind\": 1}]}",
        "{\"containerId\": \"c\", \"layerFolders\": [1]}",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        json_t *value = test_json(inputs[i]);
        hcsoci_resources *loaded = (hcsoci_resources *)1;
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hcsoci_resources_from_json(value, &loaded, &error), -1);
        CU_ASSERT_PTR_NULL(loaded);
        TEST_ASSERT_ERROR_CONTAINS(error, "resource");
        json_decref(value);
    }
}

/* A runtime with only the failing builder and the recording network module. */
static hcsoci_runtime *failing_runtime(hcsoci_host *host)
{
    static char builder[4096], network[4096];
    snprintf(builder, sizeof builder, "%s", test_plugin_module("failing_builder"));
    snprintf(network, sizeof network, "%s",
             test_plugin_module("recording_network"));
    const char *files[] = {builder, network, NULL};
    return test_runtime_with(host, NULL, files);
}

/* A call as its name and, for a call with a path, " <path>". */
static void describe_call(const json_t *call, char *text, size_t size)
{
    const char *name = json_string_value(json_object_get(call, "call"));
    const char *path = json_string_value(json_object_get(json_object_get(call, "args"), "path"));
    snprintf(text, size, "%s%s%s", name, path != NULL ? " " : "", path != NULL ? path : "");
}

static const char *call_names(const json_t *journal)
{
    return test_journal_summary(journal, describe_call);
}

static void test_failed_create_releases_in_reverse_order(void)
{
    hcsoci_host *host = test_sim_host(argon_world);
    hcsoci_runtime *runtime = failing_runtime(host);
    json_t *spec = test_json(argon_spec);
    hcsoci_create_options options = {.id = "c1", .spec = spec};
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &options, &container, &resources, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "builder failed on purpose");
    CU_ASSERT_PTR_NULL(container);
    CU_ASSERT_PTR_NOT_NULL_FATAL(resources);
    CU_ASSERT_EQUAL(hcsoci_resources_count(resources), 0);
    CU_ASSERT_STRING_EQUAL(call_names(hcsoci_sim_host_journal(host)),
                           "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                           "HNSCall /namespaces/ns-test,UnprepareLayer,DeactivateLayer");
    hcsoci_resources_free(resources);
    json_decref(spec);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

/* A ledger observer that writes down each change: its name, the entry count and whether
 * layers are held, and checks that the host holds the layers whenever the ledger does. */
typedef struct ledger_record {
    hcsoci_host *host;
    char changes[512];
    bool layers_without_host;
} ledger_record;

static void record_ledger_change(void *context, hcsoci_ledger_change change,
                                 const hcsoci_resources *resources)
{
    static const char *const names[] = {"added", "released", "layers", "layers-released",
                                        "namespace", "updated"};
    ledger_record *record = context;
    json_t *held = hcsoci_sim_host_held(record->host);
    if (hcsoci_resources_layers(resources) != NULL &&
        json_integer_value(json_object_get(held, "activatedLayers")) == 0)
        record->layers_without_host = true;
    json_decref(held);
    size_t used = strlen(record->changes);
    snprintf(record->changes + used, sizeof record->changes - used, "%s%s:%zu",
             used > 0 ? "," : "", names[change], hcsoci_resources_count(resources));
}

static void test_ledger_observer_sees_each_change_in_order(void)
{
    hcsoci_host *host = test_sim_host(argon_world);
    hcsoci_runtime *runtime = failing_runtime(host);
    json_t *spec = test_json(argon_spec);
    ledger_record record = {.host = host};
    hcsoci_create_options options = {.id = "c1", .spec = spec,
                                     .ledger_observer = record_ledger_change,
                                     .ledger_context = &record};
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &options, &container, &resources, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "builder failed on purpose");
    /* The layers once mounted, the namespace and its entry; then the failing create's
     * releases, newest first. */
    CU_ASSERT_STRING_EQUAL(record.changes,
                           "layers:0,namespace:0,added:1,released:0,layers-released:0");
    CU_ASSERT_FALSE(record.layers_without_host);
    /* A ledger read back observes its release in the same way. */
    record.changes[0] = '\0';
    hcsoci_resources_set_observer(resources, NULL, NULL);
    CU_ASSERT_EQUAL(hcsoci_resources_add(resources, "credentials.none", NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(record.changes, "");
    hcsoci_resources_set_observer(resources, record_ledger_change, &record);
    hcsoci_resources_pop(resources);
    CU_ASSERT_STRING_EQUAL(record.changes, "released:0");
    hcsoci_resources_free(resources);
    json_decref(spec);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

static void test_keep_resources_on_failure(void)
{
    hcsoci_host *host = test_sim_host(argon_world);
    hcsoci_runtime *runtime = failing_runtime(host);
    json_t *spec = test_json(argon_spec);
    hcsoci_create_options options = {.id = "c1", .spec = spec,
                                     .do_not_release_resources_on_failure = true};
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &options, &container, &resources, &error), -1);
    hcsoci_error_free(error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(resources);
    CU_ASSERT_STRING_EQUAL(call_names(hcsoci_sim_host_journal(host)),
                           "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath");
    /* The ledger says what is held, and releasing it later releases exactly that. */
    CU_ASSERT_EQUAL(hcsoci_resources_count(resources), 1);
    CU_ASSERT_PTR_NOT_NULL(hcsoci_resources_layers(resources));
    hcsoci_sim_host_journal_clear(host);
    CU_ASSERT_EQUAL(hcsoci_release_resources(runtime, resources, NULL, true, NULL), 0);
    CU_ASSERT_STRING_EQUAL(call_names(hcsoci_sim_host_journal(host)),
                           "HNSCall /namespaces/ns-test,UnprepareLayer,DeactivateLayer");
    CU_ASSERT_EQUAL(hcsoci_resources_count(resources), 0);
    CU_ASSERT_PTR_NULL(hcsoci_resources_layers(resources));
    hcsoci_resources_free(resources);
    json_decref(spec);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

static void test_release_without_all_still_unmounts_host_layers(void)
{
    hcsoci_host *host = test_sim_host(argon_world);
    hcsoci_runtime *runtime = failing_runtime(host);
    json_t *spec = test_json(argon_spec);
    hcsoci_create_options options = {.id = "c1", .spec = spec,
                                     .do_not_release_resources_on_failure = true};
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &options, &container, &resources, NULL), -1);
    hcsoci_sim_host_journal_clear(host);
    /* With all false the created namespace is still removed, and layers mounted on the host
     * are always unmounted whole. */
    CU_ASSERT_EQUAL(hcsoci_release_resources(runtime, resources, NULL, false, NULL), 0);
    CU_ASSERT_STRING_EQUAL(call_names(hcsoci_sim_host_journal(host)),
                           "HNSCall /namespaces/ns-test,UnprepareLayer,DeactivateLayer");
    hcsoci_resources_free(resources);
    json_decref(spec);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

static void test_create_defaults_and_input_errors(void)
{
    hcsoci_host *host = test_sim_host(argon_world);
    hcsoci_runtime *runtime = failing_runtime(host);
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *error = NULL;
    hcsoci_create_options no_spec = {.id = "c1"};
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &no_spec, &container, &resources, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Spec must be supplied");
    CU_ASSERT_PTR_NULL(resources);

    json_t *bad_spec = test_json("{\"windows\": {\"layerFolders\": [1]}}");
    hcsoci_create_options bad = {.id = "c1", .spec = bad_spec};
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &bad, &container, &resources, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "'windows.layerFolders[0]'");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    json_decref(bad_spec);

    /* Path escapes, control characters, and text that is not UTF-8: a stray byte, an overlong
     * '/', a UTF-16 surrogate, a sequence cut short. */
    static const char *const hostile_ids[] = {"../etc",   "a/b",          "a\\b",
                                              "..",       "a\nb",         "a\xff" "b",
                                              "\xc0\xaf", "\xed\xa0\x80", "a\xe2\x82"};
    for (size_t i = 0; i < sizeof hostile_ids / sizeof hostile_ids[0]; i++) {
        json_t *any_spec = test_json(argon_spec);
        hcsoci_create_options hostile = {.id = hostile_ids[i], .spec = any_spec};
        CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &hostile, &container, &resources, &error),
                        -1);
        TEST_ASSERT_ERROR_CONTAINS(error, "invalid container id");
        CU_ASSERT_PTR_NULL(resources);
        json_decref(any_spec);
    }
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);

    /* Well-formed UTF-8 beyond ASCII is an ordinary id: the create gets past the id check to
     * the builder (which fails on purpose here), and the ledger carries the id unchanged. */
    static const char accented_id[] = "caf\xc3\xa9-\xf0\x9f\x90\xb3";
    json_t *accented_spec = test_json(argon_spec);
    hcsoci_create_options accented = {.id = accented_id, .spec = accented_spec};
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &accented, &container, &resources, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "builder failed on purpose");
    CU_ASSERT_PTR_NULL(container);
    CU_ASSERT_PTR_NOT_NULL_FATAL(resources);
    CU_ASSERT_STRING_EQUAL(hcsoci_resources_container_id(resources), accented_id);
    CU_ASSERT_STRING_EQUAL(call_names(hcsoci_sim_host_journal(host)),
                           "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath,"
                           "HNSCall /namespaces/ns-test,UnprepareLayer,DeactivateLayer");
    hcsoci_resources_free(resources);
    json_decref(accented_spec);
    hcsoci_sim_host_journal_clear(host);

    /* Without an id the container gets a random GUID, which also names the ledger. */
    json_t *spec = test_json(argon_spec);
    hcsoci_create_options anonymous = {.spec = spec, .do_not_release_resources_on_failure = true};
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &anonymous, &container, &resources, &error), -1);
    hcsoci_error_free(error);
    const char *id = hcsoci_resources_container_id(resources);
    CU_ASSERT_EQUAL(strlen(id), 36);
    CU_ASSERT_EQUAL(id[14], '4');
    hcsoci_resources_free(resources);
    json_decref(spec);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

/* The library takes ids of up to 128 bytes, as the command does. */
static void test_container_id_length_on_both_sides_of_the_limit(void)
{
    hcsoci_host *host = test_sim_host(argon_world);
    hcsoci_runtime *runtime = failing_runtime(host);
    char longest[129], too_long[130];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    memset(too_long, 'b', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_error *error = NULL;

    /* At the limit the id is taken: the create reaches the builder, which fails on purpose. */
    json_t *spec = test_json(argon_spec);
    hcsoci_create_options at_limit = {.id = longest, .spec = spec};
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &at_limit, &container, &resources, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "builder failed on purpose");
    CU_ASSERT_PTR_NOT_NULL_FATAL(resources);
    CU_ASSERT_STRING_EQUAL(hcsoci_resources_container_id(resources), longest);
    hcsoci_resources_free(resources);
    resources = NULL;
    hcsoci_sim_host_journal_clear(host);

    /* One past it the id is refused before anything is asked of the host. */
    hcsoci_create_options past_limit = {.id = too_long, .spec = spec};
    CU_ASSERT_EQUAL(hcsoci_create_container(runtime, &past_limit, &container, &resources, &error),
                    -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_STRING_EQUAL(error->message, "invalid container id: longer than 128 characters");
    hcsoci_error_free(error);
    CU_ASSERT_PTR_NULL(container);
    CU_ASSERT_PTR_NULL(resources);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    json_decref(spec);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

/* Every bounded number the spec check and the schema parser read, at its maximum (taken), one
 * past it and one below its minimum (refused, naming the field and the value). */
static void test_numeric_fields_on_both_sides_of_their_limits(void)
{
    static const struct {
        const char *section;
        const char *key;
        const char *maximum;
        const char *past_maximum; /* NULL: JSON here cannot hold it */
        const char *past_maximum_error;
    } fields[] = {
        {"cpu", "count", "2147483647", "2147483648",
         "invalid field 'windows.resources.cpu.count': 2147483648 does not fit in a 32-bit signed "
         "integer (at most 2147483647)"},
        {"cpu", "shares", "65535", "65536",
         "invalid field 'windows.resources.cpu.shares': 65536 is out of range [0, 65535]"},
        {"cpu", "maximum", "65535", "65536",
         "invalid field 'windows.resources.cpu.maximum': 65536 is out of range [0, 65535]"},
        {"memory", "limit", "9223372036854775807", NULL, NULL},
        {"storage", "iops", "2147483647", "2147483648",
         "invalid field 'windows.resources.storage.iops': 2147483648 does not fit in a 32-bit "
         "signed integer (at most 2147483647)"},
        {"storage", "bps", "2147483647", "2147483648",
         "invalid field 'windows.resources.storage.bps': 2147483648 does not fit in a 32-bit "
         "signed integer (at most 2147483647)"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *values[] = {fields[i].maximum, "0", fields[i].past_maximum, "-1"};
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            if (values[v] == NULL)
                continue;
            char text[256], below_minimum_error[160];
            snprintf(text, sizeof text, "{\"windows\": {\"resources\": {\"%s\": {\"%s\": %s}}}}",
                     fields[i].section, fields[i].key, values[v]);
            snprintf(below_minimum_error, sizeof below_minimum_error,
                     "invalid field 'windows.resources.%s.%s': -1 is out of range "
                     "[0, 9223372036854775807]",
                     fields[i].section, fields[i].key);
            const char *expected = v < 2 ? NULL : v == 2 ? fields[i].past_maximum_error
                                                         : below_minimum_error;
            json_t *spec = test_json(text);
            hcsoci_error *error = NULL;
            int status = hcsoci_spec_validate(spec, &error);
            if (expected == NULL && status != 0)
                fprintf(stderr, "\n  %s refused: %s\n", text, error->message);
            if (expected != NULL && status == 0)
                fprintf(stderr, "\n  %s accepted\n", text);
            CU_ASSERT_EQUAL(status, expected == NULL ? 0 : -1);
            CU_ASSERT_EQUAL(error == NULL, expected == NULL);
            if (expected != NULL && error != NULL)
                CU_ASSERT_STRING_EQUAL(error->message, expected);
            hcsoci_error_free(error);
            json_decref(spec);
        }
    }

    /* The schema version's parts are 32-bit unsigned. */
    hcsoci_schema_version version = {0, 0};
    json_t *largest = test_json("{\"Major\": 4294967295, \"Minor\": 4294967295}");
    CU_ASSERT_EQUAL(hcsoci_schema_from_json(largest, "schema", &version, NULL), 0);
    CU_ASSERT_EQUAL(version.major, 4294967295u);
    CU_ASSERT_EQUAL(version.minor, 4294967295u);
    json_decref(largest);
    json_t *too_large = test_json("{\"Major\": 2, \"Minor\": 4294967296}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_schema_from_json(too_large, "schema", &version, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_STRING_EQUAL(error->message,
                           "invalid field 'schema.Minor': 4294967296 is out of range "
                           "[0, 4294967295]");
    hcsoci_error_free(error);
    json_decref(too_large);
}

/* ---- replaying a case on a host the caller gives ---- */

static hcsoci_runtime_options replay_options(hcsoci_host *host)
{
    return (hcsoci_runtime_options){
        .host = host,
        .plugin_directories = test_builtin_plugin_directories(),
        .skip_environment = true,
        .skip_installed_directory = true,
        .program_name = "hcsoci",
    };
}

/* The storage path of the trace's HcsCreateComputeSystem document (borrowed), or NULL. */
static const char *created_storage_path(const json_t *calls)
{
    size_t index;
    json_t *call;
    json_array_foreach(calls, index, call) {
        if (strcmp(json_string_value(json_object_get(call, "call")), "HcsCreateComputeSystem") != 0)
            continue;
        json_t *configuration = json_object_get(json_object_get(call, "args"), "configuration");
        return json_string_value(
            json_object_get(json_object_get(json_object_get(configuration, "Container"), "Storage"),
                            "Path"));
    }
    return NULL;
}

static void test_replay_uses_the_sim_host_it_is_given(void)
{
    json_t *test_case = test_load_json("tests/conformance/cases/001-argon-v2-basic.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(test_case);
    /* The given world differs from the case's in its mount path: the trace must show it. */
    json_t *world = json_deep_copy(json_object_get(test_case, "host"));
    json_object_set_new(world, "layerMountPath", json_string("\\\\?\\Volume{00000000-1111-2222-3333-444444444444}\\"));
    hcsoci_host *host = test_sim_host_of_world(world);
    json_decref(world);
    /* A call made before the replay is not part of its trace. */
    char *guid = NULL;
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "earlier", &guid, NULL), 0);
    free(guid);

    hcsoci_runtime_options options = replay_options(host);
    json_t *trace = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_replay_case(test_case, &options, &trace, &error), 0);
    CU_ASSERT_TRUE(json_is_null(json_object_get(trace, "error")));
    if (!json_is_null(json_object_get(trace, "error")))
        fprintf(stderr, "\n  create failed: %s\n",
                json_string_value(json_object_get(trace, "error")));
    json_t *calls = json_object_get(trace, "calls");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(calls, 0), "call")),
                           "ActivateLayer");
    const char *storage_path = created_storage_path(calls);
    CU_ASSERT_PTR_NOT_NULL_FATAL(storage_path);
    CU_ASSERT_STRING_EQUAL(storage_path, "\\\\?\\Volume{00000000-1111-2222-3333-444444444444}\\");
    CU_ASSERT_TRUE(json_array_size(json_object_get(trace, "releaseCalls")) > 0);
    /* The phase signal for recorders is left at "release". */
    const char *phase = getenv(HCSOCI_REPLAY_PHASE_VARIABLE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(phase);
    CU_ASSERT_STRING_EQUAL(phase, "release");
    /* The host is still the caller's, and it holds nothing after the release. */
    json_t *held = hcsoci_sim_host_held(host);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "activatedLayers")), 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "computeSystems")), 1);
    json_decref(held);
    json_decref(trace);
    json_decref(test_case);
    hcsoci_host_destroy(host);
}

static void test_replay_on_a_host_without_journal(void)
{
    json_t *test_case = test_load_json("tests/conformance/cases/001-argon-v2-basic.json");
    json_t *expected = test_load_json("tests/conformance/expected/001-argon-v2-basic.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(test_case);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    hcsoci_host *host = test_sim_host_of_world(json_object_get(test_case, "host"));
    /* The same answers through a copy of the ops table: no longer recognised as a sim host. */
    const hcsoci_host_ops *sim_ops = host->ops;
    hcsoci_host_ops copied_ops = *sim_ops;
    host->ops = &copied_ops;
    CU_ASSERT_PTR_NULL(hcsoci_sim_host_journal(host));

    hcsoci_runtime_options options = replay_options(host);
    json_t *trace = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_replay_case(test_case, &options, &trace, NULL), 0);
    CU_ASSERT_TRUE(json_is_null(json_object_get(trace, "calls")));
    CU_ASSERT_TRUE(json_is_null(json_object_get(trace, "releaseCalls")));
    CU_ASSERT_TRUE(json_is_null(json_object_get(trace, "error")));
    CU_ASSERT_TRUE(json_is_null(json_object_get(trace, "releaseError")));
    /* Every call went to the given host: its journal has the create and the release. */
    host->ops = sim_ops;
    json_t *journal = hcsoci_sim_host_take_journal(host);
    CU_ASSERT_EQUAL(json_array_size(journal),
                    json_array_size(json_object_get(expected, "calls")) +
                        json_array_size(json_object_get(expected, "releaseCalls")));
    json_decref(journal);
    json_decref(trace);
    json_decref(expected);
    json_decref(test_case);
    hcsoci_host_destroy(host);
}

static void test_case_hosting_system(void)
{
    hcsoci_host *host = test_sim_host("{}");
    hcsoci_uvm *uvm = NULL;
    hcsoci_error *error = NULL;
    /* Absent or null: no utility VM, no error. */
    json_t *test_case = test_json("{\"hostingSystem\": null}");
    CU_ASSERT_EQUAL(hcsoci_case_hosting_system(host, test_case, &uvm, &error), 0);
    CU_ASSERT_PTR_NULL(uvm);
    json_decref(test_case);
    test_case = test_json("{\"hostingSystem\": {\"id\": \"uvm-7\", \"owner\": \"o\","
                          " \"os\": \"windows\", \"processorCount\": 2}}");
    CU_ASSERT_EQUAL_FATAL(hcsoci_case_hosting_system(host, test_case, &uvm, &error), 0);
    CU_ASSERT_STRING_EQUAL(hcsoci_uvm_id(uvm), "uvm-7");
    CU_ASSERT_EQUAL(hcsoci_uvm_processor_count(uvm), 2);
    hcsoci_uvm_free(uvm);
    json_decref(test_case);
    /* A bad member is refused, naming it, and makes no VM. */
    test_case = test_json("{\"hostingSystem\": {\"id\": \"uvm-8\", \"owner\": \"o\","
                          " \"os\": \"windows\", \"processorCount\": 0}}");
    uvm = NULL;
    CU_ASSERT_EQUAL(hcsoci_case_hosting_system(host, test_case, &uvm, &error), -1);
    CU_ASSERT_PTR_NULL(uvm);
    TEST_ASSERT_ERROR_CONTAINS(error, "hostingSystem.processorCount");
    json_decref(test_case);
    hcsoci_host_destroy(host);
}

int main(void)
{
    static const test_entry tests[] = {
        {"error context reads outer to inner", test_error_context_reads_outer_to_inner},
        {"an error keeps the stage it is labelled with", test_error_stage_label},
        {"hcsoci_fail tolerates a NULL out-parameter", test_fail_tolerates_null_out_parameter},
        {"hcsoci_error_store sets the out-parameter", test_error_store_sets_the_out_parameter},
        {"hcsoci_error_store frees without an out-parameter",
         test_error_store_without_out_parameter_frees},
        {"the out-of-memory failure", test_fail_out_of_memory},
        {"hcsoci_fail_prefixed", test_fail_prefixed},
        {"HRESULT texts", test_hresult_text},
        {"log levels and fields", test_log_levels_and_fields},
        {"the log macro builds fields only when logged",
         test_log_macro_builds_fields_only_when_logged},
        {"JSON copy is deep, ordered and fails cleanly",
         test_json_copy_is_deep_ordered_and_fails_cleanly},
        {"hcsoci_json_new_string is json_string", test_json_new_string_is_json_string},
        {"JSON getters name the field", test_json_getters_name_the_field},
        {"spec validation rejects bad shapes", test_spec_validate_rejects_bad_shapes},
        {"schema by build and request", test_schema_by_build_and_request},
        {"schema parsing", test_schema_parsing},
        {"ledger JSON round trip", test_ledger_round_trip},
        {"ledger keeps the layers' unmount steps", test_ledger_keeps_the_layers_unmount_steps},
        {"ledger rejects malformed JSON", test_ledger_rejects_malformed_json},
        {"a failed create releases in reverse order", test_failed_create_releases_in_reverse_order},
        {"the ledger observer sees each change in order",
         test_ledger_observer_sees_each_change_in_order},
        {"keep resources on failure", test_keep_resources_on_failure},
        {"release without all", test_release_without_all_still_unmounts_host_layers},
        {"create defaults and input errors", test_create_defaults_and_input_errors},
        {"container id length on both sides of the limit",
         test_container_id_length_on_both_sides_of_the_limit},
        {"numeric fields on both sides of their limits",
         test_numeric_fields_on_both_sides_of_their_limits},
        {"replay uses the sim host it is given", test_replay_uses_the_sim_host_it_is_given},
        {"replay on a host without a journal", test_replay_on_a_host_without_journal},
        {"a case's hosting system", test_case_hosting_system},
        {NULL, NULL},
    };
    return test_run_suite("core", tests);
}
