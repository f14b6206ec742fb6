/* Template for classic tracepoints: the context is the tracepoint's record,
 * laid out as its tracefs format says. Fields are copied with
 * bpf_probe_read_kernel(ctx + off): the verifier rejects direct loads at an
 * offset that is not an immediate (template-facts.md, trap 3). */
#include "finish.bpf.h"
#include "kval.bpf.h"
#include "record.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The fetches of the layers `l`, then lp_finish_l. */
static __always_inline int lp_tp_body(void *ctx, const unsigned l)
{
	struct lp_scratch *s = lp_begin();
	char *data;

	if (!s)
		return 0;
	data = s->rec + sizeof(struct lp_event_hdr);
#pragma nounroll
	for (int i = 0; i < LP_MAX_FETCH && i < plan.nfetch; i++) {
		if (i < plan.nfetch) {
			const volatile struct lp_fetch *f = &plan.fetch[i];

			if (f->kind == LP_FETCH_CTX) {
				bpf_probe_read_kernel(data + f->dst, f->size, ctx + f->src);
			} else if ((l & LP_L_STR) &&
				   (f->kind == LP_FETCH_DATALOC || f->kind == LP_FETCH_USTR)) {
				__u64 loc = 0;

				lp_zero_slot(data, f);
				if (f->kind == LP_FETCH_DATALOC) {
					bpf_probe_read_kernel(&loc, 4, ctx + f->src);
					bpf_probe_read_kernel_str(data + f->dst, f->size,
								  ctx + (loc & 0xffff));
				} else {
					bpf_probe_read_kernel(&loc, 8, ctx + f->src);
					bpf_probe_read_user_str(data + f->dst, f->size,
								(void *)loc);
				}
			} else if ((l & LP_L_KVAL) && f->kind == LP_FETCH_KVAL) {
				/* a cast of a pointer field, or curtask: untyped
				 * roots, so every step is a probe-read */
				__u64 root = 0;

				if (f->flags & LP_FF_TASK)
					root = bpf_get_current_task();
				else
					bpf_probe_read_kernel(&root, sizeof(root), ctx + f->src);
				lp_kval(root, data, f);
			}
		}
	}
	lp_finish_l(ctx, s, l);
	return 0;
}

SEC("tracepoint")
int lp_tp(void *ctx)
{
	return lp_tp_body(ctx, LP_L_ALL);
}

#define LP_TP(x) \
	SEC("tracepoint") int lp_tp_##x(void *ctx) { return lp_tp_body(ctx, 0x##x); }
LP_VARIANTS(LP_TP)

/* The same tracepoint as a raw tracepoint, for a probe that reads nothing of
 * the record (a count by comm, say): it skips the perf-event layer, ~50 ns
 * an event less (DESIGN.md §5), and detaches in ~11 ms instead of ~90. */
static __always_inline int lp_rawtp_body(void *ctx, const unsigned l)
{
	struct lp_scratch *s = lp_begin();

	if (s)
		lp_finish_l(ctx, s, l);
	return 0;
}

SEC("raw_tp")
int lp_rawtp(void *ctx)
{
	return lp_rawtp_body(ctx, LP_L_ALL);
}

#define LP_RAWTP(x) \
	SEC("raw_tp") int lp_rawtp_##x(void *ctx) { return lp_rawtp_body(ctx, 0x##x); }
LP_VARIANTS_NOSTR(LP_RAWTP)
