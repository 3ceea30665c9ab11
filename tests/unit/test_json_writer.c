/* hcsoci's JSON writer (core/lib/json_writer.c, behind hcsoci_json_dumps) writes, byte for
 * byte, what jansson's json_dumps writes for the same value and flags: every corpus file, every
 * escape, UTF-8 and reals of every magnitude; it refuses what jansson refuses. */
#include "test_support.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc_testing.h>
#include <hcsoci/json_number.h>

static const size_t flag_sets[] = {
    JSON_COMPACT,
    JSON_COMPACT | JSON_PRESERVE_ORDER,
    0,
    JSON_INDENT(2),
    JSON_INDENT(3) | JSON_COMPACT,
    JSON_COMPACT | JSON_REAL_PRECISION(5),
    JSON_INDENT(1) | JSON_REAL_PRECISION(1),
};
#define FLAG_SET_COUNT (sizeof flag_sets / sizeof flag_sets[0])

/* Both writers give the same text, or both refuse; returns whether they agreed. */
static bool writes_as_jansson(const json_t *value, size_t flags)
{
    char *ours = hcsoci_json_dumps(value, flags);
    char *theirs = json_dumps(value, flags);
    bool same = (ours == NULL && theirs == NULL) ||
                (ours != NULL && theirs != NULL && strcmp(ours, theirs) == 0);
    if (!same)
        fprintf(stderr, "\n  flags %#lx\n  ours:    %s\n  jansson: %s\n", (unsigned long)flags,
                ours != NULL ? ours : "(null)", theirs != NULL ? theirs : "(null)");
    free(ours);
    free(theirs);
    return same;
}

static void assert_every_flag_set(const json_t *value)
{
    for (size_t index = 0; index < FLAG_SET_COUNT; index++) {
        CU_ASSERT(writes_as_jansson(value, flag_sets[index]));
        CU_ASSERT(writes_as_jansson(value, flag_sets[index] | JSON_ENCODE_ANY));
    }
}

static void compare_file(const char *path)
{
    json_error_t error;
    json_t *value = json_load_file(path, 0, &error);
    if (value == NULL) {
        /* Only a number above INT64_MAX, which jansson cannot read, is left out. */
        json_t *marked = hcsoci_json_load_file(path, 0, &error);
        CU_ASSERT_PTR_NOT_NULL(marked);
        json_decref(marked);
        return;
    }
    assert_every_flag_set(value);
    json_decref(value);
}

static void test_every_corpus_file_is_written_as_jansson_writes_it(void)
{
    CU_ASSERT(test_each_json_file("tests/conformance/cases", compare_file) >= 70);
    CU_ASSERT(test_each_json_file("tests/conformance/expected", compare_file) >= 70);
}

static void test_strings_escape_as_jansson_escapes_them(void)
{
    static const struct {
        const char *text;
        size_t length;
    } strings[] = {
        {"", 0},
        {"plain", 5},
        {"\"quoted\" \\back\\ /slash/", 24},
        {"\b\f\n\r\t\x01\x1f\x7f", 8},
        {"nul \0 inside", 12},
        {"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", 16},
        {"C:\\ProgramData\\docker\\windowsfilter\\layer", 41},
    };
    for (size_t index = 0; index < sizeof strings / sizeof strings[0]; index++) {
        json_t *string = json_stringn(strings[index].text, strings[index].length);
        CU_ASSERT_PTR_NOT_NULL_FATAL(string);
        json_t *object = json_pack("{s:O, s:[O, O]}", strings[index].text, string, "list",
                                   string, string);
        CU_ASSERT_PTR_NOT_NULL_FATAL(object);
        assert_every_flag_set(string);
        assert_every_flag_set(object);
        json_decref(object);
        json_decref(string);
    }
}

static void test_invalid_utf8_is_refused_as_jansson_refuses_it(void)
{
    static const char *const invalid[] = {
        "\xc3",             /* cut short */
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong, three bytes */
        "\xed\xa0\x80",     /* a surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xf5\x80\x80\x80", "\xff", "\x80", "ok\xc3(",
    };
    for (size_t index = 0; index < sizeof invalid / sizeof invalid[0]; index++) {
        json_t *string = json_stringn_nocheck(invalid[index], strlen(invalid[index]));
        json_t *array = json_pack("[O]", string);
        CU_ASSERT_PTR_NULL(hcsoci_json_dumps(array, JSON_COMPACT));
        assert_every_flag_set(array);
        json_decref(array);
        json_decref(string);
    }
}

static void test_numbers_are_written_as_jansson_writes_them(void)
{
    json_t *array = json_array();
    static const json_int_t integers[] = {0, -1, 1, INT64_MAX, INT64_MIN, 1000000};
    for (size_t index = 0; index < sizeof integers / sizeof integers[0]; index++)
        json_array_append_new(array, json_integer(integers[index]));
    static const double reals[] = {0.0, -0.0, 1.0, -2.5, 0.1, 1e-7, 1e21, 1e300, -1e-300,
                                   5e-324, DBL_MAX, DBL_MIN, 123456789012345678.0, 3e5, 1e16};
    for (size_t index = 0; index < sizeof reals / sizeof reals[0]; index++)
        json_array_append_new(array, json_real(reals[index]));
    /* A spread of magnitudes and digits, the same every run. */
    unsigned long long state = 88172645463325252ull;
    for (int count = 0; count < 2000; count++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        double mantissa = (double)(state >> 11) / 9007199254740992.0;
        int exponent = (int)(state % 1200) - 600;
        double value = ldexp(mantissa, exponent) * ((state & 1) != 0 ? -1 : 1);
        if (isfinite(value))
            json_array_append_new(array, json_real(value));
    }
    CU_ASSERT(json_array_size(array) > 1900);
    assert_every_flag_set(array);
    json_decref(array);
}

static void test_containers_and_scalars_are_laid_out_as_jansson_lays_them_out(void)
{
    json_t *values[] = {
        json_object(),
        json_array(),
        json_pack("{s:{}, s:[], s:[{}, []], s:{s:{s:[i, {s:n}]}}}", "empty object",
                  "empty array", "nested", "deep", "a", "b", 1, "c"),
        json_pack("[b, b, n, s, i, f]", 1, 0, "text", 7, 0.5),
        json_true(),
        json_null(),
        json_string("scalar"),
        json_integer(42),
        json_real(2.0),
    };
    for (size_t index = 0; index < sizeof values / sizeof values[0]; index++) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(values[index]);
        assert_every_flag_set(values[index]);
        json_decref(values[index]);
    }
    /* A scalar needs JSON_ENCODE_ANY, as with jansson. */
    json_t *scalar = json_integer(1);
    CU_ASSERT_PTR_NULL(hcsoci_json_dumps(scalar, JSON_COMPACT));
    json_decref(scalar);
    CU_ASSERT_PTR_NULL(hcsoci_json_dumps(NULL, JSON_COMPACT | JSON_ENCODE_ANY));
}

static void test_marked_numbers_are_written_as_digits(void)
{
    json_t *value = json_pack("{s:o, s:[o, s]}", "SizeInMB", hcsoci_json_uint64(UINT64_MAX),
                              "list", hcsoci_json_uint64((uint64_t)INT64_MAX + 1), "text");
    CU_ASSERT_PTR_NOT_NULL_FATAL(value);
    char *text = hcsoci_json_dumps(value, JSON_INDENT(2));
    CU_ASSERT_STRING_EQUAL(text, "{\n  \"SizeInMB\": 18446744073709551615,\n  \"list\": [\n"
                                 "    9223372036854775808,\n    \"text\"\n  ]\n}");
    free(text);
    /* The flags the writer leaves to jansson still write them as numbers. */
    text = hcsoci_json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
    CU_ASSERT_STRING_EQUAL(text,
                           "{\"SizeInMB\":18446744073709551615,\"list\":[9223372036854775808,"
                           "\"text\"]}");
    free(text);
    json_decref(value);
}

static void test_values_nested_past_the_limit_are_refused(void)
{
    json_t *deep = json_array();
    json_t *inner = deep;
    for (int depth = 0; depth < 5000; depth++) {
        json_t *next = json_array();
        json_array_append_new(inner, next);
        inner = next;
    }
    CU_ASSERT_PTR_NULL(hcsoci_json_dumps(deep, JSON_COMPACT));
    json_decref(deep);
    /* 2048 levels, the most jansson reads, are written. */
    json_error_t error;
    char text[2 * 2048 + 1];
    memset(text, '[', 2048);
    memset(text + 2048, ']', 2048);
    text[4096] = '\0';
    json_t *readable = json_loads(text, 0, &error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(readable);
    char *written = hcsoci_json_dumps(readable, JSON_COMPACT);
    CU_ASSERT_STRING_EQUAL(written, text);
    free(written);
    json_decref(readable);
}

static void test_out_of_memory_gives_nothing(void)
{
    json_t *value = json_load_file(
        test_source_path("tests/conformance/cases/050-xenon-v2-mounts-vsmb-pipe-scsi.json"), 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(value);
    char *expected = json_dumps(value, JSON_COMPACT);
    unsigned long fail_at = 1;
    for (;; fail_at++) {
        bool failed = false;
        hcsoci_alloc_count_start(fail_at);
        char *text = hcsoci_json_dumps(value, JSON_COMPACT);
        hcsoci_alloc_count_stop(&failed);
        if (!failed) {
            CU_ASSERT_STRING_EQUAL(text, expected);
            free(text);
            break;
        }
        CU_ASSERT_PTR_NULL(text);
    }
    /* The buffer grew several times: each growth was made to fail once. */
    CU_ASSERT(fail_at > 3);
    free(expected);
    json_decref(value);
}

int main(void)
{
    static const test_entry tests[] = {
        {"every corpus file is written as jansson writes it",
         test_every_corpus_file_is_written_as_jansson_writes_it},
        {"strings escape as jansson escapes them", test_strings_escape_as_jansson_escapes_them},
        {"invalid UTF-8 is refused as jansson refuses it",
         test_invalid_utf8_is_refused_as_jansson_refuses_it},
        {"numbers are written as jansson writes them",
         test_numbers_are_written_as_jansson_writes_them},
        {"containers and scalars are laid out as jansson lays them out",
         test_containers_and_scalars_are_laid_out_as_jansson_lays_them_out},
        {"marked numbers are written as digits", test_marked_numbers_are_written_as_digits},
        {"values nested past the limit are refused",
         test_values_nested_past_the_limit_are_refused},
        {"out of memory gives nothing", test_out_of_memory_gives_nothing},
        {NULL, NULL},
    };
    return test_run_suite("JSON writer", tests);
}
