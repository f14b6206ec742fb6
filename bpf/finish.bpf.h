/* What every template does after its fetches. */
#ifndef LUAPROBE_FINISH_BPF_H
#define LUAPROBE_FINISH_BPF_H

#include "agg.bpf.h"
#include "filter.bpf.h"
#include "latency.bpf.h"
#include "output.bpf.h"
#include "record.bpf.h"

/* Filter, stacks, aggregations, event. */
static __always_inline void lp_finish(void *ctx, struct lp_scratch *s)
{
	char *data = s->rec + sizeof(struct lp_event_hdr);

	if (plan.ninsn && !lp_filter(s->rec))
		return;
	if (lp_latency(s->rec))
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
