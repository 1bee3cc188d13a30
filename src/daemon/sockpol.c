/* Socket policies of key managers (sockpol.h). */
#include "config.h"

#include "daemon/sockpol.h"

#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>

struct sockpol *
sockpol_new(void)
{
	return calloc(1, sizeof(struct sockpol));
}

int
sockpol_set(struct sockpol *t, const struct sockpol_entry *e)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].pid == e->pid && t->v[i].fd == e->fd &&
		    t->v[i].dir == e->dir) {
			t->v[i] = *e;
			return 0;
		}
	if (t->n == SOCKPOL_MAX)
		return -1;
	t->v[t->n++] = *e;
	return 0;
}

/* Keep the entries keep() says yes to, in order. */
static void
filter(struct sockpol *t,
    bool (*keep)(const struct sockpol_entry *e, const void *arg),
    const void *arg)
{
	size_t k = 0;

	for (size_t i = 0; i < t->n; i++)
		if (keep(&t->v[i], arg))
			t->v[k++] = t->v[i];
	t->n = k;
}

struct fd_of {
	pid_t pid;
	int fd;
};

static bool
not_fd(const struct sockpol_entry *e, const void *arg)
{
	const struct fd_of *f = arg;

	return !(e->pid == f->pid && e->fd == f->fd);
}

void
sockpol_clear(struct sockpol *t, pid_t pid, int fd)
{
	struct fd_of f = { pid, fd };

	filter(t, not_fd, &f);
}

static bool
alive(const struct sockpol_entry *e, const void *arg)
{
	bool (*const *is_alive)(pid_t) = arg;

	return (*is_alive)(e->pid);
}

void
sockpol_reap(struct sockpol *t, bool (*is_alive)(pid_t pid))
{
	filter(t, alive, &is_alive);
}

static const char *
type_name(uint8_t type)
{
	switch (type) {
	case IPSEC_POLICY_NONE:
		return "none";
	case IPSEC_POLICY_ENTRUST:
		return "entrust";
	default:
		return "bypass";
	}
}

json_t *
sockpol_json(const struct sockpol_entry *e)
{
	return json_pack("{s:b, s:I, s:I, s:s, s:s, s:s, s:I}", "socket", 1,
	    "pid", (json_int_t)e->pid, "fd", (json_int_t)e->fd, "family",
	    e->family == AF_INET6 ? "inet6" : "inet", "dir",
	    e->dir == IPSEC_DIR_INBOUND ? "in" : "out", "action",
	    type_name(e->type), "add_sec", (json_int_t)e->add_sec);
}
