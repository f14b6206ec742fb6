/* Events from the ring buffer to Lua: each event becomes a userdata that
 * decodes a field only when the handler reads it. */
#ifndef LUAPROBE_DECODE_H
#define LUAPROBE_DECODE_H

#include <stddef.h>

#include <lua.h>

#include "probe.h"
#include "session.h"

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

/* Call p's handler with the raw event (size bytes, header included) as its
 * event object. Returns 0, or -1 once the handler's error has been reported
 * (the session then stops, as script_call says). */
int event_deliver(struct lp_session *s, struct lp_probe *p, const void *data, size_t size);

/* The next event to deliver: its probe (which has a handler) and raw bytes,
 * valid until the next call. Returns 1, or 0 to end the batch. Runs inside
 * a protected Lua call: it must not call Lua. */
typedef int (*event_next_fn)(void *ctx, struct lp_probe **p, const void **data, size_t *size);

/* Deliver events from next() until it returns 0, under one protected call
 * (one setjmp, the metatable and the last handler kept on the stack: the
 * per-event cost is the handler's own). A handler's error ends the batch
 * and is reported as event_deliver's. Returns 0 or -1. */
int event_deliver_batch(struct lp_session *s, event_next_fn next, void *ctx);

#endif
