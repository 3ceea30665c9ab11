/* The sim host's state handed over as JSON (hcsoci/sim.h): the saved-state document holds the
 * world as it is now and the state beyond it (the GUID generator, call counts for failCall,
 * credential-guard instances and held counts); the journal is handed over separately, the
 * calls since the last hand-over at a time. Keeping either anywhere is the caller's business. */
#include "sim_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STATE_FORMAT "hcsoci-sim-state"
#define STATE_VERSION 1

static int state_invalid(hcsoci_error **error, const char *format, ...)
    HCSOCI_PRINTF_FORMAT(2, 3);

static int state_invalid(hcsoci_error **error, const char *format, ...)
{
    char *text = NULL;
    va_list arguments;
    va_start(arguments, format);
    int length = vasprintf(&text, format, arguments);
    va_end(arguments);
    if (length < 0)
        return hcsoci_fail_out_of_memory(error);
    hcsoci_fail(error, HCSOCI_E_INVALID, "sim state: %s", text);
    free(text);
    return -1;
}

/* ---- the state beyond the world ---- */

/* The dynamic state beyond the world (generator, call counts, credential-guard instances, held
 * counts) as a JSON object (new reference). */
static json_t *sim_state_describe(const sim_host *sim)
{
    char generator[17];
    snprintf(generator, sizeof generator, "%016" PRIx64, sim->generator_state);
    return json_pack("{s:s, s:O, s:O, s:O, s:o}", "generatorState", generator, "callCounts",
                     sim->call_counts, "credentialGuardInstances",
                     sim->credential_guard_instances, "computeSystems", sim->compute_systems,
                     "held", sim_held_describe(&sim->held));
}

static int restore_generator(sim_host *sim, const json_t *state, hcsoci_error **error)
{
    const json_t *value = json_object_get(state, "generatorState");
    const char *text = json_string_value(value);
    char *end = NULL;
    if (text != NULL && text[0] != '\0' && strlen(text) <= 16 && text[0] != '-' &&
        text[0] != '+') {
        errno = 0;
        unsigned long long number = strtoull(text, &end, 16);
        if (*end == '\0' && errno == 0 && strncasecmp(text, "0x", 2) != 0) {
            sim->generator_state = (uint64_t)number;
            return 0;
        }
    }
    return state_invalid(error,
                         "invalid field 'state.generatorState': must be 1 to 16 hex digits, not %s",
                         text != NULL    ? text
                         : value == NULL ? "missing"
                                         : "a non-string");
}

static int restore_call_counts(sim_host *sim, const json_t *state, hcsoci_error **error)
{
    const json_t *counts = json_object_get(state, "callCounts");
    if (!json_is_object(counts))
        return state_invalid(error, "invalid field 'state.callCounts': must be an object");
    const char *name;
    json_t *count;
    json_object_foreach((json_t *)counts, name, count) {
        if (!sim_call_name_known(name))
            return state_invalid(
                error, "invalid field 'state.callCounts': names an unknown call '%s'", name);
        if (!json_is_integer(count) || json_integer_value(count) < 0)
            return state_invalid(
                error, "invalid field 'state.callCounts.%s': must be an integer >= 0", name);
    }
    json_t *copy = hcsoci_json_copy(counts);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    json_decref(sim->call_counts);
    sim->call_counts = copy;
    return 0;
}

static int restore_credential_guard_instances(sim_host *sim, const json_t *state,
                                              hcsoci_error **error)
{
    const json_t *instances = json_object_get(state, "credentialGuardInstances");
    if (!json_is_array(instances))
        return state_invalid(error,
                             "invalid field 'state.credentialGuardInstances': must be an array");
    size_t index;
    json_t *instance;
    json_array_foreach((json_t *)instances, index, instance) {
        if (!json_is_string(json_object_get(instance, "Id")) ||
            !json_is_string(json_object_get(instance, "Transport")))
            return state_invalid(
                error,
                "invalid field 'state.credentialGuardInstances[%zu]': must be an object "
                "with string members 'Id' and 'Transport'",
                index);
    }
    json_t *copy = hcsoci_json_copy(instances);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    json_decref(sim->credential_guard_instances);
    sim->credential_guard_instances = copy;
    return 0;
}

/* A state saved before the host tracked its compute systems has no "computeSystems": the host
 * then knows of none. */
static int restore_compute_systems(sim_host *sim, const json_t *state, hcsoci_error **error)
{
    const json_t *systems = json_object_get(state, "computeSystems");
    if (systems == NULL)
        return 0;
    if (!json_is_object(systems))
        return state_invalid(error, "invalid field 'state.computeSystems': must be an object");
    const char *id;
    json_t *system_state;
    json_object_foreach((json_t *)systems, id, system_state) {
        const char *text = json_string_value(system_state);
        if (text == NULL || (strcmp(text, SIM_SYSTEM_CREATED) != 0 &&
                             strcmp(text, SIM_SYSTEM_RUNNING) != 0 &&
                             strcmp(text, SIM_SYSTEM_STOPPED) != 0))
            return state_invalid(error,
                                 "invalid field 'state.computeSystems.%s': must be \"%s\", "
                                 "\"%s\" or \"%s\"",
                                 id, SIM_SYSTEM_CREATED, SIM_SYSTEM_RUNNING, SIM_SYSTEM_STOPPED);
    }
    json_t *copy = hcsoci_json_copy(systems);
    if (copy == NULL)
        return hcsoci_fail_out_of_memory(error);
    json_decref(sim->compute_systems);
    sim->compute_systems = copy;
    return 0;
}

/* Restores what sim_state_describe wrote into sim; errors name the member. */
static int sim_state_restore(sim_host *sim, const json_t *state, hcsoci_error **error)
{
    if (!json_is_object(state))
        return state_invalid(error, "invalid field 'state': must be an object");
    if (restore_generator(sim, state, error) != 0 || restore_call_counts(sim, state, error) != 0 ||
        restore_credential_guard_instances(sim, state, error) != 0 ||
        restore_compute_systems(sim, state, error) != 0)
        return -1;
    sim_held held;
    if (sim_held_parse(json_object_get(state, "held"), "state.held", &held, error) != 0) {
        sim_held_release(&held);
        return -1;
    }
    sim_held_release(&sim->held);
    sim->held = held;
    return 0;
}

/* ---- the hand-over ---- */

json_t *hcsoci_sim_host_to_json(hcsoci_host *host)
{
    sim_host *sim = sim_host_from(host);
    if (sim == NULL)
        return NULL;
    pthread_mutex_lock(&sim->lock);
    json_t *saved = json_pack("{s:s, s:i, s:o, s:o}", "format", STATE_FORMAT, "version",
                              STATE_VERSION, "world", sim_world_describe(&sim->world), "state",
                              sim_state_describe(sim));
    pthread_mutex_unlock(&sim->lock);
    return saved;
}

int hcsoci_sim_host_from_json(const json_t *saved, hcsoci_host **host, hcsoci_error **error)
{
    if (host == NULL)
        return hcsoci_fail(error, HCSOCI_E_INVALID, "sim host: no place for the host given");
    *host = NULL;
    const char *format = json_string_value(json_object_get(saved, "format"));
    const json_t *version = json_object_get(saved, "version");
    if (format == NULL || strcmp(format, STATE_FORMAT) != 0 || !json_is_integer(version) ||
        json_integer_value(version) != STATE_VERSION)
        return state_invalid(error, "not a saved sim host (expected format \"%s\" version %d)",
                             STATE_FORMAT, STATE_VERSION);
    sim_world world;
    sim_host *sim = NULL;
    if (sim_world_parse(json_object_get(saved, "world"), &world, error) != 0 ||
        sim_host_new_from_world(&world, &sim, error) != 0)
        return -1;
    if (sim_state_restore(sim, json_object_get(saved, "state"), error) != 0) {
        hcsoci_host_destroy(&sim->base);
        return -1;
    }
    *host = &sim->base;
    return 0;
}

json_t *hcsoci_sim_host_take_journal(hcsoci_host *host)
{
    sim_host *sim = sim_host_from(host);
    if (sim == NULL)
        return NULL;
    json_t *fresh = json_array();
    if (fresh == NULL)
        return NULL;
    pthread_mutex_lock(&sim->lock);
    json_t *taken = sim->journal_pending;
    sim->journal_pending = fresh;
    pthread_mutex_unlock(&sim->lock);
    return taken;
}
