/* uprobe:/bin:func, uretprobe:/bin:func and process("/bin").function("f")
 * with .return, .label("l") and .statement("f@file.c:12"): DWARF (runtime/
 * dwarf.c) says where each probe goes and where each fetched value lives
 * there; the regs template follows those chains in the kernel. One point
 * may give many attach points (clones, inlined copies, globs): each gets its
 * own fetch ops and program, all sharing the probe's maps and handler. */
#include "kinds/uprobe.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "caches.h"
#include "load/image.h"
#include "plan/plan.h"
#include "resolve/dwarf/dwarf.h"
#include "run/watch.h"
#include "regs.image.h"
#include "regs.skel.h"

static int is_return(const struct lp_probe *p)
{
	return p->point.kind == LP_PT_URETPROBE;
}

static int find_sites(struct lp_probe *p, struct lp_dwarf *d, struct lp_site **sites, char *err,
		      size_t errlen)
{
	const struct lp_point *pt = &p->point;

	if (pt->label)
		return dwarf_label_sites(d, pt->func ? pt->func : "*", pt->label, sites, err,
					 errlen);
	if (pt->statement)
		return dwarf_statement_sites(d, pt->statement, sites, err, errlen);
	return dwarf_function_sites(d, pt->func, sites, err, errlen);
}

/* Does `expr` give an event value at every site, the same kind everywhere? */
static int fits_everywhere(struct lp_dwarf *d, const struct lp_site *sites, int nsites,
			   const char *expr, int is_ret)
{
	int type = -1, size = -1;

	for (int s = 0; s < nsites; s++) {
		struct lp_loc loc;
		char err[256];
		int ok;

		if (dwarf_fetch(d, &sites[s], expr, is_ret, &loc, err, sizeof(err)) != 0)
			return 0;
		ok = loc.type != LP_LT_ARRAY && !(loc.type == LP_LT_INT && loc.size > 8) &&
		     (type < 0 || ((int)loc.type == type && loc.size == size));
		type = loc.type;
		size = loc.size;
		dwarf_loc_free(&loc);
		if (!ok)
			return 0;
	}
	return 1;
}

/* Without spec.fetch: the parameters that every attach point has (a glob
 * may match functions with different ones) and that fit in an event, by
 * name; on a return probe its $retval, when there is one. What is left out
 * is left out quietly: the user asked for nothing in particular. */
static int default_reqs(struct lp_probe *p, struct lp_dwarf *d, const struct lp_site *sites,
			int nsites)
{
	struct lp_var *vars = NULL;
	int n = is_return(p) ? 0 : dwarf_scope_vars(d, &sites[0], &vars), k = 0;

	p->reqs = calloc(n > 0 ? n + 1 : 1, sizeof(*p->reqs));
	if (!p->reqs) {
		dwarf_vars_free(vars, n > 0 ? n : 0);
		return -ENOMEM;
	}
	for (int i = 0; i < n && k < LP_MAX_FETCH; i++) {
		if (!vars[i].is_param || !fits_everywhere(d, sites, nsites, vars[i].name, 0))
			continue;
		p->reqs[k].name = strdup(vars[i].name);
		p->reqs[k].expr = strdup(vars[i].name);
		k++;
	}
	if (is_return(p) && fits_everywhere(d, sites, nsites, "$retval", 1)) {
		p->reqs[k].name = strdup("retval");
		p->reqs[k].expr = strdup("$retval");
		k++;
	}
	p->nreqs = k;
	dwarf_vars_free(vars, n > 0 ? n : 0);
	return 0;
}

/* One event layout serves every site: a value must decode the same way at
 * each (a char[16] at one site and a char * at another would put every later
 * value at another offset than the layout says). */
static int same_shape(const struct lp_field *a, const struct lp_field *b)
{
	return a->kind == b->kind && a->size == b->size && a->elem == b->elem;
}

/* Fetch `expr` at every attach point into one new field `name` at the end
 * of the event data: the first place lays it out, every other place writes
 * its own ops (DWARF locations differ by address) to the same slot. */
static int add_field(struct lp_probe *p, const char *name, const char *expr, char *err,
		     size_t errlen)
{
	unsigned op = p->plan.nfetch, dst = p->plan.data_size;
	struct lp_field first = { 0 }, *grown;
	char why[256];
	int slot = 0, ret = 0, s;

	if (op >= LP_MAX_FETCH) {
		snprintf(err, errlen, "at most %d fetches per probe", LP_MAX_FETCH);
		return -E2BIG;
	}
	for (s = 0; s < p->ninsts; s++) {
		struct lp_inst *in = &p->insts[s];
		struct lp_field f = { 0 };
		struct lp_loc loc;

		if (((struct up_place *)in->site)->early) {
			snprintf(why, sizeof(why),
				 "at %s the prologue has not stored the frame's values yet "
				 "(probe a later offset)",
				 in->desc);
			ret = -EINVAL;
			break;
		}
		ret = dwarf_fetch(p->priv, in->site, expr, is_return(p), &loc, why, sizeof(why));
		if (ret)
			break;
		ret = plan_uval(&loc, dst, &in->fetch[op], &f, why, sizeof(why));
		if (ret >= 0 && s == 0) {
			first = f;
			slot = ret;
			first.ctype = strdup(loc.ctype ? loc.ctype : "?");
			if (!first.ctype)
				ret = -ENOMEM;
		} else if (ret >= 0 && !same_shape(&f, &first)) {
			snprintf(why, sizeof(why),
				 "it is %s here but %s at %s: one probe's events have one "
				 "layout (probe these places apart)",
				 loc.ctype ? loc.ctype : "?", first.ctype, p->insts[0].desc);
			ret = -EINVAL;
		}
		dwarf_loc_free(&loc);
		if (ret < 0)
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

/* One attach point per site, each keeping its site for the fetches asked
 * later (a key or filter by expression); then spec.fetch at each. */
int uprobe_plan_sites(struct lp_probe *p, struct lp_site *sites, const int *early, int nsites,
		      char *err, size_t errlen)
{
	int ret = p->reqs ? 0 : default_reqs(p, p->priv, sites, nsites);

	if (ret)
		return ret;
	p->insts = calloc(nsites, sizeof(*p->insts));
	if (!p->insts)
		return -ENOMEM;
	for (int s = 0; s < nsites; s++) {
		struct lp_inst *in = &p->insts[s];
		struct up_place *pl;

		/* a uretprobe must sit on the first instruction, where the return
		 * address is still on top of the stack */
		in->offset = is_return(p) && sites[s].entry_offset ? sites[s].entry_offset
								   : sites[s].offset;
		if (asprintf(&in->desc, "%s%s%s:%d%s", sites[s].symbol ? sites[s].symbol : "?",
			     sites[s].file ? " (" : "", sites[s].file ? sites[s].file : "",
			     sites[s].line, sites[s].file ? ")" : "") < 0)
			return -ENOMEM;
		pl = calloc(1, sizeof(*pl));
		if (!pl) {
			free(in->desc);
			return -ENOMEM;
		}
		/* the site's strings and scope move to the attach point */
		pl->site = sites[s];
		pl->early = early ? early[s] : 0;
		memset(&sites[s], 0, sizeof(sites[s]));
		in->site = pl;
		p->ninsts++;
	}
	if (p->nreqs > LP_MAX_FETCH) {
		snprintf(err, errlen, "at most %d fetches per probe", LP_MAX_FETCH);
		return -E2BIG;
	}
	for (int i = 0; i < p->nreqs; i++) {
		int ret = add_field(p, p->reqs[i].name, p->reqs[i].expr, err, errlen);

		if (ret)
			return ret;
	}
	return 0;
}

int uprobe_add_fetch(struct lp_probe *p, const char *expr, char *err, size_t errlen)
{
	return add_field(p, expr, expr, err, errlen);
}

/* uprobe:BIN:f+OFF: every site moves to OFF from its function's start. */
static int move_sites(struct lp_probe *p, struct lp_dwarf *d, struct lp_site *sites, int n,
		      int *early, char *err, size_t errlen)
{
	for (int s = 0; s < n; s++) {
		int ret = dwarf_site_at_offset(d, &sites[s], p->point.offset, p->unsafe, &early[s],
					       err, errlen);

		if (ret)
			return ret;
	}
	return 0;
}

static int up_resolve(struct lp_probe *p, char *err, size_t errlen)
{
	struct lp_site *sites = NULL;
	struct lp_dwarf *d;
	int n, ret, *early;

	d = caches_dwarf(p->caches, p->point.binary);
	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "cannot open '%s': %s", p->point.binary,
			 ret == -ENOEXEC ? "not an ELF file" : strerror(-ret));
		return ret;
	}
	p->priv = d;
	n = find_sites(p, d, &sites, err, errlen);
	if (n <= 0)
		return n < 0 ? n : -ENOENT;
	early = calloc(n, sizeof(*early));
	ret = early ? 0 : -ENOMEM;
	if (!ret && p->point.offset)
		ret = move_sites(p, d, sites, n, early, err, errlen);
	for (int s = 0; !ret && !p->reqs && s < n; s++)
		if (early[s]) /* no parameters to fetch by default there */
			ret = (p->reqs = calloc(1, sizeof(*p->reqs))) ? 0 : -ENOMEM;
	if (!ret)
		ret = uprobe_plan_sites(p, sites, early, n, err, errlen);
	free(early);
	dwarf_sites_free(sites, n);
	return ret;
}

/* uprobe_multi (kernel >= 6.6): one link holds many uprobes of one binary,
 * and closing it unregisters them all and then waits for the kernel's grace
 * periods once, outside any global lock. Closing a perf-event uprobe waits
 * for about five grace periods, under event_mutex, which every perf-event
 * close on the machine takes (200 places: ~20 s, however many threads
 * close). libbpf 1.1 knows neither the attach type nor the link's
 * attributes: both are the kernel's UAPI (include/uapi/linux/bpf.h, union
 * bpf_attr's link_create.uprobe_multi), checked against 6.18's BTF. */
#define UPM_ATTACH_TYPE 48 /* BPF_TRACE_UPROBE_MULTI */
#define UPM_F_RETURN 1u /* BPF_F_UPROBE_MULTI_RETURN */

struct upm_attr {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	uint64_t path; /* the union's members start 8-aligned at offset 16 */
	uint64_t offsets;
	uint64_t ref_ctr_offsets;
	uint64_t cookies;
	uint32_t cnt;
	uint32_t upm_flags;
	uint32_t pid;
};

/* A link of n uprobes at offsets in path running prog_fd: the link fd
 * (> 2, so that 0 can mean none in lp_inst.link_fd) or -errno. */
static int upm_link(int prog_fd, const char *path, const unsigned long *offsets,
		    const unsigned long *ref_ctrs, unsigned n, int ret, int pid)
{
	struct upm_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = prog_fd;
	a.attach_type = UPM_ATTACH_TYPE;
	a.path = (uint64_t)(uintptr_t)path;
	a.offsets = (uint64_t)(uintptr_t)offsets;
	a.ref_ctr_offsets = (uint64_t)(uintptr_t)ref_ctrs;
	a.cnt = n;
	a.upm_flags = ret ? UPM_F_RETURN : 0;
	a.pid = pid > 0 ? (uint32_t)pid : 0;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	if (fd < 0)
		return -errno;
	if (fd <= 2) { /* stdin/out/err were closed: keep 0 free to mean none */
		int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		int err = -errno;

		close(fd);
		return moved >= 0 ? moved : err;
	}
	return fd;
}

/* Does this kernel have uprobe_multi links? Known by trying, as libbpf
 * does: a link on "/" fails with EBADF where it has them (the path is not a
 * regular file) and with EINVAL where the attach type is unknown.
 * LUAPROBE_UPROBE_MULTI=0 keeps perf-event uprobes (a kernel whose
 * uprobe_multi misbehaves; the tests of the fallback). */
static int upm_works(void)
{
	static int known, result;
	struct bpf_insn insn[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)UPM_ATTACH_TYPE);
	const char *env = getenv("LUAPROBE_UPROBE_MULTI");
	unsigned long off = 0;
	int fd, link;

	if (known)
		return result;
	known = 1;
	if (env && strcmp(env, "0") == 0)
		return result = 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "lp_upm_probe", "GPL", insn, 2, &opts);
	if (fd < 0)
		return result = 0;
	link = upm_link(fd, "/", &off, NULL, 1, 0, 0);
	if (link >= 0)
		close(link);
	close(fd);
	return result = link == -EBADF;
}

static struct up_place *place(struct lp_inst *in)
{
	return in->site;
}

/* The place before i whose program can run at i too: the same fetches
 * (everything else in the program is the probe's). -1: none. Compared
 * byte for byte: a difference only in padding costs a program, never a
 * wrong value. */
static int same_program(const struct lp_probe *p, int i)
{
	for (int j = 0; j < i; j++)
		if (place(&p->insts[j])->lead == j &&
		    memcmp(p->insts[j].fetch, p->insts[i].fetch,
			   p->plan.nfetch * sizeof(p->insts[i].fetch[0])) == 0)
			return j;
	return -1;
}

/* Loading or attaching hundreds of places takes seconds: a signal stops it
 * (the caller detaches what was attached). done: places loaded or attached. */
static int stop_asked(const struct lp_probe *p, const char *what, int done, char *err,
		      size_t errlen)
{
	if (!watch_stop_pending())
		return 0;
	snprintf(err, errlen, "%s stopped by %s after %d of %d places", what, watch_reason(), done,
		 p->ninsts);
	return 1;
}

/* The plan a place runs: the probe's with the place's own fetches. */
static void place_plan(const struct lp_probe *p, const struct lp_inst *in, struct lp_plan *pl)
{
	*pl = p->plan;
	memcpy(pl->fetch, in->fetch, sizeof(in->fetch));
	plan_uval_windows(pl->fetch, pl->nfetch);
}

int uprobe_load(struct lp_probe *p, const struct lp_maps *m, char *err, size_t errlen)
{
	int multi = upm_works();

	for (int i = 0; multi && i < p->ninsts; i++)
		multi = p->insts[i].site != NULL;
	struct lp_plan pl;
	char key[64];

	for (int i = 0; i < p->ninsts; i++) {
		struct lp_inst *in = &p->insts[i];
		struct lp_regs *skel;
		struct bpf_map *aggs[LP_MAX_AGG];
		int ret, lead = -1;

		if (stop_asked(p, "loading", i, err, errlen))
			return -EINTR;
		if (multi) {
			lead = same_program(p, i);
			place(in)->lead = lead >= 0 ? lead : i;
			if (lead >= 0)
				continue; /* runs the lead's program, on the lead's link */
		} else if (in->site) {
			place(in)->lead = -1;
		}
		/* The program from an image, with this place's plan (uprobe_multi
		 * links take programs by fd): the template's table relocated at
		 * build time, or another place's program libbpf loaded */
		if (multi && p->caches) {
			int shared[LP_MAX_AGG];

			place_plan(p, in, &pl);
			snprintf(key, sizeof(key), "regs multi %x %d", load_layers(&pl), p->naggs);
			for (int a = 0; a < LP_MAX_AGG; a++)
				shared[a] = i > 0 && a < p->naggs ? p->aggs[a].fd : -1;
			(void)load_image_tmpl(&p->caches->images, key, &lp_regs_tmpl, "lp_regs",
					      &pl, -1, UPM_ATTACH_TYPE, m, p->naggs,
					      offsetof(struct lp_regs__rodata, plan));
			ret = load_image_load(p->caches->images, key, p, &pl, shared);
			if (ret > 2) {
				in->prog_fd = ret;
				place(in)->imaged = 1;
				continue;
			}
			if (ret >= 0)
				close(ret); /* 0-2 would read as none */
		}
		skel = lp_regs__open();
		if (!skel) {
			ret = -errno;
			snprintf(err, errlen, "cannot open the uprobe template: %s",
				 strerror(-ret));
			return ret;
		}
		in->skel = skel;
		aggs[0] = skel->maps.lp_agg0;
		aggs[1] = skel->maps.lp_agg1;
		memcpy((void *)&skel->rodata->plan, &p->plan, sizeof(p->plan));
		memcpy((void *)skel->rodata->plan.fetch, in->fetch, sizeof(in->fetch));
		plan_uval_windows((struct lp_fetch *)skel->rodata->plan.fetch, p->plan.nfetch);
		/* The smallest of the template's programs that does what this
		 * place's plan does: a value in a register at one place may be on
		 * the stack at another, which needs the memory layer. */
		if (!load_pick(skel->obj, "lp_regs", (const struct lp_plan *)&skel->rodata->plan)) {
			snprintf(err, errlen, "the uprobe template has no program for this probe");
			return -ENOENT;
		}
		ret = load_share_maps(skel->maps.lp_events, skel->maps.lp_lost, m);
		if (!ret)
			ret = load_share_lat(skel->maps.lp_lat, m);
		/* Every copy counts into the first copy's aggregation maps. */
		for (int a = 0; !ret && a < p->naggs; a++)
			ret = i == 0 ? load_size_agg(aggs[a], p, a)
				     : bpf_map__reuse_fd(aggs[a], p->aggs[a].fd);
		if (!ret && multi)
			ret = bpf_program__set_expected_attach_type(
				load_picked(skel->obj), (enum bpf_attach_type)UPM_ATTACH_TYPE);
		if (!ret)
			ret = lp_regs__load(skel);
		if (ret) {
			const char *why = load_last_error();

			snprintf(err, errlen, "the kernel refused the program for %s: %s%s%s",
				 in->desc, strerror(-ret), *why ? ": " : "", why);
			return ret;
		}
		for (int a = 0; i == 0 && a < p->naggs; a++)
			p->aggs[a].fd = bpf_map__fd(aggs[a]);
		if (multi && p->caches)
			/* no image (an object it cannot copy): each loads its own */
			(void)load_image_keep(&p->caches->images, key, skel->obj,
					      load_picked(skel->obj), UPM_ATTACH_TYPE, m, aggs,
					      p->naggs,
					      (size_t)((const char *)&skel->rodata->plan -
						       (const char *)skel->rodata));
	}
	return 0;
}

/* A uprobe_multi link filters by process, named by its thread group id; a
 * perf-event uprobe took any thread's id (-p TID) for its process. */
static int tgid_of(int pid)
{
	char path[64], line[128];
	int tgid = pid;
	FILE *f;

	if (pid <= 0)
		return pid;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	if (f)
		fclose(f);
	return tgid > 0 ? tgid : pid;
}

/* One link per program: every place that runs lead's program. Returns
 * their count, or -errno with err. */
static int attach_group(struct lp_probe *p, int lead, const char *path, unsigned long *offs,
			unsigned long *refs, char *err, size_t errlen)
{
	struct lp_regs *skel = p->insts[lead].skel;
	int prog = p->insts[lead].prog_fd > 0 ? p->insts[lead].prog_fd
					      : bpf_program__fd(load_picked(skel->obj));
	int n = 0, fd;
	int pid = tgid_of(p->target_pid);

	for (int k = lead; k < p->ninsts; k++) {
		if (place(&p->insts[k])->lead != lead)
			continue;
		offs[n] = p->insts[k].offset;
		refs[n] = place(&p->insts[k])->ref_ctr;
		n++;
	}
	fd = upm_link(prog, path, offs, refs, n, is_return(p), pid);
	if (fd >= 0) {
		p->insts[lead].link_fd = fd;
		return n;
	}
	/* which place the kernel refused: each alone, for the message */
	for (int k = lead, bad; n > 1 && k < p->ninsts; k++) {
		unsigned long off = p->insts[k].offset, ref = place(&p->insts[k])->ref_ctr;

		if (place(&p->insts[k])->lead != lead)
			continue;
		bad = upm_link(prog, path, &off, &ref, 1, is_return(p), pid);
		if (bad >= 0) {
			close(bad);
			continue;
		}
		snprintf(err, errlen, "cannot attach at %s: %s", p->insts[k].desc, strerror(-bad));
		return bad;
	}
	snprintf(err, errlen, "cannot attach at %s%s: %s", p->insts[lead].desc,
		 n > 1 ? " and the places like it" : "", strerror(-fd));
	return fd;
}

static int attach_multi(struct lp_probe *p, const char *path, char *err, size_t errlen)
{
	unsigned long *offs = calloc(p->ninsts, sizeof(*offs));
	unsigned long *refs = calloc(p->ninsts, sizeof(*refs));
	int ret = offs && refs ? 0 : -ENOMEM, done = 0;

	if (ret)
		snprintf(err, errlen, "out of memory");
	for (int i = 0; ret >= 0 && i < p->ninsts; i++) {
		if (place(&p->insts[i])->lead != i)
			continue;
		if (stop_asked(p, "attaching", done, err, errlen))
			ret = -EINTR;
		else
			ret = attach_group(p, i, path, offs, refs, err, errlen);
		done += ret > 0 ? ret : 0;
	}
	free(offs);
	free(refs);
	return ret < 0 ? ret : 0;
}

static int attach_each(struct lp_probe *p, const char *path, char *err, size_t errlen)
{
	for (int i = 0; i < p->ninsts; i++) {
		struct lp_inst *in = &p->insts[i];
		struct lp_regs *skel = in->skel;
		const struct up_place *pl = in->site;
		/* a USDT semaphore: the kernel counts it up in every process
		 * mapping the file while the probe is attached */
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = is_return(p),
			    .ref_ctr_offset = pl ? pl->ref_ctr : 0);

		if (stop_asked(p, "attaching", i, err, errlen))
			return -EINTR;
		in->link = bpf_program__attach_uprobe_opts(load_picked(skel->obj),
							   p->target_pid ? p->target_pid : -1, path,
							   in->offset, &opts);
		if (!in->link) {
			int ret = -errno;

			snprintf(err, errlen, "cannot attach at %s: %s", in->desc, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void close_prog(struct lp_inst *in)
{
	if (in->prog_fd > 0)
		close(in->prog_fd);
	in->prog_fd = 0;
}

int uprobe_attach(struct lp_probe *p, char *err, size_t errlen)
{
	const char *path = dwarf_path(p->priv);
	int ret;

	if (p->ninsts > 0 && p->insts[0].site && place(&p->insts[0])->lead >= 0)
		ret = attach_multi(p, path, err, errlen);
	else
		ret = attach_each(p, path, err, errlen);
	if (ret)
		return ret;
	/* attached: the objects' fds and memory go (a glob of 200 places held
	 * ~2,000 fds), the links keep the programs and their maps */
	if (load_release(p) == 0) {
		for (int i = 0; i < p->ninsts; i++) {
			lp_regs__destroy(p->insts[i].skel);
			p->insts[i].skel = NULL;
			close_prog(&p->insts[i]);
		}
	}
	return 0;
}

/* -v: "uprobe_multi" (the kernel's name for the link), else the kind's. */
const char *uprobe_attached_as(const struct lp_probe *p)
{
	int multi = p->ninsts > 0 && p->insts[0].site && place(&p->insts[0])->lead >= 0;
	static char as[96];
	const char *kind;
	int imaged = 0, progs = 0;

	if (p->point.kind == LP_PT_USDT)
		kind = multi ? "usdt on uprobe_multi" : "usdt";
	else if (is_return(p))
		kind = multi ? "uretprobe_multi" : "uretprobe";
	else
		kind = multi ? "uprobe_multi" : "uprobe";
	for (int i = 0; multi && i < p->ninsts; i++) {
		if (place(&p->insts[i])->lead != i)
			continue;
		progs++;
		imaged += place(&p->insts[i])->imaged;
	}
	if (!imaged)
		return kind;
	if (imaged == progs)
		snprintf(as, sizeof(as), "%s, program%s from an image", kind, progs > 1 ? "s" : "");
	else
		snprintf(as, sizeof(as), "%s, %d of %d programs from an image", kind, imaged,
			 progs);
	return as;
}

void uprobe_destroy(struct lp_probe *p)
{
	for (int i = 0; i < p->ninsts; i++) {
		bpf_link__destroy(p->insts[i].link);
		if (p->insts[i].link_fd > 0)
			close(p->insts[i].link_fd);
		p->insts[i].link_fd = 0;
		lp_regs__destroy(p->insts[i].skel);
		p->insts[i].skel = NULL;
		close_prog(&p->insts[i]);
		free(p->insts[i].desc);
		if (p->insts[i].site)
			dwarf_sites_free(p->insts[i].site, 1);
	}
	load_close_aggs(p);
	free(p->insts);
	p->insts = NULL;
	p->ninsts = 0;
	if (p->priv)
		caches_dwarf_put(p->caches, p->priv);
	p->priv = NULL;
}

/* -L: everything in scope at the first attach point, as stap -L and perf
 * probe -V show it; the other attach points are counted. */
int uprobe_describe(struct lp_probe *p, FILE *out)
{
	const struct lp_site *site;
	struct lp_var *vars = NULL;
	int n = p->ninsts, nv;
	char err[512];

	if (n <= 0)
		return -ENOENT;
	/* the place as resolved: f+OFF shows what is in scope at the offset */
	site = p->insts[0].site;
	fprintf(out, "  at %s", p->insts[0].desc);
	if (n > 1)
		fprintf(out, ", and %d more place%s", n - 1, n > 2 ? "s" : "");
	fputc('\n', out);
	if (is_return(p)) {
		struct lp_loc loc;

		if (dwarf_fetch(p->priv, site, "$retval", 1, &loc, err, sizeof(err)) == 0) {
			kind_print_decl(out, loc.ctype ? loc.ctype : "?", "$retval");
			dwarf_loc_free(&loc);
		}
	} else {
		nv = dwarf_scope_vars(p->priv, site, &vars);
		for (int i = 0; i < nv; i++)
			kind_print_decl(out, vars[i].ctype, vars[i].name);
		dwarf_vars_free(vars, nv > 0 ? nv : 0);
	}
	return 0;
}

static int up_list_point(const struct lp_point *pt, FILE *out, char *err, size_t errlen)
{
	struct lp_dwarf *d = dwarf_open(pt->binary);
	int n;

	if (!d) {
		n = -errno;
		snprintf(err, errlen, "cannot open '%s': %s", pt->binary,
			 n == -ENOEXEC ? "not an ELF file" : strerror(-n));
		return n;
	}
	n = dwarf_list(d, pt->func ? pt->func : "*", pt->label != NULL, out);
	dwarf_close(d);
	return n;
}

/* "did you mean": what is in scope at the first attach point, as -L lists it. */
int uprobe_scope(struct lp_probe *p, char ***names)
{
	struct lp_var *vars = NULL;
	int nv = 0, n = 0;

	if (p->ninsts > 0 && !is_return(p))
		nv = dwarf_scope_vars(p->priv, p->insts[0].site, &vars);
	*names = calloc((nv > 0 ? nv : 0) + 2, sizeof(**names));
	for (int i = 0; *names && i < nv; i++)
		(*names)[n++] = strdup(vars[i].name);
	if (*names && is_return(p))
		(*names)[n++] = strdup("$retval");
	dwarf_vars_free(vars, nv > 0 ? nv : 0);
	return *names ? n : -ENOMEM;
}

/* A user program's enums are in its own DWARF, not the kernel's BTF: only
 * next to a value of enum type, whose type says where to look. */
static int up_enum_value(struct lp_probe *p, const char *name, const char *hint, long long *val,
			 char *err, size_t errlen)
{
	int64_t v;

	(void)err;
	(void)errlen;
	if (!hint || strncmp(hint, "enum ", 5) != 0 || !p->priv ||
	    dwarf_enum_value(p->priv, hint, name, &v) != 0)
		return -ENOENT;
	*val = v;
	return 0;
}

/* A process's addresses move with each run (ASLR, shared libraries), and
 * the template does not know where this one's binary is mapped: comparing
 * with the function's DWARF ranges would be silently wrong. */
static int up_ranges(struct lp_probe *p, const char *func, struct lp_range *out, int max, char *err,
		     size_t errlen)
{
	(void)p;
	(void)out;
	(void)max;
	snprintf(err, errlen,
		 "'in \"%s\"' compares with kernel function addresses; a process probe has none "
		 "(its code moves with each run)",
		 func);
	return -EOPNOTSUPP;
}

const struct lp_kind kind_uprobe = {
	.name = "uprobe",
	.scope = uprobe_scope,
	.enum_value = up_enum_value,
	.ranges = up_ranges,
	.resolve = up_resolve,
	.load = uprobe_load,
	.attach = uprobe_attach,
	.attached_as = uprobe_attached_as,
	.destroy = uprobe_destroy,
	.list_point = up_list_point,
	.describe = uprobe_describe,
	.add_fetch = uprobe_add_fetch,
};
