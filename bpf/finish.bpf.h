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
	if ((l & LP_L_AGG) && plan.nagg > 0)
		fresh |= lp_agg_update(&lp_agg0, &plan.agg[0], s->rec, s->key);
	if ((l & LP_L_AGG2) && plan.nagg > 1)
		fresh |= lp_agg_update(&lp_agg1, &plan.agg[1], s->rec, s->key);
	if ((l & LP_L_EMIT) && fresh && (plan.stack & LP_STACK_NOTE))
		lp_note_pid(s->rec);
	if ((l & LP_L_EMIT) && plan.emit)
		lp_emit(s->rec);
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
 * picks is the smallest that covers the plan (a handler with a filter:
 * 09; a count: 02; two aggregations: 2f). LP_L_MORE or LP_L_KVAL: the
 * whole template. LP_VARIANTS_NOSTR: for a program without string
 * fetches (a raw tracepoint reads no record). */
#define LP_VARIANTS_NOSTR(V) V(01) V(02) V(03) V(08) V(09) V(0f)
#define LP_VARIANTS(V) V(01) V(02) V(03) V(08) V(09) V(22) V(23) V(28) V(29) V(2f)
#define LP_VARIANTS_BTF(V) V(02) V(08) V(09) V(42) V(43) V(48) V(49) V(4a) V(4b)
#define LP_VARIANTS_REGS(V) \
	V(02) V(03) V(08) V(09) V(28) V(29) V(42) V(43) V(48) V(49) V(4a) V(4b) V(68) V(69)

#endif
