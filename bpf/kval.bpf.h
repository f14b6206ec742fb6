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

/* One read of a chain: kernel memory, or the process's when the chain
 * starts at a syscall's pointer argument (a kernel read of a user address
 * fails, and the value would read as 0). */
static __always_inline void lp_kval_mem(void *dst, __u32 size, __u64 a,
					const volatile struct lp_fetch *f)
{
	if (f->user)
		bpf_probe_read_user(dst, size, (void *)a);
	else
		bpf_probe_read_kernel(dst, size, (void *)a);
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
			lp_kval_mem(&v, sizeof(v), a, f);
		if ((f->flags & LP_FF_USER) || f->user)
			bpf_probe_read_user_str(data + f->dst, f->size, (void *)v);
		else
			bpf_probe_read_kernel_str(data + f->dst, f->size, (void *)v);
		return;
	}
	if (f->flags & LP_FF_CHARS) {
		if (f->user)
			bpf_probe_read_user_str(data + f->dst, f->size, (void *)a);
		else
			bpf_probe_read_kernel_str(data + f->dst, f->size, (void *)a);
		return;
	}
	if (f->size > 8) { /* an array other than chars, whole */
		lp_kval_mem(data + f->dst, f->size, a, f);
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
	lp_kval_mem(&v, f->size, a, f);
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

				lp_kval_mem(&t, sizeof(t), p + f->steps[i], f);
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
