/* A binary's debuginfo through elfutils: the file is reported offline to
 * libdwfl, which finds its DWARF (in the file, or separate by build-id or
 * debuglink), its symbol table and its CFI; libdw answers the questions
 * about functions, labels and lines. Here: files, sites, -l and user
 * symbols. Scopes, names in scope and DWARF location expressions are in
 * dwarf_loc.c; fetch expressions and C types in dwarf_expr.c. */
#include "resolve/dwarf/dwarf.h"
#include "resolve/dwarf/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/suggest.h"

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

void dwarf_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void dwarf_msg_append(char *err, size_t errlen, const char *fmt, ...)
{
	size_t used = errlen ? strnlen(err, errlen) : 0;
	va_list ap;

	if (used + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, errlen - used, fmt, ap);
	va_end(ap);
}

const char *dwarf_die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	if (!dwarf_attr_integrate(die, DW_AT_name, &attr))
		return NULL;
	return dwarf_formstring(&attr);
}

/* A growing array of strings, for "did you mean" and -l. */
struct names {
	char **v;
	size_t n, cap;
};

static int names_add(struct names *ns, const char *s)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		char **v = realloc(ns->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n] = strdup(s);
	if (!ns->v[ns->n])
		return -ENOMEM;
	ns->n++;
	return 0;
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates. */
static void names_sort_unique(struct names *ns)
{
	size_t out = 0;

	if (!ns->n)
		return;
	qsort(ns->v, ns->n, sizeof(*ns->v), cmp_str);
	for (size_t i = 1; i < ns->n; i++) {
		if (!strcmp(ns->v[out], ns->v[i]))
			free(ns->v[i]);
		else
			ns->v[++out] = ns->v[i];
	}
	ns->n = out + 1;
}

/* " (did you mean 'x'?)" after err, when a name is close to `word`. */
static void suggest_into(char *err, size_t errlen, const char *word, struct names *ns)
{
	const char *best = suggest_closest(word, (const char *const *)ns->v, ns->n);

	if (best)
		dwarf_msg_append(err, errlen, DWARF_MSG_DID_YOU_MEAN, best);
}

/* ---- opening a file ---- */

static const char *const lib_dirs[] = {
	"/lib/x86_64-linux-gnu",
	"/usr/lib/x86_64-linux-gnu",
	"/lib64",
	"/usr/lib64",
	"/lib",
	"/usr/lib",
	"/usr/local/lib",
};

static char *try_dir(const char *dir, size_t dlen, const char *name)
{
	char buf[4096];

	if (!dlen)
		return NULL;
	snprintf(buf, sizeof(buf), "%.*s/%s", (int)dlen, dir, name);
	return access(buf, R_OK) ? NULL : realpath(buf, NULL);
}

/* A colon-separated list of directories, as LD_LIBRARY_PATH and PATH. */
static char *try_dirs(const char *list, const char *name)
{
	while (list && *list) {
		const char *end = strchrnul(list, ':');
		char *p = try_dir(list, end - list, name);

		if (p)
			return p;
		list = *end ? end + 1 : end;
	}
	return NULL;
}

/* A path as given, else a soname on the library paths, else a command on PATH. */
static char *find_file(const char *name)
{
	char *p;

	if (strchr(name, '/'))
		return realpath(name, NULL);
	p = try_dirs(getenv("LD_LIBRARY_PATH"), name);
	for (size_t i = 0; !p && i < sizeof(lib_dirs) / sizeof(lib_dirs[0]); i++)
		p = try_dir(lib_dirs[i], strlen(lib_dirs[i]), name);
	if (!p)
		p = try_dirs(getenv("PATH"), name);
	if (!p)
		errno = ENOENT;
	return p;
}

static int check_elf(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	Elf *elf;

	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		err = -ENOEXEC;
	elf_end(elf);
	close(fd);
	return err;
}

static bool has_units(Dwarf *dbg)
{
	Dwarf_Off next;
	size_t hsize;

	return dwarf_nextcu(dbg, 0, &next, &hsize, NULL, NULL, NULL) == 0;
}

struct lp_dwarf *dwarf_open(const char *path)
{
	struct lp_dwarf *d = calloc(1, sizeof(*d));
	const char *base;
	int err;

	if (!d)
		return NULL;
	d->path = find_file(path);
	if (!d->path) {
		err = -errno;
		goto err_free;
	}
	err = check_elf(d->path);
	if (err)
		goto err_free;
	d->dwfl = dwfl_begin(&offline_callbacks);
	if (!d->dwfl) {
		err = -ENOMEM;
		goto err_free;
	}
	base = strrchr(d->path, '/');
	d->mod = dwfl_report_offline(d->dwfl, base ? base + 1 : d->path, d->path, -1);
	if (!d->mod || dwfl_report_end(d->dwfl, NULL, NULL)) {
		err = -ENOEXEC;
		goto err_dwfl;
	}
	d->elf = dwfl_module_getelf(d->mod, &d->elf_bias);
	if (!d->elf) {
		err = -ENOEXEC;
		goto err_dwfl;
	}
	/* no DWARF is not an error: symbol probes still work */
	d->dbg = dwfl_module_getdwarf(d->mod, &d->dbg_bias);
	if (d->dbg && !has_units(d->dbg))
		d->dbg = NULL;
	return d;

err_dwfl:
	dwfl_end(d->dwfl);
err_free:
	free(d->path);
	free(d);
	errno = -err;
	return NULL;
}

void dwarf_close(struct lp_dwarf *d)
{
	if (!d)
		return;
	dwfl_end(d->dwfl);
	free(d->path);
	free(d);
}

int dwarf_has_debuginfo(const struct lp_dwarf *d)
{
	return d->dbg != NULL;
}

const char *dwarf_path(const struct lp_dwarf *d)
{
	return d->path;
}

/* ---- addresses, symbols, file offsets ---- */

/* The file offset uprobes take: through the PT_LOAD segment holding addr. */
static int file_offset(const struct lp_dwarf *d, uint64_t addr, uint64_t *off)
{
	size_t n;

	if (elf_getphdrnum(d->elf, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(d->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_filesz) {
			*off = addr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ERANGE;
}

char *dwarf_symbolize(const struct lp_dwarf *d, uint64_t addr)
{
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name;
	char *s = NULL;
	int r;

	name = dwfl_module_addrinfo(d->mod, addr + d->elf_bias, &off, &sym, NULL, NULL, NULL);
	if (!name)
		r = asprintf(&s, "0x%" PRIx64, addr);
	else if (off)
		r = asprintf(&s, "%s+0x%" PRIx64, name, (uint64_t)off);
	else
		r = asprintf(&s, "%s", name);
	return r < 0 ? NULL : s;
}

/* The ELF symbol at addr exactly or around it, NULL if none. */
static const char *symbol_at(const struct lp_dwarf *d, uint64_t addr)
{
	GElf_Off off;
	GElf_Sym sym;

	return dwfl_module_addrinfo(d->mod, addr + d->elf_bias, &off, &sym, NULL, NULL, NULL);
}

/* .cold and .part copies are pieces of a function, not a way into it. */
static bool is_fragment(const char *sym)
{
	return sym && (strstr(sym, ".cold") || strstr(sym, ".part."));
}

/* The source name of a symbol: C names hold no '.', so whatever follows
 * one is the compiler's (.constprop.0, .isra.0, .localalias). */
static char *source_name(const char *sym)
{
	const char *dot = sym[0] ? strchr(sym + 1, '.') : NULL;

	return dot ? strndup(sym, dot - sym) : strdup(sym);
}

static bool glob_match(const char *glob, const char *name)
{
	return name && fnmatch(glob, name, 0) == 0;
}

/* ---- DIE walking ---- */

static bool is_func_tag(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

typedef int (*cu_fn)(struct lp_dwarf *d, Dwarf_Die *cu, void *arg);

static int for_each_cu(struct lp_dwarf *d, cu_fn fn, void *arg)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(d->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		int err;

		if (dwarf_offdie(d->dbg, off + hsize, &cu)) {
			err = fn(d, &cu, arg);
			if (err)
				return err;
		}
		off = next;
	}
	return 0;
}

/* ---- sites ---- */

struct sites {
	struct lp_site *v;
	int n, cap;
};

static void site_clear(struct lp_site *s)
{
	free(s->func);
	free(s->symbol);
	free(s->file);
	dwarf_scope_free(s->scope);
	memset(s, 0, sizeof(*s));
}

void dwarf_sites_free(struct lp_site *sites, int n)
{
	for (int i = 0; i < n; i++)
		site_clear(&sites[i]);
	free(sites);
}

static bool sites_have(const struct sites *ss, uint64_t addr, const char *func)
{
	for (int i = 0; i < ss->n; i++)
		if (ss->v[i].addr == addr && (!func || !strcmp(ss->v[i].func, func)))
			return true;
	return false;
}

/* Append a site at ELF address `addr`. Takes ownership of scope, also on
 * error. */
static int sites_add(struct lp_dwarf *d, struct sites *ss, uint64_t addr, const char *func,
		     int inlined, struct dwarf_scope *scope, const char *file, int line)
{
	struct lp_site *s;
	int err;

	if (ss->n == ss->cap) {
		int cap = ss->cap ? ss->cap * 2 : 8;
		struct lp_site *v = realloc(ss->v, cap * sizeof(*v));

		if (!v) {
			dwarf_scope_free(scope);
			return -ENOMEM;
		}
		ss->v = v;
		ss->cap = cap;
	}
	s = &ss->v[ss->n];
	memset(s, 0, sizeof(*s));
	s->scope = scope;
	s->addr = addr;
	s->inlined = inlined;
	s->line = line;
	err = file_offset(d, addr, &s->offset);
	if (err) {
		site_clear(s);
		return err;
	}
	s->func = strdup(func);
	s->symbol = dwarf_symbolize(d, addr);
	s->file = file ? strdup(file) : NULL;
	if (!s->func || !s->symbol || (file && !s->file)) {
		site_clear(s);
		return -ENOMEM;
	}
	ss->n++;
	return 0;
}

static int cmp_site(const void *a, const void *b)
{
	const struct lp_site *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Hand the sites over in address order, the same on every run. */
static int sites_done(struct sites *ss, struct lp_site **out)
{
	qsort(ss->v, ss->n, sizeof(*ss->v), cmp_site);
	*out = ss->v;
	return ss->n;
}

/* The source line at a DWARF address. */
static void line_at(Dwarf_Die *cu, Dwarf_Addr pc, const char **file, int *line)
{
	Dwarf_Line *l = dwarf_getsrc_die(cu, pc);

	*file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
	*line = 0;
	if (l)
		dwarf_lineno(l, line);
}

/* Where a function instance's probe goes: its first instruction, unless a
 * parameter lives in the frame there (the prologue has not stored it yet,
 * as in -O0 code): then after the prologue, where libdw's
 * dwarf_entry_breakpoints puts a debugger's breakpoint. */
static Dwarf_Addr entry_site(Dwarf_Die *func, Dwarf_Addr entry)
{
	Dwarf_Die child;
	bool in_frame = false;
	Dwarf_Addr *bk, pc = entry;
	int n;

	if (dwarf_child(func, &child) == 0) {
		do {
			if (dwarf_tag(&child) == DW_TAG_formal_parameter &&
			    dwarf_loc_uses_frame(&child, entry) == 1)
				in_frame = true;
		} while (!in_frame && dwarf_siblingof(&child, &child) == 0);
	}
	if (!in_frame)
		return entry;
	n = dwarf_entry_breakpoints(func, &bk);
	if (n > 0) {
		pc = bk[0];
		free(bk);
	}
	return pc;
}

struct func_walk {
	const char *glob;
	struct sites *ss;
	struct names *all; /* every function name, for "did you mean" and -l */
	bool only_inlined; /* the glob matched a function without out-of-line copy */
	int err;
};

static int func_sites_cu(struct lp_dwarf *d, Dwarf_Die *cu, void *arg)
{
	struct func_walk *w = arg;
	Dwarf_Die fn;

	if (dwarf_child(cu, &fn))
		return 0;
	do {
		struct dwarf_scope *scope;
		const char *name, *sym, *file;
		Dwarf_Addr entry, pc;
		uint64_t addr;
		int line, err;

		if (dwarf_tag(&fn) != DW_TAG_subprogram)
			continue;
		name = dwarf_die_name(&fn);
		if (!name)
			continue;
		if (dwarf_die_entry(&fn, &entry)) {
			/* no code of its own: abstract (inlined everywhere) or a declaration */
			if (dwarf_func_inline(&fn) && glob_match(w->glob, name))
				w->only_inlined = true;
			continue;
		}
		sym = symbol_at(d, dwarf_elf_addr(d, entry));
		if (is_fragment(sym))
			continue;
		if (w->all && (err = names_add(w->all, name)))
			return err;
		if (!glob_match(w->glob, name) && !glob_match(w->glob, sym))
			continue;
		pc = entry_site(&fn, entry);
		addr = dwarf_elf_addr(d, pc);
		if (sites_have(w->ss, addr, NULL))
			continue;
		scope = dwarf_scope_new(d, SCOPE_ENTRY, cu, &fn, pc);
		if (!scope)
			return -errno;
		line_at(cu, pc, &file, &line);
		err = sites_add(d, w->ss, addr, name, 0, scope, file, line);
		if (!err)
			err = file_offset(d, dwarf_elf_addr(d, entry),
					  &w->ss->v[w->ss->n - 1].entry_offset);
		if (err)
			return err;
	} while (dwarf_siblingof(&fn, &fn) == 0);
	return 0;
}

/* Functions from the ELF symbol table that DWARF does not describe (all
 * of them in a file without debuginfo). */
/* A site DWARF gave for the function this symbol names (or its clone). */
static int has_func(const struct sites *ss, const char *symbol)
{
	char *src = source_name(symbol);
	int found = 0;

	for (int i = 0; src && i < ss->n && !found; i++)
		found = ss->v[i].func && strcmp(ss->v[i].func, src) == 0;
	free(src);
	return found || !src;
}

static int func_sites_symtab(struct lp_dwarf *d, const char *glob, struct sites *ss,
			     struct names *all)
{
	int n = dwfl_module_getsymtab(d->mod);

	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr a;
		GElf_Word shndx;
		const char *name = dwfl_module_getsym_info(d->mod, i, &sym, &a, &shndx, NULL, NULL);
		char *src;
		uint64_t addr = a - d->elf_bias;
		Dwarf_Addr bias;
		int err = 0;

		if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC || shndx == SHN_UNDEF || !a ||
		    is_fragment(name))
			continue;
		/* DWARF knows this code: its answer stands, but for an exported
		 * alias (libc's snprintf is __snprintf in DWARF) whose name only
		 * the symbol table has: it becomes a symbol probe. */
		if (d->dbg && dwfl_module_addrdie(d->mod, a, &bias) &&
		    (!glob_match(glob, name) || has_func(ss, name)))
			continue;
		src = source_name(name);
		if (!src)
			return -ENOMEM;
		if (all)
			err = names_add(all, src);
		if (!err && (glob_match(glob, src) || glob_match(glob, name)) &&
		    !sites_have(ss, addr, NULL)) {
			err = sites_add(d, ss, addr, src, 0, NULL, NULL, 0);
			if (!err)
				ss->v[ss->n - 1].entry_offset = ss->v[ss->n - 1].offset;
		}
		free(src);
		if (err)
			return err;
	}
	return 0;
}

int dwarf_function_sites(struct lp_dwarf *d, const char *func_glob, struct lp_site **out, char *err,
			 size_t errlen)
{
	struct sites ss = { 0 };
	struct names all = { 0 };
	struct func_walk w = { .glob = func_glob, .ss = &ss, .all = &all };
	int ret = 0;

	*out = NULL;
	dwarf_msg(err, errlen, "%s", "");
	if (d->dbg)
		ret = for_each_cu(d, func_sites_cu, &w);
	if (!ret)
		ret = func_sites_symtab(d, func_glob, &ss, &all);
	if (ret)
		goto fail;
	if (!ss.n) {
		if (w.only_inlined) {
			dwarf_msg(err, errlen, DWARF_MSG_ONLY_INLINED, func_glob, d->path);
		} else {
			dwarf_msg(err, errlen, DWARF_MSG_NO_FUNC, func_glob, d->path);
			suggest_into(err, errlen, func_glob, &all);
		}
		ret = -ENOENT;
		goto fail;
	}
	names_free(&all);
	return sites_done(&ss, out);
fail:
	names_free(&all);
	dwarf_sites_free(ss.v, ss.n);
	return ret;
}

/* ---- labels ---- */

struct label_walk {
	const char *func_glob, *label_glob;
	struct sites *ss;
	struct names *list; /* -l: "func:label" instead of sites */
	struct names funcs, labels; /* for "did you mean" */
	char missing[256]; /* "label 'x' in f" without an address */
	int nfuncs; /* function instances the glob matched */
	int nmissing;
};

static int label_found(struct lp_dwarf *d, struct label_walk *w, Dwarf_Die *cu, Dwarf_Die *label,
		       Dwarf_Die *owner)
{
	const char *fname = dwarf_die_name(owner), *lname = dwarf_die_name(label), *file;
	struct dwarf_scope *scope;
	char buf[512];
	Dwarf_Addr pc;
	int line = 0, err;

	if (!lname)
		return 0;
	err = names_add(&w->labels, lname);
	if (err || !glob_match(w->label_glob, lname))
		return err;
	if (dwarf_lowpc(label, &pc)) {
		if (!w->nmissing++)
			snprintf(w->missing, sizeof(w->missing), "%s:%s", fname, lname);
		return 0;
	}
	if (w->list) {
		snprintf(buf, sizeof(buf), "%s:%s", fname, lname);
		return names_add(w->list, buf);
	}
	if (sites_have(w->ss, dwarf_elf_addr(d, pc), fname))
		return 0;
	scope = dwarf_scope_new(d, SCOPE_INSIDE, cu, owner, pc);
	if (!scope)
		return -errno;
	file = dwarf_decl_file(label);
	dwarf_decl_line(label, &line);
	return sites_add(d, w->ss, dwarf_elf_addr(d, pc), fname,
			 dwarf_tag(owner) != DW_TAG_subprogram, scope, file, line);
}

/* Labels under `die`, owned by the nearest function instance with code. */
static int walk_labels(struct lp_dwarf *d, struct label_walk *w, Dwarf_Die *cu, Dwarf_Die *die,
		       Dwarf_Die *owner)
{
	Dwarf_Die child;
	int err = 0;

	if (dwarf_child(die, &child))
		return 0;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Addr entry;

		if (is_func_tag(tag)) {
			const char *name = dwarf_die_name(&child);
			const char *sym;

			/* abstract instances and declarations have no code */
			if (!name || dwarf_die_entry(&child, &entry))
				continue;
			if (tag == DW_TAG_subprogram) {
				sym = symbol_at(d, dwarf_elf_addr(d, entry));
				if (is_fragment(sym))
					continue;
			}
			err = names_add(&w->funcs, name);
			if (!err && glob_match(w->func_glob, name)) {
				w->nfuncs++;
				err = walk_labels(d, w, cu, &child, &child);
			} else if (!err) {
				/* functions inlined into a non-matching one can still match */
				err = walk_labels(d, w, cu, &child, NULL);
			}
		} else if (tag == DW_TAG_label && owner) {
			err = label_found(d, w, cu, &child, owner);
		} else if (tag == DW_TAG_lexical_block) {
			err = walk_labels(d, w, cu, &child, owner);
		}
	} while (!err && dwarf_siblingof(&child, &child) == 0);
	return err;
}

static int label_sites_cu(struct lp_dwarf *d, Dwarf_Die *cu, void *arg)
{
	return walk_labels(d, arg, cu, cu, NULL);
}

static void label_walk_free(struct label_walk *w)
{
	names_free(&w->funcs);
	names_free(&w->labels);
}

int dwarf_label_sites(struct lp_dwarf *d, const char *func_glob, const char *label_glob,
		      struct lp_site **out, char *err, size_t errlen)
{
	struct sites ss = { 0 };
	struct label_walk w = { .func_glob = func_glob, .label_glob = label_glob, .ss = &ss };
	int ret;

	*out = NULL;
	dwarf_msg(err, errlen, "%s", "");
	if (!d->dbg) {
		dwarf_msg(err, errlen, DWARF_MSG_NO_DEBUGINFO, d->path);
		return -ENODATA;
	}
	ret = for_each_cu(d, label_sites_cu, &w);
	if (ret)
		goto fail;
	if (!w.nfuncs) {
		dwarf_msg(err, errlen, DWARF_MSG_NO_FUNC, func_glob, d->path);
		suggest_into(err, errlen, func_glob, &w.funcs);
		ret = -ENOENT;
		goto fail;
	}
	if (!ss.n && w.nmissing) {
		char *colon = strchr(w.missing, ':');

		*colon = 0;
		dwarf_msg(err, errlen, DWARF_MSG_LABEL_NO_ADDR, colon + 1, w.missing);
		ret = -ENOENT;
		goto fail;
	}
	if (!ss.n) {
		dwarf_msg(err, errlen, DWARF_MSG_NO_LABEL, label_glob, func_glob);
		suggest_into(err, errlen, label_glob, &w.labels);
		ret = -ENOENT;
		goto fail;
	}
	if (w.nmissing) {
		/* some copies have the label, some lost it: say so, keep the others */
		char *colon = strchr(w.missing, ':');

		*colon = 0;
		dwarf_msg(err, errlen, DWARF_MSG_LABEL_NO_ADDR, colon + 1, w.missing);
		dwarf_msg_append(err, errlen, " in %d cop%s; probing the %d that have one",
				 w.nmissing, w.nmissing > 1 ? "ies" : "y", ss.n);
	}
	label_walk_free(&w);
	return sites_done(&ss, out);
fail:
	label_walk_free(&w);
	dwarf_sites_free(ss.v, ss.n);
	return ret;
}

/* ---- statements ---- */

/* "uprobe/frames.c" matches "/src/tests/fixtures/uprobe/frames.c": whole
 * trailing path components. */
static bool path_tail_match(const char *path, const char *tail)
{
	size_t lp = strlen(path), lt = strlen(tail);

	if (!path || lt > lp || strcmp(path + lp - lt, tail))
		return false;
	return lt == lp || tail[0] == '/' || path[lp - lt - 1] == '/';
}

struct stmt_walk {
	const char *func_glob, *file;
	int line;
	struct sites *ss;
	bool file_seen;
	int below, above; /* nearest lines with code around `line` */
	Dwarf_Off *owners; /* the function instance of each site, by DIE offset */
	Dwarf_Addr *pcs;
	const char **files; /* the file name the line table gives */
	int nowners;
};

/* The innermost function instance at pc, and whether it or its
 * out-of-line container is called func_glob. */
static int stmt_owner(Dwarf_Die *cu, Dwarf_Addr pc, const char *glob, Dwarf_Die *owner)
{
	Dwarf_Die *scopes, outer;
	int n = dwarf_getscopes(cu, pc, &scopes), found = -ENOENT;

	for (int i = 0; i < n; i++) {
		if (is_func_tag(dwarf_tag(&scopes[i]))) {
			*owner = scopes[i];
			found = 0;
			break;
		}
	}
	if (n > 0)
		free(scopes);
	if (found || !glob)
		return found;
	if (glob_match(glob, dwarf_die_name(owner)))
		return 0;
	if (!dwarf_concrete_func(cu, pc, &outer) && glob_match(glob, dwarf_die_name(&outer)))
		return 0;
	return -ENOENT;
}

static int stmt_sites_cu(struct lp_dwarf *d, Dwarf_Die *cu, void *arg)
{
	struct stmt_walk *w = arg;
	Dwarf_Lines *lines;
	size_t nlines;

	(void)d;
	if (dwarf_getsrclines(cu, &lines, &nlines))
		return 0;
	for (size_t i = 0; i < nlines; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		bool stmt = false, end = false;
		Dwarf_Addr pc;
		Dwarf_Die owner;
		Dwarf_Off off;
		int ln = 0, k;

		if (!l || !path_tail_match(dwarf_linesrc(l, NULL, NULL), w->file))
			continue;
		w->file_seen = true;
		dwarf_lineno(l, &ln);
		dwarf_linebeginstatement(l, &stmt);
		dwarf_lineendsequence(l, &end);
		if (end || !stmt)
			continue;
		if (ln < w->line && ln > w->below)
			w->below = ln;
		if (ln > w->line && (!w->above || ln < w->above))
			w->above = ln;
		if (ln != w->line || dwarf_lineaddr(l, &pc))
			continue;
		if (stmt_owner(cu, pc, w->func_glob, &owner))
			continue;
		/* one site per copy of the code: the lowest address in each instance */
		off = dwarf_dieoffset(&owner);
		for (k = 0; k < w->nowners && w->owners[k] != off; k++)
			;
		if (k == w->nowners) {
			Dwarf_Off *o = realloc(w->owners, (k + 1) * sizeof(*o));
			Dwarf_Addr *p = o ? realloc(w->pcs, (k + 1) * sizeof(*p)) : NULL;
			const char **f = p ? realloc(w->files, (k + 1) * sizeof(*f)) : NULL;

			if (o)
				w->owners = o;
			if (p)
				w->pcs = p;
			if (!f)
				return -ENOMEM;
			w->files = f;
			w->owners[k] = off;
			w->pcs[k] = pc;
			w->files[k] = dwarf_linesrc(l, NULL, NULL);
			w->nowners++;
		} else if (pc < w->pcs[k]) {
			w->pcs[k] = pc;
		}
	}
	return 0;
}

/* Turn each instance's address into a site (a second pass: an instance's
 * lowest address is known only once every row was seen). */
static int stmt_make_sites(struct lp_dwarf *d, Dwarf_Die *cu, void *arg)
{
	struct stmt_walk *w = arg;

	for (int k = 0; k < w->nowners; k++) {
		struct dwarf_scope *scope;
		Dwarf_Die owner, ocu;
		const char *file;
		int line, err;

		if (!dwarf_offdie(d->dbg, w->owners[k], &owner) ||
		    !dwarf_diecu(&owner, &ocu, NULL, NULL) ||
		    dwarf_dieoffset(&ocu) != dwarf_dieoffset(cu))
			continue;
		scope = dwarf_scope_new(d, SCOPE_INSIDE, cu, &owner, w->pcs[k]);
		if (!scope)
			return -errno;
		/* the line asked for: at -O2 several lines share an address */
		file = w->files[k];
		line = w->line;
		err = sites_add(d, w->ss, dwarf_elf_addr(d, w->pcs[k]),
				dwarf_die_name(&owner) ?: "?",
				dwarf_tag(&owner) != DW_TAG_subprogram, scope, file, line);
		if (err)
			return err;
	}
	return 0;
}

int dwarf_statement_sites(struct lp_dwarf *d, const char *spec, struct lp_site **out, char *err,
			  size_t errlen)
{
	struct sites ss = { 0 };
	struct stmt_walk w = { .ss = &ss };
	char *copy = strdup(spec), *colon, *at, *end;
	int ret;

	*out = NULL;
	dwarf_msg(err, errlen, "%s", "");
	if (!copy)
		return -ENOMEM;
	colon = strrchr(copy, ':');
	if (!colon || !colon[1]) {
		dwarf_msg(err, errlen, "statement '%s': expected FILE:LINE or FUNC@FILE:LINE",
			  spec);
		ret = -EINVAL;
		goto out;
	}
	*colon = 0;
	w.line = strtol(colon + 1, &end, 10);
	at = strchr(copy, '@');
	w.file = at ? at + 1 : copy;
	if (at) {
		*at = 0;
		w.func_glob = copy;
	}
	if (*end || w.line <= 0 || !*w.file) {
		dwarf_msg(err, errlen, "statement '%s': expected FILE:LINE or FUNC@FILE:LINE",
			  spec);
		ret = -EINVAL;
		goto out;
	}
	if (!d->dbg) {
		dwarf_msg(err, errlen, DWARF_MSG_NO_DEBUGINFO, d->path);
		ret = -ENODATA;
		goto out;
	}
	ret = for_each_cu(d, stmt_sites_cu, &w);
	if (!ret)
		ret = for_each_cu(d, stmt_make_sites, &w);
	if (ret)
		goto out;
	if (!w.file_seen) {
		dwarf_msg(err, errlen, DWARF_MSG_NO_FILE, w.file, d->path);
		ret = -ENOENT;
	} else if (!ss.n) {
		dwarf_msg(err, errlen, DWARF_MSG_NO_LINE, w.file, w.line);
		if (w.func_glob)
			dwarf_msg_append(err, errlen, " in %s", w.func_glob);
		if (w.below && w.above)
			dwarf_msg_append(err, errlen, " (nearest lines with code: %d and %d)",
					 w.below, w.above);
		else if (w.below || w.above)
			dwarf_msg_append(err, errlen, " (nearest line with code: %d)",
					 w.below ? w.below : w.above);
		ret = -ENOENT;
	}
out:
	free(w.owners);
	free(w.pcs);
	free(w.files);
	free(copy);
	if (ret < 0) {
		dwarf_sites_free(ss.v, ss.n);
		return ret;
	}
	return sites_done(&ss, out);
}

/* ---- -l ---- */

int dwarf_list(struct lp_dwarf *d, const char *func_glob, int labels, void *out)
{
	struct names ns = { 0 };
	int ret = 0;

	if (labels) {
		struct label_walk w = { .func_glob = func_glob, .label_glob = "*", .list = &ns };

		if (d->dbg)
			ret = for_each_cu(d, label_sites_cu, &w);
		label_walk_free(&w);
	} else {
		struct sites ss = { 0 };
		struct names all = { 0 };
		struct func_walk w = { .glob = func_glob, .ss = &ss, .all = NULL };

		if (d->dbg)
			ret = for_each_cu(d, func_sites_cu, &w);
		if (!ret)
			ret = func_sites_symtab(d, func_glob, &ss, &all);
		for (int i = 0; !ret && i < ss.n; i++)
			ret = names_add(&ns, ss.v[i].func);
		dwarf_sites_free(ss.v, ss.n);
		names_free(&all);
	}
	if (!ret) {
		names_sort_unique(&ns);
		for (size_t i = 0; i < ns.n; i++)
			fprintf(out, "%s\n", ns.v[i]);
		ret = ns.n;
	}
	names_free(&ns);
	return ret;
}

/* ---- user symbols of running processes ---- */

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

#define USYM_CACHE 8

/* One Dwfl per recently seen pid; the oldest goes first. */
static struct usym_proc {
	int pid;
	Dwfl *dwfl;
	unsigned long used;
} usym_cache[USYM_CACHE];
static unsigned long usym_clock;

static int usym_report(Dwfl *dwfl, int pid)
{
	int err;

	dwfl_report_begin(dwfl);
	err = dwfl_linux_proc_report(dwfl, pid);
	/* dwfl_linux_proc_report: errno value, or -1 for a libdwfl error */
	if (dwfl_report_end(dwfl, NULL, NULL) && !err)
		err = -1;
	/* no /proc/PID: the process is gone */
	if (err == ENOENT)
		return -ESRCH;
	return err > 0 ? -err : err < 0 ? -ESRCH : 0;
}

static struct usym_proc *usym_proc_get(int pid, int *err)
{
	struct usym_proc *p = NULL, *oldest = &usym_cache[0];

	for (int i = 0; i < USYM_CACHE; i++) {
		if (usym_cache[i].dwfl && usym_cache[i].pid == pid)
			p = &usym_cache[i];
		if (usym_cache[i].used < oldest->used)
			oldest = &usym_cache[i];
	}
	if (!p) {
		p = oldest;
		if (p->dwfl)
			dwfl_end(p->dwfl);
		p->dwfl = dwfl_begin(&proc_callbacks);
		p->pid = pid;
		if (!p->dwfl) {
			*err = -ENOMEM;
			return NULL;
		}
		*err = usym_report(p->dwfl, pid);
		if (*err) {
			dwfl_end(p->dwfl);
			p->dwfl = NULL;
			return NULL;
		}
	}
	p->used = ++usym_clock;
	return p;
}

void dwarf_usym_flush(void)
{
	for (int i = 0; i < USYM_CACHE; i++) {
		if (usym_cache[i].dwfl)
			dwfl_end(usym_cache[i].dwfl);
		usym_cache[i].dwfl = NULL;
	}
}

int dwarf_usym(int pid, uint64_t addr, char *buf, size_t len)
{
	struct usym_proc *p;
	Dwfl_Module *mod;
	Dwfl_Line *line;
	const char *name, *file;
	GElf_Off off = 0;
	GElf_Sym sym;
	int err, n, lineno = 0;

	if (len)
		buf[0] = 0;
	p = usym_proc_get(pid, &err);
	if (!p)
		return err;
	mod = dwfl_addrmodule(p->dwfl, addr);
	if (!mod) {
		/* a library mapped since the maps were read: read them again, once */
		err = usym_report(p->dwfl, pid);
		mod = err ? NULL : dwfl_addrmodule(p->dwfl, addr);
	}
	name = mod ? dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL) : NULL;
	if (!name) {
		n = snprintf(buf, len, "0x%" PRIx64, addr);
		return n >= (int)len ? -ENOSPC : -ENOENT;
	}
	if (off)
		n = snprintf(buf, len, "%s+0x%" PRIx64, name, (uint64_t)off);
	else
		n = snprintf(buf, len, "%s", name);
	line = dwfl_module_getsrc(mod, addr);
	file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (file && n >= 0 && (size_t)n < len) {
		const char *base = strrchr(file, '/');

		n += snprintf(buf + n, len - n, " (%s:%d)", base ? base + 1 : file, lineno);
	}
	return n >= (int)len ? -ENOSPC : 0;
}
