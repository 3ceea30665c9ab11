/* The annotation parsers (core/lib/annotations.c): numbers and booleans, the resource parsers
 * and their fall-back to the spec, the Kubernetes sandbox annotations, and how a WCOW create
 * in a sim host (test_run_create) uses what they parse and warns about what they cannot. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/annotations.h>
#include <hcsoci/json_number.h>
#include <hcsoci/hcsoci.h>

#include "test_support.h"

/* ---- Through a WCOW create ---- */

static void test_unparsable_or_zero_annotation_falls_back_to_spec(void)
{
    json_t *spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT, "two");
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM, "0");
    test_set_path(spec, "windows.resources.cpu.count", json_integer(3));
    test_set_path(spec, "windows.resources.storage.iops", json_integer(40));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Count':3}");
    TEST_ASSERT_JSON(json_object_get(json_object_get(test_container_of(&result), "Storage"), "QoS"),
                "{'IopsMaximum':40}");
    const json_t *fields =
        test_find_annotation_warning(result.logs, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_COUNT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fields, "value")), "two");
    /* "0" parses: nothing to warn about. */
    CU_ASSERT_PTR_NULL(test_find_annotation_warning(
        result.logs, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM));
    test_run_result_free(&result);
}

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
        json_t *spec = test_wcow_spec();
        test_set_annotation(spec, annotations[i], "2147483648");
        test_run_result result;
        test_run_create(test_wcow_world(), spec, NULL, &result);
        TEST_ASSERT_SUCCEEDED(result);
        CU_ASSERT_PTR_NULL(json_object_get(test_container_of(&result), "Processor"));
        CU_ASSERT_PTR_NULL(
            json_object_get(json_object_get(test_container_of(&result), "Storage"), "QoS"));
        const json_t *fields = test_find_annotation_warning(result.logs, annotations[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fields, "value")),
                               "2147483648");
        test_run_result_free(&result);
    }

    /* The largest value that fits is used; an ignored annotation leaves the spec's value. */
    json_t *spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_STORAGE_QOS_IOPS_MAXIMUM, "2147483647");
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT, "99999999999999999999");
    test_set_path(spec, "windows.resources.cpu.maximum", json_integer(5000));
    test_run_result result;
    test_run_create(test_wcow_world(), spec, NULL, &result);
    TEST_ASSERT_SUCCEEDED(result);
    TEST_ASSERT_JSON(json_object_get(json_object_get(test_container_of(&result), "Storage"), "QoS"),
                "{'IopsMaximum':2147483647}");
    TEST_ASSERT_JSON(json_object_get(test_container_of(&result), "Processor"), "{'Maximum':5000}");
    const json_t *fields =
        test_find_annotation_warning(result.logs, HCSOCI_ANNOTATION_CONTAINER_PROCESSOR_LIMIT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fields);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fields, "value")),
                           "99999999999999999999");
    test_run_result_free(&result);

    /* Memory is a uint64 in schema 2.1: the whole range reaches the document. */
    static const struct {
        const char *text;
        uint64_t value;
    } memory_values[] = {
        {"9223372036854775807", INT64_MAX},
        {"9223372036854775808", (uint64_t)INT64_MAX + 1},
        {"18446744073709551615", UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof memory_values / sizeof memory_values[0]; i++) {
        spec = test_wcow_spec();
        test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB,
                            memory_values[i].text);
        test_run_create(test_wcow_world(), spec, NULL, &result);
        TEST_ASSERT_SUCCEEDED(result);
        uint64_t size = 0;
        CU_ASSERT(hcsoci_json_uint64_value(
            json_object_get(json_object_get(test_container_of(&result), "Memory"), "SizeInMB"),
            &size));
        CU_ASSERT_EQUAL(size, memory_values[i].value);
        CU_ASSERT_PTR_NULL(test_find_annotation_warning(
            result.logs, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB));
        test_run_result_free(&result);
    }
    /* Schema 1.0's MemoryMaximumInMB is an int64: a larger value is not used (D6). */
    spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB,
                        "9223372036854775808");
    test_run_options v1 = {.schema = "1.0"};
    test_run_create(test_wcow_world(), spec, &v1, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_PTR_NULL(json_object_get(result.document, "MemoryMaximumInMB"));
    const json_t *warning =
        test_find_annotation_warning(result.logs, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(warning);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(warning, "value")),
                           "9223372036854775808");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(warning, "expected-type")), "int64");
    test_run_result_free(&result);
    /* and the largest int64 is. */
    spec = test_wcow_spec();
    test_set_annotation(spec, HCSOCI_ANNOTATION_CONTAINER_MEMORY_SIZE_IN_MB,
                        "9223372036854775807");
    test_run_create(test_wcow_world(), spec, &v1, &result);
    TEST_ASSERT_SUCCEEDED(result);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(result.document, "MemoryMaximumInMB")),
                    INT64_MAX);
    test_run_result_free(&result);
}

/* ---- The parsers on their own ---- */

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
    test_log_capture_begin(HCSOCI_LOG_WARN);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *spec = json_pack("{s:{s:s}}", "annotations", "n", cases[i].text);
        uint64_t value = hcsoci_annotation_uint64(spec, "n", 77);
        if (value != cases[i].value)
            fprintf(stderr, "\n  \"%s\" gave %llu\n", cases[i].text, (unsigned long long)value);
        CU_ASSERT_EQUAL(value, cases[i].value);
        json_decref(spec);
    }
    /* One warning per unparsable text. */
    json_t *logs = test_log_capture_end();
    CU_ASSERT_EQUAL(json_array_size(logs), 9u);
    json_decref(logs);
    test_log_capture_begin(HCSOCI_LOG_WARN);
    json_t *spec = json_pack("{s:{s:s, s:s, s:s, s:i}}", "annotations", "t", "TRUE", "f", "false",
                             "x", "yes", "n", 1);
    CU_ASSERT_TRUE(hcsoci_annotation_bool(spec, "t", false));
    CU_ASSERT_FALSE(hcsoci_annotation_bool(spec, "f", true));
    CU_ASSERT_TRUE(hcsoci_annotation_bool(spec, "x", true));
    CU_ASSERT_FALSE(hcsoci_annotation_bool(spec, "absent", false));
    CU_ASSERT_EQUAL(hcsoci_annotation_uint64(spec, "n", 3), 3u); /* not a string */
    CU_ASSERT_EQUAL(hcsoci_annotation_uint64(NULL, "n", 3), 3u);
    logs = test_log_capture_end();
    CU_ASSERT_EQUAL(json_array_size(logs), 2u);
    json_decref(logs);
    json_decref(spec);
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

/* True when the array holds the string. */
static bool array_has_string(const json_t *array, const char *text)
{
    size_t index;
    const json_t *value;
    json_array_foreach(array, index, value) {
        if (json_is_string(value) && strcmp(json_string_value(value), text) == 0)
            return true;
    }
    return false;
}

static void test_features_document(void)
{
    json_t *features = hcsoci_features();
    CU_ASSERT_PTR_NOT_NULL_FATAL(features);
    /* It survives a round trip through text: valid JSON. */
    char *text = json_dumps(features, JSON_COMPACT);
    json_t *reloaded = test_json(text);
    CU_ASSERT(json_equal(features, reloaded));
    free(text);
    json_decref(reloaded);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(features, "ociVersionMin")), "1.0.0");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(features, "ociVersionMax")), "1.0.2");
    CU_ASSERT(json_is_array(json_object_get(features, "hooks")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(features, "hooks")), 0);
    CU_ASSERT(array_has_string(json_object_get(features, "mountOptions"), "ro"));
    CU_ASSERT(json_is_object(json_object_get(features, "annotations")));
    CU_ASSERT(json_is_string(
        json_object_get(json_object_get(features, "annotations"), "hcsoci.version")));
    const json_t *unsafe = json_object_get(features, "potentiallyUnsafeConfigAnnotations");
    size_t names = 0;
    for (const char *const *name = hcsoci_annotation_names(); *name != NULL; name++) {
        CU_ASSERT(array_has_string(unsafe, *name));
        names++;
    }
    CU_ASSERT_EQUAL(json_array_size(unsafe), names);
    json_decref(features);
}

/* Every annotation name annotations.h defines (each "io...." literal in it) is in the table. */
static void test_annotation_table_lists_every_defined_name(void)
{
    FILE *header = fopen(test_source_path("core/include/hcsoci/annotations.h"), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(header);
    char line[512];
    size_t found = 0;
    while (fgets(line, sizeof line, header) != NULL) {
        const char *start = strstr(line, "\"io.");
        if (start == NULL)
            continue;
        const char *end = strchr(start + 1, '"');
        CU_ASSERT_PTR_NOT_NULL_FATAL(end);
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(end - start - 1), start + 1);
        bool listed = false;
        for (const char *const *known = hcsoci_annotation_names(); *known != NULL; known++)
            listed = listed || strcmp(*known, name) == 0;
        if (!listed)
            fprintf(stderr, "\n  %s is not in hcsoci_annotation_names\n", name);
        CU_ASSERT(listed);
        found++;
    }
    fclose(header);
    size_t listed_count = 0;
    for (const char *const *known = hcsoci_annotation_names(); *known != NULL; known++)
        listed_count++;
    CU_ASSERT_EQUAL(found, listed_count);
    CU_ASSERT(found >= 16);
}

int main(void)
{
    static const test_entry tests[] = {
        {"unparsable or zero annotation falls back to the spec", test_unparsable_or_zero_annotation_falls_back_to_spec},
        {"D6: annotation beyond int32 is ignored with a warning", test_d6_annotation_beyond_int32_is_ignored_with_warning},
        {"annotation number parsing", test_annotation_number_parsing},
        {"resource parsers fall back in order", test_resource_parsers_fall_back_in_order},
        {"Kubernetes sandbox type and id", test_sandbox_type_and_id},
        {"features document", test_features_document},
        {"annotation table lists every defined name",
         test_annotation_table_lists_every_defined_name},
        {NULL, NULL},
    };
    return test_run_suite("annotations", tests);
}
