/* `where` filters: a C-like expression compiled into the plan's filter
 * program, which the template runs in the kernel (DESIGN.md §2 "Filters"). */
#ifndef LUAPROBE_FILTER_H
#define LUAPROBE_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include <luaprobe/plan.h>

/* Where a named value sits in the record the template builds. */
struct lp_operand {
	uint16_t off; /* offset in the record (header included) */
	uint16_t size; /* bytes; for strings, the slot; for arrays, the whole array */
	uint8_t kind; /* LP_FK_*: filters read INT, UINT and STR; arrays are refused */
	const char *ctype; /* the field's C type ("enum skb_drop_reason"), NULL if unknown */
	uint16_t elem; /* bytes of one element of an array (1: a byte array) */
};

/* What the compiler asks of the probe it compiles for. */
struct filter_env {
	void *ctx;
	/* A field or built-in by name: 0, or -ENOENT. */
	int (*operand)(void *ctx, const char *name, struct lp_operand *op);
	/* The nearest name in scope, for "did you mean"; NULL if none is near. */
	const char *(*suggest)(void *ctx, const char *name);
	/* An enum constant: 0; -ENOENT; -EEXIST (ambiguous) with why in err.
	 * type_hint is the C type of the field it is compared with, so that
	 * `reason == NO_SOCKET` looks in enum skb_drop_reason first. */
	int (*constant)(void *ctx, const char *name, const char *type_hint, long long *val,
			char *err, size_t errlen);
	/* `in "func"`: the address ranges of func and its clones, as the
	 * probe's values hold addresses. Returns the count (> 0), or -errno
	 * with the message in err (-ENOENT: no such function). */
	int (*ranges)(void *ctx, const char *func, struct lp_range *out, int max, char *err,
		      size_t errlen);
	/* Why a fetch expression (f->proto, a->b[2].n) is no operand, when the
	 * probe can say (a member DWARF does not know): 0 with the reason in
	 * err, or -ENOENT. NULL: "unknown name" is all there is to say. */
	int (*explain)(void *ctx, const char *expr, char *err, size_t errlen);
	/* `target`: the -p/-c process (a tgid, as `pid` is); 0: none given. */
	int target;
	/* Set to 1 when the filter names `target`; may be NULL. */
	int *target_used;
};

/* An operand is a name, or a fetch expression's chain of members and
 * indexes after one: f->hdr.len, a->b->c[2].val, $retval. Compile `text` into plan->insn, strpool and ranges. Returns 0, or -EINVAL
 * with "column N: what" in err (-E2BIG when it does not fit the plan). */
int filter_compile(const char *text, const struct filter_env *env, struct lp_plan *plan, char *err,
		   size_t errlen);

#endif
