/* LP_FETCH_KVAL: a chain through kernel memory that BTF typed in user space
 * (runtime/resolve/btf_expr.c). Where the verifier types the pointers too
 * (a tp_btf argument, the current task from bpf_get_current_task_btf), the
 * first `ndirect` reads are plain loads: ~4 ns a step against ~16 for a
 * bpf_probe_read_kernel (template-facts.md). Every step tests for NULL and
 * a NULL ends the chain: skipping one makes the verifier follow a path that
 * cannot happen and refuse it. */
#ifndef LUAPROBE_KVAL_BPF_H
#define LUAPROBE_KVAL_BPF_H

#include "record.bpf.h"

/* Strings and arrays: their slot is zeroed once, before any read, so that
 * the template holds one copy of the (unrolled) zeroing, not one per path. */
static __always_inline int lp_kval_wide(const volatile struct lp_fetch *f)
{
	return f->flags & (LP_FF_STR | LP_FF_CHARS) || f->size > 8;
}

static __always_inline void lp_kval_zero(char *data, const volatile struct lp_fetch *f)
{
	if (!lp_kval_wide(f))
		*(__u64 *)(data + f->dst) = 0;
}

/* The value at address a, read as the op says; `direct`: a is a pointer the
 * verifier typed, so a scalar of the op's size is loaded without a helper. */
static __always_inline void lp_kval_read(char *data, const volatile struct lp_fetch *f, __u64 a,
					 int direct)
{
	__u64 v = 0;

	if (f->flags & LP_FF_STR) {
		if (direct)
			v = *(__u64 *)a;
		else
			bpf_probe_read_kernel(&v, sizeof(v), (void *)a);
		if (f->flags & LP_FF_USER)
			bpf_probe_read_user_str(data + f->dst, f->size, (void *)v);
		else
			bpf_probe_read_kernel_str(data + f->dst, f->size, (void *)v);
		return;
	}
	if (f->flags & LP_FF_CHARS) {
		bpf_probe_read_kernel_str(data + f->dst, f->size, (void *)a);
		return;
	}
	if (f->size > 8) { /* an array other than chars, whole */
		bpf_probe_read_kernel(data + f->dst, f->size, (void *)a);
		return;
	}
	if (direct && !f->bit_size) {
		if (f->size == 1)
			v = *(__u8 *)a;
		else if (f->size == 2)
			v = *(__u16 *)a;
		else if (f->size == 4)
			v = *(__u32 *)a;
		else
			v = *(__u64 *)a;
		*(__u64 *)(data + f->dst) = v;
		return;
	}
	bpf_probe_read_kernel(&v, f->size, (void *)a);
	if (f->bit_size) {
		v >>= f->bit_off;
		v &= (1ULL << f->bit_size) - 1;
		if ((f->flags & LP_FF_SIGNED) && (v >> (f->bit_size - 1)))
			v |= ~((1ULL << f->bit_size) - 1);
	}
	*(__u64 *)(data + f->dst) = v;
}

static __always_inline void lp_kval(__u64 root, char *data, const volatile struct lp_fetch *f)
{
	__u64 p = root;
	int ok = 1;

	if (lp_kval_wide(f))
		lp_zero_slot(data, f);
	if (f->nderef == 0) {
		if (f->flags & LP_FF_STR) { /* a char * argument: its string */
			if (f->flags & LP_FF_USER)
				bpf_probe_read_user_str(data + f->dst, f->size, (void *)root);
			else
				bpf_probe_read_kernel_str(data + f->dst, f->size, (void *)root);
		} else {
			*(__u64 *)(data + f->dst) = root;
		}
		return;
	}
#pragma nounroll
	for (int i = 0; i < LP_MAX_DEREF - 1 && i + 1 < f->nderef && ok; i++) {
		if (i + 1 < f->nderef && ok) {
			if (!p) {
				ok = 0;
			} else if (i < f->ndirect) {
				p = *(__u64 *)(p + f->steps[i]);
			} else {
				__u64 t = 0;

				bpf_probe_read_kernel(&t, sizeof(t), (void *)(p + f->steps[i]));
				p = t;
			}
		}
	}
	if (!ok || !p) {
		lp_kval_zero(data, f);
		return;
	}
	lp_kval_read(data, f, p + f->steps[f->nderef - 1], f->nderef <= f->ndirect);
}

#endif
