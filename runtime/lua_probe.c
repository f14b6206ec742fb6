/* probe(point, [spec], [handler]) and the Probe object it returns. A probe
 * is parsed and resolved here, at the line that made it, so a wrong point
 * or field is reported with that line; it is loaded and attached once the
 * main chunk has run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "decode.h"
#include "kind.h"
#include "script.h"
#include "suggest.h"

#define PROBE_MT "luaprobe.Probe"

struct probe_ud {
	int id;
};

static struct lp_probe *check_probe(lua_State *L, int arg)
{
	struct probe_ud *ud = luaL_checkudata(L, arg, PROBE_MT);

	return session_of(L)->probes[ud->id];
}

static void probe_release(struct lp_probe *p)
{
	point_free(&p->point);
	probe_free_fields(p);
	free(p->text);
	free(p->where);
	free(p);
}

/* spec.fetch in this slice names tracepoint fields, optionally under another
 * name: { proto = "protocol" } or { "protocol" }. */
static void apply_fetch(lua_State *L, int spec, struct lp_probe *p)
{
	int fetch;

	if (lua_getfield(L, spec, "fetch") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	fetch = lua_gettop(L);
	luaL_argcheck(L, lua_istable(L, fetch), 2, "spec.fetch must be a table");
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->fieldmap_ref);
	lua_pushnil(L);
	while (lua_next(L, fetch)) {
		const char *expr = lua_tostring(L, -1);
		int known;

		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "probe '%s': fetch expressions are strings", p->text);
		lua_pushvalue(L, -1);
		known = lua_rawget(L, fetch + 1) != LUA_TNIL;
		if (!known) {
			const char *cands[64];
			size_t n = 0;
			const char *near;

			for (int i = 0; i < p->nfields && n < 64; i++)
				cands[n++] = p->fields[i].name;
			near = suggest_closest(expr, cands, n);
			if (near)
				luaL_error(L, "probe '%s': no field '%s' (did you mean '%s'?)", p->text,
					   expr, near);
			luaL_error(L, "probe '%s': no field '%s'", p->text, expr);
		}
		if (lua_type(L, -3) == LUA_TSTRING) {
			lua_pushvalue(L, -3);
			lua_insert(L, -2);
			lua_rawset(L, fetch + 1); /* alias -> the field's index */
		} else {
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

static int api_probe(lua_State *L)
{
	struct lp_session *s = session_of(L);
	const char *text = luaL_checkstring(L, 1);
	const struct lp_kind *kind;
	struct lp_probe *p, **grown;
	struct probe_ud *ud;
	char err[512];
	int spec = 0, handler = 0, ret;

	if (lua_istable(L, 2))
		spec = 2;
	if (lua_isfunction(L, 2))
		handler = 2;
	else if (lua_isfunction(L, 3))
		handler = 3;
	luaL_argcheck(L, spec || handler || lua_isnoneornil(L, 2), 2, "spec table or handler");
	if (s->nprobes >= 0xffff)
		return luaL_error(L, "too many probes");

	p = calloc(1, sizeof(*p));
	grown = realloc(s->probes, (s->nprobes + 1) * sizeof(*grown));
	if (!p || !grown) {
		free(p);
		return luaL_error(L, "out of memory");
	}
	s->probes = grown;
	p->handler_ref = LUA_NOREF;
	p->fieldmap_ref = LUA_NOREF;
	p->text = strdup(text);
	luaL_where(L, 1);
	p->where = strdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	if (!p->text || !p->where) {
		probe_release(p);
		return luaL_error(L, "out of memory");
	}
	if (point_parse(text, &p->point, err, sizeof(err))) {
		probe_release(p);
		return luaL_error(L, "probe '%s': %s", text, err);
	}
	kind = kind_of(p->point.kind);
	if (!kind) {
		const char *k = point_kind_name(p->point.kind);

		probe_release(p);
		return luaL_error(L, "probe '%s': %s probes are not supported yet", text, k);
	}
	ret = kind->resolve(p, err, sizeof(err));
	if (ret) {
		probe_release(p);
		return luaL_error(L, "probe '%s': %s", text, err);
	}
	/* From here the session owns p: later errors leave it to teardown. */
	p->id = s->nprobes;
	p->plan.probe_id = p->id;
	s->probes[s->nprobes++] = p;
	decode_fieldmap(L, p);
	if (spec) {
		apply_fetch(L, spec, p);
		if (lua_getfield(L, spec, "where") != LUA_TNIL)
			return luaL_error(L, "probe '%s': 'where' filters are not supported yet",
					  text);
		lua_pop(L, 1);
	}
	if (handler) {
		lua_pushvalue(L, handler);
		p->handler_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	ud = lua_newuserdatauv(L, sizeof(*ud), 0);
	ud->id = p->id;
	luaL_setmetatable(L, PROBE_MT);
	return 1;
}

static int probe_tostring(lua_State *L)
{
	lua_pushfstring(L, "probe '%s'", check_probe(L, 1)->text);
	return 1;
}

/* p.hits: events delivered so far; p.point: the point as written. */
static int probe_index(lua_State *L)
{
	struct lp_probe *p = check_probe(L, 1);
	const char *key = luaL_checkstring(L, 2);

	if (strcmp(key, "hits") == 0)
		lua_pushinteger(L, (lua_Integer)p->hits);
	else if (strcmp(key, "point") == 0)
		lua_pushstring(L, p->text);
	else
		return luaL_error(L, "Probe has no member '%s'", key);
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
	lua_pushcfunction(L, api_probe);
	lua_setfield(L, -2, "probe");
}
