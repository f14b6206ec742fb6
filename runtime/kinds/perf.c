/* Sampling: profile:hz:N, profile:s|ms|us:N, software:COUNTER:N (bpftrace)
 * and timer.profile (stap: every scheduler tick on every CPU, which is
 * CONFIG_HZ here). One software perf event per online CPU runs the perf
 * template (bpf/perf.bpf.c) in the interrupted task's context: pid, tid,
 * comm and cpu are that task's (pid 0 is the idle task), and stacks start
 * at the sampled registers. With a target (-p, -c) only its samples count:
 * a profile is about the process the user named. */
#include "kinds/kind.h"

#include <errno.h>
#include <fnmatch.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <zlib.h>

#include "plan/plan.h"
#include "sym/ksym.h"
#include "util/messages.h"
#include "util/suggest.h"
#include "perf.skel.h"

/* bpftrace's software counters and their short names; the clocks count
 * nanoseconds, the others events. */
static const struct counter {
	const char *name;
	const char *alias;
	unsigned long long config;
} counters[] = {
	{ "cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", NULL, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS },
	{ "context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", NULL, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "minor-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "alignment-faults", NULL, PERF_COUNT_SW_ALIGNMENT_FAULTS },
	{ "emulation-faults", NULL, PERF_COUNT_SW_EMULATION_FAULTS },
	{ "dummy", NULL, PERF_COUNT_SW_DUMMY },
};

#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))
#define PERF_IP_OFF 128 /* struct pt_regs's ip on x86-64 (bpf/perf.bpf.c reads it) */

struct perf_state {
	unsigned long long config; /* PERF_COUNT_SW_* */
	unsigned long long period; /* ns for the clocks, events otherwise */
	unsigned long long hz; /* the rate asked for, 0 for a period */
	int tick; /* timer.profile */
	int ncpu;
	struct bpf_link **links; /* one per online CPU */
	char as[160];
};

static const struct counter *counter_named(const char *name)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		if (strcmp(counters[i].name, name) == 0 ||
		    (counters[i].alias && strcmp(counters[i].alias, name) == 0))
			return &counters[i];
	return NULL;
}

/* CONFIG_HZ from the running kernel's config (/proc/config.gz, else
 * /boot/config-RELEASE): 0 when neither says. */
static unsigned long long config_hz(void)
{
	char path[300], line[256];
	unsigned long long hz = 0;
	struct utsname u;
	gzFile f = gzopen("/proc/config.gz", "rb");

	if (!f && uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		f = gzopen(path, "rb"); /* reads a plain file as it is */
	}
	if (!f)
		return 0;
	while (!hz && gzgets(f, line, sizeof(line)))
		if (strncmp(line, "CONFIG_HZ=", 10) == 0)
			hz = strtoull(line + 10, NULL, 10);
	gzclose(f);
	return hz;
}

static unsigned long long max_sample_rate(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "r");
	unsigned long long v = 0;

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int perf_resolve(struct lp_probe *p, char *err, size_t errlen)
{
	const struct lp_point *pt = &p->point;
	struct perf_state *st = calloc(1, sizeof(*st));
	unsigned long long max;
	struct lp_fetch *f;

	if (!st)
		return -ENOMEM;
	p->priv = st;
	if (pt->kind == LP_PT_SOFTWARE) {
		const struct counter *c = counter_named(pt->counter);

		if (!c) {
			const char *names[NCOUNTERS];

			for (size_t i = 0; i < NCOUNTERS; i++)
				names[i] = counters[i].name;
			snprintf(err, errlen, MSG_NO_SW_COUNTER, pt->counter);
			if (!suggest_append_closest(err, errlen, pt->counter, names, NCOUNTERS))
				snprintf(err, errlen,
					 MSG_NO_SW_COUNTER " (luaprobe -l 'software:*' lists them)",
					 pt->counter);
			return -ENOENT;
		}
		st->config = c->config;
		st->period = pt->period;
	} else {
		st->config = PERF_COUNT_SW_CPU_CLOCK;
		st->hz = pt->freq;
		st->period = pt->period;
		if (!st->hz && !st->period) {
			/* timer.profile: stap fires it on every tick of every CPU */
			st->tick = 1;
			st->hz = config_hz();
			if (!st->hz)
				st->hz =
					100; /* the kernel's config is not readable: its usual HZ */
		}
		max = max_sample_rate();
		if (st->hz && max && st->hz > max) {
			snprintf(err, errlen, MSG_SAMPLE_RATE, st->hz, max);
			return -EINVAL;
		}
		if (st->hz)
			st->period = 1000000000ULL / st->hz;
	}
	/* one field: the interrupted instruction pointer */
	p->fields = calloc(1, sizeof(*p->fields));
	if (!p->fields)
		return -ENOMEM;
	p->fields[0].name = strdup("ip");
	p->fields[0].ctype = strdup("u64");
	if (!p->fields[0].name || !p->fields[0].ctype)
		return -ENOMEM;
	p->fields[0].size = p->fields[0].elem = 8;
	p->fields[0].kind = LP_FK_UINT;
	p->nfields = 1;
	f = &p->plan.fetch[0];
	f->kind = LP_FETCH_CTX;
	f->src = PERF_IP_OFF;
	f->size = 8;
	p->plan.nfetch = 1;
	p->plan.data_size = 8;
	return 0;
}

static int perf_load(struct lp_probe *p, const struct lp_maps *m, char *err, size_t errlen)
{
	struct lp_perf *skel = lp_perf__open();
	int ret;

	if (!skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the perf_event template: %s", strerror(-ret));
		return ret;
	}
	struct bpf_map *aggs[LP_MAX_AGG] = { skel->maps.lp_agg0, skel->maps.lp_agg1 };

	p->skel = skel;
	memcpy((void *)&skel->rodata->plan, &p->plan, sizeof(p->plan));
	skel->rodata->plan.target_tgid = p->target_pid > 0 ? p->target_pid : 0;
	ret = load_share_maps(skel->maps.lp_events, skel->maps.lp_lost, m);
	/* no latency() ends here, but the template has the map: not one more */
	if (!ret)
		ret = load_share_lat(skel->maps.lp_lat, m);
	for (int i = 0; !ret && i < p->naggs; i++)
		ret = load_size_agg(aggs[i], p, i);
	if (!ret)
		ret = lp_perf__load(skel);
	for (int i = 0; !ret && i < p->naggs; i++)
		p->aggs[i].fd = bpf_map__fd(aggs[i]);
	if (ret) {
		const char *why = load_last_error();

		snprintf(err, errlen, "the kernel refused the program: %s%s%s", strerror(-ret),
			 *why ? ": " : "", why);
		return ret;
	}
	return 0;
}

/* The online CPUs ("0-3,6"), as a list; their count or -errno. */
static int online_cpus(int **out)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int lo, hi, n = 0, cap = 0, *cpus = NULL, *grown;
	char sep;

	*out = NULL;
	if (!f)
		return -errno;
	while (fscanf(f, "%d", &lo) == 1) {
		hi = lo;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-' &&
		    (fscanf(f, "%d", &hi) != 1 || fscanf(f, "%c", &sep) != 1))
			sep = '\n';
		for (int c = lo; c <= hi; c++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				grown = realloc(cpus, cap * sizeof(*cpus));
				if (!grown) {
					free(cpus);
					fclose(f);
					return -ENOMEM;
				}
				cpus = grown;
			}
			cpus[n++] = c;
		}
		if (sep != ',')
			break;
	}
	fclose(f);
	*out = cpus;
	return n > 0 ? n : -ENOENT;
}

static const char *counter_name(unsigned long long config)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		if (counters[i].config == config)
			return counters[i].name;
	return "?";
}

static int perf_attach(struct lp_probe *p, char *err, size_t errlen)
{
	struct perf_state *st = p->priv;
	struct lp_perf *skel = p->skel;
	int *cpus = NULL, n = online_cpus(&cpus), ret = 0;

	if (n < 0) {
		snprintf(err, errlen, "cannot read the online CPUs: %s", strerror(-n));
		return n;
	}
	st->links = calloc(n, sizeof(*st->links));
	if (!st->links) {
		free(cpus);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.size = sizeof(attr),
			.config = st->config,
			.sample_period = st->period,
		};
		int fd = syscall(SYS_perf_event_open, &attr, -1, cpus[i], -1, PERF_FLAG_FD_CLOEXEC);

		if (fd < 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot open a %s perf event on CPU %d: %s",
				 counter_name(st->config), cpus[i], strerror(-ret));
			break;
		}
		st->links[i] = bpf_program__attach_perf_event(skel->progs.lp_perf, fd);
		if (!st->links[i]) {
			ret = -errno;
			close(fd);
			snprintf(err, errlen, "cannot attach to the perf event on CPU %d: %s",
				 cpus[i], strerror(-ret));
			break;
		}
		st->ncpu++;
	}
	free(cpus);
	if (ret)
		return ret;
	if (st->hz)
		snprintf(st->as, sizeof(st->as), "perf_event %s at %llu Hz%s on %d CPU%s",
			 counter_name(st->config), st->hz,
			 st->tick ? " (the kernel's tick, CONFIG_HZ)" : "", st->ncpu,
			 st->ncpu == 1 ? "" : "s");
	else
		snprintf(st->as, sizeof(st->as), "perf_event %s every %llu %s on %d CPU%s",
			 counter_name(st->config), st->period,
			 st->config == PERF_COUNT_SW_CPU_CLOCK ||
					 st->config == PERF_COUNT_SW_TASK_CLOCK
				 ? "ns"
				 : "events",
			 st->ncpu, st->ncpu == 1 ? "" : "s");
	return 0;
}

static const char *perf_attached_as(const struct lp_probe *p)
{
	const struct perf_state *st = p->priv;

	return st && st->as[0] ? st->as : "perf_event";
}

/* The per-CPU links live in the kind's state, not in p->link. */
static void perf_detach(struct lp_probe *p)
{
	struct perf_state *st = p->priv;

	/* a perf-event link closes its event's fd */
	for (int i = 0; st && i < st->ncpu; i++) {
		bpf_link__destroy(st->links[i]);
		st->links[i] = NULL;
	}
}

static void perf_destroy(struct lp_probe *p)
{
	struct perf_state *st = p->priv;

	perf_detach(p);
	if (st)
		free(st->links);
	lp_perf__destroy(p->skel);
	p->skel = NULL;
	free(st);
	p->priv = NULL;
}

/* -l: the spellings, as bpftrace lists them (N is the rate or period). */
static int perf_list(const char *pattern, FILE *out, char *err, size_t errlen)
{
	static const char *const fixed[] = { "profile:hz:N", "profile:s:N", "profile:ms:N",
					     "profile:us:N", "timer.profile" };
	char glob[300], name[64];
	int n = 0;

	(void)err;
	(void)errlen;
	if (!strpbrk(pattern, "*?["))
		snprintf(glob, sizeof(glob), strchr(pattern, ':') ? "%s*" : "*%s*", pattern);
	else
		snprintf(glob, sizeof(glob), "%s", pattern);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + NCOUNTERS; i++) {
		if (i < sizeof(fixed) / sizeof(fixed[0]))
			snprintf(name, sizeof(name), "%s", fixed[i]);
		else
			snprintf(name, sizeof(name), "software:%s:N",
				 counters[i - sizeof(fixed) / sizeof(fixed[0])].name);
		if (fnmatch(glob, name, 0) == 0) {
			fprintf(out, "%s\n", name);
			n++;
		}
	}
	return n;
}

/* -L: how the point samples, then its field and the built-ins of the
 * interrupted task. */
static int perf_describe(struct lp_probe *p, FILE *out)
{
	const struct perf_state *st = p->priv;
	const char *what = counter_name(st->config);
	int clock = st->config == PERF_COUNT_SW_CPU_CLOCK || st->config == PERF_COUNT_SW_TASK_CLOCK;

	if (st->tick)
		fprintf(out, "  every CPU, on each scheduler tick: %s at %llu Hz (CONFIG_HZ)\n",
			what, st->hz);
	else if (st->hz)
		fprintf(out, "  every CPU, %s at %llu Hz\n", what, st->hz);
	else
		fprintf(out, "  every CPU, every %llu %s of %s\n", st->period,
			clock ? "ns" : "events", what);
	fprintf(out, "  in the interrupted task: pid, tid, comm, cpu; stacks from the sample\n");
	for (int i = 0; i < p->nfields; i++)
		kind_print_decl(out, p->fields[i].ctype, p->fields[i].name);
	return 0;
}

/* `ip in "func"`: a sample in the kernel has a kernel ip, compared with
 * the function's ranges (and its clones') from kallsyms; a user-mode ip is
 * never inside them. */
static int perf_ranges(struct lp_probe *p, const char *func, struct lp_range *out, int max,
		       char *err, size_t errlen)
{
	struct ksym_range r[LP_MAX_RANGES];
	int n;

	n = ksym_ranges(caches_ksym(p->caches), func, r, max < LP_MAX_RANGES ? max : LP_MAX_RANGES);
	if (n == -E2BIG)
		snprintf(err, errlen, "'%s' has more pieces than one filter holds (%d)", func, max);
	else if (n < 0)
		snprintf(err, errlen, "cannot read kernel symbols: %s", strerror(-n));
	else if (n == 0)
		snprintf(err, errlen, "no kernel function '%s'", func);
	if (n <= 0)
		return n < 0 ? n : -ENOENT;
	for (int i = 0; i < n; i++) {
		out[i].lo = r[i].start;
		out[i].hi = r[i].end;
	}
	return n;
}

const struct lp_kind kind_perf = {
	.name = "perf_event",
	.resolve = perf_resolve,
	.load = perf_load,
	.attach = perf_attach,
	.attached_as = perf_attached_as,
	.detach = perf_detach,
	.destroy = perf_destroy,
	.list = perf_list,
	.describe = perf_describe,
	.ranges = perf_ranges,
};
