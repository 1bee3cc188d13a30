/*
 * setkey(8) files through the server (ipsecd.conf's include files): each
 * command becomes its PF_KEY message (setkey_msg.h) and is injected as
 * if an internal client had sent it, so that what an include installs is
 * announced to the IKE daemons exactly as what ipsecctl installs.
 * deleteall walks the SAD for the SAs between its addresses and injects
 * one DELETE each, the server-side form of what setkey does on Linux.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "ipsec/sad.h"
#include "pfkey/server_int.h"
#include "pfkey/setkey_msg.h"
#include "pfkey/setkey_words.h"

struct load {
	struct pfkey_server *s;
	const char *name;
	struct setkey_msg_opts opts;
	void (*on_error)(void *arg, const char *msg);
	void *arg;
	unsigned nfailed;
};

static void
report(struct load *l, const struct setkey_cmd *cmd, int code,
    const struct pfkey_err *err)
{
	const char *why =
	    err != NULL && err->why[0] != '\0' ? err->why : "refused";
	const char *type = pfkey_msg_name(setkey_msg_type(cmd->op));
	size_t n = strlen(type);
	char msg[512];

	l->nfailed++;
	if (l->on_error == NULL)
		return;
	/* The reason may start with the message's name: say it once. */
	if (strncmp(why, type, n) == 0 && strncmp(why + n, ": ", 2) == 0)
		why += n + 2;
	snprintf(msg, sizeof(msg), "%s:%u: %s: %s (%s)", l->name, cmd->line,
	    setkey_word_name(&setkey_commands, (int)cmd->op), why,
	    strerror(code));
	l->on_error(l->arg, msg);
}

/* Build and inject one message; the errno, 0 when accepted. */
static int
inject(struct load *l, const struct setkey_cmd *cmd, uint32_t spi,
    bool is_delete, struct pfkey_err *err)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	struct pfkey_wr w;
	size_t n;
	int rc;

	l->opts.seq++;
	pfkey_wr_init(&w, buf, sizeof(buf));
	n = is_delete ? setkey_msg_delete_spi(&w, cmd, spi, &l->opts)
		      : setkey_msg_build(&w, cmd, &l->opts);
	if (n == 0) {
		pfkey_err_set(err, EMSGSIZE, "message does not fit");
		rc = EMSGSIZE;
	} else {
		rc = pfkey_server_inject(l->s, buf, n, err);
	}
	secret_wipe(buf, sizeof(buf));
	return rc;
}

static bool
deleteall_match(const struct setkey_cmd *cmd, const struct sad_entry *e)
{
	return e->sa.proto == cmd->sa.proto &&
	    addr_eq(&e->sa.src, &cmd->sa.src) &&
	    addr_eq(&e->sa.dst, &cmd->sa.dst) &&
	    ((cmd->sa.flags & SA_F_UDP_ENCAP) == 0 ||
		(e->sa.flags & SA_F_UDP_ENCAP) != 0);
}

static int
deleteall(struct load *l, const struct setkey_cmd *cmd)
{
	struct sad *sad = l->s->ctx.sad;
	struct sad_cursor *cur;
	struct sad_entry *e;
	struct pfkey_err err;
	uint32_t *spis = NULL, *tmp;
	size_t n = 0, cap = 0;
	int rc = 0;

	if ((cur = sad_cursor_new(sad)) == NULL)
		return ENOMEM;
	while ((e = sad_cursor_next(sad, cur)) != NULL) {
		if (!deleteall_match(cmd, e))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : 2 * cap;
			if ((tmp = realloc(spis, cap * sizeof(*tmp))) == NULL) {
				rc = ENOMEM;
				break;
			}
			spis = tmp;
		}
		spis[n++] = e->sa.spi;
	}
	sad_cursor_free(sad, cur);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if ((rc = inject(l, cmd, spis[i], true, &err)) != 0)
			report(l, cmd, rc, &err);
	free(spis);
	if (rc == ENOMEM)
		report(l, cmd, rc, NULL);
	return 0;
}

static int
on_cmd(void *arg, const struct setkey_cmd *cmd)
{
	struct load *l = arg;
	struct pfkey_err err;
	int rc;

	if (cmd->op == SETKEY_DELETEALL)
		return deleteall(l, cmd);
	if ((rc = inject(l, cmd, 0, false, &err)) != 0)
		report(l, cmd, rc, &err);
	return 0;
}

static void
on_error(void *arg, const char *msg)
{
	struct load *l = arg;

	if (l->on_error != NULL)
		l->on_error(l->arg, msg);
}

int
pfkey_server_load(struct pfkey_server *s, const char *name, FILE *fp,
    unsigned replay_window, void (*on_err)(void *arg, const char *msg),
    void *arg)
{
	struct load l;
	struct setkey_sink sink;
	unsigned nerrors = 0;
	int rc;

	memset(&l, 0, sizeof(l));
	l.s = s;
	l.name = name;
	l.opts.replay_window = replay_window;
	l.on_error = on_err;
	l.arg = arg;
	memset(&sink, 0, sizeof(sink));
	sink.on_cmd = on_cmd;
	sink.cmd_arg = &l;
	sink.on_error = on_error;
	sink.err_arg = &l;
	rc = setkey_parse_file(name, fp, &sink, &nerrors);
	return rc == 0 && nerrors == 0 && l.nfailed == 0 ? 0 : -1;
}
