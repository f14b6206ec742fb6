/* BTF-typed arguments, for the kinds whose program sees them as an array of
 * u64 (tp_btf, raw_tp, fentry/fexit): the prototype's parameters are
 * the roots of kernel fetch expressions (resolve/btf_expr.c), planned as
 * LP_FETCH_KVAL ops (plan/kval.c) the template bpf/btf.bpf.c follows. */
#include "kinds/btfargs.h"

#include <errno.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kinds/kind.h"
#include "plan/kval.h"
#include "resolve/kbtf.h"
#include "sym/ksym.h"
#include "util/suggest.h"
#include "btf.image.h"
#include "btf.skel.h"

struct lp_btfargs *btfargs_of(struct lp_probe *p)
{
	if (!p->priv) {
		struct lp_btfargs *a = calloc(1, sizeof(*a));

		if (a)
			a->direct = 1;
		p->priv = a;
	}
	return p->priv;
}

struct lp_kbtf *btfargs_kbtf(struct lp_probe *p)
{
	struct lp_btfargs *a = btfargs_of(p);

	if (p->caches)
		return caches_kbtf(p->caches);
	return a ? caches_kbtf(&a->own) : NULL;
}

int btfargs_from_proto(const struct btf *btf, uint32_t proto_id, int skip, int typed,
		       struct lp_btfargs *a, char *err, size_t errlen)
{
	const struct btf_type *t = btf__type_by_id(btf, proto_id);
	const struct btf_param *prm;
	int n;

	if (!t || !btf_is_func_proto(t)) {
		snprintf(err, errlen, "type %u is not a function prototype", proto_id);
		return -EINVAL;
	}
	n = btf_vlen(t) - skip;
	if (n > LP_BTF_MAX_ARGS) {
		snprintf(err, errlen, "%d arguments: luaprobe reads at most %d", n,
			 LP_BTF_MAX_ARGS);
		return -E2BIG;
	}
	a->btf = btf;
	a->typed = typed;
	prm = btf_params(t) + skip;
	for (int i = 0; i < n; i++, prm++) {
		const char *name = btf__name_by_offset(btf, prm->name_off);
		char ty[160];

		if (name && *name)
			a->names[i] = strdup(name);
		else if (asprintf(&a->names[i], "arg%d", i) < 0)
			a->names[i] = NULL;
		a->ctypes[i] = strdup(btf_expr_type_name(btf, prm->type, ty, sizeof(ty)));
		if (!a->names[i] || !a->ctypes[i])
			return -ENOMEM;
		a->roots[i].name = a->names[i];
		a->roots[i].type_id = prm->type;
		a->roots[i].typed = typed;
		a->slot[i] = i;
		a->nargs = a->nroots = i + 1;
	}
	return 0;
}

/* One more name for context slot `slot`, of type `type_id`. */
static int add_root(struct lp_btfargs *a, const char *name, uint32_t type_id, int slot)
{
	int r = a->nroots;
	char ty[160];

	if (r >= LP_BTF_MAX_ROOTS)
		return -E2BIG;
	a->names[r] = strdup(name);
	a->ctypes[r] = strdup(btf_expr_type_name(a->btf, type_id, ty, sizeof(ty)));
	if (!a->names[r] || !a->ctypes[r])
		return -ENOMEM;
	a->roots[r].name = a->names[r];
	a->roots[r].type_id = type_id;
	a->roots[r].typed = a->typed;
	a->slot[r] = slot;
	a->nroots = r + 1;
	return 0;
}

int btfargs_resolve_function(struct lp_btfargs *a, struct lp_kbtf *kb, const char *func, int fexit,
			     char *err, size_t errlen)
{
	const struct btf *btf = kbtf_vmlinux(kb);
	const struct btf_type *fn, *proto;
	int id, ret;

	if (!btf) {
		snprintf(err, errlen, "cannot read the kernel's BTF: %s", strerror(errno));
		return -ENOENT;
	}
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	fn = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!fn) {
		snprintf(err, errlen, "no BTF for kernel function '%s': %s needs it", func,
			 fexit ? "fexit" : "fentry");
		return -ENOENT;
	}
	ret = btfargs_from_proto(btf, fn->type, 0, 1, a, err, errlen);
	if (ret)
		return ret;
	a->attach_id = id;
	a->attach_type = fexit ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY;
	proto = btf__type_by_id(btf, fn->type);
	/* fexit's context holds the return value after the arguments, typed
	 * by the verifier as the arguments are; after twelve, in a slot the
	 * template does not load: no $retval rather than a wrong one */
	if (fexit && proto->type && a->nargs < LP_BTF_MAX_ARGS &&
	    (ret = add_root(a, "$retval", proto->type, a->nargs)))
		return ret;
	for (int i = 0; i < a->nargs; i++) {
		char name[16];

		snprintf(name, sizeof(name), "arg%d", i);
		if (strcmp(name, a->names[i]) && (ret = add_root(a, name, a->roots[i].type_id, i)))
			return ret;
	}
	return 0;
}

int btfargs_add_field(struct lp_probe *p, const char *name, const char *expr, char *err,
		      size_t errlen)
{
	return btfargs_add_field_in(p, btfargs_of(p), name, expr, err, errlen);
}

int btfargs_add_field_in(struct lp_probe *p, struct lp_btfargs *a, const char *name,
			 const char *expr, char *err, size_t errlen)
{
	unsigned op = p->plan.nfetch, dst = p->plan.data_size;
	struct lp_field f, *grown;
	struct lp_kloc loc;
	char why[384];
	int slot, ret;

	if (!a)
		return -ENOMEM;
	if (op >= LP_MAX_FETCH) {
		snprintf(err, errlen, "fetch '%s': at most %d fetches per probe", expr,
			 LP_MAX_FETCH);
		return -E2BIG;
	}
	ret = btf_expr_resolve(a->btf, a->roots, a->nroots, a->typed, expr, &loc, why, sizeof(why));
	if (ret == 0 && loc.nderef == 0 && loc.root >= 0) {
		/* an argument itself, as its declared type says (a cast of it
		 * keeps the cast's type) */
		int root = loc.root;

		if (strcmp(loc.ctype, a->ctypes[root]) == 0 &&
		    btf_expr_root_value(a->btf, a->roots[root].type_id, &loc) != 0) {
			snprintf(why, sizeof(why), "a %s cannot be fetched whole", a->ctypes[root]);
			ret = -EINVAL;
		}
		loc.root = root;
	}
	if (ret) {
		snprintf(err, errlen, "fetch '%s': %s", expr, why);
		return ret;
	}
	slot = plan_kval(&loc, loc.root >= 0 ? a->slot[loc.root] : 0, dst, a->direct,
			 &p->plan.fetch[op], &f, why, sizeof(why));
	if (slot < 0) {
		snprintf(err, errlen, "fetch '%s': %s", expr, why);
		return slot;
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

int btfargs_plan(struct lp_probe *p, char *err, size_t errlen)
{
	struct lp_btfargs *a = btfargs_of(p);

	if (!p->reqs) {
		/* every argument by its name, as a tracepoint's fields */
		for (int i = 0; i < a->nargs; i++) {
			int ret = btfargs_add_field(p, a->names[i], a->names[i], err, errlen);

			if (ret == -ENOMEM || ret == -E2BIG)
				return ret;
		}
		return 0;
	}
	for (int i = 0; i < p->nreqs; i++) {
		int ret = btfargs_add_field(p, p->reqs[i].name, p->reqs[i].expr, err, errlen);

		if (ret)
			return ret;
	}
	return 0;
}

/* SEC("lp_tp_btf") (bpf/btf.bpf.c) is opened as a raw_tp program, so that
 * libbpf does not parse vmlinux BTF for the object, and turned into the
 * tp_btf, fentry or fexit program it is just before the kernel sees it,
 * with the attach id from the session's BTF. libbpf's callback carries no
 * per-program context: the id and attach type of the program being loaded
 * are set around lp_btf__load(), which runs on this thread. Id -1: a
 * module's tracepoint, whose id and BTF fd bpf_program__set_attach_target()
 * put in opts already. */
static __thread int loading_attach_id, loading_attach_type;

static int shared_prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	int type = loading_attach_type ? loading_attach_type : BPF_TRACE_RAW_TP;

	(void)cookie;
	if (!loading_attach_id) { /* raw_tp */
		opts->expected_attach_type = 0;
		return 0;
	}
	opts->expected_attach_type = type;
	if (loading_attach_id > 0) {
		opts->attach_btf_id = loading_attach_id;
		opts->attach_btf_obj_fd = 0;
	}
	/* bpf_program__attach_trace() creates the link with the attach type
	 * libbpf holds for the program, which must be the kernel's */
	if (bpf_program__set_expected_attach_type(prog, type))
		return -EBUSY;
	return bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING);
}

static int register_shared(char *err, size_t errlen)
{
	static int done, ret;
	LIBBPF_OPTS(libbpf_prog_handler_opts, h, .prog_prepare_load_fn = shared_prepare);

	if (!done) {
		done = 1;
		ret = libbpf_register_prog_handler("lp_tp_btf", BPF_PROG_TYPE_RAW_TRACEPOINT,
						   BPF_TRACE_RAW_TP, &h);
		ret = ret < 0 ? ret : 0;
	}
	if (ret)
		snprintf(err, errlen, "cannot register the BTF template's section with libbpf: %s",
			 strerror(-ret));
	return ret;
}

struct bpf_program *btfargs_prog(const struct lp_probe *p)
{
	struct lp_btf *skel = p->skel;

	return skel ? load_picked(skel->obj) : NULL;
}

int btfargs_prog_fd(const struct lp_probe *p, const struct lp_btfargs *a)
{
	if (a->by_fd && a->img_fd >= 0)
		return a->img_fd;
	return p->skel ? bpf_program__fd(btfargs_prog(p)) : -1;
}

/* Which image a raw program is loaded from: the program load_pick takes
 * follows from the layers, and the maps libbpf creates from the number of
 * aggregations and whether their counts have pending runs (lp_pend). */
static void image_key(const struct lp_probe *p, char *key, size_t size)
{
	snprintf(key, size, "btf raw %x %d %d", load_layers(&p->plan), p->naggs,
		 load_pends(&p->plan));
}

static int load_once(struct lp_probe *p, struct lp_btfargs *a, const struct lp_maps *m,
		     const char *target, char *err, size_t errlen)
{
	struct lp_btf *skel;
	struct bpf_map *aggs[LP_MAX_AGG];
	char key[64];
	int ret;

	/* raw and tp_btf programs run with preemption off (fentry's may not):
	 * a per-CPU slot is theirs alone */
	load_pend_plan(p, a->raw || a->attach_type == 0);
	if (a->by_fd && a->raw && p->caches) {
		image_key(p, key, sizeof(key));
		/* the template's table relocated at build time, as a raw_tp
		 * program (its section is luaprobe's own, which libbpf did not
		 * know there), or an earlier probe's program libbpf loaded */
		(void)load_image_tmpl(&p->caches->images, key, &lp_btf_tmpl, "lp_btf", &p->plan,
				      BPF_PROG_TYPE_RAW_TRACEPOINT, 0, m, p->naggs,
				      offsetof(struct lp_btf__rodata, plan));
		/* any failure: libbpf loads it, and says why if it cannot */
		a->img_fd = load_image_load(p->caches->images, key, p, &p->plan, NULL);
		if (a->img_fd >= 0)
			return 0;
		a->img_fd = -1;
	}
	ret = register_shared(err, errlen);
	if (ret)
		return ret;
	skel = lp_btf__open();
	if (!skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the BTF template: %s", strerror(-ret));
		return ret;
	}
	p->skel = skel;
	/* the smallest of the template's programs that does what the plan does */
	if (!load_pick(skel->obj, "lp_btf", &p->plan)) {
		snprintf(err, errlen, "the BTF template has no program for this probe");
		lp_btf__destroy(skel);
		p->skel = NULL;
		return -ENOENT;
	}
	aggs[0] = skel->maps.lp_agg0;
	aggs[1] = skel->maps.lp_agg1;
	memcpy((void *)&skel->rodata->plan, &p->plan, sizeof(p->plan));
	ret = load_share_maps(skel->maps.lp_events, skel->maps.lp_lost, m);
	if (!ret) /* latency(): kinds/registry.c's pairs */
		ret = load_share_lat(skel->maps.lp_lat, m);
	if (!ret && !a->raw && !a->attach_id)
		ret = bpf_program__set_attach_target(load_picked(skel->obj), 0, target);
	else
		(void)target;
	for (int i = 0; !ret && i < p->naggs; i++)
		ret = load_size_agg(aggs[i], p, i);
	/* an aggregation the plan does not have: a map not made (its
	 * references, if any, are in code the frozen plan never reaches) */
	for (int i = p->naggs; !ret && i < LP_MAX_AGG; i++)
		ret = bpf_map__set_autocreate(aggs[i], false);
	if (!ret)
		ret = load_pend_prepare(skel->maps.lp_pend, skel->maps.lp_pctl, p);
	if (!ret) {
		loading_attach_id = a->raw ? 0 : a->attach_id ? a->attach_id : -1;
		loading_attach_type = a->attach_type;
		ret = lp_btf__load(skel);
		loading_attach_id = loading_attach_type = 0;
	}
	if (ret) {
		const char *why = load_last_error();

		snprintf(err, errlen, "the kernel refused the program: %s%s%s", strerror(-ret),
			 *why ? ": " : "", why);
		lp_btf__destroy(skel);
		p->skel = NULL;
		return ret;
	}
	for (int i = 0; i < p->naggs; i++)
		p->aggs[i].fd = bpf_map__fd(aggs[i]);
	load_pend_take(skel->maps.lp_pend, skel->maps.lp_pctl, p);
	if (a->by_fd && a->raw && p->caches)
		/* no image (an object it cannot copy): each probe loads its own */
		(void)load_image_keep(
			&p->caches->images, key, skel->obj, load_picked(skel->obj), 0, m, aggs,
			p->naggs,
			(size_t)((const char *)&skel->rodata->plan - (const char *)skel->rodata));
	return 0;
}

/* How the program runs, for -v. */
static const char *mech_of(const struct lp_btfargs *a)
{
	if (a->raw)
		return "raw_tp";
	if (a->attach_type == BPF_TRACE_FENTRY)
		return "fentry";
	return a->attach_type == BPF_TRACE_FEXIT ? "fexit" : "tp_btf";
}

int btfargs_load(struct lp_probe *p, const struct lp_maps *m, const char *target, char *err,
		 size_t errlen)
{
	return btfargs_load_in(p, p->priv, m, target, err, errlen);
}

int btfargs_load_in(struct lp_probe *p, struct lp_btfargs *a, const struct lp_maps *m,
		    const char *target, char *err, size_t errlen)
{
	int ndirect = 0, ret;

	for (unsigned i = 0; i < p->plan.nfetch; i++)
		ndirect += p->plan.fetch[i].ndirect;
	snprintf(a->as, sizeof(a->as), "%s%s", mech_of(a), ndirect ? ", direct loads" : "");
	ret = load_once(p, a, m, target, err, errlen);
	if (ret && ndirect) {
		/* a chain the verifier types otherwise than BTF says (a union
		 * member it does not pick): every read through probe-read */
		char first[256];

		snprintf(first, sizeof(first), "%s", load_last_error());
		for (unsigned i = 0; i < p->plan.nfetch; i++)
			p->plan.fetch[i].ndirect = 0;
		a->direct = 0;
		snprintf(a->as, sizeof(a->as), "%s (direct loads refused: %.100s)", mech_of(a),
			 first);
		ret = load_once(p, a, m, target, err, errlen);
	}
	return ret;
}

void btfargs_release(struct lp_probe *p, struct lp_btfargs *a)
{
	bpf_link__destroy(p->link);
	p->link = NULL;
	lp_btf__destroy(p->skel);
	p->skel = NULL;
	if (!a)
		return;
	if (a->by_fd && a->img_fd >= 0)
		close(a->img_fd);
	for (int i = 0; i < a->nroots; i++) {
		free(a->names[i]);
		free(a->ctypes[i]);
	}
	caches_free(&a->own);
	free(a);
}

void btfargs_destroy(struct lp_probe *p)
{
	btfargs_release(p, p->priv);
	p->priv = NULL;
}

int btfargs_describe(struct lp_probe *p, FILE *out)
{
	struct lp_btfargs *a = p->priv;

	for (int i = 0; a && i < a->nargs; i++)
		kind_print_decl(out, a->ctypes[i], a->names[i]);
	return 0;
}

int btfargs_scope(struct lp_probe *p, char ***names)
{
	struct lp_btfargs *a = p->priv;
	int n = a ? a->nargs : 0;

	*names = calloc(n + 2, sizeof(**names));
	if (!*names)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		(*names)[i] = strdup(a->names[i]);
	(*names)[n] = strdup("curtask");
	return n + 1;
}

/* As a classic tracepoint's: kernel enums from BTF, the compared field's own
 * enumerators first. */
int btfargs_enum_value(struct lp_probe *p, const char *name, const char *hint, long long *val,
		       char *err, size_t errlen)
{
	struct lp_kbtf *kb = btfargs_kbtf(p);
	int ret, n;

	if (!hint || strncmp(hint, "enum ", 5) != 0)
		return kbtf_enum_lookup_any(kb, name, val, err, errlen);
	ret = kbtf_enum_value_in(kb, hint, name, val);
	if (ret != -EEXIST)
		return ret == 0 ? 0 : kbtf_enum_lookup_any(kb, name, val, err, errlen);
	n = snprintf(err, errlen, "in %s it could be ", hint);
	if (n > 0 && (size_t)n < errlen)
		kbtf_enum_candidates(kb, hint, name, err + n, errlen - n);
	return -EEXIST;
}

int btfargs_ranges(struct lp_probe *p, const char *func, struct lp_range *out, int max, char *err,
		   size_t errlen)
{
	struct ksym_range r[LP_MAX_RANGES];
	int n;

	n = ksym_ranges(caches_ksym(p->caches), func, r, max < LP_MAX_RANGES ? max : LP_MAX_RANGES);
	if (n == -E2BIG)
		snprintf(err, errlen, "'%s' has more pieces than one filter holds (%d)", func, max);
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

int btfargs_add_fetch(struct lp_probe *p, const char *expr, char *err, size_t errlen)
{
	return btfargs_add_field(p, expr, expr, err, errlen);
}

/* ---- tracepoints with BTF ---- */

#define TRACE_PREFIX "btf_trace_"

struct tp_names {
	const char *glob; /* NULL: collect every name */
	char **names;
	int n, cap;
};

static int collect(const struct btf *btf, const char *module, void *arg)
{
	struct tp_names *c = arg;
	uint32_t cnt = btf__type_cnt(btf);
	size_t plen = strlen(TRACE_PREFIX);
	int added = 0;

	(void)module;
	/* a module's split BTF starts after vmlinux's types */
	for (uint32_t i = btf__base_btf(btf) ? btf__type_cnt(btf__base_btf(btf)) : 1; i < cnt;
	     i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name;

		if (!btf_is_typedef(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name || strncmp(name, TRACE_PREFIX, plen) != 0)
			continue;
		name += plen;
		if (c->glob && fnmatch(c->glob, name, 0) != 0)
			continue;
		if (c->n == c->cap) {
			int cap = c->cap ? 2 * c->cap : 256;
			char **grown = realloc(c->names, cap * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			c->names = grown;
			c->cap = cap;
		}
		c->names[c->n++] = (char *)name;
		added++;
	}
	return added;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The typedef's prototype has no parameter names; the functions the
 * kernel generates for the tracepoint (__bpf_trace_NAME, __probestub_NAME)
 * have the same parameters, named as the TRACE_EVENT's TP_PROTO. */
static uint32_t named_proto(struct lp_kbtf *kb, const struct btf *btf, const char *event,
			    uint32_t proto)
{
	static const char *const funcs[] = { "__bpf_trace_%s", "__probestub_%s" };
	const struct btf_type *want = btf__type_by_id(btf, proto);

	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		const struct btf_type *f, *fp;
		const struct btf *in;
		char name[300];
		int id;

		snprintf(name, sizeof(name), funcs[i], event);
		if (kbtf_find(kb, name, BTF_KIND_FUNC, &in, &id, NULL) != 0 || in != btf)
			id = 0;
		f = id > 0 ? btf__type_by_id(btf, id) : NULL;
		fp = f ? btf__type_by_id(btf, f->type) : NULL;
		if (fp && btf_is_func_proto(fp) && btf_vlen(fp) == btf_vlen(want))
			return f->type;
	}
	return proto;
}

int btfargs_resolve_tracepoint(struct lp_probe *p, int typed, char *err, size_t errlen)
{
	struct lp_btfargs *a = btfargs_of(p);
	const struct btf *btf;
	const struct btf_type *t;
	char name[256];
	int id, ret;

	if (!a)
		return -ENOMEM;
	if (point_has_wildcard(&p->point)) {
		snprintf(err, errlen, "wildcards in tracepoint names are not supported yet");
		return -EINVAL;
	}
	a->raw = !typed;
	snprintf(name, sizeof(name), TRACE_PREFIX "%s", p->point.event);
	ret = kbtf_find(btfargs_kbtf(p), name, BTF_KIND_TYPEDEF, &btf, &id, &a->module);
	if (ret == -ENOENT) {
		struct tp_names c = { 0 };
		const char *near = NULL;

		if (kbtf_each(btfargs_kbtf(p), collect, &c) > 0)
			near = suggest_closest(p->point.event, (const char *const *)c.names, c.n);
		snprintf(err, errlen, "no tracepoint '%s' in the kernel's BTF", p->point.event);
		if (near)
			suggest_append(err, errlen, near);
		else
			snprintf(err + strlen(err), errlen - strlen(err),
				 " (luaprobe -l '%s:*' lists them)", typed ? "tp_btf" : "rawtp");
		free(c.names);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "cannot read the kernel's BTF: %s", strerror(-ret));
		return ret;
	}
	/* the kernel wants the typedef's id; a module's needs its BTF's fd too,
	 * which libbpf's own way finds */
	if (typed && !a->module)
		a->attach_id = id;
	/* typedef void (*btf_trace_NAME)(void *__data, args...) */
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_ptr(t)) {
		snprintf(err, errlen, "%s is not the prototype a tracepoint's BTF has", name);
		return -EINVAL;
	}
	ret = btfargs_from_proto(btf, named_proto(btfargs_kbtf(p), btf, p->point.event, t->type), 1,
				 typed, a, err, errlen);
	if (!ret)
		ret = btfargs_plan(p, err, errlen);
	return ret;
}

int btfargs_list_tracepoints(const char *prefix, const char *pattern, struct lp_caches *c,
			     FILE *out, char *err, size_t errlen)
{
	size_t plen = strlen(prefix);
	struct lp_caches own = { 0 };
	struct tp_names names = { 0 };
	char glob[512];
	int ret;

	if (strncmp(pattern, prefix, plen) != 0 || pattern[plen] != ':')
		return 0;
	pattern += plen + 1;
	if (!*pattern || !strpbrk(pattern, "*?["))
		snprintf(glob, sizeof(glob), "*%s*", pattern);
	else
		snprintf(glob, sizeof(glob), "%s", pattern);
	names.glob = glob;
	ret = kbtf_each(caches_kbtf(c ? c : &own), collect, &names);
	if (ret < 0) {
		snprintf(err, errlen, "cannot read the kernel's BTF: %s", strerror(-ret));
	} else {
		qsort(names.names, names.n, sizeof(*names.names), cmp_str);
		for (int i = 0; i < names.n; i++)
			fprintf(out, "%s:%s\n", prefix, names.names[i]);
		ret = names.n;
	}
	free(names.names);
	caches_free(&own);
	return ret;
}
