/* Template for classic tracepoints: the context is the tracepoint's record,
 * laid out as its tracefs format says. Fields are copied with
 * bpf_probe_read_kernel(ctx + off): the verifier rejects direct loads at an
 * offset that is not an immediate (template-facts.md, trap 3). */
#include "emit.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint")
int lp_tp(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct lp_event_hdr *ev;
	char *data;

	if (plan.target_tgid && (pid_tgid >> 32) != plan.target_tgid)
		return 0;
	ev = lp_event_begin(pid_tgid);
	if (!ev)
		return 0;
	data = (char *)(ev + 1);

	/* Single-exit loop, unrolled: each op's fields are rodata constants the
	 * verifier sees, so ops the plan does not use are pruned. */
#pragma unroll
	for (int i = 0; i < LP_MAX_FETCH; i++) {
		if (i < plan.nfetch) {
			const volatile struct lp_fetch *f = &plan.fetch[i];

			if (f->kind == LP_FETCH_CTX) {
				bpf_probe_read_kernel(data + f->dst, f->size, ctx + f->src);
			} else if (f->kind == LP_FETCH_DATALOC) {
				__u32 loc = 0;

				bpf_probe_read_kernel(&loc, sizeof(loc), ctx + f->src);
				bpf_probe_read_kernel_str(data + f->dst, f->size,
							  ctx + (loc & 0xffff));
			}
		}
	}
	lp_event_end(ev);
	return 0;
}
