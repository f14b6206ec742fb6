/* Agg objects: in-kernel aggregations read from Lua. The kernel keeps one
 * hash map per aggregation (see bpf/agg.bpf.h); reading walks it, decodes
 * each key as the keys were written, and sorts largest first. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <lauxlib.h>

#include "lua/agg.h"
#include "lua/event.h"
#include "plan/plan.h"
#include "run/metrics.h"
#include "session.h"

#define AGG_MT "luaprobe.Agg"

static const char *const fn_names[] = { "count", "sum",	  "min",  "max",
					"avg",	 "stats", "hist", "lhist" };

struct agg_ud {
	int probe;
	int idx;
};

struct row {
	unsigned char key[LP_KEY_MAX];
	union {
		__u64 count;
		struct lp_stats st;
	} v;
	long long sortval;
};

static struct lp_probe *check_agg(lua_State *L, int arg, int *idx)
{
	struct agg_ud *ud = luaL_checkudata(L, arg, AGG_MT);

	*idx = ud->idx;
	return session_of(L)->probes[ud->probe];
}

static int cmp_rows(const void *a, const void *b)
{
	long long x = ((const struct row *)a)->sortval, y = ((const struct row *)b)->sortval;

	return x < y ? 1 : x > y ? -1 : 0;
}

static long long row_value(const struct lp_aggdef *d, const struct row *r)
{
	switch (d->fn) {
	case LP_AF_SUM:
		return r->v.st.sum;
	case LP_AF_MIN:
		return r->v.st.min;
	case LP_AF_MAX:
		return r->v.st.max;
	case LP_AF_AVG:
		return r->v.st.count ? r->v.st.sum / r->v.st.count : 0;
	case LP_AF_STATS:
		return r->v.st.count;
	default:
		return (long long)r->v.count;
	}
}

/* The maps are per-CPU: one value's copies summed (min and max of the
 * CPUs that saw the key). */
static void fold_cpus(const struct lp_aggdef *d, const void *vals, int ncpu, struct row *r)
{
	if (d->fn < LP_AF_SUM || d->fn > LP_AF_STATS) {
		/* a histogram's bucket is { count, sum } (plan_agg_value_size) */
		int stride = d->fn == LP_AF_HIST || d->fn == LP_AF_LHIST ? 2 : 1;
		const __u64 *c = vals;

		for (int i = 0; i < ncpu; i++)
			r->v.count += c[i * stride];
		return;
	}
	for (int i = 0; i < ncpu; i++) {
		const struct lp_stats *st = (const struct lp_stats *)vals + i;

		if (!st->count)
			continue;
		if (!r->v.st.count || st->min < r->v.st.min)
			r->v.st.min = st->min;
		if (!r->v.st.count || st->max > r->v.st.max)
			r->v.st.max = st->max;
		r->v.st.count += st->count;
		r->v.st.sum += st->sum;
	}
}

/* Every entry of the map as the kernel holds it, unsorted. Returns the
 * count or -errno. */
static int read_raw(const struct lp_probe *p, int idx, struct row **out)
{
	const struct lp_aggdef *d = &p->aggs[idx];
	unsigned ksz = p->plan.agg[idx].key_size, n = 0, cap = 64;
	unsigned char key[LP_KEY_MAX], next[LP_KEY_MAX];
	int ncpu = libbpf_num_possible_cpus();
	struct row *rows;
	void *prev = NULL, *vals;

	*out = NULL;
	if (d->fd < 0)
		return 0; /* not loaded yet: nothing counted */
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	rows = malloc(cap * sizeof(*rows));
	vals = calloc(ncpu, sizeof(struct lp_stats));
	if (!rows || !vals) {
		free(rows);
		free(vals);
		return -ENOMEM;
	}
	/* zeroed: an unkeyed aggregation's array writes 4 bytes of a longer
	 * key, and clear()'s baseline compares whole keys */
	memset(next, 0, sizeof(next));
	while (bpf_map_get_next_key(d->fd, prev, next) == 0) {
		memcpy(key, next, ksz);
		prev = key;
		if (n == cap) {
			struct row *grown = realloc(rows, (cap *= 2) * sizeof(*rows));

			if (!grown) {
				free(rows);
				free(vals);
				return -ENOMEM;
			}
			rows = grown;
		}
		memset(&rows[n], 0, sizeof(rows[n]));
		memcpy(rows[n].key, key, ksz);
		if (bpf_map_lookup_elem(d->fd, key, vals))
			continue; /* deleted meanwhile */
		fold_cpus(d, vals, ncpu, &rows[n]);
		rows[n].sortval = row_value(d, &rows[n]);
		n++;
	}
	free(vals);
	*out = rows;
	return n;
}

/* clear() keeps a baseline rather than deleting keys: a delete races with
 * the per-CPU adds of the programs (what lands between the script's read
 * and the delete was lost: ~0.1 % under a flood), while values only grow.
 * min and max cannot be subtracted: those aggregations are deleted. */
static bool has_baseline(const struct lp_aggdef *d)
{
	return d->fn != LP_AF_MIN && d->fn != LP_AF_MAX && d->fn != LP_AF_STATS;
}

static int cmp_keys(const void *a, const void *b)
{
	/* rows are zeroed before their key is copied: whole arrays compare */
	return memcmp(((const struct row *)a)->key, ((const struct row *)b)->key, LP_KEY_MAX);
}

static struct row *copy_rows(const struct row *rows, int n)
{
	struct row *c = malloc((n ? n : 1) * sizeof(*c));

	if (c) {
		memcpy(c, rows, n * sizeof(*c));
		qsort(c, n, sizeof(*c), cmp_keys);
	}
	return c;
}

/* Every entry of the map, less what clear() took away (keys with nothing
 * left are left out), unsorted; remembered as what the script last read.
 * Returns the count or -errno. */
static int read_rows(struct lp_probe *p, int idx, struct row **out)
{
	struct lp_aggdef *d = &p->aggs[idx];
	int n = read_raw(p, idx, out), m = 0;
	struct row *rows = *out, *seen;

	if (n < 0)
		return n;
	if (!has_baseline(d)) {
		/* an unkeyed aggregation's array always holds its one value:
		 * no event, no row (bpftrace prints nothing either) */
		for (int i = 0; i < n; i++)
			if (rows[i].v.st.count)
				rows[m++] = rows[i];
		return m;
	}
	seen = copy_rows(rows, n);
	if (!seen) {
		free(rows);
		*out = NULL;
		return -ENOMEM;
	}
	free(d->seen);
	d->seen = seen;
	d->nseen = n;
	d->seen_valid = 1;
	for (int i = 0; i < n; i++) {
		const struct row *b =
			d->nbase ? bsearch(&rows[i], d->base, d->nbase, sizeof(*b), cmp_keys)
				 : NULL;

		if (b && (d->fn == LP_AF_COUNT || d->fn == LP_AF_HIST || d->fn == LP_AF_LHIST)) {
			rows[i].v.count -= b->v.count;
		} else if (b) {
			rows[i].v.st.count -= b->v.st.count;
			rows[i].v.st.sum -= b->v.st.sum;
		}
		if (d->fn == LP_AF_COUNT || d->fn == LP_AF_HIST || d->fn == LP_AF_LHIST
			    ? !rows[i].v.count
			    : !rows[i].v.st.count)
			continue;
		rows[i].sortval = row_value(d, &rows[i]);
		rows[m++] = rows[i];
	}
	return m;
}

/* A stack key part is the table of frames an event's e.kstack is; a user
 * stack's table also has its pid: the same frames in two processes are
 * two keys. */
static void push_frames(lua_State *L, int user, const unsigned char *slot, int pid)
{
	decode_push_stack(L, user, slot, pid);
	if (user) {
		lua_pushinteger(L, pid);
		lua_setfield(L, -2, "pid");
	}
}

/* The key table: each part under its name as written and its position. */
static void push_key(lua_State *L, const struct lp_probe *p, int idx, const unsigned char *key)
{
	const struct lp_aggdef *d = &p->aggs[idx];
	const struct lp_agg *a = &p->plan.agg[idx];

	lua_createtable(L, d->nkeys, d->nkeys);
	for (int k = 0; k < d->nkeys; k++) {
		const struct lp_keypart *kp = &a->keys[k];

		if (d->key_kind[k] == LP_FK_UINTARRAY) {
			/* bytes (an address): whole, zeros included */
			lua_pushlstring(L, (const char *)key + kp->dst, kp->size);
		} else if (d->key_kind[k] == LP_FK_KSTACK || d->key_kind[k] == LP_FK_USTACK) {
			int pid = 0;

			/* the hidden pid part follows the parts as written (plan/agg.c) */
			if (a->nkeys > d->nkeys)
				memcpy(&pid, key + a->keys[d->nkeys].dst, sizeof(pid));
			push_frames(L, d->key_kind[k] == LP_FK_USTACK, key + kp->dst, pid);
		} else if (d->key_kind[k] == LP_FK_STR) {
			lua_pushlstring(L, (const char *)key + kp->dst,
					strnlen((const char *)key + kp->dst, kp->size));
		} else {
			long long v;

			memcpy(&v, key + kp->dst, 8);
			lua_pushinteger(L, v);
		}
		lua_pushvalue(L, -1);
		lua_rawseti(L, -3, k + 1);
		lua_setfield(L, -2, d->keys[k]);
	}
}

static void push_value(lua_State *L, const struct lp_aggdef *d, const struct row *r)
{
	if (d->fn != LP_AF_STATS) {
		lua_pushinteger(L, row_value(d, r));
		return;
	}
	lua_createtable(L, 0, 5);
	lua_pushinteger(L, r->v.st.count);
	lua_setfield(L, -2, "count");
	lua_pushinteger(L, r->v.st.sum);
	lua_setfield(L, -2, "sum");
	lua_pushinteger(L, r->v.st.count ? r->v.st.sum / r->v.st.count : 0);
	lua_setfield(L, -2, "avg");
	lua_pushinteger(L, r->v.st.min);
	lua_setfield(L, -2, "min");
	lua_pushinteger(L, r->v.st.max);
	lua_setfield(L, -2, "max");
}

static int items_next(lua_State *L)
{
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(2)) + 1;

	lua_pushinteger(L, i);
	lua_replace(L, lua_upvalueindex(2));
	if (lua_rawgeti(L, lua_upvalueindex(1), i) == LUA_TNIL)
		return 0;
	lua_rawgeti(L, -1, 1);
	lua_rawgeti(L, -2, 2);
	return 2;
}

static int hist_before(lua_State *L)
{
	lua_Integer a, b;

	lua_rawgeti(L, 1, 2);
	lua_getfield(L, -1, "total");
	a = lua_tointeger(L, -1);
	lua_rawgeti(L, 2, 2);
	lua_getfield(L, -1, "total");
	b = lua_tointeger(L, -1);
	lua_pushboolean(L, a > b);
	return 1;
}

/* Histograms: the rows of one key (all its buckets) become one item whose
 * value is { [bucket] = count, total = n }. */
static int build_hist_items(lua_State *L, const struct lp_probe *p, int idx, struct row *rows,
			    int n)
{
	unsigned kb = p->plan.agg[idx].key_size - 8; /* key bytes without the bucket */
	int items, groups;

	lua_newtable(L); /* key bytes -> item */
	groups = lua_gettop(L);
	lua_newtable(L); /* the list */
	items = lua_gettop(L);
	for (int i = 0; i < n; i++) {
		__u64 bucket;

		memcpy(&bucket, rows[i].key + kb, 8);
		lua_pushlstring(L, (const char *)rows[i].key, kb);
		if (lua_rawget(L, groups) == LUA_TNIL) {
			lua_pop(L, 1);
			lua_createtable(L, 2, 0);
			push_key(L, p, idx, rows[i].key);
			lua_rawseti(L, -2, 1);
			lua_newtable(L);
			lua_pushinteger(L, 0);
			lua_setfield(L, -2, "total");
			lua_rawseti(L, -2, 2);
			lua_pushlstring(L, (const char *)rows[i].key, kb);
			lua_pushvalue(L, -2);
			lua_rawset(L, groups);
			lua_pushvalue(L, -1);
			lua_rawseti(L, items, luaL_len(L, items) + 1);
		}
		lua_rawgeti(L, -1, 2);
		lua_pushinteger(L, (lua_Integer)rows[i].v.count);
		lua_rawseti(L, -2, (lua_Integer)bucket);
		lua_getfield(L, -1, "total");
		lua_pushinteger(L, lua_tointeger(L, -1) + (lua_Integer)rows[i].v.count);
		lua_setfield(L, -3, "total");
		lua_pop(L, 3);
	}
	/* Largest total first. */
	lua_getglobal(L, "table");
	lua_getfield(L, -1, "sort");
	lua_pushvalue(L, items);
	lua_pushcfunction(L, hist_before);
	lua_call(L, 2, 0);
	lua_pop(L, 1);
	lua_remove(L, groups);
	return 0;
}

/* agg:items() -> iterator over (key, value), largest first. */
static int agg_items(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	const struct lp_aggdef *d = &p->aggs[idx];
	struct row *rows;
	int n = read_rows(p, idx, &rows);

	if (n < 0)
		return luaL_error(L, "cannot read the aggregation: %s", strerror(-n));
	if (d->fn == LP_AF_HIST || d->fn == LP_AF_LHIST) {
		build_hist_items(L, p, idx, rows, n);
	} else {
		qsort(rows, n, sizeof(*rows), cmp_rows);
		lua_createtable(L, n, 0);
		for (int i = 0; i < n; i++) {
			lua_createtable(L, 2, 0);
			push_key(L, p, idx, rows[i].key);
			lua_rawseti(L, -2, 1);
			push_value(L, d, &rows[i]);
			lua_rawseti(L, -2, 2);
			lua_rawseti(L, -2, i + 1);
		}
	}
	free(rows);
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, items_next, 2);
	return 1;
}

/* agg:total(): the sum of every value (counts for count, hist, lhist, stats,
 * min, max and avg; sums for sum). */
static int agg_total(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	const struct lp_aggdef *d = &p->aggs[idx];
	struct row *rows;
	int n = read_rows(p, idx, &rows);
	long long total = 0;

	if (n < 0)
		return luaL_error(L, "cannot read the aggregation: %s", strerror(-n));
	for (int i = 0; i < n; i++) {
		if (d->fn == LP_AF_SUM)
			total += rows[i].v.st.sum;
		else if (d->fn >= LP_AF_MIN && d->fn <= LP_AF_STATS)
			total += rows[i].v.st.count;
		else
			total += rows[i].v.count;
	}
	free(rows);
	lua_pushinteger(L, total);
	return 1;
}

/* agg:clear(): forget what the script has read since the last clear()
 * (everything so far when it read nothing): what the kernel added after
 * that read stays, exactly. */
static int agg_clear(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	struct lp_aggdef *d = &p->aggs[idx];
	struct row *rows;
	int n;

	if (has_baseline(d)) {
		if (!d->seen_valid) {
			n = read_raw(p, idx, &rows);
			if (n < 0)
				return luaL_error(L, "cannot read the aggregation: %s",
						  strerror(-n));
			free(d->seen);
			d->seen = copy_rows(rows, n);
			d->nseen = n;
			free(rows);
			if (!d->seen)
				return luaL_error(L, "out of memory");
		}
		free(d->base);
		d->base = d->seen;
		d->nbase = d->nseen;
		d->seen = NULL;
		d->nseen = 0;
		d->seen_valid = 0;
		return 0;
	}
	n = read_raw(p, idx, &rows);
	if (n < 0)
		return luaL_error(L, "cannot read the aggregation: %s", strerror(-n));
	for (int i = 0; i < n; i++) {
		if (bpf_map_delete_elem(p->aggs[idx].fd, rows[i].key) && errno == EINVAL) {
			/* an array (an unkeyed aggregation): its one value is zeroed */
			int ncpu = libbpf_num_possible_cpus();
			void *zero = ncpu > 0 ? calloc(ncpu, sizeof(struct lp_stats)) : NULL;

			if (zero)
				bpf_map_update_elem(p->aggs[idx].fd, rows[i].key, zero, BPF_ANY);
			free(zero);
		}
	}
	free(rows);
	return 0;
}

/* agg:info() -> { fn =, keys = {...}, bytes = { [i] = true }, stacks = { [i] = "kernel"|"user" },
 * folded = (--folded and a stack key), value =, lo =, hi =,
 * step = } for printing. */
static int agg_info(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	const struct lp_aggdef *d = &p->aggs[idx];
	int stacks = 0;

	lua_createtable(L, 0, 8);
	lua_pushstring(L, fn_names[d->fn]);
	lua_setfield(L, -2, "fn");
	lua_createtable(L, d->nkeys, 0);
	for (int k = 0; k < d->nkeys; k++) {
		lua_pushstring(L, d->keys[k]);
		lua_rawseti(L, -2, k + 1);
	}
	lua_setfield(L, -2, "keys");
	lua_newtable(L); /* key parts that are bytes, for print() */
	for (int k = 0; k < d->nkeys; k++) {
		if (d->key_kind[k] == LP_FK_UINTARRAY) {
			lua_pushboolean(L, 1);
			lua_rawseti(L, -2, k + 1);
		}
	}
	lua_setfield(L, -2, "bytes");
	/* key parts that are stacks, for print(); with --folded, stack-keyed
	 * aggregations print folded unless print() is told otherwise */
	lua_newtable(L);
	for (int k = 0; k < d->nkeys; k++) {
		if (d->key_kind[k] == LP_FK_KSTACK || d->key_kind[k] == LP_FK_USTACK) {
			lua_pushstring(L, d->key_kind[k] == LP_FK_KSTACK ? "kernel" : "user");
			lua_rawseti(L, -2, k + 1);
			stacks = 1;
		}
	}
	lua_setfield(L, -2, "stacks");
	lua_pushboolean(L, stacks && session_of(L)->opt.folded);
	lua_setfield(L, -2, "folded");
	if (d->value) {
		lua_pushstring(L, d->value);
		lua_setfield(L, -2, "value");
	}
	if (d->fn == LP_AF_LHIST) {
		lua_pushinteger(L, d->lo);
		lua_setfield(L, -2, "lo");
		lua_pushinteger(L, d->hi);
		lua_setfield(L, -2, "hi");
		lua_pushinteger(L, d->step);
		lua_setfield(L, -2, "step");
	}
	lua_pushstring(L, p->text);
	lua_setfield(L, -2, "probe");
	return 1;
}

/* agg:name("netdrop_drops_total") -> agg: the metric --metrics serves it
 * as. Aggregations given one name are one metric, so they must agree on
 * its type and labels. */
static int agg_name(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	const char *name = luaL_checkstring(L, 2);
	struct lp_aggdef *d = &p->aggs[idx];
	struct lp_session *s = session_of(L);
	char *copy;

	luaL_argcheck(L, metrics_valid_name(name, 0) && strncmp(name, "__", 2), 2,
		      "not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*, no leading __)");
	luaL_argcheck(L, strncmp(name, "luaprobe_", 9), 2, "luaprobe_ names are luaprobe's own");
	for (int i = 0; i < s->nprobes; i++) {
		for (int j = 0; j < s->probes[i]->naggs; j++) {
			const struct lp_aggdef *o = &s->probes[i]->aggs[j];
			int same = o->fn == d->fn && o->nkeys == d->nkeys &&
				   (d->fn != LP_AF_LHIST ||
				    (o->lo == d->lo && o->hi == d->hi && o->step == d->step));

			if (o == d || !o->metric_name || strcmp(o->metric_name, name))
				continue;
			for (int k = 0; same && k < d->nkeys; k++)
				same = !strcmp(o->keys[k], d->keys[k]);
			if (!same)
				return luaL_error(
					L,
					"metric '%s' is already the %s aggregation of probe "
					"'%s' with other keys: one name, one type and one "
					"set of labels (and buckets)",
					name, fn_names[o->fn], s->probes[i]->text);
		}
	}
	copy = strdup(name);
	if (!copy)
		return luaL_error(L, "out of memory");
	free(d->metric_name);
	d->metric_name = copy;
	lua_settop(L, 1);
	return 1;
}

/* agg:help("text") -> agg: the metric's HELP line. */
static int agg_help(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	char *copy = strdup(luaL_checkstring(L, 2));

	if (!copy)
		return luaL_error(L, "out of memory");
	free(p->aggs[idx].metric_help);
	p->aggs[idx].metric_help = copy;
	lua_settop(L, 1);
	return 1;
}

/* agg:_metric_point(pattern): a glob's member is served under the
 * pattern, so that its members make one metric (lua/luaprobe.lua). */
static int agg_metric_point(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	char *copy = strdup(luaL_checkstring(L, 2));

	if (!copy)
		return luaL_error(L, "out of memory");
	free(p->aggs[idx].metric_point);
	p->aggs[idx].metric_point = copy;
	return 0;
}

static int agg_tostring(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);

	lua_pushfstring(L, "%s aggregation of probe '%s'", fn_names[p->aggs[idx].fn], p->text);
	return 1;
}

void lua_agg_push(lua_State *L, int probe, int idx)
{
	struct agg_ud *ud = lua_newuserdatauv(L, sizeof(*ud), 0);

	ud->probe = probe;
	ud->idx = idx;
	luaL_setmetatable(L, AGG_MT);
}

void lua_agg_open(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "items", agg_items },
		{ "total", agg_total },
		{ "clear", agg_clear },
		{ "info", agg_info },
		{ "name", agg_name },
		{ "help", agg_help },
		{ "_metric_point", agg_metric_point },
		{ NULL, NULL },
	};

	/* The methods table is also luaprobe.Agg, where lua/luaprobe.lua adds
	 * the methods written in Lua (print). */
	luaL_newlib(L, methods);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, "Agg");
	luaL_newmetatable(L, AGG_MT);
	lua_insert(L, -2);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, agg_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}
