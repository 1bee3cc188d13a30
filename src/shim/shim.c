/*
 * libipsecd-pfkey.so (shim.h): PF_KEY sockets made and unmade, the socket
 * options an IKE daemon sets on its own sockets, and the NAT-T port's
 * reuseport group.  Reading and writing PF_KEY messages is shim_io.c.
 *
 * Ordering against other threads of the host program: a descriptor is
 * marked only once it is ours (after socket() returned it) and unmarked
 * before the real close(), so a number reused by a concurrent socket()
 * is never taken for a PF_KEY socket it is not.
 */
#include "config.h"

#include "shim/shim.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>

#include "shim/shim_check.h"
#include "shim/shim_int.h"

typedef int (*socket_fn)(int, int, int);
typedef int (*close_fn)(int);
typedef int (*dup_fn)(int);
typedef int (*dup2_fn)(int, int);
typedef int (*dup3_fn)(int, int, int);
typedef int (*fcntl_fn)(int, int, ...);
typedef int (*addr_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*name_fn)(int, struct sockaddr *, socklen_t *);
typedef int (*listen_fn)(int, int);
typedef int (*accept4_fn)(int, struct sockaddr *, socklen_t *, int);
typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);
typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);
typedef ssize_t (*recv_fn)(int, void *, size_t, int);

SHIM_REAL_SLOT(socket);
SHIM_REAL_SLOT(close);
SHIM_REAL_SLOT(dup);
SHIM_REAL_SLOT(dup2);
SHIM_REAL_SLOT(dup3);
SHIM_REAL_SLOT(fcntl);
SHIM_REAL_SLOT(fcntl64);
SHIM_REAL_SLOT(bind);
SHIM_REAL_SLOT(connect);
SHIM_REAL_SLOT(listen);
SHIM_REAL_SLOT(accept);
SHIM_REAL_SLOT(accept4);
SHIM_REAL_SLOT(shutdown);
SHIM_REAL_SLOT(getsockname);
SHIM_REAL_SLOT(getpeername);
SHIM_REAL_SLOT(setsockopt);
SHIM_REAL_SLOT(getsockopt);
SHIM_REAL_SLOT(send);
SHIM_REAL_SLOT(recv);

static _Atomic uint8_t fd_kinds[SHIM_FD_MAX];

unsigned
shim_fd_kind(int fd)
{
	if (fd < 0 || fd >= SHIM_FD_MAX)
		return 0;
	return atomic_load_explicit(&fd_kinds[fd], memory_order_acquire);
}

void
shim_fd_set(int fd, unsigned kind)
{
	if (fd >= 0 && fd < SHIM_FD_MAX)
		atomic_store_explicit(
		    &fd_kinds[fd], (uint8_t)kind, memory_order_release);
}

unsigned
shim_fd_take(int fd)
{
	if (fd < 0 || fd >= SHIM_FD_MAX)
		return 0;
	return atomic_exchange_explicit(&fd_kinds[fd], 0, memory_order_acq_rel);
}

void *
shim_real(const char *name, void *_Atomic *slot)
{
	void *f = atomic_load_explicit(slot, memory_order_acquire);

	if (f == NULL) {
		if ((f = dlsym(RTLD_NEXT, name)) == NULL) {
			fprintf(
			    stderr, "libipsecd-pfkey: no %s after us\n", name);
			abort();
		}
		atomic_store_explicit(slot, f, memory_order_release);
	}
	return f;
}

#define RESOLVE(name) (void)shim_real(#name, &shim_real_##name)

/*
 * Every real function before the host program runs: dlsym is not
 * async-signal-safe, and close() or write() may first be called from a
 * signal handler.
 */
static void __attribute__((constructor)) shim_init(void)
{
	RESOLVE(socket);
	RESOLVE(close);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(fcntl);
	RESOLVE(bind);
	RESOLVE(connect);
	RESOLVE(listen);
	RESOLVE(accept);
	RESOLVE(accept4);
	RESOLVE(shutdown);
	RESOLVE(getsockname);
	RESOLVE(getpeername);
	RESOLVE(setsockopt);
	RESOLVE(getsockopt);
	RESOLVE(send);
	RESOLVE(recv);
	shim_io_resolve();
}

static int
fail(int err)
{
	errno = err;
	return -1;
}

/* Connect a new SOCK_SEQPACKET socket to path; the descriptor or -1. */
static int
unix_connect(const char *path, int flags)
{
	struct sockaddr_un sun;
	int fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return fail(ENAMETOOLONG);
	memcpy(sun.sun_path, path, strlen(path));
	fd = SHIM_REAL(socket, socket_fn)(
	    AF_UNIX, SOCK_SEQPACKET | (flags & SOCK_CLOEXEC), 0);
	if (fd == -1)
		return -1;
	if (SHIM_REAL(connect, addr_fn)(
		fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		SHIM_REAL(close, close_fn)(fd);
		return fail(saved);
	}
	return fd;
}

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

/* af_key's pfkey_create, then a connection to ipsecd. */
static int
pfkey_open(int type, int protocol)
{
	int fd;

	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_RAW)
		return fail(ESOCKTNOSUPPORT);
	if (protocol != PF_KEY_V2)
		return fail(EPROTONOSUPPORT);
	fd = unix_connect(env_or("IPSECD_PFKEY_SOCKET", SHIM_PFKEY_PATH), type);
	if (fd == -1)
		return -1;
	if (fd >= SHIM_FD_MAX) {
		SHIM_REAL(close, close_fn)(fd);
		return fail(EMFILE);
	}
	if ((type & SOCK_NONBLOCK) &&
	    SHIM_REAL(fcntl, fcntl_fn)(fd, F_SETFL,
		SHIM_REAL(fcntl, fcntl_fn)(fd, F_GETFL) | O_NONBLOCK) == -1) {
		int saved = errno;

		SHIM_REAL(close, close_fn)(fd);
		return fail(saved);
	}
	shim_fd_set(fd, SHIM_FD_PFKEY);
	return fd;
}

SHIM_EXPORT int
socket(int domain, int type, int protocol)
{
	if (domain == PF_KEY)
		return pfkey_open(type, protocol);
	return SHIM_REAL(socket, socket_fn)(domain, type, protocol);
}

/*
 * Send one control request (daemon/control.h) and read its one-message
 * reply into reply (size bytes); a second at most, since the daemon
 * answers at once.  The reply's length, 0 when there was none.  Best
 * effort: the caller's result does not depend on it.  errno is kept.
 */
static size_t
record_reply(const char *req, size_t len, char *reply, size_t size)
{
	struct timeval tv = { 1, 0 };
	ssize_t n = 0;
	int fd, saved = errno;

	fd = unix_connect(
	    env_or("IPSECD_CONTROL_SOCKET", SHIM_CONTROL_PATH), SOCK_CLOEXEC);
	if (fd == -1)
		goto out;
	SHIM_REAL(setsockopt, setsockopt_fn)
	(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	SHIM_REAL(setsockopt, setsockopt_fn)
	(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (SHIM_REAL(send, send_fn)(fd, req, len, MSG_NOSIGNAL) ==
	    (ssize_t)len)
		n = SHIM_REAL(recv, recv_fn)(fd, reply, size, 0);
	SHIM_REAL(close, close_fn)(fd);
out:
	errno = saved;
	return n > 0 ? (size_t)n : 0;
}

static void
record(const char *req, size_t len)
{
	char reply[512];

	(void)record_reply(req, len, reply, sizeof(reply));
}

static void
record_clear(int fd)
{
	char req[256];
	size_t n =
	    shim_policy_close_request(req, sizeof(req), (long)getpid(), fd);

	if (n > 0)
		record(req, n);
}

SHIM_EXPORT int
close(int fd)
{
	if (shim_fd_take(fd) & SHIM_FD_SOCKPOL)
		record_clear(fd);
	return SHIM_REAL(close, close_fn)(fd);
}

/* newfd is a copy of oldfd now: it is a PF_KEY socket if oldfd is. */
static void
copied(int oldfd, int newfd)
{
	if (newfd >= 0 && newfd != oldfd)
		shim_fd_set(newfd, shim_fd_kind(oldfd) & SHIM_FD_PFKEY);
}

SHIM_EXPORT int
dup(int fd)
{
	int n = SHIM_REAL(dup, dup_fn)(fd);

	copied(fd, n);
	return n;
}

/*
 * dup2 and dup3 close newfd first when it is open and not oldfd: its kind
 * goes (and its socket policies with it), unless the call fails.
 */
static int
dup_into(int oldfd, int newfd, int n, unsigned was)
{
	if (n == -1) {
		shim_fd_set(newfd, was);
		return -1;
	}
	if (was & SHIM_FD_SOCKPOL)
		record_clear(newfd);
	copied(oldfd, n);
	return n;
}

SHIM_EXPORT int
dup2(int oldfd, int newfd)
{
	unsigned was = oldfd != newfd ? shim_fd_take(newfd) : 0;

	return dup_into(
	    oldfd, newfd, SHIM_REAL(dup2, dup2_fn)(oldfd, newfd), was);
}

SHIM_EXPORT int
dup3(int oldfd, int newfd, int flags)
{
	unsigned was = oldfd != newfd ? shim_fd_take(newfd) : 0;

	return dup_into(
	    oldfd, newfd, SHIM_REAL(dup3, dup3_fn)(oldfd, newfd, flags), was);
}

/*
 * fcntl's third argument is an int or a pointer depending on cmd; it is
 * passed on as a pointer-sized value, as the C library does itself.
 */
static int
fcntl_common(fcntl_fn real, int fd, int cmd, void *arg)
{
	int n = real(fd, cmd, arg);

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		copied(fd, n);
	return n;
}

SHIM_EXPORT int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(SHIM_REAL(fcntl, fcntl_fn), fd, cmd, arg);
}

SHIM_EXPORT int
fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(SHIM_REAL(fcntl64, fcntl_fn), fd, cmd, arg);
}

/* A UDP socket about to bind the NAT-T port? */
static bool
is_natt_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	uint16_t port, natt;
	int type = 0, proto = 0;
	socklen_t tl = sizeof(type), pl = sizeof(proto);

	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	else if (sa->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6))
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	else
		return false;
	natt = shim_port_parse(getenv("IPSECD_NATT_PORT"), SHIM_NATT_PORT);
	if (port != natt)
		return false;
	return SHIM_REAL(getsockopt, getsockopt_fn)(
		   fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
	    type == SOCK_DGRAM &&
	    SHIM_REAL(getsockopt, getsockopt_fn)(
		fd, SOL_SOCKET, SO_PROTOCOL, &proto, &pl) == 0 &&
	    proto == IPPROTO_UDP;
}

SHIM_EXPORT int
bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	int one = 1;

	if (shim_fd_kind(fd) & SHIM_FD_PFKEY)
		return fail(EOPNOTSUPP);
	/* Join ipsecd's group; without it the bind fails as it would. */
	if (is_natt_bind(fd, sa, len))
		(void)SHIM_REAL(setsockopt, setsockopt_fn)(
		    fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	return SHIM_REAL(bind, addr_fn)(fd, sa, len);
}

SHIM_EXPORT int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (shim_fd_kind(fd) & SHIM_FD_PFKEY)
		return fail(EOPNOTSUPP);
	return SHIM_REAL(connect, addr_fn)(fd, sa, len);
}

SHIM_EXPORT int
listen(int fd, int backlog)
{
	if (shim_fd_kind(fd) & SHIM_FD_PFKEY)
		return fail(EOPNOTSUPP);
	return SHIM_REAL(listen, listen_fn)(fd, backlog);
}

SHIM_EXPORT int
accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	if (shim_fd_kind(fd) & SHIM_FD_PFKEY)
		return fail(EOPNOTSUPP);
	return SHIM_REAL(accept, name_fn)(fd, sa, len);
}

SHIM_EXPORT int
accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	if (shim_fd_kind(fd) & SHIM_FD_PFKEY)
		return fail(EOPNOTSUPP);
	return SHIM_REAL(accept4, accept4_fn)(fd, sa, len, flags);
}

SHIM_EXPORT int
shutdown(int fd, int how)
{
	if (shim_fd_kind(fd) & SHIM_FD_PFKEY)
		return fail(EOPNOTSUPP);
	return SHIM_REAL(shutdown, listen_fn)(fd, how);
}

SHIM_EXPORT int
getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	if (shim_fd_kind(fd) & SHIM_FD_PFKEY)
		return fail(EOPNOTSUPP);
	return SHIM_REAL(getsockname, name_fn)(fd, sa, len);
}

SHIM_EXPORT int
getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	if (shim_fd_kind(fd) & SHIM_FD_PFKEY)
		return fail(EOPNOTSUPP);
	return SHIM_REAL(getpeername, name_fn)(fd, sa, len);
}

/* IP_IPSEC_POLICY / IPV6_IPSEC_POLICY: check, record, never the kernel. */
static int
socket_policy(int fd, int level, int name, const void *val, socklen_t len)
{
	struct shim_policy p;
	char req[512], reply[512];
	uint32_t mark, zero = 0;
	unsigned kind;
	int family = 0, err;
	socklen_t fl = sizeof(family);
	size_t n;

	if (SHIM_REAL(getsockopt, getsockopt_fn)(
		fd, SOL_SOCKET, SO_DOMAIN, &family, &fl) == -1)
		return -1;
	if ((err = shim_policy_check(family, level, name, val, len, &p)) != 0)
		return fail(err);
	n = shim_policy_request(
	    req, sizeof(req), (long)getpid(), fd, family, &p);
	if (n > 0)
		n = record_reply(req, n, reply, sizeof(reply));
	kind = shim_fd_kind(fd);
	if (p.op == SHIM_POL_CLEAR) {
		if (kind & SHIM_FD_MARKED)
			SHIM_REAL(setsockopt, setsockopt_fn)
		(fd, SOL_SOCKET, SO_MARK, &zero, sizeof(zero));
		shim_fd_set(fd, kind & ~(SHIM_FD_SOCKPOL | SHIM_FD_MARKED));
		return 0;
	}
	kind |= SHIM_FD_SOCKPOL;
	/*
	 * An outbound bypass: the socket's packets must not be routed into
	 * an ipsecN device, and the policy-routing rule skips those with
	 * the daemon's mark.  Without a reply there is no mark to set.
	 */
	if (p.dir == IPSEC_DIR_OUTBOUND && n > 0 &&
	    shim_reply_mark(reply, n, &mark) &&
	    SHIM_REAL(setsockopt, setsockopt_fn)(
		fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0)
		kind |= SHIM_FD_MARKED;
	shim_fd_set(fd, kind);
	return 0;
}

SHIM_EXPORT int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int err;

	if (shim_fd_kind(fd) & SHIM_FD_PFKEY) {
		/* af_key has no options of its own (no setsockopt op). */
		if (level != SOL_SOCKET)
			return fail(EOPNOTSUPP);
	} else if ((level == IPPROTO_IP && name == IP_IPSEC_POLICY) ||
	    (level == IPPROTO_IPV6 && name == IPV6_IPSEC_POLICY)) {
		return socket_policy(fd, level, name, val, len);
	} else if (level == IPPROTO_UDP && name == UDP_ENCAP &&
	    shim_encap_check(val, len, &err)) {
		return err != 0 ? fail(err) : 0;
	}
	return SHIM_REAL(setsockopt, setsockopt_fn)(fd, level, name, val, len);
}

/* SO_TYPE, SO_DOMAIN and SO_PROTOCOL of a PF_KEY socket. */
static int
pfkey_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int v;

	if (level != SOL_SOCKET)
		return fail(EOPNOTSUPP);
	switch (name) {
	case SO_TYPE:
		v = SOCK_RAW;
		break;
	case SO_DOMAIN:
		v = PF_KEY;
		break;
	case SO_PROTOCOL:
		v = PF_KEY_V2;
		break;
	default:
		return SHIM_REAL(getsockopt, getsockopt_fn)(
		    fd, level, name, val, len);
	}
	if (val == NULL || len == NULL)
		return fail(EFAULT);
	if (*len > sizeof(v))
		*len = sizeof(v);
	memcpy(val, &v, *len);
	return 0;
}

SHIM_EXPORT int
getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	if (shim_fd_kind(fd) & SHIM_FD_PFKEY)
		return pfkey_getsockopt(fd, level, name, val, len);
	return SHIM_REAL(getsockopt, getsockopt_fn)(fd, level, name, val, len);
}
