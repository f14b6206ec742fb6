/* --json: one JSON object a line, in bpftrace's shapes, encoded by
 * lua-cjson (linked in: the sandbox loads no C modules). */
#ifndef LUAPROBE_LUA_JSON_H
#define LUAPROBE_LUA_JSON_H

#include <stdio.h>

#include <lua.h>

#include "session.h"

/* Preload lua-cjson as "cjson" (require "cjson" works in the sandbox) and
 * tell lua/luaprobe.lua, through the luaprobe table on top of the stack,
 * whether the output is JSON (_json). */
void lua_json_open(lua_State *L);

/* Write {"type": TYPE, "data": "TEXT"} and a newline to out, TEXT encoded
 * by cjson in s's Lua state. Returns 0, or -1 when there is no state to
 * encode with (the caller writes text instead). */
int json_write_text(struct lp_session *s, FILE *out, const char *type, const char *text);

/* {"type": "lost_events", "data": {"events": N}} on stdout, as bpftrace. */
void json_write_lost(unsigned long long n);

/* {"type": "attached_probes", "data": {"probes": N}}, bpftrace's first line. */
void json_write_attached(int nprobes);

#endif
