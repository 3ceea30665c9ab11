/* The ledger's slots that only the core sets or reads: where the container's root is in its
 * utility VM, whether hcsoci created the network namespace and added it to the VM, and where
 * the layers were mounted. Modules record through hcsoci/resources.h; the core's create and
 * release keep these. Tests include this header too. */
#ifndef HCSOCI_RESOURCES_INTERNAL_H
#define HCSOCI_RESOURCES_INTERNAL_H

#include <hcsoci/resources.h>

#include <stdbool.h>

/* Sets the container's root inside its utility VM (copied). */
int hcsoci_resources_set_container_root_in_uvm(hcsoci_resources *resources, const char *root,
                                               hcsoci_error **error);

/* True when hcsoci created the recorded namespace. */
bool hcsoci_resources_created_network_namespace(const hcsoci_resources *resources);

/* Records whether the namespace was added to the utility VM (and must be removed from it). */
void hcsoci_resources_set_namespace_added_to_uvm(hcsoci_resources *resources, bool added);

/* True when the namespace was added to the utility VM. */
bool hcsoci_resources_namespace_added_to_uvm(const hcsoci_resources *resources);

/* The utility VM the layers were mounted into ("" on the host; borrowed). */
const char *hcsoci_resources_layers_uvm(const hcsoci_resources *resources);

/* How many steps of unmounting the layers are done already (hcsoci_layers_unmount_from), and
 * setting it (saved with the ledger, so that a later release goes on from there). */
size_t hcsoci_resources_layers_unmount_steps(const hcsoci_resources *resources);
void hcsoci_resources_set_layers_unmount_steps(hcsoci_resources *resources, size_t steps);

/* Forgets the layers after they were released. */
void hcsoci_resources_clear_layers(hcsoci_resources *resources);

#endif
