/*
 * A control socket server over a state made by the tests
 * (tests/ctl/ctl_state.c), for tests/ctl/run.sh to drive the real
 * ipsecctl against.  Needs no root.
 *
 *   ctl_server [-b NBULK] [-g GID] [-m MODE] [-p PIDFILE] SOCKET
 *
 * Serves SOCKET (group GID, default our own; after listening, mode MODE
 * in octal when given, so a test can open it to other users) with the
 * state of ctl_state.h plus NBULK more SAs.  It goes to the background
 * once the socket listens: the command returns then, with the server's
 * pid in PIDFILE, so a script needs no polling.  SIGTERM or SIGINT stops
 * it (control_free removes the socket).
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <urcu-qsbr.h>

#include "common/log.h"
#include "ctl_state.h"
#include "daemon/control.h"

struct opts {
	size_t nbulk;
	gid_t gid;
	long mode; /* -1: leave control_new's */
	const char *pidfile;
	const char *path;
};

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

/* The child: build the state, listen, say "ready" on fd, serve. */
static int
serve(const struct opts *o, int fd)
{
	struct event_base *base;
	struct event *term, *intr;
	struct ctl_state *st;
	struct control *ctl;

	log_init("ctl_server", true, 0);
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
	if ((base = event_base_new()) == NULL ||
	    (st = ctl_state_new(base, o->nbulk)) == NULL)
		fatalx("cannot build the test state");
	if ((ctl = control_new(&st->d, o->path, o->gid)) == NULL)
		fatal("control_new %s", o->path);
	if (o->mode >= 0 && chmod(o->path, (mode_t)o->mode) != 0)
		fatal("chmod %s", o->path);
	term = evsignal_new(base, SIGTERM, on_signal, base);
	intr = evsignal_new(base, SIGINT, on_signal, base);
	if (term == NULL || intr == NULL || event_add(term, NULL) != 0 ||
	    event_add(intr, NULL) != 0)
		fatalx("cannot catch signals");
	if (write(fd, "ready\n", 6) != 6)
		fatal("ready");
	close(fd);
	event_base_dispatch(base);
	control_free(ctl);
	event_free(term);
	event_free(intr);
	ctl_state_free(st);
	event_base_free(base);
	urcu_qsbr_unregister_thread();
	return 0;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int ch;

	o->nbulk = 0;
	o->gid = getgid();
	o->mode = -1;
	o->pidfile = NULL;
	while ((ch = getopt(argc, argv, "b:g:m:p:")) != -1) {
		switch (ch) {
		case 'b':
			o->nbulk = strtoul(optarg, NULL, 10);
			break;
		case 'g':
			o->gid = (gid_t)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			o->mode = strtol(optarg, NULL, 8);
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind + 1 != argc)
		return -1;
	o->path = argv[optind];
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	char line[8] = "";
	int p[2];
	pid_t pid;
	FILE *f;

	if (parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr,
		    "usage: ctl_server [-b nbulk] [-g gid] "
		    "[-m mode] [-p pidfile] socket\n");
		return 2;
	}
	/* Fork before any thread exists (liburcu's call_rcu thread). */
	if (pipe(p) != 0 || (pid = fork()) < 0) {
		perror("ctl_server");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		return serve(&o, p[1]);
	}
	close(p[1]);
	if (read(p[0], line, sizeof(line) - 1) != 6 ||
	    strcmp(line, "ready\n") != 0) {
		fprintf(stderr, "ctl_server: the server did not start\n");
		return 1;
	}
	if (o.pidfile != NULL) {
		if ((f = fopen(o.pidfile, "w")) == NULL ||
		    fprintf(f, "%d\n", (int)pid) < 0 || fclose(f) != 0) {
			perror(o.pidfile);
			kill(pid, SIGTERM);
			return 1;
		}
	}
	return 0;
}
