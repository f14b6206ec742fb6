/* What every template does after its fetches. */
#ifndef LUAPROBE_FINISH_BPF_H
#define LUAPROBE_FINISH_BPF_H

#include "agg.bpf.h"
#include "filter.bpf.h"
#include "latency.bpf.h"
#include "output.bpf.h"
#include "record.bpf.h"

/* Filter, stacks, aggregations, event: those of the layers `l` (LP_L_*, a
 * compile-time constant) that the plan uses. A layer left out is not in the
 * program at all; one the plan leaves unused is pruned by the verifier. */
static __always_inline void lp_finish_l(void *ctx, struct lp_scratch *s, const unsigned l)
{
	char *data = s->rec + sizeof(struct lp_event_hdr);
	int fresh = 0;

	if ((l & LP_L_FILTER) && plan.ninsn && !lp_filter(s->rec))
		return;
	if (l & LP_L_MORE) {
		if (lp_latency(s->rec))
			return;
		if (plan.stack & LP_STACK_KERNEL)
			lp_stack(ctx, data, plan.kstack_dst, 0);
		if (plan.stack & LP_STACK_USER)
			lp_stack(ctx, data, plan.ustack_dst, BPF_F_USER_STACK);
	}
	if ((l & LP_L_AGG) && !(l & LP_L_AGGX) && plan.nagg > 0)
		lp_agg_count(&lp_agg0, &plan.agg[0], s->rec, (__u64 *)s->key, 0);
	if ((l & LP_L_AGG2) && !(l & LP_L_AGGX) && plan.nagg > 1)
		lp_agg_count(&lp_agg1, &plan.agg[1], s->rec, (__u64 *)s->key, 1);
	if ((l & LP_L_AGG) && (l & LP_L_AGGX) && plan.nagg > 0)
		fresh |= lp_agg_update(&lp_agg0, &plan.agg[0], s->rec, s->key, 0);
	if ((l & LP_L_AGG2) && (l & LP_L_AGGX) && plan.nagg > 1)
		fresh |= lp_agg_update(&lp_agg1, &plan.agg[1], s->rec, s->key, 1);
	if ((l & LP_L_EMIT) && fresh && (plan.stack & LP_STACK_NOTE))
		lp_note_pid(s->rec);
	if ((l & LP_L_EMIT) && plan.emit)
		lp_emit(s->rec);
}

/* Layers that lp_count_only does: no fetch, filter, event, stack or
 * aggregation but counts keyed by integers (a count by pid, an unkeyed
 * count). */
#define LP_ONLY_COUNT(l) (((l) & ~(LP_L_AGG | LP_L_AGG2)) == 0)

/* The whole program for LP_ONLY_COUNT layers, in templates whose fetches
 * all have a layer (not regs.bpf.c: registers have none). The record is its
 * header alone, on the stack: no per-CPU record to look up, nothing beyond
 * what a hand-written count does but the plan's loads (issue 12: count by
 * pid within 5% of hand-written BPF). A key part the plan puts past the
 * header would be a stack read the verifier refuses, never a wrong key. */
static __always_inline int lp_count_only(const unsigned l)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct lp_event_hdr h;
	__u64 key[LP_MAX_KEYS];

	if (plan.target_tgid && (pid_tgid >> 32) != plan.target_tgid)
		return 0;
	/* a key by pid or tid reads pid_tgid itself; the uid, cpu or comm
	 * are the header's (plan.want) */
	if (plan.want)
		lp_header(&h, pid_tgid, 0);
	if ((l & LP_L_AGG) && plan.nagg > 0)
		lp_agg_count_hdr(&lp_agg0, &plan.agg[0], &h, pid_tgid, key, 0);
	if ((l & LP_L_AGG2) && plan.nagg > 1)
		lp_agg_count_hdr(&lp_agg1, &plan.agg[1], &h, pid_tgid, key, 1);
	return 0;
}

/* Every layer: the templates that are not layered. */
static __always_inline void lp_finish(void *ctx, struct lp_scratch *s)
{
	lp_finish_l(ctx, s, LP_L_ALL);
}

/* The layer sets a layered template builds a program for, besides the one
 * with every layer: V(hex) for each. The common probes, not every
 * combination: each program costs every probe that opens the object
 * (~18 us of libbpf's open per 1k instructions), and the one user space
 * picks covers the plan with the fewest other layers, then is the smallest
 * (a count by pid: 02; by a
 * record field: 82; a hist or a count by comm: 102/182; a handler with a
 * filter: 89; two aggregations: 1af). A filter alone, or a count by a
 * string field behind a filter, takes a larger program. LP_L_MORE or
 * LP_L_KVAL: the whole template. LP_VARIANTS_NOSTR: for a program without
 * string fetches (a raw tracepoint reads no record). */
#define LP_VARIANTS_NOSTR(V) V(02) V(102) V(03) V(103) V(08) V(09) V(10f)
#define LP_VARIANTS(V) \
	V(02) V(82) V(102) V(182) V(03) V(83) V(183) V(88) V(89) V(1a2) V(a8) V(a9) V(1af)
#define LP_VARIANTS_BTF(V) V(02) V(08) V(09) V(42) V(142) V(43) V(48) V(49) V(14a) V(14b)
#define LP_VARIANTS_REGS(V) \
	V(02)               \
	V(102)              \
	V(03) V(08) V(09) V(28) V(29) V(42) V(142) V(43) V(48) V(49) V(14a) V(14b) V(68) V(69)

#endif
