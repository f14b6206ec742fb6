/* latency(start, end, key): what each of the two probes does with the key
 * (bpf/latency.bpf.h), laid out in their plans. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <luaprobe/event.h>

#include "plan/filter.h"
#include "plan/plan.h"

#define LAT_FIELD "latency"

static int add_latency_field(struct lp_probe *p, char *err, size_t errlen)
{
	unsigned dst = (p->plan.data_size + 7) & ~7u; /* the kernel stores a u64 */
	struct lp_field *grown, *f;

	for (int i = 0; i < p->nfields; i++) {
		if (!strcmp(p->fields[i].name, LAT_FIELD)) {
			snprintf(err, errlen,
				 "the end of a latency() gains the field '" LAT_FIELD
				 "', which the point has already");
			return -EEXIST;
		}
	}
	if (dst + 8 > LP_DATA_MAX) {
		snprintf(err, errlen, "no room for the latency in the event");
		return -E2BIG;
	}
	grown = realloc(p->fields, (p->nfields + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->fields = grown;
	f = &p->fields[p->nfields];
	memset(f, 0, sizeof(*f));
	f->name = strdup(LAT_FIELD);
	f->ctype = strdup("u64");
	if (!f->name || !f->ctype) {
		free(f->name);
		free(f->ctype);
		return -ENOMEM;
	}
	f->off = dst;
	f->size = 8;
	f->elem = 8;
	f->kind = LP_FK_UINT;
	p->nfields++;
	p->plan.data_size = dst + 8;
	p->plan.lat.dst = dst;
	return 0;
}

int plan_latency(struct lp_probe *p, int role, const char *key, unsigned long long pair, char *err,
		 size_t errlen)
{
	struct lp_lat *l = &p->plan.lat;
	struct lp_operand op;
	int ret;

	if (l->role) {
		snprintf(err, errlen, "it is the %s of a latency() already",
			 l->role == LP_LAT_START ? "start" : "end");
		return -EEXIST;
	}
	if (plan_operand(p, key, &op)) {
		snprintf(err, errlen, "no field '%s' to pair the latency by", key);
		return -ENOENT;
	}
	if ((op.kind != LP_FK_INT && op.kind != LP_FK_UINT) || op.size > 8) {
		snprintf(err, errlen,
			 "a latency() key is an integer of at most 8 bytes (a tid, a pointer); "
			 "'%s' is not",
			 key);
		return -EINVAL;
	}
	if (role == LP_LAT_END && (ret = add_latency_field(p, err, errlen)))
		return ret;
	l->role = role;
	l->key_src = op.off;
	l->key_size = op.size;
	l->key_signed = op.kind == LP_FK_INT;
	l->pair = pair;
	return 0;
}
