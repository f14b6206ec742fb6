/* probe(point, [spec], [handler]) and the Probe object it returns. A probe
 * is parsed and resolved here, at the line that made it, so a wrong point
 * or field is reported with that line; it is loaded and attached once the
 * main chunk has run. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <tracefs/tracefs.h>

#include "kinds/kind.h"
#include "lua/agg.h"
#include "lua/event.h"
#include "lua/state.h"
#include "plan/filter.h"
#include "plan/plan.h"
#include "util/suggest.h"

#define PROBE_MT "luaprobe.Probe"

struct probe_ud {
	int id;
};

static struct lp_probe *check_probe(lua_State *L, int arg)
{
	struct probe_ud *ud = luaL_checkudata(L, arg, PROBE_MT);

	return session_of(L)->probes[ud->id];
}

/* The string at idx, which the C parsers read up to its first NUL: a Lua
 * string may hold more after it, which would be dropped without a word.
 * Raises "<probe: ><what> holds a NUL byte ..." (probe NULL: none yet). */
static const char *text_at(lua_State *L, int idx, const struct lp_probe *p, const char *what)
{
	size_t len;
	const char *s = lua_tolstring(L, idx, &len);

	if (s && strlen(s) != len) {
		if (p)
			luaL_error(L, "probe '%s': %s holds a NUL byte (\\0) at byte %d", p->text,
				   what, (int)strlen(s) + 1);
		luaL_error(L, "%s holds a NUL byte (\\0) at byte %d", what, (int)strlen(s) + 1);
	}
	return s;
}

/* spec.fetch: { name = "expr", ... } or { "expr", ... } (named as written),
 * read into p->reqs before the point is resolved: the kind plans its
 * fetches from them, or checks them against the point's fixed fields. */
static void read_fetch(lua_State *L, int spec, struct lp_probe *p)
{
	int fetch, n = 0;

	if (lua_getfield(L, spec, "fetch") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	fetch = lua_gettop(L);
	luaL_argcheck(L, lua_istable(L, fetch), 2, "spec.fetch must be a table");
	lua_pushnil(L);
	while (lua_next(L, fetch)) {
		lua_pop(L, 1);
		n++;
	}
	p->reqs = calloc(n + 1, sizeof(*p->reqs));
	if (!p->reqs)
		luaL_error(L, "out of memory");
	lua_pushnil(L);
	while (lua_next(L, fetch)) {
		struct lp_fetchreq *r = &p->reqs[p->nreqs];

		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "probe '%s': spec.fetch holds expressions as strings",
				   p->text);
		r->expr = strdup(text_at(L, -1, p, "a fetch expression"));
		r->name = strdup(lua_type(L, -2) == LUA_TSTRING ? text_at(L, -2, p, "a fetch name")
								: r->expr);
		p->nreqs++;
		if (!r->expr || !r->name)
			luaL_error(L, "out of memory");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* --- where: the filter compiler's view of one probe -------------------- */

static int has_field(const struct lp_probe *p, const char *name)
{
	for (int i = 0; i < p->nfields; i++)
		if (strcmp(p->fields[i].name, name) == 0)
			return 1;
	return 0;
}

/* A key, value or filter operand that names no field: a fetch expression
 * the kind adds as a hidden fetch (uprobe: through DWARF at every place).
 * 0 when `name` is now a field; -ENOENT with why in err otherwise (err
 * empty when the kind's fields are fixed). */
static int fetch_operand(struct lp_probe *p, const char *name, char *err, size_t errlen)
{
	const struct lp_kind *kind = kind_of(p->point.kind);

	err[0] = '\0';
	if (has_field(p, name))
		return 0;
	if (!kind || !kind->add_fetch)
		return -ENOENT;
	return kind->add_fetch(p, name, err, errlen) ? -ENOENT : 0;
}

/* A plain name (pid, idx) rather than an expression: what it is not is said
 * by the caller's "no field" with its did-you-mean. */
static int is_plain_name(const char *name)
{
	return name[strcspn(name, "-.[$*(")] == '\0';
}

/* The probe a filter is compiled for, its kind, and room for a suggestion
 * that outlives the list of names it was picked from. */
struct where_env {
	struct lp_probe *p;
	const struct lp_kind *kind;
	char near[128];
};

static int env_operand(void *ctx, const char *name, struct lp_operand *op)
{
	struct lp_probe *p = ((struct where_env *)ctx)->p;
	char err[256];

	if (plan_operand(p, name, op) == 0)
		return 0;
	if (fetch_operand(p, name, err, sizeof(err)))
		return -ENOENT;
	return plan_operand(p, name, op);
}

static int env_explain(void *ctx, const char *expr, char *err, size_t errlen)
{
	/* the add failed a moment ago: asking again gives its reason */
	return fetch_operand(((struct where_env *)ctx)->p, expr, err, errlen) == -ENOENT && err[0]
		       ? 0
		       : -ENOENT;
}

/* A field or built-in first; else a name the point has in scope (never
 * the name itself: one in scope but not fetched is no typo). */

static const char *env_suggest(void *ctx, const char *name)
{
	struct where_env *w = ctx;
	const char *near = plan_suggest(w->p, name);
	char **names = NULL;
	int n, k = 0;

	if (near)
		return near;
	n = kind_scope(w->p, &names);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0)
			free(names[i]);
		else
			names[k++] = names[i];
	}
	near = k > 0 ? suggest_closest(name, (const char *const *)names, k) : NULL;
	if (near)
		snprintf(w->near, sizeof(w->near), "%s", near);
	kind_names_free(names, k);
	return near ? w->near : NULL;
}

static int env_constant(void *ctx, const char *name, const char *hint, long long *val, char *err,
			size_t errlen)
{
	struct where_env *w = ctx;

	if (!w->kind->enum_value)
		return -ENOENT;
	return w->kind->enum_value(w->p, name, hint, val, err, errlen);
}

static int env_ranges(void *ctx, const char *func, struct lp_range *out, int max, char *err,
		      size_t errlen)
{
	struct where_env *w = ctx;

	if (!w->kind->ranges) {
		snprintf(err, errlen, "a %s probe has no addresses to compare", w->kind->name);
		return -EOPNOTSUPP;
	}
	return w->kind->ranges(w->p, func, out, max, err, errlen);
}

/* The plan is frozen once the probes start loading: a change made from
 * on_start or a timer would count nothing, silently. */
static void not_started(lua_State *L, struct lp_probe *p, const char *what)
{
	if (session_of(L)->started)
		luaL_error(L,
			   "probe '%s': %s must be called before the probes start "
			   "(in the script's main chunk)",
			   p->text, what);
}

static void set_where(lua_State *L, struct lp_probe *p, const char *expr)
{
	struct where_env w = { p, kind_of(p->point.kind), "" };
	struct filter_env env = { &w, env_operand, env_suggest, env_constant, env_ranges };
	struct lp_plan plan = p->plan;
	int nfields = p->nfields;
	char err[512];

	env.explain = env_explain;
	env.target = session_of(L)->target;
	env.target_used = &session_of(L)->target_used;
	if (p->filter)
		luaL_error(L, "probe '%s': it has a filter already", p->text);
	/* compiled into a copy: a filter that fails leaves the plan as it was */
	if (filter_compile(expr, &env, &plan, err, sizeof(err)))
		luaL_error(L, "probe '%s': where: %s", p->text, err);
	p->filter = strdup(expr);
	if (!p->filter)
		luaL_error(L, "out of memory");
	/* Only the filter's own parts: the fetches an expression added while
	 * compiling went to p->plan itself. */
	memcpy(p->plan.insn, plan.insn, sizeof(plan.insn));
	p->plan.ninsn = plan.ninsn;
	memcpy(p->plan.strpool, plan.strpool, sizeof(plan.strpool));
	memcpy(p->plan.ranges, plan.ranges, sizeof(plan.ranges));
	if (p->nfields != nfields)
		decode_fieldmap(L, p); /* the expressions it fetched, for handlers too */
}

/* A probe() call that raised keeps its probe here, out of the session's
 * list: it is never loaded, and is freed by the next probe() or at the end. */
void lua_probe_discard(lua_State *L, struct lp_session *s)
{
	struct lp_probe *p = s->pending;
	const struct lp_kind *kind;

	if (!p)
		return;
	s->pending = NULL;
	if (L) {
		luaL_unref(L, LUA_REGISTRYINDEX, p->handler_ref);
		luaL_unref(L, LUA_REGISTRYINDEX, p->fieldmap_ref);
	}
	kind = kind_of(p->point.kind);
	if (kind)
		kind->destroy(p);
	probe_free(p);
}

/* One probe on the point `text` (no wildcard left to expand); pushes its
 * Probe object. */
static int make_probe(lua_State *L, const char *text, int spec, int handler)
{
	struct lp_session *s = session_of(L);
	const struct lp_kind *kind;
	struct lp_probe *p, **grown;
	struct probe_ud *ud;
	char err[512];
	int ret;

	if (s->started)
		return luaL_error(L,
				  "probe '%s': probes must be made before they start "
				  "(in the script's main chunk)",
				  text);
	if (s->nprobes >= 0xffff)
		return luaL_error(L, "too many probes");
	lua_probe_discard(L, s);

	p = calloc(1, sizeof(*p));
	grown = realloc(s->probes, (s->nprobes + 1) * sizeof(*grown));
	if (grown)
		s->probes = grown;
	if (!p || !grown) {
		free(p);
		return luaL_error(L, "out of memory");
	}
	/* Until this call returns it, p is pending: whatever raises from here
	 * leaves it out of the session (lua_probe_discard frees it). */
	s->pending = p;
	p->caches = &s->caches;
	p->handler_ref = LUA_NOREF;
	p->pend_fd = p->pctl_fd = -1;
	p->fieldmap_ref = LUA_NOREF;
	p->text = strdup(text);
	luaL_where(L, 1);
	p->where = strdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	if (!p->text || !p->where)
		return luaL_error(L, "out of memory");
	if (point_parse(text, &p->point, err, sizeof(err)))
		return luaL_error(L, "probe '%s': %s", text, err);
	kind = kind_find(&p->point, p->caches, err, sizeof(err));
	if (!kind)
		return luaL_error(L, "probe '%s': %s", text, err);
	if (spec)
		read_fetch(L, spec, p);
	p->unsafe = s->opt.unsafe;
	ret = kind->resolve(p, err, sizeof(err));
	if (!ret)
		ret = plan_alias(p, err, sizeof(err));
	if (ret)
		return luaL_error(L, "probe '%s': %s", text, err);
	p->id = s->nprobes;
	p->plan.probe_id = p->id;
	decode_fieldmap(L, p);
	if (spec) {
		if (lua_getfield(L, spec, "where") != LUA_TNIL) {
			if (lua_type(L, -1) != LUA_TSTRING)
				return luaL_error(L, "probe '%s': spec.where must be a string",
						  text);
			set_where(L, p, text_at(L, -1, p, "spec.where"));
		}
		lua_pop(L, 1);
		if (lua_getfield(L, spec, "stack") != LUA_TNIL) {
			static const char *const opts[] = { "kernel", "user", "both" };
			static const unsigned which[] = { LP_STACK_KERNEL, LP_STACK_USER,
							  LP_STACK_KERNEL | LP_STACK_USER };
			const char *o = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
			size_t i = 0;

			while (i < 3 && strcmp(o, opts[i]) != 0)
				i++;
			if (i == 3)
				return luaL_error(L,
						  "probe '%s': spec.stack must be \"kernel\", "
						  "\"user\" or \"both\"",
						  text);
			if (plan_stack(p, which[i]))
				return luaL_error(
					L, "probe '%s': no room for the stack in the event", text);
			decode_fieldmap(L, p); /* again, with kstack/ustack */
		}
		lua_pop(L, 1);
		if (lua_getfield(L, spec, "max_keys") != LUA_TNIL) {
			if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) <= 0 ||
			    lua_tointeger(L, -1) > 0xffffffff)
				return luaL_error(L,
						  "probe '%s': spec.max_keys must be a positive "
						  "whole number",
						  text);
			p->max_keys = (unsigned)lua_tointeger(L, -1);
		}
		lua_pop(L, 1);
	}
	if (handler) {
		lua_pushvalue(L, handler);
		p->handler_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	ud = lua_newuserdatauv(L, sizeof(*ud), 0);
	ud->id = p->id;
	luaL_setmetatable(L, PROBE_MT);
	/* Nothing raises past here: the session owns p. */
	s->pending = NULL;
	s->probes[s->nprobes++] = p;
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The tracepoints a point with a wildcard in its system or event names
 * ("syscalls:sys_enter_*"), each written as the point was (tracepoint: or
 * kernel.trace), sorted; pushed as a list. Returns how many. */
static size_t push_expansion(lua_State *L, const char *text, const struct lp_point *pt)
{
	int stap = strncmp(text, "kernel.trace", 12) == 0;
	char **systems = tracefs_event_systems(NULL), **names = NULL;
	size_t n = 0, cap = 0;

	for (int i = 0; systems && systems[i]; i++) {
		char **events;

		if (fnmatch(pt->system, systems[i], 0))
			continue;
		events = tracefs_system_events(NULL, systems[i]);
		for (int j = 0; events && events[j]; j++) {
			char buf[512];

			if (fnmatch(pt->event, events[j], 0))
				continue;
			if (n == cap) {
				char **grown =
					realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

				if (!grown)
					break;
				names = grown;
			}
			snprintf(buf, sizeof(buf),
				 stap ? "kernel.trace(\"%s:%s\")" : "tracepoint:%s:%s", systems[i],
				 events[j]);
			names[n] = strdup(buf);
			if (names[n])
				n++;
		}
		tracefs_list_free(events);
	}
	tracefs_list_free(systems);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_pushstring(L, names[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
		free(names[i]);
	}
	free(names);
	return n;
}

static int probe_set_ref = LUA_NOREF;

static int api_probe_body(lua_State *L)
{
	const char *text = luaL_checkstring(L, 1);
	int spec = 0, handler = 0, list;
	struct lp_point pt = { 0 };
	size_t n;
	char err[512];

	if (lua_istable(L, 2))
		spec = 2;
	if (lua_isfunction(L, 2))
		handler = 2;
	else if (lua_isfunction(L, 3))
		handler = 3;
	luaL_argcheck(L, spec || handler || lua_isnoneornil(L, 2), 2, "spec table or handler");
	/* probe(point, spec, 5): a handler that is not one would never run */
	luaL_argcheck(L, handler || lua_isnoneornil(L, 3), 3, "the handler must be a function");
	text_at(L, 1, NULL, "the probe point");
	/* A tracepoint pattern becomes one probe a tracepoint, sharing the
	 * spec and the handler (e.probe says which fired), gathered in one
	 * ProbeSet whose where() and aggregations cover them all. Anything
	 * else is made (or refused) by make_probe. */
	if (point_parse(text, &pt, err, sizeof(err)) || pt.kind != LP_PT_TRACEPOINT ||
	    !point_has_wildcard(&pt)) {
		point_free(&pt);
		return make_probe(L, text, spec, handler);
	}
	lua_settop(L, 3);
	n = push_expansion(L, text, &pt);
	/* a probe that can never fire is a mistake in the script */
	if (n == 0)
		snprintf(err, sizeof(err),
			 "no tracepoint matches '%s:%s' (luaprobe -l '%s:%s' lists what is there)",
			 pt.system, pt.event, pt.system, pt.event);
	point_free(&pt);
	if (n == 0)
		return luaL_error(L, "probe '%s': %s", text, err);
	list = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, probe_set_ref);
	lua_createtable(L, (int)luaL_len(L, list), 0);
	for (lua_Integer i = 1; i <= luaL_len(L, list); i++) {
		lua_rawgeti(L, list, i);
		make_probe(L, lua_tostring(L, -1), spec, handler);
		lua_rawseti(L, -3, i);
		lua_pop(L, 1);
	}
	lua_pushstring(L, text);
	lua_call(L, 2, 1);
	return 1;
}

/* _set_probe_set(fn): lua/luaprobe.lua's constructor of a ProbeSet from a
 * list of Probes and the pattern, kept for api_probe. */
static int set_probe_set(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_pushvalue(L, 1);
	luaL_unref(L, LUA_REGISTRYINDEX, probe_set_ref);
	probe_set_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

static int probe_tostring(lua_State *L)
{
	lua_pushfstring(L, "probe '%s'", check_probe(L, 1)->text);
	return 1;
}

static int probe_where_body(lua_State *L)
{
	struct lp_probe *p = check_probe(L, 1);

	not_started(L, p, "where()");
	luaL_checkstring(L, 2);
	set_where(L, p, text_at(L, 2, p, "where()"));
	lua_settop(L, 1);
	return 1;
}

/* Probe:count(key...), :sum(expr, key...), ... :lhist(expr, lo, hi, step, key...) */
static int add_agg(lua_State *L, enum lp_agg_fn fn)
{
	struct lp_probe *p = check_probe(L, 1);
	int arg = 2, nkeys, idx = p->naggs, nfields = p->nfields;
	struct lp_aggdef *d;
	char err[512];

	lua_pushfstring(L, "%s()", lua_tostring(L, lua_upvalueindex(1)));
	not_started(L, p, lua_tostring(L, -1));
	lua_pop(L, 1);
	if (p->naggs >= LP_MAX_AGG)
		return luaL_error(L,
				  "probe '%s': at most %d aggregations per probe; make "
				  "another probe on the same point",
				  p->text, LP_MAX_AGG);
	d = &p->aggs[idx];
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->fn = fn;
	if (fn != LP_AF_COUNT) {
		luaL_checkstring(L, arg);
		d->value = (char *)text_at(L, arg++, p, "the value");
	}
	if (fn == LP_AF_LHIST) {
		d->lo = luaL_checkinteger(L, arg++);
		d->hi = luaL_checkinteger(L, arg++);
		d->step = luaL_checkinteger(L, arg++);
		luaL_argcheck(L, d->step > 0 && d->hi > d->lo, arg - 1,
			      "want lo < hi and step > 0");
		/* hi - lo in unsigned: lhist(v, math.mininteger, math.maxinteger, 1)
		 * must be "too many buckets", not a signed overflow */
		luaL_argcheck(L,
			      ((unsigned long long)d->hi - (unsigned long long)d->lo) /
					      (unsigned long long)d->step <=
				      1000,
			      arg - 1, "at most 1000 buckets");
	}
	nkeys = lua_gettop(L) - arg + 1;
	if (nkeys > LP_MAX_KEYS)
		return luaL_error(L, "probe '%s': at most %d keys", p->text, LP_MAX_KEYS);
	for (int k = 0; k < nkeys; k++) {
		luaL_checkstring(L, arg + k);
		d->keys[k] = (char *)text_at(L, arg + k, p, "a key");
	}
	d->nkeys = nkeys;
	for (int k = -1; k < nkeys; k++) {
		const char *name = k < 0 ? d->value : d->keys[k];
		struct lp_operand op;

		if (!name || plan_operand(p, name, &op) == 0)
			continue;
		if (fetch_operand(p, name, err, sizeof(err)) && err[0] && !is_plain_name(name)) {
			memset(d, 0, sizeof(*d));
			return luaL_error(L, "probe '%s': %s: %s", p->text,
					  lua_tostring(L, lua_upvalueindex(1)), err);
		}
	}
	if (plan_agg(p, idx, err, sizeof(err))) {
		memset(d, 0, sizeof(*d));
		return luaL_error(L, "probe '%s': %s: %s", p->text,
				  lua_tostring(L, lua_upvalueindex(1)), err);
	}
	/* Own the strings only once the definition is good. */
	if (d->value)
		d->value = strdup(d->value);
	for (int k = 0; k < nkeys; k++)
		d->keys[k] = strdup(d->keys[k]);
	p->naggs++;
	p->plan.nagg = p->naggs;
	if (p->nfields != nfields)
		decode_fieldmap(L, p); /* with the expressions it fetched */
	lua_agg_push(L, p->id, idx);
	return 1;
}

/* Resolving and planning may take long in C (DWARF, BTF, a kernel
 * wildcard): see script_own_enter(). */
static int own_call(lua_State *L, int (*body)(lua_State *), enum lp_agg_fn fn)
{
	int n;

	script_own_enter();
	n = body ? body(L) : add_agg(L, fn);
	script_own_leave();
	return n;
}

#define AGG_METHOD(name, fn)                  \
	static int probe_##name(lua_State *L) \
	{                                     \
		return own_call(L, NULL, fn); \
	}
#define OWN_CALL(name)                                        \
	static int name(lua_State *L)                         \
	{                                                     \
		return own_call(L, name##_body, LP_AF_COUNT); \
	}
OWN_CALL(api_probe)
OWN_CALL(probe_where)
AGG_METHOD(count, LP_AF_COUNT)
AGG_METHOD(sum, LP_AF_SUM)
AGG_METHOD(min, LP_AF_MIN)
AGG_METHOD(max, LP_AF_MAX)
AGG_METHOD(avg, LP_AF_AVG)
AGG_METHOD(stats, LP_AF_STATS)
AGG_METHOD(hist, LP_AF_HIST)
AGG_METHOD(lhist, LP_AF_LHIST)

/* latency(start, end[, key]) -> Agg: a hist of the ns from start to end,
 * paired in the kernel by key (a fetch expression both points have; tid by
 * default). The end's events gain e.latency, which its own aggregations
 * (end:lhist("latency", ...), end:stats("latency", "comm")) and handler read.
 * start may be a list of probes, each storing under the same pair, for a
 * wait that begins at one of several points (runqlat: a wakeup, a new task,
 * a preemption) and ends at one. */
#define LAT_MAX_STARTS 8
static int api_latency_body(lua_State *L)
{
	struct lp_probe *both[LAT_MAX_STARTS + 1] = { 0 }, *a, *b = check_probe(L, 2);
	const char *key = luaL_optstring(L, 3, "tid");
	int nstarts = 0, n;
	char err[512];
	int ret;

	if (lua_type(L, 1) == LUA_TTABLE) {
		int list = 1;

		if (lua_getfield(L, 1, "probes") == LUA_TTABLE) /* a ProbeSet: its members */
			list = lua_gettop(L);
		nstarts = (int)luaL_len(L, list);
		luaL_argcheck(L, nstarts >= 1 && nstarts <= LAT_MAX_STARTS, 1,
			      "a probe or a list of 1 to 8 probes");
		for (int i = 0; i < nstarts; i++) {
			lua_geti(L, list, i + 1);
			if (!luaL_testudata(L, -1, PROBE_MT))
				return luaL_argerror(L, 1, "a list of probes holds something else");
			both[i] = check_probe(L, -1);
			lua_pop(L, 1);
		}
	} else {
		both[nstarts++] = check_probe(L, 1);
	}
	a = both[0];
	both[nstarts] = b;
	n = nstarts + 1;
	not_started(L, a, "latency()");
	for (int i = 0; i < n; i++)
		if (!kind_pairs(both[i]->point.kind))
			return luaL_error(L, "latency(): probe '%s': %s points cannot pair",
					  both[i]->text, point_kind_name(both[i]->point.kind));
	if (nstarts == 1 && a == b)
		return luaL_error(L, "latency(): the start and the end are the same probe ('%s')",
				  a->text);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (both[i] == both[j])
				return luaL_error(L, "latency(): probe '%s' is given twice",
						  both[i]->text);
	for (int i = 0; i < n; i++) {
		struct lp_probe *p = both[i];
		int nfields = p->nfields;
		struct lp_operand op;

		if (plan_operand(p, key, &op) && fetch_operand(p, key, err, sizeof(err)) &&
		    err[0] && !is_plain_name(key))
			return luaL_error(L, "probe '%s': latency(): %s", p->text, err);
		if (p->nfields != nfields)
			decode_fieldmap(L, p);
	}
	/* the first start's id names the pair: a probe starts one latency() at most */
	for (int i = 0; i < n; i++) {
		struct lp_probe *p = both[i];

		ret = plan_latency(p, i < nstarts ? LP_LAT_START : LP_LAT_END, key,
				   (unsigned long long)a->id + 1, err, sizeof(err));
		if (ret) {
			for (int j = 0; j < i; j++)
				memset(&both[j]->plan.lat, 0, sizeof(both[j]->plan.lat));
			return luaL_error(L, "probe '%s': latency(): %s", p->text, err);
		}
	}
	decode_fieldmap(L, b); /* with e.latency */
	lua_getfield(L, 2, "hist");
	lua_pushvalue(L, 2);
	lua_pushliteral(L, "latency");
	lua_call(L, 2, 1);
	return 1;
}

OWN_CALL(api_latency)

static const luaL_Reg probe_methods[] = {
	{ "where", probe_where }, { "count", probe_count }, { "sum", probe_sum },
	{ "min", probe_min },	  { "max", probe_max },	    { "avg", probe_avg },
	{ "stats", probe_stats }, { "hist", probe_hist },   { "lhist", probe_lhist },
	{ NULL, NULL },
};

/* Methods, then p.hits (events delivered so far) and p.point (as written). */
static int probe_index(lua_State *L)
{
	struct lp_probe *p = check_probe(L, 1);
	const char *key = luaL_checkstring(L, 2);

	for (const luaL_Reg *m = probe_methods; m->name; m++)
		if (strcmp(key, m->name) == 0) {
			lua_pushstring(L, m->name);
			lua_pushcclosure(L, m->func, 1);
			return 1;
		}
	if (strcmp(key, "hits") == 0)
		lua_pushinteger(L, (lua_Integer)p->hits);
	else if (strcmp(key, "point") == 0)
		lua_pushstring(L, p->text);
	else
		return luaL_error(L, "Probe has no method or field '%s'", key);
	return 1;
}

void lua_probe_open(lua_State *L)
{
	static const luaL_Reg meta[] = {
		{ "__index", probe_index },
		{ "__tostring", probe_tostring },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, PROBE_MT);
	luaL_setfuncs(L, meta, 0);
	lua_pop(L, 1);
	lua_agg_open(L);
	lua_pushcfunction(L, api_probe);
	lua_setfield(L, -2, "probe");
	lua_pushcfunction(L, api_latency);
	lua_setfield(L, -2, "latency");
	lua_pushcfunction(L, set_probe_set);
	lua_setfield(L, -2, "_set_probe_set");
}
