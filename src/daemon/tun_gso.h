#ifndef IPSECD_DAEMON_TUN_GSO_H
#define IPSECD_DAEMON_TUN_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The pure half of TUN offloads: what the kernel hands a TUN queue opened
 * with IFF_VNET_HDR and TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 |
 * TUN_F_TSO6).  Every packet then comes after a struct virtio_net_hdr (10
 * bytes, legacy layout, host byte order):
 *
 *   byte 0     flags        VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at
 *                           csum_start + csum_offset holds only the
 *                           pseudo-header sum; the rest is ours to add
 *   byte 1     gso_type     NONE, TCPV4, TCPV6 (| ECN)
 *   bytes 2-3  hdr_len      (a hint; not trusted)
 *   bytes 4-5  gso_size     the MSS of each segment
 *   bytes 6-7  csum_start   where the summed bytes begin
 *   bytes 8-9  csum_offset  where the checksum is, from csum_start
 *
 * A TCP "super-packet" of up to 64 KB is one IP header and one TCP header
 * followed by many MSS-sized payloads: the kernel's TCP stack went through
 * once for all of them (TSO), and the worker splits it here, each segment
 * a complete IP packet with its own length, ID, sequence number, flags and
 * checksums, as the kernel's own GSO would have made it, so that each is
 * then encrypted on its own.  A plain packet with a partial checksum is
 * completed in place.  These bytes come from the kernel but are read as
 * outside bytes: every length is checked before use.
 */

/* sizeof(struct virtio_net_hdr) */
#define TUN_VNET_HDR_LEN 10

enum tun_gso_kind {
	TUN_GSO_PLAIN, /* one whole packet, checksums complete */
	TUN_GSO_TCP,   /* a TCP super-packet: nseg segments */
	TUN_GSO_BAD,   /* inconsistent: drop it */
};

/* A parsed super-packet; pkt is borrowed from the caller. */
struct tun_gso {
	const uint8_t *pkt;
	size_t len;
	size_t ip_hlen;	 /* IPv4 IHL * 4, or 40 */
	size_t hlen;	 /* IP + TCP headers, copied into every segment */
	size_t mss;	 /* payload bytes per segment (the last may be less) */
	size_t nseg;	 /* segments, >= 1 */
	uint8_t version; /* 4 or 6 */
};

/*
 * Look at vh (the TUN_VNET_HDR_LEN bytes before the packet) and the packet
 * pkt of len bytes.  A plain packet whose checksum is partial is completed
 * in place (hence pkt is writable); a TCP super-packet is checked (IPv4
 * without options beyond its IHL and not a fragment, or IPv6 without
 * extension headers; total or payload length equal to len; a TCP header
 * within len; gso_size > 0) and described in g for tun_gso_segment.
 * Returns what the packet is; TUN_GSO_BAD for anything inconsistent,
 * including a gso_type other than TCPV4/TCPV6 or one that does not match
 * the IP version.
 */
enum tun_gso_kind tun_gso_prepare(
    const uint8_t *vh, uint8_t *pkt, size_t len, struct tun_gso *g);

/*
 * Write segment i (0 <= i < g->nseg) of g into out (room bytes) as a
 * whole IP packet: the headers with IPv4 total length, ID (the
 * super-packet's + i) and header checksum, or the IPv6 payload length; the
 * TCP sequence number advanced by i * mss; FIN and PSH only on the last
 * segment, CWR only on the first; a full TCP checksum.  Returns the
 * segment's length, or 0 when i is out of range or room is short.
 */
size_t tun_gso_segment(
    const struct tun_gso *g, size_t i, uint8_t *out, size_t room);

/*
 * The other way, decapsulated packets written to the TUN queue: runs of
 * TCP segments of one flow (consecutive sequence numbers, identical IP and
 * TCP headers but for lengths, IDs, checksums and a final PSH; flags only
 * ACK and PSH; every payload but the last gso_size bytes) become one
 * super-packet, the first segment's headers followed by every payload, so
 * that the kernel's TCP receive path runs once for all of them (what GRO
 * does for a NIC).  The headers of the first packet are rewritten in place
 * (lengths, IPv4 header checksum, PSH, and the TCP checksum field holding
 * the pseudo-header sum for VIRTIO_NET_HDR_F_NEEDS_CSUM).  The payloads
 * stay where they are: the caller writes them with one writev.
 */
struct tun_gro {
	uint8_t *head;	   /* the first packet, rewritten by tun_gro_finish */
	size_t ip_hlen;	   /* its IP header length */
	size_t hlen;	   /* IP + TCP headers */
	size_t mss;	   /* the first packet's payload length */
	size_t total;	   /* bytes of the super-packet so far */
	size_t npkts;	   /* packets in it */
	uint32_t next_seq; /* the sequence number that continues it */
	uint8_t version;   /* 4 or 6 */
	bool is_psh;	   /* the last packet added has PSH */
	bool is_closed;	   /* nothing more can follow (PSH, short payload) */
};

/*
 * Start a run with packet p (len bytes, a whole IPv4 or IPv6 packet),
 * which may then grow: false when p cannot be the head of one (not TCP
 * with payload, IPv4 options or fragment, IPv6 extension headers, flags
 * other than ACK and PSH, lengths inconsistent).  p must stay valid and
 * unchanged until tun_gro_finish.
 */
bool tun_gro_start(struct tun_gro *s, uint8_t *p, size_t len);

/*
 * Append packet p (len bytes) when it continues the run s: its payload,
 * from p + s->hlen, follows the previous one.  False, s unchanged, when
 * it does not (or the result would pass 65535 bytes).
 */
bool tun_gro_add(struct tun_gro *s, const uint8_t *p, size_t len);

/*
 * End the run: with more than one packet, rewrite the head's headers for
 * s->total bytes and fill vh (TUN_VNET_HDR_LEN bytes) for a TCPV4/TCPV6
 * super-packet; with one packet, leave it as it is and fill vh for a
 * plain packet.
 */
void tun_gro_finish(struct tun_gro *s, uint8_t *vh);

#endif
