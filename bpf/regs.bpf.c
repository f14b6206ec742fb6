/* Template for pt_regs contexts: uprobes and uretprobes, kprobes and
 * kretprobes; fentry/fexit load it as a tracing program, whose context is
 * the arguments as an array of u64 where pt_regs would be. Values come from
 * registers and user memory at places DWARF gave (runtime/resolve/dwarf/), as
 * chains the plan spells out: start at a register, maybe read user memory
 * there, follow pointers, read the value, cut out a bitfield. */
#include "finish.bpf.h"
#include "record.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* One flag per fetch says whose memory it reads: a constant in .rodata, so
 * the verifier keeps only the helper that is used. */
static __always_inline void lp_read(void *dst, __u32 size, const void *src, int kernel)
{
	if (kernel)
		bpf_probe_read_kernel(dst, size, src);
	else
		bpf_probe_read_user(dst, size, src);
}

/* The chain of runtime/resolve/dwarf/dwarf.h's struct lp_loc: at the end either v is the
 * value (a register, nothing followed) or v is the value's address. */
static __always_inline void lp_uval(const char *regs, char *data, const volatile struct lp_fetch *f)
{
	int is_addr = f->flags & LP_FF_ADDR, kernel = f->flags & LP_FF_KERNEL;
	__u64 v = 0;

	if (f->flags & LP_FF_CONST) {
		*(__u64 *)(data + f->dst) = f->base;
		return;
	}
	v = *(const __u64 *)(regs + f->src); /* a rodata constant below LP_REGS_SIZE */
	if (is_addr)
		v += f->base;
#pragma nounroll
	for (int i = 0; i < LP_MAX_DEREF && i < f->nderef; i++) {
		if (i < f->nderef) {
			__u64 next = v;

			/* a register holding a pointer is followed without a read */
			if (is_addr || i > 0)
				lp_read(&next, sizeof(next), (void *)v, kernel);
			v = next + f->steps[i];
		}
	}
	is_addr = is_addr || f->nderef;
	if (f->flags & LP_FF_STR) {
		__u64 str = v;

		lp_zero_slot(data, f);
		if (is_addr)
			lp_read(&str, sizeof(str), (void *)v, kernel);
		if (kernel)
			bpf_probe_read_kernel_str(data + f->dst, f->size, (void *)str);
		else
			bpf_probe_read_user_str(data + f->dst, f->size, (void *)str);
		return;
	}
	if (!is_addr) {
		*(__u64 *)(data + f->dst) = v;
		return;
	}
	if (f->bit_size) {
		__u64 raw = 0;

		lp_read(&raw, f->size, (void *)v, kernel);
		raw >>= f->bit_off;
		raw &= (1ULL << f->bit_size) - 1;
		if ((f->flags & LP_FF_SIGNED) && (raw >> (f->bit_size - 1)))
			raw |= ~((1ULL << f->bit_size) - 1);
		*(__u64 *)(data + f->dst) = raw;
		return;
	}
	lp_read(data + f->dst, f->size, (void *)v, kernel);
}

/* The fetch loop is rolled and ends at the plan's count: the verifier
 * walks each pass with i a constant, so the plan's values stay constants,
 * and the object holds one copy of lp_uval instead of LP_MAX_FETCH. */
SEC("uprobe")
int lp_regs(void *ctx)
{
	struct lp_scratch *s = lp_begin();
	char *data;

	if (!s)
		return 0;
	data = s->rec + sizeof(struct lp_event_hdr);
	/* The registers at a plan-given offset cannot be loaded from ctx
	 * directly (a moved ctx pointer is refused, template-facts.md trap 3):
	 * one probe-read copies them all, instead of one read per fetch. */
	if (plan.nfetch)
		bpf_probe_read_kernel(s->regs, sizeof(s->regs), ctx);
#pragma nounroll
	for (int i = 0; i < LP_MAX_FETCH && i < plan.nfetch; i++)
		if (i < plan.nfetch && plan.fetch[i].kind == LP_FETCH_UVAL)
			lp_uval(s->regs, data, &plan.fetch[i]);
	lp_finish(ctx, s);
	return 0;
}
