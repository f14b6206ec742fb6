/* Aggregation layout: where each key part and the value sit in the record
 * and in the map's key (bpf/agg.bpf.h reads the plan this writes). */
#include "plan/plan.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <luaprobe/event.h>

#include "util/suggest.h"

/* A histogram's bucket keeps its count and the sum of its values (what
 * --metrics serves as _sum: the buckets alone cannot give it exactly). */
unsigned plan_agg_value_size(const struct lp_probe *p, int idx)
{
	switch (p->plan.agg[idx].kind) {
	case LP_AGG_STATS:
		return sizeof(struct lp_stats);
	case LP_AGG_HIST:
	case LP_AGG_LHIST:
		return 2 * sizeof(__u64);
	default:
		return sizeof(__u64);
	}
}

int plan_agg_lean(const struct lp_agg *a)
{
	if (a->kind != LP_AGG_COUNT || a->val_size || a->nkeys > LP_MAX_KEYS)
		return 0;
	for (unsigned j = 0; j < a->nkeys; j++)
		if (a->keys[j].size > 8 || a->keys[j].dst != 8 * j)
			return 0;
	return a->key_size == 8 * (a->nkeys ? a->nkeys : 1);
}

#define KEY_STR_MAX 64 /* bytes of a string key part */

/* Where key `name` sits in the record. A stack nobody asked for with
 * spec.stack is captured into the record as spec.stack would: the key is
 * the stack's addresses, not a number standing for them (no stack-id map
 * whose collisions drop events or whose ids outlive a clear()). */
static int key_operand(struct lp_probe *p, const char *name, struct lp_operand *op)
{
	unsigned which = strcmp(name, "kstack") == 0   ? LP_STACK_KERNEL
			 : strcmp(name, "ustack") == 0 ? LP_STACK_USER
						       : 0;
	int err;

	if (plan_operand(p, name, op) == 0 || !which)
		return plan_operand(p, name, op);
	err = plan_stack(p, which);
	return err ? err : plan_operand(p, name, op);
}

static int layout(struct lp_probe *p, int idx, char *err, size_t errlen)
{
	struct lp_aggdef *d = &p->aggs[idx];
	struct lp_agg *a = &p->plan.agg[idx];
	struct lp_operand op;
	unsigned dst = 0;
	int ustack = 0, stacks = 0;

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

		int ret = key_operand(p, d->keys[k], &op);

		if (ret == -E2BIG) {
			snprintf(err, errlen, "no room for the stack '%s' in the event",
				 d->keys[k]);
			return ret;
		}
		if (ret) {
			const char *near = plan_suggest(p, d->keys[k]);

			snprintf(err, errlen, "no field '%s' to key by", d->keys[k]);
			suggest_append(err, errlen, near);
			return -EINVAL;
		}
		kp->src = op.off;
		kp->dst = dst;
		if (op.kind == LP_FK_INTARRAY || op.kind == LP_FK_UINTARRAY ||
		    op.kind == LP_FK_DYNARRAY) {
			/* Bytes (an address) key whole: 1, 2, 4 or 8 read as one
			 * integer, more as whole words; never a neighbour's byte. */
			if (op.elem != 1 || op.size == 0 || op.size > KEY_STR_MAX ||
			    (op.size % 8 && op.size != 1 && op.size != 2 && op.size != 4)) {
				snprintf(err, errlen,
					 "'%s' (%s) cannot be a key: keys take arrays of 1, 2 or "
					 "4 bytes or of whole 8-byte words",
					 d->keys[k], op.ctype ? op.ctype : "an array");
				return -EINVAL;
			}
			kp->size = op.size;
			kp->pad = op.size > 8 ? op.size : 0; /* whole words: all kept */
			d->key_kind[k] = LP_FK_UINTARRAY;
			dst += op.size > 8 ? op.size : 8;
			continue;
		}
		if (op.kind == LP_FK_STR) {
			/* pad: the string's own bytes, which the template keeps
			 * of the words it copies (the rest of the last word is the
			 * next field's); size: those words */
			kp->pad = op.size < KEY_STR_MAX ? op.size : KEY_STR_MAX;
			kp->size = (kp->pad + 7) & ~7;
			if (kp->pad <= 8) {
				/* one load of exactly its bytes (unsigned), or none fits */
				if (kp->pad != 1 && kp->pad != 2 && kp->pad != 4 && kp->pad != 8) {
					snprintf(err, errlen,
						 "'%s' (%s) cannot be a key: a string key of at "
						 "most 8 bytes takes 1, 2, 4 or 8",
						 d->keys[k], op.ctype ? op.ctype : "a string");
					return -EINVAL;
				}
				kp->size = kp->pad;
				kp->pad = 0;
			}
			if (op.off + kp->size > LP_REC_MAX) {
				snprintf(err, errlen,
					 "'%s' cannot be a key: it ends the record, and a key "
					 "is read in whole 8-byte words",
					 d->keys[k]);
				return -EINVAL;
			}
		} else if (op.kind == LP_FK_KSTACK || op.kind == LP_FK_USTACK) {
			kp->size = op.size;
			ustack |= op.kind == LP_FK_USTACK;
			stacks++;
		} else {
			kp->size = op.size;
			kp->pad = op.kind == LP_FK_INT;
		}
		d->key_kind[k] = op.kind;
		dst += kp->size > 8 ? kp->size : 8;
	}
	a->nkeys = d->nkeys;
	if (ustack) {
		/* bpftrace keys a ustack by pid too: the same addresses in two
		 * processes are two stacks, and usym needs the pid. */
		if (a->nkeys >= LP_MAX_KEYS) {
			snprintf(err, errlen,
				 "a ustack key takes two of the %d key parts (the stack and "
				 "its pid): at most %d keys with it",
				 LP_MAX_KEYS, LP_MAX_KEYS - 1);
			return -E2BIG;
		}
		a->keys[a->nkeys].src = offsetof(struct lp_event_hdr, pid);
		a->keys[a->nkeys].size = sizeof(__u32);
		a->keys[a->nkeys].dst = dst;
		a->nkeys++;
		dst += 8;
		/* its first key from each process copies the process's maps
		 * (sym/usym.c), so the key still symbolizes once it has exited */
		p->plan.stack |= LP_STACK_NOTE;
	}
	if (a->kind == LP_AGG_HIST || a->kind == LP_AGG_LHIST)
		dst += 8;
	if (dst == 0)
		dst = 8; /* a hash map needs a key: an unkeyed total has one, zero */
	if (dst > LP_KEY_MAX) {
		if (stacks)
			snprintf(err, errlen,
				 "key too large (%u bytes; at most %d, and a stack takes %d: one "
				 "stack per key)",
				 dst, LP_KEY_MAX, LP_STACK_SLOT);
		else
			snprintf(err, errlen, "key too large (%u bytes; at most %d)", dst,
				 LP_KEY_MAX);
		return -E2BIG;
	}
	a->key_size = dst;
	if (d->value) {
		if (plan_operand(p, d->value, &op) == 0 && op.kind != LP_FK_INT &&
		    op.kind != LP_FK_UINT) {
			snprintf(err, errlen, "'%s' is %s; aggregate an integer field", d->value,
				 op.kind == LP_FK_STR ? "a string"
				 : op.kind == LP_FK_KSTACK || op.kind == LP_FK_USTACK
					 ? "a stack"
					 : "not an integer");
			return -EINVAL;
		}
		if (plan_operand(p, d->value, &op)) {
			const char *near = plan_suggest(p, d->value);

			snprintf(err, errlen, "'%s' is not an integer field", d->value);
			suggest_append(err, errlen, near);
			return -EINVAL;
		}
		a->val_src = op.off;
		a->val_size = op.size;
		a->val_signed = op.kind == LP_FK_INT;
	}
	return 0;
}

int plan_agg(struct lp_probe *p, int idx, char *err, size_t errlen)
{
	unsigned stack = p->plan.stack, data_size = p->plan.data_size;
	int nfields = p->nfields, ret = layout(p, idx, err, errlen);

	if (ret) {
		/* A refused aggregation leaves no stack capture behind: it
		 * would cost every event a stack walk for nothing. */
		for (int i = nfields; i < p->nfields; i++) {
			free(p->fields[i].name);
			free(p->fields[i].ctype);
		}
		p->nfields = nfields;
		p->plan.stack = stack;
		p->plan.data_size = data_size;
	}
	return ret;
}
