/* What each step of a fetch expression does to the value it is at, and
 * the lp_loc it ends as: each step moves a symbolic location (loc.c)
 * along the types libdw describes (types.c). */
#include "resolve/dwarf/value.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/names.h"
#include "util/messages.h"

/* The length of v's text, for messages. */
int value_vlen(const struct parser *p, const struct xval *v)
{
	size_t end = v->end > v->start ? v->end : p->pos;

	while (end > v->start && isspace((unsigned char)p->src[end - 1]))
		end--;
	return (int)(end - v->start);
}

int value_type_error(struct parser *p, const struct xval *v, const char *fmt_tail)
{
	char *tn = ty_name(&v->type);

	dwarf_msg(p->err, p->errlen, "'%.*s' (%s) %s", VTEXT(p, v), tn ? tn : "?", fmt_tail);
	free(tn);
	return -EINVAL;
}

/* ---- moving along a location ---- */

/* Add k to the address a chain ends at. */
static void dloc_add(struct dloc *l, int64_t k)
{
	if (l->nderef)
		l->step[l->nderef - 1] += k;
	else
		l->off += k;
}

/* Settle a variable in pieces on the piece holding [off, off + size). */
static int settle(struct parser *p, struct xval *v, uint64_t size)
{
	uint64_t start = 0;

	if (!v->npieces)
		return 0;
	for (int i = 0; i < v->npieces; i++) {
		struct dpiece *pc = &v->pieces[i];
		uint64_t end = start + pc->size;

		if ((uint64_t)v->piece_off >= start && v->piece_off + size <= end) {
			int64_t inside = v->piece_off - start;

			if (pc->absent) {
				dwarf_msg(p->err, p->errlen, MSG_OPTIMIZED_OUT, VTEXT(p, v));
				return -ENODATA;
			}
			v->loc = pc->loc;
			v->npieces = 0;
			if (!inside)
				return 0;
			if (v->loc.kind == DLOC_MEM) {
				dloc_add(&v->loc, inside);
				return 0;
			}
			if (v->loc.kind == DLOC_CONST) {
				v->loc.cval = (int64_t)((uint64_t)v->loc.cval >> (8 * inside));
				return 0;
			}
			break;
		}
		start = end;
	}
	dwarf_msg(p->err, p->errlen,
		  "'%.*s' is split between registers in a way luaprobe cannot fetch", VTEXT(p, v));
	return -EOPNOTSUPP;
}

/* Add a byte offset to where v is (a member, an element). */
int value_move(struct parser *p, struct xval *v, int64_t off)
{
	if (v->npieces) {
		v->piece_off += off;
		return 0;
	}
	if (v->loc.kind == DLOC_MEM) {
		dloc_add(&v->loc, off);
		return 0;
	}
	if (!off && v->loc.kind == DLOC_REG)
		return 0; /* the first member of a struct in a register: its low bytes */
	dwarf_msg(p->err, p->errlen,
		  "'%.*s' is held in a register, not in memory: luaprobe cannot fetch a part of it",
		  VTEXT(p, v));
	return -EOPNOTSUPP;
}

/* Follow the pointer v holds: v becomes what it points to. */
int value_deref(struct parser *p, struct xval *v)
{
	struct dloc *l = &v->loc;
	int err = settle(p, v, 8);

	if (err)
		return err;
	switch (l->kind) {
	case DLOC_REG:
		/* the value is the register (+ off): the pointee is there */
		l->kind = DLOC_MEM;
		v->reg_ptr = true;
		break;
	case DLOC_VALUE:
		l->kind = DLOC_MEM;
		break;
	case DLOC_MEM:
		if (l->nderef == LP_LOC_MAX_DEREF) {
			dwarf_msg(p->err, p->errlen, "'%.*s' reads more than %d pointers",
				  VTEXT(p, v), LP_LOC_MAX_DEREF);
			return -E2BIG;
		}
		l->step[l->nderef++] = 0;
		break;
	case DLOC_CONST:
		dwarf_msg(p->err, p->errlen,
			  "'%.*s' is the constant 0x%llx here: luaprobe cannot follow it",
			  VTEXT(p, v), (unsigned long long)l->cval);
		return -EOPNOTSUPP;
	}
	v->type = ty_target(&v->type);
	return 0;
}

/* ---- variables ---- */

int value_of_var(struct parser *p, struct xval *v, Dwarf_Die *var, const char *name)
{
	char why[256];
	int n = dwarf_loc_var(p->d, p->s, var, v->pieces, why, sizeof(why));

	if (n == -ENODATA) {
		dwarf_msg(p->err, p->errlen, MSG_OPTIMIZED_OUT, (int)strlen(name), name);
		if (why[0])
			dwarf_msg_append(p->err, p->errlen, " (%s)", why);
		return n;
	}
	if (n < 0) {
		dwarf_msg(p->err, p->errlen, "cannot fetch '%s' at %s: %s", name, p->s->where, why);
		return n;
	}
	v->type = ty_of_die(var);
	if (n == 1 && !v->pieces[0].size && !v->pieces[0].absent) {
		v->loc = v->pieces[0].loc;
		v->npieces = 0;
	} else {
		v->npieces = n;
		v->piece_off = 0;
	}
	return 0;
}

/* ---- arrays ---- */

/* The element type and count of a one-dimensional array (count -1: unknown). */
static int array_info(struct parser *p, struct xval *v, Dwarf_Die *arr, int64_t *count)
{
	Dwarf_Die sub;
	int nsub = 0;

	*count = -1;
	if (dwarf_child(arr, &sub) == 0) {
		do {
			Dwarf_Attribute a;
			Dwarf_Word n;

			if (dwarf_tag(&sub) != DW_TAG_subrange_type)
				continue;
			nsub++;
			if (dwarf_attr(&sub, DW_AT_count, &a) && !dwarf_formudata(&a, &n))
				*count = n;
			else if (dwarf_attr(&sub, DW_AT_upper_bound, &a) &&
				 !dwarf_formudata(&a, &n))
				*count = n + 1;
		} while (dwarf_siblingof(&sub, &sub) == 0);
	}
	if (nsub > 1)
		return value_type_error(p, v,
					"is a multi-dimensional array: luaprobe cannot index it");
	return 0;
}

int value_element(struct parser *p, struct xval *v, int64_t n)
{
	Dwarf_Die peeled;
	uint64_t esize;
	int64_t count, off;
	int tag = ty_tag(&v->type, &peeled), err;

	if (v->bit_size)
		return value_type_error(p, v, "is a bitfield, not an array");
	if (tag == DW_TAG_array_type) {
		err = array_info(p, v, &peeled, &count);
		if (err)
			return err;
		if (count >= 0 && (n < 0 || n >= count)) {
			char *tn = ty_name(&v->type);

			dwarf_msg(p->err, p->errlen, "index %lld is outside '%.*s' (%s)",
				  (long long)n, VTEXT(p, v), tn ? tn : "?");
			free(tn);
			return -ERANGE;
		}
		v->type = ty_of_die(&peeled);
	} else if (tag == DW_TAG_pointer_type) {
		err = value_deref(p, v);
		if (err)
			return err;
	} else {
		return value_type_error(p, v, "is neither an array nor a pointer");
	}
	if (ty_size(&v->type, &esize))
		return value_type_error(p, v, "has elements of unknown size");
	/* a template reads at a signed 32-bit offset from an address: an
	 * index past that is refused here rather than wrapped there */
	if (esize > INT32_MAX || __builtin_mul_overflow(n, (int64_t)esize, &off) ||
	    off > INT32_MAX || off < INT32_MIN) {
		dwarf_msg(p->err, p->errlen,
			  "index %lld of '%.*s' is too far: a fetch reads at most 2 GiB from "
			  "an address",
			  (long long)n, VTEXT(p, v));
		return -ERANGE;
	}
	return value_move(p, v, off);
}

/* ---- the result ---- */

/* What kind of value v's type is, and how many bytes it takes. */
static int classify(struct parser *p, struct xval *v, struct lp_loc *loc)
{
	Dwarf_Die peeled;
	Dwarf_Attribute a;
	Dwarf_Word enc;
	uint64_t size = 0;
	int64_t count;
	int tag = ty_tag(&v->type, &peeled), err;

	if (tag > 0 && ty_size(&v->type, &size))
		return value_type_error(p, v, "has no known size");
	switch (tag) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type: {
		struct ty target = ty_target(&v->type);

		loc->type = ty_is_char(&target) ? LP_LT_STRPTR : LP_LT_PTR;
		loc->size = 8;
		return 0;
	}
	case DW_TAG_base_type:
		if (!v->type.has_die) {
			loc->type = LP_LT_INT;
			loc->size = (int)size;
			loc->is_signed = ty_signed(&v->type);
			return 0;
		}
		if (!dwarf_attr(&peeled, DW_AT_encoding, &a) || dwarf_formudata(&a, &enc))
			return value_type_error(p, v, "has no encoding");
		if (enc == DW_ATE_float || enc == DW_ATE_complex_float)
			return value_type_error(p, v,
						"is floating point: luaprobe cannot fetch it yet");
		if (size > 8)
			return value_type_error(p, v, "is wider than 8 bytes");
		loc->type = LP_LT_INT;
		loc->size = (int)size;
		loc->is_signed = ty_signed(&v->type);
		return 0;
	case DW_TAG_enumeration_type:
		loc->type = LP_LT_INT;
		loc->size = (int)size;
		loc->is_signed = ty_enum_signed(&peeled);
		/* an anonymous enum is known by its typedef */
		loc->enum_type = dwarf_die_name(&peeled) ? dwarf_type_name(&peeled)
							 : ty_name(&v->type);
		return loc->enum_type ? 0 : -ENOMEM;
	case DW_TAG_array_type: {
		struct ty elem = ty_of_die(&peeled);
		uint64_t esize;

		err = array_info(p, v, &peeled, &count);
		if (err)
			return err;
		if (count < 0)
			return value_type_error(p, v, "is an array of unknown size");
		if (ty_size(&elem, &esize))
			return value_type_error(p, v, "has elements of unknown size");
		loc->type = ty_is_char(&elem) ? LP_LT_CHARARRAY : LP_LT_ARRAY;
		loc->is_signed = ty_signed(&elem);
		loc->size = (int)size;
		loc->elem_size = (int)esize;
		return 0;
	}
	case DW_TAG_structure_type:
	case DW_TAG_union_type: {
		char names[160] = "";
		Dwarf_Die m;
		int n = 0;

		if (dwarf_child(&peeled, &m) == 0) {
			do {
				const char *mn = dwarf_die_name(&m);

				if (dwarf_tag(&m) == DW_TAG_member && mn && n++ < 6)
					snprintf(names + strlen(names),
						 sizeof(names) - strlen(names), "%s%s",
						 n > 1 ? ", " : "", mn);
			} while (dwarf_siblingof(&m, &m) == 0);
		}
		err = value_type_error(p, v, "is a whole struct: fetch one of its members");
		if (names[0])
			dwarf_msg_append(p->err, p->errlen, " (%s%s)", names, n > 6 ? ", ..." : "");
		return err;
	}
	case 0:
		return value_type_error(p, v, "has no value to fetch");
	default:
		return value_type_error(p, v, "is of a kind luaprobe cannot fetch");
	}
}

int value_finish(struct parser *p, struct xval *v, struct lp_loc *loc)
{
	struct dloc *l = &v->loc;
	int err = classify(p, v, loc);

	if (err)
		return err;
	if (v->bit_size) {
		loc->size = v->unit_size;
		loc->bit_offset = v->bit_off;
		loc->bit_size = v->bit_size;
	}
	err = settle(p, v, loc->size);
	if (err)
		return err;
	loc->ctype = ty_name(&v->type);
	if (!loc->ctype)
		return -ENOMEM;
	if (l->kind == DLOC_VALUE && l->nderef && !l->step[l->nderef - 1]) {
		/* a value read through the chain (DW_OP_deref; DW_OP_stack_value)
		 * is the memory the last read looked at */
		l->nderef--;
		l->kind = DLOC_MEM;
	}
	switch (l->kind) {
	case DLOC_REG:
		/* register + constant (DW_OP_breg; DW_OP_stack_value) has no
		 * lp_loc form: REG takes the register as it is */
		if (loc->type == LP_LT_ARRAY || loc->type == LP_LT_CHARARRAY || l->off)
			break;
		loc->start = LP_LOC_REG;
		loc->reg = l->reg;
		return 0;
	case DLOC_MEM:
		if (v->reg_ptr && l->reg >= 0 && l->nderef < LP_LOC_MAX_DEREF) {
			/* what a register points to: REG, the first step is
			 * the offset from the pointer (dwarf.h's p->b->c) */
			loc->start = LP_LOC_REG;
			loc->reg = l->reg;
			loc->nderef = l->nderef + 1;
			loc->step_off[0] = l->off;
			memcpy(loc->step_off + 1, l->step, l->nderef * sizeof(l->step[0]));
			return 0;
		}
		loc->start = LP_LOC_ADDR;
		loc->reg = l->reg;
		loc->base_off = l->off;
		loc->nderef = l->nderef;
		memcpy(loc->step_off, l->step, sizeof(loc->step_off));
		return 0;
	case DLOC_CONST:
		if (loc->type == LP_LT_ARRAY || loc->type == LP_LT_CHARARRAY ||
		    loc->type == LP_LT_STRPTR)
			break;
		loc->start = LP_LOC_CONST;
		loc->reg = -1;
		loc->base_off = l->cval;
		return 0;
	case DLOC_VALUE:
		break;
	}
	dwarf_msg(p->err, p->errlen,
		  "'%.*s' is computed from registers at this point in a way luaprobe cannot fetch",
		  VTEXT(p, v));
	return -EOPNOTSUPP;
}
