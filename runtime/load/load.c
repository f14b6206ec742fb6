#include "load/load.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <luaprobe/event.h>
#include <luaprobe/plan.h>

#include "plan/plan.h"
#include "probe.h"
#include "session.h"

/* libbpf's print callback takes no context: the session its messages go
 * to. The messages themselves are kept in the session. */
static struct lp_session *log_session;

/* libbpf prints a refused program's verifier log line by line; the most
 * useful single line is the last one before "processed N insns" or the
 * END marker, so remember the last line that is neither. A new log starts
 * afresh, so a failure never quotes an earlier program's line. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	struct lp_session *s = log_session;
	char buf[1024];
	char *line, *save = NULL;
	va_list copy;

	if (!s)
		return 0;
	/* -v: libbpf's warnings (a refused program's verifier log in full);
	 * -vv: its debug log too. */
	if (s->opt.verbose > 1 || (s->opt.verbose && level != LIBBPF_DEBUG)) {
		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "-- BEGIN PROG LOAD LOG --")) {
			s->load_error[0] = '\0';
			continue;
		}
		if (!*line || strstr(line, "-- END PROG LOAD LOG --") ||
		    strncmp(line, "processed ", 10) == 0 ||
		    strncmp(line, "verification time", 17) == 0 ||
		    strncmp(line, "stack depth", 11) == 0)
			continue;
		snprintf(s->load_error, sizeof(s->load_error), "%s", line);
	}
	return 0;
}

void load_init_logging(struct lp_session *s)
{
	log_session = s;
	if (s)
		s->load_error[0] = '\0';
	libbpf_set_print(libbpf_print);
}

void load_error_clear(void)
{
	if (log_session)
		log_session->load_error[0] = '\0';
}

const char *load_last_error(void)
{
	return log_session ? log_session->load_error : "";
}

/* Per CPU: ~8k events of a typical size (a 64-byte record) while the
 * reader sweeps (LP_SWEEP_MS); a probe with large records gets room for
 * LP_RB_RECORDS of them per CPU. */
#define LP_RB_PER_CPU (512u << 10)
#define LP_RB_RECORDS 128u
#define LP_RB_MAX (256u << 20)

static size_t pow2_up(size_t v)
{
	size_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

size_t load_ringbuf_size(struct lp_probe *const *probes, int n, size_t asked)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t rec = 0, per_cpu;

	for (int i = 0; i < n; i++) {
		const struct lp_probe *p = probes[i];
		/* a ring-buffer record: its own 8-byte header, 8-byte aligned */
		size_t r = 8 + ((sizeof(struct lp_event_hdr) + p->plan.data_size + 7) & ~(size_t)7);

		if (p->handler_ref < 0 && !(p->plan.stack & LP_STACK_NOTE))
			continue; /* nothing of it reaches user space */
		if (r > rec)
			rec = r;
	}
	if (!rec)
		return 0;
	if (asked)
		return asked;
	if (ncpu < 1)
		ncpu = 1;
	per_cpu = LP_RB_RECORDS * rec > LP_RB_PER_CPU ? LP_RB_RECORDS * rec : LP_RB_PER_CPU;
	if (per_cpu * (size_t)ncpu >= LP_RB_MAX)
		return LP_RB_MAX;
	return pow2_up(per_cpu * (size_t)ncpu);
}

int load_maps_create(struct lp_maps *m, size_t ringbuf_size, int pairs)
{
	int err;

	m->lat_fd = -1;
	m->events_fd = -1;
	if (ringbuf_size) {
		m->events_fd =
			bpf_map_create(BPF_MAP_TYPE_RINGBUF, "lp_events", 0, 0, ringbuf_size, NULL);
		if (m->events_fd < 0) {
			err = -errno;
			m->lost_fd = -1;
			return err;
		}
	}
	m->lost_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "lp_lost", sizeof(__u32),
				    sizeof(__u64), LP_LOST_SLOTS, NULL);
	if (m->lost_fd < 0) {
		err = -errno;
		load_maps_close(m);
		return err;
	}
	/* Made only for a run with latency(): even unpreallocated, its
	 * buckets took 0.3 ms of every start. */
	if (!pairs)
		return 0;
	LIBBPF_OPTS(bpf_map_create_opts, lat_opts, .map_flags = BPF_F_NO_PREALLOC);
	m->lat_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "lp_lat", 2 * sizeof(__u64), sizeof(__u64),
				   LP_LAT_MAX, &lat_opts);
	if (m->lat_fd < 0) {
		err = -errno;
		load_maps_close(m);
		return err;
	}
	return 0;
}

void load_maps_close(struct lp_maps *m)
{
	if (m->events_fd >= 0)
		close(m->events_fd);
	if (m->lost_fd >= 0)
		close(m->lost_fd);
	if (m->lat_fd >= 0)
		close(m->lat_fd);
	m->events_fd = m->lost_fd = m->lat_fd = -1;
}

int load_share_maps(struct bpf_map *events, struct bpf_map *lost, const struct lp_maps *m)
{
	/* No ring buffer in the run: the object's lp_events is not created
	 * either. libbpf turns the program's references to it into calls the
	 * verifier refuses only if reached, and a probe without a handler
	 * never reaches them (plan.emit is 0 in its frozen plan). */
	int err = m->events_fd >= 0 ? bpf_map__reuse_fd(events, m->events_fd)
				    : bpf_map__set_autocreate(events, false);

	if (!err)
		err = bpf_map__reuse_fd(lost, m->lost_fd);
	return err;
}

int load_share_lat(struct bpf_map *lat, const struct lp_maps *m)
{
	/* no latency() in the run: as lp_events above, never reached */
	return m->lat_fd >= 0 ? bpf_map__reuse_fd(lat, m->lat_fd)
			      : bpf_map__set_autocreate(lat, false);
}

unsigned load_layers(const struct lp_plan *plan)
{
	unsigned l = 0;

	if (plan->ninsn)
		l |= LP_L_FILTER;
	if (plan->nagg > 0)
		l |= LP_L_AGG;
	if (plan->nagg > 1)
		l |= LP_L_AGG2;
	for (unsigned i = 0; i < plan->nagg && i < LP_MAX_AGG; i++)
		if (!plan_agg_lean(&plan->agg[i]))
			l |= LP_L_AGGX;
	if (plan->emit || (plan->stack & LP_STACK_NOTE))
		l |= LP_L_EMIT;
	if (plan->lat.role || (plan->stack & (LP_STACK_KERNEL | LP_STACK_USER)))
		l |= LP_L_MORE;
	for (unsigned i = 0; i < plan->nfetch && i < LP_MAX_FETCH; i++) {
		const struct lp_fetch *f = &plan->fetch[i];

		if (f->kind == LP_FETCH_CTX)
			l |= LP_L_REC;
		else if (f->kind == LP_FETCH_DATALOC || f->kind == LP_FETCH_USTR)
			l |= LP_L_STR;
		else if (f->kind == LP_FETCH_KVAL || f->kind == LP_FETCH_UWIN ||
			 f->kind == LP_FETCH_STAGE)
			l |= LP_L_KVAL;
		else if (f->kind == LP_FETCH_UVAL && !(f->flags & LP_FF_CONST)) {
			if (f->flags & LP_FF_STR)
				l |= LP_L_STR;
			if ((f->flags & LP_FF_ADDR) || f->nderef)
				l |= LP_L_KVAL;
		}
	}
	return l;
}

/* The layers a program of the family `base` has, or -1 if it is not one. */
static long program_layers(const char *name, const char *base)
{
	size_t n = strlen(base);
	unsigned long l;
	char *end;

	if (strncmp(name, base, n))
		return -1;
	if (!name[n])
		return LP_L_ALL;
	if (name[n] != '_' || !isxdigit((unsigned char)name[n + 1]))
		return -1;
	l = strtoul(name + n + 1, &end, 16);
	return *end || l > LP_L_ALL ? -1 : (long)l;
}

int load_pick_of(const char *const *names, const unsigned *sizes, int n, const char *base,
		 const struct lp_plan *plan)
{
	unsigned need = load_layers(plan);
	int best = -1, best_extra = 0;

	/* the fewest layers the plan does not use (a layer's code may be
	 * smaller than what a plan without it runs instead: the lean count's
	 * pending runs are not in the general aggregation), then the smallest */
	for (int i = 0; i < n; i++) {
		long have = program_layers(names[i], base);
		int extra;

		if (have < 0 || (need & ~(unsigned long)have))
			continue;
		extra = __builtin_popcountl((unsigned long)have & ~(unsigned long)need);
		if (best < 0 || extra < best_extra ||
		    (extra == best_extra && sizes[i] < sizes[best])) {
			best = i;
			best_extra = extra;
		}
	}
	return best;
}

struct bpf_program *load_pick(struct bpf_object *obj, const char *base, const struct lp_plan *plan)
{
	struct bpf_program *prog, *progs[64], *best = NULL;
	const char *names[64];
	unsigned sizes[64];
	int n = 0, i;

	bpf_object__for_each_program(prog, obj) {
		if (n == 64) /* the templates have up to 22 */
			break;
		progs[n] = prog;
		names[n] = bpf_program__name(prog);
		sizes[n++] = bpf_program__insn_cnt(prog);
	}
	i = load_pick_of(names, sizes, n, base, plan);
	if (i >= 0)
		best = progs[i];
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, prog == best);
	if (!best)
		errno = ENOENT;
	return best;
}

struct bpf_program *load_picked(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (bpf_program__autoload(prog))
			return prog;
	return NULL;
}

#define AGG_DEFAULT_KEYS 10240

void load_agg_shape(const struct lp_probe *p, int idx, struct lp_agg_shape *sh)
{
	const struct lp_agg *a = &p->plan.agg[idx];

	sh->value_size = plan_agg_value_size(p, idx);
	/* Without keys there is one value: a per-CPU array, whose lookup the
	 * verifier inlines, instead of hashing a zero key every event. The
	 * template's key buffer starts with the u32 0 an array wants. */
	if (a->nkeys == 0 && a->kind != LP_AGG_HIST && a->kind != LP_AGG_LHIST) {
		sh->type = BPF_MAP_TYPE_PERCPU_ARRAY;
		sh->key_size = sizeof(__u32);
		sh->max_entries = 1;
		return;
	}
	sh->type = BPF_MAP_TYPE_PERCPU_HASH; /* bpf/agg.bpf.h's */
	sh->key_size = a->key_size;
	sh->max_entries = p->max_keys ? p->max_keys : AGG_DEFAULT_KEYS;
}

int load_size_agg(struct bpf_map *map, const struct lp_probe *p, int idx)
{
	struct lp_agg_shape sh;
	int err = 0;

	load_agg_shape(p, idx, &sh);
	err = bpf_map__set_type(map, sh.type);
	if (!err)
		err = bpf_map__set_key_size(map, sh.key_size);
	if (!err)
		err = bpf_map__set_value_size(map, sh.value_size);
	if (!err)
		err = bpf_map__set_max_entries(map, sh.max_entries);
	return err;
}

int load_pends(const struct lp_plan *plan)
{
	for (unsigned i = 0; i < plan->nagg && i < LP_MAX_AGG; i++)
		if (plan->agg[i].pend)
			return 1;
	return 0;
}

void load_pend_plan(struct lp_probe *p, int on)
{
	for (unsigned i = 0; i < p->plan.nagg && i < LP_MAX_AGG; i++) {
		struct lp_agg *a = &p->plan.agg[i];

		/* a keyed count whose key fits a slot (by pid, by comm; not a
		 * stack); an unkeyed count is a per-CPU array's one value */
		a->pend = on && a->kind == LP_AGG_COUNT && !a->val_size && a->nkeys > 0 &&
			  a->key_size <= sizeof(((struct lp_pend *)0)->key);
	}
}

int load_pend_prepare(struct bpf_map *pend, struct bpf_map *pctl, const struct lp_probe *p)
{
	int err;

	if (load_pends(&p->plan))
		return 0;
	err = bpf_map__set_autocreate(pend, false);
	return err ? err : bpf_map__set_autocreate(pctl, false);
}

void load_pend_take(struct bpf_map *pend, struct bpf_map *pctl, struct lp_probe *p)
{
	int on = load_pends(&p->plan);

	/* as the aggregations' fds: the object's until load_release */
	p->pend_fd = on ? bpf_map__fd(pend) : -1;
	p->pctl_fd = on ? bpf_map__fd(pctl) : -1;
}

unsigned long long load_lost(const struct lp_maps *m, unsigned slot)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long total = 0;
	__u32 key = slot;
	__u64 *vals;

	if (ncpu <= 0 || m->lost_fd < 0)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	if (bpf_map_lookup_elem(m->lost_fd, &key, vals) == 0)
		for (int i = 0; i < ncpu; i++)
			total += vals[i];
	free(vals);
	return total;
}

int load_release(struct lp_probe *p)
{
	int fds[LP_MAX_AGG], pend = -1, pctl = -1;

	if (p->released)
		return 0; /* its own already (load/image.h) */
	if (p->pend_fd >= 0) {
		pend = fcntl(p->pend_fd, F_DUPFD_CLOEXEC, 3);
		pctl = fcntl(p->pctl_fd, F_DUPFD_CLOEXEC, 3);
		if (pend < 0 || pctl < 0) {
			int err = -errno;

			if (pend >= 0)
				close(pend);
			if (pctl >= 0)
				close(pctl);
			return err;
		}
	}
	for (int a = 0; a < p->naggs; a++) {
		fds[a] = p->aggs[a].fd >= 0 ? fcntl(p->aggs[a].fd, F_DUPFD_CLOEXEC, 3) : -1;
		if (p->aggs[a].fd >= 0 && fds[a] < 0) {
			int err = -errno;

			while (a--)
				if (fds[a] >= 0)
					close(fds[a]);
			if (pend >= 0) {
				close(pend);
				close(pctl);
			}
			return err;
		}
	}
	for (int a = 0; a < p->naggs; a++)
		p->aggs[a].fd = fds[a];
	if (pend >= 0) {
		p->pend_fd = pend;
		p->pctl_fd = pctl;
	}
	p->released = 1;
	return 0;
}

void load_close_aggs(struct lp_probe *p)
{
	if (!p->released)
		return;
	for (int a = 0; a < p->naggs; a++) {
		if (p->aggs[a].fd >= 0)
			close(p->aggs[a].fd);
		p->aggs[a].fd = -1;
	}
	if (p->pend_fd >= 0) {
		close(p->pend_fd);
		close(p->pctl_fd);
	}
	p->pend_fd = p->pctl_fd = -1;
	p->released = 0;
}

/* One attachment to end: a libbpf link, or a link fd a kind made itself. */
struct detach_item {
	struct bpf_link *link;
	int fd;
};

struct detach_work {
	struct detach_item *items;
	int n;
	int next; /* taken under lock */
	pthread_mutex_t lock;
};

static void *detach_worker(void *arg)
{
	struct detach_work *w = arg;

	for (;;) {
		int i;

		pthread_mutex_lock(&w->lock);
		i = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= w->n)
			return NULL;
		if (w->items[i].link)
			bpf_link__destroy(w->items[i].link);
		else
			close(w->items[i].fd);
	}
}

#define DETACH_THREADS 64

void load_detach_all(struct lp_probe **probes, int n)
{
	struct detach_work w = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t tids[DETACH_THREADS];
	int nitems = 0, nt = 0;

	for (int i = 0; i < n; i++) {
		nitems += (probes[i]->link != NULL) + (probes[i]->link_fd > 0);
		for (int k = 0; k < probes[i]->ninsts; k++)
			nitems += (probes[i]->insts[k].link != NULL) +
				  (probes[i]->insts[k].link_fd > 0);
	}
	w.items = nitems ? calloc(nitems, sizeof(*w.items)) : NULL;
	if (!w.items)
		return; /* each kind's destroy detaches its own, one by one */
	for (int i = 0; i < n; i++) {
		struct lp_probe *p = probes[i];

		if (p->link)
			w.items[w.n++].link = p->link;
		if (p->link_fd > 0)
			w.items[w.n++].fd = p->link_fd;
		p->link = NULL;
		p->link_fd = 0;
		for (int k = 0; k < p->ninsts; k++) {
			struct lp_inst *in = &p->insts[k];

			if (in->link)
				w.items[w.n++].link = in->link;
			if (in->link_fd > 0)
				w.items[w.n++].fd = in->link_fd;
			in->link = NULL;
			in->link_fd = 0;
		}
	}
	/* one link needs no thread; a thread that cannot start leaves its
	 * share to the others (and, with none, to this one) */
	while (w.n > 1 && nt < DETACH_THREADS && nt < w.n &&
	       pthread_create(&tids[nt], NULL, detach_worker, &w) == 0)
		nt++;
	detach_worker(&w);
	for (int t = 0; t < nt; t++)
		pthread_join(tids[t], NULL);
	free(w.items);
}
