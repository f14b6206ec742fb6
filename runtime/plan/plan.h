/* From what a point resolved to, the plan the template runs and the layout
 * user space decodes its events with. Pure: no kernel, no Lua. */
#ifndef LUAPROBE_PLAN_BUILD_H
#define LUAPROBE_PLAN_BUILD_H

#include <luaprobe/plan.h>

#include "plan/filter.h"
#include "probe.h"
#include "resolve/tpformat.h"

/* Every field of the tracepoint's format becomes an event field: adjacent
 * fixed-size fields are copied by one op; each __data_loc string gets an op
 * and a slot of LP_STR_MAX bytes. Fills p->plan (nfetch, data_size) and
 * p->fields. Returns 0, -ENOMEM, or -E2BIG when the plan does not fit. */
int plan_tracepoint(const struct lp_tpformat *fmt, struct lp_probe *p);

struct lp_loc;

/* spec.fetch on a point whose fields are fixed (a tracepoint): each request
 * must name a field; one under another name becomes an alias (another
 * lp_field at the same place). Requests already fields are left alone.
 * Returns 0, -ENOENT with "no field 'x' (did you mean 'y'?)" in err, or
 * -EINVAL for a fetch named as a built-in's "_name" (of any kind). */
int plan_alias(struct lp_probe *p, char *err, size_t errlen);

/* A value DWARF located (struct lp_loc) as a pt_regs fetch op writing to
 * data + dst, and the field its events decode it with (name and ctype are
 * left to the caller). Returns the bytes the value takes in the event data
 * (a multiple of 8), or -EINVAL/-E2BIG with the reason in err. */
int plan_uval(const struct lp_loc *loc, unsigned dst, struct lp_fetch *op, struct lp_field *field,
	      char *err, size_t errlen);

/* Group the pt_regs fetch ops ops[0..n) of one place that read one struct
 * (the same chain to the same pointer, values within LP_WIN_MAX bytes): the
 * first reads the group's bytes at once (LP_FETCH_UWIN), the others copy
 * theirs out of what it read (LP_FETCH_STAGE). A bpf_probe_read_user costs
 * ~100 ns in a uprobe; the copies ~1. Values and record layout unchanged. */
void plan_uval_windows(struct lp_fetch *ops, unsigned n);

/* The pt_regs offset of x86-64 DWARF register `reg`, or -1. */
int plan_pt_regs_offset(int reg);

/* The pt_regs offset of a syscall's argument i (0..5), or -1. */
int plan_syscall_arg_offset(int i);
#define PLAN_ORIG_AX_OFF 120 /* struct pt_regs: the syscall's number */

/* A syscalls:sys_enter_X (exit 0) or sys_exit_X (exit 1) plan, laid out
 * from the classic record by plan_tracepoint, rewritten to read the same
 * values from raw_syscalls' arguments (regs, id or ret) with the BTF
 * template's chains: the event data, filter and keys stay as they were.
 * 0, or -E2BIG/-EINVAL with why (the classic tracepoint then serves). */
int plan_syscall_raw(struct lp_plan *plan, int exit, char *why, size_t whylen);

/* spec.stack: capture the kernel and/or user stack (LP_STACK_*) into each
 * event, as the fields kstack and ustack. Returns 0 or -E2BIG. */
int plan_stack(struct lp_probe *p, unsigned which);

/* Where `name` sits in the record: "_pid" is the built-in (plan/builtins.h)
 * always; else a field or alias of p, else the built-in of that name. Arrays
 * come back as such (op->kind, op->elem), for the caller to refuse or key
 * whole. Returns 0 or -ENOENT (also for a built-in the record does not hold). */
int plan_operand(const struct lp_probe *p, const char *name, struct lp_operand *op);

/* The name in scope nearest to `name`, or NULL. */
const char *plan_suggest(const struct lp_probe *p, const char *name);

/* latency(): make p the start (LP_LAT_START) or the end (LP_LAT_END) of
 * pair `pair`, keyed by the integer operand `key` (a field or built-in of
 * p: the caller adds a fetch first where one is needed). The end gains the
 * field "latency" (u64 ns) that the kernel fills. 0, or -errno with why in
 * err. */
int plan_latency(struct lp_probe *p, int role, const char *key, unsigned long long pair, char *err,
		 size_t errlen);

/* Lay out aggregation `idx` of p (p->aggs[idx]) as p->plan.agg[idx]: keys
 * resolved to record offsets, integers widened to 8 bytes, strings to at
 * most 64. Returns 0, or -EINVAL/-E2BIG with the reason in err. */
int plan_agg(struct lp_probe *p, int idx, char *err, size_t errlen);

/* Settle what is known only once the script's main chunk has run: whether
 * events go to the ring buffer (the probe has a handler) and, without one,
 * which header fields (LP_W_* of plan/builtins.c) the filter and keys read. */
void plan_finish(struct lp_probe *p);

/* 1 if the template's lean path does aggregation a: a count whose key
 * parts are integers of at most 8 bytes, part j the key's word j (else the
 * template layer LP_L_AGGX: string and stack keys, hist, lhist,
 * sum/min/max/avg/stats). */
int plan_agg_lean(const struct lp_agg *a);

/* Bytes of one value of aggregation idx's map. */
unsigned plan_agg_value_size(const struct lp_probe *p, int idx);

#endif
