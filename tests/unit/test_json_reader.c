/* hcsoci's JSON reader (core/lib/json_reader.c, behind hcsoci_json_loads) reads every text as
 * jansson's json_loads reads it: the same value with its keys in the same order, or jansson's
 * own error for text jansson refuses; over the corpus, hand-made edge cases and thousands of
 * corpus files with bytes changed. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc_testing.h>
#include <hcsoci/json_number.h>

/* The value as text that tells apart every difference json_equal sees, and key order too. */
static char *as_text(const json_t *value)
{
    return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* hcsoci reads text as jansson does; returns whether it did. Text with an integer above
 * INT64_MAX, which only hcsoci reads, is compared with what hcsoci_json_dumps wrote. */
static bool reads_as_jansson(const char *text, size_t flags)
{
    json_error_t ours_error, theirs_error;
    json_t *ours = hcsoci_json_loads(text, flags, &ours_error);
    json_t *theirs = json_loads(text, flags, &theirs_error);
    bool same;
    if (theirs == NULL && strstr(theirs_error.text, "too big integer") != NULL) {
        /* The one thing hcsoci reads beyond jansson (test_json_number.c): it reads on, to a
         * value or to an error further on. */
        same = true;
    } else if (ours == NULL || theirs == NULL) {
        same = ours == NULL && theirs == NULL &&
               strcmp(ours_error.text, theirs_error.text) == 0 &&
               ours_error.line == theirs_error.line &&
               ours_error.column == theirs_error.column &&
               ours_error.position == theirs_error.position;
    } else {
        char *ours_text = as_text(ours), *theirs_text = as_text(theirs);
        same = ours_text != NULL && theirs_text != NULL && strcmp(ours_text, theirs_text) == 0;
        free(ours_text);
        free(theirs_text);
    }
    if (!same)
        fprintf(stderr, "\n  text read differently: %.200s\n  hcsoci: %s\n  jansson: %s\n", text,
                ours != NULL ? "a value" : ours_error.text,
                theirs != NULL ? "a value" : theirs_error.text);
    json_decref(ours);
    json_decref(theirs);
    return same;
}

static char *read_whole_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(fread(text, 1, (size_t)size, file), (size_t)size);
    text[size] = '\0';
    fclose(file);
    return text;
}

static void check_unchanged(const char *path)
{
    char *text = read_whole_file(path);
    CU_ASSERT(reads_as_jansson(text, 0));
    free(text);
}

static void test_every_corpus_file_reads_as_jansson_reads_it(void)
{
    CU_ASSERT(test_each_json_file("tests/conformance/cases", check_unchanged) >= 70);
    CU_ASSERT(test_each_json_file("tests/conformance/expected", check_unchanged) >= 70);
}

static void test_edge_cases_read_as_jansson_reads_them(void)
{
    static const char *const texts[] = {
        "", " ", "{}", "[]", " \t\r\n[ ] \n", "{} x", "[] []", "5", "\"text\"", "null",
        "[true, false, null]", "[tru]", "[truex]", "[nul]", "[falsey]", "[1,]", "[,1]",
        "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\" : 1 , \"b\" :[ ] }", "{'a':1}",
        "{\"a\":1,\"a\":2,\"b\":3}", "{\"b\":1,\"a\":2}", "[\"unterminated]", "[\"a\\\"]",
        "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "[\"\\x\"]", "[\"\\u00e9\\u20AC\"]",
        "[\"\\ud83d\\ude00\"]", "[\"\\ud83d\"]", "[\"\\ud83dx\"]", "[\"\\ud83d\\u0041\"]",
        "[\"\\ude00\"]", "[\"\\u0000\"]", "{\"\\u0000\":1}", "[\"\\u12\"]", "[\"\\uZZZZ\"]",
        "[\"tab\there\"]", "[\"\x01\"]", "[\"\xc3\xa9\"]", "[\"\xc3\"]", "[\"\xed\xa0\x80\"]",
        "[\"\xf4\x90\x80\x80\"]", "[\"\xc0\xaf\"]", "{\"\xc3\xa9\":\"\xe2\x82\xac\"}",
        "[0]", "[-0]", "[01]", "[-]", "[-a]", "[1.]", "[1.5]", "[.5]", "[1e]", "[1e+]",
        "[1E+2]", "[1e-2]", "[-0.0]", "[1e400]", "[-1e400]", "[1e-400]", "[2.5e-324]",
        "[9223372036854775807]", "[-9223372036854775808]", "[-9223372036854775809]",
        "[9223372036854775808]", "[18446744073709551615]", "[18446744073709551616]",
        "[018446744073709551615]", "{\"a\": 00000000000000000000015465842950819166280, \"m",
        "[123456789012345678901234567890123456789012345678901234567890123456789012345]",
        "[0.12345678901234567890123456789012345678901234567890123456789012345678901]",
        "[1,2,[3,[4,{\"five\":[6]}]]]", "[+1]", "[0x10]", "[Infinity]", "[NaN]",
    };
    for (size_t index = 0; index < sizeof texts / sizeof texts[0]; index++) {
        CU_ASSERT(reads_as_jansson(texts[index], 0));
        CU_ASSERT(reads_as_jansson(texts[index], JSON_ALLOW_NUL));
        CU_ASSERT(reads_as_jansson(texts[index], JSON_DECODE_ANY));
        CU_ASSERT(reads_as_jansson(texts[index], JSON_REJECT_DUPLICATES));
    }
}

static void test_nesting_reads_as_jansson_reads_it(void)
{
    static const int depths[] = {1999, 2000, 2001, 2047, 2048, 2049, 3000};
    for (size_t index = 0; index < sizeof depths / sizeof depths[0]; index++) {
        int depth = depths[index];
        char *text = malloc((size_t)depth * 2 + 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        memset(text, '[', (size_t)depth);
        memset(text + depth, ']', (size_t)depth);
        text[depth * 2] = '\0';
        CU_ASSERT(reads_as_jansson(text, 0));
        free(text);
    }
}

static unsigned long long mutation_state = 0x9e3779b97f4a7c15ull;

static unsigned long long next_random(void)
{
    mutation_state ^= mutation_state << 13;
    mutation_state ^= mutation_state >> 7;
    mutation_state ^= mutation_state << 17;
    return mutation_state;
}

/* Bytes that matter to a JSON reader, and some that never should appear. */
static const char mutation_bytes[] = "{}[]\":,\\/ \t\n0123456789-+.eEutnfalsr\x01\x7f\xc3\xa9\xed\xff";

static void check_mutated(const char *path)
{
    char *text = read_whole_file(path);
    size_t length = strlen(text);
    CU_ASSERT_FATAL(length > 0);
    char *copy = malloc(length + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    for (int round = 0; round < 60; round++) {
        memcpy(copy, text, length + 1);
        int changes = 1 + (int)(next_random() % 3);
        for (int change = 0; change < changes; change++) {
            size_t at = (size_t)(next_random() % length);
            copy[at] = mutation_bytes[next_random() % (sizeof mutation_bytes - 1)];
        }
        CU_ASSERT(reads_as_jansson(copy, 0));
    }
    free(copy);
    free(text);
}

static void test_changed_corpus_files_read_as_jansson_reads_them(void)
{
    CU_ASSERT(test_each_json_file("tests/conformance/cases", check_mutated) >= 70);
}

static void test_out_of_memory_gives_nothing_or_the_value(void)
{
    char *text = read_whole_file(
        test_source_path("tests/conformance/cases/050-xenon-v2-mounts-vsmb-pipe-scsi.json"));
    json_t *expected = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    for (unsigned long fail_at = 1;; fail_at++) {
        bool failed = false;
        json_error_t error;
        hcsoci_alloc_count_start(fail_at);
        json_t *value = hcsoci_json_loads(text, 0, &error);
        hcsoci_alloc_count_stop(&failed);
        /* A failed allocation of the fast reader leaves the text to jansson, which may then
         * read it; what is read is always the whole value. */
        if (value != NULL)
            CU_ASSERT(json_equal(value, expected));
        json_decref(value);
        if (!failed)
            break;
    }
    json_decref(expected);
    free(text);
}

int main(void)
{
    static const test_entry tests[] = {
        {"every corpus file reads as jansson reads it",
         test_every_corpus_file_reads_as_jansson_reads_it},
        {"edge cases read as jansson reads them", test_edge_cases_read_as_jansson_reads_them},
        {"nesting reads as jansson reads it", test_nesting_reads_as_jansson_reads_it},
        {"changed corpus files read as jansson reads them",
         test_changed_corpus_files_read_as_jansson_reads_them},
        {"out of memory gives nothing or the value",
         test_out_of_memory_gives_nothing_or_the_value},
        {NULL, NULL},
    };
    return test_run_suite("JSON reader", tests);
}
