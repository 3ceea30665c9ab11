/* The ledger's slots that only the core sets: where the container's root is in its utility VM,
 * whether the namespace was added to the VM, where the layers were mounted and how far their
 * unmount got. Modules record through hcsoci/resources.h; the core's create and release keep
 * these. None is exported from the library (core/libhcsoci.map). */
#ifndef HCSOCI_RESOURCES_INTERNAL_H
#define HCSOCI_RESOURCES_INTERNAL_H

#include <hcsoci/resources.h>

#include <stdbool.h>

/* Sets the container's root inside its utility VM (copied). */
int hcsoci_resources_set_container_root_in_uvm(hcsoci_resources *resources, const char *root,
                                               hcsoci_error **error);

/* Records whether the namespace was added to the utility VM (and must be removed from it). */
void hcsoci_resources_set_namespace_added_to_uvm(hcsoci_resources *resources, bool added);

/* The utility VM the layers were mounted into ("" on the host; borrowed). */
const char *hcsoci_resources_layers_uvm(const hcsoci_resources *resources);

/* How many steps of unmounting the layers are done already (hcsoci_layers_unmount_from), and
 * setting it (saved with the ledger, so that a later release goes on from there). */
size_t hcsoci_resources_layers_unmount_steps(const hcsoci_resources *resources);
void hcsoci_resources_set_layers_unmount_steps(hcsoci_resources *resources, size_t steps);

/* Forgets the layers after they were released. */
void hcsoci_resources_clear_layers(hcsoci_resources *resources);

#endif
