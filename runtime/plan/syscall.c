/* syscalls:* probes as raw_syscalls: the classic record of sys_enter_X is
 * __syscall_nr at 8, then each argument in 8 bytes from 16; sys_exit_X's
 * is __syscall_nr at 8 and ret at 16 (kernel/trace/trace_syscalls.c). The
 * same values are the syscall's registers, which raw_syscalls:sys_enter
 * passes as its first argument (the second is the number), and
 * raw_syscalls:sys_exit's second argument (ret). */
#include "plan/plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define REC_NR 8 /* __syscall_nr */
#define REC_ARGS 16 /* sys_enter: the first argument; sys_exit: ret */

/* The root of a value at record offset `off` (8 bytes): regs word, or
 * the raw tracepoint's argument 1 (ret). 0, or -EINVAL. */
static int root_of(int off, int exit, struct lp_fetch *f)
{
	int reg;

	f->kind = LP_FETCH_KVAL;
	f->src = 0; /* struct pt_regs * */
	f->base = 0;
	if (off == REC_NR) {
		f->base = PLAN_ORIG_AX_OFF;
		return 0;
	}
	if (off < REC_ARGS || (off - REC_ARGS) % 8)
		return -EINVAL;
	if (exit) {
		if (off != REC_ARGS)
			return -EINVAL;
		f->src = 1; /* ret */
		return 0;
	}
	reg = plan_syscall_arg_offset((off - REC_ARGS) / 8);
	if (reg < 0)
		return -EINVAL;
	f->base = reg; /* > 0: no argument is in r15 */
	return 0;
}

int plan_syscall_raw(struct lp_plan *plan, int exit, char *why, size_t whylen)
{
	struct lp_fetch out[LP_MAX_FETCH];
	unsigned n = 0;

	for (unsigned i = 0; i < plan->nfetch; i++) {
		const struct lp_fetch *f = &plan->fetch[i];
		struct lp_fetch g;

		switch (f->kind) {
		case LP_FETCH_CTX:
			/* the record's fixed part, copied whole: a value per word */
			for (unsigned o = 0; o < f->size; o += 8) {
				if (n == LP_MAX_FETCH)
					goto full;
				memset(&g, 0, sizeof(g));
				if (root_of(f->src + o, exit, &g))
					goto odd;
				g.size = 8;
				g.dst = f->dst + o;
				out[n++] = g;
			}
			break;
		case LP_FETCH_USTR: /* a `const char *` argument's string */
			if (n == LP_MAX_FETCH)
				goto full;
			memset(&g, 0, sizeof(g));
			if (root_of(f->src, exit, &g))
				goto odd;
			g.flags = LP_FF_STR | LP_FF_USER;
			g.size = f->size;
			g.dst = f->dst;
			out[n++] = g;
			break;
		case LP_FETCH_KVAL: /* a cast through a pointer field, or curtask */
			if (n == LP_MAX_FETCH)
				goto full;
			g = *f;
			if (!(f->flags & LP_FF_TASK)) {
				if (root_of(f->src, exit, &g))
					goto odd;
				g.kind = LP_FETCH_KVAL;
			}
			out[n++] = g;
			break;
		default:
			goto odd;
		}
	}
	memcpy(plan->fetch, out, n * sizeof(out[0]));
	memset(plan->fetch + n, 0, (LP_MAX_FETCH - n) * sizeof(out[0]));
	plan->nfetch = n;
	return 0;
full:
	snprintf(why, whylen, "its values take more than %d fetches from the registers",
		 LP_MAX_FETCH);
	return -E2BIG;
odd:
	snprintf(why, whylen, "a field the syscall's registers do not hold");
	return -EINVAL;
}
