/* From what a point resolved to, the plan the template runs and the layout
 * user space decodes its events with. Pure: no kernel, no Lua. */
#ifndef LUAPROBE_PLAN_BUILD_H
#define LUAPROBE_PLAN_BUILD_H

#include <luaprobe/plan.h>

#include "probe.h"
#include "tpformat.h"

/* Every field of the tracepoint's format becomes an event field: adjacent
 * fixed-size fields are copied by one op; each __data_loc string gets an op
 * and a slot of LP_STR_MAX bytes. Fills p->plan (nfetch, data_size) and
 * p->fields. Returns 0, -ENOMEM, or -E2BIG when the plan does not fit. */
int plan_tracepoint(const struct lp_tpformat *fmt, struct lp_probe *p);

#endif
