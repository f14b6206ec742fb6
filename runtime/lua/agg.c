/* Agg objects: in-kernel aggregations read from Lua. The kernel keeps one
 * per-CPU hash map per aggregation (see bpf/agg.bpf.h); a read takes it
 * whole into packed rows (lua/aggrows.c), sorts them largest first, and
 * makes Lua values only of the rows a script is handed: items() builds
 * each row's tables when the walk reaches it, print() of plain keys writes
 * text straight from the rows. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <lauxlib.h>

#include "lua/agg.h"
#include "lua/aggrows.h"
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

/* Memory a Lua error must not leak (write() may raise in print): a
 * userdata that frees its pointer when collected. */
#define BOX_MT "luaprobe.AggBox"

struct box {
	void *p;
};

static int box_gc(lua_State *L)
{
	struct box *b = luaL_checkudata(L, 1, BOX_MT);

	free(b->p);
	b->p = NULL;
	return 0;
}

static struct box *box_push(lua_State *L, void *p)
{
	struct box *b = lua_newuserdatauv(L, sizeof(*b), 0);

	b->p = p;
	luaL_setmetatable(L, BOX_MT);
	return b;
}

static struct lp_probe *check_agg(lua_State *L, int arg, int *idx)
{
	struct agg_ud *ud = luaL_checkudata(L, arg, AGG_MT);

	*idx = ud->idx;
	return session_of(L)->probes[ud->probe];
}

static bool is_stats(const struct lp_aggdef *d)
{
	return d->fn >= LP_AF_SUM && d->fn <= LP_AF_STATS;
}

static bool is_hist(const struct lp_aggdef *d)
{
	return d->fn == LP_AF_HIST || d->fn == LP_AF_LHIST;
}

/* clear() keeps a baseline rather than deleting keys: a delete races with
 * the per-CPU adds of the programs (what lands between the script's read
 * and the delete was lost: ~0.1 % under a flood), while values only grow.
 * min and max cannot be subtracted: those aggregations are deleted. */
static bool has_baseline(const struct lp_aggdef *d)
{
	return d->fn != LP_AF_MIN && d->fn != LP_AF_MAX && d->fn != LP_AF_STATS;
}

/* Row i's count and sum less what clear() took away (the sum 0 for a
 * count). */
static void row_less_base(const struct lp_aggdef *d, const struct agg_rows *rs, size_t i,
			  long long *cnt, long long *sum)
{
	const struct agg_rows *base = d->base;
	long b = base && base->n ? aggrows_find(base, aggrows_key(rs, i)) : -1;
	struct lp_stats st = aggrows_stats(rs, i);

	*cnt = st.count;
	*sum = is_stats(d) ? st.sum : 0;
	if (b >= 0) {
		struct lp_stats bs = aggrows_stats(base, (size_t)b);

		*cnt -= bs.count;
		if (is_stats(d))
			*sum -= bs.sum;
	}
}

/* What print writes for a row and items() returns (stats: its count, the
 * value items() returns is the table), from the row's count and sum less
 * the baseline. */
static long long row_value(const struct lp_aggdef *d, const struct agg_rows *rs, size_t i,
			   long long cnt, long long sum)
{
	switch (d->fn) {
	case LP_AF_SUM:
		return sum;
	case LP_AF_MIN:
		return aggrows_stats(rs, i).min;
	case LP_AF_MAX:
		return aggrows_stats(rs, i).max;
	case LP_AF_AVG:
		return cnt ? sum / cnt : 0;
	default:
		return cnt;
	}
}

/* What the script reads of aggregation idx. */
struct view {
	struct agg_rows *rs; /* every entry of the map, in the map's order */
	int64_t *val; /* each row's value as shown (row_value, less the baseline) */
	uint32_t *shown; /* the rows with something left after clear(), unsorted */
	size_t n; /* entries in shown */
};

/* Reads the map, less what clear() took away (keys with nothing left are
 * left out), and remembers it as what the script last read. Pushes the
 * rows' box (its p NULL when the rows are d->seen) and a userdata holding
 * v->val and v->shown (one block: shown follows the values). Raises on
 * error. */
static void read_view(lua_State *L, struct lp_probe *p, int idx, struct view *v)
{
	struct lp_aggdef *d = &p->aggs[idx];
	unsigned ksz = p->plan.agg[idx].key_size;
	struct agg_rows *rs;
	struct box *box;
	size_t m = 0;
	int err = 0;

	if (d->fd < 0) {
		rs = aggrows_new(ksz, is_stats(d)); /* not loaded yet: nothing counted */
		if (!rs)
			err = -ENOMEM;
	} else {
		err = aggrows_read(d->fd, p->pend_fd, p->pctl_fd, (unsigned)idx, is_stats(d), ksz,
				   &rs);
	}
	if (err)
		luaL_error(L, "cannot read the aggregation: %s", strerror(-err));
	box = box_push(L, rs);
	if (has_baseline(d)) {
		free(d->seen);
		d->seen = rs;
		d->nseen = (int)rs->n;
		d->seen_valid = 1;
		box->p = NULL;
	}
	v->rs = rs;
	v->val = lua_newuserdatauv(L, (rs->n ? rs->n : 1) * (sizeof(*v->val) + sizeof(*v->shown)),
				   0);
	v->shown = (uint32_t *)(v->val + rs->n);
	for (size_t i = 0; i < rs->n; i++) {
		long long cnt, sum;

		/* an unkeyed aggregation's array always holds its one value:
		 * no event, no row (bpftrace prints nothing either) */
		row_less_base(d, rs, i, &cnt, &sum);
		if (!cnt)
			continue;
		v->val[i] = row_value(d, rs, i, cnt, sum);
		v->shown[m++] = (uint32_t)i;
	}
	v->n = m;
}

/* Largest first, equal values in the map's order. */
static void rank(lua_State *L, struct view *v)
{
	uint32_t *tmp = malloc((v->n ? v->n : 1) * sizeof(*tmp));

	if (!tmp)
		luaL_error(L, "out of memory");
	aggrows_rank(v->shown, tmp, v->n, v->val);
	free(tmp);
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

static void push_value(lua_State *L, const struct lp_aggdef *d, const struct agg_rows *rs,
		       const int64_t *val, uint32_t row)
{
	struct lp_stats st;

	if (d->fn != LP_AF_STATS) {
		lua_pushinteger(L, val[row]);
		return;
	}
	st = aggrows_stats(rs, row); /* stats keeps no baseline: the row as read */
	lua_createtable(L, 0, 5);
	lua_pushinteger(L, st.count);
	lua_setfield(L, -2, "count");
	lua_pushinteger(L, st.sum);
	lua_setfield(L, -2, "sum");
	lua_pushinteger(L, st.count ? st.sum / st.count : 0);
	lua_setfield(L, -2, "avg");
	lua_pushinteger(L, st.min);
	lua_setfield(L, -2, "min");
	lua_pushinteger(L, st.max);
	lua_setfield(L, -2, "max");
}

/* Upvalues: 1 the Agg, 2 the rows' box, 3 the values and the
 * rows shown (read_view), 4 how many are shown, 5
 * the last position returned. Each item's tables are built as it is
 * asked for: print({top = 10}) of 1M keys builds 10. */
static int items_next(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, lua_upvalueindex(1), &idx);
	const struct box *box = lua_touserdata(L, lua_upvalueindex(2));
	const int64_t *val = lua_touserdata(L, lua_upvalueindex(3));
	const uint32_t *shown = (const uint32_t *)(val + ((const struct agg_rows *)box->p)->n);
	lua_Integer n = lua_tointeger(L, lua_upvalueindex(4));
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(5));

	if (i >= n)
		return 0;
	lua_pushinteger(L, i + 1);
	lua_replace(L, lua_upvalueindex(5));
	push_key(L, p, idx, aggrows_key(box->p, shown[i]));
	push_value(L, &p->aggs[idx], box->p, val, shown[i]);
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
 * value is { [bucket] = count, total = n }. Pushes the list. */
static void build_hist_items(lua_State *L, const struct lp_probe *p, int idx, const struct view *v)
{
	unsigned kb = p->plan.agg[idx].key_size - 8; /* key bytes without the bucket */
	int items, groups;

	lua_newtable(L); /* key bytes -> item */
	groups = lua_gettop(L);
	lua_newtable(L); /* the list */
	items = lua_gettop(L);
	for (size_t i = 0; i < v->n; i++) {
		const unsigned char *key = aggrows_key(v->rs, v->shown[i]);
		__u64 bucket;

		memcpy(&bucket, key + kb, 8);
		lua_pushlstring(L, (const char *)key, kb);
		if (lua_rawget(L, groups) == LUA_TNIL) {
			lua_pop(L, 1);
			lua_createtable(L, 2, 0);
			push_key(L, p, idx, key);
			lua_rawseti(L, -2, 1);
			lua_newtable(L);
			lua_pushinteger(L, 0);
			lua_setfield(L, -2, "total");
			lua_rawseti(L, -2, 2);
			lua_pushlstring(L, (const char *)key, kb);
			lua_pushvalue(L, -2);
			lua_rawset(L, groups);
			lua_pushvalue(L, -1);
			lua_rawseti(L, items, luaL_len(L, items) + 1);
		}
		lua_rawgeti(L, -1, 2);
		lua_pushinteger(L, v->val[v->shown[i]]);
		lua_rawseti(L, -2, (lua_Integer)bucket);
		lua_getfield(L, -1, "total");
		lua_pushinteger(L, lua_tointeger(L, -1) + v->val[v->shown[i]]);
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
}

static int hist_next(lua_State *L)
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

/* agg:items() -> iterator over (key, value), largest first. */
static int agg_items(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	const struct lp_aggdef *d = &p->aggs[idx];
	struct view v;
	struct box *box;

	lua_settop(L, 1);
	read_view(L, p, idx, &v); /* 2 the box, 3 the values and order */
	if (is_hist(d)) {
		build_hist_items(L, p, idx, &v);
		lua_pushinteger(L, 0);
		lua_pushcclosure(L, hist_next, 2);
		return 1;
	}
	rank(L, &v);
	box = lua_touserdata(L, 2);
	if (!box->p) {
		/* the rows are d->seen, which the next read replaces: the
		 * iterator keeps its own */
		box->p = aggrows_copy(v.rs);
		if (!box->p)
			return luaL_error(L, "out of memory");
	}
	lua_pushinteger(L, (lua_Integer)v.n);
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, items_next, 5);
	return 1;
}

/* agg:total(): the sum of every value (counts for count, hist, lhist, stats,
 * min, max and avg; sums for sum). */
static int agg_total(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	const struct lp_aggdef *d = &p->aggs[idx];
	struct view v;
	long long total = 0;

	read_view(L, p, idx, &v);
	for (size_t i = 0; i < v.n; i++) {
		long long cnt, sum;

		row_less_base(d, v.rs, v.shown[i], &cnt, &sum);
		total += d->fn == LP_AF_SUM ? sum : cnt;
	}
	lua_pushinteger(L, total);
	return 1;
}

/* --- print ------------------------------------------------------------- */

/* Text being written: to the file io.write writes to, by the 64 KiB
 * (written as Lua strings, 1M rows left 12 MB of them to the collector).
 * The bytes are a box's: a Lua error leaves nothing behind. */
struct out {
	struct box *b;
	size_t len, cap;
	luaL_Stream *f; /* io.output() */
};

static void out_room(lua_State *L, struct out *o, size_t more)
{
	size_t cap = o->cap ? o->cap : 1 << 17;
	char *g;

	if (o->len + more <= o->cap)
		return;
	while (cap < o->len + more)
		cap *= 2;
	g = realloc(o->b->p, cap);
	if (!g)
		luaL_error(L, "out of memory");
	o->b->p = g;
	o->cap = cap;
}

static void out_bytes(struct out *o, const void *s, size_t n)
{
	memcpy((char *)o->b->p + o->len, s, n);
	o->len += n;
}

/* As Lua's tostring writes an integer (LUA_INTEGER_FMT, "%lld"). */
static void out_int(struct out *o, long long v)
{
	char tmp[24], *e = tmp + sizeof(tmp), *s = e;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do {
		*--s = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--s = '-';
	out_bytes(o, s, (size_t)(e - s));
}

/* Writes what is buffered as io.write would: its errors are not raised
 * (print() has always ignored what io.write returns). */
static void out_flush(lua_State *L, struct out *o)
{
	if (!o->f->closef)
		luaL_error(L, "default output file is closed");
	if (o->len && fwrite(o->b->p, 1, o->len, o->f->f) != o->len)
		clearerr(o->f->f);
	o->len = 0;
}

/* A key as lua/luaprobe.lua's keystr writes it: "[a, 7, 7f:00:00:01]". */
static void out_key(lua_State *L, struct out *o, const struct lp_probe *p, int idx,
		    const unsigned char *key)
{
	const struct lp_aggdef *d = &p->aggs[idx];
	const struct lp_agg *a = &p->plan.agg[idx];
	size_t need = 2;

	if (!d->nkeys)
		return;
	for (int k = 0; k < d->nkeys; k++)
		need += 2 + (a->keys[k].size > 8 ? a->keys[k].size * 3 : 24);
	out_room(L, o, need);
	out_bytes(o, "[", 1);
	for (int k = 0; k < d->nkeys; k++) {
		const struct lp_keypart *kp = &a->keys[k];
		const unsigned char *part = key + kp->dst;

		if (k)
			out_bytes(o, ", ", 2);
		if (d->key_kind[k] == LP_FK_UINTARRAY) {
			static const char hex[] = "0123456789abcdef";

			for (unsigned b = 0; b < kp->size; b++) {
				char h[3] = { hex[part[b] >> 4], hex[part[b] & 15], ':' };

				out_bytes(o, h, b + 1 < kp->size ? 3 : 2);
			}
		} else if (d->key_kind[k] == LP_FK_STR) {
			out_bytes(o, part, strnlen((const char *)part, kp->size));
		} else {
			long long v;

			memcpy(&v, part, 8);
			out_int(o, v);
		}
	}
	out_bytes(o, "]", 1);
}

/* agg:_print(name, top, file): print() of a count, sum, min, max, avg or
 * stats without stack keys, written here (lua/luaprobe.lua decides): each
 * row straight from the map's bytes, smallest first, no Lua value per row.
 * The same text as Agg:print's loop. top: the largest N only (nil: all);
 * file: io.output(), where io.write writes. */
static int agg_print_rows(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	const struct lp_aggdef *d = &p->aggs[idx];
	size_t nlen, shown;
	const char *name = luaL_checklstring(L, 2, &nlen);
	lua_Integer top = luaL_optinteger(L, 3, -1);
	struct view v;
	struct out o = { .f = luaL_checkudata(L, 4, LUA_FILEHANDLE) };

	for (int k = 0; k < d->nkeys; k++)
		luaL_argcheck(L, d->key_kind[k] != LP_FK_KSTACK && d->key_kind[k] != LP_FK_USTACK,
			      1, "stack keys print from Lua");
	luaL_argcheck(L, !is_hist(d), 1, "histograms print from Lua");
	lua_settop(L, 4);
	read_view(L, p, idx, &v); /* 5 the rows' box, 6 the values and order */
	rank(L, &v);
	o.b = box_push(L, NULL); /* 7 */
	shown = top >= 0 && (size_t)top < v.n ? (size_t)top : v.n;
	for (size_t i = shown; i-- > 0;) {
		uint32_t row = v.shown[i];

		out_room(L, &o, nlen + 96);
		out_bytes(&o, name, nlen);
		out_key(L, &o, p, idx, aggrows_key(v.rs, row));
		out_bytes(&o, ": ", 2);
		if (d->fn == LP_AF_STATS) {
			struct lp_stats st = aggrows_stats(v.rs, row);

			out_bytes(&o, "count ", 6);
			out_int(&o, st.count);
			out_bytes(&o, ", average ", 10);
			out_int(&o, st.count ? st.sum / st.count : 0);
			out_bytes(&o, ", total ", 8);
			out_int(&o, st.sum);
		} else {
			out_int(&o, v.val[row]);
		}
		out_bytes(&o, "\n", 1);
		if (o.len >= 1 << 16)
			out_flush(L, &o);
	}
	out_flush(L, &o);
	return 0;
}

/* agg:clear(): forget what the script has read since the last clear()
 * (everything so far when it read nothing): what the kernel added after
 * that read stays, exactly. */
static int agg_clear(lua_State *L)
{
	int idx;
	struct lp_probe *p = check_agg(L, 1, &idx);
	struct lp_aggdef *d = &p->aggs[idx];
	struct agg_rows *rs;
	struct view v;

	if (has_baseline(d)) {
		if (!d->seen_valid)
			read_view(L, p, idx, &v);
		rs = d->seen;
		aggrows_sort_keys(rs);
		free(d->base);
		d->base = rs;
		d->nbase = (int)rs->n;
		d->seen = NULL;
		d->nseen = 0;
		d->seen_valid = 0;
		return 0;
	}
	read_view(L, p, idx, &v);
	rs = v.rs;
	for (size_t i = 0; i < rs->n; i++) {
		if (bpf_map_delete_elem(d->fd, aggrows_key(rs, i)) && errno == EINVAL) {
			/* an array (an unkeyed aggregation): its one value is zeroed */
			int ncpu = libbpf_num_possible_cpus();
			void *zero = ncpu > 0 ? calloc(ncpu, sizeof(struct lp_stats)) : NULL;

			if (zero)
				bpf_map_update_elem(d->fd, aggrows_key(rs, i), zero, BPF_ANY);
			free(zero);
		}
	}
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
		{ "_print", agg_print_rows },
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
	luaL_newmetatable(L, BOX_MT);
	lua_pushcfunction(L, box_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
}
