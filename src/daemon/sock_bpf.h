#ifndef IPSECD_DAEMON_SOCK_BPF_H
#define IPSECD_DAEMON_SOCK_BPF_H

#include <stdint.h>

#include <linux/filter.h>

/*
 * Classic BPF programs that steer outer packets to workers by SPI, so that
 * all packets of one SA reach one worker (whose replay window only that
 * worker updates) and no packet is received twice.  The programs are
 * pure data; sock.c attaches them.
 *
 * The hash: worker = ((spi * 0x9e3779b1) mod 2^32 >> 16) mod nworkers,
 * computed on the host-order SPI (ESP, AH) or CPI (IPcomp, 16 bits).
 * Classic BPF arithmetic is 32-bit, so sock_steer_worker() below computes
 * exactly what the kernel computes; the same hash serves raw ESP and
 * ESP-in-UDP, so an SA lands on the same worker either way.
 *
 * Raw sockets (SO_ATTACH_FILTER, one program per worker socket).  Every
 * raw socket of a protocol gets a copy of each packet; the filter keeps
 * the packet (returns 0xffffffff) on the one socket whose worker the SPI
 * hashes to and drops it (returns 0) on the others.  What the filter sees:
 *   - IPv4: the packet from the IP header on (raw_rcv pushes back to the
 *     network header); the SPI follows the header of any IHL, loaded with
 *     the IHL*4 trick (ldx 4*([0]&0xf)).
 *   - IPv6: the packet from the header after the extension headers, i.e.
 *     the ESP/AH/IPcomp header is at offset 0.
 *   - ESP: SPI at 0; AH: SPI at 4; IPcomp: CPI (16 bits) at 2.
 * A packet too short for the load is dropped on every socket: a failed
 * classic-BPF load ends the program with 0.
 *
 * ESP-in-UDP reuseport group (SO_ATTACH_REUSEPORT_CBPF, one program for
 * the whole group).  Kernel rules (net/core/sock_reuseport.c,
 * run_bpf_filter): the program sees the UDP payload at offset 0 (the UDP
 * header is pulled before it runs, and "len" is the payload length); its
 * return value is an index into the group's socket array, which is in the
 * order the sockets joined (bind); an index >= the number of sockets
 * makes the kernel fall back to its hash of the 4-tuple.  When a socket
 * leaves, the last one is moved into its slot.  The program returns:
 *   - fewer than 4 payload bytes (the 1-byte 0xFF NAT-keepalive of RFC
 *     3948 section 2.3, or a runt): 0, the first worker;
 *   - a zero non-ESP marker (IKE, RFC 3948 section 2.2): ike_index;
 *   - otherwise (ESP, first word = SPI, never 0): the SPI's worker.
 */

/* Room for the longest program below. */
#define SOCK_BPF_MAX 16

struct sock_bpf {
	struct sock_filter insn[SOCK_BPF_MAX];
	unsigned short len;
};

/* The worker (0..nworkers-1) for spi; nworkers must be at least 1. */
unsigned int sock_steer_worker(uint32_t spi, unsigned int nworkers);

/*
 * Build the raw-socket filter of worker (< nworkers) for family AF_INET or
 * AF_INET6 and proto IPPROTO_ESP, IPPROTO_AH or IPPROTO_COMP.  Returns 0,
 * or -1 with errno EINVAL for any other value.
 */
int sock_bpf_raw(struct sock_bpf *b, int family, uint8_t proto,
    unsigned int worker, unsigned int nworkers);

/*
 * Build the reuseport program for nworkers worker sockets (indices
 * 0..nworkers-1) and the IKE daemon's index (normally nworkers: it joins
 * after the workers).  Returns 0, or -1 with errno EINVAL when nworkers is
 * 0 or larger than 65535.
 */
int sock_bpf_udp(
    struct sock_bpf *b, unsigned int nworkers, unsigned int ike_index);

#endif
