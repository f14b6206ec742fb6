/* The script's Lua state: a sandboxed standard library, the luaprobe API,
 * the embedded Lua modules, and how Lua code is called and its errors told. */
#ifndef LUAPROBE_SCRIPT_H
#define LUAPROBE_SCRIPT_H

#include "session.h"

/* Create s->L with the API installed. Returns 0 or -ENOMEM. */
int script_open(struct lp_session *s);
void script_close(struct lp_session *s);

/* Load and run the main chunk of a file (chunk shown as `name`) or of a
 * string; argv becomes `arg`, with the script at index 0. Returns 0, or -1
 * once the error has been printed. */
int script_run_file(struct lp_session *s, const char *path, const char *name, int argc,
		    char **argv);
int script_run_string(struct lp_session *s, const char *code, const char *name, int argc,
		      char **argv);
/* An embedded recipe, named NAME.lua: from its bytecode when this Lua
 * takes it (main/embedded.h). */
struct lp_embedded;
int script_run_embedded(struct lp_session *s, const struct lp_embedded *e, int argc, char **argv);

/* Call the function under `nargs` arguments on the stack, with a traceback
 * on error. On error the message is printed and the session stops with a
 * failure. Returns 0 or -1. */
int script_call(struct lp_session *s, int nargs);

/* Odd while a Lua call made from C runs (for run/watch.c). */
unsigned script_gen(void);

/* Async-signal-safe, on the main thread: stop the Lua call whose
 * script_gen() is gen, if it still runs, at its next instruction. */
void script_interrupt_async(unsigned gen);

/* Around a function of luaprobe's own that may run long in C (probe()
 * resolving DWARF or a kernel wildcard): while it runs the watch does not
 * signal the main thread (an EINTR inside libdw or libbpf would fail the
 * call) and never gives up on it; a stop that came meanwhile stops the
 * script at its next instruction after the return. An error that leaves
 * the function skips script_own_leave: whatever catches it (a pcall in
 * the script, a coroutine's resume, the call from C) clears the mark. */
void script_own_enter(void);
void script_own_leave(void);

/* Nonzero while such a function runs (for run/watch.c). */
int script_in_own_call(void);

/* Run the on_start or on_exit functions in order. */
void script_run_hooks(struct lp_session *s, int list_ref);

/* Print "luaprobe: " + msg to stderr and mark the run failed. */
void script_report(struct lp_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Install probe() and the Probe type (lua/probe.c). */
void lua_probe_open(lua_State *L);

/* Free the probe of a probe() call that raised (s->pending), if any. */
void lua_probe_discard(lua_State *L, struct lp_session *s);

#endif
