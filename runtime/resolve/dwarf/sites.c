/* Where probes go: the set of sites being built (shared by labels.c and
 * lines.c), and a function's sites, after the prologue where its
 * parameters live in the frame, every out-of-line copy included. */
#include "resolve/dwarf/sites.h"

#include <errno.h>
#include <fnmatch.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/index.h"
#include "resolve/dwarf/loc.h"
#include "resolve/dwarf/names.h"
#include "util/messages.h"
#include "util/suggest.h"

/* ---- names, for "did you mean" and -l ---- */

int names_add(struct names *ns, const char *s)
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

void names_free(struct names *ns)
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

void names_sort_unique(struct names *ns)
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

bool sites_is_fragment(const char *sym)
{
	return sym && (strstr(sym, ".cold") || strstr(sym, ".part."));
}

/* The source name of a symbol: C names hold no '.', so whatever follows
 * one is the compiler's (.constprop.0, .isra.0, .localalias); nor '@',
 * which starts a symbol version in a library's full symbol table
 * (pthread_create@@GLIBC_2.34). */
static char *source_name(const char *sym)
{
	size_t n = sym[0] ? 1 + strcspn(sym + 1, ".@") : 0;

	return strndup(sym, n);
}

bool sites_glob_match(const char *glob, const char *name)
{
	return name && fnmatch(glob, name, 0) == 0;
}

bool sites_is_func_tag(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

/* ---- sites ---- */

static void site_clear(struct lp_site *s)
{
	free(s->func);
	free(s->symbol);
	free(s->file);
	for (int i = 0; s->args && i < s->nargs; i++)
		dwarf_loc_free(&s->args[i]);
	free(s->args);
	dwarf_scope_free(s->scope);
	memset(s, 0, sizeof(*s));
}

void dwarf_sites_free(struct lp_site *sites, int n)
{
	for (int i = 0; i < n; i++)
		site_clear(&sites[i]);
	free(sites);
}

bool sites_have(const struct sites *ss, uint64_t addr, const char *func)
{
	for (int i = 0; i < ss->n; i++)
		if (ss->v[i].addr == addr && (!func || !strcmp(ss->v[i].func, func)))
			return true;
	return false;
}

/* Append a site at ELF address `addr`. Takes ownership of scope, also on
 * error. */
int sites_add(struct lp_dwarf *d, struct sites *ss, uint64_t addr, const char *func, int inlined,
	      struct dwarf_scope *scope, const char *file, int line)
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
	err = dwarf_file_offset(d, addr, &s->offset);
	/* a kernel module (ET_REL) has no segments: the kernel places it, and
	 * its probes go by symbol+offset; the address stands in */
	if (err && dwarf_is_relocatable(d)) {
		s->offset = addr;
		err = 0;
	}
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
int sites_done(struct sites *ss, struct lp_site **out)
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

/* The site of the out-of-line function fn (of CU cu, code at entry),
 * under `name`, unless one is there already. 0 or -errno. */
static int func_site(struct lp_dwarf *d, struct sites *ss, Dwarf_Die *cu, Dwarf_Die *fn,
		     Dwarf_Addr entry, const char *name)
{
	Dwarf_Addr pc = entry_site(fn, entry);
	uint64_t addr = dwarf_elf_addr(d, pc);
	struct dwarf_scope *scope;
	const char *file;
	int line, err;

	if (sites_have(ss, addr, NULL))
		return 0;
	scope = dwarf_scope_new(d, SCOPE_ENTRY, cu, fn, pc);
	if (!scope)
		return -errno;
	line_at(cu, pc, &file, &line);
	err = sites_add(d, ss, addr, name, 0, scope, file, line);
	if (!err)
		err = dwarf_file_offset(d, dwarf_elf_addr(d, entry),
					&ss->v[ss->n - 1].entry_offset);
	return err;
}

struct func_walk {
	const char *glob;
	struct sites *ss;
	struct names *all; /* every function name, for "did you mean" and -l */
	bool only_inlined; /* the glob matched a function without out-of-line copy */
	int err;
};

/* The functions DWARF describes, through the file's index (one walk over
 * its CUs for the whole run, not one per probe). */
static int func_sites_dwarf(struct lp_dwarf *d, struct func_walk *w)
{
	const struct dwarf_func *fns;
	int n = dwarf_index_funcs(d, &fns);

	for (int i = 0; i < n; i++) {
		const struct dwarf_func *f = &fns[i];
		const char *sym;
		Dwarf_Die fn, cu;
		int err;

		if (f->no_code) {
			/* abstract (inlined everywhere) or a declaration */
			if (f->inlined && sites_glob_match(w->glob, f->name))
				w->only_inlined = true;
			continue;
		}
		sym = dwarf_index_symbol_at(d, dwarf_elf_addr(d, f->entry));
		if (sites_is_fragment(sym))
			continue;
		if (w->all && (err = names_add(w->all, f->name)))
			return err;
		if (!sites_glob_match(w->glob, f->name) && !sites_glob_match(w->glob, sym))
			continue;
		if (!dwarf_offdie(d->dbg, f->die, &fn) || !dwarf_diecu(&fn, &cu, NULL, NULL))
			return -ENOENT;
		err = func_site(d, w->ss, &cu, &fn, f->entry, f->name);
		if (err)
			return err;
	}
	return n < 0 ? n : 0;
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

		Dwarf_Die *cu, fn;

		if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC || shndx == SHN_UNDEF || !a ||
		    sites_is_fragment(name))
			continue;
		src = source_name(name);
		if (!src)
			return -ENOMEM;
		/* DWARF knows this code: its answer stands, but for an exported
		 * alias whose name only the symbol table has (libc's snprintf is
		 * __snprintf in DWARF, pthread_create@@GLIBC_2.34 is
		 * __pthread_create_2_1): DWARF's function under the symbol's name. */
		if (d->dbg && (cu = dwfl_module_addrdie(d->mod, a, &bias))) {
			if (!(sites_glob_match(glob, src) || sites_glob_match(glob, name)) ||
			    has_func(ss, name)) {
				free(src);
				continue;
			}
			if (dwarf_concrete_func(cu, a - bias, &fn) == 0 &&
			    !sites_have(ss, addr, NULL)) {
				err = func_site(d, ss, cu, &fn, a - bias, src);
				free(src);
				if (err)
					return err;
				continue;
			}
		}
		if (all)
			err = names_add(all, src);
		if (!err && (sites_glob_match(glob, src) || sites_glob_match(glob, name)) &&
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
		ret = func_sites_dwarf(d, &w);
	if (!ret)
		ret = func_sites_symtab(d, func_glob, &ss, &all);
	if (ret)
		goto fail;
	if (!ss.n) {
		if (w.only_inlined) {
			dwarf_msg(err, errlen, MSG_ONLY_INLINED, func_glob, d->path);
		} else {
			dwarf_msg(err, errlen, MSG_NO_FUNC, func_glob, d->path);
			suggest_append_closest(err, errlen, func_glob, (const char *const *)all.v,
					       all.n);
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

/* ---- -l ---- */

int sites_function_names(struct lp_dwarf *d, const char *glob, struct names *out)
{
	struct sites ss = { 0 };
	struct names all = { 0 };
	struct func_walk w = { .glob = glob, .ss = &ss, .all = NULL };
	int ret = 0;

	if (d->dbg)
		ret = func_sites_dwarf(d, &w);
	if (!ret)
		ret = func_sites_symtab(d, glob, &ss, &all);
	for (int i = 0; !ret && i < ss.n; i++)
		ret = names_add(out, ss.v[i].func);
	dwarf_sites_free(ss.v, ss.n);
	names_free(&all);
	return ret;
}
