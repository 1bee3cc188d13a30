/* Worker-to-control event rings (wevent.h). */
#include "config.h"

#include "daemon/wevent.h"

bool
wevent_put(struct wevent_ring *r, const struct wevent *ev)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail == WEVENT_RING) {
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
		return false;
	}
	r->ev[head % WEVENT_RING] = *ev;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

bool
wevent_get(struct wevent_ring *r, struct wevent *ev)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	if (head == tail)
		return false;
	*ev = r->ev[tail % WEVENT_RING];
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return true;
}
