/* Template for pt_regs contexts: uprobes and uretprobes (USDT too),
 * kprobes and kretprobes. Values come from registers and memory at places
 * DWARF gave (runtime/resolve/dwarf/) or a BTF prototype's calling
 * convention, as chains the plan spells out: start at a register, maybe
 * read memory there, follow pointers, read the value, cut out a bitfield. */
/* uprobes and fentry-less kprobes' programs may be preempted (uprobe_multi
 * runs them with migration off, not preemption): no per-CPU pending runs */
#define LP_NO_PEND
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

/* The register at pt_regs offset `off`. The context of a kprobe-type
 * program (uprobe, kprobe, their multi links) is struct pt_regs, which the
 * verifier lets a program load from at an immediate offset; `ctx + off`
 * with off from .rodata is a moved ctx pointer it refuses (template-facts.md
 * trap 3). So one load per offset, the offset an immediate: the frozen plan
 * leaves the verifier one, ~1 ns against a probe-read of the whole set. */
#define LP_REG(o) else if (off == o) asm volatile("%0 = *(u64 *)(%1 + " #o ")" : "=r"(v) : "r"(ctx))

static __always_inline __u64 lp_reg(void *ctx, __u32 off)
{
	__u64 v = 0;

	if (off == 0)
		asm volatile("%0 = *(u64 *)(%1 + 0)" : "=r"(v) : "r"(ctx));
	LP_REG(8);
	LP_REG(16);
	LP_REG(24);
	LP_REG(32);
	LP_REG(40);
	LP_REG(48);
	LP_REG(56);
	LP_REG(64);
	LP_REG(72);
	LP_REG(80);
	LP_REG(88);
	LP_REG(96);
	LP_REG(104);
	LP_REG(112);
	LP_REG(120);
	LP_REG(128);
	LP_REG(136);
	LP_REG(144);
	LP_REG(152);
	LP_REG(160);
	return v;
}

/* `size` bytes (1, 2, 4 or 8: a value of a window) from the stage into the
 * record: plain loads and stores. */
static __always_inline void lp_stage_copy(char *dst, const char *src, __u32 size)
{
	if (size == 1)
		*(__u8 *)dst = *(const __u8 *)src;
	else if (size == 2)
		*(__u16 *)dst = *(const __u16 *)src;
	else if (size == 4)
		*(__u32 *)dst = *(const __u32 *)src;
	else
		*(__u64 *)dst = *(const __u64 *)src;
}

/* The chain of runtime/resolve/dwarf/dwarf.h's struct lp_loc: at the end either v is the
 * value (a register, nothing followed) or v is the value's address. The
 * layers `l`: LP_L_KVAL reads memory (an address start, pointers followed),
 * LP_L_STR reads strings; without them a fetch is the register itself. */
static __always_inline void lp_uval(void *ctx, char *data, char *win,
				    const volatile struct lp_fetch *f, const unsigned l)
{
	int kernel = f->flags & LP_FF_KERNEL;
	int is_addr = (l & LP_L_KVAL) && (f->flags & LP_FF_ADDR);
	__u64 v = 0;

	if (f->flags & LP_FF_CONST) {
		*(__u64 *)(data + f->dst) = f->base;
		return;
	}
	v = lp_reg(ctx, f->src);
	if (l & LP_L_KVAL) {
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
	}
	if ((l & LP_L_STR) && (f->flags & LP_FF_STR)) {
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
	if ((l & LP_L_KVAL) && f->kind == LP_FETCH_UWIN) {
		/* the chain ended at the window: read it whole, keep ours */
		lp_read(win, f->win, (void *)v, kernel);
		lp_stage_copy(data + f->dst, win + f->wpos, f->size);
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
static __always_inline int lp_regs_body(void *ctx, const unsigned l)
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

			if (f->kind == LP_FETCH_UVAL ||
			    ((l & LP_L_KVAL) && f->kind == LP_FETCH_UWIN))
				lp_uval(ctx, data, s->stage + LP_WIN_MAX * i, f, l);
			else if ((l & LP_L_KVAL) && f->kind == LP_FETCH_STAGE)
				lp_stage_copy(data + f->dst, s->stage + f->src, f->size);
		}
	}
	lp_finish_l(ctx, s, l);
	return 0;
}

SEC("uprobe")
int lp_regs(void *ctx)
{
	return lp_regs_body(ctx, LP_L_ALL);
}

/* Layered as tp.bpf.c is (finish.bpf.h): the common sets with and without
 * memory reads (LP_L_KVAL) and strings (LP_L_STR). */
#define LP_REGS(x)                               \
	SEC("uprobe") int lp_regs_##x(void *ctx) \
	{                                        \
		return lp_regs_body(ctx, 0x##x); \
	}
LP_VARIANTS_REGS(LP_REGS)
