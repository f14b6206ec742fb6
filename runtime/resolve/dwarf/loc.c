/* DWARF location expressions, evaluated symbolically at one address: the
 * result is the chain a template follows at event time (register, offset,
 * pointer reads), never a value. The frame base and DW_OP_call_frame_cfa
 * become "register + offset" through the CFI at that address, so a probe
 * after the prologue of -O0 code reads rbp-relative and -O2 code without a
 * frame pointer reads rsp-relative, each as the unwinder would. */
#include "resolve/dwarf/loc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/names.h"

#define X86_64_RBP 6
#define X86_64_RSP 7
#define X86_64_NREGS 17 /* rax .. r15, rip: what pt_regs gives a uprobe */
#define EVAL_STACK 8

enum { EVAL_VAR, EVAL_FRAME_BASE, EVAL_CFA };

struct eval {
	struct lp_dwarf *d;
	const struct dwarf_scope *s;
	Dwarf_Attribute *attr; /* the attribute the ops came from (entry_value, implicit_value) */
	char *why;
	size_t whylen;
	int level; /* what is evaluated: a variable, its frame base, or the CFA */
	struct dloc stack[EVAL_STACK];
	int depth;
};

static int eval_ops(struct eval *e, const Dwarf_Op *ops, size_t n, struct dpiece *pieces);

static int unsupported(struct eval *e, const char *what)
{
	dwarf_msg(e->why, e->whylen, "its location uses %s, which luaprobe cannot fetch", what);
	return -EOPNOTSUPP;
}

static int check_reg(struct eval *e, uint64_t reg)
{
	char what[64];

	if (reg < X86_64_NREGS)
		return 0;
	/* xmm registers and beyond: not in pt_regs */
	snprintf(what, sizeof(what), "DWARF register %llu", (unsigned long long)reg);
	return unsupported(e, what);
}

static int push(struct eval *e, struct dloc v)
{
	if (e->depth == EVAL_STACK)
		return unsupported(e, "a deeper expression stack");
	e->stack[e->depth++] = v;
	return 0;
}

static struct dloc value_at(int reg, int64_t off)
{
	return (struct dloc){ .kind = DLOC_VALUE, .reg = reg, .off = off };
}

static struct dloc constant(int64_t c)
{
	return (struct dloc){ .kind = DLOC_CONST, .cval = c };
}

/* Add k to what a chain computes: to the last offset it adds. */
static void chain_add(struct dloc *v, int64_t k)
{
	if (v->kind == DLOC_CONST)
		v->cval += k;
	else if (v->nderef)
		v->step[v->nderef - 1] += k;
	else
		v->off += k;
}

/* The CFA at the scope's pc, as register + offset, from .eh_frame (what
 * every x86-64 binary has) else .debug_frame. */
static int frame_cfa(struct eval *e, struct dloc *out)
{
	Dwarf_Addr pc = e->s->pc + e->d->dbg_bias;
	Dwarf_CFI *cfis[2];
	Dwarf_Addr biases[2];
	int err = -ENOENT;

	cfis[0] = dwfl_module_eh_cfi(e->d->mod, &biases[0]);
	cfis[1] = dwfl_module_dwarf_cfi(e->d->mod, &biases[1]);
	for (int i = 0; i < 2; i++) {
		struct eval sub = {
			.d = e->d, .s = e->s, .why = e->why, .whylen = e->whylen, .level = EVAL_CFA
		};
		struct dpiece p[DWARF_MAX_PIECES];
		Dwarf_Frame *frame;
		Dwarf_Op *ops;
		size_t nops;

		if (!cfis[i] || dwarf_cfi_addrframe(cfis[i], pc - biases[i], &frame))
			continue;
		if (dwarf_frame_cfa(frame, &ops, &nops) || !nops) {
			free(frame);
			continue;
		}
		err = eval_ops(&sub, ops, nops, p);
		free(frame);
		if (err < 0)
			return err;
		/* a CFA expression computes an address: its "memory location"
		 * result is the value we want */
		if (err != 1 || p[0].loc.kind != DLOC_MEM)
			return unsupported(e, "a CFA rule other than register + offset");
		*out = p[0].loc;
		out->kind = DLOC_VALUE;
		return 0;
	}
	dwarf_msg(e->why, e->whylen, "no call frame information covers its address");
	return err == -ENOENT ? -EOPNOTSUPP : err;
}

/* DW_AT_frame_base of the out-of-line function at the scope's pc. */
static int frame_base(struct eval *e, struct dloc *out)
{
	struct eval sub = {
		.d = e->d, .s = e->s, .why = e->why, .whylen = e->whylen, .level = EVAL_FRAME_BASE
	};
	Dwarf_Die func = e->s->frame_func;
	struct dpiece p[DWARF_MAX_PIECES];
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t n;
	int err;

	if (e->level != EVAL_VAR)
		return unsupported(e, "DW_OP_fbreg outside a variable's location");
	if (!dwarf_attr_integrate(&func, DW_AT_frame_base, &attr) ||
	    dwarf_getlocation_addr(&attr, e->s->pc, &ops, &n, 1) < 1)
		return unsupported(e, "a frame base DWARF does not give here");
	sub.attr = &attr;
	err = eval_ops(&sub, ops, n, p);
	if (err < 0)
		return err;
	if (err != 1)
		return unsupported(e, "a frame base in pieces");
	/* The frame base is the address the location names: a memory
	 * location's address (call_frame_cfa, breg) or a register's value. */
	if (p[0].loc.kind == DLOC_MEM || p[0].loc.kind == DLOC_REG) {
		*out = p[0].loc;
		out->kind = DLOC_VALUE;
		return 0;
	}
	return unsupported(e, "a computed frame base");
}

/* DW_OP_entry_value(DW_OP_regN): the value regN had when the function was
 * entered, which a probe has only while it is still at that entry. */
static int entry_value(struct eval *e, const Dwarf_Op *op)
{
	Dwarf_Attribute inner;
	Dwarf_Op *ops;
	size_t n;

	if (!e->attr || dwarf_getlocation_attr(e->attr, op, &inner) ||
	    dwarf_getlocation(&inner, &ops, &n))
		return unsupported(e, "an unreadable DW_OP_entry_value");
	if (n == 1 &&
	    ((ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) ||
	     ops[0].atom == DW_OP_regx) &&
	    e->s->pc == e->s->entry_pc) {
		int reg = ops[0].atom == DW_OP_regx ? (int)ops[0].number : ops[0].atom - DW_OP_reg0;
		int err = check_reg(e, reg);

		return err ? err : push(e, value_at(reg, 0));
	}
	dwarf_msg(e->why, e->whylen, "its value is only known at the function's entry");
	return -ENODATA;
}

/* The stack's top as the location of one piece. */
static int finish_piece(struct eval *e, int reg, bool stack_value, struct dpiece *p)
{
	memset(p, 0, sizeof(*p));
	if (reg >= 0) {
		p->loc = (struct dloc){ .kind = DLOC_REG, .reg = reg };
		return 0;
	}
	if (!e->depth)
		return -ENODATA;
	p->loc = e->stack[e->depth - 1];
	if (p->loc.kind == DLOC_CONST)
		return 0;
	if (!stack_value) {
		p->loc.kind = DLOC_MEM;
	} else if (p->loc.nderef == 0 && p->loc.reg >= 0) {
		/* DW_OP_bregN k; DW_OP_stack_value: register plus a constant */
		p->loc.kind = DLOC_REG;
	}
	return 0;
}

/* Evaluate ops into pieces; returns how many (1 for a whole variable). */
static int eval_ops(struct eval *e, const Dwarf_Op *ops, size_t n, struct dpiece *pieces)
{
	bool stack_value = false;
	int reg = -1, npieces = 0, err;

	if (!n)
		return -ENODATA;
	e->depth = 0;
	for (size_t i = 0; i < n; i++) {
		const Dwarf_Op *op = &ops[i];
		uint8_t a = op->atom;
		struct dloc v;

		err = 0; /* not every operation below sets it */
		if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
			reg = a - DW_OP_reg0;
		} else if (a == DW_OP_regx) {
			if ((err = check_reg(e, op->number)))
				return err;
			reg = op->number;
		} else if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
			err = push(e, value_at(a - DW_OP_breg0, (int64_t)op->number));
		} else if (a == DW_OP_bregx) {
			if ((err = check_reg(e, op->number)))
				return err;
			err = push(e, value_at(op->number, (int64_t)op->number2));
		} else if (a == DW_OP_fbreg) {
			if ((err = frame_base(e, &v)))
				return err;
			chain_add(&v, (int64_t)op->number);
			err = push(e, v);
		} else if (a == DW_OP_call_frame_cfa) {
			if (e->level == EVAL_CFA)
				return unsupported(e, "DW_OP_call_frame_cfa in a CFA rule");
			if ((err = frame_cfa(e, &v)))
				return err;
			err = push(e, v);
		} else if (a == DW_OP_addr) {
			err = push(e, value_at(-1, (int64_t)op->number));
		} else if (a >= DW_OP_lit0 && a <= DW_OP_lit31) {
			err = push(e, constant(a - DW_OP_lit0));
		} else if (a == DW_OP_const1u || a == DW_OP_const2u || a == DW_OP_const4u ||
			   a == DW_OP_const8u || a == DW_OP_constu || a == DW_OP_const1s ||
			   a == DW_OP_const2s || a == DW_OP_const4s || a == DW_OP_const8s ||
			   a == DW_OP_consts) {
			/* libdw stores signed operands sign-extended in number */
			err = push(e, constant((int64_t)op->number));
		} else if (a == DW_OP_plus_uconst) {
			if (!e->depth)
				return unsupported(e, "DW_OP_plus_uconst on an empty stack");
			chain_add(&e->stack[e->depth - 1], (int64_t)op->number);
			err = 0;
		} else if (a == DW_OP_plus || a == DW_OP_minus) {
			struct dloc x, y;

			if (e->depth < 2)
				return unsupported(e, "arithmetic on an empty stack");
			y = e->stack[--e->depth];
			x = e->stack[--e->depth];
			if (y.kind == DLOC_CONST) {
				chain_add(&x, a == DW_OP_plus ? y.cval : -y.cval);
				err = push(e, x);
			} else if (x.kind == DLOC_CONST && a == DW_OP_plus) {
				chain_add(&y, x.cval);
				err = push(e, y);
			} else {
				return unsupported(e, "arithmetic on two registers");
			}
		} else if (a == DW_OP_deref || (a == DW_OP_deref_size && op->number == 8)) {
			struct dloc *t = e->depth ? &e->stack[e->depth - 1] : NULL;

			if (!t || t->kind != DLOC_VALUE)
				return unsupported(e, "DW_OP_deref of a constant");
			if (t->nderef == LP_LOC_MAX_DEREF)
				return unsupported(e, "too many pointer reads");
			t->step[t->nderef++] = 0;
			err = 0;
		} else if (a == DW_OP_stack_value) {
			stack_value = true;
			err = 0;
		} else if (a == DW_OP_implicit_value) {
			Dwarf_Block b;
			uint64_t c = 0;

			if (!e->attr || dwarf_getlocation_implicit_value(e->attr, op, &b) ||
			    b.length > 8)
				return unsupported(e, "DW_OP_implicit_value wider than 8 bytes");
			memcpy(&c, b.data, b.length); /* x86-64: little-endian */
			err = push(e, constant((int64_t)c));
			stack_value = true;
		} else if (a == DW_OP_entry_value || a == DW_OP_GNU_entry_value) {
			err = entry_value(e, op);
		} else if (a == DW_OP_piece) {
			if (npieces == DWARF_MAX_PIECES)
				return unsupported(e, "too many pieces");
			err = finish_piece(e, reg, stack_value, &pieces[npieces]);
			if (err == -ENODATA) {
				/* an empty piece: that part is optimized out */
				pieces[npieces].absent = 1;
				err = 0;
			}
			if (err)
				return err;
			pieces[npieces++].size = op->number;
			e->depth = 0;
			reg = -1;
			stack_value = false;
		} else if (a == DW_OP_nop) {
			err = 0;
		} else if (a == DW_OP_form_tls_address || a == DW_OP_GNU_push_tls_address) {
			return unsupported(e, "thread-local storage");
		} else if (a == DW_OP_implicit_pointer || a == DW_OP_GNU_implicit_pointer) {
			return unsupported(e, "a pointer to an optimized-out object");
		} else {
			char what[48];

			snprintf(what, sizeof(what), "DWARF operation 0x%x", a);
			return unsupported(e, what);
		}
		if (err)
			return err;
		if (reg >= 0 && (err = check_reg(e, reg)))
			return err;
	}
	if (npieces)
		return npieces;
	err = finish_piece(e, reg, stack_value, &pieces[0]);
	return err ? err : 1;
}

/* DW_AT_const_value: the whole variable is a constant. */
static int const_value(struct eval *e, Dwarf_Attribute *attr, struct dpiece *p)
{
	Dwarf_Sword sv;
	Dwarf_Block b;
	uint64_t c = 0;

	memset(p, 0, sizeof(*p));
	if (dwarf_formsdata(attr, &sv) == 0) {
		p->loc = constant(sv);
		return 1;
	}
	if (dwarf_formblock(attr, &b) == 0 && b.length <= 8) {
		memcpy(&c, b.data, b.length);
		p->loc = constant((int64_t)c);
		return 1;
	}
	return unsupported(e, "a constant wider than 8 bytes");
}

int dwarf_loc_var(struct lp_dwarf *d, const struct dwarf_scope *s, Dwarf_Die *var,
		  struct dpiece *pieces, char *why, size_t whylen)
{
	struct eval e = { .d = d, .s = s, .why = why, .whylen = whylen };
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t n;
	int nloc;

	if (whylen)
		why[0] = 0;
	/* Not dwarf_attr_integrate: an abstract origin's DIE has no location,
	 * and a concrete copy without one is optimized out. */
	if (!dwarf_attr(var, DW_AT_location, &attr)) {
		if (dwarf_attr(var, DW_AT_const_value, &attr))
			return const_value(&e, &attr, pieces);
		return -ENODATA;
	}
	e.attr = &attr;
	nloc = dwarf_getlocation_addr(&attr, s->pc, &ops, &n, 1);
	if (nloc < 0) {
		dwarf_msg(why, whylen, "its location cannot be read: %s", dwarf_errmsg(-1));
		return -EINVAL;
	}
	if (nloc == 0)
		return -ENODATA; /* the location list has no entry for this address */
	return eval_ops(&e, ops, n, pieces);
}

int dwarf_loc_uses_frame(Dwarf_Die *var, Dwarf_Addr pc)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr(var, DW_AT_location, &attr))
		return 0;
	if (dwarf_getlocation_addr(&attr, pc, &ops, &n, 1) < 1)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (ops[i].atom == DW_OP_fbreg || ops[i].atom == DW_OP_call_frame_cfa ||
		    ops[i].atom == DW_OP_breg0 + X86_64_RBP ||
		    ops[i].atom == DW_OP_breg0 + X86_64_RSP)
			return 1;
	}
	return 0;
}
