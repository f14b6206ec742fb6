/* Aggregation updates: keys cut out of the record, one per-CPU hash map per
 * aggregation (plan.agg). */
#ifndef LUAPROBE_AGG_BPF_H
#define LUAPROBE_AGG_BPF_H

#include "record.bpf.h"

/* Key and value sizes and max_entries are set per probe at load. Per-CPU:
 * an update is a plain add to this CPU's copy (no locked instruction, no
 * line bouncing between CPUs); user space sums the copies when it reads. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__uint(key_size, 8);
	__uint(value_size, 8);
} lp_agg0 SEC(".maps"), lp_agg1 SEC(".maps");

static __always_inline __u64 lp_log2_bucket(__s64 v)
{
	__u64 x = v, b = 1;

	/* bpftrace's buckets: [..0) is 0, 0 is 1, [1] is 2, [2,4) is 3, ... */
	if (v < 0)
		return 0;
	if (v == 0)
		return 1;
	if (x >> 32) {
		x >>= 32;
		b += 32;
	}
	if (x >> 16) {
		x >>= 16;
		b += 16;
	}
	if (x >> 8) {
		x >>= 8;
		b += 8;
	}
	if (x >> 4) {
		x >>= 4;
		b += 4;
	}
	if (x >> 2) {
		x >>= 2;
		b += 2;
	}
	if (x >> 1)
		b += 1;
	return b + 1;
}

/* Returns 1 when the update made a new key, else 0. */
static __always_inline int lp_agg_update(void *map, const volatile struct lp_agg *a,
					 const char *rec, char *key)
{
	/* read once: each mention of the volatile plan is a load the program
	 * keeps, pruned branch or not (16 of key_size for the zeroing alone) */
	const __u32 key_size = a->key_size, nkeys = a->nkeys, kind = a->kind;
	int fresh = 0;

	__s64 v = 1;
	void *val;

	/* Only keys with a stack pass 128 bytes, and a stack's slot is copied
	 * whole: zeroing to LP_KEY_MAX would put 48 more tests, each a few
	 * instructions the verifier keeps, on every other probe's path. */
#pragma unroll
	for (int w = 0; w < 128 / 8; w++)
		if (w * 8 < key_size)
			((__u64 *)key)[w] = 0;
#pragma nounroll
	for (int j = 0; j < LP_MAX_KEYS && j < nkeys; j++) {
		if (j < nkeys) {
			const volatile struct lp_keypart *k = &a->keys[j];
			const __u32 size = k->size, pad = k->pad;
			char *kd = key + k->dst;
			const char *rs = rec + k->src;

			/* kept opaque: otherwise clang hoists key + w * 8 and
			 * rec + w * 8 of the string path out of the loop, and
			 * every count by an integer computes and spills them */
			asm volatile("" : "+r"(kd), "+r"(rs));
			if (size <= 8) {
				/* an integer: widened to 8 bytes, signedness in pad */
				*(__s64 *)kd = lp_load(rs, 0, size, pad);
			} else if (size <= 64) {
				/* a string of pad bytes, copied a word at a time:
				 * the last word keeps only the string's own bytes,
				 * never the next field's (char[10]) */
#pragma unroll
				for (int w = 0; w < 8; w++)
					if (w * 8 < size) {
						__u64 word = *(const __u64 *)(rs + w * 8);
						int keep = pad - w * 8;

						if (keep < 8)
							word &= (1ULL << (keep * 8)) - 1;
						*(__u64 *)(kd + w * 8) = word;
					}
			} else {
				/* A stack slot, whole: the key is the stack. One
				 * helper call, not 33 copies unrolled at each of the
				 * 8 key parts of the object (which grew 15%). */
				bpf_probe_read_kernel(kd, LP_STACK_SLOT, rs);
			}
		}
	}
	if (a->val_size)
		v = lp_load(rec, a->val_src, a->val_size, a->val_signed);
	if (kind == LP_AGG_HIST) {
		*(__u64 *)(key + key_size - 8) = lp_log2_bucket(v);
	} else if (kind == LP_AGG_LHIST) {
		__u64 bucket;

		/* 0: below lo; 1 + (v - lo) / step; the last: at or above hi */
		if (v < a->lo)
			bucket = 0;
		else if (v >= a->hi)
			bucket = 1 + (__u64)(a->hi - a->lo) / (__u64)a->step;
		else
			bucket = 1 + (__u64)(v - a->lo) / (__u64)a->step;
		*(__u64 *)(key + key_size - 8) = bucket;
	}

	val = bpf_map_lookup_elem(map, key);
	if (!val) {
		struct lp_stats init = {}; /* zeroed only for a new key */

		/* BPF_NOEXIST: another CPU may have added the key meanwhile. The
		 * zeroed value is every CPU's; count 0 tells stats it is new. */
		if (bpf_map_update_elem(map, key, &init, BPF_NOEXIST) == -7 /* E2BIG */) {
			lp_count_lost(LP_LOST_AGGFULL);
			return 0;
		}
		fresh = 1;
		val = bpf_map_lookup_elem(map, key);
		if (!val)
			return fresh;
	}
	/* This CPU's copy: only a nested program (an NMI) could race with us. */
	if (kind == LP_AGG_STATS) {
		struct lp_stats *s = val;

		if (s->count == 0 || v < s->min)
			s->min = v;
		if (s->count == 0 || v > s->max)
			s->max = v;
		s->count += 1;
		s->sum += v;
	} else if (kind == LP_AGG_HIST || kind == LP_AGG_LHIST) {
		/* the bucket's count and the sum of its values */
		((__u64 *)val)[0] += 1;
		((__s64 *)val)[1] += v;
	} else {
		*(__u64 *)val += v;
	}
	return fresh;
}

/* A count keyed by integers (no LP_L_AGGX: plan_agg_lean, every key part
 * at most 8 bytes, so part j is the key's word j): what a hand-written
 * count does, and nothing the other kinds need. Unrolled over the frozen
 * plan, each plan field read once: at run time a straight line, not a loop
 * (a count by pid ran ~110 instructions an event through lp_agg_update:
 * the key loop, the zeroing, the kind tests). */
static __always_inline void lp_agg_count(void *map, const volatile struct lp_agg *a,
					 const char *rec, __u64 *key)
{
	const __u32 nkeys = a->nkeys;
	__u64 one = 1, *val;

	if (nkeys == 0)
		key[0] = 0; /* an unkeyed count: a per-CPU array's index 0 */
#pragma unroll
	for (int j = 0; j < LP_MAX_KEYS; j++)
		if (j < nkeys) {
			const volatile struct lp_keypart *k = &a->keys[j];

			key[j] = lp_load(rec, k->src, k->size, k->pad);
		}
	val = bpf_map_lookup_elem(map, key);
	if (val) {
		*val += 1; /* this CPU's copy */
		return;
	}
	/* A new key: the update sets this CPU's copy to 1 and the others' to
	 * 0. -EEXIST: another CPU added it meanwhile. */
	switch (bpf_map_update_elem(map, key, &one, BPF_NOEXIST)) {
	case 0:
		return;
	case -7: /* E2BIG */
		lp_count_lost(LP_LOST_AGGFULL);
		return;
	}
	val = bpf_map_lookup_elem(map, key);
	if (val)
		*val += 1;
}

#endif
