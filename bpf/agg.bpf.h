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

/* Keyed counts' pending runs (struct lp_pend), one slot per aggregation and
 * CPU, and the word a reader sets while it reads them: made only for a
 * probe whose plan has lp_agg.pend (load/load.c). A template whose
 * programs may be preempted defines LP_NO_PEND: it has neither the maps
 * nor the code (what the verifier would prune, the kernel is not handed). */
#ifndef LP_NO_PEND
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LP_MAX_AGG);
	__type(key, __u32);
	__type(value, struct lp_pend);
} lp_pend SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lp_pctl SEC(".maps");
#endif

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

static __always_inline void lp_agg_add(void *map, const __u64 *key, const __u64 *n)
{
	__u64 *val = bpf_map_lookup_elem(map, key);

	if (val) {
		*val += *n; /* this CPU's copy */
		return;
	}
	/* A new key: the update sets this CPU's copy to n and the others' to
	 * 0. -EEXIST: another CPU added it meanwhile. */
	switch (bpf_map_update_elem(map, key, n, BPF_NOEXIST)) {
	case 0:
		return;
	case -7: /* E2BIG */
		lp_count_lost_n(LP_LOST_AGGFULL, *n);
		return;
	}
	val = bpf_map_lookup_elem(map, key);
	if (val)
		*val += *n;
}

static __always_inline int lp_pend_same(const struct lp_pend *p, __u32 nwords, const __u64 *key)
{
#pragma unroll
	for (int j = 0; j < LP_MAX_KEYS; j++)
		if (j < nwords && p->key[j] != key[j])
			return 0;
	return 1;
}

/* The count in this CPU's pending run (struct lp_pend): 1 if counted there,
 * 0 if the caller counts in the map (a reader holds the slots, a nested
 * program holds this one). The key is nwords words (lp_agg.key_size / 8).
 * A run of another key goes into the map first.
 * seq is odd while the slot changes: a program that interrupts this one
 * (an interrupt's tracepoint of the same probe) leaves the slot alone. */
static __always_inline int lp_pend_count(void *map, __u32 idx, __u32 nwords, const __u64 *key)
{
#ifdef LP_NO_PEND
	return 0;
#else
	__u32 zero = 0;
	const __u64 *held = bpf_map_lookup_elem(&lp_pctl, &zero);
	struct lp_pend *p = bpf_map_lookup_elem(&lp_pend, &idx);
	__u64 seq;

	if (!held || !p || *held)
		return 0;
	seq = p->seq;
	if (seq & 1)
		return 0;
	p->seq = seq + 1;
	asm volatile("" ::: "memory");
	if (p->n && lp_pend_same(p, nwords, key)) {
		p->n += 1;
	} else {
		if (p->n)
			lp_agg_add(map, p->key, &p->n);
		p->n = 0;
		/* Only a key the map has takes the slot: a new key's first
		 * event goes into the map (or is dropped, counted, when the
		 * map is full), so a reader never sees a key the map could
		 * not hold, and a flush finds its entry. */
		if (bpf_map_lookup_elem(map, key)) {
#pragma unroll
			for (int j = 0; j < LP_MAX_KEYS; j++)
				if (j < nwords)
					p->key[j] = key[j];
			p->n = 1;
		}
	}
	asm volatile("" ::: "memory");
	p->seq = seq + 2;
	return p->n != 0;
#endif
}

/* Returns 1 when the update made a new key, else 0. */
static __always_inline int lp_agg_update(void *map, const volatile struct lp_agg *a,
					 const char *rec, char *key, __u32 idx)
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
	/* a count whose key fits a slot (by comm: two words, zero-padded) */
	if (kind == LP_AGG_COUNT && a->pend &&
	    lp_pend_count(map, idx, key_size / 8, (const __u64 *)key))
		return 0;

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

/* The count under key[0..nkeys), in this CPU's pending run or the map. */
static __always_inline void lp_agg_count_key(void *map, const volatile struct lp_agg *a,
					     __u32 nkeys, __u64 *key, __u32 idx)
{
	__u64 one = 1;

	if (nkeys == 0)
		key[0] = 0; /* an unkeyed count: a per-CPU array's index 0 */
	if (a->pend && lp_pend_count(map, idx, nkeys, key))
		return;
	lp_agg_add(map, key, &one);
}

/* A count keyed by integers (no LP_L_AGGX: plan_agg_lean, every key part
 * at most 8 bytes, so part j is the key's word j): what a hand-written
 * count does, and nothing the other kinds need. Unrolled over the frozen
 * plan, each plan field read once: at run time a straight line, not a loop
 * (a count by pid ran ~110 instructions an event through lp_agg_update:
 * the key loop, the zeroing, the kind tests). */
static __always_inline void lp_agg_count(void *map, const volatile struct lp_agg *a,
					 const char *rec, __u64 *key, __u32 idx)
{
	const __u32 nkeys = a->nkeys;

#pragma unroll
	for (int j = 0; j < LP_MAX_KEYS; j++)
		if (j < nkeys) {
			const volatile struct lp_keypart *k = &a->keys[j];

			key[j] = lp_load(rec, k->src, k->size, k->pad);
		}
	lp_agg_count_key(map, a, nkeys, key, idx);
}

/* Key part k of a record that is the header alone (lp_count_only): the
 * pid and the tid straight from pid_tgid, so that a count by pid writes no
 * header to read it back; anything else from the header, which the caller
 * has filled if the plan wants a field it takes a helper for. The frozen
 * plan's tests are pruned by the verifier. */
static __always_inline __u64 lp_hdr_part(const volatile struct lp_keypart *k,
					 const struct lp_event_hdr *h, __u64 pid_tgid)
{
	const __u32 src = k->src, size = k->size, pad = k->pad;

	if (size == 4 && !pad && src == __builtin_offsetof(struct lp_event_hdr, pid))
		return pid_tgid >> 32;
	if (size == 4 && !pad && src == __builtin_offsetof(struct lp_event_hdr, tid))
		return (__u32)pid_tgid;
	return lp_load((const char *)h, src, size, pad);
}

/* lp_agg_count for that record. */
static __always_inline void lp_agg_count_hdr(void *map, const volatile struct lp_agg *a,
					     const struct lp_event_hdr *h, __u64 pid_tgid,
					     __u64 *key, __u32 idx)
{
	const __u32 nkeys = a->nkeys;

#pragma unroll
	for (int j = 0; j < LP_MAX_KEYS; j++)
		if (j < nkeys)
			key[j] = lp_hdr_part(&a->keys[j], h, pid_tgid);
	lp_agg_count_key(map, a, nkeys, key, idx);
}

#endif
