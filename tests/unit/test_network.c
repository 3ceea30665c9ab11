/* The HNS network module: creating a container's namespace and adding its endpoints, the
 * ledger it keeps, releasing it, listing a namespace's endpoints, and every HNS failure point
 * with the reference's error texts. The sim host plays HNS; a scripted host plays HNS replies
 * the sim host never gives. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEW_NAMESPACE "9b8a7c6d-0000-4000-8000-0000000000b2"
#define OLD_NAMESPACE "9b8a7c6d-0000-4000-8000-0000000000a1"
#define ENDPOINT_1 "5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1"
#define ENDPOINT_2 "5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2"
#define MISSING_ENDPOINT "5e1f2a3b-0009-4c5d-8e9f-aaaaaaaaaaa9"

static const char network_case[] = "tests/conformance/cases/020-argon-v2-network-create-namespace.json";

/* ---- helpers ---- */

/* Case 020's host (two endpoints, no namespace, one new namespace id) and spec (both
 * endpoints), each a new reference. */
static void load_network_case(json_t **world, json_t **spec)
{
    json_t *test_case = test_load_json(network_case);
    CU_ASSERT_PTR_NOT_NULL_FATAL(test_case);
    *world = json_deep_copy(json_object_get(test_case, "host"));
    *spec = json_deep_copy(json_object_get(test_case, "spec"));
    json_decref(test_case);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*world);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*spec);
}

/* A call as "<call>" or, for HNS, "<METHOD> <path>[ <endpoint id>]". */
static void describe_call(const json_t *call, char *text, size_t size)
{
    const char *name = json_string_value(json_object_get(call, "call"));
    const json_t *args = json_object_get(call, "args");
    if (strcmp(name, "HNSCall") != 0) {
        snprintf(text, size, "%s", name);
        return;
    }
    const char *endpoint = json_string_value(
        json_object_get(json_object_get(json_object_get(args, "object"), "Data"), "Id"));
    snprintf(text, size, "%s %s%s%s", json_string_value(json_object_get(args, "method")),
             json_string_value(json_object_get(args, "path")), endpoint != NULL ? " " : "",
             endpoint != NULL ? endpoint : "");
}

static void assert_journal(hcsoci_host *host, const char *expected)
{
    TEST_ASSERT_JOURNAL(hcsoci_sim_host_journal(host), describe_call, expected);
}

/* Asserts how many namespaces and namespace endpoints the host holds. */
static void assert_held(hcsoci_host *host, json_int_t namespaces, json_int_t endpoints)
{
    json_t *held = hcsoci_sim_host_held(host);
    CU_ASSERT_PTR_NOT_NULL_FATAL(held);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "hnsNamespaces")), namespaces);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "namespaceEndpoints")), endpoints);
    json_decref(held);
}

typedef test_build_fixture fixture;

/* world and spec are stolen. */
static void fixture_open(fixture *f, json_t *world, json_t *spec)
{
    test_build_fixture_open(f, HCSOCI_PLUGIN_NETWORK, sizeof(hcsoci_network_ops), world, NULL,
                            spec);
}

static void fixture_open_case(fixture *f, void (*change)(json_t *world, json_t *spec))
{
    json_t *world = NULL;
    json_t *spec = NULL;
    load_network_case(&world, &spec);
    if (change != NULL)
        change(world, spec);
    fixture_open(f, world, spec);
}

/* The ledger's only entry, which must be the namespace with these endpoints (a JSON array
 * written with '). */
static const json_t *assert_recorded(const fixture *f, const char *endpoints)
{
    CU_ASSERT_STRING_EQUAL(hcsoci_resources_network_namespace(f->resources), NEW_NAMESPACE);
    CU_ASSERT_TRUE(hcsoci_resources_created_network_namespace(f->resources));
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_count(f->resources), 1);
    const json_t *entry = hcsoci_resources_entry(f->resources, 0);
    json_t *expected = test_quoted_json(endpoints);
    json_t *wanted = json_pack("{s:s, s:s, s:O}", "kind", "network.endpoints", "namespace",
                               NEW_NAMESPACE, "endpoints", expected);
    if (!json_equal(entry, wanted)) {
        char *text = json_dumps(entry, JSON_COMPACT);
        fprintf(stderr, "\n  ledger entry: %s\n", text);
        free(text);
    }
    CU_ASSERT_TRUE(json_equal(entry, wanted));
    json_decref(wanted);
    json_decref(expected);
    return entry;
}

/* Releases the ledger's last entry through the module and pops it. */
static int release_last(fixture *f, hcsoci_error **error)
{
    size_t count = hcsoci_resources_count(f->resources);
    CU_ASSERT_FATAL(count > 0);
    int result =
        f->network->release(f->host, hcsoci_resources_entry(f->resources, count - 1), error);
    hcsoci_resources_pop(f->resources);
    return result;
}

/* ---- creating the namespace ---- */

static void test_create_adds_endpoints_in_spec_order(void)
{
    fixture f;
    fixture_open_case(&f, NULL);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    assert_journal(f.host, "POST /namespaces/,"
                           "POST /namespaces/" NEW_NAMESPACE "/addresource " ENDPOINT_1 ","
                           "POST /namespaces/" NEW_NAMESPACE "/addresource " ENDPOINT_2);
    /* the create request is an empty object: IsDefault false is left out */
    const json_t *create = json_array_get(hcsoci_sim_host_journal(f.host), 0);
    json_t *empty = json_object();
    CU_ASSERT_TRUE(json_equal(json_object_get(json_object_get(create, "args"), "object"), empty));
    json_decref(empty);
    assert_recorded(&f, "['" ENDPOINT_1 "', '" ENDPOINT_2 "']");
    assert_held(f.host, 1, 2);
    test_build_fixture_close(&f);
}

static void test_release_removes_endpoints_then_namespace(void)
{
    fixture f;
    fixture_open_case(&f, NULL);
    CU_ASSERT_EQUAL_FATAL(f.network->create_namespace(&f.context, NULL), 0);
    hcsoci_sim_host_journal_clear(f.host);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(release_last(&f, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    assert_journal(f.host, "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_1 ","
                           "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_2 ","
                           "DELETE /namespaces/" NEW_NAMESPACE);
    /* DELETE sends no request body */
    const json_t *delete = json_array_get(hcsoci_sim_host_journal(f.host), 2);
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(json_object_get(delete, "args"), "object")), "");
    assert_held(f.host, 0, 0);
    test_build_fixture_close(&f);
}

static void without_endpoint_list(json_t *world, json_t *spec)
{
    (void)world;
    json_object_del(json_object_get(json_object_get(spec, "windows"), "network"), "endpointList");
}

static void test_create_without_endpoint_list_makes_empty_namespace(void)
{
    fixture f;
    fixture_open_case(&f, without_endpoint_list);
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, NULL), 0);
    assert_journal(f.host, "POST /namespaces/");
    assert_recorded(&f, "[]");
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(release_last(&f, NULL), 0);
    assert_journal(f.host, "DELETE /namespaces/" NEW_NAMESPACE);
    assert_held(f.host, 0, 0);
    test_build_fixture_close(&f);
}

/* ---- HNS failures while creating ---- */

static void fail_first_hns_call(json_t *world, json_t *spec)
{
    (void)spec;
    test_fail_call(world, "HNSCall", 1, NULL);
}

static void test_failed_namespace_create_records_nothing(void)
{
    fixture f;
    fixture_open_case(&f, fail_first_hns_call);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, &error), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_ACCESS_DENIED);
    TEST_ASSERT_ERROR_IS(error,
        "POST /namespaces/: failed during hnsCallRawResponse: hnsCall failed "
        "in Win32: Access is denied. (0x5)");
    assert_journal(f.host, "POST /namespaces/");
    CU_ASSERT_STRING_EQUAL(hcsoci_resources_network_namespace(f.resources), "");
    CU_ASSERT_FALSE(hcsoci_resources_created_network_namespace(f.resources));
    CU_ASSERT_EQUAL(hcsoci_resources_count(f.resources), 0);
    test_build_fixture_close(&f);
}

static void fail_first_hns_call_unspecified(json_t *world, json_t *spec)
{
    (void)spec;
    test_fail_call(world, "HNSCall", 1, "0x80004005");
}

static void test_non_win32_hresult_is_printed_whole(void)
{
    fixture f;
    fixture_open_case(&f, fail_first_hns_call_unspecified);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error,
        "POST /namespaces/: failed during hnsCallRawResponse: hnsCall failed "
        "in Win32: Unspecified error (0x80004005)");
    test_build_fixture_close(&f);
}

/* The next id to hand out names a namespace that exists: the sim host refuses the POST. */
static void next_namespace_id_taken(json_t *world, json_t *spec)
{
    (void)spec;
    json_object_set_new(world, "hnsNamespaces", json_pack("{s:[]}", "taken"));
    json_object_set_new(world, "hnsNewNamespaceIds", json_pack("[s]", "taken"));
}

static void test_hns_failure_reply_carries_hns_text(void)
{
    fixture f;
    fixture_open_case(&f, next_namespace_id_taken);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "POST /namespaces/: hns failed with error : sim host: the "
                                      "next id in hnsNewNamespaceIds, 'taken', names a namespace "
                                      "that exists");
    CU_ASSERT_EQUAL(hcsoci_resources_count(f.resources), 0);
    test_build_fixture_close(&f);
}

static void fail_second_hns_call(json_t *world, json_t *spec)
{
    (void)spec;
    test_fail_call(world, "HNSCall", 2, NULL);
}

static void test_failed_first_endpoint_leaves_empty_namespace_recorded(void)
{
    fixture f;
    fixture_open_case(&f, fail_second_hns_call);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "POST /namespaces/" NEW_NAMESPACE "/addresource: failed during "
                         "hnsCallRawResponse: hnsCall failed in Win32: Access is denied. (0x5)");
    assert_recorded(&f, "[]");
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(release_last(&f, NULL), 0);
    assert_journal(f.host, "DELETE /namespaces/" NEW_NAMESPACE);
    assert_held(f.host, 0, 0);
    test_build_fixture_close(&f);
}

static void fail_third_hns_call(json_t *world, json_t *spec)
{
    (void)spec;
    test_fail_call(world, "HNSCall", 3, NULL);
}

static void test_failed_second_endpoint_records_the_first(void)
{
    fixture f;
    fixture_open_case(&f, fail_third_hns_call);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "POST /namespaces/" NEW_NAMESPACE "/addresource: failed during "
                         "hnsCallRawResponse: hnsCall failed in Win32: Access is denied. (0x5)");
    assert_recorded(&f, "['" ENDPOINT_1 "']");
    assert_held(f.host, 1, 1);
    test_build_fixture_close(&f);
}

static void with_missing_endpoint(json_t *world, json_t *spec)
{
    (void)world;
    json_t *list = json_object_get(json_object_get(json_object_get(spec, "windows"), "network"),
                                   "endpointList");
    json_array_set_new(list, 1, json_string(MISSING_ENDPOINT));
}

/* HNS adds an endpoint id it does not know to a namespace (as the corpus's recording host
 * does): the module records it like any other, and releasing removes it with the others. */
static void test_unknown_endpoint_is_added_and_released(void)
{
    fixture f;
    fixture_open_case(&f, with_missing_endpoint);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    hcsoci_error_free(error);
    assert_recorded(&f, "['" ENDPOINT_1 "', '" MISSING_ENDPOINT "']");
    assert_held(f.host, 1, 2);
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(release_last(&f, NULL), 0);
    assert_journal(f.host, "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_1
                   ",POST /namespaces/" NEW_NAMESPACE "/removeresource " MISSING_ENDPOINT
                   ",DELETE /namespaces/" NEW_NAMESPACE);
    assert_held(f.host, 0, 0);
    test_build_fixture_close(&f);
}

static void test_bad_endpoint_list_names_the_field(void)
{
    fixture f;
    fixture_open_case(&f, NULL);
    json_object_set_new(json_object_get(json_object_get(f.spec, "windows"), "network"),
                        "endpointList", json_pack("[s, i]", ENDPOINT_1, 7));
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "windows.network.endpointList[1]");
    assert_journal(f.host, "");
    f.context.size = 8;
    CU_ASSERT_EQUAL(f.network->create_namespace(&f.context, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "build context is incomplete");
    test_build_fixture_close(&f);
}

/* ---- through CreateContainer ---- */

typedef struct created {
    int status;
    hcsoci_container *container;
    hcsoci_resources *resources;
    hcsoci_error *error;
} created;

static created create_container(fixture *f, const char *network_namespace,
                                bool keep_resources_on_failure)
{
    hcsoci_create_options options = {
        .id = "c-net",
        .owner = "test-owner",
        .spec = f->spec,
        .network_namespace = network_namespace,
        .do_not_release_resources_on_failure = keep_resources_on_failure,
    };
    created result = {0};
    result.status = hcsoci_create_container(f->runtime, &options, &result.container,
                                            &result.resources, &result.error);
    return result;
}

static void created_free(created *result)
{
    hcsoci_container_free(result->container);
    hcsoci_resources_free(result->resources);
    hcsoci_error_free(result->error);
}

static const char *document_namespace(const hcsoci_container *container)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(container->document, "Container"), "Networking"),
        "Namespace"));
}

static void test_created_namespace_in_document_and_released_even_when_not_all(void)
{
    fixture f;
    fixture_open_case(&f, NULL);
    created result = create_container(&f, NULL, false);
    CU_ASSERT_EQUAL_FATAL(result.status, 0);
    CU_ASSERT_STRING_EQUAL(document_namespace(result.container), NEW_NAMESPACE);
    CU_ASSERT_STRING_EQUAL(hcsoci_resources_network_namespace(result.resources), NEW_NAMESPACE);
    hcsoci_sim_host_journal_clear(f.host);
    /* all false: the namespace hcsoci created goes all the same (before the layers) */
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_release_resources(f.runtime, result.resources, NULL, false, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    assert_journal(f.host, "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_1 ","
                           "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_2 ","
                           "DELETE /namespaces/" NEW_NAMESPACE ",UnprepareLayer,DeactivateLayer");
    assert_held(f.host, 0, 0);
    created_free(&result);
    test_build_fixture_close(&f);
}

static void with_existing_namespace(json_t *world, json_t *spec)
{
    (void)spec;
    json_object_set_new(world, "hnsNamespaces",
                        json_pack("{s:[s]}", OLD_NAMESPACE, ENDPOINT_1));
}

static void test_given_namespace_is_adopted_without_hns_calls(void)
{
    fixture f;
    fixture_open_case(&f, with_existing_namespace);
    created result = create_container(&f, OLD_NAMESPACE, false);
    CU_ASSERT_EQUAL_FATAL(result.status, 0);
    CU_ASSERT_STRING_EQUAL(document_namespace(result.container), OLD_NAMESPACE);
    CU_ASSERT_FALSE(hcsoci_resources_created_network_namespace(result.resources));
    const char *journal = test_journal_summary(hcsoci_sim_host_journal(f.host), describe_call);
    CU_ASSERT_EQUAL(strstr(journal, "/namespaces/"), NULL);
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_release_resources(f.runtime, result.resources, NULL, true, NULL), 0);
    assert_journal(f.host, "UnprepareLayer,DeactivateLayer");
    json_t *world = hcsoci_sim_host_world(f.host);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(world, "hnsNamespaces"), OLD_NAMESPACE));
    json_decref(world);
    created_free(&result);
    test_build_fixture_close(&f);
}

static void test_failed_endpoint_removes_created_namespace(void)
{
    /* Deviation D4 (case 047): the namespace goes again when an endpoint cannot be added. */
    fixture f;
    fixture_open_case(&f, fail_third_hns_call);
    created result = create_container(&f, NULL, false);
    CU_ASSERT_EQUAL(result.status, -1);
    CU_ASSERT_PTR_NULL(result.container);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.error);
    CU_ASSERT_STRING_EQUAL(result.error->message,
                           "POST /namespaces/" NEW_NAMESPACE "/addresource: failed during "
                           "hnsCallRawResponse: hnsCall failed in Win32: Access is denied. (0x5)");
    assert_journal(f.host, "POST /namespaces/,"
                           "POST /namespaces/" NEW_NAMESPACE "/addresource " ENDPOINT_1 ","
                           "POST /namespaces/" NEW_NAMESPACE "/addresource " ENDPOINT_2 ","
                           "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_1 ","
                           "DELETE /namespaces/" NEW_NAMESPACE);
    assert_held(f.host, 0, 0);
    created_free(&result);
    test_build_fixture_close(&f);
}

static void test_kept_resources_still_hold_the_namespace(void)
{
    fixture f;
    fixture_open_case(&f, fail_third_hns_call);
    created result = create_container(&f, NULL, true);
    CU_ASSERT_EQUAL(result.status, -1);
    assert_held(f.host, 1, 1);
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_count(result.resources), 1);
    /* the ledger survives a save and load, and releasing it later removes what was made */
    json_t *saved = hcsoci_resources_to_json(result.resources);
    hcsoci_resources *loaded = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_resources_from_json(saved, &loaded, NULL), 0);
    json_decref(saved);
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(hcsoci_release_resources(f.runtime, loaded, NULL, true, NULL), 0);
    assert_journal(f.host, "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_1 ","
                           "DELETE /namespaces/" NEW_NAMESPACE);
    assert_held(f.host, 0, 0);
    hcsoci_resources_free(loaded);
    created_free(&result);
    test_build_fixture_close(&f);
}

/* ---- releasing ---- */

/* Sends one HNS request straight to the host (a world changing behind hcsoci's back). */
static void hns_behind_the_back(hcsoci_host *host, const char *method, const char *path,
                                const char *request_text)
{
    json_t *request = request_text != NULL ? test_quoted_json(request_text) : NULL;
    json_t *response = NULL;
    CU_ASSERT_EQUAL(host->ops->hns_call(host, method, path, request, &response, NULL), 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(response, "Success")));
    json_decref(response);
    json_decref(request);
}

static void test_release_tolerates_what_is_already_gone(void)
{
    fixture f;
    fixture_open_case(&f, NULL);
    CU_ASSERT_EQUAL_FATAL(f.network->create_namespace(&f.context, NULL), 0);
    hns_behind_the_back(f.host, "POST", "/namespaces/" NEW_NAMESPACE "/removeresource",
                        "{'Type': 'Endpoint', 'Data': {'Id': '" ENDPOINT_1 "'}}");
    const json_t *entry = hcsoci_resources_entry(f.resources, 0);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->release(f.host, entry, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    assert_held(f.host, 0, 0);
    /* a second release finds nothing at all, which is not an error either */
    hcsoci_sim_host_journal_clear(f.host);
    CU_ASSERT_EQUAL(f.network->release(f.host, entry, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    assert_journal(f.host, "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_1 ","
                           "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_2 ","
                           "DELETE /namespaces/" NEW_NAMESPACE);
    test_build_fixture_close(&f);
}

static void fail_fourth_hns_call(json_t *world, json_t *spec)
{
    (void)spec;
    test_fail_call(world, "HNSCall", 4, NULL);
}

static void test_failed_endpoint_removal_stops_the_release(void)
{
    fixture f;
    fixture_open_case(&f, fail_fourth_hns_call);
    CU_ASSERT_EQUAL_FATAL(f.network->create_namespace(&f.context, NULL), 0);
    hcsoci_sim_host_journal_clear(f.host);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(release_last(&f, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "POST /namespaces/" NEW_NAMESPACE "/removeresource: failed during "
                         "hnsCallRawResponse: hnsCall failed in Win32: Access is denied. (0x5)");
    assert_journal(f.host, "POST /namespaces/" NEW_NAMESPACE "/removeresource " ENDPOINT_1);
    assert_held(f.host, 1, 2);
    test_build_fixture_close(&f);
}

static void fail_sixth_hns_call(json_t *world, json_t *spec)
{
    (void)spec;
    test_fail_call(world, "HNSCall", 6, NULL);
}

static void test_failed_namespace_removal_is_an_error(void)
{
    fixture f;
    fixture_open_case(&f, fail_sixth_hns_call);
    CU_ASSERT_EQUAL_FATAL(f.network->create_namespace(&f.context, NULL), 0);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(release_last(&f, &error), -1);
    TEST_ASSERT_ERROR_IS(error, "DELETE /namespaces/" NEW_NAMESPACE ": failed during "
                         "hnsCallRawResponse: hnsCall failed in Win32: Access is denied. (0x5)");
    assert_held(f.host, 1, 0);
    test_build_fixture_close(&f);
}

static void test_release_rejects_malformed_entries(void)
{
    static const struct {
        const char *entry;
        const char *message;
    } cases[] = {
        {"{'kind': 'network.other', 'namespace': 'a'}",
         "cannot release a resource of kind 'network.other'"},
        {"{'namespace': 'a'}", "cannot release a resource of kind '(none)'"},
        {"{'kind': 'network.endpoints', 'namespace': 5, 'endpoints': []}",
         "invalid resource ledger entry: invalid field 'network.endpoints.namespace': must be a "
         "string, not an integer"},
        {"{'kind': 'network.endpoints', 'namespace': 'a', 'endpoints': [1]}",
         "network.endpoints.endpoints[0]"},
        {"{'kind': 'network.endpoints', 'endpoints': []}",
         "network.endpoints.namespace is '(absent)', not a network namespace id"},
        {"{'kind': 'network.endpoints', 'namespace': '../endpoints', 'endpoints': []}",
         "network.endpoints.namespace is '../endpoints', not a network namespace id"},
    };
    fixture f;
    fixture_open_case(&f, NULL);
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        json_t *entry = test_quoted_json(cases[index].entry);
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(f.network->release(f.host, entry, &error), -1);
        TEST_ASSERT_ERROR_CONTAINS(error, cases[index].message);
        json_decref(entry);
    }
    assert_journal(f.host, "");
    test_build_fixture_close(&f);
}

/* ---- listing a namespace's endpoints ---- */

static void with_reversed_namespace(json_t *world, json_t *spec)
{
    (void)spec;
    json_object_set_new(world, "hnsNamespaces", json_pack("{s:[s, s], s:[]}", OLD_NAMESPACE,
                                                          ENDPOINT_2, ENDPOINT_1, NEW_NAMESPACE));
    json_object_set_new(world, "hnsNewNamespaceIds", json_array());
}

static void test_endpoints_are_full_records_in_hns_order(void)
{
    fixture f;
    fixture_open_case(&f, with_reversed_namespace);
    json_t *world = hcsoci_sim_host_world(f.host);
    const json_t *records = json_object_get(world, "hnsEndpoints");
    json_t *endpoints = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, OLD_NAMESPACE, &endpoints, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL_FATAL(json_array_size(endpoints), 2);
    CU_ASSERT_TRUE(json_equal(json_array_get(endpoints, 0), json_array_get(records, 1)));
    CU_ASSERT_TRUE(json_equal(json_array_get(endpoints, 1), json_array_get(records, 0)));
    json_decref(endpoints);
    assert_journal(f.host, "GET /namespaces/" OLD_NAMESPACE ","
                           "GET /endpoints/" ENDPOINT_2 ",GET /endpoints/" ENDPOINT_1);
    /* an empty namespace has no endpoints */
    CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, NEW_NAMESPACE, &endpoints, NULL), 0);
    CU_ASSERT_TRUE(json_is_array(endpoints) && json_array_size(endpoints) == 0);
    json_decref(endpoints);
    json_decref(world);
    test_build_fixture_close(&f);
}

static void test_public_api_lists_endpoints(void)
{
    fixture f;
    fixture_open_case(&f, with_reversed_namespace);
    json_t *endpoints = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_get_namespace_endpoints(f.runtime, OLD_NAMESPACE, &endpoints, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    CU_ASSERT_EQUAL_FATAL(json_array_size(endpoints), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(endpoints, 0), "Name")),
                           "ep-two");
    json_decref(endpoints);
    CU_ASSERT_EQUAL(hcsoci_get_namespace_endpoints(f.runtime, "", &endpoints, &error), -1);
    CU_ASSERT_PTR_NULL(endpoints);
    TEST_ASSERT_ERROR_CONTAINS(error, "namespace id is required");
    test_build_fixture_close(&f);
}

static void test_unknown_namespace_is_a_clear_error(void)
{
    fixture f;
    fixture_open_case(&f, NULL);
    json_t *endpoints = (json_t *)1;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, OLD_NAMESPACE, &endpoints, &error), -1);
    CU_ASSERT_PTR_NULL(endpoints);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_EQUAL(error->code, HCSOCI_E_NOT_FOUND);
    TEST_ASSERT_ERROR_IS(error, "network namespace " OLD_NAMESPACE " not found: GET /namespaces/"
                         OLD_NAMESPACE ": hns failed with error : Element not found.");
    test_build_fixture_close(&f);
}

static void test_hostile_namespace_ids_are_refused(void)
{
    static const char *const ids[] = {
        "../endpoints/" ENDPOINT_1, "a b", "a/b", "a\\b", "x?y", "",
        "0123456789012345678901234567890123456789012345678901234567890123456789",
    };
    fixture f;
    fixture_open_case(&f, NULL);
    for (size_t index = 0; index < sizeof ids / sizeof ids[0]; index++) {
        json_t *endpoints = NULL;
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, ids[index], &endpoints, &error), -1);
        CU_ASSERT_PTR_NULL(endpoints);
        TEST_ASSERT_ERROR_CONTAINS(error, "invalid network namespace id");
    }
    json_t *endpoints = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, NULL, &endpoints, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "invalid network namespace id '(null)'");
    assert_journal(f.host, "");
    test_build_fixture_close(&f);
}

/* HNS ids are at most 64 characters: 64 goes to HNS (which knows no such namespace), 65 is
 * refused before any call with the error naming the id and the limit. */
static void test_namespace_id_length_on_both_sides_of_the_limit(void)
{
    char longest[65], too_long[66];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    memset(too_long, 'b', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    fixture f;
    fixture_open_case(&f, NULL);
    json_t *endpoints = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, longest, &endpoints, &error), -1);
    CU_ASSERT_PTR_NULL(endpoints);
    char expected[160];
    snprintf(expected, sizeof expected, "network namespace %s not found: ", longest);
    TEST_ASSERT_ERROR_CONTAINS(error, expected);
    char expected_journal[96];
    snprintf(expected_journal, sizeof expected_journal, "GET /namespaces/%s", longest);
    assert_journal(f.host, expected_journal);
    hcsoci_sim_host_journal_clear(f.host);

    CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, too_long, &endpoints, &error), -1);
    CU_ASSERT_PTR_NULL(endpoints);
    snprintf(expected, sizeof expected,
             "invalid network namespace id '%s': expected 1 to 64 letters, digits, '-', '{' or "
             "'}'",
             too_long);
    TEST_ASSERT_ERROR_IS(error, expected);
    assert_journal(f.host, "");
    test_build_fixture_close(&f);
}

static void with_dangling_endpoint(json_t *world, json_t *spec)
{
    (void)spec;
    json_object_set_new(world, "hnsNamespaces",
                        json_pack("{s:[s, s]}", OLD_NAMESPACE, ENDPOINT_1, MISSING_ENDPOINT));
}

static void test_missing_endpoint_record_is_an_error(void)
{
    fixture f;
    fixture_open_case(&f, with_dangling_endpoint);
    json_t *endpoints = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, OLD_NAMESPACE, &endpoints, &error), -1);
    CU_ASSERT_PTR_NULL(endpoints);
    TEST_ASSERT_ERROR_IS(error, "endpoint " MISSING_ENDPOINT " of network namespace " OLD_NAMESPACE
                         ": GET /endpoints/" MISSING_ENDPOINT ": hns failed with error : "
                         "Element not found.");
    test_build_fixture_close(&f);
}

static void namespace_and_fail_second(json_t *world, json_t *spec)
{
    with_existing_namespace(world, spec);
    test_fail_call(world, "HNSCall", 2, NULL);
}

static void namespace_and_fail_first(json_t *world, json_t *spec)
{
    with_existing_namespace(world, spec);
    test_fail_call(world, "HNSCall", 1, NULL);
}

static void test_listing_failure_points(void)
{
    fixture f;
    fixture_open_case(&f, namespace_and_fail_first);
    json_t *endpoints = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, OLD_NAMESPACE, &endpoints, &error), -1);
    TEST_ASSERT_ERROR_IS(error,
        "GET /namespaces/" OLD_NAMESPACE ": failed during hnsCallRawResponse: "
        "hnsCall failed in Win32: Access is denied. (0x5)");
    test_build_fixture_close(&f);

    fixture_open_case(&f, namespace_and_fail_second);
    CU_ASSERT_EQUAL(f.network->namespace_endpoints(f.host, OLD_NAMESPACE, &endpoints, &error), -1);
    CU_ASSERT_PTR_NULL(endpoints);
    TEST_ASSERT_ERROR_IS(error, "endpoint " ENDPOINT_1 " of network namespace " OLD_NAMESPACE
                         ": GET /endpoints/" ENDPOINT_1 ": failed during hnsCallRawResponse: "
                         "hnsCall failed in Win32: Access is denied. (0x5)");
    test_build_fixture_close(&f);
}

/* ---- HNS replies the sim host never gives: a scripted host ---- */

/* Answers HNS calls with the scripted replies in turn (NULL entries: the call fails without
 * saying why). Only hns_call is provided. */
typedef struct scripted_host {
    hcsoci_host base;
    const char *const *replies;
    size_t next;
} scripted_host;

static int scripted_hns_call(hcsoci_host *host, const char *method, const char *path,
                             const json_t *request, json_t **response, hcsoci_error **error)
{
    (void)method;
    (void)path;
    (void)request;
    scripted_host *scripted = (scripted_host *)host;
    const char *reply = scripted->replies[scripted->next++];
    if (reply == NULL)
        return -1;
    (void)error;
    *response = test_quoted_json(reply);
    return 0;
}

static const hcsoci_host_ops scripted_ops = {
    .size = sizeof(hcsoci_host_ops),
    .hns_call = scripted_hns_call,
};

/* The network module's ops (from a runtime made over a sim host); frees nothing it keeps. */
static void with_module(void (*body)(const hcsoci_network_ops *ops))
{
    fixture f;
    fixture_open_case(&f, NULL);
    body(f.network);
    test_build_fixture_close(&f);
}

static void check_odd_replies(const hcsoci_network_ops *ops)
{
    /* Keys are matched as Go matches them: ignoring case. */
    static const char *const lower_case[] = {
        "{'success': true, 'output': {'id': 'ns-1', 'resourcelist': [{'type': 'Endpoint', "
        "'data': {'ID': 'ep-1'}}, {'Type': 'Other', 'Data': 5}]}}",
        "{'SUCCESS': true, 'OUTPUT': {'ID': 'ep-1', 'Name': 'one', 'Extra': [1]}}",
    };
    scripted_host host = {.base = {.ops = &scripted_ops}, .replies = lower_case};
    json_t *endpoints = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(ops->namespace_endpoints(&host.base, "ns-1", &endpoints, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    json_t *expected = test_quoted_json("[{'ID': 'ep-1', 'Name': 'one', 'Extra': [1]}]");
    CU_ASSERT_TRUE(json_equal(endpoints, expected));
    json_decref(expected);
    json_decref(endpoints);

    static const struct {
        const char *replies[3];
        const char *message;
    } failures[] = {
        {{NULL}, "GET /namespaces/ns-1: failed during hnsCallRawResponse: hnsCall failed in "
                 "Win32: Unspecified error (0x80004005)"},
        {{"[1]"}, "GET /namespaces/ns-1: failed during hnsCallRawResponse: the HNS reply is an "
                  "array, not an object"},
        {{"{'Success': false}"}, "GET /namespaces/ns-1: hns failed with error : "},
        {{"{'Success': 'yes', 'Error': 'odd'}"}, "GET /namespaces/ns-1: hns failed with error : odd"},
        {{"{'Success': true, 'Output': {'ResourceList': {}}}"},
         "GET /namespaces/ns-1: ResourceList is an object, not an array"},
        {{"{'Success': true, 'Output': {'ResourceList': [{'Type': 'Endpoint', 'Data': 'x'}]}}"},
         "GET /namespaces/ns-1: unmarshal endpoint: ResourceList[0].Data is a string, not an "
         "object"},
        {{"{'Success': true, 'Output': {'ResourceList': [{'Type': 'Endpoint', 'Data': {}}]}}"},
         "GET /namespaces/ns-1: unmarshal endpoint: ResourceList[0].Data has no Id string"},
        {{"{'Success': true, 'Output': {'ResourceList': [{'Type': 'Endpoint', 'Data': "
          "{'Id': '../x'}}]}}"},
         "invalid HNS endpoint id '../x'"},
        {{"{'Success': true, 'Output': {'ResourceList': [{'Type': 'Endpoint', 'Data': "
          "{'Id': 'ep-1'}}]}}",
          "{'Success': true}"},
         "GET /endpoints/ep-1: HNS answered with absent, not an endpoint record"},
    };
    for (size_t index = 0; index < sizeof failures / sizeof failures[0]; index++) {
        scripted_host failing = {.base = {.ops = &scripted_ops}, .replies = failures[index].replies};
        endpoints = NULL;
        CU_ASSERT_EQUAL(ops->namespace_endpoints(&failing.base, "ns-1", &endpoints, &error), -1);
        CU_ASSERT_PTR_NULL(endpoints);
        TEST_ASSERT_ERROR_CONTAINS(error, failures[index].message);
    }
}

static void test_odd_hns_replies(void)
{
    with_module(check_odd_replies);
}

static void check_odd_create_replies(const hcsoci_network_ops *ops)
{
    static const struct {
        const char *replies[2];
        const char *message;
    } failures[] = {
        {{"{'Success': true}"}, "POST /namespaces/: HNS answered without the new namespace's ID"},
        {{"{'Success': true, 'Output': {'ID': ''}}"},
         "POST /namespaces/: HNS answered without the new namespace's ID"},
        {{"{'Success': true, 'Output': {'ID': '../endpoints'}}"},
         "POST /namespaces/: HNS answered with an invalid namespace ID '../endpoints'"},
    };
    json_t *spec = test_quoted_json("{'windows': {'network': {'endpointList': []}}}");
    for (size_t index = 0; index < sizeof failures / sizeof failures[0]; index++) {
        scripted_host host = {.base = {.ops = &scripted_ops}, .replies = failures[index].replies};
        hcsoci_resources *resources = hcsoci_resources_new("c1");
        hcsoci_build_context context = {.size = sizeof context, .host = &host.base, .id = "c1",
                                         .spec = spec, .resources = resources};
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(ops->create_namespace(&context, &error), -1);
        TEST_ASSERT_ERROR_CONTAINS(error, failures[index].message);
        CU_ASSERT_EQUAL(hcsoci_resources_count(resources), 0);
        hcsoci_resources_free(resources);
    }
    json_decref(spec);
}

static void test_odd_create_replies(void)
{
    with_module(check_odd_create_replies);
}

static void test_module_describes_itself(void)
{
    hcsoci_host *host = test_sim_host("{}");
    hcsoci_runtime *runtime = test_runtime(host);
    const hcsoci_plugin_descriptor *network = test_builtin_module("network");
    CU_ASSERT_STRING_EQUAL(network->name, "network");
    CU_ASSERT_PTR_NULL(strstr(network->description, "not supported"));
    CU_ASSERT_PTR_NULL(network->match);
    hcsoci_runtime_free(runtime);
    hcsoci_host_destroy(host);
}

int main(void)
{
    static const test_entry tests[] = {
        {"create adds the endpoints in spec order", test_create_adds_endpoints_in_spec_order},
        {"release removes endpoints then the namespace",
         test_release_removes_endpoints_then_namespace},
        {"no endpointList makes an empty namespace",
         test_create_without_endpoint_list_makes_empty_namespace},
        {"failed namespace create records nothing", test_failed_namespace_create_records_nothing},
        {"a non-Win32 HRESULT is printed whole", test_non_win32_hresult_is_printed_whole},
        {"an HNS failure reply carries HNS's text", test_hns_failure_reply_carries_hns_text},
        {"failed first endpoint leaves the empty namespace recorded",
         test_failed_first_endpoint_leaves_empty_namespace_recorded},
        {"failed second endpoint records the first", test_failed_second_endpoint_records_the_first},
        {"an unknown endpoint is added and released", test_unknown_endpoint_is_added_and_released},
        {"a bad endpointList names the field", test_bad_endpoint_list_names_the_field},
        {"created namespace: in the document, released even when not all",
         test_created_namespace_in_document_and_released_even_when_not_all},
        {"a given namespace is adopted without HNS calls",
         test_given_namespace_is_adopted_without_hns_calls},
        {"D4: a failed endpoint removes the created namespace",
         test_failed_endpoint_removes_created_namespace},
        {"kept resources still hold the namespace", test_kept_resources_still_hold_the_namespace},
        {"release tolerates what is already gone", test_release_tolerates_what_is_already_gone},
        {"a failed endpoint removal stops the release",
         test_failed_endpoint_removal_stops_the_release},
        {"a failed namespace removal is an error", test_failed_namespace_removal_is_an_error},
        {"release rejects malformed ledger entries", test_release_rejects_malformed_entries},
        {"endpoints are full records in HNS order", test_endpoints_are_full_records_in_hns_order},
        {"the public API lists endpoints", test_public_api_lists_endpoints},
        {"an unknown namespace is a clear error", test_unknown_namespace_is_a_clear_error},
        {"hostile namespace ids are refused", test_hostile_namespace_ids_are_refused},
        {"namespace id length on both sides of the limit",
         test_namespace_id_length_on_both_sides_of_the_limit},
        {"a missing endpoint record is an error", test_missing_endpoint_record_is_an_error},
        {"listing failure points", test_listing_failure_points},
        {"odd HNS replies", test_odd_hns_replies},
        {"odd namespace create replies", test_odd_create_replies},
        {"the module describes itself", test_module_describes_itself},
        {NULL, NULL},
    };
    return test_run_suite("network", tests);
}
