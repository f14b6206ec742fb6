/* luaprobe's command line (DESIGN.md §2) and the one path every run takes:
 * script -> probes resolved -> loaded -> attached -> on_start -> event loop
 * -> on_exit -> teardown. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <luaprobe/event.h>
#include <lauxlib.h>

#include "kinds/kind.h"
#include "load/load.h"
#include "plan/builtins.h"
#include "plan/plan.h"
#include "lua/json.h"
#include "run/child.h"
#include "run/loop.h"
#include "run/metrics.h"
#include "run/watch.h"
#include "main/recipe.h"
#include "lua/state.h"
#include "session.h"
#include "sym/usym.h"
#include "util/cut.h"
#include "util/file.h"

enum {
	OPT_VERSION = 256,
	OPT_UNSAFE,
	OPT_RECIPES,
	OPT_CHECK,
	OPT_HELP,
	OPT_JSON,
	OPT_FOLDED,
	OPT_VMLINUX,
	OPT_BUFFER,
	OPT_METRICS
};

static const struct option long_opts[] = {
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "unsafe", no_argument, NULL, OPT_UNSAFE },
	{ "recipes", no_argument, NULL, OPT_RECIPES },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "vmlinux", required_argument, NULL, OPT_VMLINUX },
	{ "buffer", required_argument, NULL, OPT_BUFFER },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ NULL, 0, NULL, 0 },
};

#define LAT_MAX_TEXT "65536"
_Static_assert(LP_LAT_MAX == 65536, "LAT_MAX_TEXT");

/* A count the kernel kept of what it could not do, said at the end (with
 * -v only, unless always). */
static void report_count(struct lp_session *s, unsigned slot, int always, const char *fmt)
{
	unsigned long long n = s->maps.lost_fd >= 0 ? load_lost(&s->maps, slot) : 0;
	char msg[200];

	if (!n || !(always || s->opt.verbose))
		return;
	snprintf(msg, sizeof(msg), fmt, n);
	if (!s->opt.json || json_write_text(s, stderr, "warning", msg))
		fprintf(stderr, "luaprobe: %s\n", msg);
}

__attribute__((format(printf, 1, 0))) static int fail(const char *fmt, const char *arg)
{
	msg_report(fmt, arg);
	return 1;
}

/* -l: every kind lists what matches (kinds/registry.c). */
static int list_points(const char *pattern)
{
	char err[512];
	int n = kind_list(pattern && *pattern ? pattern : "*", stdout, err, sizeof(err));

	if (n < 0)
		return fail("%s", err);
	return 0;
}

/* -L: the point's fields as C declarations, then the built-ins they hide. */
static int describe_point(const char *text, struct lp_caches *caches)
{
	struct lp_probe *p = calloc(1, sizeof(*p));
	const struct lp_kind *kind = NULL;
	char err[512];
	int ret = 1;

	if (!p)
		return fail("%s", "out of memory");
	p->caches = caches;
	if (point_parse(text, &p->point, err, sizeof(err))) {
		msg_report("probe '%s': %s", text, err);
		goto out;
	}
	kind = kind_find(&p->point, caches, err, sizeof(err));
	if (!kind) {
		msg_report("probe '%s': %s", text, err);
		goto out;
	}
	if (kind->resolve(p, err, sizeof(err))) {
		msg_report("probe '%s': %s", text, err);
		goto out;
	}
	printf("%s\n", text);
	if (kind->describe) {
		ret = kind->describe(p, stdout) ? 1 : 0;
		goto out;
	}
	for (int i = 0; i < p->nfields; i++)
		kind_print_decl(stdout, p->fields[i].ctype, p->fields[i].name);
	builtin_describe_hidden(p, stdout);
	ret = 0;
out:
	if (kind)
		kind->destroy(p);
	probe_free(p);
	return ret;
}

/* A point that became several attach points (clones, inlined copies, a
 * glob) says so at start-up, and with -v lists them (DESIGN.md §2). */
static void report_places(struct lp_session *s, const struct lp_probe *p)
{
	if (p->ninsts <= 1)
		return;
	fprintf(stderr, "luaprobe: probe '%s': %d places\n", p->text, p->ninsts);
	for (int i = 0; s->opt.verbose && i < p->ninsts; i++)
		fprintf(stderr, "luaprobe:   %s\n", p->insts[i].desc);
}

/* User stacks are symbolized from the maps of their process, which may be
 * gone when they are printed: from before the first probe is attached,
 * every executable mapping is recorded as it is made (sym/usym.h). Without
 * it (no CAP_PERFMON for a side-band perf event) a copy of the maps is
 * still taken on each process's first stack, if it lives that long. */
static void start_tracking(struct lp_session *s, int attach)
{
	int want = 0, ret;

	for (int i = 0; i < s->nprobes; i++)
		want |= (s->probes[i]->plan.stack & LP_STACK_USER) != 0;
	if (!want || !attach)
		return;
	ret = usym_track_start(session_usym(s));
	if (ret && s->opt.verbose)
		fprintf(stderr,
			"luaprobe: cannot record processes' mappings (%s): the user stacks of "
			"processes that exit quickly may stay addresses\n",
			strerror(-ret));
}

/* A signal while the probes load and attach: no more of them (what is
 * attached comes off at the teardown). -v says how far it got. -EINTR. */
static int stopped_attaching(struct lp_session *s, int done, const struct lp_probe *p,
			     const char *why)
{
	if (s->opt.verbose && p)
		fprintf(stderr, "luaprobe: %sprobe '%s': %s\n", p->where, p->text, why);
	if (s->opt.verbose)
		fprintf(stderr, "luaprobe: %s while attaching: %d of %d probes attached\n",
			watch_reason(), done, s->nprobes);
	return -EINTR;
}

/* Load and attach every probe; on failure, report with the probe's line. */
static int start_probes(struct lp_session *s, int attach)
{
	char err[512];
	int ret, pairs = 0;

	s->started = 1;
	if (!s->nprobes)
		return 0;
	for (int i = 0; i < s->nprobes; i++)
		pairs |= s->probes[i]->plan.lat.role != 0;
	ret = load_maps_create(
		&s->maps, load_ringbuf_size(s->probes, s->nprobes, s->opt.ringbuf_size), pairs);
	if (ret) {
		script_report(s, "cannot create the event ring buffer: %s%s", strerror(-ret),
			      ret == -EPERM ? " (luaprobe needs root or CAP_BPF and CAP_PERFMON)"
					    : "");
		return ret;
	}
	start_tracking(s, attach);
	kind_prepare(s->probes, s->nprobes);
	for (int i = 0; i < s->nprobes; i++) {
		struct lp_probe *p = s->probes[i];
		const struct lp_kind *kind = kind_of(p->point.kind);

		/* Ctrl-C while hundreds of probes load and attach: no more of
		 * them; what is attached comes off at the teardown */
		if (watch_stop_pending())
			return stopped_attaching(s, i, NULL, NULL);
		plan_finish(p);
		load_error_clear();
		ret = kind->load(p, &s->maps, err, sizeof(err));
		if (!ret && attach)
			ret = kind->attach(p, err, sizeof(err));
		if (ret == -EINTR && watch_stop_pending())
			return stopped_attaching(s, i, p, err);
		if (ret == -EMFILE || ret == -ENFILE) {
			struct rlimit rl = { 0 };

			getrlimit(RLIMIT_NOFILE, &rl);
			script_report(s,
				      "%sprobe '%s': too many open files (limit %llu): %s "
				      "(raise ulimit -n, or use fewer probes)",
				      p->where, p->text, (unsigned long long)rl.rlim_cur, err);
			return ret;
		}
		if (ret) {
			script_report(s, "%sprobe '%s': %s", p->where, p->text, err);
			return ret;
		}
		if (s->opt.verbose)
			fprintf(stderr, "luaprobe: %sprobe '%s': %s as %s\n", p->where, p->text,
				attach ? "attached" : "loaded",
				kind->attached_as ? kind->attached_as(p) : kind->name);
		report_places(s, p);
	}
	return 0;
}

/* At the end by time, signal or command, before the final drain: the kinds
 * that keep their links themselves (perf events per CPU) detach them, the
 * rest (p->link, the instances' links) go all at once. */
static void detach_all(struct lp_session *s)
{
	for (int i = 0; i < s->nprobes; i++)
		if (kind_of(s->probes[i]->point.kind)->detach)
			kind_detach(s->probes[i]);
	load_detach_all(s->probes, s->nprobes);
}

/* Each attach point holds a link and a perf event fd at least: a soft
 * limit of 1,024 stopped the 93rd uprobe. The hard limit is the one the
 * administrator set. (-c's command inherits the raised soft limit.) */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void teardown(struct lp_session *s)
{
	metrics_close(s->metrics);
	s->metrics = NULL;
	free(s->metrics_listen);
	s->metrics_listen = NULL;
	lua_probe_discard(s->L, s);
	/* all links at once first: one by one, 200 uprobes took 24 s */
	load_detach_all(s->probes, s->nprobes);
	for (int i = 0; i < s->nprobes; i++) {
		struct lp_probe *p = s->probes[i];

		kind_of(p->point.kind)->destroy(p);
		probe_free(p);
	}
	free(s->probes);
	s->probes = NULL;
	s->nprobes = 0;
	free(s->timers);
	s->timers = NULL;
	load_maps_close(&s->maps);
	child_end(s);
}

/* `luaprobe NAME --help` (or -h): the script's header, its leading "---"
 * lines, as DESIGN.md promises for recipes; nothing runs. 0, or 1 with a
 * message. */
static int script_help(const char *script)
{
	const struct lp_embedded *emb = NULL;
	char *path = NULL, *text = NULL, err[256];
	const char *src, *line;
	size_t len;
	int shown = 0, is_file;

	is_file = strchr(script, '/') || access(script, F_OK) == 0;
	if (!is_file && recipe_find(script, &path, &emb) != 0)
		return fail(
			"no script file or recipe named '%s' (luaprobe --recipes lists the recipes)",
			script);
	if (is_file || path) {
		if (file_read_regular(is_file ? script : path, LP_SCRIPT_MAX, &text, &len, err,
				      sizeof(err))) {
			fprintf(stderr, "luaprobe: %s: %s\n", is_file ? script : path, err);
			free(path);
			return 1;
		}
		src = text;
	} else {
		src = emb->src;
	}
	for (line = src; *line && strncmp(line, "---", 3) == 0; shown++) {
		const char *end = strchr(line, '\n');
		const char *from = line + 3 + (line[3] == ' ');
		int n = (int)(end ? end - from : (ptrdiff_t)strlen(from));

		printf("%.*s\n", n, from);
		line = end ? end + 1 : from + n;
	}
	if (!shown)
		printf("%s: no header (a recipe starts with \"--- name: what it does\" lines)\n",
		       script);
	free(text);
	free(path);
	return 0;
}

/* --buffer SIZE: the ring buffer's bytes, a power of two the kernel takes
 * (a page at least); 0 or 1 with the message. */
static int parse_buffer(const char *arg, size_t *out)
{
	unsigned long long v, unit = 1, lo, hi;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end != arg && *end && !end[1]) {
		switch (*end) {
		case 'k':
		case 'K':
			unit = 1ULL << 10;
			end++;
			break;
		case 'm':
		case 'M':
			unit = 1ULL << 20;
			end++;
			break;
		case 'g':
		case 'G':
			unit = 1ULL << 30;
			end++;
			break;
		}
	}
	if (end == arg || *end || errno || *arg == '-' || v > (1ULL << 30) / unit) {
		msg_report("--buffer wants a size from 4K to 1G: bytes, or a number with K, M or "
			   "G (256K, 4M), not '%s'",
			   arg);
		return 1;
	}
	v *= unit;
	if (v < 4096) {
		msg_report("--buffer %s: the ring buffer is a page (4K) at least", arg);
		return 1;
	}
	if (v & (v - 1)) {
		for (lo = 4096; lo * 2 < v; lo *= 2)
			;
		hi = lo * 2;
		msg_report("--buffer %s: the ring buffer's size is a power of two: %lluK or %lluK",
			   arg, lo >> 10, hi >> 10);
		return 1;
	}
	*out = v;
	return 0;
}

static int run_script(struct lp_session *s, const char *code, const char *script, int argc,
		      char **argv, int check)
{
	char *path = NULL;
	const struct lp_embedded *emb = NULL;
	struct timespec now;
	int ret;

	if (!code && argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return script_help(script);
	/* The command exists before the script runs, so that its pid is the
	 * target the script reads (target_pid(), `pid == target` compiled
	 * into filters) and process probes attach to; it runs once every
	 * probe is attached. */
	if (s->opt.cmd && (ret = child_fork(s, s->opt.cmd))) {
		script_report(s, "cannot start '%s': %s", s->opt.cmd, strerror(-ret));
		return 1;
	}
	if (s->opt.duration > 0)
		watch_deadline((long long)(s->opt.duration * 1e9));
	s->script_name = code ? "-e" : script; /* --metrics names metrics after it */
	if (code) {
		ret = script_run_string(s, code, "-e", argc, argv);
	} else if (strchr(script, '/') || access(script, F_OK) == 0 ||
		   (strlen(script) > 4 && !strcmp(script + strlen(script) - 4, ".lua"))) {
		ret = script_run_file(s, script, script, argc, argv);
	} else if (recipe_find(script, &path, &emb) == 0) {
		char name[256];

		snprintf(name, sizeof(name), "%s.lua", script);
		ret = path ? script_run_file(s, path, name, argc, argv)
			   : script_run_embedded(s, emb, argc, argv);
		free(path);
	} else {
		script_report(s,
			      "no script file or recipe named '%s' (luaprobe --recipes lists "
			      "the recipes)",
			      script);
		return 1;
	}
	if (ret && !s->interrupted)
		return 1;
	/* exit(), Ctrl-C or -d in the main chunk: nothing to attach */
	if (s->exited || watch_check(s))
		goto end;
	for (int i = 0; i < s->nprobes; i++) {
		s->probes[i]->target_pid = s->target;
		/* a process point (it names a binary) is restricted to the target */
		if (s->probes[i]->point.binary || s->target_used)
			child_note(s);
	}
	/* --metrics (or metrics{} in the script): bound before the probes
	 * load, so that a taken port fails at once */
	if (!check && (s->opt.metrics || s->metrics_listen)) {
		char why[512];

		if (metrics_open(s, s->opt.metrics ? s->opt.metrics : s->metrics_listen, why,
				 sizeof(why))) {
			script_report(s, "%s", why);
			return 1;
		}
	}
	/* The attach does not count against -d (hundreds of probes take
	 * seconds): armed for the main chunk, the deadline would otherwise
	 * pass while attaching and end the run as soon as it started. */
	if (s->opt.duration > 0)
		watch_deadline(0);
	ret = start_probes(s, !check);
	if (ret == -EINTR && watch_check(s))
		goto end; /* stopped while attaching: on_exit, then the teardown */
	if (ret || check)
		return s->failed;
	/* -d counts from here, as the probes start to see events */
	if (s->opt.duration > 0)
		watch_deadline((long long)(s->opt.duration * 1e9));
	clock_gettime(CLOCK_MONOTONIC, &now);
	s->start_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec; /* elapsed()'s zero */
	if (s->opt.json)
		json_write_attached(s->nprobes);
	script_run_hooks(s, s->on_start_ref);
	if (s->child && !s->stopping)
		child_release(s);
	if (!s->stopping && (ret = loop_run(s)))
		script_report(s, "event loop failed: %s", strerror(-ret));
end:
	/* a second Ctrl-C (or SIGTERM) skips on_exit, and stops it if it runs */
	if (watch_signals() < 2)
		script_run_hooks(s, s->on_exit_ref);
	return 0;
}

/* One run, once the options are read: the script (a file, a recipe by
 * name, -e's code) with its arguments. The exit status. */
static int run_main(struct lp_session *s, const char *code, const char *script, int argc,
		    char **argv, int check)
{
	unsigned long long lost;
	int ret;

	raise_fd_limit();
	if (loop_block_signals() || script_open(s) || watch_start())
		return fail("%s", "cannot start: out of memory");
	ret = run_script(s, code, script, argc, argv, check);
	fflush(stdout);
	lost = s->maps.lost_fd >= 0 ? load_lost(&s->maps, LP_LOST_RESERVE) : 0;
	if (lost && s->opt.json)
		json_write_lost(lost);
	else if (lost)
		fprintf(stderr, "luaprobe: lost %llu events (ring buffer full)\n", lost);
	else if (s->opt.verbose && s->nprobes)
		fprintf(stderr, "luaprobe: 0 events lost\n");
	report_count(s, LP_LOST_AGGFULL, 1,
		     "%llu aggregation updates dropped: a map was full "
		     "(raise the probe's spec.max_keys)");
	report_count(s, LP_LOST_LATFULL, 1,
		     "%llu latency() starts not stored: " LAT_MAX_TEXT " pairs were in flight");
	/* an end whose start came before the probes were attached is normal */
	report_count(s, LP_LOST_UNPAIRED, 0, "%llu latency() ends without a start");
	lost = usym_track_lost(s->caches.usym);
	if (lost)
		fprintf(stderr,
			"luaprobe: %llu records of processes' mappings lost: user stacks of processes "
			"that exited may show addresses\n",
			lost);
	teardown(s);
	script_close(s);
	session_free_caches(s);
	watch_stop();
	if (ret || s->failed)
		return 1;
	return s->exit_code;
}

/* --check DIR: every DIR/NAME.lua checked as --check SCRIPT checks one (its
 * main chunk run, every probe resolved and loaded, nothing attached, no
 * handler run), each in a process of its own so that no script's state
 * reaches the next; "ok NAME" or "FAIL NAME" a line, the scripts' own
 * messages on stderr. A team's CI: non-zero when any fails, naming each. */
static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check_one(struct lp_session *s, const char *path, int argc, char **argv)
{
	int status, null;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "luaprobe: %s: cannot start its check: %s\n", path,
			strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		/* what a main chunk prints is not the verdict; nothing waits on
		 * a terminal */
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
		}
		argv[0] = (char *)path;
		exit(run_main(s, NULL, path, argc, argv, 1));
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		fprintf(stderr, "luaprobe: %s: the check ended by signal %s\n", path,
			strsignal(WTERMSIG(status)));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int check_dir(struct lp_session *s, const char *dir, int argc, char **argv)
{
	char **names = NULL, *failed = NULL;
	size_t flen = 0;
	int n = 0, cap = 0, bad = 0, ret = 0;
	FILE *fl = open_memstream(&failed, &flen);
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d || !fl) {
		ret = fail("--check: cannot read the folder %s", dir);
		goto out;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char *path;

		if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".lua"))
			continue;
		if (asprintf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
			     de->d_name) < 0)
			continue;
		if (is_dir(path) ||
		    (n == cap &&
		     !(names = realloc(names, (cap = 2 * cap + 16) * sizeof(*names))))) {
			free(path);
			continue;
		}
		names[n++] = path;
	}
	closedir(d);
	if (!n) {
		ret = fail("--check: no scripts (*.lua) in %s", dir);
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	for (int i = 0; i < n; i++) {
		int r = check_one(s, names[i], argc, argv);

		printf("%-4s %s\n", r ? "FAIL" : "ok", names[i]);
		if (r) {
			fprintf(fl, "%s%s", bad ? ", " : "", names[i]);
			bad++;
		}
	}
	fclose(fl);
	fl = NULL;
	fflush(stdout);
	if (bad)
		fprintf(stderr, "luaprobe: --check: %d of %d scripts failed: %s\n", bad, n, failed);
	ret = bad ? 1 : 0;
out:
	if (fl)
		fclose(fl);
	free(failed);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}
int main(int argc, char **argv)
{
	struct lp_session s = {
		.maps = { -1, -1, -1 }, .child_gate = -1, .child_status = -1, .detach = detach_all
	};
	const char *code = NULL, *list = NULL, *describe = NULL, *script = NULL;
	int opt, do_list = 0, check = 0;
	char *end;

	while ((opt = getopt_long(argc, argv, "+e:d:c:p:lL:vhf:", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			code = optarg;
			break;
		case 'd':
			s.opt.duration = strtod(optarg, &end);
			/* NaN fails both comparisons; 1e-12 s would arm no timer at all */
			if (end == optarg || *end || !(s.opt.duration >= LP_DURATION_MIN) ||
			    !(s.opt.duration <= LP_DURATION_MAX))
				return fail("-d wants a number of seconds from 0.000001 to "
					    "31536000 (a year), not '%s'",
					    optarg);
			break;
		case 'c':
			s.opt.cmd = optarg;
			break;
		case 'p':
			s.opt.pid = strtol(optarg, &end, 10);
			if (*end || s.opt.pid <= 0)
				return fail("-p wants a process id, not '%s'", optarg);
			if (kill(s.opt.pid, 0) && errno == ESRCH)
				return fail("-p %s: no such process", optarg);
			s.target = s.opt.pid;
			break;
		case 'l':
			do_list = 1;
			/* -l takes an optional pattern as the next word, as bpftrace's does */
			if (optind < argc && argv[optind][0] != '-')
				list = argv[optind++];
			break;
		case 'L':
			describe = optarg;
			break;
		case 'v':
			s.opt.verbose++;
			break;
		case OPT_UNSAFE:
			s.opt.unsafe = 1;
			break;
		case OPT_FOLDED:
			s.opt.folded = 1;
			break;
		case OPT_CHECK:
			check = 1;
			break;
		case 'f': /* -f json|text, as bpftrace's */
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return fail("-f: '%s' is not an output format (json or text)",
					    optarg);
			s.opt.json = !strcmp(optarg, "json");
			break;
		case OPT_JSON:
			s.opt.json = 1;
			break;
		case OPT_VMLINUX:
			s.caches.vmlinux = optarg;
			break;
		case OPT_BUFFER:
			if (parse_buffer(optarg, &s.opt.ringbuf_size))
				return 1;
			break;
		case OPT_METRICS: {
			char why[256];

			if (metrics_check_addr(optarg, why, sizeof(why)))
				return fail("--metrics: %s", why);
			s.opt.metrics = optarg;
			break;
		}
		case OPT_VERSION:
			printf("luaprobe %s (libbpf %d.%d, %s)\n", LP_VERSION,
			       libbpf_major_version(), libbpf_minor_version(), LUA_RELEASE);
			return 0;
		case OPT_RECIPES:
			return recipe_list(stdout) < 0;
		case 'h':
		case OPT_HELP:
			fputs(lp_usage, stdout);
			return 0;
		default:
			fputs("Try 'luaprobe --help'.\n", stderr);
			return 2;
		}
	}
	if (s.opt.pid && s.opt.cmd)
		return fail("%s", "-p and -c both name the target: give one");
	/* -c '' would start a shell that exits at once: the run would end
	 * before it began, with nothing said */
	if (s.opt.cmd && !s.opt.cmd[strspn(s.opt.cmd, " \t\n")])
		return fail("%s", "-c needs a command: -c 'CMD'");
	load_init_logging(&s);
	if (do_list)
		return list_points(list);
	if (describe) {
		int ret = describe_point(describe, &s.caches);

		session_free_caches(&s);
		return ret;
	}
	if (!code) {
		if (optind >= argc) {
			fputs(lp_usage, stderr);
			return 2;
		}
		script = argv[optind];
	}
	/* arg[0] is the script (or "-e"); the rest are the script's arguments. */
	if (code) {
		optind--;
		argv[optind] = "-e";
	}
	if (check && script && is_dir(script))
		return check_dir(&s, script, argc - optind, argv + optind);
	return run_main(&s, code, script, argc - optind, argv + optind, check);
}
