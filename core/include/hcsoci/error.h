/* The one error type of libhcsoci: a status code and a message that gains context as it
 * travels up ("failed to mount container storage: failed to add SCSI scratch VHD: ..."). */
#ifndef HCSOCI_ERROR_H
#define HCSOCI_ERROR_H

#include <stdint.h>
#include <hcsoci/printf_format.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes are HRESULTs: the host's own where it gave one, these for hcsoci's own failures. */
#define HCSOCI_E_FAIL          ((int32_t)0x80004005) /* unspecified failure */
#define HCSOCI_E_NOT_SUPPORTED ((int32_t)0x80004001) /* not supported (by this build or request) */
#define HCSOCI_E_OUT_OF_MEMORY ((int32_t)0x8007000E) /* an allocation failed */
#define HCSOCI_E_INVALID       ((int32_t)0x80070057) /* bad input: spec, options, arguments */
#define HCSOCI_E_NOT_FOUND     ((int32_t)0x80070490) /* a named thing does not exist */
#define HCSOCI_E_ACCESS_DENIED ((int32_t)0x80070005) /* E_ACCESSDENIED */
#define HCSOCI_E_PLUGIN        ((int32_t)0x8004B001) /* a module was refused or has no match */
#define HCSOCI_E_IO            ((int32_t)0x8004B002) /* reading or writing local state failed */

typedef struct hcsoci_error {
    int32_t code;  /* HRESULT */
    char *message; /* never NULL; owned by the error */
} hcsoci_error;

/* Makes a new error with a printf-style message; returns a static out-of-memory error when
 * allocation fails. The caller owns the result and frees it with hcsoci_error_free. */
hcsoci_error *hcsoci_error_new(int32_t code, const char *format, ...)
    HCSOCI_PRINTF_FORMAT(2, 3);

/* Stores a new error in *error (when error is not NULL) and returns -1, so that a fallible
 * function can end with `return hcsoci_fail(error, code, ...)`. */
int hcsoci_fail(hcsoci_error **error, int32_t code, const char *format, ...)
    HCSOCI_PRINTF_FORMAT(3, 4);

/* Hands error to the caller: stores it in *out when out is not NULL, otherwise frees it.
 * Returns -1, so that a fallible function can end with `return hcsoci_error_store(error, e)`. */
int hcsoci_error_store(hcsoci_error **out, hcsoci_error *error);

/* The one out-of-memory failure (HCSOCI_E_OUT_OF_MEMORY, "out of memory"), stored in *error
 * when error is not NULL. Returns -1. */
int hcsoci_fail_out_of_memory(hcsoci_error **error);

/* Puts printf-style context in front of the message of *error when error is not NULL (the
 * error a failed call stored there). Returns -1: `return hcsoci_fail_prefixed(error, "...")`. */
int hcsoci_fail_prefixed(hcsoci_error **error, const char *format, ...)
    HCSOCI_PRINTF_FORMAT(2, 3);

/* Puts printf-style context in front of the message: ("failed to mount: ") turns "x" into
 * "failed to mount: x". Safe with a NULL error; keeps the message as it was if memory runs out. */
void hcsoci_error_prefix(hcsoci_error *error, const char *format, ...)
    HCSOCI_PRINTF_FORMAT(2, 3);

/* Appends printf-style text after the message. Safe with a NULL error. */
void hcsoci_error_suffix(hcsoci_error *error, const char *format, ...)
    HCSOCI_PRINTF_FORMAT(2, 3);

/* Labels error with the stage of a multi-call operation it failed in (a static string such as
 * host.h's HCSOCI_HOST_STAGE_*; NULL removes the label). Safe with NULL and the static
 * out-of-memory error, which keeps no label. */
void hcsoci_error_set_stage(hcsoci_error *error, const char *stage);

/* The stage error is labelled with (static, not the caller's), or NULL. */
const char *hcsoci_error_stage(const hcsoci_error *error);

/* Frees an error made by this library; NULL is allowed. */
void hcsoci_error_free(hcsoci_error *error);

/* The Windows system message for an HRESULT ("Access is denied."), or a generic text.
 * The string is static. */
const char *hcsoci_hresult_text(int32_t hresult);

#ifdef __cplusplus
}
#endif
#endif
