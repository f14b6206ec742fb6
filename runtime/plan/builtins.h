/* The built-in values every event carries (DESIGN.md §2): one table, read by
 * the planner (filters, keys, header pruning), the lazy event object, the
 * suggestions and -L. A field of the point with a built-in's name wins over
 * the built-in; the built-in stays reachable as "_" + its name ("_pid"),
 * which no field can hide: tracepoint formats name no field so, and a fetch
 * may not be named so (plan_alias refuses it). */
#ifndef LUAPROBE_PLAN_BUILTINS_H
#define LUAPROBE_PLAN_BUILTINS_H

#include <stdint.h>
#include <stdio.h>

#include "probe.h"

/* Where a built-in's value comes from. */
enum lp_builtin_src {
	LP_BI_HDR, /* struct lp_event_hdr, at off, size bytes: filters and keys read it */
	LP_BI_PROBE, /* the point as written: user space knows it, the record does not hold it */
	LP_BI_STACK, /* spec.stack: a slot of the event's data, added by plan_stack */
};

struct lp_builtin {
	const char *name;
	const char *ctype; /* for -L and messages */
	uint8_t src; /* LP_BI_* */
	uint8_t kind; /* LP_FK_* of the value */
	uint16_t off; /* LP_BI_HDR: offset in the record */
	uint16_t size; /* LP_BI_HDR: bytes */
	uint32_t want; /* LP_W_* the template needs to fill it; 0: always filled */
	const char *doc;
};

extern const struct lp_builtin builtin_table[];
extern const int builtin_count;

/* The built-in `name` names, or NULL: its plain name ("pid"; *plain = 1),
 * which a field of the same name hides, or its underscored spelling
 * ("_pid"; *plain = 0), which nothing hides. plain may be NULL. */
const struct lp_builtin *builtin_find(const char *name, int *plain);

/* The field of p that holds built-in b's value (a stack slot of
 * LP_BI_STACK), or NULL. */
const struct lp_field *builtin_field(const struct lp_probe *p, const struct lp_builtin *b);

/* The field of p that hides built-in b (a field of the point with b's
 * name, that is not b's own slot), or NULL. */
const struct lp_field *builtin_hidden_by(const struct lp_probe *p, const struct lp_builtin *b);

/* -L: one line for each built-in a field of p hides, saying how to reach
 * it. Returns the number of lines. */
int builtin_describe_hidden(const struct lp_probe *p, FILE *out);

#endif
