/* One command's host and runtime: the simulated host opened from the state directory (or from
 * --world the first time), the modules loaded, and everything committed afterwards in the
 * transaction the session opened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/sim.h>
#include <hcsoci/windows_host.h>

#include "cli.h"
#include "portable.h"

/* The owner recorded when --owner is not given: the command's file name as installed
 * ("hcsoci", or "hcsoci.exe" on Windows), as the reference takes its executable's base name;
 * fixed rather than read from argv[0], so that a libtool wrapper's name never shows. */
static const char *default_owner(void)
{
    static char name[sizeof CLI_PROGRAM_NAME + 8];
    if (name[0] == '\0')
        snprintf(name, sizeof name, "%s%s", CLI_PROGRAM_NAME, portable_executable_suffix());
    return name;
}

hcsoci_runtime_options cli_runtime_options(const cli_globals *globals, hcsoci_host *host)
{
    hcsoci_runtime_options options = {
        .host = host,
        .plugin_directories = globals->plugin_directories,
        .plugin_files = NULL,
        .skip_environment = false,
        .skip_installed_directory = false,
        .program_name = default_owner(),
    };
    return options;
}

static int open_host(const cli_globals *globals, cli_store *store, hcsoci_host **host,
                     hcsoci_error **error)
{
    if (globals->host_kind == CLI_HOST_WINDOWS) {
        /* The real host keeps its own state: nothing of it goes into the store. */
        if (hcsoci_windows_host_new(host, error) != 0)
            return hcsoci_fail_prefixed(error, "cannot open the Windows host: ");
        return 0;
    }
    json_t *world = NULL;
    if (!cli_sim_host_saved(store)) {
        if (globals->world_path == NULL)
            return hcsoci_fail(error, HCSOCI_E_NOT_FOUND,
                               "the state directory '%s' holds no simulated host yet: give "
                               "its world with --world FILE",
                               globals->root);
        if (cli_load_json_object(globals->world_path, "world", &world, error) != 0)
            return -1;
    } else if (globals->world_path != NULL) {
        HCSOCI_LOG(HCSOCI_LOG_INFO,
                   json_pack("{s:s, s:s}", "root", globals->root, "world", globals->world_path),
                   "the state directory already holds a simulated host; --world is not used");
    }
    int result = cli_sim_host_open(store, world, host, error);
    json_decref(world);
    if (result != 0)
        hcsoci_fail_prefixed(error, "cannot open the simulated host: ");
    return result;
}

int cli_session_lock(const cli_globals *globals, cli_session *session, hcsoci_error **error)
{
    session->store = NULL;
    session->host = NULL;
    session->runtime = NULL;
    session->saves_host = globals->host_kind == CLI_HOST_SIM;
    if (cli_store_open(globals->root, true, &session->store, error) != 0)
        return -1;
    if (cli_store_begin(session->store, error) != 0) {
        cli_store_close(session->store);
        session->store = NULL;
        return -1;
    }
    return 0;
}

int cli_session_open_host(const cli_globals *globals, cli_session *session,
                          hcsoci_error **error)
{
    if (open_host(globals, session->store, &session->host, error) != 0)
        return -1;
    hcsoci_runtime_options options = cli_runtime_options(globals, session->host);
    if (hcsoci_runtime_new(&options, &session->runtime, error) != 0) {
        hcsoci_host_destroy(session->host);
        session->host = NULL;
        return -1;
    }
    return 0;
}

int cli_session_open(const cli_globals *globals, cli_session *session, hcsoci_error **error)
{
    if (cli_session_lock(globals, session, error) != 0)
        return -1;
    if (cli_session_open_host(globals, session, error) != 0) {
        cli_store_close(session->store);
        session->store = NULL;
        return -1;
    }
    return 0;
}

int cli_session_commit(cli_session *session, hcsoci_error **error)
{
    if (session->host != NULL && session->saves_host &&
        cli_sim_host_save(session->store, session->host, error) != 0) {
        cli_store_rollback(session->store);
        return -1;
    }
    if (cli_store_commit(session->store, error) != 0)
        return -1;
    return cli_store_begin(session->store, error);
}

int cli_detached_host(hcsoci_host **host, hcsoci_error **error)
{
    *host = NULL;
    json_t *empty_world = json_object();
    if (empty_world == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = hcsoci_sim_host_new(empty_world, host, error);
    json_decref(empty_world);
    return result;
}

int cli_chosen_live_host(const cli_globals *globals, hcsoci_host **host, hcsoci_error **error)
{
    *host = NULL;
    if (globals->host_kind != CLI_HOST_WINDOWS)
        return 0;
    if (hcsoci_windows_host_new(host, error) != 0)
        return hcsoci_fail_prefixed(error, "cannot open the Windows host: ");
    return 0;
}

int cli_session_close(const cli_globals *globals, cli_session *session, hcsoci_error **error)
{
    (void)globals;
    hcsoci_error *save_error = NULL;
    if (session->store != NULL && cli_store_in_transaction(session->store)) {
        if (session->host != NULL && session->saves_host &&
            cli_sim_host_save(session->store, session->host, &save_error) != 0)
            cli_store_rollback(session->store);
        else
            cli_store_commit(session->store, &save_error);
    }
    if (save_error != NULL) {
        if (*error == NULL)
            *error = save_error;
        else
            cli_report_error(save_error);
    }
    hcsoci_runtime_free(session->runtime);
    hcsoci_host_destroy(session->host);
    cli_store_close(session->store);
    session->runtime = NULL;
    session->host = NULL;
    session->store = NULL;
    return *error != NULL ? -1 : 0;
}
