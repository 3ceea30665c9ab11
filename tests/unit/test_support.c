#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

int test_run_suite(const char *suite_name, const test_entry *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    if (suite == NULL)
        return 1;
    for (const test_entry *test = tests; test->name != NULL; test++) {
        if (CU_add_test(suite, test->name, test->function) == NULL)
            return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    return (failed == 0 && ran > 0) ? 0 : 1;
}

static const char *tree_path(const char *variable, const char *relative)
{
    static char buffers[8][4096];
    static unsigned next;
    char *buffer = buffers[next++ % 8];
    const char *root = getenv(variable);
    char working_directory[2048];
    if (root == NULL)
        root = getcwd(working_directory, sizeof working_directory) != NULL ? working_directory : ".";
    snprintf(buffer, sizeof buffers[0], "%s/%s", root, relative);
    return buffer;
}

const char *test_build_path(const char *relative)
{
    return tree_path("HCSOCI_TEST_BUILDDIR", relative);
}

const char *test_source_path(const char *relative)
{
    return tree_path("HCSOCI_TEST_SRCDIR", relative);
}

const char *const *test_builtin_plugin_directories(void)
{
    static char directories[4][4096];
    static const char *list[5];
    static const char *const modules[] = {"wcow", "lcow", "network", "devices"};
    for (int i = 0; i < 4; i++) {
        char relative[64];
        snprintf(relative, sizeof relative, "plugins/%s/.libs", modules[i]);
        snprintf(directories[i], sizeof directories[i], "%s", test_build_path(relative));
        list[i] = directories[i];
    }
    list[4] = NULL;
    return list;
}

json_t *test_load_json(const char *relative)
{
    json_error_t parse_error;
    json_t *value = json_load_file(test_source_path(relative), 0, &parse_error);
    if (value == NULL) {
        fprintf(stderr, "\n  cannot parse %s: %s\n", relative, parse_error.text);
        CU_FAIL("test data does not parse");
    }
    return value;
}

json_t *test_json(const char *text)
{
    json_error_t parse_error;
    json_t *value = json_loads(text, 0, &parse_error);
    if (value == NULL) {
        fprintf(stderr, "bad JSON literal in test (line %d): %s\n", parse_error.line,
                parse_error.text);
        abort();
    }
    return value;
}

hcsoci_host *test_sim_host(const char *world_json)
{
    json_t *world = test_json(world_json);
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(world, &host, &error) != 0) {
        fprintf(stderr, "cannot make sim host: %s\n", error->message);
        abort();
    }
    json_decref(world);
    return host;
}

hcsoci_runtime *test_runtime(hcsoci_host *host)
{
    hcsoci_runtime_options options = {
        .host = host,
        .plugin_directories = test_builtin_plugin_directories(),
        .skip_environment = true,
        .skip_installed_directory = true,
        .program_name = "hcsoci",
    };
    hcsoci_runtime *runtime = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_runtime_new(&options, &runtime, &error) != 0) {
        fprintf(stderr, "cannot make runtime: %s\n", error->message);
        abort();
    }
    return runtime;
}

const char *test_call_names(const json_t *calls)
{
    static char text[4096];
    text[0] = '\0';
    size_t index;
    const json_t *call;
    json_array_foreach(calls, index, call) {
        if (index > 0)
            strncat(text, ",", sizeof text - strlen(text) - 1);
        const char *name = json_string_value(json_object_get(call, "call"));
        strncat(text, name != NULL ? name : "?", sizeof text - strlen(text) - 1);
    }
    return text;
}
