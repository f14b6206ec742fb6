#include "lua/state.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua/event.h"
#include "lua/json.h"
#include "main/embedded.h"
#include "lua/printf.h"
#include "lua/util.h"
#include "main/recipe.h"
#include "run/child.h"
#include "run/metrics.h"
#include "run/watch.h"
#include "util/cut.h"
#include "util/file.h"

void session_stop(struct lp_session *s, int code)
{
	if (!s->stopping)
		s->exit_code = code;
	s->stopping = 1;
	watch_stopped();
}

/* --- stopping a busy script (run/watch.c) ------------------------------ */

/* Bumped on entering and on leaving a Lua call made from C: odd while the
 * script runs. The watch thread reads it to tell a busy call; the
 * interrupt signal's handler to tell whether that call still runs. */
static atomic_uint lua_gen;
static int lua_depth;
/* For the signal handler: the state to set the hook on, and whether it did. */
static lua_State *interrupt_L;
static volatile sig_atomic_t hook_set;
/* The coroutine running now, NULL in the main state (coroutine.resume
 * and coroutine.wrap below keep it). */
static lua_State *volatile running_co;

unsigned script_gen(void)
{
	return atomic_load(&lua_gen);
}

static atomic_int own_call;

int script_in_own_call(void)
{
	return atomic_load(&own_call);
}

/* Raise at the next instruction, and at every one after it, so that a
 * pcall in the script cannot swallow the stop. */
static void stop_hook(lua_State *L, lua_Debug *ar)
{
	struct lp_session *s = session_of(L);

	if (!s->interrupt_hit && lua_getinfo(L, "Sl", ar))
		snprintf(s->interrupted_at, sizeof(s->interrupted_at), "%s:%d", ar->short_src,
			 ar->currentline);
	s->interrupt_hit = 1;
	s->interrupted = 1;
	lua_pushliteral(L, "interrupted");
	lua_error(L);
}

/* From a signal handler on the main thread: lua_sethook is safe there (as
 * in lua.c). Only the call the watch saw busy is stopped. A hook belongs
 * to one coroutine: the running one gets it too. */
void script_interrupt_async(unsigned gen)
{
	if (interrupt_L && atomic_load(&lua_gen) == gen) {
		lua_sethook(interrupt_L, stop_hook, LUA_MASKCOUNT, 1);
		if (running_co)
			lua_sethook(running_co, stop_hook, LUA_MASKCOUNT, 1);
		hook_set = 1;
	}
}

void script_own_enter(void)
{
	atomic_store(&own_call, 1);
}

void script_own_leave(void)
{
	atomic_store(&own_call, 0);
	if (watch_stop_unacked())
		script_interrupt_async(atomic_load(&lua_gen));
}

/* pcall and xpcall catch errors, also one that left an own function
 * before its script_own_leave. A continuation keeps them yieldable. */
static int caught_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	atomic_store(&own_call, 0);
	return lua_gettop(L);
}

static int catching(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_callk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, caught_k);
	return caught_k(L, LUA_OK, 0);
}

/* coroutine.resume and coroutine.wrap, keeping running_co: a hook set on
 * the main state never fires inside a coroutine. Once a stop is under way
 * the coroutine resumed, and the one it returns to, get the hook too. */
static void co_enter(lua_State *co)
{
	running_co = co;
	if (hook_set)
		lua_sethook(co, stop_hook, LUA_MASKCOUNT, 1);
}

static void co_leave(lua_State *L, lua_State *prev)
{
	running_co = prev;
	if (hook_set)
		lua_sethook(L, stop_hook, LUA_MASKCOUNT, 1);
}

static int co_resume(lua_State *L)
{
	lua_State *co = lua_tothread(L, 1), *prev = running_co;
	int status;

	luaL_checktype(L, 1, LUA_TTHREAD);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	co_enter(co);
	status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
	atomic_store(&own_call, 0);
	co_leave(L, prev);
	if (status != LUA_OK)
		return lua_error(L);
	return lua_gettop(L);
}

/* As lcorolib.c's auxwrap and auxresume (Lua 5.4.4). */
static int co_wrapped(lua_State *L)
{
	lua_State *co = lua_tothread(L, lua_upvalueindex(1)), *prev = running_co;
	int narg = lua_gettop(L), status, nres;

	if (!lua_checkstack(co, narg))
		return luaL_error(L, "too many arguments to resume");
	lua_xmove(L, co, narg);
	co_enter(co);
	status = lua_resume(co, L, narg, &nres);
	co_leave(L, prev);
	if (status == LUA_OK || status == LUA_YIELD) {
		if (!lua_checkstack(L, nres + 1)) {
			lua_pop(co, nres);
			return luaL_error(L, "too many results to resume");
		}
		lua_xmove(co, L, nres);
		return nres;
	}
	lua_xmove(co, L, 1); /* the error */
	status = lua_status(co);
	if (status != LUA_OK && status != LUA_YIELD) {
		status = lua_resetthread(co); /* close its to-be-closed variables */
		lua_xmove(co, L, 1);
	}
	if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
		luaL_where(L, 1);
		lua_insert(L, -2);
		lua_concat(L, 2);
	}
	return lua_error(L);
}

static int co_wrap(lua_State *L)
{
	lua_State *co;

	luaL_checktype(L, 1, LUA_TFUNCTION);
	co = lua_newthread(L);
	lua_pushvalue(L, 1);
	lua_xmove(L, co, 1);
	lua_pushcclosure(L, co_wrapped, 1);
	return 1;
}

void script_report(struct lp_session *s, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	fflush(stdout);
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fprintf(stderr, "luaprobe: %s (out of memory formatting the message)\n", fmt);
	} else {
		msg_cut_quotes(msg); /* a 1 MB probe point is not echoed whole */
		if (!s->opt.json || json_write_text(s, stderr, "error", msg))
			fprintf(stderr, "luaprobe: %s\n", msg);
		free(msg);
	}
	s->failed = 1;
	session_stop(s, 1);
}

/* As lua.c's msghandler: a traceback for strings, __tostring for others. */
static int msghandler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (session_of(L)->interrupt_hit)
		return 1; /* no traceback: nobody reads it */

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	/* Handlers run under lua/event.c's batch function: its frame is the
	 * bottom one, and it is luaprobe's, not the script's. */
	{
		size_t len;
		const char *tb = lua_tolstring(L, -1, &len);
		static const char batch[] = "\n\t[C]: in ?";

		if (len >= sizeof(batch) - 1 &&
		    !memcmp(tb + len - (sizeof(batch) - 1), batch, sizeof(batch) - 1))
			lua_pushlstring(L, tb, len - (sizeof(batch) - 1));
	}
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
	int base = lua_gettop(L) - nargs, status;

	lua_pushcfunction(L, handler);
	lua_insert(L, base);
	if (lua_depth++ == 0) {
		s->interrupt_hit = 0;
		atomic_fetch_add(&lua_gen, 1);
	}
	status = lua_pcall(L, nargs, 0, base);
	atomic_store(&own_call, 0);
	if (--lua_depth == 0) {
		atomic_fetch_add(&lua_gen, 1);
		running_co = NULL;
	}
	if (hook_set) {
		lua_sethook(L, NULL, 0, 0);
		hook_set = 0;
	}
	if (status != LUA_OK && s->interrupt_hit && lua_depth == 0) {
		/* not the script's error: the run was asked to stop */
		char note[512];

		fflush(stdout);
		snprintf(note, sizeof(note),
			 "stopped the script at %s: still running %d ms after %s",
			 s->interrupted_at, WATCH_INTERRUPT_MS, watch_reason());
		if (!s->opt.json || json_write_text(s, stderr, "warning", note))
			fprintf(stderr, "luaprobe: %s\n", note);
		watch_check(s);
		session_stop(s, 0);
		lua_pop(L, 1);
		lua_remove(L, base);
		return -1;
	}
	if (status != LUA_OK) {
		script_report(s, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
		lua_remove(L, base);
		return -1;
	}
	lua_remove(L, base);
	/* a stop the watch saw while this ran (cheap when none) */
	watch_check(s);
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
	/* NaN fails both comparisons */
	if (!(v >= LP_DURATION_MIN * 1e9) || !(v <= LP_DURATION_MAX * 1e9))
		return luaL_argerror(L, arg,
				     lua_pushfstring(L,
						     "an interval from 1us to a year (365 days), "
						     "not %s%s",
						     luaL_tolstring(L, arg, NULL),
						     lua_type(L, arg) == LUA_TNUMBER ? " ms" : ""));
	return (long long)v;
}

static int add_timer(lua_State *L, int repeat)
{
	struct lp_session *s = session_of(L);
	long long ns = check_interval(L, 1);
	struct lp_timer *t;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	/* A slot an after() that fired left free, so that a timer re-arming
	 * itself with after() runs for ever in constant room. */
	for (t = s->timers; t < s->timers + s->ntimers; t++)
		if (t->fn_ref == LUA_NOREF)
			break;
	if (t == s->timers + s->ntimers) {
		t = realloc(s->timers, (s->ntimers + 1) * sizeof(*t));
		if (!t)
			return luaL_error(L, "out of memory");
		s->timers = t;
		t = &s->timers[s->ntimers++];
	}
	/* armed by the loop: at its start, or after the call that made it */
	s->timers_new = 1;
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

/* metrics{ listen = "ADDR:PORT" }: serve the aggregations as Prometheus
 * metrics (run/metrics.h); --metrics on the command line wins. */
static int api_metrics(lua_State *L)
{
	struct lp_session *s = session_of(L);
	const char *listen;
	char err[256], *copy;

	luaL_checktype(L, 1, LUA_TTABLE);
	if (s->started)
		return luaL_error(L, "metrics{} comes before the probes start (in the main chunk)");
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		if (lua_type(L, -2) != LUA_TSTRING || strcmp(lua_tostring(L, -2), "listen"))
			return luaL_error(L,
					  "metrics{}: unknown field '%s' (listen = \"ADDR:PORT\")",
					  luaL_tolstring(L, -2, NULL));
		lua_pop(L, 1);
	}
	if (lua_getfield(L, 1, "listen") != LUA_TSTRING)
		return luaL_error(L, "metrics{}: listen = \"ADDR:PORT\" is needed");
	listen = lua_tostring(L, -1);
	if (metrics_check_addr(listen, err, sizeof(err)))
		return luaL_error(L, "metrics{}: %s", err);
	copy = strdup(listen);
	if (!copy)
		return luaL_error(L, "out of memory");
	free(s->metrics_listen);
	s->metrics_listen = copy;
	return 0;
}

static const luaL_Reg api_funcs[] = {
	{ "on_start", api_on_start }, { "on_exit", api_on_exit },
	{ "exit", api_exit },	      { "every", api_every },
	{ "after", api_after },	      { "target_pid", api_target_pid },
	{ "metrics", api_metrics },   { NULL, NULL },
};

/* --- modules: embedded ones and the recipe path ------------------------ */

/* An embedded chunk: its bytecode, or its source when this Lua refuses
 * the bytecode (another Lua than the one luaprobe was built with). The
 * bytecode carries the name chunk gives the source. */
static int load_chunk(lua_State *L, const struct lp_embedded *e, const char *chunk)
{
	if (e->bclen) {
		if (luaL_loadbufferx(L, e->bc, e->bclen, chunk, "b") == LUA_OK)
			return LUA_OK;
		lua_pop(L, 1);
	}
	return luaL_loadbufferx(L, e->src, e->len, chunk, "t");
}

static int load_embedded(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);

	for (const struct lp_embedded *e = lp_embedded; e->name; e++) {
		if (!e->is_recipe && strcmp(e->name, name) == 0) {
			char chunk[128];

			snprintf(chunk, sizeof(chunk), "=[luaprobe %s]", name);
			if (load_chunk(L, e, chunk) != LUA_OK)
				return lua_error(L);
			return 1;
		}
	}
	lua_pushfstring(L, "no embedded module '%s'", name);
	return 1;
}

/* --- the sandbox (README "Scripts from other people") ------------------ */

/* Reads are allowed: a tracer running as root reads kernel memory anyway.
 * The boundary is writing and running code: no file is opened for writing,
 * no binary chunk is loaded (crafted bytecode is arbitrary memory access),
 * nothing is run. */
static int unsafe_error(lua_State *L, const char *what)
{
	return luaL_error(L, "%s: not allowed in a script (luaprobe --unsafe allows it)", what);
}

/* io.open(name, mode): "r" and "rb" only. */
static int sandbox_open(lua_State *L)
{
	const char *mode = luaL_optstring(L, 2, "r");

	luaL_checkstring(L, 1);
	if (mode[0] != 'r' || mode[1 + strspn(mode + 1, "b")] != '\0')
		return unsafe_error(L, lua_pushfstring(L, "io.open in mode '%s' (a write)", mode));
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* io.output(): a file handle (io.stderr) or nothing; a name would open the
 * file for writing. */
static int sandbox_output(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TSTRING)
		return unsafe_error(L, "io.output to a named file (a write)");
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* load(chunk, name, mode, env) and loadfile(name, mode, env): text only,
 * whatever mode is asked for. */
static int sandbox_load(lua_State *L, int mode_arg)
{
	const char *mode = luaL_optstring(L, mode_arg, "bt");

	if (strchr(mode, 'b') && !strchr(mode, 't'))
		return unsafe_error(L, "loading a binary chunk (bytecode)");
	lua_settop(L, lua_gettop(L) > mode_arg ? lua_gettop(L) : mode_arg);
	lua_pushliteral(L, "t");
	lua_replace(L, mode_arg);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static int sandbox_load_chunk(lua_State *L)
{
	return sandbox_load(L, 3);
}

static int sandbox_loadfile(lua_State *L)
{
	return sandbox_load(L, 2);
}

/* dofile(name): as lbaselib's, in text mode. */
static int dofile_cont(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	return lua_gettop(L) - 1;
}

static int sandbox_dofile(lua_State *L)
{
	const char *name = luaL_optstring(L, 1, NULL);

	lua_settop(L, 1);
	if (luaL_loadfilex(L, name, "t") != LUA_OK)
		return lua_error(L);
	lua_callk(L, 0, LUA_MULTRET, 0, dofile_cont);
	return dofile_cont(L, 0, 0);
}

/* require's searcher for Lua files, as loadlib.c's searcher_Lua, in text
 * mode (a .luac file on the path is bytecode all the same). */
static int sandbox_searcher(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	const char *file;

	lua_getglobal(L, "package");
	lua_getfield(L, -1, "searchpath");
	lua_pushstring(L, name);
	lua_getfield(L, -3, "path");
	lua_call(L, 2, 2);
	if (lua_isnil(L, -2))
		return 1; /* the list of places tried */
	lua_pop(L, 1);
	file = lua_tostring(L, -1);
	/* the message names file and line already (script_require adds the
	 * module and where the script asked for it) */
	if (luaL_loadfilex(L, file, "t") != LUA_OK)
		return lua_error(L);
	lua_pushstring(L, file);
	return 2;
}

/* "module 'x' not found": the file require looked for and the folders of
 * package.path (the script's, then the recipe path), on one line. */
static void push_not_found(lua_State *L, const char *name)
{
	luaL_Buffer b;
	const char *path, *sep = "";

	lua_getglobal(L, "package");
	lua_getfield(L, -1, "path");
	path = lua_tostring(L, -1);
	luaL_buffinit(L, &b);
	luaL_addstring(&b, "module '");
	luaL_addstring(&b, name);
	luaL_addstring(&b, "' not found: no ");
	luaL_addgsub(&b, name, ".", "/");
	luaL_addstring(&b, ".lua in ");
	while (path && *path) {
		const char *end = strchr(path, ';'), *tmpl;
		size_t len = end ? (size_t)(end - path) : strlen(path);

		/* "DIR/?.lua" reads as DIR; another template as written */
		tmpl = len >= 6 && !strncmp(path + len - 6, "/?.lua", 6) ? "/?.lua" : "";
		luaL_addstring(&b, sep);
		luaL_addlstring(&b, path, len - strlen(tmpl));
		sep = ", ";
		path += len + (end != NULL);
	}
	luaL_addstring(&b, " (LUAPROBE_PATH=DIR adds a folder)");
	luaL_pushresult(&b);
	lua_replace(L, -3);
	lua_pop(L, 1);
}

/* require(name), with one readable message that says where the script
 * asked: a module missing (the folders tried), or failing to load (its
 * file:line). The stock message is a list of every searcher's misses, and
 * a load error in it names neither the script nor its line. */
static int script_require(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1), *msg;
	size_t len;

	lua_settop(L, 1);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	if (lua_pcall(L, 1, LUA_MULTRET, 0) == LUA_OK)
		return lua_gettop(L);
	/* a stop under way, or an error object the script made: as they are */
	if (session_of(L)->interrupt_hit || lua_type(L, -1) != LUA_TSTRING)
		return lua_error(L);
	msg = lua_tolstring(L, -1, &len);
	lua_pushfstring(L, "module '%s' not found:", name);
	if (!strncmp(msg, lua_tostring(L, -1), lua_rawlen(L, -1))) {
		push_not_found(L, name);
	} else {
		/* "error loading module 'x' from file 'f':\n\tf:2: ..." (loadlib.c,
		 * --unsafe): its last part names the file and line already */
		const char *tab = !strncmp(msg, "error loading module", 20) ? strstr(msg, ":\n\t")
									    : NULL;

		lua_pushfstring(L, "module '%s': %s", name, tab ? tab + 3 : msg);
	}
	luaL_where(L, 1);
	lua_insert(L, -2);
	lua_concat(L, 2);
	return lua_error(L);
}

/* os.exit([code]): luaprobe's exit(), so that the run ends through its
 * teardown and on_exit; true and false as in os.exit. */
static int api_exit(lua_State *L);
static int sandbox_os_exit(lua_State *L)
{
	if (lua_isboolean(L, 1)) {
		lua_pushinteger(L, lua_toboolean(L, 1) ? 0 : 1);
		lua_replace(L, 1);
	}
	return api_exit(L);
}

/* t[name] = f with t[name]'s old value as f's upvalue; t on the top. */
static void wrap_field(lua_State *L, const char *name, lua_CFunction f)
{
	lua_getfield(L, -1, name);
	lua_pushcclosure(L, f, 1);
	lua_setfield(L, -2, name);
}

static void clear_fields(lua_State *L, const char *const *names)
{
	for (; *names; names++) {
		lua_pushnil(L);
		lua_setfield(L, -2, *names);
	}
}

/* The standard libraries a script gets: linit.c's set, less what runs
 * programs, writes files or loads native code or bytecode unless --unsafe
 * (DESIGN.md §5). */
static void open_libs(lua_State *L, int unsafe)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },	      { LUA_LOADLIBNAME, luaopen_package },
		{ LUA_COLIBNAME, luaopen_coroutine }, { LUA_TABLIBNAME, luaopen_table },
		{ LUA_IOLIBNAME, luaopen_io },	      { LUA_OSLIBNAME, luaopen_os },
		{ LUA_STRLIBNAME, luaopen_string },   { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },    { NULL, NULL },
	};
	static const char *const os_out[] = { "execute", "remove", "rename", "tmpname", NULL };
	static const char *const io_out[] = { "popen", "tmpfile", NULL };

	for (const luaL_Reg *lib = libs; lib->func; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	lua_pushglobaltable(L);
	wrap_field(L, "require", script_require);
	lua_pop(L, 1);
	/* not a sandbox: so that a stop reaches a loop in a coroutine */
	lua_getglobal(L, "coroutine");
	wrap_field(L, "resume", co_resume);
	lua_pushcfunction(L, co_wrap);
	lua_setfield(L, -2, "wrap");
	lua_pop(L, 1);
	lua_pushglobaltable(L);
	wrap_field(L, "pcall", catching);
	wrap_field(L, "xpcall", catching);
	lua_pop(L, 1);
	if (unsafe) {
		luaL_requiref(L, LUA_DBLIBNAME, luaopen_debug, 1);
		lua_pop(L, 1);
		return;
	}
	lua_getglobal(L, "os");
	clear_fields(L, os_out);
	lua_pushcfunction(L, sandbox_os_exit);
	lua_setfield(L, -2, "exit");
	lua_pop(L, 1);

	lua_getglobal(L, "io");
	clear_fields(L, io_out);
	wrap_field(L, "open", sandbox_open);
	wrap_field(L, "output", sandbox_output);
	lua_pop(L, 1);

	lua_getglobal(L, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);

	lua_pushglobaltable(L);
	wrap_field(L, "load", sandbox_load_chunk);
	wrap_field(L, "loadfile", sandbox_loadfile);
	lua_pushcfunction(L, sandbox_dofile);
	lua_setfield(L, -2, "dofile");
	lua_pop(L, 1);

	lua_getglobal(L, "package");
	lua_pushnil(L);
	lua_setfield(L, -2, "loadlib");
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "cpath");
	/* Keep the preload searcher and a text-only Lua one; drop the two
	 * that load C. */
	lua_getfield(L, -1, "searchers");
	lua_pushcfunction(L, sandbox_searcher);
	lua_rawseti(L, -2, 2);
	lua_pushnil(L);
	lua_rawseti(L, -2, 4);
	lua_pushnil(L);
	lua_rawseti(L, -2, 3);
	lua_pop(L, 2);
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
	/* no empty template after the last ';' (require would try the file '') */
	if (luaL_bufflen(&b) > 0)
		luaL_buffsub(&b, 1);
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
	interrupt_L = L;
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
	lua_printf_open(L);
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
	interrupt_L = NULL;
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

int script_run_embedded(struct lp_session *s, const struct lp_embedded *e, int argc, char **argv)
{
	char chunk[512];

	set_path(s->L, NULL);
	snprintf(chunk, sizeof(chunk), "=%s.lua", e->name);
	return run_chunk(s, load_chunk(s->L, e, chunk), argc, argv);
}
