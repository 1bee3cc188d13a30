/*
 * Driver of tests/netns/net_tun.sh.  Opens NQ queues of TUN device NAME
 * (tun.c), prints "ok IFNAME", then serves commands from stdin, one output
 * line each, so that the script can move and reconfigure the device with
 * ip(8) between commands while this process keeps its queue fds:
 *
 *   outbound NETNS DST PORT COUNT
 *       from COUNT UDP sockets (distinct source ports, so distinct flows)
 *       in NETNS, send one datagram each to DST:PORT, which the routes
 *       there send into the device; read them from the queues.  Prints
 *       "outbound got N queues Q" (Q = queues that delivered any).
 *   inbound NETNS SRC DST PORT COUNT
 *       write COUNT UDP packets SRC -> DST:PORT into the queues (round
 *       robin) and receive them on a socket bound to PORT in NETNS.
 *       Prints "inbound delivered N".
 *   quit
 */
#include "config.h"

#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/pbuf.h"
#include "daemon/tun.h"
#include "net_util.h"

#define MAX_Q 16
#define MAX_COUNT 200
#define WAIT_MS 5000

static struct tun_queue q[MAX_Q];
static size_t nq;
static struct pbuf_pool *pool;

static int
udp_socket(const char *netns, int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	net_enter(netns);
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	net_enter(NULL);
	if (fd == -1) {
		perror("socket");
		exit(2);
	}
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		perror("bind");
		exit(2);
	}
	return fd;
}

static socklen_t
sockaddr_of(struct sockaddr_storage *ss, const struct addr *a, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, a->bytes, 16);
	return sizeof(*sin6);
}

static void
outbound(const char *netns, const char *dst_s, uint16_t port, int count)
{
	struct addr dst = net_addr(dst_s);
	struct sockaddr_storage ss;
	socklen_t sslen = sockaddr_of(&ss, &dst, port);
	bool seen[MAX_COUNT] = { false }, qused[MAX_Q] = { false };
	uint8_t payload[32];
	int fds[MAX_Q], got = 0, queues = 0;

	for (int i = 0; i < count; i++) {
		int fd = udp_socket(netns, dst.family, (uint16_t)(41000 + i));

		for (size_t k = 0; k < sizeof(payload); k++)
			payload[k] = (uint8_t)(i + k);
		if (sendto(fd, payload, sizeof(payload), 0,
			(struct sockaddr *)&ss, sslen) == -1) {
			printf("outbound send %s\n", net_errname(errno));
			close(fd);
			return;
		}
		close(fd);
	}
	for (size_t i = 0; i < nq; i++)
		fds[i] = q[i].fd;
	while (got < count) {
		struct pbuf *pbs[32];
		int i = net_wait(fds, nq, WAIT_MS);
		ssize_t n;

		if (i < 0)
			break;
		if ((n = tun_read(&q[i], pool, 128, pbs, 32)) == -1)
			continue;
		for (ssize_t k = 0; k < n; k++) {
			uint8_t seed;

			if (net_udp_match(pbuf_data(pbs[k]), pbuf_len(pbs[k]),
				port, &seed) &&
			    seed < count && !seen[seed]) {
				seen[seed] = true;
				got++;
				if (!qused[i]) {
					qused[i] = true;
					queues++;
				}
			}
			pbuf_pool_put(pool, pbs[k]);
		}
	}
	printf("outbound got %d queues %d\n", got, queues);
}

static void
inbound(const char *netns, const char *src_s, const char *dst_s, uint16_t port,
    int count)
{
	struct addr src = net_addr(src_s), dst = net_addr(dst_s);
	int fd = udp_socket(netns, dst.family, port), got = 0;
	bool seen[MAX_COUNT] = { false };

	for (int i = 0; i < count; i++) {
		struct pbuf *pb = pbuf_pool_get(pool);
		size_t w;

		net_udp_build(pb, &src, &dst, port, (uint8_t)i);
		w = tun_write(&q[(size_t)i % nq], &pb, 1);
		pbuf_pool_put(pool, pb);
		if (w != 1) {
			printf("inbound write %s\n", net_errname(errno));
			close(fd);
			return;
		}
	}
	while (got < count && net_wait(&fd, 1, WAIT_MS) == 0) {
		uint8_t buf[64];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n == 32 && buf[0] < count && !seen[buf[0]]) {
			seen[buf[0]] = true;
			got++;
		}
	}
	close(fd);
	printf("inbound delivered %d\n", got);
}

int
main(int argc, char **argv)
{
	char ifname[IFNAMSIZ], line[512];
	unsigned int flags = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: net_tun NAME NQ [vnet]\n");
		return 2;
	}
	nq = strtoul(argv[2], NULL, 0);
	if (nq == 0 || nq > MAX_Q)
		return 2;
	if (argc > 3 && strcmp(argv[3], "vnet") == 0)
		flags = TUN_F_VNET_HDR;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((pool = pbuf_pool_new(512, 2048, 128)) == NULL)
		return 2;
	if (tun_open(argv[1], flags, q, nq, ifname) == -1) {
		printf("error %s\n", net_errname(errno));
		return 1;
	}
	printf("ok %s\n", ifname);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char a[5][128];
		int n = sscanf(line, "%127s %127s %127s %127s %127s", a[0],
		    a[1], a[2], a[3], a[4]);

		if (n == 5 && strcmp(a[0], "outbound") == 0)
			outbound(a[1], a[2], (uint16_t)atoi(a[3]),
			    atoi(a[4]) > MAX_COUNT ? MAX_COUNT : atoi(a[4]));
		else if (strncmp(line, "inbound ", 8) == 0) {
			char b[6][128];
			int c;

			if (sscanf(line, "%127s %127s %127s %127s %127s %d",
				b[0], b[1], b[2], b[3], b[4], &c) != 6)
				return 2;
			inbound(b[1], b[2], b[3], (uint16_t)atoi(b[4]),
			    c > MAX_COUNT ? MAX_COUNT : c);
		} else if (strncmp(line, "quit", 4) == 0)
			break;
		else {
			printf("unknown command\n");
		}
	}
	tun_close(q, nq);
	pbuf_pool_free(pool);
	return 0;
}
