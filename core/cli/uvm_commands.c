/* The utility VM commands: uvm create, inspect, delete and list. A utility VM is a model saved
 * in the state store; creating or deleting one makes no host call (the simulated host has
 * no VMs of its own), only the containers created in it (`create --uvm`) do. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The reference's defaults for a Linux VM's vPMEM devices (count and size of each). */
#define LINUX_DEFAULT_VPMEM_COUNT 64
#define LINUX_DEFAULT_VPMEM_SIZE_BYTES 4294967296ULL

/* Prints the VM's whole state (hcsoci_uvm_to_json). */
static int print_uvm(const hcsoci_uvm *uvm, hcsoci_error **error)
{
    json_t *state = hcsoci_uvm_to_json(uvm);
    if (state == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = cli_print_json(state, error);
    json_decref(state);
    return result;
}

/* ---- uvm create ---- */

static void print_create_help(void)
{
    printf("Usage: %s uvm create --os windows|linux [OPTIONS] ID\n\n"
           "Creates the model of a utility VM (the hosting system of Hyper-V isolated and Linux\n"
           "containers), saves it in ROOT/state.db and prints its state. It makes no host\n"
           "call (--world sets up the simulated host when the store holds none yet). Create\n"
           "containers in it with '%s create --uvm ID'. An ID may hold letters,\n"
           "digits, '_', '-', '.' and '+' (at most %d, not starting with '.'); it must not be\n"
           "a container's id.\n\nOptions:\n"
           "  --os OS                          windows or linux (required)\n"
           "  --owner NAME                     the VM's owner; its containers are created\n"
           "                                   under it (default: %s)\n"
           "  --processors N                   virtual processors, 1 to 1024 (default: 2)\n"
           "  --scsi-controllers N             SCSI controllers, 0 to 4 (default: 1)\n"
           "  --vpmem-count N                  vPMEM devices, 0 to 128, linux only\n"
           "                                   (default: %d for linux)\n"
           "  --vpmem-size BYTES               the size of each vPMEM device, linux only\n"
           "                                   (default: %llu for linux)\n"
           "  --physically-backed              the VM's memory is physically backed\n"
           "  --devices-physically-backed      its devices are: layers go to SCSI, not vPMEM,\n"
           "                                   and VSMB shares get NoDirectmap\n"
           "  --namespace-add-request-supported\n"
           "                                   the guest takes network namespace requests\n"
           "  -h, --help                       print this help\n",
           CLI_PROGRAM_NAME, CLI_PROGRAM_NAME, CLI_MAX_ID_LENGTH, CLI_PROGRAM_NAME,
           LINUX_DEFAULT_VPMEM_COUNT, LINUX_DEFAULT_VPMEM_SIZE_BYTES);
}

enum {
    OPTION_OS = 256,
    OPTION_OWNER,
    OPTION_PROCESSORS,
    OPTION_SCSI_CONTROLLERS,
    OPTION_VPMEM_COUNT,
    OPTION_VPMEM_SIZE,
    OPTION_PHYSICALLY_BACKED,
    OPTION_DEVICES_PHYSICALLY_BACKED,
    OPTION_NAMESPACE_ADD_REQUEST,
};

/* A numeric option: its name, the hostingSystem member it sets, and the text given. */
typedef struct number_option {
    const char *name;
    const char *key;
    const char *text; /* NULL: not given */
} number_option;

/* Parses a whole decimal number (digits only) that fits a JSON integer. */
static int parse_number(const char *text, json_int_t *value)
{
    if (text[0] < '0' || text[0] > '9')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long number = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || number > (unsigned long long)INT64_MAX)
        return -1;
    *value = (json_int_t)number;
    return 0;
}

/* Sets one numeric option in the hostingSystem object and checks it the way a case's
 * hostingSystem is checked; returns -1 to go on, else an exit status. */
static int set_number(json_t *description, const number_option *option)
{
    json_int_t value = 0;
    if (parse_number(option->text, &value) != 0)
        return cli_usage_error("uvm create", "invalid %s '%s': not a whole number of at most %lld",
                               option->name, option->text, (long long)INT64_MAX);
    if (json_object_set_new(description, option->key, json_integer(value)) != 0)
        return cli_report_error(hcsoci_error_new(HCSOCI_E_OUT_OF_MEMORY, "out of memory"));
    hcsoci_uvm_properties properties;
    hcsoci_error *error = NULL;
    if (hcsoci_uvm_properties_from_json(description, &properties, &error) == 0)
        return -1;
    cli_usage_error("uvm create", "invalid %s %s: %s", option->name, option->text,
                    error->message);
    hcsoci_error_free(error);
    return CLI_EXIT_USAGE;
}

/* Parses the options of uvm create into a hostingSystem-shaped object (the form of a
 * conformance case's); returns -1 to go on, else an exit status. *description is the
 * caller's either way. */
static int parse_create_options(int argc, char **argv, json_t **description)
{
    const struct option options[] = {
        {"os", required_argument, NULL, OPTION_OS},
        {"owner", required_argument, NULL, OPTION_OWNER},
        {"processors", required_argument, NULL, OPTION_PROCESSORS},
        {"scsi-controllers", required_argument, NULL, OPTION_SCSI_CONTROLLERS},
        {"vpmem-count", required_argument, NULL, OPTION_VPMEM_COUNT},
        {"vpmem-size", required_argument, NULL, OPTION_VPMEM_SIZE},
        {"physically-backed", no_argument, NULL, OPTION_PHYSICALLY_BACKED},
        {"devices-physically-backed", no_argument, NULL, OPTION_DEVICES_PHYSICALLY_BACKED},
        {"namespace-add-request-supported", no_argument, NULL, OPTION_NAMESPACE_ADD_REQUEST},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    number_option numbers[] = {
        {"--processors", "processorCount", NULL},
        {"--scsi-controllers", "scsiControllerCount", NULL},
        {"--vpmem-count", "vpmemMaxCount", NULL},
        {"--vpmem-size", "vpmemMaxSizeBytes", NULL},
    };
    const char *os = NULL, *owner = CLI_PROGRAM_NAME;
    bool physically_backed = false, devices_physically_backed = false;
    bool namespace_add_request_supported = false;
    int result;
    *description = NULL;
    while ((result = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (result) {
        case OPTION_OS:
            os = optarg;
            break;
        case OPTION_OWNER:
            owner = optarg;
            break;
        case OPTION_PROCESSORS:
        case OPTION_SCSI_CONTROLLERS:
        case OPTION_VPMEM_COUNT:
        case OPTION_VPMEM_SIZE:
            numbers[result - OPTION_PROCESSORS].text = optarg;
            break;
        case OPTION_PHYSICALLY_BACKED:
            physically_backed = true;
            break;
        case OPTION_DEVICES_PHYSICALLY_BACKED:
            devices_physically_backed = true;
            break;
        case OPTION_NAMESPACE_ADD_REQUEST:
            namespace_add_request_supported = true;
            break;
        case 'h':
            print_create_help();
            return CLI_EXIT_SUCCESS;
        default:
            return cli_option_error("uvm create", result, argv);
        }
    }
    int status = cli_expect_operands("uvm create", argc, argv, 1, "the utility VM ID");
    if (status != 0)
        return status;
    const char *id = argv[optind];
    status = cli_check_uvm_id_operand("uvm create", id);
    if (status >= 0)
        return status;
    if (os == NULL)
        return cli_usage_error("uvm create", "--os is required (windows or linux)");
    bool is_linux = strcmp(os, "linux") == 0;
    if (!is_linux && strcmp(os, "windows") != 0)
        return cli_usage_error("uvm create", "unknown --os '%s' (windows, linux)", os);
    if (owner[0] == '\0')
        return cli_usage_error("uvm create", "--owner must not be empty");
    if (!is_linux && (numbers[2].text != NULL || numbers[3].text != NULL))
        return cli_usage_error("uvm create", "%s is for linux utility VMs only",
                               numbers[2].text != NULL ? "--vpmem-count" : "--vpmem-size");

    *description = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b}", "id", id, "owner", owner, "os", os,
                             "physicallyBacked", physically_backed, "devicesPhysicallyBacked",
                             devices_physically_backed, "namespaceAddRequestSupported",
                             namespace_add_request_supported);
    if (*description == NULL ||
        (is_linux && (json_object_set_new(*description, "vpmemMaxCount",
                                          json_integer(LINUX_DEFAULT_VPMEM_COUNT)) != 0 ||
                      json_object_set_new(*description, "vpmemMaxSizeBytes",
                                          json_integer((json_int_t)LINUX_DEFAULT_VPMEM_SIZE_BYTES)) != 0)))
        return cli_report_error(hcsoci_error_new(HCSOCI_E_OUT_OF_MEMORY, "out of memory"));
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        if (numbers[i].text == NULL)
            continue;
        status = set_number(*description, &numbers[i]);
        if (status >= 0)
            return status;
    }
    return -1;
}

static int uvm_create(const cli_globals *globals, int argc, char **argv)
{
    json_t *description = NULL;
    int status = parse_create_options(argc, argv, &description);
    if (status >= 0) {
        json_decref(description);
        return status;
    }
    hcsoci_error *error = NULL;
    hcsoci_uvm_properties properties;
    hcsoci_host *host = NULL;
    hcsoci_uvm *uvm = NULL;
    cli_session session;
    if (cli_detached_host(&host, &error) != 0) {
        json_decref(description);
        return cli_report_error(error);
    }
    if (hcsoci_uvm_properties_from_json(description, &properties, &error) != 0 ||
        hcsoci_uvm_new(host, &properties, &uvm, &error) != 0) {
        /* Each option was checked on its own; this is a combination the model refuses. */
        cli_usage_error("uvm create", "%s", error->message);
        hcsoci_error_free(error);
        hcsoci_host_destroy(host);
        json_decref(description);
        return CLI_EXIT_USAGE;
    }

    if (cli_session_lock(globals, &session, &error) == 0) {
        if (cli_uvm_exists(session.store, properties.id))
            hcsoci_fail(&error, HCSOCI_E_INVALID, "utility VM '%s' already exists",
                        properties.id);
        else if (cli_state_exists(session.store, properties.id))
            hcsoci_fail(&error, HCSOCI_E_INVALID, "id '%s' is already taken by a container",
                        properties.id);
        /* --world sets up the simulated host here too, for the creates in the VM. */
        else if (globals->world_path == NULL || cli_sim_host_saved(session.store) ||
                 cli_session_open_host(globals, &session, &error) == 0)
            cli_uvm_save(session.store, uvm, &error);
        cli_session_close(globals, &session, &error);
    }
    if (error == NULL)
        print_uvm(uvm, &error);
    hcsoci_uvm_free(uvm);
    hcsoci_host_destroy(host);
    json_decref(description);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- uvm inspect ---- */

static void print_inspect_help(void)
{
    printf("Usage: %s uvm inspect ID\n\n"
           "Prints the utility VM's whole saved state: its properties (id, owner, os,\n"
           "processorCount, scsiControllerCount, vpmemMaxCount, vpmemMaxSizeBytes,\n"
           "physicallyBacked, devicesPhysicallyBacked, namespaceAddRequestSupported), its\n"
           "counters and what its containers use (VSMB shares, SCSI and vPMEM devices, assigned\n"
           "devices, network namespaces).\n\nOptions:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME);
}

static int uvm_inspect(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("uvm inspect", argc, argv, print_inspect_help);
    if (status >= 0)
        return status;
    status = cli_expect_operands("uvm inspect", argc, argv, 1, "the utility VM ID");
    if (status != 0)
        return status;
    const char *id = argv[optind];
    status = cli_check_uvm_id_operand("uvm inspect", id);
    if (status >= 0)
        return status;
    hcsoci_error *error = NULL;
    hcsoci_host *host = NULL;
    hcsoci_uvm *uvm = NULL;
    cli_store *store = NULL;
    if (cli_store_open(globals->root, false, &store, &error) == 0 &&
        cli_detached_host(&host, &error) == 0 &&
        cli_uvm_load(host, store, id, &uvm, &error) == 0)
        print_uvm(uvm, &error);
    cli_store_close(store);
    hcsoci_uvm_free(uvm);
    hcsoci_host_destroy(host);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- uvm delete ---- */

static void print_delete_help(void)
{
    printf("Usage: %s uvm delete [OPTIONS] ID\n\n"
           "Removes the utility VM's saved state (no host call). It is refused while saved\n"
           "containers name the VM as their hosting system, unless --force.\n\nOptions:\n"
           "  -f, --force   delete those containers first, as 'delete --force' would (their\n"
           "                resources are released from the VM), then the VM\n"
           "  -h, --help    print this help\n",
           CLI_PROGRAM_NAME);
}

/* "'a', 'b', 'c'" for an array of ids (caller frees; NULL on no memory). */
static char *quoted_list(const json_t *ids)
{
    size_t length = 1;
    size_t index;
    json_t *id;
    json_array_foreach(ids, index, id)
        length += strlen(json_string_value(id)) + 4; /* ", " and the quotes */
    char *text = malloc(length);
    if (text == NULL)
        return NULL;
    size_t used = 0;
    json_array_foreach(ids, index, id)
        used += (size_t)snprintf(text + used, length - used, "%s'%s'", index > 0 ? ", " : "",
                                 json_string_value(id));
    text[used] = '\0';
    return text;
}

/* Deletes the containers in the VM (--force), each as `delete --force` would. */
static int delete_hosted(const cli_globals *globals, cli_session *session, const char *uvm_id,
                         const json_t *ids, hcsoci_error **error)
{
    if (cli_session_open_host(globals, session, error) != 0)
        return -1;
    size_t index;
    json_t *id;
    json_array_foreach(ids, index, id) {
        const char *container_id = json_string_value(id);
        if (cli_delete_container(globals, session, container_id, true, error) != 0)
            return hcsoci_fail_prefixed(error, "cannot delete container '%s' in utility VM '%s': ",
                                        container_id, uvm_id);
        HCSOCI_LOG(HCSOCI_LOG_INFO, json_pack("{s:s, s:s}", "id", container_id, "uvm", uvm_id),
                   "deleted a container of the utility VM (--force)");
    }
    return 0;
}

static int uvm_delete(const cli_globals *globals, int argc, char **argv)
{
    const struct option options[] = {
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool force = false;
    int result;
    while ((result = getopt_long(argc, argv, ":fh", options, NULL)) != -1) {
        if (result == 'f') {
            force = true;
        } else if (result == 'h') {
            print_delete_help();
            return CLI_EXIT_SUCCESS;
        } else {
            return cli_option_error("uvm delete", result, argv);
        }
    }
    int status = cli_expect_operands("uvm delete", argc, argv, 1, "the utility VM ID");
    if (status != 0)
        return status;
    const char *id = argv[optind];
    status = cli_check_uvm_id_operand("uvm delete", id);
    if (status >= 0)
        return status;

    hcsoci_error *error = NULL;
    cli_session session;
    json_t *by_uvm = NULL;
    /* An unknown VM is reported as such, without creating the state directory. */
    cli_store *reader = NULL;
    if (cli_store_open(globals->root, false, &reader, &error) != 0)
        return cli_report_error(error);
    bool exists = cli_uvm_exists(reader, id);
    cli_store_close(reader);
    if (!exists)
        return cli_report_error(hcsoci_error_new(HCSOCI_E_NOT_FOUND,
                                                 "utility VM '%s' does not exist", id));
    if (cli_session_lock(globals, &session, &error) != 0)
        return cli_report_error(error);
    if (!cli_uvm_exists(session.store, id)) {
        hcsoci_fail(&error, HCSOCI_E_NOT_FOUND, "utility VM '%s' does not exist", id);
    } else if (cli_state_hosted_containers(session.store, &by_uvm, &error) == 0) {
        const json_t *hosted = json_object_get(by_uvm, id);
        if (hosted != NULL && !force) {
            char *names = quoted_list(hosted);
            hcsoci_fail(&error, HCSOCI_E_INVALID,
                        "utility VM '%s' is in use by %s %s: delete %s first, or use --force",
                        id, json_array_size(hosted) == 1 ? "container" : "containers",
                        names != NULL ? names : "(out of memory)",
                        json_array_size(hosted) == 1 ? "it" : "them");
            free(names);
        } else if (hosted == NULL || delete_hosted(globals, &session, id, hosted, &error) == 0) {
            cli_uvm_remove(session.store, id, &error);
        }
    }
    cli_session_close(globals, &session, &error);
    json_decref(by_uvm);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- uvm list ---- */

static void print_list_help(void)
{
    printf("Usage: %s uvm list\n\n"
           "Prints [{\"id\", \"os\", \"owner\", \"processorCount\", \"containers\"}] for every\n"
           "saved utility VM, sorted by id; containers are the ids of the saved containers in\n"
           "it.\n\nOptions:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME);
}

/* The list entry of one VM, or NULL (with a warning) when its state is unreadable. */
static json_t *list_entry(cli_store *store, hcsoci_host *host, const char *id,
                          const json_t *by_uvm)
{
    hcsoci_error *error = NULL;
    hcsoci_uvm *uvm = NULL;
    if (cli_uvm_load(host, store, id, &uvm, &error) != 0) {
        cli_warn("skipping utility VM '%s': %s", id, error->message);
        hcsoci_error_free(error);
        return NULL;
    }
    const json_t *hosted = json_object_get(by_uvm, id);
    json_t *entry = json_pack("{s:s, s:s, s:s, s:i, s:o}", "id", id,
                              "os", hcsoci_uvm_os_name(hcsoci_uvm_get_os(uvm)),
                              "owner", hcsoci_uvm_owner(uvm),
                              "processorCount", (int)hcsoci_uvm_processor_count(uvm),
                              "containers", hosted != NULL ? json_copy((json_t *)hosted)
                                                           : json_array());
    hcsoci_uvm_free(uvm);
    return entry;
}

static int uvm_list(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("uvm list", argc, argv, print_list_help);
    if (status >= 0)
        return status;
    status = cli_expect_operands("uvm list", argc, argv, 0, "nothing");
    if (status != 0)
        return status;
    hcsoci_error *error = NULL;
    hcsoci_host *host = NULL;
    json_t *ids = NULL, *by_uvm = NULL, *list = json_array();
    if (list == NULL)
        return cli_report_error(hcsoci_error_new(HCSOCI_E_OUT_OF_MEMORY, "out of memory"));
    cli_store *store = NULL;
    if (cli_store_open(globals->root, false, &store, &error) == 0 &&
        cli_uvm_list_ids(store, &ids, &error) == 0 &&
        cli_state_hosted_containers(store, &by_uvm, &error) == 0 &&
        cli_detached_host(&host, &error) == 0) {
        size_t index;
        json_t *id;
        json_array_foreach(ids, index, id) {
            json_t *entry = list_entry(store, host, json_string_value(id), by_uvm);
            if (entry != NULL && json_array_append_new(list, entry) != 0)
                hcsoci_fail_out_of_memory(&error);
        }
        if (error == NULL)
            cli_print_json(list, &error);
    }
    cli_store_close(store);
    hcsoci_host_destroy(host);
    json_decref(ids);
    json_decref(by_uvm);
    json_decref(list);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- uvm ---- */

typedef struct uvm_subcommand {
    const char *name;
    const char *summary;
    int (*run)(const cli_globals *globals, int argc, char **argv);
} uvm_subcommand;

static const uvm_subcommand subcommands[] = {
    {"create", "create a utility VM's model and save it", uvm_create},
    {"inspect", "print a utility VM's whole saved state", uvm_inspect},
    {"delete", "forget a utility VM (refused while containers use it, unless --force)",
     uvm_delete},
    {"list", "print the saved utility VMs", uvm_list},
};

static void print_uvm_help(void)
{
    printf("Usage: %s uvm SUBCOMMAND [OPTIONS] [ARGS]\n\n"
           "Manages utility VMs, the hosting systems of the containers created with\n"
           "'%s create --uvm ID'. Each is saved in ROOT/state.db.\n\nSubcommands:\n",
           CLI_PROGRAM_NAME, CLI_PROGRAM_NAME);
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        printf("  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
    printf("\nOptions:\n  -h, --help   print this help\n\n"
           "Run '%s uvm SUBCOMMAND --help' for a subcommand's options.\n",
           CLI_PROGRAM_NAME);
}

int cli_command_uvm(const cli_globals *globals, int argc, char **argv)
{
    const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* '+': the options up to the subcommand are uvm's own; the rest are the subcommand's. */
    int result = getopt_long(argc, argv, "+:h", options, NULL);
    if (result == 'h') {
        print_uvm_help();
        return CLI_EXIT_SUCCESS;
    }
    if (result != -1)
        return cli_option_error("uvm", result, argv);
    if (optind >= argc)
        return cli_usage_error("uvm", "missing the subcommand (create, inspect, delete, list)");
    const char *name = argv[optind];
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        if (strcmp(subcommands[i].name, name) == 0) {
            int subcommand_argc = argc - optind;
            char **subcommand_argv = argv + optind;
            optind = 0; /* makes glibc's getopt start afresh for the subcommand */
            return subcommands[i].run(globals, subcommand_argc, subcommand_argv);
        }
    }
    return cli_usage_error("uvm", "unknown subcommand '%s' (create, inspect, delete, list)",
                           name);
}
