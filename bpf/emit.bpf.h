/* Shared by every template: the per-CPU record, the in-kernel filter, the
 * aggregations and the event ring buffer. Every loop is unrolled over a
 * frozen plan, so the verifier sees constants and keeps only what the plan
 * uses (template-facts.md). User space creates lp_events and lp_lost once
 * and hands them to each probe's object with bpf_map__reuse_fd(). */
#ifndef LUAPROBE_EMIT_BPF_H
#define LUAPROBE_EMIT_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <luaprobe/event.h>
#include <luaprobe/plan.h>

const volatile struct lp_plan plan = {};

#define LP_REGS_SIZE 168 /* struct pt_regs on x86-64 */

struct lp_scratch {
	char rec[LP_REC_MAX];
	char key[LP_KEY_MAX];
	char regs[LP_REGS_SIZE]; /* pt_regs contexts: the registers, copied once */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lp_scratch);
} lp_scratch SEC(".maps");

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

/* Key and value sizes and max_entries are set per probe at load. Per-CPU:
 * an update is a plain add to this CPU's copy (no locked instruction, no
 * line bouncing between CPUs); user space sums the copies when it reads. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__uint(key_size, 8);
	__uint(value_size, 8);
} lp_agg0 SEC(".maps"), lp_agg1 SEC(".maps");

static __always_inline void lp_count_lost(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&lp_lost, &slot);

	if (n)
		*n += 1; /* per-CPU: no atomic needed */
}

/* Zero a string slot before a string is read into it: bytes after the NUL
 * would otherwise be the last event's, and string keys and compares read
 * whole words (template-facts.md, trap 5). */
static __always_inline void lp_zero_slot(char *data, const volatile struct lp_fetch *f)
{
#pragma unroll
	for (int w = 0; w < LP_STR_MAX / 8; w++)
		if (w * 8 < f->size)
			*(__u64 *)(data + f->dst + w * 8) = 0;
}

/* The record starts with the event header; fill it. */
static __always_inline void lp_header(struct lp_event_hdr *h, __u64 pid_tgid)
{
	if (plan.want & LP_W_TS)
		h->ts = bpf_ktime_get_ns();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	if (plan.want & LP_W_UID)
		h->uid = (__u32)bpf_get_current_uid_gid();
	if (plan.want & LP_W_CPU)
		h->cpu = bpf_get_smp_processor_id();
	h->probe_id = plan.probe_id;
	h->size = plan.data_size;
	if (plan.want & LP_W_COMM)
		bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline __s64 lp_load(const char *rec, __u32 off, __u32 size, __u32 sgn)
{
	const char *p = rec + off;

	if (size == 1)
		return sgn ? (__s64) * (const __s8 *)p : (__s64) * (const __u8 *)p;
	if (size == 2)
		return sgn ? (__s64) * (const __s16 *)p : (__s64) * (const __u16 *)p;
	if (size == 4)
		return sgn ? (__s64) * (const __s32 *)p : (__s64) * (const __u32 *)p;
	return *(const __s64 *)p;
}

static __always_inline __s64 lp_binop(__u8 op, __s64 a, __s64 b)
{
	switch (op) {
	case LP_OP_EQ:
		return a == b;
	case LP_OP_NE:
		return a != b;
	case LP_OP_LT:
		return a < b;
	case LP_OP_LE:
		return a <= b;
	case LP_OP_GT:
		return a > b;
	case LP_OP_GE:
		return a >= b;
	case LP_OP_ULT:
		return (__u64)a < (__u64)b;
	case LP_OP_ULE:
		return (__u64)a <= (__u64)b;
	case LP_OP_UGT:
		return (__u64)a > (__u64)b;
	case LP_OP_UGE:
		return (__u64)a >= (__u64)b;
	case LP_OP_AND:
		return a & b;
	case LP_OP_OR:
		return a | b;
	case LP_OP_XOR:
		return a ^ b;
	case LP_OP_LAND:
		return a && b;
	default:
		return a || b;
	}
}

/* String literal compare, 8 bytes at a time, the last word masked. */
static __always_inline __s64 lp_streq(const char *rec, const volatile struct lp_insn *in)
{
	__s64 eq = 1;

#pragma unroll
	for (int w = 0; w < 8; w++) {
		if (w * 8 < in->imm) {
			__u64 a = *(const __u64 *)(rec + in->off + w * 8);
			__u64 b = plan.strpool[(in->aux + w) & (LP_MAX_STRWORDS - 1)];
			__s64 left = in->imm - w * 8;

			if (left < 8)
				a &= (1ULL << (left * 8)) - 1;
			eq &= a == b;
		}
	}
	return eq;
}

static __always_inline __s64 lp_inrange(__s64 v, const volatile struct lp_insn *in)
{
	__s64 r = 0;

#pragma unroll
	for (int j = 0; j < LP_MAX_RANGES; j++) {
		if (j < in->size) {
			const volatile struct lp_range *rg =
				&plan.ranges[(in->aux + j) & (LP_MAX_RANGES - 1)];

			r |= (__u64)v >= rg->lo && (__u64)v < rg->hi;
		}
	}
	return r;
}

/* Run the filter over the record: non-zero to keep the event. */
static __always_inline int lp_filter(const char *rec)
{
	__s64 st[LP_MAX_STACK] = {};
	int sp = 0;

#pragma unroll
	for (int i = 0; i < LP_MAX_INSN; i++) {
		if (i < plan.ninsn) {
			const volatile struct lp_insn *in = &plan.insn[i];
			__u8 op = in->op;

			if (op == LP_OP_LD) {
				st[sp & (LP_MAX_STACK - 1)] =
					lp_load(rec, in->off, in->size, in->aux);
				sp++;
			} else if (op == LP_OP_IMM) {
				st[sp & (LP_MAX_STACK - 1)] = in->imm;
				sp++;
			} else if (op == LP_OP_STREQ) {
				st[sp & (LP_MAX_STACK - 1)] = lp_streq(rec, in);
				sp++;
			} else if (op == LP_OP_INRANGE) {
				__s64 *t = &st[(sp - 1) & (LP_MAX_STACK - 1)];

				*t = lp_inrange(*t, in);
			} else if (op == LP_OP_NOT) {
				__s64 *t = &st[(sp - 1) & (LP_MAX_STACK - 1)];

				*t = !*t;
			} else if (op == LP_OP_BNOT) {
				__s64 *t = &st[(sp - 1) & (LP_MAX_STACK - 1)];

				*t = ~*t;
			} else if (op == LP_OP_NEG) {
				__s64 *t = &st[(sp - 1) & (LP_MAX_STACK - 1)];

				*t = -*t;
			} else if (op >= LP_OP_EQ) {
				__s64 b = st[(sp - 1) & (LP_MAX_STACK - 1)];

				sp--;
				st[(sp - 1) & (LP_MAX_STACK - 1)] =
					lp_binop(op, st[(sp - 1) & (LP_MAX_STACK - 1)], b);
			}
		}
	}
	return st[0] != 0;
}

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

static __always_inline void lp_agg_update(void *map, const volatile struct lp_agg *a,
					  const char *rec, char *key)
{
	__s64 v = 1;
	void *val;

#pragma unroll
	for (int w = 0; w < LP_KEY_MAX / 8; w++)
		if (w * 8 < a->key_size)
			((__u64 *)key)[w] = 0;
#pragma unroll
	for (int j = 0; j < LP_MAX_KEYS; j++) {
		if (j < a->nkeys) {
			const volatile struct lp_keypart *k = &a->keys[j];

			if (k->size <= 8) {
				/* an integer: widened to 8 bytes, signedness in pad */
				*(__s64 *)(key + k->dst) = lp_load(rec, k->src, k->size, k->pad);
			} else {
#pragma unroll
				for (int w = 0; w < 8; w++)
					if (w * 8 < k->size)
						*(__u64 *)(key + k->dst + w * 8) =
							*(const __u64 *)(rec + k->src + w * 8);
			}
		}
	}
	if (a->val_size)
		v = lp_load(rec, a->val_src, a->val_size, a->val_signed);
	if (a->kind == LP_AGG_HIST) {
		*(__u64 *)(key + a->key_size - 8) = lp_log2_bucket(v);
		v = 1;
	} else if (a->kind == LP_AGG_LHIST) {
		__u64 bucket;

		/* 0: below lo; 1 + (v - lo) / step; the last: at or above hi */
		if (v < a->lo)
			bucket = 0;
		else if (v >= a->hi)
			bucket = 1 + (__u64)(a->hi - a->lo) / (__u64)a->step;
		else
			bucket = 1 + (__u64)(v - a->lo) / (__u64)a->step;
		*(__u64 *)(key + a->key_size - 8) = bucket;
		v = 1;
	}

	val = bpf_map_lookup_elem(map, key);
	if (!val) {
		struct lp_stats init = {}; /* zeroed only for a new key */

		/* BPF_NOEXIST: another CPU may have added the key meanwhile. The
		 * zeroed value is every CPU's; count 0 tells stats it is new. */
		if (bpf_map_update_elem(map, key, &init, BPF_NOEXIST) == -7 /* E2BIG */) {
			lp_count_lost(LP_LOST_AGGFULL);
			return;
		}
		val = bpf_map_lookup_elem(map, key);
		if (!val)
			return;
	}
	/* This CPU's copy: only a nested program (an NMI) could race with us. */
	if (a->kind == LP_AGG_STATS) {
		struct lp_stats *s = val;

		if (s->count == 0 || v < s->min)
			s->min = v;
		if (s->count == 0 || v > s->max)
			s->max = v;
		s->count += 1;
		s->sum += v;
	} else {
		*(__u64 *)val += v;
	}
}

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

/* The record for this CPU, header filled; NULL if the process is not the
 * target. The caller fetches into rec + sizeof(header), then calls lp_finish. */
static __always_inline struct lp_scratch *lp_begin(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct lp_scratch *s;
	__u32 zero = 0;

	if (plan.target_tgid && (pid_tgid >> 32) != plan.target_tgid)
		return NULL;
	s = bpf_map_lookup_elem(&lp_scratch, &zero);
	if (!s)
		return NULL;
	lp_header((struct lp_event_hdr *)s->rec, pid_tgid);
	return s;
}

static __always_inline void lp_stack(void *ctx, char *data, __u16 dst, __u64 flags)
{
	long n = bpf_get_stack(ctx, data + dst + 8, 8 * LP_STACK_DEPTH, flags);

	*(__u64 *)(data + dst) = n > 0 ? (__u64)n >> 3 : 0;
}

/* Filter, stacks, aggregations, event. */
static __always_inline void lp_finish(void *ctx, struct lp_scratch *s)
{
	char *data = s->rec + sizeof(struct lp_event_hdr);

	if (plan.ninsn && !lp_filter(s->rec))
		return;
	if (plan.stack & LP_STACK_KERNEL)
		lp_stack(ctx, data, plan.kstack_dst, 0);
	if (plan.stack & LP_STACK_USER)
		lp_stack(ctx, data, plan.ustack_dst, BPF_F_USER_STACK);
	if (plan.nagg > 0)
		lp_agg_update(&lp_agg0, &plan.agg[0], s->rec, s->key);
	if (plan.nagg > 1)
		lp_agg_update(&lp_agg1, &plan.agg[1], s->rec, s->key);
	if (plan.emit)
		lp_emit(s->rec);
}

#endif
