/* A probe kind: how points of one family are resolved, loaded, attached,
 * listed and described. One file per kind fills one table (kind_*.c). */
#ifndef LUAPROBE_KIND_H
#define LUAPROBE_KIND_H

#include <stddef.h>
#include <stdio.h>

#include "load/load.h"
#include "point/point.h"
#include "probe.h"

struct lp_kind {
	/* Fill p->plan and p->fields from p->point. 0 or -errno, message in err. */
	int (*resolve)(struct lp_probe *p, char *err, size_t errlen);
	/* Open the template, write the plan to .rodata, load. 0 or -errno. */
	int (*load)(struct lp_probe *p, const struct lp_maps *m, char *err, size_t errlen);
	/* Attach the loaded program. 0 or -errno, message in err. */
	int (*attach)(struct lp_probe *p, char *err, size_t errlen);
	/* Detach and unload; safe on a probe that never loaded. */
	void (*destroy)(struct lp_probe *p);
	/* -l: print every point of this kind matching pattern. Returns the count or -errno. */
	int (*list)(const char *pattern, FILE *out);
	/* -l with a point of this kind as the pattern (process("/bin/x").function("*")).
	 * Returns the count or -errno with a message in err. */
	int (*list_point)(const struct lp_point *pt, FILE *out, char *err, size_t errlen);
	/* -L, after resolve: what the point offers, one "    type name" a line.
	 * NULL: the probe's fields are listed. */
	int (*describe)(struct lp_probe *p, FILE *out);
	/* A key, aggregated value or filter operand that names no field: fetch
	 * the expression (f->proto, a->b[2].n) as a field named as written, at
	 * every attach point. 0; -ENOENT with why in err; NULL: the kind's
	 * fields are fixed (a tracepoint's record). */
	int (*add_fetch)(struct lp_probe *p, const char *expr, char *err, size_t errlen);
};

/* The kind that handles `kind`, or NULL when luaprobe cannot do it yet. */
const struct lp_kind *kind_of(enum lp_point_kind kind);

/* -L: one "    type name" line, an array's brackets after the name
 * ("char comm[16]") and no space after a pointer's star ("void *skbaddr"). */
void kind_print_decl(FILE *out, const char *type, const char *name);

/* Why a point has no kind here, and which point carries the same events:
 * one message for every place that refuses it. */
void kind_unsupported(const struct lp_point *pt, char *buf, size_t len);

extern const struct lp_kind kind_tracepoint;
extern const struct lp_kind kind_uprobe;

#endif
