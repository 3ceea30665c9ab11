/* IP addresses in Go's net.IP form (core/lib/ip_address.c): what net.ParseIP accepts and what
 * String writes for it (each expected text is what Go gives for the input), and the rewriting
 * of an HNS endpoint record's net.IP members with Go's errors for values it cannot decode. */
#include "test_support.h"

#include <string.h>

#include <hcsoci/alloc_testing.h>
#include <hcsoci/ip_address.h>

static void assert_canonical(const char *text, const char *expected)
{
    char canonical[HCSOCI_IP_ADDRESS_TEXT_SIZE];
    bool parsed = hcsoci_ip_address_canonical(text, canonical);
    if (!parsed || strcmp(canonical, expected) != 0)
        fprintf(stderr, "\n  %s -> %s \"%s\", expected \"%s\"\n", text,
                parsed ? "parsed" : "refused", canonical, expected);
    CU_ASSERT(parsed);
    CU_ASSERT_STRING_EQUAL(canonical, expected);
}

static void assert_refused(const char *text)
{
    char canonical[HCSOCI_IP_ADDRESS_TEXT_SIZE];
    bool parsed = hcsoci_ip_address_canonical(text, canonical);
    if (parsed)
        fprintf(stderr, "\n  %s was parsed as \"%s\"; Go refuses it\n", text, canonical);
    CU_ASSERT_FALSE(parsed);
    CU_ASSERT_STRING_EQUAL(canonical, "");
}

static void test_ipv6_longest_zero_run_is_compressed(void)
{
    assert_canonical("fd00:0:0:0:0:0:0:e0", "fd00::e0");
    assert_canonical("::", "::");
    assert_canonical("0:0:0:0:0:0:0:0", "::");
    assert_canonical("::1", "::1");
    assert_canonical("1::", "1::");
    assert_canonical("1:0:0:0:0:0:0:0", "1::");
    /* The longer run wins wherever it is; on a tie, the first. */
    assert_canonical("1:0:0:1:0:0:0:1", "1:0:0:1::1");
    assert_canonical("1:0:0:1:1:0:0:1", "1::1:1:0:0:1");
    assert_canonical("0:0:1:1:1:1:0:0", "::1:1:1:1:0:0");
    /* One zero group is written out, also where the input compressed it. */
    assert_canonical("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7");
    assert_canonical("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
    assert_canonical("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8");
}

static void test_ipv6_groups_are_lower_case_without_leading_zeros(void)
{
    assert_canonical("FD00:00AB:0000:0000:0000:0000:0000:00E0", "fd00:ab::e0");
    assert_canonical("2001:DB8::0001", "2001:db8::1");
    assert_canonical("fe80::215:5dff:fe52:c001", "fe80::215:5dff:fe52:c001");
}

static void test_ipv4_and_ipv4_mapped_print_dotted(void)
{
    assert_canonical("172.28.16.10", "172.28.16.10");
    assert_canonical("0.0.0.0", "0.0.0.0");
    assert_canonical("255.255.255.255", "255.255.255.255");
    /* The Go releases of the reference read leading zeros as decimal. */
    assert_canonical("010.001.000.001", "10.1.0.1");
    assert_canonical("::ffff:1.2.3.4", "1.2.3.4");
    assert_canonical("::FFFF:0102:0304", "1.2.3.4");
    assert_canonical("0:0:0:0:0:ffff:a00:1", "10.0.0.1");
    /* Only the mapped form is IPv4: the "compatible" form stays IPv6. */
    assert_canonical("::1.2.3.4", "::102:304");
    assert_canonical("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304");
    assert_canonical("1::6:1.2.3.4", "1::6:102:304");
}

static void test_what_go_cannot_parse_is_refused(void)
{
    static const char *const refused[] = {
        "", "abc", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "1..2.3", " 1.2.3.4",
        "1.2.3.4 ", "1.2.3.4:80", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", ":1::", "1::2:", "1:::2", "12345::",
        "::10000", "fe80::1%eth0", "1:2:3:4:5:6:7:1.2.3.4", "1:2:1.2.3.4", "::ffff:1.2.3",
        "::ffff:1.2.3.256", "g::1", "[::1]",
    };
    for (size_t index = 0; index < sizeof refused / sizeof refused[0]; index++)
        assert_refused(refused[index]);
    assert_refused(NULL);
}

static void test_endpoint_addresses_are_rewritten_in_go_form(void)
{
    json_t *record = test_quoted_json(
        "{'ID': 'ep', 'IPAddress': '010.0.0.1', 'IPv6Address': 'FD00:0:0:0:0:0:0:E0',"
        " 'GatewayAddress': '10.0.0.01', 'GatewayAddressV6': 'fd00:0:0:0:0:0:0:1'}");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_endpoint_canonical_addresses(record, &error), 0);
    CU_ASSERT_PTR_NULL(error);
    /* Only the net.IP members change: the gateways are strings in the reference. */
    json_t *expected = test_quoted_json(
        "{'ID': 'ep', 'IPAddress': '10.0.0.1', 'IPv6Address': 'fd00::e0',"
        " 'GatewayAddress': '10.0.0.01', 'GatewayAddressV6': 'fd00:0:0:0:0:0:0:1'}");
    CU_ASSERT(json_equal(record, expected));
    json_decref(expected);
    json_decref(record);

    /* Empty and null members, and absent ones, stay as they are. */
    record = test_quoted_json("{'ID': 'ep', 'IPAddress': '', 'IPv6Address': null}");
    expected = json_deep_copy(record);
    CU_ASSERT_EQUAL(hcsoci_endpoint_canonical_addresses(record, &error), 0);
    CU_ASSERT(json_equal(record, expected));
    json_decref(expected);
    json_decref(record);
}

static void assert_record_refused(const char *record_text, const char *message)
{
    json_t *record = test_quoted_json(record_text);
    json_t *before = json_deep_copy(record);
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_endpoint_canonical_addresses(record, &error), -1);
    TEST_ASSERT_ERROR_IS(error, message);
    CU_ASSERT(json_equal(record, before));
    json_decref(before);
    json_decref(record);
}

static void test_undecodable_endpoint_addresses_fail_as_in_go(void)
{
    assert_record_refused("{'IPAddress': 'fd00::zz'}", "IPAddress: invalid IP address: fd00::zz");
    /* Nothing is rewritten when the second member fails. */
    assert_record_refused("{'IPAddress': '010.0.0.1', 'IPv6Address': '1::2::3'}",
                          "IPv6Address: invalid IP address: 1::2::3");
    assert_record_refused("{'IPAddress': 7}", "json: cannot unmarshal number into Go struct "
                                              "field HNSEndpoint.IPAddress of type net.IP");
    assert_record_refused("{'IPv6Address': ['::1']}", "json: cannot unmarshal array into Go "
                                                      "struct field HNSEndpoint.IPv6Address of "
                                                      "type net.IP");
    json_t *text = json_string("1.2.3.4");
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(hcsoci_endpoint_canonical_addresses(text, &error), -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "must be an object");
    json_decref(text);
}

static void test_out_of_memory_is_an_error(void)
{
    for (unsigned long fail_at = 1;; fail_at++) {
        json_t *record = test_quoted_json("{'IPAddress': '010.0.0.1', 'IPv6Address': '::0:1'}");
        hcsoci_error *error = NULL;
        bool failed = false;
        hcsoci_alloc_count_start(fail_at);
        int result = hcsoci_endpoint_canonical_addresses(record, &error);
        hcsoci_alloc_count_stop(&failed);
        if (!failed) {
            CU_ASSERT_EQUAL(result, 0);
            CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(record, "IPv6Address")),
                                   "::1");
            json_decref(record);
            break;
        }
        CU_ASSERT_EQUAL(result, -1);
        CU_ASSERT_PTR_NOT_NULL(error);
        hcsoci_error_free(error);
        json_decref(record);
    }
}

int main(void)
{
    static const test_entry tests[] = {
        {"IPv6: the longest zero run is compressed", test_ipv6_longest_zero_run_is_compressed},
        {"IPv6: groups are lower case without leading zeros",
         test_ipv6_groups_are_lower_case_without_leading_zeros},
        {"IPv4 and IPv4-mapped print dotted", test_ipv4_and_ipv4_mapped_print_dotted},
        {"what Go cannot parse is refused", test_what_go_cannot_parse_is_refused},
        {"endpoint addresses are rewritten in Go's form",
         test_endpoint_addresses_are_rewritten_in_go_form},
        {"undecodable endpoint addresses fail as in Go",
         test_undecodable_endpoint_addresses_fail_as_in_go},
        {"out of memory is an error", test_out_of_memory_is_an_error},
        {NULL, NULL},
    };
    return test_run_suite("IP addresses", tests);
}
