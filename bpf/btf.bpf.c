/* Template for BTF-typed contexts: tp_btf (BPF_TRACE_RAW_TP with the
 * kernel's argument types) and raw_tp, whose context is the same array of
 * u64 arguments without types. In tp_btf the verifier knows what each
 * argument points to, so chains through kernel structures are direct loads
 * as far as BTF types them (bpf/kval.bpf.h). */
#include "finish.bpf.h"
#include "kval.bpf.h"
#include "record.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Fetch ops this build of the template unrolls: the verifier's time grows
 * with the object's size, not with what the plan uses (template-facts.md),
 * so a probe with few fetches loads a smaller build (btf_small.bpf.c). */
#ifndef LP_FETCH_SLOTS
#define LP_FETCH_SLOTS LP_MAX_FETCH
#endif

/* Argument i of the context. `ctx[i]` with i from .rodata is a moved ctx
 * pointer the verifier refuses (template-facts.md trap 3): one load per
 * index, with the offset an immediate; the frozen plan leaves one. */
#define LP_ARG(n, off) \
	else if (i == n) asm volatile("%0 = *(u64 *)(%1 + " #off ")" : "=r"(v) : "r"(ctx))

static __always_inline __u64 lp_arg(void *ctx, __u32 i)
{
	__u64 v = 0;

	if (i == 0)
		asm volatile("%0 = *(u64 *)(%1 + 0)" : "=r"(v) : "r"(ctx));
	LP_ARG(1, 8);
	LP_ARG(2, 16);
	LP_ARG(3, 24);
	LP_ARG(4, 32);
	LP_ARG(5, 40);
	LP_ARG(6, 48);
	LP_ARG(7, 56);
	LP_ARG(8, 64);
	LP_ARG(9, 72);
	LP_ARG(10, 80);
	LP_ARG(11, 88);
	return v;
}

static __always_inline void lp_args(void *ctx, struct lp_scratch *s)
{
	char *data = s->rec + sizeof(struct lp_event_hdr);

#pragma nounroll
	for (int i = 0; i < LP_FETCH_SLOTS && i < plan.nfetch; i++) {
		if (i < plan.nfetch && plan.fetch[i].kind == LP_FETCH_KVAL) {
			const volatile struct lp_fetch *f = &plan.fetch[i];
			__u64 root;

			if (!(f->flags & LP_FF_TASK))
				root = lp_arg(ctx, f->src);
			else if (f->ndirect) /* tp_btf only */
				root = (__u64)bpf_get_current_task_btf();
			else
				root = bpf_get_current_task();
			if (f->base > 0) {
				__u64 w = 0;

				bpf_probe_read_kernel(&w, sizeof(w), (void *)(root + f->base));
				root = w;
			}
			lp_kval(root, data, f);
		}
	}
}

/* tp_btf and raw_tp alike: one program, so that each probe's object holds
 * one copy of the template. Its section is luaprobe's own (kinds/btfargs.c
 * registers the handler): opened as raw_tp, so that libbpf 1.1 does not
 * parse vmlinux BTF again for every object (6-8 ms each), and made the
 * tp_btf program it is, with the attach id from the BTF luaprobe parsed
 * once, just before the kernel sees it. */
static __always_inline int lp_btf_body(void *ctx, const unsigned l)
{
	struct lp_scratch *s;

	if (LP_ONLY_COUNT(l))
		return lp_count_only(l);
	s = lp_begin();
	if (!s)
		return 0;
	if (l & LP_L_KVAL)
		lp_args(ctx, s);
	lp_finish_l(ctx, s, l);
	return 0;
}

SEC("lp_tp_btf")
int lp_btf(void *ctx)
{
	return lp_btf_body(ctx, LP_L_ALL);
}

/* Layered as tp.bpf.c is (finish.bpf.h): here every argument is a kernel
 * chain, so the common sets come with and without LP_L_KVAL. The kernel's
 * load of a probe's program is most of what each further probe costs at
 * start-up (issue 8's ten tp_btf probes against one). */
#define LP_BTF(x)                                  \
	SEC("lp_tp_btf") int lp_btf_##x(void *ctx) \
	{                                          \
		return lp_btf_body(ctx, 0x##x);    \
	}
LP_VARIANTS_BTF(LP_BTF)
