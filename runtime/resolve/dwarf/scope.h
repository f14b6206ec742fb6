/* A site's scope: the DIEs its names are looked up in, the lookup of a
 * name there, and (dwarf.h) what -L lists. Uses file.h and names.h. */
#ifndef LUAPROBE_DWARF_SCOPE_H
#define LUAPROBE_DWARF_SCOPE_H

#include <elfutils/libdw.h>
#include <stddef.h>

#include "resolve/dwarf/file.h"
#include "resolve/dwarf/names.h"

/* Where a site's names are looked up: scope DIEs innermost first, the
 * function instance (subprogram or inlined_subroutine) at dies[nfunc],
 * the CU last. Dwarf_Die values point into the open Dwarf: sites live no
 * longer than their lp_dwarf. */
enum dwarf_scope_kind {
	SCOPE_ENTRY, /* function entry: parameters only */
	SCOPE_INSIDE, /* label or statement: parameters and locals */
};

struct dwarf_scope {
	enum dwarf_scope_kind kind;
	Dwarf_Addr pc; /* DWARF address of the site */
	Dwarf_Die *dies;
	int ndies;
	int nfunc;
	Dwarf_Die frame_func; /* the out-of-line subprogram: frame base, entry pc */
	Dwarf_Addr entry_pc; /* its entry: DW_OP_entry_value is known there */
	char *where; /* "f+0x1b", for messages */
};

/* The scope of a site at DWARF address pc in the function instance `func`
 * (subprogram or inlined_subroutine) of CU `cu`. NULL with errno on
 * failure. */
struct dwarf_scope *dwarf_scope_new(struct lp_dwarf *d, enum dwarf_scope_kind kind, Dwarf_Die *cu,
				    Dwarf_Die *func, Dwarf_Addr pc);
void dwarf_scope_free(struct dwarf_scope *s);

enum dwarf_var_kind { VAR_NONE, VAR_LOCAL, VAR_GLOBAL };

/* The variable `name` in scope at s, innermost first, then a global. The
 * names passed over go to cands (up to maxc), for "did you mean". */
enum dwarf_var_kind dwarf_scope_lookup(struct lp_dwarf *d, const struct dwarf_scope *s,
				       const char *name, Dwarf_Die *out, const char **cands,
				       size_t *ncands, size_t maxc);

/* The entry of the code a DIE covers (DW_AT_entry_pc, DW_AT_low_pc, else
 * its first range). -ENOENT for DIEs without code: abstract instances,
 * declarations. */
int dwarf_die_entry(Dwarf_Die *die, Dwarf_Addr *pc);

/* The out-of-line subprogram of CU `cu` holding pc. 0 or -ENOENT. */
int dwarf_concrete_func(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *out);

#endif
