/* One ELF file and its debuginfo: what struct lp_dwarf holds, its
 * addresses and symbols, and the walk over its compilation units. Uses
 * libdw and libdwfl only. */
#ifndef LUAPROBE_DWARF_FILE_H
#define LUAPROBE_DWARF_FILE_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>

#include "resolve/dwarf/dwarf.h"

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
	struct dwarf_index *index; /* index.h: built on first use */
};

/* The ELF (link-time) address of a DWARF address. */
static inline uint64_t dwarf_elf_addr(const struct lp_dwarf *d, Dwarf_Addr pc)
{
	return pc + d->dbg_bias - d->elf_bias;
}

/* The file offset uprobes take for an ELF address: through the PT_LOAD
 * segment holding it. 0, -ERANGE outside every segment, -ENOEXEC. */
int dwarf_file_offset(const struct lp_dwarf *d, uint64_t addr, uint64_t *off);

/* A relocatable file (a kernel module): no segments, no file offsets. */
bool dwarf_is_relocatable(const struct lp_dwarf *d);

/* The ELF symbol at an ELF address exactly or around it, NULL if none. */
const char *dwarf_symbol_at(const struct lp_dwarf *d, uint64_t addr);

/* Call fn on every compilation unit of d's DWARF (d->dbg must be set),
 * stopping at the first non-zero return, which is returned. */
typedef int (*dwarf_cu_fn)(struct lp_dwarf *d, Dwarf_Die *cu, void *arg);
int dwarf_for_each_cu(struct lp_dwarf *d, dwarf_cu_fn fn, void *arg);

#endif
