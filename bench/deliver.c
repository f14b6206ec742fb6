/*
 * deliver: the event -> Lua path alone, without the kernel: raw events as the
 * template writes them are handed to a probe's handler through the same call
 * the event loop makes (event_deliver), N times, and the CPU time per event
 * is printed. It measures what the loop's thread spends per event, which
 * the streaming bench (run.sh) can only see through a shared machine.
 *
 *   deliver [-n N] [-r ROUNDS] [-b BATCH] 'HANDLER'    e.g. 'function(e) x = e.pid end'
 *
 * -b BATCH: events handed out BATCH at a time through event_deliver_batch,
 * as the event loop does (default 64); -b 0: one event_deliver per event.
 *
 * The probe looks like syscalls:sys_enter_getppid: one record field
 * (__syscall_nr, int) and the built-ins; comm "lpbench", pid and tid vary.
 * Prints "ns/event MEDIAN MIN MAX" over ROUNDS rounds of N events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include <luaprobe/event.h>

#include "lua/event.h"
#include "lua/state.h"
#include "session.h"

struct raw {
	struct lp_event_hdr h;
	int nr;
	int pad;
};

struct feed {
	struct lp_probe *p;
	struct raw *r;
	long i, n, end;
};

static int feed_next(void *ctx, struct lp_probe **p, const void **data, size_t *size)
{
	struct feed *f = ctx;

	if (f->i >= f->end)
		return 0;
	f->r->h.ts = 1000 + f->i;
	f->r->h.pid = f->r->h.tid = 1000 + (f->i & 7);
	f->i++;
	*p = f->p;
	*data = f->r;
	*size = sizeof(*f->r);
	return 1;
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static struct lp_field fields[] = {
		{ .name = "__syscall_nr", .ctype = "int", .off = 0, .size = 4, .kind = LP_FK_INT },
	};
	struct lp_probe probe = { .text = "tracepoint:syscalls:sys_enter_getppid",
				  .fields = fields,
				  .nfields = 1 };
	struct lp_probe *probes[1] = { &probe };
	struct lp_session s = { .maps = { .events_fd = -1 } };
	struct raw r = { .h = { .size = sizeof(r) - sizeof(r.h), .uid = 0, .cpu = 1 }, .nr = 110 };
	long n = 1000000;
	int rounds = 5, opt;
	long batch = 64;
	double *ns;
	char code[4096];

	while ((opt = getopt(argc, argv, "n:r:b:")) != -1) {
		if (opt == 'n')
			n = atol(optarg);
		else if (opt == 'b')
			batch = atol(optarg);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || n <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: deliver [-n N] [-r ROUNDS] [-b BATCH] 'HANDLER'\n");
		return 2;
	}
	ns = calloc(rounds, sizeof(*ns));
	s.script_name = "deliver";
	if (!ns || script_open(&s))
		return 1;
	s.probes = probes;
	s.nprobes = 1;
	decode_fieldmap(s.L, &probe);
	snprintf(code, sizeof(code), "return %s", argv[optind]);
	if (luaL_loadstring(s.L, code) || lua_pcall(s.L, 0, 1, 0) ||
	    lua_type(s.L, -1) != LUA_TFUNCTION) {
		fprintf(stderr, "deliver: the handler: %s\n", lua_tostring(s.L, -1));
		return 2;
	}
	probe.handler_ref = luaL_ref(s.L, LUA_REGISTRYINDEX);
	memcpy(r.h.comm, "lpbench", 8);
	for (int k = 0; k < rounds; k++) {
		double t0 = cpu_ns();

		struct feed f = { .p = &probe, .r = &r, .n = n };

		for (long i = 0; batch > 0 && i < n; i += batch) {
			f.end = i + batch < n ? i + batch : n;
			if (event_deliver_batch(&s, feed_next, &f)) {
				fprintf(stderr, "deliver: a handler failed\n");
				return 1;
			}
		}
		for (long i = 0; batch <= 0 && i < n; i++) {
			r.h.ts = 1000 + i;
			r.h.pid = r.h.tid = 1000 + (i & 7);
			if (event_deliver(&s, &probe, &r, sizeof(r))) {
				fprintf(stderr, "deliver: the handler failed\n");
				return 1;
			}
		}
		ns[k] = (cpu_ns() - t0) / n;
	}
	qsort(ns, rounds, sizeof(*ns), cmp);
	printf("ns/event %.1f %.1f %.1f\n", ns[rounds / 2], ns[0], ns[rounds - 1]);
	return 0;
}
