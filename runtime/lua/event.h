/* Events from the ring buffer to Lua: each event becomes a userdata that
 * decodes a field only when the handler reads it. */
#ifndef LUAPROBE_DECODE_H
#define LUAPROBE_DECODE_H

#include <stddef.h>

#include <lua.h>

#include "probe.h"

/* Register the event metatable. Call once per state. */
void decode_init(lua_State *L);

/* Build p's field map (name -> field, built-ins from plan/builtins.h
 * included, each also as "_name") in the registry.
 * Raises a Lua error on allocation failure. */
void decode_fieldmap(lua_State *L, struct lp_probe *p);

/* Push a stack slot (LP_STACK_SLOT: frame count, then addresses) as a
 * table of "func+0x1b" strings, innermost frame first; a user stack is
 * symbolized in process pid, which must still run (else its addresses are
 * shown in hex, as bpftrace does). */
void decode_push_stack(lua_State *L, int user, const unsigned char *slot, int pid);

/* has(e, name): true when event e (or a table) has a field of that name,
 * where reading e.name would raise. */
int event_has(lua_State *L);

/* Push a new event object holding a copy of the raw event. */
void decode_push_event(lua_State *L, struct lp_probe *p, const void *data, size_t size);

#endif
