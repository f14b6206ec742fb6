/* The compilation units that can hold a function, found from its ELF
 * symbols' addresses through .debug_aranges instead of walking every CU:
 * a kernel's DWARF has ~3000 CUs and ~340 MB, the walk took seconds. Uses
 * file.h. (usdt's resolve/dwarf/index.c indexes functions by name for big
 * binaries; this is the narrower address → CU question.) */
#ifndef LUAPROBE_DWARF_FUNCCU_H
#define LUAPROBE_DWARF_FUNCCU_H

#include "resolve/dwarf/file.h"

/* Call fn on each CU holding an out-of-line copy of `func` (the symbols
 * func and func.<suffix>), when every copy is defined in its CU's own
 * source file: then, without LTO, no other CU has an inlined copy of it
 * either. Returns the number of CUs visited, or 0 when this shortcut does
 * not apply (a glob, no such symbol, a function from a header): the caller
 * walks every CU. *fn_ret gets fn's first non-zero return (0 if none). */
int dwarf_for_func_cus(struct lp_dwarf *d, const char *func, dwarf_cu_fn fn, void *arg,
		       int *fn_ret);

#endif
