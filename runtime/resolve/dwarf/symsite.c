/* The site at an ELF symbol's start by the symbol's name: a kernel
 * function's copy as kallsyms names it ("f.constprop.0"), with the
 * parameters of the out-of-line instance whose code starts there. One
 * pass over the symbol table and one CU found through .debug_aranges:
 * dwarf_function_sites walks every CU, which a vmlinux's ~3000 make slow.
 * Unlike a function site it is never moved past a prologue: a kprobe on
 * f goes where the symbol starts, and the locations DWARF gives there are
 * the registers the call left the arguments in. Uses sites.h. */
#include <dwarf.h>
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/sites.h"
#include "util/messages.h"

int dwarf_symbol_site(struct lp_dwarf *d, const char *symbol, uint64_t off, int unsafe,
		      struct lp_site **out, int *early, char *err, size_t errlen)
{
	struct sites ss = { 0 };
	struct dwarf_scope *scope;
	Dwarf_Die *cup, cu, fn;
	Dwarf_Line *l;
	Dwarf_Addr bias, pc;
	GElf_Addr addr = 0;
	const char *file = NULL;
	char func[256];
	int nsyms, line = 0, ret;

	*out = NULL;
	*early = 0;
	dwarf_msg(err, errlen, "%s", "");
	if (!d->dbg || !d->mod) {
		dwarf_msg(err, errlen, "%s has no DWARF", d->path);
		return -ENODATA;
	}
	nsyms = dwfl_module_getsymtab(d->mod);
	for (int i = 1; i < nsyms && !addr; i++) {
		GElf_Sym sym;
		GElf_Addr a;
		GElf_Word shndx;
		const char *name = dwfl_module_getsym_info(d->mod, i, &sym, &a, &shndx, NULL, NULL);

		if (name && GELF_ST_TYPE(sym.st_info) == STT_FUNC && shndx != SHN_UNDEF &&
		    !strcmp(name, symbol))
			addr = a;
	}
	if (!addr) {
		dwarf_msg(err, errlen, "%s has no function symbol '%s'", d->path, symbol);
		return -ENOENT;
	}
	cup = dwfl_module_addrdie(d->mod, addr, &bias);
	if (!cup) {
		dwarf_msg(err, errlen, "%s's DWARF does not describe %s", d->path, symbol);
		return -ENOENT;
	}
	cu = *cup;
	pc = addr - bias;
	if (dwarf_concrete_func(&cu, pc, &fn)) {
		dwarf_msg(err, errlen, "%s's DWARF has no function at %s", d->path, symbol);
		return -ENOENT;
	}
	scope = dwarf_scope_new(d, SCOPE_ENTRY, &cu, &fn, pc);
	if (!scope)
		return -errno;
	if ((l = dwarf_getsrc_die(&cu, pc))) {
		file = dwarf_linesrc(l, NULL, NULL);
		dwarf_lineno(l, &line);
	}
	/* the source's name: a clone answers to it */
	snprintf(func, sizeof(func), "%.*s", (int)strcspn(symbol, "."), symbol);
	ret = sites_add(d, &ss, dwarf_elf_addr(d, pc), func, 0, scope, file, line);
	if (ret)
		return ret;
	ss.v[0].entry_offset = ss.v[0].offset;
	if (off)
		ret = dwarf_site_at_offset(d, &ss.v[0], off, unsafe, early, err, errlen);
	if (ret) {
		dwarf_sites_free(ss.v, ss.n);
		return ret;
	}
	return sites_done(&ss, out);
}
