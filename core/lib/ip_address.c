/* IP addresses in Go's net.IP text form (see ip_address.h). Parsing follows net.ParseIP of
 * the Go releases the reference was built with: the first '.' or ':' decides between IPv4 and
 * IPv6; IPv4 is four decimal parts of at most 255 (leading zeros allowed); IPv6 is hex groups
 * with at most one "::" standing for at least one zero group, and may end in an IPv4 address
 * in its last 32 bits; no zone. */
#include <hcsoci/ip_address.h>

#include "hex_digit.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define IPV4_LENGTH 4
#define IPV6_LENGTH 16
/* Go's parsers give up on a part once its value reaches this. */
#define PART_LIMIT 0xFFFFFF

/* A run of decimal digits at text: its value and length; false when there is none or it is
 * too large. */
static bool decimal_part(const char *text, unsigned *value, size_t *length)
{
    unsigned number = 0;
    size_t count = 0;
    for (; text[count] >= '0' && text[count] <= '9'; count++) {
        number = number * 10 + (unsigned)(text[count] - '0');
        if (number >= PART_LIMIT)
            return false;
    }
    *value = number;
    *length = count;
    return count > 0;
}

/* A run of hex digits at text, as decimal_part. */
static bool hex_part(const char *text, unsigned *value, size_t *length)
{
    unsigned number = 0;
    size_t count = 0;
    for (int digit; (digit = hex_digit_value(text[count])) >= 0; count++) {
        number = number * 16 + (unsigned)digit;
        if (number >= PART_LIMIT)
            return false;
    }
    *value = number;
    *length = count;
    return count > 0;
}

/* The whole of text as dotted-decimal IPv4 into four bytes. */
static bool parse_ipv4(const char *text, uint8_t address[IPV4_LENGTH])
{
    for (int part = 0; part < IPV4_LENGTH; part++) {
        if (part > 0) {
            if (*text != '.')
                return false;
            text++;
        }
        unsigned value = 0;
        size_t length = 0;
        if (!decimal_part(text, &value, &length) || value > 0xFF)
            return false;
        address[part] = (uint8_t)value;
        text += length;
    }
    return *text == '\0';
}

/* The whole of text as IPv6 into sixteen bytes. */
static bool parse_ipv6(const char *text, uint8_t address[IPV6_LENGTH])
{
    memset(address, 0, IPV6_LENGTH);
    int ellipsis = -1; /* the byte where "::" stands, if any */
    if (text[0] == ':' && text[1] == ':') {
        ellipsis = 0;
        text += 2;
        if (*text == '\0')
            return true;
    }
    int filled = 0;
    while (filled < IPV6_LENGTH) {
        unsigned value = 0;
        size_t length = 0;
        if (!hex_part(text, &value, &length) || value > 0xFFFF)
            return false;
        if (text[length] == '.') {
            /* An IPv4 address can only fill the last 32 bits, before or after a "::". */
            if ((ellipsis < 0 && filled != IPV6_LENGTH - IPV4_LENGTH) ||
                filled + IPV4_LENGTH > IPV6_LENGTH || !parse_ipv4(text, address + filled))
                return false;
            filled += IPV4_LENGTH;
            text += strlen(text);
            break;
        }
        address[filled] = (uint8_t)(value >> 8);
        address[filled + 1] = (uint8_t)value;
        filled += 2;
        text += length;
        if (*text == '\0')
            break;
        if (text[0] != ':' || text[1] == '\0')
            return false;
        text++;
        if (*text == ':') {
            if (ellipsis >= 0)
                return false;
            ellipsis = filled;
            text++;
            if (*text == '\0')
                break;
        }
    }
    if (*text != '\0')
        return false;
    if (filled < IPV6_LENGTH) {
        if (ellipsis < 0)
            return false;
        int shift = IPV6_LENGTH - filled;
        memmove(address + ellipsis + shift, address + ellipsis, (size_t)(filled - ellipsis));
        memset(address + ellipsis, 0, (size_t)shift);
    } else if (ellipsis >= 0) {
        /* "::" must stand for at least one group. */
        return false;
    }
    return true;
}

/* net.ParseIP: sixteen bytes, an IPv4 address in its IPv4-mapped form. */
static bool parse_ip(const char *text, uint8_t address[IPV6_LENGTH])
{
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (*cursor == '.') {
            static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
            memcpy(address, mapped_prefix, sizeof mapped_prefix);
            return parse_ipv4(text, address + sizeof mapped_prefix);
        }
        if (*cursor == ':')
            return parse_ipv6(text, address);
    }
    return false;
}

/* net.IP.String for sixteen bytes. */
static void format_ip(const uint8_t address[IPV6_LENGTH], char text[HCSOCI_IP_ADDRESS_TEXT_SIZE])
{
    static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (memcmp(address, mapped_prefix, sizeof mapped_prefix) == 0) {
        snprintf(text, HCSOCI_IP_ADDRESS_TEXT_SIZE, "%u.%u.%u.%u", address[12], address[13],
                 address[14], address[15]);
        return;
    }
    /* The longest run of zero groups (the first of equal ones), in bytes [run_start, run_end). */
    int run_start = -1, run_end = -1;
    for (int start = 0; start < IPV6_LENGTH; start += 2) {
        int end = start;
        while (end < IPV6_LENGTH && address[end] == 0 && address[end + 1] == 0)
            end += 2;
        if (end > start && end - start > run_end - run_start) {
            run_start = start;
            run_end = end;
            start = end;
        }
    }
    if (run_end - run_start <= 2)
        run_start = run_end = -1; /* a single zero group is written out */
    size_t length = 0;
    for (int index = 0; index < IPV6_LENGTH; index += 2) {
        if (index == run_start) {
            length += (size_t)snprintf(text + length, HCSOCI_IP_ADDRESS_TEXT_SIZE - length, "::");
            index = run_end;
            if (index >= IPV6_LENGTH)
                break;
        } else if (index > 0) {
            length += (size_t)snprintf(text + length, HCSOCI_IP_ADDRESS_TEXT_SIZE - length, ":");
        }
        unsigned group = (unsigned)address[index] << 8 | address[index + 1];
        length += (size_t)snprintf(text + length, HCSOCI_IP_ADDRESS_TEXT_SIZE - length, "%x",
                                   group);
    }
}

bool hcsoci_ip_address_canonical(const char *text, char canonical[HCSOCI_IP_ADDRESS_TEXT_SIZE])
{
    canonical[0] = '\0';
    uint8_t address[IPV6_LENGTH];
    if (text == NULL || !parse_ip(text, address))
        return false;
    format_ip(address, canonical);
    return true;
}

/* How Go's decoder names a JSON value's kind in its type errors. */
static const char *go_json_kind(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    case JSON_NULL:
        break;
    }
    return "null";
}

int hcsoci_endpoint_canonical_addresses(json_t *record, hcsoci_error **error)
{
    static const char *const members[] = {"IPAddress", "IPv6Address"};
    enum { MEMBER_COUNT = sizeof members / sizeof members[0] };
    if (!json_is_object(record))
        return hcsoci_fail(error, HCSOCI_E_INVALID, "an HNS endpoint record must be an object");
    /* Check both first, so that a failure leaves the record as it was. */
    char canonical[MEMBER_COUNT][HCSOCI_IP_ADDRESS_TEXT_SIZE];
    bool rewrite[MEMBER_COUNT] = {false, false};
    for (size_t index = 0; index < MEMBER_COUNT; index++) {
        const json_t *value = json_object_get(record, members[index]);
        if (value == NULL || json_is_null(value))
            continue;
        if (!json_is_string(value))
            return hcsoci_fail(error, HCSOCI_E_INVALID,
                               "json: cannot unmarshal %s into Go struct field HNSEndpoint.%s of "
                               "type net.IP",
                               go_json_kind(value), members[index]);
        const char *text = json_string_value(value);
        if (text[0] == '\0')
            continue;
        if (strlen(text) != json_string_length(value) ||
            !hcsoci_ip_address_canonical(text, canonical[index]))
            return hcsoci_fail(error, HCSOCI_E_INVALID, "%s: invalid IP address: %s",
                               members[index], text);
        rewrite[index] = strcmp(text, canonical[index]) != 0;
    }
    for (size_t index = 0; index < MEMBER_COUNT; index++) {
        if (rewrite[index] &&
            json_object_set_new(record, members[index], json_string(canonical[index])) != 0)
            return hcsoci_fail_out_of_memory(error);
    }
    return 0;
}
