/* The `hcsoci` command: what its parts share. The command only parses arguments, keeps state
 * files and prints; everything else is the library's public API. */
#ifndef HCSOCI_CLI_H
#define HCSOCI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <hcsoci/hcsoci.h>

/* Exit statuses. */
#define CLI_EXIT_SUCCESS 0
#define CLI_EXIT_FAILURE 1 /* the operation failed */
#define CLI_EXIT_USAGE 2   /* unknown option, missing or bad argument */

/* The program name used in messages and as the default container owner. */
#define CLI_PROGRAM_NAME "hcsoci"

typedef enum cli_log_format {
    CLI_LOG_TEXT = 0, /* level=warn msg="..." key=value */
    CLI_LOG_JSON = 1, /* {"level":"warn","msg":"...",...} one per line */
} cli_log_format;

/* The global options, valid for the whole run. */
typedef struct cli_globals {
    const char *root;                        /* state directory */
    const char *const *plugin_directories;   /* NULL-terminated (--plugin-dir, repeatable) */
    const char *world_path;                  /* --world FILE or NULL */
    hcsoci_log_level log_level;
    cli_log_format log_format;
} cli_globals;

/* A command: its name, one line for the global help, and the function that parses its own
 * arguments (argv[0] is the command name) and returns the exit status. */
typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(const cli_globals *globals, int argc, char **argv);
} cli_command;

typedef struct cli_session cli_session;

/* ---- commands.c: create, doc, delete, state, list ---- */
int cli_command_create(const cli_globals *globals, int argc, char **argv);
int cli_command_doc(const cli_globals *globals, int argc, char **argv);
int cli_command_delete(const cli_globals *globals, int argc, char **argv);
int cli_command_state(const cli_globals *globals, int argc, char **argv);
int cli_command_list(const cli_globals *globals, int argc, char **argv);

/* ---- uvm_commands.c: uvm create, inspect, delete, list ---- */
int cli_command_uvm(const cli_globals *globals, int argc, char **argv);

/* ---- queries.c: replay, plugins, netns ---- */
int cli_command_replay(const cli_globals *globals, int argc, char **argv);
int cli_command_plugins(const cli_globals *globals, int argc, char **argv);
int cli_command_netns(const cli_globals *globals, int argc, char **argv);

/* Deletes one container in a session opened with its host: releases its ledger (from its
 * hosting system, whose saved state is updated) and removes its state file. On failure the
 * state keeps what is left; force removes it anyway (a warning tells why), unless it does not
 * exist. Returns -1 when *error is set. */
int cli_delete_container(const cli_globals *globals, cli_session *session, const char *id,
                         bool force, hcsoci_error **error);

/* ---- main.c: option parsing helpers shared by the commands ---- */

/* Reports a usage error ("hcsoci create: <message>") with a one-line hint to the command's
 * help on stderr and returns CLI_EXIT_USAGE. command may be NULL for the global options. */
int cli_usage_error(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Handles getopt_long's '?' and ':' results for command (NULL: global options): prints the
 * unknown option or the option missing its argument and returns CLI_EXIT_USAGE. */
int cli_option_error(const char *command, int result, char **argv);

/* Requires exactly `count` operands after the options (argv[optind..]); otherwise reports a
 * usage error naming what is expected and returns CLI_EXIT_USAGE, else 0. */
int cli_expect_operands(const char *command, int argc, char **argv, int count,
                        const char *what);

/* Parses the options of a command whose only option is --help (printed by print_help);
 * returns -1 to go on, else an exit status. */
int cli_parse_help_only(const char *command, int argc, char **argv, void (*print_help)(void));

/* Checks a container id given on the command line (cli_validate_container_id); returns -1 to
 * go on, else reports the usage error and returns CLI_EXIT_USAGE. */
int cli_check_id_operand(const char *command, const char *id);

/* The same for a utility VM id (cli_validate_uvm_id). */
int cli_check_uvm_id_operand(const char *command, const char *id);

/* ---- output.c: stdout, stderr and the log sink ---- */

/* Installs the log sink writing records to stderr in the chosen format up to max_level. */
void cli_log_install(cli_log_format format, hcsoci_log_level max_level);

/* Prints a JSON value on stdout (indent 2, then a newline), the machine output of a command.
 * Returns 0, or -1 with *error when stdout cannot be written. */
int cli_print_json(const json_t *value, hcsoci_error **error);

/* Reports an operation error on stderr in the log format ("hcsoci: error: ..." or a JSON
 * line) and frees it; returns CLI_EXIT_FAILURE. */
int cli_report_error(hcsoci_error *error);

/* Reports a warning on stderr in the log format (through the log sink). */
void cli_warn(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Parses a JSON file that must hold an object; what names the file's role in errors ("spec",
 * "world", ...). Errors name the file and, for malformed JSON, the line, column and jansson's
 * message. The caller owns *value. */
int cli_load_json_object(const char *path, const char *what, json_t **value,
                         hcsoci_error **error);

/* The largest spec file the command reads: 16 MiB. Real specs are a few kilobytes; parsed
 * JSON takes 8 to 15 times its text in memory (`doc` of a 16 MiB spec peaks near 130 MB). */
#define CLI_MAX_SPEC_FILE_BYTES ((size_t)16 * 1024 * 1024)

/* cli_load_json_object for a file of at most limit bytes: a larger regular file is refused
 * before it is read, naming its size; any other file (a pipe) once more than limit was read. */
int cli_load_json_object_limited(const char *path, const char *what, size_t limit,
                                 json_t **value, hcsoci_error **error);

/* ---- state.c: the state directory ---- */

/* The default state directory: $XDG_RUNTIME_DIR/hcsoci, else /run/hcsoci for root, else
 * /tmp/hcsoci-<uid>. The caller frees the result. */
char *cli_default_root(void);

/* Checks that an id is safe as a file name: 1 to CLI_MAX_ID_LENGTH characters from
 * [A-Za-z0-9_.+-], not starting with '.', never "..". what names the kind of id ("container")
 * in the error, which quotes the id escaped. */
#define CLI_MAX_ID_LENGTH 128
int cli_validate_id(const char *what, const char *id, hcsoci_error **error);

/* cli_validate_id for a container id. */
int cli_validate_container_id(const char *id, hcsoci_error **error);

/* cli_validate_id for a utility VM id. */
int cli_validate_uvm_id(const char *id, hcsoci_error **error);

/* Creates the state directory (mode 0700) when missing and checks that it is a directory owned
 * by this user and not writable by group or others. */
int cli_prepare_root(const char *root, hcsoci_error **error);

/* Takes an exclusive lock on ROOT/lock for the commands that change state; returns the lock's
 * file descriptor (close it to unlock) or -1 with *error. */
int cli_lock_root(const char *root, hcsoci_error **error);

/* True when ROOT/containers/<id>.json exists. */
bool cli_state_exists(const char *root, const char *id);

/* Writes ROOT/containers/<id>.json atomically (mode 0600). */
int cli_state_save(const char *root, const char *id, const json_t *state, hcsoci_error **error);

/* Reads ROOT/containers/<id>.json; a missing file is an error saying the container does not
 * exist. The caller owns *state. */
int cli_state_load(const char *root, const char *id, json_t **state, hcsoci_error **error);

/* Removes ROOT/containers/<id>.json. */
int cli_state_remove(const char *root, const char *id, hcsoci_error **error);

/* The ids that have a state file, sorted (new array of strings; empty when the directory does
 * not exist). Files whose names are not valid ids are skipped. */
int cli_state_list_ids(const char *root, json_t **ids, hcsoci_error **error);

/* The containers in utility VMs: {"<hostingSystemId>": [container ids, sorted], ...} (new
 * object) from the saved states. Unreadable states are skipped with a warning. */
int cli_state_hosted_containers(const char *root, json_t **by_uvm, hcsoci_error **error);

/* True when ROOT/uvm-<id>.json (the file cli_uvm_save writes) exists. */
bool cli_uvm_exists(const char *root, const char *id);

/* Reads ROOT/uvm-<id>.json into a model bound to host (borrowed); a missing file is an error
 * saying the VM does not exist, a malformed one names the file (and line). The caller frees
 * *uvm. */
int cli_uvm_load(hcsoci_host *host, const char *root, const char *id, hcsoci_uvm **uvm,
                 hcsoci_error **error);

/* Writes the model (hcsoci_uvm_to_json) to ROOT/uvm-<its id>.json, replacing it atomically. */
int cli_uvm_save(const char *root, const hcsoci_uvm *uvm, hcsoci_error **error);

/* Removes ROOT/uvm-<id>.json. */
int cli_uvm_remove(const char *root, const char *id, hcsoci_error **error);

/* The ids of the saved utility VMs, sorted (new array of strings). Files whose names hold no
 * valid id are skipped. */
int cli_uvm_list_ids(const char *root, json_t **ids, hcsoci_error **error);

/* ---- sim_state.c: the simulated host's files ---- */

/* Opens the sim host saved in ROOT/sim-world.json (hcsoci_sim_host_from_json), or, when there
 * is none yet, makes one from world (borrowed; NULL is then an error). A symbolic link or
 * anything but a regular file in its place is refused. The caller owns *host. */
int cli_sim_host_open(const char *root, const json_t *world, hcsoci_host **host,
                      hcsoci_error **error);

/* Appends the calls the host hands over (hcsoci_sim_host_take_journal) to ROOT/journal.jsonl,
 * one per line, then replaces ROOT/sim-world.json with hcsoci_sim_host_to_json atomically. */
int cli_sim_host_save(const char *root, hcsoci_host *host, hcsoci_error **error);

/* ---- session.c: the host and the runtime of one command ---- */

/* What a command that talks to the host holds while it runs. */
struct cli_session {
    int lock_fd;
    hcsoci_host *host;
    hcsoci_runtime *runtime;
};

/* Prepares and locks the state directory, opens the sim host from it (or from --world when it
 * holds no world yet) and loads the modules. On failure nothing is left open. */
int cli_session_open(const cli_globals *globals, cli_session *session, hcsoci_error **error);

/* Only prepares and locks the state directory (host and runtime stay NULL), for commands that
 * make no host call. On failure nothing is left open. */
int cli_session_lock(const cli_globals *globals, cli_session *session, hcsoci_error **error);

/* Opens the sim host and loads the modules for a session locked by cli_session_lock. On
 * failure the session stays locked; cli_session_close unlocks it. */
int cli_session_open_host(const cli_globals *globals, cli_session *session,
                          hcsoci_error **error);

/* Saves the sim host's state and journal to the state directory, then frees the runtime and
 * the host and unlocks. *error may already hold the command's own error: then a failure to
 * save is reported on stderr, else it is stored in *error. Returns -1 when *error is set. */
int cli_session_close(const cli_globals *globals, cli_session *session, hcsoci_error **error);

/* A simulated host with an empty world, for binding models of commands that make no host call
 * (the caller destroys it with hcsoci_host_destroy). */
int cli_detached_host(hcsoci_host **host, hcsoci_error **error);

/* Runtime options carrying the global --plugin-dir directories and the program name; host may
 * be NULL. */
hcsoci_runtime_options cli_runtime_options(const cli_globals *globals, hcsoci_host *host);

#endif
