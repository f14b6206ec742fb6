/* The in-kernel filter: a stack machine over the record (plan.insn). */
#ifndef LUAPROBE_FILTER_BPF_H
#define LUAPROBE_FILTER_BPF_H

#include "record.bpf.h"

static __always_inline __s64 lp_binop(__u8 op, __s64 a, __s64 b)
{
	switch (op) {
	case LP_OP_EQ:
		return a == b;
	case LP_OP_NE:
		return a != b;
	case LP_OP_LT:
		return a < b;
	case LP_OP_LE:
		return a <= b;
	case LP_OP_GT:
		return a > b;
	case LP_OP_GE:
		return a >= b;
	case LP_OP_ULT:
		return (__u64)a < (__u64)b;
	case LP_OP_ULE:
		return (__u64)a <= (__u64)b;
	case LP_OP_UGT:
		return (__u64)a > (__u64)b;
	case LP_OP_UGE:
		return (__u64)a >= (__u64)b;
	case LP_OP_AND:
		return a & b;
	case LP_OP_OR:
		return a | b;
	case LP_OP_XOR:
		return a ^ b;
	case LP_OP_LAND:
		return a && b;
	default:
		return a || b;
	}
}

/* String literal compare, 8 bytes at a time, the last word masked. */
static __always_inline __s64 lp_streq(const char *rec, const volatile struct lp_insn *in)
{
	__s64 eq = 1;

#pragma unroll
	for (int w = 0; w < 8; w++) {
		if (w * 8 < in->imm) {
			__u64 a = *(const __u64 *)(rec + in->off + w * 8);
			__u64 b = plan.strpool[(in->aux + w) & (LP_MAX_STRWORDS - 1)];
			__s64 left = in->imm - w * 8;

			if (left < 8)
				a &= (1ULL << (left * 8)) - 1;
			eq &= a == b;
		}
	}
	return eq;
}

static __always_inline __s64 lp_inrange(__s64 v, const volatile struct lp_insn *in)
{
	__s64 r = 0;

#pragma unroll
	for (int j = 0; j < LP_MAX_RANGES; j++) {
		if (j < in->size) {
			const volatile struct lp_range *rg =
				&plan.ranges[(in->aux + j) & (LP_MAX_RANGES - 1)];

			r |= (__u64)v >= rg->lo && (__u64)v < rg->hi;
		}
	}
	return r;
}

/* Run the filter over the record: non-zero to keep the event. */
static __always_inline int lp_filter(const char *rec)
{
	__s64 st[LP_MAX_STACK] = {};
	int sp = 0;

	/* Left rolled: the verifier walks each iteration with the plan's
	 * constants (pruning and typed loads work as unrolled), the object is a
	 * third of the size (start-up), and the loop ends at ninsn at run time. */
#pragma nounroll
	for (int i = 0; i < LP_MAX_INSN && i < plan.ninsn; i++) {
		if (i < plan.ninsn) {
			const volatile struct lp_insn *in = &plan.insn[i];
			__u8 op = in->op;

			if (op == LP_OP_LD) {
				st[sp & (LP_MAX_STACK - 1)] =
					lp_load(rec, in->off, in->size, in->aux);
				sp++;
			} else if (op == LP_OP_IMM) {
				st[sp & (LP_MAX_STACK - 1)] = in->imm;
				sp++;
			} else if (op == LP_OP_STREQ) {
				st[sp & (LP_MAX_STACK - 1)] = lp_streq(rec, in);
				sp++;
			} else if (op == LP_OP_INRANGE) {
				__s64 *t = &st[(sp - 1) & (LP_MAX_STACK - 1)];

				*t = lp_inrange(*t, in);
			} else if (op == LP_OP_NOT) {
				__s64 *t = &st[(sp - 1) & (LP_MAX_STACK - 1)];

				*t = !*t;
			} else if (op == LP_OP_BNOT) {
				__s64 *t = &st[(sp - 1) & (LP_MAX_STACK - 1)];

				*t = ~*t;
			} else if (op == LP_OP_NEG) {
				__s64 *t = &st[(sp - 1) & (LP_MAX_STACK - 1)];

				*t = -*t;
			} else if (op >= LP_OP_EQ) {
				__s64 b = st[(sp - 1) & (LP_MAX_STACK - 1)];

				sp--;
				st[(sp - 1) & (LP_MAX_STACK - 1)] =
					lp_binop(op, st[(sp - 1) & (LP_MAX_STACK - 1)], b);
			}
		}
	}
	return st[0] != 0;
}

#endif
