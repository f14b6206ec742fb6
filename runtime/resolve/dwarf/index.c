/* A binary's functions and symbols, indexed once per open file: one walk
 * over the CUs and one pass over the symbol table, kept in struct
 * lp_dwarf for every probe of the run. */
#include "resolve/dwarf/index.h"

#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/names.h"
#include "resolve/dwarf/scope.h"

struct isym {
	uint64_t addr; /* ELF address */
	const char *name;
	int rank; /* lower wins at one address */
	int idx;
};

struct dwarf_index {
	struct dwarf_func *funcs;
	int nfuncs; /* -1: not built yet */
	struct isym *syms;
	size_t nsyms;
	bool syms_built;
};

static struct dwarf_index *index_of(struct lp_dwarf *d)
{
	if (!d->index) {
		d->index = calloc(1, sizeof(*d->index));
		if (d->index)
			d->index->nfuncs = -1;
	}
	return d->index;
}

static int add_cu_funcs(struct dwarf_index *ix, Dwarf_Die *cu, int *cap)
{
	Dwarf_Die fn;

	if (dwarf_child(cu, &fn))
		return 0;
	do {
		struct dwarf_func *f;
		const char *name;

		if (dwarf_tag(&fn) != DW_TAG_subprogram || !(name = dwarf_die_name(&fn)))
			continue;
		if (ix->nfuncs == *cap) {
			int ncap = *cap ? *cap * 2 : 1024;
			struct dwarf_func *nv = realloc(ix->funcs, ncap * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			ix->funcs = nv;
			*cap = ncap;
		}
		f = &ix->funcs[ix->nfuncs++];
		memset(f, 0, sizeof(*f));
		f->name = name;
		f->die = dwarf_dieoffset(&fn);
		f->no_code = dwarf_die_entry(&fn, &f->entry) != 0;
		f->inlined = dwarf_func_inline(&fn) != 0;
	} while (dwarf_siblingof(&fn, &fn) == 0);
	return 0;
}

int dwarf_index_funcs(struct lp_dwarf *d, const struct dwarf_func **out)
{
	struct dwarf_index *ix;
	Dwarf_Off off = 0, next;
	size_t hsize;
	int cap = 0, err = 0;

	*out = NULL;
	if (!d->dbg)
		return -ENODATA;
	ix = index_of(d);
	if (!ix)
		return -ENOMEM;
	if (ix->nfuncs >= 0) {
		*out = ix->funcs;
		return ix->nfuncs;
	}
	ix->nfuncs = 0;
	while (!err && dwarf_nextcu(d->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;

		if (dwarf_offdie(d->dbg, off + hsize, &cu))
			err = add_cu_funcs(ix, &cu, &cap);
		off = next;
	}
	if (err) {
		free(ix->funcs);
		ix->funcs = NULL;
		ix->nfuncs = -1;
		return err;
	}
	*out = ix->funcs;
	return ix->nfuncs;
}

/* ---- symbols by address ---- */

static int cmp_isym(const void *a, const void *b)
{
	const struct isym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->idx - y->idx;
}

/* libdwfl's preference at one address: a sized symbol over a sizeless
 * one, then global over weak over local. */
static int rank_of(const GElf_Sym *s)
{
	int bind = GELF_ST_BIND(s->st_info);
	int b = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : bind == STB_LOCAL ? 2 : 3;

	return (s->st_size ? 0 : 4) + b;
}

static int build_syms(struct lp_dwarf *d, struct dwarf_index *ix)
{
	int n = dwfl_module_getsymtab(d->mod);

	ix->syms_built = true;
	if (n <= 1)
		return 0;
	ix->syms = calloc(n, sizeof(*ix->syms));
	if (!ix->syms)
		return -ENOMEM;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr a;
		GElf_Word shndx;
		const char *name = dwfl_module_getsym_info(d->mod, i, &sym, &a, &shndx, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info);

		if (!name || !*name || shndx == SHN_UNDEF || type == STT_SECTION ||
		    type == STT_FILE || type == STT_TLS)
			continue;
		ix->syms[ix->nsyms++] = (struct isym){
			.addr = a - d->elf_bias, .name = name, .rank = rank_of(&sym), .idx = i
		};
	}
	qsort(ix->syms, ix->nsyms, sizeof(*ix->syms), cmp_isym);
	return 0;
}

const char *dwarf_index_symbol(struct lp_dwarf *d, uint64_t addr)
{
	struct dwarf_index *ix = index_of(d);
	size_t lo = 0, hi;

	if (!ix || (!ix->syms_built && build_syms(d, ix)))
		return NULL;
	hi = ix->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->syms[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->nsyms && ix->syms[lo].addr == addr ? ix->syms[lo].name : NULL;
}

const char *dwarf_index_symbol_at(struct lp_dwarf *d, uint64_t addr)
{
	const char *s = dwarf_index_symbol(d, addr);

	return s ? s : dwarf_symbol_at(d, addr);
}

void dwarf_index_free(struct lp_dwarf *d)
{
	if (!d->index)
		return;
	free(d->index->funcs);
	free(d->index->syms);
	free(d->index);
	d->index = NULL;
}
