/* vendor-wcow: an example third-party builder module for hcsoci, built only against the
 * installed headers (pkg-config hcsoci). It claims process-isolated Windows containers with HCS
 * schema 2.1 at a higher priority than the built-in wcow module, builds their documents itself
 * with the core's public services, and adds one vendor field: the annotation
 * "com.example.vendor.hostname-suffix" is appended to the container's host name
 * (Container.GuestOs.HostName of the v2 document).
 *
 * Supported: layer folders (scratch folder and sandbox.vhdx created when missing), a given or
 * mounted volume root, the host name. Anything else a spec may ask for (mounts, resources,
 * networking, devices, credential specs, Hyper-V isolation) is refused with a "not supported"
 * error before anything is allocated.
 *
 * Built with -DVENDOR_BROKEN_MAJOR or -DVENDOR_MISSING_OP it becomes one of the broken copies
 * that `make installcheck` expects the core to refuse. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <hcsoci/error.h>
#include <hcsoci/host.h>
#include <hcsoci/layers.h>
#include <hcsoci/plugin.h>
#include <hcsoci/resources.h>
#include <hcsoci/schema.h>

#define VENDOR_HOSTNAME_SUFFIX_ANNOTATION "com.example.vendor.hostname-suffix"

/* ---- reading the spec ---- */

/* A member that is absent or null counts as not given. */
static const json_t *member(const json_t *object, const char *name)
{
    const json_t *value = json_object_get(object, name);
    return json_is_null(value) ? NULL : value;
}

/* Refuses what this module does not implement, so that no container is built without it. */
static int check_supported(const json_t *spec, hcsoci_error **error)
{
    const json_t *mounts = member(spec, "mounts");
    if (mounts != NULL && (!json_is_array(mounts) || json_array_size(mounts) > 0))
        return hcsoci_not_supported(error, "vendor-wcow: spec field 'mounts'");
    const json_t *windows = member(spec, "windows");
    static const char *const windows_fields[] = {"resources", "network", "devices",
                                                 "credentialSpec", "hyperv"};
    for (size_t i = 0; i < sizeof windows_fields / sizeof windows_fields[0]; i++) {
        if (member(windows, windows_fields[i]) != NULL) {
            char what[64];
            snprintf(what, sizeof what, "vendor-wcow: spec field 'windows.%s'",
                     windows_fields[i]);
            return hcsoci_not_supported(error, what);
        }
    }
    const char *name;
    const json_t *value;
    json_object_foreach((json_t *)member(spec, "annotations"), name, value) {
        (void)value;
        if (strncmp(name, "io.microsoft.", strlen("io.microsoft.")) == 0 ||
            strncmp(name, "io.kubernetes.", strlen("io.kubernetes.")) == 0) {
            char what[256];
            snprintf(what, sizeof what, "vendor-wcow: annotation '%s'", name);
            return hcsoci_not_supported(error, what);
        }
    }
    return 0;
}

/* Checks the JSON types of every field this module reads, and what it supports. */
static int check_spec(const json_t *spec, hcsoci_error **error)
{
    if (!json_is_object(spec))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "vendor-wcow: the spec is not a JSON object");
    const json_t *windows = member(spec, "windows");
    if (windows != NULL && !json_is_object(windows))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "vendor-wcow: spec field 'windows' is not an object");
    const json_t *folders = member(windows, "layerFolders");
    if (folders != NULL && !json_is_array(folders))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "vendor-wcow: spec field 'windows.layerFolders' is not an array");
    for (size_t i = 0; i < json_array_size(folders); i++) {
        const char *folder = json_string_value(json_array_get(folders, i));
        if (folder == NULL || folder[0] == '\0')
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "vendor-wcow: spec field 'windows.layerFolders[%zu]' is not a "
                               "non-empty string",
                               i);
    }
    const json_t *hostname = member(spec, "hostname");
    if (hostname != NULL && !json_is_string(hostname))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "vendor-wcow: spec field 'hostname' is not a string");
    const json_t *root = member(spec, "root");
    if (root != NULL && !json_is_object(root))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "vendor-wcow: spec field 'root' is not an object");
    const json_t *path = member(root, "path");
    if (path != NULL && !json_is_string(path))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "vendor-wcow: spec field 'root.path' is not a string");
    const json_t *readonly = member(root, "readonly");
    if (readonly != NULL && !json_is_boolean(readonly))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "vendor-wcow: spec field 'root.readonly' is not a boolean");
    const json_t *annotations = member(spec, "annotations");
    if (annotations != NULL && !json_is_object(annotations))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "vendor-wcow: spec field 'annotations' is not an object");
    const json_t *suffix = json_object_get(annotations, VENDOR_HOSTNAME_SUFFIX_ANNOTATION);
    if (suffix != NULL && !json_is_string(suffix))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "vendor-wcow: annotation '" VENDOR_HOSTNAME_SUFFIX_ANNOTATION
                           "' is not a string");
    return check_supported(spec, error);
}

static const char *root_path(const json_t *spec)
{
    const char *path = json_string_value(json_object_get(json_object_get(spec, "root"), "path"));
    return path != NULL ? path : "";
}

static int set_root_path(json_t *spec, const char *path, hcsoci_error **error)
{
    json_t *root = json_object_get(spec, "root");
    if (!json_is_object(root)) {
        root = json_object();
        if (root == NULL || json_object_set_new(spec, "root", root) != 0)
            return hcsoci_fail_out_of_memory(error);
    }
    if (json_object_set_new(root, "path", json_string(path)) != 0)
        return hcsoci_fail_out_of_memory(error);
    return 0;
}

/* ---- allocation: scratch and layers ---- */

/* Mounts the layers on the host unless the spec gives a root path, and records them in the
 * ledger so that the core unmounts them. */
static int mount_layers(hcsoci_build_context *context, const json_t *folders,
                        hcsoci_error **error)
{
    if (set_root_path(context->spec, root_path(context->spec), error) != 0)
        return -1;
    if (root_path(context->spec)[0] != '\0')
        return 0;
    char *mounted = NULL;
    if (hcsoci_layers_mount_recorded(context->host, NULL, folders, "", context->resources,
                                     &mounted, error) != 0)
        return hcsoci_fail_prefixed(error, "failed to mount container storage: ");
    int status = set_root_path(context->spec, mounted, error);
    free(mounted);
    return status;
}

/* ---- the document ---- */

/* "\\?\Volume{GUID}" with an optional trailing backslash. */
static bool is_volume_path(const char *path)
{
    static const char prefix[] = "\\\\?\\Volume{";
    if (strncmp(path, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *cursor = path + sizeof prefix - 1;
    static const int group_lengths[] = {8, 4, 4, 4, 12};
    for (size_t group = 0; group < 5; group++) {
        if (group > 0 && *cursor++ != '-')
            return false;
        for (int i = 0; i < group_lengths[group]; i++, cursor++)
            if (!isxdigit((unsigned char)*cursor))
                return false;
    }
    if (*cursor++ != '}')
        return false;
    if (*cursor == '\\')
        cursor++;
    return *cursor == '\0';
}

/* Storage: the read-only layers (id and folder) and the volume root with a trailing '\'. */
static int storage_json(hcsoci_build_context *context, const json_t *folders, json_t **storage,
                        hcsoci_error **error)
{
    const json_t *root = json_object_get(context->spec, "root");
    if (json_is_true(json_object_get(root, "readonly")))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid container spec - readonly is not supported for Windows "
                           "containers");
    const char *path = root_path(context->spec);
    if (!is_volume_path(path))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid container spec - Root.Path '%s' must be a volume GUID path "
                           "in the format '\\\\?\\Volume{GUID}\\'",
                           path);
    size_t length = strlen(path);
    char *volume = malloc(length + 2);
    json_t *layers = json_array();
    *storage = json_object();
    if (volume == NULL || layers == NULL || *storage == NULL) {
        free(volume);
        json_decref(layers);
        json_decref(*storage);
        *storage = NULL;
        return hcsoci_fail_out_of_memory(error);
    }
    strcpy(volume, path);
    if (path[length - 1] != '\\')
        strcpy(volume + length, "\\");
    int status = 0;
    for (size_t i = 0; status == 0 && i + 1 < json_array_size(folders); i++) {
        const char *folder = json_string_value(json_array_get(folders, i));
        char *id = NULL;
        if (hcsoci_layer_id(context->host, folder, &id, error) != 0) {
            status = -1;
            break;
        }
        if (json_array_append_new(layers, json_pack("{s:s, s:s}", "Id", id, "Path", folder)) != 0)
            status = hcsoci_fail_out_of_memory(error);
        free(id);
    }
    if (status == 0 && (json_object_set_new(*storage, "Layers", layers) != 0 ||
                        json_object_set_new(*storage, "Path", json_string(volume)) != 0)) {
        layers = NULL;
        status = hcsoci_fail_out_of_memory(error);
    } else if (status != 0) {
        json_decref(layers);
    }
    free(volume);
    if (status != 0) {
        json_decref(*storage);
        *storage = NULL;
    }
    return status;
}

/* The spec's host name with the vendor suffix appended (new string, "" when neither). */
static char *vendor_hostname(const json_t *spec)
{
    const char *hostname = json_string_value(json_object_get(spec, "hostname"));
    const char *suffix = json_string_value(
        json_object_get(json_object_get(spec, "annotations"), VENDOR_HOSTNAME_SUFFIX_ANNOTATION));
    hostname = hostname != NULL ? hostname : "";
    suffix = suffix != NULL ? suffix : "";
    char *result = malloc(strlen(hostname) + strlen(suffix) + 1);
    if (result != NULL) {
        strcpy(result, hostname);
        strcat(result, suffix);
    }
    return result;
}

/* The schema 2.1 ComputeSystem document, fields in the reference's order. */
static int compute_system_json(hcsoci_build_context *context, const json_t *folders,
                               json_t **document, hcsoci_error **error)
{
    char *hostname = vendor_hostname(context->spec);
    if (hostname == NULL)
        return hcsoci_fail_out_of_memory(error);
    json_t *storage = NULL;
    if (storage_json(context, folders, &storage, error) != 0) {
        free(hostname);
        return -1;
    }
    json_t *container = json_object();
    bool failed = container == NULL;
    if (!failed && hostname[0] != '\0')
        failed = json_object_set_new(container, "GuestOs",
                                     json_pack("{s:s}", "HostName", hostname)) != 0;
    free(hostname);
    if (!failed)
        failed = json_object_set_new(container, "Storage", storage) != 0;
    else
        json_decref(storage);
    *document = json_object();
    if (*document == NULL || failed) {
        json_decref(container);
        json_decref(*document);
        *document = NULL;
        return hcsoci_fail_out_of_memory(error);
    }
    if ((context->owner != NULL && context->owner[0] != '\0' &&
         json_object_set_new(*document, "Owner", json_string(context->owner)) != 0) ||
        json_object_set_new(*document, "SchemaVersion",
                            json_pack("{s:i, s:i}", "Major", 2, "Minor", 1)) != 0 ||
        json_object_set_new(*document, "Container", container) != 0 ||
        json_object_set_new(*document, "ShouldTerminateOnLastHandleClosed", json_true()) != 0) {
        json_decref(*document);
        *document = NULL;
        return hcsoci_fail_out_of_memory(error);
    }
    return 0;
}

/* ---- ops ---- */

static int check_context(const hcsoci_build_context *context, hcsoci_error **error)
{
    if (context == NULL || context->spec == NULL || context->host == NULL ||
        context->resources == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "vendor-wcow: incomplete build context");
    if (context->size < sizeof(hcsoci_build_context))
        return hcsoci_fail(error, HCSOCI_E_PLUGIN,
                           "vendor-wcow: the core's build context is smaller (%zu bytes) than "
                           "this module needs (%zu)",
                           context->size, sizeof(hcsoci_build_context));
    if (context->hosting_system != NULL || !hcsoci_schema_is_v21(context->schema))
        return hcsoci_not_supported(error,
                                    "vendor-wcow: anything but process isolation with schema 2.1");
    return check_spec(context->spec, error);
}

static int vendor_validate(const hcsoci_build_context *context, hcsoci_error **error)
{
    return check_context(context, error);
}

static int vendor_build(hcsoci_build_context *context, hcsoci_build_output *output,
                        hcsoci_error **error)
{
    if (output == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "vendor-wcow: no output given");
    if (check_context(context, error) != 0)
        return -1;
    const json_t *folders = json_object_get(json_object_get(context->spec, "windows"),
                                            "layerFolders");
    if (json_array_size(folders) == 0)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "field 'Spec.Windows.Layerfolders' is not populated");
    if (hcsoci_layers_prepare_scratch(context->host, folders, error) != 0 ||
        mount_layers(context, folders, error) != 0)
        return -1;
    if (json_array_size(folders) < 2)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid spec - not enough layer folders supplied");
    return compute_system_json(context, folders, &output->compute_system_document, error);
}

/* Process-isolated Windows containers with schema 2.1, above the built-in wcow (100). */
static unsigned vendor_match(const hcsoci_match_key *key)
{
    if (key->spec_kind == HCSOCI_SPEC_WINDOWS && key->hosting == HCSOCI_HOSTING_NONE &&
        hcsoci_schema_is_v21(key->schema))
        return 200;
    return 0;
}

#ifdef VENDOR_MISSING_OP
static int vendor_build(hcsoci_build_context *context, hcsoci_build_output *output,
                        hcsoci_error **error) __attribute__((unused));
#endif

static const hcsoci_builder_ops vendor_ops = {
#ifdef VENDOR_MISSING_OP
    .build = NULL, /* broken on purpose: a builder must have build */
#else
    .build = vendor_build,
#endif
    .validate = vendor_validate,
};

HCSOCI_PLUGIN_DESCRIPTOR(vendor_wcow) = {
#ifdef VENDOR_BROKEN_MAJOR
    /* broken on purpose: built for a future ABI major */
    .abi_major = HCSOCI_PLUGIN_ABI_MAJOR + 1, .abi_minor = HCSOCI_PLUGIN_ABI_MINOR,
    .descriptor_size = sizeof(hcsoci_plugin_descriptor),
#else
    HCSOCI_PLUGIN_ABI_FIELDS,
#endif
    .kind = HCSOCI_PLUGIN_BUILDER,
    .ops_size = sizeof(hcsoci_builder_ops),
    .name = "vendor-wcow",
    .version = "1.0.0",
    .description = "example vendor module: process-isolated Windows containers (schema 2.1) "
                   "with a host name suffix annotation",
    .match = vendor_match,
    .ops = &vendor_ops,
};
