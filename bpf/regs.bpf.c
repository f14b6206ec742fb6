/* Template for pt_regs contexts: uprobes and uretprobes. Values come from
 * registers and user memory at places DWARF gave (runtime/resolve/dwarf/), as
 * chains the plan spells out: start at a register, maybe read user memory
 * there, follow pointers, read the value, cut out a bitfield. */
#include "finish.bpf.h"
#include "record.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The chain of runtime/resolve/dwarf/dwarf.h's struct lp_loc: at the end either v is the
 * value (a register, nothing followed) or v is the value's address. */
static __always_inline void lp_uval(const char *regs, char *data, const volatile struct lp_fetch *f)
{
	int is_addr = f->flags & LP_FF_ADDR;
	__u64 v = 0;

	if (f->flags & LP_FF_CONST) {
		*(__u64 *)(data + f->dst) = f->base;
		return;
	}
	v = *(const __u64 *)(regs + f->src); /* a rodata constant below LP_REGS_SIZE */
	if (is_addr)
		v += f->base;
#pragma unroll
	for (int i = 0; i < LP_MAX_DEREF; i++) {
		if (i < f->nderef) {
			__u64 next = v;

			/* a register holding a pointer is followed without a read */
			if (is_addr || i > 0)
				bpf_probe_read_user(&next, sizeof(next), (void *)v);
			v = next + f->steps[i];
		}
	}
	is_addr = is_addr || f->nderef;
	if (f->flags & LP_FF_STR) {
		__u64 str = v;

		lp_zero_slot(data, f);
		if (is_addr)
			bpf_probe_read_user(&str, sizeof(str), (void *)v);
		bpf_probe_read_user_str(data + f->dst, f->size, (void *)str);
		return;
	}
	if (!is_addr) {
		*(__u64 *)(data + f->dst) = v;
		return;
	}
	if (f->bit_size) {
		__u64 raw = 0;

		bpf_probe_read_user(&raw, f->size, (void *)v);
		raw >>= f->bit_off;
		raw &= (1ULL << f->bit_size) - 1;
		if ((f->flags & LP_FF_SIGNED) && (raw >> (f->bit_size - 1)))
			raw |= ~((1ULL << f->bit_size) - 1);
		*(__u64 *)(data + f->dst) = raw;
		return;
	}
	bpf_probe_read_user(data + f->dst, f->size, (void *)v);
}

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
#pragma unroll
	for (int i = 0; i < LP_MAX_FETCH; i++)
		if (i < plan.nfetch && plan.fetch[i].kind == LP_FETCH_UVAL)
			lp_uval(s->regs, data, &plan.fetch[i]);
	lp_finish(ctx, s);
	return 0;
}
