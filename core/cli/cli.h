/* The `hcsoci` command: what its parts share. The command only parses arguments, keeps state
 * files and prints; everything else is the library's public API. */
#ifndef HCSOCI_CLI_H
#define HCSOCI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <hcsoci/hcsoci.h>
#include <hcsoci/spec.h>

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

/* The host the commands run against (--host). */
typedef enum cli_host_kind {
    CLI_HOST_SIM = 0,     /* the simulated host, kept in the state store */
    CLI_HOST_WINDOWS = 1, /* the real one, on vmcompute.dll (hcsoci/windows_host.h) */
} cli_host_kind;

/* The global options, valid for the whole run. */
typedef struct cli_globals {
    cli_host_kind host_kind;
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

/* ---- validate.c: validate ---- */
int cli_command_validate(const cli_globals *globals, int argc, char **argv);

/* ---- uvm_commands.c: uvm create, inspect, delete, list ---- */
int cli_command_uvm(const cli_globals *globals, int argc, char **argv);

/* ---- queries.c: replay, plugins, netns, host inspect, journal ---- */
int cli_command_replay(const cli_globals *globals, int argc, char **argv);
int cli_command_plugins(const cli_globals *globals, int argc, char **argv);
int cli_command_netns(const cli_globals *globals, int argc, char **argv);
int cli_command_host(const cli_globals *globals, int argc, char **argv);
int cli_command_journal(const cli_globals *globals, int argc, char **argv);

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
    HCSOCI_PRINTF_FORMAT(2, 3);

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
void cli_warn(const char *format, ...) HCSOCI_PRINTF_FORMAT(1, 2);

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

/* ---- state.c: the state directory and ids ---- */

/* The default state directory: $XDG_RUNTIME_DIR/hcsoci, else /run/hcsoci for root, else
 * /tmp/hcsoci-<uid>. The caller frees the result. */
char *cli_default_root(void);

/* Checks that an id is safe (it names compute systems and rows of the store): 1 to
 * CLI_MAX_ID_LENGTH characters from [A-Za-z0-9_.+-], not starting with '.', never "..".
 * what names the kind of id ("container") in the error, which quotes the id escaped. */
#define CLI_MAX_ID_LENGTH 128
int cli_validate_id(const char *what, const char *id, hcsoci_error **error);

/* cli_validate_id for a container id. */
int cli_validate_container_id(const char *id, hcsoci_error **error);

/* cli_validate_id for a utility VM id. */
int cli_validate_uvm_id(const char *id, hcsoci_error **error);

/* Creates the state directory (mode 0700) when missing and checks that it is a directory owned
 * by this user and not writable by group or others. */
int cli_prepare_root(const char *root, hcsoci_error **error);

/* ---- store.c: the state store, ROOT/state.db (SQLite) ---- */

/* The most nested levels of objects and arrays that the store saves: what it reads back. */
#define CLI_MAX_JSON_DEPTH 2048

typedef struct cli_store cli_store;

/* Refuses a value nested more than CLI_MAX_JSON_DEPTH levels deep; what names it ("the spec")
 * in the error, which names the limit. */
int cli_json_depth_check(const json_t *value, const char *what, hcsoci_error **error);

/* Checks, when it exists, that the state directory is a directory owned by this user and not
 * writable by group or others (what cli_prepare_root checks, creating nothing). */
int cli_check_root(const char *root, hcsoci_error **error);

/* Opens ROOT/state.db. for_changes: prepares ROOT (cli_prepare_root), creates the store when
 * missing and keeps the write lock from the first cli_store_begin until cli_store_close; else
 * only checks ROOT (cli_check_root) and, when there is no store yet, reads an empty one without
 * creating anything. Concurrent commands wait for each other. The caller closes *store. */
int cli_store_open(const char *root, bool for_changes, cli_store **store, hcsoci_error **error);

/* Rolls back an open transaction and closes the store (releasing its lock); NULL is allowed. */
void cli_store_close(cli_store *store);

/* BEGIN IMMEDIATE: takes the write lock (waiting for other commands). */
int cli_store_begin(cli_store *store, hcsoci_error **error);

/* Commits the transaction; on failure ("cannot save state in ROOT/state.db: database or disk is
 * full") it is rolled back, leaving the store as it was before cli_store_begin. */
int cli_store_commit(cli_store *store, hcsoci_error **error);

/* Rolls back the open transaction, if any. */
void cli_store_rollback(cli_store *store);

/* True between cli_store_begin and its commit or rollback. */
bool cli_store_in_transaction(const cli_store *store);

/* ROOT/state.db (borrowed), for messages. */
const char *cli_store_path(const cli_store *store);

/* True when the store holds container id. */
bool cli_state_exists(cli_store *store, const char *id);

/* Saves (adds or replaces) container id's state; refused when it is nested too deeply. */
int cli_state_save(cli_store *store, const char *id, const json_t *state, hcsoci_error **error);

/* Reads container id's state; a missing one is an error saying the container does not exist.
 * The caller owns *state. */
int cli_state_load(cli_store *store, const char *id, json_t **state, hcsoci_error **error);

/* Removes container id's state. */
int cli_state_remove(cli_store *store, const char *id, hcsoci_error **error);

/* The ids of the saved containers, sorted (new array of strings). */
int cli_state_list_ids(cli_store *store, json_t **ids, hcsoci_error **error);

/* The containers in utility VMs: {"<hostingSystemId>": [container ids, sorted], ...} (new
 * object) from the saved states. Unreadable states are skipped with a warning. */
int cli_state_hosted_containers(cli_store *store, json_t **by_uvm, hcsoci_error **error);

/* True when the store holds utility VM id. */
bool cli_uvm_exists(cli_store *store, const char *id);

/* Reads utility VM id into a model bound to host (borrowed); a missing one is an error saying
 * the VM does not exist. The caller frees *uvm. */
int cli_uvm_load(hcsoci_host *host, cli_store *store, const char *id, hcsoci_uvm **uvm,
                 hcsoci_error **error);

/* Saves the model (hcsoci_uvm_to_json) under its id, replacing what was saved. */
int cli_uvm_save(cli_store *store, const hcsoci_uvm *uvm, hcsoci_error **error);

/* Removes utility VM id. */
int cli_uvm_remove(cli_store *store, const char *id, hcsoci_error **error);

/* The ids of the saved utility VMs, sorted (new array of strings). */
int cli_uvm_list_ids(cli_store *store, json_t **ids, hcsoci_error **error);

/* True when the store holds a simulated host's saved state. */
bool cli_sim_host_saved(cli_store *store);

/* Opens the sim host saved in the store (hcsoci_sim_host_from_json), or, when there is none
 * yet, makes one from world (borrowed; NULL is then an error). The caller owns *host. */
int cli_sim_host_open(cli_store *store, const json_t *world, hcsoci_host **host,
                      hcsoci_error **error);

/* Appends the calls the host hands over (hcsoci_sim_host_take_journal) to the journal, one row
 * each, and replaces the saved state with hcsoci_sim_host_to_json, in the open transaction. */
int cli_sim_host_save(cli_store *store, hcsoci_host *host, hcsoci_error **error);

/* Prints the journal on stdout, one JSON object a line, oldest first. */
int cli_journal_print(cli_store *store, hcsoci_error **error);

/* ---- session.c: the host and the runtime of one command ---- */

/* What a command that talks to the host holds while it runs. */
struct cli_session {
    cli_store *store; /* open for changes, in a transaction */
    hcsoci_host *host;
    hcsoci_runtime *runtime;
    bool saves_host; /* the simulated host: its state and journal are saved at each commit */
};

/* Opens the store for changes and begins its transaction, opens the sim host from it (or from
 * --world when it holds no world yet) and loads the modules. On failure nothing is left open. */
int cli_session_open(const cli_globals *globals, cli_session *session, hcsoci_error **error);

/* Only opens the store for changes and begins its transaction (host and runtime stay NULL),
 * for commands that make no host call. On failure nothing is left open. */
int cli_session_lock(const cli_globals *globals, cli_session *session, hcsoci_error **error);

/* Opens the sim host and loads the modules for a session locked by cli_session_lock. On
 * failure the session stays locked; cli_session_close unlocks it. */
int cli_session_open_host(const cli_globals *globals, cli_session *session,
                          hcsoci_error **error);

/* Saves the sim host's state and journal in the transaction and commits it (whether the
 * command failed or not: what it did to the host is kept), then frees the runtime and the host
 * and closes the store. A failure to save rolls everything back, leaving the store as it was
 * before the command. *error may already hold the command's own error: then a failure to save
 * is reported on stderr, else it is stored in *error. Returns -1 when *error is set. */
int cli_session_close(const cli_globals *globals, cli_session *session, hcsoci_error **error);

/* Commits what the session did so far with the sim host's state and journal, and begins the
 * next transaction (the write lock stays held). On failure the transaction is rolled back. */
int cli_session_commit(cli_session *session, hcsoci_error **error);

/* A simulated host with an empty world, for binding models of commands that make no host call
 * (the caller destroys it with hcsoci_host_destroy). */
int cli_detached_host(hcsoci_host **host, hcsoci_error **error);

/* The host --host chose, for commands whose host is not kept in the store (replay): NULL for
 * the simulated one (the command makes its own), else a new Windows host the caller destroys.
 * Returns -1 with *error when the Windows host cannot be made. */
int cli_chosen_live_host(const cli_globals *globals, hcsoci_host **host, hcsoci_error **error);

/* Runtime options carrying the global --plugin-dir directories and the program name; host may
 * be NULL. */
hcsoci_runtime_options cli_runtime_options(const cli_globals *globals, hcsoci_host *host);

#endif
