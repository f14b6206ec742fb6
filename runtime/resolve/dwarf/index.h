/* What is looked up many times in one binary, indexed once per open file
 * (struct lp_dwarf, which the session keeps for the whole run): its
 * functions, so that a probe does not walk every compilation unit again
 * (libc: ~0.45 s a probe), and its symbols by address, so that asking for
 * the symbol at a function's entry is a binary search rather than
 * libdwfl's pass over the whole symbol table. Uses file.h and names.h;
 * sites.c and labels.c use it. For other binaries too (a vmlinux): the
 * index knows nothing of user space. */
#ifndef LUAPROBE_DWARF_INDEX_H
#define LUAPROBE_DWARF_INDEX_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve/dwarf/file.h"

/* A named subprogram at the top of a CU. */
struct dwarf_func {
	const char *name; /* DWARF's (through abstract origins); points into the debuginfo */
	Dwarf_Off die; /* its DIE: dwarf_offdie(d->dbg, die) */
	Dwarf_Addr entry; /* DWARF address of its code */
	bool no_code; /* none of its own: a declaration, or abstract */
	bool inlined; /* DW_AT_inline: inlined (everywhere, when no_code) */
};

/* Every named subprogram at the top of d's CUs, in DIE order; built on the
 * first call. Returns the count, or -errno (-ENODATA without DWARF). */
int dwarf_index_funcs(struct lp_dwarf *d, const struct dwarf_func **out);

/* The ELF symbol starting at ELF address addr, chosen as libdwfl chooses
 * (sized over sizeless, global over weak over local, then table order);
 * NULL when none starts there. */
const char *dwarf_index_symbol(struct lp_dwarf *d, uint64_t addr);

/* The symbol at or around addr: dwarf_index_symbol, else libdwfl's answer. */
const char *dwarf_index_symbol_at(struct lp_dwarf *d, uint64_t addr);

/* Free what was built (dwarf_close does). */
void dwarf_index_free(struct lp_dwarf *d);

#endif
