/* latency(start, end, key), paired in the kernel: neither end's event
 * needs to reach user space for the time between them to be counted. */
#ifndef LUAPROBE_LATENCY_BPF_H
#define LUAPROBE_LATENCY_BPF_H

#include "record.bpf.h"

struct lp_lat_key {
	__u64 pair;
	__u64 key;
};

/* Shared by every probe of the run (user space creates it, LP_LAT_MAX
 * entries, and every object reuses it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct lp_lat_key);
	__type(value, __u64);
} lp_lat SEC(".maps");

/* 0: the record goes on to the aggregations and the handler; 1: it stops
 * here (an end whose start was never seen has no latency to give). */
static __always_inline int lp_latency(char *rec)
{
	struct lp_lat_key k = {};
	__u64 now, *start;

	if (!plan.lat.role)
		return 0;
	k.pair = plan.lat.pair;
	k.key = lp_load(rec, plan.lat.key_src, plan.lat.key_size, plan.lat.key_signed);
	now = bpf_ktime_get_ns();
	if (plan.lat.role == LP_LAT_START) {
		if (bpf_map_update_elem(&lp_lat, &k, &now, BPF_ANY) == -7 /* E2BIG */)
			lp_count_lost(LP_LOST_LATFULL);
		return 0;
	}
	start = bpf_map_lookup_elem(&lp_lat, &k);
	if (!start) {
		lp_count_lost(LP_LOST_UNPAIRED);
		return 1;
	}
	*(__u64 *)(rec + sizeof(struct lp_event_hdr) + (plan.lat.dst & (LP_DATA_MAX - 8))) =
		now - *start;
	bpf_map_delete_elem(&lp_lat, &k);
	return 0;
}

#endif
