/*
 * ipsecctl's PF_KEY commands (keycmd.h): a connection to ipsecd's PF_KEY
 * socket, requests answered by their (pid, seq), setkey files sent
 * command by command, dumps read to their seq 0, and the monitor.
 *
 * Every message from ipsecd is parsed as the kernel side's
 * (pfkey_msg_parse, PFKEY_ORIGIN_KERNEL) before anything reads it, and
 * shown through setkey_fmt (setkey -D / -DP formats).  Receive buffers
 * and built messages are wiped after use: they carry keys.
 */
#include "config.h"

#include "ipsecctl/keycmd.h"

#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/udp.h>

#include "common/secret.h"
#include "crypto/alg.h"
#include "pfkey/pfkey_build.h"
#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_ext.h"
#include "pfkey/pfkey_msg.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_fmt.h"
#include "pfkey/setkey_msg.h"

/* A message from ipsecd: at most a PF_KEY message's 65535 units. */
#define KC_RECV_MAX (65535u * 8u)
#define KC_SEND_MAX 8192u

struct conn {
	const struct keycmd_opts *o;
	FILE *out;
	FILE *err;
	int fd;
	uint32_t pid;
	uint32_t seq;
	uint8_t *buf; /* KC_RECV_MAX bytes */
	size_t len;
	struct pfkey_msg m;
};

static int
conn_open(struct conn *c, const struct keycmd_opts *o)
{
	struct sockaddr_un sun;

	memset(c, 0, sizeof(*c));
	c->o = o;
	c->out = o->out != NULL ? o->out : stdout;
	c->err = o->err != NULL ? o->err : stderr;
	c->fd = -1;
	c->pid = (uint32_t)getpid();
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (o->path == NULL || strlen(o->path) >= sizeof(sun.sun_path)) {
		fprintf(c->err,
		    "ipsecctl: PF_KEY socket path \"%s\" is not "
		    "a socket path\n",
		    o->path != NULL ? o->path : "");
		return KEYCMD_NOCONN;
	}
	strcpy(sun.sun_path, o->path);
	if ((c->buf = malloc(KC_RECV_MAX)) == NULL) {
		fprintf(c->err, "ipsecctl: out of memory\n");
		return KEYCMD_REFUSED;
	}
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd == -1 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(c->err,
		    "ipsecctl: %s: %s (is ipsecd running, and are "
		    "you root or in its group?)\n",
		    o->path, strerror(errno));
		return KEYCMD_NOCONN;
	}
	return KEYCMD_OK;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	if (c->buf != NULL) {
		secret_wipe(c->buf, c->len);
		free(c->buf);
	}
	c->buf = NULL;
}

static int
closed(struct conn *c)
{
	fprintf(c->err,
	    "ipsecctl: %s: ipsecd closed the connection (not root nor in "
	    "its group?)\n",
	    c->o->path);
	return KEYCMD_NOCONN;
}

static int
conn_send(struct conn *c, const uint8_t *msg, size_t len)
{
	if (send(c->fd, msg, len, MSG_NOSIGNAL) == (ssize_t)len)
		return KEYCMD_OK;
	if (errno == EPIPE || errno == ECONNRESET)
		return closed(c);
	fprintf(
	    c->err, "ipsecctl: %s: send: %s\n", c->o->path, strerror(errno));
	return KEYCMD_REFUSED;
}

/*
 * The next message into c->m, waiting up to timeout_ms (-1: forever).
 * is_any: a promiscuous socket's, which may be a request of another
 * client (parsed as a key manager's when it is not the kernel side's).
 */
static int
conn_recv(struct conn *c, int timeout_ms, bool is_any)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	struct pfkey_err err;
	ssize_t n;
	int rc;

	secret_wipe(c->buf, c->len);
	c->len = 0;
	while ((rc = poll(&p, 1, timeout_ms)) == -1 && errno == EINTR)
		;
	if (rc == 0) {
		fprintf(c->err, "ipsecctl: %s: no answer from ipsecd in %d s\n",
		    c->o->path, KEYCMD_REPLY_TIMEOUT);
		return KEYCMD_REFUSED;
	}
	n = recv(c->fd, c->buf, KC_RECV_MAX, MSG_TRUNC);
	if (n == 0 || (n == -1 && errno == ECONNRESET))
		return closed(c);
	if (n < 0 || (size_t)n > KC_RECV_MAX) {
		fprintf(c->err, "ipsecctl: %s: receive: %s\n", c->o->path,
		    n < 0 ? strerror(errno) : "message too long");
		return KEYCMD_REFUSED;
	}
	c->len = (size_t)n;
	if (!pfkey_msg_parse(
		&c->m, c->buf, c->len, PFKEY_ORIGIN_KERNEL, &err) &&
	    (!is_any ||
		!pfkey_msg_parse(
		    &c->m, c->buf, c->len, PFKEY_ORIGIN_USER, &err))) {
		fprintf(
		    c->err, "ipsecctl: bad message from ipsecd: %s\n", err.why);
		return KEYCMD_REFUSED;
	}
	return KEYCMD_OK;
}

/* Wait for the reply with our pid and seq (others are skipped). */
static int
conn_reply(struct conn *c, uint32_t seq)
{
	int rc;

	do {
		if ((rc = conn_recv(c, KEYCMD_REPLY_TIMEOUT * 1000, false)) !=
		    0)
			return rc;
	} while (c->m.hdr.pid != c->pid || c->m.hdr.seq != seq);
	return KEYCMD_OK;
}

/* Send a bare header of type; its seq into *seq. */
static int
send_bare(struct conn *c, uint8_t type, uint8_t satype, uint32_t *seq)
{
	uint8_t buf[PFKEY_HDR_LEN];
	struct pfkey_hdr h;
	struct pfkey_wr w;
	size_t n;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.satype = satype;
	h.seq = *seq = ++c->seq;
	h.pid = c->pid;
	pfkey_wr_init(&w, buf, sizeof(buf));
	if (!pfkey_build_hdr(&w, &h) || (n = pfkey_build_finish(&w)) == 0)
		return KEYCMD_REFUSED;
	return conn_send(c, buf, n);
}

/* Send a bare header of type and wait for its reply. */
static int
conn_bare(struct conn *c, uint8_t type, uint8_t satype)
{
	uint32_t seq;
	int rc;

	if ((rc = send_bare(c, type, satype, &seq)) != 0)
		return rc;
	return conn_reply(c, seq);
}

/* --- showing SAs and policies --- */

static void
get_lifetime(const struct pfkey_msg *m, unsigned type, struct sa_lifetime *l,
    struct sadb_lifetime *raw)
{
	struct sadb_lifetime h;
	const uint8_t *p;
	size_t len;

	memset(&h, 0, sizeof(h));
	if ((p = pfkey_msg_ext(m, type, &len)) != NULL)
		pfkey_ext_copy(p, len, &h, sizeof(h));
	if (l != NULL) {
		l->packets = h.sadb_lifetime_allocations;
		l->bytes = h.sadb_lifetime_bytes;
		l->add_sec = h.sadb_lifetime_addtime;
		l->use_sec = h.sadb_lifetime_usetime;
	}
	if (raw != NULL)
		*raw = h;
}

static void
get_key(const struct pfkey_msg *m, unsigned type, uint8_t *out, uint8_t *len)
{
	struct pfkey_err err;
	const uint8_t *p, *key;
	unsigned bits;
	size_t elen, n;

	if ((p = pfkey_msg_ext(m, type, &elen)) == NULL ||
	    !pfkey_ext_key(p, elen, &key, &bits, &err))
		return;
	n = bits / 8u;
	if (n > ALG_KEY_MAX)
		n = ALG_KEY_MAX;
	memcpy(out, key, n);
	*len = (uint8_t)n;
}

static enum sa_state
sa_state_of(uint8_t s)
{
	switch (s) {
	case SADB_SASTATE_LARVAL:
		return SA_STATE_LARVAL;
	case SADB_SASTATE_MATURE:
		return SA_STATE_MATURE;
	case SADB_SASTATE_DYING:
		return SA_STATE_DYING;
	}
	return SA_STATE_DEAD;
}

/*
 * The SA of a message of the kernel side, as far as it shows: unlike
 * pfkey_conv_sa this takes messages without keys (broadcasts, larval
 * SAs) and algorithms it cannot use.
 */
static bool
sa_of(const struct pfkey_msg *m, struct sa *sa, struct setkey_sa_info *in)
{
	struct pfkey_address a;
	struct pfkey_err err;
	struct sadb_sa h;
	struct sadb_x_sa2 h2;
	struct sadb_x_nat_t_port port;
	struct sadb_lifetime cur;
	const uint8_t *p;
	size_t len;

	memset(sa, 0, sizeof(*sa));
	if ((p = pfkey_msg_ext(m, SADB_EXT_SA, &len)) == NULL ||
	    !pfkey_ext_copy(p, len, &h, sizeof(h)))
		return false;
	sa->spi = ntohl(h.sadb_sa_spi);
	sa->proto = pfkey_satype_proto(m->hdr.satype);
	sa->replay_window = h.sadb_sa_replay;
	if (h.sadb_sa_flags & SADB_SAFLAGS_NOECN)
		sa->flags |= SA_F_NOECN;
	if (h.sadb_sa_flags & SADB_SAFLAGS_DECAP_DSCP)
		sa->flags |= SA_F_DECAP_DSCP;
	if (h.sadb_sa_flags & SADB_SAFLAGS_NOPMTUDISC)
		sa->flags |= SA_F_NOPMTUDISC;
	if (sa->proto == IPPROTO_COMP) {
		sa->calg = h.sadb_sa_encrypt;
	} else {
		sa->key.enc = alg_by_sadb(ALG_ENCR, h.sadb_sa_encrypt);
		sa->key.auth = alg_by_sadb(ALG_AUTH, h.sadb_sa_auth);
		get_key(
		    m, SADB_EXT_KEY_ENCRYPT, sa->key.enc_key, &sa->key.enc_len);
		get_key(
		    m, SADB_EXT_KEY_AUTH, sa->key.auth_key, &sa->key.auth_len);
	}
	if ((p = pfkey_msg_ext(m, SADB_X_EXT_SA2, &len)) != NULL &&
	    pfkey_ext_copy(p, len, &h2, sizeof(h2))) {
		sa->mode = h2.sadb_x_sa2_mode;
		sa->reqid = h2.sadb_x_sa2_reqid;
	}
	if ((p = pfkey_msg_ext(m, SADB_EXT_ADDRESS_SRC, &len)) != NULL &&
	    pfkey_ext_address(p, len, &a, &err))
		sa->src = a.addr;
	if ((p = pfkey_msg_ext(m, SADB_EXT_ADDRESS_DST, &len)) != NULL &&
	    pfkey_ext_address(p, len, &a, &err))
		sa->dst = a.addr;
	if (pfkey_msg_has(m, SADB_X_EXT_NAT_T_TYPE)) {
		sa->flags |= SA_F_UDP_ENCAP;
		if ((p = pfkey_msg_ext(m, SADB_X_EXT_NAT_T_SPORT, &len)) !=
			NULL &&
		    pfkey_ext_copy(p, len, &port, sizeof(port)))
			sa->encap_sport = ntohs(port.sadb_x_nat_t_port_port);
		if ((p = pfkey_msg_ext(m, SADB_X_EXT_NAT_T_DPORT, &len)) !=
			NULL &&
		    pfkey_ext_copy(p, len, &port, sizeof(port)))
			sa->encap_dport = ntohs(port.sadb_x_nat_t_port_port);
	}
	get_lifetime(m, SADB_EXT_LIFETIME_HARD, &sa->hard, NULL);
	get_lifetime(m, SADB_EXT_LIFETIME_SOFT, &sa->soft, NULL);
	get_lifetime(m, SADB_EXT_LIFETIME_CURRENT, NULL, &cur);
	memset(in, 0, sizeof(*in));
	in->state = sa_state_of(h.sadb_sa_state);
	in->bytes = cur.sadb_lifetime_bytes;
	in->packets = cur.sadb_lifetime_allocations;
	in->add_sec = cur.sadb_lifetime_addtime;
	in->use_sec = cur.sadb_lifetime_usetime;
	in->now_sec = (uint64_t)time(NULL);
	in->sadb_seq = m->hdr.seq;
	in->pid = m->hdr.pid;
	return true;
}

static unsigned
fmt_flags(const struct conn *c)
{
	return ((c->o->flags & KEYCMD_SHOW_KEYS) ? SETKEY_FMT_KEYS : 0) |
	    ((c->o->flags & KEYCMD_LOCALTIME) ? SETKEY_FMT_LOCALTIME : 0);
}

static void
show_sa(struct conn *c)
{
	struct setkey_sa_info in;
	struct setkey_out out;
	struct sa sa;

	if (!sa_of(&c->m, &sa, &in))
		return;
	setkey_out_file(&out, c->out);
	setkey_fmt_sa(&out, &sa, &in, fmt_flags(c));
	secret_wipe(&sa, sizeof(sa));
}

static void
show_policy(struct conn *c)
{
	struct setkey_spd_info in;
	struct setkey_out out;
	struct spd_policy pol;
	struct sadb_lifetime hard;
	struct pfkey_err err;

	if (!pfkey_conv_policy(&c->m, &pol, &err))
		return;
	get_lifetime(&c->m, SADB_EXT_LIFETIME_HARD, NULL, &hard);
	memset(&in, 0, sizeof(in));
	in.hard_add_sec = hard.sadb_lifetime_addtime;
	in.hard_use_sec = hard.sadb_lifetime_usetime;
	in.seq = c->m.hdr.seq;
	in.pid = c->m.hdr.pid;
	setkey_out_file(&out, c->out);
	setkey_fmt_policy(&out, &pol, &in, fmt_flags(c));
}

/* --- dumps --- */

/*
 * Read the replies of a dump just sent (our pid, the dump's type) to the
 * one with seq 0; each message goes to fn.  ENOENT is an empty table.
 */
static int
read_dump(struct conn *c, uint8_t type, uint32_t seq,
    void (*fn)(struct conn *c, void *arg), void *arg, bool *is_empty)
{
	int rc;

	*is_empty = false;
	for (;;) {
		if ((rc = conn_recv(c, KEYCMD_REPLY_TIMEOUT * 1000, false)) !=
		    0)
			return rc;
		if (c->m.hdr.pid != c->pid || c->m.hdr.type != type)
			continue;
		if (c->m.hdr.error != 0) {
			if (c->m.hdr.seq != seq)
				continue;
			if (c->m.hdr.error == ENOENT) {
				*is_empty = true;
				return KEYCMD_OK;
			}
			errno = c->m.hdr.error;
			return -1;
		}
		fn(c, arg);
		if (c->m.hdr.seq == 0)
			return KEYCMD_OK;
	}
}

static void
show_fn(struct conn *c, void *arg)
{
	bool is_spd = *(const bool *)arg;

	if (is_spd)
		show_policy(c);
	else
		show_sa(c);
}

/* DUMP or X_SPDDUMP of satype, printed; 0, -1 with errno, or rc. */
static int
dump(struct conn *c, bool is_spd, uint8_t satype)
{
	uint8_t type = is_spd ? SADB_X_SPDDUMP : SADB_DUMP;
	uint32_t seq;
	bool is_empty;
	int rc;

	if ((rc = send_bare(c, type, satype, &seq)) != 0)
		return rc;
	rc = read_dump(c, type, seq, show_fn, &is_spd, &is_empty);
	if (rc == 0 && is_empty)
		fprintf(c->out, "No %s entries.\n", is_spd ? "SPD" : "SAD");
	return rc;
}

int
keycmd_dump(const struct keycmd_opts *o, bool is_spd)
{
	struct conn c;
	int rc;

	if ((rc = conn_open(&c, o)) == 0) {
		rc = dump(&c, is_spd, SADB_SATYPE_UNSPEC);
		if (rc == -1) {
			fprintf(c.err, "ipsecctl: %s: %s\n",
			    is_spd ? "spddump" : "dump", strerror(errno));
			rc = KEYCMD_REFUSED;
		}
	}
	conn_close(&c);
	return rc;
}

int
keycmd_flush(const struct keycmd_opts *o, bool is_spd)
{
	struct conn c;
	int rc;

	if ((rc = conn_open(&c, o)) == 0 &&
	    (rc = conn_bare(&c, is_spd ? SADB_X_SPDFLUSH : SADB_FLUSH,
		 SADB_SATYPE_UNSPEC)) == 0 &&
	    c.m.hdr.error != 0) {
		fprintf(c.err, "ipsecctl: %s: %s\n",
		    is_spd ? "spdflush" : "flush", strerror(c.m.hdr.error));
		rc = KEYCMD_REFUSED;
	}
	conn_close(&c);
	return rc;
}

/* --- setkey files --- */

struct file_run {
	struct conn c;
	const char *name;
	bool is_open;
	int nocon; /* KEYCMD_NOCONN once the connection failed */
	unsigned nfailed;
	const struct setkey_cmd *cmd; /* deleteall's, for its dump */
	uint32_t *spis;
	size_t nspis;
	size_t cap;
};

/* "add esp 0x1000 192.0.2.1 192.0.2.2": what a refusal names. */
static void
describe(const struct setkey_cmd *cmd, char *buf, size_t size)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	switch (cmd->op) {
	case SETKEY_ADD:
	case SETKEY_UPDATE:
	case SETKEY_GETSPI:
	case SETKEY_GET:
	case SETKEY_DELETE:
	case SETKEY_DELETEALL:
		snprintf(buf, size, "%s %s 0x%x %s %s",
		    pfkey_msg_name(setkey_msg_type(cmd->op)),
		    cmd->sa.proto == IPPROTO_ESP      ? "esp"
			: cmd->sa.proto == IPPROTO_AH ? "ah"
						      : "ipcomp",
		    cmd->sa.spi, addr_fmt(&cmd->sa.src, a, sizeof(a)),
		    addr_fmt(&cmd->sa.dst, b, sizeof(b)));
		break;
	case SETKEY_SPDADD:
	case SETKEY_SPDUPDATE:
	case SETKEY_SPDDELETE:
		snprintf(buf, size, "%s %s/%u %s/%u -P %s",
		    pfkey_msg_name(setkey_msg_type(cmd->op)),
		    addr_fmt(&cmd->pol.sel.src.addr, a, sizeof(a)),
		    cmd->pol.sel.src.len,
		    addr_fmt(&cmd->pol.sel.dst.addr, b, sizeof(b)),
		    cmd->pol.sel.dst.len,
		    cmd->pol.dir == SPD_DIR_IN	      ? "in"
			: cmd->pol.dir == SPD_DIR_OUT ? "out"
						      : "fwd");
		break;
	case SETKEY_FLUSH:
	case SETKEY_DUMP:
	case SETKEY_SPDFLUSH:
	case SETKEY_SPDDUMP:
		snprintf(
		    buf, size, "%s", pfkey_msg_name(setkey_msg_type(cmd->op)));
		break;
	}
}

static void
refused(struct file_run *r, const struct setkey_cmd *cmd, int code)
{
	char what[160];

	describe(cmd, what, sizeof(what));
	fprintf(r->c.err, "%s:%u: %s: %s\n", r->name, cmd->line, what,
	    strerror(code));
	r->nfailed++;
}

/* Send one built message and wait for its reply; the errno or -rc. */
static int
request(struct file_run *r, const uint8_t *msg, size_t len, uint32_t seq)
{
	int rc;

	if ((rc = conn_send(&r->c, msg, len)) != 0 ||
	    (rc = conn_reply(&r->c, seq)) != 0)
		return -rc;
	return r->c.m.hdr.error;
}

static void
collect_fn(struct conn *c, void *arg)
{
	struct file_run *r = arg;
	uint32_t spi, *tmp;

	if (!setkey_msg_deleteall_match(r->cmd, &c->m, &spi))
		return;
	if (r->nspis == r->cap) {
		r->cap = r->cap == 0 ? 16 : 2 * r->cap;
		if ((tmp = realloc(r->spis, r->cap * sizeof(*tmp))) == NULL)
			return;
		r->spis = tmp;
	}
	r->spis[r->nspis++] = spi;
}

/* deleteall as setkey on Linux: dump the type, delete each match. */
static int
deleteall(struct file_run *r, const struct setkey_cmd *cmd,
    const struct setkey_msg_opts *base)
{
	uint8_t buf[KC_SEND_MAX];
	struct setkey_msg_opts o = *base;
	struct pfkey_wr w;
	bool is_empty;
	size_t n;
	int rc;

	r->cmd = cmd;
	r->nspis = 0;
	o.seq = ++r->c.seq;
	pfkey_wr_init(&w, buf, sizeof(buf));
	if ((n = setkey_msg_build(&w, cmd, &o)) == 0)
		return EMSGSIZE;
	if ((rc = conn_send(&r->c, buf, n)) != 0)
		return -rc;
	rc = read_dump(&r->c, SADB_DUMP, o.seq, collect_fn, r, &is_empty);
	if (rc == -1)
		return errno;
	if (rc != 0)
		return -rc;
	for (size_t i = 0; i < r->nspis; i++) {
		o.seq = ++r->c.seq;
		pfkey_wr_init(&w, buf, sizeof(buf));
		if ((n = setkey_msg_delete_spi(&w, cmd, r->spis[i], &o)) == 0)
			return EMSGSIZE;
		if ((rc = request(r, buf, n, o.seq)) != 0)
			return rc;
	}
	return 0;
}

/* One command: 0, an errno of a refusal, or -KEYCMD_NOCONN etc. */
static int
run_cmd(struct file_run *r, const struct setkey_cmd *cmd)
{
	uint8_t buf[KC_SEND_MAX];
	struct setkey_msg_opts o;
	struct pfkey_wr w;
	size_t n;
	int rc;

	memset(&o, 0, sizeof(o));
	o.pid = r->c.pid;
	o.replay_window = r->c.o->replay_window;
	switch (cmd->op) {
	case SETKEY_DELETEALL:
		return deleteall(r, cmd, &o);
	case SETKEY_DUMP:
	case SETKEY_SPDDUMP:
		rc = dump(&r->c, cmd->op == SETKEY_SPDDUMP,
		    setkey_msg_satype(cmd->satype));
		return rc == -1 ? errno : -rc;
	default:
		break;
	}
	o.seq = ++r->c.seq;
	pfkey_wr_init(&w, buf, sizeof(buf));
	n = setkey_msg_build(&w, cmd, &o);
	rc = n == 0 ? EMSGSIZE : request(r, buf, n, o.seq);
	secret_wipe(buf, sizeof(buf));
	if (rc == 0 && cmd->op == SETKEY_GET)
		show_sa(&r->c);
	return rc;
}

static int
on_cmd(void *arg, const struct setkey_cmd *cmd)
{
	struct file_run *r = arg;
	int rc;

	if (!r->is_open) {
		if ((rc = conn_open(&r->c, r->c.o)) != 0) {
			r->nocon = rc;
			return -1;
		}
		r->is_open = true;
	}
	rc = run_cmd(r, cmd);
	if (rc < 0) {
		/* The connection is gone: stop here. */
		r->nocon = -rc;
		return -1;
	}
	if (rc > 0)
		refused(r, cmd, rc);
	return 0;
}

static void
on_error(void *arg, const char *msg)
{
	struct file_run *r = arg;

	fprintf(r->c.err, "%s\n", msg);
}

int
keycmd_file(const struct keycmd_opts *o, const char *name, FILE *in)
{
	struct file_run r;
	struct setkey_sink sink;
	unsigned nerrors = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	r.c.o = o;
	r.c.out = o->out != NULL ? o->out : stdout;
	r.c.err = o->err != NULL ? o->err : stderr;
	r.c.fd = -1;
	r.name = name;
	memset(&sink, 0, sizeof(sink));
	sink.on_cmd = on_cmd;
	sink.cmd_arg = &r;
	sink.on_error = on_error;
	sink.err_arg = &r;
	rc = setkey_parse_file(name, in, &sink, &nerrors);
	conn_close(&r.c);
	free(r.spis);
	if (r.nocon != 0)
		return r.nocon;
	return rc == 0 && nerrors == 0 && r.nfailed == 0 ? KEYCMD_OK
							 : KEYCMD_REFUSED;
}

/* --- monitor --- */

static void
show_any(struct conn *c)
{
	const struct pfkey_hdr *h = &c->m.hdr;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if ((c->o->flags & KEYCMD_LOCALTIME) ? localtime_r(&now, &tm) == NULL
					     : gmtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(c->out, "%s %s satype=%u seq=%u pid=%u", when,
	    pfkey_msg_name(h->type), h->satype, h->seq, h->pid);
	if (h->error != 0)
		fprintf(c->out, " errno=%u (%s)", h->error, strerror(h->error));
	fprintf(c->out, "\n");
	if (h->error != 0)
		return;
	if (pfkey_msg_has(&c->m, SADB_X_EXT_POLICY) &&
	    pfkey_msg_has(&c->m, SADB_EXT_LIFETIME_CURRENT))
		show_policy(c);
	else if (pfkey_msg_has(&c->m, SADB_EXT_SA) &&
	    pfkey_msg_has(&c->m, SADB_EXT_LIFETIME_CURRENT))
		show_sa(c);
	fflush(c->out);
}

int
keycmd_monitor(const struct keycmd_opts *o)
{
	struct pollfd p[2];
	struct conn c;
	sigset_t set, old;
	int sfd = -1, rc;

	if ((rc = conn_open(&c, o)) != 0)
		goto out;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, &old) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		fprintf(c.err, "ipsecctl: signals: %s\n", strerror(errno));
		rc = KEYCMD_REFUSED;
		goto out;
	}
	if ((rc = conn_bare(&c, SADB_X_PROMISC, 1)) != 0)
		goto restore;
	for (;;) {
		p[0] = (struct pollfd){ sfd, POLLIN, 0 };
		p[1] = (struct pollfd){ c.fd, POLLIN, 0 };
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			rc = KEYCMD_REFUSED;
			break;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			/* Taken, so it is not delivered when unblocked. */
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				rc = KEYCMD_REFUSED;
			else
				rc = KEYCMD_OK;
			/* What came before the signal is shown. */
			p[1].revents = 0;
			while (poll(&p[1], 1, 0) == 1 &&
			    conn_recv(&c, 0, true) == 0)
				show_any(&c);
			break;
		}
		if ((rc = conn_recv(&c, 0, true)) == KEYCMD_NOCONN) {
			rc = KEYCMD_REFUSED;
			break;
		}
		if (rc == 0)
			show_any(&c);
	}
restore:
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	if (sfd != -1)
		close(sfd);
	conn_close(&c);
	return rc;
}
