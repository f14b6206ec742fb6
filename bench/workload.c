/*
 * workload: make getppid() system calls at a known pace, for the benchmarks.
 *
 *   workload [--name NAME] [--cpu N] [--stamps] MODE ARGS
 *
 * getppid goes through syscall(SYS_getppid) so that no libc caching can hide
 * a call from the tracer.
 */
#ifndef _GNU_SOURCE /* the top-level build may define it already */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: workload [--name NAME] [--cpu N] [--stamps] MODE ARGS\n"
	"  getppid N          call getppid() N times, then exit\n"
	"  rate HZ SECONDS    call getppid() HZ times a second for SECONDS, print the count\n"
	"  flat SECONDS       call getppid() flat out for SECONDS, print the count\n"
	"  tick US            call getppid() every US microseconds, forever\n"
	"  --name NAME        set the comm (prctl PR_SET_NAME) once pinned; getppid mode puts\n"
	"                     the old name back right after the loop, so that a comm filter\n"
	"                     sees exactly the N getppid() calls (on raw_syscalls, N + 1:\n"
	"                     the prctl that puts it back)\n"
	"  --cpu N            pin to CPU N first\n"
	"  --stamps           print 'COUNT START_NS END_NS' (CLOCK_MONOTONIC) instead of COUNT\n";

static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(err));
	exit(1);
}

static uint64_t parse_count(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "workload: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static double parse_seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || !isfinite(v)) {
		fprintf(stderr, "workload: bad SECONDS '%s'\n", s);
		exit(2);
	}
	return v;
}

static inline void call(void)
{
	syscall(SYS_getppid);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000ull, .tv_nsec = t % 1000000000ull };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void report(uint64_t count, uint64_t start, uint64_t end, int stamps)
{
	if (stamps)
		printf("%llu %llu %llu\n", (unsigned long long)count, (unsigned long long)start,
		       (unsigned long long)end);
	else
		printf("%llu\n", (unsigned long long)count);
}

/* Flat out; the clock is read once per batch so it costs nothing per call. */
static uint64_t run_flat(double secs, uint64_t *start, uint64_t *end)
{
	uint64_t deadline, count = 0;
	int i;

	*start = now_ns();
	deadline = *start + (uint64_t)(secs * 1e9);
	do {
		for (i = 0; i < 256; i++)
			call();
		count += 256;
	} while ((*end = now_ns()) < deadline);
	return count;
}

/*
 * Paced: call() is due HZ times a second from the start. Sleep (absolute,
 * 1 µs timer slack) to the next due time when it is far enough away to sleep,
 * else spin; a late wake-up is caught up in a burst, so the average is exact
 * even above the rate sleeps can pace one by one.
 */
static uint64_t run_rate(uint64_t hz, double secs, uint64_t *start, uint64_t *end)
{
	uint64_t deadline, due, next, t, count = 0;
	uint64_t batch;

	prctl(PR_SET_TIMERSLACK, 1000UL);
	*start = now_ns();
	deadline = *start + (uint64_t)(secs * 1e9);
	for (;;) {
		t = now_ns();
		if (t >= deadline)
			break;
		due = (uint64_t)((unsigned __int128)(t - *start) * hz / 1000000000u) + 1;
		if (count < due) {
			/* Bounded so that the deadline is checked while catching up. */
			for (batch = 0; count < due && batch < 4096; batch++, count++)
				call();
			continue;
		}
		next = *start + (uint64_t)((unsigned __int128)count * 1000000000u / hz);
		if (next > deadline)
			next = deadline;
		if (next > t + 20000)
			sleep_until(next);
	}
	*end = now_ns();
	return count;
}

static void run_tick(uint64_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	for (;;) {
		call();
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	const char *name = NULL, *mode;
	char old_name[17] = "";
	uint64_t count, n, start, end;
	int cpu = -1, stamps = 0, i = 1;

	while (i < argc && !strncmp(argv[i], "--", 2)) {
		if (!strcmp(argv[i], "--stamps")) {
			stamps = 1;
			i++;
		} else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			name = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
			cpu = (int)parse_count(argv[i + 1], "CPU");
			i += 2;
		} else {
			usage();
		}
	}
	if (i >= argc)
		usage();
	mode = argv[i++];

	/* Pinned before the rename, so the rename is the last system call made
	 * under the old name and a comm filter sees nothing of the set-up. */
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity", errno);
	}
	if (name && (prctl(PR_GET_NAME, old_name, 0, 0, 0) || prctl(PR_SET_NAME, name, 0, 0, 0)))
		die("prctl(PR_SET_NAME)", errno);

	if (!strcmp(mode, "getppid") && argc - i == 1) {
		n = parse_count(argv[i], "N");
		start = now_ns();
		for (count = 0; count < n; count++)
			call();
		end = now_ns();
		/* The exact-count benchmark: nothing after the loop under NAME but
		 * this prctl (clock_gettime is a vDSO call, not a system call). */
		if (name && prctl(PR_SET_NAME, old_name, 0, 0, 0))
			die("prctl(PR_SET_NAME)", errno);
		if (stamps)
			report(count, start, end, stamps);
	} else if (!strcmp(mode, "rate") && argc - i == 2) {
		n = parse_count(argv[i], "HZ");
		if (!n)
			usage();
		count = run_rate(n, parse_seconds(argv[i + 1]), &start, &end);
		report(count, start, end, stamps);
	} else if (!strcmp(mode, "flat") && argc - i == 1) {
		count = run_flat(parse_seconds(argv[i]), &start, &end);
		report(count, start, end, stamps);
	} else if (!strcmp(mode, "tick") && argc - i == 1) {
		run_tick(parse_count(argv[i], "US"));
	} else {
		usage();
	}
	return 0;
}
