/*
 * Include files of manual SAs and policies, loaded at start and
 * re-applied as a difference on reload (incl.h).
 */
#include "config.h"

#include "daemon/incl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <urcu-qsbr.h>

#include "common/log.h"
#include "common/secret.h"
#include "daemon/conf.h"
#include "daemon/daemon.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_build.h"
#include "pfkey/server.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_msg.h"

/* What the include files installed: keys only, never key material. */
struct incl_sa {
	uint32_t spi;
	uint8_t proto;
	struct addr src;
	struct addr dst;
};

struct incl_sp {
	uint8_t dir;
	struct selector sel;
};

struct incl {
	struct incl_sa *sa;
	size_t nsa;
	struct incl_sp *sp;
	size_t nsp;
};

static void
incl_error(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("%s", msg);
}

/* The parsed include files of a configuration, one list per file. */
struct files {
	size_t n;
	struct setkey_list *l;
	const struct conf *c;
};

static void
files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++)
		setkey_list_free(&f->l[i]);
	free(f->l);
	f->l = NULL;
	f->n = 0;
}

/*
 * Parse the include files of c into f (every file, every error logged).
 * -1 when any file could not be read or had an error.
 */
static int
parse_all(const struct conf *c, struct files *f)
{
	int rc = 0;

	f->c = c;
	f->n = c->nincludes;
	if (f->n > 0 && (f->l = calloc(f->n, sizeof(*f->l))) == NULL) {
		f->n = 0;
		return -1;
	}
	for (size_t i = 0; i < c->nincludes; i++) {
		const struct conf_include *inc = &c->includes[i];
		struct setkey_sink sink = { setkey_list_push, &f->l[i],
			incl_error, NULL };
		char why[CONF_WHY_MAX];
		unsigned nerr = 0;
		FILE *fp;
		int fd;

		if ((fd = open(inc->path, O_RDONLY | O_CLOEXEC)) == -1) {
			log_warn(
			    "%s:%u: include %s", c->file, inc->line, inc->path);
			rc = -1;
			continue;
		}
		if (!conf_secret_check_fd(fd, why, sizeof(why))) {
			log_warnx("%s:%u: include %s: %s", c->file, inc->line,
			    inc->path, why);
			close(fd);
			rc = -1;
			continue;
		}
		if ((fp = fdopen(fd, "r")) == NULL) {
			log_warn("%s", inc->path);
			close(fd);
			rc = -1;
			continue;
		}
		if (setkey_parse_file(inc->path, fp, &sink, &nerr) != 0 ||
		    nerr > 0)
			rc = -1;
		fclose(fp);
	}
	return rc;
}

/* Build cmd's message and run it through the server; 0 or the errno. */
static int
run_cmd(struct ipsecd *d, const struct setkey_cmd *cmd, const char *file,
    unsigned replay)
{
	struct setkey_msg_opts o = { 0, 0, replay };
	struct pfkey_err err;
	struct pfkey_wr w;
	uint8_t buf[4096];
	size_t len;
	int rc;

	pfkey_wr_init(&w, buf, sizeof(buf));
	if ((len = setkey_msg_build(&w, cmd, &o)) == 0) {
		log_warnx("%s:%u: command too large", file, cmd->line);
		return EMSGSIZE;
	}
	memset(&err, 0, sizeof(err));
	rc = pfkey_server_inject(d->pfkey, buf, len, &err);
	secret_wipe(buf, len);
	if (rc != 0)
		log_warnx("%s:%u: %s (%s)", file, cmd->line,
		    err.why[0] != '\0' ? err.why : "refused", strerror(rc));
	return rc;
}

static bool
is_sa_add(enum setkey_op op)
{
	return op == SETKEY_ADD || op == SETKEY_UPDATE;
}

static bool
is_sp_add(enum setkey_op op)
{
	return op == SETKEY_SPDADD || op == SETKEY_SPDUPDATE;
}

/* The keys of what the files add; -1 on allocation failure. */
static int
keys_of(const struct files *f, struct incl *in)
{
	size_t n = 0;

	memset(in, 0, sizeof(*in));
	for (size_t j = 0; j < f->n; j++)
		n += f->l[j].ncmds;
	if (n == 0)
		return 0;
	in->sa = calloc(n, sizeof(*in->sa));
	in->sp = calloc(n, sizeof(*in->sp));
	if (in->sa == NULL || in->sp == NULL) {
		free(in->sa);
		free(in->sp);
		return -1;
	}
	for (size_t j = 0; j < f->n; j++)
		for (size_t i = 0; i < f->l[j].ncmds; i++) {
			const struct setkey_cmd *c = &f->l[j].cmds[i];

			if (is_sa_add(c->op)) {
				struct incl_sa *k = &in->sa[in->nsa++];

				k->spi = c->sa.spi;
				k->proto = c->sa.proto;
				k->src = c->sa.src;
				k->dst = c->sa.dst;
			} else if (is_sp_add(c->op)) {
				struct incl_sp *k = &in->sp[in->nsp++];

				k->dir = c->pol.dir;
				k->sel = c->pol.sel;
			}
		}
	return 0;
}

static bool
has_sa(const struct incl *in, const struct incl_sa *k)
{
	for (size_t i = 0; i < in->nsa; i++)
		if (in->sa[i].spi == k->spi && in->sa[i].proto == k->proto &&
		    addr_eq(&in->sa[i].dst, &k->dst))
			return true;
	return false;
}

static bool
has_sp(const struct incl *in, const struct incl_sp *k)
{
	for (size_t i = 0; i < in->nsp; i++)
		if (in->sp[i].dir == k->dir &&
		    selector_eq(&in->sp[i].sel, &k->sel))
			return true;
	return false;
}

int
incl_start(struct ipsecd *d, const struct conf *c)
{
	struct files f = { 0, NULL, c };
	struct incl *in;
	int rc = parse_all(c, &f);

	for (size_t j = 0; rc == 0 && j < f.n; j++)
		for (size_t i = 0; i < f.l[j].ncmds; i++)
			if (run_cmd(d, &f.l[j].cmds[i], c->includes[j].path,
				c->replay_window) != 0)
				rc = -1;
	if (rc == 0) {
		if ((in = calloc(1, sizeof(*in))) == NULL ||
		    keys_of(&f, in) == -1) {
			free(in);
			rc = -1;
		} else
			d->incl = in;
	}
	files_free(&f);
	return rc;
}

/* The same policy (action, priority, templates) as the command's? */
static bool
same_policy(const struct spd_policy *a, const struct spd_policy *b)
{
	if (a->action != b->action || a->priority != b->priority ||
	    a->ntmpl != b->ntmpl)
		return false;
	for (size_t i = 0; i < a->ntmpl && i < SPD_TMPL_MAX; i++) {
		const struct spd_tmpl *x = &a->tmpl[i], *y = &b->tmpl[i];

		if (x->proto != y->proto || x->mode != y->mode ||
		    x->level != y->level || x->reqid != y->reqid ||
		    !addr_eq(&x->src, &y->src) || !addr_eq(&x->dst, &y->dst))
			return false;
	}
	return true;
}

/* A DELETE or X_SPDDELETE command for what in recorded at index i. */
static void
delete_cmd(const struct incl *in, bool is_sa, size_t i, struct setkey_cmd *c)
{
	memset(c, 0, sizeof(*c));
	if (is_sa) {
		c->op = SETKEY_DELETE;
		c->sa.spi = in->sa[i].spi;
		c->sa.proto = in->sa[i].proto;
		c->sa.src = in->sa[i].src;
		c->sa.dst = in->sa[i].dst;
	} else {
		c->op = SETKEY_SPDDELETE;
		c->pol.dir = in->sp[i].dir;
		c->pol.sel = in->sp[i].sel;
		c->pol.action = SPD_ACTION_NONE;
	}
}

int
incl_reload(struct ipsecd *d, const struct conf *nc)
{
	struct files f = { 0, NULL, nc };
	struct incl next, *old = d->incl;
	struct setkey_cmd del;
	size_t changed = 0, kept = 0, removed = 0;

	if (parse_all(nc, &f) == -1 || keys_of(&f, &next) == -1) {
		files_free(&f);
		return -1;
	}
	urcu_qsbr_thread_online();
	for (size_t j = 0; j < f.n; j++)
		for (size_t i = 0; i < f.l[j].ncmds; i++) {
			struct setkey_cmd *c = &f.l[j].cmds[i];

			if (is_sa_add(c->op)) {
				c->op = sad_lookup_spi(d->sad, c->sa.spi,
					    c->sa.proto, &c->sa.dst) != NULL
				    ? SETKEY_UPDATE
				    : SETKEY_ADD;
			} else if (is_sp_add(c->op)) {
				struct spd_policy *p = spd_lookup_sel(
				    d->spd, c->pol.dir, &c->pol.sel);

				if (p != NULL && same_policy(p, &c->pol)) {
					kept++;
					continue;
				}
				c->op = p != NULL ? SETKEY_SPDUPDATE
						  : SETKEY_SPDADD;
			} else
				continue; /* flush, delete, ...: at start only
					   */
			if (run_cmd(d, c, nc->includes[j].path,
				nc->replay_window) == 0)
				changed++;
		}
	for (size_t i = 0; old != NULL && i < old->nsa; i++)
		if (!has_sa(&next, &old->sa[i])) {
			delete_cmd(old, true, i, &del);
			run_cmd(d, &del, nc->file, 0);
			removed++;
		}
	for (size_t i = 0; old != NULL && i < old->nsp; i++)
		if (!has_sp(&next, &old->sp[i])) {
			delete_cmd(old, false, i, &del);
			run_cmd(d, &del, nc->file, 0);
			removed++;
		}
	urcu_qsbr_thread_offline();
	files_free(&f);
	incl_free(d);
	if ((d->incl = malloc(sizeof(*d->incl))) != NULL)
		*d->incl = next;
	else {
		free(next.sa);
		free(next.sp);
	}
	log_info("include files: %zu added or updated, %zu kept, %zu removed",
	    changed, kept, removed);
	return 0;
}

void
incl_free(struct ipsecd *d)
{
	if (d->incl == NULL)
		return;
	free(d->incl->sa);
	free(d->incl->sp);
	free(d->incl);
	d->incl = NULL;
}

int
incl_check(const struct conf *c)
{
	struct files f = { 0, NULL, c };
	int rc = parse_all(c, &f);

	files_free(&f);
	return rc;
}
