/* One probe of a script: the point as written, what it resolved to, its
 * plan, the layout its events decode with, and its kernel objects. */
#ifndef LUAPROBE_PROBE_H
#define LUAPROBE_PROBE_H

#include <stdint.h>

#include <luaprobe/plan.h>

#include "caches.h"
#include "point/point.h"

enum lp_field_kind {
	LP_FK_INT, /* signed integer of `size` bytes */
	LP_FK_UINT, /* unsigned integer or pointer */
	LP_FK_STR, /* NUL-terminated string in a slot of `size` bytes */
	LP_FK_INTARRAY, /* `size / elem` signed integers */
	LP_FK_UINTARRAY, /* `size / elem` unsigned integers */
	LP_FK_KSTACK, /* a stack slot (LP_STACK_SLOT): kernel addresses */
	LP_FK_USTACK, /* a stack slot: addresses in the event's process */
	LP_FK_DYNARRAY, /* a __data_loc non-string array: not fetched, an error to read */
};

/* Where one named value sits in an event's data, and how to read it. */
struct lp_field {
	char *name;
	char *ctype; /* the C type, for -L and messages */
	uint16_t off;
	uint16_t size;
	uint16_t elem;
	uint8_t kind;
};

/* Aggregations as users ask for them (Probe:count, :hist, ...). */
enum lp_agg_fn {
	LP_AF_COUNT,
	LP_AF_SUM,
	LP_AF_MIN,
	LP_AF_MAX,
	LP_AF_AVG,
	LP_AF_STATS,
	LP_AF_HIST,
	LP_AF_LHIST,
};

struct lp_aggdef {
	enum lp_agg_fn fn;
	char *value; /* the expression aggregated, NULL for count */
	char *keys[LP_MAX_KEYS]; /* as written: k.location, k['f->x'] */
	uint8_t key_kind[LP_MAX_KEYS]; /* LP_FK_* of each key part */
	int nkeys;
	long long lo, hi, step; /* lhist */
	unsigned max_entries;
	int fd; /* the map, once loaded; -1 before */
	/* Agg:clear() as a baseline (lua/agg.c): the values the script last
	 * read (in the map's order) and the values a clear() took away (sorted
	 * by key), each a struct agg_rows (lua/aggrows.h). */
	void *seen, *base;
	int nseen, nbase;
	int seen_valid; /* a read since the last clear() */
	/* --metrics (run/metrics.c): Agg:name(), Agg:help(), and the point a
	 * glob's member is served under (the pattern: its members are one
	 * metric). NULL: derived from the script and the point. */
	char *metric_name, *metric_help, *metric_point;
};

/* A value the script asked for in spec.fetch, under the name its events
 * carry it: { n = "arg->b->n" } or, unnamed, { "arg->b->n" } (named as written). */
struct lp_fetchreq {
	char *name;
	char *expr;
};

/* One attach point of a probe whose point expands to many places (a
 * function's copies, a label's inlined instances, a glob). Each has its own
 * fetch ops, as DWARF locations differ by address; the rest of the plan,
 * and the event layout, are the probe's. */
struct lp_inst {
	uint64_t offset; /* uprobe: file offset in the binary */
	char *desc; /* "f.constprop.0+0x1b (file.c:12)", for -v and messages */
	struct lp_fetch fetch[LP_MAX_FETCH];
	void *site; /* the kind's own record of the place (uprobe: a struct lp_site) */
	void *skel;
	struct bpf_link *link;
	/* a link the kind made with its own bpf() call (uprobe_multi, which
	 * libbpf 1.1 cannot make), always > 2; 0: none. load_detach_all
	 * closes it with the links. */
	int link_fd;
	/* a program loaded from an image (load/image.h) instead of skel's,
	 * until attached; 0: none */
	int prog_fd;
};

struct lp_probe {
	int id;
	char *text; /* the point as the script wrote it */
	char *where; /* "file.lua:12:" of the probe() call, for later messages */
	struct lp_point point;
	struct lp_caches *caches; /* the session's: kinds reach BTF and kallsyms through it */
	struct lp_plan plan;
	struct lp_field *fields;
	int nfields;
	struct lp_aggdef aggs[LP_MAX_AGG];
	int naggs;
	/* lp_pend and lp_pctl (bpf/agg.bpf.h), the probe's own like the
	 * aggregations' fds, when a plan's aggregation has lp_agg.pend; else -1 */
	int pend_fd, pctl_fd;
	char *filter; /* the where expression, compiled into plan.insn */
	unsigned max_keys; /* spec.max_keys: entries of each aggregation map; 0: default */
	int handler_ref; /* LUA_NOREF: no handler */
	int fieldmap_ref; /* Lua table: field name -> index into fields (built-ins < 0) */
	/* lua/event.c: names read from events, by the address of their
	 * interned Lua string, in front of fieldmap_ref (key NULL: empty) */
	struct {
		const void *key;
		int idx;
	} fieldcache[8];
	unsigned fieldcache_next; /* the slot a full cache gives up next */
	struct lp_fetchreq *reqs; /* spec.fetch, in order */
	int nreqs;
	struct lp_inst *insts; /* kinds with many attach points; else the two below */
	int ninsts;
	void *priv; /* the kind's own state (an open debuginfo) */
	int target_pid; /* -p or -c: process probes attach to this process only; 0: all */
	int unsafe; /* --unsafe: uprobe:BIN:f+OFF also where no known instruction starts */
	/* load_release(): the template objects were closed once attached, and
	 * the aggregation fds are the probe's own copies (load_close_aggs) */
	int released;
	struct bpf_link *link;
	/* or the fd of a link (or perf event) a kind attached itself, > 2;
	 * 0: none. load_detach_all closes it with the links. */
	int link_fd;
	void *skel;
	unsigned long long hits; /* events delivered to Lua */
};

/* Release the probe's fields and strings; the kernel side goes with load.h. */
void probe_free_fields(struct lp_probe *p);
void probe_free_aggs(struct lp_probe *p);

/* Free everything of p's on the user side, and p. */
void probe_free(struct lp_probe *p);

#endif
