/* Function → CU through the symbol table and .debug_aranges. */
#include "resolve/dwarf/funccu.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CUS 16

/* The CU's own source file, not a header: the function's DW_AT_decl_file
 * is the CU's DW_AT_name (compared by their last path components, as one
 * may be relative to the comp_dir). */
static int defined_in_cu(Dwarf_Die *cu, const char *func)
{
	const char *cuname = dwarf_diename(cu), *decl;
	Dwarf_Die child;

	if (!cuname || dwarf_child(cu, &child))
		return 0;
	do {
		const char *n;
		size_t lc, ld;

		if (dwarf_tag(&child) != DW_TAG_subprogram)
			continue;
		n = dwarf_diename(&child);
		if (!n || strcmp(n, func))
			continue;
		decl = dwarf_decl_file(&child);
		if (!decl)
			return 0;
		lc = strlen(cuname);
		ld = strlen(decl);
		/* "net/core/dev.c" vs "/build/linux/net/core/dev.c" */
		if (ld >= lc && !strcmp(decl + ld - lc, cuname) &&
		    (ld == lc || decl[ld - lc - 1] == '/'))
			return 1;
		if (lc >= ld && !strcmp(cuname + lc - ld, decl) &&
		    (lc == ld || cuname[lc - ld - 1] == '/'))
			return 1;
		return 0;
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

int dwarf_for_func_cus(struct lp_dwarf *d, const char *func, dwarf_cu_fn fn, void *arg, int *fn_ret)
{
	Dwarf_Off seen[MAX_CUS];
	Dwarf_Die cus[MAX_CUS];
	size_t flen = strlen(func);
	int nsyms, ncus = 0;

	*fn_ret = 0;
	if (!d->dbg || !d->mod || strpbrk(func, "*?["))
		return 0;
	nsyms = dwfl_module_getsymtab(d->mod);
	for (int i = 1; i < nsyms; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		Dwarf_Addr bias;
		Dwarf_Die cu, *cup;
		const char *name =
			dwfl_module_getsym_info(d->mod, i, &sym, &addr, NULL, NULL, NULL);
		int dup = 0;

		if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC || strncmp(name, func, flen) ||
		    (name[flen] && name[flen] != '.'))
			continue;
		if (strstr(name + flen, ".cold") || strstr(name + flen, ".part"))
			continue;
		cup = dwfl_module_addrdie(d->mod, addr, &bias);
		if (!cup)
			return 0; /* no aranges for it: walk everything */
		cu = *cup;
		for (int c = 0; c < ncus; c++)
			dup |= seen[c] == dwarf_dieoffset(&cu);
		if (dup)
			continue;
		if (ncus == MAX_CUS || !defined_in_cu(&cu, func))
			return 0;
		seen[ncus] = dwarf_dieoffset(&cu);
		cus[ncus++] = cu;
	}
	for (int c = 0; c < ncus; c++) {
		*fn_ret = fn(d, &cus[c], arg);
		if (*fn_ret)
			break;
	}
	return ncus;
}
