/* Unsigned 64-bit JSON numbers (core/lib/json_number.c): values above INT64_MAX survive a
 * round trip through hcsoci's text functions as the numbers Go writes, and nothing else in a
 * text or value is changed by them. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc_testing.h>
#include <hcsoci/json_number.h>

static void assert_dumps_to(const json_t *value, const char *expected)
{
    char *text = hcsoci_json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    if (strcmp(text, expected) != 0)
        fprintf(stderr, "\n  dumped:   %s\n  expected: %s\n", text, expected);
    CU_ASSERT_STRING_EQUAL(text, expected);
    free(text);
}

static void test_every_uint64_is_written_in_full(void)
{
    static const struct {
        uint64_t value;
        const char *text;
    } numbers[] = {
        {0, "0"},
        {INT64_MAX, "9223372036854775807"},
        {(uint64_t)INT64_MAX + 1, "9223372036854775808"},
        {UINT64_MAX, "18446744073709551615"},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        json_t *number = hcsoci_json_uint64(numbers[i].value);
        CU_ASSERT_PTR_NOT_NULL_FATAL(number);
        uint64_t read = 0;
        CU_ASSERT(hcsoci_json_uint64_value(number, &read));
        CU_ASSERT_EQUAL(read, numbers[i].value);
        /* Up to INT64_MAX it is a plain integer. */
        CU_ASSERT_EQUAL(json_is_integer(number), numbers[i].value <= INT64_MAX);
        assert_dumps_to(number, numbers[i].text);
        json_t *object = json_pack("{s:o, s:[O]}", "SizeInMB", number, "list", number);
        char expected[128];
        snprintf(expected, sizeof expected, "{\"SizeInMB\":%s,\"list\":[%s]}", numbers[i].text,
                 numbers[i].text);
        assert_dumps_to(object, expected);
        json_decref(object);
    }
}

static void test_text_with_big_integers_reads_back(void)
{
    const char *text = "{\"a\":18446744073709551615,\"b\":[9223372036854775808,-1,2.5],"
                       "\"c\":\"18446744073709551615\",\"d\":\"x\\\"18446744073709551615\","
                       "\"e\":9223372036854775807}";
    json_error_t error;
    json_t *value = hcsoci_json_loads(text, 0, &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(value);
    uint64_t number = 0;
    CU_ASSERT(hcsoci_json_uint64_value(json_object_get(value, "a"), &number));
    CU_ASSERT_EQUAL(number, UINT64_MAX);
    CU_ASSERT(hcsoci_json_uint64_value(json_array_get(json_object_get(value, "b"), 0), &number));
    CU_ASSERT_EQUAL(number, (uint64_t)INT64_MAX + 1);
    CU_ASSERT_FALSE(hcsoci_json_uint64_value(json_array_get(json_object_get(value, "b"), 1),
                                             &number));
    /* Strings stay strings, digits in them too, and an int64 stays an integer. */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(value, "c")),
                           "18446744073709551615");
    CU_ASSERT_FALSE(hcsoci_json_uint64_value(json_object_get(value, "c"), &number));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(value, "d")),
                           "x\"18446744073709551615");
    CU_ASSERT(json_is_integer(json_object_get(value, "e")));
    /* Written again, it is the same text. */
    char *again = hcsoci_json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    CU_ASSERT_STRING_EQUAL(again, "{\"a\":18446744073709551615,\"b\":[9223372036854775808,-1,"
                                  "2.5],\"c\":\"18446744073709551615\",\"d\":\"x\\\""
                                  "18446744073709551615\",\"e\":9223372036854775807}");
    free(again);
    /* Two values built the two ways are equal as JSON. */
    json_t *built = hcsoci_json_uint64(UINT64_MAX);
    CU_ASSERT(json_equal(built, json_object_get(value, "a")));
    json_decref(built);
    json_decref(value);

    /* Beyond uint64 jansson's own error remains. */
    CU_ASSERT_PTR_NULL(hcsoci_json_loads("[18446744073709551616]", 0, &error));
    CU_ASSERT_PTR_NOT_NULL(strstr(error.text, "too big"));
    CU_ASSERT_PTR_NULL(hcsoci_json_loads("[1", 0, &error));
}

/* Text with an integer above INT64_MAX that fails: jansson's error where jansson fails before
 * that integer (fuzz_parsers found a decoding error after one reported with the rewritten
 * form's place and text), and the error further on, at its place in the text, where jansson
 * stops at the integer. */
static void test_errors_after_a_big_integer_name_their_place(void)
{
    const char *undecodable = "{\"a\": {\"b\":11111111111111111111\xc5\xc5!1";
    json_error_t ours, theirs;
    CU_ASSERT_PTR_NULL(hcsoci_json_loads(undecodable, 0, &ours));
    CU_ASSERT_PTR_NULL(json_loads(undecodable, 0, &theirs));
    CU_ASSERT_STRING_EQUAL(ours.text, theirs.text);
    CU_ASSERT_EQUAL(ours.position, theirs.position);
    CU_ASSERT_EQUAL(ours.column, theirs.column);

    /* After two rewritten integers, on the next line and on the same one. */
    CU_ASSERT_PTR_NULL(
        hcsoci_json_loads("[18446744073709551615,\n 18446744073709551614, x]", 0, &ours));
    CU_ASSERT_STRING_EQUAL(ours.text, "invalid token near 'x'");
    CU_ASSERT_EQUAL(ours.line, 2);
    CU_ASSERT_EQUAL(ours.column, 24);
    CU_ASSERT_EQUAL(ours.position, 47);
    CU_ASSERT_PTR_NULL(
        hcsoci_json_loads("[18446744073709551615, 18446744073709551614, x]", 0, &ours));
    CU_ASSERT_EQUAL(ours.column, 46);
    CU_ASSERT_EQUAL(ours.position, 46);
    /* The same place as in text without such integers. */
    CU_ASSERT_PTR_NULL(json_loads("[18446744073709551, 18446744073709551, x]", 0, &theirs));
    CU_ASSERT_EQUAL(theirs.position + 6, 46);
}

static void test_only_marked_numbers_are_numbers(void)
{
    /* A string that only looks like the marked form, or an object key, is left alone. */
    json_t *value = json_pack("{s:s#, s:s#, s:s}", "short", "\0uint64:12", (size_t)10, "not",
                              "\0uint64:1x", (size_t)10, "plain", "uint64:18446744073709551615");
    uint64_t number = 0;
    CU_ASSERT_FALSE(hcsoci_json_uint64_value(json_object_get(value, "short"), &number));
    CU_ASSERT_FALSE(hcsoci_json_uint64_value(json_object_get(value, "not"), &number));
    char *text = hcsoci_json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    CU_ASSERT_STRING_EQUAL(text, "{\"short\":\"\\u0000uint64:12\",\"not\":\"\\u0000uint64:1x\","
                                 "\"plain\":\"uint64:18446744073709551615\"}");
    free(text);
    json_decref(value);
    CU_ASSERT_FALSE(hcsoci_json_uint64_value(NULL, &number));
    json_t *negative = json_integer(-5);
    CU_ASSERT_FALSE(hcsoci_json_uint64_value(negative, &number));
    json_decref(negative);
}

static void test_a_file_reads_as_its_text(void)
{
    json_error_t error;
    const char *path = test_source_path(
        "tests/conformance/expected/094-argon-v2-memory-annotation-uint64-max.json");
    json_t *value = hcsoci_json_load_file(path, 0, &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(value);
    json_decref(value);
    CU_ASSERT_PTR_NULL(hcsoci_json_load_file("/nonexistent/file.json", 0, &error));
    CU_ASSERT_PTR_NOT_NULL(strstr(error.text, "/nonexistent/file.json"));
}

static void test_out_of_memory_gives_nothing(void)
{
    for (unsigned long fail_at = 1;; fail_at++) {
        json_error_t error;
        bool failed = false;
        hcsoci_alloc_count_start(fail_at);
        json_t *value = hcsoci_json_loads("[18446744073709551615]", 0, &error);
        json_t *number = hcsoci_json_uint64(UINT64_MAX);
        hcsoci_alloc_count_stop(&failed);
        if (!failed) {
            CU_ASSERT_PTR_NOT_NULL(value);
            CU_ASSERT_PTR_NOT_NULL(number);
            json_decref(value);
            json_decref(number);
            break;
        }
        json_decref(value);
        json_decref(number);
    }
}

int main(void)
{
    static const test_entry tests[] = {
        {"every uint64 is written in full", test_every_uint64_is_written_in_full},
        {"text with big integers reads back", test_text_with_big_integers_reads_back},
        {"errors after a big integer name their place",
         test_errors_after_a_big_integer_name_their_place},
        {"only marked numbers are numbers", test_only_marked_numbers_are_numbers},
        {"a file reads as its text", test_a_file_reads_as_its_text},
        {"out of memory gives nothing", test_out_of_memory_gives_nothing},
        {NULL, NULL},
    };
    return test_run_suite("JSON numbers", tests);
}
