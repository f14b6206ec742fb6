/* The one event loop: epoll over the ring buffer, the script's timers, the
 * -d deadline and signals (SIGINT, SIGTERM, SIGCHLD through a signalfd),
 * which keep acting while a flood of events fills the ring buffer. */
#ifndef LUAPROBE_LOOP_H
#define LUAPROBE_LOOP_H

#include "session.h"

/* Block the signals the loop handles, so they wait for it. Call first. */
int loop_block_signals(void);

/* In a forked child: the signal mask and SIGPIPE disposition luaprobe
 * started with. */
void loop_restore_signals(void);

/* Run until the script exits, a handler fails, -d passes, a signal comes or
 * the -c command ends. Returns 0 or -errno for a failure of the loop itself. */
int loop_run(struct lp_session *s);

#endif
