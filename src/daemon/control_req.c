/*
 * Control requests (control_req.h): jansson reads the JSON text (UTF-8,
 * nesting depth and number ranges are its checks; we add no duplicate
 * members and nothing after the object), then each member is checked by
 * name and type against what the command allows.
 */
#include "config.h"

#include "daemon/control_req.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const cmd_names[] = {
	[CONTROL_CMD_SHOW] = "show",
	[CONTROL_CMD_GET] = "get",
	[CONTROL_CMD_SET] = "set",
};

static const char *const what_names[CONTROL_WHAT_COUNT] = {
	[CONTROL_WHAT_SA] = "sa",
	[CONTROL_WHAT_SP] = "sp",
	[CONTROL_WHAT_INTERFACES] = "interfaces",
	[CONTROL_WHAT_STATS] = "stats",
	[CONTROL_WHAT_KNOBS] = "knobs",
};

/* Which members each command allows (bits of member_names' index). */
enum {
	M_VERSION = 0x01,
	M_CMD = 0x02,
	M_WHAT = 0x04,
	M_KEYS = 0x08,
	M_NAME = 0x10,
	M_VALUE = 0x20,
};

static const char *const member_names[] = { "version", "cmd", "what", "keys",
	"name", "value" };

const char *
control_cmd_name(enum control_cmd cmd)
{
	switch (cmd) {
	case CONTROL_CMD_SHOW:
	case CONTROL_CMD_GET:
	case CONTROL_CMD_SET:
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
		    "stats, knobs");
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
	return fail(
	    why, size, "member \"cmd\": expected one of show, get, set");
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
	}
	if (rc == 0 && req->cmd != CONTROL_CMD_SHOW)
		rc = json_object_set_new(o, "name",
		    json_stringn(
			req->name, strnlen(req->name, sizeof(req->name))));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
