/* The allocator and its failure hook (core/lib/alloc.c). */
#include "test_support.h"

#include <pthread.h>
#include <stdlib.h>

#include <hcsoci/alloc.h>
#include <hcsoci/alloc_testing.h>

static void test_copies_and_formats(void)
{
    char *copy = hcsoci_strdup("layer");
    char *prefix = hcsoci_strndup("layer", 3);
    char *longer = hcsoci_strndup("ab", 10);
    char *text = hcsoci_asprintf("%s-%d", "scsi", 7);
    CU_ASSERT_STRING_EQUAL(copy, "layer");
    CU_ASSERT_STRING_EQUAL(prefix, "lay");
    CU_ASSERT_STRING_EQUAL(longer, "ab");
    CU_ASSERT_STRING_EQUAL(text, "scsi-7");
    free(copy);
    free(prefix);
    free(longer);
    free(text);
    int *numbers = hcsoci_calloc(4, sizeof *numbers);
    CU_ASSERT_PTR_NOT_NULL_FATAL(numbers);
    CU_ASSERT_EQUAL(numbers[3], 0);
    int *grown = hcsoci_realloc(numbers, 8 * sizeof *numbers);
    CU_ASSERT_PTR_NOT_NULL_FATAL(grown);
    CU_ASSERT_EQUAL(grown[3], 0);
    free(grown);
}

/* Counting alone numbers allocations of every allocator and fails none. */
static void test_count_numbers_every_allocation(void)
{
    hcsoci_alloc_count_start(0);
    char *copy = hcsoci_strdup("x");
    void *memory = hcsoci_malloc(4);
    char *text = hcsoci_asprintf("%d", 1);
    bool failed = true;
    CU_ASSERT_EQUAL(hcsoci_alloc_count_stop(&failed), 3);
    CU_ASSERT_FALSE(failed);
    CU_ASSERT_PTR_NOT_NULL(copy);
    CU_ASSERT_PTR_NOT_NULL(memory);
    CU_ASSERT_PTR_NOT_NULL(text);
    free(copy);
    free(memory);
    free(text);

    /* jansson's allocations are numbered too (an object takes more than one). */
    hcsoci_alloc_count_start(0);
    json_t *object = json_object();
    CU_ASSERT(hcsoci_alloc_count_stop(NULL) >= 1);
    CU_ASSERT_PTR_NOT_NULL(object);
    json_decref(object);
}

/* Exactly the chosen allocation fails; the ones after it succeed. */
static void test_fails_exactly_the_chosen_allocation(void)
{
    for (unsigned long fail_at = 1; fail_at <= 3; fail_at++) {
        hcsoci_alloc_count_start(fail_at);
        void *results[3] = {hcsoci_malloc(8), hcsoci_calloc(2, 4), hcsoci_strdup("x")};
        bool failed = false;
        CU_ASSERT_EQUAL(hcsoci_alloc_count_stop(&failed), 3);
        CU_ASSERT_TRUE(failed);
        for (unsigned long index = 0; index < 3; index++) {
            CU_ASSERT_EQUAL(results[index] == NULL, index + 1 == fail_at);
            free(results[index]);
        }
    }
    /* jansson's first allocation failing fails the value it was making. */
    hcsoci_alloc_count_start(1);
    CU_ASSERT_PTR_NULL(json_object());
    hcsoci_alloc_count_stop(NULL);

    /* A count that ends before the chosen allocation says so. */
    hcsoci_alloc_count_start(5);
    void *memory = hcsoci_malloc(1);
    bool failed = true;
    CU_ASSERT_EQUAL(hcsoci_alloc_count_stop(&failed), 1);
    CU_ASSERT_FALSE(failed);
    free(memory);
}

/* Failed formatting and copying report NULL rather than a partial result. */
static void test_failed_formatting_returns_null(void)
{
    hcsoci_alloc_count_start(1);
    CU_ASSERT_PTR_NULL(hcsoci_asprintf("%s", "text"));
    hcsoci_alloc_count_stop(NULL);
    hcsoci_alloc_count_start(1);
    CU_ASSERT_PTR_NULL(hcsoci_strndup("text", 2));
    hcsoci_alloc_count_stop(NULL);
}

/* Paused allocations are neither numbered nor failed; pauses nest. */
static void test_pause_hides_allocations(void)
{
    hcsoci_alloc_count_start(1);
    hcsoci_alloc_count_pause();
    hcsoci_alloc_count_pause();
    char *outside = hcsoci_strdup("host");
    json_t *outside_json = json_string("host");
    hcsoci_alloc_count_resume();
    char *still_outside = hcsoci_strdup("host");
    hcsoci_alloc_count_resume();
    char *inside = hcsoci_strdup("core");
    bool failed = false;
    CU_ASSERT_EQUAL(hcsoci_alloc_count_stop(&failed), 1);
    CU_ASSERT_TRUE(failed);
    CU_ASSERT_PTR_NOT_NULL(outside);
    CU_ASSERT_PTR_NOT_NULL(outside_json);
    CU_ASSERT_PTR_NOT_NULL(still_outside);
    CU_ASSERT_PTR_NULL(inside);
    free(outside);
    json_decref(outside_json);
    free(still_outside);
}

/* Stopping puts jansson's own allocator back: nothing is numbered or failed afterwards. */
static void test_stop_restores_jansson(void)
{
    json_malloc_t before_malloc = NULL, after_malloc = NULL;
    json_free_t before_free = NULL, after_free = NULL;
    json_get_alloc_funcs(&before_malloc, &before_free);
    hcsoci_alloc_count_start(1);
    hcsoci_alloc_count_stop(NULL);
    json_get_alloc_funcs(&after_malloc, &after_free);
    CU_ASSERT_PTR_EQUAL(after_malloc, before_malloc);
    CU_ASSERT_PTR_EQUAL(after_free, before_free);
    json_t *object = json_object();
    CU_ASSERT_PTR_NOT_NULL(object);
    json_decref(object);
}

static void *allocate_in_thread(void *unused)
{
    (void)unused;
    hcsoci_alloc_count_pause();
    return NULL;
}

/* A pause on another thread does not hide this thread's allocations. */
static void test_pause_is_per_thread(void)
{
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, allocate_in_thread, NULL), 0);
    pthread_join(thread, NULL);
    hcsoci_alloc_count_start(1);
    char *copy = hcsoci_strdup("x");
    bool failed = false;
    CU_ASSERT_EQUAL(hcsoci_alloc_count_stop(&failed), 1);
    CU_ASSERT_TRUE(failed);
    CU_ASSERT_PTR_NULL(copy);
}

int main(void)
{
    static const test_entry tests[] = {
        {"copies and formats", test_copies_and_formats},
        {"a count numbers every allocation", test_count_numbers_every_allocation},
        {"exactly the chosen allocation fails", test_fails_exactly_the_chosen_allocation},
        {"failed formatting returns NULL", test_failed_formatting_returns_null},
        {"pause hides allocations", test_pause_hides_allocations},
        {"stop restores jansson's allocator", test_stop_restores_jansson},
        {"a pause is per thread", test_pause_is_per_thread},
        {NULL, NULL},
    };
    return test_run_suite("allocator and failure hook", tests);
}
