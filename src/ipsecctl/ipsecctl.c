/*
 * ipsecctl: the administrator's tool for ipsecd (ipsecctl(8)).  Global
 * options, then a subcommand from the table below.  The subcommands here
 * talk to the control socket (src/daemon/control.h); SAs and policies
 * are managed over PF_KEY instead (DESIGN.md), by the PF_KEY commands
 * (-f, -c, monitor, dump, spddump, flush, spdflush), which join the same
 * table and take the PF_KEY socket path from the same context (-k).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/control_req.h"
#include "ipsecctl/ctlclient.h"
#include "ipsecctl/keycmd.h"
#include "ipsecctl/show.h"

#define DEFAULT_CONTROL "/run/ipsecd/control.sock"
#define DEFAULT_PFKEY "/run/ipsecd/pfkey.sock"

/* What the global options set, for every subcommand. */
struct ctx {
	const char *control_path; /* -s, IPSECD_CONTROL */
	const char *pfkey_path;	  /* -k, IPSECD_PFKEY */
	bool is_json;		  /* -j */
	bool is_verbose;	  /* -v */
	bool show_keys;		  /* --show-keys */
	const char *file;	  /* -f FILE, or "-" for -c (stdin) */
};

struct cmd {
	const char *name;
	const char *args; /* for the usage message */
	int (*fn)(const struct ctx *c, int argc, char **argv);
};

static int cmd_show(const struct ctx *c, int argc, char **argv);
static int cmd_get(const struct ctx *c, int argc, char **argv);
static int cmd_set(const struct ctx *c, int argc, char **argv);
static int cmd_help(const struct ctx *c, int argc, char **argv);
static int cmd_dump(const struct ctx *c, int argc, char **argv);
static int cmd_spddump(const struct ctx *c, int argc, char **argv);
static int cmd_flush(const struct ctx *c, int argc, char **argv);
static int cmd_spdflush(const struct ctx *c, int argc, char **argv);
static int cmd_monitor(const struct ctx *c, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "dump", "", cmd_dump },
	{ "flush", "", cmd_flush },
	{ "get", "NAME...", cmd_get },
	{ "help", "", cmd_help },
	{ "monitor", "", cmd_monitor },
	{ "set", "NAME=VALUE...", cmd_set },
	{ "show", "sa|sp|interfaces|stats|knobs|crypto", cmd_show },
	{ "spddump", "", cmd_spddump },
	{ "spdflush", "", cmd_spdflush },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ipsecctl [-jv] [--show-keys] [-s control-socket] "
	    "[-k pfkey-socket] command [args]\n"
	    "       ipsecctl [-k pfkey-socket] -f file | -c\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++)
		fprintf(
		    f, "       ipsecctl %s %s\n", cmds[i].name, cmds[i].args);
}

static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ipsecctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return CTL_EXIT_USAGE;
}

/* Send req and print its reply; the exit status. */
static int
run(const struct ctx *c, const struct control_req *req)
{
	struct show_opts o = { c->is_json, c->is_verbose, stdout,
		(long)time(NULL) };
	struct show *s;
	json_t *j;
	int status;

	if ((j = control_req_build(req)) == NULL ||
	    (s = show_new(req, &o)) == NULL) {
		json_decref(j);
		fprintf(stderr, "ipsecctl: out of memory\n");
		return CTL_EXIT_REFUSED;
	}
	status = ctlclient_run(c->control_path, j, show_msg, s);
	if (status == CTL_EXIT_OK)
		status = show_end(s);
	show_free(s);
	json_decref(j);
	return status;
}

static int
cmd_show(const struct ctx *c, int argc, char **argv)
{
	struct control_req req;

	if (argc != 2)
		return usage_error("show: %s",
		    argc < 2 ? "what to show is missing"
			     : "too many arguments");
	memset(&req, 0, sizeof(req));
	req.cmd = CONTROL_CMD_SHOW;
	if (!control_what_lookup(argv[1], &req.what))
		return usage_error("show: unknown table \"%s\"; expected sa, "
				   "sp, interfaces, stats, knobs or crypto",
		    argv[1]);
	if (c->show_keys && req.what != CONTROL_WHAT_SA)
		return usage_error("--show-keys goes only with show sa");
	req.show_keys = c->show_keys;
	return run(c, &req);
}

/* Copy s into dst (size bytes); false when it does not fit or is empty. */
static bool
copy_arg(char *dst, size_t size, const char *s, size_t len)
{
	if (len == 0 || len >= size)
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

/* The worst of two statuses: unreachable, then refused, then ok. */
static int
worst(int a, int b)
{
	return a > b ? a : b;
}

static int
cmd_get(const struct ctx *c, int argc, char **argv)
{
	struct control_req req;
	int status = CTL_EXIT_OK;

	if (argc < 2)
		return usage_error("get: %s", "knob name missing");
	for (int i = 1; i < argc; i++) {
		memset(&req, 0, sizeof(req));
		req.cmd = CONTROL_CMD_GET;
		if (!copy_arg(
			req.name, sizeof(req.name), argv[i], strlen(argv[i])))
			return usage_error(
			    "get: bad knob name \"%s\"", argv[i]);
	}
	for (int i = 1; i < argc && status != CTL_EXIT_UNREACHABLE; i++) {
		memset(&req, 0, sizeof(req));
		req.cmd = CONTROL_CMD_GET;
		copy_arg(req.name, sizeof(req.name), argv[i], strlen(argv[i]));
		status = worst(status, run(c, &req));
	}
	return status;
}

/* NAME=VALUE into req; false if malformed. */
static bool
parse_assignment(const char *arg, struct control_req *req)
{
	const char *eq = strchr(arg, '=');

	memset(req, 0, sizeof(*req));
	req->cmd = CONTROL_CMD_SET;
	return eq != NULL &&
	    copy_arg(req->name, sizeof(req->name), arg, (size_t)(eq - arg)) &&
	    copy_arg(req->value, sizeof(req->value), eq + 1, strlen(eq + 1));
}

static int
cmd_set(const struct ctx *c, int argc, char **argv)
{
	struct control_req req;
	int status = CTL_EXIT_OK;

	if (argc < 2)
		return usage_error("set: %s", "NAME=VALUE missing");
	for (int i = 1; i < argc; i++)
		if (!parse_assignment(argv[i], &req))
			return usage_error("set: expected NAME=VALUE, not "
					   "\"%s\"",
			    argv[i]);
	for (int i = 1; i < argc && status != CTL_EXIT_UNREACHABLE; i++) {
		parse_assignment(argv[i], &req);
		status = worst(status, run(c, &req));
	}
	return status;
}

static int
cmd_help(const struct ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argv;
	if (argc != 1)
		return usage_error("help: %s", "no arguments expected");
	usage(stdout);
	return CTL_EXIT_OK;
}

/* The PF_KEY side (keycmd.h): SAs and policies. */
static void
key_opts(const struct ctx *c, struct keycmd_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->path = c->pfkey_path;
	o->flags = c->show_keys ? KEYCMD_SHOW_KEYS : 0;
	o->replay_window = KEYCMD_REPLAY_DEFAULT;
	o->out = stdout;
	o->err = stderr;
}

static int
key_noargs(const struct ctx *c, int argc, char **argv, struct keycmd_opts *o)
{
	if (argc != 1)
		return usage_error("%s: no arguments expected", argv[0]);
	if (c->is_json)
		return usage_error(
		    "%s: -j is for the control commands", argv[0]);
	key_opts(c, o);
	return CTL_EXIT_OK;
}

static int
cmd_dump(const struct ctx *c, int argc, char **argv)
{
	struct keycmd_opts o;
	int rc = key_noargs(c, argc, argv, &o);

	return rc != CTL_EXIT_OK ? rc : keycmd_dump(&o, false);
}

static int
cmd_spddump(const struct ctx *c, int argc, char **argv)
{
	struct keycmd_opts o;
	int rc = key_noargs(c, argc, argv, &o);

	return rc != CTL_EXIT_OK ? rc : keycmd_dump(&o, true);
}

static int
cmd_flush(const struct ctx *c, int argc, char **argv)
{
	struct keycmd_opts o;
	int rc = key_noargs(c, argc, argv, &o);

	return rc != CTL_EXIT_OK ? rc : keycmd_flush(&o, false);
}

static int
cmd_spdflush(const struct ctx *c, int argc, char **argv)
{
	struct keycmd_opts o;
	int rc = key_noargs(c, argc, argv, &o);

	return rc != CTL_EXIT_OK ? rc : keycmd_flush(&o, true);
}

static int
cmd_monitor(const struct ctx *c, int argc, char **argv)
{
	struct keycmd_opts o;
	int rc = key_noargs(c, argc, argv, &o);

	return rc != CTL_EXIT_OK ? rc : keycmd_monitor(&o);
}

/* -f FILE or -c: setkey(8) commands from a file or standard input. */
static int
run_file(const struct ctx *c)
{
	struct keycmd_opts o;
	FILE *in = stdin;
	int rc;

	key_opts(c, &o);
	if (strcmp(c->file, "-") != 0 && (in = fopen(c->file, "r")) == NULL) {
		fprintf(stderr, "ipsecctl: %s: %s\n", c->file, strerror(errno));
		return CTL_EXIT_REFUSED;
	}
	rc = keycmd_file(
	    &o, strcmp(c->file, "-") == 0 ? "(stdin)" : c->file, in);
	if (in != stdin)
		fclose(in);
	return rc;
}

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "show-keys", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { env_or("IPSECD_CONTROL", DEFAULT_CONTROL),
		env_or("IPSECD_PFKEY", DEFAULT_PFKEY), false, false, false,
		NULL };
	int ch;

	while ((ch = getopt_long(argc, argv, "cf:hjk:s:v", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			c.file = "-";
			break;
		case 'f':
			c.file = optarg;
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		case 'j':
			c.is_json = true;
			break;
		case 'k':
			c.pfkey_path = optarg;
			break;
		case 's':
			c.control_path = optarg;
			break;
		case 'v':
			c.is_verbose = true;
			break;
		case 'K':
			c.show_keys = true;
			break;
		default:
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (c.file != NULL) {
		if (argc != 0)
			return usage_error("%s", "-f and -c take no command");
		return run_file(&c);
	}
	if (argc == 0)
		return usage_error("%s", "command missing");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			return cmds[i].fn(&c, argc, argv);
	return usage_error("unknown command \"%s\"", argv[0]);
}
