/* HCS schema version selection. */
#include <hcsoci/schema.h>

#include <hcsoci/log.h>
#include <hcsoci/spec.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool hcsoci_schema_is_v10(hcsoci_schema_version version)
{
    return version.major == 1 && version.minor == 0;
}

bool hcsoci_schema_is_v21(hcsoci_schema_version version)
{
    return version.major == 2 && version.minor == 1;
}

/* Why the host cannot use a requested version, or NULL when it can. */
static const char *unsupported_reason(hcsoci_host *host, hcsoci_schema_version version)
{
    if (hcsoci_schema_is_v10(version))
        return NULL;
    if (hcsoci_schema_is_v21(version))
        return host->ops->os_build(host) < HCSOCI_BUILD_RS5 ? "unsupported on this Windows build"
                                                            : NULL;
    return "unknown schema version";
}

hcsoci_schema_version hcsoci_schema_determine(hcsoci_host *host,
                                              const hcsoci_schema_version *requested)
{
    hcsoci_schema_version chosen = {1, 0};
    if (host->ops->os_build(host) >= HCSOCI_BUILD_RS5)
        chosen = (hcsoci_schema_version){2, 1};
    if (requested != NULL) {
        const char *reason = unsupported_reason(host, *requested);
        if (reason == NULL) {
            chosen = *requested;
        } else {
            HCSOCI_LOG(HCSOCI_LOG_WARN,
                       json_pack("{s:o,s:s}", "schemaVersion", hcsoci_schema_to_json(*requested),
                                 "reason", reason),
                       "Ignoring unsupported requested schema version");
        }
    }
    return chosen;
}

json_t *hcsoci_schema_to_json(hcsoci_schema_version version)
{
    return json_pack("{s:I,s:I}", "Major", (json_int_t)version.major, "Minor",
                     (json_int_t)version.minor);
}

int hcsoci_schema_from_json(const json_t *value, const char *field, hcsoci_schema_version *version,
                            hcsoci_error **error)
{
    if (json_is_string(value)) {
        unsigned major, minor;
        char trailing;
        if (sscanf(json_string_value(value), "%u.%u%c", &major, &minor, &trailing) != 2)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "invalid field '%s': '%s' is not a schema version like \"2.1\"",
                               field, json_string_value(value));
        *version = (hcsoci_schema_version){major, minor};
        return 0;
    }
    if (!json_is_object(value))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid field '%s': must be {\"Major\": n, \"Minor\": n} or \"n.n\", not %s",
                           field, hcsoci_json_kind(value));
    char path[256];
    int64_t major = 0, minor = 0;
    bool has_major = false, has_minor = false;
    snprintf(path, sizeof path, "%s.Major", field);
    if (hcsoci_json_integer(value, "Major", path, 0, UINT32_MAX, &major, &has_major, error) != 0)
        return -1;
    snprintf(path, sizeof path, "%s.Minor", field);
    if (hcsoci_json_integer(value, "Minor", path, 0, UINT32_MAX, &minor, &has_minor, error) != 0)
        return -1;
    if (!has_major)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "invalid field '%s': Major is missing", field);
    *version = (hcsoci_schema_version){(uint32_t)major, (uint32_t)minor};
    return 0;
}
