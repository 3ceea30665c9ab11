/* windows_trace: the native helper of tests/windows/replay and `make check-windows`.
 *
 *   windows_trace assemble LOG REPLAY_JSON   the recording DLL's log and the replay's printed
 *                                            trace -> {"calls", "error", "releaseCalls",
 *                                            "releaseError", "handlesLeftOpen"}
 *   windows_trace compare EXPECTED ACTUAL [CASE]
 *                                            an assembled trace against the corpus's expected
 *                                            one (CASE defaults to ../cases/<same name>)
 *   windows_trace get CASE DOTTED.PATH       prints one scalar of the case (strings raw)
 *   windows_trace json FILE DOTTED.PATH      prints one member of a JSON file as compact JSON
 *   windows_trace setup CASE DRIVE_C DOSDEVICES
 *                                            makes the case's host.files in a Wine prefix
 *
 * Exit status: 0 success (compare: the traces match), 1 a difference or a failed check with
 * its reason on stderr, 2 bad usage or unreadable input. */
#include "../conformance/kit/trace_compare.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define EXIT_DIFFERENT 1
#define EXIT_UNUSABLE 2

static int usage(void)
{
    fprintf(stderr, "usage: windows_trace assemble LOG REPLAY_JSON\n"
                    "       windows_trace compare EXPECTED ACTUAL [CASE]\n"
                    "       windows_trace get CASE DOTTED.PATH\n"
                    "       windows_trace json FILE DOTTED.PATH\n"
                    "       windows_trace setup CASE DRIVE_C DOSDEVICES\n");
    return EXIT_UNUSABLE;
}

static json_t *load_json(const char *path, const char *what)
{
    json_error_t error;
    json_t *value = json_load_file(path, JSON_DECODE_ANY, &error);
    if (value == NULL)
        fprintf(stderr, "windows_trace: cannot read %s %s: %s (line %d)\n", what, path,
                error.text, error.line);
    return value;
}

static int print_json(const json_t *value)
{
    if (json_dumpf(value, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY) != 0)
        return EXIT_UNUSABLE;
    putchar('\n');
    return 0;
}

/* ---- assemble ---- */

/* Reads the log's lines: calls into create_calls or release_calls (without "phase"), the
 * handles of every handlesLeftOpen line into left_open. Fails on a recordingError line, a line
 * that is not JSON or a call line without a known phase. */
static int read_log(const char *path, json_t *create_calls, json_t *release_calls,
                    json_t *left_open, bool *unloaded)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        fprintf(stderr, "windows_trace: cannot read the log %s: %s\n", path, strerror(errno));
        return EXIT_UNUSABLE;
    }
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    int status = 0;
    for (size_t number = 1; status == 0 && (length = getline(&line, &capacity, file)) >= 0;
         number++) {
        if (length <= 1)
            continue;
        json_error_t error;
        json_t *entry = json_loads(line, 0, &error);
        const char *phase = json_string_value(json_object_get(entry, "phase"));
        json_t *handles = json_object_get(entry, "handlesLeftOpen");
        if (entry == NULL) {
            fprintf(stderr, "windows_trace: %s line %zu is not JSON: %s\n", path, number,
                    error.text);
            status = EXIT_UNUSABLE;
        } else if (json_object_get(entry, "recordingError") != NULL) {
            fprintf(stderr, "windows_trace: the recording DLL could not run the case: %s\n",
                    json_string_value(json_object_get(entry, "recordingError")));
            status = EXIT_UNUSABLE;
        } else if (json_is_array(handles)) {
            json_array_extend(left_open, handles);
            *unloaded = true;
        } else if (json_object_get(entry, "call") != NULL && phase != NULL &&
                   (strcmp(phase, "create") == 0 || strcmp(phase, "release") == 0)) {
            bool create = strcmp(phase, "create") == 0;
            json_object_del(entry, "phase"); /* frees phase */
            json_array_append(create ? create_calls : release_calls, entry);
        } else {
            fprintf(stderr, "windows_trace: %s line %zu is neither a call with a phase nor a "
                            "handlesLeftOpen line\n",
                    path, number);
            status = EXIT_UNUSABLE;
        }
        json_decref(entry);
    }
    free(line);
    fclose(file);
    return status;
}

static int assemble(const char *log_path, const char *replay_path)
{
    json_t *replay = load_json(replay_path, "the replay's output");
    if (replay == NULL)
        return EXIT_UNUSABLE;
    json_t *error = json_object_get(replay, "error");
    json_t *release_error = json_object_get(replay, "releaseError");
    if (!json_is_object(replay) || error == NULL || release_error == NULL) {
        fprintf(stderr, "windows_trace: %s has no 'error' and 'releaseError' (not the output of "
                        "hcsoci replay)\n",
                replay_path);
        json_decref(replay);
        return EXIT_UNUSABLE;
    }
    json_t *create_calls = json_array(), *release_calls = json_array();
    json_t *left_open = json_array();
    bool unloaded = false;
    int status = read_log(log_path, create_calls, release_calls, left_open, &unloaded);
    if (status == 0) {
        /* As in expected/: no release after a failed create (unless calls were made anyway). */
        json_t *release = json_is_null(error) || json_array_size(release_calls) > 0
                              ? json_incref(release_calls)
                              : json_null();
        json_t *trace = json_pack("{s:O, s:O, s:o, s:O, s:o}", "calls", create_calls, "error",
                                  error, "releaseCalls", release, "releaseError", release_error,
                                  "handlesLeftOpen",
                                  unloaded ? json_incref(left_open) : json_null());
        status = print_json(trace);
        json_decref(trace);
    }
    json_decref(create_calls);
    json_decref(release_calls);
    json_decref(left_open);
    json_decref(replay);
    return status;
}

/* ---- compare ---- */

/* The calls D7 leaves out of the comparison (on both sides). */
static bool left_out(const char *name)
{
    return strcmp(name, "HcsOpenComputeSystem") == 0 ||
           strcmp(name, "HcsCloseComputeSystem") == 0 ||
           strcmp(name, "HcsUnregisterComputeSystemCallback") == 0;
}

/* A call list the kit's comparison reads: each {"call", "args", "hr", "returned"?} becomes
 * {"call", "args": {"args", "hr", "returned"?}} so that all three are compared (with the GUID
 * renaming); D7's calls are left out. null stays null (new reference). */
static json_t *comparable_calls(const json_t *calls)
{
    if (!json_is_array(calls))
        return json_incref((json_t *)calls);
    json_t *list = json_array();
    size_t index;
    json_t *call;
    json_array_foreach(calls, index, call) {
        const char *name = json_string_value(json_object_get(call, "call"));
        if (name == NULL) {
            json_array_append(list, call);
            continue;
        }
        if (left_out(name))
            continue;
        json_t *record = json_pack("{s:O?, s:O?}", "args", json_object_get(call, "args"), "hr",
                                   json_object_get(call, "hr"));
        json_t *returned = json_object_get(call, "returned");
        if (returned != NULL)
            json_object_set(record, "returned", returned);
        json_array_append_new(list, json_pack("{s:s, s:o}", "call", name, "args", record));
    }
    return list;
}

static json_t *comparable_trace(const json_t *trace)
{
    return json_pack("{s:o, s:O?, s:o, s:O?}", "calls",
                     comparable_calls(json_object_get(trace, "calls")), "error",
                     json_object_get(trace, "error"), "releaseCalls",
                     comparable_calls(json_object_get(trace, "releaseCalls")), "releaseError",
                     json_object_get(trace, "releaseError"));
}

/* CASE's default: the expected file's name in the sibling cases/ directory (malloc'd). */
static char *sibling_case(const char *expected_path)
{
    const char *slash = strrchr(expected_path, '/');
    const char *name = slash != NULL ? slash + 1 : expected_path;
    size_t directory_length = (size_t)(name - expected_path);
    size_t size = directory_length + strlen(name) + 16;
    char *path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%.*s../cases/%s", (int)directory_length, expected_path, name);
    return path;
}

static int compare(const char *expected_path, const char *actual_path, const char *case_path)
{
    char *default_case = case_path == NULL ? sibling_case(expected_path) : NULL;
    json_t *expected = load_json(expected_path, "the expected trace");
    json_t *actual = load_json(actual_path, "the actual trace");
    json_t *test_case = load_json(case_path != NULL ? case_path : default_case, "the case");
    free(default_case);
    int status = EXIT_UNUSABLE;
    if (expected != NULL && actual != NULL && test_case != NULL) {
        json_t *left_open = json_object_get(actual, "handlesLeftOpen");
        if (!json_is_array(left_open)) {
            fprintf(stderr, "handlesLeftOpen: missing: the recording DLL was never unloaded (did "
                            "the program end normally?)\n");
            status = EXIT_DIFFERENT;
        } else if (json_array_size(left_open) > 0) {
            char *handles = json_dumps(left_open, JSON_COMPACT);
            fprintf(stderr, "handlesLeftOpen: the program left handles open: %s\n",
                    handles != NULL ? handles : "?");
            free(handles);
            status = EXIT_DIFFERENT;
        } else {
            json_t *expected_comparable = comparable_trace(expected);
            json_t *actual_comparable = comparable_trace(actual);
            char *difference = NULL;
            status = trace_compare(test_case, expected_comparable, actual_comparable,
                                   &difference) == 0
                         ? 0
                         : EXIT_DIFFERENT;
            if (status != 0)
                fprintf(stderr, "%s\n", difference != NULL ? difference : "traces differ");
            free(difference);
            json_decref(expected_comparable);
            json_decref(actual_comparable);
        }
    }
    json_decref(expected);
    json_decref(actual);
    json_decref(test_case);
    return status;
}

/* ---- get ---- */

/* The member at a dotted path (borrowed), or NULL. */
static json_t *member_at(json_t *root, const char *dotted)
{
    char *path = strdup(dotted);
    json_t *value = root;
    for (char *member = strtok(path, "."); member != NULL && value != NULL;
         member = strtok(NULL, "."))
        value = json_object_get(value, member);
    free(path);
    return value;
}

static int get(const char *case_path, const char *dotted, bool as_json)
{
    json_t *test_case = load_json(case_path, as_json ? "the file" : "the case");
    if (test_case == NULL)
        return EXIT_UNUSABLE;
    json_t *value = member_at(test_case, dotted);
    int status = 0;
    char *text = NULL;
    if (as_json && value != NULL && (text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY)))
        printf("%s\n", text);
    else if (!as_json && json_is_string(value))
        printf("%s\n", json_string_value(value));
    else if (!as_json && json_is_integer(value))
        printf("%" JSON_INTEGER_FORMAT "\n", json_integer_value(value));
    else if (!as_json && json_is_boolean(value))
        printf("%s\n", json_is_true(value) ? "true" : "false");
    else {
        fprintf(stderr, "windows_trace: %s: '%s' is %s\n", case_path, dotted,
                value == NULL ? "missing" : "not a string, integer or boolean");
        status = EXIT_DIFFERENT;
    }
    free(text);
    json_decref(test_case);
    return status;
}

/* ---- setup ---- */

#define DEVICE_PREFIX "\\\\.\\PhysicalDrive"
#define ROOTS_FILE "hcsoci-case-roots"

/* The Linux path under drive_c of a C: path (malloc'd), or NULL when it is not on C:. */
static char *drive_c_path(const char *drive_c, const char *windows_path)
{
    if (!((windows_path[0] == 'C' || windows_path[0] == 'c') && windows_path[1] == ':'))
        return NULL;
    const char *rest = windows_path + 2;
    size_t size = strlen(drive_c) + strlen(rest) + 2;
    char *path = malloc(size);
    if (path == NULL)
        return NULL;
    snprintf(path, size, "%s/%s", drive_c, rest[0] == '\\' ? rest + 1 : rest);
    for (char *c = path + strlen(drive_c); *c != '\0'; c++) {
        if (*c == '\\')
            *c = '/';
    }
    size_t length = strlen(path);
    while (length > 1 && path[length - 1] == '/')
        path[--length] = '\0';
    return path;
}

/* Directories of a fresh Wine prefix that are never removed whole: a case's root below one of
 * them is its first two components. */
static bool system_directory(const char *component, size_t length)
{
    static const char *const names[] = {"windows", "users", "ProgramData", "Program Files",
                                        "Program Files (x86)"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i]) == length && strncasecmp(names[i], component, length) == 0)
            return true;
    }
    return false;
}

/* The root the case's files live under, relative to drive_c ("data", "ProgramData/docker"):
 * removed before the next case. NULL for a path refused (under windows or users). */
static char *case_root(const char *relative)
{
    const char *first_end = strchr(relative, '/');
    size_t first_length = first_end != NULL ? (size_t)(first_end - relative) : strlen(relative);
    if (first_length == 0)
        return NULL;
    if (!system_directory(relative, first_length))
        return strndup(relative, first_length);
    if ((first_length == 7 && strncasecmp(relative, "windows", 7) == 0) ||
        (first_length == 5 && strncasecmp(relative, "users", 5) == 0) || first_end == NULL)
        return NULL;
    const char *second_end = strchr(first_end + 1, '/');
    return strndup(relative, second_end != NULL ? (size_t)(second_end - relative)
                                                : strlen(relative));
}

static int run_command(const char *program, const char *argument_1, const char *argument_2)
{
    size_t size = strlen(argument_1) * 4 + (argument_2 ? strlen(argument_2) * 4 : 0) + 64;
    char *command = malloc(size);
    char *quoted_1 = malloc(strlen(argument_1) * 4 + 3);
    if (command == NULL || quoted_1 == NULL)
        return -1;
    /* Single-quote for sh: ' becomes '\''. */
    char *out = quoted_1;
    *out++ = '\'';
    for (const char *c = argument_1; *c != '\0'; c++) {
        if (*c == '\'') {
            memcpy(out, "'\\''", 4);
            out += 4;
        } else {
            *out++ = *c;
        }
    }
    *out++ = '\'';
    *out = '\0';
    snprintf(command, size, "%s %s%s", program, quoted_1, argument_2 != NULL ? argument_2 : "");
    int status = system(command);
    free(quoted_1);
    free(command);
    return status;
}

static int remove_tree(const char *path)
{
    return run_command("rm -rf --", path, NULL);
}

static int make_directories(const char *path)
{
    return run_command("mkdir -p --", path, NULL);
}

/* Removes the roots the previous setup recorded in DRIVE_C/../ROOTS_FILE. */
static void remove_previous_roots(const char *drive_c, const char *roots_path)
{
    FILE *file = fopen(roots_path, "r");
    if (file == NULL)
        return;
    char line[4096];
    while (fgets(line, sizeof line, file) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || strstr(line, "..") != NULL)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", drive_c, line);
        remove_tree(path);
    }
    fclose(file);
}

static int create_file(const char *path, long long size)
{
    char *parent = strdup(path);
    char *slash = strrchr(parent, '/');
    if (slash != NULL) {
        *slash = '\0';
        make_directories(parent);
    }
    free(parent);
    int descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (descriptor < 0 || ftruncate(descriptor, size) != 0) {
        fprintf(stderr, "windows_trace: cannot create %s: %s\n", path, strerror(errno));
        if (descriptor >= 0)
            close(descriptor);
        return -1;
    }
    close(descriptor);
    return 0;
}

/* \\.\PhysicalDriveN: DOSDEVICES/physicaldriveN, a symlink to a regular file kept beside it. */
static int create_device(const char *dosdevices, const char *number)
{
    char target[4096], link[4096];
    snprintf(target, sizeof target, "%s/hcsoci-physicaldrive%s.img", dosdevices, number);
    snprintf(link, sizeof link, "%s/physicaldrive%s", dosdevices, number);
    if (create_file(target, 0) != 0)
        return -1;
    unlink(link);
    if (symlink(target, link) != 0) {
        fprintf(stderr, "windows_trace: cannot make %s: %s\n", link, strerror(errno));
        return -1;
    }
    return 0;
}

/* The device links (and their files) of the previous case. */
static void remove_previous_devices(const char *dosdevices)
{
    DIR *directory = opendir(dosdevices);
    if (directory == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        if (strncmp(entry->d_name, "physicaldrive", 13) != 0 &&
            strncmp(entry->d_name, "hcsoci-physicaldrive", 20) != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dosdevices, entry->d_name);
        unlink(path);
    }
    closedir(directory);
}

static int setup(const char *case_path, const char *drive_c, const char *dosdevices)
{
    json_t *test_case = load_json(case_path, "the case");
    if (test_case == NULL)
        return EXIT_UNUSABLE;
    json_t *files = json_object_get(json_object_get(test_case, "host"), "files");
    if (!json_is_object(files)) {
        fprintf(stderr, "windows_trace: %s: 'host.files' must be an object\n", case_path);
        json_decref(test_case);
        return EXIT_UNUSABLE;
    }
    char roots_path[4096];
    snprintf(roots_path, sizeof roots_path, "%s/../%s", drive_c, ROOTS_FILE);
    remove_previous_roots(drive_c, roots_path);
    remove_previous_devices(dosdevices);

    json_t *roots = json_object();
    int status = 0;
    const char *windows_path;
    json_t *kind;
    /* Pass one: the roots, removed so that nothing else exists under them. */
    json_object_foreach(files, windows_path, kind) {
        if (strncasecmp(windows_path, DEVICE_PREFIX, strlen(DEVICE_PREFIX)) == 0)
            continue;
        char *path = drive_c_path(drive_c, windows_path);
        char *root = path != NULL ? case_root(path + strlen(drive_c) + 1) : NULL;
        if (root == NULL) {
            fprintf(stderr, "windows_trace: %s: host.files path '%s' is not one setup makes (C: "
                            "only, not under C:\\windows or C:\\users)\n",
                    case_path, windows_path);
            status = EXIT_UNUSABLE;
        } else {
            json_object_set_new(roots, root, json_true());
        }
        free(root);
        free(path);
    }
    FILE *roots_file = status == 0 ? fopen(roots_path, "w") : NULL;
    const char *root;
    json_t *ignored;
    json_object_foreach(roots, root, ignored) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", drive_c, root);
        remove_tree(path);
        if (roots_file != NULL)
            fprintf(roots_file, "%s\n", root);
    }
    if (roots_file != NULL)
        fclose(roots_file);
    /* Pass two: the entries (directories first, then files and devices). */
    for (int pass = 0; pass < 2 && status == 0; pass++) {
        json_object_foreach(files, windows_path, kind) {
            bool directory = json_is_string(kind) && strcmp(json_string_value(kind), "dir") == 0;
            if (directory != (pass == 0) || status != 0)
                continue;
            if (strncasecmp(windows_path, DEVICE_PREFIX, strlen(DEVICE_PREFIX)) == 0) {
                status = create_device(dosdevices, windows_path + strlen(DEVICE_PREFIX));
                continue;
            }
            char *path = drive_c_path(drive_c, windows_path);
            json_t *size = json_object_get(kind, "size");
            if (directory)
                status = make_directories(path) == 0 ? 0 : EXIT_UNUSABLE;
            else if (json_is_string(kind) && strcmp(json_string_value(kind), "file") == 0)
                status = create_file(path, 0) == 0 ? 0 : EXIT_UNUSABLE;
            else if (json_is_integer(size) && json_integer_value(size) >= 0)
                status = create_file(path, json_integer_value(size)) == 0 ? 0 : EXIT_UNUSABLE;
            else {
                fprintf(stderr, "windows_trace: %s: host.files entry '%s' must be \"dir\", "
                                "\"file\" or {\"size\": n}\n",
                        case_path, windows_path);
                status = EXIT_UNUSABLE;
            }
            free(path);
        }
    }
    json_decref(roots);
    json_decref(test_case);
    return status;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "assemble") == 0)
        return assemble(argv[2], argv[3]);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "compare") == 0)
        return compare(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    if (argc == 4 && strcmp(argv[1], "get") == 0)
        return get(argv[2], argv[3], false);
    if (argc == 4 && strcmp(argv[1], "json") == 0)
        return get(argv[2], argv[3], true);
    if (argc == 5 && strcmp(argv[1], "setup") == 0)
        return setup(argv[2], argv[3], argv[4]);
    return usage();
}
