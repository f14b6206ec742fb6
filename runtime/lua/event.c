#include "lua/event.h"

#include <string.h>

#include <lauxlib.h>

#include <luaprobe/event.h>

#include "session.h"
#include "sym/ksym.h"
#include "sym/usym.h"
#include "util/suggest.h"

const char *const decode_builtins[] = { "pid", "tid", "uid", "comm", "cpu", "ts", "probe", NULL };

enum {
	BI_PID = -1,
	BI_TID = -2,
	BI_UID = -3,
	BI_COMM = -4,
	BI_CPU = -5,
	BI_TS = -6,
	BI_PROBE = -7
};

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

/* A stack as a table of "func+0x1b" strings, innermost frame first:
 * symbolized when the handler reads it, not before. */
static void push_stack(lua_State *L, const struct lp_field *f, const unsigned char *src,
		       uint32_t pid)
{
	uint64_t n, addr;
	char buf[256];

	memcpy(&n, src, 8);
	if (n > LP_STACK_DEPTH)
		n = LP_STACK_DEPTH;
	lua_createtable(L, (int)n, 0);
	for (uint64_t i = 0; i < n; i++) {
		memcpy(&addr, src + 8 + 8 * i, 8);
		if (f->kind == LP_FK_KSTACK)
			ksym_format(session_ksym(session_of(L)), addr, buf, sizeof(buf));
		else if (usym_format(session_usym(session_of(L)), (int)pid, addr, buf,
				     sizeof(buf)) != 0)
			snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
		lua_pushstring(L, buf);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
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
		push_stack(L, f, src, pid);
		break;
	case LP_FK_STR:
		lua_pushlstring(L, (const char *)src, strnlen((const char *)src, f->size));
		break;
	case LP_FK_INTARRAY:
	case LP_FK_UINTARRAY: {
		int n = f->elem ? f->size / f->elem : 0;

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

static void push_builtin(lua_State *L, const struct lp_event_ud *ev, int which)
{
	const struct lp_event_hdr *h = &ev->hdr;

	switch (which) {
	case BI_PID:
		lua_pushinteger(L, h->pid);
		break;
	case BI_TID:
		lua_pushinteger(L, h->tid);
		break;
	case BI_UID:
		lua_pushinteger(L, h->uid);
		break;
	case BI_COMM:
		lua_pushlstring(L, h->comm, strnlen(h->comm, sizeof(h->comm)));
		break;
	case BI_CPU:
		lua_pushinteger(L, h->cpu);
		break;
	case BI_TS:
		lua_pushinteger(L, (lua_Integer)h->ts);
		break;
	default:
		lua_pushstring(L, ev->probe->text);
	}
}

/* An unknown name is a bug in the script: say so, with the nearest name. */
static int no_such_field(lua_State *L, const struct lp_probe *p, const char *name)
{
	const char *cands[64];
	size_t n = 0;
	const char *near;

	for (int i = 0; i < p->nfields && n < 56; i++)
		cands[n++] = p->fields[i].name;
	for (int i = 0; decode_builtins[i]; i++)
		cands[n++] = decode_builtins[i];
	near = suggest_closest(name, cands, n);
	if (near)
		return luaL_error(L, "probe '%s' has no field '%s' (did you mean '%s'?)", p->text,
				  name, near);
	return luaL_error(L, "probe '%s' has no field '%s'", p->text, name);
}

static int event_index(lua_State *L)
{
	struct lp_event_ud *ev = lua_touserdata(L, 1);
	struct lp_probe *p = ev->probe;
	int isnum;
	lua_Integer idx;

	lua_rawgeti(L, LUA_REGISTRYINDEX, p->fieldmap_ref);
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
	idx = lua_tointegerx(L, -1, &isnum);
	if (!isnum) {
		if (lua_type(L, 2) == LUA_TSTRING)
			return no_such_field(L, p, lua_tostring(L, 2));
		return luaL_error(L, "probe '%s': event fields are named by strings", p->text);
	}
	if (idx < 0)
		push_builtin(L, ev, (int)idx);
	else
		push_field(L, &p->fields[idx], (const unsigned char *)(&ev->hdr + 1),
			   ev->size - sizeof(ev->hdr), ev->hdr.pid);
	return 1;
}

static int event_newindex(lua_State *L)
{
	struct lp_event_ud *ev = lua_touserdata(L, 1);

	return luaL_error(L, "probe '%s': events are read-only", ev->probe->text);
}

/* pairs(e): every field, then the built-ins, in a fixed order. */
static int event_next(lua_State *L)
{
	struct lp_event_ud *ev = lua_touserdata(L, 1);
	struct lp_probe *p = ev->probe;
	lua_Integer i = lua_isnil(L, 2) ? 0 : lua_tointeger(L, lua_upvalueindex(1));
	int nb = 0;

	while (decode_builtins[nb])
		nb++;
	if (i >= p->nfields + nb)
		return 0;
	lua_pushinteger(L, i + 1);
	lua_replace(L, lua_upvalueindex(1));
	if (i < p->nfields) {
		lua_pushstring(L, p->fields[i].name);
		push_field(L, &p->fields[i], (const unsigned char *)(&ev->hdr + 1),
			   ev->size - sizeof(ev->hdr), ev->hdr.pid);
	} else {
		lua_pushstring(L, decode_builtins[i - p->nfields]);
		push_builtin(L, ev, -(int)(i - p->nfields) - 1);
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
	lua_createtable(L, 0, p->nfields + 8);
	/* Built-ins first, so that a tracepoint's own field of the same name
	 * (sched_process_exec's pid) wins: it is what the point offers. */
	for (int i = 0; decode_builtins[i]; i++) {
		lua_pushinteger(L, -i - 1);
		lua_setfield(L, -2, decode_builtins[i]);
	}
	for (int i = 0; i < p->nfields; i++) {
		lua_pushinteger(L, i);
		lua_setfield(L, -2, p->fields[i].name);
	}
	p->fieldmap_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void decode_push_event(lua_State *L, struct lp_probe *p, const void *data, size_t size)
{
	struct lp_event_ud *ev = lua_newuserdatauv(L, offsetof(struct lp_event_ud, hdr) + size, 0);

	ev->probe = p;
	ev->size = size;
	memcpy(&ev->hdr, data, size);
	lua_rawgeti(L, LUA_REGISTRYINDEX, event_mt_ref);
	lua_setmetatable(L, -2);
}
