/* Scopes: the DIEs a site's names are looked up in (lexical blocks by
 * address, the function instance, the CU), the names in them for fetch
 * expressions, and what -L lists. */
#include "resolve/dwarf/scope.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "resolve/dwarf/types.h"

/* ---- scopes: where a site's names are looked up ---- */

/* The entry of code a DIE covers: DW_AT_entry_pc, DW_AT_low_pc, else the
 * start of its first range. -ENOENT for DIEs without code (abstract
 * instances, declarations). */
int dwarf_die_entry(Dwarf_Die *die, Dwarf_Addr *pc)
{
	Dwarf_Addr base, start, end;

	if (dwarf_entrypc(die, pc) == 0)
		return 0;
	if (dwarf_ranges(die, 0, &base, &start, &end) > 0) {
		*pc = start;
		return 0;
	}
	return -ENOENT;
}

/* The out-of-line subprogram holding pc, in this CU. */
int dwarf_concrete_func(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *out)
{
	Dwarf_Die child;

	if (dwarf_child(cu, &child))
		return -ENOENT;
	do {
		if (dwarf_tag(&child) == DW_TAG_subprogram && dwarf_haspc(&child, pc) == 1) {
			*out = child;
			return 0;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return -ENOENT;
}

void dwarf_scope_free(struct dwarf_scope *s)
{
	if (!s)
		return;
	free(s->dies);
	free(s->where);
	free(s);
}

/* The scope of a site at pc in the function instance `func`: at a label or
 * statement the lexical blocks holding pc (innermost first), the instance,
 * then the CU for globals. The blocks are found by address, not by where
 * the label's DIE sits, so locals of the block the code is in are seen. */
struct dwarf_scope *dwarf_scope_new(struct lp_dwarf *d, enum dwarf_scope_kind kind, Dwarf_Die *cu,
				    Dwarf_Die *func, Dwarf_Addr pc)
{
	struct dwarf_scope *s = calloc(1, sizeof(*s));
	Dwarf_Die blocks[32], cur = *func;
	int nblocks = 0, err = ENOMEM;

	if (!s)
		return NULL;
	while (kind == SCOPE_INSIDE && nblocks < 32) {
		Dwarf_Die child;
		bool found = false;

		if (dwarf_child(&cur, &child))
			break;
		do {
			if (dwarf_tag(&child) == DW_TAG_lexical_block &&
			    dwarf_haspc(&child, pc) == 1) {
				blocks[nblocks++] = cur = child;
				found = true;
				break;
			}
		} while (dwarf_siblingof(&child, &child) == 0);
		if (!found)
			break;
	}
	s->dies = calloc(nblocks + 2, sizeof(*s->dies));
	if (!s->dies)
		goto err;
	for (int i = 0; i < nblocks; i++)
		s->dies[i] = blocks[nblocks - 1 - i];
	s->dies[nblocks] = *func;
	s->dies[nblocks + 1] = *cu;
	s->ndies = nblocks + 2;
	s->nfunc = nblocks;
	s->kind = kind;
	s->pc = pc;
	/* an inlined copy's frame is the out-of-line function holding it */
	if (dwarf_tag(func) == DW_TAG_subprogram)
		s->frame_func = *func;
	else if (dwarf_concrete_func(cu, pc, &s->frame_func))
		goto err_noent;
	if (dwarf_die_entry(&s->frame_func, &s->entry_pc))
		goto err_noent;
	s->where = dwarf_symbolize(d, dwarf_elf_addr(d, pc));
	if (!s->where)
		goto err;
	return s;
err_noent:
	err = ENOENT;
err:
	dwarf_scope_free(s);
	errno = err;
	return NULL;
}

/* ---- names in scope ---- */

static bool die_named(Dwarf_Die *die, const char *name)
{
	const char *n = dwarf_die_name(die);

	return n && !strcmp(n, name);
}

/* A variable or parameter named `name` among die's children (with
 * locals: variables too). Names seen go to cands. */
static bool find_child_var(Dwarf_Die *die, const char *name, bool locals, Dwarf_Die *out,
			   const char **cands, size_t *ncands, size_t maxc)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child))
		return false;
	do {
		int tag = dwarf_tag(&child);
		const char *n;

		if (tag != DW_TAG_formal_parameter && !(locals && tag == DW_TAG_variable))
			continue;
		n = dwarf_die_name(&child);
		if (!n)
			continue;
		if (!strcmp(n, name)) {
			*out = child;
			return true;
		}
		if (*ncands < maxc)
			cands[(*ncands)++] = n;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The abstract origin of a concrete instance, whose children name the
 * parameters a clone may have dropped. */
static bool abstract_of(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, out);
}

struct global_find {
	const char *name;
	Dwarf_Die *out;
	bool found;
};

static int global_in_cu(Dwarf_Die *cu, struct global_find *g)
{
	Dwarf_Die child;

	if (dwarf_child(cu, &child))
		return 0;
	do {
		if (dwarf_tag(&child) == DW_TAG_variable && die_named(&child, g->name) &&
		    (dwarf_has_attr(&child, DW_AT_location) ||
		     dwarf_has_attr(&child, DW_AT_const_value))) {
			*g->out = child;
			g->found = true;
			return 1;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

/* A global variable with a location: in the site's CU first, then in any. */
static bool find_global(struct lp_dwarf *d, Dwarf_Die *cu, const char *name, Dwarf_Die *out)
{
	struct global_find g = { .name = name, .out = out };
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (global_in_cu(cu, &g))
		return true;
	while (dwarf_nextcu(d->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die other;

		if (dwarf_offdie(d->dbg, off + hsize, &other) && global_in_cu(&other, &g))
			return true;
		off = next;
	}
	return false;
}

/* A name in scope at the site, innermost first: locals of the blocks
 * holding the address (at labels and statements), the function's
 * parameters (and its locals), then globals. */
enum dwarf_var_kind dwarf_scope_lookup(struct lp_dwarf *d, const struct dwarf_scope *s,
				       const char *name, Dwarf_Die *out, const char **cands,
				       size_t *ncands, size_t maxc)
{
	bool locals = s->kind == SCOPE_INSIDE;
	Dwarf_Die abs;

	for (int i = 0; i <= s->nfunc; i++) {
		Dwarf_Die die = s->dies[i];

		if (find_child_var(&die, name, locals, out, cands, ncands, maxc))
			return VAR_LOCAL;
	}
	/* dropped from this copy of the function: the abstract one has it */
	if (abstract_of(&s->dies[s->nfunc], &abs) &&
	    find_child_var(&abs, name, locals, out, cands, ncands, maxc))
		return VAR_LOCAL;
	if (find_global(d, &s->dies[s->ndies - 1], name, out))
		return VAR_GLOBAL;
	return VAR_NONE;
}

/* ---- -L: what is in scope ---- */

struct vars {
	struct lp_var *v;
	int n, cap;
};

static int vars_add(struct vars *vs, Dwarf_Die *die, int is_param)
{
	const char *name = dwarf_die_name(die);
	Dwarf_Attribute a;
	Dwarf_Die t;
	struct lp_var *v;

	if (!name)
		return 0;
	for (int i = 0; i < vs->n; i++)
		if (!strcmp(vs->v[i].name, name))
			return 0; /* shadowed by an inner one, or the abstract copy of one seen */
	if (vs->n == vs->cap) {
		int cap = vs->cap ? vs->cap * 2 : 16;
		struct lp_var *nv = realloc(vs->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		vs->v = nv;
		vs->cap = cap;
	}
	v = &vs->v[vs->n];
	v->name = strdup(name);
	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
		v->ctype = dwarf_type_name(NULL);
	else
		v->ctype = dwarf_type_name(&t);
	v->is_param = is_param;
	if (!v->name || !v->ctype) {
		free(v->name);
		free(v->ctype);
		return -ENOMEM;
	}
	vs->n++;
	return 0;
}

static int vars_of(struct vars *vs, Dwarf_Die *die, int tag)
{
	Dwarf_Die child;
	int err = 0;

	if (dwarf_child(die, &child))
		return 0;
	do {
		if (dwarf_tag(&child) == tag)
			err = vars_add(vs, &child, tag == DW_TAG_formal_parameter);
	} while (!err && dwarf_siblingof(&child, &child) == 0);
	return err;
}

void dwarf_vars_free(struct lp_var *vars, int n)
{
	for (int i = 0; i < n; i++) {
		free(vars[i].name);
		free(vars[i].ctype);
	}
	free(vars);
}

/* A site DWARF does not describe: a USDT marker's arguments, or at a
 * function's first instruction the calling convention's six. */
static int raw_vars(const struct lp_site *site, struct lp_var **out)
{
	int n = site->args						   ? site->nargs
		: site->entry_offset && site->offset == site->entry_offset ? 6
									   : 0;
	struct lp_var *v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct ty t = site->args ? ty_raw(site->args[i].size, site->args[i].is_signed)
					 : ty_raw(8, false);

		v[i].is_param = 1;
		v[i].ctype = ty_name(&t);
		if (asprintf(&v[i].name, "arg%d", i) < 0)
			v[i].name = NULL;
		if (!v[i].name || !v[i].ctype) {
			dwarf_vars_free(v, i + 1);
			return -ENOMEM;
		}
	}
	*out = v;
	return n;
}

int dwarf_scope_vars(struct lp_dwarf *d, const struct lp_site *site, struct lp_var **out)
{
	const struct dwarf_scope *s = site->scope;
	struct vars vs = { 0 };
	Dwarf_Die func, abs;
	int err;

	(void)d;
	*out = NULL;
	if (!s)
		return raw_vars(site, out);
	func = s->dies[s->nfunc];
	/* a copy (inlined, cloned) lists its parameters in any order, or not
	 * at all when dropped: the abstract function has them as declared */
	err = abstract_of(&func, &abs) ? vars_of(&vs, &abs, DW_TAG_formal_parameter) : 0;
	if (!err)
		err = vars_of(&vs, &func, DW_TAG_formal_parameter);
	for (int i = 0; !err && s->kind == SCOPE_INSIDE && i <= s->nfunc; i++) {
		Dwarf_Die die = s->dies[i];

		err = vars_of(&vs, &die, DW_TAG_variable);
	}
	if (!err && s->kind == SCOPE_INSIDE && abstract_of(&func, &abs))
		err = vars_of(&vs, &abs, DW_TAG_variable);
	if (err) {
		dwarf_vars_free(vs.v, vs.n);
		return err;
	}
	*out = vs.v;
	return vs.n;
}
