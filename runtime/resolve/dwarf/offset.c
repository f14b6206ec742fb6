/* func+OFF: a function site moved to an offset from its symbol's start.
 * luaprobe decodes no x86 instructions, so the boundaries it can vouch for
 * are the addresses where the line table starts a row (the compiler put an
 * instruction there) and the symbol's start; any other offset is refused
 * unless the caller allows it (--unsafe), as bpftrace refuses an offset its
 * disassembler does not find on a boundary. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/file.h"
#include "resolve/dwarf/names.h"
#include "resolve/dwarf/scope.h"

/* The rows of the line table in [lo, hi): is pc one, and the nearest rows
 * below and above it (0: none). DWARF addresses. */
static bool row_at(Dwarf_Die *cu, Dwarf_Addr lo, Dwarf_Addr hi, Dwarf_Addr pc, Dwarf_Addr *below,
		   Dwarf_Addr *above)
{
	Dwarf_Lines *lines;
	size_t n;
	bool found = false;

	*below = *above = 0;
	if (!cu || dwarf_getsrclines(cu, &lines, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		bool end = false;
		Dwarf_Addr a;

		if (!l || dwarf_lineaddr(l, &a) || dwarf_lineendsequence(l, &end) || end ||
		    a < lo || a >= hi)
			continue;
		if (a == pc)
			found = true;
		else if (a < pc && a > *below)
			*below = a;
		else if (a > pc && (!*above || a < *above))
			*above = a;
	}
	return found;
}

/* The innermost function instance at pc (an inlined copy or the function). */
static int owner_at(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *owner)
{
	Dwarf_Die *scopes;
	int n = dwarf_getscopes(cu, pc, &scopes), found = -ENOENT;

	for (int i = 0; i < n && found; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
			*owner = scopes[i];
			found = 0;
		}
	}
	if (n > 0)
		free(scopes);
	return found;
}

int dwarf_site_at_offset(struct lp_dwarf *d, struct lp_site *site, uint64_t off, int unsafe,
			 int *early, char *err, size_t errlen)
{
	uint64_t entry = site->addr - (site->offset - site->entry_offset), start, addr;
	Dwarf_Addr bias, pc, lo, below, above;
	Dwarf_Die *cu = NULL, owner;
	struct dwarf_scope *scope = NULL;
	const char *name, *file = NULL;
	GElf_Sym sym;
	char *symbol;
	int line = 0;

	*early = 0;
	dwarf_msg(err, errlen, "%s", "");
	name = dwfl_module_addrsym(d->mod, entry + d->elf_bias, &sym, NULL);
	if (!name) {
		dwarf_msg(err, errlen, "no symbol for %s in %s", site->func, d->path);
		return -ENOENT;
	}
	start = sym.st_value - d->elf_bias;
	if (off >= sym.st_size) {
		dwarf_msg(err, errlen, "%s+0x%" PRIx64 " is outside %s (%" PRIu64 " bytes)", name,
			  off, name, (uint64_t)sym.st_size);
		return -ERANGE;
	}
	addr = start + off;
	pc = addr + d->elf_bias - d->dbg_bias;
	lo = start + d->elf_bias - d->dbg_bias;
	if (d->dbg)
		cu = dwfl_module_addrdie(d->mod, addr + d->elf_bias, &bias);
	if (off && !row_at(cu, lo, lo + sym.st_size, pc, &below, &above) && !unsafe) {
		if (!cu) {
			dwarf_msg(err, errlen,
				  "%s+0x%" PRIx64 ": without a line table for %s luaprobe cannot "
				  "tell whether an instruction starts there (--unsafe probes it "
				  "anyway)",
				  name, off, name);
			return -EILSEQ;
		}
		dwarf_msg(err, errlen,
			  "%s+0x%" PRIx64 " is not an instruction start luaprobe can vouch for "
			  "(it knows those the line table names",
			  name, off);
		if (below)
			dwarf_msg_append(err, errlen, "; nearest: %s+0x%" PRIx64, name,
					 (uint64_t)(below - lo));
		if (above)
			dwarf_msg_append(err, errlen, "%s%s+0x%" PRIx64,
					 below ? " and " : "; nearest: ", name,
					 (uint64_t)(above - lo));
		dwarf_msg_append(err, errlen, "); --unsafe probes it anyway");
		return -EILSEQ;
	}
	if (cu && owner_at(cu, pc, &owner) == 0) {
		scope = dwarf_scope_new(d, SCOPE_INSIDE, cu, &owner, pc);
		if (!scope)
			return -errno;
		site->inlined = dwarf_tag(&owner) == DW_TAG_inlined_subroutine;
	}
	symbol = dwarf_symbolize(d, addr);
	if (!symbol) {
		dwarf_scope_free(scope);
		return -ENOMEM;
	}
	if (cu) {
		Dwarf_Line *l = dwarf_getsrc_die(cu, pc);

		file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
		if (l)
			dwarf_lineno(l, &line);
	}
	/* the entry site sat after a prologue that stores the parameters in
	 * the frame: before it, what DWARF says lives there does not yet */
	*early = addr < site->addr;
	free(site->symbol);
	site->symbol = symbol;
	free(site->file);
	site->file = file ? strdup(file) : NULL;
	site->line = line;
	dwarf_scope_free(site->scope);
	site->scope = scope;
	site->offset += addr - site->addr;
	site->addr = addr;
	return 0;
}
