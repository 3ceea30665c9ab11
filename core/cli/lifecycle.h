/* The OCI runtime life cycle commands (start, kill, features) and the --log file, beside the
 * rest of the command in cli.h. */
#ifndef HCSOCI_CLI_LIFECYCLE_H
#define HCSOCI_CLI_LIFECYCLE_H

#include "cli.h"

/* Container statuses in the saved state: the OCI ones, and "failed" (a failed create whose
 * resources were kept). */
#define CLI_STATUS_CREATING "creating"
#define CLI_STATUS_CREATED "created"
#define CLI_STATUS_RUNNING "running"
#define CLI_STATUS_STOPPED "stopped"
#define CLI_STATUS_FAILED "failed"

/* ---- lifecycle.c ---- */
int cli_command_start(const cli_globals *globals, int argc, char **argv);
int cli_command_kill(const cli_globals *globals, int argc, char **argv);
int cli_command_features(const cli_globals *globals, int argc, char **argv);

/* The saved state's status (borrowed; "" when it has none). */
const char *cli_state_status(const json_t *state);

/* True when a container in this status may still have a compute system in the host. */
bool cli_status_has_compute_system(const char *status);

/* ---- output.c: the --log file ---- */

/* Sends the log records to the file at path (created mode 0600, appended, one record a line)
 * instead of stderr; cli_report_error also writes its error there. */
int cli_log_open_file(const char *path, hcsoci_error **error);

/* True when a --log file is open. */
bool cli_log_has_file(void);

/* Closes the --log file, if any. */
void cli_log_close_file(void);

#endif
