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
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <lauxlib.h>

#include <luaprobe/event.h>

#include "lua/event.h"
#include "lua/state.h"
#include "run/child.h"
#include "run/metrics.h"
#include "run/ring.h"
#include "sym/usym.h"
#include "run/watch.h"

/* epoll tags. The loop's epoll holds the ring buffer and the control set;
 * the control set holds the rest, so that it can also be polled from inside
 * the ring buffer's callback. A timer is tagged by its index + TAG_TIMER. */
enum {
	TAG_RINGBUF = 1,
	TAG_CONTROL,
	TAG_SIGNAL,
	TAG_WATCH,
	TAG_LOST,
	TAG_MAPS,
	TAG_METRICS,
	TAG_TIMER
};

/* Under a flood the ring buffer never empties (the producers refill what is
 * read), so delivery itself looks at the control set: every CHECK_EVERY
 * events it reads a coarse clock (a vDSO call, no syscall), and every
 * POLL_NS the batch of events ends and the set is polled (one epoll_wait).
 * -d, signals, timers and the command's exit then act within ~POLL_NS of a
 * handler's return, whatever the event rate (DESIGN.md §5 "Control under
 * load"). */
#define CHECK_EVERY 8
#define POLL_NS 10000000LL
/* Records read before their space is given back to the kernel. */
#define RELEASE_EVERY 64
/* After the end by time, signal or command the probes are detached first
 * (s->detach), so what is left in the ring buffer is finite; it is
 * delivered for at most this long, as a handler may be slow. */
#define DRAIN_NS 1000000000LL

struct loop {
	struct lp_session *s;
	int ctl; /* the control epoll set */
	int sfd, lostfd;
	unsigned long long lost_seen[LP_LOST_SLOTS];
	unsigned events; /* since the last clock read */
	long long next_poll; /* CLOCK_MONOTONIC_COARSE ns */
	int draining; /* the final delivery, until drain_end */
	long long drain_end;
	int cut; /* the final delivery stopped at drain_end with events left */
	struct lp_ring ring; /* fd -1: no ring buffer */
	unsigned unreleased; /* records read since the last ring_release */
	unsigned long found; /* records read by this consume() */
	int poll_due; /* the batch ended for the control set */
};

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

void loop_restore_signals(void)
{
	sigprocmask(SIG_SETMASK, &old_sigs, NULL);
	signal(SIGPIPE, SIG_DFL);
}

static long long coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
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

/* SIGCHLD; SIGINT, SIGTERM and SIGHUP are the watch's (run/watch.c). */
static void handle_signal(struct lp_session *s, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		if (child_reap(s)) /* only our -c command ends the run, with its status */
			session_stop(s, s->child_code);
}

/* Arm the timers every() and after() made since the last call: at the
 * loop's start, then after any Lua call (a timer or a handler may make
 * one). */
static void arm_timers(struct loop *lp)
{
	struct lp_session *s = lp->s;

	s->timers_new = 0;
	for (int i = 0; i < s->ntimers; i++) {
		struct lp_timer *t = &s->timers[i];
		long long ns = t->interval_ns;

		if (t->fd >= 0 || t->fn_ref == LUA_NOREF)
			continue;
		t->fd = new_timer(lp->ctl, ns, t->repeat ? ns : 0, TAG_TIMER + i);
		if (t->fd < 0) {
			script_report(s, "cannot arm a timer: %s", strerror(-t->fd));
			return;
		}
	}
}

/* A timer's function, then an after() frees its slot for the next one. */
static void run_timer(struct loop *lp, int i)
{
	struct lp_session *s = lp->s;
	uint64_t ticks;

	if (read(s->timers[i].fd, &ticks, sizeof(ticks)) <= 0)
		return;
	lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->timers[i].fn_ref);
	script_call(s, 0);
	/* s->timers may have moved: the call can make timers */
	if (!s->timers[i].repeat) {
		close(s->timers[i].fd);
		s->timers[i].fd = -1;
		luaL_unref(s->L, LUA_REGISTRYINDEX, s->timers[i].fn_ref);
		s->timers[i].fn_ref = LUA_NOREF;
	}
	if (s->timers_new)
		arm_timers(lp);
}

/* -v: what the kernel side could not do since the last report. */
static void report_lost(struct loop *lp)
{
	static const char *const what[LP_LOST_SLOTS] = {
		[LP_LOST_RESERVE] = "events lost (ring buffer full)",
		[LP_LOST_AGGFULL] = "aggregation updates dropped (a map was full)",
		[LP_LOST_LATFULL] = "latency() starts not stored (the start map was full)",
		[LP_LOST_UNPAIRED] = "latency() ends without a start",
	};

	for (unsigned slot = 0; slot < LP_LOST_SLOTS; slot++) {
		unsigned long long n = load_lost(&lp->s->maps, slot);

		if (n > lp->lost_seen[slot])
			fprintf(stderr, "luaprobe: %llu %s, %llu in all\n", n - lp->lost_seen[slot],
				what[slot], n);
		lp->lost_seen[slot] = n;
	}
}

/* Act on whatever of the control set is ready, without waiting. */
static void poll_control(struct loop *lp)
{
	struct lp_session *s = lp->s;
	struct epoll_event evs[16];
	int n = epoll_wait(lp->ctl, evs, 16, 0);

	for (int i = 0; i < n && !s->stopping; i++) {
		uint64_t tag = evs[i].data.u64, ticks;

		if (tag == TAG_SIGNAL) {
			handle_signal(s, lp->sfd);
		} else if (tag == TAG_WATCH) {
			watch_woke(s);
		} else if (tag == TAG_MAPS) {
			usym_track_poll(session_usym(s));
		} else if (tag == TAG_METRICS) {
			metrics_run(s->metrics); /* a scrape reads the maps here */
		} else if (tag == TAG_LOST) {
			if (read(lp->lostfd, &ticks, sizeof(ticks)) > 0)
				report_lost(lp);
		} else if (tag >= TAG_TIMER && tag < (uint64_t)TAG_TIMER + s->ntimers &&
			   s->timers[tag - TAG_TIMER].fd >= 0) {
			run_timer(lp, (int)(tag - TAG_TIMER));
		}
	}
}

/* event_next_fn for event_deliver_batch: the records in the ring buffer,
 * with the work each needs outside Lua done on the way; the batch ends when
 * the ring buffer is empty, the run stops, or the control set is due. */
static int next_event(void *ctx, struct lp_probe **pp, const void **data, size_t *size)
{
	struct loop *lp = ctx;
	struct lp_session *s = lp->s;
	const struct lp_event_hdr *h;
	struct lp_probe *p;
	long long now;

	for (;;) {
		/* what the last handler asked for, before the next event */
		if (s->timers_new)
			arm_timers(lp);
		/* Only exit() and errors stop before an event; other stops
		 * at the control set's turn (below), or not at all while the
		 * end drains what is left. */
		if (s->exited || s->failed || s->interrupted)
			return 0;
		if (lp->events >= CHECK_EVERY) {
			lp->events = 0;
			now = coarse_ns();
			if (lp->draining && now >= lp->drain_end) {
				lp->cut = 1;
				return 0;
			}
			if (!lp->draining && now >= lp->next_poll) {
				lp->poll_due = 1;
				return 0;
			}
		}
		h = ring_next(&lp->ring, size);
		if (!h)
			return 0;
		lp->found++;
		lp->events++;
		/* the kernel waits for the space until here: give it back in
		 * batches, not a cache line to the producers per record */
		if (++lp->unreleased >= RELEASE_EVERY) {
			ring_release(&lp->ring);
			lp->unreleased = 0;
		}
		if (*size < sizeof(*h))
			continue;
		if (h->probe_id == LP_ID_NOTE_PID)
			usym_note(session_usym(s), (int)h->pid, 1);
		if (h->probe_id >= (unsigned)s->nprobes)
			continue;
		p = s->probes[h->probe_id];
		p->hits++;
		/* a user stack symbolizes after its process exits (sym/usym.h) */
		if (p->plan.stack & LP_STACK_USER)
			usym_note(session_usym(s), (int)h->pid, 0);
		if (p->handler_ref == LUA_NOREF)
			continue;
		*pp = p;
		*data = h;
		return 1;
	}
}

/* Deliver what the ring buffer holds, acting on the control set every
 * POLL_NS meanwhile (a flood never ends by itself: the producers refill
 * what is read). Returns the records found. */
static unsigned long consume(struct loop *lp)
{
	struct lp_session *s = lp->s;

	lp->found = 0;
	for (;;) {
		lp->poll_due = 0;
		/* a Lua call only when there is a record to hand out */
		if (!ring_pending(&lp->ring))
			break;
		event_deliver_batch(s, next_event, lp);
		ring_release(&lp->ring);
		lp->unreleased = 0;
		if (s->timers_new)
			arm_timers(lp);
		if (s->exited || s->failed || s->interrupted || s->stopping || lp->cut)
			break;
		if (lp->poll_due) {
			lp->next_poll = coarse_ns() + POLL_NS;
			poll_control(lp);
			if (s->stopping)
				break;
		}
	}
	return lp->found;
}

int loop_run(struct lp_session *s)
{
	struct loop lp = { .s = s, .sfd = -1, .lostfd = -1, .ring = { .fd = -1 } };
	sigset_t chld;
	int rb = 0; /* the ring buffer is mapped */
	int ep, err = 0;
	int sweep = 0;
	struct epoll_event evs[2];

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	lp.ctl = epoll_create1(EPOLL_CLOEXEC);
	if (lp.ctl < 0 || add_fd(ep, lp.ctl, TAG_CONTROL)) {
		err = -errno;
		goto out;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	lp.sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (lp.sfd < 0 || add_fd(lp.ctl, lp.sfd, TAG_SIGNAL) ||
	    add_fd(lp.ctl, watch_fd(), TAG_WATCH)) {
		err = -errno;
		goto out;
	}
	/* A script whose probes send nothing (count-only) has no ring buffer:
	 * the loop waits on the control set alone. */
	if (s->maps.events_fd >= 0) {
		err = ring_open(&lp.ring, s->maps.events_fd);
		if (err)
			goto out;
		rb = 1;
		if (add_fd(ep, s->maps.events_fd, TAG_RINGBUF)) {
			err = -errno;
			goto out;
		}
	}
	if (s->opt.verbose && s->nprobes) {
		lp.lostfd = new_timer(lp.ctl, 1000000000LL, 1000000000LL, TAG_LOST);
		if (lp.lostfd < 0) {
			err = lp.lostfd;
			goto out;
		}
	}
	/* the processes' mappings, recorded for user stacks (sym/usym.h) */
	if (usym_track_fd(s->caches.usym) >= 0 &&
	    add_fd(lp.ctl, usym_track_fd(s->caches.usym), TAG_MAPS)) {
		err = -errno;
		goto out;
	}
	/* --metrics: the server's epoll fd and its timeout (run/metrics.h) */
	if (s->metrics && (add_fd(lp.ctl, metrics_epoll_fd(s->metrics), TAG_METRICS) ||
			   add_fd(lp.ctl, metrics_timer_fd(s->metrics), TAG_METRICS))) {
		err = -errno;
		goto out;
	}
	if (s->metrics)
		metrics_run(s->metrics); /* arms the timer */
	arm_timers(&lp);
	/* A handler or on_start may already have asked to stop; a script with
	 * nothing to wait for (not even scrapes) ends at once. */
	if (!s->nprobes && !s->ntimers && !s->child && s->opt.duration <= 0 && !s->metrics)
		s->stopping = 1;
	watch_check(s); /* a stop that came before the loop */

	while (!s->stopping) {
		int n;

		/* What handlers printed reaches a pipe before we sleep, not at exit. */
		fflush(stdout);
		n = epoll_wait(ep, evs, 2, sweep ? LP_SWEEP_MS : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		/* A sweep: the kernel does not wake us for every event of a burst. */
		if (n == 0 && rb)
			sweep = consume(&lp) > 0;
		/* The control set first: a stop asked for meanwhile ends the
		 * loop before another round of events. */
		for (int i = 0; i < n; i++)
			if (evs[i].data.u64 == TAG_CONTROL)
				poll_control(&lp);
		for (int i = 0; i < n && !s->stopping; i++)
			if (evs[i].data.u64 == TAG_RINGBUF) {
				lp.next_poll = coarse_ns() + POLL_NS;
				sweep = consume(&lp) > 0;
			}
	}
	/* Ended by time, a signal or the command: what the kernel already sent
	 * is delivered. Ended by exit() or an error: nothing more runs. */
	if (s->nprobes && !s->failed && !s->exited && !s->interrupted) {
		/* with no ring buffer too: on_exit reads counts that stopped */
		if (s->detach)
			s->detach(s);
	}
	if (rb && !s->failed && !s->exited && !s->interrupted) {
		/* A second Ctrl-C (during the detach, which can take seconds
		 * where the kernel waits per probe) skips the delivery as it
		 * skips on_exit: it is counted, not lost. */
		if (watch_signals() >= 2)
			goto done;
		lp.draining = 1;
		lp.drain_end = coarse_ns() + DRAIN_NS;
		watch_draining(1);
		consume(&lp);
		watch_draining(0);
		if (lp.cut)
			fprintf(stderr,
				"luaprobe: events still in the ring buffer %lld ms after the end "
				"were not delivered (the handlers could not keep up)\n",
				DRAIN_NS / 1000000);
	}
done:
	if (s->opt.verbose && s->nprobes)
		report_lost(&lp);
out:
	for (int i = 0; i < s->ntimers; i++)
		if (s->timers[i].fd >= 0)
			close(s->timers[i].fd);
	if (lp.lostfd >= 0)
		close(lp.lostfd);
	if (rb)
		ring_close(&lp.ring);
	if (lp.sfd >= 0)
		close(lp.sfd);
	if (lp.ctl >= 0)
		close(lp.ctl);
	close(ep);
	return err;
}
