/* Helpers of the netns test drivers (net_util.h). */
#include "config.h"

#include "net_util.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "ipsec/iphdr.h"

#define NET_UDP_PAYLOAD 32

struct addr
net_addr(const char *s)
{
	struct addr a;

	if (!addr_parse(&a, s)) {
		fprintf(stderr, "bad address %s\n", s);
		exit(2);
	}
	return a;
}

void
net_enter(const char *netns)
{
	static int home = -1;
	char path[256];
	int fd;

	if (home == -1 &&
	    (home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1) {
		perror("/proc/self/ns/net");
		exit(2);
	}
	if (netns == NULL) {
		fd = home;
	} else {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			perror(path);
			exit(2);
		}
	}
	if (setns(fd, CLONE_NEWNET) == -1) {
		perror("setns");
		exit(2);
	}
	if (fd != home)
		close(fd);
}

const char *
net_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name != NULL ? name : "E?";
}

/* One's complement sum of len bytes, folded, not inverted. */
static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get_u16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

void
net_udp_build(struct pbuf *pb, const struct addr *src, const struct addr *dst,
    uint16_t port, uint8_t seed)
{
	size_t alen = addr_len(src), hl = alen == 4 ? 20 : 40;
	size_t ulen = 8 + NET_UDP_PAYLOAD, total = hl + ulen;
	uint8_t *p = pbuf_put(pb, total), *u = p + hl;
	uint32_t sum;

	if (p == NULL) {
		fprintf(stderr, "no room for a test packet\n");
		exit(2);
	}
	memset(p, 0, total);
	if (alen == 4) {
		p[0] = 0x45;
		p[8] = 64;
		p[9] = IPPROTO_UDP;
		memcpy(p + 12, src->bytes, 4);
		memcpy(p + 16, dst->bytes, 4);
		ip_set_len(p, AF_INET, total);
	} else {
		p[0] = 0x60;
		wr_u16(p + 4, (uint16_t)ulen);
		p[6] = IPPROTO_UDP;
		p[7] = 64;
		memcpy(p + 8, src->bytes, 16);
		memcpy(p + 24, dst->bytes, 16);
	}
	wr_u16(u, 40000);
	wr_u16(u + 2, port);
	wr_u16(u + 4, (uint16_t)ulen);
	for (size_t k = 0; k < NET_UDP_PAYLOAD; k++)
		u[8 + k] = (uint8_t)(seed + k);
	/* Pseudo-header: addresses, protocol, UDP length. */
	sum = sum16(src->bytes, alen, 0);
	sum = sum16(dst->bytes, alen, sum);
	sum += IPPROTO_UDP + (uint32_t)ulen;
	sum = sum16(u, ulen, sum);
	wr_u16(u + 6, (uint16_t)~sum == 0 ? 0xffff : (uint16_t)~sum);
}

int
net_udp_match(const uint8_t *p, size_t len, uint16_t port, uint8_t *seed)
{
	struct ip_info info;

	if (!ip_parse(p, len, &info) || info.proto != IPPROTO_UDP ||
	    len < (size_t)info.ins_off + 8 + NET_UDP_PAYLOAD ||
	    get_u16(p + info.ins_off + 2) != port)
		return 0;
	*seed = p[info.ins_off + 8];
	return 1;
}

int
net_wait(const int *fds, size_t n, int ms)
{
	struct pollfd pfd[64];

	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	if (poll(pfd, n, ms) <= 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (pfd[i].revents & POLLIN)
			return (int)i;
	return -1;
}
