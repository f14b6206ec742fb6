#include "lua/json.h"

#include <lauxlib.h>
#include <lua-cjson.h>

void lua_json_open(lua_State *L)
{
	lua_pushboolean(L, session_of(L)->opt.json);
	lua_setfield(L, -2, "_json");
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, luaopen_cjson);
	lua_setfield(L, -2, "cjson");
	lua_pop(L, 1);
}

static int encode_text(lua_State *L)
{
	const char *type = lua_touserdata(L, 1), *text = lua_touserdata(L, 2);

	lua_getglobal(L, "require");
	lua_pushliteral(L, "cjson");
	lua_call(L, 1, 1);
	lua_getfield(L, -1, "encode");
	lua_pushstring(L, type);
	lua_call(L, 1, 1);
	lua_getfield(L, -2, "encode");
	lua_pushstring(L, text);
	lua_call(L, 1, 1);
	lua_pushfstring(L, "{\"type\": %s, \"data\": %s}\n", lua_tostring(L, -2),
			lua_tostring(L, -1));
	return 1;
}

int json_write_text(struct lp_session *s, FILE *out, const char *type, const char *text)
{
	lua_State *L = s->L;
	int ret = -1;

	if (!L)
		return -1;
	/* protected: a message about running out of memory must not raise */
	lua_pushcfunction(L, encode_text);
	lua_pushlightuserdata(L, (void *)type);
	lua_pushlightuserdata(L, (void *)text);
	if (lua_pcall(L, 2, 1, 0) == LUA_OK) {
		fputs(lua_tostring(L, -1), out);
		fflush(out);
		ret = 0;
	}
	lua_pop(L, 1);
	return ret;
}

void json_write_lost(unsigned long long n)
{
	printf("{\"type\": \"lost_events\", \"data\": {\"events\": %llu}}\n", n);
	fflush(stdout);
}

void json_write_attached(int nprobes)
{
	printf("{\"type\": \"attached_probes\", \"data\": {\"probes\": %d}}\n", nprobes);
	fflush(stdout);
}
