#ifndef IPSECD_IPSECCTL_KEYCMD_H
#define IPSECD_IPSECCTL_KEYCMD_H

#include <stdbool.h>
#include <stdio.h>

/*
 * ipsecctl's PF_KEY side: the commands that manage SAs and policies by
 * sending PF_KEY messages to ipsecd's PF_KEY socket, the same messages an
 * IKE daemon sends (DESIGN.md, "One PF_KEY, two clients").  ipsecctl's
 * main calls them; each returns the process's exit status:
 *
 *   KEYCMD_OK       0  done
 *   KEYCMD_REFUSED  1  a request was refused (its error printed), the
 *                      input had errors, or ipsecd broke protocol
 *   KEYCMD_NOCONN   3  ipsecd is not running or refused us: the message
 *                      names the socket path ("not root nor in its group"
 *                      when ipsecd closes the connection at once)
 *
 * Messages go to o->err (stderr when NULL) one per line, results to
 * o->out (stdout when NULL).  Keys are printed only with KEYCMD_SHOW_KEYS.
 * Nothing here keeps state between calls; each call opens its own
 * connection and closes it.
 */
#define KEYCMD_OK 0
#define KEYCMD_REFUSED 1
#define KEYCMD_NOCONN 3

#define KEYCMD_SHOW_KEYS 0x01 /* print key bytes (--show-keys) */
#define KEYCMD_LOCALTIME 0x02 /* times in local time, not UTC */

/* ipsecd.conf's default replay-window (packets), for -f and -c. */
#define KEYCMD_REPLAY_DEFAULT 64

/* How long a request waits for its reply before giving up, seconds. */
#define KEYCMD_REPLY_TIMEOUT 30

struct keycmd_opts {
	const char *path; /* ipsecd's PF_KEY socket */
	unsigned flags;	  /* KEYCMD_* */
	/*
	 * Replay window for ESP and AH SAs added without -r (ipsecd.conf's
	 * replay-window; 0: none).  At most 255 go into PF_KEY.
	 */
	unsigned replay_window;
	FILE *out;
	FILE *err;
};

/*
 * ipsecctl -f FILE (name = FILE, in = the open file) and ipsecctl -c
 * (name "<stdin>", in = stdin): read setkey(8) commands (pfkey/setkey.h),
 * send each as its PF_KEY message as soon as it is parsed (ipsecd applies
 * them in order), wait for its reply, and go on after errors.  Errors
 * are "name:line: message": parse errors as the parser reports them,
 * refusals as "name:line: add esp 0x1000 192.0.2.1 192.0.2.2: File
 * exists" with the errno's text.  get, dump and spddump print what they
 * find as setkey -D and -DP do; deleteall deletes each SA between its
 * addresses (as setkey on Linux).  KEYCMD_OK when every command parsed
 * and was accepted, else KEYCMD_REFUSED (or KEYCMD_NOCONN).
 */
int keycmd_file(const struct keycmd_opts *o, const char *name, FILE *in);

/*
 * ipsecctl dump / spddump: every SA (setkey -D) or policy (setkey -DP),
 * "No SAD entries." / "No SPD entries." when there are none.
 */
int keycmd_dump(const struct keycmd_opts *o, bool is_spd);

/* ipsecctl flush / spdflush: every SA, or every policy. */
int keycmd_flush(const struct keycmd_opts *o, bool is_spd);

/*
 * ipsecctl monitor (setkey -x): promiscuous mode, then one line per
 * message any client or ipsecd sends (time, type, SA type, seq, pid,
 * errno) with the SA or policy it carries, until SIGINT or SIGTERM
 * (KEYCMD_OK) or until ipsecd closes the socket (KEYCMD_REFUSED).  The
 * two signals are blocked while it runs and read from a signalfd.
 */
int keycmd_monitor(const struct keycmd_opts *o);

#endif
