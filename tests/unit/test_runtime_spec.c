/* The spec's canonical keys (core/lib/spec_keys.c): keys are matched to specs-go fields as Go's
 * encoding/json matches them, two spellings of a field are merged as json.Unmarshal decodes
 * them one after the other, and everything that names no field is kept as given. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include <hcsoci/alloc_testing.h>
#include <hcsoci/runtime_spec.h>

/* Canonicalises input (single-quoted JSON) and checks the result is JSON-equal to expected;
 * the input itself must be left as it was. */
static void assert_canonical(const char *input_text, const char *expected_text)
{
    json_t *input = test_quoted_json(input_text);
    json_t *before = json_deep_copy(input);
    json_t *expected = test_quoted_json(expected_text);
    json_t *canonical = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_spec_canonical_keys(input, &canonical, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    if (!json_equal(canonical, expected)) {
        char *text = json_dumps(canonical, JSON_COMPACT | JSON_ENCODE_ANY);
        fprintf(stderr, "\n  canonical: %s\n  expected:  %s\n", text != NULL ? text : "(null)",
                expected_text);
        free(text);
        CU_FAIL("canonical spec differs");
    }
    CU_ASSERT(json_equal(input, before));
    json_decref(canonical);
    json_decref(expected);
    json_decref(before);
    json_decref(input);
}

static void test_keys_are_spelled_as_the_fields_at_every_level(void)
{
    assert_canonical(
        "{'OCIVERSION': '1', 'Process': {'CWD': 'C:\\\\', 'User': {'UserName': 'u'},"
        " 'Env': ['A=1']}, 'Windows': {'LayerFolders': ['C:\\\\l'], 'Resources': {'CPU':"
        " {'Count': 2}, 'Memory': {'LIMIT': 5}}, 'Network': {'EndpointList': ['e'],"
        " 'dnssearchlist': ['d'], 'NetworkNamespace': 'n'}, 'HyperV': {}},"
        " 'Mounts': [{'Destination': 'C:\\\\d', 'Options': ['ro']}], 'HostName': 'h'}",
        "{'ociVersion': '1', 'process': {'cwd': 'C:\\\\', 'user': {'username': 'u'},"
        " 'env': ['A=1']}, 'windows': {'layerFolders': ['C:\\\\l'], 'resources': {'cpu':"
        " {'count': 2}, 'memory': {'limit': 5}}, 'network': {'endpointList': ['e'],"
        " 'DNSSearchList': ['d'], 'networkNamespace': 'n'}, 'hyperv': {}},"
        " 'mounts': [{'destination': 'C:\\\\d', 'options': ['ro']}], 'hostname': 'h'}");
    /* Go folds KELVIN SIGN to k and LONG S to s, and no other non-ASCII letter. */
    assert_canonical("{'vm': {'\\u212Aernel': {'path': '/k'}}, 'ho\\u017Ftname': 'h',"
                     " 'hostnam\\u00e9': 'x'}",
                     "{'vm': {'kernel': {'path': '/k'}}, 'hostname': 'h', 'hostnam\\u00e9': 'x'}");
}

static void test_what_names_no_field_is_kept(void)
{
    /* Unknown keys, map keys (annotations), and values of the wrong type stay as given. */
    assert_canonical("{'Vendor': {'Count': 1}, 'Annotations': {'IO.Example.Key': 'V'},"
                     " 'Process': 'not an object', 'Windows': {'LayerFolders': 7,"
                     " 'Devices': [{'ID': 'x', 'IDType': 'class'}, 'odd']}}",
                     "{'Vendor': {'Count': 1}, 'annotations': {'IO.Example.Key': 'V'},"
                     " 'process': 'not an object', 'windows': {'layerFolders': 7,"
                     " 'devices': [{'id': 'x', 'idType': 'class'}, 'odd']}}");
    /* The interface{} field keeps its value's keys. */
    assert_canonical("{'Windows': {'CredentialSpec': {'CmsPlugins': ['ActiveDirectory']}}}",
                     "{'windows': {'credentialSpec': {'CmsPlugins': ['ActiveDirectory']}}}");
    /* Not an object at all: copied. */
    assert_canonical("[1, 2]", "[1, 2]");
}

static void test_two_spellings_merge_as_go_decodes_them(void)
{
    /* A later object fills in the earlier one; a later scalar replaces. */
    assert_canonical("{'windows': {'layerFolders': ['a'], 'resources': {'cpu': {'count': 1,"
                     " 'shares': 5}}}, 'Windows': {'Resources': {'CPU': {'Count': 3}}},"
                     " 'hostname': 'a', 'HOSTNAME': 'b'}",
                     "{'windows': {'layerFolders': ['a'], 'resources': {'cpu': {'count': 3,"
                     " 'shares': 5}}}, 'hostname': 'b'}");
    /* A later array fills in the earlier elements and sets the length; a later map adds. */
    assert_canonical("{'mounts': [{'destination': '/a', 'type': 'bind'}, {'destination': '/x'}],"
                     " 'Mounts': [{'Destination': '/b'}],"
                     " 'annotations': {'a': '1', 'b': '1'}, 'Annotations': {'b': '2'}}",
                     "{'mounts': [{'destination': '/b', 'type': 'bind'}],"
                     " 'annotations': {'a': '1', 'b': '2'}}");
    /* A later null makes a pointer, slice or map nil and leaves a string alone. */
    assert_canonical("{'process': {'cwd': '/', 'args': ['a']}, 'Process': {'Args': null},"
                     " 'hostname': 'h', 'Hostname': null, 'root': {'path': 'r'}, 'ROOT': null}",
                     "{'process': {'cwd': '/', 'args': null}, 'hostname': 'h', 'root': null}");
    /* After a nil pointer, a later object starts afresh. */
    assert_canonical("{'root': null, 'Root': {'Path': 'r'}}", "{'root': {'path': 'r'}}");
}

static void test_field_for_key_prefers_the_exact_name(void)
{
    const hcsoci_runtime_spec_type *network = hcsoci_runtime_spec_windows_network_type();
    const hcsoci_runtime_spec_field *field =
        hcsoci_runtime_spec_field_for_key(network, "dnssearchlist");
    CU_ASSERT_PTR_NOT_NULL_FATAL(field);
    CU_ASSERT_STRING_EQUAL(field->json_name, "DNSSearchList");
    CU_ASSERT_PTR_EQUAL(hcsoci_runtime_spec_field_for_key(network, "DNSSearchList"), field);
    CU_ASSERT_PTR_NULL(hcsoci_runtime_spec_field_for_key(network, "dnssearch"));
    CU_ASSERT_PTR_NULL(hcsoci_runtime_spec_field_for_key(network, NULL));
    CU_ASSERT_PTR_NULL(hcsoci_runtime_spec_field_for_key(NULL, "x"));
    CU_ASSERT_PTR_NULL(hcsoci_runtime_spec_field_named(hcsoci_runtime_spec_root_type(),
                                                       "Windows"));
}

static void test_out_of_memory_is_an_error(void)
{
    json_t *spec = test_quoted_json("{'Windows': {'LayerFolders': ['a'], 'Network': {}},"
                                    " 'mounts': [{'Type': 'bind'}], 'Annotations': {'a': 'b'},"
                                    " 'windows': {'Resources': {}}, 'x': [1]}");
    for (unsigned long fail_at = 1;; fail_at++) {
        json_t *canonical = NULL;
        hcsoci_error *error = NULL;
        bool failed = false;
        hcsoci_alloc_count_start(fail_at);
        int result = hcsoci_spec_canonical_keys(spec, &canonical, &error);
        hcsoci_alloc_count_stop(&failed);
        if (!failed) {
            CU_ASSERT_EQUAL(result, 0);
            json_decref(canonical);
            break;
        }
        CU_ASSERT_EQUAL(result, -1);
        CU_ASSERT_PTR_NULL(canonical);
        CU_ASSERT_PTR_NOT_NULL(error);
        hcsoci_error_free(error);
    }
    json_decref(spec);
}

int main(void)
{
    static const test_entry tests[] = {
        {"keys are spelled as the fields at every level",
         test_keys_are_spelled_as_the_fields_at_every_level},
        {"what names no field is kept", test_what_names_no_field_is_kept},
        {"two spellings merge as Go decodes them", test_two_spellings_merge_as_go_decodes_them},
        {"field for key prefers the exact name", test_field_for_key_prefers_the_exact_name},
        {"out of memory is an error", test_out_of_memory_is_an_error},
        {NULL, NULL},
    };
    return test_run_suite("runtime spec keys", tests);
}
