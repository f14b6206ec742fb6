#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LP_DATA_MAX 4096 /* bytes of event data one probe may emit */

static int add_fetch(struct lp_plan *plan, __u16 kind, int src, int size, int dst)
{
	struct lp_fetch *f;

	if (plan->nfetch >= LP_MAX_FETCH || src > 0xffff || dst + size > LP_DATA_MAX)
		return -E2BIG;
	f = &plan->fetch[plan->nfetch++];
	f->kind = kind;
	f->src = src;
	f->size = size;
	f->dst = dst;
	return 0;
}

static uint8_t field_kind(const struct lp_tpfield *tf)
{
	int is_signed = tf->flags & LP_TPF_SIGNED;

	if (tf->flags & LP_TPF_STRING)
		return LP_FK_STR;
	if ((tf->flags & LP_TPF_ARRAY) && tf->elemsize > 0 && tf->elemsize < tf->size)
		return is_signed ? LP_FK_INTARRAY : LP_FK_UINTARRAY;
	return is_signed ? LP_FK_INT : LP_FK_UINT;
}

int plan_tracepoint(const struct lp_tpformat *fmt, struct lp_probe *p)
{
	int lo = 0x7fffffff, hi = 0, dst, err;

	p->fields = calloc(fmt->nfields ? fmt->nfields : 1, sizeof(*p->fields));
	if (!p->fields)
		return -ENOMEM;
	p->nfields = 0;

	/* One copy of the fixed part: [lo, hi) of the record. */
	for (int i = 0; i < fmt->nfields; i++) {
		const struct lp_tpfield *tf = &fmt->fields[i];

		if (tf->flags & (LP_TPF_DATALOC | LP_TPF_RELLOC))
			continue;
		if (tf->offset < lo)
			lo = tf->offset;
		if (tf->offset + tf->size > hi)
			hi = tf->offset + tf->size;
	}
	dst = 0;
	if (hi > lo) {
		err = add_fetch(&p->plan, LP_FETCH_CTX, lo, hi - lo, 0);
		if (err)
			return err;
		dst = (hi - lo + 7) & ~7;
	}

	for (int i = 0; i < fmt->nfields; i++) {
		const struct lp_tpfield *tf = &fmt->fields[i];
		struct lp_field *f = &p->fields[p->nfields];

		f->name = strdup(tf->name);
		f->ctype = strdup(tf->type);
		if (!f->name || !f->ctype) {
			free(f->name);
			free(f->ctype);
			return -ENOMEM;
		}
		p->nfields++;
		if (tf->flags & LP_TPF_DATALOC) {
			err = add_fetch(&p->plan, LP_FETCH_DATALOC, tf->offset, LP_STR_MAX, dst);
			if (err)
				return err;
			f->off = dst;
			f->size = LP_STR_MAX;
			f->elem = 1;
			/* A __data_loc that is not a string (a dynamic array) arrives as bytes. */
			f->kind = LP_FK_STR;
			dst += LP_STR_MAX;
			continue;
		}
		if (tf->flags & LP_TPF_RELLOC) {
			/* Rare (__rel_loc); the template does not resolve it yet:
			 * the raw u32 locator is what the handler sees. */
			err = add_fetch(&p->plan, LP_FETCH_CTX, tf->offset, 4, dst);
			if (err)
				return err;
			f->off = dst;
			f->size = 4;
			f->elem = 4;
			f->kind = LP_FK_UINT;
			dst += 8;
			continue;
		}
		f->off = tf->offset - lo;
		f->size = tf->size;
		f->elem = tf->elemsize;
		f->kind = field_kind(tf);
	}
	p->plan.data_size = (dst + 7) & ~7;
	return 0;
}

void probe_free_fields(struct lp_probe *p)
{
	for (int i = 0; p->fields && i < p->nfields; i++) {
		free(p->fields[i].name);
		free(p->fields[i].ctype);
	}
	free(p->fields);
	p->fields = NULL;
	p->nfields = 0;
}
