#ifndef IPSECD_DAEMON_SOCK_PKT_H
#define IPSECD_DAEMON_SOCK_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

struct pbuf;

/*
 * The pure half of the outer-packet I/O: what a received packet is, the
 * metadata beside it, and the IP header rebuilt around what a socket gave
 * without one.  No system calls here, so each function is a unit test and
 * a fuzz target.
 *
 * Choice for ESP-in-UDP (RFC 3948): the receive path rebuilds an IP header
 * around the ESP payload (protocol 50, the real outer addresses, TOS and
 * TTL), exactly as the kernel's own decapsulation leaves the packet after
 * removing the UDP header, so the core decapsulates raw and UDP-carried
 * ESP with one code path; the ports travel beside it in sock_meta.  The
 * send path takes the same shape: a whole IP packet carrying ESP, whose
 * header gives the addresses, TOS and TTL, and the peer's port in the
 * metadata.
 *
 * What is lost when a header is rebuilt (IPv6 raw sockets and every
 * ESP-in-UDP packet): IPv6 extension headers (Hop-by-Hop, Destination
 * Options, Routing) and the flow label; IPv4 options, identification and
 * the DF bit; and the fact that the packet came in fragments (the kernel
 * reassembled it).  The rebuilt header is the minimal one: IPv4 IHL 5, ID
 * 0, no flags, valid checksum; IPv6 flow label 0.
 */

enum sock_kind {
	SOCK_KIND_IP,	     /* raw ESP, AH or IPcomp: a whole IP packet */
	SOCK_KIND_UDP_ESP,   /* ESP-in-UDP, rebuilt as IP + ESP */
	SOCK_KIND_KEEPALIVE, /* NAT-keepalive, the one byte 0xFF */
	SOCK_KIND_IKE,	     /* non-ESP marker: IKE no IKE daemon took */
	SOCK_KIND_RUNT,	     /* UDP payload too short for ESP, not the above */
};

/* Shortest ESP-in-UDP payload taken as ESP: SPI and sequence number. */
#define SOCK_ESP_MIN 8

/*
 * Beside each packet.  Received: everything set; for KEEPALIVE, IKE and
 * RUNT the pbuf holds the bare UDP payload (no IP header).  Sent: see
 * sock_send in sock.h.
 */
struct sock_meta {
	struct addr src; /* outer source (the peer on receive) */
	struct addr dst; /* outer destination (ours on receive) */
	uint16_t sport;	 /* UDP ports, host order; 0 for raw */
	uint16_t dport;
	uint8_t proto; /* IPPROTO_ESP, _AH, _COMP; _UDP for non-ESP UDP */
	uint8_t tos;   /* IPv4 TOS or IPv6 traffic class */
	uint8_t ttl;   /* TTL or hop limit */
	uint8_t kind;  /* enum sock_kind */
	int ifindex;   /* arrival interface, 0 if unknown */
};

/* What sock_cmsg_parse found (bits of its return value). */
#define SOCK_CM_DST 0x1
#define SOCK_CM_TOS 0x2
#define SOCK_CM_TTL 0x4

/*
 * Parse the ancillary data of a received message (len bytes of
 * msg_control as the kernel filled it) for family AF_INET or AF_INET6:
 * IP_PKTINFO / IPV6_PKTINFO (destination address, interface), IP_TOS /
 * IPV6_TCLASS, IP_TTL / IPV6_HOPLIMIT, into m->dst, m->ifindex, m->tos and
 * m->ttl.  Other messages are skipped.  Returns the SOCK_CM_* bits of what
 * was found, or -1 when a message's length is short of its header, runs
 * past len, or a known message has the wrong size.
 */
int sock_cmsg_parse(
    const void *control, size_t len, int family, struct sock_meta *m);

/*
 * Prepend a minimal IPv4 or IPv6 header (by m->src's family) for m->src,
 * m->dst, m->proto, m->tos and m->ttl to the payload at pbuf_data(pb).
 * False, with the pbuf unchanged, when the headroom is short, the
 * addresses' families differ or are unset, or the result would exceed
 * 65535 bytes (IPv4) or a 65535-byte payload (IPv6).
 */
bool sock_hdr_build(struct pbuf *pb, const struct sock_meta *m);

/*
 * The header of a whole IP packet p (len bytes) to send: fills m->src,
 * m->dst, m->proto (IPv4 protocol / IPv6 next header), m->tos and m->ttl
 * and returns the header length (IPv4 IHL*4, IPv6 40), or 0 when the
 * packet is not a consistent IPv4/IPv6 packet (version, IHL, total or
 * payload length == len).
 */
size_t sock_hdr_parse(const uint8_t *p, size_t len, struct sock_meta *m);

/* What a UDP payload on the NAT-T port is (RFC 3948 section 2). */
enum sock_kind sock_udp_classify(const uint8_t *p, size_t len);

#endif
