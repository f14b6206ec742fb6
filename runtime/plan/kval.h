/* Fetch ops for kernel values BTF typed (resolve/btf_expr.h): shared by the
 * kinds whose values are kernel memory (tp_btf, raw_tp, casts on classic
 * tracepoints; kprobe/fentry arguments later). */
#ifndef LUAPROBE_PLAN_KVAL_H
#define LUAPROBE_PLAN_KVAL_H

#include <stddef.h>

#include <luaprobe/plan.h>

#include "probe.h"
#include "resolve/btf_expr.h"

#define LP_KSTR_MAX 64 /* bytes of a char * string, as bpftrace's default */

/* loc as an LP_FETCH_KVAL op writing to data + dst, whose root is `src`
 * (the template's argument index or record offset; ignored for
 * LP_KROOT_TASK), and the field its events decode it with (name and ctype
 * left to the caller). direct 0 turns the direct loads off. Returns the
 * bytes the value takes (a multiple of 8), or -E2BIG with why in err. */
int plan_kval(const struct lp_kloc *loc, int src, unsigned dst, int direct, struct lp_fetch *op,
	      struct lp_field *field, char *err, size_t errlen);

#endif
