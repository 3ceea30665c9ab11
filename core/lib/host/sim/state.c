/* Persistence of the sim host in a state directory: <dir>/sim-world.json holds the whole state
 * (the world as it is now, the GUID generator, call counts for failCall, credential-guard
 * instances and held counts), replaced atomically; <dir>/journal.jsonl gets the calls
 * recorded since the last save appended, one JSON object per line. Only these two fixed names
 * (and a temporary file made with mkstemp) are touched; symbolic links in their place and
 * anything but regular files are refused. */
#include "sim_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FORMAT "hcsoci-sim-state"
#define STATE_VERSION 1
#define STATE_MAXIMUM_BYTES (256L * 1024 * 1024)

static int out_of_memory(hcsoci_error **error)
{
    return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
}

static int state_invalid(hcsoci_error **error, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int state_invalid(hcsoci_error **error, const char *format, ...)
{
    char *text = NULL;
    va_list arguments;
    va_start(arguments, format);
    int length = vasprintf(&text, format, arguments);
    va_end(arguments);
    if (length < 0)
        return out_of_memory(error);
    hcsoci_fail(error, HCSOCI_E_INVALID, "sim state: %s", text);
    free(text);
    return -1;
}

/* ---- the state beyond the world ---- */

json_t *sim_state_describe(const sim_host *sim)
{
    char generator[17];
    snprintf(generator, sizeof generator, "%016" PRIx64, sim->generator_state);
    return json_pack("{s:s, s:O, s:O, s:o}", "generatorState", generator, "callCounts",
                     sim->call_counts, "credentialGuardInstances",
                     sim->credential_guard_instances, "held", sim_held_describe(&sim->held));
}

static int restore_generator(sim_host *sim, const json_t *state, hcsoci_error **error)
{
    const json_t *value = json_object_get(state, "generatorState");
    const char *text = json_string_value(value);
    char *end = NULL;
    if (text != NULL && text[0] != '\0' && strlen(text) <= 16 && text[0] != '-' &&
        text[0] != '+') {
        errno = 0;
        unsigned long long number = strtoull(text, &end, 16);
        if (*end == '\0' && errno == 0 && strncasecmp(text, "0x", 2) != 0) {
            sim->generator_state = (uint64_t)number;
            return 0;
        }
    }
    return state_invalid(error,
                         "invalid field 'state.generatorState': must be 1 to 16 hex digits, not %s",
                         text != NULL    ? text
                         : value == NULL ? "missing"
                                         : "a non-string");
}

static int restore_call_counts(sim_host *sim, const json_t *state, hcsoci_error **error)
{
    const json_t *counts = json_object_get(state, "callCounts");
    if (!json_is_object(counts))
        return state_invalid(error, "invalid field 'state.callCounts': must be an object");
    const char *name;
    json_t *count;
    json_object_foreach((json_t *)counts, name, count) {
        if (!sim_call_name_known(name))
            return state_invalid(
                error, "invalid field 'state.callCounts': names an unknown call '%s'", name);
        if (!json_is_integer(count) || json_integer_value(count) < 0)
            return state_invalid(
                error, "invalid field 'state.callCounts.%s': must be an integer >= 0", name);
    }
    json_t *copy = json_deep_copy(counts);
    if (copy == NULL)
        return out_of_memory(error);
    json_decref(sim->call_counts);
    sim->call_counts = copy;
    return 0;
}

static int restore_credential_guard_instances(sim_host *sim, const json_t *state,
                                              hcsoci_error **error)
{
    const json_t *instances = json_object_get(state, "credentialGuardInstances");
    if (!json_is_array(instances))
        return state_invalid(error,
                             "invalid field 'state.credentialGuardInstances': must be an array");
    size_t index;
    json_t *instance;
    json_array_foreach((json_t *)instances, index, instance) {
        if (!json_is_string(json_object_get(instance, "Id")) ||
            !json_is_string(json_object_get(instance, "Transport")))
            return state_invalid(
                error,
                "invalid field 'state.credentialGuardInstances[%zu]': must be an object "
                "with string members 'Id' and 'Transport'",
                index);
    }
    json_t *copy = json_deep_copy(instances);
    if (copy == NULL)
        return out_of_memory(error);
    json_decref(sim->credential_guard_instances);
    sim->credential_guard_instances = copy;
    return 0;
}

int sim_state_restore(sim_host *sim, const json_t *state, hcsoci_error **error)
{
    if (!json_is_object(state))
        return state_invalid(error, "invalid field 'state': must be an object");
    if (restore_generator(sim, state, error) != 0 || restore_call_counts(sim, state, error) != 0 ||
        restore_credential_guard_instances(sim, state, error) != 0)
        return -1;
    sim_held held;
    if (sim_held_parse(json_object_get(state, "held"), "state.held", &held, error) != 0) {
        sim_held_release(&held);
        return -1;
    }
    sim_held_release(&sim->held);
    sim->held = held;
    return 0;
}

/* ---- files ---- */

static int io_error(hcsoci_error **error, const char *action, const char *path, int number)
{
    return hcsoci_fail(error, HCSOCI_E_IO, "sim host: cannot %s %s: %s", action, path,
                       strerror(number));
}

/* Creates directory and its missing parents with mode 0700; fails unless it ends up a
 * directory. */
static int ensure_directory(const char *directory, hcsoci_error **error)
{
    char *path = strdup(directory);
    if (path == NULL)
        return out_of_memory(error);
    for (char *cursor = path + 1; *cursor != '\0'; cursor++) {
        if (*cursor != '/')
            continue;
        *cursor = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            int number = errno;
            int result = io_error(error, "create the state directory", path, number);
            free(path);
            return result;
        }
        *cursor = '/';
    }
    free(path);
    if (mkdir(directory, 0700) != 0 && errno != EEXIST)
        return io_error(error, "create the state directory", directory, errno);
    struct stat status;
    if (stat(directory, &status) != 0)
        return io_error(error, "examine the state directory", directory, errno);
    if (!S_ISDIR(status.st_mode))
        return hcsoci_fail(error, HCSOCI_E_IO,
                           "sim host: the state directory %s is not a directory", directory);
    return 0;
}

static int write_all(int descriptor, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(descriptor, data, length);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

/* Opens a file inside the state directory without following a symbolic link, and refuses
 * anything that is not a regular file. Returns the descriptor or -1 with errno set. */
static int open_regular(const char *path, int flags, int *refusal)
{
    *refusal = 0;
    int descriptor = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
    if (descriptor < 0)
        return -1;
    struct stat status;
    if (fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode)) {
        close(descriptor);
        *refusal = 1;
        errno = EINVAL;
        return -1;
    }
    return descriptor;
}

static int open_failed(hcsoci_error **error, const char *path, int refusal)
{
    if (refusal || errno == ELOOP)
        return hcsoci_fail(error, HCSOCI_E_IO,
                           "sim host: refusing %s: it is not a regular file (a symbolic link, "
                           "directory or device is never followed)",
                           path);
    return io_error(error, "open", path, errno);
}

static int append_journal(sim_host *sim, const char *directory, hcsoci_error **error)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", directory, SIM_JOURNAL_FILE) < 0)
        return out_of_memory(error);

    /* All lines in one buffer, so that a failure leaves the file as it was or whole lines. */
    char *lines = NULL;
    size_t length = 0;
    FILE *stream = open_memstream(&lines, &length);
    int result = stream != NULL ? 0 : out_of_memory(error);
    size_t index;
    json_t *call;
    json_array_foreach(sim->journal_unsaved, index, call) {
        if (result != 0)
            break;
        if (json_dumpf(call, stream, JSON_COMPACT) != 0 || fputc('\n', stream) == EOF)
            result = out_of_memory(error);
    }
    if (stream != NULL && fclose(stream) != 0 && result == 0)
        result = out_of_memory(error);

    if (result == 0) {
        int refusal;
        int descriptor = open_regular(path, O_WRONLY | O_APPEND | O_CREAT, &refusal);
        if (descriptor < 0) {
            result = open_failed(error, path, refusal);
        } else {
            if (write_all(descriptor, lines, length) != 0 || fsync(descriptor) != 0)
                result = io_error(error, "write", path, errno);
            if (close(descriptor) != 0 && result == 0)
                result = io_error(error, "write", path, errno);
        }
    }
    if (result == 0)
        json_array_clear(sim->journal_unsaved);
    free(lines);
    free(path);
    return result;
}

static int write_world(sim_host *sim, const char *directory, hcsoci_error **error)
{
    json_t *snapshot = json_pack("{s:s, s:i, s:o, s:o}", "format", STATE_FORMAT, "version",
                                 STATE_VERSION, "world", sim_world_describe(&sim->world),
                                 "state", sim_state_describe(sim));
    char *text = snapshot != NULL ? json_dumps(snapshot, JSON_INDENT(2)) : NULL;
    json_decref(snapshot);
    char *path = NULL;
    char *temporary = NULL;
    if (text == NULL || asprintf(&path, "%s/%s", directory, SIM_WORLD_FILE) < 0 ||
        asprintf(&temporary, "%s/.%s.XXXXXX", directory, SIM_WORLD_FILE) < 0) {
        free(text);
        free(path);
        return out_of_memory(error);
    }

    int result = 0;
    int descriptor = mkstemp(temporary); /* O_EXCL, mode 0600 */
    if (descriptor < 0) {
        result = io_error(error, "create", temporary, errno);
    } else {
        size_t length = strlen(text);
        if (write_all(descriptor, text, length) != 0 || write_all(descriptor, "\n", 1) != 0 ||
            fsync(descriptor) != 0)
            result = io_error(error, "write", temporary, errno);
        if (close(descriptor) != 0 && result == 0)
            result = io_error(error, "write", temporary, errno);
        if (result == 0 && rename(temporary, path) != 0)
            result = io_error(error, "replace", path, errno);
        if (result != 0)
            unlink(temporary);
    }
    if (result == 0) {
        int directory_descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (directory_descriptor >= 0) {
            fsync(directory_descriptor); /* best effort: make the rename durable */
            close(directory_descriptor);
        }
    }
    free(temporary);
    free(path);
    free(text);
    return result;
}

int hcsoci_sim_host_save(hcsoci_host *host, const char *state_directory, hcsoci_error **error)
{
    sim_host *sim = sim_host_from(host);
    if (sim == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: cannot save a host that is not "
                                                    "a sim host");
    if (state_directory == NULL || state_directory[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: no state directory given");
    pthread_mutex_lock(&sim->lock);
    int result = ensure_directory(state_directory, error);
    /* The journal first: if writing the world then fails, a later save does not append the
     * same calls twice. */
    if (result == 0)
        result = append_journal(sim, state_directory, error);
    if (result == 0)
        result = write_world(sim, state_directory, error);
    pthread_mutex_unlock(&sim->lock);
    return result;
}

/* Reads path whole into a NUL-terminated buffer. *missing is set when it does not exist. */
static int read_state_file(const char *path, char **text, size_t *length, bool *missing,
                           hcsoci_error **error)
{
    *missing = false;
    int refusal;
    int descriptor = open_regular(path, O_RDONLY, &refusal);
    if (descriptor < 0) {
        if (!refusal && (errno == ENOENT || errno == ENOTDIR)) {
            *missing = true;
            return 0;
        }
        return open_failed(error, path, refusal);
    }
    struct stat status;
    if (fstat(descriptor, &status) != 0) {
        int number = errno;
        close(descriptor);
        return io_error(error, "examine", path, number);
    }
    if (status.st_size > STATE_MAXIMUM_BYTES) {
        close(descriptor);
        return hcsoci_fail(error, HCSOCI_E_IO, "sim host: %s is larger than %ld bytes", path,
                           STATE_MAXIMUM_BYTES);
    }
    size_t capacity = (size_t)status.st_size;
    char *buffer = malloc(capacity + 1);
    if (buffer == NULL) {
        close(descriptor);
        return out_of_memory(error);
    }
    size_t filled = 0;
    while (filled < capacity) {
        ssize_t got = read(descriptor, buffer + filled, capacity - filled);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int number = errno;
            close(descriptor);
            free(buffer);
            return io_error(error, "read", path, number);
        }
        if (got == 0)
            break;
        filled += (size_t)got;
    }
    close(descriptor);
    buffer[filled] = '\0';
    *text = buffer;
    *length = filled;
    return 0;
}

static int load_saved_host(const char *path, const char *text, size_t length,
                           hcsoci_host **host, hcsoci_error **error)
{
    json_error_t parse_error;
    json_t *saved = json_loadb(text, length, 0, &parse_error);
    if (saved == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: cannot parse %s: line %d: %s",
                           path, parse_error.line, parse_error.text);
    int result = 0;
    const char *format = json_string_value(json_object_get(saved, "format"));
    const json_t *version = json_object_get(saved, "version");
    if (format == NULL || strcmp(format, STATE_FORMAT) != 0 || !json_is_integer(version) ||
        json_integer_value(version) != STATE_VERSION)
        result = state_invalid(error, "not a saved sim host (expected format \"%s\" version %d)",
                               STATE_FORMAT, STATE_VERSION);
    sim_world world;
    sim_host *sim = NULL;
    if (result == 0 && (result = sim_world_parse(json_object_get(saved, "world"), &world,
                                                 error)) == 0)
        result = sim_host_new_from_world(&world, &sim, error);
    if (result == 0 && sim_state_restore(sim, json_object_get(saved, "state"), error) != 0) {
        hcsoci_host_destroy(&sim->base);
        result = -1;
    }
    json_decref(saved);
    if (result != 0) {
        if (error != NULL)
            hcsoci_error_prefix(*error, "sim host: %s: ", path);
        return -1;
    }
    *host = &sim->base;
    return 0;
}

int hcsoci_sim_host_open(const char *state_directory, const json_t *world, hcsoci_host **host,
                         hcsoci_error **error)
{
    if (host == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: no place for the host given");
    *host = NULL;
    if (state_directory == NULL || state_directory[0] == '\0')
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: no state directory given");
    char *path = NULL;
    if (asprintf(&path, "%s/%s", state_directory, SIM_WORLD_FILE) < 0)
        return out_of_memory(error);
    char *text = NULL;
    size_t length = 0;
    bool missing = false;
    int result = read_state_file(path, &text, &length, &missing, error);
    if (result == 0 && missing) {
        if (world == NULL)
            result = hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                                 "sim host: the state directory %s has no saved world (%s) and "
                                 "no world was given",
                                 state_directory, SIM_WORLD_FILE);
        else
            result = hcsoci_sim_host_new(world, host, error);
    } else if (result == 0) {
        result = load_saved_host(path, text, length, host, error);
    }
    free(text);
    free(path);
    return result;
}
