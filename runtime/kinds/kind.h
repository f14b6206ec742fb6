/* A probe kind: how points of one family are resolved, loaded, attached,
 * listed and described, and what they answer to in filters. One file per
 * kind (kinds/<kind>.c) fills one table; kinds/registry.c maps each point
 * kind to its table, and everything above kinds/ goes through that map. */
#ifndef LUAPROBE_KIND_H
#define LUAPROBE_KIND_H

#include <stddef.h>
#include <stdio.h>

#include <luaprobe/plan.h>

#include "load/load.h"
#include "point/point.h"
#include "probe.h"

struct lp_kind {
	/* What -v and messages call it ("tracepoint"). */
	const char *name;
	/* Why a point of this kind cannot be probed here: nonzero with the
	 * message (and a "\nhint: ..." line where another point carries the
	 * same events) in err; 0 when it can. NULL: it always can. c: the
	 * session's caches (--vmlinux, the kernel's DWARF), or NULL where there
	 * is no session (-l). */
	int (*refuse)(const struct lp_point *pt, struct lp_caches *c, char *err, size_t errlen);
	/* Fill p->plan and p->fields from p->point. 0 or -errno, message in err.
	 * NULL: the kind is known but not built (refuse says why). */
	int (*resolve)(struct lp_probe *p, char *err, size_t errlen);
	/* Open the template, write the plan to .rodata, load. 0 or -errno. */
	int (*load)(struct lp_probe *p, const struct lp_maps *m, char *err, size_t errlen);
	/* Before the run's probes load, all of them (every kind's): whatever
	 * the kind decides for the run as a whole. NULL: nothing. */
	void (*prepare)(struct lp_probe *const *probes, int n);
	/* Attach the loaded program. 0 or -errno, message in err. */
	int (*attach)(struct lp_probe *p, char *err, size_t errlen);
	/* How the probe is attached, once it is ("raw_tp"), for -v. NULL: name. */
	const char *(*attached_as)(const struct lp_probe *p);
	/* Only the attachments, where they are not p->link and the instances'
	 * links (NULL: those); destroy still frees everything after. */
	void (*detach)(struct lp_probe *p);
	/* Detach and unload; safe on a probe that never loaded. */
	void (*destroy)(struct lp_probe *p);
	/* -l PATTERN, the pattern as the user wrote it ("sched:*",
	 * "tracepoint:skb:*", "kfree"): print every point of this kind that
	 * matches. A pattern meant for another kind matches nothing. Returns the
	 * count, or -errno with the message in err. */
	int (*list)(const char *pattern, FILE *out, char *err, size_t errlen);
	/* -l with a point of this kind as the pattern (process("/bin/x").function("*")).
	 * Returns the count or -errno with a message in err. */
	int (*list_point)(const struct lp_point *pt, FILE *out, char *err, size_t errlen);
	/* -L, after resolve: what the point offers, one "    type name" a line.
	 * NULL: the probe's fields are listed. */
	int (*describe)(struct lp_probe *p, FILE *out);
	/* The names in scope at the point (fields, parameters, locals), for
	 * "did you mean": their count, in a malloc'd array of malloc'd strings
	 * (kind_names_free), or -errno. NULL: the probe's fields. */
	int (*scope)(struct lp_probe *p, char ***names);
	/* An enum constant in `where`: 0 with *val; -ENOENT; -EEXIST (ambiguous)
	 * with the candidates in err. type_hint is the C type of the value it is
	 * compared with ("enum skb_drop_reason"), or NULL. NULL: no constants. */
	int (*enum_value)(struct lp_probe *p, const char *name, const char *type_hint,
			  long long *val, char *err, size_t errlen);
	/* `location in "func"`: the address ranges of func (and its clones),
	 * as the probe's values hold addresses. Returns the count (> 0), or
	 * -errno with the message in err (-ENOENT: no such function). NULL:
	 * the kind has no addresses to compare. */
	int (*ranges)(struct lp_probe *p, const char *func, struct lp_range *out, int max,
		      char *err, size_t errlen);
	/* A key, aggregated value or filter operand that names no field: fetch
	 * the expression (f->proto, a->b[2].n) as a field named as written, at
	 * every attach point. 0; -ENOENT with why in err (err empty: no
	 * expression, the caller's "no field" says so); NULL: the kind's
	 * fields are fixed. kinds/btfargs.c's btfargs_add_fetch serves kinds
	 * whose values are BTF-typed kernel arguments. */
	int (*add_fetch)(struct lp_probe *p, const char *expr, char *err, size_t errlen);
};

/* The kind that probes `kind`, or NULL when luaprobe cannot (kind_find says
 * why). */
const struct lp_kind *kind_of(enum lp_point_kind kind);

/* Whether points of `kind` can start and end a latency() pair: their
 * programs share the run's lp_lat map (load_share_lat). 1 or 0. */
int kind_pairs(enum lp_point_kind kind);

/* The kind that probes pt here, or NULL with why in err: one message for
 * every place that refuses a point (probe(), -L, -l). c as refuse's. */
const struct lp_kind *kind_find(const struct lp_point *pt, struct lp_caches *c, char *err,
				size_t errlen);

/* -l: a point whose kind lists its own places (a binary's functions), else
 * every kind's points that match the pattern. Returns the count, or -errno
 * with the message in err. */
int kind_list(const char *pattern, FILE *out, char *err, size_t errlen);

/* The names in scope at p's point: the kind's scope hook, else p's fields.
 * Count or -errno; free with kind_names_free. */
int kind_scope(struct lp_probe *p, char ***names);
void kind_names_free(char **names, int n);

/* Every kind's prepare hook, once, before the run's probes load. */
void kind_prepare(struct lp_probe *const *probes, int n);

/* End p's attachments, keep its programs and maps (aggregations stay
 * readable): the kind's detach hook, else p->link and every instance's. */
void kind_detach(struct lp_probe *p);

/* -L: one "    type name" line, an array's brackets after the name
 * ("char comm[16]") and no space after a pointer's star ("void *skbaddr"). */
void kind_print_decl(FILE *out, const char *type, const char *name);

#endif
