#include "lua/state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua/event.h"
#include "main/embedded.h"
#include "lua/util.h"
#include "main/recipe.h"
#include "run/child.h"
#include "util/file.h"

void session_stop(struct lp_session *s, int code)
{
	if (!s->stopping)
		s->exit_code = code;
	s->stopping = 1;
}

void script_report(struct lp_session *s, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("luaprobe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	s->failed = 1;
	session_stop(s, 1);
}

/* As lua.c's msghandler: a traceback for strings, __tostring for others. */
static int msghandler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/* The main chunk's errors already name the line; a traceback there only
 * repeats "in main chunk". */
static int plainhandler(lua_State *L)
{
	if (!lua_tostring(L, 1) &&
	    !(luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING))
		lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	return 1;
}

static int call(struct lp_session *s, int nargs, lua_CFunction handler)
{
	lua_State *L = s->L;
	int base = lua_gettop(L) - nargs;

	lua_pushcfunction(L, handler);
	lua_insert(L, base);
	if (lua_pcall(L, nargs, 0, base) != LUA_OK) {
		script_report(s, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
		lua_remove(L, base);
		return -1;
	}
	lua_remove(L, base);
	return 0;
}

int script_call(struct lp_session *s, int nargs)
{
	return call(s, nargs, msghandler);
}

void script_run_hooks(struct lp_session *s, int list_ref)
{
	lua_State *L = s->L;
	lua_Integer n;

	lua_rawgeti(L, LUA_REGISTRYINDEX, list_ref);
	n = luaL_len(L, -1);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (script_call(s, 0))
			break;
	}
	lua_pop(L, 1);
}

/* --- lifecycle API: on_start, on_exit, exit, every, after ------------- */

static int add_hook(lua_State *L, int list_ref)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_rawgeti(L, LUA_REGISTRYINDEX, list_ref);
	lua_pushvalue(L, 1);
	lua_rawseti(L, -2, luaL_len(L, -2) + 1);
	return 0;
}

static int api_on_start(lua_State *L)
{
	return add_hook(L, session_of(L)->on_start_ref);
}

static int api_on_exit(lua_State *L)
{
	return add_hook(L, session_of(L)->on_exit_ref);
}

static int api_exit(lua_State *L)
{
	struct lp_session *s = session_of(L);

	/* exit(n) decides the status even after another stop (the -c command
	 * ending) was asked for. */
	session_stop(s, 0);
	s->exit_code = (int)luaL_optinteger(L, 1, 0);
	s->exited = 1;
	return 0;
}

/* "1s", "250ms", "10us", "2m", "1h", or a number of milliseconds. */
static long long check_interval(lua_State *L, int arg)
{
	static const struct {
		const char *unit;
		long long ns;
	} units[] = { { "ns", 1 },	   { "us", 1000 },	   { "ms", 1000000 },
		      { "s", 1000000000 }, { "m", 60000000000LL }, { "h", 3600000000000LL } };
	double v;
	char *end;

	if (lua_type(L, arg) == LUA_TNUMBER) {
		v = lua_tonumber(L, arg) * 1e6;
	} else {
		const char *str = luaL_checkstring(L, arg);
		size_t i;

		v = strtod(str, &end);
		if (end == str)
			return luaL_argerror(L, arg, "an interval such as \"1s\" or \"250ms\"");
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(end, units[i].unit) == 0)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return luaL_argerror(L, arg,
					     lua_pushfstring(L,
							     "unknown unit in '%s' "
							     "(ns, us, ms, s, m, h)",
							     str));
		v *= units[i].ns;
	}
	luaL_argcheck(L, v >= 1000 && v < 1e18, arg, "interval out of range (1us to years)");
	return (long long)v;
}

static int add_timer(lua_State *L, int repeat)
{
	struct lp_session *s = session_of(L);
	long long ns = check_interval(L, 1);
	struct lp_timer *t;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	t = realloc(s->timers, (s->ntimers + 1) * sizeof(*t));
	if (!t)
		return luaL_error(L, "out of memory");
	s->timers = t;
	t = &s->timers[s->ntimers++];
	lua_pushvalue(L, 2);
	t->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	t->interval_ns = ns;
	t->repeat = repeat;
	t->fd = -1;
	return 0;
}

static int api_every(lua_State *L)
{
	return add_timer(L, 1);
}

static int api_after(lua_State *L)
{
	return add_timer(L, 0);
}

/* target_pid(): the -p process or the -c command (known from the main
 * chunk on: the command is forked, held, before the script runs); nil
 * without either. */
static int api_target_pid(lua_State *L)
{
	struct lp_session *s = session_of(L);

	s->target_used = 1;
	child_note(s);
	if (s->target > 0)
		lua_pushinteger(L, s->target);
	else
		lua_pushnil(L);
	return 1;
}

static const luaL_Reg api_funcs[] = {
	{ "on_start", api_on_start },
	{ "on_exit", api_on_exit },
	{ "exit", api_exit },
	{ "every", api_every },
	{ "after", api_after },
	{ "target_pid", api_target_pid },
	{ NULL, NULL },
};

/* --- modules: embedded ones and the recipe path ------------------------ */

static int load_embedded(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);

	for (const struct lp_embedded *e = lp_embedded; e->name; e++) {
		if (!e->is_recipe && strcmp(e->name, name) == 0) {
			char chunk[128];

			snprintf(chunk, sizeof(chunk), "=[luaprobe %s]", name);
			if (luaL_loadbuffer(L, e->src, e->len, chunk) != LUA_OK)
				return lua_error(L);
			return 1;
		}
	}
	lua_pushfstring(L, "no embedded module '%s'", name);
	return 1;
}

/* The standard libraries a script gets: linit.c's set, less what runs
 * programs or loads native code unless --unsafe (DESIGN.md §5). */
static void open_libs(lua_State *L, int unsafe)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },	      { LUA_LOADLIBNAME, luaopen_package },
		{ LUA_COLIBNAME, luaopen_coroutine }, { LUA_TABLIBNAME, luaopen_table },
		{ LUA_IOLIBNAME, luaopen_io },	      { LUA_OSLIBNAME, luaopen_os },
		{ LUA_STRLIBNAME, luaopen_string },   { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },    { NULL, NULL },
	};

	for (const luaL_Reg *lib = libs; lib->func; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	if (unsafe) {
		luaL_requiref(L, LUA_DBLIBNAME, luaopen_debug, 1);
		lua_pop(L, 1);
		return;
	}
	lua_getglobal(L, "os");
	lua_pushnil(L);
	lua_setfield(L, -2, "execute");
	lua_getglobal(L, "io");
	lua_pushnil(L);
	lua_setfield(L, -2, "popen");
	lua_getglobal(L, "package");
	lua_pushnil(L);
	lua_setfield(L, -2, "loadlib");
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "cpath");
	/* Keep the preload and Lua searchers; drop the two that load C. */
	lua_getfield(L, -1, "searchers");
	lua_pushnil(L);
	lua_rawseti(L, -2, 4);
	lua_pushnil(L);
	lua_rawseti(L, -2, 3);
	lua_pop(L, 4);
}

/* package.path: the script's own folder, then the recipe path. */
static void set_path(lua_State *L, const char *script_path)
{
	luaL_Buffer b;
	char **dirs = recipe_path();

	luaL_buffinit(L, &b);
	if (script_path) {
		const char *slash = strrchr(script_path, '/');

		if (slash)
			luaL_addlstring(&b, script_path, slash - script_path + 1);
		else
			luaL_addstring(&b, "./");
		luaL_addstring(&b, "?.lua;");
	}
	for (int i = 0; dirs && dirs[i]; i++) {
		luaL_addstring(&b, dirs[i]);
		luaL_addstring(&b, "/?.lua;");
	}
	recipe_path_free(dirs);
	luaL_pushresult(&b);
	lua_getglobal(L, "package");
	lua_insert(L, -2);
	lua_setfield(L, -2, "path");
	lua_pop(L, 1);
}

static int return_upvalue(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	return 1;
}

int script_open(struct lp_session *s)
{
	lua_State *L = luaL_newstate();

	if (!L)
		return -ENOMEM;
	s->L = L;
	*(struct lp_session **)lua_getextraspace(L) = s;
	open_libs(L, s->opt.unsafe);
	decode_init(L);
	lua_newtable(L);
	s->on_start_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_newtable(L);
	s->on_exit_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	/* The luaprobe table: C functions, then lua/luaprobe.lua adds its own;
	 * every entry is also a global. */
	luaL_newlib(L, api_funcs);
	lua_probe_open(L);
	lua_util_open(L);
	/* require "luaprobe" through package.preload, not package.loaded: a
	 * traceback names a function by the first table in package.loaded that
	 * holds it, and two candidates (luaprobe.every, _G.every) in a table
	 * of random order would make the name change from run to run. */
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "preload");
	lua_pushvalue(L, -3);
	lua_pushcclosure(L, return_upvalue, 1);
	lua_setfield(L, -2, "luaprobe");
	lua_getfield(L, -2, "searchers");
	lua_pushcfunction(L, load_embedded);
	lua_rawseti(L, -2, luaL_len(L, -2) + 1);
	lua_pop(L, 3);

	lua_pushcfunction(L, load_embedded);
	lua_pushliteral(L, "luaprobe");
	lua_call(L, 1, 1);
	if (lua_type(L, -1) != LUA_TFUNCTION) {
		fprintf(stderr, "luaprobe: embedded module missing: %s\n", lua_tostring(L, -1));
		return -ENOENT;
	}
	lua_pushvalue(L, -2);
	lua_call(L, 1, 0);

	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_setglobal(L, lua_tostring(L, -2));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

void script_close(struct lp_session *s)
{
	if (s->L)
		lua_close(s->L);
	s->L = NULL;
}

static void push_args(lua_State *L, int argc, char **argv)
{
	lua_createtable(L, argc, 1);
	for (int i = 0; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i);
	}
	lua_setglobal(L, "arg");
}

static int run_chunk(struct lp_session *s, int status, int argc, char **argv)
{
	if (status != LUA_OK) {
		script_report(s, "%s", lua_tostring(s->L, -1));
		lua_pop(s->L, 1);
		return -1;
	}
	push_args(s->L, argc, argv);
	for (int i = 1; i < argc; i++)
		lua_pushstring(s->L, argv[i]);
	return call(s, argc > 0 ? argc - 1 : 0, plainhandler);
}

int script_run_file(struct lp_session *s, const char *path, const char *name, int argc, char **argv)
{
	char chunk[512], why[256], *buf;
	size_t n;
	int status;

	/* Read it ourselves rather than with luaL_loadfile, so that the chunk
	 * (and every message) is named as the user knows it: a recipe by its
	 * name, not by the folder it was found in; and only a regular file of
	 * a bounded size (a FIFO would block, /dev/zero never end). */
	if (file_read_regular(path, LP_SCRIPT_MAX, &buf, &n, why, sizeof(why))) {
		script_report(s, "cannot open %s: %s", name, why);
		return -1;
	}
	set_path(s->L, path);
	if (n > 0 && buf[0] == '#') {
		/* a #! line: keep the line count, drop the text */
		buf[0] = n > 1 ? '-' : ' ';
		if (n > 1)
			buf[1] = '-';
	}
	snprintf(chunk, sizeof(chunk), "@%s", name);
	status = luaL_loadbufferx(s->L, buf, n, chunk, "t");
	free(buf);
	return run_chunk(s, status, argc, argv);
}

int script_run_string(struct lp_session *s, const char *code, const char *name, int argc,
		      char **argv)
{
	char chunk[512];

	set_path(s->L, NULL);
	snprintf(chunk, sizeof(chunk), "=%s", name);
	return run_chunk(s, luaL_loadbufferx(s->L, code, strlen(code), chunk, "t"), argc, argv);
}
