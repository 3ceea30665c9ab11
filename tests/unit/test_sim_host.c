/* The embedded simulated host: its answers, journal, fault injection, HNS namespaces, layer
 * names, files, GUIDs, held counts, world validation and its state handed over as JSON. */
#include "test_support.h"

#include <hcsoci/json_number.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A sim host from a world written for test_quoted_json. */
static hcsoci_host *sim_from_loose(const char *text)
{
    json_t *world = test_quoted_json(text);
    hcsoci_host *host = test_sim_host_of_world(world);
    json_decref(world);
    CU_ASSERT_PTR_NOT_NULL_FATAL(host);
    return host;
}

/* CU_ASSERT that actual equals the loose JSON text, printing both when not. */
#define ASSERT_JSON(actual, expected_text)                                                     \
    do {                                                                                       \
        json_t *expected_ = test_quoted_json(expected_text);                                   \
        const json_t *actual_ = (actual);                                                      \
        if (!json_equal(actual_, expected_)) {                                                 \
            char *got_ = actual_ != NULL ? json_dumps(actual_, JSON_COMPACT) : NULL;           \
            char *want_ = json_dumps(expected_, JSON_COMPACT);                                 \
            fprintf(stderr, "\n  got:  %s\n  want: %s\n", got_ != NULL ? got_ : "(null)",     \
                    want_);                                                                    \
            free(got_);                                                                        \
            free(want_);                                                                       \
            CU_FAIL("JSON differs");                                                           \
        }                                                                                      \
        json_decref(expected_);                                                                \
    } while (0)

static const char *const network_world =
    "{'hnsEndpoints': [{'ID': '5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1', 'Name': 'ep-one'},"
    "                  {'ID': '5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2', 'Name': 'ep-two'}],"
    " 'hnsNamespaces': {'9b8a7c6d-0000-4000-8000-0000000000a1':"
    "                       ['5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1']},"
    " 'hnsNewNamespaceIds': ['9b8a7c6d-0000-4000-8000-0000000000b2']}";

static json_t *hns(hcsoci_host *host, const char *method, const char *path,
                   const char *loose_request)
{
    json_t *request = loose_request != NULL ? test_quoted_json(loose_request) : NULL;
    json_t *response = NULL;
    hcsoci_error *error = NULL;
    int status = host->ops->hns_call(host, method, path, request, &response, &error);
    if (status != 0) {
        fprintf(stderr, "\n  HNS call failed: %s\n", error->message);
        hcsoci_error_free(error);
    }
    CU_ASSERT_EQUAL(status, 0);
    json_decref(request);
    return response;
}

/* ---- facts ---- */

static void test_world_facts_and_defaults(void)
{
    hcsoci_host *host = sim_from_loose("{'build': 17763, 'processorCount': 4,"
                                       " 'programDir': 'D:|tools'}");
    CU_ASSERT_EQUAL(host->ops->os_build(host), 17763u);
    CU_ASSERT_EQUAL(host->ops->processor_count(host), 4u);
    CU_ASSERT_STRING_EQUAL(host->ops->program_directory(host), "D:\\tools");
    CU_ASSERT_EQUAL(host->ops->size, sizeof(hcsoci_host_ops));
    hcsoci_host_destroy(host);

    host = sim_from_loose("{}");
    CU_ASSERT_EQUAL(host->ops->os_build(host), 20348u);
    CU_ASSERT_EQUAL(host->ops->processor_count(host), 8u);
    CU_ASSERT_STRING_EQUAL(host->ops->program_directory(host), "C:\\Program Files\\hcsoci");
    char *mount = NULL;
    CU_ASSERT_EQUAL(host->ops->get_layer_mount_path(host, "C:\\s", &mount, NULL), 0);
    CU_ASSERT_STRING_EQUAL(mount, "\\\\?\\Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f}\\");
    free(mount);
    hcsoci_host_destroy(host);
    hcsoci_host_destroy(NULL);
}

/* ---- the journal ---- */

static void test_journal_records_every_traced_call(void)
{
    hcsoci_host *host = sim_from_loose(
        "{'layerIds': {'C:|l|base': '8d2a4c6e-1111-4a5b-9c3d-000000000001'},"
        " 'layerMountPath': '||?|Volume{1}|',"
        " 'guestProcessOutputs': {'uvm-1': {'cmd /c ver': 'Windows 10'}}}");
    const hcsoci_host_ops *ops = host->ops;
    json_t *configuration = test_quoted_json("{'Owner': 'me', 'SchemaVersion': {'Major': 2}}");
    json_t *descriptors =
        test_quoted_json("[{'LayerId': '8d2a4c6e-1111-4a5b-9c3d-000000000001', 'Flags': 0,"
                         "  'Path': 'C:|l|base'}]");
    json_t *modify = test_quoted_json("{'ResourcePath': 'VirtualMachine/Devices/Plan9/Shares',"
                                      " 'RequestType': 'Add'}");
    json_t *settings = test_quoted_json("{'PropertyType': 'Other'}");
    json_t *query = test_quoted_json("{'PropertyTypes': ['ContainerCredentialGuard']}");
    json_t *properties = NULL, *response = NULL;
    char *text = NULL;

    CU_ASSERT_EQUAL(ops->create_compute_system(host, "c1", configuration, NULL), 0);
    CU_ASSERT_EQUAL(ops->modify_compute_system(host, "uvm-1", modify, NULL), 0);
    CU_ASSERT_EQUAL(ops->modify_service_settings(host, settings, NULL), 0);
    CU_ASSERT_EQUAL(ops->get_service_properties(host, query, &properties, NULL), 0);
    CU_ASSERT_EQUAL(ops->grant_vm_access(host, "uvm-1", "C:\\x.vhdx", NULL), 0);
    CU_ASSERT_EQUAL(ops->run_guest_process(host, "uvm-1", "cmd /c ver", &text, NULL), 0);
    CU_ASSERT_STRING_EQUAL(text, "Windows 10");
    free(text);
    CU_ASSERT_EQUAL(ops->hns_call(host, "GET", "/endpoints/x", NULL, &response, NULL), 0);
    json_decref(response);
    CU_ASSERT_EQUAL(ops->name_to_guid(host, "base", &text, NULL), 0);
    free(text);
    CU_ASSERT_EQUAL(ops->activate_layer(host, "C:\\l\\s", NULL), 0);
    CU_ASSERT_EQUAL(ops->prepare_layer(host, "C:\\l\\s", descriptors, NULL), 0);
    CU_ASSERT_EQUAL(ops->get_layer_mount_path(host, "C:\\l\\s", &text, NULL), 0);
    CU_ASSERT_STRING_EQUAL(text, "\\\\?\\Volume{1}\\");
    free(text);
    CU_ASSERT_EQUAL(ops->unprepare_layer(host, "C:\\l\\s", NULL), 0);
    CU_ASSERT_EQUAL(ops->deactivate_layer(host, "C:\\l\\s", NULL), 0);
    CU_ASSERT_EQUAL(ops->create_sandbox_layer(host, "C:\\l\\t", descriptors, NULL), 0);
    /* Not traced by the reference's recording host: */
    char guid[37];
    ops->new_guid(host, guid);
    CU_ASSERT_EQUAL(ops->stat_path(host, "C:\\l", NULL), HCSOCI_PATH_MISSING);
    CU_ASSERT_EQUAL(ops->make_directory(host, "C:\\l\\u", NULL), 0);
    (void)ops->os_build(host);
    (void)ops->processor_count(host);
    (void)ops->program_directory(host);

    /* The journal shares the documents it was sent (no copy): they outlive the caller's
     * references. */
    CU_ASSERT_EQUAL(configuration->refcount, 2);
    json_decref(configuration);
    json_decref(descriptors);
    configuration = descriptors = NULL;

    ASSERT_JSON(hcsoci_sim_host_journal(host),
        "[{'call': 'HcsCreateComputeSystem', 'args': {'id': 'c1',"
        "   'configuration': {'Owner': 'me', 'SchemaVersion': {'Major': 2}}}},"
        " {'call': 'HcsModifyComputeSystem', 'args': {'computeSystem': 'uvm-1',"
        "   'configuration': {'ResourcePath': 'VirtualMachine/Devices/Plan9/Shares',"
        "                     'RequestType': 'Add'}}},"
        " {'call': 'HcsModifyServiceSettings', 'args': {'settings': {'PropertyType': 'Other'}}},"
        " {'call': 'HcsGetServiceProperties',"
        "   'args': {'propertyQuery': {'PropertyTypes': ['ContainerCredentialGuard']}}},"
        " {'call': 'GrantVmAccess', 'args': {'vmid': 'uvm-1', 'filepath': 'C:|x.vhdx'}},"
        " {'call': 'RunGuestProcess', 'args': {'vmid': 'uvm-1', 'commandLine': 'cmd /c ver'}},"
        " {'call': 'HNSCall', 'args': {'method': 'GET', 'path': '/endpoints/x', 'object': ''}},"
        " {'call': 'NameToGuid', 'args': {'name': 'base'}},"
        " {'call': 'ActivateLayer', 'args': {'id': 'C:|l|s'}},"
        " {'call': 'PrepareLayer', 'args': {'id': 'C:|l|s', 'descriptors':"
        "   [{'LayerId': '8d2a4c6e-1111-4a5b-9c3d-000000000001', 'Flags': 0,"
        "     'Path': 'C:|l|base'}]}},"
        " {'call': 'GetLayerMountPath', 'args': {'id': 'C:|l|s'}},"
        " {'call': 'UnprepareLayer', 'args': {'id': 'C:|l|s'}},"
        " {'call': 'DeactivateLayer', 'args': {'id': 'C:|l|s'}},"
        " {'call': 'CreateSandboxLayer', 'args': {'id': 'C:|l|t', 'descriptors':"
        "   [{'LayerId': '8d2a4c6e-1111-4a5b-9c3d-000000000001', 'Flags': 0,"
        "     'Path': 'C:|l|base'}]}}]");

    json_decref(properties);
    json_decref(configuration);
    json_decref(descriptors);
    json_decref(modify);
    json_decref(settings);
    json_decref(query);
    hcsoci_host_destroy(host);
}

static void test_hns_request_object_is_recorded_as_sent(void)
{
    hcsoci_host *host = sim_from_loose(network_world);
    json_decref(hns(host, "POST", "/namespaces/", "{}"));
    const json_t *journal = hcsoci_sim_host_journal(host);
    ASSERT_JSON(json_array_get(journal, 0),
                "{'call': 'HNSCall', 'args': {'method': 'POST', 'path': '/namespaces/',"
                " 'object': {}}}");
    hcsoci_host_destroy(host);
}

static void test_journal_clear_keeps_fault_counting(void)
{
    hcsoci_host *host = sim_from_loose("{'failCall': {'call': 'ActivateLayer', 'nth': 2}}");
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\a", NULL), 0);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 1);
    hcsoci_sim_host_journal_clear(host);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\b", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Access is denied.");
    ASSERT_JSON(hcsoci_sim_host_journal(host),
                "[{'call': 'ActivateLayer', 'args': {'id': 'C:|b'}}]");
    hcsoci_host_destroy(host);
}

/* A journal sink that keeps copies of what it is handed, and refuses the call named refuse. */
typedef struct journal_collector {
    json_t *calls;
    const char *refuse;
} journal_collector;

static int collect_call(void *context, const json_t *call)
{
    journal_collector *collector = context;
    const char *name = json_string_value(json_object_get(call, "call"));
    if (collector->refuse != NULL && strcmp(name, collector->refuse) == 0)
        return -1;
    return json_array_append_new(collector->calls, json_deep_copy(call));
}

static void test_streamed_journal_hands_each_call_over_and_keeps_none(void)
{
    hcsoci_host *host = sim_from_loose("{}");
    journal_collector collector = {json_array(), NULL};
    CU_ASSERT_EQUAL_FATAL(hcsoci_sim_host_set_journal(host, HCSOCI_SIM_JOURNAL_STREAM,
                                                      collect_call, &collector, NULL),
                          0);
    json_t *document = test_quoted_json("{'Owner': 'streamed'}");
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c-one", document, NULL), 0);
    /* The sink saw the document as sent, though the caller changes it afterwards. */
    json_object_set_new(document, "Owner", json_string("changed"));
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\a", NULL), 0);
    ASSERT_JSON(collector.calls,
                "[{'call': 'HcsCreateComputeSystem',"
                "  'args': {'id': 'c-one', 'configuration': {'Owner': 'streamed'}}},"
                " {'call': 'ActivateLayer', 'args': {'id': 'C:|a'}}]");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    json_t *taken = hcsoci_sim_host_take_journal(host);
    CU_ASSERT_EQUAL(json_array_size(taken), 0);
    json_decref(taken);

    /* A call the sink refuses fails before it has any effect. */
    collector.refuse = "HcsCreateComputeSystem";
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c-two", document, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "the journal's sink refused HcsCreateComputeSystem");
    json_t *held = hcsoci_sim_host_held(host);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "computeSystems")), 1);
    json_decref(held);
    json_decref(document);
    json_decref(collector.calls);
    hcsoci_host_destroy(host);
}

static void test_journal_off_records_nothing_but_fault_counting_goes_on(void)
{
    hcsoci_host *host = sim_from_loose("{'failCall': {'call': 'ActivateLayer', 'nth': 2}}");
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\kept", NULL), 0);
    CU_ASSERT_EQUAL_FATAL(
        hcsoci_sim_host_set_journal(host, HCSOCI_SIM_JOURNAL_OFF, NULL, NULL, NULL), 0);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\b", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Access is denied.");
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\c", NULL), 0);
    /* What was kept before the switch stays; nothing after it is added. */
    ASSERT_JSON(hcsoci_sim_host_journal(host),
                "[{'call': 'ActivateLayer', 'args': {'id': 'C:|kept'}}]");
    /* Back to keeping: calls are recorded again. */
    CU_ASSERT_EQUAL(hcsoci_sim_host_set_journal(host, HCSOCI_SIM_JOURNAL_KEEP, NULL, NULL, NULL),
                    0);
    CU_ASSERT_EQUAL(host->ops->deactivate_layer(host, "C:\\c", NULL), 0);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 2);
    hcsoci_host_destroy(host);
}

static void test_set_journal_refuses_bad_requests(void)
{
    hcsoci_host *host = sim_from_loose("{}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(
        hcsoci_sim_host_set_journal(host, HCSOCI_SIM_JOURNAL_STREAM, NULL, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "needs a sink");
    CU_ASSERT_EQUAL(hcsoci_sim_host_set_journal(host, (hcsoci_sim_journal_mode)7, NULL, NULL,
                                                &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "unknown journal mode 7");
    CU_ASSERT_EQUAL(
        hcsoci_sim_host_set_journal(NULL, HCSOCI_SIM_JOURNAL_OFF, NULL, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "not a sim host");
    /* The refused requests changed nothing: the host still keeps its calls. */
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\a", NULL), 0);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 1);
    hcsoci_host_destroy(host);
}

/* An argument that is not UTF-8 cannot be recorded: the call fails before it does anything,
 * the journal stays as it was, and nothing the call would have held is held. */
static void test_an_argument_that_is_not_utf8_fails_the_call(void)
{
    hcsoci_host *host = sim_from_loose("{}");
    hcsoci_error *error = NULL;
    json_t *configuration = test_quoted_json("{'Owner': 'me'}");
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\a\xff", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "cannot record ActivateLayer");
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c\xc3", configuration, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "not valid UTF-8");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    /* A valid call after them is recorded as usual. */
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\a", NULL), 0);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 1);
    json_decref(configuration);
    hcsoci_host_destroy(host);
}

/* ---- failCall ---- */

static void test_fail_call_fails_only_the_nth_call_of_that_name(void)
{
    hcsoci_host *host = sim_from_loose("{'failCall': {'call': 'ActivateLayer', 'nth': 2}}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->deactivate_layer(host, "C:\\a", NULL), 0);
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\a", NULL), 0);
    CU_ASSERT_EQUAL(host->ops->deactivate_layer(host, "C:\\a", NULL), 0);
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\b", &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x80070005);
    CU_ASSERT_STRING_EQUAL(error->message, "Access is denied.");
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\c", NULL), 0);
    /* The failed call is still in the journal. */
    const json_t *journal = hcsoci_sim_host_journal(host);
    CU_ASSERT_EQUAL_FATAL(json_array_size(journal), 5);
    ASSERT_JSON(json_array_get(journal, 3), "{'call': 'ActivateLayer', 'args': {'id': 'C:|b'}}");
    /* A failed acquire holds nothing. */
    json_t *held = hcsoci_sim_host_held(host);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "activatedLayers")), 0);
    json_decref(held);
    hcsoci_host_destroy(host);
}

static void test_fail_call_with_given_hresult_returns_nothing(void)
{
    hcsoci_host *host = sim_from_loose(
        "{'failCall': {'call': 'GetLayerMountPath', 'nth': 1, 'hresult': '0x8007000E'}}");
    char *mount = (char *)"untouched";
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->get_layer_mount_path(host, "C:\\s", &mount, &error), -1);
    CU_ASSERT_PTR_NULL(mount);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x8007000E);
    CU_ASSERT_STRING_EQUAL(error->message, hcsoci_hresult_text((int32_t)0x8007000E));
    hcsoci_error_free(error);
    hcsoci_host_destroy(host);

    /* An integer HRESULT, on an HNS call: no response. */
    host = sim_from_loose("{'failCall': {'call': 'HNSCall', 'nth': 1, 'hresult': 2147500037}}");
    json_t *response = json_object();
    json_t *kept = response;
    CU_ASSERT_EQUAL(host->ops->hns_call(host, "GET", "/endpoints/x", NULL, &response, &error),
                    -1);
    CU_ASSERT_PTR_NULL(response);
    json_decref(kept);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x80004005);
    hcsoci_error_free(error);
    /* A NULL error out-parameter is allowed. */
    CU_ASSERT_EQUAL(host->ops->hns_call(host, "GET", "/endpoints/x", NULL, &response, NULL), 0);
    json_decref(response);
    hcsoci_host_destroy(host);
}

/* ---- HCS answers ---- */

static void test_credential_guard_instances(void)
{
    hcsoci_host *host = sim_from_loose("{}");
    json_t *add = test_quoted_json(
        "{'PropertyType': 'ContainerCredentialGuard', 'Settings': {'Operation': 'AddInstance',"
        " 'OperationDetails': {'Id': 'c-gmsa', 'CredentialSpec': '{}', 'Transport': 'LRPC'}}}");
    json_t *remove = test_quoted_json(
        "{'PropertyType': 'ContainerCredentialGuard', 'Settings': {'Operation': 'RemoveInstance',"
        " 'OperationDetails': {'Id': 'c-gmsa'}}}");
    json_t *query = test_quoted_json("{'PropertyTypes': ['ContainerCredentialGuard']}");
    json_t *properties = NULL;
    hcsoci_error *error = NULL;

    CU_ASSERT_EQUAL(host->ops->modify_service_settings(host, add, NULL), 0);
    CU_ASSERT_EQUAL(host->ops->get_service_properties(host, query, &properties, NULL), 0);
    ASSERT_JSON(properties,
        "{'Properties': [{'Instances': [{'Id': 'c-gmsa', 'CredentialGuard': {"
        "  'Cookie': 'Y2NnLWNvb2tpZQ==', 'RpcEndpoint': 'ccg-rpc-endpoint', 'Transport': 'LRPC',"
        "  'CredentialSpec': ''}, 'HvSocketConfig': {"
        "  'ServiceId': '1b2c3d4e-0000-0000-0000-0000000000cc', 'ServiceConfig': {"
        "  'BindSecurityDescriptor': 'D:P(A;;FA;;;SY)',"
        "  'ConnectSecurityDescriptor': 'D:P(A;;FA;;;SY)', 'AllowWildcardBinds': true}}}]}]}");
    json_decref(properties);
    json_t *held = hcsoci_sim_host_held(host);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "credentialGuardInstances")), 1);
    json_decref(held);

    CU_ASSERT_EQUAL(host->ops->modify_service_settings(host, remove, NULL), 0);
    CU_ASSERT_EQUAL(host->ops->get_service_properties(host, query, &properties, NULL), 0);
    ASSERT_JSON(properties, "{'Properties': [{'Instances': []}]}");
    json_decref(properties);
    held = hcsoci_sim_host_held(host);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "credentialGuardInstances")), 0);
    json_decref(held);

    /* Removing what is not there fails like HCS does. */
    CU_ASSERT_EQUAL(host->ops->modify_service_settings(host, remove, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_NOT_FOUND);
    hcsoci_error_free(error);

    /* A malformed credential-guard request names the field. */
    json_t *bad =
        test_quoted_json("{'PropertyType': 'ContainerCredentialGuard', 'Settings': "
                         "{'Operation': 'AddInstance', 'OperationDetails': {'Id': 'x'}}}");
    CU_ASSERT_EQUAL(host->ops->modify_service_settings(host, bad, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Settings.OperationDetails.Transport");
    json_decref(bad);

    json_decref(add);
    json_decref(remove);
    json_decref(query);
    hcsoci_host_destroy(host);
}

static void test_modify_requests_balance_per_resource_path(void)
{
    hcsoci_host *host = sim_from_loose("{}");
    json_t *add = test_quoted_json("{'ResourcePath': 'VirtualMachine/Devices/Scsi/0/Attachments/0',"
                                   " 'RequestType': 'Add', 'Settings': {}}");
    json_t *remove =
        test_quoted_json("{'ResourcePath': 'VirtualMachine/Devices/Scsi/0/Attachments/0',"
                         " 'RequestType': 'Remove'}");
    json_t *guest_only = test_quoted_json("{'GuestRequest': {'RequestType': 'Add'}}");
    json_t *update = test_quoted_json("{'ResourcePath': 'VirtualMachine/Devices/HvSocket',"
                                      " 'RequestType': 'Update'}");
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "uvm", add, NULL), 0);
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "uvm", guest_only, NULL), 0);
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "uvm", update, NULL), 0);
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, NULL), 0);
    json_t *held = hcsoci_sim_host_held(host);
    ASSERT_JSON(held, "{'activatedLayers': 0, 'preparedLayers': 0, 'computeSystems': 1,"
                      " 'hnsNamespaces': 0, 'namespaceEndpoints': 0,"
                      " 'credentialGuardInstances': 0, 'modifications': {'uvm':"
                      " {'VirtualMachine/Devices/Scsi/0/Attachments/0': 1}}}");
    json_decref(held);
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "uvm", remove, NULL), 0);
    held = hcsoci_sim_host_held(host);
    ASSERT_JSON(json_object_get(held, "modifications"), "{}");
    json_decref(held);
    /* Releasing what was never added shows as a negative balance. */
    CU_ASSERT_EQUAL(host->ops->modify_compute_system(host, "uvm", remove, NULL), 0);
    held = hcsoci_sim_host_held(host);
    ASSERT_JSON(json_object_get(held, "modifications"),
                "{'uvm': {'VirtualMachine/Devices/Scsi/0/Attachments/0': -1}}");
    json_decref(held);
    json_decref(add);
    json_decref(remove);
    json_decref(guest_only);
    json_decref(update);
    hcsoci_host_destroy(host);
}

static void test_held_counts_return_to_zero(void)
{
    hcsoci_host *host = sim_from_loose(network_world);
    const hcsoci_host_ops *ops = host->ops;
    CU_ASSERT_EQUAL(ops->activate_layer(host, "C:\\s", NULL), 0);
    CU_ASSERT_EQUAL(ops->prepare_layer(host, "C:\\s", NULL, NULL), 0);
    json_decref(hns(host, "POST", "/namespaces/", "{}"));
    json_decref(
        hns(host, "POST", "/namespaces/9b8a7c6d-0000-4000-8000-0000000000b2/addresource",
            "{'Type': 'Endpoint', 'Data': {'Id': '5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2'}}"));
    json_t *world = hcsoci_sim_host_world(host);
    ASSERT_JSON(json_object_get(world, "held"),
                "{'activatedLayers': 1, 'preparedLayers': 1, 'computeSystems': 0,"
                " 'hnsNamespaces': 1, 'namespaceEndpoints': 1, 'credentialGuardInstances': 0,"
                " 'modifications': {}}");
    json_decref(world);

    json_decref(
        hns(host, "POST", "/namespaces/9b8a7c6d-0000-4000-8000-0000000000b2/removeresource",
            "{'Type': 'Endpoint', 'Data': {'Id': '5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2'}}"));
    json_decref(hns(host, "DELETE", "/namespaces/9b8a7c6d-0000-4000-8000-0000000000b2", NULL));
    CU_ASSERT_EQUAL(ops->unprepare_layer(host, "C:\\s", NULL), 0);
    CU_ASSERT_EQUAL(ops->deactivate_layer(host, "C:\\s", NULL), 0);
    json_t *held = hcsoci_sim_host_held(host);
    ASSERT_JSON(held, "{'activatedLayers': 0, 'preparedLayers': 0, 'computeSystems': 0,"
                      " 'hnsNamespaces': 0, 'namespaceEndpoints': 0,"
                      " 'credentialGuardInstances': 0, 'modifications': {}}");
    json_decref(held);
    hcsoci_host_destroy(host);
}

static void test_guest_process_outputs(void)
{
    hcsoci_host *host = sim_from_loose("{'guestProcessOutputs': {'UVM-1': {'a b': 'out'}}}");
    char *output = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->run_guest_process(host, "uvm-1", "a b", &output, NULL), 0);
    CU_ASSERT_STRING_EQUAL(output, "out");
    free(output);
    CU_ASSERT_EQUAL(host->ops->run_guest_process(host, "uvm-1", "c", &output, &error), -1);
    CU_ASSERT_PTR_NULL(output);
    TEST_ASSERT_ERROR_CONTAINS(error, "no output for command line 'c' in utility VM 'uvm-1'");
    CU_ASSERT_EQUAL(host->ops->run_guest_process(host, "uvm-2", "a b", &output, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "guestProcessOutputs");
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 3);
    hcsoci_host_destroy(host);
}

/* ---- HNS ---- */

static void test_hns_namespace_lifecycle(void)
{
    hcsoci_host *host = sim_from_loose(network_world);
    const char *ns = "/namespaces/9b8a7c6d-0000-4000-8000-0000000000b2";
    char path[128];

    json_t *reply = hns(host, "POST", "/namespaces/", "{}");
    ASSERT_JSON(reply, "{'Success': true, 'Output': {'ID': '9b8a7c6d-0000-4000-8000-0000000000b2',"
                       " 'ResourceList': []}}");
    json_decref(reply);

    snprintf(path, sizeof path, "%s/addresource", ns);
    json_decref(
        hns(host, "POST", path,
            "{'Type': 'Endpoint', 'Data': {'Id': '5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1'}}"));
    reply = hns(host, "POST", path,
                "{'Type': 'Endpoint', 'Data': {'Id': '5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2'}}");
    ASSERT_JSON(reply, "{'Success': true, 'Output': {'ID': '9b8a7c6d-0000-4000-8000-0000000000b2',"
                       " 'ResourceList': [{'Type': 'Endpoint', 'Data': {'Id': "
                       "'5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1'}},"
                       "                  {'Type': 'Endpoint', 'Data': {'Id': "
                       "'5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2'}}]}}");
    json_decref(reply);

    /* Ids are GUIDs: any case finds the namespace. */
    reply = hns(host, "GET", "/namespaces/9B8A7C6D-0000-4000-8000-0000000000B2", NULL);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(reply, "Output"),
                                                    "ResourceList")), 2);
    json_decref(reply);

    snprintf(path, sizeof path, "%s/removeresource", ns);
    reply = hns(host, "POST", path,
                "{'Type': 'Endpoint', 'Data': {'Id': '5E1F2A3B-0001-4C5D-8E9F-AAAAAAAAAAA1'}}");
    ASSERT_JSON(reply, "{'Success': true, 'Output': {'ID': '9b8a7c6d-0000-4000-8000-0000000000b2',"
                       " 'ResourceList': [{'Type': 'Endpoint', 'Data': {'Id': "
                       "'5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2'}}]}}");
    json_decref(reply);
    /* Removing it again: not found. */
    reply = hns(host, "POST", path,
                "{'Type': 'Endpoint', 'Data': {'Id': '5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1'}}");
    ASSERT_JSON(reply, "{'Success': false, 'Error': 'Element not found.'}");
    json_decref(reply);

    reply = hns(host, "DELETE", ns, NULL);
    ASSERT_JSON(reply, "{'Success': true, 'Output': {'ID': '9b8a7c6d-0000-4000-8000-0000000000b2',"
                       " 'ResourceList': [{'Type': 'Endpoint', 'Data': {'Id': "
                       "'5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2'}}]}}");
    json_decref(reply);
    reply = hns(host, "GET", ns, NULL);
    ASSERT_JSON(reply, "{'Success': false, 'Error': 'Element not found.'}");
    json_decref(reply);
    reply = hns(host, "DELETE", ns, NULL);
    ASSERT_JSON(reply, "{'Success': false, 'Error': 'Element not found.'}");
    json_decref(reply);
    hcsoci_host_destroy(host);
}

static void test_hns_existing_namespace_and_endpoints(void)
{
    hcsoci_host *host = sim_from_loose(network_world);
    json_t *reply = hns(host, "GET", "/namespaces/9b8a7c6d-0000-4000-8000-0000000000a1", NULL);
    ASSERT_JSON(reply, "{'Success': true, 'Output': {'ID': '9b8a7c6d-0000-4000-8000-0000000000a1',"
                       " 'ResourceList': [{'Type': 'Endpoint', 'Data': {'Id': "
                       "'5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1'}}]}}");
    json_decref(reply);

    reply = hns(host, "GET", "/endpoints/5E1F2A3B-0002-4c5d-8e9f-aaaaaaaaaaa2", NULL);
    ASSERT_JSON(reply, "{'Success': true, 'Output': {'ID': '5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2',"
                       " 'Name': 'ep-two'}}");
    json_decref(reply);

    reply = hns(host, "GET", "/endpoints/00000000-0000-0000-0000-000000000000", NULL);
    ASSERT_JSON(reply, "{'Success': false, 'Error': 'Element not found.'}");
    json_decref(reply);

    /* Unknown namespace: not found. */
    reply = hns(host, "POST", "/namespaces/00000000-0000-0000-0000-000000000000/addresource",
                "{'Type': 'Endpoint', 'Data': {'Id': '5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2'}}");
    ASSERT_JSON(reply, "{'Success': false, 'Error': 'Element not found.'}");
    json_decref(reply);
    /* An endpoint HNS does not know is listed all the same (as by the corpus's recording host);
     * only reading it fails. Removing it takes it off the list again. */
    reply = hns(host, "POST", "/namespaces/9b8a7c6d-0000-4000-8000-0000000000a1/addresource",
                "{'Type': 'Endpoint', 'Data': {'Id': '00000000-0000-0000-0000-00000000000e'}}");
    ASSERT_JSON(reply, "{'Success': true, 'Output': {'ID': '9b8a7c6d-0000-4000-8000-0000000000a1',"
                       " 'ResourceList': [{'Type': 'Endpoint', 'Data': {'Id': "
                       "'5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1'}},"
                       "                  {'Type': 'Endpoint', 'Data': {'Id': "
                       "'00000000-0000-0000-0000-00000000000e'}}]}}");
    json_decref(reply);
    reply = hns(host, "GET", "/endpoints/00000000-0000-0000-0000-00000000000e", NULL);
    ASSERT_JSON(reply, "{'Success': false, 'Error': 'Element not found.'}");
    json_decref(reply);
    reply = hns(host, "POST", "/namespaces/9b8a7c6d-0000-4000-8000-0000000000a1/removeresource",
                "{'Type': 'Endpoint', 'Data': {'Id': '00000000-0000-0000-0000-00000000000e'}}");
    CU_ASSERT(json_is_true(json_object_get(reply, "Success")));
    json_decref(reply);
    /* Malformed request, path not simulated. */
    reply = hns(host, "POST", "/namespaces/9b8a7c6d-0000-4000-8000-0000000000a1/addresource",
                "{'ResourceType': 'Endpoint', 'Settings': {'Id': 'x'}}");
    CU_ASSERT(json_is_false(json_object_get(reply, "Success")));
    CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(reply, "Error")), "Type"));
    json_decref(reply);
    reply = hns(host, "PUT", "/policylists/", NULL);
    CU_ASSERT(json_is_false(json_object_get(reply, "Success")));
    CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(reply, "Error")),
                                  "not simulated"));
    json_decref(reply);

    /* The world shows the namespaces as they are now. */
    json_t *world = hcsoci_sim_host_world(host);
    ASSERT_JSON(
        json_object_get(world, "hnsNamespaces"),
        "{'9b8a7c6d-0000-4000-8000-0000000000a1': ['5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1']}");
    json_decref(world);
    hcsoci_host_destroy(host);
}

/* ---- layers ---- */

static void test_name_to_guid_by_last_element(void)
{
    const char *world =
        "{'layerIds': {'C:|ProgramData|docker|windowsfilter|b0c1base':"
        "                   '8d2a4c6e-1111-4a5b-9c3d-000000000001',"
        "              'C:|other|midlayer|': '8d2a4c6e-2222-4a5b-9c3d-000000000002'}}";
    hcsoci_host *host = sim_from_loose(world);
    char *guid = NULL;
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "b0c1base", &guid, NULL), 0);
    CU_ASSERT_STRING_EQUAL(guid, "8d2a4c6e-1111-4a5b-9c3d-000000000001");
    free(guid);
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "MIDLAYER", &guid, NULL), 0);
    CU_ASSERT_STRING_EQUAL(guid, "8d2a4c6e-2222-4a5b-9c3d-000000000002");
    free(guid);
    /* A whole path is not a last element. */
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "C:\\other\\midlayer", &guid, NULL), 0);
    CU_ASSERT_STRING_NOT_EQUAL(guid, "8d2a4c6e-2222-4a5b-9c3d-000000000002");
    free(guid);

    /* Unknown names: a GUID derived from the name, the same in every host, any case. */
    char *first = NULL, *again = NULL, *other = NULL;
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "unknown-layer", &first, NULL), 0);
    hcsoci_host *second_host = sim_from_loose("{'seed': 99}");
    CU_ASSERT_EQUAL(second_host->ops->name_to_guid(second_host, "Unknown-Layer", &again, NULL), 0);
    CU_ASSERT_EQUAL(host->ops->name_to_guid(host, "unknown-layer-2", &other, NULL), 0);
    CU_ASSERT_STRING_EQUAL(first, again);
    CU_ASSERT_STRING_NOT_EQUAL(first, other);
    CU_ASSERT_EQUAL(strlen(first), 36);
    CU_ASSERT_EQUAL(first[14], '8'); /* version 8: derived, not random */
    free(first);
    free(again);
    free(other);
    hcsoci_host_destroy(second_host);
    hcsoci_host_destroy(host);
}

static void test_create_sandbox_layer_creates_the_file(void)
{
    hcsoci_host *host = sim_from_loose("{'files': {'C:|scratch': 'dir'}}");
    uint64_t size = 1;
    CU_ASSERT_EQUAL(host->ops->stat_path(host, "C:\\scratch\\sandbox.vhdx", &size),
                    HCSOCI_PATH_MISSING);
    CU_ASSERT_EQUAL(host->ops->create_sandbox_layer(host, "C:\\scratch", NULL, NULL), 0);
    CU_ASSERT_EQUAL(host->ops->stat_path(host, "c:\\SCRATCH\\Sandbox.VHDX", &size),
                    HCSOCI_PATH_FILE);
    CU_ASSERT_EQUAL(size, 0);
    CU_ASSERT_EQUAL(host->ops->create_sandbox_layer(host, "C:\\other\\", NULL, NULL), 0);
    json_t *world = hcsoci_sim_host_world(host);
    ASSERT_JSON(json_object_get(world, "files"),
                "{'C:|scratch': 'dir', 'C:|scratch|sandbox.vhdx': 'file',"
                " 'C:|other|sandbox.vhdx': 'file'}");
    json_decref(world);
    hcsoci_host_destroy(host);

    /* A failed CreateSandboxLayer creates nothing. */
    host = sim_from_loose("{'failCall': {'call': 'CreateSandboxLayer', 'nth': 1}}");
    CU_ASSERT_EQUAL(host->ops->create_sandbox_layer(host, "C:\\scratch", NULL, NULL), -1);
    CU_ASSERT_EQUAL(host->ops->stat_path(host, "C:\\scratch\\sandbox.vhdx", NULL),
                    HCSOCI_PATH_MISSING);
    hcsoci_host_destroy(host);
}

/* ---- files ---- */

static void test_files_and_case_insensitivity(void)
{
    hcsoci_host *host = sim_from_loose(
        "{'files': {'C:|Data|Dir': 'dir', 'C:|Data|empty.txt': 'file',"
        "           'C:|Data|disk.vhd': {'size': 4096}, '||.|PhysicalDrive2': 'file'}}");
    const hcsoci_host_ops *ops = host->ops;
    uint64_t size = 7;
    CU_ASSERT_EQUAL(ops->stat_path(host, "C:\\Data\\Dir", &size), HCSOCI_PATH_DIRECTORY);
    CU_ASSERT_EQUAL(size, 0);
    CU_ASSERT_EQUAL(ops->stat_path(host, "c:\\data\\DIR\\", NULL), HCSOCI_PATH_DIRECTORY);
    CU_ASSERT_EQUAL(ops->stat_path(host, "C:/data/dir", NULL), HCSOCI_PATH_DIRECTORY);
    CU_ASSERT_EQUAL(ops->stat_path(host, "C:\\Data\\empty.txt", &size), HCSOCI_PATH_FILE);
    CU_ASSERT_EQUAL(size, 0);
    CU_ASSERT_EQUAL(ops->stat_path(host, "C:\\DATA\\DISK.VHD", &size), HCSOCI_PATH_FILE);
    CU_ASSERT_EQUAL(size, 4096);
    CU_ASSERT_EQUAL(ops->stat_path(host, "\\\\.\\PHYSICALDRIVE2", NULL), HCSOCI_PATH_FILE);
    CU_ASSERT_EQUAL(ops->stat_path(host, "\\\\.\\PhysicalDrive3", NULL), HCSOCI_PATH_MISSING);
    /* Nothing else exists, not even the parents of listed paths. */
    CU_ASSERT_EQUAL(ops->stat_path(host, "C:\\Data", NULL), HCSOCI_PATH_MISSING);
    CU_ASSERT_EQUAL(ops->stat_path(host, NULL, NULL), HCSOCI_PATH_MISSING);

    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(ops->make_directory(host, "C:\\Data\\New", NULL), 0);
    CU_ASSERT_EQUAL(ops->stat_path(host, "c:\\data\\new", NULL), HCSOCI_PATH_DIRECTORY);
    CU_ASSERT_EQUAL(ops->make_directory(host, "C:\\DATA\\DIR", NULL), 0); /* exists: fine */
    CU_ASSERT_EQUAL(ops->make_directory(host, "C:\\Data\\empty.txt", &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x800700B7);
    TEST_ASSERT_ERROR_CONTAINS(error, "C:\\Data\\empty.txt");
    CU_ASSERT_EQUAL(ops->make_directory(host, "C:\\Data\\empty.txt\\sub", &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, (int32_t)0x80070003);
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 0);
    hcsoci_host_destroy(host);
}

/* ---- GUIDs ---- */

static bool is_lower_case_v4_guid(const char *guid)
{
    if (strlen(guid) != 36 || guid[14] != '4' || strchr("89ab", guid[19]) == NULL)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? guid[i] != '-' : strchr("0123456789abcdef", guid[i]) == NULL)
            return false;
    }
    return true;
}

static void test_guids_are_deterministic_for_a_seed(void)
{
    hcsoci_host *one = sim_from_loose("{'seed': 42}");
    hcsoci_host *two = sim_from_loose("{'seed': 42}");
    hcsoci_host *other = sim_from_loose("{'seed': 43}");
    char a[37], b[37], c[37], previous[37] = "";
    for (int i = 0; i < 20; i++) {
        one->ops->new_guid(one, a);
        two->ops->new_guid(two, b);
        other->ops->new_guid(other, c);
        CU_ASSERT_STRING_EQUAL(a, b);
        CU_ASSERT_STRING_NOT_EQUAL(a, c);
        CU_ASSERT_STRING_NOT_EQUAL(a, previous);
        CU_ASSERT(is_lower_case_v4_guid(a));
        memcpy(previous, a, sizeof previous);
    }
    hcsoci_host_destroy(one);
    hcsoci_host_destroy(two);
    hcsoci_host_destroy(other);

    /* Without a seed: the fixed default, so two fresh hosts agree too. */
    one = sim_from_loose("{}");
    two = sim_from_loose("{}");
    one->ops->new_guid(one, a);
    two->ops->new_guid(two, b);
    CU_ASSERT_STRING_EQUAL(a, b);
    hcsoci_host_destroy(one);
    hcsoci_host_destroy(two);
}

/* The id a POST /namespaces/ handed out (static buffer), after checking the reply. */
static const char *new_namespace_id(hcsoci_host *host)
{
    static char id[64];
    json_t *reply = hns(host, "POST", "/namespaces/", "{}");
    CU_ASSERT(json_is_true(json_object_get(reply, "Success")));
    const char *text = json_string_value(json_object_get(json_object_get(reply, "Output"), "ID"));
    snprintf(id, sizeof id, "%s", text != NULL ? text : "");
    json_decref(reply);
    return id;
}

/* After the listed hnsNewNamespaceIds the host hands out GUIDs from its seeded generator: new
 * ones each time, the same for the same seed, and namespaces that exist. */
static void test_namespace_ids_go_on_after_the_listed_ones(void)
{
    const char *world = "{'seed': 7, 'hnsNewNamespaceIds': ['listed-1']}";
    hcsoci_host *one = sim_from_loose(world), *two = sim_from_loose(world);
    CU_ASSERT_STRING_EQUAL(new_namespace_id(one), "listed-1");
    CU_ASSERT_STRING_EQUAL(new_namespace_id(two), "listed-1");
    char previous[64] = "listed-1";
    for (int i = 0; i < 5; i++) {
        char first[64];
        snprintf(first, sizeof first, "%s", new_namespace_id(one));
        CU_ASSERT(is_lower_case_v4_guid(first));
        CU_ASSERT_STRING_NOT_EQUAL(first, previous);
        CU_ASSERT_STRING_EQUAL(new_namespace_id(two), first);
        char path[128];
        snprintf(path, sizeof path, "/namespaces/%s", first);
        json_t *reply = hns(one, "GET", path, NULL);
        CU_ASSERT(json_is_true(json_object_get(reply, "Success")));
        json_decref(reply);
        memcpy(previous, first, sizeof previous);
    }
    json_t *held = hcsoci_sim_host_held(one);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "hnsNamespaces")), 6);
    json_decref(held);
    hcsoci_host_destroy(one);
    hcsoci_host_destroy(two);
}

/* ---- handing the state over as JSON ---- */

/* The host's saved state passed through text, as a caller keeping it in a file would. */
static hcsoci_host *rebuilt_from_text(hcsoci_host *host)
{
    json_t *saved = hcsoci_sim_host_to_json(host);
    CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
    char *text = json_dumps(saved, JSON_INDENT(2));
    json_decref(saved);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    json_t *reread = test_json(text);
    free(text);
    hcsoci_host *rebuilt = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_sim_host_from_json(reread, &rebuilt, &error), 0);
    if (error != NULL) {
        fprintf(stderr, "\n  cannot rebuild the sim host: %s\n", error->message);
        hcsoci_error_free(error);
    }
    json_decref(reread);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rebuilt);
    return rebuilt;
}

static void test_state_json_round_trip(void)
{
    hcsoci_host *host = sim_from_loose(
        "{'seed': 7, 'files': {'C:|s': 'dir'}, 'failCall': {'call': 'ActivateLayer', 'nth': 2},"
        " 'hnsEndpoints': [{'ID': 'e1'}], 'hnsNewNamespaceIds': ['n1', 'n2']}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\s", NULL), 0);
    CU_ASSERT_EQUAL(host->ops->create_sandbox_layer(host, "C:\\s", NULL, NULL), 0);
    json_decref(hns(host, "POST", "/namespaces/", "{}"));
    json_decref(hns(host, "POST", "/namespaces/n1/addresource",
                    "{'Type': 'Endpoint', 'Data': {'Id': 'e1'}}"));
    json_t *settings = test_quoted_json(
        "{'PropertyType': 'ContainerCredentialGuard', 'Settings': {'Operation': 'AddInstance',"
        " 'OperationDetails': {'Id': 'c1', 'Transport': 'LRPC', 'CredentialSpec': ''}}}");
    CU_ASSERT_EQUAL(host->ops->modify_service_settings(host, settings, NULL), 0);
    json_decref(settings);
    char guid[37];
    host->ops->new_guid(host, guid);

    json_t *journal = hcsoci_sim_host_take_journal(host);
    CU_ASSERT_STRING_EQUAL(test_call_names(journal), "ActivateLayer,CreateSandboxLayer,HNSCall,"
                                                     "HNSCall,HcsModifyServiceSettings");
    json_decref(journal);

    json_t *saved = hcsoci_sim_host_to_json(host);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(saved, "format")),
                           "hcsoci-sim-state");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(saved, "version")), 1);
    CU_ASSERT_PTR_NULL(json_object_get(saved, "journal"));
    hcsoci_host *reopened = rebuilt_from_text(host);
    json_t *saved_again = hcsoci_sim_host_to_json(reopened);
    CU_ASSERT(json_equal(saved, saved_again)); /* the whole state, counters included */
    json_decref(saved);
    json_decref(saved_again);
    json_t *before = hcsoci_sim_host_world(host);
    json_t *after = hcsoci_sim_host_world(reopened);
    CU_ASSERT(json_equal(before, after));
    ASSERT_JSON(json_object_get(after, "hnsNewNamespaceIds"), "['n2']");
    json_decref(before);
    json_decref(after);
    json_t *held = hcsoci_sim_host_held(reopened);
    ASSERT_JSON(held, "{'activatedLayers': 1, 'preparedLayers': 0, 'computeSystems': 0,"
                      " 'hnsNamespaces': 1, 'namespaceEndpoints': 1,"
                      " 'credentialGuardInstances': 1, 'modifications': {}}");
    json_decref(held);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(reopened)), 0);
    journal = hcsoci_sim_host_take_journal(reopened);
    CU_ASSERT_EQUAL(json_array_size(journal), 0);
    json_decref(journal);

    /* The generator and the failCall counting carry on where they were. */
    char expected[37], got[37];
    host->ops->new_guid(host, expected);
    reopened->ops->new_guid(reopened, got);
    CU_ASSERT_STRING_EQUAL(expected, got);
    CU_ASSERT_EQUAL(reopened->ops->activate_layer(reopened, "C:\\s", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Access is denied.");
    CU_ASSERT_EQUAL(reopened->ops->stat_path(reopened, "C:\\s\\sandbox.vhdx", NULL),
                    HCSOCI_PATH_FILE);
    /* The credential guard instance is still there to remove. */
    settings = test_quoted_json("{'PropertyType': 'ContainerCredentialGuard', 'Settings': {"
                          "'Operation': 'RemoveInstance', 'OperationDetails': {'Id': 'c1'}}}");
    CU_ASSERT_EQUAL(reopened->ops->modify_service_settings(reopened, settings, NULL), 0);
    json_decref(settings);

    /* A second hand-over gives only the calls made since the first one, then nothing. */
    journal = hcsoci_sim_host_take_journal(reopened);
    CU_ASSERT_STRING_EQUAL(test_call_names(journal), "ActivateLayer,HcsModifyServiceSettings");
    json_decref(journal);
    journal = hcsoci_sim_host_take_journal(reopened);
    CU_ASSERT_EQUAL(json_array_size(journal), 0);
    json_decref(journal);
    hcsoci_host_destroy(reopened);
    hcsoci_host_destroy(host);
}

/* A host handed over twice (three processes in a row) behaves like one host that never
 * stopped: the same GUIDs, failCall firing on the nth call counted over all of them, and held
 * counts balanced across them. */
static void test_handed_over_host_continues_like_one_host(void)
{
    const char *world = "{'seed': 11, 'failCall': {'call': 'ActivateLayer', 'nth': 3}}";
    hcsoci_host *whole = sim_from_loose(world);
    hcsoci_host *first = sim_from_loose(world);
    char expected[37], got[37];

    CU_ASSERT_EQUAL(whole->ops->activate_layer(whole, "C:\\a", NULL), 0);
    CU_ASSERT_EQUAL(first->ops->activate_layer(first, "C:\\a", NULL), 0);
    whole->ops->new_guid(whole, expected);
    first->ops->new_guid(first, got);
    CU_ASSERT_STRING_EQUAL(expected, got);
    hcsoci_host *second = rebuilt_from_text(first);
    hcsoci_host_destroy(first);

    CU_ASSERT_EQUAL(whole->ops->activate_layer(whole, "C:\\b", NULL), 0);
    CU_ASSERT_EQUAL(second->ops->activate_layer(second, "C:\\b", NULL), 0);
    CU_ASSERT_EQUAL(second->ops->deactivate_layer(second, "C:\\a", NULL), 0);
    CU_ASSERT_EQUAL(whole->ops->deactivate_layer(whole, "C:\\a", NULL), 0);
    whole->ops->new_guid(whole, expected);
    second->ops->new_guid(second, got);
    CU_ASSERT_STRING_EQUAL(expected, got);
    hcsoci_host *third = rebuilt_from_text(second);
    hcsoci_host_destroy(second);

    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(third->ops->activate_layer(third, "C:\\c", &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "Access is denied.");
    CU_ASSERT_EQUAL(whole->ops->activate_layer(whole, "C:\\c", NULL), -1);
    CU_ASSERT_EQUAL(third->ops->activate_layer(third, "C:\\c", NULL), 0); /* only the 3rd */
    CU_ASSERT_EQUAL(third->ops->deactivate_layer(third, "C:\\b", NULL), 0);
    CU_ASSERT_EQUAL(third->ops->deactivate_layer(third, "C:\\c", NULL), 0);
    whole->ops->new_guid(whole, expected);
    third->ops->new_guid(third, got);
    CU_ASSERT_STRING_EQUAL(expected, got);
    json_t *held = hcsoci_sim_host_held(third);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "activatedLayers")), 0);
    json_decref(held);
    hcsoci_host_destroy(third);
    hcsoci_host_destroy(whole);
}

/* The journal handed over holds exactly the calls since the last hand-over, whatever
 * hcsoci_sim_host_journal_clear did in between, failed calls included. */
static void test_take_journal_hands_over_each_call_once(void)
{
    hcsoci_host *host = sim_from_loose("{'failCall': {'call': 'PrepareLayer', 'nth': 1}}");
    CU_ASSERT_EQUAL(host->ops->activate_layer(host, "C:\\a", NULL), 0);
    hcsoci_sim_host_journal_clear(host);
    CU_ASSERT_EQUAL(host->ops->prepare_layer(host, "C:\\a", NULL, NULL), -1);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 1);
    json_t *journal = hcsoci_sim_host_take_journal(host);
    CU_ASSERT_STRING_EQUAL(test_call_names(journal), "ActivateLayer,PrepareLayer");
    ASSERT_JSON(json_object_get(json_array_get(journal, 0), "args"), "{'id': 'C:|a'}");
    json_decref(journal);
    /* Taking does not touch the journal section. */
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 1);

    CU_ASSERT_EQUAL(host->ops->deactivate_layer(host, "C:\\a", NULL), 0);
    journal = hcsoci_sim_host_take_journal(host);
    CU_ASSERT_STRING_EQUAL(test_call_names(journal), "DeactivateLayer");
    json_decref(journal);
    journal = hcsoci_sim_host_take_journal(host);
    CU_ASSERT_PTR_NOT_NULL(journal);
    CU_ASSERT_EQUAL(json_array_size(journal), 0);
    json_decref(journal);
    hcsoci_host_destroy(host);
}

/* Sets member (a dotted path into the saved document) to the loose JSON value, or removes it
 * when value is NULL. */
static void set_member(json_t *document, const char *member, const char *value)
{
    char path[128];
    snprintf(path, sizeof path, "%s", member);
    json_t *parent = document;
    char *key = path;
    for (char *dot = strchr(key, '.'); dot != NULL; dot = strchr(key, '.')) {
        *dot = '\0';
        parent = json_object_get(parent, key);
        CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
        key = dot + 1;
    }
    if (value == NULL) {
        json_object_del(parent, key);
        return;
    }
    char wrapped[256];
    snprintf(wrapped, sizeof wrapped, "[%s]", value); /* test_quoted_json wants an array or object */
    json_t *holder = test_quoted_json(wrapped);
    json_object_set(parent, key, json_array_get(holder, 0));
    json_decref(holder);
}

static void test_malformed_saved_states_name_the_member(void)
{
    static const struct {
        const char *member;
        const char *value; /* NULL: removed */
        const char *named;
    } cases[] = {
        {"format", "'hcsoci-world'", "not a saved sim host"},
        {"format", NULL, "not a saved sim host"},
        {"version", "2", "not a saved sim host"},
        {"world", NULL, "world description"},
        {"world.build", "'x'", "build"},
        {"world.failCall", "{'call': 'Nope', 'nth': 1}", "failCall.call"},
        {"state", NULL, "'state'"},
        {"state", "[]", "'state'"},
        {"state.generatorState", "'zz'", "state.generatorState"},
        {"state.generatorState", "'0x12'", "state.generatorState"},
        {"state.generatorState", "'12345678123456789'", "state.generatorState"},
        {"state.generatorState", "5", "state.generatorState"},
        {"state.generatorState", NULL, "state.generatorState"},
        {"state.callCounts", "[]", "state.callCounts"},
        {"state.callCounts", "{'Nope': 1}", "unknown call 'Nope'"},
        {"state.callCounts", "{'ActivateLayer': -1}", "state.callCounts.ActivateLayer"},
        {"state.callCounts", "{'ActivateLayer': '1'}", "state.callCounts.ActivateLayer"},
        {"state.credentialGuardInstances", "{}", "state.credentialGuardInstances"},
        {"state.credentialGuardInstances", "[{'Id': 'c1'}]", "state.credentialGuardInstances[0]"},
        {"state.computeSystems", "[]", "state.computeSystems"},
        {"state.computeSystems", "{'c1': 'paused'}", "state.computeSystems.c1"},
        {"state.computeSystems", "{'c1': 1}", "state.computeSystems.c1"},
        {"state.held", NULL, "state.held"},
        {"state.held.activatedLayers", "'1'", "state.held.activatedLayers"},
        {"state.held.hnsNamespaces", NULL, "state.held.hnsNamespaces"},
        {"state.held.modifications", "[]", "state.held.modifications"},
        {"state.held.modifications", "{'vm': 1}", "state.held.modifications.vm"},
        {"state.held.modifications", "{'vm': {'r': 'x'}}",
         "state.held.modifications.vm' entry 'r'"},
    };
    hcsoci_host *good = sim_from_loose("{'failCall': {'call': 'ActivateLayer', 'nth': 2}}");
    CU_ASSERT_EQUAL(good->ops->activate_layer(good, "C:\\a", NULL), 0);
    json_t *valid = hcsoci_sim_host_to_json(good);
    hcsoci_host_destroy(good);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *saved = json_deep_copy(valid);
        set_member(saved, cases[i].member, cases[i].value);
        hcsoci_host *host = NULL;
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hcsoci_sim_host_from_json(saved, &host, &error), -1);
        CU_ASSERT_PTR_NULL(host);
        CU_ASSERT_PTR_NOT_NULL_FATAL(error);
        CU_ASSERT_EQUAL(error->code, HCSOCI_E_INVALID);
        if (strstr(error->message, cases[i].named) == NULL)
            fprintf(stderr, "\n  %s = %s: message '%s' does not name %s\n", cases[i].member,
                    cases[i].value != NULL ? cases[i].value : "(removed)", error->message,
                    cases[i].named);
        TEST_ASSERT_ERROR_CONTAINS(error, cases[i].named);
        json_decref(saved);
    }

    /* Not a document at all, and no place for the host. */
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_sim_host_from_json(NULL, &host, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "sim state: not a saved sim host");
    json_t *world = test_quoted_json("{'build': 17763}");
    CU_ASSERT_EQUAL(hcsoci_sim_host_from_json(world, &host, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "not a saved sim host");
    json_decref(world);
    CU_ASSERT_EQUAL(hcsoci_sim_host_from_json(valid, NULL, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "no place for the host");
    CU_ASSERT_EQUAL(hcsoci_sim_host_from_json(valid, &host, NULL), 0);
    hcsoci_host_destroy(host);
    json_decref(valid);
}

/* ---- validation ---- */

static void test_malformed_worlds_name_the_field(void)
{
    static const struct {
        const char *world;
        const char *field;
    } cases[] = {
        {"[]", "world description"},
        {"{'build': 'x'}", "build"},
        {"{'build': -1}", "build"},
        {"{'processorCount': 0}", "processorCount"},
        {"{'programDir': 3}", "programDir"},
        {"{'layerMountPath': []}", "layerMountPath"},
        {"{'seed': -1}", "seed"},
        {"{'files': []}", "files"},
        {"{'files': {'C:|a': 3}}", "files' entry 'C:\\a'"},
        {"{'files': {'C:|a': 'folder'}}", "files' entry 'C:\\a'"},
        {"{'files': {'C:|a': {'size': -1}}}", "'size'"},
        {"{'files': {'C:|a': 'dir', 'c:|A|': 'dir'}}", "files"},
        {"{'layerIds': {'C:|a': 'not-a-guid'}}", "layerIds' entry 'C:\\a'"},
        {"{'layerIds': {'C:|a': 1}}", "layerIds"},
        {"{'hnsEndpoints': {}}", "hnsEndpoints"},
        {"{'hnsEndpoints': [{'Name': 'x'}]}", "hnsEndpoints[0].ID"},
        {"{'hnsEndpoints': [{'ID': 'a'}, {'ID': 'A'}]}", "hnsEndpoints"},
        {"{'hnsNamespaces': {'n': 'e'}}", "hnsNamespaces.n"},
        {"{'hnsNamespaces': {'n': [1]}}", "hnsNamespaces.n[0]"},
        {"{'hnsNewNamespaceIds': [true]}", "hnsNewNamespaceIds[0]"},
        {"{'failCall': 'ActivateLayer'}", "failCall"},
        {"{'failCall': {'nth': 1}}", "failCall.call"},
        {"{'failCall': {'call': 'Nope', 'nth': 1}}", "failCall.call"},
        {"{'failCall': {'call': 'ActivateLayer'}}", "failCall.nth"},
        {"{'failCall': {'call': 'ActivateLayer', 'nth': 0}}", "failCall.nth"},
        {"{'failCall': {'call': 'ActivateLayer', 'nth': '1'}}", "failCall.nth"},
        {"{'failCall': {'call': 'ActivateLayer', 'nth': 1, 'hresult': 5}}", "failCall.hresult"},
        {"{'failCall': {'call': 'ActivateLayer', 'nth': 1, 'hresult': 'zz'}}",
         "failCall.hresult"},
        {"{'failCall': {'call': 'ActivateLayer', 'nth': 1, 'hresult': 1e3}}",
         "failCall.hresult"},
        {"{'guestProcessOutputs': {'vm': 1}}", "guestProcessOutputs.vm"},
        {"{'guestProcessOutputs': {'vm': {'cmd': 2}}}", "guestProcessOutputs.vm' entry 'cmd'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *world = test_quoted_json(cases[i].world);
        hcsoci_host *host = NULL;
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hcsoci_sim_host_new(world, &host, &error), -1);
        CU_ASSERT_PTR_NULL(host);
        CU_ASSERT_PTR_NOT_NULL_FATAL(error);
        CU_ASSERT_EQUAL(error->code, HCSOCI_E_INVALID);
        if (strstr(error->message, cases[i].field) == NULL)
            fprintf(stderr, "\n  world %s: message '%s' does not name %s\n", cases[i].world,
                    error->message, cases[i].field);
        TEST_ASSERT_ERROR_CONTAINS(error, cases[i].field);
        json_decref(world);
    }
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_sim_host_new(NULL, &host, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "sim world");
    /* Unknown members are ignored. */
    hcsoci_host_destroy(sim_from_loose("{'comment': 'anything', 'build': 17134}"));
}

static int corpus_worlds_loaded;

/* One corpus case's world loads and describes itself as the case gives it. */
static void check_corpus_world(const char *path)
{
    json_error_t parse_error;
    json_t *test_case = hcsoci_json_load_file(path, 0, &parse_error);
    if (test_case == NULL) {
        fprintf(stderr, "\n  cannot parse %s: %s\n", path, parse_error.text);
        CU_FAIL("test data does not parse");
        return;
    }
    const json_t *world = json_object_get(test_case, "host");
    hcsoci_host *host = NULL;
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(world, &host, &error) != 0) {
        fprintf(stderr, "\n  %s: %s\n", path, error->message);
        hcsoci_error_free(error);
        CU_FAIL("a corpus world does not load");
    } else {
        /* Describing a fresh world gives back the case's members. */
        json_t *described = hcsoci_sim_host_world(host);
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)world, key, value) {
            if (!json_equal(value, json_object_get(described, key))) {
                fprintf(stderr, "\n  %s: member %s differs\n", path, key);
                CU_FAIL("described world differs");
            }
        }
        json_decref(described);
        hcsoci_host_destroy(host);
        corpus_worlds_loaded++;
    }
    json_decref(test_case);
}

static void test_corpus_worlds_load_and_describe_themselves(void)
{
    corpus_worlds_loaded = 0;
    test_each_json_file("tests/conformance/cases", check_corpus_world);
    CU_ASSERT(corpus_worlds_loaded >= 30);
}

/* ---- the compute system life cycle ---- */

/* The HRESULT of a failed op (0 when it succeeded), freeing the error. */
static int32_t op_failure(int result, hcsoci_error *error)
{
    int32_t code = result != 0 && error != NULL ? error->code : 0;
    CU_ASSERT_EQUAL(result != 0, error != NULL);
    hcsoci_error_free(error);
    return code;
}

static int32_t start_code(hcsoci_host *host, const char *id)
{
    hcsoci_error *error = NULL;
    int result = host->ops->start_compute_system(host, id, &error);
    return op_failure(result, error);
}

static int32_t terminate_code(hcsoci_host *host, const char *id)
{
    hcsoci_error *error = NULL;
    int result = host->ops->terminate_compute_system(host, id, &error);
    return op_failure(result, error);
}

static int32_t close_code(hcsoci_host *host, const char *id)
{
    hcsoci_error *error = NULL;
    int result = host->ops->close_compute_system(host, id, &error);
    return op_failure(result, error);
}

static int64_t held_compute_systems(hcsoci_host *host)
{
    json_t *held = hcsoci_sim_host_held(host);
    int64_t count = json_integer_value(json_object_get(held, "computeSystems"));
    json_decref(held);
    return count;
}

/* The state the saved host records for id, or NULL (borrowed from saved). */
static const char *saved_system_state(const json_t *saved, const char *id)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(saved, "state"), "computeSystems"), id));
}

static void test_compute_system_states(void)
{
    hcsoci_host *host = sim_from_loose("{}");
    /* Unknown systems: every op answers "does not exist". */
    CU_ASSERT_EQUAL(start_code(host, "c1"), HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST);
    CU_ASSERT_EQUAL(terminate_code(host, "c1"), HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST);
    CU_ASSERT_EQUAL(close_code(host, "c1"), HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST);
    CU_ASSERT_EQUAL(held_compute_systems(host), 0);

    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, NULL), 0);
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c2", NULL, NULL), 0);
    CU_ASSERT_EQUAL(held_compute_systems(host), 2);
    json_t *saved = hcsoci_sim_host_to_json(host);
    CU_ASSERT_STRING_EQUAL(saved_system_state(saved, "c1"), "created");
    json_decref(saved);

    /* created -> running; starting again is the wrong state. */
    CU_ASSERT_EQUAL(start_code(host, "c1"), 0);
    CU_ASSERT_EQUAL(start_code(host, "c1"), HCSOCI_HCS_E_INVALID_STATE);
    saved = hcsoci_sim_host_to_json(host);
    CU_ASSERT_STRING_EQUAL(saved_system_state(saved, "c1"), "running");
    CU_ASSERT_STRING_EQUAL(saved_system_state(saved, "c2"), "created");
    json_decref(saved);

    /* running -> stopped; a stopped system neither stops again nor starts. */
    CU_ASSERT_EQUAL(terminate_code(host, "c1"), 0);
    CU_ASSERT_EQUAL(terminate_code(host, "c1"), HCSOCI_HCS_E_ALREADY_STOPPED);
    CU_ASSERT_EQUAL(start_code(host, "c1"), HCSOCI_HCS_E_INVALID_STATE);
    /* A created system may be terminated without ever running. */
    CU_ASSERT_EQUAL(terminate_code(host, "c2"), 0);
    CU_ASSERT_EQUAL(held_compute_systems(host), 2);

    /* Closing forgets the system and its held count. */
    CU_ASSERT_EQUAL(close_code(host, "c1"), 0);
    CU_ASSERT_EQUAL(held_compute_systems(host), 1);
    CU_ASSERT_EQUAL(close_code(host, "c1"), HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST);
    CU_ASSERT_EQUAL(start_code(host, "c1"), HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST);
    CU_ASSERT_EQUAL(close_code(host, "c2"), 0);
    CU_ASSERT_EQUAL(held_compute_systems(host), 0);
    saved = hcsoci_sim_host_to_json(host);
    ASSERT_JSON(json_object_get(json_object_get(saved, "state"), "computeSystems"), "{}");
    json_decref(saved);

    /* The journal names the vmcompute exports with the system's id. */
    const json_t *journal = hcsoci_sim_host_journal(host);
    ASSERT_JSON(json_array_get(journal, 0),
                "{'call': 'HcsStartComputeSystem',"
                " 'args': {'computeSystem': 'c1', 'options': ''}}");
    ASSERT_JSON(json_array_get(journal, 1),
                "{'call': 'HcsTerminateComputeSystem',"
                " 'args': {'computeSystem': 'c1', 'options': ''}}");
    ASSERT_JSON(json_array_get(journal, 2),
                "{'call': 'HcsCloseComputeSystem', 'args': {'computeSystem': 'c1'}}");
    CU_ASSERT_EQUAL(host->ops->start_compute_system(host, NULL, NULL), -1);
    hcsoci_host_destroy(host);
}

static void test_compute_system_states_survive_the_hand_over(void)
{
    hcsoci_host *host = sim_from_loose("{'failCall': {'call': 'HcsStartComputeSystem', 'nth': 2,"
                                       " 'hresult': '0x80070020'}}");
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, NULL), 0);
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c2", NULL, NULL), 0);
    CU_ASSERT_EQUAL(start_code(host, "c1"), 0);
    json_t *saved = hcsoci_sim_host_to_json(host);
    hcsoci_host_destroy(host);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_sim_host_from_json(saved, &host, &error), 0);
    json_decref(saved);
    CU_ASSERT_EQUAL(start_code(host, "c1"), (int32_t)0x80070020); /* failCall counts on */
    CU_ASSERT_EQUAL(start_code(host, "c1"), HCSOCI_HCS_E_INVALID_STATE);
    CU_ASSERT_EQUAL(start_code(host, "c2"), 0);
    CU_ASSERT_EQUAL(held_compute_systems(host), 2);
    hcsoci_host_destroy(host);

    /* A state saved before systems were tracked has none. */
    host = sim_from_loose("{}");
    saved = hcsoci_sim_host_to_json(host);
    hcsoci_host_destroy(host);
    json_object_del(json_object_get(saved, "state"), "computeSystems");
    CU_ASSERT_EQUAL_FATAL(hcsoci_sim_host_from_json(saved, &host, NULL), 0);
    json_decref(saved);
    CU_ASSERT_EQUAL(start_code(host, "c1"), HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST);
    hcsoci_host_destroy(host);
}

static void test_compute_system_library_functions(void)
{
    hcsoci_host *host = sim_from_loose("{}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(host->ops->create_compute_system(host, "c1", NULL, NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_compute_system_start(host, "c1", NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_compute_system_start(host, "c1", &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, HCSOCI_HCS_E_INVALID_STATE);
    CU_ASSERT_STRING_EQUAL(error->message,
                           "hcsshim::System::Start c1: The requested virtual machine or "
                           "container operation is not valid in the current state.");
    hcsoci_error_free(error);
    error = NULL;
    /* Terminating twice and closing twice are not errors, as in the reference. */
    CU_ASSERT_EQUAL(hcsoci_compute_system_terminate(host, "c1", NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_compute_system_terminate(host, "c1", NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_compute_system_close(host, "c1", NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_compute_system_close(host, "c1", NULL), 0);
    CU_ASSERT_EQUAL(hcsoci_compute_system_terminate(host, "c1", NULL), 0);
    CU_ASSERT_EQUAL(held_compute_systems(host), 0);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), 8); /* with the create */
    CU_ASSERT_EQUAL(hcsoci_compute_system_start(host, "c1", &error), -1);
    CU_ASSERT_EQUAL(error->code, HCSOCI_HCS_E_SYSTEM_DOES_NOT_EXIST);
    hcsoci_error_free(error);
    error = NULL;
    CU_ASSERT_EQUAL(hcsoci_compute_system_start(host, "", &error), -1);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_INVALID);
    hcsoci_error_free(error);
    error = NULL;
    hcsoci_host_destroy(host);

    /* A host built before the ops existed (a smaller size) is refused, not called. */
    static const hcsoci_host_ops old_ops = {
        .size = offsetof(hcsoci_host_ops, start_compute_system),
        .start_compute_system = NULL,
    };
    hcsoci_host old = {.ops = &old_ops};
    CU_ASSERT_EQUAL(hcsoci_compute_system_close(&old, "c1", &error), -1);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_NOT_SUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(error->message, "hcsshim::System::Close c1:"));
    hcsoci_error_free(error);
}

static void test_other_hosts_are_not_sims(void)
{
    static const hcsoci_host_ops empty_ops = {.size = sizeof(hcsoci_host_ops)};
    hcsoci_host other = {.ops = &empty_ops};
    CU_ASSERT_PTR_NULL(hcsoci_sim_host_journal(&other));
    CU_ASSERT_PTR_NULL(hcsoci_sim_host_world(&other));
    CU_ASSERT_PTR_NULL(hcsoci_sim_host_held(&other));
    hcsoci_sim_host_journal_clear(&other);
    CU_ASSERT_PTR_NULL(hcsoci_sim_host_to_json(&other));
    CU_ASSERT_PTR_NULL(hcsoci_sim_host_take_journal(&other));
    CU_ASSERT_PTR_NULL(hcsoci_sim_host_take_journal(NULL));
    hcsoci_host_destroy(&other); /* no destroy op: nothing happens */
}

/* ---- threads ---- */

#define THREADS 4
#define CALLS_PER_THREAD 500

static void *activate_many(void *argument)
{
    hcsoci_host *host = argument;
    char guid[37];
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        host->ops->activate_layer(host, "C:\\s", NULL);
        host->ops->new_guid(host, guid);
    }
    return NULL;
}

static void test_concurrent_calls_are_serialised(void)
{
    hcsoci_host *host = sim_from_loose("{}");
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        CU_ASSERT_EQUAL(pthread_create(&threads[i], NULL, activate_many, host), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    CU_ASSERT_EQUAL(json_array_size(hcsoci_sim_host_journal(host)), THREADS * CALLS_PER_THREAD);
    json_t *held = hcsoci_sim_host_held(host);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "activatedLayers")),
                    THREADS * CALLS_PER_THREAD);
    json_decref(held);
    hcsoci_host_destroy(host);
}

int main(void)
{
    static const test_entry tests[] = {
        {"world facts and defaults", test_world_facts_and_defaults},
        {"journal records every traced call", test_journal_records_every_traced_call},
        {"HNS request object is recorded as sent", test_hns_request_object_is_recorded_as_sent},
        {"journal clear keeps fault counting", test_journal_clear_keeps_fault_counting},
        {"streamed journal hands each call over and keeps none",
         test_streamed_journal_hands_each_call_over_and_keeps_none},
        {"journal off records nothing but fault counting goes on",
         test_journal_off_records_nothing_but_fault_counting_goes_on},
        {"set journal refuses bad requests", test_set_journal_refuses_bad_requests},
        {"an argument that is not UTF-8 fails the call",
         test_an_argument_that_is_not_utf8_fails_the_call},
        {"failCall fails only the nth call of that name",
         test_fail_call_fails_only_the_nth_call_of_that_name},
        {"failCall with a given HRESULT returns nothing",
         test_fail_call_with_given_hresult_returns_nothing},
        {"credential guard instances", test_credential_guard_instances},
        {"modify requests balance per resource path",
         test_modify_requests_balance_per_resource_path},
        {"held counts return to zero", test_held_counts_return_to_zero},
        {"guest process outputs", test_guest_process_outputs},
        {"HNS namespace lifecycle", test_hns_namespace_lifecycle},
        {"HNS existing namespace and endpoints", test_hns_existing_namespace_and_endpoints},
        {"NameToGuid by last element", test_name_to_guid_by_last_element},
        {"CreateSandboxLayer creates the file", test_create_sandbox_layer_creates_the_file},
        {"files and case insensitivity", test_files_and_case_insensitivity},
        {"GUIDs are deterministic for a seed", test_guids_are_deterministic_for_a_seed},
        {"namespace ids go on after the listed ones",
         test_namespace_ids_go_on_after_the_listed_ones},
        {"state JSON round trip", test_state_json_round_trip},
        {"handed-over host continues like one host",
         test_handed_over_host_continues_like_one_host},
        {"take journal hands over each call once", test_take_journal_hands_over_each_call_once},
        {"malformed saved states name the member",
         test_malformed_saved_states_name_the_member},
        {"malformed worlds name the field", test_malformed_worlds_name_the_field},
        {"corpus worlds load and describe themselves",
         test_corpus_worlds_load_and_describe_themselves},
        {"compute system states", test_compute_system_states},
        {"compute system states survive the hand-over",
         test_compute_system_states_survive_the_hand_over},
        {"compute system library functions", test_compute_system_library_functions},
        {"other hosts are not sims", test_other_hosts_are_not_sims},
        {"concurrent calls are serialised", test_concurrent_calls_are_serialised},
        {NULL, NULL},
    };
    return test_run_suite("sim host", tests);
}
