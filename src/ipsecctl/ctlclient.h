#ifndef IPSECD_IPSECCTL_CTLCLIENT_H
#define IPSECD_IPSECCTL_CTLCLIENT_H

#include <jansson.h>

/*
 * The client side of the control protocol (src/daemon/control.h): one
 * request, its reply messages handed over one by one, and the exit status
 * ipsecctl ends with.  Every failure is reported here, once, on stderr as
 * "ipsecctl: MESSAGE".
 */

/* Exit statuses of ipsecctl (ipsecctl(8), EXIT STATUS). */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_REFUSED = 1,	  /* an error reply, or a broken reply */
	CTL_EXIT_USAGE = 2,	  /* bad command line */
	CTL_EXIT_UNREACHABLE = 3, /* no daemon, or permission denied */
};

/* Seconds ipsecctl waits for each reply message. */
#define CTLCLIENT_TIMEOUT_SEC 30

/*
 * Called with each reply message that carries items (an object with
 * "type", "items", "end"; borrowed for the call).  Returns CTL_EXIT_OK to
 * go on, anything else to stop with that status.
 */
typedef int (*ctlclient_msg_fn)(void *arg, const json_t *msg);

/*
 * Connect to the control socket at path, send req, and call fn for each
 * message of the reply until its last.  Returns CTL_EXIT_OK, or the
 * status of the failure after printing it: UNREACHABLE when nothing
 * listens at path or the socket or the daemon denies access (the path is
 * in the message), REFUSED for an error reply (its text is printed) or a
 * reply that breaks the protocol, USAGE for a path too long for a socket.
 */
int ctlclient_run(
    const char *path, const json_t *req, ctlclient_msg_fn fn, void *arg);

#endif
