/*
 * The control socket server (control.h): listener, peer check, and one
 * client state machine on the control thread's event loop.
 *
 *          accept ──peer check──► reading ──request──► replying ──last──┐
 *            │ denied / busy        ▲   EV_READ only       EV_WRITE     │
 *            ▼                      └───────────────────────────────────┘
 *   one error message, close
 *
 * While a client is replying its read event is off, its write event on:
 * each time the socket can take a message, up to WRITE_BURST messages are
 * made (control_reply_next) and sent, then the loop serves others.  So
 * the output queue of a client is its socket buffer plus one message; a
 * client that stops reading holds nothing more, and is dropped when it
 * takes no message for the stall time.
 */
#include "config.h"

#include "daemon/control.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "common/secret.h"
#include "daemon/control_reply.h"
#include "daemon/daemon.h"

/* Messages sent per write event; connections accepted per read event. */
#define WRITE_BURST 8
#define ACCEPT_BURST 16
/* Supplementary groups read from the kernel at most (NGROUPS_MAX). */
#define PEER_GROUPS_MAX 65536
/* Pause accepting this long when out of descriptors. */
#define ACCEPT_PAUSE_SEC 1

struct control_client {
	LIST_ENTRY(control_client) link;
	struct control *ctl;
	int fd;
	pid_t pid;
	struct event *ev_read;
	struct event *ev_write;
	struct event *ev_stall;
	struct control_reply *reply; /* non-NULL while replying */
	uint8_t *out;		     /* CONTROL_MSG_MAX bytes, once needed */
	size_t out_len;		     /* a message not yet sent, 0 = none */
	bool is_last;		     /* that message ends the reply */
};

struct control {
	struct ipsecd *d;
	int fd;
	struct event *ev_accept;
	struct event *ev_resume; /* accepting again after EMFILE */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	gid_t gid;
	struct timeval stall;
	uint8_t *in;  /* CONTROL_REQ_MAX + 1: one request */
	uint8_t *out; /* CONTROL_MSG_MAX: refusals */
	LIST_HEAD(, control_client) clients;
	struct control_stats st;
};

bool
control_peer_check(
    uid_t uid, gid_t pgid, const gid_t *groups, size_t ngroups, gid_t gid)
{
	if (uid == 0 || pgid == gid)
		return true;
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/*
 * The peer check on a new connection: SO_PEERCRED, then SO_PEERGROUPS
 * (the kernel says ERANGE with the size it needs when ours is too small).
 */
static bool
peer_allowed(const struct control *ctl, int fd, struct ucred *cred)
{
	gid_t small[64], *groups = small;
	socklen_t len = sizeof(*cred);
	bool ok = false;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) != 0 ||
	    len != sizeof(*cred)) {
		log_warn("control: SO_PEERCRED");
		return false;
	}
	if (control_peer_check(cred->uid, cred->gid, NULL, 0, ctl->gid))
		return true;
	len = sizeof(small);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0) {
		if (errno != ERANGE || len > PEER_GROUPS_MAX * sizeof(gid_t) ||
		    (groups = malloc(len)) == NULL ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) !=
			0) {
			log_warn(
			    "control: SO_PEERGROUPS of pid %d", (int)cred->pid);
			goto out;
		}
	}
	ok = control_peer_check(
	    cred->uid, cred->gid, groups, len / sizeof(gid_t), ctl->gid);
out:
	if (groups != small)
		free(groups);
	return ok;
}

/* Send one error message on a connection we will not serve, and close. */
static void
refuse(struct control *ctl, int fd, const char *code, const char *msg)
{
	struct control_reply *r = control_reply_error(code, msg);
	size_t n = 0;
	bool is_last;

	ctl->st.denied++;
	if (r != NULL)
		n = control_reply_next(r, ctl->out, CONTROL_MSG_MAX, &is_last);
	if (n > 0 && send(fd, ctl->out, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("%s: send: %s", __func__, strerror(errno));
	control_reply_free(r);
	close(fd);
}

static void
client_free(struct control_client *c)
{
	struct control *ctl = c->ctl;

	LIST_REMOVE(c, link);
	ctl->st.clients--;
	event_free(c->ev_read);
	event_free(c->ev_write);
	event_free(c->ev_stall);
	control_reply_free(c->reply);
	if (c->out != NULL) {
		secret_wipe(c->out, CONTROL_MSG_MAX);
		free(c->out);
	}
	close(c->fd);
	free(c);
}

static void client_read(evutil_socket_t fd, short what, void *arg);
static void client_write(evutil_socket_t fd, short what, void *arg);

/* The reply is over: wait for the next request. */
static void
reply_done(struct control_client *c)
{
	control_reply_free(c->reply);
	c->reply = NULL;
	event_del(c->ev_write);
	event_del(c->ev_stall);
	if (event_add(c->ev_read, NULL) != 0) {
		log_warnx("control: cannot wait for pid %d", (int)c->pid);
		client_free(c);
	}
}

static void
client_stall(evutil_socket_t fd, short what, void *arg)
{
	struct control_client *c = arg;

	(void)fd;
	(void)what;
	c->ctl->st.stalled++;
	log_warnx("control: pid %d took no reply message for %ld ms; dropped",
	    (int)c->pid,
	    (long)(c->ctl->stall.tv_sec * 1000 + c->ctl->stall.tv_usec / 1000));
	client_free(c);
}

static void
client_write(evutil_socket_t fd, short what, void *arg)
{
	struct control_client *c = arg;
	struct control *ctl = c->ctl;

	(void)what;
	for (int i = 0; i < WRITE_BURST; i++) {
		if (c->out_len == 0) {
			c->out_len = control_reply_next(
			    c->reply, c->out, CONTROL_MSG_MAX, &c->is_last);
			if (c->out_len == 0) {
				log_warnx("control: no reply for pid %d; "
					  "dropped",
				    (int)c->pid);
				client_free(c);
				return;
			}
		}
		/* SOCK_SEQPACKET sends the whole message or nothing. */
		if (send(fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL) <
		    0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			log_debug("%s: pid %d: %s", __func__, (int)c->pid,
			    strerror(errno));
			client_free(c);
			return;
		}
		if (control_reply_has_keys(c->reply))
			secret_wipe(c->out, c->out_len);
		c->out_len = 0;
		ctl->st.messages++;
		event_add(c->ev_stall, &ctl->stall);
		if (c->is_last) {
			reply_done(c);
			return;
		}
	}
}

static void
client_read(evutil_socket_t fd, short what, void *arg)
{
	struct control_client *c = arg;
	struct control *ctl = c->ctl;
	char msg[64];
	ssize_t n;

	(void)what;
	/* MSG_TRUNC: the real size of a message longer than the buffer. */
	n = recv(fd, ctl->in, CONTROL_REQ_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* closed (or an empty message, which means nothing) */
		client_free(c);
		return;
	}
	ctl->st.requests++;
	if (n > CONTROL_REQ_MAX) {
		snprintf(msg, sizeof(msg), "request of %zd bytes; at most %d",
		    n, CONTROL_REQ_MAX);
		c->reply = control_reply_error("bad-request", msg);
	} else
		c->reply =
		    control_reply_new(ctl->d, ctl->in, (size_t)n, ipsecd_now());
	if (c->reply == NULL ||
	    (c->out == NULL && (c->out = malloc(CONTROL_MSG_MAX)) == NULL)) {
		log_warnx("control: out of memory for pid %d", (int)c->pid);
		client_free(c);
		return;
	}
	event_del(c->ev_read);
	if (event_add(c->ev_write, NULL) != 0 ||
	    event_add(c->ev_stall, &ctl->stall) != 0) {
		log_warnx("control: cannot reply to pid %d", (int)c->pid);
		client_free(c);
	}
}

static void
client_new(struct control *ctl, int fd)
{
	struct event_base *base = ctl->d->base;
	struct control_client *c;
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	char msg[128];

	if (!peer_allowed(ctl, fd, &cred)) {
		snprintf(msg, sizeof(msg),
		    "permission denied: uid %u is not root and gid %u is not "
		    "among its groups",
		    (unsigned)cred.uid, (unsigned)ctl->gid);
		log_info("control: pid %d uid %u refused", (int)cred.pid,
		    (unsigned)cred.uid);
		refuse(ctl, fd, "denied", msg);
		return;
	}
	if (ctl->st.clients >= CONTROL_CLIENTS_MAX) {
		snprintf(msg, sizeof(msg), "too many clients (at most %d)",
		    CONTROL_CLIENTS_MAX);
		refuse(ctl, fd, "busy", msg);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->pid = cred.pid;
	c->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, client_read, c);
	c->ev_write =
	    event_new(base, fd, EV_WRITE | EV_PERSIST, client_write, c);
	c->ev_stall = evtimer_new(base, client_stall, c);
	LIST_INSERT_HEAD(&ctl->clients, c, link);
	ctl->st.clients++;
	if (c->ev_read == NULL || c->ev_write == NULL || c->ev_stall == NULL ||
	    event_add(c->ev_read, NULL) != 0) {
		log_warnx("control: out of memory for pid %d", (int)c->pid);
		client_free(c);
	}
}

static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct control *ctl = arg;

	(void)fd;
	(void)what;
	if (event_add(ctl->ev_accept, NULL) != 0)
		log_warnx("control: cannot accept connections any more");
}

static void
accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control *ctl = arg;
	struct timeval pause = { ACCEPT_PAUSE_SEC, 0 };

	(void)what;
	for (int i = 0; i < ACCEPT_BURST; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd >= 0) {
			ctl->st.accepted++;
			client_new(ctl, cfd);
			continue;
		}
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno == ECONNABORTED)
			continue;
		/*
		 * Out of descriptors (or worse): the connection stays queued
		 * and the listener readable, so stop polling it a while
		 * rather than spin.
		 */
		log_warn("control: accept");
		event_del(ctl->ev_accept);
		event_add(ctl->ev_resume, &pause);
		return;
	}
}

/* Refuse to take over a path where a daemon still answers. */
static int
clear_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc, saved;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	saved = errno;
	close(fd);
	if (rc == 0) {
		errno = EADDRINUSE;
		return -1;
	}
	/* Nobody listens: a socket left by a daemon that is gone. */
	if (saved == ECONNREFUSED)
		return unlink(path);
	errno = saved;
	return -1;
}

/* Bind, set mode and group, then listen: nobody connects before. */
static int
listen_on(struct control *ctl)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, ctl->path, sizeof(sun.sun_path));
	if (clear_stale(ctl->path, &sun) != 0)
		return -1;
	ctl->fd =
	    socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		return -1;
	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		return -1;
	if (chmod(ctl->path, 0660) != 0 ||
	    chown(ctl->path, (uid_t)-1, ctl->gid) != 0 ||
	    listen(ctl->fd, CONTROL_CLIENTS_MAX) != 0) {
		int saved = errno;

		unlink(ctl->path);
		errno = saved;
		return -1;
	}
	return 0;
}

struct control *
control_new(struct ipsecd *d, const char *path, gid_t gid)
{
	struct control *ctl;
	int saved;

	if (strlen(path) >= sizeof(ctl->path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		return NULL;
	ctl->d = d;
	ctl->fd = -1;
	ctl->gid = gid;
	strncpy(ctl->path, path, sizeof(ctl->path) - 1);
	control_set_stall_ms(ctl, CONTROL_STALL_MS);
	LIST_INIT(&ctl->clients);
	ctl->in = malloc(CONTROL_REQ_MAX + 1);
	ctl->out = malloc(CONTROL_MSG_MAX);
	if (ctl->in == NULL || ctl->out == NULL)
		goto fail;
	if (listen_on(ctl) != 0)
		goto fail;
	ctl->ev_accept =
	    event_new(d->base, ctl->fd, EV_READ | EV_PERSIST, accept_cb, ctl);
	ctl->ev_resume = evtimer_new(d->base, accept_resume, ctl);
	if (ctl->ev_accept == NULL || ctl->ev_resume == NULL ||
	    event_add(ctl->ev_accept, NULL) != 0) {
		unlink(ctl->path);
		errno = ENOMEM;
		goto fail;
	}
	return ctl;
fail:
	saved = errno;
	if (ctl->ev_accept != NULL)
		event_free(ctl->ev_accept);
	if (ctl->ev_resume != NULL)
		event_free(ctl->ev_resume);
	if (ctl->fd >= 0)
		close(ctl->fd);
	free(ctl->in);
	free(ctl->out);
	free(ctl);
	errno = saved;
	return NULL;
}

void
control_free(struct control *ctl)
{
	if (ctl == NULL)
		return;
	while (!LIST_EMPTY(&ctl->clients))
		client_free(LIST_FIRST(&ctl->clients));
	event_free(ctl->ev_accept);
	event_free(ctl->ev_resume);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->in);
	secret_wipe(ctl->out, CONTROL_MSG_MAX);
	free(ctl->out);
	free(ctl);
}

void
control_set_stall_ms(struct control *ctl, unsigned ms)
{
	if (ms == 0)
		ms = 1;
	ctl->stall.tv_sec = ms / 1000;
	ctl->stall.tv_usec = (long)(ms % 1000) * 1000;
}

void
control_stats_get(const struct control *ctl, struct control_stats *st)
{
	*st = ctl->st;
}
