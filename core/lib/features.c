/* The runtime-spec features document: what this build of hcsoci understands, fixed when it is
 * built. */
#include <config.h>

#include <hcsoci/annotations.h>
#include <hcsoci/hcsoci.h>

#include <stdio.h>

json_t *hcsoci_features(void)
{
    json_t *unsafe = json_array();
    for (const char *const *name = hcsoci_annotation_names(); unsafe != NULL && *name != NULL;
         name++) {
        if (json_array_append_new(unsafe, json_string(*name)) != 0) {
            json_decref(unsafe);
            unsafe = NULL;
        }
    }
    if (unsafe == NULL)
        return NULL;
    char abi[32];
    snprintf(abi, sizeof abi, "%d.%d", HCSOCI_PLUGIN_ABI_MAJOR, HCSOCI_PLUGIN_ABI_MINOR);
    return json_pack("{s:s, s:s, s:[], s:[s], s:{s:s, s:s, s:s}, s:o}",
                     "ociVersionMin", "1.0.0",
                     "ociVersionMax", HCSOCI_OCI_VERSION,
                     "hooks",
                     "mountOptions", "ro",
                     "annotations",
                         "hcsoci.version", PACKAGE_VERSION,
                         "hcsoci.pluginAbi", abi,
                         "hcsoci.reference", "hcsshim v0.8.14 internal/hcsoci",
                     "potentiallyUnsafeConfigAnnotations", unsafe);
}
