/* The command's output: JSON on stdout, errors and log records on stderr, and reading the JSON
 * files the user names. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hcsoci/json_number.h>

#include "cli.h"
#include "portable.h"
#include "lifecycle.h"

static cli_log_format log_format = CLI_LOG_TEXT;
static FILE *log_file; /* --log FILE, or NULL: records go to stderr */

/* Writes text as a logfmt value: bare when it is a plain word, else quoted with escapes. */
static void write_logfmt_value(FILE *stream, const char *text)
{
    bool plain = text[0] != '\0';
    for (const char *c = text; *c != '\0' && plain; c++)
        if (*c == ' ' || *c == '=' || *c == '"' || *c == '\\' || (unsigned char)*c < 0x20 ||
            *c == 0x7f)
            plain = false;
    if (plain) {
        fputs(text, stream);
        return;
    }
    fputc('"', stream);
    for (const char *c = text; *c != '\0'; c++) {
        unsigned char byte = (unsigned char)*c;
        if (byte == '"' || byte == '\\')
            fprintf(stream, "\\%c", byte);
        else if (byte == '\n')
            fputs("\\n", stream);
        else if (byte == '\t')
            fputs("\\t", stream);
        else if (byte < 0x20 || byte == 0x7f)
            fprintf(stream, "\\x%02x", byte);
        else
            fputc(byte, stream);
    }
    fputc('"', stream);
}

static void write_text_record(FILE *stream, const char *level, const char *message,
                              const json_t *fields)
{
    fprintf(stream, "level=%s msg=", level);
    write_logfmt_value(stream, message);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)fields, key, value) {
        fputc(' ', stream);
        write_logfmt_value(stream, key);
        fputc('=', stream);
        if (json_is_string(value)) {
            write_logfmt_value(stream, json_string_value(value));
        } else {
            char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
            write_logfmt_value(stream, text ? text : "?");
            free(text);
        }
    }
    fputc('\n', stream);
    fflush(stream);
}

static void write_json_record(FILE *stream, const char *level, const char *message,
                              const json_t *fields)
{
    json_t *record = json_pack("{s:s, s:s}", "level", level, "msg", message);
    char *text = NULL;
    if (record != NULL) {
        const char *key;
        json_t *value;
        /* A field never hides the record's own level and message. */
        json_object_foreach((json_t *)fields, key, value) {
            if (json_object_get(record, key) == NULL)
                json_object_set(record, key, value);
        }
        text = json_dumps(record, JSON_COMPACT);
        json_decref(record);
    }
    if (text != NULL)
        fprintf(stream, "%s\n", text);
    else
        fprintf(stream, "{\"level\":\"error\",\"msg\":\"out of memory writing a log record\"}\n");
    fflush(stream);
    free(text);
}

static void write_record(FILE *stream, const char *level, const char *message,
                         const json_t *fields)
{
    if (log_format == CLI_LOG_JSON)
        write_json_record(stream, level, message, fields);
    else
        write_text_record(stream, level, message, fields);
}

static void log_sink(void *context, hcsoci_log_level level, const char *message,
                     const json_t *fields)
{
    (void)context;
    write_record(log_file != NULL ? log_file : stderr, hcsoci_log_level_name(level), message,
                 fields);
}

void cli_log_install(cli_log_format format, hcsoci_log_level max_level)
{
    log_format = format;
    hcsoci_log_set_sink(log_sink, NULL, max_level);
}

int cli_print_json(const json_t *value, hcsoci_error **error)
{
    /* Numbers above INT64_MAX (a document's uint64 fields) are written in full. */
    char *text = hcsoci_json_dumps(value, JSON_INDENT(2) | JSON_ENCODE_ANY);
    if (text == NULL)
        return hcsoci_fail_out_of_memory(error);
    int failed = fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0;
    free(text);
    if (failed)
        return hcsoci_fail(error, HCSOCI_E_IO, "cannot write to standard output");
    return 0;
}

int cli_report_error(hcsoci_error *error)
{
    const char *message = error != NULL ? error->message : "unknown error";
    json_t *fields = json_object();
    if (fields != NULL && error != NULL) {
        char code[16];
        snprintf(code, sizeof code, "0x%08x", (unsigned)error->code);
        json_object_set_new(fields, "code", json_string(code));
    }
    if (log_format == CLI_LOG_JSON)
        write_json_record(stderr, "error", message, fields);
    else
        fprintf(stderr, "%s: error: %s\n", CLI_PROGRAM_NAME, message);
    /* The last error record of the log file is the command's error (containerd's shims read
     * it there). */
    if (log_file != NULL)
        write_record(log_file, "error", message, fields);
    json_decref(fields);
    hcsoci_error_free(error);
    return CLI_EXIT_FAILURE;
}

int cli_log_open_file(const char *path, hcsoci_error **error)
{
    FILE *stream = portable_open_log_file(path);
    if (stream == NULL)
        return hcsoci_fail(error, HCSOCI_E_IO, "cannot open log file '%s': %s", path,
                           strerror(errno));
    cli_log_close_file();
    log_file = stream;
    return 0;
}

bool cli_log_has_file(void)
{
    return log_file != NULL;
}

void cli_log_close_file(void)
{
    if (log_file != NULL)
        fclose(log_file);
    log_file = NULL;
}

void cli_warn(const char *format, ...)
{
    char message[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    HCSOCI_LOG(HCSOCI_LOG_WARN, NULL, "%s", message);
}

/* Reads a file for jansson and counts what it read; stops with an error past the limit. */
typedef struct limited_reader {
    FILE *file;
    size_t limit;
    size_t read;
    bool over_limit;
} limited_reader;

static size_t read_limited(void *buffer, size_t size, void *data)
{
    limited_reader *reader = data;
    size_t count = fread(buffer, 1, size, reader->file);
    reader->read += count;
    if (reader->read > reader->limit) {
        reader->over_limit = true;
        return (size_t)-1;
    }
    return count;
}

int cli_load_json_object(const char *path, const char *what, json_t **value,
                         hcsoci_error **error)
{
    return cli_load_json_object_limited(path, what, SIZE_MAX, value, error);
}

int cli_load_json_object_limited(const char *path, const char *what, size_t limit,
                                 json_t **value, hcsoci_error **error)
{
    const size_t mebibyte = (size_t)1024 * 1024;
    char shown_limit[64];
    if (limit % mebibyte == 0)
        snprintf(shown_limit, sizeof shown_limit, "%zu bytes (%zu MiB)", limit,
                 limit / mebibyte);
    else
        snprintf(shown_limit, sizeof shown_limit, "%zu bytes", limit);
    *value = NULL;
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return hcsoci_fail(error, HCSOCI_E_NOT_FOUND, "cannot open %s file '%s': %s", what, path,
                           strerror(errno));
    /* A regular file says its size: one too large is refused before a byte is read. */
    struct stat status;
    if (fstat(fileno(file), &status) == 0 && S_ISREG(status.st_mode) &&
        (uintmax_t)status.st_size > limit) {
        fclose(file);
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "%s file '%s' is %jd bytes, more than the limit of %s", what, path,
                           (intmax_t)status.st_size, shown_limit);
    }
    limited_reader reader = {.file = file, .limit = limit};
    json_error_t parse_error;
    errno = 0;
    json_t *parsed = json_load_callback(read_limited, &reader, JSON_REJECT_DUPLICATES,
                                        &parse_error);
    int read_errno = ferror(file) ? errno : 0;
    fclose(file);
    if (parsed == NULL) {
        if (reader.over_limit)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "%s file '%s' is more than the limit of %s", what, path,
                               shown_limit);
        if (read_errno != 0)
            return hcsoci_fail(error, HCSOCI_E_IO, "cannot read %s file '%s': %s", what, path,
                               strerror(read_errno));
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid JSON in %s file '%s' at line %d, column %d: %s", what, path,
                           parse_error.line, parse_error.column, parse_error.text);
    }
    if (!json_is_object(parsed)) {
        hcsoci_fail(error, HCSOCI_E_INVALID, "%s file '%s' must hold a JSON object, not %s",
                    what, path, hcsoci_json_kind(parsed));
        json_decref(parsed);
        return -1;
    }
    *value = parsed;
    return 0;
}
