/* tracepoint:SYSTEM:EVENT and kernel.trace("SYSTEM:EVENT"): the template
 * reads the tracepoint's record at offsets from its tracefs format. */
#include "kinds/kind.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <tracefs/tracefs.h>

#include "kinds/btfargs.h"
#include "load/image.h"
#include "load/sysdisp.h"
#include "plan/kval.h"
#include "plan/plan.h"
#include "resolve/btf_expr.h"
#include "resolve/kbtf.h"
#include "resolve/syscalls.h"
#include "sym/ksym.h"
#include "util/messages.h"
#include "util/suggest.h"
#include "btf.skel.h"
#include "tp.image.h"
#include "tp.skel.h"
#include "resolve/tpformat.h"

/* Denied is about who runs luaprobe; anything else, about tracefs. */
static const char *tracefs_hint(int err)
{
	return err == -EACCES || err == -EPERM ? ": " MSG_NEED_ROOT : " (is tracefs mounted?)";
}

/* Suggest a tracepoint near SYSTEM:EVENT, from the same system when it exists. */
static void unknown_tracepoint(const struct lp_point *pt, char *err, size_t errlen)
{
	char **events = tracefs_system_events(NULL, pt->system);
	char **systems = NULL;
	const char *near = NULL;
	int n;

	if (events) {
		for (n = 0; events[n]; n++)
			;
		near = suggest_closest(pt->event, (const char *const *)events, n);
		if (near) {
			char full[256], dym[300];

			snprintf(full, sizeof(full), "%s:%s", pt->system, near);
			snprintf(err, errlen, MSG_NO_TRACEPOINT "%s", pt->system, pt->event,
				 suggest_text(dym, sizeof(dym), full));
			goto out;
		}
		snprintf(err, errlen, MSG_NO_TRACEPOINT " (luaprobe -l '%s:*' lists them)",
			 pt->system, pt->event, pt->system);
		goto out;
	}
	systems = tracefs_event_systems(NULL);
	for (n = 0; systems && systems[n]; n++)
		;
	near = systems ? suggest_closest(pt->system, (const char *const *)systems, n) : NULL;
	if (near) {
		snprintf(err, errlen, MSG_NO_TP_SYSTEM, pt->system);
		suggest_append(err, errlen, near);
	} else
		snprintf(err, errlen, MSG_NO_TP_SYSTEM " (luaprobe -l lists them)", pt->system);
out:
	tracefs_list_free(events);
	tracefs_list_free(systems);
}

/* A fetch expression over the record's pointer fields, typed by a cast
 * through the kernel's BTF (((struct sk_buff *)skbaddr)->len) or from
 * curtask: a new field `name` read by probe-reads (the record's fields are
 * untyped to the verifier). A plain name is left to the caller's "no field"
 * (-ENOENT, err empty). */
static int add_expr(struct lp_probe *p, const struct lp_tpformat *fmt, const char *name,
		    const char *expr, char *err, size_t errlen)
{
	struct lp_kroot roots[64];
	int offs[64], nroots = 0, slot, user;
	unsigned op = p->plan.nfetch, dst = p->plan.data_size;
	const struct btf *btf;
	struct lp_field f, *grown;
	struct lp_kloc loc;
	char why[384];
	int ret;

	err[0] = '\0';
	if (!expr[strspn(expr, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")])
		return -ENOENT;
	for (int i = 0; i < fmt->nfields && nroots < 64; i++) {
		const struct lp_tpfield *tf = &fmt->fields[i];

		if (tf->size != 8 || (tf->flags & (LP_TPF_DATALOC | LP_TPF_ARRAY | LP_TPF_RELLOC)))
			continue;
		roots[nroots] = (struct lp_kroot){ tf->name, 0, 0 };
		offs[nroots++] = tf->offset;
	}
	btf = kbtf_vmlinux(caches_kbtf(p->caches));
	ret = btf_expr_resolve(btf, roots, nroots, 0, expr, &loc, why, sizeof(why));
	if (ret == -ESRCH)
		return -ENOENT; /* not a field: the caller's "no field" says so */
	if (!ret && loc.nderef == 0 && loc.type != LP_KT_STRPTR && loc.root >= 0) {
		snprintf(why, sizeof(why),
			 "it reads nothing through the cast: fetch the field '%s'",
			 roots[loc.root].name);
		ret = -EINVAL;
	}
	if (!ret && op >= LP_MAX_FETCH) {
		snprintf(why, sizeof(why), "at most %d fetches per probe", LP_MAX_FETCH);
		ret = -E2BIG;
	}
	/* A syscall's pointers are the process's: every read through one is
	 * of user memory (a kernel read of it fails and reads as 0). */
	user = loc.root >= 0 && strcmp(p->point.system, "syscalls") == 0;
	if (!ret && loc.type == LP_KT_STRPTR && user)
		loc.user = 1;
	if (!ret) {
		slot = plan_kval(&loc, loc.root >= 0 ? offs[loc.root] : 0, dst, 0,
				 &p->plan.fetch[op], &f, why, sizeof(why));
		ret = slot < 0 ? slot : 0;
		if (!ret)
			p->plan.fetch[op].user = user;
	}
	if (ret) {
		snprintf(err, errlen, "fetch '%s': %s", expr, why);
		return ret;
	}
	grown = realloc(p->fields, (p->nfields + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->fields = grown;
	f.name = strdup(name);
	f.ctype = strdup(loc.ctype);
	if (!f.name || !f.ctype) {
		free(f.name);
		free(f.ctype);
		return -ENOMEM;
	}
	p->fields[p->nfields++] = f;
	p->plan.nfetch = op + 1;
	p->plan.data_size = dst + slot;
	return 0;
}

/* spec.fetch entries that are expressions rather than field names. */
static int add_exprs(struct lp_probe *p, const struct lp_tpformat *fmt, char *err, size_t errlen)
{
	for (int i = 0; i < p->nreqs; i++) {
		int ret;

		if (tpformat_field(fmt, p->reqs[i].expr))
			continue;
		ret = add_expr(p, fmt, p->reqs[i].name, p->reqs[i].expr, err, errlen);
		if (ret == -ENOENT && !err[0])
			continue; /* plan_alias says "no field" */
		if (ret)
			return ret;
	}
	return 0;
}

/* Which of the template's two programs a probe runs, and why not the raw
 * one when it could have (for -v). */
struct tp_state {
	int tp_id; /* the tracepoint's id in tracefs (its format's "ID:") */
	int raw;
	struct bpf_program *prog; /* in p->skel: the program load_pick chose */
	/* the loaded program: prog's, or one loaded from an image
	 * (load/image.h) that is ours to close (own_fd) once attached */
	int prog_fd, own_fd;
	char as[128];
	/* syscalls:* as raw_syscalls (kinds: the syscall dispatcher): p->skel
	 * is then the BTF template's, loaded by btf (raw) */
	int sys, sys_exit, sys_nr, sys_col, sys_in;
	struct lp_btfargs *btf;
	struct lp_plan *classic; /* the plan as the record lays it out */
	struct lp_maps m; /* the run's shared maps, for the classic program */
};

static struct tp_state *state_of(struct lp_probe *p)
{
	if (!p->priv)
		p->priv = calloc(1, sizeof(struct tp_state));
	return p->priv;
}

static int tp_add_fetch(struct lp_probe *p, const char *expr, char *err, size_t errlen)
{
	struct lp_tpformat fmt;
	int ret;

	err[0] = '\0';
	if (!expr[strspn(expr, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")])
		return -ENOENT;
	ret = tpformat_read(p->point.system, p->point.event, &fmt);
	if (ret)
		return ret;
	ret = add_expr(p, &fmt, expr, expr, err, errlen);
	tpformat_free(&fmt);
	return ret;
}

static int tp_resolve(struct lp_probe *p, char *err, size_t errlen)
{
	struct lp_tpformat fmt;
	int ret;

	if (point_has_wildcard(&p->point)) {
		snprintf(err, errlen, "wildcards in tracepoint names are not supported yet");
		return -EINVAL;
	}
	ret = tpformat_read(p->point.system, p->point.event, &fmt);
	if (ret == -ENOENT) {
		unknown_tracepoint(&p->point, err, errlen);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "cannot read the tracepoint's format: %s%s", strerror(-ret),
			 tracefs_hint(ret));
		return ret;
	}
	ret = plan_tracepoint(&fmt, p);
	if (ret)
		snprintf(err, errlen, "cannot plan its fields: %s", strerror(-ret));
	else
		ret = add_exprs(p, &fmt, err, errlen);
	if (!ret) {
		struct tp_state *st = state_of(p);

		if (st) {
			st->tp_id = fmt.id; /* for attach_fd's perf event */
		} else {
			ret = -ENOMEM;
			snprintf(err, errlen, "out of memory");
		}
	}
	tpformat_free(&fmt);
	return ret;
}

/* Events tracefs lists that are not kernel tracepoints have no raw form. */
static int raw_eligible(const struct lp_probe *p)
{
	static const char *const not_raw[] = { "syscalls", "ftrace",  "kprobes",
					       "uprobes",  "eprobes", "synthetic" };

	if (p->plan.nfetch != 0)
		return 0;
	for (size_t i = 0; i < sizeof(not_raw) / sizeof(not_raw[0]); i++)
		if (strcmp(p->point.system, not_raw[i]) == 0)
			return 0;
	return 1;
}

/* Which image a program of the family is loaded from: the program
 * load_pick takes follows from the layers, the maps from the number of
 * aggregations and whether their counts have pending runs (lp_pend); the
 * run's shared maps are the same for every probe. */
static void image_key(const struct lp_probe *p, int raw, char *key, size_t size)
{
	snprintf(key, size, "tp %d %x %d %d", raw, load_layers(&p->plan), p->naggs,
		 load_pends(&p->plan));
}

/* The program from an image: the one key names, made from the template's
 * table at its first probe (load/image.h). The program's fd, or -errno:
 * libbpf loads it, and says why if it cannot. */
static int load_image(struct lp_probe *p, int raw, const char *key, const struct lp_maps *m)
{
	int ret;

	if (!p->caches)
		return -ENOENT;
	ret = load_image_tmpl(&p->caches->images, key, &lp_tp_tmpl, raw ? "lp_rawtp" : "lp_tp",
			      &p->plan, -1, -1, m, p->naggs, offsetof(struct lp_tp__rodata, plan));
	return ret ? ret : load_image_load(p->caches->images, key, p, &p->plan, NULL);
}

/* Load one of the template's programs, of the lp_rawtp or the lp_tp
 * family: only the one the probe runs is handed to the kernel, from an
 * image when it can be, else through libbpf. */
static int load_variant(struct lp_probe *p, const struct lp_maps *m, int raw, char *err,
			size_t errlen)
{
	struct tp_state *st = p->priv;
	struct lp_tp *skel;
	char key[64];
	int ret;

	/* a tracepoint's programs run with preemption off: a per-CPU slot is
	 * theirs alone */
	load_pend_plan(p, 1);
	image_key(p, raw, key, sizeof(key));
	st->prog = NULL;
	st->prog_fd = load_image(p, raw, key, m);
	st->own_fd = st->prog_fd >= 0;
	if (st->own_fd)
		return 0;
	skel = lp_tp__open();
	if (!skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the tracepoint template: %s", strerror(-ret));
		return ret;
	}
	struct bpf_map *aggs[LP_MAX_AGG] = { skel->maps.lp_agg0, skel->maps.lp_agg1 };

	p->skel = skel;
	/* the smallest of the family's programs that does what the plan does */
	st->prog = load_pick(skel->obj, raw ? "lp_rawtp" : "lp_tp", &p->plan);
	if (!st->prog) {
		snprintf(err, errlen, "the tracepoint template has no program for this probe");
		return -ENOENT;
	}
	memcpy((void *)&skel->rodata->plan, &p->plan, sizeof(p->plan));
	ret = load_share_maps(skel->maps.lp_events, skel->maps.lp_lost, m);
	if (!ret)
		ret = load_share_lat(skel->maps.lp_lat, m);
	for (int i = 0; !ret && i < p->naggs; i++)
		ret = load_size_agg(aggs[i], p, i);
	/* an aggregation the plan does not have: a map not made */
	for (int i = p->naggs; !ret && i < LP_MAX_AGG; i++)
		ret = bpf_map__set_autocreate(aggs[i], false);
	if (!ret)
		ret = load_pend_prepare(skel->maps.lp_pend, skel->maps.lp_pctl, p);
	if (!ret)
		ret = lp_tp__load(skel);
	for (int i = 0; !ret && i < p->naggs; i++)
		p->aggs[i].fd = bpf_map__fd(aggs[i]);
	if (!ret)
		load_pend_take(skel->maps.lp_pend, skel->maps.lp_pctl, p);
	if (ret) {
		const char *why = load_last_error();

		snprintf(err, errlen, "the kernel refused the program: %s%s%s", strerror(-ret),
			 *why ? ": " : "", why);
		return ret;
	}
	st->prog_fd = bpf_program__fd(st->prog);
	return 0;
}

/* The program off its fd, once it is attached or not wanted: the link
 * holds what it needs. */
static void drop_prog(struct lp_probe *p)
{
	struct tp_state *st = p->priv;

	if (st->own_fd && st->prog_fd >= 0)
		close(st->prog_fd);
	st->own_fd = 0;
	st->prog_fd = -1;
	st->prog = NULL;
	lp_tp__destroy(p->skel);
	p->skel = NULL;
}

/* syscalls:sys_enter_X and sys_exit_X, when luaprobe knows X's number,
 * in a run that probes many syscalls: their values are raw_syscalls' (the
 * registers, the number, ret), and a probe runs in the syscall dispatcher
 * (load/sysdisp.h), which stops without the classic tracepoint's wait of
 * 30-40 ms each under the kernel's event_mutex (1,000 probes: 30 s). With
 * few, the classic tracepoints: the dispatcher's BPF program runs for
 * every syscall of the machine (~65 ns a call against the classic ~25 on
 * this VM; a probed one ~40 ns cheaper), and their stop stays under ~0.3
 * s. LUAPROBE_SYSCALL_RAW=1 or 0 decides for any number. */
#define SYS_DISPATCH_MIN 8 /* distinct syscall tracepoints in the run */

static int sys_dispatch; /* this run's choice (tp_prepare) */

static int is_syscall_probe(const struct lp_probe *p)
{
	return p->point.kind == LP_PT_TRACEPOINT && strcmp(p->point.system, "syscalls") == 0;
}

static int cmp_event(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void tp_prepare(struct lp_probe *const *probes, int n)
{
	const char *env = getenv("LUAPROBE_SYSCALL_RAW");
	const char **events;
	int nev = 0, distinct = 0;

	if (env && (strcmp(env, "0") == 0 || strcmp(env, "1") == 0)) {
		sys_dispatch = env[0] == '1';
		return;
	}
	events = malloc((n ? n : 1) * sizeof(*events));
	if (!events) {
		sys_dispatch = 0;
		return;
	}
	for (int i = 0; i < n; i++)
		if (is_syscall_probe(probes[i]))
			events[nev++] = probes[i]->point.event;
	qsort(events, nev, sizeof(*events), cmp_event);
	for (int i = 0; i < nev; i++)
		distinct += i == 0 || strcmp(events[i], events[i - 1]) != 0;
	free(events);
	sys_dispatch = distinct >= SYS_DISPATCH_MIN;
}

static int sys_eligible(const struct lp_probe *p, int *exit, int *nr)
{
	const char *name;

	if (!sys_dispatch || !is_syscall_probe(p))
		return 0;
	if (strncmp(p->point.event, "sys_enter_", 10) == 0) {
		*exit = 0;
		name = p->point.event + 10;
	} else if (strncmp(p->point.event, "sys_exit_", 9) == 0) {
		*exit = 1;
		name = p->point.event + 9;
	} else {
		return 0;
	}
	*nr = syscall_nr_of_event(name);
	return *nr >= 0 && *nr < LP_SYS_NR;
}

static void sys_unload(struct lp_probe *p)
{
	struct tp_state *st = p->priv;

	btfargs_release(p, st->btf); /* p->skel, the BTF template's */
	st->btf = NULL;
	if (st->classic) {
		p->plan = *st->classic;
		free(st->classic);
		st->classic = NULL;
	}
	st->sys = 0;
}

/* The plan rewritten for raw_syscalls and the BTF template's raw program
 * loaded; on failure the plan is the record's again (why in st->as). */
static int sys_load(struct lp_probe *p, const struct lp_maps *m, int exit, int nr)
{
	struct tp_state *st = p->priv;
	char why[256];
	int ret;

	st->classic = malloc(sizeof(*st->classic));
	st->btf = calloc(1, sizeof(*st->btf));
	if (!st->classic || !st->btf) {
		free(st->classic);
		free(st->btf);
		st->classic = NULL;
		st->btf = NULL;
		return -ENOMEM;
	}
	*st->classic = p->plan;
	st->m = *m;
	st->btf->raw = 1;
	st->btf->by_fd = 1;
	st->btf->img_fd = -1;
	st->sys = 1;
	st->sys_exit = exit;
	st->sys_nr = nr;
	ret = plan_syscall_raw(&p->plan, exit, why, sizeof(why));
	if (!ret)
		ret = btfargs_load_in(p, st->btf, m, exit ? "sys_exit" : "sys_enter", why,
				      sizeof(why));
	if (ret) {
		sys_unload(p);
		snprintf(st->as, sizeof(st->as), "tracepoint (not raw_syscalls: %.90s)", why);
		return ret;
	}
	snprintf(st->as, sizeof(st->as), "raw_syscalls:%s, syscall %d%s",
		 exit ? "sys_exit" : "sys_enter", nr,
		 st->btf->img_fd >= 0 ? ", program from an image" : "");
	return 0;
}

/* A probe that reads nothing of the record runs as a raw tracepoint: no
 * perf-event layer, ~50 ns an event less (DESIGN.md §5), and it detaches in
 * ~11 ms instead of ~90. Where the kernel refuses the raw program, the
 * classic one takes its place. */
static int tp_load(struct lp_probe *p, const struct lp_maps *m, char *err, size_t errlen)
{
	struct tp_state *st = state_of(p);
	int ret, exit, nr;

	if (!st)
		return -ENOMEM;
	snprintf(st->as, sizeof(st->as), "tracepoint");
	st->m = *m;
	st->prog_fd = -1;
	if (sys_eligible(p, &exit, &nr) && sys_load(p, m, exit, nr) == 0)
		return 0;
	if (raw_eligible(p)) {
		ret = load_variant(p, m, 1, err, errlen);
		if (!ret) {
			st->raw = 1;
			snprintf(st->as, sizeof(st->as), "raw_tp");
			return 0;
		}
		snprintf(st->as, sizeof(st->as), "tracepoint (the kernel refused raw_tp: %s)",
			 strerror(-ret));
		drop_prog(p);
	}
	st->raw = 0;
	return load_variant(p, m, 0, err, errlen);
}

/* Attached: the object's fds and memory go, the link keeps the program
 * and its maps (1,000 tracepoint probes held 11,000 fds). */
static void release(struct lp_probe *p)
{
	if (load_release(p) == 0)
		drop_prog(p);
}

/* Attach the loaded program by its fd; the link's fd in p->link_fd. A
 * perf event of the tracepoint, as libbpf makes it, held by a BPF link
 * (or, on a kernel without perf links, the event's own fd holds the
 * program: its close detaches it). 0 or -errno. */
static int attach_fd(struct lp_probe *p, const struct tp_state *st)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr) };
	int pfd, fd;

	if (st->raw) {
		fd = bpf_raw_tracepoint_open(p->point.event, st->prog_fd);
		if (fd < 0)
			return -errno;
		p->link_fd = fd;
		return 0;
	}
	attr.config = st->tp_id;
	pfd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	fd = bpf_link_create(st->prog_fd, pfd, BPF_PERF_EVENT, NULL);
	if (fd < 0 && (errno == EINVAL || errno == EOPNOTSUPP) &&
	    ioctl(pfd, PERF_EVENT_IOC_SET_BPF, st->prog_fd) == 0) {
		fd = pfd; /* the event holds the program */
		pfd = -1;
	}
	if (fd < 0 || ioctl(pfd >= 0 ? pfd : fd, PERF_EVENT_IOC_ENABLE, 0)) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		if (pfd >= 0)
			close(pfd);
		return err;
	}
	if (pfd >= 0)
		close(pfd); /* the link holds the event */
	p->link_fd = fd;
	return 0;
}

/* Into the dispatcher: 0. Where it cannot take the probe, the classic
 * tracepoint's program is loaded on the same shared maps, for tp_attach to
 * attach: 1. Or -errno. */
static int sys_attach(struct lp_probe *p, char *err, size_t errlen)
{
	struct tp_state *st = p->priv;
	struct lp_btf *skel = p->skel;
	struct lp_tp *tp;
	char why[256];
	int ret;

	ret = sysdisp_add(st->sys_exit, st->sys_nr, btfargs_prog_fd(p, st->btf), &st->sys_col, why,
			  sizeof(why));
	if (!ret) {
		st->sys_in = 1;
		/* the prog array holds the program (and the program its maps) */
		if (load_release(p) == 0)
			btfargs_release(p, NULL);
		if (st->btf->img_fd >= 0)
			close(st->btf->img_fd);
		st->btf->img_fd = -1;
		return 0;
	}
	/* the image's aggregation maps are the probe's own */
	load_close_aggs(p);
	p->plan = *st->classic;
	p->skel = NULL;
	ret = load_variant(p, &st->m, 0, err, errlen);
	tp = p->skel;
	p->skel = skel;
	btfargs_release(p, st->btf);
	st->btf = NULL;
	p->skel = tp;
	free(st->classic);
	st->classic = NULL;
	st->sys = 0;
	snprintf(st->as, sizeof(st->as), "tracepoint (the syscall dispatcher refused: %.80s)", why);
	return ret ? ret : 1;
}

static int tp_attach(struct lp_probe *p, char *err, size_t errlen)
{
	struct tp_state *st = p->priv;
	int ret;

	if (st->sys) {
		ret = sys_attach(p, err, errlen);
		if (ret <= 0)
			return ret;
	}
	if (st->raw) {
		ret = attach_fd(p, st);
		if (!ret) {
			release(p);
			return 0;
		}
		snprintf(st->as, sizeof(st->as), "tracepoint (raw_tp attach refused: %s)",
			 strerror(-ret));
		/* the classic program in its place, on the run's shared maps
		 * and aggregations of its own */
		drop_prog(p);
		load_close_aggs(p);
		st->raw = 0;
		ret = load_variant(p, &st->m, 0, err, errlen);
		if (ret)
			return ret;
	}
	ret = attach_fd(p, st);
	if (ret) {
		if (ret == -E2BIG)
			snprintf(err, errlen,
				 "cannot attach: the kernel allows at most 64 programs on one "
				 "tracepoint, and other tools' count too (%s)",
				 strerror(-ret));
		else
			snprintf(err, errlen, "cannot attach: %s", strerror(-ret));
		return ret;
	}
	release(p);
	return 0;
}

static const char *tp_attached_as(const struct lp_probe *p)
{
	const struct tp_state *st = p->priv;

	return st ? st->as : "tracepoint";
}

/* A syscall probe's place in the dispatcher (p->link is the caller's). */
static void tp_detach(struct lp_probe *p)
{
	struct tp_state *st = p->priv;

	if (st && st->sys_in) {
		sysdisp_remove(st->sys_exit, st->sys_nr, st->sys_col);
		st->sys_in = 0;
	}
}

static void tp_destroy(struct lp_probe *p)
{
	struct tp_state *st = p->priv;

	tp_detach(p);
	if (st && st->sys) {
		sys_unload(p);
	} else {
		if (p->link_fd > 0)
			close(p->link_fd);
		p->link_fd = 0;
		if (st)
			drop_prog(p); /* and the template's object: p->skel is st's */
	}
	load_close_aggs(p);
	free(p->priv);
	p->priv = NULL;
}

/* -l: the pattern may carry the kind ("tracepoint:sched:*") or not
 * ("sched:*"); a glob without a system matches event names ("kfree_*"), and
 * a bare word matches anywhere in the name. */
static int tp_list(const char *pattern, FILE *out, char *err, size_t errlen)
{
	char glob[512], **list;
	int n = 0;

	if (strncmp(pattern, "tracepoint:", 11) == 0)
		pattern += 11;
	else if (strncmp(pattern, "t:", 2) == 0)
		pattern += 2;
	if (!strpbrk(pattern, "*?[") && !strchr(pattern, ':'))
		snprintf(glob, sizeof(glob), "*%s*", pattern);
	else if (!strchr(pattern, ':'))
		snprintf(glob, sizeof(glob), "*:%s", pattern);
	else
		snprintf(glob, sizeof(glob), "%s", pattern);
	list = tpformat_list(glob);
	if (!list) {
		n = -errno;
		snprintf(err, errlen, "cannot list tracepoints: %s%s", strerror(-n),
			 tracefs_hint(n));
		return n;
	}
	for (; list[n]; n++)
		fprintf(out, "tracepoint:%s\n", list[n]);
	tpformat_list_free(list);
	return n;
}

/* Kernel enums from BTF. Compared with an enum field: its own enumerators
 * first, by full name or by the part after the prefix (NO_SOCKET in
 * skb_drop_reason). */
static int tp_enum_value(struct lp_probe *p, const char *name, const char *hint, long long *val,
			 char *err, size_t errlen)
{
	struct lp_kbtf *kb = caches_kbtf(p->caches);
	int ret, n;

	if (!hint || strncmp(hint, "enum ", 5) != 0)
		return kbtf_enum_lookup_any(kb, name, val, err, errlen);
	ret = kbtf_enum_value_in(kb, hint, name, val);
	if (ret != -EEXIST)
		return ret == 0 ? 0 : kbtf_enum_lookup_any(kb, name, val, err, errlen);
	/* ambiguous inside the field's own enum: name the candidates */
	n = snprintf(err, errlen, "in %s it could be ", hint);
	if (n > 0 && (size_t)n < errlen)
		kbtf_enum_candidates(kb, hint, name, err + n, errlen - n);
	return -EEXIST;
}

/* Tracepoint fields hold kernel addresses (kfree_skb's location): the
 * ranges of a kernel function and its clones, from kallsyms. */
static int tp_ranges(struct lp_probe *p, const char *func, struct lp_range *out, int max, char *err,
		     size_t errlen)
{
	struct ksym_range r[LP_MAX_RANGES];
	int n;

	n = ksym_ranges(caches_ksym(p->caches), func, r, max < LP_MAX_RANGES ? max : LP_MAX_RANGES);
	if (n == -E2BIG)
		snprintf(err, errlen,
			 "a filter holds at most %d address ranges (one per `location in` and "
			 "per copy of its function): no room left for '%s'%s",
			 LP_MAX_RANGES, func,
			 max < LP_MAX_RANGES ? ", the filter's earlier `location in` took the rest"
					     : "");
	else if (n < 0)
		snprintf(err, errlen, "cannot read kernel symbols: %s", strerror(-n));
	if (n < 0)
		return n;
	if (n == 0) {
		snprintf(err, errlen, "no kernel function '%s'", func);
		return -ENOENT;
	}
	for (int i = 0; i < n; i++) {
		out[i].lo = r[i].start;
		out[i].hi = r[i].end;
	}
	return n;
}

const struct lp_kind kind_tracepoint = {
	.name = "tracepoint",
	.resolve = tp_resolve,
	.prepare = tp_prepare,
	.load = tp_load,
	.attach = tp_attach,
	.attached_as = tp_attached_as,
	.detach = tp_detach,
	.destroy = tp_destroy,
	.list = tp_list,
	.enum_value = tp_enum_value,
	.ranges = tp_ranges,
	.add_fetch = tp_add_fetch,
};
