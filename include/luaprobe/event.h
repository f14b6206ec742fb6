/* One event as the template writes it to the ring buffer: this header, then
 * plan.data_size bytes laid out by the plan's fetch ops. */
#ifndef LUAPROBE_EVENT_H
#define LUAPROBE_EVENT_H

#include <linux/types.h>

#include "plan.h"

struct lp_event_hdr {
	__u64 ts;	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 pid;	/* tgid, as users mean "pid" */
	__u32 tid;
	__u32 uid;
	__u32 cpu;
	__u32 probe_id; /* from the plan: which probe fired */
	__u32 size;	/* bytes of data after this header */
	char comm[LP_COMM_LEN];
};
_Static_assert(sizeof(struct lp_event_hdr) == 48, "lp_event_hdr layout");

/* Index 0 of the shared per-CPU lp_lost array: ring-buffer reservations that failed. */
#define LP_LOST_RESERVE 0
#define LP_LOST_SLOTS 1

#endif
