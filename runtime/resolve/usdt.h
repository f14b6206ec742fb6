/* A binary's USDT markers (<sys/sdt.h>'s STAP_PROBE): the ELF notes in
 * .note.stapsdt, read with libelf, and their argument specs as the
 * locations the pt_regs template follows. x86-64. */
#ifndef LUAPROBE_USDT_H
#define LUAPROBE_USDT_H

#include <stddef.h>
#include <stdint.h>

#include "resolve/dwarf/dwarf.h"

#define USDT_MAX_ARGS 12 /* sys/sdt.h's STAP_PROBE12 */

struct lp_usdt_note {
	char *provider;
	char *name;
	uint64_t pc; /* link-time address of the marker's nop (prelink-adjusted) */
	uint64_t offset; /* its file offset, what a uprobe attaches at */
	uint64_t sema; /* link-time address of the semaphore; 0: none */
	uint64_t sema_offset; /* its file offset (uprobe ref_ctr_offset) */
	char *args; /* the argument spec as the note has it, "-4@%edi 8@-16(%rbp)" */
	int nargs;
	/* arg0..: LP_LT_INT of the note's size and sign (ctype NULL) */
	struct lp_loc arg[USDT_MAX_ARGS];
	/* Why an argument cannot be read (malloc'd), NULL when all can: such a
	 * marker is listed and refused only when probed, not the whole file. */
	char *bad;
};

/* Every marker of the ELF file at path, in note order. Returns the count
 * (0: the file has none), or -errno with the message in err. */
int usdt_notes(const char *path, struct lp_usdt_note **out, char *err, size_t errlen);
void usdt_notes_free(struct lp_usdt_note *notes, int n);

/* One argument spec ("-4@%edi", "8@-16(%rbp)", "4@$5", "8@sym+8(%rip)")
 * as a location at the marker whose link-time address is pc; symbol
 * names (rip-relative globals) are looked up through sym_addr (NULL: none
 * known). 0, or -EINVAL/-EOPNOTSUPP with the reason in err. */
int usdt_parse_arg(const char *spec, uint64_t pc,
		   int (*sym_addr)(void *ctx, const char *name, uint64_t *addr), void *ctx,
		   struct lp_loc *loc, char *err, size_t errlen);

#endif
