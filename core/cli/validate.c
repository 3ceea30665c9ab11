/* `hcsoci validate`: checks an HCS document a user has against the schema the core checks
 * every document against before it is sent (hcsoci/document.h). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <hcsoci/document.h>

#include "cli.h"

static void print_validate_help(void)
{
    printf("Usage: %s validate [OPTIONS] FILE\n\n"
           "Checks the HCS document in FILE (JSON; '-' reads stdin) against the schema of\n"
           "hcsshim v0.8.14, the one every document hcsoci sends is checked against, and\n"
           "prints each problem on stdout as \"<JSON path>: <problem>\", e.g.\n"
           "  Container.Storage.Layers[0].Path: expected a string, got 5\n"
           "Exit status: 0 the document conforms (nothing on stdout), 1 it does not, 2 bad\n"
           "arguments, an unreadable file or malformed JSON.\n"
           "\nOptions:\n"
           "  -k, --kind KIND  the kind of document; without it the kind is inferred from the\n"
           "                   document's shape (SystemType: container-config; SchemaVersion,\n"
           "                   Container or HostedSystem: compute-system; ResourcePath,\n"
           "                   RequestType or GuestRequest: the modify kind it fits best;\n"
           "                   PropertyType: service-settings; PropertyTypes: property-query)\n"
           "  --json           print {\"kind\", \"valid\", \"problems\"} instead\n"
           "  -h, --help       print this help\n"
           "\nKinds:\n",
           CLI_PROGRAM_NAME);
    for (int kind = 1; kind < HCSOCI_DOCUMENT_KIND_COUNT; kind++)
        printf("  %-17s %s\n", hcsoci_document_kind_name((hcsoci_document_kind)kind),
               hcsoci_document_kind_summary((hcsoci_document_kind)kind));
}

/* Reads FILE ('-': stdin) as JSON of any type; a usage-level failure is reported here. */
static int load_document(const char *path, json_t **document)
{
    json_error_t parse_error;
    errno = 0;
    size_t flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;
    *document = strcmp(path, "-") == 0 ? json_loadf(stdin, flags, &parse_error)
                                       : json_load_file(path, flags, &parse_error);
    if (*document != NULL)
        return 0;
    if (parse_error.line <= 0 && errno != 0)
        return cli_usage_error("validate", "cannot read '%s': %s", path, strerror(errno));
    return cli_usage_error("validate", "invalid JSON in '%s' at line %d, column %d: %s", path,
                           parse_error.line, parse_error.column, parse_error.text);
}

int cli_command_validate(const cli_globals *globals, int argc, char **argv)
{
    (void)globals;
    enum { OPTION_JSON = 256 };
    const struct option options[] = {
        {"kind", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, OPTION_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    hcsoci_document_kind kind = HCSOCI_DOCUMENT_INFER;
    bool as_json = false;
    int option;
    while ((option = getopt_long(argc, argv, ":k:h", options, NULL)) != -1) {
        if (option == 'h') {
            print_validate_help();
            return CLI_EXIT_SUCCESS;
        } else if (option == OPTION_JSON) {
            as_json = true;
        } else if (option == 'k') {
            if (!hcsoci_document_kind_from_name(optarg, &kind) ||
                kind == HCSOCI_DOCUMENT_INFER)
                return cli_usage_error("validate", "unknown document kind '%s' (see --help)",
                                       optarg);
        } else {
            return cli_option_error("validate", option, argv);
        }
    }
    int status = cli_expect_operands("validate", argc, argv, 1, "the document file");
    if (status != 0)
        return status;
    const char *path = argv[optind];
    json_t *document = NULL;
    status = load_document(path, &document);
    if (status != 0)
        return status;

    if (kind == HCSOCI_DOCUMENT_INFER)
        kind = hcsoci_document_infer_kind(document);
    if (kind == HCSOCI_DOCUMENT_INFER) {
        json_decref(document);
        return cli_usage_error("validate", "cannot tell what kind of document '%s' is; give "
                               "--kind", path);
    }
    hcsoci_error *error = NULL;
    json_t *problems = NULL;
    int count = hcsoci_document_problems(document, kind, &problems, &error);
    json_decref(document);
    if (count < 0)
        return cli_report_error(error);
    if (as_json) {
        json_t *list = problems != NULL ? json_incref(problems) : json_array();
        json_t *report = json_pack("{s:s,s:b,s:o}", "kind", hcsoci_document_kind_name(kind),
                                   "valid", count == 0, "problems", list);
        if (report == NULL)
            hcsoci_fail_out_of_memory(&error);
        else
            cli_print_json(report, &error);
        json_decref(report);
    } else {
        for (size_t i = 0; i < json_array_size(problems); i++)
            printf("%s\n", json_string_value(json_array_get(problems, i)));
        if (fflush(stdout) != 0)
            hcsoci_fail(&error, HCSOCI_E_IO, "cannot write to stdout: %s", strerror(errno));
    }
    json_decref(problems);
    if (error != NULL)
        return cli_report_error(error);
    if (count == 0) {
        if (!as_json)
            fprintf(stderr, "%s: %s conforms (%s)\n", CLI_PROGRAM_NAME, path,
                    hcsoci_document_kind_name(kind));
        return CLI_EXIT_SUCCESS;
    }
    if (!as_json)
        fprintf(stderr, "%s: %s does not conform (%s): %d problem%s\n", CLI_PROGRAM_NAME, path,
                hcsoci_document_kind_name(kind), count, count == 1 ? "" : "s");
    return CLI_EXIT_FAILURE;
}
