/*
 * Control protocol client (ctlclient.h): connect, send one request, read
 * the reply's messages.  The reply comes from the daemon, which is
 * trusted, but is still checked (size, JSON, the members every message
 * has) so that a broken daemon gives an error, not garbage.
 */
#include "config.h"

#include "ipsecctl/ctlclient.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/secret.h"
#include "daemon/control.h"
#include "daemon/control_req.h"

static int __attribute__((format(printf, 2, 3)))
fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("ipsecctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/* Connect to path; the fd, or -1 after printing why with *status set. */
static int
connect_to(const char *path, int *status)
{
	struct timeval tv = { CTLCLIENT_TIMEOUT_SEC, 0 };
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		*status = fail(CTL_EXIT_USAGE,
		    "control socket path too long (%zu bytes, at most %zu): %s",
		    strlen(path), sizeof(sun.sun_path) - 1, path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0) {
		*status =
		    fail(CTL_EXIT_UNREACHABLE, "socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	if (errno == ENOENT || errno == ENOTDIR)
		*status = fail(CTL_EXIT_UNREACHABLE,
		    "ipsecd is not running (no control socket at %s)", path);
	else if (errno == ECONNREFUSED)
		*status = fail(CTL_EXIT_UNREACHABLE,
		    "ipsecd is not running (nothing listens on %s)", path);
	else if (errno == EACCES || errno == EPERM)
		*status = fail(CTL_EXIT_UNREACHABLE,
		    "permission denied on %s (root or the ipsecd group only)",
		    path);
	else
		*status = fail(CTL_EXIT_UNREACHABLE, "cannot connect to %s: %s",
		    path, strerror(errno));
	close(fd);
	return -1;
}

/* An error message of the reply: print it, return the status. */
static int
error_reply(const json_t *m, const char *path)
{
	const char *text = json_string_value(json_object_get(m, "error"));
	const char *code = json_string_value(json_object_get(m, "code"));
	char safe[512];

	control_printable(safe, sizeof(safe), text != NULL ? text : "?");
	if (code != NULL && strcmp(code, "denied") == 0)
		return fail(CTL_EXIT_UNREACHABLE, "%s: %s", path, safe);
	return fail(CTL_EXIT_REFUSED, "%s", safe);
}

/* Read one message into buf (CONTROL_MSG_MAX + 1 bytes). */
static int
recv_msg(int fd, uint8_t *buf, size_t *len)
{
	bool was_reset = false;
	ssize_t n;

	do
		n = recv(fd, buf, CONTROL_MSG_MAX + 1, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	/*
	 * A daemon that refuses us sends its error and closes without
	 * reading our request: the kernel then reports ECONNRESET first
	 * (once) and still holds the error message, so read again.
	 */
	if (n < 0 && errno == ECONNRESET) {
		was_reset = true;
		n = recv(
		    fd, buf, CONTROL_MSG_MAX + 1, MSG_TRUNC | MSG_DONTWAIT);
	}
	if (n < 0 && !was_reset && (errno == EAGAIN || errno == EWOULDBLOCK))
		return fail(CTL_EXIT_REFUSED,
		    "ipsecd did not answer within %d s", CTLCLIENT_TIMEOUT_SEC);
	if (n == 0 || (n < 0 && (errno == ECONNRESET || was_reset)))
		return fail(CTL_EXIT_REFUSED,
		    "ipsecd closed the connection before the end of the reply");
	if (n < 0)
		return fail(CTL_EXIT_REFUSED, "recv: %s", strerror(errno));
	if (n > CONTROL_MSG_MAX)
		return fail(CTL_EXIT_REFUSED,
		    "reply message of %zd bytes; at most %d", n,
		    CONTROL_MSG_MAX);
	*len = (size_t)n;
	return CTL_EXIT_OK;
}

static int
read_reply(int fd, const char *path, ctlclient_msg_fn fn, void *arg)
{
	uint8_t *buf = malloc(CONTROL_MSG_MAX + 1);
	int status = CTL_EXIT_OK;
	bool is_end = false;

	if (buf == NULL)
		return fail(CTL_EXIT_REFUSED, "out of memory");
	while (status == CTL_EXIT_OK && !is_end) {
		const char *type;
		json_t *m;
		size_t n = 0;

		if ((status = recv_msg(fd, buf, &n)) != CTL_EXIT_OK)
			break;
		m = json_loadb((const char *)buf, n, 0, NULL);
		secret_wipe(buf, n); /* it may have carried keys */
		type = json_string_value(json_object_get(m, "type"));
		if (!json_is_object(m) || type == NULL ||
		    !json_is_boolean(json_object_get(m, "end")))
			status = fail(
			    CTL_EXIT_REFUSED, "malformed reply from ipsecd");
		else if (strcmp(type, "error") == 0)
			status = error_reply(m, path);
		else if (!json_is_array(json_object_get(m, "items")))
			status = fail(CTL_EXIT_REFUSED,
			    "malformed reply from ipsecd (no items)");
		else {
			is_end = json_is_true(json_object_get(m, "end"));
			status = fn(arg, m);
		}
		json_decref(m);
	}
	free(buf);
	return status;
}

int
ctlclient_run(
    const char *path, const json_t *req, ctlclient_msg_fn fn, void *arg)
{
	char *text;
	int fd, status;

	if ((fd = connect_to(path, &status)) < 0)
		return status;
	if ((text = json_dumps(req, JSON_COMPACT)) == NULL) {
		close(fd);
		return fail(CTL_EXIT_REFUSED, "out of memory");
	}
	/*
	 * A peer the daemon refuses is sent one error and closed, maybe
	 * before this send: read that error rather than report EPIPE.
	 */
	if (send(fd, text, strlen(text), MSG_NOSIGNAL) < 0 && errno != EPIPE &&
	    errno != ECONNRESET)
		status = fail(CTL_EXIT_UNREACHABLE, "send to %s: %s", path,
		    strerror(errno));
	else
		status = read_reply(fd, path, fn, arg);
	free(text);
	close(fd);
	return status;
}
