/* Aggregation layout: where each key part and the value sit in the record
 * and in the map's key (bpf/agg.bpf.h reads the plan this writes). */
#include "plan/plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

unsigned plan_agg_value_size(const struct lp_probe *p, int idx)
{
	return p->plan.agg[idx].kind == LP_AGG_STATS ? sizeof(struct lp_stats) : sizeof(__u64);
}

#define KEY_STR_MAX 64 /* bytes of a string key part */

int plan_agg(struct lp_probe *p, int idx, char *err, size_t errlen)
{
	struct lp_aggdef *d = &p->aggs[idx];
	struct lp_agg *a = &p->plan.agg[idx];
	struct lp_operand op;
	unsigned dst = 0;

	memset(a, 0, sizeof(*a));
	switch (d->fn) {
	case LP_AF_COUNT:
		a->kind = LP_AGG_COUNT;
		break;
	case LP_AF_HIST:
		a->kind = LP_AGG_HIST;
		break;
	case LP_AF_LHIST:
		a->kind = LP_AGG_LHIST;
		a->lo = d->lo;
		a->hi = d->hi;
		a->step = d->step;
		break;
	default:
		a->kind = LP_AGG_STATS;
	}
	for (int k = 0; k < d->nkeys; k++) {
		struct lp_keypart *kp = &a->keys[k];

		if (plan_operand(p, d->keys[k], &op)) {
			const char *near = plan_suggest(p, d->keys[k]);

			snprintf(err, errlen, "no field '%s' to key by%s%s%s", d->keys[k],
				 near ? " (did you mean '" : "", near ? near : "",
				 near ? "'?)" : "");
			return -EINVAL;
		}
		kp->src = op.off;
		kp->dst = dst;
		if (op.kind == LP_FK_STR) {
			kp->size = op.size < KEY_STR_MAX ? op.size : KEY_STR_MAX;
			kp->size = (kp->size + 7) & ~7;
			/* Never read past the record: a short string at its end. */
			if (op.off + kp->size > LP_REC_MAX)
				kp->size = 8;
		} else {
			kp->size = op.size;
			kp->pad = op.kind == LP_FK_INT;
		}
		d->key_kind[k] = op.kind;
		dst += op.kind == LP_FK_STR ? kp->size : 8;
	}
	a->nkeys = d->nkeys;
	if (a->kind == LP_AGG_HIST || a->kind == LP_AGG_LHIST)
		dst += 8;
	if (dst == 0)
		dst = 8; /* a hash map needs a key: an unkeyed total has one, zero */
	if (dst > LP_KEY_MAX) {
		snprintf(err, errlen, "key too large (%u bytes; at most %d)", dst, LP_KEY_MAX);
		return -E2BIG;
	}
	a->key_size = dst;
	if (d->value) {
		if (plan_operand(p, d->value, &op) == 0 && op.kind == LP_FK_STR) {
			snprintf(err, errlen, "'%s' is a string; aggregate an integer field",
				 d->value);
			return -EINVAL;
		}
		if (plan_operand(p, d->value, &op)) {
			const char *near = plan_suggest(p, d->value);

			snprintf(err, errlen, "'%s' is not an integer field%s%s%s", d->value,
				 near ? " (did you mean '" : "", near ? near : "",
				 near ? "'?)" : "");
			return -EINVAL;
		}
		a->val_src = op.off;
		a->val_size = op.size;
		a->val_signed = op.kind == LP_FK_INT;
	}
	return 0;
}
