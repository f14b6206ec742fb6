/* Ring-buffer output: the record to user space, for a probe with a handler.
 * User space creates lp_events and lp_lost once and hands them to each
 * probe's object with bpf_map__reuse_fd(). */
#ifndef LUAPROBE_OUTPUT_BPF_H
#define LUAPROBE_OUTPUT_BPF_H

#include "record.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 12); /* replaced by the shared map at load */
} lp_events SEC(".maps");

/* When the reader was last woken. A wake-up per event (what the ring
 * buffer's default does while the reader keeps up) costs the traced task
 * microseconds; so the first event after a quiet gap wakes the reader at
 * once, and the events of a burst wait for the reader's sweep (loop.c),
 * at most LP_SWEEP_MS later. Racy across CPUs by design: a lost update
 * only means one wake-up more or less. */
__u64 lp_last_wake = 0;

static __always_inline void lp_emit(const char *rec)
{
	__u64 ts = ((const struct lp_event_hdr *)rec)->ts;
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (ts - lp_last_wake >= LP_WAKE_GAP_NS) {
		lp_last_wake = ts;
		flags = BPF_RB_FORCE_WAKEUP;
	}
	/* The size is a constant of the frozen plan, as the helper requires. */
	if (bpf_ringbuf_output(&lp_events, (void *)rec,
			       sizeof(struct lp_event_hdr) + plan.data_size, flags))
		lp_count_lost(LP_LOST_RESERVE);
}

/* A process whose user stack is a new aggregation key: user space copies
 * its maps at once (it may exit soon), so the key still symbolizes later.
 * Once per new key, not per event; user space keeps one copy per process. */
static __always_inline void lp_note_pid(const char *rec)
{
	struct lp_event_hdr n = {};

	n.pid = ((const struct lp_event_hdr *)rec)->pid;
	n.probe_id = LP_ID_NOTE_PID;
	if (bpf_ringbuf_output(&lp_events, &n, sizeof(n), BPF_RB_FORCE_WAKEUP))
		lp_count_lost(LP_LOST_RESERVE);
}

#endif
