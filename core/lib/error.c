/* The library's error type. */
#include <hcsoci/alloc.h>
#include <hcsoci/error.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Handed out when even the error cannot be allocated; hcsoci_error_free knows not to free it. */
static hcsoci_error out_of_memory_error = {HCSOCI_E_OUT_OF_MEMORY, (char *)"out of memory"};

/* Every error but the static one is allocated as this record (the public part first, so that
 * a hcsoci_error pointer is the record's address). */
typedef struct error_record {
    hcsoci_error error;
    const char *stage; /* hcsoci_error_set_stage; NULL for most errors */
} error_record;

static char *format_message(const char *format, va_list arguments)
{
    return hcsoci_vasprintf(format, arguments);
}

static hcsoci_error *error_from_arguments(int32_t code, const char *format, va_list arguments)
{
    error_record *record = hcsoci_malloc(sizeof *record);
    if (record == NULL)
        return &out_of_memory_error;
    record->stage = NULL;
    hcsoci_error *error = &record->error;
    error->code = code;
    error->message = format_message(format, arguments);
    if (error->message == NULL) {
        free(record);
        return &out_of_memory_error;
    }
    return error;
}

hcsoci_error *hcsoci_error_new(int32_t code, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    hcsoci_error *error = error_from_arguments(code, format, arguments);
    va_end(arguments);
    return error;
}

int hcsoci_fail(hcsoci_error **error, int32_t code, const char *format, ...)
{
    if (error != NULL) {
        va_list arguments;
        va_start(arguments, format);
        *error = error_from_arguments(code, format, arguments);
        va_end(arguments);
    }
    return -1;
}

int hcsoci_error_store(hcsoci_error **out, hcsoci_error *error)
{
    if (out != NULL)
        *out = error;
    else
        hcsoci_error_free(error);
    return -1;
}

int hcsoci_fail_out_of_memory(hcsoci_error **error)
{
    return hcsoci_fail(error, HCSOCI_E_OUT_OF_MEMORY, "out of memory");
}

static void join_message(hcsoci_error *error, const char *added, int added_goes_first)
{
    if (error == NULL || error == &out_of_memory_error || added == NULL)
        return;
    size_t old_length = strlen(error->message), added_length = strlen(added);
    char *joined = hcsoci_malloc(old_length + added_length + 1);
    if (joined == NULL)
        return;
    if (added_goes_first) {
        memcpy(joined, added, added_length);
        memcpy(joined + added_length, error->message, old_length + 1);
    } else {
        memcpy(joined, error->message, old_length);
        memcpy(joined + old_length, added, added_length + 1);
    }
    free(error->message);
    error->message = joined;
}

void hcsoci_error_prefix(hcsoci_error *error, const char *format, ...)
{
    if (error == NULL)
        return;
    va_list arguments;
    va_start(arguments, format);
    char *prefix = format_message(format, arguments);
    va_end(arguments);
    join_message(error, prefix, 1);
    free(prefix);
}

int hcsoci_fail_prefixed(hcsoci_error **error, const char *format, ...)
{
    if (error == NULL || *error == NULL)
        return -1;
    va_list arguments;
    va_start(arguments, format);
    char *prefix = format_message(format, arguments);
    va_end(arguments);
    join_message(*error, prefix, 1);
    free(prefix);
    return -1;
}

void hcsoci_error_suffix(hcsoci_error *error, const char *format, ...)
{
    if (error == NULL)
        return;
    va_list arguments;
    va_start(arguments, format);
    char *suffix = format_message(format, arguments);
    va_end(arguments);
    join_message(error, suffix, 0);
    free(suffix);
}

void hcsoci_error_free(hcsoci_error *error)
{
    if (error == NULL || error == &out_of_memory_error)
        return;
    free(error->message);
    free((error_record *)error);
}

void hcsoci_error_set_stage(hcsoci_error *error, const char *stage)
{
    if (error != NULL && error != &out_of_memory_error)
        ((error_record *)error)->stage = stage;
}

const char *hcsoci_error_stage(const hcsoci_error *error)
{
    if (error == NULL || error == &out_of_memory_error)
        return NULL;
    return ((const error_record *)error)->stage;
}

const char *hcsoci_hresult_text(int32_t hresult)
{
    static const struct {
        uint32_t hresult;
        const char *text;
    } known[] = {
        {0x80070002u, "The system cannot find the file specified."},
        {0x80070003u, "The system cannot find the path specified."},
        {0x80070005u, "Access is denied."},
        {0x8007000Eu, "Not enough memory resources are available to complete this operation."},
        {0x80070020u, "The process cannot access the file because it is being used by another process."},
        {0x80070057u, "The parameter is incorrect."},
        {0x800700AAu, "The requested resource is in use."},
        {0x800700B7u, "Cannot create a file when that file already exists."},
        {0x80070490u, "Element not found."},
        {0x80004001u, "Not implemented"},
        {0x80004005u, "Unspecified error"},
        {0x8037011Bu, "A virtual machine or container with the specified identifier does not exist."},
        {0xC0370103u, "The virtual machine or container exited unexpectedly while starting."},
        {0xC0370105u, "The requested virtual machine or container operation is not valid in "
                      "the current state."},
        {0xC037010Eu, "A virtual machine or container with the specified identifier does not "
                      "exist."},
        {0xC0370110u, "The virtual machine or container with the specified identifier is not "
                      "running."},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (known[i].hresult == (uint32_t)hresult)
            return known[i].text;
    }
    return "The operation failed.";
}
