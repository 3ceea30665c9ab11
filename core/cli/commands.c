/* The container commands: create, doc, delete, state and list (start and kill are in
 * lifecycle.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "portable.h"
#include "lifecycle.h"

/* ---- create and doc: reading the request ---- */

typedef struct create_request {
    const char *bundle;
    const char *spec_path;
    bool has_schema;
    hcsoci_schema_version schema;
    const char *owner;
    const char *network_namespace;
    bool keep_resources_on_failure;
    bool scale_cpu_limits;
    const char *uvm_id; /* --uvm: the hosting system, or NULL */
    const char *id;
} create_request;

enum {
    OPTION_SPEC = 256,
    OPTION_SCHEMA,
    OPTION_OWNER,
    OPTION_NETNS,
    OPTION_KEEP,
    OPTION_SCALE,
    OPTION_UVM,
};

static const char create_spec_options_help[] =
    "  -b, --bundle DIR              read the OCI runtime spec from DIR/config.json\n"
    "                                (default: the current directory)\n"
    "  --spec FILE                   read the OCI runtime spec from FILE instead\n"
    "                                (a spec file holds at most 16 MiB)\n"
    "  --schema VERSION              request HCS schema 1.0 or 2.1 (default: chosen by the\n"
    "                                host's build; a version the host lacks is ignored)\n"
    "  --owner NAME                  the compute system's owner (default: hcsoci)\n"
    "  --netns ID                    use this existing HNS network namespace instead of\n"
    "                                creating one when the spec asks for networking\n"
    "  --uvm ID                      create the container in the utility VM ID (made with\n"
    "                                'uvm create'; always schema 2.1, owned by the VM's\n"
    "                                owner); the VM's saved state is updated\n";

static const char create_more_options_help[] =
    "  --keep-resources-on-failure   when the create fails, keep what it allocated and save\n"
    "                                the state with status \"failed\" so that 'delete' can\n"
    "                                release it later\n";

static const char create_last_options_help[] =
    "  --scale-cpu-limits            scale the CPU limit to the hosting system's processors\n"
    "                                (hosted containers)\n"
    "  -h, --help                    print this help\n";

static void print_create_help(void)
{
    printf("Usage: %s create [OPTIONS] [ID]\n\n"
           "Creates a container on the host (--host) from an OCI runtime spec, saves its state\n"
           "in ROOT/state.db and prints {\"id\", \"document\"} (the HCS document sent; every\n"
           "document is checked against the HCS schema before it is sent). With\n"
           "--host windows each resource is committed as it is allocated (status \"creating\"\n"
           "until the end); the simulated host, kept in the store, commits with the rest.\n"
           "Without ID a random GUID is used. An ID may hold letters, digits, '_', '-', '.' and\n"
           "'+' (at most %d, not starting with '.').\n\nOptions:\n%s%s%s",
           CLI_PROGRAM_NAME, CLI_MAX_ID_LENGTH, create_spec_options_help,
           create_more_options_help, create_last_options_help);
}

static void print_doc_help(void)
{
    printf("Usage: %s doc [OPTIONS] [ID]\n\n"
           "Prints the HCS document a create would send, without creating the container: what\n"
           "it allocates is released again and no container state is saved (the host calls\n"
           "still appear in 'hcsoci journal'; with --uvm the VM's saved counters move on).\n"
           "The document is checked against the HCS schema first, as a create checks it: one\n"
           "that does not conform is not printed; the error names the module and each problem\n"
           "with its JSON path (see 'hcsoci validate').\n"
           "\nOptions:\n%s%s",
           CLI_PROGRAM_NAME, create_spec_options_help, create_last_options_help);
}

/* Parses the options of create (is_create) or doc, which has all but
 * --keep-resources-on-failure; returns -1 to go on, else an exit status. */
static int parse_create_request(const char *command, bool is_create, int argc, char **argv,
                                create_request *request)
{
    const struct option options[] = {
        {"bundle", required_argument, NULL, 'b'},
        {"spec", required_argument, NULL, OPTION_SPEC},
        {"schema", required_argument, NULL, OPTION_SCHEMA},
        {"owner", required_argument, NULL, OPTION_OWNER},
        {"netns", required_argument, NULL, OPTION_NETNS},
        {"scale-cpu-limits", no_argument, NULL, OPTION_SCALE},
        {"uvm", required_argument, NULL, OPTION_UVM},
        {"help", no_argument, NULL, 'h'},
        {is_create ? "keep-resources-on-failure" : NULL, no_argument, NULL, OPTION_KEEP},
        {NULL, 0, NULL, 0},
    };
    int result;
    while ((result = getopt_long(argc, argv, ":b:h", options, NULL)) != -1) {
        switch (result) {
        case 'b':
            request->bundle = optarg;
            break;
        case OPTION_SPEC:
            request->spec_path = optarg;
            break;
        case OPTION_SCHEMA:
            request->has_schema = true;
            if (strcmp(optarg, "1.0") == 0)
                request->schema = (hcsoci_schema_version){1, 0};
            else if (strcmp(optarg, "2.1") == 0)
                request->schema = (hcsoci_schema_version){2, 1};
            else
                return cli_usage_error(command, "unknown schema version '%s' (1.0, 2.1)",
                                       optarg);
            break;
        case OPTION_OWNER:
            request->owner = optarg;
            break;
        case OPTION_NETNS:
            request->network_namespace = optarg;
            break;
        case OPTION_KEEP:
            request->keep_resources_on_failure = true;
            break;
        case OPTION_SCALE:
            request->scale_cpu_limits = true;
            break;
        case OPTION_UVM:
            request->uvm_id = optarg;
            break;
        case 'h':
            if (is_create)
                print_create_help();
            else
                print_doc_help();
            return CLI_EXIT_SUCCESS;
        default:
            return cli_option_error(command, result, argv);
        }
    }
    if (request->bundle != NULL && request->spec_path != NULL)
        return cli_usage_error(command, "give either --bundle or --spec, not both");
    if (argc - optind > 1)
        return cli_usage_error(command, "unexpected argument '%s'", argv[optind + 1]);
    if (argc - optind == 1)
        request->id = argv[optind];
    /* The VM's id is checked as every saved id is. */
    if (request->uvm_id != NULL) {
        int status = cli_check_uvm_id_operand(command, request->uvm_id);
        if (status >= 0)
            return status;
    }
    /* create saves its state under the id; doc saves nothing. */
    if (request->id != NULL && is_create)
        return cli_check_id_operand(command, request->id);
    return -1;
}

/* Reads the spec named by --spec, or DIR/config.json of the bundle. */
static int load_spec(const create_request *request, json_t **spec, hcsoci_error **error)
{
    if (request->spec_path != NULL)
        return cli_load_json_object_limited(request->spec_path, "spec", CLI_MAX_SPEC_FILE_BYTES,
                                            spec, error);
    const char *bundle = request->bundle != NULL ? request->bundle : ".";
    struct stat status;
    if (stat(bundle, &status) != 0 || !S_ISDIR(status.st_mode))
        return hcsoci_fail(error, HCSOCI_E_NOT_FOUND, "bundle '%s' is not a directory", bundle);
    char *path = NULL;
    if (asprintf(&path, "%s/config.json", bundle) < 0)
        return hcsoci_fail_out_of_memory(error);
    int result = cli_load_json_object_limited(path, "spec", CLI_MAX_SPEC_FILE_BYTES, spec, error);
    free(path);
    return result;
}

/* The OCI bundle of a request as an absolute path: the --bundle directory, or the directory
 * of the --spec file (new string; NULL when it cannot be resolved or memory runs out). */
static char *bundle_path(const create_request *request)
{
    if (request->spec_path == NULL)
        return portable_resolve_path(request->bundle != NULL ? request->bundle : ".");
    char *spec = portable_resolve_path(request->spec_path);
    char *bundle = spec != NULL ? portable_parent_directory(spec) : NULL;
    free(spec);
    return bundle;
}

static hcsoci_create_options create_options(const create_request *request, const json_t *spec,
                                            hcsoci_uvm *uvm, bool documents_only)
{
    hcsoci_create_options options = {
        .id = request->id,
        .owner = request->owner,
        .spec = spec,
        .schema_version = request->has_schema ? &request->schema : NULL,
        .hosting_system = uvm,
        .network_namespace = request->network_namespace,
        .do_not_release_resources_on_failure = request->keep_resources_on_failure,
        .scale_cpu_limits_to_sandbox = request->scale_cpu_limits,
        .documents_only = documents_only,
    };
    return options;
}

/* ---- create ---- */

static json_t *timestamp_now(void)
{
    char text[32];
    time_t now = time(NULL);
    struct tm utc;
    if (portable_utc_time(now, &utc) == NULL ||
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        return json_null();
    return json_string(text);
}

/* True when a ledger still holds something to release. */
static bool resources_hold_anything(const hcsoci_resources *resources)
{
    return resources != NULL &&
           (hcsoci_resources_count(resources) > 0 || hcsoci_resources_layers(resources) != NULL ||
            hcsoci_resources_network_namespace(resources)[0] != '\0');
}

static json_t *string_or_null(const char *text)
{
    return text != NULL ? json_string(text) : json_null();
}

/* The saved state of a created container. */
static json_t *created_state(const hcsoci_container *container, const char *bundle,
                             const hcsoci_resources *resources)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:s?, s:o, s:o, s:O?, s:O?, s:o}",
                     "id", container->id,
                     "status", CLI_STATUS_CREATED,
                     "bundle", string_or_null(bundle),
                     "created", timestamp_now(),
                     "owner", container->owner,
                     "schema", hcsoci_schema_to_json(container->schema),
                     "hostingSystemId", string_or_null(container->hosting_system_id),
                     "document", container->document,
                     "spec", container->spec,
                     "resources", hcsoci_resources_to_json(resources));
}

/* The saved state of a failed create whose resources were kept. */
static json_t *failed_state(const char *id, const create_request *request, const json_t *spec,
                            const hcsoci_resources *resources, const hcsoci_error *error)
{
    char *bundle = bundle_path(request);
    json_t *state = json_pack("{s:s, s:s, s:o, s:o, s:o, s:n, s:o, s:n, s:O, s:o, s:s}",
                     "id", id,
                     "status", CLI_STATUS_FAILED,
                     "bundle", string_or_null(bundle),
                     "created", timestamp_now(),
                     "owner", json_string(request->owner != NULL && request->owner[0] != '\0'
                                              ? request->owner : CLI_PROGRAM_NAME),
                     "schema",
                     "hostingSystemId", string_or_null(request->uvm_id),
                     "document",
                     "spec", spec,
                     "resources", hcsoci_resources_to_json(resources),
                     "error", error->message);
    free(bundle);
    return state;
}

/* The id of a new container must not be taken: by a container, or by a utility VM (HCS names
 * both kinds of compute system in one space). */
static int check_new_container_id(cli_store *store, const char *id,
                                  hcsoci_error **error)
{
    if (cli_state_exists(store, id))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "container '%s' already exists", id);
    if (cli_uvm_exists(store, id))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "id '%s' is already taken by a utility VM",
                           id);
    return 0;
}

/* Saves the state of a created container (its id must be new and valid). */
static int save_created(cli_store *store, const create_request *request,
                        const hcsoci_container *container, const hcsoci_resources *resources,
                        hcsoci_error **error)
{
    if (cli_validate_container_id(container->id, error) != 0)
        return -1;
    json_t *own = NULL;
    bool creating = cli_state_load(store, container->id, &own, NULL) == 0 &&
                    json_is_string(json_object_get(own, "status")) &&
                    strcmp(json_string_value(json_object_get(own, "status")), "creating") == 0;
    json_decref(own);
    if (!creating && check_new_container_id(store, container->id, error) != 0)
        return -1;
    char *bundle = bundle_path(request);
    json_t *state = created_state(container, bundle, resources);
    free(bundle);
    if (state == NULL)
        return hcsoci_fail_out_of_memory(error);
    int result = cli_state_save(store, container->id, state, error);
    json_decref(state);
    return result;
}

/* After a failed create with --keep-resources-on-failure: saves what the ledger holds so that
 * `delete` can release it. Returns the id it was saved under (borrowed from resources), or
 * NULL after logging why it could not be saved; the create's error is what gets reported. */
static const char *save_failed(cli_store *store, const create_request *request,
                               const json_t *spec, const hcsoci_resources *resources,
                               const hcsoci_error *create_error)
{
    const char *id = hcsoci_resources_container_id(resources);
    hcsoci_error *error = NULL;
    if (cli_validate_container_id(id, &error) == 0) {
        if (cli_state_exists(store, id)) {
            hcsoci_fail(&error, HCSOCI_E_INVALID, "container '%s' already exists", id);
        } else {
            json_t *state = failed_state(id, request, spec, resources, create_error);
            if (state == NULL)
                hcsoci_fail_out_of_memory(&error);
            else
                cli_state_save(store, id, state, &error);
            json_decref(state);
        }
    }
    if (error == NULL)
        return id;
    cli_warn("the kept resources of container '%s' could not be saved: %s", id, error->message);
    hcsoci_error_free(error);
    return NULL;
}

/* ---- create: committing as the ledger changes ---- */

/* What the ledger observer of one create needs. */
typedef struct create_progress {
    cli_session *session;
    const create_request *request;
    const json_t *spec;
    hcsoci_uvm *uvm;
    bool commits_each_change; /* the host is outside the store (see on_ledger_change) */
    bool committed;           /* a "creating" state was committed */
    hcsoci_error *error;      /* the first commit that failed, or NULL */
} create_progress;

/* The saved state of a container being created: what its ledger holds so far. */
static json_t *creating_state(const char *id, const create_request *request, const json_t *spec,
                              const hcsoci_resources *resources)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:n, s:o, s:n, s:O, s:o}",
                     "id", id,
                     "status", "creating",
                     "created", timestamp_now(),
                     "owner", json_string(request->owner != NULL && request->owner[0] != '\0'
                                              ? request->owner : CLI_PROGRAM_NAME),
                     "schema",
                     "hostingSystemId", string_or_null(request->uvm_id),
                     "document",
                     "spec", spec,
                     "resources", resources != NULL ? hcsoci_resources_to_json(resources)
                                                    : json_pack("{s:s, s:s, s:s, s:b, s:b, "
                                                                "s:n, s:s, s:[]}",
                                                                "containerId", id,
                                                                "containerRootInUvm", "",
                                                                "networkNamespace", "",
                                                                "createdNetworkNamespace", 0,
                                                                "namespaceAddedToUvm", 0,
                                                                "layerFolders", "layersUvm", "",
                                                                "entries"));
}

/* Commits the container as "creating" with its ledger so far, its hosting system and the sim
 * host's state and journal, so that the store and the host agree at every commit. */
static int commit_creating(create_progress *progress, const char *id,
                           const hcsoci_resources *resources, hcsoci_error **error)
{
    cli_session *session = progress->session;
    json_t *state = creating_state(id, progress->request, progress->spec, resources);
    int result = state != NULL ? 0 : hcsoci_fail_out_of_memory(error);
    if (result == 0)
        result = cli_state_save(session->store, id, state, error);
    if (result == 0 && progress->uvm != NULL)
        result = cli_uvm_save(session->store, progress->uvm, error);
    json_decref(state);
    if (result != 0) {
        cli_store_rollback(session->store);
        cli_store_begin(session->store, NULL);
        return -1;
    }
    if (cli_session_commit(session, error) != 0) {
        cli_store_begin(session->store, NULL);
        return -1;
    }
    progress->committed = true;
    return 0;
}

/* Refuses, before any host call, a spec that the store could not read back once saved. */
static int check_spec_depth(const json_t *spec, hcsoci_error **error)
{
    json_t *saved = json_pack("{s:O}", "spec", spec); /* as deep as the saved state */
    int result = saved != NULL ? cli_json_depth_check(saved, "the spec (in its saved state)",
                                                      error)
                               : hcsoci_fail_out_of_memory(error);
    json_decref(saved);
    return result;
}

/* The ledger observer of a create: commits each change when the host keeps its own state (the
 * Windows host), whose effects a rolled-back transaction cannot undo. The simulated host lives
 * in the store: its effects and the ledger are committed together at the end, so a killed
 * create leaves both as they were. A failure is kept for the end. */
static void on_ledger_change(void *context, hcsoci_ledger_change change,
                             const hcsoci_resources *resources)
{
    (void)change;
    create_progress *progress = context;
    if (!progress->commits_each_change)
        return;
    hcsoci_error *commit_error = NULL;
    if (commit_creating(progress, hcsoci_resources_container_id(resources), resources,
                        &commit_error) != 0) {
        if (progress->error == NULL)
            progress->error = commit_error;
        else
            hcsoci_error_free(commit_error);
    }
}

/* Saves the hosting system after a create. When that fails after the container's state was
 * saved, the container is undone (its ledger released, its state removed): the VM's file then
 * still holds the VM as it was before, matching the containers that name it. */
static void save_hosting_system(cli_session *session, hcsoci_uvm *uvm,
                                const hcsoci_container *saved_container,
                                hcsoci_resources *resources, hcsoci_error **error)
{
    hcsoci_error *save_error = NULL;
    if (cli_uvm_save(session->store, uvm, &save_error) == 0)
        return;
    hcsoci_error_prefix(save_error, "cannot save utility VM '%s': ", hcsoci_uvm_id(uvm));
    if (saved_container != NULL) {
        hcsoci_error *undo_error = NULL;
        if (hcsoci_release_resources(session->runtime, resources, uvm, true, &undo_error) != 0 ||
            cli_state_remove(session->store, saved_container->id, &undo_error) != 0)
            cli_warn("undoing container '%s' failed: %s", saved_container->id,
                     undo_error->message);
        hcsoci_error_free(undo_error);
    }
    if (*error == NULL)
        *error = save_error;
    else
        cli_report_error(save_error);
}

int cli_command_create(const cli_globals *globals, int argc, char **argv)
{
    create_request request = {0};
    int status = parse_create_request("create", true, argc, argv, &request);
    if (status >= 0)
        return status;

    hcsoci_error *error = NULL;
    json_t *spec = NULL, *output = NULL;
    cli_session session;
    if (load_spec(&request, &spec, &error) != 0)
        return cli_report_error(error);
    if (cli_session_open(globals, &session, &error) != 0) {
        json_decref(spec);
        return cli_report_error(error);
    }

    hcsoci_container *container = NULL, *saved_container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_uvm *uvm = NULL;
    const char *kept_id = NULL;
    /* HCSOCI_TEST_COMMIT_EACH_CHANGE makes the simulated host commit as the Windows host does,
     * so that the tests can kill a create between its commits (tests/cli/test_kill.sh). */
    create_progress progress = {.session = &session, .request = &request, .spec = spec,
                                .commits_each_change =
                                    !session.saves_host ||
                                    getenv("HCSOCI_TEST_COMMIT_EACH_CHANGE") != NULL};
    if (request.id != NULL && check_new_container_id(session.store, request.id, &error) != 0) {
        /* reported below */
    } else if (request.uvm_id != NULL &&
               cli_uvm_load(session.host, session.store, request.uvm_id, &uvm, &error) != 0) {
        /* reported below */
    } else if (check_spec_depth(spec, &error) == 0 &&
               (request.id == NULL || !progress.commits_each_change ||
                commit_creating(&progress, request.id, NULL, &error) == 0)) {
        /* From here every ledger change is committed right after the host call that made it
         * (or, with the simulated host, with the rest at the end). */
        progress.uvm = uvm;
        hcsoci_create_options options = create_options(&request, spec, uvm, false);
        options.ledger_observer = on_ledger_change;
        options.ledger_context = &progress;
        int created = hcsoci_create_container(session.runtime, &options, &container, &resources,
                                              &error);
        if (created == 0 && progress.error != NULL) {
            /* The store could not follow: undo the container rather than keep it unrecorded. */
            hcsoci_release_resources(session.runtime, resources, uvm, true, NULL);
            hcsoci_container_free(container);
            container = NULL;
            created = -1;
        }
        if (progress.error != NULL) {
            hcsoci_error_free(error);
            error = progress.error;
            progress.error = NULL;
        }
        const char *ledger_id = resources != NULL ? hcsoci_resources_container_id(resources)
                                                  : request.id;
        if (created != 0 && progress.committed && ledger_id != NULL &&
            !resources_hold_anything(resources))
            cli_state_remove(session.store, ledger_id, NULL);
        if (created != 0) {
            if (request.keep_resources_on_failure && resources_hold_anything(resources)) {
                cli_state_remove(session.store, ledger_id, NULL);
                kept_id = save_failed(session.store, &request, spec, resources, error);
            }
        } else if (save_created(session.store, &request, container, resources, &error) != 0) {
            /* Without a saved state nobody could release what was allocated: undo it now. */
            hcsoci_error *release_error = NULL;
            if (hcsoci_release_resources(session.runtime, resources, uvm, true,
                                         &release_error) != 0)
                cli_warn("releasing the resources of container '%s' failed: %s", container->id,
                         release_error->message);
            else if (progress.committed)
                cli_state_remove(session.store, container->id, NULL);
            hcsoci_error_free(release_error);
        } else {
            saved_container = container;
        }
        /* Whatever happened changed the VM's bookkeeping, or changed and rolled it back. */
        if (uvm != NULL)
            save_hosting_system(&session, uvm, saved_container, resources, &error);
        if (error == NULL) {
            output = json_pack("{s:s, s:O}", "id", container->id, "document",
                               container->document);
            if (output == NULL)
                hcsoci_fail_out_of_memory(&error);
        }
    }

    cli_session_close(globals, &session, &error);
    if (error == NULL)
        cli_print_json(output, &error);
    if (error != NULL) {
        status = cli_report_error(error);
        if (kept_id != NULL)
            cli_warn("the resources of the failed create were kept: run '%s delete %s' to "
                     "release them", CLI_PROGRAM_NAME, kept_id);
    } else {
        status = CLI_EXIT_SUCCESS;
    }
    json_decref(output);
    hcsoci_uvm_free(uvm);
    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    json_decref(spec);
    return status;
}

/* ---- doc ---- */

int cli_command_doc(const cli_globals *globals, int argc, char **argv)
{
    create_request request = {0};
    int status = parse_create_request("doc", false, argc, argv, &request);
    if (status >= 0)
        return status;

    hcsoci_error *error = NULL;
    json_t *spec = NULL;
    cli_session session;
    if (load_spec(&request, &spec, &error) != 0)
        return cli_report_error(error);
    if (cli_session_open(globals, &session, &error) != 0) {
        json_decref(spec);
        return cli_report_error(error);
    }
    hcsoci_container *container = NULL;
    hcsoci_resources *resources = NULL;
    hcsoci_uvm *uvm = NULL;
    if (request.uvm_id == NULL ||
        cli_uvm_load(session.host, session.store, request.uvm_id, &uvm, &error) == 0) {
        hcsoci_create_options options = create_options(&request, spec, uvm, true);
        hcsoci_create_container(session.runtime, &options, &container, &resources, &error);
        /* Everything was released again, but the VM's counters moved on, as the host's did. */
        if (uvm != NULL)
            save_hosting_system(&session, uvm, NULL, NULL, &error);
    }

    cli_session_close(globals, &session, &error);
    if (error == NULL)
        cli_print_json(container->document, &error);
    hcsoci_uvm_free(uvm);
    hcsoci_container_free(container);
    hcsoci_resources_free(resources);
    json_decref(spec);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- delete ---- */

static void print_delete_help(void)
{
    printf("Usage: %s delete [OPTIONS] ID\n\n"
           "Releases everything the container's saved ledger holds (layers, shares, network\n"
           "namespaces, ...), then terminates (unless stopped) and closes its compute system\n"
           "(HcsTerminateComputeSystem, HcsCloseComputeSystem) and removes its saved state. A\n"
           "container in a utility VM is released from the VM's saved state, which is updated.\n"
           "A running container is refused (\"that is not stopped\"): 'kill' it first.\n"
           "\nOptions:\n"
           "  -f, --force   kill a running container first; remove the saved state even when it\n"
           "                cannot be read or releasing fails; the problem is reported as a\n"
           "                warning and the rest forgotten\n"
           "  -h, --help    print this help\n",
           CLI_PROGRAM_NAME);
}

/* Loads the utility VM a saved state names as hostingSystemId; *uvm stays NULL for a process
 * isolated container. */
static int load_hosting_system(cli_session *session,
                               const json_t *state, hcsoci_uvm **uvm, hcsoci_error **error)
{
    *uvm = NULL;
    const json_t *hosting_system = json_object_get(state, "hostingSystemId");
    if (hosting_system == NULL || json_is_null(hosting_system))
        return 0;
    if (!json_is_string(hosting_system))
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "invalid hostingSystemId in the saved state: must be a string or "
                           "null, not %s",
                           hcsoci_json_kind(hosting_system));
    const char *uvm_id = json_string_value(hosting_system);
    if (cli_validate_uvm_id(uvm_id, error) != 0)
        return hcsoci_fail_prefixed(error, "invalid hostingSystemId in the saved state: ");
    if (cli_uvm_load(session->host, session->store, uvm_id, uvm, error) != 0)
        return hcsoci_fail_prefixed(error, "cannot load the container's hosting system: ");
    return 0;
}

/* Releases what a loaded state's ledger holds (from its hosting system, whose saved state is
 * updated); on failure the state keeps what is left. */
static int release_state(cli_session *session, json_t *state,
                         hcsoci_error **error)
{
    hcsoci_uvm *uvm = NULL;
    hcsoci_resources *resources = NULL;
    if (load_hosting_system(session, state, &uvm, error) != 0)
        return -1;
    if (hcsoci_resources_from_json(json_object_get(state, "resources"), &resources, error) != 0) {
        hcsoci_fail_prefixed(error, "invalid resources in the saved state: ");
        hcsoci_uvm_free(uvm);
        return -1;
    }
    int result = hcsoci_release_resources(session->runtime, resources, uvm, true, error);
    if (uvm != NULL) {
        hcsoci_error *save_error = NULL;
        if (cli_uvm_save(session->store, uvm, &save_error) != 0) {
            hcsoci_error_prefix(save_error, "cannot save utility VM '%s': ", hcsoci_uvm_id(uvm));
            if (result == 0)
                *error = save_error;
            else
                cli_report_error(save_error);
            result = -1;
        }
    }
    /* The state keeps what is left: nothing after a full release, for the steps after it. */
    json_object_set_new(state, "resources", hcsoci_resources_to_json(resources));
    hcsoci_resources_free(resources);
    hcsoci_uvm_free(uvm);
    return result;
}

/* Terminates the container's compute system (unless the state says it has stopped) and closes
 * it, when its status says it may still exist; the state's status follows. */
static int end_compute_system(cli_session *session, const char *id, json_t *state,
                              hcsoci_error **error)
{
    const char *status = cli_state_status(state);
    if (!cli_status_has_compute_system(status))
        return 0;
    if (strcmp(status, CLI_STATUS_STOPPED) != 0) {
        if (hcsoci_compute_system_terminate(session->host, id, error) != 0)
            return -1;
        json_object_set_new(state, "status", json_string(CLI_STATUS_STOPPED));
    }
    return hcsoci_compute_system_close(session->host, id, error);
}

/* A running container is refused without force (as runc refuses it); with force it is
 * killed before its ledger is released. */
static int stop_running(cli_session *session, const char *id, json_t *state, bool force,
                        hcsoci_error **error)
{
    if (strcmp(cli_state_status(state), CLI_STATUS_RUNNING) != 0)
        return 0;
    if (!force)
        return hcsoci_fail(error, HCSOCI_E_INVALID,
                           "cannot delete container '%s' that is not stopped: %s", id,
                           CLI_STATUS_RUNNING);
    hcsoci_error *kill_error = NULL;
    if (hcsoci_compute_system_terminate(session->host, id, &kill_error) == 0) {
        json_object_set_new(state, "status", json_string(CLI_STATUS_STOPPED));
    } else {
        cli_warn("container '%s': %s; deleting it anyway (--force)", id, kill_error->message);
        hcsoci_error_free(kill_error);
    }
    return 0;
}

int cli_delete_container(const cli_globals *globals, cli_session *session, const char *id,
                         bool force, hcsoci_error **error)
{
    (void)globals;
    json_t *state = NULL;
    bool loaded = cli_state_load(session->store, id, &state, error) == 0;
    if (loaded && stop_running(session, id, state, force, error) != 0) {
        json_decref(state);
        return -1;
    }
    if (loaded && release_state(session, state, error) == 0 &&
        end_compute_system(session, id, state, error) == 0) {
        cli_state_remove(session->store, id, error);
    } else if (force && (loaded || (*error)->code != HCSOCI_E_NOT_FOUND)) {
        /* An unreadable state or a failed release: forget the container all the same. */
        cli_warn("container '%s': %s; its state is removed anyway (--force)", id,
                 (*error)->message);
        hcsoci_error_free(*error);
        *error = NULL;
        cli_state_remove(session->store, id, error);
    } else if (loaded) {
        /* The ledger now holds only what could not be released (nothing, when the compute
         * system could not be ended). */
        hcsoci_error *save_error = NULL;
        if (cli_state_save(session->store, id, state, &save_error) != 0)
            cli_report_error(save_error);
    }
    json_decref(state);
    return *error != NULL ? -1 : 0;
}

int cli_command_delete(const cli_globals *globals, int argc, char **argv)
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
            return cli_option_error("delete", result, argv);
        }
    }
    int status = cli_expect_operands("delete", argc, argv, 1, "the container ID");
    if (status != 0)
        return status;
    const char *id = argv[optind];
    status = cli_check_id_operand("delete", id);
    if (status >= 0)
        return status;

    hcsoci_error *error = NULL;
    cli_session session;
    if (cli_session_lock(globals, &session, &error) != 0)
        return cli_report_error(error);
    /* An unknown container is reported as such, even where no simulated host exists yet. */
    if (!cli_state_exists(session.store, id))
        hcsoci_fail(&error, HCSOCI_E_NOT_FOUND, "container '%s' does not exist", id);
    else if (cli_session_open_host(globals, &session, &error) == 0)
        cli_delete_container(globals, &session, id, force, &error);
    cli_session_close(globals, &session, &error);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* ---- state and list ---- */

static void print_state_help(void)
{
    printf("Usage: %s state ID\n\n"
           "Prints the container's OCI state: ociVersion (%s), id, status (\"creating\",\n"
           "\"created\", \"running\", \"stopped\", or \"failed\" for a failed create whose\n"
           "resources were kept), bundle (the absolute path of the bundle, or of the spec\n"
           "file's directory, given at create; null for a container saved without it),\n"
           "annotations (the spec's), then created (UTC), owner and hcsoci's own members:\n"
           "schema, hostingSystemId, document, spec and resources (the ledger 'delete'\n"
           "releases). There is no pid: a Windows compute system is not a process.\n"
           "\nOptions:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME, HCSOCI_OCI_VERSION);
}

/* The OCI state of a saved container: the runtime-spec members first, then every other member
 * of the saved state in its order (new reference; NULL when memory runs out). */
static json_t *oci_state(const json_t *saved)
{
    const json_t *annotations = json_object_get(json_object_get(saved, "spec"), "annotations");
    const json_t *bundle = json_object_get(saved, "bundle");
    json_t *state = json_pack("{s:s, s:O?, s:O?, s:O, s:o}", "ociVersion", HCSOCI_OCI_VERSION,
                              "id", json_object_get(saved, "id"),
                              "status", json_object_get(saved, "status"),
                              "bundle", bundle != NULL ? bundle : json_null(),
                              "annotations",
                              json_is_object(annotations) ? hcsoci_json_copy(annotations)
                                                          : json_object());
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)saved, key, value) {
        if (state != NULL && json_object_get(state, key) == NULL &&
            json_object_set(state, key, value) != 0) {
            json_decref(state);
            state = NULL;
        }
    }
    return state;
}

int cli_command_state(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("state", argc, argv, print_state_help);
    if (status >= 0)
        return status;
    status = cli_expect_operands("state", argc, argv, 1, "the container ID");
    if (status != 0)
        return status;
    status = cli_check_id_operand("state", argv[optind]);
    if (status >= 0)
        return status;
    hcsoci_error *error = NULL;
    json_t *saved = NULL;
    cli_store *store = NULL;
    if (cli_store_open(globals->root, false, &store, &error) == 0 &&
        cli_state_load(store, argv[optind], &saved, &error) == 0) {
        json_t *state = oci_state(saved);
        if (state == NULL)
            hcsoci_fail_out_of_memory(&error);
        else
            cli_print_json(state, &error);
        json_decref(state);
    }
    cli_store_close(store);
    json_decref(saved);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}

/* The list entry of one container, or NULL (with a warning) when its state is unreadable. */
static json_t *list_entry(cli_store *store, const char *id)
{
    hcsoci_error *error = NULL;
    json_t *state = NULL;
    if (cli_state_load(store, id, &state, &error) != 0) {
        cli_warn("skipping container '%s': %s", id, error->message);
        hcsoci_error_free(error);
        return NULL;
    }
    json_t *entry = json_pack("{s:s, s:O?, s:O?, s:O?}", "id", id,
                              "status", json_object_get(state, "status"),
                              "owner", json_object_get(state, "owner"),
                              "created", json_object_get(state, "created"));
    json_decref(state);
    return entry;
}

static void print_list_help(void)
{
    printf("Usage: %s list\n\n"
           "Prints [{\"id\", \"status\", \"owner\", \"created\"}] for every container with\n"
           "saved state in ROOT/state.db, sorted by id (\"creating\": a create was killed\n"
           "midway; 'delete' releases what it recorded).\n\n"
           "Options:\n  -h, --help   print this help\n",
           CLI_PROGRAM_NAME);
}

int cli_command_list(const cli_globals *globals, int argc, char **argv)
{
    int status = cli_parse_help_only("list", argc, argv, print_list_help);
    if (status >= 0)
        return status;
    status = cli_expect_operands("list", argc, argv, 0, "nothing");
    if (status != 0)
        return status;
    hcsoci_error *error = NULL;
    json_t *ids = NULL, *list = json_array();
    if (list == NULL)
        return cli_report_error(hcsoci_error_new(HCSOCI_E_OUT_OF_MEMORY, "out of memory"));
    cli_store *store = NULL;
    if (cli_store_open(globals->root, false, &store, &error) == 0 &&
        cli_state_list_ids(store, &ids, &error) == 0) {
        size_t index;
        json_t *id;
        json_array_foreach(ids, index, id) {
            json_t *entry = list_entry(store, json_string_value(id));
            if (entry != NULL)
                json_array_append_new(list, entry);
        }
        cli_print_json(list, &error);
    }
    cli_store_close(store);
    json_decref(ids);
    json_decref(list);
    return error != NULL ? cli_report_error(error) : CLI_EXIT_SUCCESS;
}
