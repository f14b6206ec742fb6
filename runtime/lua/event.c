#include "lua/event.h"

#include <stdint.h>
#include <string.h>

#include <lauxlib.h>

#include <luaprobe/event.h>

#include "lua/state.h"
#include "plan/builtins.h"
#include "resolve/dwarf/dwarf.h"
#include "session.h"
#include "sym/ksym.h"
#include "sym/kstack.h"
#include "sym/usym.h"
#include "util/suggest.h"

struct lp_event_ud {
	struct lp_probe *probe;
	size_t size;
	struct lp_event_hdr hdr; /* followed by hdr.size bytes of data */
};

static int event_mt_ref = LUA_NOREF;

static lua_Integer read_int(const unsigned char *src, int size, int is_signed)
{
	union {
		int8_t i8;
		int16_t i16;
		int32_t i32;
		int64_t i64;
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
	} v;

	memcpy(&v, src, size > 8 ? 8 : size);
	switch (size) {
	case 1:
		return is_signed ? (lua_Integer)v.i8 : (lua_Integer)v.u8;
	case 2:
		return is_signed ? (lua_Integer)v.i16 : (lua_Integer)v.u16;
	case 4:
		return is_signed ? (lua_Integer)v.i32 : (lua_Integer)v.u32;
	default:
		return v.i64; /* u64 wraps into Lua's signed integer; %x prints it right */
	}
}

void decode_push_stack(lua_State *L, int user, const unsigned char *slot, int pid)
{
	uint64_t n, addrs[LP_STACK_DEPTH];
	char buf[256];
	int skip = 0;

	memcpy(&n, slot, 8);
	if (n > LP_STACK_DEPTH)
		n = LP_STACK_DEPTH;
	memcpy(addrs, slot + 8, 8 * n);
	/* a raw tracepoint's stack starts in the BPF program: from the traced code */
	if (!user)
		skip = kstack_skip(session_ksym(session_of(L)), addrs, (int)n);
	lua_createtable(L, (int)n - skip, 0);
	for (uint64_t i = skip; i < n; i++) {
		if (!user)
			ksym_format(session_ksym(session_of(L)), addrs[i], buf, sizeof(buf));
		else if (usym_format(session_usym(session_of(L)), pid, addrs[i], buf,
				     sizeof(buf)) != 0)
			snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addrs[i]);
		lua_pushstring(L, buf);
		lua_rawseti(L, -2, (lua_Integer)(i - skip) + 1);
	}
}

static void push_field(lua_State *L, const struct lp_field *f, const unsigned char *data,
		       size_t data_size, uint32_t pid)
{
	const unsigned char *src = data + f->off;

	if ((size_t)f->off + f->size > data_size) {
		lua_pushnil(L); /* the kernel sent less than the plan says: never trust it */
		return;
	}
	switch (f->kind) {
	case LP_FK_KSTACK:
	case LP_FK_USTACK:
		decode_push_stack(L, f->kind == LP_FK_USTACK, src, (int)pid);
		break;
	case LP_FK_STR:
		lua_pushlstring(L, (const char *)src, strnlen((const char *)src, f->size));
		break;
	case LP_FK_INTARRAY:
	case LP_FK_UINTARRAY: {
		int n;

		/* Bytes (an address, a MAC) arrive whole, zeros included: a
		 * string of the declared length, for inet() and ==. */
		if (f->elem == 1) {
			lua_pushlstring(L, (const char *)src, f->size);
			break;
		}
		n = f->elem ? f->size / f->elem : 0;

		lua_createtable(L, n, 0);
		for (int i = 0; i < n; i++) {
			lua_pushinteger(L, read_int(src + i * f->elem, f->elem,
						    f->kind == LP_FK_INTARRAY));
			lua_rawseti(L, -2, i + 1);
		}
		break;
	}
	default:
		lua_pushinteger(L, read_int(src, f->size, f->kind == LP_FK_INT));
	}
}

/* Built-in i of builtin_table. Its value is in the header, or is the probe's. */
static void push_builtin(lua_State *L, const struct lp_event_ud *ev, int i)
{
	const struct lp_builtin *b = &builtin_table[i];
	const unsigned char *h = (const unsigned char *)&ev->hdr;

	if (b->src == LP_BI_PROBE)
		lua_pushstring(L, ev->probe->text);
	else if (b->kind == LP_FK_STR)
		lua_pushlstring(L, (const char *)h + b->off,
				strnlen((const char *)h + b->off, b->size));
	else
		lua_pushinteger(L, read_int(h + b->off, b->size, b->kind == LP_FK_INT));
}

/* An unknown name is a bug in the script: say so, with the nearest name. */
static int no_such_field(lua_State *L, const struct lp_probe *p, const char *name)
{
	const char *cands[64];
	size_t n = 0;
	const char *near;
	char dym[300];

	for (int i = 0; i < p->nfields && n < 48; i++)
		cands[n++] = p->fields[i].name;
	for (int i = 0; i < builtin_count && n < sizeof(cands) / sizeof(cands[0]); i++)
		cands[n++] = builtin_table[i].name;
	near = suggest_closest(name, cands, n);
	return luaL_error(L, "probe '%s' has no field '%s'%s", p->text, name,
			  suggest_text(dym, sizeof(dym), near));
}

/* Lua interns strings up to this length (LUAI_MAXSHORTLEN): one object
 * per content, which the field map keeps alive, so its address names it. */
#define SHORT_STRING 40

/* The names a handler reads are few: every slot is looked at (a slot
 * chosen by address made two names that shared one miss on every event,
 * 435 ns an event for e.pid and e.comm instead of ~310). A full cache
 * takes new names in turn. */
#define FIELDCACHE_SLOTS \
	(sizeof(((struct lp_probe *)0)->fieldcache) / sizeof(((struct lp_probe *)0)->fieldcache[0]))

static int fieldcache_find(const struct lp_probe *p, const void *key)
{
	for (unsigned i = 0; i < FIELDCACHE_SLOTS; i++)
		if (p->fieldcache[i].key == key)
			return (int)i;
	return -1;
}

static void fieldcache_put(struct lp_probe *p, const void *key, int idx)
{
	unsigned i = 0;

	while (i < FIELDCACHE_SLOTS && p->fieldcache[i].key)
		i++;
	if (i == FIELDCACHE_SLOTS)
		i = p->fieldcache_next++ % FIELDCACHE_SLOTS;
	p->fieldcache[i].key = key;
	p->fieldcache[i].idx = idx;
}

static int event_index(lua_State *L)
{
	struct lp_event_ud *ev = lua_touserdata(L, 1);
	struct lp_probe *p = ev->probe;
	const char *key = NULL;
	size_t len = 0;
	int isnum, slot;
	lua_Integer idx;

	if (lua_type(L, 2) == LUA_TSTRING) {
		key = lua_tolstring(L, 2, &len);
		slot = fieldcache_find(p, key);
		if (slot >= 0) {
			idx = p->fieldcache[slot].idx;
			goto found;
		}
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->fieldmap_ref);
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
	idx = lua_tointegerx(L, -1, &isnum);
	if (!isnum) {
		if (key)
			return no_such_field(L, p, key);
		return luaL_error(L, "probe '%s': event fields are named by strings", p->text);
	}
	lua_pop(L, 2);
	if (len <= SHORT_STRING)
		fieldcache_put(p, key, (int)idx);
found:
	if (idx < 0)
		push_builtin(L, ev, (int)-idx - 1);
	else if (p->fields[idx].kind == LP_FK_DYNARRAY)
		return luaL_error(L,
				  "probe '%s': field '%s' (%s) is a variable-length array, which "
				  "luaprobe does not read yet",
				  p->text, p->fields[idx].name, p->fields[idx].ctype);
	else
		push_field(L, &p->fields[idx], (const unsigned char *)(&ev->hdr + 1),
			   ev->size - sizeof(ev->hdr), ev->hdr.pid);
	return 1;
}

int event_has(lua_State *L)
{
	const char *name = luaL_checkstring(L, 2);
	struct lp_event_ud *ev = luaL_testudata(L, 1, "luaprobe.event");

	if (!ev) {
		luaL_checktype(L, 1, LUA_TTABLE);
		lua_pushboolean(L, lua_getfield(L, 1, name) != LUA_TNIL);
		return 1;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, ev->probe->fieldmap_ref);
	lua_pushboolean(L, lua_getfield(L, -1, name) != LUA_TNIL);
	return 1;
}

static int event_newindex(lua_State *L)
{
	struct lp_event_ud *ev = lua_touserdata(L, 1);

	return luaL_error(L, "probe '%s': events are read-only", ev->probe->text);
}

/* pairs(e): every field, then the built-ins, in a fixed order; a built-in
 * a field hides comes under the spelling that reaches it ("_pid"). */
static int event_next(lua_State *L)
{
	struct lp_event_ud *ev = lua_touserdata(L, 1);
	struct lp_probe *p = ev->probe;
	lua_Integer i = lua_isnil(L, 2) ? 0 : lua_tointeger(L, lua_upvalueindex(1));

	/* skipped: stacks (fields already) and arrays it cannot read */
	while ((i < p->nfields && p->fields[i].kind == LP_FK_DYNARRAY) ||
	       (i >= p->nfields && i < p->nfields + builtin_count &&
		builtin_table[i - p->nfields].src == LP_BI_STACK))
		i++;
	if (i >= p->nfields + builtin_count)
		return 0;
	lua_pushinteger(L, i + 1);
	lua_replace(L, lua_upvalueindex(1));
	if (i < p->nfields) {
		lua_pushstring(L, p->fields[i].name);
		push_field(L, &p->fields[i], (const unsigned char *)(&ev->hdr + 1),
			   ev->size - sizeof(ev->hdr), ev->hdr.pid);
	} else {
		const struct lp_builtin *b = &builtin_table[i - p->nfields];

		if (builtin_hidden_by(p, b))
			lua_pushfstring(L, "_%s", b->name);
		else
			lua_pushstring(L, b->name);
		push_builtin(L, ev, (int)(i - p->nfields));
	}
	return 2;
}

static int event_pairs(lua_State *L)
{
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, event_next, 1);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static int event_tostring(lua_State *L)
{
	struct lp_event_ud *ev = lua_touserdata(L, 1);

	lua_pushfstring(L, "event of %s", ev->probe->text);
	return 1;
}

void decode_init(lua_State *L)
{
	static const luaL_Reg meta[] = {
		{ "__index", event_index },
		{ "__newindex", event_newindex },
		{ "__pairs", event_pairs },
		{ "__tostring", event_tostring },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, "luaprobe.event");
	luaL_setfuncs(L, meta, 0);
	event_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void decode_fieldmap(lua_State *L, struct lp_probe *p)
{
	if (p->fieldmap_ref > 0) /* built again after fields were added */
		luaL_unref(L, LUA_REGISTRYINDEX, p->fieldmap_ref);
	memset(p->fieldcache, 0, sizeof(p->fieldcache));
	lua_createtable(L, 0, p->nfields + 2 * builtin_count);
	/* Built-ins first, so that a tracepoint's own field of the same name
	 * (sched_process_exec's pid) wins: it is what the point offers. */
	for (int i = 0; i < builtin_count; i++) {
		if (builtin_table[i].src == LP_BI_STACK)
			continue; /* a field, once spec.stack asks */
		lua_pushinteger(L, -i - 1);
		lua_setfield(L, -2, builtin_table[i].name);
	}
	for (int i = 0; i < p->nfields; i++) {
		lua_pushinteger(L, i);
		lua_setfield(L, -2, p->fields[i].name);
	}
	/* Then "_pid" for every built-in: no field takes these names. */
	for (int i = 0; i < builtin_count; i++) {
		const struct lp_builtin *b = &builtin_table[i];
		const struct lp_field *f = builtin_field(p, b);

		if (b->src == LP_BI_STACK && !f)
			continue;
		lua_pushinteger(L, f ? f - p->fields : -i - 1);
		lua_pushfstring(L, "_%s", b->name);
		lua_insert(L, -2);
		lua_rawset(L, -3);
	}
	p->fieldmap_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* A new event object: a copy of the raw event, so that one the handler
 * keeps stays what it was. Expects the metatable at mt. */
static void push_event(lua_State *L, int mt, struct lp_probe *p, const void *data, size_t size)
{
	struct lp_event_ud *ev = lua_newuserdatauv(L, offsetof(struct lp_event_ud, hdr) + size, 0);

	ev->probe = p;
	ev->size = size;
	memcpy(&ev->hdr, data, size);
	lua_pushvalue(L, mt < 0 ? mt - 1 : mt);
	lua_setmetatable(L, -2);
}

void decode_push_event(lua_State *L, struct lp_probe *p, const void *data, size_t size)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, event_mt_ref);
	push_event(L, -1, p, data, size);
	lua_remove(L, -2);
}

int event_deliver(struct lp_session *s, struct lp_probe *p, const void *data, size_t size)
{
	lua_rawgeti(s->L, LUA_REGISTRYINDEX, p->handler_ref);
	decode_push_event(s->L, p, data, size);
	return script_call(s, 1);
}

struct batch {
	event_next_fn next;
	void *ctx;
};

/* Stack: 1 the batch, 2 the metatable, 3 the last probe's handler. */
static int batch_run(lua_State *L)
{
	struct batch *b = lua_touserdata(L, 1);
	struct lp_probe *p, *last = NULL;
	const void *data;
	size_t size;

	lua_rawgeti(L, LUA_REGISTRYINDEX, event_mt_ref);
	lua_pushnil(L);
	while (b->next(b->ctx, &p, &data, &size)) {
		if (p != last) {
			lua_rawgeti(L, LUA_REGISTRYINDEX, p->handler_ref);
			lua_replace(L, 3);
			last = p;
		}
		lua_pushvalue(L, 3);
		push_event(L, 2, p, data, size);
		lua_call(L, 1, 0);
	}
	return 0;
}

int event_deliver_batch(struct lp_session *s, event_next_fn next, void *ctx)
{
	struct batch b = { next, ctx };

	lua_pushcfunction(s->L, batch_run);
	lua_pushlightuserdata(s->L, &b);
	return script_call(s, 1);
}
