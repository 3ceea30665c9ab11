/* The simulated host's files in the state directory: ROOT/sim-world.json holds the whole
 * saved state (hcsoci_sim_host_to_json: the world as it is now, the GUID generator, call counts
 * for failCall, credential-guard instances and held counts), replaced atomically;
 * ROOT/journal.jsonl gets the calls the host hands over (hcsoci_sim_host_take_journal)
 * appended, one JSON object per line. Only these two fixed names (and a temporary file made
 * with mkstemp) are touched; symbolic links in their place and anything but regular files are
 * refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hcsoci/sim.h>

#include "cli.h"

#define SIM_WORLD_FILE "sim-world.json"
#define SIM_JOURNAL_FILE "journal.jsonl"
#define STATE_MAXIMUM_BYTES (256L * 1024 * 1024)

static int io_error(hcsoci_error **error, const char *action, const char *path, int number)
{
    return hcsoci_fail(error, HCSOCI_E_IO, "sim host: cannot %s %s: %s", action, path,
                       strerror(number));
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

static int append_journal(hcsoci_host *host, const char *directory, hcsoci_error **error)
{
    json_t *journal = hcsoci_sim_host_take_journal(host);
    char *path = NULL;
    if (journal == NULL || asprintf(&path, "%s/%s", directory, SIM_JOURNAL_FILE) < 0) {
        json_decref(journal);
        return hcsoci_fail_out_of_memory(error);
    }

    /* All lines in one buffer, so that a failure leaves the file as it was or whole lines. */
    char *lines = NULL;
    size_t length = 0;
    FILE *stream = open_memstream(&lines, &length);
    int result = stream != NULL ? 0 : hcsoci_fail_out_of_memory(error);
    size_t index;
    json_t *call;
    json_array_foreach(journal, index, call) {
        if (result != 0)
            break;
        if (json_dumpf(call, stream, JSON_COMPACT) != 0 || fputc('\n', stream) == EOF)
            result = hcsoci_fail_out_of_memory(error);
    }
    if (stream != NULL && fclose(stream) != 0 && result == 0)
        result = hcsoci_fail_out_of_memory(error);

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
    json_decref(journal);
    free(lines);
    free(path);
    return result;
}

static int write_world(hcsoci_host *host, const char *directory, hcsoci_error **error)
{
    json_t *snapshot = hcsoci_sim_host_to_json(host);
    char *text = snapshot != NULL ? json_dumps(snapshot, JSON_INDENT(2)) : NULL;
    json_decref(snapshot);
    char *path = NULL;
    char *temporary = NULL;
    if (text == NULL || asprintf(&path, "%s/%s", directory, SIM_WORLD_FILE) < 0 ||
        asprintf(&temporary, "%s/.%s.XXXXXX", directory, SIM_WORLD_FILE) < 0) {
        free(text);
        free(path);
        return hcsoci_fail_out_of_memory(error);
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

int cli_sim_host_save(const char *root, hcsoci_host *host, hcsoci_error **error)
{
    /* The journal first: if writing the world then fails, a later save does not append the
     * same calls twice. */
    int result = append_journal(host, root, error);
    if (result == 0)
        result = write_world(host, root, error);
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
        return hcsoci_fail_out_of_memory(error);
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
    int result = hcsoci_sim_host_from_json(saved, host, error);
    json_decref(saved);
    if (result != 0 && error != NULL)
        hcsoci_error_prefix(*error, "sim host: %s: ", path);
    return result;
}

int cli_sim_host_open(const char *state_directory, const json_t *world, hcsoci_host **host,
                      hcsoci_error **error)
{
    *host = NULL;
    char *path = NULL;
    if (asprintf(&path, "%s/%s", state_directory, SIM_WORLD_FILE) < 0)
        return hcsoci_fail_out_of_memory(error);
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
