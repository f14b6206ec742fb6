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
