/* Shared by every template: the event ring buffer and the lost-event counter.
 * User space creates both once and hands them to each probe's object with
 * bpf_map__reuse_fd(), so all probes stream through one buffer. */
#ifndef LUAPROBE_EMIT_BPF_H
#define LUAPROBE_EMIT_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <luaprobe/event.h>
#include <luaprobe/plan.h>

const volatile struct lp_plan plan = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 12); /* replaced by the shared map at load */
} lp_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LP_LOST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lp_lost SEC(".maps");

static __always_inline void lp_count_lost(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&lp_lost, &slot);

	if (n)
		*n += 1; /* per-CPU: no atomic needed */
}

/* When the reader was last woken. A wake-up per event (what the ring
 * buffer's default does while the reader keeps up) costs the traced task
 * microseconds; so the first event after a quiet gap wakes the reader at
 * once, and the events of a burst wait for the reader's sweep (loop.c),
 * at most LP_SWEEP_MS later. Racy across CPUs by design: a lost update
 * only means one wake-up more or less. */
__u64 lp_last_wake = 0;

static __always_inline void lp_event_end(struct lp_event_hdr *ev)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (ev->ts - lp_last_wake >= LP_WAKE_GAP_NS) {
		lp_last_wake = ev->ts;
		flags = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(ev, flags);
}

/* Reserve an event with its header filled in; NULL (and counted) when the
 * buffer is full. The size is a constant of the frozen plan, which
 * bpf_ringbuf_reserve requires. */
static __always_inline struct lp_event_hdr *lp_event_begin(__u64 pid_tgid)
{
	struct lp_event_hdr *ev;
	__u64 uid_gid;

	ev = bpf_ringbuf_reserve(&lp_events, sizeof(*ev) + plan.data_size, 0);
	if (!ev) {
		lp_count_lost(LP_LOST_RESERVE);
		return NULL;
	}
	uid_gid = bpf_get_current_uid_gid();
	ev->ts = bpf_ktime_get_ns();
	ev->pid = pid_tgid >> 32;
	ev->tid = (__u32)pid_tgid;
	ev->uid = (__u32)uid_gid;
	ev->cpu = bpf_get_smp_processor_id();
	ev->probe_id = plan.probe_id;
	ev->size = plan.data_size;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	return ev;
}

#endif
