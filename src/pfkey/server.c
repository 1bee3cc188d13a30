/*
 * The PF_KEY server's sockets: listening, accepting clients that pass
 * the peer checks, receiving their messages and dispatching each to its
 * handler (af_key's pfkey_sendmsg and pfkey_process), and the internal
 * client of pfkey_server_inject.
 *
 * Order of events for one message, as in af_key:
 *   1. the base header (pfkey_msg_parse, has_hdr false on failure): a
 *      refused one gets the error reply described in server.h, to the
 *      sender alone (it stands for a failed send(), which nobody else
 *      sees);
 *   2. a copy to every promiscuous socket (BROADCAST_PROMISC_ONLY);
 *   3. the rest of the parse, then the handler: a refusal at either step
 *      is pfkey_compose_error's reply to the sender.
 * The receive buffer is wiped after each message: it may hold keys.
 */
#include "config.h"

#include "pfkey/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "common/secret.h"
#include "pfkey/server_int.h"

/* Groups read from SO_PEERGROUPS at most (NGROUPS_MAX is 65536). */
#define SRV_PEER_GROUPS 1024

static const srv_handler handlers[SADB_MAX + 1] = {
	[SADB_GETSPI] = srv_getspi,
	[SADB_UPDATE] = srv_add,
	[SADB_ADD] = srv_add,
	[SADB_DELETE] = srv_delete,
	[SADB_GET] = srv_get,
	[SADB_ACQUIRE] = srv_user_acquire,
	[SADB_REGISTER] = srv_register,
	[SADB_FLUSH] = srv_flush,
	[SADB_DUMP] = srv_dump,
	[SADB_X_PROMISC] = srv_promisc,
	[SADB_X_SPDUPDATE] = srv_spdadd,
	[SADB_X_SPDADD] = srv_spdadd,
	[SADB_X_SPDDELETE] = srv_spddelete,
	[SADB_X_SPDGET] = srv_spdget,
	[SADB_X_SPDDUMP] = srv_spddump,
	[SADB_X_SPDFLUSH] = srv_spdflush,
	[SADB_X_SPDSETIDX] = srv_spdadd,
	[SADB_X_SPDDELETE2] = srv_spdget,
	[SADB_X_MIGRATE] = srv_migrate,
};

struct pfkey_hdr
srv_reply_hdr(const struct pfkey_hdr *h, uint8_t type, uint8_t satype)
{
	struct pfkey_hdr r;

	memset(&r, 0, sizeof(r));
	r.version = PF_KEY_V2;
	r.type = type;
	r.satype = satype;
	r.seq = h->seq;
	r.pid = h->pid;
	return r;
}

/* The header for the reply to bytes whose base header was refused. */
static void
raw_hdr(const uint8_t *buf, size_t len, struct pfkey_hdr *h)
{
	struct sadb_msg m;

	memset(h, 0, sizeof(*h));
	if (!pfkey_ext_copy(buf, len, &m, sizeof(m)))
		return;
	h->type = m.sadb_msg_type;
	h->satype = m.sadb_msg_satype;
	h->seq = m.sadb_msg_seq;
	h->pid = m.sadb_msg_pid;
}

/*
 * One message from c: parse, promiscuous copy, handler, error reply.
 * Returns 0 or the errno answered.
 */
static int
dispatch(struct pfkey_server *s, struct srv_client *c, const uint8_t *buf,
    size_t len, struct pfkey_err *err)
{
	struct pfkey_msg m;
	struct pfkey_hdr h;
	int rc;

	s->st.received++;
	if (len > PFKEY_SERVER_MSG_MAX) {
		raw_hdr(buf, len, &h);
		pfkey_err_set(err, EMSGSIZE, "message of %zu bytes, at most %u",
		    len, PFKEY_SERVER_MSG_MAX);
		err->has_hdr = false;
		srv_error(s, c, &h, EMSGSIZE, SRV_ONLY);
		return EMSGSIZE;
	}
	if (!pfkey_msg_parse(&m, buf, len, PFKEY_ORIGIN_USER, err) &&
	    !err->has_hdr) {
		raw_hdr(buf, len, &h);
		srv_error(s, c, &h, err->code, SRV_ONLY);
		return err->code;
	}
	srv_deliver(s, buf, len, SRV_PROMISC_ONLY, NULL, 0);
	if (err->code != 0) {
		srv_error(s, c, &m.hdr, err->code, SRV_ONE);
		return err->code;
	}
	if (handlers[m.hdr.type] == NULL) {
		/* The parser refuses the types af_key has no handler for. */
		pfkey_err_set(err, EOPNOTSUPP, "%s: no handler",
		    pfkey_msg_name(m.hdr.type));
		rc = EOPNOTSUPP;
	} else {
		rc = handlers[m.hdr.type](s, c, &m, err);
	}
	if (rc != 0) {
		if (err->code == 0)
			err->code = rc;
		srv_error(s, c, &m.hdr, rc, SRV_ONE);
	}
	return rc;
}

/*
 * Close every client marked dead: a failed send only marks it, because
 * the delivery loop that found out is still walking the list.
 */
void
srv_reap(struct pfkey_server *s)
{
	struct srv_client **pp = &s->clients, *c;

	if (s->in_dispatch)
		return;
	while ((c = *pp) != NULL) {
		if (!c->is_dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		srv_client_clear(c);
		free(c);
		s->st.clients--;
	}
}

void
srv_client_kill(struct srv_client *c)
{
	if (c->fd < 0 || c->is_dead)
		return;
	c->is_dead = true;
	if (c->ev_read != NULL)
		event_del(c->ev_read);
	if (c->ev_write != NULL)
		event_del(c->ev_write);
	c->is_writing = false;
}

/*
 * An empty record and the end of the stream both read as 0 bytes on a
 * SEQPACKET socket; the peer's hang-up tells them apart.
 */
static bool
is_eof(int fd)
{
	struct pollfd p = { fd, POLLRDHUP, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP));
}

static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct srv_client *c = arg;
	struct pfkey_server *s = c->srv;
	struct pfkey_err err;
	ssize_t n;

	(void)what;
	s->in_dispatch = true;
	for (int i = 0; i < SRV_READ_BATCH && !c->is_dead; i++) {
		n = recv(fd, s->rbuf, PFKEY_SERVER_MSG_MAX + 1,
		    MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				srv_client_kill(c);
			break;
		}
		if (n == 0 && is_eof(fd)) {
			srv_client_kill(c);
			break;
		}
		dispatch(s, c, s->rbuf, (size_t)n, &err);
		secret_wipe(s->rbuf,
		    (size_t)n > PFKEY_SERVER_MSG_MAX ? PFKEY_SERVER_MSG_MAX + 1
						     : (size_t)n);
	}
	s->in_dispatch = false;
	srv_reap(s);
}

static void
write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct srv_client *c = arg;
	struct pfkey_server *s = c->srv;

	(void)fd;
	(void)what;
	s->in_dispatch = true;
	srv_client_flush(c);
	if (!c->is_dead && c->dump != NULL)
		srv_dump_step(c);
	s->in_dispatch = false;
	srv_reap(s);
}

/* uid 0, or gid among the peer's groups. */
static bool
peer_allowed(int fd, gid_t gid, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);
	gid_t *groups;
	bool ok = false;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) == -1 ||
	    len != sizeof(*cred))
		return false;
	if (cred->uid == 0 || cred->gid == gid)
		return true;
	if ((groups = calloc(SRV_PEER_GROUPS, sizeof(*groups))) == NULL)
		return false;
	len = SRV_PEER_GROUPS * sizeof(*groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		for (size_t i = 0; i < len / sizeof(*groups); i++)
			if (groups[i] == gid)
				ok = true;
	free(groups);
	return ok;
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct pfkey_server *s = arg;
	struct srv_client *c;
	struct ucred cred;
	int fd;

	(void)what;
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("pfkey: accept");
		return;
	}
	if (!peer_allowed(fd, s->gid, &cred)) {
		/* Logged at the 1st, 2nd, 4th, 8th... refusal: a local user
		 * knocking in a loop cannot fill the log. */
		s->st.rejected++;
		if ((s->st.rejected & (s->st.rejected - 1)) == 0)
			log_info("pfkey: refused a client (uid %u, pid %d): "
				 "not root nor in group %u (%llu refused)",
			    (unsigned)cred.uid, (int)cred.pid, (unsigned)s->gid,
			    (unsigned long long)s->st.rejected);
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("pfkey: client");
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->ev_read = event_new(s->base, fd, EV_READ | EV_PERSIST, read_cb, c);
	c->ev_write =
	    event_new(s->base, fd, EV_WRITE | EV_PERSIST, write_cb, c);
	if (c->ev_read == NULL || c->ev_write == NULL ||
	    event_add(c->ev_read, NULL) == -1) {
		log_warnx("pfkey: client events");
		srv_client_clear(c);
		free(c);
		return;
	}
	c->next = s->clients;
	s->clients = c;
	s->st.clients++;
	s->st.accepted++;
	log_debug("%s: client uid %u pid %d", __func__, (unsigned)cred.uid,
	    (int)cred.pid);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pfkey_server_tick(arg);
}

struct pfkey_server *
pfkey_server_new(const struct pfkey_ctx *ctx, struct event_base *base)
{
	struct pfkey_server *s;
	struct timeval one = { 1, 0 };

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->ctx = *ctx;
	if (s->ctx.acq_expires_sec == 0)
		s->ctx.acq_expires_sec = PFKEY_SERVER_ACQ_EXPIRES;
	s->base = base;
	s->lfd = -1;
	s->internal.srv = s;
	s->internal.fd = -1;
	s->reqid = PFKEY_SERVER_REQID_MANUAL_MAX;
	if ((s->rbuf = malloc(PFKEY_SERVER_MSG_MAX + 1)) == NULL)
		goto fail;
	if (base != NULL) {
		s->ev_tick = event_new(base, -1, EV_PERSIST, tick_cb, s);
		if (s->ev_tick == NULL || event_add(s->ev_tick, &one) == -1)
			goto fail;
	}
	return s;
fail:
	if (s->ev_tick != NULL)
		event_free(s->ev_tick);
	free(s->rbuf);
	free(s);
	return NULL;
}

int
pfkey_server_listen(struct pfkey_server *s, const char *path, gid_t gid)
{
	struct sockaddr_un sun;
	int fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (s->base == NULL || s->lfd != -1 ||
	    strlen(path) >= sizeof(sun.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		goto fail;
	if (chown(path, (uid_t)-1, gid) == -1 || chmod(path, 0660) == -1 ||
	    listen(fd, 64) == -1)
		goto fail_unlink;
	s->ev_listen =
	    event_new(s->base, fd, EV_READ | EV_PERSIST, accept_cb, s);
	if (s->ev_listen == NULL || event_add(s->ev_listen, NULL) == -1) {
		errno = ENOMEM;
		goto fail_unlink;
	}
	s->lfd = fd;
	s->gid = gid;
	memcpy(s->path, sun.sun_path, sizeof(s->path));
	return 0;
fail_unlink:
	saved = errno;
	unlink(path);
	errno = saved;
fail:
	saved = errno;
	if (s->ev_listen != NULL) {
		event_free(s->ev_listen);
		s->ev_listen = NULL;
	}
	close(fd);
	errno = saved;
	return -1;
}

void
pfkey_server_free(struct pfkey_server *s)
{
	struct srv_client *c, *next;

	if (s == NULL)
		return;
	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		srv_client_clear(c);
		free(c);
	}
	srv_client_clear(&s->internal);
	srv_acq_free_all(s);
	srv_plife_free_all(s);
	if (s->ev_listen != NULL)
		event_free(s->ev_listen);
	if (s->lfd != -1) {
		close(s->lfd);
		unlink(s->path);
	}
	if (s->ev_tick != NULL)
		event_free(s->ev_tick);
	if (s->rbuf != NULL)
		secret_wipe(s->rbuf, PFKEY_SERVER_MSG_MAX + 1);
	free(s->rbuf);
	free(s);
}

int
pfkey_server_inject(
    struct pfkey_server *s, const void *buf, size_t len, struct pfkey_err *err)
{
	struct pfkey_err local;
	bool was = s->in_dispatch;
	int rc;

	if (err == NULL)
		err = &local;
	s->in_dispatch = true;
	rc = dispatch(s, &s->internal, buf, len, err);
	s->in_dispatch = was;
	srv_reap(s);
	return rc;
}

void
pfkey_server_stats(const struct pfkey_server *s, struct pfkey_server_stats *st)
{
	*st = s->st;
}
