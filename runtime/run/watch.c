#include "run/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "lua/state.h"

/* The signal the watch sends the main thread to stop a busy Lua call: its
 * handler sets a Lua hook (as lua.c does on Ctrl-C) and, installed without
 * SA_RESTART, makes a blocking read() (io.read on stdin) return EINTR. */
#define SIG_INTERRUPT SIGUSR1

/* One watch per process, file-scope because a signal handler reads it. */
static struct {
	pthread_t main, thread;
	int running;
	int sfd, tfd, efd, qfd, out; /* out: fd 1 when it is a pipe, else -1 */
	pid_t child_group; /* what to kill when giving up */
	atomic_uint events; /* bumped by the thread on every stop event */
	atomic_uint acked; /* events the main thread has acted on */
	atomic_int signals, deadline, out_gone;
	atomic_int stopped; /* session_stop() was called */
	atomic_int draining; /* the loop's final delivery runs handlers */
	atomic_int why; /* enum lp_stop_why of the last event */
	atomic_int signo; /* the last signal */
	atomic_uint target; /* the script_gen() of the call to interrupt */
} w = { .sfd = -1, .tfd = -1, .efd = -1, .qfd = -1, .out = -1 };

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void on_interrupt(int sig)
{
	int saved = errno;

	(void)sig;
	script_interrupt_async(atomic_load(&w.target));
	errno = saved;
}

/* The call is still in C after WATCH_GIVE_UP_MS (a backtracking string
 * pattern): no hook reaches it. Links and
 * programs die with the process; the command's group is killed here. */
static void give_up(void)
{
	dprintf(2,
		"luaprobe: the script did not stop within %d ms of %s: it is inside a C "
		"function no interrupt reaches (such as a backtracking string pattern); "
		"ending now, without on_exit\n",
		WATCH_INTERRUPT_MS + WATCH_GIVE_UP_MS, watch_reason());
	if (w.child_group > 0)
		kill(-w.child_group, SIGKILL);
	_exit(1);
}

static void event(int why)
{
	uint64_t one = 1;

	atomic_store(&w.why, why);
	atomic_fetch_add(&w.events, 1);
	if (write(w.efd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow in practice; the flag is what counts */
	}
}

/* A Lua call is interrupted when it is still running WATCH_INTERRUPT_MS
 * after a stop that the main thread has not acted on, or during the final
 * delivery after the end (a handler there must not hold the end). */
static int stop_waits(void)
{
	return atomic_load(&w.events) != atomic_load(&w.acked) || atomic_load(&w.draining);
}

static void *watch_main(void *arg)
{
	struct pollfd pf[4] = {
		{ .fd = w.qfd, .events = POLLIN },
		{ .fd = w.sfd, .events = POLLIN },
		{ .fd = w.tfd, .events = POLLIN },
		{ .fd = w.out, .events = 0 }, /* POLLERR: the reader is gone */
	};
	long long since = 0; /* when the busy call was first seen, ms */
	unsigned busy = 0; /* its script_gen(), odd; 0: none */
	int interrupted = 0, timeout = -1;

	(void)arg;
	for (;;) {
		struct signalfd_siginfo si;
		uint64_t ticks;
		unsigned g;
		long long now;

		if (poll(pf, 4, timeout) < 0 && errno != EINTR)
			return NULL;
		if (pf[0].revents)
			return NULL;
		while (read(w.sfd, &si, sizeof(si)) == sizeof(si)) {
			atomic_store(&w.signo, (int)si.ssi_signo);
			atomic_fetch_add(&w.signals, 1);
			event(LP_STOP_SIGNAL);
		}
		if ((pf[2].revents & POLLIN) && read(w.tfd, &ticks, sizeof(ticks)) > 0 &&
		    !atomic_load(&w.stopped)) {
			atomic_store(&w.deadline, 1);
			event(LP_STOP_DEADLINE);
		}
		if (pf[3].revents & (POLLERR | POLLHUP)) {
			pf[3].fd = -1; /* level-triggered: once is enough */
			atomic_store(&w.out_gone, 1);
			if (!atomic_load(&w.stopped))
				event(LP_STOP_STDOUT);
		}
		g = script_gen();
		if (!stop_waits() || !(g & 1)) {
			/* outside Lua the main thread sees the stop by itself;
			 * look again soon in case it enters a call that does not */
			busy = 0;
			timeout = stop_waits() ? 20 : -1;
			continue;
		}
		if (script_in_own_call()) {
			/* luaprobe's own C call: it arms the stop on its return */
			busy = 0;
			timeout = 20;
			continue;
		}
		now = now_ms();
		if (g != busy) {
			busy = g;
			since = now;
			interrupted = 0;
		}
		if (!interrupted && now >= since + WATCH_INTERRUPT_MS) {
			interrupted = 1;
			atomic_store(&w.target, busy);
			pthread_kill(w.main, SIG_INTERRUPT);
		} else if (interrupted && now >= since + WATCH_INTERRUPT_MS + WATCH_GIVE_UP_MS &&
			   atomic_load(&w.signals)) {
			/* Only a signal ends the process from here: a deadline that
			 * passes inside a long call of luaprobe's own (probe()
			 * resolving a kernel wildcard under emulation took > 1 s)
			 * waits for the call to return to Lua, where the hook
			 * stops it. */
			give_up();
		}
		timeout = (int)(since + WATCH_INTERRUPT_MS + (interrupted ? WATCH_GIVE_UP_MS : 0) -
				now);
		if (timeout < 1)
			timeout = interrupted && !atomic_load(&w.signals) ? 20 : 1;
	}
}

int watch_start(void)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	sigset_t stops;
	struct stat st;
	int err;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	w.sfd = signalfd(-1, &stops, SFD_CLOEXEC | SFD_NONBLOCK);
	w.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	w.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w.qfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w.sfd < 0 || w.tfd < 0 || w.efd < 0 || w.qfd < 0)
		return -errno;
	/* Only a pipe says POLLERR when its reader goes; a file or a terminal
	 * never does (a terminal's hang-up is SIGHUP). */
	if (fstat(1, &st) == 0 && S_ISFIFO(st.st_mode))
		w.out = 1;
	/* no SA_RESTART: a blocking read() returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIG_INTERRUPT, &sa, NULL))
		return -errno;
	w.main = pthread_self();
	w.child_group = 0;
	err = pthread_create(&w.thread, NULL, watch_main, NULL);
	if (err)
		return -err;
	w.running = 1;
	return 0;
}

void watch_stop(void)
{
	uint64_t one = 1;

	if (w.running) {
		if (write(w.qfd, &one, sizeof(one)) == sizeof(one))
			pthread_join(w.thread, NULL);
		w.running = 0;
	}
	signal(SIG_INTERRUPT, SIG_DFL);
	if (w.sfd >= 0)
		close(w.sfd);
	if (w.tfd >= 0)
		close(w.tfd);
	if (w.efd >= 0)
		close(w.efd);
	if (w.qfd >= 0)
		close(w.qfd);
	w.sfd = w.tfd = w.efd = w.qfd = w.out = -1;
}

void watch_deadline(long long ns)
{
	struct itimerspec its = { .it_value = { ns / 1000000000, ns % 1000000000 } };

	if (w.tfd >= 0)
		timerfd_settime(w.tfd, 0, &its, NULL);
}

int watch_fd(void)
{
	return w.efd;
}

int watch_check(struct lp_session *s)
{
	unsigned n = atomic_load(&w.events);
	uint64_t ticks;

	/* the command's group, for give_up(): known once forked */
	w.child_group = s->child_group;
	if (n == atomic_load(&w.acked))
		return s->stopping;
	if (read(w.efd, &ticks, sizeof(ticks)) < 0) {
		/* already drained: the events counter is what counts */
	}
	if (atomic_load(&w.signals) || atomic_load(&w.deadline) || atomic_load(&w.out_gone))
		session_stop(s, 0);
	atomic_store(&w.acked, n);
	return s->stopping;
}

int watch_woke(struct lp_session *s)
{
	uint64_t ticks;

	/* Drained before the counter is read: event() counts before it
	 * writes, so a write landing after a check that already counted its
	 * event would leave the fd readable and the level-triggered loop
	 * spinning on it. (Not in watch_check: that runs after every
	 * handler, and a read per event is a syscall per event.) */
	if (read(w.efd, &ticks, sizeof(ticks)) < 0) {
		/* nothing to drain */
	}
	return watch_check(s);
}

int watch_stop_pending(void)
{
	return atomic_load(&w.signals) || atomic_load(&w.out_gone);
}

void watch_stopped(void)
{
	atomic_store(&w.stopped, 1);
}

void watch_draining(int on)
{
	atomic_store(&w.draining, on);
}

int watch_stop_unacked(void)
{
	return w.running && stop_waits();
}

int watch_signals(void)
{
	return atomic_load(&w.signals);
}

const char *watch_reason(void)
{
	switch (atomic_load(&w.why)) {
	case LP_STOP_SIGNAL:
		switch (atomic_load(&w.signo)) {
		case SIGINT:
			return "SIGINT";
		case SIGTERM:
			return "SIGTERM";
		default:
			return "SIGHUP";
		}
	case LP_STOP_DEADLINE:
		return "the -d deadline";
	case LP_STOP_STDOUT:
		return "stdout's reader going away";
	}
	return "the end of the run";
}
