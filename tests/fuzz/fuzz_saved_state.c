/* Fuzz target fuzz_saved_state: the input is the command's saved state as its state store
 * (core/cli/store.c) hands it back: a container record's JSON text, then optionally a NUL byte
 * and a utility VM record's JSON text. Both go the way `hcsoci delete` takes them, with the
 * command's own code compiled in:
 *   - the VM record: hcsoci_uvm_from_json (bound to a fresh sim host of the corpus's merged
 *     world); a model it accepts must save (hcsoci_uvm_to_json) to a state that loads again to the same saved state, and
 *     is saved in the store under its id (cli_uvm_save);
 *   - the container record: refused unless it is an object (as cli_state_load refuses it); its
 *     ledger (resources) read with hcsoci_resources_from_json must save and load again to the
 *     same; then it is saved under a fixed id, the hosted-containers index reads it back
 *     (cli_state_hosted_containers) and cli_delete_container deletes it: stopping a running
 *     one, loading its hosting system from the store (cli_uvm_load), releasing its ledger
 *     through the one runtime of the run and ending its compute system; when that fails, it
 *     is deleted again with --force.
 * The store lives in a private temporary directory for the whole run; every input's changes
 * are rolled back. Any outcome is fine; crashes, leaks, undefined behaviour and a saved state
 * that does not survive being loaded again are findings. */
#include "fuzz_support.h"

#include "cli.h"

#include <hcsoci/resources.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTAINER_ID "fuzz-container"

/* ---- what core/cli/main.c gives the rest of the command (main.c itself has main()) ----
 * The code under test never parses arguments; these only stand in for the linker. */

int cli_usage_error(const char *command, const char *format, ...)
{
    (void)command;
    (void)format;
    return CLI_EXIT_USAGE;
}

int cli_option_error(const char *command, int result, char **argv)
{
    (void)command;
    (void)result;
    (void)argv;
    return CLI_EXIT_USAGE;
}

int cli_expect_operands(const char *command, int argc, char **argv, int count, const char *what)
{
    (void)command;
    (void)argc;
    (void)argv;
    (void)count;
    (void)what;
    return CLI_EXIT_USAGE;
}

int cli_parse_help_only(const char *command, int argc, char **argv, void (*print_help)(void))
{
    (void)command;
    (void)argc;
    (void)argv;
    (void)print_help;
    return CLI_EXIT_USAGE;
}

int cli_check_id_operand(const char *command, const char *id)
{
    (void)command;
    (void)id;
    return CLI_EXIT_USAGE;
}

int cli_check_uvm_id_operand(const char *command, const char *id)
{
    (void)command;
    (void)id;
    return CLI_EXIT_USAGE;
}

/* ---- the store of the run ---- */

static char store_root[4096];
static cli_store *store;
static json_t *world;

static void remove_store(void)
{
    cli_store_close(store);
    store = NULL;
    static const char *const files[] = {"state.db", "state.db-wal", "state.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", store_root, files[i]);
        unlink(path);
    }
    rmdir(store_root);
    json_decref(world);
    world = NULL;
}

static void fail_setup(const char *what, hcsoci_error *error)
{
    fprintf(stderr, "fuzz_saved_state: %s: %s\n", what, error != NULL ? error->message : "failed");
    exit(1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *temporary = getenv("TMPDIR");
    snprintf(store_root, sizeof store_root, "%s/hcsoci-fuzz-state-XXXXXX",
             temporary != NULL && temporary[0] != '\0' ? temporary : "/tmp");
    if (mkdtemp(store_root) == NULL)
        fail_setup("cannot make a temporary directory", NULL);
    hcsoci_error *error = NULL;
    if (cli_store_open(store_root, true, &store, &error) != 0)
        fail_setup("cannot open the state store", error);
    if (cli_store_begin(store, &error) != 0)
        fail_setup("cannot begin a transaction", error);
    atexit(remove_store);
    /* The world the ledgers are released in: the corpus's, where what its cases name exists. */
    world = fuzz_merged_corpus_world();
    fuzz_shared_runtime();
    return 0;
}

/* ---- checks ---- */

/* The VM record: loaded, saved and loaded again; then kept in the store. */
static void load_vm_record(hcsoci_host *host, const json_t *record)
{
    hcsoci_uvm *uvm = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_uvm_from_json(host, record, &uvm, &error) != 0) {
        hcsoci_error_free(error);
        return;
    }
    json_t *saved = hcsoci_uvm_to_json(uvm);
    hcsoci_uvm *reloaded = NULL;
    if (saved == NULL || hcsoci_uvm_from_json(host, saved, &reloaded, &error) != 0)
        fuzz_finding("a utility VM's saved state does not load again",
                     error != NULL ? error->message : NULL);
    json_t *saved_again = hcsoci_uvm_to_json(reloaded);
    fuzz_expect_same_json(saved, saved_again, "a utility VM's saved state changes when loaded again");
    json_decref(saved_again);
    json_decref(saved);
    hcsoci_uvm_free(reloaded);
    if (cli_uvm_save(store, uvm, &error) != 0)
        hcsoci_error_free(error);
    hcsoci_uvm_free(uvm);
}

/* The container record's ledger: loaded, saved and loaded again. */
static void check_ledger(const json_t *state)
{
    hcsoci_resources *resources = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_resources_from_json(json_object_get(state, "resources"), &resources, &error) != 0) {
        hcsoci_error_free(error);
        return;
    }
    json_t *saved = hcsoci_resources_to_json(resources);
    hcsoci_resources *reloaded = NULL;
    if (saved == NULL || hcsoci_resources_from_json(saved, &reloaded, &error) != 0)
        fuzz_finding("a container's saved ledger does not load again",
                     error != NULL ? error->message : NULL);
    json_t *saved_again = hcsoci_resources_to_json(reloaded);
    fuzz_expect_same_json(saved, saved_again, "a container's saved ledger changes when loaded again");
    json_decref(saved_again);
    json_decref(saved);
    hcsoci_resources_free(reloaded);
    hcsoci_resources_free(resources);
}

static void delete_container(cli_session *session)
{
    static const cli_globals globals = {.host_kind = CLI_HOST_SIM, .log_level = HCSOCI_LOG_WARN};
    hcsoci_error *error = NULL;
    if (cli_delete_container(&globals, session, CONTAINER_ID, false, &error) == 0) {
        fuzz_note_outcome("delete", NULL);
        return;
    }
    fuzz_note_outcome("delete", error);
    hcsoci_error_free(error);
    error = NULL;
    if (cli_state_exists(session->store, CONTAINER_ID) &&
        cli_delete_container(&globals, session, CONTAINER_ID, true, &error) != 0)
        hcsoci_error_free(error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (store == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    const uint8_t *separator = memchr(data, '\0', size);
    size_t container_size = separator != NULL ? (size_t)(separator - data) : size;
    json_t *state = fuzz_parse_json(data, container_size);
    json_t *vm_record =
        separator != NULL ? fuzz_parse_json(separator + 1, size - container_size - 1) : NULL;

    hcsoci_host *sim = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(world, &sim, &error) != 0)
        fail_setup("cannot make the sim host", error);
    hcsoci_sim_host_set_journal(sim, HCSOCI_SIM_JOURNAL_OFF, NULL, NULL, NULL);
    hcsoci_host *host = fuzz_shared_switch_host();
    fuzz_switch_host_set(host, sim);

    if (vm_record != NULL)
        load_vm_record(host, vm_record);
    if (json_is_object(state)) {
        check_ledger(state);
        if (cli_state_save(store, CONTAINER_ID, state, &error) == 0) {
            json_t *by_uvm = NULL;
            if (cli_state_hosted_containers(store, &by_uvm, &error) != 0)
                hcsoci_error_free(error);
            json_decref(by_uvm);
            cli_session session = {.store = store,
                                   .host = host,
                                   .runtime = fuzz_shared_runtime(),
                                   .saves_host = false};
            delete_container(&session);
        } else {
            hcsoci_error_free(error);
        }
    }
    /* Back to the empty store for the next input. */
    cli_store_rollback(store);
    if (cli_store_begin(store, &error) != 0)
        fail_setup("cannot begin a transaction", error);

    fuzz_switch_host_set(host, NULL);
    hcsoci_host_destroy(sim);
    json_decref(vm_record);
    json_decref(state);
    return 0;
}
