/* Template for perf-event contexts: profile:hz:N, profile:ms:N,
 * software:COUNTER:N and timer.profile, one perf event per CPU. The program
 * runs in the interrupted task's context, so the header's pid, tid, comm
 * and cpu are that task's, and bpf_get_stack walks from the sampled
 * registers: no BPF frames on top. The only field is the interrupted
 * instruction pointer, read from the context by a direct load (the kernel
 * rewrites that access; a probe-read of ctx would read its own structure). */
#include <linux/bpf_perf_event.h>

/* sampling counts by stack: no pending runs (bpf/agg.bpf.h) */
#define LP_NO_PEND
#include "finish.bpf.h"
#include "record.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("perf_event")
int lp_perf(struct bpf_perf_event_data *ctx)
{
	struct lp_scratch *s = lp_begin();

	if (!s)
		return 0;
	/* fetch[0], when the plan keeps it, is the ip: 8 bytes at data + 0 */
	if (plan.nfetch)
		*(__u64 *)(s->rec + sizeof(struct lp_event_hdr)) = ctx->regs.rip;
	lp_finish(ctx, s);
	return 0;
}
