/* Fetch ops for pt_regs contexts, shared by every kind whose program sees
 * the registers (uprobes; kprobes and USDT later): a value DWARF located
 * becomes a chain the template bpf/regs.bpf.c follows. */
#include "plan/plan.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "resolve/dwarf/dwarf.h"

#define USTR_MAX 64 /* bytes of a char * string, as bpftrace's default */

int plan_uval(const struct lp_loc *loc, unsigned dst, struct lp_fetch *op, struct lp_field *field,
	      char *err, size_t errlen)
{
	int off = plan_pt_regs_offset(loc->reg), slot = 8;

	memset(op, 0, sizeof(*op));
	if (loc->start == LP_LOC_CONST) {
		op->kind = LP_FETCH_UVAL;
		op->flags = LP_FF_CONST;
		op->base = loc->base_off;
		op->size = 8;
		op->dst = dst;
		field->off = dst;
		field->size = loc->size > 0 && loc->size <= 8 ? loc->size : 8;
		field->elem = field->size;
		field->kind = loc->is_signed ? LP_FK_INT : LP_FK_UINT;
		return 8;
	}
	if (off < 0) {
		snprintf(err, errlen, "%s",
			 loc->reg < 0 ? "global variables are not supported yet"
				      : "a value in a register luaprobe cannot read");
		return -EINVAL;
	}
	if (loc->nderef > LP_MAX_DEREF) {
		snprintf(err, errlen, "pointer chain longer than %d", LP_MAX_DEREF);
		return -E2BIG;
	}
	op->kind = LP_FETCH_UVAL;
	op->src = off;
	op->flags = loc->start == LP_LOC_ADDR ? LP_FF_ADDR : 0;
	op->base = loc->base_off;
	op->nderef = loc->nderef;
	for (int i = 0; i < loc->nderef; i++) {
		/* the template's steps are 32-bit: a wrapped offset would read
		 * somewhere else without a word */
		if (loc->step_off[i] > INT32_MAX || loc->step_off[i] < INT32_MIN) {
			snprintf(err, errlen,
				 "offset %lld from a pointer is too far: a fetch reads at most "
				 "2 GiB from an address",
				 (long long)loc->step_off[i]);
			return -ERANGE;
		}
		op->steps[i] = (__s32)loc->step_off[i];
	}
	op->size = loc->size;
	field->size = loc->size;
	field->elem = loc->size;
	field->kind = loc->is_signed ? LP_FK_INT : LP_FK_UINT;
	switch (loc->type) {
	case LP_LT_STRPTR:
		op->flags |= LP_FF_STR;
		op->size = slot = USTR_MAX;
		field->size = USTR_MAX;
		field->kind = LP_FK_STR;
		break;
	case LP_LT_CHARARRAY:
		slot = loc->size;
		field->kind = LP_FK_STR;
		break;
	case LP_LT_ARRAY:
		slot = loc->size;
		field->elem = loc->elem_size;
		field->kind = loc->is_signed ? LP_FK_INTARRAY : LP_FK_UINTARRAY;
		break;
	case LP_LT_PTR:
		field->kind = LP_FK_UINT;
		break;
	default:
		if (loc->size > 8 || loc->size <= 0) {
			snprintf(err, errlen,
				 "a %s is not a value an event can carry (fetch one of "
				 "its members)",
				 loc->ctype ? loc->ctype : "value");
			return -EINVAL;
		}
	}
	if (loc->bit_size) {
		op->bit_off = loc->bit_offset;
		op->bit_size = loc->bit_size;
		if (loc->is_signed)
			op->flags |= LP_FF_SIGNED;
		field->size = 8; /* the template widens the bitfield to 8 bytes */
	}
	if (loc->start == LP_LOC_REG && loc->nderef == 0 && loc->type != LP_LT_STRPTR)
		field->size = loc->size; /* the low bytes of the register, stored as 8 */
	slot = (slot + 7) & ~7;
	if (dst + slot > LP_DATA_MAX) {
		snprintf(err, errlen, "the fetched values take more than %d bytes", LP_DATA_MAX);
		return -E2BIG;
	}
	op->dst = dst;
	field->off = dst;
	return slot;
}

/* A value read whole from memory at the end of a chain: what a window can
 * hold (no string to follow, no bitfield to cut, a size a copy moves). */
static int windowable(const struct lp_fetch *f)
{
	return f->kind == LP_FETCH_UVAL && !(f->flags & (LP_FF_CONST | LP_FF_STR)) &&
	       !f->bit_size && ((f->flags & LP_FF_ADDR) || f->nderef) &&
	       (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8);
}

/* The offset of the last read from the pointer the chain arrived at. */
static int64_t last_off(const struct lp_fetch *f)
{
	return f->nderef ? f->steps[f->nderef - 1] : f->base;
}

/* Do a and b follow the same chain up to their last offset? */
static int same_chain(const struct lp_fetch *a, const struct lp_fetch *b)
{
	if (a->src != b->src || a->nderef != b->nderef ||
	    (a->flags & (LP_FF_ADDR | LP_FF_KERNEL)) != (b->flags & (LP_FF_ADDR | LP_FF_KERNEL)))
		return 0;
	if (a->nderef && (a->flags & LP_FF_ADDR) && a->base != b->base)
		return 0;
	for (int i = 0; i + 1 < a->nderef; i++)
		if (a->steps[i] != b->steps[i])
			return 0;
	return 1;
}

void plan_uval_windows(struct lp_fetch *ops, unsigned n)
{
	int in[LP_MAX_FETCH] = { 0 };

	for (unsigned i = 0; i < n && i < LP_MAX_FETCH; i++) {
		int64_t lo, hi;
		int members = 1;

		if (in[i] || !windowable(&ops[i]))
			continue;
		lo = last_off(&ops[i]);
		hi = lo + ops[i].size;
		in[i] = 1;
		for (unsigned j = i + 1; j < n && j < LP_MAX_FETCH; j++) {
			int64_t o = last_off(&ops[j]);
			int64_t nlo = o < lo ? o : lo,
				nhi = o + ops[j].size > hi ? o + ops[j].size : hi;

			if (in[j] || !windowable(&ops[j]) || !same_chain(&ops[i], &ops[j]) ||
			    nhi - nlo > LP_WIN_MAX)
				continue;
			in[j] = (int)i + 2; /* leader i, +2 keeps 0 and 1 free */
			lo = nlo;
			hi = nhi;
			members++;
		}
		if (members < 2) {
			in[i] = 0;
			continue;
		}
		for (unsigned j = i + 1; j < n && j < LP_MAX_FETCH; j++) {
			struct lp_fetch *m = &ops[j];
			int64_t o = last_off(m);

			if (in[j] != (int)i + 2)
				continue;
			m->kind = LP_FETCH_STAGE;
			m->src = (__u16)(LP_WIN_MAX * i + (o - lo));
			m->flags = 0;
			m->nderef = 0;
			m->base = 0;
			memset(m->steps, 0, sizeof(m->steps));
			in[j] = 1;
		}
		ops[i].wpos = (__u8)(last_off(&ops[i]) - lo);
		ops[i].win = (__u8)(hi - lo);
		ops[i].kind = LP_FETCH_UWIN;
		if (ops[i].nderef)
			ops[i].steps[ops[i].nderef - 1] = (__s32)lo;
		else
			ops[i].base = lo;
	}
}
