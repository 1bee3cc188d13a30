/*
 * Control requests (control_req.h): jansson reads the JSON text (UTF-8,
 * nesting depth and number ranges are its checks; we add no duplicate
 * members and nothing after the object), then each member is checked by
 * name and type against what the command allows.
 */
#include "config.h"

#include "daemon/control_req.h"

#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/ipsec.h>

static const char *const cmd_names[] = {
	[CONTROL_CMD_SHOW] = "show",
	[CONTROL_CMD_GET] = "get",
	[CONTROL_CMD_SET] = "set",
	[CONTROL_CMD_SOCKPOLICY] = "sockpolicy",
};

static const char *const what_names[CONTROL_WHAT_COUNT] = {
	[CONTROL_WHAT_SA] = "sa",
	[CONTROL_WHAT_SP] = "sp",
	[CONTROL_WHAT_INTERFACES] = "interfaces",
	[CONTROL_WHAT_STATS] = "stats",
	[CONTROL_WHAT_KNOBS] = "knobs",
	[CONTROL_WHAT_CRYPTO] = "crypto",
};

/* Which members each command allows (bits of member_names' index). */
enum {
	M_VERSION = 0x01,
	M_CMD = 0x02,
	M_WHAT = 0x04,
	M_KEYS = 0x08,
	M_NAME = 0x10,
	M_VALUE = 0x20,
	M_OP = 0x40,
	M_PID = 0x80,
	M_FD = 0x100,
	M_FAMILY = 0x200,
	M_DIR = 0x400,
	M_POLICY = 0x800,
};

static const char *const member_names[] = { "version", "cmd", "what", "keys",
	"name", "value", "op", "pid", "fd", "family", "dir", "policy" };

const char *
control_cmd_name(enum control_cmd cmd)
{
	switch (cmd) {
	case CONTROL_CMD_SHOW:
	case CONTROL_CMD_GET:
	case CONTROL_CMD_SET:
	case CONTROL_CMD_SOCKPOLICY:
		return cmd_names[cmd];
	}
	return "unknown";
}

const char *
control_what_name(enum control_what what)
{
	if ((unsigned)what >= CONTROL_WHAT_COUNT)
		return "unknown";
	return what_names[what];
}

bool
control_what_lookup(const char *name, enum control_what *what)
{
	for (unsigned i = 0; i < CONTROL_WHAT_COUNT; i++)
		if (strcmp(name, what_names[i]) == 0) {
			*what = (enum control_what)i;
			return true;
		}
	return false;
}

void
control_printable(char *dst, size_t size, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < size && s[i] != '\0'; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[i] = '\0';
}

static bool __attribute__((format(printf, 3, 4)))
fail(char *why, size_t size, const char *fmt, ...)
{
	char raw[CONTROL_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	control_printable(why, size, raw);
	return false;
}

/* The string member key of o (borrowed from o); NULL with why. */
static const char *
get_member(const json_t *o, const char *key, char *why, size_t wsize)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL) {
		fail(why, wsize, "member \"%s\" is missing", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		fail(why, wsize, "member \"%s\": expected a string", key);
		return NULL;
	}
	return json_string_value(v);
}

/* Copy string member key of o into dst (size bytes with its NUL). */
static bool
get_string(const json_t *o, const char *key, char *dst, size_t size, char *why,
    size_t wsize)
{
	const char *s = get_member(o, key, why, wsize);
	size_t n;

	if (s == NULL)
		return false;
	/* No NUL inside: jansson refuses \u0000 without JSON_ALLOW_NUL. */
	n = strlen(s);
	if (n == 0 || n >= size)
		return fail(why, wsize,
		    "member \"%s\": %zu bytes; expected 1 to %zu", key, n,
		    size - 1);
	memcpy(dst, s, n + 1);
	return true;
}

/* Members present beyond the allowed set. */
static bool
check_members(
    const json_t *o, unsigned allowed, const char *cmd, char *why, size_t size)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v)
	{
		size_t i;

		for (i = 0; i < sizeof(member_names) / sizeof(*member_names);
		     i++)
			if (strcmp(key, member_names[i]) == 0)
				break;
		if (i == sizeof(member_names) / sizeof(*member_names))
			return fail(why, size, "unknown member \"%s\"", key);
		if ((allowed & (1u << i)) == 0)
			return fail(why, size,
			    "member \"%s\" does not go with cmd \"%s\"", key,
			    cmd);
	}
	return true;
}

static bool
parse_version(const json_t *o, char *why, size_t size)
{
	const json_t *v = json_object_get(o, "version");
	json_int_t n;

	if (v == NULL)
		return fail(why, size, "member \"version\" is missing");
	if (!json_is_integer(v))
		return fail(
		    why, size, "member \"version\": expected an integer");
	n = json_integer_value(v);
	if (n < 1 || n > CONTROL_VERSION)
		return fail(why, size,
		    "protocol version %lld not supported; this ipsecd speaks "
		    "version %d",
		    (long long)n, CONTROL_VERSION);
	return true;
}

static bool
parse_show(const json_t *o, struct control_req *req, char *why, size_t size)
{
	const char *what;
	const json_t *keys;

	if (!check_members(
		o, M_VERSION | M_CMD | M_WHAT | M_KEYS, "show", why, size))
		return false;
	if ((what = get_member(o, "what", why, size)) == NULL)
		return false;
	if (!control_what_lookup(what, &req->what))
		return fail(why, size,
		    "member \"what\": expected one of sa, sp, interfaces, "
		    "stats, knobs, crypto");
	keys = json_object_get(o, "keys");
	if (keys != NULL) {
		if (!json_is_boolean(keys))
			return fail(why, size,
			    "member \"keys\": expected true or false");
		if (req->what != CONTROL_WHAT_SA)
			return fail(why, size,
			    "member \"keys\" goes only with \"what\":\"sa\"");
		req->show_keys = json_is_true(keys);
	}
	return true;
}

/* Integer member key of o in lo..hi. */
static bool
get_int(const json_t *o, const char *key, json_int_t lo, json_int_t hi,
    int32_t *out, char *why, size_t size)
{
	const json_t *v = json_object_get(o, key);
	json_int_t n;

	if (v == NULL)
		return fail(why, size, "member \"%s\" is missing", key);
	if (!json_is_integer(v))
		return fail(
		    why, size, "member \"%s\": expected an integer", key);
	n = json_integer_value(v);
	if (n < lo || n > hi)
		return fail(why, size,
		    "member \"%s\": %lld; expected %lld to %lld", key,
		    (long long)n, (long long)lo, (long long)hi);
	*out = (int32_t)n;
	return true;
}

/* String member key of o: one of names[0..n), its index in *idx. */
static bool
get_choice(const json_t *o, const char *key, const char *const *names, size_t n,
    const char *expected, unsigned *idx, char *why, size_t size)
{
	const char *s = get_member(o, key, why, size);

	if (s == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0) {
			*idx = (unsigned)i;
			return true;
		}
	return fail(
	    why, size, "member \"%s\": expected one of %s", key, expected);
}

static bool
parse_sockpolicy(
    const json_t *o, struct control_req *req, char *why, size_t size)
{
	static const char *const ops[] = { "set", "clear" };
	static const char *const families[] = { "inet", "inet6" };
	static const char *const dirs[] = { "in", "out" };
	static const char *const types[] = { "none", "entrust", "bypass" };
	static const uint8_t type_values[] = { IPSEC_POLICY_NONE,
		IPSEC_POLICY_ENTRUST, IPSEC_POLICY_BYPASS };
	struct control_sockpol *sp = &req->sp;
	unsigned op = 0, i = 0;

	if (!get_choice(o, "op", ops, 2, "set, clear", &op, why, size))
		return false;
	sp->is_set = op == 0;
	if (!check_members(o,
		M_VERSION | M_CMD | M_OP | M_PID | M_FD |
		    (sp->is_set ? M_FAMILY | M_DIR | M_POLICY : 0),
		"sockpolicy", why, size) ||
	    !get_int(o, "pid", 1, INT32_MAX, &sp->pid, why, size) ||
	    !get_int(o, "fd", 0, INT32_MAX, &sp->fd, why, size))
		return false;
	if (!sp->is_set)
		return true;
	if (!get_choice(o, "family", families, 2, "inet, inet6", &i, why, size))
		return false;
	sp->family = i == 0 ? AF_INET : AF_INET6;
	if (!get_choice(o, "dir", dirs, 2, "in, out", &i, why, size))
		return false;
	sp->dir = i == 0 ? IPSEC_DIR_INBOUND : IPSEC_DIR_OUTBOUND;
	if (!get_choice(
		o, "policy", types, 3, "none, entrust, bypass", &i, why, size))
		return false;
	sp->type = type_values[i];
	return true;
}

static bool
parse_object(const json_t *o, struct control_req *req, char *why, size_t size)
{
	const char *cmd;

	if (!parse_version(o, why, size))
		return false;
	if ((cmd = get_member(o, "cmd", why, size)) == NULL)
		return false;
	if (strcmp(cmd, "show") == 0) {
		req->cmd = CONTROL_CMD_SHOW;
		return parse_show(o, req, why, size);
	}
	if (strcmp(cmd, "get") == 0) {
		req->cmd = CONTROL_CMD_GET;
		return check_members(
			   o, M_VERSION | M_CMD | M_NAME, cmd, why, size) &&
		    get_string(
			o, "name", req->name, sizeof(req->name), why, size);
	}
	if (strcmp(cmd, "set") == 0) {
		req->cmd = CONTROL_CMD_SET;
		return check_members(o, M_VERSION | M_CMD | M_NAME | M_VALUE,
			   cmd, why, size) &&
		    get_string(
			o, "name", req->name, sizeof(req->name), why, size) &&
		    get_string(
			o, "value", req->value, sizeof(req->value), why, size);
	}
	if (strcmp(cmd, "sockpolicy") == 0) {
		req->cmd = CONTROL_CMD_SOCKPOLICY;
		return parse_sockpolicy(o, req, why, size);
	}
	return fail(why, size,
	    "member \"cmd\": expected one of show, get, set, sockpolicy");
}

bool
control_req_parse(const void *buf, size_t len, struct control_req *req,
    char *why, size_t size)
{
	json_error_t err;
	json_t *o;
	bool ok;

	memset(req, 0, sizeof(*req));
	if (len == 0)
		return fail(why, size, "empty request");
	if (len > CONTROL_REQ_MAX)
		return fail(why, size, "request of %zu bytes; at most %d", len,
		    CONTROL_REQ_MAX);
	/*
	 * jansson's default already rejects data after the value and NUL
	 * bytes in strings (no JSON_DISABLE_EOF_CHECK, no JSON_ALLOW_NUL).
	 */
	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL)
		return fail(why, size, "bad JSON at byte %d: %s", err.position,
		    err.text);
	if (!json_is_object(o))
		ok = fail(why, size, "expected a JSON object");
	else
		ok = parse_object(o, req, why, size);
	json_decref(o);
	return ok;
}

static int
build_sockpolicy(json_t *o, const struct control_sockpol *sp)
{
	static const char *const types[] = { [IPSEC_POLICY_NONE] = "none",
		[IPSEC_POLICY_ENTRUST] = "entrust",
		[IPSEC_POLICY_BYPASS] = "bypass" };
	const char *type = sp->type < sizeof(types) / sizeof(types[0]) &&
		types[sp->type] != NULL
	    ? types[sp->type]
	    : "bypass";
	int rc;

	rc = json_object_set_new(
	    o, "op", json_string(sp->is_set ? "set" : "clear"));
	rc |= json_object_set_new(o, "pid", json_integer(sp->pid));
	rc |= json_object_set_new(o, "fd", json_integer(sp->fd));
	if (!sp->is_set)
		return rc;
	rc |= json_object_set_new(o, "family",
	    json_string(sp->family == AF_INET6 ? "inet6" : "inet"));
	rc |= json_object_set_new(
	    o, "dir", json_string(sp->dir == IPSEC_DIR_INBOUND ? "in" : "out"));
	rc |= json_object_set_new(o, "policy", json_string(type));
	return rc;
}

json_t *
control_req_build(const struct control_req *req)
{
	json_t *o;
	int rc = 0;

	o = json_pack("{s:i, s:s}", "version", CONTROL_VERSION, "cmd",
	    control_cmd_name(req->cmd));
	if (o == NULL)
		return NULL;
	switch (req->cmd) {
	case CONTROL_CMD_SHOW:
		rc = json_object_set_new(
		    o, "what", json_string(control_what_name(req->what)));
		if (rc == 0 && req->show_keys)
			rc = json_object_set_new(o, "keys", json_true());
		break;
	case CONTROL_CMD_SET:
		rc = json_object_set_new(o, "value",
		    json_stringn(
			req->value, strnlen(req->value, sizeof(req->value))));
		break;
	case CONTROL_CMD_GET:
		break;
	case CONTROL_CMD_SOCKPOLICY:
		rc = build_sockpolicy(o, &req->sp);
		break;
	}
	if (rc == 0 && req->cmd != CONTROL_CMD_SHOW &&
	    req->cmd != CONTROL_CMD_SOCKPOLICY)
		rc = json_object_set_new(o, "name",
		    json_stringn(
			req->name, strnlen(req->name, sizeof(req->name))));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
