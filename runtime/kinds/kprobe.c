/* Kernel functions: kprobe:f[+OFF], kretprobe:f, fentry:f, fexit:f,
 * kernel.function("f")[.return|.label("l")|.statement("f@file:N")],
 * kernel.statement("f@file:N") and module("m").function("f").
 *
 * Mechanism: kprobe and kretprobe through the pt_regs template
 * (bpf/regs.bpf.c, kernel reads); fentry/fexit through the BTF template
 * (bpf/btf.bpf.c, kinds/btfargs.c), whose context is the arguments as u64s.
 * kernel.function("f") takes fentry where the kernel allows it and f has
 * one out-of-line copy under its own name, else a kprobe on every copy.
 * Labels and statements come from the kernel's DWARF (resolve/kdebug.h)
 * and go to symbol+offset of the clone they sit in.
 *
 * Arguments: at a label or statement, anything in scope from DWARF. At
 * kprobe:f[+OFF] and kretprobe:f with debuginfo at hand (the kernel's, or
 * a module's .ko debuginfo for module("m")), the parameters and $retval
 * from DWARF at each copy's symbol (dwarf_symbol_site: no walk over the
 * kernel's CUs), clones included, read on the first fetch that names one
 * (kf_dwarf_params). Else by name from BTF's prototype through the calling
 * convention (kprobe: rdi rsi rdx rcx r8 r9; fentry: the context's u64s),
 * and always arg0..arg5. fentry/fexit load bpf/btf.bpf.c instead
 * (kinds/btfargs.c): the parameters and $retval are typed roots, so
 * skb->dev->name is a chain of direct loads; at a kprobe without
 * debuginfo, kf_btf_fetch resolves the same chain through BTF from the
 * argument registers into the pt_regs template's register chain. */
#include "kinds/kind.h"

#include <errno.h>
#include <fnmatch.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kinds/btfargs.h"
#include "plan/plan.h"
#include "resolve/dwarf/dwarf.h"
#include "resolve/kbtf.h"
#include "resolve/kdebug.h"
#include "sym/ksym.h"
#include "util/suggest.h"
#include "regs.skel.h"

enum kf_mech { KF_KPROBE, KF_KRETPROBE, KF_FENTRY, KF_FEXIT };
static const char *const mech_name[] = { "kprobe", "kretprobe", "fentry", "fexit" };

/* Wildcards without kprobe.multi load one program per function: past this
 * many, a typo such as "*" would take minutes and thousands of kprobes. */
#define KF_MAX_SINGLE 64
#define KF_NREGARGS 6

/* x86-64 argument registers, as DWARF numbers them: rdi rsi rdx rcx r8 r9. */
static const int arg_reg[KF_NREGARGS] = { 5, 4, 1, 2, 8, 9 };

struct kf_arg {
	char *name;
	char *ctype;
	int size;
	int is_signed;
};

/* One attach point: a symbol and an offset in it; with debuginfo, the
 * DWARF site fetches are resolved at. */
struct kf_place {
	struct lp_site *site; /* NULL without debuginfo */
	char *sym;
	uint64_t off;
	int clone; /* a .constprop/.isra copy: BTF's prototype may not hold */
};

struct kf_state {
	enum kf_mech mech;
	int multi; /* one kprobe.multi program for every place */
	struct lp_dwarf *d; /* the session's, not ours to close */
	struct kf_arg *args; /* BTF's prototype of the function as written */
	int nargs; /* -1: no prototype known */
	struct kf_arg ret;
	struct lp_btfargs *bt; /* fentry/fexit: the template is bpf/btf.bpf.c */
	int dwarf_tried; /* kf_dwarf_params ran: the places' sites are what it found */
};

/* ---- what the kernel can do ---- */

static int have_kprobes(void)
{
	return access("/sys/bus/event_source/devices/kprobe", F_OK) == 0 ||
	       access("/sys/kernel/tracing/kprobe_events", F_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0;
}

/* Whether the kernel takes a fentry program: a two-instruction one against
 * a BTF function, loaded once per process (the answer is the kernel's and
 * does not change while we run). 0 when it does, else -errno. */
static int fentry_works(void)
{
	static int known, result;
	struct bpf_insn insn[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	struct btf *btf;
	int fd, id;

	if (known)
		return result;
	known = 1;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return result = -ENOENT;
	id = btf__find_by_name_kind(btf, "vfs_read", BTF_KIND_FUNC);
	btf__free(btf);
	if (id <= 0)
		return result = -ENOENT;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "lp_fentry_probe", "GPL", insn, 2, &opts);
	if (fd < 0)
		return result = -errno;
	close(fd);
	return result = 0;
}

/* ---- the refusal: why, and which point carries the same events ---- */

/* Where the kernel receives, forwards, sends and drops packets, by name.
 * What a function frees is not knowable here (kallsyms gives addresses, not
 * calls), so the rule is the names: the receive and transmit paths (*_rcv*,
 * *receive_skb*, *xmit*), forwarding, the backlog, netfilter and socket
 * filters, and whatever is named for dropping or freeing an skb. Inside
 * those, drops reach tracepoint:skb:kfree_skb with the function as their
 * location; elsewhere that hint would send users after events that never
 * come. */
static const char *const drop_paths[] = {
	"*kfree_skb*", "*drop*",    "*_rcv*",	    "*receive_skb*", "*xmit*",
	"*_forward*",  "*backlog*", "nf_hook_slow", "sk_filter*",
};

static int drops_inside(const char *func)
{
	if (!func || strpbrk(func, "*?[")) /* location in takes one function */
		return 0;
	for (size_t i = 0; i < sizeof(drop_paths) / sizeof(drop_paths[0]); i++)
		if (fnmatch(drop_paths[i], func, 0) == 0)
			return 1;
	return 0;
}

static void refusal(const struct lp_point *pt, const char *what, const char *why, char *err,
		    size_t errlen)
{
	if (drops_inside(pt->func))
		snprintf(
			err, errlen,
			"%s probes cannot attach here: %s\n"
			"hint: the kernel's tracepoints carry many of the same events (luaprobe -l); "
			"drops inside a function are on tracepoint:skb:kfree_skb with "
			"where = 'location in \"%s\"'",
			what, why, pt->func);
	else
		snprintf(
			err, errlen,
			"%s probes cannot attach here: %s\n"
			"hint: the kernel's tracepoints carry many of the same events (luaprobe -l)",
			what, why);
}

static int kf_refuse(const struct lp_point *pt, struct lp_caches *c, char *err, size_t errlen)
{
	int fentry = pt->kind == LP_PT_FENTRY || pt->kind == LP_PT_FEXIT, ret;
	char why[256];

	if (!fentry && have_kprobes())
		return 0;
	/* where the kernel's DWARF is at hand a point is resolved first (-L
	 * shows a label's variables or a function's parameters, --check times
	 * it); loading says no kprobes */
	if (!fentry &&
	    ((c && c->vmlinux) || kdebug_find(NULL, why, sizeof(why), why, sizeof(why)) != -ENOENT))
		return 0;
	/* kernel.function("f") and .return may take fentry/fexit instead, but a
	 * label, a statement or an offset needs a kprobe */
	if (!fentry && !(pt->stap && !pt->label && !pt->statement && !pt->offset)) {
		refusal(pt, pt->stap ? "kernel.function" : point_kind_name(pt->kind),
			"this kernel has no kprobes", err, errlen);
		return 1;
	}
	ret = fentry_works();
	if (!ret)
		return 0;
	if (fentry)
		snprintf(why, sizeof(why), "the kernel refused a fentry program (%s)",
			 strerror(-ret));
	else
		snprintf(why, sizeof(why),
			 "this kernel has no kprobes and refused a fentry program (%s)",
			 strerror(-ret));
	refusal(pt, fentry ? point_kind_name(pt->kind) : "kernel.function", why, err, errlen);
	return 1;
}

/* ---- BTF: the function's prototype ---- */

/* A BTF type as C writes it ("struct sk_buff *", "unsigned int"), its size
 * and sign. The name goes to buf. */
static void btf_ctype(const struct btf *btf, __u32 id, char *buf, size_t len, int *size,
		      int *is_signed)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	char inner[200];

	*size = 8;
	*is_signed = 0;
	if (!t || id == 0) {
		snprintf(buf, len, "void");
		*size = 0;
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: {
		int s, sg;

		btf_ctype(btf, t->type, inner, sizeof(inner), &s, &sg);
		snprintf(buf, len, "%s%s*", inner,
			 inner[0] && inner[strlen(inner) - 1] == '*' ? "" : " ");
		return;
	}
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		btf_ctype(btf, t->type, buf, len, size, is_signed);
		return;
	case BTF_KIND_TYPEDEF: {
		char tmp[200];
		int s, sg;

		btf_ctype(btf, t->type, tmp, sizeof(tmp), &s, &sg);
		*size = s;
		*is_signed = sg;
		snprintf(buf, len, "%s", btf__name_by_offset(btf, t->name_off));
		return;
	}
	case BTF_KIND_INT:
		*size = t->size;
		*is_signed = !!(btf_int_encoding(t) & BTF_INT_SIGNED);
		snprintf(buf, len, "%s", btf__name_by_offset(btf, t->name_off));
		return;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		*size = t->size;
		snprintf(buf, len, "enum %s", btf__name_by_offset(btf, t->name_off));
		return;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		*size = t->size;
		snprintf(buf, len, "%s %s", btf_is_struct(t) ? "struct" : "union",
			 btf__name_by_offset(btf, t->name_off));
		return;
	default:
		*size = t->size;
		snprintf(buf, len, "%s", btf__name_by_offset(btf, t->name_off));
	}
}

/* The clone suffix stripped: "f.constprop.0" -> "f". */
static void base_name(const char *sym, char *out, size_t len)
{
	snprintf(out, len, "%.*s", (int)strcspn(sym, "."), sym);
}

static int load_proto(struct lp_probe *p, struct kf_state *st, const char *func)
{
	struct btf *btf = kbtf_btf(caches_kbtf(p->caches));
	const struct btf_type *fn, *proto;
	const struct btf_param *par;
	char name[256];
	int id;

	st->nargs = -1;
	if (!btf)
		return 0;
	base_name(func, name, sizeof(name));
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id <= 0)
		return 0;
	fn = btf__type_by_id(btf, id);
	proto = btf__type_by_id(btf, fn->type);
	if (!proto || !btf_is_func_proto(proto))
		return 0;
	st->nargs = btf_vlen(proto);
	st->args = calloc(st->nargs + 1, sizeof(*st->args));
	if (!st->args)
		return -ENOMEM;
	par = btf_params(proto);
	for (int i = 0; i < st->nargs; i++) {
		char ct[256];
		const char *pn = btf__name_by_offset(btf, par[i].name_off);

		btf_ctype(btf, par[i].type, ct, sizeof(ct), &st->args[i].size,
			  &st->args[i].is_signed);
		st->args[i].ctype = strdup(ct);
		if (pn && *pn)
			st->args[i].name = strdup(pn);
		else if (asprintf(&st->args[i].name, "arg%d", i) < 0)
			st->args[i].name = NULL;
		if (!st->args[i].ctype || !st->args[i].name)
			return -ENOMEM;
	}
	{
		char ct[256];

		btf_ctype(btf, proto->type, ct, sizeof(ct), &st->ret.size, &st->ret.is_signed);
		st->ret.ctype = strdup(ct);
		st->ret.name = strdup("$retval");
		if (!st->ret.ctype || !st->ret.name)
			return -ENOMEM;
	}
	return 0;
}

/* ---- places: the symbols a point names ---- */

/* A copy of f the compiler made out of line: f itself, f.constprop.N,
 * f.isra.N (and their combinations); never a .cold or .part fragment, which
 * is not the function's entry. */
static int is_copy_of(const char *sym, const char *func_glob)
{
	char base[256];

	if (strstr(sym, ".cold") || strstr(sym, ".part"))
		return 0;
	if (!strncmp(sym, "__pfx_", 6) || !strncmp(sym, "__cfi_", 6))
		return 0;
	base_name(sym, base, sizeof(base));
	return fnmatch(func_glob, base, 0) == 0;
}

struct collect {
	const char *glob;
	struct kf_place *places;
	int n, cap;
	uint64_t last;
};

static int collect_one(const char *name, uint64_t addr, void *ctx)
{
	struct collect *c = ctx;

	if (!is_copy_of(name, c->glob) || (c->n && addr == c->last))
		return 0;
	for (int i = 0; i < c->n; i++) /* a name twice (two static f's): once */
		if (!strcmp(c->places[i].sym, name))
			return 0;
	if (c->n == c->cap) {
		struct kf_place *g = realloc(c->places, (c->cap * 2 + 16) * sizeof(*g));

		if (!g)
			return -ENOMEM;
		c->places = g;
		c->cap = c->cap * 2 + 16;
	}
	memset(&c->places[c->n], 0, sizeof(c->places[0]));
	if (!(c->places[c->n].sym = strdup(name)))
		return -ENOMEM;
	c->places[c->n].clone = strchr(name, '.') != NULL;
	c->last = addr;
	c->n++;
	return 0;
}

static void places_free(struct kf_place *pl, int n)
{
	for (int i = 0; i < n; i++) {
		free(pl[i].sym);
		if (pl[i].site)
			dwarf_sites_free(pl[i].site, 1);
	}
	free(pl);
}

/* "did you mean" for an unknown kernel function: the closest text symbol. */
struct near {
	const char *want;
	char best[256];
	int dist;
};

static int near_one(const char *name, uint64_t addr, void *ctx)
{
	struct near *n = ctx;
	char base[256];
	int d;

	(void)addr;
	if (!strncmp(name, "__pfx_", 6) || !strncmp(name, "__cfi_", 6))
		return 0;
	base_name(name, base, sizeof(base));
	if (labs((long)strlen(base) - (long)strlen(n->want)) > 3)
		return 0;
	d = suggest_distance(n->want, base);
	if (d < n->dist) {
		n->dist = d;
		snprintf(n->best, sizeof(n->best), "%s", base);
	}
	return 0;
}

static int find_places(struct lp_probe *p, const char *glob, struct kf_place **out, char *err,
		       size_t errlen)
{
	struct collect c = { .glob = glob };
	struct lp_ksym *ks = caches_ksym(p->caches);
	int ret = ksym_each_text(ks, collect_one, &c);

	if (ret < 0) {
		places_free(c.places, c.n);
		snprintf(err, errlen, "cannot read the kernel's symbols: %s", strerror(-ret));
		return ret;
	}
	if (!c.n) {
		struct near nr = { .want = glob, .dist = 3 };

		snprintf(err, errlen, "no kernel function '%s'", glob);
		if (!strpbrk(glob, "*?[")) {
			ksym_each_text(ks, near_one, &nr);
			if (nr.best[0])
				suggest_append(err, errlen, nr.best);
		}
		free(c.places);
		return -ENOENT;
	}
	*out = c.places;
	return c.n;
}

/* ---- fetches ---- */

static int is_return(const struct kf_state *st)
{
	return st->mech == KF_KRETPROBE || st->mech == KF_FEXIT;
}

/* One root of a kprobe's BTF expressions: the register it is in. */
static int kf_add_root(struct lp_kroot *roots, int *regs, int *n, const char *name,
		       uint32_t type_id, int reg)
{
	if (*n >= 2 * KF_NREGARGS + 1)
		return -E2BIG;
	roots[*n].name = name;
	roots[*n].type_id = type_id;
	roots[*n].typed = 0;
	regs[*n] = reg;
	(*n)++;
	return 0;
}

/* BTF's resolved chain as the pt_regs template's chain (struct lp_loc, as
 * DWARF's fetches are): the same reads, the register as the root. */
static void kloc_to_loc(const struct lp_kloc *k, int reg, struct lp_loc *l)
{
	static const enum lp_loc_type type[] = {
		[LP_KT_INT] = LP_LT_INT,       [LP_KT_PTR] = LP_LT_PTR,
		[LP_KT_STRPTR] = LP_LT_STRPTR, [LP_KT_CHARS] = LP_LT_CHARARRAY,
		[LP_KT_ARRAY] = LP_LT_ARRAY,
	};

	memset(l, 0, sizeof(*l));
	l->start = LP_LOC_REG;
	l->reg = reg;
	l->nderef = k->nderef;
	for (int i = 0; i < k->nderef; i++)
		l->step_off[i] = k->steps[i];
	l->type = type[k->type];
	l->size = k->size;
	l->elem_size = k->elem_size;
	l->is_signed = k->is_signed;
	l->bit_offset = k->bit_offset;
	l->bit_size = k->bit_size;
}

/* Typed access through BTF without debuginfo at a kprobe (skb->dev->name):
 * the prototype's parameters are roots in their calling-convention
 * registers (and $retval in rax at a kretprobe), resolve/btf_expr.c
 * resolves the chain, and it becomes the template's register chain with
 * kernel reads. Exact at f's own entry only: a clone's registers are
 * refused as plain_fetch refuses them. */
static int kf_btf_fetch(struct lp_probe *p, const struct kf_place *pl, const char *expr,
			unsigned dst, struct lp_fetch *op, struct lp_field *f, const char **ctype,
			char *err, size_t errlen)
{
	struct kf_state *st = p->priv;
	const struct btf *btf = kbtf_vmlinux(caches_kbtf(p->caches));
	struct lp_kroot roots[2 * KF_NREGARGS + 1];
	int regs[2 * KF_NREGARGS + 1], n = 0, nreg, ret;
	static const char *const argn[KF_NREGARGS] = { "arg0", "arg1", "arg2",
						       "arg3", "arg4", "arg5" };
	const struct btf_type *fn, *proto = NULL;
	const struct btf_param *par;
	char name[256], why[384];
	/* the caller copies the type's name after the return */
	static _Thread_local char ct[sizeof(((struct lp_kloc *)0)->ctype)];
	struct lp_kloc k;
	struct lp_loc l;
	int id;

	base_name(pl->sym, name, sizeof(name));
	id = btf && !p->point.module ? btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) : -ENOENT;
	fn = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (fn)
		proto = btf__type_by_id(btf, fn->type);
	if (!proto || !btf_is_func_proto(proto)) {
		snprintf(err, errlen,
			 "no BTF prototype of %s to type it by, and no kernel debuginfo "
			 "(--vmlinux PATH); arg0..arg5 read the registers as integers",
			 name);
		return -ENOENT;
	}
	if (pl->clone) {
		snprintf(err, errlen,
			 "%s is a compiler copy whose arguments need not be the source's: "
			 "'%s' needs kernel debuginfo there (or read arg0..arg5 as they are)",
			 pl->sym, expr);
		return -EINVAL;
	}
	if (st->multi && p->ninsts > 1) {
		/* one program for every function: one chain cannot fit them all */
		snprintf(err, errlen,
			 "member access at a wildcard kprobe needs one probe per function");
		return -EINVAL;
	}
	/* parameters past the sixth are on the stack, and at a return the
	 * registers hold other things: not roots, so that naming one says "no
	 * argument" rather than reading a register */
	par = btf_params(proto);
	nreg = btf_vlen(proto) < KF_NREGARGS ? btf_vlen(proto) : KF_NREGARGS;
	if (is_return(st))
		nreg = 0;
	for (int i = 0; i < nreg; i++) {
		const char *pn = btf__name_by_offset(btf, par[i].name_off);

		if (pn && *pn && (ret = kf_add_root(roots, regs, &n, pn, par[i].type, arg_reg[i])))
			return ret;
	}
	for (int i = 0; i < nreg; i++) {
		if ((ret = kf_add_root(roots, regs, &n, argn[i], par[i].type, arg_reg[i])))
			return ret;
	}
	if (is_return(st) && proto->type &&
	    (ret = kf_add_root(roots, regs, &n, "$retval", proto->type, 0)))
		return ret;
	ret = btf_expr_resolve(btf, roots, n, 0, expr, &k, why, sizeof(why));
	if (!ret && k.root == LP_KROOT_TASK) {
		snprintf(why, sizeof(why), "curtask is not read at a kprobe yet");
		ret = -EOPNOTSUPP;
	}
	if (!ret && k.type == LP_KT_STRPTR && k.user && k.nderef > 0) {
		/* the template reads one address space per fetch */
		snprintf(why, sizeof(why),
			 "a user string behind kernel pointers is not read at a kprobe yet");
		ret = -EOPNOTSUPP;
	}
	if (ret) {
		snprintf(err, errlen, "%s", why);
		return ret;
	}
	kloc_to_loc(&k, regs[k.root], &l);
	l.ctype = k.ctype;
	memset(f, 0, sizeof(*f));
	ret = plan_uval(&l, dst, op, f, err, errlen);
	if (ret < 0)
		return ret;
	/* a __user char * argument itself: its string is the user's */
	if (!(k.type == LP_KT_STRPTR && k.user))
		op->flags |= LP_FF_KERNEL;
	snprintf(ct, sizeof(ct), "%s", k.ctype);
	*ctype = ct;
	return ret;
}

/* A value without DWARF: an argument or $retval, as an integer of its BTF
 * type (8 bytes unsigned when the type is unknown). */
/* At a kretprobe the argument registers hold whatever the function left
 * there: reading them would be a silent wrong value. fexit keeps them. */
static int return_args(const char *expr, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "%s is an argument: at a kretprobe its register no longer holds it (read it "
		 "at the entry, kprobe:f, or use fexit:f, which keeps the arguments)",
		 expr);
	return -EINVAL;
}

static int plain_fetch(struct lp_probe *p, const struct kf_place *pl, const char *expr,
		       unsigned dst, struct lp_fetch *op, struct lp_field *f, const char **ctype,
		       char *err, size_t errlen)
{
	struct kf_state *st = p->priv;
	const struct kf_arg *a = NULL;
	int idx = -1, fentry = st->mech == KF_FENTRY || st->mech == KF_FEXIT;
	char extra;

	if (!strcmp(expr, "$retval")) {
		if (!is_return(st)) {
			snprintf(err, errlen, "$retval exists only at a return probe");
			return -EINVAL;
		}
		if (st->mech == KF_FEXIT && st->nargs < 0) {
			snprintf(err, errlen, "no BTF prototype: fexit cannot find $retval");
			return -ENOENT;
		}
		a = st->nargs >= 0 ? &st->ret : NULL;
		if (a && a->size == 0) {
			snprintf(err, errlen, "the function returns void");
			return -EINVAL;
		}
		idx = fentry ? st->nargs : -2;
	} else if (sscanf(expr, "arg%d%c", &idx, &extra) == 1 && idx >= 0) {
		if (!fentry && is_return(st))
			return return_args(expr, err, errlen);
		if (!fentry && idx >= KF_NREGARGS) {
			snprintf(err, errlen, "%s is passed on the stack: only arg0..arg5 are read",
				 expr);
			return -EINVAL;
		}
		if (fentry && (st->nargs < 0 || idx >= st->nargs)) {
			snprintf(err, errlen, "%s: the function has %d arguments", expr,
				 st->nargs < 0 ? 0 : st->nargs);
			return -EINVAL;
		}
		if (st->nargs > idx && !pl->clone)
			a = &st->args[idx];
	} else {
		idx = -1; /* sscanf set it for "arg0->len", which is no argument's name */
		/* One kprobe.multi program serves every function, and a name is
		 * one function's: another's parameter of that name may sit in
		 * another register (or not exist). */
		if (!fentry && st->multi && p->ninsts > 1 && !strpbrk(expr, "-.[*()")) {
			snprintf(
				err, errlen,
				"'%s' is a parameter's name, but this wildcard attaches one program "
				"to %d functions whose parameters differ: read arg0..arg5",
				expr, p->ninsts);
			return -EINVAL;
		}
		for (int i = 0; st->nargs > 0 && i < st->nargs; i++)
			if (!strcmp(st->args[i].name, expr))
				idx = i;
		if (idx < 0) {
			if (strpbrk(expr, "-.[*()"))
				return kf_btf_fetch(p, pl, expr, dst, op, f, ctype, err, errlen);
			snprintf(err, errlen, "no argument '%s' at %s", expr, pl->sym);
			if (st->nargs > 0) {
				const char *names[16];
				int n = 0;

				for (int i = 0; i < st->nargs && n < 16; i++)
					names[n++] = st->args[i].name;
				suggest_append(err, errlen, suggest_closest(expr, names, n));
			}
			return -ENOENT;
		}
		if (!fentry && is_return(st))
			return return_args(expr, err, errlen);
		/* a clone's registers need not hold the source's arguments */
		if (pl->clone && !fentry) {
			snprintf(
				err, errlen,
				"%s is a compiler copy whose arguments need not be the source's: "
				"'%s' needs kernel debuginfo there (or read arg0..arg5 as they are)",
				pl->sym, expr);
			return -EINVAL;
		}
		if (!fentry && idx >= KF_NREGARGS) {
			snprintf(err, errlen, "'%s' is passed on the stack: only six are read",
				 expr);
			return -EINVAL;
		}
		a = &st->args[idx];
	}
	if (a && (a->size > 8 || a->size <= 0)) {
		snprintf(err, errlen, "'%s' is a %s, not a value an event can carry", expr,
			 a->ctype);
		return -EINVAL;
	}
	memset(op, 0, sizeof(*op));
	op->kind = LP_FETCH_UVAL;
	op->flags = LP_FF_KERNEL;
	op->size = 8;
	op->dst = dst;
	if (fentry)
		op->src = idx * 8;
	else
		op->src = plan_pt_regs_offset(idx == -2 ? 0 : arg_reg[idx]);
	memset(f, 0, sizeof(*f));
	f->off = dst;
	f->size = a ? a->size : 8;
	f->elem = f->size;
	f->kind = a && a->is_signed ? LP_FK_INT : LP_FK_UINT;
	*ctype = a ? a->ctype : "unsigned long";
	return 8;
}

/* arg0..arg5 are the calling convention's, with or without DWARF. */
static int is_argn(const char *expr)
{
	int n;
	char extra;

	return sscanf(expr, "arg%d%c", &n, &extra) == 1;
}

/* ---- a function's parameters from the kernel's DWARF ---- */

/* The DWARF the point's code is described in: its module's debuginfo
 * (resolve/kdebug.h finds it by the loaded module's build id), else the
 * kernel's. The session's, not ours to close; NULL with why in err. */
static struct lp_dwarf *kf_debuginfo(struct lp_probe *p, char *err, size_t errlen)
{
	const char *m = p->point.module;
	char path[1024];
	struct lp_dwarf *d;
	int ret;

	if (!m)
		return caches_kdwarf(p->caches, err, errlen);
	ret = kdebug_module_find(m, path, sizeof(path), err, errlen);
	if (ret)
		return NULL;
	d = caches_dwarf(p->caches, path);
	if (!d)
		snprintf(err, errlen, "cannot open %.400s: %s", path, strerror(errno));
	else if (!dwarf_has_debuginfo(d)) {
		snprintf(err, errlen, "%.400s has no DWARF", path);
		caches_dwarf_put(p->caches, d);
		d = NULL;
	}
	return d;
}

/* Whether a fetch at kprobe:f / kretprobe:f asks for DWARF: anything but
 * arg0..arg5, which are the calling convention's registers either way. */
static int wants_dwarf(const struct lp_probe *p, const char *expr)
{
	const struct kf_state *st = p->priv;
	const struct lp_point *pt = &p->point;

	return !st->dwarf_tried && !is_argn(expr) && p->ninsts > 0 &&
	       (st->mech == KF_KPROBE || st->mech == KF_KRETPROBE) && !st->multi && !pt->label &&
	       !pt->statement && pt->func && !strpbrk(pt->func, "*?[");
}

/* kprobe:f[+OFF] and kretprobe:f with the kernel's debuginfo at hand: each
 * copy's DWARF site at its symbol (+OFF), where its parameters are named
 * and typed as DWARF says, at a .constprop/.isra clone too (whose registers
 * BTF's prototype cannot vouch for). Tried once, on the first fetch that
 * names something, so that a probe that only counts never opens the
 * kernel's DWARF (~340 MB). Without debuginfo, or where DWARF does not
 * describe a copy (assembly), every place stays as it was and BTF's names
 * serve: their values are exact at f's own entry, only less typed. 0, or
 * -errno with the message in err when DWARF refuses the place itself (an
 * offset that is no instruction start it knows). */
static int kf_dwarf_params(struct lp_probe *p, char *err, size_t errlen)
{
	struct kf_state *st = p->priv;
	struct lp_site **sites;
	struct lp_dwarf *d;
	char why[512];
	int ret = 0, i;

	st->dwarf_tried = 1;
	d = kf_debuginfo(p, why, sizeof(why));
	if (!d)
		return 0;
	sites = calloc(p->ninsts, sizeof(*sites));
	if (!sites)
		return -ENOMEM;
	for (i = 0; i < p->ninsts && !ret; i++) {
		const struct kf_place *pl = p->insts[i].site;
		int early;

		ret = dwarf_symbol_site(d, pl->sym, pl->off, p->unsafe, &sites[i], &early, err,
					errlen);
		ret = ret > 0 ? 0 : ret;
	}
	if (ret == -ENOENT || ret == -ENODATA) {
		err[0] = '\0';
		ret = 0;
	} else if (!ret) {
		for (i = 0; i < p->ninsts; i++) {
			struct kf_place *pl = p->insts[i].site;

			pl->site = sites[i];
			sites[i] = NULL;
		}
		st->d = d;
	}
	for (i = 0; i < p->ninsts; i++)
		if (sites[i])
			dwarf_sites_free(sites[i], 1);
	free(sites);
	return ret;
}

static int same_shape(const struct lp_field *a, const struct lp_field *b)
{
	return a->kind == b->kind && a->size == b->size && a->elem == b->elem;
}

/* Fetch expr at every place into one new field at the end of the event
 * data (as uprobe.c does: one layout, per-place ops). */
static int add_field(struct lp_probe *p, const char *name, const char *expr, char *err,
		     size_t errlen)
{
	struct kf_state *st = p->priv;
	unsigned op = p->plan.nfetch, dst = p->plan.data_size;
	struct lp_field first = { 0 }, *grown;
	char why[400];
	int slot = 0, ret = 0, s;

	if (op >= LP_MAX_FETCH) {
		snprintf(err, errlen, "at most %d fetches per probe", LP_MAX_FETCH);
		return -E2BIG;
	}
	if (st->bt && !strncmp(expr, "$retval", 7) && (!is_return(st) || st->ret.size == 0)) {
		snprintf(err, errlen, "fetch '%s': %s", expr,
			 is_return(st) ? "the function returns void"
				       : "$retval exists only at a return probe");
		return -EINVAL;
	}
	if (st->bt)
		return btfargs_add_field_in(p, st->bt, name, expr, err, errlen);
	for (s = 0; s < p->ninsts; s++) {
		struct kf_place *pl = p->insts[s].site;
		struct lp_field f = { 0 };
		const char *ct = NULL;
		struct lp_loc loc = { 0 };
		if (pl->site && !is_argn(expr)) {
			ret = dwarf_fetch(st->d, pl->site, expr, is_return(st), &loc, why,
					  sizeof(why));
			if (!ret) {
				ret = plan_uval(&loc, dst, &p->insts[s].fetch[op], &f, why,
						sizeof(why));
				p->insts[s].fetch[op].flags |= LP_FF_KERNEL;
				ct = loc.ctype ? loc.ctype : "?";
			}
		} else
			ret = plain_fetch(p, pl, expr, dst, &p->insts[s].fetch[op], &f, &ct, why,
					  sizeof(why));
		if (ret >= 0 && s == 0) {
			first = f;
			slot = ret;
			if (!(first.ctype = strdup(ct)))
				ret = -ENOMEM;
		} else if (ret >= 0 && !same_shape(&f, &first)) {
			snprintf(why, sizeof(why),
				 "it is %s here but %s at %s: one probe's events have one "
				 "layout (probe these places apart)",
				 ct, first.ctype, p->insts[0].desc);
			ret = -EINVAL;
		}
		dwarf_loc_free(&loc);
		if (ret < 0)
			break;
		if (st->multi) /* one program: the first place's ops serve all */
			break;
	}
	grown = ret < 0 ? NULL : realloc(p->fields, (p->nfields + 1) * sizeof(*grown));
	if (ret >= 0 && grown) {
		p->fields = grown;
		first.name = strdup(name);
	}
	if (ret < 0 || !grown || !first.name) {
		if (ret == -ENOMEM || (ret >= 0 && (!grown || !first.name)))
			snprintf(why, sizeof(why), "out of memory");
		if (p->ninsts > 1 && s < p->ninsts)
			snprintf(err, errlen, "fetch '%s' at %s: %s", expr, p->insts[s].desc, why);
		else
			snprintf(err, errlen, "fetch '%s': %s", expr, why);
		free(first.ctype);
		free(first.name);
		for (int i = 0; i < p->ninsts; i++)
			memset(&p->insts[i].fetch[op], 0, sizeof(p->insts[i].fetch[op]));
		return ret < 0 ? ret : -ENOMEM;
	}
	p->fields[p->nfields++] = first;
	p->plan.fetch[op] = p->insts[0].fetch[op];
	p->plan.nfetch = op + 1;
	p->plan.data_size = dst + slot;
	return 0;
}

static int kf_add_fetch(struct lp_probe *p, const char *expr, char *err, size_t errlen)
{
	if (wants_dwarf(p, expr)) {
		int ret = kf_dwarf_params(p, err, errlen);

		if (ret)
			return ret;
	}
	return add_field(p, expr, expr, err, errlen);
}

/* Without spec.fetch: every argument that fits an event, by name (with
 * DWARF: the parameters in scope), and $retval at a return; what does not
 * fit everywhere is left out quietly. */
static int default_reqs(struct lp_probe *p)
{
	struct kf_state *st = p->priv;
	struct kf_place *pl = p->insts[0].site;
	struct lp_var *vars = NULL;
	int nv = 0, k = 0, n;

	if (!is_return(st) && pl->site)
		nv = dwarf_scope_vars(st->d, pl->site, &vars);
	n = (nv > 0 ? nv : 0) + (st->nargs > 0 ? st->nargs : 0) + 1;
	p->reqs = calloc(n, sizeof(*p->reqs));
	if (!p->reqs) {
		dwarf_vars_free(vars, nv > 0 ? nv : 0);
		return -ENOMEM;
	}
	for (int i = 0; i < nv && k < LP_MAX_FETCH; i++)
		if (vars[i].is_param) {
			p->reqs[k].name = strdup(vars[i].name);
			p->reqs[k++].expr = strdup(vars[i].name);
		}
	dwarf_vars_free(vars, nv > 0 ? nv : 0);
	for (int i = 0; !pl->site && !is_return(st) && i < st->nargs && k < LP_MAX_FETCH; i++) {
		p->reqs[k].name = strdup(st->args[i].name);
		p->reqs[k++].expr = strdup(st->args[i].name);
	}
	if (is_return(st) && st->nargs >= 0 && st->ret.size > 0) {
		p->reqs[k].name = strdup("retval");
		p->reqs[k++].expr = strdup("$retval");
	}
	p->nreqs = k;
	/* a default that does not fit every place is dropped, not an error */
	for (int i = 0; i < p->nreqs; i++) {
		char err[256];

		if (add_field(p, p->reqs[i].name, p->reqs[i].expr, err, sizeof(err)) == 0)
			continue;
		free(p->reqs[i].name);
		free(p->reqs[i].expr);
		memmove(&p->reqs[i], &p->reqs[i + 1], (p->nreqs - i - 1) * sizeof(*p->reqs));
		p->nreqs--;
		i--;
	}
	return 0;
}

/* ---- resolve ---- */

/* DWARF sites (labels, statements, a function with debuginfo) to places:
 * each site's address as symbol+offset in the kernel's symbol table, which
 * KASLR leaves intact. */
static int sites_to_places(struct lp_site *sites, int n, struct kf_place **out, char *err,
			   size_t errlen)
{
	struct kf_place *pl = calloc(n, sizeof(*pl));

	if (!pl)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const char *sym = sites[i].symbol ? sites[i].symbol : "";
		const char *plus = strrchr(sym, '+');

		pl[i].sym = plus ? strndup(sym, plus - sym) : strdup(sym);
		pl[i].off = plus ? strtoull(plus + 1, NULL, 0) : 0;
		pl[i].clone = pl[i].sym && strchr(pl[i].sym, '.') != NULL;
		if (!pl[i].sym || !pl[i].sym[0]) {
			snprintf(err, errlen, "no kernel symbol holds %s:%d",
				 sites[i].file ? sites[i].file : "?", sites[i].line);
			places_free(pl, n);
			return -ENOENT;
		}
		pl[i].site = malloc(sizeof(*pl[i].site));
		if (!pl[i].site) {
			places_free(pl, n);
			return -ENOMEM;
		}
		*pl[i].site = sites[i];
		memset(&sites[i], 0, sizeof(sites[i]));
	}
	*out = pl;
	return n;
}

static int dwarf_places(struct lp_probe *p, struct kf_state *st, struct kf_place **out, char *err,
			size_t errlen)
{
	const struct lp_point *pt = &p->point;
	struct lp_site *sites = NULL;
	char why[512];
	int n;

	st->d = kf_debuginfo(p, why, sizeof(why));
	if (!st->d) {
		snprintf(err, errlen, "%s needs %s%s's DWARF: %s",
			 pt->label ? "a label" : "a statement", pt->module ? "module " : "",
			 pt->module ? pt->module : "the kernel", why);
		return -ENOENT;
	}
	if (pt->label)
		n = dwarf_label_sites(st->d, pt->func ? pt->func : "*", pt->label, &sites, err,
				      errlen);
	else
		n = dwarf_statement_sites(st->d, pt->statement, &sites, err, errlen);
	if (n <= 0)
		return n < 0 ? n : -ENOENT;
	err[0] = '\0';
	n = sites_to_places(sites, n, out, err, errlen);
	dwarf_sites_free(sites, n > 0 ? n : 0);
	return n;
}

/* kprobe.multi where the kernel has it (6.12 yes, 6.1 no): one program
 * for a whole glob. Known only by trying; the answer is the kernel's. */
static int multi_works(void)
{
	static int known, result;
	struct bpf_insn insn[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_KPROBE_MULTI);
	LIBBPF_OPTS(bpf_link_create_opts, lopts);
	const char *sym = "vfs_read";
	int fd, link;

	if (known)
		return result;
	known = 1;
	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "lp_multi_probe", "GPL", insn, 2, &opts);
	if (fd < 0)
		return result = 0;
	lopts.kprobe_multi.syms = &sym;
	lopts.kprobe_multi.cnt = 1;
	link = bpf_link_create(fd, 0, BPF_TRACE_KPROBE_MULTI, &lopts);
	if (link >= 0)
		close(link);
	close(fd);
	return result = link >= 0;
}

static int kf_resolve(struct lp_probe *p, char *err, size_t errlen)
{
	const struct lp_point *pt = &p->point;
	struct kf_state *st = calloc(1, sizeof(*st));
	struct kf_place *pl = NULL;
	int n, ret, glob = pt->func && strpbrk(pt->func, "*?[") != NULL;

	if (!st)
		return -ENOMEM;
	p->priv = st;
	st->nargs = -1;
	switch (pt->kind) {
	case LP_PT_KRETPROBE:
		st->mech = KF_KRETPROBE;
		break;
	case LP_PT_FENTRY:
		st->mech = KF_FENTRY;
		break;
	case LP_PT_FEXIT:
		st->mech = KF_FEXIT;
		break;
	default:
		st->mech = KF_KPROBE;
	}
	if (pt->module) {
		char mod[300];

		snprintf(mod, sizeof(mod), "/sys/module/%s", pt->module);
		if (access(mod, F_OK)) {
			snprintf(err, errlen, "no module '%s' is loaded", pt->module);
			return -ENOENT;
		}
	}
	if (pt->label || pt->statement)
		n = dwarf_places(p, st, &pl, err, errlen);
	else
		n = find_places(p, pt->func, &pl, err, errlen);
	if (n <= 0)
		return n < 0 ? n : -ENOENT;
	/* fentry/fexit go by BTF name: only the function under its own name */
	if ((st->mech == KF_FENTRY || st->mech == KF_FEXIT) && (glob || n > 1 || pl[0].clone)) {
		snprintf(err, errlen,
			 "%s attaches to one function by its BTF name; '%s' is %s (kprobe:%s "
			 "attaches to each)",
			 mech_name[st->mech], pt->func,
			 glob || n > 1 ? "several functions" : "only a compiler copy here",
			 pt->func);
		places_free(pl, n);
		return -EINVAL;
	}
	ret = load_proto(p, st, pl[0].sym);
	if (ret) {
		places_free(pl, n);
		return ret;
	}
	/* kernel.function("f"): fentry where the kernel takes it (one copy under
	 * its own name, with a BTF prototype), else kprobes */
	if (pt->stap && !pt->label && !pt->statement && n == 1 && !pl[0].clone && st->nargs >= 0 &&
	    fentry_works() == 0 && !pt->module)
		st->mech = st->mech == KF_KRETPROBE ? KF_FEXIT : KF_FENTRY;
	else if (pt->stap && !pt->label && !pt->statement && !have_kprobes()) {
		refusal(pt, "kernel.function",
			"this kernel has no kprobes, and fentry takes one function under its own "
			"name",
			err, errlen);
		places_free(pl, n);
		return -EOPNOTSUPP;
	}
	if (pt->offset)
		pl[0].off = pt->offset;
	for (int i = 1; pt->offset && i < n; i++)
		pl[i].off = pt->offset;
	if ((st->mech == KF_FENTRY || st->mech == KF_FEXIT) && st->nargs < 0) {
		snprintf(err, errlen, "no BTF for kernel function '%s': fentry needs it", pt->func);
		places_free(pl, n);
		return -ENOENT;
	}
	if (st->mech == KF_FENTRY || st->mech == KF_FEXIT) {
		st->bt = calloc(1, sizeof(*st->bt));
		ret = st->bt ? 0 : -ENOMEM;
		if (st->bt) {
			st->bt->direct = 1;
			ret = btfargs_resolve_function(st->bt, caches_kbtf(p->caches), pl[0].sym,
						       st->mech == KF_FEXIT, err, errlen);
		}
		if (ret) {
			places_free(pl, n);
			return ret;
		}
	}
	st->multi = glob && n > 1 && !pt->offset &&
		    (st->mech == KF_KPROBE || st->mech == KF_KRETPROBE) && multi_works();
	if (glob && !st->multi && n > KF_MAX_SINGLE) {
		snprintf(err, errlen,
			 "'%s' matches %d functions; without kprobe.multi luaprobe attaches at "
			 "most %d kprobes (narrow the pattern)",
			 pt->func, n, KF_MAX_SINGLE);
		places_free(pl, n);
		return -E2BIG;
	}
	p->insts = calloc(n, sizeof(*p->insts));
	if (!p->insts) {
		places_free(pl, n);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct kf_place *one = malloc(sizeof(*one));
		struct lp_inst *in = &p->insts[i];
		const struct lp_site *s = pl[i].site;

		if (!one || (pl[i].off ? asprintf(&in->desc, "%s+0x%llx", pl[i].sym,
						  (unsigned long long)pl[i].off)
				       : asprintf(&in->desc, "%s", pl[i].sym)) < 0) {
			free(one);
			places_free(pl + i, n - i);
			free(pl);
			return -ENOMEM;
		}
		if (s && s->file) {
			char *d = NULL;

			if (asprintf(&d, "%s (%s:%d)", in->desc, s->file, s->line) >= 0) {
				free(in->desc);
				in->desc = d;
			}
		}
		*one = pl[i];
		in->site = one;
		in->offset = pl[i].off;
		p->ninsts++;
	}
	free(pl);
	if (!p->reqs)
		return default_reqs(p);
	if (p->nreqs > LP_MAX_FETCH) {
		snprintf(err, errlen, "at most %d fetches per probe", LP_MAX_FETCH);
		return -E2BIG;
	}
	for (int i = 0; i < p->nreqs; i++) {
		if (wants_dwarf(p, p->reqs[i].expr) && (ret = kf_dwarf_params(p, err, errlen)))
			return ret;
		ret = add_field(p, p->reqs[i].name, p->reqs[i].expr, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- load, attach ---- */

static int kf_load(struct lp_probe *p, const struct lp_maps *m, char *err, size_t errlen)
{
	struct kf_state *st = p->priv;

	if ((st->mech == KF_KPROBE || st->mech == KF_KRETPROBE) && !have_kprobes()) {
		refusal(&p->point, p->point.stap ? "kernel.function" : mech_name[st->mech],
			"this kernel has no kprobes", err, errlen);
		return -EOPNOTSUPP;
	}
	if (st->d && st->d == p->caches->kdwarf && p->caches->kdwarf_foreign) {
		snprintf(err, errlen, "%s: its offsets are another build's", p->caches->kdwarf_why);
		return -ESTALE;
	}
	if (st->bt)
		return btfargs_load_in(p, st->bt, m, ((struct kf_place *)p->insts[0].site)->sym,
				       err, errlen);

	for (int i = 0; i < p->ninsts; i++) {
		struct lp_inst *in = &p->insts[i];
		struct lp_regs *skel = lp_regs__open();
		struct bpf_map *aggs[LP_MAX_AGG];
		struct bpf_program *prog;
		int ret = 0;

		if (!skel) {
			ret = -errno;
			snprintf(err, errlen, "cannot open the pt_regs template: %s",
				 strerror(-ret));
			return ret;
		}
		in->skel = skel;
		memcpy((void *)&skel->rodata->plan, &p->plan, sizeof(p->plan));
		memcpy((void *)skel->rodata->plan.fetch, in->fetch, sizeof(in->fetch));
		plan_uval_windows((struct lp_fetch *)skel->rodata->plan.fetch, p->plan.nfetch);
		/* the smallest of the template's programs that does what this
		 * place's plan does (a value's place differs between places) */
		prog = load_pick(skel->obj, "lp_regs", (const struct lp_plan *)&skel->rodata->plan);
		if (!prog) {
			snprintf(err, errlen, "the pt_regs template has no program for this probe");
			return -ENOENT;
		}
		/* fentry/fexit went to btfargs above: the template's register
		 * loads are pt_regs offsets, which a tracing program's context
		 * (the arguments) would refuse */
		if (st->multi)
			ret = bpf_program__set_expected_attach_type(prog, BPF_TRACE_KPROBE_MULTI);
		aggs[0] = skel->maps.lp_agg0;
		aggs[1] = skel->maps.lp_agg1;
		if (!ret)
			ret = load_share_maps(skel->maps.lp_events, skel->maps.lp_lost, m);
		if (!ret) /* latency(): kinds/registry.c's pairs */
			ret = load_share_lat(skel->maps.lp_lat, m);
		for (int a = 0; !ret && a < p->naggs; a++)
			ret = i == 0 ? load_size_agg(aggs[a], p, a)
				     : bpf_map__reuse_fd(aggs[a], p->aggs[a].fd);
		if (!ret)
			ret = lp_regs__load(skel);
		if (ret) {
			const char *why = load_last_error();

			snprintf(err, errlen, "the kernel refused the %s program for %s: %s%s%s",
				 mech_name[st->mech], in->desc, strerror(-ret), *why ? ": " : "",
				 why);
			return ret;
		}
		for (int a = 0; i == 0 && a < p->naggs; a++)
			p->aggs[a].fd = bpf_map__fd(aggs[a]);
		if (st->multi)
			break; /* one program for every place */
	}
	return 0;
}

static int attach_multi(struct lp_probe *p, char *err, size_t errlen)
{
	struct kf_state *st = p->priv;
	const char **syms = calloc(p->ninsts, sizeof(*syms));
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts);
	struct lp_regs *skel = p->insts[0].skel;

	if (!syms)
		return -ENOMEM;
	for (int i = 0; i < p->ninsts; i++)
		syms[i] = ((struct kf_place *)p->insts[i].site)->sym;
	opts.syms = syms;
	opts.cnt = p->ninsts;
	opts.retprobe = st->mech == KF_KRETPROBE;
	p->insts[0].link =
		bpf_program__attach_kprobe_multi_opts(load_picked(skel->obj), NULL, &opts);
	free(syms);
	if (!p->insts[0].link) {
		int ret = -errno;

		snprintf(err, errlen, "cannot attach kprobe.multi to %d functions: %s", p->ninsts,
			 strerror(-ret));
		return ret;
	}
	return 0;
}

static int kf_attach(struct lp_probe *p, char *err, size_t errlen)
{
	struct kf_state *st = p->priv;

	if (st->multi)
		return attach_multi(p, err, errlen);
	if (st->bt) {
		p->link = bpf_program__attach_trace(btfargs_prog(p));
		if (!p->link) {
			int ret = -errno;

			snprintf(err, errlen, "cannot attach %s at %s: %s", mech_name[st->mech],
				 p->insts[0].desc, strerror(-ret));
			return ret;
		}
		return 0;
	}
	for (int i = 0; i < p->ninsts; i++) {
		struct lp_inst *in = &p->insts[i];
		struct kf_place *pl = in->site;
		struct lp_regs *skel = in->skel;
		LIBBPF_OPTS(bpf_kprobe_opts, opts);

		opts.offset = pl->off;
		opts.retprobe = st->mech == KF_KRETPROBE;
		in->link = bpf_program__attach_kprobe_opts(load_picked(skel->obj), pl->sym, &opts);
		if (!in->link) {
			int ret = -errno;

			snprintf(err, errlen, "cannot attach %s at %s: %s", mech_name[st->mech],
				 in->desc, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static const char *kf_attached_as(const struct lp_probe *p)
{
	const struct kf_state *st = p->priv;

	if (!st)
		return "kprobe";
	if (st->bt && st->bt->as[0])
		return st->bt->as;
	if (st->multi)
		return st->mech == KF_KRETPROBE ? "kretprobe.multi" : "kprobe.multi";
	return mech_name[st->mech];
}

static void kf_destroy(struct lp_probe *p)
{
	struct kf_state *st = p->priv;

	for (int i = 0; i < p->ninsts; i++) {
		bpf_link__destroy(p->insts[i].link);
		lp_regs__destroy(p->insts[i].skel);
		free(p->insts[i].desc);
		if (p->insts[i].site)
			places_free(p->insts[i].site, 1);
	}
	free(p->insts);
	p->insts = NULL;
	p->ninsts = 0;
	if (st) {
		btfargs_release(p, st->bt);
		for (int i = 0; st->args && i < st->nargs; i++) {
			free(st->args[i].name);
			free(st->args[i].ctype);
		}
		free(st->args);
		free(st->ret.name);
		free(st->ret.ctype);
		free(st);
	}
	p->priv = NULL;
}

/* ---- -L, -l, names ---- */

static int kf_describe(struct lp_probe *p, FILE *out)
{
	struct kf_state *st = p->priv;
	struct kf_place *pl;
	struct lp_var *vars = NULL;
	int nv;

	if (p->ninsts <= 0)
		return -ENOENT;
	/* -L shows DWARF's parameters where a fetch would read them */
	if (wants_dwarf(p, "$retval")) {
		char err[512];

		if (kf_dwarf_params(p, err, sizeof(err)))
			fprintf(stderr, "luaprobe: %s\n", err);
	}
	pl = p->insts[0].site;
	fprintf(out, "  at %s (%s)", p->insts[0].desc, kf_attached_as(p));
	if (p->ninsts > 1)
		fprintf(out, ", and %d more place%s", p->ninsts - 1, p->ninsts > 2 ? "s" : "");
	fputc('\n', out);
	if (pl->site && !is_return(st)) {
		nv = dwarf_scope_vars(st->d, pl->site, &vars);
		for (int i = 0; i < nv; i++)
			kind_print_decl(out, vars[i].ctype, vars[i].name);
		dwarf_vars_free(vars, nv > 0 ? nv : 0);
		return 0;
	}
	if (pl->site) { /* a return: DWARF's type of $retval */
		struct lp_loc loc = { 0 };
		char err[256];

		if (dwarf_fetch(st->d, pl->site, "$retval", 1, &loc, err, sizeof(err)) == 0)
			kind_print_decl(out, loc.ctype ? loc.ctype : "?", "$retval");
		dwarf_loc_free(&loc);
		return 0;
	}
	if (!is_return(st))
		for (int i = 0; i < st->nargs; i++)
			kind_print_decl(out, st->args[i].ctype, st->args[i].name);
	if (is_return(st) && st->nargs >= 0 && st->ret.size > 0)
		kind_print_decl(out, st->ret.ctype, "$retval");
	return 0;
}

static int kf_scope(struct lp_probe *p, char ***names)
{
	struct kf_state *st = p->priv;
	struct kf_place *pl = p->ninsts ? p->insts[0].site : NULL;
	struct lp_var *vars = NULL;
	int nv = 0, n = 0;

	if (pl && pl->site && !is_return(st))
		nv = dwarf_scope_vars(st->d, pl->site, &vars);
	*names = calloc((nv > 0 ? nv : 0) + (st->nargs > 0 ? st->nargs : 0) + KF_NREGARGS + 2,
			sizeof(**names));
	for (int i = 0; *names && i < nv; i++)
		(*names)[n++] = strdup(vars[i].name);
	dwarf_vars_free(vars, nv > 0 ? nv : 0);
	for (int i = 0; *names && i < st->nargs; i++)
		(*names)[n++] = strdup(st->args[i].name);
	for (int i = 0; *names && i < KF_NREGARGS; i++)
		if (asprintf(&(*names)[n], "arg%d", i) >= 0)
			n++;
	if (*names && is_return(st))
		(*names)[n++] = strdup("$retval");
	return *names ? n : -ENOMEM;
}

struct lister {
	const char *glob;
	FILE *out;
	int n;
};

static int list_one(const char *name, uint64_t addr, void *ctx)
{
	struct lister *l = ctx;

	(void)addr;
	if (!is_copy_of(name, l->glob))
		return 0;
	fprintf(l->out, "kernel.function(\"%s\")\n", name);
	l->n++;
	return 0;
}

/* -l 'kernel.function("tcp_*")': the copies luaprobe would attach to,
 * from kallsyms (available_filter_functions is root-only and, on some
 * kernels, unreadable even then). */
static int kf_list_point(const struct lp_point *pt, FILE *out, char *err, size_t errlen)
{
	struct lister l = { .glob = pt->func ? pt->func : "*", .out = out };
	struct lp_ksym *ks = ksym_new();
	int ret;

	if (pt->label || pt->statement) {
		snprintf(err, errlen, "listing kernel labels and lines is not built");
		ksym_free(ks);
		return -EOPNOTSUPP;
	}
	ret = ks ? ksym_each_text(ks, list_one, &l) : -ENOMEM;
	ksym_free(ks);
	if (ret < 0) {
		snprintf(err, errlen, "cannot read the kernel's symbols: %s", strerror(-ret));
		return ret;
	}
	return l.n;
}

/* `location in "f"`: the kernel's addresses, clones included. */
static int kf_ranges(struct lp_probe *p, const char *func, struct lp_range *out, int max, char *err,
		     size_t errlen)
{
	struct ksym_range r[LP_MAX_RANGES];
	int n = ksym_ranges(caches_ksym(p->caches), func, r,
			    max < LP_MAX_RANGES ? max : LP_MAX_RANGES);

	if (n <= 0) {
		snprintf(err, errlen, "no kernel function '%s'", func);
		return n < 0 ? n : -ENOENT;
	}
	for (int i = 0; i < n; i++) {
		out[i].lo = r[i].start;
		out[i].hi = r[i].end;
	}
	return n;
}

const struct lp_kind kind_kprobe = {
	.name = "kprobe",
	.refuse = kf_refuse,
	.resolve = kf_resolve,
	.load = kf_load,
	.attach = kf_attach,
	.attached_as = kf_attached_as,
	.destroy = kf_destroy,
	.list_point = kf_list_point,
	.describe = kf_describe,
	.scope = kf_scope,
	.ranges = kf_ranges,
	.add_fetch = kf_add_fetch,
};
