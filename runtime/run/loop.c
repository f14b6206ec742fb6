#include "run/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <lauxlib.h>

#include <luaprobe/event.h>

#include "lua/event.h"
#include "lua/state.h"

/* epoll tags: the ring buffer and the signals are singletons; a timer is
 * tagged by its index + TAG_TIMER. */
enum { TAG_RINGBUF = 1, TAG_SIGNAL, TAG_DEADLINE, TAG_LOST, TAG_TIMER };

static sigset_t loop_sigs, old_sigs;

int loop_block_signals(void)
{
	sigemptyset(&loop_sigs);
	sigaddset(&loop_sigs, SIGINT);
	sigaddset(&loop_sigs, SIGTERM);
	sigaddset(&loop_sigs, SIGCHLD);
	sigaddset(&loop_sigs, SIGHUP);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout is an error to report, not a death */
	if (sigprocmask(SIG_BLOCK, &loop_sigs, &old_sigs))
		return -errno;
	return 0;
}

/* Run cmd as the process itself when it is a plain command line, so its
 * pid is the one probes were restricted to; through sh -c otherwise. */
static void exec_cmd(const char *cmd, int status_fd)
{
	char *words[64], *copy = strdup(cmd), *save = NULL;
	int n = 0, err;

	if (copy && !strpbrk(cmd, ";&|<>()$`\\\"'*?[#~=%{}\n")) {
		for (char *w = strtok_r(copy, " \t", &save); w && n < 63;
		     w = strtok_r(NULL, " \t", &save))
			words[n++] = w;
		words[n] = NULL;
		if (n > 0 && n < 63) {
			execvp(words[0], words);
			/* luaprobe reports it, once, and exits non-zero */
			err = errno;
			if (write(status_fd, &err, sizeof(err)) != sizeof(err))
				_exit(126);
			_exit(127);
		}
	}
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	err = errno;
	if (write(status_fd, &err, sizeof(err)) != sizeof(err))
		_exit(126);
	_exit(127);
}

int loop_fork(struct lp_session *s, const char *cmd)
{
	int fds[2], status[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	/* The command's exec failure comes back through status (closed by a
	 * successful exec, O_CLOEXEC). */
	if (pipe2(status, O_CLOEXEC | O_NONBLOCK)) {
		int err = -errno;

		close(fds[0]);
		close(fds[1]);
		return err;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(fds[0]);
		close(fds[1]);
		close(status[0]);
		close(status[1]);
		return err;
	}
	if (pid == 0) {
		char go;

		close(fds[1]);
		close(status[0]);
		sigprocmask(SIG_SETMASK, &old_sigs, NULL);
		signal(SIGPIPE, SIG_DFL);
		/* Wait for loop_release(); EOF means luaprobe gave up: do nothing. */
		if (read(fds[0], &go, 1) != 1)
			_exit(0);
		exec_cmd(cmd, status[1]);
	}
	close(fds[0]);
	close(status[1]);
	s->child = pid;
	s->child_gate = fds[1];
	s->child_status = status[0];
	return 0;
}

void loop_release(struct lp_session *s)
{
	if (s->child_gate < 0)
		return;
	if (write(s->child_gate, "g", 1) != 1)
		fprintf(stderr, "luaprobe: cannot start the command: %s\n", strerror(errno));
	close(s->child_gate);
	s->child_gate = -1;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct lp_session *s = ctx;
	const struct lp_event_hdr *h = data;
	struct lp_probe *p;

	/* A cancelled callback loses its event, so only exit() and errors cancel;
	 * other stops wait for the loop to come round. */
	if (s->exited || s->failed)
		return -ECANCELED;
	if (size < sizeof(*h) || h->probe_id >= (unsigned)s->nprobes)
		return 0;
	p = s->probes[h->probe_id];
	p->hits++;
	if (p->handler_ref == LUA_NOREF)
		return 0;
	lua_rawgeti(s->L, LUA_REGISTRYINDEX, p->handler_ref);
	decode_push_event(s->L, p, data, size);
	if (script_call(s, 1) != 0)
		return -ECANCELED;
	return 0;
}

static int timer_arm(int fd, long long first_ns, long long every_ns)
{
	struct itimerspec its = {
		.it_value = { first_ns / 1000000000, first_ns % 1000000000 },
		.it_interval = { every_ns / 1000000000, every_ns % 1000000000 },
	};

	return timerfd_settime(fd, 0, &its, NULL) ? -errno : 0;
}

static int add_fd(int ep, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int new_timer(int ep, long long first_ns, long long every_ns, uint64_t tag)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (timer_arm(fd, first_ns, every_ns) || add_fd(ep, fd, tag)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static void handle_signal(struct lp_session *s, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			session_stop(s, 0);
			continue;
		}
		/* Reap whatever ended; only our -c command ends the run. */
		for (;;) {
			int status;
			pid_t pid = waitpid(-1, &status, WNOHANG);

			if (pid <= 0)
				break;
			if (pid == s->child) {
				int err;

				s->child = 0;
				if (read(s->child_status, &err, sizeof(err)) == sizeof(err))
					script_report(s, "cannot run '%s': %s", s->opt.cmd,
						      strerror(err));
				session_stop(s, 0);
			}
		}
	}
}

/* -v: what the kernel side could not do since the last report. */
static void report_lost(struct lp_session *s, unsigned long long seen[LP_LOST_SLOTS])
{
	static const char *const what[LP_LOST_SLOTS] = {
		[LP_LOST_RESERVE] = "events lost (ring buffer full)",
		[LP_LOST_AGGFULL] = "aggregation updates dropped (a map was full)",
	};

	for (unsigned slot = 0; slot < LP_LOST_SLOTS; slot++) {
		unsigned long long n = load_lost(&s->maps, slot);

		if (n > seen[slot])
			fprintf(stderr, "luaprobe: %llu %s, %llu in all\n", n - seen[slot],
				what[slot], n);
		seen[slot] = n;
	}
}

int loop_run(struct lp_session *s)
{
	struct ring_buffer *rb = NULL;
	int ep, sfd = -1, deadline = -1, lostfd = -1, err = 0;
	unsigned long long lost_seen[LP_LOST_SLOTS] = { 0 };
	int sweep = 0;
	struct epoll_event evs[16];

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	sfd = signalfd(-1, &loop_sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || add_fd(ep, sfd, TAG_SIGNAL)) {
		err = -errno;
		goto out;
	}
	if (s->nprobes) {
		rb = ring_buffer__new(s->maps.events_fd, on_event, s, NULL);
		if (!rb || add_fd(ep, ring_buffer__epoll_fd(rb), TAG_RINGBUF)) {
			err = -errno;
			goto out;
		}
	}
	if (s->opt.duration > 0) {
		deadline = new_timer(ep, (long long)(s->opt.duration * 1e9), 0, TAG_DEADLINE);
		if (deadline < 0) {
			err = deadline;
			goto out;
		}
	}
	if (s->opt.verbose && s->nprobes) {
		lostfd = new_timer(ep, 1000000000LL, 1000000000LL, TAG_LOST);
		if (lostfd < 0) {
			err = lostfd;
			goto out;
		}
	}
	for (int i = 0; i < s->ntimers; i++) {
		struct lp_timer *t = &s->timers[i];
		long long ns = t->interval_ns;

		t->fd = new_timer(ep, ns, t->repeat ? ns : 0, TAG_TIMER + i);
		if (t->fd < 0) {
			err = t->fd;
			goto out;
		}
	}
	/* A handler or on_start may already have asked to stop; a script with
	 * nothing to wait for ends at once. */
	if (!s->nprobes && !s->ntimers && !s->child && deadline < 0)
		s->stopping = 1;

	while (!s->stopping) {
		int n;

		/* What handlers printed reaches a pipe before we sleep, not at exit. */
		fflush(stdout);
		n = epoll_wait(ep, evs, 16, sweep ? LP_SWEEP_MS : -1);

		/* A sweep: the kernel does not wake us for every event of a burst. */
		if (n == 0 && rb)
			sweep = ring_buffer__consume(rb) > 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (int i = 0; i < n && !s->stopping; i++) {
			uint64_t tag = evs[i].data.u64, ticks;

			if (tag == TAG_RINGBUF) {
				sweep = ring_buffer__consume(rb) > 0;
			} else if (tag == TAG_SIGNAL) {
				handle_signal(s, sfd);
			} else if (tag == TAG_DEADLINE) {
				session_stop(s, 0);
			} else if (tag == TAG_LOST) {
				if (read(lostfd, &ticks, sizeof(ticks)) > 0)
					report_lost(s, lost_seen);
			} else if (tag >= TAG_TIMER && tag < (uint64_t)TAG_TIMER + s->ntimers) {
				struct lp_timer *t = &s->timers[tag - TAG_TIMER];

				if (read(t->fd, &ticks, sizeof(ticks)) <= 0)
					continue;
				lua_rawgeti(s->L, LUA_REGISTRYINDEX, t->fn_ref);
				script_call(s, 0);
			}
		}
	}
	/* Ended by time, a signal or the command: what the kernel already sent
	 * is delivered. Ended by exit() or an error: nothing more runs. */
	if (rb && !s->failed && !s->exited)
		ring_buffer__consume(rb);
	if (s->opt.verbose && s->nprobes)
		report_lost(s, lost_seen);
out:
	for (int i = 0; i < s->ntimers; i++)
		if (s->timers[i].fd >= 0)
			close(s->timers[i].fd);
	if (lostfd >= 0)
		close(lostfd);
	if (deadline >= 0)
		close(deadline);
	ring_buffer__free(rb);
	if (sfd >= 0)
		close(sfd);
	close(ep);
	return err;
}
