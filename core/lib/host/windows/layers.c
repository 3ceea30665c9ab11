/* Layer storage on vmcompute.dll: the wclayer calls, always with the filter driver's info
 * {Flavour 1, HomeDir ""}, and GrantVmAccess. */
#include "windows_host_internal.h"
#include "../../hex_digit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc.h>

static const hcsoci_layer_driver_info driver_info = {1, L""};

/* ---- GUIDs ---- */

void windows_format_guid(const GUID *guid, char text[37])
{
    snprintf(text, 37, "%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             (unsigned long)guid->Data1, guid->Data2, guid->Data3, guid->Data4[0], guid->Data4[1],
             guid->Data4[2], guid->Data4[3], guid->Data4[4], guid->Data4[5], guid->Data4[6],
             guid->Data4[7]);
}

bool windows_parse_guid(const char *text, GUID *guid)
{
    if (text == NULL || strlen(text) != 36)
        return false;
    uint8_t bytes[16];
    size_t count = 0;
    for (size_t i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return false;
            i++;
            continue;
        }
        int high = hex_digit_value(text[i]);
        int low = hex_digit_value(text[i + 1]);
        if (high < 0 || low < 0)
            return false;
        bytes[count++] = (uint8_t)(high << 4 | low);
        i += 2;
    }
    /* The text is the GUID's fields in order, each most significant byte first. */
    guid->Data1 = (unsigned long)bytes[0] << 24 | (unsigned long)bytes[1] << 16 |
                  (unsigned long)bytes[2] << 8 | bytes[3];
    guid->Data2 = (unsigned short)(bytes[4] << 8 | bytes[5]);
    guid->Data3 = (unsigned short)(bytes[6] << 8 | bytes[7]);
    memcpy(guid->Data4, bytes + 8, 8);
    return true;
}

/* ---- descriptors ---- */

/* The parent layers of PrepareLayer and CreateSandboxLayer from [{"LayerId","Flags","Path"}]:
 * *list and its paths belong to the caller (free_descriptors). */
typedef struct descriptor_list {
    hcsoci_layer_descriptor *items;
    size_t count;
} descriptor_list;

static void free_descriptors(descriptor_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free((void *)list->items[i].Path);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

static int bad_descriptor(descriptor_list *list, size_t index, const char *field,
                          hcsoci_error **error)
{
    free_descriptors(list);
    return hcsoci_fail(error, HCSOCI_E_INVALID,
                       "layer descriptor %u: field '%s' is missing or not valid", (unsigned)index,
                       field);
}

static int parse_descriptors(const json_t *descriptors, descriptor_list *list,
                             hcsoci_error **error)
{
    list->items = NULL;
    list->count = 0;
    if (descriptors == NULL || json_array_size(descriptors) == 0)
        return 0;
    if (!json_is_array(descriptors))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "layer descriptors must be an array");
    size_t total = json_array_size(descriptors);
    list->items = hcsoci_calloc(total, sizeof *list->items);
    if (list->items == NULL)
        return hcsoci_fail_out_of_memory(error);
    for (size_t i = 0; i < total; i++) {
        const json_t *descriptor = json_array_get(descriptors, i);
        hcsoci_layer_descriptor *item = &list->items[i];
        if (!windows_parse_guid(json_string_value(json_object_get(descriptor, "LayerId")),
                                &item->LayerId))
            return bad_descriptor(list, i, "LayerId", error);
        const json_t *flags = json_object_get(descriptor, "Flags");
        if (flags != NULL && !json_is_integer(flags))
            return bad_descriptor(list, i, "Flags", error);
        item->Flags = (ULONG)json_integer_value(flags);
        const char *path = json_string_value(json_object_get(descriptor, "Path"));
        if (path == NULL)
            return bad_descriptor(list, i, "Path", error);
        item->Path = windows_utf16_from_utf8(path, "layer descriptor Path", error);
        if (item->Path == NULL) {
            free_descriptors(list);
            return -1;
        }
        list->count = i + 1;
    }
    return 0;
}

/* ---- the calls ---- */

int windows_name_to_guid(hcsoci_host *base, const char *name, char **guid, hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    *guid = NULL;
    if (WINDOWS_REQUIRE(&host->dll, NameToGuid, error) != 0)
        return -1;
    wchar_t *wide = windows_utf16_from_utf8(name, "name", error);
    if (wide == NULL)
        return -1;
    GUID answer;
    memset(&answer, 0, sizeof answer);
    HRESULT hresult = host->dll.NameToGuid(wide, &answer);
    free(wide);
    if (FAILED(hresult))
        return windows_fail_hresult(error, hresult);
    char text[37];
    windows_format_guid(&answer, text);
    *guid = hcsoci_strdup(text);
    return *guid != NULL ? 0 : hcsoci_fail_out_of_memory(error);
}

typedef HRESULT(WINAPI *path_call)(const hcsoci_layer_driver_info *info, PCWSTR id);

static int call_with_path(path_call call, const char *name, const char *path,
                          hcsoci_error **error)
{
    if (windows_require_export((void *)call, name, error) != 0)
        return -1;
    wchar_t *wide = windows_utf16_from_utf8(path, "layer path", error);
    if (wide == NULL)
        return -1;
    HRESULT hresult = call(&driver_info, wide);
    free(wide);
    return FAILED(hresult) ? windows_fail_hresult(error, hresult) : 0;
}

int windows_activate_layer(hcsoci_host *base, const char *path, hcsoci_error **error)
{
    return call_with_path(((windows_host *)base)->dll.ActivateLayer, "ActivateLayer", path, error);
}

int windows_unprepare_layer(hcsoci_host *base, const char *path, hcsoci_error **error)
{
    return call_with_path(((windows_host *)base)->dll.UnprepareLayer, "UnprepareLayer", path,
                          error);
}

int windows_deactivate_layer(hcsoci_host *base, const char *path, hcsoci_error **error)
{
    return call_with_path(((windows_host *)base)->dll.DeactivateLayer, "DeactivateLayer", path,
                          error);
}

int windows_prepare_layer(hcsoci_host *base, const char *path, const json_t *descriptors,
                          hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (WINDOWS_REQUIRE(&host->dll, PrepareLayer, error) != 0)
        return -1;
    descriptor_list list;
    if (parse_descriptors(descriptors, &list, error) != 0)
        return -1;
    wchar_t *wide = windows_utf16_from_utf8(path, "layer path", error);
    if (wide == NULL) {
        free_descriptors(&list);
        return -1;
    }
    HRESULT hresult = host->dll.PrepareLayer(&driver_info, wide, list.items, (ULONG)list.count);
    free(wide);
    free_descriptors(&list);
    return FAILED(hresult) ? windows_fail_hresult(error, hresult) : 0;
}

int windows_create_sandbox_layer(hcsoci_host *base, const char *path, const json_t *descriptors,
                                 hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (WINDOWS_REQUIRE(&host->dll, CreateSandboxLayer, error) != 0)
        return -1;
    descriptor_list list;
    if (parse_descriptors(descriptors, &list, error) != 0)
        return -1;
    wchar_t *wide = windows_utf16_from_utf8(path, "layer path", error);
    if (wide == NULL) {
        free_descriptors(&list);
        return -1;
    }
    /* The parent argument is always 0: the parents are the descriptors. */
    HRESULT hresult =
        host->dll.CreateSandboxLayer(&driver_info, wide, 0, list.items, (ULONG)list.count);
    free(wide);
    free_descriptors(&list);
    return FAILED(hresult) ? windows_fail_hresult(error, hresult) : 0;
}

/* Two calls as the reference: the length (UTF-16 units, NUL included) with no buffer, then the
 * text into a buffer of that length. A length of 0 means no mount path (""). Either call's
 * failure is the HRESULT and its text, the second's labelled HCSOCI_HOST_STAGE_SECOND_CALL so
 * that the core words it as the reference's "(second call)". */
int windows_get_layer_mount_path(hcsoci_host *base, const char *path, char **mount_path,
                                 hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    *mount_path = NULL;
    if (WINDOWS_REQUIRE(&host->dll, GetLayerMountPath, error) != 0)
        return -1;
    wchar_t *wide = windows_utf16_from_utf8(path, "layer path", error);
    if (wide == NULL)
        return -1;
    UINT_PTR length = 0;
    HRESULT hresult = host->dll.GetLayerMountPath(&driver_info, wide, &length, NULL);
    if (FAILED(hresult)) {
        free(wide);
        return windows_fail_hresult(error, hresult);
    }
    if (length == 0) {
        free(wide);
        *mount_path = hcsoci_strdup("");
        return *mount_path != NULL ? 0 : hcsoci_fail_out_of_memory(error);
    }
    /* One unit more than asked for, so that the text ends even if the DLL filled them all. */
    wchar_t *buffer = length < SIZE_MAX / sizeof(wchar_t) - 1
                          ? hcsoci_calloc((size_t)length + 1, sizeof(wchar_t))
                          : NULL;
    if (buffer == NULL) {
        free(wide);
        return hcsoci_fail_out_of_memory(error);
    }
    hresult = host->dll.GetLayerMountPath(&driver_info, wide, &length, buffer);
    free(wide);
    if (FAILED(hresult)) {
        free(buffer);
        windows_fail_hresult(error, hresult);
        return windows_label_failure(error, HCSOCI_HOST_STAGE_SECOND_CALL);
    }
    *mount_path = windows_utf8_from_utf16(buffer, error);
    free(buffer);
    return *mount_path != NULL ? 0 : -1;
}

int windows_grant_vm_access(hcsoci_host *base, const char *vm_id, const char *file_path,
                            hcsoci_error **error)
{
    windows_host *host = (windows_host *)base;
    if (WINDOWS_REQUIRE(&host->dll, GrantVmAccess, error) != 0)
        return -1;
    wchar_t *wide_id = windows_utf16_from_utf8(vm_id, "vmid", error);
    if (wide_id == NULL)
        return -1;
    wchar_t *wide_path = windows_utf16_from_utf8(file_path, "filepath", error);
    if (wide_path == NULL) {
        free(wide_id);
        return -1;
    }
    HRESULT hresult = host->dll.GrantVmAccess(wide_id, wide_path);
    free(wide_id);
    free(wide_path);
    return FAILED(hresult) ? windows_fail_hresult(error, hresult) : 0;
}
