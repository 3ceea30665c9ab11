/* The `hcsoci` command: global options, the command table and dispatch. */
#include <config.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/windows_host.h>

#include "cli.h"
#include "portable.h"
#include "lifecycle.h"

static const cli_command commands[] = {
    {"create", "create a container from an OCI bundle and save its state", cli_command_create},
    {"start", "start a created container's compute system", cli_command_start},
    {"kill", "terminate a container's compute system (SIGKILL, SIGTERM)", cli_command_kill},
    {"delete", "release a container's resources and forget it", cli_command_delete},
    {"state", "print a container's OCI state and saved state", cli_command_state},
    {"list", "print the containers with saved state", cli_command_list},
    {"doc", "print the HCS document a create would send, creating nothing", cli_command_doc},
    {"validate", "check an HCS document against the schema; print each problem with its path",
     cli_command_validate},
    {"replay", "run one conformance case in a fresh simulated host and print its trace",
     cli_command_replay},
    {"plugins", "print the loaded modules and what they match", cli_command_plugins},
    {"netns", "query network namespaces ('netns endpoints NS')", cli_command_netns},
    {"uvm", "manage utility VMs ('uvm create|inspect|delete|list')", cli_command_uvm},
    {"features", "print the runtime-spec features document of this build",
     cli_command_features},
    {"host", "print the simulated host's world with what it holds ('host inspect')",
     cli_command_host},
    {"journal", "print the simulated host's journal, one JSON object a line",
     cli_command_journal},
};

static void print_global_help(const char *default_root)
{
    printf("Usage: %s [OPTIONS] COMMAND [ARGS]\n\n", CLI_PROGRAM_NAME);
    printf("Creates Windows-host containers the way hcsshim's internal/hcsoci does, on the host\n"
           "--host names: the embedded simulated host or Windows' vmcompute.dll.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-9s %s\n", commands[i].name, commands[i].summary);
    printf("\nOptions:\n"
           "  --root DIR         state directory (here: %s); its SQLite store\n"
           "                     DIR/state.db holds the containers, utility VMs, the simulated\n"
           "                     host and its journal. Default: %s\n"
           "  --plugin-dir DIR   load modules from DIR too (repeatable); searched after\n"
           "                     $HCSOCI_PLUGIN_PATH and before %s\n"
           "  --host HOST        sim (the simulated host, kept in the state directory) or\n"
           "                     windows (the real one, on vmcompute.dll; nothing of it is\n"
           "                     kept). Default: windows in a Windows build that can load\n"
           "                     vmcompute.dll, unless --world is given; else sim\n"
           "  --world FILE       the simulated host's world (a conformance case's \"host\" part);\n"
           "                     used when the state directory holds no world yet\n"
           "  --log-level LEVEL  error, warn (default), info or debug\n"
           "  --log-format FMT   text (default) or json; logs and errors go to stderr\n"
           "  --log FILE         append the log records to FILE instead (one a line), and the\n"
           "                     command's error too (it is also printed on stderr)\n"
           "  -h, --help         print this help\n"
           "  --version          print the version\n\n"
           "Machine output is JSON on stdout. Exit status: 0 success, 1 the operation failed,\n"
           "2 usage error. Run '%s COMMAND --help' for a command's options.\n",
           default_root, portable_default_state_directory_help(),
           hcsoci_installed_plugin_directory(), CLI_PROGRAM_NAME);
}

int cli_usage_error(const char *command, const char *format, ...)
{
    va_list arguments;
    fprintf(stderr, "%s%s%s: ", CLI_PROGRAM_NAME, command ? " " : "", command ? command : "");
    va_start(arguments, format);
    char *message = NULL;
    if (vasprintf(&message, format, arguments) < 0)
        message = NULL;
    va_end(arguments);
    fputs(message != NULL ? message : "out of memory", stderr);
    /* With --log the usage error is also the log's last error record. */
    if (cli_log_has_file())
        HCSOCI_LOG(HCSOCI_LOG_ERROR, NULL, "%s%s%s", command ? command : "", command ? ": " : "",
                   message != NULL ? message : "out of memory");
    free(message);
    fprintf(stderr, "; try '%s%s%s --help'\n", CLI_PROGRAM_NAME, command ? " " : "",
            command ? command : "");
    return CLI_EXIT_USAGE;
}

int cli_option_error(const char *command, int result, char **argv)
{
    /* getopt leaves optind past the offending element; optopt is the short option (0 for a
     * long one). */
    const char *element = optind > 0 ? argv[optind - 1] : "?";
    if (result == ':')
        return cli_usage_error(command, "option '%s' needs an argument", element);
    if (optopt != 0 && strncmp(element, "--", 2) != 0)
        return cli_usage_error(command, "unknown option '-%c'", optopt);
    return cli_usage_error(command, "unknown option '%s'", element);
}

int cli_expect_operands(const char *command, int argc, char **argv, int count, const char *what)
{
    int given = argc - optind;
    if (given < count)
        return cli_usage_error(command, "missing %s", what);
    if (given > count)
        return cli_usage_error(command, "unexpected argument '%s'", argv[optind + count]);
    return 0;
}

int cli_parse_help_only(const char *command, int argc, char **argv, void (*print_help)(void))
{
    const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int result = getopt_long(argc, argv, ":h", options, NULL);
    if (result == -1)
        return -1;
    if (result != 'h')
        return cli_option_error(command, result, argv);
    print_help();
    return CLI_EXIT_SUCCESS;
}

/* Reports a failed id check as a usage error. */
static int id_operand_result(const char *command, int checked, hcsoci_error *error)
{
    if (checked == 0)
        return -1;
    cli_usage_error(command, "%s", error->message);
    hcsoci_error_free(error);
    return CLI_EXIT_USAGE;
}

int cli_check_id_operand(const char *command, const char *id)
{
    hcsoci_error *error = NULL;
    int checked = cli_validate_container_id(id, &error);
    return id_operand_result(command, checked, error);
}

int cli_check_uvm_id_operand(const char *command, const char *id)
{
    hcsoci_error *error = NULL;
    int checked = cli_validate_uvm_id(id, &error);
    return id_operand_result(command, checked, error);
}

enum {
    OPTION_ROOT = 256,
    OPTION_PLUGIN_DIR,
    OPTION_WORLD,
    OPTION_HOST,
    OPTION_LOG_LEVEL,
    OPTION_LOG_FORMAT,
    OPTION_LOG_FILE,
    OPTION_VERSION,
};

static const struct option global_options[] = {
    {"root", required_argument, NULL, OPTION_ROOT},
    {"plugin-dir", required_argument, NULL, OPTION_PLUGIN_DIR},
    {"world", required_argument, NULL, OPTION_WORLD},
    {"host", required_argument, NULL, OPTION_HOST},
    {"log-level", required_argument, NULL, OPTION_LOG_LEVEL},
    {"log-format", required_argument, NULL, OPTION_LOG_FORMAT},
    {"log", required_argument, NULL, OPTION_LOG_FILE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPTION_VERSION},
    {NULL, 0, NULL, 0},
};

/* Parses the global options up to the command; returns -1 to go on, else an exit status.
 * plugin_directories has room for argc + 1 entries. */
static int parse_global_options(int argc, char **argv, cli_globals *globals,
                                const char **plugin_directories, const char *default_root,
                                const char **log_path, int *host_choice)
{
    size_t directory_count = 0;
    int result;
    opterr = 0;
    while ((result = getopt_long(argc, argv, "+:h", global_options, NULL)) != -1) {
        switch (result) {
        case OPTION_ROOT:
            if (optarg[0] == '\0')
                return cli_usage_error(NULL, "--root needs a directory");
            globals->root = optarg;
            break;
        case OPTION_PLUGIN_DIR:
            plugin_directories[directory_count++] = optarg;
            break;
        case OPTION_WORLD:
            globals->world_path = optarg;
            break;
        case OPTION_HOST:
            if (strcmp(optarg, "sim") == 0)
                *host_choice = CLI_HOST_SIM;
            else if (strcmp(optarg, "windows") == 0)
                *host_choice = CLI_HOST_WINDOWS;
            else
                return cli_usage_error(NULL, "unknown host '%s' (sim, windows)", optarg);
            break;
        case OPTION_LOG_LEVEL: {
            int level = hcsoci_log_level_parse(optarg);
            if (level < 0)
                return cli_usage_error(NULL, "unknown log level '%s' (error, warn, info, debug)",
                                       optarg);
            globals->log_level = (hcsoci_log_level)level;
            break;
        }
        case OPTION_LOG_FORMAT:
            if (strcmp(optarg, "text") == 0)
                globals->log_format = CLI_LOG_TEXT;
            else if (strcmp(optarg, "json") == 0)
                globals->log_format = CLI_LOG_JSON;
            else
                return cli_usage_error(NULL, "unknown log format '%s' (text, json)", optarg);
            break;
        case OPTION_LOG_FILE:
            if (optarg[0] == '\0')
                return cli_usage_error(NULL, "--log needs a file");
            *log_path = optarg;
            break;
        case 'h':
            print_global_help(default_root);
            return CLI_EXIT_SUCCESS;
        case OPTION_VERSION:
            printf("%s %s (plugin ABI %d.%d)\n", CLI_PROGRAM_NAME, PACKAGE_VERSION,
                   HCSOCI_PLUGIN_ABI_MAJOR, HCSOCI_PLUGIN_ABI_MINOR);
            return CLI_EXIT_SUCCESS;
        default:
            return cli_option_error(NULL, result, argv);
        }
    }
    plugin_directories[directory_count] = NULL;
    return -1;
}

/* Settles globals->host_kind: the one --host named (refusing windows when this build or
 * machine has no Windows host), else the Windows host when there is one and no --world was
 * given, else the simulated host. Returns -1 to go on, else the exit status. */
static int choose_host(cli_globals *globals, int host_choice)
{
    if (host_choice < 0) {
        globals->host_kind = hcsoci_windows_host_available() && globals->world_path == NULL
                                 ? CLI_HOST_WINDOWS
                                 : CLI_HOST_SIM;
        return -1;
    }
    globals->host_kind = (cli_host_kind)host_choice;
    if (globals->host_kind == CLI_HOST_WINDOWS && !hcsoci_windows_host_available()) {
        hcsoci_host *host = NULL;
        hcsoci_error *error = NULL;
        if (hcsoci_windows_host_new(&host, &error) != 0) {
            hcsoci_error_prefix(error, "--host windows: ");
            return cli_report_error(error);
        }
        hcsoci_host_destroy(host);
    }
    return -1;
}

static int run(int argc, char **argv)
{
    char *default_root = cli_default_root();
    if (default_root == NULL) {
        fprintf(stderr, "%s: out of memory\n", CLI_PROGRAM_NAME);
        return CLI_EXIT_FAILURE;
    }
    const char **plugin_directories = calloc((size_t)argc + 1, sizeof *plugin_directories);
    if (plugin_directories == NULL) {
        free(default_root);
        fprintf(stderr, "%s: out of memory\n", CLI_PROGRAM_NAME);
        return CLI_EXIT_FAILURE;
    }
    cli_globals globals = {
        .root = default_root,
        .plugin_directories = plugin_directories,
        .world_path = NULL,
        .log_level = HCSOCI_LOG_WARN,
        .log_format = CLI_LOG_TEXT,
    };
    const char *log_path = NULL;
    int host_choice = -1; /* --host, or -1 for the default */
    int status = parse_global_options(argc, argv, &globals, plugin_directories, default_root,
                                      &log_path, &host_choice);
    hcsoci_error *log_error = NULL;
    if (status < 0)
        cli_log_install(globals.log_format, globals.log_level);
    if (status < 0 && log_path != NULL && cli_log_open_file(log_path, &log_error) != 0)
        status = cli_report_error(log_error);
    if (status < 0)
        status = choose_host(&globals, host_choice);
    if (status < 0) {
        if (optind >= argc) {
            status = cli_usage_error(NULL, "no command given");
        } else {
            const char *name = argv[optind];
            const cli_command *command = NULL;
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (strcmp(commands[i].name, name) == 0)
                    command = &commands[i];
            if (command == NULL) {
                status = cli_usage_error(NULL, "unknown command '%s'", name);
            } else {
                int command_argc = argc - optind;
                char **command_argv = argv + optind;
                optind = 0; /* makes glibc's getopt start afresh for the command */
                status = command->run(&globals, command_argc, command_argv);
            }
        }
    }
    free(plugin_directories);
    free(default_root);
    cli_log_close_file();
    return status;
}

int main(int argc, char **argv)
{
    int status = run(argc, argv);
    /* Output that could not be written is a failure, not a silent truncation. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && status == CLI_EXIT_SUCCESS) {
        fprintf(stderr, "%s: cannot write to standard output\n", CLI_PROGRAM_NAME);
        status = CLI_EXIT_FAILURE;
    }
    hcsoci_log_set_sink(NULL, NULL, HCSOCI_LOG_ERROR);
    return status;
}
