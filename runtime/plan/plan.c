#include "plan/plan.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <luaprobe/event.h>

#include "plan/builtins.h"
#include "resolve/dwarf/dwarf.h"
#include "util/suggest.h"

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

/* The C types whose width and sign the format's size and signed flag can
 * misstate: a syscall tracepoint stores an `int dfd` in 8 bytes, unsigned,
 * but the value is the low 4 bytes, signed (AT_FDCWD is -100). */
static const struct {
	const char *type;
	uint8_t size;
	uint8_t is_signed;
} ctypes[] = {
	{ "int", 4, 1 },	   { "unsigned int", 4, 0 },  { "long", 8, 1 },
	{ "unsigned long", 8, 0 }, { "short", 2, 1 },	      { "unsigned short", 2, 0 },
	{ "pid_t", 4, 1 },	   { "uid_t", 4, 0 },	      { "gid_t", 4, 0 },
	{ "umode_t", 2, 0 },	   { "size_t", 8, 0 },	      { "ssize_t", 8, 1 },
	{ "loff_t", 8, 1 },	   { "off_t", 8, 1 },	      { "key_t", 4, 1 },
	{ "clockid_t", 4, 1 },	   { "qid_t", 4, 0 },	      { "u32", 4, 0 },
	{ "s32", 4, 1 },	   { "u16", 2, 0 },	      { "s16", 2, 1 },
	{ "u64", 8, 0 },	   { "s64", 8, 1 },	      { "int32_t", 4, 1 },
	{ "uint32_t", 4, 0 },	   { "aio_context_t", 8, 0 }, { "mqd_t", 4, 1 },
};

static void narrow_by_type(const struct lp_tpfield *tf, struct lp_field *f)
{
	for (size_t i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++) {
		if (strcmp(tf->type, ctypes[i].type) != 0)
			continue;
		if (ctypes[i].size > tf->size)
			return; /* the record holds less than the type: trust the record */
		f->size = ctypes[i].size; /* little-endian: the low bytes come first */
		f->elem = f->size;
		f->kind = ctypes[i].is_signed ? LP_FK_INT : LP_FK_UINT;
		return;
	}
}

/* A syscall's `const char *` argument points into the caller's memory: the
 * string is what users want, so it is fetched as one. */
static int is_user_string(const struct lp_tpformat *fmt, const struct lp_tpfield *tf)
{
	size_t n = strlen(tf->type);

	return fmt->system && strcmp(fmt->system, "syscalls") == 0 && tf->size == 8 && n > 6 &&
	       strcmp(tf->type + n - 6, "char *") == 0 && !strstr(tf->type, "* *");
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
		if ((tf->flags & LP_TPF_DATALOC) && !(tf->flags & LP_TPF_STRING)) {
			/* A variable-length array (u8[] buf, u64[] addrs): the
			 * template copies __data_loc strings only, which would cut
			 * it at its first zero. Not fetched; reading it says so. */
			f->kind = LP_FK_DYNARRAY;
			f->elem = tf->elemsize;
			continue;
		}
		if ((tf->flags & LP_TPF_DATALOC) || is_user_string(fmt, tf)) {
			err = add_fetch(&p->plan,
					tf->flags & LP_TPF_DATALOC ? LP_FETCH_DATALOC
								   : LP_FETCH_USTR,
					tf->offset, LP_STR_MAX, dst);
			if (err)
				return err;
			f->off = dst;
			f->size = LP_STR_MAX;
			f->elem = 1;
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
		if (!(tf->flags & LP_TPF_ARRAY))
			narrow_by_type(tf, f);
	}
	p->plan.data_size = (dst + 7) & ~7;
	return 0;
}

void probe_free_aggs(struct lp_probe *p)
{
	for (int i = 0; i < p->naggs; i++) {
		free(p->aggs[i].value);
		free(p->aggs[i].seen);
		free(p->aggs[i].base);
		free(p->aggs[i].metric_name);
		free(p->aggs[i].metric_help);
		free(p->aggs[i].metric_point);
		for (int k = 0; k < p->aggs[i].nkeys; k++)
			free(p->aggs[i].keys[k]);
	}
	p->naggs = 0;
}

static struct lp_field *field_named(struct lp_probe *p, const char *name)
{
	for (int i = 0; i < p->nfields; i++)
		if (strcmp(p->fields[i].name, name) == 0)
			return &p->fields[i];
	return NULL;
}

int plan_alias(struct lp_probe *p, char *err, size_t errlen)
{
	for (int i = 0; i < p->nreqs; i++) {
		const struct lp_fetchreq *r = &p->reqs[i];
		const struct lp_builtin *b;
		struct lp_field *f, *grown;
		int plain;

		/* "_pid" always means the built-in: no field may take the name. */
		b = builtin_find(r->name, &plain);
		if (b && !plain) {
			snprintf(err, errlen, "'%s' is the built-in %s; name the fetch otherwise",
				 r->name, b->name);
			return -EINVAL;
		}
		if (field_named(p, r->name))
			continue;
		f = field_named(p, r->expr);
		if (!f) {
			const char *near = plan_suggest(p, r->expr);

			snprintf(err, errlen, "no field '%s'", r->expr);
			suggest_append(err, errlen, near);
			return -ENOENT;
		}
		grown = realloc(p->fields, (p->nfields + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		p->fields = grown;
		f = field_named(p, r->expr);
		p->fields[p->nfields] = *f;
		p->fields[p->nfields].name = strdup(r->name);
		p->fields[p->nfields].ctype = strdup(f->ctype);
		p->nfields++;
	}
	return 0;
}

void probe_free(struct lp_probe *p)
{
	for (int i = 0; i < p->nreqs; i++) {
		free(p->reqs[i].name);
		free(p->reqs[i].expr);
	}
	free(p->reqs);
	probe_free_aggs(p);
	probe_free_fields(p);
	point_free(&p->point);
	free(p->filter);
	free(p->text);
	free(p->where);
	free(p);
}

/* The part of record bytes [lo, lo + n) that anything but a handler reads:
 * [*rlo, *rhi), the smallest span covering every read there; 0 if none. */
static int plan_span(const struct lp_plan *plan, unsigned lo, unsigned n, unsigned *rlo,
		     unsigned *rhi)
{
	unsigned a = lo + n, b = lo;

#define READS(off, size)                                              \
	do {                                                          \
		unsigned o_ = (off), e_ = (off) + (size);             \
		if (o_ < lo + n && e_ > lo) {                         \
			a = o_ > lo ? (o_ < a ? o_ : a) : lo;         \
			b = e_ < lo + n ? (e_ > b ? e_ : b) : lo + n; \
		}                                                     \
	} while (0)
	for (unsigned i = 0; i < plan->ninsn; i++) {
		const struct lp_insn *in = &plan->insn[i];

		if (in->op == LP_OP_LD)
			READS(in->off, in->size);
		if (in->op == LP_OP_STREQ)
			READS(in->off, (unsigned)in->imm);
	}
	if (plan->lat.role)
		READS(plan->lat.key_src, plan->lat.key_size);
	for (unsigned g = 0; g < plan->nagg; g++) {
		const struct lp_agg *ag = &plan->agg[g];

		if (ag->val_size)
			READS(ag->val_src, ag->val_size);
		for (unsigned k = 0; k < ag->nkeys; k++)
			READS(ag->keys[k].src, ag->keys[k].size);
	}
#undef READS
	*rlo = a;
	*rhi = b;
	return b > a;
}

/* Does anything but a handler read record bytes [lo, lo + n)? */
static int plan_reads(const struct lp_plan *plan, unsigned lo, unsigned n)
{
	unsigned a, b;

	return plan_span(plan, lo, n, &a, &b);
}

/* Cut a copy of the tracepoint record to the bytes read, widened to 8-byte
 * boundaries of the record where the copy has them: the template reads a
 * short copy with direct loads (bpf/tp.bpf.c), a long one with a helper
 * call, and a count keyed by one field of a syscall's record then copies
 * 8 bytes, not 56. The data offsets stay those of the whole copy. */
static void plan_trim(struct lp_probe *p, unsigned i, unsigned rlo, unsigned rhi)
{
	struct lp_fetch *f = &p->plan.fetch[i];
	unsigned base = sizeof(struct lp_event_hdr) + f->dst;
	unsigned a = rlo - base, b = rhi - base, mis;

	mis = (f->src + a) & 7; /* down to a boundary, not before the copy */
	a = mis > a ? 0 : a - mis;
	mis = (f->src + b) & 7; /* up to one, not past the copy: the record may end there */
	if (mis)
		b += 8 - mis;
	if (b > f->size)
		b = f->size;
	if (a == 0 && b == f->size)
		return;
	for (int n = 0; n < p->ninsts; n++) {
		p->insts[n].fetch[i].src += a;
		p->insts[n].fetch[i].dst += a;
		p->insts[n].fetch[i].size = b - a;
	}
	f->src += a;
	f->dst += a;
	f->size = b - a;
}

void plan_finish(struct lp_probe *p)
{
	struct lp_plan *plan = &p->plan;
	unsigned kept = 0;

	plan->emit = p->handler_ref >= 0;
	plan->want = LP_W_ALL;
	if (plan->emit)
		return;
	plan->want = 0;
	for (int i = 0; i < builtin_count; i++) {
		const struct lp_builtin *b = &builtin_table[i];

		if (b->want && plan_reads(plan, b->off, b->size))
			plan->want |= b->want;
	}
	/* No handler: fetch only what the filter and the aggregations read.
	 * A count by comm then costs no read of the tracepoint's record. */
	for (unsigned i = 0; i < plan->nfetch; i++) {
		const struct lp_fetch *f = &plan->fetch[i];
		unsigned rlo, rhi;

		if (!plan_span(plan, sizeof(struct lp_event_hdr) + f->dst, f->size, &rlo, &rhi))
			continue;
		/* every attach point keeps the same ops: their layout is the probe's */
		for (int n = 0; n < p->ninsts; n++)
			p->insts[n].fetch[kept] = p->insts[n].fetch[i];
		plan->fetch[kept] = *f;
		if (f->kind == LP_FETCH_CTX)
			plan_trim(p, kept, rlo, rhi);
		kept++;
	}
	for (int n = 0; n < p->ninsts; n++)
		memset(&p->insts[n].fetch[kept], 0, (plan->nfetch - kept) * sizeof(plan->fetch[0]));
	memset(&plan->fetch[kept], 0, (plan->nfetch - kept) * sizeof(plan->fetch[0]));
	plan->nfetch = kept;
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

static void field_operand(const struct lp_field *f, struct lp_operand *op)
{
	op->off = sizeof(struct lp_event_hdr) + f->off;
	op->size = f->size;
	op->kind = f->kind;
	op->elem = f->elem;
	op->ctype = f->ctype;
}

static int builtin_operand(const struct lp_probe *p, const struct lp_builtin *b,
			   struct lp_operand *op)
{
	const struct lp_field *f;

	memset(op, 0, sizeof(*op));
	switch (b->src) {
	case LP_BI_HDR:
		op->off = b->off;
		op->size = b->size;
		op->kind = b->kind;
		op->elem = b->kind == LP_FK_STR ? 1 : b->size;
		return 0;
	case LP_BI_STACK:
		f = builtin_field(p, b);
		if (!f)
			return -ENOENT;
		field_operand(f, op);
		return 0;
	default:
		return -ENOENT; /* the record does not hold it */
	}
}

int plan_operand(const struct lp_probe *p, const char *name, struct lp_operand *op)
{
	int plain = 0;
	const struct lp_builtin *b = builtin_find(name, &plain);

	/* "_pid" is the built-in whatever the point's fields are called. */
	if (b && !plain)
		return builtin_operand(p, b, op);
	/* The probe's own fields first, as for events (lua/event.c). */
	for (int i = 0; i < p->nfields; i++) {
		if (strcmp(p->fields[i].name, name) == 0) {
			memset(op, 0, sizeof(*op));
			field_operand(&p->fields[i], op);
			return 0;
		}
	}
	return b ? builtin_operand(p, b, op) : -ENOENT;
}

const char *plan_suggest(const struct lp_probe *p, const char *name)
{
	const char *cands[LP_MAX_FETCH * 4 + 16];
	size_t n = 0;

	for (int i = 0; i < p->nfields && n < LP_MAX_FETCH * 4; i++)
		cands[n++] = p->fields[i].name;
	/* only the built-ins a filter or key can read here */
	for (int i = 0; i < builtin_count && n < sizeof(cands) / sizeof(cands[0]); i++) {
		struct lp_operand op;

		if (builtin_operand(p, &builtin_table[i], &op) == 0)
			cands[n++] = builtin_table[i].name;
	}
	return suggest_closest(name, cands, n);
}

static int add_stack_field(struct lp_probe *p, uint8_t kind, __u16 *dst)
{
	const struct lp_builtin *b = NULL;
	struct lp_field *grown, *f;

	for (int i = 0; i < builtin_count && !b; i++)
		if (builtin_table[i].src == LP_BI_STACK && builtin_table[i].kind == kind)
			b = &builtin_table[i];

	if (p->plan.data_size + LP_STACK_SLOT > LP_DATA_MAX)
		return -E2BIG;
	grown = realloc(p->fields, (p->nfields + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->fields = grown;
	f = &p->fields[p->nfields];
	memset(f, 0, sizeof(*f));
	f->name = strdup(b->name);
	f->ctype = strdup(b->ctype);
	if (!f->name || !f->ctype) {
		free(f->name);
		free(f->ctype);
		return -ENOMEM;
	}
	f->off = *dst = p->plan.data_size;
	f->size = LP_STACK_SLOT;
	f->elem = 8;
	f->kind = kind;
	p->nfields++;
	p->plan.data_size += LP_STACK_SLOT;
	return 0;
}

int plan_stack(struct lp_probe *p, unsigned which)
{
	int err = 0;

	if ((which & LP_STACK_KERNEL) && !(p->plan.stack & LP_STACK_KERNEL))
		err = add_stack_field(p, LP_FK_KSTACK, &p->plan.kstack_dst);
	if (!err && (which & LP_STACK_USER) && !(p->plan.stack & LP_STACK_USER))
		err = add_stack_field(p, LP_FK_USTACK, &p->plan.ustack_dst);
	if (!err)
		p->plan.stack |= which;
	return err;
}
