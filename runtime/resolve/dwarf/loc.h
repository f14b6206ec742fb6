/* DWARF location expressions, evaluated symbolically at a site: where a
 * variable is, as the chain a template follows. Uses scope.h (the site's
 * pc and frame), file.h and names.h. */
#ifndef LUAPROBE_DWARF_LOC_H
#define LUAPROBE_DWARF_LOC_H

#include <elfutils/libdw.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve/dwarf/file.h"
#include "resolve/dwarf/scope.h"

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

/* Where the variable `var` (a DIE with DW_AT_location or
 * DW_AT_const_value) is at the scope's pc. Returns the number of pieces,
 * -ENODATA when DWARF says it has no value there (why says more, may be
 * empty), -EOPNOTSUPP for what lp_loc cannot express (why names it). */
int dwarf_loc_var(struct lp_dwarf *d, const struct dwarf_scope *s, Dwarf_Die *var,
		  struct dpiece *pieces, char *why, size_t whylen);

/* 1 if the variable's location at pc reads the frame (fbreg, or breg of
 * rsp/rbp), which is not set up yet at a function's first instruction; 0
 * if not; -errno. */
int dwarf_loc_uses_frame(Dwarf_Die *var, Dwarf_Addr pc);

#endif
