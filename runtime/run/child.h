/* The -c command: forked before the script runs, so that its pid is the
 * script's target (target_pid(), `pid == target`) and process probes can
 * be restricted to it; held before exec until every probe is attached. */
#ifndef LUAPROBE_CHILD_H
#define LUAPROBE_CHILD_H

#include "session.h"

/* Fork cmd, held before exec until child_release(); sets s->child and
 * s->target. The command becomes the process itself: a plain command line
 * is exec'd directly, one simple shell command (redirections, quotes,
 * variables) through `sh -c 'exec CMD'`. A pipeline or a list runs under
 * sh -c and the target is that shell (s->target_is_shell). The child
 * runs with the signal mask luaprobe started with, in a process group of
 * its own. Returns 0 or -errno. */
int child_fork(struct lp_session *s, const char *cmd);

/* When the target is the shell running a pipeline or a list, say so on
 * stderr, once: call where the target matters (a process probe, `target`,
 * target_pid()). */
void child_note(struct lp_session *s);

/* Let the forked command run. */
void child_release(struct lp_session *s);

/* Reap every child that ended. Returns 1 when the -c command was one of
 * them (its exec failure, if that is why, reported; its status in
 * s->child_code), else 0. */
int child_reap(struct lp_session *s);

/* End the command's process group: SIGTERM, then SIGKILL to what is left
 * after a grace of 200 ms; wait for the command. A command never released
 * exits at once. */
void child_end(struct lp_session *s);

/* How cmd will run, for tests: 0 plain words, 1 one shell command (the
 * shell execs it), 2 a pipeline, list or compound command. With 1, the
 * script given to sh -c is written to buf. */
int child_shape(const char *cmd, char *buf, size_t len);

#endif
