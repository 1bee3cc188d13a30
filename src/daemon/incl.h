#ifndef IPSECD_DAEMON_INCL_H
#define IPSECD_DAEMON_INCL_H

struct conf;
struct ipsecd;

/*
 * ipsecd.conf's include files: setkey(8) commands for manual SAs and
 * policies, run through the PF_KEY server (one code path with the IKE
 * daemons and ipsecctl; DESIGN.md), with what they installed remembered
 * so that a reload applies only the difference.
 *
 * incl_start: every command of every include file of c, in order (flush
 *   and spdflush included), as the daemon starts.  Each file is checked
 *   on its open descriptor (conf_secret_check_fd: it holds keys).  -1
 *   after logging every error ("file:line: message") when a file could
 *   not be read, a command did not parse, or the server refused one.
 * incl_reload: parse every include file of nc first; with any error, -1
 *   and nothing changes.  Otherwise: an SA of the files that exists is
 *   updated in place (SADB_UPDATE carries its sequence number, replay
 *   window and counters over, so traffic goes on), one that does not is
 *   added; a policy that exists with the same direction and selector is
 *   left alone when it is the same and replaced (X_SPDUPDATE, keeping
 *   its id) when not, a new one added; SAs and policies the old files
 *   installed and the new ones no longer name are deleted.  Commands
 *   other than add, update, spdadd and spdupdate (flush, delete, ...)
 *   run only at start: on a reload they would undo what the difference
 *   keeps.
 * incl_check: parse the include files of c and report their errors,
 *   changing nothing (a reload checks them before it touches anything).
 * incl_free: forget what was installed (at exit).
 */
int incl_start(struct ipsecd *d, const struct conf *c);
int incl_reload(struct ipsecd *d, const struct conf *nc);
int incl_check(const struct conf *c);
void incl_free(struct ipsecd *d);

#endif
