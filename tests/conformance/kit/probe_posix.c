/* The kit's probes on POSIX: each in a child process (fork), which tells the parent through a
 * pipe what it calls, so that a crash is reported with the call and the signal. */
#include "kit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's end of the pipe to the parent. Before each op call the child writes the call's
 * description and a newline ("announce"); at the end "=" and its verdict, if any. */
static int probe_channel = -1;

void kit_probe_announce(const char *what)
{
    if (probe_channel >= 0 && (write(probe_channel, what, strlen(what)) < 0 ||
                               write(probe_channel, "\n", 1) < 0))
        _exit(3);
}

char *kit_run_probe(const hcsoci_plugin_descriptor *descriptor, kit_probe_function probe)
{
    int channel[2];
    if (pipe(channel) != 0)
        return strdup("cannot make a pipe");
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    if (child < 0) {
        close(channel[0]);
        close(channel[1]);
        return strdup("cannot fork");
    }
    if (child == 0) {
        close(channel[0]);
        probe_channel = channel[1];
        const char *reason = probe(descriptor);
        if (write(channel[1], "=", 1) < 0 ||
            (reason != NULL && write(channel[1], reason, strlen(reason)) < 0))
            _exit(3);
        close(channel[1]);
        exit(0); /* exit, not _exit: valgrind's leak check runs at exit */
    }
    close(channel[1]);
    char buffer[8192];
    size_t length = 0;
    ssize_t got;
    while ((got = read(channel[0], buffer + length, sizeof buffer - 1 - length)) > 0) {
        length += (size_t)got;
        if (length == sizeof buffer - 1) { /* keep the tail: the last call and the verdict */
            memmove(buffer, buffer + length / 2, length - length / 2);
            length -= length / 2;
        }
    }
    buffer[length] = '\0';
    close(channel[0]);
    char *verdict = strrchr(buffer, '=');
    if (verdict != NULL && strchr(verdict, '\n') != NULL)
        verdict = NULL; /* an '=' inside an announced call, not the verdict */
    char *last_call = NULL;
    if (verdict == NULL && length > 0) {
        buffer[length - 1] = '\0'; /* the last announcement's newline */
        last_call = strrchr(buffer, '\n');
        last_call = last_call != NULL ? last_call + 1 : buffer;
    }
    int status = 0;
    char *reason = NULL;
    if (waitpid(child, &status, 0) != child) {
        reason = strdup("cannot wait for the probe");
    } else if (WIFSIGNALED(status)) {
        if (asprintf(&reason, "%s%scrashed with signal %d (%s)",
                     last_call != NULL ? last_call : "", last_call != NULL ? ": " : "",
                     WTERMSIG(status), strsignal(WTERMSIG(status))) < 0)
            reason = NULL;
    } else if (verdict == NULL) {
        if (asprintf(&reason, "the probe ended early%s%s (exit status %d)",
                     last_call != NULL ? " in " : "", last_call != NULL ? last_call : "",
                     WEXITSTATUS(status)) < 0)
            reason = NULL;
    } else if (verdict[1] != '\0') {
        reason = strdup(verdict + 1);
    } else if (WEXITSTATUS(status) != 0) {
        if (asprintf(&reason, "the probe exited with status %d (under valgrind: a memory error "
                              "or leak, see its report)",
                     WEXITSTATUS(status)) < 0)
            reason = NULL;
    }
    return reason;
}
