/* The state directory: ROOT/containers/<id>.json per container, ROOT/uvm-<id>.json per utility
 * VM (the model's hcsoci_uvm_to_json), ROOT/lock for the commands that change state. (The
 * simulated host's ROOT/sim-world.json and ROOT/journal.jsonl are in sim_state.c.) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define CONTAINERS_DIRECTORY "containers"
#define STATE_SUFFIX ".json"
#define UVM_PREFIX "uvm-" /* the file names cli_uvm_save gives: uvm-<id>.json */

char *cli_default_root(void)
{
    char *root = NULL;
    const char *runtime_directory = getenv("XDG_RUNTIME_DIR");
    int length;
    if (runtime_directory != NULL && runtime_directory[0] != '\0')
        length = asprintf(&root, "%s/hcsoci", runtime_directory);
    else if (geteuid() == 0)
        length = asprintf(&root, "/run/hcsoci");
    else
        length = asprintf(&root, "/tmp/hcsoci-%lu", (unsigned long)geteuid());
    return length < 0 ? NULL : root;
}

/* Copies id into buffer with non-printable bytes written as \xNN, cut to fit. */
static const char *escape_for_message(const char *id, char *buffer, size_t size)
{
    size_t used = 0;
    for (const char *c = id; *c != '\0' && used + 5 < size; c++) {
        unsigned char byte = (unsigned char)*c;
        if (byte < 0x20 || byte >= 0x7f)
            used += (size_t)snprintf(buffer + used, size - used, "\\x%02x", byte);
        else
            buffer[used++] = (char)byte;
    }
    buffer[used] = '\0';
    return buffer;
}

int cli_validate_id(const char *what, const char *id, hcsoci_error **error)
{
    char shown[64];
    size_t length = strlen(id);
    if (length == 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid %s id: it is empty", what);
    if (length > CLI_MAX_ID_LENGTH)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid %s id '%s...': longer than %d characters", what,
                           escape_for_message(id, shown, sizeof shown), CLI_MAX_ID_LENGTH);
    escape_for_message(id, shown, sizeof shown);
    if (id[0] == '.')
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid %s id '%s': it must not start with '.'", what, shown);
    for (const char *c = id; *c != '\0'; c++) {
        unsigned char byte = (unsigned char)*c;
        bool allowed = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || byte == '_' || byte == '-' ||
                       byte == '.' || byte == '+';
        if (!allowed)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid %s id '%s': only letters, digits, '_', '-', '.' "
                               "and '+' are allowed",
                               what, shown);
    }
    if (strstr(id, "..") != NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid %s id '%s': it must not contain '..'", what, shown);
    return 0;
}

int cli_validate_container_id(const char *id, hcsoci_error **error)
{
    return cli_validate_id("container", id, error);
}

int cli_validate_uvm_id(const char *id, hcsoci_error **error)
{
    return cli_validate_id("utility VM", id, error);
}

/* Creates path and its missing parents with mode 0700. */
static int make_directories(const char *path, hcsoci_error **error)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    for (char *slash = strchr(copy + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash != NULL)
            *slash = '\0';
        if (copy[0] != '\0' && mkdir(copy, 0700) != 0 && errno != EEXIST) {
            int saved = errno;
            hcsoci_fail(error, HCSOCI_E_IO, "cannot create directory '%s': %s", copy,
                        strerror(saved));
            free(copy);
            return -1;
        }
        if (slash == NULL)
            break;
        *slash = '/';
        while (slash[1] == '/')
            slash++;
    }
    free(copy);
    return 0;
}

int cli_prepare_root(const char *root, hcsoci_error **error)
{
    if (make_directories(root, error) != 0)
        return -1;
    struct stat status;
    if (stat(root, &status) != 0)
        return hcsoci_fail(error, HCSOCI_E_IO, "cannot use state directory '%s': %s", root,
                           strerror(errno));
    if (!S_ISDIR(status.st_mode))
        return hcsoci_fail(error, HCSOCI_E_IO, "state directory '%s' is not a directory", root);
    if (status.st_uid != geteuid())
        return hcsoci_fail(error, HCSOCI_E_ACCESS_DENIED,
                           "refusing state directory '%s': it belongs to uid %lu, not to uid %lu",
                           root, (unsigned long)status.st_uid, (unsigned long)geteuid());
    if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return hcsoci_fail(error, HCSOCI_E_ACCESS_DENIED,
                           "refusing state directory '%s': it is writable by group or others "
                           "(mode %03o)",
                           root, (unsigned)(status.st_mode & 0777));
    return 0;
}

int cli_lock_root(const char *root, hcsoci_error **error)
{
    char *path = NULL;
    if (asprintf(&path, "%s/lock", root) < 0)
        return hcsoci_fail_out_of_memory(error);
    int descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (descriptor < 0) {
        hcsoci_fail(error, HCSOCI_E_IO, "cannot open lock file '%s': %s", path, strerror(errno));
        free(path);
        return -1;
    }
    while (flock(descriptor, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        hcsoci_fail(error, HCSOCI_E_IO, "cannot lock '%s': %s", path, strerror(errno));
        close(descriptor);
        free(path);
        return -1;
    }
    free(path);
    return descriptor;
}

static char *state_path(const char *root, const char *id)
{
    char *path = NULL;
    if (asprintf(&path, "%s/" CONTAINERS_DIRECTORY "/%s" STATE_SUFFIX, root, id) < 0)
        return NULL;
    return path;
}

bool cli_state_exists(const char *root, const char *id)
{
    char *path = state_path(root, id);
    struct stat status;
    bool exists = path != NULL && lstat(path, &status) == 0;
    free(path);
    return exists;
}

int cli_state_save(const char *root, const char *id, const json_t *state, hcsoci_error **error)
{
    char *directory = NULL, *temporary = NULL, *path = state_path(root, id);
    int result = -1;
    if (path == NULL || asprintf(&directory, "%s/" CONTAINERS_DIRECTORY, root) < 0 ||
        asprintf(&temporary, "%s/.%s.tmp-%ld", directory, id, (long)getpid()) < 0) {
        hcsoci_fail_out_of_memory(error);
        goto done;
    }
    if (mkdir(directory, 0700) != 0 && errno != EEXIST) {
        hcsoci_fail(error, HCSOCI_E_IO, "cannot create directory '%s': %s", directory,
                    strerror(errno));
        goto done;
    }
    int descriptor =
        open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (descriptor < 0) {
        hcsoci_fail(error, HCSOCI_E_IO, "cannot write '%s': %s", temporary, strerror(errno));
        goto done;
    }
    FILE *file = fdopen(descriptor, "w");
    if (file == NULL) {
        close(descriptor);
        hcsoci_fail(error, HCSOCI_E_IO, "cannot write '%s': %s", temporary, strerror(errno));
        unlink(temporary);
        goto done;
    }
    bool written = json_dumpf(state, file, JSON_INDENT(2)) == 0 && fputc('\n', file) != EOF &&
                   fflush(file) == 0 && fsync(fileno(file)) == 0;
    int write_errno = errno;
    if (fclose(file) != 0 && written) {
        written = false;
        write_errno = errno;
    }
    if (!written || rename(temporary, path) != 0) {
        hcsoci_fail(error, HCSOCI_E_IO, "cannot write '%s': %s", path,
                    strerror(written ? errno : write_errno));
        unlink(temporary);
        goto done;
    }
    result = 0;
done:
    free(directory);
    free(temporary);
    free(path);
    return result;
}

int cli_state_load(const char *root, const char *id, json_t **state, hcsoci_error **error)
{
    *state = NULL;
    char *path = state_path(root, id);
    if (path == NULL)
        return hcsoci_fail_out_of_memory(error);
    struct stat status;
    int result;
    if (lstat(path, &status) != 0 && errno == ENOENT)
        result = hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                             "container '%s' does not exist (no state file '%s')", id, path);
    else
        result = cli_load_json_object(path, "state", state, error);
    free(path);
    return result;
}

int cli_state_remove(const char *root, const char *id, hcsoci_error **error)
{
    char *path = state_path(root, id);
    if (path == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = 0;
    if (unlink(path) != 0)
        result = hcsoci_fail(error, HCSOCI_E_IO, "cannot remove '%s': %s", path,
                             strerror(errno));
    free(path);
    return result;
}

static int compare_strings(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* The ids of the files in directory_path named <prefix><id><suffix> whose id passes validate,
 * sorted (new array; empty when the directory does not exist). */
static int list_ids(const char *directory_path, const char *prefix, const char *suffix,
                    int (*validate)(const char *, hcsoci_error **), json_t **ids,
                    hcsoci_error **error)
{
    *ids = NULL;
    DIR *directory = opendir(directory_path);
    if (directory == NULL) {
        int saved = errno;
        if (saved == ENOENT) {
            *ids = json_array();
            return *ids != NULL ? 0 : hcsoci_fail_out_of_memory(error);
        }
        return hcsoci_fail(error, HCSOCI_E_IO, "cannot read directory '%s': %s", directory_path,
                           strerror(saved));
    }

    char **names = NULL;
    size_t count = 0, capacity = 0;
    size_t prefix_length = strlen(prefix), suffix_length = strlen(suffix);
    int result = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length <= prefix_length + suffix_length ||
            strncmp(entry->d_name, prefix, prefix_length) != 0 ||
            strcmp(entry->d_name + length - suffix_length, suffix) != 0)
            continue;
        char *id = strndup(entry->d_name + prefix_length, length - prefix_length - suffix_length);
        if (id == NULL) {
            result = hcsoci_fail_out_of_memory(error);
            break;
        }
        if (validate(id, NULL) != 0) {
            free(id);
            continue;
        }
        if (count == capacity) {
            size_t grown = capacity ? capacity * 2 : 16;
            char **bigger = realloc(names, grown * sizeof *names);
            if (bigger == NULL) {
                free(id);
                result = hcsoci_fail_out_of_memory(error);
                break;
            }
            names = bigger;
            capacity = grown;
        }
        names[count++] = id;
    }
    closedir(directory);

    if (result == 0 && count > 0)
        qsort(names, count, sizeof *names, compare_strings);
    json_t *array = result == 0 ? json_array() : NULL;
    if (result == 0 && array == NULL)
        result = hcsoci_fail_out_of_memory(error);
    for (size_t i = 0; i < count; i++) {
        if (result == 0 && json_array_append_new(array, json_string(names[i])) != 0)
            result = hcsoci_fail_out_of_memory(error);
        free(names[i]);
    }
    free(names);
    if (result != 0) {
        json_decref(array);
        return -1;
    }
    *ids = array;
    return 0;
}

int cli_state_list_ids(const char *root, json_t **ids, hcsoci_error **error)
{
    *ids = NULL;
    char *directory_path = NULL;
    if (asprintf(&directory_path, "%s/" CONTAINERS_DIRECTORY, root) < 0)
        return hcsoci_fail_out_of_memory(error);
    int result =
        list_ids(directory_path, "", STATE_SUFFIX, cli_validate_container_id, ids, error);
    free(directory_path);
    return result;
}

int cli_state_hosted_containers(const char *root, json_t **by_uvm, hcsoci_error **error)
{
    json_t *ids = NULL;
    *by_uvm = NULL;
    if (cli_state_list_ids(root, &ids, error) != 0)
        return -1;
    json_t *map = json_object();
    int result = map != NULL ? 0 : hcsoci_fail_out_of_memory(error);
    size_t index;
    json_t *id;
    json_array_foreach(ids, index, id) {
        if (result != 0)
            break;
        json_t *state = NULL;
        hcsoci_error *load_error = NULL;
        if (cli_state_load(root, json_string_value(id), &state, &load_error) != 0) {
            cli_warn("skipping container '%s': %s", json_string_value(id), load_error->message);
            hcsoci_error_free(load_error);
            continue;
        }
        const char *uvm_id = json_string_value(json_object_get(state, "hostingSystemId"));
        if (uvm_id != NULL) {
            json_t *hosted = json_object_get(map, uvm_id);
            if (hosted == NULL && json_object_set_new(map, uvm_id, json_array()) == 0)
                hosted = json_object_get(map, uvm_id);
            if (hosted == NULL || json_array_append(hosted, id) != 0)
                result = hcsoci_fail_out_of_memory(error);
        }
        json_decref(state);
    }
    json_decref(ids);
    if (result != 0) {
        json_decref(map);
        return -1;
    }
    *by_uvm = map;
    return 0;
}

/* ---- utility VMs ---- */

static char *uvm_path(const char *root, const char *id)
{
    char *path = NULL;
    if (asprintf(&path, "%s/" UVM_PREFIX "%s" STATE_SUFFIX, root, id) < 0)
        return NULL;
    return path;
}

bool cli_uvm_exists(const char *root, const char *id)
{
    char *path = uvm_path(root, id);
    struct stat status;
    bool exists = path != NULL && lstat(path, &status) == 0;
    free(path);
    return exists;
}

int cli_uvm_load(hcsoci_host *host, const char *root, const char *id, hcsoci_uvm **uvm,
                 hcsoci_error **error)
{
    *uvm = NULL;
    char *path = uvm_path(root, id);
    if (path == NULL)
        return hcsoci_fail_out_of_memory(error);
    struct stat status;
    json_t *state = NULL;
    int result;
    if (lstat(path, &status) != 0 && errno == ENOENT)
        result = hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                             "utility VM '%s' does not exist (no state file '%s')", id, path);
    else
        result = cli_load_json_object(path, "utility VM state", &state, error);
    if (result == 0 && hcsoci_uvm_from_json(host, state, uvm, error) != 0) {
        result = hcsoci_fail_prefixed(error, "utility VM state file '%s': ", path);
    }
    if (result == 0 && strcmp(hcsoci_uvm_id(*uvm), id) != 0) {
        result = hcsoci_fail(error, HCSOCI_E_INVALID,
                             "utility VM state file '%s' holds VM '%s', not '%s'", path,
                             hcsoci_uvm_id(*uvm), id);
        hcsoci_uvm_free(*uvm);
        *uvm = NULL;
    }
    json_decref(state);
    free(path);
    return result;
}

int cli_uvm_save(const char *root, const hcsoci_uvm *uvm, hcsoci_error **error)
{
    const char *id = hcsoci_uvm_id(uvm);
    if (cli_validate_uvm_id(id, error) != 0)
        return -1;
    char *path = uvm_path(root, id);
    char *temporary = NULL;
    json_t *state = hcsoci_uvm_to_json(uvm);
    int result = 0;
    if (path == NULL || asprintf(&temporary, "%s.tmp", path) < 0 || state == NULL) {
        result = hcsoci_fail_out_of_memory(error);
    } else if (json_dump_file(state, temporary, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        result = hcsoci_fail(error, HCSOCI_E_IO, "cannot write utility VM state '%s'",
                             temporary);
        unlink(temporary);
    } else if (rename(temporary, path) != 0) {
        result = hcsoci_fail(error, HCSOCI_E_IO, "cannot write utility VM state '%s': %s", path,
                             strerror(errno));
        unlink(temporary);
    }
    json_decref(state);
    free(temporary);
    free(path);
    return result;
}

int cli_uvm_remove(const char *root, const char *id, hcsoci_error **error)
{
    char *path = uvm_path(root, id);
    if (path == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = 0;
    if (unlink(path) != 0)
        result = hcsoci_fail(error, HCSOCI_E_IO, "cannot remove '%s': %s", path,
                             strerror(errno));
    free(path);
    return result;
}

int cli_uvm_list_ids(const char *root, json_t **ids, hcsoci_error **error)
{
    return list_ids(root, UVM_PREFIX, STATE_SUFFIX, cli_validate_uvm_id, ids, error);
}
