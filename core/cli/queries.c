/* The commands that query rather than create: replay, plugins, netns, host inspect and
 * journal. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <hcsoci/replay.h>
#include <hcsoci/sim.h>

#include "cli.h"

/* ---- replay ---- */

static void print_replay_help(void)
{
    printf("Usage: %s replay CASE.json\n\n"
           "Runs one conformance case (tests/conformance/cases/) in a fresh simulated host made\n"
           "from the case's \"host\" part (with --host windows: in the Windows host): the\n"
           "create, then, when it succeeds, the release of everything. Prints the trace in the\n"
           "format of tests/conformance/expected/:\n"
           "{\"calls\", \"error\", \"releaseCalls\", \"releaseError\"}. --root and --world are\n"
           "not used. The exit status is 0 when the case ran, whether its create failed or not.\n"
           "\nOptions:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME);
}

int cli_command_replay(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("replay", argc, argv, print_replay_help);
    if (status >= 0)
        return status;
    status = cli_expect_operands("replay", argc, argv, 1, "the case file");
    if (status != 0)
        return status;
    hcsoci_error *error = NULL;
    json_t *test_case = NULL, *trace = NULL;
    if (cli_load_json_object(argv[optind], "case", &test_case, &error) == 0) {
        hcsoci_host *host = NULL;
        if (cli_chosen_live_host(globals, &host, &error) == 0) {
            /* No host: replay makes a simulated one from the case's "host" part. */
            hcsoci_runtime_options options = cli_runtime_options(globals, host);
            if (hcsoci_replay_case(test_case, &options, &trace, &error) == 0)
                cli_print_json(trace, &error);
            hcsoci_host_destroy(host);
        }
    }
    json_decref(trace);
    json_decref(test_case);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- plugins ---- */

static void print_plugins_help(void)
{
    printf("Usage: %s plugins\n\n"
           "Loads the modules (from $HCSOCI_PLUGIN_PATH, the --plugin-dir directories, then\n"
           "%s) and prints what was loaded:\n"
           "[{\"name\", \"version\", \"kind\", \"abi\", \"path\", \"description\", \"matches\"}]\n"
           "in load order. A module that is refused fails the command with the file and the\n"
           "reason. The state directory is not used.\n\nOptions:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME, hcsoci_installed_plugin_directory());
}

int cli_command_plugins(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("plugins", argc, argv, print_plugins_help);
    if (status >= 0)
        return status;
    status = cli_expect_operands("plugins", argc, argv, 0, "nothing");
    if (status != 0)
        return status;
    /* Loading modules needs a host; a default simulated one is enough, as nothing calls it. */
    hcsoci_error *error = NULL;
    hcsoci_host *host = NULL;
    hcsoci_runtime *runtime = NULL;
    if (cli_detached_host(&host, &error) == 0) {
        hcsoci_runtime_options options = cli_runtime_options(globals, host);
        if (hcsoci_runtime_new(&options, &runtime, &error) == 0) {
            json_t *plugins = hcsoci_runtime_plugins(runtime);
            if (plugins == NULL)
                hcsoci_fail_out_of_memory(&error);
            else
                cli_print_json(plugins, &error);
            json_decref(plugins);
        }
    }
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- netns ---- */

static void print_netns_help(void)
{
    printf("Usage: %s netns endpoints NAMESPACE\n\n"
           "Prints the HNS endpoint records of a network namespace of the host (--host), in\n"
           "the order HNS lists them.\n\nOptions:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME);
}

int cli_command_netns(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("netns", argc, argv, print_netns_help);
    if (status >= 0)
        return status;
    if (optind >= argc)
        return cli_usage_error("netns", "missing the subcommand ('endpoints')");
    if (strcmp(argv[optind], "endpoints") != 0)
        return cli_usage_error("netns", "unknown subcommand '%s' ('endpoints')", argv[optind]);
    optind++;
    status = cli_expect_operands("netns", argc, argv, 1, "the namespace id");
    if (status != 0)
        return status;
    const char *namespace_id = argv[optind];

    hcsoci_error *error = NULL;
    cli_session session;
    json_t *endpoints = NULL;
    if (cli_session_open(globals, &session, &error) != 0)
        return cli_report_error(error);
    hcsoci_get_namespace_endpoints(session.runtime, namespace_id, &endpoints, &error);
    cli_session_close(globals, &session, &error);
    if (error == NULL)
        cli_print_json(endpoints, &error);
    json_decref(endpoints);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- host inspect and journal: the simulated host as the store holds it ---- */

static void print_host_help(void)
{
    printf("Usage: %s host inspect\n\n"
           "Prints the simulated host's world as the state store holds it, including \"held\"\n"
           "(the counts of what the host holds: activated layers, shares, pipes, ...).\n\n"
           "Options:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME);
}

/* Opens the saved sim host for reading (an error when the store holds none). */
static int open_saved_host(const cli_globals *globals, cli_store **store, hcsoci_host **host,
                           hcsoci_error **error)
{
    *host = NULL;
    if (cli_store_open(globals->root, false, store, error) != 0)
        return -1;
    if (!cli_sim_host_saved(*store))
        return hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                           "the state directory '%s' holds no simulated host yet", globals->root);
    return cli_sim_host_open(*store, NULL, host, error);
}

int cli_command_host(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("host", argc, argv, print_host_help);
    if (status >= 0)
        return status;
    if (optind >= argc)
        return cli_usage_error("host", "missing the subcommand ('inspect')");
    if (strcmp(argv[optind], "inspect") != 0)
        return cli_usage_error("host", "unknown subcommand '%s' ('inspect')", argv[optind]);
    optind++;
    status = cli_expect_operands("host", argc, argv, 0, "nothing");
    if (status != 0)
        return status;
    hcsoci_error *error = NULL;
    cli_store *store = NULL;
    hcsoci_host *host = NULL;
    if (open_saved_host(globals, &store, &host, &error) == 0) {
        json_t *world = hcsoci_sim_host_world(host);
        if (world == NULL)
            hcsoci_fail_out_of_memory(&error);
        else
            cli_print_json(world, &error);
        json_decref(world);
    }
    hcsoci_host_destroy(host);
    cli_store_close(store);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

static void print_journal_help(void)
{
    printf("Usage: %s journal\n\n"
           "Prints the simulated host's journal, every call made to it, oldest first: one JSON\n"
           "object a line ({\"call\", \"args\", ...}).\n\n"
           "Options:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME);
}

int cli_command_journal(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("journal", argc, argv, print_journal_help);
    if (status >= 0)
        return status;
    status = cli_expect_operands("journal", argc, argv, 0, "nothing");
    if (status != 0)
        return status;
    hcsoci_error *error = NULL;
    cli_store *store = NULL;
    if (cli_store_open(globals->root, false, &store, &error) == 0)
        cli_journal_print(store, &error);
    cli_store_close(store);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}
