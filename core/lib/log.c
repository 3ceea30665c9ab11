/* The process-wide log sink. */
#include <hcsoci/alloc.h>
#include <hcsoci/log.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static hcsoci_log_sink current_sink;
static void *current_context;
static hcsoci_log_level current_max_level = HCSOCI_LOG_WARN;

void hcsoci_log_set_sink(hcsoci_log_sink sink, void *context, hcsoci_log_level max_level)
{
    pthread_mutex_lock(&sink_lock);
    current_sink = sink;
    current_context = context;
    current_max_level = max_level;
    pthread_mutex_unlock(&sink_lock);
}

int hcsoci_log_enabled(hcsoci_log_level level)
{
    pthread_mutex_lock(&sink_lock);
    int enabled = current_sink != NULL && level <= current_max_level;
    pthread_mutex_unlock(&sink_lock);
    return enabled;
}

void hcsoci_log(hcsoci_log_level level, json_t *fields, const char *format, ...)
{
    pthread_mutex_lock(&sink_lock);
    hcsoci_log_sink sink = current_sink;
    void *context = current_context;
    int enabled = sink != NULL && level <= current_max_level;
    pthread_mutex_unlock(&sink_lock);
    if (!enabled) {
        json_decref(fields);
        return;
    }
    va_list arguments;
    va_start(arguments, format);
    char *message = hcsoci_vasprintf(format, arguments);
    va_end(arguments);
    json_t *record_fields = fields != NULL ? fields : json_object();
    if (message != NULL && record_fields != NULL)
        sink(context, level, message, record_fields);
    free(message);
    json_decref(record_fields);
}

int hcsoci_log_level_parse(const char *name)
{
    if (name == NULL)
        return -1;
    if (strcasecmp(name, "error") == 0)
        return HCSOCI_LOG_ERROR;
    if (strcasecmp(name, "warn") == 0 || strcasecmp(name, "warning") == 0)
        return HCSOCI_LOG_WARN;
    if (strcasecmp(name, "info") == 0)
        return HCSOCI_LOG_INFO;
    if (strcasecmp(name, "debug") == 0)
        return HCSOCI_LOG_DEBUG;
    return -1;
}

const char *hcsoci_log_level_name(hcsoci_log_level level)
{
    switch (level) {
    case HCSOCI_LOG_ERROR: return "error";
    case HCSOCI_LOG_WARN: return "warn";
    case HCSOCI_LOG_INFO: return "info";
    case HCSOCI_LOG_DEBUG: return "debug";
    }
    return "unknown";
}
