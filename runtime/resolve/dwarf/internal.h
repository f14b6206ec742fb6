/* What dwarf.c (files, sites, symbols), dwarf_loc.c (DWARF location
 * expressions) and dwarf_expr.c (fetch expressions and C types) share.
 * Private to runtime/resolve/dwarf/: everything else goes through dwarf.h. */
#ifndef LUAPROBE_DWARF_PRIV_H
#define LUAPROBE_DWARF_PRIV_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve/dwarf/dwarf.h"
/* elfutils' <dwarf.h> (DW_TAG_*, DW_OP_*): runtime/ is on the include path,
 * so a plain <dwarf.h> finds our own dwarf.h; this path reaches the one
 * installed next to elfutils/libdw.h under any prefix. */
#include <elfutils/../dwarf.h>

/* The messages with a fixed meaning, quoted by tests and docs. Kept as
 * macros so that the compiler checks every use against its format. */
#define DWARF_MSG_NO_DEBUGINFO \
	"no debuginfo for %s: only symbol probes (uprobe:PATH:func without fetches) work"
#define DWARF_MSG_NO_FUNC "no function '%s' in %s"
#define DWARF_MSG_ONLY_INLINED \
	"function '%s' in %s has no out-of-line copy (it is always inlined): probe its labels or lines instead"
#define DWARF_MSG_NO_LABEL "no label '%s' in %s"
#define DWARF_MSG_LABEL_NO_ADDR "label '%s' in %s has no address (optimized out)"
#define DWARF_MSG_NO_FILE "no source file '%s' in %s"
#define DWARF_MSG_NO_LINE "no code at %s:%d"
#define DWARF_MSG_NO_VAR "no variable '%s' in scope at %s"
#define DWARF_MSG_NO_MEMBER "%s has no member '%s'"
#define DWARF_MSG_OPTIMIZED_OUT "'%s' is optimized out at this point"
#define DWARF_MSG_DID_YOU_MEAN " (did you mean '%s'?)"

/* One ELF file: the dwfl module for symbols and CFI, its DWARF when it
 * has any. DWARF addresses are link-time addresses; dwfl addresses are
 * those plus the module's bias (0 for a file reported offline, but
 * nothing here relies on that). */
struct lp_dwarf {
	char *path;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf *dbg; /* NULL: no debuginfo */
	Dwarf_Addr dbg_bias; /* dwfl address = DWARF address + dbg_bias */
	Elf *elf; /* the main file, for its program headers */
	Dwarf_Addr elf_bias; /* dwfl address = ELF address + elf_bias */
};

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

/* A symbolic location: the address chain of lp_loc (reg + off, then per
 * step: read a pointer, add step[i]) and what it means. */
enum dloc_kind {
	DLOC_REG, /* the value is register reg (plus off, from DW_OP_breg + stack_value) */
	DLOC_MEM, /* the value is in memory at the chain's address */
	DLOC_VALUE, /* the value is the chain's address itself (DW_OP_stack_value) */
	DLOC_CONST, /* the value is cval */
};

struct dloc {
	enum dloc_kind kind;
	int reg; /* -1: absolute link-time address */
	int64_t off;
	int nderef;
	int64_t step[LP_LOC_MAX_DEREF];
	int64_t cval;
};

/* One DW_OP_piece of a variable (a whole variable is one piece, size 0). */
struct dpiece {
	struct dloc loc;
	uint64_t size; /* bytes; 0: the whole variable */
	int absent; /* this piece is optimized out */
};

#define DWARF_MAX_PIECES 8

/* dwarf_loc.c: where the variable `var` (a DIE with DW_AT_location or
 * DW_AT_const_value) is at the scope's pc. Returns the number of pieces,
 * -ENODATA when DWARF says it has no value there (why says more, may be
 * empty), -EOPNOTSUPP for what lp_loc cannot express (why names it). */
int dwarf_loc_var(struct lp_dwarf *d, const struct dwarf_scope *s, Dwarf_Die *var,
		  struct dpiece *pieces, char *why, size_t whylen);

/* dwarf_loc.c: the scope of a site at DWARF address pc in the function
 * instance `func` (subprogram or inlined_subroutine) of CU `cu`. NULL with
 * errno on failure. */
struct dwarf_scope *dwarf_scope_new(struct lp_dwarf *d, enum dwarf_scope_kind kind, Dwarf_Die *cu,
				    Dwarf_Die *func, Dwarf_Addr pc);
void dwarf_scope_free(struct dwarf_scope *s);

enum dwarf_var_kind { VAR_NONE, VAR_LOCAL, VAR_GLOBAL };

/* dwarf_loc.c: the variable `name` in scope at s, innermost first, then a
 * global. The names passed over go to cands (up to maxc), for "did you
 * mean". */
enum dwarf_var_kind dwarf_scope_lookup(struct lp_dwarf *d, const struct dwarf_scope *s,
				       const char *name, Dwarf_Die *out, const char **cands,
				       size_t *ncands, size_t maxc);

/* dwarf_loc.c: the entry of the code a DIE covers (DW_AT_entry_pc,
 * DW_AT_low_pc, else its first range). -ENOENT for DIEs without code:
 * abstract instances, declarations. */
int dwarf_die_entry(Dwarf_Die *die, Dwarf_Addr *pc);

/* dwarf_loc.c: the out-of-line subprogram of CU `cu` holding pc. 0 or -ENOENT. */
int dwarf_concrete_func(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *out);

/* dwarf_loc.c: whether a DIE has an attribute itself (not through an origin). */
bool dwarf_has_attr(Dwarf_Die *die, int at);

/* dwarf.c: "sym+0x1b", "sym" at its start, "0x..." outside every symbol,
 * for an ELF address. malloc'd; NULL on ENOMEM. */
char *dwarf_symbolize(const struct lp_dwarf *d, uint64_t addr);

/* The ELF (link-time) address of a DWARF address. */
static inline uint64_t dwarf_elf_addr(const struct lp_dwarf *d, Dwarf_Addr pc)
{
	return pc + d->dbg_bias - d->elf_bias;
}

/* dwarf_loc.c: 1 if the variable's location at pc reads the frame (fbreg,
 * or breg of rsp/rbp), which is not set up yet at a function's first
 * instruction; 0 if not; -errno. */
int dwarf_loc_uses_frame(Dwarf_Die *var, Dwarf_Addr pc);

/* dwarf.c: the name of a DIE, following DW_AT_abstract_origin and
 * DW_AT_specification (concrete copies of inlined or cloned functions carry
 * only those). NULL when it has none. */
const char *dwarf_die_name(Dwarf_Die *die);

/* dwarf_expr.c: the C type of a type DIE (NULL: void) as C writes it,
 * "struct frame *", "const char *", "char [16]". malloc'd, NULL on ENOMEM. */
char *dwarf_type_name(Dwarf_Die *type);

/* dwarf.c: append to a bounded message; never overflows, always terminated. */
void dwarf_msg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dwarf_msg_append(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
