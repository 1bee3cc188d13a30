/*
 * The steering programs of sock_bpf.h.  Each is a short straight line:
 * load the SPI, hash it, compare or return.  Jump offsets are relative to
 * the next instruction, as classic BPF wants.
 */
#include "config.h"

#include "daemon/sock_bpf.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>

#define STEER_MUL 0x9e3779b1u /* 2^32 / golden ratio */
#define STEER_SHIFT 16

unsigned int
sock_steer_worker(uint32_t spi, unsigned int nworkers)
{
	uint32_t h = (uint32_t)(spi * STEER_MUL) >> STEER_SHIFT;

	return h % nworkers;
}

static void
emit(struct sock_bpf *b, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	struct sock_filter f = { code, jt, jf, k };

	b->insn[b->len++] = f;
}

/* A = hash(A) % nworkers */
static void
emit_hash(struct sock_bpf *b, unsigned int nworkers)
{
	emit(b, BPF_ALU | BPF_MUL | BPF_K, 0, 0, STEER_MUL);
	emit(b, BPF_ALU | BPF_RSH | BPF_K, 0, 0, STEER_SHIFT);
	emit(b, BPF_ALU | BPF_MOD | BPF_K, 0, 0, nworkers);
}

int
sock_bpf_raw(struct sock_bpf *b, int family, uint8_t proto, unsigned int worker,
    unsigned int nworkers)
{
	uint16_t size = BPF_W;
	uint32_t off;

	switch (proto) {
	case IPPROTO_ESP:
		off = 0;
		break;
	case IPPROTO_AH:
		off = 4;
		break;
	case IPPROTO_COMP:
		off = 2;
		size = BPF_H;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if ((family != AF_INET && family != AF_INET6) || nworkers == 0 ||
	    worker >= nworkers) {
		errno = EINVAL;
		return -1;
	}
	b->len = 0;
	if (family == AF_INET) {
		emit(b, BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0);
		emit(b, BPF_LD | size | BPF_IND, 0, 0, off);
	} else
		emit(b, BPF_LD | size | BPF_ABS, 0, 0, off);
	emit_hash(b, nworkers);
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, worker);
	emit(b, BPF_RET | BPF_K, 0, 0, 0);
	emit(b, BPF_RET | BPF_K, 0, 0, 0xffffffffu);
	return 0;
}

int
sock_bpf_udp(struct sock_bpf *b, unsigned int nworkers, unsigned int ike_index)
{
	if (nworkers == 0 || nworkers > 65535) {
		errno = EINVAL;
		return -1;
	}
	b->len = 0;
	emit(b, BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
	emit(b, BPF_JMP | BPF_JGE | BPF_K, 1, 0, 4);
	emit(b, BPF_RET | BPF_K, 0, 0, 0); /* keepalive or runt */
	emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, 0);
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
	emit(b, BPF_RET | BPF_K, 0, 0, ike_index); /* non-ESP marker */
	emit_hash(b, nworkers);
	emit(b, BPF_RET | BPF_A, 0, 0, 0);
	return 0;
}
