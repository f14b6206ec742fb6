/* Agg: the Lua face of an in-kernel aggregation. */
#ifndef LUAPROBE_LUA_AGG_H
#define LUAPROBE_LUA_AGG_H

#include <lua.h>

/* Register the Agg metatable and set luaprobe.Agg, its methods (items,
 * total, clear, info; lua/luaprobe.lua adds print), in the table on top. */
void lua_agg_open(lua_State *L);

/* Push the Agg for aggregation idx of probe `probe`. */
void lua_agg_push(lua_State *L, int probe, int idx);

#endif
