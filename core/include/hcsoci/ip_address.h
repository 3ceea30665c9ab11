/* IP addresses as Go's net.IP reads and writes them. The reference reads an HNS endpoint's
 * IPAddress and IPv6Address into net.IP and writes them back in Go's text form: IPv4 (and
 * IPv4-mapped IPv6) in dotted decimal, other IPv6 addresses in RFC 5952 form (lower case, no
 * leading zeros, the longest run of two or more zero groups, the first on a tie, as "::"). */
#ifndef HCSOCI_IP_ADDRESS_H
#define HCSOCI_IP_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <hcsoci/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Room for the longest text hcsoci_ip_address_canonical writes, its NUL included. */
#define HCSOCI_IP_ADDRESS_TEXT_SIZE 40

/* Writes text's address in Go's form (net.ParseIP, then String) into canonical, which has
 * HCSOCI_IP_ADDRESS_TEXT_SIZE bytes. Returns false, leaving canonical "", when net.ParseIP
 * would not parse text (text may be NULL). */
bool hcsoci_ip_address_canonical(const char *text, char canonical[HCSOCI_IP_ADDRESS_TEXT_SIZE]);

/* Rewrites the net.IP members of an HNS endpoint record (IPAddress, IPv6Address) in place in
 * Go's form; "" and null stay as they are. Fails, naming the member and the value as Go's
 * decoder does ("invalid IP address: ..."), when one is not a string or not an address; the
 * record is then unchanged. */
int hcsoci_endpoint_canonical_addresses(json_t *record, hcsoci_error **error);

#ifdef __cplusplus
}
#endif
#endif
