/* A binary's debuginfo through elfutils (libdw, libdwfl): where a probe on a
 * function, label or source line goes, what is in scope there, and where a
 * fetch expression's value lives at that address. User-space only: what
 * comes out is a location the planner turns into template fetch ops, so no
 * DWARF is interpreted at event time. x86-64.
 *
 * Inside, one file per role; each uses only those below it (a DAG):
 *   fetch.c  fetch-expression grammar        -> value, types, scope, names
 *   value.c  a value moved by each step       -> loc, types, names
 *   types.c  C types, members, enumerators    -> names, file
 *   list.c   -l                               -> labels, sites
 *   offset.c a site moved to func+OFF          -> scope, file, names
 *   labels.c, lines.c  label/statement sites  -> sites, scope, file, names
 *   sites.c  the site set, function sites     -> loc, scope, file, names
 *   loc.c    DWARF location expressions, CFA  -> scope (its struct), names
 *   scope.c  scopes, names in scope, -L       -> file, names
 *   file.c   open, ELF, symbols, CU walk;  names.c  DIE and C type names
 * Private headers: <role>.h (sites.h serves sites, labels, lines, list;
 * value.h serves value and fetch). */
#ifndef LUAPROBE_DWARF_H
#define LUAPROBE_DWARF_H

#include <stddef.h>
#include <stdint.h>

struct lp_dwarf; /* one ELF file and its debuginfo */

/* Open `path` (an executable or shared library; a soname such as
 * "libc.so.6" is looked up on the usual library paths). NULL with errno:
 * ENOENT (no such file), ENOEXEC (not ELF), EINVAL (path NULL). A file without DWARF opens
 * (symbols still work) and dwarf_has_debuginfo() says 0. */
struct lp_dwarf *dwarf_open(const char *path);
void dwarf_close(struct lp_dwarf *d);
int dwarf_has_debuginfo(const struct lp_dwarf *d);
const char *dwarf_path(const struct lp_dwarf *d); /* the resolved path */

/* "sym+0x1b", "sym" at its start, "0x..." outside every symbol, for an
 * ELF address. malloc'd; NULL on ENOMEM. */
char *dwarf_symbolize(const struct lp_dwarf *d, uint64_t addr);

struct lp_loc;

/* One place to put a uprobe. */
struct lp_site {
	uint64_t addr; /* link-time virtual address */
	uint64_t offset; /* file offset of addr, what uprobe attach takes */
	uint64_t entry_offset; /* file offset of the function's first instruction, where a
				* uretprobe must go (it swaps the return address at the
				* stack top): offset, except after a prologue; 0 for labels
				* and statements */
	char *func; /* the function as written in the source (clones answer to it) */
	char *symbol; /* the ELF symbol the address falls in, +offset: "f.constprop.0+0x1b" */
	char *file; /* source file, NULL if unknown */
	int line; /* source line, 0 if unknown */
	int inlined; /* the site is in an inlined copy of func */
	void *scope; /* private: the DIE path the site's variables are looked up in */
	/* Without DWARF (scope NULL), the values named arg0.. there: a USDT
	 * marker's arguments as its note gives them (malloc'd, LP_LT_INT,
	 * ctype NULL). NULL: at a function's first instruction arg0..arg5 are
	 * the calling convention's registers (x86-64 SysV), as integers. */
	struct lp_loc *args;
	int nargs;
};

/* Sites for a function (glob allowed): its entry, after the prologue when
 * its parameters live in the frame (as -O0 code keeps them; perf probe and
 * SystemTap do the same), else at its first instruction; every out-of-line
 * copy (.constprop, .isra) included, .cold/.part fragments never. Without
 * debuginfo the ELF symbol table is used (entry only). Returns the count,
 * or -ENOENT with a "did you mean" in err. */
int dwarf_function_sites(struct lp_dwarf *d, const char *func_glob, struct lp_site **out, char *err,
			 size_t errlen);

/* Sites for label(s) (glob) in function(s) (glob): one per concrete
 * instance, inlined copies too. A label DWARF gives no address for is an
 * error naming it ("label 'x' in f has no address (optimized out)"); when
 * only some copies lost it, the others are returned and err holds that
 * message as a warning (err[0] != 0 with a positive count). */
int dwarf_label_sites(struct lp_dwarf *d, const char *func_glob, const char *label_glob,
		      struct lp_site **out, char *err, size_t errlen);

/* Sites for a source line: "func@file.c:123" or "file.c:123" (file matched
 * by its last path components). The line's first is_stmt address in each
 * copy of the code. */
int dwarf_statement_sites(struct lp_dwarf *d, const char *spec, struct lp_site **out, char *err,
			  size_t errlen);

void dwarf_sites_free(struct lp_site *sites, int n);

/* The site at ELF symbol `symbol` (exactly, a clone's own name:
 * "f.constprop.0") + off, for a kernel function's parameters at a kprobe:
 * its first instruction, never moved past a prologue (at off 0 the
 * parameters are where the call left them), or the offset as
 * dwarf_site_at_offset moves it (unsafe, *early as there). Found through
 * the symbol table and .debug_aranges, not a walk over every CU. Returns 1
 * with the site in *out (dwarf_sites_free), or -errno with the message in
 * err: -ENODATA (no DWARF), -ENOENT (no such symbol, or DWARF does not
 * describe its code). */
int dwarf_symbol_site(struct lp_dwarf *d, const char *symbol, uint64_t off, int unsafe,
		      struct lp_site **out, int *early, char *err, size_t errlen);

/* func+OFF: move a site of dwarf_function_sites to `off` bytes after the
 * start of its function's ELF symbol, where parameters and locals are
 * looked up as at a statement. luaprobe decodes no instructions: the offset
 * must be where the line table starts a row (or 0), else it is refused
 * unless `unsafe`. *early is 1 when the place comes before the prologue that
 * stores the parameters in the frame (what DWARF says lives there does not
 * yet). Returns 0, or -ERANGE (outside the function), -EILSEQ (not a known
 * instruction start) with the message in err. */
int dwarf_site_at_offset(struct lp_dwarf *d, struct lp_site *site, uint64_t off, int unsafe,
			 int *early, char *err, size_t errlen);

/* -l: every function (or label with labels != 0) matching glob, one per
 * line "function" or "function:label", sorted, to `out`. Returns the count. */
int dwarf_list(struct lp_dwarf *d, const char *func_glob, int labels, void *out /* FILE * */);

/* What is in scope at a site, for -L: parameters then locals, innermost
 * scope first, each with its C type ("struct frame *"). */
struct lp_var {
	char *name;
	char *ctype;
	int is_param;
};
int dwarf_scope_vars(struct lp_dwarf *d, const struct lp_site *site, struct lp_var **out);
void dwarf_vars_free(struct lp_var *vars, int n);

/* Where a value lives at a site, as a chain the template follows. With
 * regs[] the registers at the probe:
 *   LP_LOC_REG, nderef 0:  the value is regs[reg] (its low `size` bytes)
 *   LP_LOC_REG, nderef n:  regs[reg] is a pointer: a = regs[reg] + step_off[0],
 *                          then for i = 1..n-1: a = *(u64 *)a + step_off[i]
 *   LP_LOC_ADDR, nderef n: a = regs[reg] + base_off (reg -1: a = base_off, an
 *                          absolute link-time address; the planner adds the
 *                          load bias), then for i = 0..n-1: a = *(u64 *)a + step_off[i]
 * and except in the first case the value is the `size` bytes at a. For
 * LP_LT_STRPTR the value is the char pointer and the string is read from
 * where it points; for LP_LT_CHARARRAY the `size` bytes at a are the chars.
 * Example: p->b->c with p in rdi is REG 5, nderef 2, steps {off(b), off(c)};
 * with p at fbreg -24 and the CFA rbp+16: ADDR 6, base_off -8, steps the same.
 *   LP_LOC_CONST:          the value is base_off itself, nothing is read:
 *                          DWARF says it is a constant here (DW_AT_const_value
 *                          or DW_OP_lit/const, as in a .constprop clone) */
#define LP_LOC_MAX_DEREF 6

enum lp_loc_start { LP_LOC_REG, LP_LOC_ADDR, LP_LOC_CONST };
enum lp_loc_type {
	LP_LT_INT, /* integer (also enums, bools, chars), signedness in is_signed */
	LP_LT_PTR, /* a pointer, shown as an integer address */
	LP_LT_STRPTR, /* char *: the string it points to */
	LP_LT_CHARARRAY, /* char[N]: a string of at most N bytes */
	LP_LT_ARRAY, /* another array: size bytes of elements of elem_size */
};

struct lp_loc {
	enum lp_loc_start start;
	int reg; /* DWARF register number (x86-64: 0 rax .. 16 rip), -1: absolute */
	int64_t base_off;
	int nderef;
	int64_t step_off[LP_LOC_MAX_DEREF];
	enum lp_loc_type type;
	int size; /* bytes to read (array: whole) */
	int elem_size; /* arrays */
	int is_signed;
	int bit_offset; /* bitfields: bits from the LSB of the `size` bytes read, */
	int bit_size; /* 0 if not a bitfield */
	char *ctype; /* the expression's C type, for messages and -L */
	char *enum_type; /* "enum color" when the type is an enum, else NULL */
};

/* Resolve a fetch expression at a site: names in scope (parameters, and at
 * a label or statement the locals), `->`, `.`, `[n]`, `*p`, casts
 * `((struct t *)p)`, and `$retval` (with is_return: the function's return
 * value, in rax). Where DWARF does not describe the site, the names are
 * the site's args (arg0..) and $retval, as integers; casts to C integer
 * types and pointers to them work there too (`(char *)arg1`), struct casts
 * where the file's DWARF has the type. Returns 0, or -errno with one
 * message in err:
 *   "struct frame has no member 'pri' (did you mean 'prio'?)"
 *   "'x' is optimized out at this point"
 *   "no variable 'x' in scope at f+0x1b (did you mean 'y'?)" */
int dwarf_fetch(struct lp_dwarf *d, const struct lp_site *site, const char *expr, int is_return,
		struct lp_loc *loc, char *err, size_t errlen);
void dwarf_loc_free(struct lp_loc *loc);

/* The enumerator of lp_loc.enum_type with this value ("GREEN") into buf, for
 * printing. 0, or -ENOENT with the number written instead. */
int dwarf_enum_name(struct lp_dwarf *d, const char *enum_type, int64_t value, char *buf,
		    size_t len);

/* The value of enumerator `name` of lp_loc.enum_type, for filters. 0 or -ENOENT. */
int dwarf_enum_value(struct lp_dwarf *d, const char *enum_type, const char *name, int64_t *value);

#endif
