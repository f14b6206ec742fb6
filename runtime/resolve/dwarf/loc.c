/* What is where at a site: its scope (the DIEs its names are looked up
 * in), the names in it (for fetches and -L), and DWARF location
 * expressions, evaluated symbolically at one address: the
 * result is the chain a template follows at event time (register, offset,
 * pointer reads), never a value. The frame base and DW_OP_call_frame_cfa
 * become "register + offset" through the CFI at that address, so a probe
 * after the prologue of -O0 code reads rbp-relative and -O2 code without a
 * frame pointer reads rsp-relative, each as the unwinder would. */
#include "resolve/dwarf/internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- scopes: where a site's names are looked up ---- */

/* The entry of code a DIE covers: DW_AT_entry_pc, DW_AT_low_pc, else the
 * start of its first range. -ENOENT for DIEs without code (abstract
 * instances, declarations). */
int dwarf_die_entry(Dwarf_Die *die, Dwarf_Addr *pc)
{
	Dwarf_Addr base, start, end;

	if (dwarf_entrypc(die, pc) == 0)
		return 0;
	if (dwarf_ranges(die, 0, &base, &start, &end) > 0) {
		*pc = start;
		return 0;
	}
	return -ENOENT;
}

/* The out-of-line subprogram holding pc, in this CU. */
int dwarf_concrete_func(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *out)
{
	Dwarf_Die child;

	if (dwarf_child(cu, &child))
		return -ENOENT;
	do {
		if (dwarf_tag(&child) == DW_TAG_subprogram && dwarf_haspc(&child, pc) == 1) {
			*out = child;
			return 0;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return -ENOENT;
}

void dwarf_scope_free(struct dwarf_scope *s)
{
	if (!s)
		return;
	free(s->dies);
	free(s->where);
	free(s);
}

/* The scope of a site at pc in the function instance `func`: at a label or
 * statement the lexical blocks holding pc (innermost first), the instance,
 * then the CU for globals. The blocks are found by address, not by where
 * the label's DIE sits, so locals of the block the code is in are seen. */
struct dwarf_scope *dwarf_scope_new(struct lp_dwarf *d, enum dwarf_scope_kind kind, Dwarf_Die *cu,
				    Dwarf_Die *func, Dwarf_Addr pc)
{
	struct dwarf_scope *s = calloc(1, sizeof(*s));
	Dwarf_Die blocks[32], cur = *func;
	int nblocks = 0, err = ENOMEM;

	if (!s)
		return NULL;
	while (kind == SCOPE_INSIDE && nblocks < 32) {
		Dwarf_Die child;
		bool found = false;

		if (dwarf_child(&cur, &child))
			break;
		do {
			if (dwarf_tag(&child) == DW_TAG_lexical_block &&
			    dwarf_haspc(&child, pc) == 1) {
				blocks[nblocks++] = cur = child;
				found = true;
				break;
			}
		} while (dwarf_siblingof(&child, &child) == 0);
		if (!found)
			break;
	}
	s->dies = calloc(nblocks + 2, sizeof(*s->dies));
	if (!s->dies)
		goto err;
	for (int i = 0; i < nblocks; i++)
		s->dies[i] = blocks[nblocks - 1 - i];
	s->dies[nblocks] = *func;
	s->dies[nblocks + 1] = *cu;
	s->ndies = nblocks + 2;
	s->nfunc = nblocks;
	s->kind = kind;
	s->pc = pc;
	/* an inlined copy's frame is the out-of-line function holding it */
	if (dwarf_tag(func) == DW_TAG_subprogram)
		s->frame_func = *func;
	else if (dwarf_concrete_func(cu, pc, &s->frame_func))
		goto err_noent;
	if (dwarf_die_entry(&s->frame_func, &s->entry_pc))
		goto err_noent;
	s->where = dwarf_symbolize(d, dwarf_elf_addr(d, pc));
	if (!s->where)
		goto err;
	return s;
err_noent:
	err = ENOENT;
err:
	dwarf_scope_free(s);
	errno = err;
	return NULL;
}

/* ---- names in scope ---- */

static bool die_named(Dwarf_Die *die, const char *name)
{
	const char *n = dwarf_die_name(die);

	return n && !strcmp(n, name);
}

bool dwarf_has_attr(Dwarf_Die *die, int at)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, at, &a) != NULL;
}

/* A variable or parameter named `name` among die's children (with
 * locals: variables too). Names seen go to cands. */
static bool find_child_var(Dwarf_Die *die, const char *name, bool locals, Dwarf_Die *out,
			   const char **cands, size_t *ncands, size_t maxc)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child))
		return false;
	do {
		int tag = dwarf_tag(&child);
		const char *n;

		if (tag != DW_TAG_formal_parameter && !(locals && tag == DW_TAG_variable))
			continue;
		n = dwarf_die_name(&child);
		if (!n)
			continue;
		if (!strcmp(n, name)) {
			*out = child;
			return true;
		}
		if (*ncands < maxc)
			cands[(*ncands)++] = n;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The abstract origin of a concrete instance, whose children name the
 * parameters a clone may have dropped. */
static bool abstract_of(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, out);
}

struct global_find {
	const char *name;
	Dwarf_Die *out;
	bool found;
};

static int global_in_cu(Dwarf_Die *cu, struct global_find *g)
{
	Dwarf_Die child;

	if (dwarf_child(cu, &child))
		return 0;
	do {
		if (dwarf_tag(&child) == DW_TAG_variable && die_named(&child, g->name) &&
		    (dwarf_has_attr(&child, DW_AT_location) ||
		     dwarf_has_attr(&child, DW_AT_const_value))) {
			*g->out = child;
			g->found = true;
			return 1;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

/* A global variable with a location: in the site's CU first, then in any. */
static bool find_global(struct lp_dwarf *d, Dwarf_Die *cu, const char *name, Dwarf_Die *out)
{
	struct global_find g = { .name = name, .out = out };
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (global_in_cu(cu, &g))
		return true;
	while (dwarf_nextcu(d->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die other;

		if (dwarf_offdie(d->dbg, off + hsize, &other) && global_in_cu(&other, &g))
			return true;
		off = next;
	}
	return false;
}

/* A name in scope at the site, innermost first: locals of the blocks
 * holding the address (at labels and statements), the function's
 * parameters (and its locals), then globals. */
enum dwarf_var_kind dwarf_scope_lookup(struct lp_dwarf *d, const struct dwarf_scope *s,
				       const char *name, Dwarf_Die *out, const char **cands,
				       size_t *ncands, size_t maxc)
{
	bool locals = s->kind == SCOPE_INSIDE;
	Dwarf_Die abs;

	for (int i = 0; i <= s->nfunc; i++) {
		Dwarf_Die die = s->dies[i];

		if (find_child_var(&die, name, locals, out, cands, ncands, maxc))
			return VAR_LOCAL;
	}
	/* dropped from this copy of the function: the abstract one has it */
	if (abstract_of(&s->dies[s->nfunc], &abs) &&
	    find_child_var(&abs, name, locals, out, cands, ncands, maxc))
		return VAR_LOCAL;
	if (find_global(d, &s->dies[s->ndies - 1], name, out))
		return VAR_GLOBAL;
	return VAR_NONE;
}

/* ---- -L: what is in scope ---- */

struct vars {
	struct lp_var *v;
	int n, cap;
};

static int vars_add(struct vars *vs, Dwarf_Die *die, int is_param)
{
	const char *name = dwarf_die_name(die);
	Dwarf_Attribute a;
	Dwarf_Die t;
	struct lp_var *v;

	if (!name)
		return 0;
	for (int i = 0; i < vs->n; i++)
		if (!strcmp(vs->v[i].name, name))
			return 0; /* shadowed by an inner one, or the abstract copy of one seen */
	if (vs->n == vs->cap) {
		int cap = vs->cap ? vs->cap * 2 : 16;
		struct lp_var *nv = realloc(vs->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		vs->v = nv;
		vs->cap = cap;
	}
	v = &vs->v[vs->n];
	v->name = strdup(name);
	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
		v->ctype = dwarf_type_name(NULL);
	else
		v->ctype = dwarf_type_name(&t);
	v->is_param = is_param;
	if (!v->name || !v->ctype) {
		free(v->name);
		free(v->ctype);
		return -ENOMEM;
	}
	vs->n++;
	return 0;
}

static int vars_of(struct vars *vs, Dwarf_Die *die, int tag)
{
	Dwarf_Die child;
	int err = 0;

	if (dwarf_child(die, &child))
		return 0;
	do {
		if (dwarf_tag(&child) == tag)
			err = vars_add(vs, &child, tag == DW_TAG_formal_parameter);
	} while (!err && dwarf_siblingof(&child, &child) == 0);
	return err;
}

void dwarf_vars_free(struct lp_var *vars, int n)
{
	for (int i = 0; i < n; i++) {
		free(vars[i].name);
		free(vars[i].ctype);
	}
	free(vars);
}

int dwarf_scope_vars(struct lp_dwarf *d, const struct lp_site *site, struct lp_var **out)
{
	const struct dwarf_scope *s = site->scope;
	struct vars vs = { 0 };
	Dwarf_Die func, abs;
	int err;

	(void)d;
	*out = NULL;
	if (!s)
		return 0;
	func = s->dies[s->nfunc];
	/* a copy (inlined, cloned) lists its parameters in any order, or not
	 * at all when dropped: the abstract function has them as declared */
	err = abstract_of(&func, &abs) ? vars_of(&vs, &abs, DW_TAG_formal_parameter) : 0;
	if (!err)
		err = vars_of(&vs, &func, DW_TAG_formal_parameter);
	for (int i = 0; !err && s->kind == SCOPE_INSIDE && i <= s->nfunc; i++) {
		Dwarf_Die die = s->dies[i];

		err = vars_of(&vs, &die, DW_TAG_variable);
	}
	if (!err && s->kind == SCOPE_INSIDE && abstract_of(&func, &abs))
		err = vars_of(&vs, &abs, DW_TAG_variable);
	if (err) {
		dwarf_vars_free(vs.v, vs.n);
		return err;
	}
	*out = vs.v;
	return vs.n;
}
