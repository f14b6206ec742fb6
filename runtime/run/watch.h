/* The watch: a thread that sees what ends a run (SIGINT, SIGTERM, SIGHUP,
 * the -d deadline, stdout's reader gone) while the main thread is busy,
 * tells the event loop through an eventfd, and stops a Lua call that is
 * still running 50 ms later: a run always stops (README "Stopping"). */
#ifndef LUAPROBE_WATCH_H
#define LUAPROBE_WATCH_H

#include "session.h"

/* Why the run is to end, as the watch saw it. */
enum lp_stop_why {
	LP_STOP_NONE,
	LP_STOP_SIGNAL, /* SIGINT, SIGTERM or SIGHUP */
	LP_STOP_DEADLINE, /* -d */
	LP_STOP_STDOUT, /* stdout is a pipe whose reader is gone */
};

/* Start the thread. Call after loop_block_signals() and script_open().
 * Returns 0 or -errno. */
int watch_start(void);

/* End the thread (at the end of main). */
void watch_stop(void);

/* The -d deadline, CLOCK_MONOTONIC ns from now (0: none). */
void watch_deadline(long long from_now_ns);

/* The eventfd the loop polls: readable when there is something to check. */
int watch_fd(void);

/* On the main thread: turn what the watch saw into session_stop(). Returns
 * 1 when the run is to stop. Cheap when nothing happened (one atomic load). */
int watch_check(struct lp_session *s);

/* watch_check() when the loop saw watch_fd() readable. */
int watch_woke(struct lp_session *s);

/* A signal (SIGINT, SIGTERM, SIGHUP) came, or stdout's reader went: the
 * run is to end. Long C work on the main thread (loading and attaching
 * hundreds of probes) asks between steps and stops early. Any thread,
 * cheap (atomic loads). Not the -d deadline: the run's time counts from
 * the end of the attach. */
int watch_stop_pending(void);

/* session_stop() was called: the deadline and stdout no longer count. */
void watch_stopped(void);

/* The loop delivers what is left after the end: a handler still running
 * 50 ms into it is interrupted. */
void watch_draining(int on);

/* A stop (also the deadline) came that the main thread has not acted on
 * yet. */
int watch_stop_unacked(void);

/* How many of SIGINT, SIGTERM and SIGHUP came: a second one skips on_exit. */
int watch_signals(void);

/* What the last stop event was, for messages ("SIGINT", "the -d deadline"). */
const char *watch_reason(void);

/* Milliseconds the watch waits for a busy Lua call before it interrupts
 * it, and after that before it ends the process without on_exit. */
#define WATCH_INTERRUPT_MS 50
#define WATCH_GIVE_UP_MS 1000

#endif
