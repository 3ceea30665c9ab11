/* The checks the sweeps make on the world after a failed create: the held counts are
 * back where they were, and the recorded events (recording_host.c) show every removal pairing
 * with an addition, nothing removed twice, and removals in reverse order.
 *
 * The reverse-order rule, exactly: pair each removal with the latest earlier addition of the
 * same resource that is not yet paired. For two paired resources X and Y with X added before
 * Y, Y must be removed before X — unless
 *   - either of them is in group "network" (HNS namespaces, their endpoints, NICs): the core
 *     and the network module release networking by the reference's own order (NICs first, in
 *     the order they were added (corpus deviation D5); HNS endpoints in the order added, before
 *     their namespace; the namespace where its ledger entry stands); for these the rule is
 *     only that each endpoint is removed before its namespace is deleted; or
 *   - both are in group "image layer" (attachments of the image's read-only layers): the
 *     reference mounts and unmounts those in layer order, and neither depends on the other.
 * These exceptions are what the reference's own rollback does, so every corpus trace obeys the
 * rule (and so do the release traces of the corpus's successful cases).
 *
 * While resources are kept on failure, the create may still undo a step that failed half-way
 * (the layer service deactivates the layer it has just activated when preparing it fails, as
 * the reference does whatever the flag says). The kit cannot see step boundaries, so the rule
 * there is: each removal must undo the newest addition still held, the exceptions above
 * aside. A core that ignored the flag and released everything in reverse order would also
 * pass this rule; what it then returns must still release cleanly. */
#include "kit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- held counts ---- */

/* Appends "<text>; " to *report (malloc'ed, may be NULL). */
static void append(char **report, const char *format, ...) HCSOCI_PRINTF_FORMAT(2, 3);

static void append(char **report, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    char *item = NULL;
    int length = vasprintf(&item, format, arguments);
    va_end(arguments);
    if (length < 0)
        return;
    char *joined = NULL;
    if (asprintf(&joined, "%s%s%s", *report != NULL ? *report : "",
                 *report != NULL ? "; " : "", item) >= 0) {
        free(*report);
        *report = joined;
    }
    free(item);
}

static void describe_delta(char **report, const char *what, json_int_t before, json_int_t after)
{
    if (after > before)
        append(report, "%s: %lld more held than before", what, (long long)(after - before));
    else if (after < before)
        append(report, "%s: %lld fewer held than before (removed more often than added)", what,
               (long long)(before - after));
}

/* Reports every (system, resource path) whose balance differs between the two. */
static void describe_modifications(char **report, const json_t *before, const json_t *after)
{
    const char *system;
    const json_t *paths;
    json_object_foreach((json_t *)after, system, paths) {
        const json_t *old_paths = json_object_get(before, system);
        const char *path;
        const json_t *count;
        json_object_foreach((json_t *)paths, path, count) {
            char *what = NULL;
            if (asprintf(&what, "%s %s", system, path) < 0)
                continue;
            describe_delta(report, what, json_integer_value(json_object_get(old_paths, path)),
                           json_integer_value(count));
            free(what);
        }
    }
    json_object_foreach((json_t *)before, system, paths) {
        const json_t *new_paths = json_object_get(after, system);
        const char *path;
        const json_t *count;
        json_object_foreach((json_t *)paths, path, count) {
            if (json_object_get(new_paths, path) != NULL)
                continue;
            char *what = NULL;
            if (asprintf(&what, "%s %s", system, path) < 0)
                continue;
            describe_delta(report, what, json_integer_value(count), 0);
            free(what);
        }
    }
}

char *kit_held_difference(const json_t *before, const json_t *after)
{
    if (json_equal(before, after))
        return NULL;
    char *report = NULL;
    const char *name;
    const json_t *value;
    json_object_foreach((json_t *)after, name, value) {
        if (strcmp(name, "modifications") == 0)
            describe_modifications(&report, json_object_get(before, name), value);
        else
            describe_delta(&report, name, json_integer_value(json_object_get(before, name)),
                           json_integer_value(value));
    }
    if (report == NULL)
        report = strdup("the held counts differ");
    return report;
}

/* ---- events ---- */

static const char *member(const json_t *event, const char *name)
{
    const char *value = json_string_value(json_object_get(event, name));
    return value != NULL ? value : "";
}

/* "call 3 (PrepareLayer) of the create" for messages (malloc'ed). */
static char *where(const json_t *event)
{
    char *text = NULL;
    if (asprintf(&text, "call %lld (%s) of the %s",
                 (long long)json_integer_value(json_object_get(event, "index")),
                 member(event, "call"), member(event, "phase")) < 0)
        return NULL;
    return text;
}

/* One resource that was added and removed: the positions of its two events. */
typedef struct event_pair {
    size_t added;
    size_t removed;
} event_pair;

static bool in_group(const json_t *event, const char *group)
{
    return strcmp(member(event, "group"), group) == 0;
}

/* The violation of the network rule for two pairs, if any: an endpoint of namespace N must be
 * removed before N is deleted. */
static bool endpoint_after_namespace(const json_t *endpoint, const json_t *namespace_event)
{
    const char *namespace_resource = member(namespace_event, "resource");
    static const char prefix[] = "HNS namespace ";
    if (strncmp(namespace_resource, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *suffix = strstr(member(endpoint, "resource"), " in namespace ");
    return suffix != NULL && strcmp(suffix + strlen(" in namespace "),
                                     namespace_resource + sizeof prefix - 1) == 0;
}

/* Whether X (added first) may be removed before Y by the exceptions of the rule. */
static bool order_exempt(const json_t *x_event, const json_t *y_event)
{
    bool network = in_group(x_event, "network") || in_group(y_event, "network");
    if (network)
        return !endpoint_after_namespace(y_event, x_event);
    return in_group(x_event, "image layer") && in_group(y_event, "image layer");
}

static char *order_violation(const json_t *events, const event_pair *pairs, size_t count)
{
    for (size_t first = 0; first < count; first++) {
        for (size_t second = 0; second < count; second++) {
            const event_pair *x = &pairs[first], *y = &pairs[second];
            if (x->added >= y->added || x->removed > y->removed)
                continue; /* nested correctly, or the same pair */
            const json_t *x_event = json_array_get(events, x->added);
            const json_t *y_event = json_array_get(events, y->added);
            if (order_exempt(x_event, y_event))
                continue;
            char *x_where = where(json_array_get(events, x->removed));
            char *y_where = where(json_array_get(events, y->removed));
            char *report = NULL;
            if (asprintf(&report,
                         "not removed in reverse order: %s was added before %s but removed "
                         "first (%s, and %s)",
                         member(x_event, "resource"), member(y_event, "resource"),
                         x_where != NULL ? x_where : "?", y_where != NULL ? y_where : "?") < 0)
                report = NULL;
            free(x_where);
            free(y_where);
            return report != NULL ? report : strdup("not removed in reverse order");
        }
    }
    return NULL;
}

/* Whether every addition after position added, up to position before, is either paired
 * (already removed) or one that X = the addition at `added` may outlive by the rule's
 * exceptions. */
static bool newest_still_held(const json_t *events, const bool *paired, size_t added,
                              size_t before)
{
    const json_t *removed = json_array_get(events, added);
    for (size_t later = added + 1; later < before; later++) {
        const json_t *event = json_array_get(events, later);
        if (strcmp(member(event, "action"), "add") == 0 && !paired[later] &&
            !order_exempt(removed, event))
            return false;
    }
    return true;
}

static char *check_events(const json_t *events, bool only_unwinding, bool check_order)
{
    size_t count = json_array_size(events);
    event_pair *pairs = calloc(count + 1, sizeof *pairs);
    bool *paired = calloc(count + 1, sizeof *paired);
    size_t pair_count = 0;
    char *report = NULL;
    if (pairs == NULL || paired == NULL) {
        free(pairs);
        free(paired);
        return strdup("out of memory checking the events");
    }
    for (size_t index = 0; index < count && report == NULL; index++) {
        const json_t *event = json_array_get(events, index);
        if (strcmp(member(event, "action"), "remove") != 0)
            continue;
        char *event_where = where(event);
        const char *resource = member(event, "resource");
        size_t match = count;
        bool removed_before = false;
        for (size_t earlier = index; earlier-- > 0;) {
            const json_t *candidate = json_array_get(events, earlier);
            if (strcmp(member(candidate, "resource"), resource) != 0)
                continue;
            if (strcmp(member(candidate, "action"), "add") == 0 && !paired[earlier]) {
                match = earlier;
                break;
            }
            if (strcmp(member(candidate, "action"), "remove") == 0)
                removed_before = true;
        }
        if (match == count) {
            if (asprintf(&report, "%s was removed %s (%s)", resource,
                         removed_before ? "a second time" : "without being added in this run",
                         event_where != NULL ? event_where : "?") < 0)
                report = NULL;
        } else if (only_unwinding && !newest_still_held(events, paired, match, index)) {
            if (asprintf(&report,
                         "%s was removed although resources are kept on failure, and it is not "
                         "the undo of the failing step's newest addition (%s)",
                         resource, event_where != NULL ? event_where : "?") < 0)
                report = NULL;
        } else {
            paired[match] = true;
            pairs[pair_count++] = (event_pair){.added = match, .removed = index};
        }
        free(event_where);
    }
    if (report == NULL && check_order)
        report = order_violation(events, pairs, pair_count);
    free(pairs);
    free(paired);
    return report;
}

char *kit_check_events(const json_t *events, bool only_unwinding)
{
    return check_events(events, only_unwinding, true);
}

char *kit_check_event_pairs(const json_t *events)
{
    return check_events(events, false, false);
}

/* ---- a failed create ---- */

char *kit_check_failed_run(const kit_run *run, bool keep)
{
    char *reason = NULL;
    char *held = kit_held_difference(run->held_before, run->held_after_create);
    if (held != NULL && !keep) {
        if (asprintf(&reason, "leaked after the rollback: %s", held) < 0)
            reason = NULL;
        free(held);
        return reason != NULL ? reason : strdup("leaked after the rollback");
    }
    free(held);
    if (keep) {
        const char *release_error =
            json_string_value(json_object_get(run->trace, "releaseError"));
        held = run->released ? kit_held_difference(run->held_before, run->held_after_release)
                             : kit_held_difference(run->held_before, run->held_after_create);
        if (held != NULL || release_error != NULL) {
            if (asprintf(&reason, "releasing the kept ledger %s%s%s%s",
                         run->released ? "" : "(none was returned) ",
                         held != NULL ? "leaves the world unbalanced: " : "fails: ",
                         held != NULL ? held : release_error,
                         held != NULL && release_error != NULL ? " (and it fails)" : "") < 0)
                reason = NULL;
            free(held);
            return reason != NULL ? reason : strdup("releasing the kept ledger fails");
        }
        /* the create itself removes nothing of what it recorded: a removal may only undo the
         * failing step's own newest additions (the layer service, for one, deactivates a layer
         * it just activated when preparing it fails, as the reference does regardless of the
         * flag); the kit cannot see step boundaries, so this is the rule it checks */
        json_t *create_events = json_array();
        size_t index;
        const json_t *event;
        json_array_foreach(run->events, index, event) {
            if (strcmp(json_string_value(json_object_get(event, "phase")), "create") == 0)
                json_array_append(create_events, (json_t *)event);
        }
        reason = kit_check_events(create_events, true);
        json_decref(create_events);
        if (reason != NULL)
            return reason;
    }
    return kit_check_events(run->events, false);
}
