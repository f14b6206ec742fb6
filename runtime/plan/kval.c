#include "plan/kval.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int plan_kval(const struct lp_kloc *loc, int src, unsigned dst, int direct, struct lp_fetch *op,
	      struct lp_field *field, char *err, size_t errlen)
{
	unsigned slot = 8;

	memset(op, 0, sizeof(*op));
	memset(field, 0, sizeof(*field));
	if (loc->nderef > LP_MAX_DEREF) {
		snprintf(err, errlen, "pointer chain longer than %d", LP_MAX_DEREF);
		return -E2BIG;
	}
	op->kind = LP_FETCH_KVAL;
	op->src = loc->root == LP_KROOT_TASK ? 0 : src;
	op->flags = loc->root == LP_KROOT_TASK ? LP_FF_TASK : 0;
	op->nderef = loc->nderef;
	op->ndirect = direct ? loc->ndirect : 0;
	for (int i = 0; i < loc->nderef; i++)
		op->steps[i] = loc->steps[i];
	op->size = loc->size;
	field->size = loc->size;
	field->elem = loc->size;
	field->kind = loc->is_signed ? LP_FK_INT : LP_FK_UINT;
	switch (loc->type) {
	case LP_KT_STRPTR:
		op->flags |= LP_FF_STR | (loc->user ? LP_FF_USER : 0);
		op->size = slot = field->size = LP_KSTR_MAX;
		field->kind = LP_FK_STR;
		break;
	case LP_KT_CHARS:
		op->flags |= LP_FF_CHARS;
		slot = loc->size;
		field->kind = LP_FK_STR;
		break;
	case LP_KT_ARRAY:
		slot = loc->size;
		field->elem = loc->elem_size;
		field->kind = loc->is_signed ? LP_FK_INTARRAY : LP_FK_UINTARRAY;
		if (loc->size > LP_STR_MAX) {
			snprintf(err, errlen, "%s is larger than %d bytes", loc->ctype, LP_STR_MAX);
			return -E2BIG;
		}
		break;
	case LP_KT_PTR:
		field->kind = LP_FK_UINT;
		break;
	default:
		break;
	}
	if (loc->bit_size) {
		op->bit_off = loc->bit_offset;
		op->bit_size = loc->bit_size;
		if (loc->is_signed)
			op->flags |= LP_FF_SIGNED;
		field->size = 8; /* widened to 8 bytes by the template */
		field->elem = 8;
	}
	if (loc->type == LP_KT_CHARS && slot > LP_STR_MAX) {
		snprintf(err, errlen, "%s is longer than %d bytes", loc->ctype, LP_STR_MAX);
		return -E2BIG;
	}
	slot = (slot + 7) & ~7u;
	if (dst + slot > LP_DATA_MAX) {
		snprintf(err, errlen, "the fetched values take more than %d bytes", LP_DATA_MAX);
		return -E2BIG;
	}
	op->dst = dst;
	field->off = dst;
	return slot;
}
