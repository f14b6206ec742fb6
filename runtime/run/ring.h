/* The ring buffer read in place: records are handed out one by one and the
 * space they held is given back to the kernel in batches, so that the
 * producers (other CPUs, which read the consumer position on every reserve)
 * do not take a cache miss per record. libbpf's ring_buffer__consume gives
 * back every record as it goes, and its callback cannot stop a batch
 * without losing the record it was handed. */
#ifndef LUAPROBE_RING_H
#define LUAPROBE_RING_H

#include <stddef.h>

struct lp_ring {
	int fd; /* the BPF_MAP_TYPE_RINGBUF map (not owned) */
	unsigned long mask; /* data size - 1 */
	unsigned long *consumer_pos; /* the kernel's, shared: written by ring_release */
	const unsigned long *producer_pos;
	const unsigned char *data; /* mapped twice over: a record never wraps */
	unsigned long cons; /* the next record's position (ours, ahead of the kernel's) */
	unsigned long prod; /* the producer position last read: read again when reached */
	size_t page, mapped;
};

/* Map the ring buffer of map fd. Returns 0 or -errno. */
int ring_open(struct lp_ring *r, int fd);
void ring_close(struct lp_ring *r);

/* The next committed record (its data and size), or NULL when there is none
 * yet. The record is the caller's until ring_release: it is not overwritten
 * before. Discarded records are skipped. */
const void *ring_next(struct lp_ring *r, size_t *size);

/* Nonzero when a record may be there (one reserved, not yet committed,
 * counts: ring_next then says NULL). */
int ring_pending(struct lp_ring *r);

/* Give back to the kernel every record ring_next has handed out. */
void ring_release(struct lp_ring *r);

#endif
