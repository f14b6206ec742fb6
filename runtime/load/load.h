/* Loading probes into the kernel: the maps every probe shares, and the
 * libbpf messages a failure should show. */
#ifndef LUAPROBE_LOAD_H
#define LUAPROBE_LOAD_H

#include <stddef.h>

struct bpf_object;
struct bpf_map;

struct lp_maps {
	int events_fd; /* BPF_MAP_TYPE_RINGBUF shared by every probe; -1: none */
	int lost_fd; /* per-CPU u64 counters, LP_LOST_* slots */
	int lat_fd; /* latency() starts in flight (bpf/latency.bpf.h); -1: none */
};

/* Create the shared maps; ringbuf_size 0: no ring buffer (events_fd -1),
 * for a run whose probes send user space nothing; pairs 0: no lp_lat
 * (lat_fd -1), for a run without latency(). Returns 0 or -errno. */
int load_maps_create(struct lp_maps *m, size_t ringbuf_size, int pairs);

/* The ring buffer these probes need, in bytes: 0 when none has a handler
 * or anything else to send (a count-only script), else `asked` (--buffer)
 * or, with asked 0, a power of two sized by the CPUs that write into it
 * and the largest record: 1 MiB on 2 CPUs for records up to 4 KiB. */
struct lp_probe;
size_t load_ringbuf_size(struct lp_probe *const *probes, int n, size_t asked);
void load_maps_close(struct lp_maps *m);

/* Point an object's lp_events and lp_lost maps at the shared ones, before
 * the object is loaded. Returns 0 or -errno. */
int load_share_maps(struct bpf_map *events, struct bpf_map *lost, const struct lp_maps *m);

/* The same for its lp_lat map (bpf/latency.bpf.h): a kind whose probes
 * may be a latency() start or end calls it (see LP_LAT_KINDS in lua/probe.c). */
int load_share_lat(struct bpf_map *lat, const struct lp_maps *m);

/* The template layers (LP_L_*, include/luaprobe/plan.h) a final plan uses. */
struct lp_plan;
unsigned load_layers(const struct lp_plan *plan);

/* Of obj's programs named BASE (every layer) or BASE_<hex> (the layers in
 * hex), the one to load for this plan: of those with every layer the plan
 * uses, the one with the fewest others, then the smallest. It alone is left to load: every other program of the object,
 * of any name, is not loaded. NULL (errno ENOENT) if none covers the plan. */
struct bpf_program;
struct bpf_program *load_pick(struct bpf_object *obj, const char *base, const struct lp_plan *plan);

/* The same choice among n programs by their names and instruction
 * counts: the index, or -1. */
int load_pick_of(const char *const *names, const unsigned *sizes, int n, const char *base,
		 const struct lp_plan *plan);

/* The program load_pick left to load in obj (NULL: none). */
struct bpf_program *load_picked(struct bpf_object *obj);

/* Size aggregation idx's map of probe p (key, value, entries) before load. */
int load_size_agg(struct bpf_map *map, const struct lp_probe *p, int idx);

/* The same as numbers. */
struct lp_agg_shape {
	unsigned type, key_size, value_size, max_entries;
};
void load_agg_shape(const struct lp_probe *p, int idx, struct lp_agg_shape *sh);

/* Whether any of plan's aggregations has pending runs (lp_agg.pend): the
 * program then uses lp_pend and lp_pctl. 1 or 0. */
int load_pends(const struct lp_plan *plan);

/* Keyed counts' pending runs (struct lp_pend, plan.h). load_pend_plan sets
 * lp_agg.pend on p's keyed counts when `on`: for kinds whose programs
 * cannot be preempted (tracepoints), as the slot is per CPU.
 * load_pend_prepare, before load: the maps are made only for such a plan;
 * load_pend_take, after: their fds are the probe's as the aggregations'
 * are (the object's until load_release). */
void load_pend_plan(struct lp_probe *p, int on);
int load_pend_prepare(struct bpf_map *pend, struct bpf_map *pctl, const struct lp_probe *p);
void load_pend_take(struct bpf_map *pend, struct bpf_map *pctl, struct lp_probe *p);

/* Sum of the per-CPU counters of one LP_LOST_* slot. */
/* Once a probe is attached its template object is needed no more: the
 * links hold the programs, the programs their maps. Keeps the aggregation
 * maps open as the probe's own fds so that the kind can close its objects
 * (~8 fds and their memory per attach point). 0 or -errno. */
int load_release(struct lp_probe *p);

/* Close the fds load_release kept; for a kind's destroy. */
void load_close_aggs(struct lp_probe *p);

/* Detach every link of these probes (p->link, p->insts[i].link), several
 * at once: closing a uprobe or tracepoint perf event waits for an RCU
 * grace period (~100-300 ms), which concurrent closes share. */
void load_detach_all(struct lp_probe **probes, int n);

unsigned long long load_lost(const struct lp_maps *m, unsigned slot);

/* Route libbpf's messages into session s: -v prints its warnings (a
 * refused program's verifier log), -vv everything; either way the last
 * warning is kept for load_last_error(). s outlives every load. */
struct lp_session;
void load_init_logging(struct lp_session *s);

/* Forget the kept warning: call before each load, so that a failure never
 * quotes another probe's message. */
void load_error_clear(void);

/* The last warning libbpf printed since load_error_clear() (the verifier's
 * last line on a refused program), or "" when there is none. */
const char *load_last_error(void);

#endif
