/* The one event loop: epoll over the ring buffer, the script's timers, the
 * -d deadline and signals (SIGINT, SIGTERM, SIGCHLD through a signalfd). */
#ifndef LUAPROBE_LOOP_H
#define LUAPROBE_LOOP_H

#include "session.h"

/* Block the signals the loop handles, so they wait for it. Call first. */
int loop_block_signals(void);

/* Fork the -c command, held before exec until loop_release(), so that its
 * pid is known when process probes attach. It runs with the caller's
 * signal mask restored. Returns 0 or -errno. */
int loop_fork(struct lp_session *s, const char *cmd);

/* Let the forked command run. */
void loop_release(struct lp_session *s);

/* Run until the script exits, a handler fails, -d passes, a signal comes or
 * the -c command ends. Returns 0 or -errno for a failure of the loop itself. */
int loop_run(struct lp_session *s);

#endif
