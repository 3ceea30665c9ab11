/* The Windows path rules (core/lib/windows_path.c), which must give what Go's path/filepath
 * gives on Windows: volume names (drive letters and UNC shares), splitting, cleaning and the
 * directory part, on plain, drive-letter, UNC, empty, trailing-separator and mixed-separator
 * paths; and a clean failure when memory runs out. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc_testing.h>
#include <hcsoci/windows_path.h>

static void assert_volume_name_length(const char *path, size_t expected)
{
    size_t length = hcsoci_windows_volume_name_length(path);
    if (length != expected)
        fprintf(stderr, "\n  volume name length(%s) = %zu, expected %zu\n", path, length,
                expected);
    CU_ASSERT_EQUAL(length, expected);
}

static void assert_split_index(const char *path, size_t expected)
{
    size_t index = hcsoci_windows_path_split_index(path);
    if (index != expected)
        fprintf(stderr, "\n  split index(%s) = %zu, expected %zu\n", path, index, expected);
    CU_ASSERT_EQUAL(index, expected);
}

static void assert_split(const char *path, const char *directory, const char *file)
{
    char *actual_directory = NULL, *actual_file = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_windows_path_split(path, &actual_directory, &actual_file), 0);
    if (strcmp(actual_directory, directory) != 0 || strcmp(actual_file, file) != 0)
        fprintf(stderr, "\n  split(%s) = (%s, %s), expected (%s, %s)\n", path, actual_directory,
                actual_file, directory, file);
    CU_ASSERT_STRING_EQUAL(actual_directory, directory);
    CU_ASSERT_STRING_EQUAL(actual_file, file);
    free(actual_directory);
    free(actual_file);
}

static void assert_clean(const char *path, const char *expected)
{
    test_assert_new_string("clean", path, hcsoci_windows_path_clean(path), expected);
}

static void assert_dir(const char *path, const char *expected)
{
    test_assert_new_string("dir", path, hcsoci_windows_path_dir(path), expected);
}

static void test_volume_names_are_drive_letters_or_unc_shares(void)
{
    assert_volume_name_length("C:\\x", 2);
    assert_volume_name_length("z:", 2);
    assert_volume_name_length("C:x", 2);
    assert_volume_name_length("1:\\x", 0);
    assert_volume_name_length("", 0);
    assert_volume_name_length("C", 0);
    assert_volume_name_length("x\\y", 0);
    assert_volume_name_length("\\x", 0);
    /* UNC: \\server\share, with either separator, up to the separator after the share. */
    assert_volume_name_length("\\\\server\\share\\x", 14);
    assert_volume_name_length("\\\\server\\share", 14);
    assert_volume_name_length("//server/share/x", 14);
    assert_volume_name_length("\\/server/share\\x", 14);
    assert_volume_name_length("\\\\a\\b", 5);
    /* Not UNC: a device path, an empty server or share, no share, too short. */
    assert_volume_name_length("\\\\.\\pipe\\x", 0);
    assert_volume_name_length("\\\\\\server\\share", 0);
    assert_volume_name_length("\\\\server\\\\x", 0);
    assert_volume_name_length("\\\\server\\.x", 0);
    assert_volume_name_length("\\\\server\\", 0);
    assert_volume_name_length("\\\\srv", 0);
    assert_volume_name_length("\\\\", 0);
}

static void test_split_index_is_past_the_last_separator_after_the_volume(void)
{
    assert_split_index("C:\\a\\b", 5);
    assert_split_index("C:\\a\\", 5);
    assert_split_index("C:/a/b", 5);
    assert_split_index("C:\\a/b", 5);
    assert_split_index("C:", 2);
    assert_split_index("C:b", 2);
    assert_split_index("b", 0);
    assert_split_index("", 0);
    assert_split_index("\\\\server\\share", 14);
    assert_split_index("\\\\server\\share\\f", 15);
}

static void test_host_paths_split_like_go_on_windows(void)
{
    assert_split("C:\\data\\files\\app.conf", "C:\\data\\files\\", "app.conf");
    assert_split("C:/data/app.conf", "C:/data/", "app.conf");
    assert_split("C:\\data/files\\app.conf", "C:\\data/files\\", "app.conf");
    assert_split("C:app.conf", "C:", "app.conf");
    assert_split("C:\\app.conf", "C:\\", "app.conf");
    assert_split("C:\\data\\", "C:\\data\\", "");
    assert_split("C:", "C:", "");
    assert_split("app.conf", "", "app.conf");
    assert_split("\\\\server\\share\\app.conf", "\\\\server\\share\\", "app.conf");
    assert_split("\\\\server\\share", "\\\\server\\share", "");
    assert_split("", "", "");
}

static void test_clean_resolves_elements_and_uses_backslashes(void)
{
    assert_clean("", ".");
    assert_clean(".", ".");
    assert_clean("a", "a");
    assert_clean("a\\", "a");
    assert_clean("a//b\\\\c", "a\\b\\c");
    assert_clean("a/./b/.", "a\\b");
    assert_clean("a/b/../c", "a\\c");
    assert_clean("a/..", ".");
    assert_clean("a/../..", "..");
    assert_clean("../../a/b/../c", "..\\..\\a\\c");
    assert_clean("...", "...");
    assert_clean("a\\..b", "a\\..b");
    /* Rooted: ".." stops at the root. */
    assert_clean("\\", "\\");
    assert_clean("/", "\\");
    assert_clean("/../a/..", "\\");
    assert_clean("\\a\\b\\", "\\a\\b");
    /* Drive letters: "C:" alone is the drive's working directory. */
    assert_clean("C:", "C:.");
    assert_clean("C:\\", "C:\\");
    assert_clean("C:/", "C:\\");
    assert_clean("C:\\..", "C:\\");
    assert_clean("C:/a//b/./c/..", "C:\\a\\b");
    assert_clean("C:\\a/b\\", "C:\\a\\b");
    assert_clean("C:a\\..\\..", "C:..");
    /* UNC shares keep their volume as written, with backslashes. */
    assert_clean("\\\\server\\share", "\\\\server\\share");
    assert_clean("//server/share", "\\\\server\\share");
    assert_clean("\\\\server\\share\\", "\\\\server\\share\\");
    assert_clean("\\\\server\\share\\..\\x\\", "\\\\server\\share\\x");
}

static void test_dir_is_the_cleaned_directory_part(void)
{
    assert_dir("", ".");
    assert_dir("x", ".");
    assert_dir("a/b", "a");
    assert_dir("a\\b\\", "a\\b");
    assert_dir("\\", "\\");
    assert_dir("/x", "\\");
    assert_dir("C:", "C:.");
    assert_dir("C:x", "C:.");
    assert_dir("C:\\", "C:\\");
    assert_dir("C:\\x", "C:\\");
    assert_dir("C:\\a\\b", "C:\\a");
    assert_dir("C:\\a\\", "C:\\a");
    assert_dir("C:/a/b", "C:\\a");
    assert_dir("C:\\a/b\\c", "C:\\a\\b");
    assert_dir("C:\\a\\..\\b\\c", "C:\\b");
    assert_dir("\\\\server\\share", "\\\\server\\share");
    assert_dir("\\\\server\\share\\x", "\\\\server\\share\\");
    assert_dir("//server/share/a/x", "\\\\server\\share\\a");
}

/* Every allocation of split, clean and dir fails in turn: each returns nothing and leaks
 * nothing (valgrind checks the leaks). */
static void test_out_of_memory_gives_nothing(void)
{
    static const char *const paths[] = {"C:\\a\\b\\c", "\\\\server\\share\\x", "", "x"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        for (unsigned long fail_at = 1;; fail_at++) {
            bool failed = false;
            hcsoci_alloc_count_start(fail_at);
            char *directory = NULL, *file = NULL;
            int status = hcsoci_windows_path_split(paths[i], &directory, &file);
            hcsoci_alloc_count_stop(&failed);
            if (!failed) {
                CU_ASSERT_EQUAL(status, 0);
                free(directory);
                free(file);
                break;
            }
            CU_ASSERT_EQUAL(status, -1);
            CU_ASSERT_PTR_NULL(directory);
            CU_ASSERT_PTR_NULL(file);
        }
        char *(*const producers[])(const char *) = {hcsoci_windows_path_clean,
                                                   hcsoci_windows_path_dir};
        for (size_t p = 0; p < sizeof producers / sizeof producers[0]; p++) {
            for (unsigned long fail_at = 1;; fail_at++) {
                bool failed = false;
                hcsoci_alloc_count_start(fail_at);
                char *result = producers[p](paths[i]);
                hcsoci_alloc_count_stop(&failed);
                if (!failed) {
                    CU_ASSERT_PTR_NOT_NULL(result);
                    free(result);
                    break;
                }
                CU_ASSERT_PTR_NULL(result);
                free(result);
            }
        }
    }
}

int main(void)
{
    static const test_entry tests[] = {
        {"volume names are drive letters or UNC shares",
         test_volume_names_are_drive_letters_or_unc_shares},
        {"the split index is past the last separator after the volume",
         test_split_index_is_past_the_last_separator_after_the_volume},
        {"host paths split like Go on Windows", test_host_paths_split_like_go_on_windows},
        {"clean resolves elements and uses backslashes",
         test_clean_resolves_elements_and_uses_backslashes},
        {"dir is the cleaned directory part", test_dir_is_the_cleaned_directory_part},
        {"out of memory gives nothing", test_out_of_memory_gives_nothing},
        {NULL, NULL},
    };
    return test_run_suite("windows paths", tests);
}
