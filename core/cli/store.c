/* The state store: one SQLite database, ROOT/state.db, holding the containers, the utility VMs
 * (the model's hcsoci_uvm_to_json), the simulated host's saved state (hcsoci_sim_host_to_json)
 * and its journal, one row per call. JSON is kept as text. A command that changes state holds
 * the database's write lock from its first transaction to its end (BEGIN IMMEDIATE in
 * exclusive locking mode), so that its commits are never interleaved with another command's;
 * the others wait (busy timeout). WAL with synchronous=FULL: a committed command survives a
 * crash of the process and of the machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include <hcsoci/json_number.h>
#include <hcsoci/sim.h>

#include "cli.h"
#include "portable.h"

#define STORE_FILE "state.db"
#define STORE_SCHEMA_VERSION 1
#define STORE_BUSY_TIMEOUT_MS 60000
/* The write-ahead log is copied into the database and emptied when a command leaves it
 * holding more pages than this. */
#define STORE_CHECKPOINT_PAGES 64

/* The most statements a connection keeps prepared: more than the store's SQL has. */
#define STORE_KEPT_STATEMENTS 16

struct cli_store {
    sqlite3 *database;
    char *path;          /* for messages */
    bool in_transaction;
    int log_pages;       /* pages in the write-ahead log after this connection's last commit */
    /* Statements prepared once and run again (a create journals a row a host call):
     * preparing one costs as much as running it. */
    struct {
        char *sql;
        sqlite3_stmt *statement;
    } kept[STORE_KEPT_STATEMENTS];
    size_t kept_count;
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS containers (id TEXT PRIMARY KEY, state TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS uvms (id TEXT PRIMARY KEY, state TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sim_host (singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
    " state TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS journal (sequence INTEGER PRIMARY KEY, call TEXT NOT NULL);"
    "PRAGMA user_version = 1;";

/* Before SQLite's first use in this process: no lookaside buffer and no page cache allocated
 * ahead. Both are written through as soon as a connection opens (about 130 KB), and a command
 * opens one connection and touches a few pages: memory is taken as it is used. */
static void configure_sqlite(void)
{
    static bool configured;
    if (configured)
        return;
    configured = true;
    /* Refused (SQLITE_MISUSE) if SQLite is initialised already: its defaults then stay. */
    sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)NULL, 0, 0);
}

/* The prepared statement of sql (one statement), kept for the connection's life; NULL when it
 * cannot be prepared. Hand it back with statement_done before preparing the same SQL again. */
static sqlite3_stmt *kept_statement(cli_store *store, const char *sql)
{
    for (size_t index = 0; index < store->kept_count; index++)
        if (strcmp(store->kept[index].sql, sql) == 0)
            return store->kept[index].statement;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v3(store->database, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement,
                           NULL) != SQLITE_OK)
        return NULL;
    char *copy = store->kept_count < STORE_KEPT_STATEMENTS ? strdup(sql) : NULL;
    if (copy == NULL) {
        /* Not kept: finalized when it is done. */
        return statement;
    }
    store->kept[store->kept_count].sql = copy;
    store->kept[store->kept_count].statement = statement;
    store->kept_count++;
    return statement;
}

/* Resets a statement from kept_statement, so that it holds no lock and no parameter, or
 * finalizes it when it was not kept. */
static void statement_done(cli_store *store, sqlite3_stmt *statement)
{
    if (statement == NULL)
        return;
    for (size_t index = 0; index < store->kept_count; index++) {
        if (store->kept[index].statement == statement) {
            sqlite3_reset(statement);
            sqlite3_clear_bindings(statement);
            return;
        }
    }
    sqlite3_finalize(statement);
}

/* SQLite's message, or "database or disk is full" for an I/O error that was a full disk. */
static const char *store_message(cli_store *store, char *buffer, size_t size)
{
    int number = sqlite3_system_errno(store->database);
    if (portable_error_is_disk_full(number))
        return sqlite3_errstr(SQLITE_FULL);
    if (number != 0 && (sqlite3_errcode(store->database) & 0xff) == SQLITE_IOERR) {
        snprintf(buffer, size, "%s (%s)", sqlite3_errmsg(store->database), strerror(number));
        return buffer;
    }
    return sqlite3_errmsg(store->database);
}

static int write_failed(cli_store *store, hcsoci_error **error)
{
    char buffer[256];
    return hcsoci_fail(error, HCSOCI_E_IO, "cannot save state in %s: %s", store->path,
                       store_message(store, buffer, sizeof buffer));
}

static int read_failed(cli_store *store, hcsoci_error **error)
{
    char buffer[256];
    return hcsoci_fail(error, HCSOCI_E_IO, "cannot read state in %s: %s", store->path,
                       store_message(store, buffer, sizeof buffer));
}

static int execute(cli_store *store, const char *sql, hcsoci_error **error)
{
    if (sqlite3_exec(store->database, sql, NULL, NULL, NULL) != SQLITE_OK)
        return write_failed(store, error);
    return 0;
}

int cli_json_depth_check(const json_t *value, const char *what, hcsoci_error **error)
{
    /* Walks at most CLI_MAX_JSON_DEPTH + 1 levels, so a deeper value costs no more. */
    struct level {
        const json_t *container;
        void *iterator;
        size_t index;
    } levels[CLI_MAX_JSON_DEPTH + 1];
    if (!json_is_object(value) && !json_is_array(value))
        return 0;
    size_t depth = 0;
    levels[0] = (struct level){value, json_is_object(value) ? json_object_iter((json_t *)value)
                                                            : NULL, 0};
    for (;;) {
        struct level *top = &levels[depth];
        const json_t *child = NULL;
        if (json_is_object(top->container)) {
            if (top->iterator != NULL) {
                child = json_object_iter_value(top->iterator);
                top->iterator = json_object_iter_next((json_t *)top->container, top->iterator);
            }
        } else if (top->index < json_array_size(top->container)) {
            child = json_array_get(top->container, top->index++);
        }
        if (child == NULL) {
            if (depth == 0)
                return 0;
            depth--;
            continue;
        }
        if (!json_is_object(child) && !json_is_array(child))
            continue;
        if (depth + 1 >= CLI_MAX_JSON_DEPTH)
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "%s is nested more than %d levels deep, the most the state store "
                               "can read back",
                               what, CLI_MAX_JSON_DEPTH);
        depth++;
        levels[depth] = (struct level){child, json_is_object(child)
                                                  ? json_object_iter((json_t *)child) : NULL, 0};
    }
}

/* The text form of a value to store, refused when it could not be read back. */
static char *store_text(const json_t *value, const char *what, hcsoci_error **error)
{
    if (cli_json_depth_check(value, what, error) != 0)
        return NULL;
    char *text = hcsoci_json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL)
        hcsoci_fail_out_of_memory(error);
    return text;
}

/* Refuses a state directory that another user owns or that group or others may write. */
static int check_root(const char *root, bool *exists, hcsoci_error **error)
{
    struct stat status;
    *exists = false;
    if (stat(root, &status) != 0) {
        if (errno == ENOENT)
            return 0;
        return hcsoci_fail(error, HCSOCI_E_IO, "cannot use state directory '%s': %s", root,
                           strerror(errno));
    }
    *exists = true;
    if (!S_ISDIR(status.st_mode))
        return hcsoci_fail(error, HCSOCI_E_IO, "state directory '%s' is not a directory", root);
    char *reason = NULL;
    int verdict = portable_check_writers(root, PORTABLE_OWNER_CALLER, &reason);
    if (verdict < 0)
        return hcsoci_fail(error, HCSOCI_E_IO, "cannot use state directory '%s': %s", root,
                           strerror(errno));
    if (verdict > 0) {
        hcsoci_fail(error, HCSOCI_E_ACCESS_DENIED, "refusing state directory '%s': it %s", root,
                    reason != NULL ? reason : "may be changed by others");
        free(reason);
        return -1;
    }
    return 0;
}

int cli_check_root(const char *root, hcsoci_error **error)
{
    bool exists;
    return check_root(root, &exists, error);
}

/* SQLite's commit hook for WAL databases: remembers how long the log has grown. */
static int note_log_pages(void *context, sqlite3 *database, const char *name, int pages)
{
    (void)database;
    (void)name;
    ((cli_store *)context)->log_pages = pages;
    return SQLITE_OK;
}

int cli_store_open(const char *root, bool for_changes, cli_store **opened,
                   hcsoci_error **error)
{
    *opened = NULL;
    bool exists = false;
    if (for_changes ? cli_prepare_root(root, error) != 0 : check_root(root, &exists, error) != 0)
        return -1;
    cli_store *store = calloc(1, sizeof *store);
    if (store == NULL || asprintf(&store->path, "%s/" STORE_FILE, root) < 0) {
        free(store);
        return hcsoci_fail_out_of_memory(error);
    }
    if (for_changes) {
        /* Made here so that it is private (SQLite gives its -wal and -shm files its mode). */
        if (portable_create_private_file(store->path) != 0) {
            hcsoci_fail(error, HCSOCI_E_IO, "cannot open the state store %s: %s", store->path,
                        strerror(errno));
            cli_store_close(store);
            return -1;
        }
    }
    configure_sqlite();
    bool in_memory = !for_changes && (!exists || !portable_path_exists(store->path));
    /* A reader of a directory without a store reads an empty one, creating nothing. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
                (for_changes ? SQLITE_OPEN_CREATE : 0);
    int opened_code = in_memory ? sqlite3_open(":memory:", &store->database)
                                : sqlite3_open_v2(store->path, &store->database, flags, NULL);
    if (opened_code != SQLITE_OK) {
        hcsoci_fail(error, HCSOCI_E_IO, "cannot open the state store %s: %s", store->path,
                    store->database != NULL ? sqlite3_errmsg(store->database)
                                            : sqlite3_errstr(opened_code));
        cli_store_close(store);
        return -1;
    }
    sqlite3_busy_timeout(store->database, STORE_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(store->database, 1);
    /* The write-ahead log stays between commands: checkpointing it at every close would cost
     * each command three more syncs (the log, the database, the new log's directory entry).
     * cli_store_close empties it once it has grown (every command reads all of it again when
     * it opens the store, and a checkpoint by SQLite itself would not empty it). */
    sqlite3_db_config(store->database, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    int version = 0;
    sqlite3_stmt *statement = NULL;
    /* A changing command takes the exclusive lock before the log is opened, so that SQLite
     * keeps the log's index in this process's memory instead of in the -shm file (which each
     * first opener truncates and rebuilds anyway): no other connection can read while it is
     * held, as it is from the command's first transaction to its end. Readers use the file. */
    int result = for_changes ? execute(store, "PRAGMA locking_mode = EXCLUSIVE;", error) : 0;
    if (result == 0)
        result = execute(store,
                         "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                         " PRAGMA wal_autocheckpoint = 0;",
                         error);
    /* After the pragma, which sets a hook of its own. */
    sqlite3_wal_hook(store->database, note_log_pages, store);
    if (result == 0 &&
        sqlite3_prepare_v2(store->database, "PRAGMA user_version", -1, &statement, NULL) ==
            SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
        version = sqlite3_column_int(statement, 0);
    else if (result == 0)
        result = read_failed(store, error);
    sqlite3_finalize(statement);
    if (result == 0 && version > STORE_SCHEMA_VERSION)
        result = hcsoci_fail(error, HCSOCI_E_NOT_SUPPORTED,
                             "the state store %s has format %d; this hcsoci reads format %d",
                             store->path, version, STORE_SCHEMA_VERSION);
    if (result == 0 && version < STORE_SCHEMA_VERSION)
        result = execute(store, "BEGIN IMMEDIATE;", error) == 0 &&
                         execute(store, schema_sql, error) == 0 &&
                         execute(store, "COMMIT;", error) == 0
                     ? 0 : -1;
    if (result != 0) {
        cli_store_close(store);
        return -1;
    }
    *opened = store;
    return 0;
}

void cli_store_close(cli_store *store)
{
    if (store == NULL)
        return;
    if (store->in_transaction)
        cli_store_rollback(store);
    for (size_t index = 0; index < store->kept_count; index++) {
        sqlite3_finalize(store->kept[index].statement);
        free(store->kept[index].sql);
    }
    /* A failed checkpoint loses nothing: the log keeps what the database does not yet hold. */
    if (store->log_pages > STORE_CHECKPOINT_PAGES)
        sqlite3_wal_checkpoint_v2(store->database, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_close(store->database);
    free(store->path);
    free(store);
}

int cli_store_begin(cli_store *store, hcsoci_error **error)
{
    if (execute(store, "BEGIN IMMEDIATE;", error) != 0)
        return -1;
    store->in_transaction = true;
    return 0;
}

int cli_store_commit(cli_store *store, hcsoci_error **error)
{
    if (execute(store, "COMMIT;", error) != 0) {
        cli_store_rollback(store);
        return -1;
    }
    store->in_transaction = false;
    return 0;
}

void cli_store_rollback(cli_store *store)
{
    if (sqlite3_get_autocommit(store->database) == 0)
        sqlite3_exec(store->database, "ROLLBACK;", NULL, NULL, NULL);
    store->in_transaction = false;
}

bool cli_store_in_transaction(const cli_store *store)
{
    return store->in_transaction;
}

const char *cli_store_path(const cli_store *store)
{
    return store->path;
}

/* ---- rows of JSON text ---- */

/* Runs sql (one statement) with up to two text parameters (NULL: none). */
static int run_statement(cli_store *store, const char *sql, const char *first,
                         const char *second, hcsoci_error **error)
{
    sqlite3_stmt *statement = kept_statement(store, sql);
    if (statement == NULL)
        return write_failed(store, error);
    if (first != NULL)
        sqlite3_bind_text(statement, 1, first, -1, SQLITE_STATIC);
    if (second != NULL)
        sqlite3_bind_text(statement, 2, second, -1, SQLITE_STATIC);
    int code = sqlite3_step(statement);
    int result = code == SQLITE_DONE ? 0 : write_failed(store, error);
    statement_done(store, statement);
    return result;
}

static int save_row(cli_store *store, const char *table, const char *id, const json_t *value,
                    const char *what, hcsoci_error **error)
{
    char *text = store_text(value, what, error);
    if (text == NULL)
        return -1;
    char sql[96];
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO %s (id, state) VALUES (?1, ?2)", table);
    int result = run_statement(store, sql, id, text, error);
    free(text);
    return result;
}

/* Reads the row's JSON; *found false (and *value NULL) when there is none. */
static int load_row(cli_store *store, const char *sql, const char *id, bool *found,
                    json_t **value, hcsoci_error **error)
{
    *found = false;
    *value = NULL;
    sqlite3_stmt *statement = kept_statement(store, sql);
    if (statement == NULL)
        return read_failed(store, error);
    if (id != NULL)
        sqlite3_bind_text(statement, 1, id, -1, SQLITE_STATIC);
    int code = sqlite3_step(statement);
    int result = 0;
    if (code == SQLITE_ROW) {
        *found = true;
        json_error_t parse_error;
        const char *text = (const char *)sqlite3_column_text(statement, 0);
        *value = text != NULL ? hcsoci_json_loads(text, 0, &parse_error) : NULL;
        if (*value == NULL)
            result = hcsoci_fail(error, HCSOCI_E_INVALID, "cannot parse the saved %s in %s: %s",
                                 id != NULL ? id : "state", store->path,
                                 text != NULL ? parse_error.text : "no text");
    } else if (code != SQLITE_DONE) {
        result = read_failed(store, error);
    }
    statement_done(store, statement);
    return result;
}

static bool row_exists(cli_store *store, const char *sql, const char *id)
{
    sqlite3_stmt *statement = kept_statement(store, sql);
    bool exists = false;
    if (statement != NULL) {
        sqlite3_bind_text(statement, 1, id, -1, SQLITE_STATIC);
        exists = sqlite3_step(statement) == SQLITE_ROW;
    }
    statement_done(store, statement);
    return exists;
}

static int list_ids(cli_store *store, const char *sql, json_t **ids, hcsoci_error **error)
{
    *ids = json_array();
    if (*ids == NULL)
        return hcsoci_fail_out_of_memory(error);
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(store->database, sql, -1, &statement, NULL) != SQLITE_OK) {
        json_decref(*ids);
        *ids = NULL;
        return read_failed(store, error);
    }
    int code, result = 0;
    while (result == 0 && (code = sqlite3_step(statement)) == SQLITE_ROW)
        if (json_array_append_new(*ids, json_string((const char *)sqlite3_column_text(
                                            statement, 0))) != 0)
            result = hcsoci_fail_out_of_memory(error);
    if (result == 0 && code != SQLITE_DONE)
        result = read_failed(store, error);
    sqlite3_finalize(statement);
    if (result != 0) {
        json_decref(*ids);
        *ids = NULL;
    }
    return result;
}

/* ---- containers ---- */

bool cli_state_exists(cli_store *store, const char *id)
{
    return row_exists(store, "SELECT 1 FROM containers WHERE id = ?1", id);
}

int cli_state_save(cli_store *store, const char *id, const json_t *state, hcsoci_error **error)
{
    return save_row(store, "containers", id, state, "the container's saved state", error);
}

int cli_state_load(cli_store *store, const char *id, json_t **state, hcsoci_error **error)
{
    bool found;
    if (load_row(store, "SELECT state FROM containers WHERE id = ?1", id, &found, state,
                 error) != 0)
        return -1;
    if (!found)
        return hcsoci_fail(error, HCSOCI_E_NOT_FOUND, "container '%s' does not exist", id);
    if (!json_is_object(*state)) {
        json_decref(*state);
        *state = NULL;
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "the saved state of container '%s' is not an object", id);
    }
    return 0;
}

int cli_state_remove(cli_store *store, const char *id, hcsoci_error **error)
{
    return run_statement(store, "DELETE FROM containers WHERE id = ?1", id, NULL, error);
}

int cli_state_list_ids(cli_store *store, json_t **ids, hcsoci_error **error)
{
    return list_ids(store, "SELECT id FROM containers ORDER BY id", ids, error);
}

int cli_state_hosted_containers(cli_store *store, json_t **by_uvm, hcsoci_error **error)
{
    json_t *ids = NULL;
    *by_uvm = NULL;
    if (cli_state_list_ids(store, &ids, error) != 0)
        return -1;
    json_t *map = json_object();
    int result = map != NULL ? 0 : hcsoci_fail_out_of_memory(error);
    size_t index;
    json_t *id;
    json_array_foreach(ids, index, id) {
        if (result != 0)
            break;
        json_t *state = NULL;
        hcsoci_error *load_error = NULL;
        if (cli_state_load(store, json_string_value(id), &state, &load_error) != 0) {
            cli_warn("skipping container '%s': %s", json_string_value(id), load_error->message);
            hcsoci_error_free(load_error);
            continue;
        }
        const char *uvm_id = json_string_value(json_object_get(state, "hostingSystemId"));
        if (uvm_id != NULL) {
            json_t *hosted = json_object_get(map, uvm_id);
            if (hosted == NULL && json_object_set_new(map, uvm_id, json_array()) == 0)
                hosted = json_object_get(map, uvm_id);
            if (hosted == NULL || json_array_append(hosted, id) != 0)
                result = hcsoci_fail_out_of_memory(error);
        }
        json_decref(state);
    }
    json_decref(ids);
    if (result != 0) {
        json_decref(map);
        return -1;
    }
    *by_uvm = map;
    return 0;
}

/* ---- utility VMs ---- */

bool cli_uvm_exists(cli_store *store, const char *id)
{
    return row_exists(store, "SELECT 1 FROM uvms WHERE id = ?1", id);
}

int cli_uvm_load(hcsoci_host *host, cli_store *store, const char *id, hcsoci_uvm **uvm,
                 hcsoci_error **error)
{
    *uvm = NULL;
    json_t *state = NULL;
    bool found;
    if (load_row(store, "SELECT state FROM uvms WHERE id = ?1", id, &found, &state, error) != 0)
        return -1;
    if (!found)
        return hcsoci_fail(error, HCSOCI_E_NOT_FOUND, "utility VM '%s' does not exist", id);
    int result = 0;
    if (hcsoci_uvm_from_json(host, state, uvm, error) != 0)
        result = hcsoci_fail_prefixed(error, "the saved state of utility VM '%s': ", id);
    if (result == 0 && strcmp(hcsoci_uvm_id(*uvm), id) != 0) {
        result = hcsoci_fail(error, HCSOCI_E_INVALID,
                             "the saved state of utility VM '%s' holds VM '%s'", id,
                             hcsoci_uvm_id(*uvm));
        hcsoci_uvm_free(*uvm);
        *uvm = NULL;
    }
    json_decref(state);
    return result;
}

int cli_uvm_save(cli_store *store, const hcsoci_uvm *uvm, hcsoci_error **error)
{
    const char *id = hcsoci_uvm_id(uvm);
    if (cli_validate_uvm_id(id, error) != 0)
        return -1;
    json_t *state = hcsoci_uvm_to_json(uvm);
    if (state == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = save_row(store, "uvms", id, state, "the utility VM's saved state", error);
    json_decref(state);
    return result;
}

int cli_uvm_remove(cli_store *store, const char *id, hcsoci_error **error)
{
    return run_statement(store, "DELETE FROM uvms WHERE id = ?1", id, NULL, error);
}

int cli_uvm_list_ids(cli_store *store, json_t **ids, hcsoci_error **error)
{
    return list_ids(store, "SELECT id FROM uvms ORDER BY id", ids, error);
}

/* ---- the simulated host ---- */

bool cli_sim_host_saved(cli_store *store)
{
    sqlite3_stmt *statement = kept_statement(store, "SELECT 1 FROM sim_host");
    bool saved = statement != NULL && sqlite3_step(statement) == SQLITE_ROW;
    statement_done(store, statement);
    return saved;
}

int cli_sim_host_open(cli_store *store, const json_t *world, hcsoci_host **host,
                      hcsoci_error **error)
{
    *host = NULL;
    json_t *saved = NULL;
    bool found;
    if (load_row(store, "SELECT state FROM sim_host", NULL, &found, &saved, error) != 0)
        return -1;
    if (!found) {
        if (world == NULL)
            return hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                               "sim host: the state store %s holds no world and none was given",
                               store->path);
        return hcsoci_sim_host_new(world, host, error);
    }
    int result = hcsoci_sim_host_from_json(saved, host, error);
    json_decref(saved);
    if (result != 0)
        hcsoci_fail_prefixed(error, "sim host: %s: ", store->path);
    return result;
}

int cli_sim_host_save(cli_store *store, hcsoci_host *host, hcsoci_error **error)
{
    json_t *journal = hcsoci_sim_host_take_journal(host);
    json_t *snapshot = hcsoci_sim_host_to_json(host);
    int result = journal != NULL && snapshot != NULL ? 0 : hcsoci_fail_out_of_memory(error);
    size_t index;
    json_t *call;
    json_array_foreach(journal, index, call) {
        if (result != 0)
            break;
        char *text = store_text(call, "a journal record", error);
        result = text != NULL ? run_statement(store, "INSERT INTO journal (call) VALUES (?1)",
                                              text, NULL, error)
                              : -1;
        free(text);
    }
    char *text = result == 0 ? store_text(snapshot, "the simulated host's state", error) : NULL;
    if (result == 0)
        result = text != NULL ? run_statement(store,
                                              "INSERT OR REPLACE INTO sim_host (singleton, state)"
                                              " VALUES (1, ?1)",
                                              text, NULL, error)
                              : -1;
    free(text);
    json_decref(journal);
    json_decref(snapshot);
    return result;
}

int cli_journal_print(cli_store *store, hcsoci_error **error)
{
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(store->database, "SELECT call FROM journal ORDER BY sequence", -1,
                           &statement, NULL) != SQLITE_OK)
        return read_failed(store, error);
    int code, result = 0;
    while (result == 0 && (code = sqlite3_step(statement)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(statement, 0);
        if (printf("%s\n", line != NULL ? line : "null") < 0)
            result = hcsoci_fail(error, HCSOCI_E_IO, "cannot write to standard output");
    }
    if (result == 0 && code != SQLITE_DONE)
        result = read_failed(store, error);
    sqlite3_finalize(statement);
    return result;
}
