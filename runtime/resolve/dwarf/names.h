/* What every role of runtime/resolve/dwarf/ needs to speak about DIEs: a
 * DIE's name, its type, C type names, and bounded messages. The bottom of
 * the folder's DAG (see dwarf.h): it uses libdw only. */
#ifndef LUAPROBE_DWARF_NAMES_H
#define LUAPROBE_DWARF_NAMES_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>

/* elfutils' <dwarf.h> (DW_TAG_*, DW_OP_*): runtime/ is on the include path,
 * so a plain <dwarf.h> finds our own dwarf.h; this path reaches the one
 * installed next to elfutils/libdw.h under any prefix. */
#include <elfutils/../dwarf.h>

/* The name of a DIE, following DW_AT_abstract_origin and
 * DW_AT_specification (concrete copies of inlined or cloned functions carry
 * only those). NULL when it has none. */
const char *dwarf_die_name(Dwarf_Die *die);

/* Whether a DIE has an attribute itself (not through an origin). */
bool dwarf_has_attr(Dwarf_Die *die, int at);

/* The DIE's DW_AT_type (through origins) into out; false for void or none. */
bool dwarf_type_of(Dwarf_Die *die, Dwarf_Die *out);

/* The C type of a type DIE (NULL: void) as C writes it, "struct frame *",
 * "const char *", "char [16]". malloc'd, NULL on ENOMEM. */
char *dwarf_type_name(Dwarf_Die *type);

/* The type written around a declarator `decl` (malloc'd, consumed; NULL:
 * ENOMEM): char + "*p" -> "char *p", char + "[16]" -> "char [16]". */
char *dwarf_type_decl(Dwarf_Die *die, char *decl);

/* Write a bounded message; never overflows, always terminated. */
void dwarf_msg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append to a bounded message, the same way. */
void dwarf_msg_append(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
