#ifndef IPSECD_DAEMON_CONTROL_REQ_H
#define IPSECD_DAEMON_CONTROL_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "daemon/control.h"

/*
 * Control requests (the protocol is in control.h): the parser the daemon
 * runs on every request, and the builder ipsecctl sends them with, so
 * both sides share one list of commands and names.  Pure: no I/O.
 */
enum control_cmd {
	CONTROL_CMD_SHOW,
	CONTROL_CMD_GET,
	CONTROL_CMD_SET,
	CONTROL_CMD_SOCKPOLICY,
};

enum control_what {
	CONTROL_WHAT_SA,
	CONTROL_WHAT_SP,
	CONTROL_WHAT_INTERFACES,
	CONTROL_WHAT_STATS,
	CONTROL_WHAT_KNOBS,
	CONTROL_WHAT_CRYPTO,
};
#define CONTROL_WHAT_COUNT 6

/* sockpolicy: a key manager's socket policy (daemon/sockpol.h). */
struct control_sockpol {
	bool is_set;	/* op "set"; false: op "clear" */
	int32_t pid;	/* 1 .. 2^31 - 1 */
	int32_t fd;	/* 0 .. 2^31 - 1 */
	uint8_t family; /* set: AF_INET ("inet") or AF_INET6 ("inet6") */
	uint8_t dir;	/* set: IPSEC_DIR_INBOUND ("in") or _OUTBOUND ("out") */
	uint8_t type;	/* set: IPSEC_POLICY_NONE, _ENTRUST or _BYPASS */
};

struct control_req {
	enum control_cmd cmd;
	enum control_what what;	       /* show */
	bool show_keys;		       /* show sa */
	char name[CONTROL_NAME_MAX];   /* get, set */
	char value[CONTROL_VALUE_MAX]; /* set */
	struct control_sockpol sp;     /* sockpolicy */
};

/* Room for control_req_parse's reason, NUL included. */
#define CONTROL_WHY_MAX 200

/*
 * Parse and check len bytes of buf as a request.  On false, why (size
 * bytes; CONTROL_WHY_MAX is enough) holds the reason in printable ASCII,
 * e.g. `member "what": expected one of sa, sp, interfaces, stats, knobs,
 * crypto`,
 * and *req is undefined.
 */
bool control_req_parse(const void *buf, size_t len, struct control_req *req,
    char *why, size_t size);

/*
 * The request as a JSON object (the caller owns it), or NULL when out of
 * memory.  name and value are taken as they are: the server checks them.
 */
json_t *control_req_build(const struct control_req *req);

/*
 * The protocol's names: "show", "get", "set", "sockpolicy"; "sa", "sp",
 * "interfaces",
 * "stats", "knobs".  Lookups return false for an unknown name.
 */
const char *control_cmd_name(enum control_cmd cmd);
const char *control_what_name(enum control_what what);
bool control_what_lookup(const char *name, enum control_what *what);

/*
 * Copy s into dst (size bytes, at least 1) with every byte that is not
 * printable ASCII replaced by '?', cut to fit; for text that goes back to
 * a client or a terminal.
 */
void control_printable(char *dst, size_t size, const char *s);

#endif
