/* One event as the template writes it to the ring buffer: this header, then
 * plan.data_size bytes laid out by the plan's fetch ops. */
#ifndef LUAPROBE_EVENT_H
#define LUAPROBE_EVENT_H

#include <linux/types.h>

#include "plan.h"

struct lp_event_hdr {
	__u64 ts; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 pid; /* tgid, as users mean "pid" */
	__u32 tid;
	__u32 uid;
	__u32 cpu;
	__u32 probe_id; /* from the plan: which probe fired */
	__u32 size; /* bytes of data after this header */
	char comm[LP_COMM_LEN];
};
_Static_assert(sizeof(struct lp_event_hdr) == 48, "lp_event_hdr layout");

/* Wake-up policy shared by the templates and the loop: the kernel wakes the
 * reader for an event that follows a quiet gap of LP_WAKE_GAP_NS; events
 * closer together are picked up by the reader's sweep, LP_SWEEP_MS after it
 * last found events. */
#define LP_WAKE_GAP_NS 1000000ULL
#define LP_SWEEP_MS 2

/* Slots of the shared per-CPU lp_lost array: what the kernel side could not do. */
#define LP_LOST_RESERVE 0 /* events the ring buffer had no room for */
#define LP_LOST_AGGFULL 1 /* aggregation updates refused: the map was full */
#define LP_LOST_LATFULL 2 /* latency() starts not stored: the start map was full */
#define LP_LOST_UNPAIRED 3 /* latency() ends without a stored start */
#define LP_LOST_SLOTS 4

#endif
