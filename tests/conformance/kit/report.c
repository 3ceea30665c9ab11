/* Reporting: failure messages and skips of the running CUnit test (kept for the JUnit report
 * and printed to stderr as they happen), and the JUnit XML report written after the run. */
#include "kit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

/* {"<suite>\n<test>": {"failures": [...], "skipped": "..."}} */
static json_t *notes;

/* The note object of the running test (borrowed), created on first use; NULL outside a test
 * or when memory runs out. */
static json_t *current_note(void)
{
    CU_pTest test = CU_get_current_test();
    CU_pSuite suite = CU_get_current_suite();
    if (test == NULL || suite == NULL)
        return NULL;
    if (notes == NULL && (notes = json_object()) == NULL)
        return NULL;
    char *key = NULL;
    if (asprintf(&key, "%s\n%s", suite->pName, test->pName) < 0)
        return NULL;
    json_t *note = json_object_get(notes, key);
    if (note == NULL) {
        note = json_pack("{s:[]}", "failures");
        if (note != NULL && json_object_set_new(notes, key, note) != 0)
            note = NULL;
    }
    free(key);
    return note;
}

static char *format_message(const char *format, va_list arguments)
{
    char *message = NULL;
    if (vasprintf(&message, format, arguments) < 0)
        return NULL;
    return message;
}

static const char **known_failures;
static json_t *known_failures_seen; /* {"<id>": true} for each known failure that failed */

void kit_set_known_failures(const char **tests)
{
    known_failures = tests;
}

/* Whether --known-failure names the running test: "<suite>: <test>", where a contract suite's
 * name is taken without the module path in parentheses. */
static bool running_test_known(void)
{
    CU_pTest test = CU_get_current_test();
    CU_pSuite suite = CU_get_current_suite();
    if (test == NULL || suite == NULL)
        return false;
    size_t suite_length = strcspn(suite->pName, "(");
    while (suite_length > 0 && suite->pName[suite_length - 1] == ' ')
        suite_length--;
    for (const char **item = known_failures; item != NULL && *item != NULL; item++) {
        if (strncmp(*item, suite->pName, suite_length) == 0 &&
            strncmp(*item + suite_length, ": ", 2) == 0 &&
            strcmp(*item + suite_length + 2, test->pName) == 0) {
            if (known_failures_seen == NULL)
                known_failures_seen = json_object();
            json_object_set_new(known_failures_seen, *item, json_true());
            return true;
        }
    }
    return false;
}

void kit_note_stale_known_failures(void)
{
    for (const char **item = known_failures; item != NULL && *item != NULL; item++) {
        if (json_object_get(known_failures_seen, *item) == NULL)
            printf("NOTE \"%s\" is listed as a known failure but did not fail: remove it from "
                   "the list\n",
                   *item);
    }
}

void kit_fail(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    char *message = format_message(format, arguments);
    va_end(arguments);
    fflush(stdout);
    CU_pTest test = CU_get_current_test();
    if (running_test_known()) {
        fprintf(stderr, "\nKNOWN %s: %s\n", test->pName,
                message != NULL ? message : "(out of memory)");
        free(message);
        return;
    }
    fprintf(stderr, "\nFAIL %s: %s\n", test != NULL ? test->pName : "?",
            message != NULL ? message : "(out of memory)");
    json_array_append_new(json_object_get(current_note(), "failures"),
                          json_string(message != NULL ? message : "(out of memory)"));
    free(message);
    CU_FAIL("see the FAIL message above");
}

void kit_skip(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    char *message = format_message(format, arguments);
    va_end(arguments);
    CU_pTest test = CU_get_current_test();
    fflush(stdout);
    fprintf(stderr, "\nSKIP %s: %s\n", test != NULL ? test->pName : "?",
            message != NULL ? message : "(out of memory)");
    json_object_set_new(current_note(), "skipped",
                        json_string(message != NULL ? message : "(out of memory)"));
    free(message);
}

/* ---- JUnit XML ---- */

static void write_escaped(FILE *file, const char *text)
{
    for (const unsigned char *character = (const unsigned char *)text; *character != '\0';
         character++) {
        switch (*character) {
        case '&': fputs("&amp;", file); break;
        case '<': fputs("&lt;", file); break;
        case '>': fputs("&gt;", file); break;
        case '"': fputs("&quot;", file); break;
        case '\n': fputs("&#10;", file); break;
        default:
            if (*character < 0x20 && *character != '\t')
                fprintf(file, "&#%u;", *character); /* not valid XML 1.0; keep it visible */
            else
                fputc(*character, file);
        }
    }
}

/* Whether CUnit recorded a failure for this test (an assertion outside kit_fail). */
static unsigned cunit_failures(CU_pSuite suite, CU_pTest test)
{
    unsigned count = 0;
    for (CU_pFailureRecord record = CU_get_failure_list(); record != NULL;
         record = record->pNext) {
        if (record->pSuite == suite && record->pTest == test)
            count++;
    }
    return count;
}

static const json_t *note_of(CU_pSuite suite, CU_pTest test)
{
    char *key = NULL;
    if (asprintf(&key, "%s\n%s", suite->pName, test->pName) < 0)
        return NULL;
    const json_t *note = json_object_get(notes, key);
    free(key);
    return note;
}

static void write_test(FILE *file, CU_pSuite suite, CU_pTest test)
{
    const json_t *note = note_of(suite, test);
    const json_t *failures = json_object_get(note, "failures");
    const char *skipped = json_string_value(json_object_get(note, "skipped"));
    unsigned failed = cunit_failures(suite, test);
    fputs("    <testcase classname=\"", file);
    write_escaped(file, suite->pName);
    fputs("\" name=\"", file);
    write_escaped(file, test->pName);
    fputs("\">\n", file);
    if (failed > 0) {
        fputs("      <failure message=\"", file);
        const char *first = json_string_value(json_array_get(failures, 0));
        write_escaped(file, first != NULL ? first : "an assertion failed");
        fputs("\">", file);
        size_t index;
        const json_t *message;
        json_array_foreach(failures, index, message) {
            write_escaped(file, json_string_value(message));
            fputs("&#10;", file);
        }
        fputs("</failure>\n", file);
    } else if (skipped != NULL) {
        fputs("      <skipped message=\"", file);
        write_escaped(file, skipped);
        fputs("\"/>\n", file);
    }
    fputs("    </testcase>\n", file);
}

int kit_write_junit(const char *path)
{
    FILE *file = fopen(path, "w");
    if (file == NULL) {
        perror(path);
        return -1;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hcsoci-conformance\">\n",
          file);
    for (CU_pSuite suite = CU_get_registry()->pSuite; suite != NULL; suite = suite->pNext) {
        unsigned tests = 0, failures = 0, skipped = 0;
        for (CU_pTest test = suite->pTest; test != NULL; test = test->pNext) {
            tests++;
            if (cunit_failures(suite, test) > 0)
                failures++;
            else if (json_object_get(note_of(suite, test), "skipped") != NULL)
                skipped++;
        }
        fputs("  <testsuite name=\"", file);
        write_escaped(file, suite->pName);
        fprintf(file, "\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\">\n", tests,
                failures, skipped);
        for (CU_pTest test = suite->pTest; test != NULL; test = test->pNext)
            write_test(file, suite, test);
        fputs("  </testsuite>\n", file);
    }
    fputs("</testsuites>\n", file);
    if (fclose(file) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

void kit_report_free(void)
{
    json_decref(notes);
    notes = NULL;
    json_decref(known_failures_seen);
    known_failures_seen = NULL;
}
