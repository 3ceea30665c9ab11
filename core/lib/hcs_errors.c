/* The reference's wording for failed HCS calls. */
#include "hcs_errors.h"

#include <hcsoci/alloc.h>
#include <hcsoci/json_number.h>

#include <stdlib.h>
#include <string.h>

char *hcs_go_json_text(const json_t *document)
{
    char *text = hcsoci_json_dumps(document, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL)
        return NULL;
    size_t extra = 0;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == '&' || *c == '<' || *c == '>')
            extra += 5;
    }
    if (extra == 0)
        return text;
    char *escaped = hcsoci_malloc(strlen(text) + extra + 1);
    if (escaped != NULL) {
        char *out = escaped;
        for (const char *c = text; *c != '\0'; c++) {
            const char *replacement = *c == '&'   ? "\\u0026"
                                      : *c == '<' ? "\\u003c"
                                      : *c == '>' ? "\\u003e"
                                                  : NULL;
            if (replacement != NULL) {
                memcpy(out, replacement, 6);
                out += 6;
            } else {
                *out++ = *c;
            }
        }
        *out = '\0';
    }
    free(text);
    return escaped;
}

int hcs_call_failed(hcsoci_error *host_error, const char *operation, const char *id,
                    const json_t *document, hcsoci_error **error)
{
    if (host_error == NULL)
        host_error = hcsoci_error_new(HCSOCI_E_FAIL, "%s", hcsoci_hresult_text(HCSOCI_E_FAIL));
    char *text = hcs_go_json_text(document);
    hcsoci_error_prefix(host_error, "%s %s: ", operation, id);
    hcsoci_error_suffix(host_error, "\n(extra info: %s)", text != NULL ? text : "");
    free(text);
    return hcsoci_error_store(error, host_error);
}

bool hcs_error_has_stage(const hcsoci_error *error, const char *stage)
{
    const char *label = hcsoci_error_stage(error);
    return label != NULL && strcmp(label, stage) == 0;
}

int hcs_create_failed(hcsoci_error *host_error, const char *id, const json_t *document,
                      hcsoci_error **error)
{
    if (hcs_error_has_stage(host_error, HCSOCI_HOST_STAGE_OWN_WORDS))
        return hcsoci_error_store(error, host_error);
    /* After the create call itself the reference names the failed step, without the document. */
    const char *operation =
        hcs_error_has_stage(host_error, HCSOCI_HOST_STAGE_CALLBACK_REGISTRATION)
            ? "hcsshim::CreateComputeSystem"
        : hcs_error_has_stage(host_error, HCSOCI_HOST_STAGE_PROPERTIES_QUERY)
            ? "hcsshim::System::Properties"
            : NULL;
    if (operation == NULL)
        return hcs_call_failed(host_error, "hcsshim::CreateComputeSystem", id, document, error);
    hcsoci_error_prefix(host_error, "%s %s: ", operation, id);
    return hcsoci_error_store(error, host_error);
}
