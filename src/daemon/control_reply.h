#ifndef IPSECD_DAEMON_CONTROL_REPLY_H
#define IPSECD_DAEMON_CONTROL_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipsecd;

/*
 * One reply of the control protocol (control.h) in progress: the request
 * handler the socket server and the fuzz target share.  control_reply_new
 * parses the request and does what it asks (a set changes the knob then;
 * a malformed request changes nothing); control_reply_next then writes
 * the reply a message at a time, walking the SAD, SPD or interface table
 * only as far as that message needs, so the socket layer calls it only
 * when the client can take more.
 *
 * Nothing here logs: ipsecd_knob_set, which every knob change goes
 * through, is where a change is logged.
 *
 * Runs on the control thread (the SAD's and SPD's writer): the entries a
 * cursor returns stay valid while the callback runs, and workers only
 * move their atomic counters meanwhile.
 */
struct control_reply;

/*
 * Handle the len request bytes in buf (untrusted; not kept) for d, at
 * now_sec (wall clock).  NULL only when out of memory.
 */
struct control_reply *control_reply_new(
    struct ipsecd *d, const void *buf, size_t len, uint64_t now_sec);

/*
 * A reply carrying only an error (code as in control.h, message printable
 * ASCII), for the socket layer's "denied" and "busy".  NULL when out of
 * memory.
 */
struct control_reply *control_reply_error(
    const char *code, const char *message);

/*
 * Write the next message into buf (size at least CONTROL_MSG_MAX) and
 * return its length; *is_last is set on the reply's last message (then
 * free it).  Out of memory midway turns into an error message (code
 * "internal") that ends the reply.  0 when not even that could be built,
 * or when called again after the last message: drop the client.
 */
size_t control_reply_next(
    struct control_reply *r, uint8_t *buf, size_t size, bool *is_last);

/* Whether the messages of this reply may carry keys (wipe them after). */
bool control_reply_has_keys(const struct control_reply *r);

/* Free r and its cursor; NULL is fine. */
void control_reply_free(struct control_reply *r);

#endif
