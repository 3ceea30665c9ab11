/* Tests of the container credential guard service (core/lib/credentials.c): the requests it sends
 * to the host, the state it reads back, its ledger entry and release, its errors, and its use
 * by the WCOW builder through a whole create in a sim host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hcsoci/credentials.h>
#include <hcsoci/hcsoci.h>
#include <hcsoci/log.h>

#include "test_support.h"

#define CREDENTIAL_SPEC "{\"CmsPlugins\":[\"ActiveDirectory\"]}"

#define ADD_INSTANCE_LRPC                                                                      \
    "{\"PropertyType\":\"ContainerCredentialGuard\",\"Settings\":{\"Operation\":"              \
    "\"AddInstance\",\"OperationDetails\":{\"Id\":\"c1\",\"CredentialSpec\":"                  \
    "\"{\\\"CmsPlugins\\\":[\\\"ActiveDirectory\\\"]}\",\"Transport\":\"LRPC\"}}}"

#define REMOVE_INSTANCE                                                                        \
    "{\"PropertyType\":\"ContainerCredentialGuard\",\"Settings\":{\"Operation\":"              \
    "\"RemoveInstance\",\"OperationDetails\":{\"Id\":\"c1\"}}}"

#define PROPERTY_QUERY "{\"PropertyTypes\":[\"ContainerCredentialGuard\"]}"

#define SIM_STATE_LRPC                                                                         \
    "{\"Cookie\":\"Y2NnLWNvb2tpZQ==\",\"RpcEndpoint\":\"ccg-rpc-endpoint\",\"Transport\":"     \
    "\"LRPC\"}"

#define SIM_HVSOCKET_CONFIG                                                                    \
    "{\"ServiceId\":\"1b2c3d4e-0000-0000-0000-0000000000cc\",\"ServiceConfig\":{"              \
    "\"BindSecurityDescriptor\":\"D:P(A;;FA;;;SY)\",\"ConnectSecurityDescriptor\":"            \
    "\"D:P(A;;FA;;;SY)\",\"AllowWildcardBinds\":true}}"

/* ---- Helpers ---- */

/* value written compactly in its own member order (caller frees); "(null)" for NULL. */
static char *compact(const json_t *value)
{
    char *text = value != NULL ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    return text != NULL ? text : strdup("(null)");
}

/* CU_ASSERT that value, written compactly in order, is exactly expected_text. */
#define ASSERT_JSON_TEXT(value, expected_text)                                                 \
    do {                                                                                       \
        char *actual_ = compact(value);                                                        \
        if (strcmp(actual_, (expected_text)) != 0)                                             \
            fprintf(stderr, "\n  actual:   %s\n  expected: %s\n", actual_, (expected_text));   \
        CU_ASSERT_STRING_EQUAL(actual_, (expected_text));                                      \
        free(actual_);                                                                         \
    } while (0)

/* A sim host with nothing in it, or with one failing call. */
static hcsoci_host *sim_host_failing(const char *call, int nth)
{
    char world[256];
    if (call == NULL)
        snprintf(world, sizeof world, "{\"build\":20348}");
    else
        snprintf(world, sizeof world,
                 "{\"build\":20348,\"failCall\":{\"call\":\"%s\",\"nth\":%d}}", call, nth);
    return test_sim_host(world);
}

/* How many credential guard instances the sim host holds. */
static json_int_t held_instances(hcsoci_host *host)
{
    json_t *held = hcsoci_sim_host_held(host);
    json_int_t count = json_integer_value(json_object_get(held, "credentialGuardInstances"));
    json_decref(held);
    return count;
}

/* The journal's call i: its name and its JSON argument called argument. */
static const char *call_name(hcsoci_host *host, size_t index)
{
    const char *name = json_string_value(
        json_object_get(json_array_get(hcsoci_sim_host_journal(host), index), "call"));
    return name != NULL ? name : "(none)";
}

static const json_t *call_argument(hcsoci_host *host, size_t index, const char *argument)
{
    return json_object_get(
        json_object_get(json_array_get(hcsoci_sim_host_journal(host), index), "args"), argument);
}

/* ---- A host with canned service properties ---- */

/* Only the two service calls: records the settings it is sent and answers the property query
 * with a copy of answer (NULL: no properties at all). */
typedef struct canned_host {
    hcsoci_host base;
    json_t *answer;
    json_t *settings_sent;
} canned_host;

static int canned_modify_service_settings(hcsoci_host *host, const json_t *settings,
                                          hcsoci_error **error)
{
    (void)error;
    canned_host *canned = (canned_host *)host;
    json_array_append_new(canned->settings_sent, json_deep_copy(settings));
    return 0;
}

static int canned_get_service_properties(hcsoci_host *host, const json_t *query,
                                         json_t **properties, hcsoci_error **error)
{
    (void)query;
    (void)error;
    canned_host *canned = (canned_host *)host;
    *properties = canned->answer != NULL ? json_deep_copy(canned->answer) : NULL;
    return 0;
}

static const hcsoci_host_ops canned_ops = {
    .size = sizeof(hcsoci_host_ops),
    .modify_service_settings = canned_modify_service_settings,
    .get_service_properties = canned_get_service_properties,
};

/* Creates the instance of "c1" against a host answering answer_text ("" for no answer) and
 * returns the status; *message gets the error (caller frees) and *state the state text. The
 * ledger must hold the instance whenever AddInstance was sent, and a failure leaves the
 * result empty. */
static int create_with_answer(const char *answer_text, char **message, char **state,
                              char **hvsocket_config)
{
    canned_host host = {
        .base = {.ops = &canned_ops},
        .answer = answer_text[0] != '\0' ? test_json(answer_text) : NULL,
        .settings_sent = json_array(),
    };
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    hcsoci_credential_guard guard;
    hcsoci_error *error = NULL;
    int status = hcsoci_credential_guard_create(&host.base, resources, "c1", CREDENTIAL_SPEC,
                                                false, &guard, &error);
    *message = error != NULL ? strdup(error->message) : NULL;
    *state = compact(guard.state);
    *hvsocket_config = compact(guard.hvsocket_config);
    CU_ASSERT_EQUAL(status == 0, error == NULL);
    CU_ASSERT_EQUAL(json_array_size(host.settings_sent), 1);
    CU_ASSERT_EQUAL(hcsoci_resources_count(resources), 1);
    if (status != 0) {
        CU_ASSERT_PTR_NULL(guard.state);
        CU_ASSERT_PTR_NULL(guard.hvsocket_config);
    }
    hcsoci_error_free(error);
    hcsoci_credential_guard_clear(&guard);
    hcsoci_resources_free(resources);
    json_decref(host.answer);
    json_decref(host.settings_sent);
    return status;
}

/* ---- The service on its own ---- */

static void test_process_isolated_instance_requests_and_state(void)
{
    hcsoci_host *host = sim_host_failing(NULL, 0);
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    hcsoci_credential_guard guard;
    hcsoci_error *error = NULL;
    int status = hcsoci_credential_guard_create(host, resources, "c1", CREDENTIAL_SPEC, false,
                                                &guard, &error);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT_PTR_NULL(error);

    /* AddInstance, then the query, as the reference marshals them. */
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 2);
    CU_ASSERT_STRING_EQUAL(call_name(host, 0), "HcsModifyServiceSettings");
    ASSERT_JSON_TEXT(call_argument(host, 0, "settings"), ADD_INSTANCE_LRPC);
    CU_ASSERT_STRING_EQUAL(call_name(host, 1), "HcsGetServiceProperties");
    ASSERT_JSON_TEXT(call_argument(host, 1, "propertyQuery"), PROPERTY_QUERY);

    /* The state without the empty CredentialSpec; the HvSocket config as the host gave it. */
    ASSERT_JSON_TEXT(guard.state, SIM_STATE_LRPC);
    ASSERT_JSON_TEXT(guard.hvsocket_config, SIM_HVSOCKET_CONFIG);

    /* One ledger entry naming the instance; the host holds one instance. */
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_count(resources), 1);
    ASSERT_JSON_TEXT(hcsoci_resources_entry(resources, 0),
                     "{\"kind\":\"credentials.ccg\",\"instanceId\":\"c1\"}");
    CU_ASSERT_EQUAL(held_instances(host), 1);

    /* Releasing the entry removes the instance. */
    hcsoci_sim_host_journal_clear(host);
    status = hcsoci_credentials_release_entry(host, hcsoci_resources_entry(resources, 0), &error);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 1);
    CU_ASSERT_STRING_EQUAL(call_name(host, 0), "HcsModifyServiceSettings");
    ASSERT_JSON_TEXT(call_argument(host, 0, "settings"), REMOVE_INSTANCE);
    CU_ASSERT_EQUAL(held_instances(host), 0);

    hcsoci_credential_guard_clear(&guard);
    CU_ASSERT_PTR_NULL(guard.state);
    hcsoci_credential_guard_clear(&guard); /* clearing twice is harmless */
    hcsoci_resources_free(resources);
    hcsoci_host_destroy(host);
}

static void test_hypervisor_isolated_instance_uses_hvsocket(void)
{
    hcsoci_host *host = sim_host_failing(NULL, 0);
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    hcsoci_credential_guard guard;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_credential_guard_create(host, resources, "c1", CREDENTIAL_SPEC, true,
                                                   &guard, &error),
                    0);
    CU_ASSERT_PTR_NULL(error);
    const json_t *details = json_object_get(
        json_object_get(call_argument(host, 0, "settings"), "Settings"), "OperationDetails");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(details, "Transport")), "HvSocket");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(guard.state, "Transport")),
                           "HvSocket");

    /* What a utility VM's service table entry is made from. */
    const char *service_id = NULL;
    hcsoci_hvsocket_service_config config;
    CU_ASSERT_EQUAL(hcsoci_credential_guard_hvsocket_service(&guard, &service_id, &config, &error),
                    0);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_STRING_EQUAL(service_id, "1b2c3d4e-0000-0000-0000-0000000000cc");
    CU_ASSERT_STRING_EQUAL(config.bind_security_descriptor, "D:P(A;;FA;;;SY)");
    CU_ASSERT_STRING_EQUAL(config.connect_security_descriptor, "D:P(A;;FA;;;SY)");
    CU_ASSERT_TRUE(config.allow_wildcard_binds);
    CU_ASSERT_FALSE(config.disabled);

    /* Without a reported HvSocket config there is no service entry to make. */
    json_decref(guard.hvsocket_config);
    guard.hvsocket_config = NULL;
    CU_ASSERT_EQUAL(hcsoci_credential_guard_hvsocket_service(&guard, &service_id, &config, &error),
                    -1);
    TEST_ASSERT_ERROR_IS(error,
                         "the container credential guard instance has no HvSocket service id");
    CU_ASSERT_PTR_NULL(service_id);

    hcsoci_credential_guard_clear(&guard);
    hcsoci_resources_free(resources);
    hcsoci_host_destroy(host);
}

static void test_empty_credential_spec_is_left_out_of_the_request(void)
{
    hcsoci_host *host = sim_host_failing(NULL, 0);
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    hcsoci_credential_guard guard;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_credential_guard_create(host, resources, "c1", "", false, &guard,
                                                   &error),
                    0);
    ASSERT_JSON_TEXT(json_object_get(json_object_get(call_argument(host, 0, "settings"),
                                                     "Settings"),
                                     "OperationDetails"),
                     "{\"Id\":\"c1\",\"Transport\":\"LRPC\"}");
    hcsoci_credential_guard_clear(&guard);
    hcsoci_resources_free(resources);
    hcsoci_host_destroy(host);
}

static void test_add_instance_failure(void)
{
    hcsoci_host *host = sim_host_failing("HcsModifyServiceSettings", 1);
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    hcsoci_credential_guard guard;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_credential_guard_create(host, resources, "c1", CREDENTIAL_SPEC, false,
                                                   &guard, &error),
                    -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x80070005);
    TEST_ASSERT_ERROR_IS(error, "failed to generate container credential guard instance: "
                                "hcsshim::ModifyServiceSettings: Access is denied.");
    /* Nothing was made, so nothing is recorded and nothing more is sent. */
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 1);
    CU_ASSERT_EQUAL(hcsoci_resources_count(resources), 0);
    CU_ASSERT_PTR_NULL(guard.state);
    CU_ASSERT_PTR_NULL(guard.hvsocket_config);
    CU_ASSERT_EQUAL(held_instances(host), 0);
    hcsoci_resources_free(resources);
    hcsoci_host_destroy(host);
}

static void test_query_failure_leaves_the_instance_in_the_ledger(void)
{
    hcsoci_host *host = sim_host_failing("HcsGetServiceProperties", 1);
    hcsoci_runtime *runtime = test_runtime(host);
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    hcsoci_credential_guard guard;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_credential_guard_create(host, resources, "c1", CREDENTIAL_SPEC, false,
                                                   &guard, &error),
                    -1);
    TEST_ASSERT_ERROR_IS(error, "failed to retrieve container credential guard instances: "
                                "hcsshim::GetServiceProperties: Access is denied.");
    CU_ASSERT_PTR_NULL(guard.state);
    CU_ASSERT_EQUAL(hcsoci_resources_count(resources), 1);
    CU_ASSERT_EQUAL(held_instances(host), 1);

    /* The core's release (even a partial one) removes it. */
    hcsoci_sim_host_journal_clear(host);
    CU_ASSERT_EQUAL(hcsoci_release_resources(runtime, resources, NULL, false, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 1);
    ASSERT_JSON_TEXT(call_argument(host, 0, "settings"), REMOVE_INSTANCE);
    CU_ASSERT_EQUAL(hcsoci_resources_count(resources), 0);
    CU_ASSERT_EQUAL(held_instances(host), 0);

    hcsoci_resources_free(resources);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

static void test_remove_instance_failure(void)
{
    hcsoci_host *host = sim_host_failing("HcsModifyServiceSettings", 2);
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    hcsoci_credential_guard guard;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_credential_guard_create(host, resources, "c1", CREDENTIAL_SPEC, false,
                                                   &guard, &error),
                    0);
    CU_ASSERT_EQUAL(hcsoci_credentials_release_entry(host, hcsoci_resources_entry(resources, 0),
                                                     &error),
                    -1);
    TEST_ASSERT_ERROR_IS(error, "failed to remove container credential guard instance: "
                                "hcsshim::ModifyServiceSettings: Access is denied.");
    CU_ASSERT_EQUAL(held_instances(host), 1);
    hcsoci_credential_guard_clear(&guard);
    hcsoci_resources_free(resources);
    hcsoci_host_destroy(host);
}

static void test_bad_arguments_and_ledger_entries(void)
{
    hcsoci_host *host = sim_host_failing(NULL, 0);
    hcsoci_resources *resources = hcsoci_resources_new("c1");
    hcsoci_credential_guard guard;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_credential_guard_create(host, resources, "", CREDENTIAL_SPEC, false,
                                                   &guard, &error),
                    -1);
    TEST_ASSERT_ERROR_IS(error, "a container credential guard instance needs a container id");
    CU_ASSERT_EQUAL(hcsoci_credential_guard_create(host, resources, "c1", NULL, false, &guard,
                                                   &error),
                    -1);
    TEST_ASSERT_ERROR_IS(error, "a container credential guard instance needs a credential spec");
    CU_ASSERT_EQUAL(hcsoci_credential_guard_create(NULL, resources, "c1", CREDENTIAL_SPEC, false,
                                                   &guard, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "a host, a ledger and a result are required");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);

    static const struct {
        const char *entry;
        const char *message;
    } entries[] = {
        {"{\"kind\":\"credentials.ccg\"}",
         "invalid ledger entry 'credentials.ccg': field 'instanceId' must be a non-empty string"},
        {"{\"kind\":\"credentials.ccg\",\"instanceId\":7}",
         "invalid ledger entry 'credentials.ccg': field 'instanceId' must be a non-empty string"},
        {"{\"kind\":\"credentials.ccg\",\"instanceId\":\"\"}",
         "invalid ledger entry 'credentials.ccg': field 'instanceId' must be a non-empty string"},
        {"{\"kind\":\"credentials.other\",\"instanceId\":\"c1\"}",
         "cannot release a resource of kind 'credentials.other': not a credential guard "
         "instance"},
        {"{\"instanceId\":\"c1\"}",
         "cannot release a resource of kind '(none)': not a credential guard instance"},
    };
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        json_t *entry = test_json(entries[i].entry);
        CU_ASSERT_EQUAL(hcsoci_credentials_release_entry(host, entry, &error), -1);
        TEST_ASSERT_ERROR_IS(error, entries[i].message);
        json_decref(entry);
    }
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    hcsoci_resources_free(resources);
    hcsoci_host_destroy(host);
}

/* ---- Reading the host's answer ---- */

static void test_answers_the_schema_decodes(void)
{
    static const struct {
        const char *answer;
        const char *state;
        const char *hvsocket_config;
    } cases[] = {
        /* Unknown members are dropped, empty and false ones left out, order is the schema's. */
        {"{\"Properties\":[{\"Instances\":[{\"Id\":\"other\"},{\"Extra\":1,\"HvSocketConfig\":"
         "{\"ServiceConfig\":{\"Disabled\":true,\"AllowWildcardBinds\":false,"
         "\"BindSecurityDescriptor\":\"\"},\"ServiceId\":\"s\"},\"CredentialGuard\":"
         "{\"Transport\":\"LRPC\",\"Cookie\":\"c\",\"Unknown\":[1],\"RpcEndpoint\":null},"
         "\"Id\":\"c1\"}]}]}",
         "{\"Cookie\":\"c\",\"Transport\":\"LRPC\"}",
         "{\"ServiceId\":\"s\",\"ServiceConfig\":{\"Disabled\":true}}"},
        /* An instance without state: the document gets none. */
        {"{\"Properties\":[{\"Instances\":[{\"Id\":\"c1\"}]}]}", "(null)", "(null)"},
        /* An empty state is still a state. */
        {"{\"Properties\":[{\"Instances\":[{\"Id\":\"c1\",\"CredentialGuard\":{},"
         "\"HvSocketConfig\":{\"ServiceConfig\":null}}]}]}",
         "{}", "{}"},
        /* The first instance with the id wins. */
        {"{\"Properties\":[{\"Instances\":[{\"Id\":\"c1\",\"CredentialGuard\":{\"Cookie\":"
         "\"first\"}},{\"Id\":\"c1\",\"CredentialGuard\":{\"Cookie\":\"second\"}}]}]}",
         "{\"Cookie\":\"first\"}", "(null)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *message = NULL, *state = NULL, *hvsocket_config = NULL;
        CU_ASSERT_EQUAL(create_with_answer(cases[i].answer, &message, &state, &hvsocket_config),
                        0);
        CU_ASSERT_PTR_NULL(message);
        CU_ASSERT_STRING_EQUAL(state, cases[i].state);
        CU_ASSERT_STRING_EQUAL(hvsocket_config, cases[i].hvsocket_config);
        free(message);
        free(state);
        free(hvsocket_config);
    }
}

static void test_answers_the_schema_refuses(void)
{
    static const struct {
        const char *answer;
        const char *message;
    } cases[] = {
        {"", "failed to retrieve container credential guard instances: unexpected value "
             "returned from hcs"},
        {"[]", "failed to retrieve container credential guard instances: the service "
               "properties must be an object, not an array"},
        {"{\"Properties\":{}}", "failed to retrieve container credential guard instances: "
                                "field 'Properties' must be an array, not an object"},
        {"{}", "wrong number of service properties present"},
        {"{\"Properties\":[]}", "wrong number of service properties present"},
        {"{\"Properties\":[{},{}]}", "wrong number of service properties present"},
        {"{\"Properties\":[null]}", "failed to find credential guard instance with container "
                                    "ID c1"},
        {"{\"Properties\":[{\"Instances\":[]}]}", "failed to find credential guard instance "
                                                  "with container ID c1"},
        {"{\"Properties\":[{\"Instances\":[{\"Id\":\"C1\"}]}]}",
         "failed to find credential guard instance with container ID c1"},
        {"{\"Properties\":[\"x\"]}", "failed to unmarshal container credential guard "
                                     "instances: the system info must be an object, not a "
                                     "string"},
        {"{\"Properties\":[{\"Instances\":{}}]}", "failed to unmarshal container credential "
                                                  "guard instances: field 'Instances' must be "
                                                  "an array, not an object"},
        {"{\"Properties\":[{\"Instances\":[5]}]}", "failed to unmarshal container credential "
                                                   "guard instances: field 'Instances[0]' must "
                                                   "be an object, not a number"},
        {"{\"Properties\":[{\"Instances\":[{\"Id\":true}]}]}",
         "failed to unmarshal container credential guard instances: field 'Instances[0].Id' "
         "must be a string, not a boolean"},
        {"{\"Properties\":[{\"Instances\":[{\"Id\":\"c1\",\"CredentialGuard\":{\"Cookie\":"
         "1}}]}]}",
         "failed to unmarshal container credential guard instances: field "
         "'Instances[0].CredentialGuard.Cookie' must be a string, not a number"},
        {"{\"Properties\":[{\"Instances\":[{\"Id\":\"c1\",\"CredentialGuard\":[]}]}]}",
         "failed to unmarshal container credential guard instances: field "
         "'Instances[0].CredentialGuard' must be an object, not an array"},
        {"{\"Properties\":[{\"Instances\":[{\"Id\":\"c1\",\"HvSocketConfig\":{\"ServiceConfig\":"
         "{\"AllowWildcardBinds\":\"yes\"}}}]}]}",
         "failed to unmarshal container credential guard instances: field "
         "'Instances[0].HvSocketConfig.ServiceConfig.AllowWildcardBinds' must be a boolean, "
         "not a string"},
        /* A malformed instance after the wanted one still fails, as the whole list is decoded. */
        {"{\"Properties\":[{\"Instances\":[{\"Id\":\"c1\",\"CredentialGuard\":{}},"
         "{\"Id\":\"c2\",\"HvSocketConfig\":{\"ServiceId\":2}}]}]}",
         "failed to unmarshal container credential guard instances: field "
         "'Instances[1].HvSocketConfig.ServiceId' must be a string, not a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *message = NULL, *state = NULL, *hvsocket_config = NULL;
        CU_ASSERT_EQUAL(create_with_answer(cases[i].answer, &message, &state, &hvsocket_config),
                        -1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(message);
        if (strcmp(message, cases[i].message) != 0)
            fprintf(stderr, "\n  answer:   %s\n  error:    %s\n  expected: %s\n",
                    cases[i].answer, message, cases[i].message);
        CU_ASSERT_STRING_EQUAL(message, cases[i].message);
        CU_ASSERT_STRING_EQUAL(state, "(null)");
        free(message);
        free(state);
        free(hvsocket_config);
    }
}

/* ---- Through a whole create (the WCOW builder) ---- */

/* Creates container "c1" in the WCOW world with this windows.credentialSpec (stolen) and schema
 * ("1.0", "2.1" or NULL), failing the nth call named fail_call when it is not NULL; the logs
 * are the error records. */
static void run_create(json_t *credential_spec, const char *schema, const char *fail_call, int nth,
                       test_run_result *run)
{
    json_t *world = test_wcow_world();
    if (fail_call != NULL)
        test_fail_call(world, fail_call, nth, NULL);
    json_t *spec = test_wcow_spec();
    json_object_set_new(json_object_get(spec, "windows"), "credentialSpec", credential_spec);
    test_run_options options = {.schema = schema, .log_errors_only = true};
    test_run_create(world, spec, &options, run);
}

/* How many credential guard instances the sim host held at the end of a run. */
static json_int_t held_after(const test_run_result *run)
{
    return json_integer_value(json_object_get(run->held, "credentialGuardInstances"));
}

#define MOUNT_CALLS "ActivateLayer,NameToGuid,PrepareLayer,GetLayerMountPath"
#define UNMOUNT_CALLS "UnprepareLayer,DeactivateLayer"

static void test_create_puts_the_state_in_the_document_and_release_removes_it(void)
{
    test_run_result run;
    run_create(json_string(CREDENTIAL_SPEC), NULL, NULL, 0, &run);
    CU_ASSERT_EQUAL(run.status, 0);
    CU_ASSERT_PTR_NULL(run.error);
    TEST_ASSERT_CALLS(run.calls, MOUNT_CALLS ",HcsModifyServiceSettings,HcsGetServiceProperties,"
                            "NameToGuid,HcsCreateComputeSystem");
    ASSERT_JSON_TEXT(json_object_get(json_array_get(run.calls, 4), "args"),
                     "{\"settings\":" ADD_INSTANCE_LRPC "}");
    const json_t *container = json_object_get(run.document, "Container");
    ASSERT_JSON_TEXT(json_object_get(container, "ContainerCredentialGuard"), SIM_STATE_LRPC);
    /* The state follows Storage, as in the reference's Container. */
    const char *last_key = NULL;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)container, key, value) last_key = key;
    CU_ASSERT_STRING_EQUAL(last_key != NULL ? last_key : "", "ContainerCredentialGuard");

    /* The instance goes first, then the layers. */
    TEST_ASSERT_CALLS(run.release_calls, "HcsModifyServiceSettings," UNMOUNT_CALLS);
    ASSERT_JSON_TEXT(json_object_get(json_array_get(run.release_calls, 0), "args"),
                     "{\"settings\":" REMOVE_INSTANCE "}");
    CU_ASSERT_PTR_NULL(run.release_error);
    CU_ASSERT_EQUAL(held_after(&run), 0);
    test_run_result_free(&run);
}

static void test_create_rolls_back_after_a_failed_query(void)
{
    test_run_result run;
    run_create(json_string(CREDENTIAL_SPEC), "2.1", "HcsGetServiceProperties", 1, &run);
    CU_ASSERT_EQUAL(run.status, -1);
    TEST_ASSERT_FAILED_WITH(run, "failed to retrieve container credential guard instances: "
                                 "hcsshim::GetServiceProperties: Access is denied.");
    TEST_ASSERT_CALLS(run.calls, MOUNT_CALLS ",HcsModifyServiceSettings,HcsGetServiceProperties,"
                            "HcsModifyServiceSettings," UNMOUNT_CALLS);
    ASSERT_JSON_TEXT(json_object_get(json_array_get(run.calls, 6), "args"),
                     "{\"settings\":" REMOVE_INSTANCE "}");
    CU_ASSERT_EQUAL(held_after(&run), 0);
    test_run_result_free(&run);
}

static void test_create_fails_cleanly_when_the_instance_is_refused(void)
{
    test_run_result run;
    run_create(json_string(CREDENTIAL_SPEC), "2.1", "HcsModifyServiceSettings", 1, &run);
    CU_ASSERT_EQUAL(run.status, -1);
    TEST_ASSERT_FAILED_WITH(run, "failed to generate container credential guard instance: "
                                 "hcsshim::ModifyServiceSettings: Access is denied.");
    TEST_ASSERT_CALLS(run.calls, MOUNT_CALLS ",HcsModifyServiceSettings," UNMOUNT_CALLS);
    CU_ASSERT_EQUAL(held_after(&run), 0);
    test_run_result_free(&run);
}

static void test_release_failure_is_reported_and_the_layers_kept(void)
{
    test_run_result run;
    run_create(json_string(CREDENTIAL_SPEC), "2.1", "HcsModifyServiceSettings", 2, &run);
    CU_ASSERT_EQUAL(run.status, 0);
    TEST_ASSERT_CALLS(run.release_calls, "HcsModifyServiceSettings");
    CU_ASSERT_PTR_NOT_NULL_FATAL(run.release_error);
    CU_ASSERT_STRING_EQUAL(run.release_error,
                           "failed to release one or more container resources (they stay in the "
                           "ledger for the next release)");
    /* The entry's own error is logged. */
    CU_ASSERT_FATAL(json_array_size(run.logs) > 0);
    const json_t *record = json_array_get(run.logs, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(record, "message")),
                           "failed to release container resource: it stays in the ledger");
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(json_object_get(record, "fields"), "error")),
        "failed to remove container credential guard instance: "
        "hcsshim::ModifyServiceSettings: Access is denied.");
    CU_ASSERT_EQUAL(held_after(&run), 1);
    test_run_result_free(&run);
}

static void test_only_a_string_spec_with_schema_2_1_makes_an_instance(void)
{
    /* Not strings: ignored, as the reference ignores them. */
    json_t *not_strings[] = {json_pack("{s:s}", "a", "b"), json_integer(7), json_null(),
                             json_pack("[s]", CREDENTIAL_SPEC), json_true()};
    for (size_t i = 0; i < sizeof not_strings / sizeof not_strings[0]; i++) {
        test_run_result run;
        run_create(not_strings[i], "2.1", NULL, 0, &run);
        CU_ASSERT_EQUAL(run.status, 0);
        TEST_ASSERT_CALLS(run.calls, MOUNT_CALLS ",NameToGuid,HcsCreateComputeSystem");
        const json_t *container = json_object_get(run.document, "Container");
        CU_ASSERT_PTR_NULL(json_object_get(container, "ContainerCredentialGuard"));
        test_run_result_free(&run);
    }

    /* Schema 1.0 passes the string in its document instead. */
    test_run_result run;
    run_create(json_string(CREDENTIAL_SPEC), "1.0", NULL, 0, &run);
    CU_ASSERT_EQUAL(run.status, 0);
    CU_ASSERT_PTR_NULL(strstr(test_call_names(run.calls), "Service"));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(run.document, "Credentials")),
                           CREDENTIAL_SPEC);
    CU_ASSERT_PTR_NULL(strstr(test_call_names(run.release_calls), "Service"));
    test_run_result_free(&run);
}

int main(void)
{
    static const test_entry tests[] = {
        {"process isolated: requests, state, ledger, release", test_process_isolated_instance_requests_and_state},
        {"hypervisor isolated: HvSocket transport and service entry", test_hypervisor_isolated_instance_uses_hvsocket},
        {"an empty credential spec is left out of the request", test_empty_credential_spec_is_left_out_of_the_request},
        {"AddInstance failure", test_add_instance_failure},
        {"query failure leaves the instance in the ledger", test_query_failure_leaves_the_instance_in_the_ledger},
        {"RemoveInstance failure", test_remove_instance_failure},
        {"bad arguments and ledger entries", test_bad_arguments_and_ledger_entries},
        {"answers the schema decodes", test_answers_the_schema_decodes},
        {"answers the schema refuses", test_answers_the_schema_refuses},
        {"create: state in the document, release removes the instance", test_create_puts_the_state_in_the_document_and_release_removes_it},
        {"create: a failed query is rolled back", test_create_rolls_back_after_a_failed_query},
        {"create: a refused instance fails cleanly", test_create_fails_cleanly_when_the_instance_is_refused},
        {"release failure is reported", test_release_failure_is_reported_and_the_layers_kept},
        {"only a string spec with schema 2.1 makes an instance", test_only_a_string_spec_with_schema_2_1_makes_an_instance},
        {NULL, NULL},
    };
    return test_run_suite("credentials", tests);
}
