#ifndef IPSECD_DAEMON_SOCKPOL_H
#define IPSECD_DAEMON_SOCKPOL_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * Socket policies of key managers: what an IKE daemon asked of its own
 * sockets with setsockopt(IP_IPSEC_POLICY / IPV6_IPSEC_POLICY), which
 * libipsecd-pfkey.so records here through the control socket (request
 * "sockpolicy", control.h) instead of the kernel's xfrm.  ipsecd cannot
 * and need not enforce them (an IKE daemon's packets are its own sockets'
 * and never enter an ipsecN device: the shim marks a socket with an
 * outbound bypass policy with ipsecd's mark, so the policy-routing rule
 * skips it); they are kept so that `ipsecctl show sp` shows them, as
 * `ip xfrm policy` shows Linux's socket policies.
 *
 * One entry per (pid, fd, dir); at most SOCKPOL_MAX.  Entries go when
 * the shim says the descriptor was closed or its policy cleared, and
 * when sockpol_reap finds the process gone.  Control thread only.
 */
#define SOCKPOL_MAX 1024

struct sockpol_entry {
	pid_t pid;
	int fd;
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t dir;	/* IPSEC_DIR_INBOUND or IPSEC_DIR_OUTBOUND */
	uint8_t type;	/* IPSEC_POLICY_NONE, _ENTRUST or _BYPASS */
	uint64_t add_sec;
};

struct sockpol {
	size_t n;
	struct sockpol_entry v[SOCKPOL_MAX];
};

/* An empty table; NULL when out of memory.  Free with free(). */
struct sockpol *sockpol_new(void);

/*
 * Record e, replacing the entry of the same pid, fd and dir.  0, or -1
 * when the table is full (e is then not recorded).
 */
int sockpol_set(struct sockpol *t, const struct sockpol_entry *e);

/* Drop every entry of pid's descriptor fd. */
void sockpol_clear(struct sockpol *t, pid_t pid, int fd);

/* Drop the entries of processes for which is_alive says false. */
void sockpol_reap(struct sockpol *t, bool (*is_alive)(pid_t pid));

/*
 * The item `ipsecctl show sp` lists for e (control.h): {"socket":true,
 * "pid","fd","family" ("inet"/"inet6"),"dir" ("in"/"out"),"action"
 * ("none", "entrust" or "bypass"),"add_sec"}.  NULL when out of memory.
 */
json_t *sockpol_json(const struct sockpol_entry *e);

#endif
