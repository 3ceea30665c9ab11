/* The OCI runtime life cycle of a saved container: start (HcsStartComputeSystem, created ->
 * running) and kill (HcsTerminateComputeSystem, created or running -> stopped), and the
 * runtime-spec features document. A container in a utility VM is its own compute system (made
 * by HcsCreateComputeSystem with a HostedSystem document), so both act on the container's id
 * there too. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lifecycle.h"

const char *cli_state_status(const json_t *state)
{
    const char *status = json_string_value(json_object_get(state, "status"));
    return status != NULL ? status : "";
}

bool cli_status_has_compute_system(const char *status)
{
    return strcmp(status, CLI_STATUS_CREATING) == 0 || strcmp(status, CLI_STATUS_CREATED) == 0 ||
           strcmp(status, CLI_STATUS_RUNNING) == 0 || strcmp(status, CLI_STATUS_STOPPED) == 0;
}

/* What a life-cycle command does to a container in one status. */
typedef int (*transition)(hcsoci_host *host, const char *id, hcsoci_error **error);

/* Loads the container's state, lets refuse decide from its status (a message, or NULL to go
 * on), makes the host call and saves the new status. */
static int change_status(const cli_globals *globals, const char *verb, const char *id,
                         const char *(*refuse)(const char *status), transition call,
                         const char *new_status)
{
    hcsoci_error *error = NULL;
    /* An unknown container is reported as such, even where no simulated host exists yet. */
    cli_store *store = NULL;
    if (cli_store_open(globals->root, false, &store, &error) != 0)
        return cli_report_error(error);
    bool exists = cli_state_exists(store, id);
    if (!exists) {
        json_t *state = NULL;
        cli_state_load(store, id, &state, &error);
    }
    cli_store_close(store);
    if (!exists)
        return cli_report_error(error);
    cli_session session;
    if (cli_session_open(globals, &session, &error) != 0)
        return cli_report_error(error);
    json_t *state = NULL;
    if (cli_state_load(session.store, id, &state, &error) == 0) {
        const char *status = cli_state_status(state);
        const char *refusal = refuse(status);
        if (refusal != NULL) {
            hcsoci_fail(&error, HCSOCI_E_INVALID, "cannot %s container '%s': %s (status %s)",
                        verb, id, refusal, status[0] != '\0' ? status : "missing");
        } else if (call(session.host, id, &error) == 0) {
            if (json_object_set_new(state, "status", json_string(new_status)) != 0)
                hcsoci_fail_out_of_memory(&error);
            else
                cli_state_save(session.store, id, state, &error);
        }
    }
    json_decref(state);
    cli_session_close(globals, &session, &error);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- start ---- */

static void print_start_help(void)
{
    printf("Usage: %s start ID\n\n"
           "Starts the compute system of a created container (HcsStartComputeSystem; for a\n"
           "container in a utility VM, the container's own compute system there). Its status\n"
           "goes from \"created\" to \"running\"; any other status is refused.\n\n"
           "Options:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME);
}

/* Why a container in this status cannot start, or NULL. */
static const char *refuse_start(const char *status)
{
    if (strcmp(status, CLI_STATUS_CREATED) == 0)
        return NULL;
    if (strcmp(status, CLI_STATUS_RUNNING) == 0)
        return "it is already running";
    if (strcmp(status, CLI_STATUS_STOPPED) == 0)
        return "it has stopped";
    return "it is not created";
}

int cli_command_start(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("start", argc, argv, print_start_help);
    if (status >= 0)
        return status;
    status = cli_expect_operands("start", argc, argv, 1, "the container ID");
    if (status != 0)
        return status;
    const char *id = argv[optind];
    status = cli_check_id_operand("start", id);
    if (status >= 0)
        return status;
    return change_status(globals, "start", id, refuse_start, hcsoci_compute_system_start,
                         CLI_STATUS_RUNNING);
}

/* ---- kill ---- */

static void print_kill_help(void)
{
    printf("Usage: %s kill [--signal SIGNAL] ID [SIGNAL]\n\n"
           "Terminates the container's compute system (HcsTerminateComputeSystem; for a\n"
           "container in a utility VM, the container's own compute system there). A created\n"
           "or running container becomes \"stopped\"; a stopped one is refused. Windows has no\n"
           "signals: SIGKILL and SIGTERM (KILL, TERM, 9, 15, the default SIGTERM) terminate;\n"
           "any other signal is a usage error.\n\nOptions:\n"
           "  -s, --signal SIGNAL   the signal (also accepted as a second operand)\n"
           "  -h, --help            print this help\n",
           CLI_PROGRAM_NAME);
}

/* True for the signals that terminate: SIGKILL and SIGTERM by name (with or without SIG, any
 * case) or number. */
static bool signal_terminates(const char *signal)
{
    static const char *const accepted[] = {"SIGKILL", "SIGTERM", "KILL", "TERM", "9", "15"};
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        if (strcasecmp(signal, accepted[i]) == 0)
            return true;
    }
    return false;
}

/* Why a container in this status cannot be killed, or NULL. */
static const char *refuse_kill(const char *status)
{
    if (strcmp(status, CLI_STATUS_CREATED) == 0 || strcmp(status, CLI_STATUS_RUNNING) == 0)
        return NULL;
    if (strcmp(status, CLI_STATUS_STOPPED) == 0)
        return "it is not running";
    return "it is neither created nor running";
}

int cli_command_kill(const cli_globals *globals, int argc, char **argv)
{
    const struct option options[] = {
        {"signal", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *signal = NULL;
    int result;
    while ((result = getopt_long(argc, argv, ":s:h", options, NULL)) != -1) {
        if (result == 's') {
            signal = optarg;
        } else if (result == 'h') {
            print_kill_help();
            return CLI_EXIT_SUCCESS;
        } else {
            return cli_option_error("kill", result, argv);
        }
    }
    int operands = argc - optind;
    if (operands == 2 && signal != NULL)
        return cli_usage_error("kill", "give the signal either with --signal or as an operand");
    int status = cli_expect_operands("kill", argc, argv, operands == 2 ? 2 : 1,
                                     "the container ID");
    if (status != 0)
        return status;
    const char *id = argv[optind];
    if (operands == 2)
        signal = argv[optind + 1];
    if (signal == NULL)
        signal = "SIGTERM";
    if (!signal_terminates(signal))
        return cli_usage_error("kill",
                               "signal '%s' is not supported: a compute system can only be "
                               "terminated (SIGKILL, SIGTERM, KILL, TERM, 9, 15)",
                               signal);
    status = cli_check_id_operand("kill", id);
    if (status >= 0)
        return status;
    return change_status(globals, "kill", id, refuse_kill, hcsoci_compute_system_terminate,
                         CLI_STATUS_STOPPED);
}

/* ---- features ---- */

static void print_features_help(void)
{
    printf("Usage: %s features\n\n"
           "Prints the runtime-spec features document of this build: ociVersionMin,\n"
           "ociVersionMax, hooks (none: hcsoci runs no hooks), mountOptions, annotations\n"
           "(facts about this build) and potentiallyUnsafeConfigAnnotations (every config.json\n"
           "annotation hcsoci reads). It reads no state.\n\n"
           "Options:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME);
}

int cli_command_features(const cli_globals *globals, int argc, char **argv)
{
    (void)globals;
    int status = cli_parse_help_only("features", argc, argv, print_features_help);
    if (status >= 0)
        return status;
    status = cli_expect_operands("features", argc, argv, 0, "nothing");
    if (status != 0)
        return status;
    hcsoci_error *error = NULL;
    json_t *features = hcsoci_features();
    if (features == NULL)
        hcsoci_fail_out_of_memory(&error);
    else
        cli_print_json(features, &error);
    json_decref(features);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}
