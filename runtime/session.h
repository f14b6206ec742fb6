/* One run of luaprobe: options, the Lua state, the probes a script made, the
 * shared maps, and how the run is to end. One instance per process. */
#ifndef LUAPROBE_SESSION_H
#define LUAPROBE_SESSION_H

#include <stddef.h>
#include <sys/types.h>

#include <lua.h>

#include "caches.h"
#include "load/load.h"
#include "probe.h"

/* -d, every() and after(): from a microsecond to a year; outside that a
 * value is a typo (1e-12 arms no timer, 1e300 overflows it). */
#define LP_DURATION_MIN 1e-6
#define LP_DURATION_MAX (365 * 86400.0)

struct lp_options {
	double duration; /* -d: seconds, 0 = until stopped */
	pid_t pid; /* -p */
	const char *cmd; /* -c */
	int verbose; /* -v */
	int unsafe; /* --unsafe */
	int folded; /* --folded: stack-keyed aggregations print as flame-graph input */
	size_t ringbuf_size; /* --buffer: bytes, a power of two; 0: sized by load_ringbuf_size */
	int json; /* --json, -f json: output as JSON lines (lua/json.h) */
	const char *metrics; /* --metrics ADDR:PORT (run/metrics.h); NULL: none */
};

struct lp_timer {
	int fd; /* -1: not armed yet */
	int fn_ref; /* LUA_NOREF: a free slot (an after() that fired) */
	long long interval_ns;
	int repeat;
};

struct lp_session {
	struct lp_options opt;
	lua_State *L;
	const char *script_name; /* as shown in messages */
	struct lp_probe **probes;
	int nprobes;
	struct lp_probe *pending; /* a probe() call that raised: never loaded */
	int started; /* probes are loading: no probe or plan change from here */
	struct lp_timer *timers;
	int ntimers;
	int timers_new; /* every() or after() made a timer the loop has not armed */
	int on_start_ref; /* Lua table of functions */
	int on_exit_ref;
	struct lp_maps maps;
	pid_t child; /* -c: the command */
	int child_gate; /* -c: write end of the pipe the command waits on; -1 */
	int child_status; /* -c: read end of the pipe its exec failure comes through; -1 */
	pid_t child_group; /* -c: the command's process group (its pid); 0: none */
	int child_code; /* -c: its status as a shell gives it (128 + signal if killed) */
	int stopping; /* the loop ends after the current callback */
	int exited; /* by exit(): no further event is delivered */
	int failed; /* an error was reported: exit non-zero whatever exit() said */
	int interrupted; /* a busy Lua call was stopped: no handler runs after it */
	int interrupt_hit; /* the current call was (run/watch.c, lua/state.c) */
	char interrupted_at[256]; /* file:line where it was */
	int exit_code;
	/* Detach every probe (main/cli.c): at the end by time, signal or
	 * command, before the ring buffer is drained; maps stay readable. */
	void (*detach)(struct lp_session *s);
	/* Process-wide caches, each created on first use through session_*()
	 * below and freed by session_free_caches(): never file-scope state. */
	struct lp_caches caches;
	/* the script's target and the loader's last word (run/, load/) */
	pid_t target; /* -p PID, or the -c command's pid once forked; 0: none */
	char load_error[512]; /* libbpf's last warning during the current load; "" */
	int target_used; /* target_pid() or `target` in a filter was used */
	int target_is_shell; /* 1: -c was more than one command, the target is sh; 2: and we said so */
	long long start_ns; /* CLOCK_MONOTONIC ns when every probe was attached; 0 before */
	char *metrics_listen; /* metrics{ listen = ... } (--metrics wins); malloc'd */
	struct lp_metrics *metrics; /* serving while the loop runs (run/metrics.h) */
};

/* The session a Lua state belongs to (kept in the state's extra space). */
static inline struct lp_session *session_of(lua_State *L)
{
	return *(struct lp_session **)lua_getextraspace(L);
}

/* Ask the event loop to stop after the current callback, with `code`. */
void session_stop(struct lp_session *s, int code);

/* The session's caches, created on first use. NULL when that allocation
 * failed: the sym/ and resolve/ functions take NULL and answer -ENOMEM. */
struct lp_ksym *session_ksym(struct lp_session *s);
struct lp_kbtf *session_kbtf(struct lp_session *s);
struct lp_usym *session_usym(struct lp_session *s);

/* Free the caches (at the session's end; a later session_*() starts anew). */
void session_free_caches(struct lp_session *s);

#endif
