/* Logging: the library never writes to stdout or stderr itself; it hands records to one sink
 * that the program sets. Warnings the reference logs are logged with the same facts. */
#ifndef HCSOCI_LOG_H
#define HCSOCI_LOG_H

#include <jansson.h>
#include <hcsoci/printf_format.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hcsoci_log_level {
    HCSOCI_LOG_ERROR = 0,
    HCSOCI_LOG_WARN = 1,
    HCSOCI_LOG_INFO = 2,
    HCSOCI_LOG_DEBUG = 3,
} hcsoci_log_level;

/* A sink receives the level, the message and an object of structured fields (never NULL,
 * borrowed for the duration of the call). */
typedef void (*hcsoci_log_sink)(void *context, hcsoci_log_level level, const char *message,
                                const json_t *fields);

/* Sets the process-wide sink and the most verbose level it receives; a NULL sink drops all. */
void hcsoci_log_set_sink(hcsoci_log_sink sink, void *context, hcsoci_log_level max_level);

/* True when a record of this level would reach the sink (to skip building costly fields). */
int hcsoci_log_enabled(hcsoci_log_level level);

/* Sends one record. fields is an object or NULL and is always consumed (stolen). */
void hcsoci_log(hcsoci_log_level level, json_t *fields, const char *format, ...)
    HCSOCI_PRINTF_FORMAT(3, 4);

/* hcsoci_log, with fields and the arguments evaluated only when the level reaches the sink:
 * the form to use where building the fields costs anything. fields must be the expression
 * that makes them (json_pack(...)): fields already made and held in a variable go to
 * hcsoci_log, which consumes them whatever the level. */
#define HCSOCI_LOG(level, fields, ...)                                                         \
    do {                                                                                       \
        if (hcsoci_log_enabled(level))                                                         \
            hcsoci_log((level), (fields), __VA_ARGS__);                                        \
    } while (0)

/* Parses "error", "warn"/"warning", "info" or "debug"; returns -1 for anything else. */
int hcsoci_log_level_parse(const char *name);

/* The lower-case name of a level. */
const char *hcsoci_log_level_name(hcsoci_log_level level);

#ifdef __cplusplus
}
#endif
#endif
