/*
 * uprobe_target: call a noinline function with a struct pointer N times, for
 * the uprobe section of bench/run.sh. Built with -g (the tracers read the
 * struct's members through DWARF, or through the definition given to
 * bpftrace, which bench/run.sh takes from this file's struct s).
 *
 *   uprobe_target [--cpu N] N
 *
 * Prints "N START_NS END_NS" (CLOCK_MONOTONIC around the loop), like
 * `workload --stamps`. Call i passes a = i % 4, b = (i / 4) % 2, c = 7:
 * eight keys (a, b, c), N / 8 calls each when N is a multiple of 8.
 */
#ifndef _GNU_SOURCE /* the top-level build may define it already */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* BENCH_STRUCT_BEGIN: bench/run.sh gives these lines to bpftrace */
struct s {
	long a;
	int b;
	short c;
};
/* BENCH_STRUCT_END */

/* What the probes attach to. The empty asm keeps the call and the stores to
 * *p that precede it: the compiler must assume it reads *p. */
__attribute__((noinline, noclone, used)) void bench_target(struct s *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(void)
{
	fputs("usage: uprobe_target [--cpu N] N\n", stderr);
	exit(2);
}

static unsigned long long parse(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		usage();
	return v;
}

int main(int argc, char **argv)
{
	unsigned long long n, i;
	uint64_t t0, t1;
	struct s s;
	int argi = 1;

	if (argc == 4 && !strcmp(argv[1], "--cpu")) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET((int)parse(argv[2]), &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "uprobe_target: cannot pin to CPU %s: %s\n", argv[2],
				strerror(errno));
			return 1;
		}
		argi = 3;
	} else if (argc != 2) {
		usage();
	}
	n = parse(argv[argi]);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		s.a = (long)(i % 4);
		s.b = (int)(i / 4 % 2);
		s.c = 7;
		bench_target(&s);
	}
	t1 = now_ns();
	printf("%llu %llu %llu\n", n, (unsigned long long)t0, (unsigned long long)t1);
	return 0;
}
