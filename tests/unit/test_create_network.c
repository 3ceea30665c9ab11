/* Networking of hosted containers in CreateContainer: a standalone container or a pod's
 * sandbox brings its network namespace and a NIC per HNS endpoint into the utility VM, a pod's
 * workload container adds nothing, bad pod annotations are the reference's errors, and every
 * HNS and UVM failure point leaves the VM and HNS as they were. The container document comes
 * from a stand-in hosted builder (tests/plugins/hosted_builder.c) that makes no host call, so
 * these tests see the core's part alone; the corpus cases of the network area are replayed with
 * it and their network calls compared with the corpus traces. */
#include "test_support.h"

#include "../conformance/kit/trace_compare.h"

#include <hcsoci/replay.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEW_NAMESPACE "9b8a7c6d-0000-4000-8000-0000000000b2"
#define OLD_NAMESPACE "9b8a7c6d-0000-4000-8000-0000000000a1"
#define ENDPOINT_1 "5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1"
#define ENDPOINT_2 "5e1f2a3b-0002-4c5d-8e9f-aaaaaaaaaaa2"
#define FAIL_BUILD_ANNOTATION "hcsoci.test/fail-build"

static const char windows_case[] = "055-xenon-v2-network-create-namespace";
static const char windows_workload_case[] = "056-xenon-v2-network-k8s-workload-container";
static const char linux_case[] = "077-lcow-network-create-namespace";
static const char linux_without_guest_namespaces_case[] =
    "078-lcow-network-given-namespace-no-guest-ns-support";

/* The journal of a hosted create, short: the rollback and release of the namespace and NICs
 * are what these tests are about. */
#define CREATED_NAMESPACE_HNS                                                                  \
    "POST /namespaces/,POST /namespaces/ns-new/addresource ep1,"                              \
    "POST /namespaces/ns-new/addresource ep2"
#define LIST_NEW_NAMESPACE "GET /namespaces/ns-new,GET /endpoints/ep1,GET /endpoints/ep2"
#define WINDOWS_NIC_1 "Guest Add Network PreAdd ep1,Add NIC ep1 +guest"
#define WINDOWS_NIC_2 "Guest Add Network PreAdd ep2,Add NIC ep2 +guest"
#define REMOVE_WINDOWS_NICS "Remove NIC ep1 +guest,Remove NIC ep2 +guest"
#define REMOVE_CREATED_NAMESPACE                                                               \
    "POST /namespaces/ns-new/removeresource ep1,POST /namespaces/ns-new/removeresource ep2,"  \
    "DELETE /namespaces/ns-new"

/* ---- helpers ---- */

static json_t *load_corpus(const char *directory, const char *case_name)
{
    char relative[256];
    snprintf(relative, sizeof relative, "tests/conformance/%s/%s.json", directory, case_name);
    json_t *value = test_load_json(relative);
    CU_ASSERT_PTR_NOT_NULL_FATAL(value);
    return value;
}

/* The stand-in hosted builder's module file. */
static const char *hosted_builder_path(void)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s", test_plugin_module("hosted_builder"));
    return path;
}

/* Runtime options with the built-in modules and the stand-in hosted builder. */
static hcsoci_runtime_options runtime_options(hcsoci_host *host)
{
    static const char *files[2];
    files[0] = hosted_builder_path();
    files[1] = NULL;
    return (hcsoci_runtime_options){
        .host = host,
        .plugin_directories = test_builtin_plugin_directories(),
        .plugin_files = files,
        .skip_environment = true,
        .skip_installed_directory = true,
        .program_name = "hcsoci",
    };
}

/* Replaces every occurrence of from in text (of capacity size) by to. */
static void replace_all(char *text, size_t size, const char *from, const char *to)
{
    size_t from_length = strlen(from);
    size_t to_length = strlen(to);
    char *found = text;
    while ((found = strstr(found, from)) != NULL) {
        size_t tail = strlen(found + from_length) + 1;
        if ((size_t)(found - text) + to_length + tail > size)
            return;
        memmove(found + to_length, found + from_length, tail);
        memcpy(found, to, to_length);
        found += to_length;
    }
}

static const char *member_text(const json_t *object, const char *key)
{
    const char *value = json_string_value(json_object_get(object, key));
    return value != NULL ? value : "";
}

/* One call, short: HNS calls as "<METHOD> <path>[ <endpoint>]", NIC requests as "<RequestType>
 * NIC <endpoint>[ +guest]", guest-only requests as "Guest <RequestType> <ResourceType>[
 * <inner RequestType> <endpoint>]", other modify requests as "Modify <RequestType> <path>",
 * creates as "Create <id>"; the test's namespaces and endpoints written ns-new, ns-old, ep1 and
 * ep2. */
static void describe_call(const json_t *call, char *text, size_t size)
{
    const char *name = member_text(call, "call");
    const json_t *args = json_object_get(call, "args");
    if (strcmp(name, "HNSCall") == 0) {
        const char *endpoint =
            member_text(json_object_get(json_object_get(args, "object"), "Data"), "Id");
        snprintf(text, size, "%s %s%s%s", member_text(args, "method"), member_text(args, "path"),
                 endpoint[0] != '\0' ? " " : "", endpoint);
    } else if (strcmp(name, "HcsModifyComputeSystem") == 0) {
        const json_t *configuration = json_object_get(args, "configuration");
        const char *path = member_text(configuration, "ResourcePath");
        const json_t *guest = json_object_get(configuration, "GuestRequest");
        if (strstr(path, "/NetworkAdapters/") != NULL) {
            snprintf(text, size, "%s NIC %s%s", member_text(configuration, "RequestType"),
                     member_text(json_object_get(configuration, "Settings"), "EndpointId"),
                     guest != NULL ? " +guest" : "");
        } else if (path[0] == '\0' && guest != NULL) {
            const json_t *settings = json_object_get(guest, "Settings");
            const char *inner = member_text(settings, "RequestType");
            const char *endpoint = member_text(json_object_get(settings, "Settings"), "ID");
            snprintf(text, size, "Guest %s %s%s%s%s%s", member_text(guest, "RequestType"),
                     member_text(guest, "ResourceType"), inner[0] != '\0' ? " " : "", inner,
                     endpoint[0] != '\0' ? " " : "", endpoint);
        } else {
            snprintf(text, size, "Modify %s %s", member_text(configuration, "RequestType"), path);
        }
    } else if (strcmp(name, "HcsCreateComputeSystem") == 0) {
        snprintf(text, size, "Create %s", member_text(args, "id"));
    } else {
        snprintf(text, size, "%s", name);
    }
    replace_all(text, size, NEW_NAMESPACE, "ns-new");
    replace_all(text, size, OLD_NAMESPACE, "ns-old");
    replace_all(text, size, ENDPOINT_1, "ep1");
    replace_all(text, size, ENDPOINT_2, "ep2");
}

/* The sim host's journal (since the last clear), each call as describe_call writes it, comma
 * separated. */
static const char *journal_summary(hcsoci_host *host)
{
    return test_journal_summary(hcsoci_sim_host_journal(host), describe_call);
}

static void assert_journal(hcsoci_host *host, const char *expected)
{
    TEST_ASSERT_JOURNAL(hcsoci_sim_host_journal(host), describe_call, expected);
}

/* A sim host and a utility VM from a corpus case (changed by the test first), and a runtime
 * with the stand-in hosted builder. */
typedef struct hosted {
    json_t *test_case;
    hcsoci_host *host;
    hcsoci_host *uvm_host; /* the host the VM is bound to: host unless a test wraps it */
    hcsoci_runtime *runtime;
    hcsoci_uvm *uvm;
    hcsoci_container *container;
    hcsoci_resources *resources;
} hosted;

typedef void (*case_change)(json_t *test_case);


/* fail_call (may be NULL) and nth: the host call to fail, as a case's failCall says it. wrap
 * (may be NULL) makes the host the VM is bound to from the sim host. */
static void hosted_open_on(hosted *h, const char *case_name, case_change change,
                           const char *fail_call, int nth,
                           hcsoci_host *(*wrap)(hcsoci_host *inner))
{
    memset(h, 0, sizeof *h);
    h->test_case = load_corpus("cases", case_name);
    if (change != NULL)
        change(h->test_case);
    if (fail_call != NULL)
        test_fail_call(json_object_get(h->test_case, "host"), fail_call, nth, NULL);
    hcsoci_error *error = NULL;
    if (hcsoci_sim_host_new(json_object_get(h->test_case, "host"), &h->host, &error) != 0) {
        fprintf(stderr, "cannot make sim host: %s\n", error->message);
        abort();
    }
    h->uvm_host = wrap != NULL ? wrap(h->host) : h->host;
    hcsoci_runtime_options options = runtime_options(h->host);
    hcsoci_uvm_properties properties;
    if (hcsoci_runtime_new(&options, &h->runtime, &error) != 0 ||
        hcsoci_uvm_properties_from_json(json_object_get(h->test_case, "hostingSystem"),
                                        &properties, &error) != 0 ||
        hcsoci_uvm_new(h->uvm_host, &properties, &h->uvm, &error) != 0) {
        fprintf(stderr, "cannot set up: %s\n", error->message);
        abort();
    }
}

static void hosted_open(hosted *h, const char *case_name, case_change change)
{
    hosted_open_on(h, case_name, change, NULL, 0, NULL);
}

static void hosted_close(hosted *h)
{
    hcsoci_container_free(h->container);
    hcsoci_resources_free(h->resources);
    hcsoci_uvm_free(h->uvm);
    hcsoci_runtime_free(h->runtime);
    if (h->uvm_host != h->host)
        hcsoci_host_destroy(h->uvm_host);
    hcsoci_host_destroy(h->host);
    json_decref(h->test_case);
}

/* CreateContainer with the case's options and spec; the container and ledger stay in h. */
static int hosted_create(hosted *h, hcsoci_error **error)
{
    const json_t *options = json_object_get(h->test_case, "options");
    hcsoci_create_options create = {
        .id = member_text(options, "id"),
        .owner = member_text(options, "owner"),
        .spec = json_object_get(h->test_case, "spec"),
        .hosting_system = h->uvm,
        .network_namespace = member_text(options, "networkNamespace"),
        .do_not_release_resources_on_failure =
            json_is_true(json_object_get(options, "doNotReleaseResourcesOnFailure")),
    };
    hcsoci_container_free(h->container);
    hcsoci_resources_free(h->resources);
    h->container = NULL;
    h->resources = NULL;
    return hcsoci_create_container(h->runtime, &create, &h->container, &h->resources, error);
}

static void hosted_create_or_fail(hosted *h)
{
    hcsoci_error *error = NULL;
    int result = hosted_create(h, &error);
    if (result != 0)
        fprintf(stderr, "\n  create failed: %s\n", error->message);
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL_FATAL(result, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h->container);
}

/* Releases everything the ledger holds (the journal is cleared first). */
static void hosted_release(hosted *h)
{
    hcsoci_sim_host_journal_clear(h->host);
    hcsoci_error *error = NULL;
    int result = hcsoci_release_resources(h->runtime, h->resources, h->uvm, true, &error);
    if (result != 0)
        fprintf(stderr, "\n  release failed: %s\n", error->message);
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL(result, 0);
}

/* The endpoint ids of the VM's NICs in namespace_id, comma separated in the order the VM holds
 * them and aliased like the journal; "-" when the VM does not hold the namespace. Also checks
 * that the NIC ids are distinct GUIDs. */
static const char *uvm_nics(const hosted *h, const char *namespace_id)
{
    static char text[512];
    snprintf(text, sizeof text, "-");
    json_t *state = hcsoci_uvm_to_json(h->uvm);
    CU_ASSERT_PTR_NOT_NULL_FATAL(state);
    size_t index;
    const json_t *namespace_info;
    json_array_foreach(json_object_get(state, "networkNamespaces"), index, namespace_info) {
        if (strcmp(member_text(namespace_info, "id"), namespace_id) != 0)
            continue;
        text[0] = '\0';
        size_t n;
        const json_t *nic;
        const char *previous_nic = NULL;
        json_array_foreach(json_object_get(namespace_info, "nics"), n, nic) {
            size_t used = strlen(text);
            snprintf(text + used, sizeof text - used, "%s%s", n > 0 ? "," : "",
                     member_text(nic, "endpointId"));
            const char *nic_id = member_text(nic, "nicId");
            CU_ASSERT_EQUAL(strlen(nic_id), 36);
            if (previous_nic != NULL)
                CU_ASSERT_STRING_NOT_EQUAL(previous_nic, nic_id);
            previous_nic = nic_id;
        }
    }
    json_decref(state);
    replace_all(text, sizeof text, ENDPOINT_1, "ep1");
    replace_all(text, sizeof text, ENDPOINT_2, "ep2");
    return text;
}

static void assert_uvm_nics(const hosted *h, const char *namespace_id, const char *expected)
{
    const char *actual = uvm_nics(h, namespace_id);
    if (strcmp(actual, expected) != 0)
        fprintf(stderr, "\n  VM NICs:  %s\n  expected: %s\n", actual, expected);
    CU_ASSERT_STRING_EQUAL(actual, expected);
}

/* The namespace the stand-in builder put in the hosted document (the HostedSystem part of
 * the document sent). */
static const char *document_namespace(const hosted *h)
{
    const json_t *hosted_system = json_object_get(h->container->document, "HostedSystem");
    return member_text(
        json_object_get(json_object_get(hosted_system, "Container"), "Networking"), "Namespace");
}

/* ---- case changes ---- */

static json_t *case_spec(json_t *test_case)
{
    return json_object_get(test_case, "spec");
}

/* Case 055 with the namespace given instead of created (HNS holds it with both endpoints). */
static void given_namespace(json_t *test_case)
{
    CU_ASSERT_FATAL(json_object_set_new(json_object_get(test_case, "options"), "networkNamespace",
                                        json_string(OLD_NAMESPACE)) == 0);
    CU_ASSERT_FATAL(json_object_set_new(json_object_get(test_case, "host"), "hnsNamespaces",
                                        test_quoted_json("{'" OLD_NAMESPACE "': ['" ENDPOINT_1
                                                         "', '" ENDPOINT_2 "']}")) == 0);
}

static void as_pod_sandbox(json_t *test_case)
{
    given_namespace(test_case);
    test_set_annotation(case_spec(test_case), "io.kubernetes.cri.container-type", "sandbox");
    test_set_annotation(case_spec(test_case), "io.kubernetes.cri.sandbox-id", "pod-1");
}

static void without_network_section(json_t *test_case)
{
    json_object_del(json_object_get(case_spec(test_case), "windows"), "network");
}

static void given_namespace_without_endpoints(json_t *test_case)
{
    given_namespace(test_case);
    CU_ASSERT_FATAL(json_object_set_new(json_object_get(test_case, "host"), "hnsNamespaces",
                                        test_quoted_json("{'" OLD_NAMESPACE "': []}")) == 0);
}

static void given_unknown_namespace(json_t *test_case)
{
    given_namespace(test_case);
    json_object_clear(json_object_get(json_object_get(test_case, "host"), "hnsNamespaces"));
}

static void builder_fails(json_t *test_case)
{
    test_set_annotation(case_spec(test_case), FAIL_BUILD_ANNOTATION, "true");
}

static void create_fails(json_t *test_case)
{
    test_fail_call(json_object_get(test_case, "host"), "HcsCreateComputeSystem", 1, NULL);
}

static void create_fails_keeping_resources(json_t *test_case)
{
    create_fails(test_case);
    CU_ASSERT_FATAL(json_object_set_new(json_object_get(test_case, "options"),
                                        "doNotReleaseResourcesOnFailure", json_true()) == 0);
}

/* ---- a standalone container or a pod's sandbox ---- */

static void test_standalone_container_adds_created_namespace_and_nics(void)
{
    hosted h;
    hosted_open(&h, windows_case, NULL);
    hosted_create_or_fail(&h);
    assert_journal(h.host, CREATED_NAMESPACE_HNS "," LIST_NEW_NAMESPACE "," WINDOWS_NIC_1
                           "," WINDOWS_NIC_2 ",Create c-xenon-net");
    CU_ASSERT_TRUE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    assert_uvm_nics(&h, NEW_NAMESPACE, "ep1,ep2");
    CU_ASSERT_STRING_EQUAL(document_namespace(&h), NEW_NAMESPACE);

    /* The NICs leave the VM in the order they came, before HNS forgets the namespace. */
    hosted_release(&h);
    assert_journal(h.host, REMOVE_WINDOWS_NICS "," REMOVE_CREATED_NAMESPACE);
    assert_uvm_nics(&h, NEW_NAMESPACE, "-");
    CU_ASSERT_FALSE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    hosted_close(&h);
}

/* A namespace removed behind hcsoci's back (a forced delete of the sandbox, containerd #6135):
 * HNS answers "Element not found" for its endpoints and for itself, which count as released,
 * each with a warning naming the resource; the release succeeds and the ledger is empty. */
static void test_namespace_already_gone_counts_as_released(void)
{
    hosted h;
    hosted_open(&h, windows_case, NULL);
    hosted_create_or_fail(&h);
    json_t *response = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(h.host->ops->hns_call(h.host, "DELETE", "/namespaces/" NEW_NAMESPACE,
                                                NULL, &response, &error),
                          0);
    json_decref(response);
    test_log_capture_begin(HCSOCI_LOG_WARN);
    hosted_release(&h);
    json_t *logs = test_log_capture_end();
    CU_ASSERT_EQUAL(test_count_logs(logs, "removing endpoint from namespace: does not exist"), 2);
    CU_ASSERT_STRING_EQUAL(
        member_text(test_find_log(logs, "removing endpoint from namespace"), "netID"),
        NEW_NAMESPACE);
    CU_ASSERT_STRING_EQUAL(
        member_text(test_find_log(logs, "removing network namespace: does not exist"), "netID"),
        NEW_NAMESPACE);
    CU_ASSERT_EQUAL(hcsoci_resources_count(h.resources), 0);
    json_t *held = hcsoci_sim_host_held(h.host);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "hnsNamespaces")), 0);
    json_decref(held);
    json_decref(logs);
    hosted_close(&h);
}

/* A release whose host call fails keeps what it could not release, and everything older,
 * in the ledger; releasing again goes on from there: the NICs, already out of the VM, are not
 * removed again. */
static void test_failed_release_keeps_its_entry_for_the_next(void)
{
    hosted h;
    /* The namespace's DELETE: after the create's six HNS calls and the release's two
     * removeresource calls. */
    hosted_open_on(&h, windows_case, NULL, "HNSCall", 9, NULL);
    hosted_create_or_fail(&h);
    size_t entries = hcsoci_resources_count(h.resources);
    hcsoci_sim_host_journal_clear(h.host);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_release_resources(h.runtime, h.resources, h.uvm, true, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "they stay in the ledger for the next release");
    assert_journal(h.host, REMOVE_WINDOWS_NICS "," REMOVE_CREATED_NAMESPACE);
    /* The namespace's entry is the newest: nothing left the ledger but the NICs' flag. */
    CU_ASSERT_EQUAL(hcsoci_resources_count(h.resources), entries);
    CU_ASSERT_FALSE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    /* The NICs are not removed again; the endpoints are gone from the namespace already. */
    hosted_release(&h);
    const char *summary = journal_summary(h.host);
    CU_ASSERT_PTR_NULL(strstr(summary, "Remove NIC"));
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "DELETE /namespaces/ns-new"));
    CU_ASSERT_EQUAL(hcsoci_resources_count(h.resources), 0);
    json_t *held = hcsoci_sim_host_held(h.host);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "hnsNamespaces")), 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "namespaceEndpoints")), 0);
    json_decref(held);
    hosted_close(&h);
}

/* Every NIC request names the NIC by the id the VM model gave it. */
static void test_nic_requests_use_the_models_nic_ids(void)
{
    hosted h;
    hosted_open(&h, windows_case, NULL);
    hosted_create_or_fail(&h);
    json_t *state = hcsoci_uvm_to_json(h.uvm);
    const json_t *nics =
        json_object_get(json_array_get(json_object_get(state, "networkNamespaces"), 0), "nics");
    CU_ASSERT_EQUAL_FATAL(json_array_size(nics), 2);
    const json_t *journal = hcsoci_sim_host_journal(h.host);
    for (size_t n = 0; n < 2; n++) {
        const char *nic_id = member_text(json_array_get(nics, n), "nicId");
        /* Calls 6..9 are PreAdd and Add of the first NIC, then of the second. */
        const json_t *pre_add = json_object_get(
            json_object_get(json_array_get(journal, 6 + 2 * n), "args"), "configuration");
        const json_t *add = json_object_get(
            json_object_get(json_array_get(journal, 7 + 2 * n), "args"), "configuration");
        CU_ASSERT_STRING_EQUAL(
            member_text(json_object_get(json_object_get(pre_add, "GuestRequest"), "Settings"),
                        "AdapterId"),
            nic_id);
        char path[128];
        snprintf(path, sizeof path, "VirtualMachine/Devices/NetworkAdapters/%s", nic_id);
        CU_ASSERT_STRING_EQUAL(member_text(add, "ResourcePath"), path);
    }
    json_decref(state);
    hosted_close(&h);
}

static void test_given_namespace_is_added_to_the_vm_and_left_in_hns(void)
{
    hosted h;
    hosted_open(&h, windows_case, given_namespace);
    hosted_create_or_fail(&h);
    assert_journal(h.host, "GET /namespaces/ns-old,GET /endpoints/ep1,GET /endpoints/ep2,"
                           WINDOWS_NIC_1 "," WINDOWS_NIC_2 ",Create c-xenon-net");
    assert_uvm_nics(&h, OLD_NAMESPACE, "ep1,ep2");
    CU_ASSERT_STRING_EQUAL(document_namespace(&h), OLD_NAMESPACE);
    hosted_release(&h);
    assert_journal(h.host, REMOVE_WINDOWS_NICS);
    assert_uvm_nics(&h, OLD_NAMESPACE, "-");
    hosted_close(&h);
}

static void test_pod_sandbox_adds_its_namespace(void)
{
    hosted h;
    hosted_open(&h, windows_case, as_pod_sandbox);
    hosted_create_or_fail(&h);
    assert_journal(h.host, "GET /namespaces/ns-old,GET /endpoints/ep1,GET /endpoints/ep2,"
                           WINDOWS_NIC_1 "," WINDOWS_NIC_2 ",Create c-xenon-net");
    CU_ASSERT_TRUE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    assert_uvm_nics(&h, OLD_NAMESPACE, "ep1,ep2");
    hosted_close(&h);
}

static void test_pod_workload_container_inherits_the_namespace(void)
{
    hosted h;
    hosted_open(&h, windows_workload_case, NULL);
    hosted_create_or_fail(&h);
    assert_journal(h.host, "Create c-xenon-k8s-wl");
    CU_ASSERT_FALSE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    assert_uvm_nics(&h, OLD_NAMESPACE, "-");
    CU_ASSERT_STRING_EQUAL(document_namespace(&h), OLD_NAMESPACE);
    hosted_release(&h);
    assert_journal(h.host, "");
    hosted_close(&h);
}

/* The sandbox brings the namespace; its workload container then adds nothing, and releasing
 * the workload leaves the sandbox's NICs in place. */
static void test_workload_after_its_sandbox_leaves_the_sandboxs_nics(void)
{
    hosted h;
    hosted_open(&h, windows_case, as_pod_sandbox);
    hosted_create_or_fail(&h);
    hcsoci_resources *sandbox = h.resources;
    h.resources = NULL;

    test_set_annotation(case_spec(h.test_case), "io.kubernetes.cri.container-type", "container");
    json_object_set_new(json_object_get(h.test_case, "options"), "id", json_string("workload"));
    hcsoci_sim_host_journal_clear(h.host);
    hosted_create_or_fail(&h);
    assert_journal(h.host, "Create workload");
    hosted_release(&h);
    assert_journal(h.host, "");
    assert_uvm_nics(&h, OLD_NAMESPACE, "ep1,ep2");

    hcsoci_resources_free(h.resources);
    h.resources = sandbox;
    hosted_release(&h);
    assert_journal(h.host, REMOVE_WINDOWS_NICS);
    hosted_close(&h);
}

static void test_no_network_section_adds_nothing(void)
{
    hosted h;
    hosted_open(&h, windows_case, without_network_section);
    hosted_create_or_fail(&h);
    assert_journal(h.host, "Create c-xenon-net");
    CU_ASSERT_FALSE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    CU_ASSERT_STRING_EQUAL(document_namespace(&h), "");
    hosted_close(&h);
}

static void test_namespace_without_endpoints_is_added_without_nics(void)
{
    hosted h;
    hosted_open(&h, windows_case, given_namespace_without_endpoints);
    hosted_create_or_fail(&h);
    assert_journal(h.host, "GET /namespaces/ns-old,Create c-xenon-net");
    CU_ASSERT_TRUE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    assert_uvm_nics(&h, OLD_NAMESPACE, "");
    hosted_release(&h);
    assert_journal(h.host, "");
    assert_uvm_nics(&h, OLD_NAMESPACE, "-");
    hosted_close(&h);
}

/* A second standalone container cannot bring a namespace the VM already holds; its failure
 * leaves the first container's NICs alone. */
static void test_namespace_already_in_the_vm_is_an_error(void)
{
    hosted h;
    hosted_open(&h, windows_case, given_namespace);
    hosted_create_or_fail(&h);
    hcsoci_resources *first = h.resources;
    h.resources = NULL;

    json_object_set_new(json_object_get(h.test_case, "options"), "id", json_string("second"));
    hcsoci_sim_host_journal_clear(h.host);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hosted_create(&h, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "network namespace already added");
    assert_journal(h.host, "GET /namespaces/ns-old,GET /endpoints/ep1,GET /endpoints/ep2");
    assert_uvm_nics(&h, OLD_NAMESPACE, "ep1,ep2");
    CU_ASSERT_FALSE(hcsoci_resources_namespace_added_to_uvm(h.resources));

    hcsoci_resources_free(h.resources);
    h.resources = first;
    hosted_release(&h);
    assert_journal(h.host, REMOVE_WINDOWS_NICS);
    hosted_close(&h);
}

/* ---- Linux utility VMs ---- */

static void test_linux_guest_with_namespaces_gets_adapter_settings(void)
{
    hosted h;
    hosted_open(&h, linux_case, NULL);
    hosted_create_or_fail(&h);
    assert_journal(h.host, "POST /namespaces/,POST /namespaces/ns-new/addresource ep1,"
                           "GET /namespaces/ns-new,GET /endpoints/ep1,Add NIC ep1 +guest,"
                           "Create c-lcow-net");
    const json_t *add = json_object_get(
        json_object_get(json_array_get(hcsoci_sim_host_journal(h.host), 4), "args"),
        "configuration");
    const json_t *guest = json_object_get(add, "GuestRequest");
    const json_t *adapter = json_object_get(guest, "Settings");
    CU_ASSERT_STRING_EQUAL(member_text(guest, "ResourceType"), "Network");
    CU_ASSERT_STRING_EQUAL(member_text(adapter, "MacAddress"), "00-15-5D-52-C0-01");
    /* The adapter is named by its NIC id, which is the resource path's last element. */
    const char *path = member_text(add, "ResourcePath");
    const char *last = strrchr(path, '/');
    CU_ASSERT_PTR_NOT_NULL_FATAL(last);
    CU_ASSERT_STRING_EQUAL(member_text(adapter, "ID"), last + 1);
    assert_uvm_nics(&h, NEW_NAMESPACE, "ep1");
    hosted_release(&h);
    assert_journal(h.host, "Remove NIC ep1 +guest,POST /namespaces/ns-new/removeresource ep1,"
                           "DELETE /namespaces/ns-new");
    hosted_close(&h);
}

static void test_linux_guest_without_namespaces_gets_host_nics_only(void)
{
    hosted h;
    hosted_open(&h, linux_without_guest_namespaces_case, NULL);
    hosted_create_or_fail(&h);
    assert_journal(h.host, "GET /namespaces/ns-old,GET /endpoints/ep1,GET /endpoints/ep2,"
                           "Add NIC ep1,Add NIC ep2,Create c-lcow-net2");
    assert_uvm_nics(&h, OLD_NAMESPACE, "ep1,ep2");
    hosted_release(&h);
    assert_journal(h.host, "Remove NIC ep1,Remove NIC ep2");
    hosted_close(&h);
}

/* ---- pod annotations ---- */

static void test_bad_pod_annotations_are_the_references_errors(void)
{
    static const struct {
        const char *type;
        const char *sandbox_id;
        const char *error;
    } rows[] = {
        {"container", NULL,
         "cannot specify 'io.kubernetes.cri.container-type' without "
         "'io.kubernetes.cri.sandbox-id'"},
        {"sandbox", "",
         "cannot specify 'io.kubernetes.cri.container-type' without "
         "'io.kubernetes.cri.sandbox-id'"},
        {NULL, "pod-1",
         "cannot specify 'io.kubernetes.cri.sandbox-id' without "
         "'io.kubernetes.cri.container-type'"},
        {"pod", "pod-1", "invalid 'io.kubernetes.cri.container-type': 'pod'"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hosted h;
        hosted_open(&h, windows_case, given_namespace);
        if (rows[i].type != NULL)
            test_set_annotation(case_spec(h.test_case), "io.kubernetes.cri.container-type",
                                rows[i].type);
        if (rows[i].sandbox_id != NULL)
            test_set_annotation(case_spec(h.test_case), "io.kubernetes.cri.sandbox-id",
                                rows[i].sandbox_id);
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(hosted_create(&h, &error), -1);
        CU_ASSERT_PTR_NULL(h.container);
        TEST_ASSERT_ERROR_CONTAINS(error, rows[i].error);
        assert_journal(h.host, "");
        assert_uvm_nics(&h, OLD_NAMESPACE, "-");
        hosted_close(&h);
    }
}

/* The namespace is created before the annotations are read, as the reference does it; the
 * rollback removes it again. */
static void test_bad_pod_annotation_after_creating_the_namespace_removes_it(void)
{
    hosted h;
    hosted_open(&h, windows_case, NULL);
    test_set_annotation(case_spec(h.test_case), "io.kubernetes.cri.container-type", "container");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hosted_create(&h, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "without 'io.kubernetes.cri.sandbox-id'");
    assert_journal(h.host, CREATED_NAMESPACE_HNS "," REMOVE_CREATED_NAMESPACE);
    assert_uvm_nics(&h, NEW_NAMESPACE, "-");
    hosted_close(&h);
}

/* ---- failure points ---- */

/* Creates case 055 (changed by change, with fail_call's nth call failing) and checks that the
 * create fails with error_text, made exactly the calls in journal, and left neither HNS nor
 * the VM holding anything. */
static void check_failure(case_change change, const char *fail_call, int nth,
                          const char *error_text, const char *journal)
{
    hosted h;
    hosted_open_on(&h, windows_case, change, fail_call, nth, NULL);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hosted_create(&h, &error), -1);
    CU_ASSERT_PTR_NULL(h.container);
    TEST_ASSERT_ERROR_CONTAINS(error, error_text);
    assert_journal(h.host, journal);
    CU_ASSERT_FALSE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    assert_uvm_nics(&h, NEW_NAMESPACE, "-");
    assert_uvm_nics(&h, OLD_NAMESPACE, "-");
    json_t *held = hcsoci_sim_host_held(h.host);
    CU_ASSERT_PTR_NOT_NULL_FATAL(held);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "hnsNamespaces")), 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(held, "namespaceEndpoints")), 0);
    CU_ASSERT_EQUAL(json_object_size(json_object_get(held, "modifications")), 0);
    json_decref(held);
    hosted_close(&h);
}

static void test_listing_failures_roll_back(void)
{
    check_failure(NULL, "HNSCall", 4, "GET /namespaces/" NEW_NAMESPACE ": failed during hnsCall",
                  CREATED_NAMESPACE_HNS ",GET /namespaces/ns-new," REMOVE_CREATED_NAMESPACE);
    check_failure(NULL, "HNSCall", 5, "GET /endpoints/" ENDPOINT_1 ": failed during hnsCall",
                  CREATED_NAMESPACE_HNS ",GET /namespaces/ns-new,GET /endpoints/ep1,"
                  REMOVE_CREATED_NAMESPACE);
    check_failure(NULL, "HNSCall", 6, "GET /endpoints/" ENDPOINT_2 ": failed during hnsCall",
                  CREATED_NAMESPACE_HNS "," LIST_NEW_NAMESPACE "," REMOVE_CREATED_NAMESPACE);
    check_failure(given_unknown_namespace, NULL, 0,
                  "network namespace " OLD_NAMESPACE " not found", "GET /namespaces/ns-old");
}

/* A NIC that fails to come takes the namespace and the NICs before it out of the VM at once. */
static void test_nic_failures_remove_the_namespace_from_the_vm(void)
{
    const char *denied = "hcsshim::System::Modify uvm-wcow-1: Access is denied.";
    check_failure(NULL, "HcsModifyComputeSystem", 1, denied,
                  CREATED_NAMESPACE_HNS "," LIST_NEW_NAMESPACE ",Guest Add Network PreAdd ep1,"
                  REMOVE_CREATED_NAMESPACE);
    check_failure(NULL, "HcsModifyComputeSystem", 2, denied,
                  CREATED_NAMESPACE_HNS "," LIST_NEW_NAMESPACE "," WINDOWS_NIC_1 ","
                  REMOVE_CREATED_NAMESPACE);
    check_failure(NULL, "HcsModifyComputeSystem", 3, denied,
                  CREATED_NAMESPACE_HNS "," LIST_NEW_NAMESPACE "," WINDOWS_NIC_1
                  ",Guest Add Network PreAdd ep2,Remove NIC ep1 +guest,"
                  REMOVE_CREATED_NAMESPACE);
    check_failure(NULL, "HcsModifyComputeSystem", 4, denied,
                  CREATED_NAMESPACE_HNS "," LIST_NEW_NAMESPACE "," WINDOWS_NIC_1 ","
                  WINDOWS_NIC_2 ",Remove NIC ep1 +guest," REMOVE_CREATED_NAMESPACE);
}

/* Whatever fails after the network was set up, the rollback takes the NICs out of the VM (in
 * the order they came) before HNS forgets the namespace. */
static void test_later_failures_release_the_nics_first(void)
{
    check_failure(NULL, "HcsCreateComputeSystem", 1, "hcsshim::CreateComputeSystem c-xenon-net",
                  CREATED_NAMESPACE_HNS "," LIST_NEW_NAMESPACE "," WINDOWS_NIC_1 ","
                  WINDOWS_NIC_2 ",Create c-xenon-net," REMOVE_WINDOWS_NICS ","
                  REMOVE_CREATED_NAMESPACE);
    check_failure(builder_fails, NULL, 0, "hosted builder failed on purpose",
                  CREATED_NAMESPACE_HNS "," LIST_NEW_NAMESPACE "," WINDOWS_NIC_1 ","
                  WINDOWS_NIC_2 "," REMOVE_WINDOWS_NICS "," REMOVE_CREATED_NAMESPACE);
    check_failure(NULL, "HNSCall", 1, "POST /namespaces/: failed during hnsCall",
                  "POST /namespaces/");
}

static void test_kept_resources_keep_the_namespace_in_the_vm(void)
{
    hosted h;
    hosted_open(&h, windows_case, create_fails_keeping_resources);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hosted_create(&h, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "hcsshim::CreateComputeSystem c-xenon-net");
    CU_ASSERT_TRUE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    assert_uvm_nics(&h, NEW_NAMESPACE, "ep1,ep2");
    hosted_release(&h);
    assert_journal(h.host, REMOVE_WINDOWS_NICS "," REMOVE_CREATED_NAMESPACE);
    assert_uvm_nics(&h, NEW_NAMESPACE, "-");
    hosted_close(&h);
}

/* The ledger and the VM model are saved by one process and released by another (the CLI's
 * case): the flag and the NICs survive the round trip. */
static void test_saved_ledger_and_vm_release_the_nics_later(void)
{
    hosted h;
    hosted_open(&h, windows_case, NULL);
    hosted_create_or_fail(&h);
    json_t *saved_ledger = hcsoci_resources_to_json(h.resources);
    json_t *saved_vm = hcsoci_uvm_to_json(h.uvm);
    CU_ASSERT_PTR_NOT_NULL_FATAL(saved_ledger);
    CU_ASSERT_PTR_NOT_NULL_FATAL(saved_vm);
    hcsoci_resources_free(h.resources);
    hcsoci_uvm_free(h.uvm);
    h.resources = NULL;
    h.uvm = NULL;
    hcsoci_error *error = NULL;
    int loaded = hcsoci_resources_from_json(saved_ledger, &h.resources, &error);
    if (loaded == 0)
        loaded = hcsoci_uvm_from_json(h.host, saved_vm, &h.uvm, &error);
    if (loaded != 0)
        fprintf(stderr, "\n  cannot reload: %s\n", error->message);
    hcsoci_error_free(error);
    json_decref(saved_ledger);
    json_decref(saved_vm);
    CU_ASSERT_EQUAL_FATAL(loaded, 0);
    CU_ASSERT_TRUE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    hosted_release(&h);
    assert_journal(h.host, REMOVE_WINDOWS_NICS "," REMOVE_CREATED_NAMESPACE);
    assert_uvm_nics(&h, NEW_NAMESPACE, "-");
    hosted_close(&h);
}

/* A Windows guest that takes namespaces gets the namespace before its NICs and loses it after
 * them. */
static void windows_guest_takes_namespaces(json_t *test_case)
{
    given_namespace(test_case);
    CU_ASSERT_FATAL(json_object_set_new(json_object_get(test_case, "hostingSystem"),
                                        "namespaceAddRequestSupported", json_true()) == 0);
}

static void test_windows_guest_namespace_request_comes_first(void)
{
    hosted h;
    hosted_open(&h, windows_case, windows_guest_takes_namespaces);
    hosted_create_or_fail(&h);
    const char *journal = journal_summary(h.host);
    const char *namespace_add = strstr(journal, "Guest Add NetworkNamespace");
    const char *first_nic = strstr(journal, WINDOWS_NIC_1);
    CU_ASSERT_PTR_NOT_NULL(namespace_add);
    CU_ASSERT_PTR_NOT_NULL(first_nic);
    CU_ASSERT_TRUE(namespace_add != NULL && first_nic != NULL && namespace_add < first_nic);
    hosted_release(&h);
    journal = journal_summary(h.host);
    const char *namespace_remove = strstr(journal, "Guest Remove NetworkNamespace");
    const char *last_nic = strstr(journal, "Remove NIC ep2 +guest");
    CU_ASSERT_PTR_NOT_NULL(namespace_remove);
    CU_ASSERT_PTR_NOT_NULL(last_nic);
    CU_ASSERT_TRUE(namespace_remove != NULL && last_nic != NULL && last_nic < namespace_remove);
    assert_uvm_nics(&h, OLD_NAMESPACE, "-");
    hosted_close(&h);
}

static void test_failed_guest_namespace_request_adds_nothing(void)
{
    hosted h;
    hosted_open_on(&h, windows_case, windows_guest_takes_namespaces, "HcsModifyComputeSystem", 1,
                   NULL);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hosted_create(&h, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "hcsshim::System::Modify uvm-wcow-1: Access is denied.");
    const char *journal = journal_summary(h.host);
    CU_ASSERT_PTR_NOT_NULL(strstr(journal, "Guest Add NetworkNamespace"));
    CU_ASSERT_PTR_NULL(strstr(journal, "NIC"));
    CU_ASSERT_PTR_NULL(strstr(journal, "PreAdd"));
    CU_ASSERT_FALSE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    assert_uvm_nics(&h, OLD_NAMESPACE, "-");
    hosted_close(&h);
}

/* ---- a VM host whose modify requests fail in a range, to fail the clean-up too ---- */

typedef struct failing_modify_host {
    hcsoci_host base;
    hcsoci_host_ops ops;
    hcsoci_host *inner;
    int modify_calls;
    int first_failing;
    int last_failing;
} failing_modify_host;

static failing_modify_host *as_failing(hcsoci_host *host)
{
    return (failing_modify_host *)host;
}

static int failing_modify(hcsoci_host *host, const char *id, const json_t *configuration,
                          hcsoci_error **error)
{
    failing_modify_host *self = as_failing(host);
    int call = ++self->modify_calls;
    if (call >= self->first_failing && call <= self->last_failing)
        return hcsoci_fail(error, HCSOCI_E_ACCESS_DENIED, "%s",
                           hcsoci_hresult_text(HCSOCI_E_ACCESS_DENIED));
    return self->inner->ops->modify_compute_system(self->inner, id, configuration, error);
}

static int forward_hns_call(hcsoci_host *host, const char *method, const char *path,
                            const json_t *request, json_t **response, hcsoci_error **error)
{
    hcsoci_host *inner = as_failing(host)->inner;
    return inner->ops->hns_call(inner, method, path, request, response, error);
}

static uint32_t forward_os_build(hcsoci_host *host)
{
    hcsoci_host *inner = as_failing(host)->inner;
    return inner->ops->os_build(inner);
}

static void forward_new_guid(hcsoci_host *host, char guid[37])
{
    hcsoci_host *inner = as_failing(host)->inner;
    inner->ops->new_guid(inner, guid);
}

static void free_failing(hcsoci_host *host)
{
    free(host);
}

/* Wraps inner for the VM model's network requests only (modify, HNS, build, GUIDs); the 4th
 * and 5th modify requests fail: the second NIC's Add and then removing the first NIC. */
static hcsoci_host *fail_second_nic_and_its_cleanup(hcsoci_host *inner)
{
    failing_modify_host *self = calloc(1, sizeof *self);
    CU_ASSERT_PTR_NOT_NULL_FATAL(self);
    self->ops.size = sizeof self->ops;
    self->ops.modify_compute_system = failing_modify;
    self->ops.hns_call = forward_hns_call;
    self->ops.os_build = forward_os_build;
    self->ops.new_guid = forward_new_guid;
    self->ops.destroy = free_failing;
    self->base.ops = &self->ops;
    self->inner = inner;
    self->first_failing = 4;
    self->last_failing = 5;
    return &self->base;
}

/* Taking the namespace out of the VM after a NIC failed is best effort, as in the reference:
 * when that fails too, the create reports the NIC's failure and logs the other. */
static void test_failed_cleanup_of_the_vm_is_logged_and_the_cause_reported(void)
{
    test_log_capture_begin(HCSOCI_LOG_WARN);
    hosted h;
    hosted_open_on(&h, windows_case, NULL, NULL, 0, fail_second_nic_and_its_cleanup);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hosted_create(&h, &error), -1);
    json_t *logs = test_log_capture_end();
    TEST_ASSERT_ERROR_CONTAINS(error, "hcsshim::System::Modify uvm-wcow-1: Access is denied.");
    CU_ASSERT_EQUAL(test_count_logs(logs, "utility VM"), 1);
    CU_ASSERT_STRING_EQUAL(member_text(test_find_log(logs, "utility VM"), "netID"), NEW_NAMESPACE);
    json_decref(logs);
    /* The failed requests never reached the sim host; HNS still lost the namespace. */
    assert_journal(h.host, CREATED_NAMESPACE_HNS "," LIST_NEW_NAMESPACE "," WINDOWS_NIC_1
                           ",Guest Add Network PreAdd ep2," REMOVE_CREATED_NAMESPACE);
    CU_ASSERT_FALSE(hcsoci_resources_namespace_added_to_uvm(h.resources));
    hosted_close(&h);
}

/* ---- the corpus's network cases, network calls only ---- */

static bool is_network_call(const json_t *call)
{
    const char *name = member_text(call, "call");
    if (strcmp(name, "HNSCall") == 0)
        return true;
    if (strcmp(name, "HcsModifyComputeSystem") != 0)
        return false;
    const json_t *configuration = json_object_get(json_object_get(call, "args"), "configuration");
    const char *resource_type =
        member_text(json_object_get(configuration, "GuestRequest"), "ResourceType");
    return strncmp(member_text(configuration, "ResourcePath"),
                   "VirtualMachine/Devices/NetworkAdapters/", 39) == 0 ||
           strcmp(resource_type, "Network") == 0 || strcmp(resource_type, "NetworkNamespace") == 0;
}

/* calls without the ones is_network_call refuses (new reference; null stays null). */
static json_t *network_calls(const json_t *calls)
{
    if (!json_is_array(calls))
        return json_null();
    json_t *kept = json_array();
    size_t index;
    const json_t *call;
    json_array_foreach(calls, index, call) {
        if (is_network_call(call))
            json_array_append(kept, (json_t *)call);
    }
    return kept;
}

/* The trace with only its network calls; error kept. */
static json_t *network_trace(const json_t *trace, const char *error)
{
    const json_t *release_error = json_object_get(trace, "releaseError");
    return json_pack("{s:o, s:s?, s:o, s:O?}", "calls",
                     network_calls(json_object_get(trace, "calls")), "error", error,
                     "releaseCalls", network_calls(json_object_get(trace, "releaseCalls")),
                     "releaseError", release_error);
}

static void check_corpus_network_part(const char *case_name)
{
    json_t *test_case = load_corpus("cases", case_name);
    json_t *expected = load_corpus("expected", case_name);
    hcsoci_runtime_options options = runtime_options(NULL);
    json_t *trace = NULL;
    hcsoci_error *error = NULL;
    int result = hcsoci_replay_case(test_case, &options, &trace, &error);
    if (result != 0)
        fprintf(stderr, "\n  %s: cannot replay: %s\n", case_name, error->message);
    hcsoci_error_free(error);
    CU_ASSERT_EQUAL_FATAL(result, 0);

    /* The stand-in builder's document differs from the real one, and so does the text of an
     * error that quotes it: such errors are compared by presence only. */
    const char *expected_error = json_string_value(json_object_get(expected, "error"));
    const char *actual_error = json_string_value(json_object_get(trace, "error"));
    bool quotes_document = expected_error != NULL && actual_error != NULL &&
                           strstr(expected_error, "(extra info: ") != NULL;
    json_t *expected_part = network_trace(expected, quotes_document ? "error" : expected_error);
    json_t *actual_part = network_trace(trace, quotes_document ? "error" : actual_error);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected_part);
    CU_ASSERT_PTR_NOT_NULL_FATAL(actual_part);
    char *difference = NULL;
    if (trace_compare(test_case, expected_part, actual_part, &difference) != 0) {
        fprintf(stderr, "\n  %s: %s\n", case_name, difference);
        CU_FAIL("the network calls differ from the corpus trace");
    } else {
        CU_PASS("the network calls match");
    }
    free(difference);
    json_decref(expected_part);
    json_decref(actual_part);
    json_decref(trace);
    json_decref(expected);
    json_decref(test_case);
}

static void test_corpus_windows_cases_network_calls(void)
{
    check_corpus_network_part("055-xenon-v2-network-create-namespace");
    check_corpus_network_part("056-xenon-v2-network-k8s-workload-container");
    check_corpus_network_part("058-xenon-v2-network-bad-k8s-annotation");
}

static void test_corpus_linux_cases_network_calls(void)
{
    check_corpus_network_part("069-lcow-spec-cleanup");
    check_corpus_network_part("077-lcow-network-create-namespace");
    check_corpus_network_part("078-lcow-network-given-namespace-no-guest-ns-support");
    check_corpus_network_part("085-lcow-fail-create");
}

/* The comparison itself sees a wrong network call (a guard against a filter that keeps
 * nothing). */
static void test_corpus_comparison_sees_a_missing_nic(void)
{
    json_t *test_case = load_corpus("cases", windows_case);
    json_t *expected = load_corpus("expected", windows_case);
    json_t *expected_part = network_trace(expected, NULL);
    json_t *changed = json_deep_copy(expected_part);
    CU_ASSERT_PTR_NOT_NULL_FATAL(changed);
    CU_ASSERT_TRUE(json_array_size(json_object_get(expected_part, "calls")) >= 10);
    json_array_remove(json_object_get(changed, "calls"), 7);
    char *difference = NULL;
    CU_ASSERT_EQUAL(trace_compare(test_case, expected_part, changed, &difference), 1);
    CU_ASSERT_PTR_NOT_NULL(difference);
    free(difference);
    json_decref(changed);
    json_decref(expected_part);
    json_decref(expected);
    json_decref(test_case);
}

int main(void)
{
    static const test_entry tests[] = {
        {"standalone container adds the created namespace and its NICs",
         test_standalone_container_adds_created_namespace_and_nics},
        {"NIC requests use the model's NIC ids", test_nic_requests_use_the_models_nic_ids},
        {"given namespace is added to the VM and left in HNS",
         test_given_namespace_is_added_to_the_vm_and_left_in_hns},
        {"pod sandbox adds its namespace", test_pod_sandbox_adds_its_namespace},
        {"pod workload container inherits the namespace",
         test_pod_workload_container_inherits_the_namespace},
        {"workload after its sandbox leaves the sandbox's NICs",
         test_workload_after_its_sandbox_leaves_the_sandboxs_nics},
        {"no network section adds nothing", test_no_network_section_adds_nothing},
        {"namespace without endpoints is added without NICs",
         test_namespace_without_endpoints_is_added_without_nics},
        {"namespace already in the VM is an error", test_namespace_already_in_the_vm_is_an_error},
        {"Linux guest with namespaces gets adapter settings",
         test_linux_guest_with_namespaces_gets_adapter_settings},
        {"Linux guest without namespaces gets host NICs only",
         test_linux_guest_without_namespaces_gets_host_nics_only},
        {"bad pod annotations are the reference's errors",
         test_bad_pod_annotations_are_the_references_errors},
        {"a namespace already gone counts as released",
         test_namespace_already_gone_counts_as_released},
        {"a failed release keeps its entry for the next",
         test_failed_release_keeps_its_entry_for_the_next},
        {"bad pod annotation after creating the namespace removes it",
         test_bad_pod_annotation_after_creating_the_namespace_removes_it},
        {"listing failures roll back", test_listing_failures_roll_back},
        {"NIC failures remove the namespace from the VM",
         test_nic_failures_remove_the_namespace_from_the_vm},
        {"later failures release the NICs first", test_later_failures_release_the_nics_first},
        {"kept resources keep the namespace in the VM",
         test_kept_resources_keep_the_namespace_in_the_vm},
        {"saved ledger and VM release the NICs later",
         test_saved_ledger_and_vm_release_the_nics_later},
        {"Windows guest namespace request comes first",
         test_windows_guest_namespace_request_comes_first},
        {"failed guest namespace request adds nothing",
         test_failed_guest_namespace_request_adds_nothing},
        {"failed clean-up of the VM is logged and the cause reported",
         test_failed_cleanup_of_the_vm_is_logged_and_the_cause_reported},
        {"corpus Windows cases: network calls", test_corpus_windows_cases_network_calls},
        {"corpus Linux cases: network calls", test_corpus_linux_cases_network_calls},
        {"corpus comparison sees a missing NIC", test_corpus_comparison_sees_a_missing_nic},
        {NULL, NULL},
    };
    return test_run_suite("hosted container networking", tests);
}
