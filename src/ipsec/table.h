#ifndef IPSECD_IPSEC_TABLE_H
#define IPSECD_IPSEC_TABLE_H

/*
 * Private helpers shared by sad.c and spd.c (not an API of its own).
 *
 * The control thread keeps every entry of a table on a doubly linked list
 * in insertion order.  Dump cursors are marker links on the same list (as
 * Linux's xfrm_state_walk): a cursor sits just after the last entry it
 * returned, so deleting that entry, or any other, never invalidates it.
 * Only the control thread touches these lists; readers never see them.
 *
 * table_rcu_enter/leave bring a registered QSBR thread online for the
 * duration of a call when it was offline (rculfhash wants every caller in
 * a read-side critical section, which for QSBR means online).
 */
#include <stdbool.h>
#include <stddef.h>

#include <urcu-qsbr.h>

struct table_link {
	struct table_link *prev;
	struct table_link *next;
	bool is_cursor;
};

static inline void
table_list_init(struct table_link *head)
{
	head->prev = head;
	head->next = head;
	head->is_cursor = false;
}

static inline void
table_link_insert_before(struct table_link *pos, struct table_link *l)
{
	l->prev = pos->prev;
	l->next = pos;
	pos->prev->next = l;
	pos->prev = l;
}

static inline void
table_link_del(struct table_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = l;
	l->next = l;
}

/* Put nl where old is (an update keeps its place and the cursors after it). */
static inline void
table_link_replace(struct table_link *old, struct table_link *nl)
{
	nl->is_cursor = false;
	table_link_insert_before(old, nl);
	table_link_del(old);
}

/*
 * Advance cursor c past the next entry and return that entry's link, or
 * NULL (cursor left at the end) when no entry follows.
 */
static inline struct table_link *
table_cursor_step(struct table_link *head, struct table_link *c)
{
	struct table_link *l = c->next;

	while (l != head && l->is_cursor)
		l = l->next;
	if (l == head)
		return NULL;
	table_link_del(c);
	table_link_insert_before(l->next, c);
	return l;
}

static inline bool
table_rcu_enter(void)
{
	if (urcu_qsbr_read_ongoing())
		return false;
	urcu_qsbr_thread_online();
	return true;
}

static inline void
table_rcu_leave(bool was_offline)
{
	if (was_offline)
		urcu_qsbr_thread_offline();
}

#endif
