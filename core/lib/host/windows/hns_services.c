/* HNS (HNSCall) and the HCS service calls of credential guard (HcsModifyServiceSettings,
 * HcsGetServiceProperties) on vmcompute.dll. */
#include "windows_host_internal.h"

#include <stdlib.h>

int windows_hns_call(hcsoci_host *base, const char *method, const char *path,
                     const json_t *request, json_t **response, hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (response == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "HNSCall: response is NULL");
    *response = NULL;
    if (WINDOWS_REQUIRE(&host->dll, HNSCall, error) != 0)
        return -1;
    wchar_t *wide_method = windows_utf16_from_utf8(method, "HNSCall method", error);
    wchar_t *wide_path = wide_method != NULL ? windows_utf16_from_utf8(path, "HNSCall path", error)
                                             : NULL;
    /* No request is sent as "" (json_utf16 gives L"" for NULL). */
    wchar_t *object = wide_path != NULL ? windows_json_utf16(request, "HNSCall object", error)
                                        : NULL;
    int status = -1;
    if (object != NULL) {
        wchar_t *answer = NULL;
        HRESULT hresult = host->dll.HNSCall(wide_method, wide_path, object, &answer);
        if (FAILED(hresult)) {
            windows_free_hcs_string(answer);
            status = windows_fail_hresult(error, hresult);
        } else if (answer == NULL) {
            status = hcsoci_fail(error, HCSOCI_E_FAIL, "HNSCall %s %s: no response", method, path);
        } else {
            status = windows_take_hcs_json(answer, "the HNSCall response", response, error);
        }
    }
    free(object);
    free(wide_path);
    free(wide_method);
    return status;
}

int windows_modify_service_settings(hcsoci_host *base, const json_t *settings,
                                    hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (WINDOWS_REQUIRE(&host->dll, HcsModifyServiceSettings, error) != 0)
        return -1;
    wchar_t *wide = windows_json_utf16(settings, "settings", error);
    if (wide == NULL)
        return -1;
    wchar_t *result = NULL;
    HRESULT hresult = host->dll.HcsModifyServiceSettings(wide, &result);
    free(wide);
    if (FAILED(hresult))
        return windows_fail_hcs(error, hresult, result);
    windows_free_hcs_string(result);
    return 0;
}

int windows_get_service_properties(hcsoci_host *base, const json_t *property_query,
                                   json_t **properties, hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (properties == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "HcsGetServiceProperties: properties is NULL");
    *properties = NULL;
    if (WINDOWS_REQUIRE(&host->dll, HcsGetServiceProperties, error) != 0)
        return -1;
    wchar_t *wide = windows_json_utf16(property_query, "propertyQuery", error);
    if (wide == NULL)
        return -1;
    wchar_t *answer = NULL;
    wchar_t *result = NULL;
    HRESULT hresult = host->dll.HcsGetServiceProperties(wide, &answer, &result);
    free(wide);
    if (FAILED(hresult)) {
        windows_free_hcs_string(answer);
        return windows_fail_hcs(error, hresult, result);
    }
    windows_free_hcs_string(result);
    if (answer == NULL)
        return hcsoci_fail(error, HCSOCI_E_FAIL, "unexpected value returned from hcs");
    return windows_take_hcs_json(answer, "the service properties", properties, error);
}
