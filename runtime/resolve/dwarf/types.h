/* C types as DWARF describes them, for fetch expressions: struct ty (a
 * DIE under pointer levels a cast added), what a type is, its size and
 * sign, a type or member found by name. Uses file.h and names.h. */
#ifndef LUAPROBE_DWARF_TYPES_H
#define LUAPROBE_DWARF_TYPES_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve/dwarf/file.h"

#define MAX_CANDS 256 /* names kept for "did you mean" */

/* A type: a DIE (none: void) under nptr pointer levels that a cast added
 * and DWARF may have no DIE for. */
struct ty {
	Dwarf_Die die;
	bool has_die;
	int nptr;
	/* Without a DIE: an integer type luaprobe knows without DWARF (what a
	 * register or a USDT argument holds, what a cast names where there is
	 * no debuginfo): its size in bytes | TY_RAW_SIGNED | TY_RAW_CHAR; 0:
	 * none (with has_die false: void). */
	int raw;
};

#define TY_RAW_SIGNED 0x100
#define TY_RAW_CHAR 0x200

/* The integer type of `size` bytes, as a register or USDT argument holds it. */
struct ty ty_raw(int size, bool is_signed);

/* A C integer type by name without DWARF: "int", "unsigned long", "char",
 * "int32_t", "uint8_t"... into t (no pointer levels). false if unknown. */
bool ty_raw_named(const char *name, struct ty *t);

/* The type as C writes it. malloc'd, NULL on ENOMEM. */
char *ty_name(const struct ty *t);

/* The DW_TAG of t with typedefs and qualifiers off (the peeled DIE in
 * peeled), DW_TAG_pointer_type for pointer levels a cast added, 0 for
 * void, -1 when the DIE cannot be peeled. */
int ty_tag(const struct ty *t, Dwarf_Die *peeled);

/* The type of a DIE (a variable, member, function: its DW_AT_type). */
struct ty ty_of_die(Dwarf_Die *die);

/* What a pointer or array points to. */
struct ty ty_target(const struct ty *t);

/* Bytes a value of t takes. 0 or -EINVAL when unknown. */
int ty_size(const struct ty *t, uint64_t *size);

/* A base type that C code writes as `char`: strings. */
bool ty_is_char(const struct ty *t);

/* Whether integers of this type (base types, enums) are signed. */
bool ty_signed(const struct ty *t);

/* Whether an enumeration type DIE is signed. */
bool ty_enum_signed(Dwarf_Die *e);

/* "unsigned long" and "long unsigned int" are one type: a canonical
 * spelling of C's integer type words, NULL if `words` is not one. */
const char *ty_canon_base(const char *words);

/* A type DIE by tag and name (base types by their canonical spelling), a
 * definition rather than a declaration: in cu first (may be NULL), then in
 * every CU of d. */
bool ty_find(struct lp_dwarf *d, Dwarf_Die *cu, int tag, const char *name, Dwarf_Die *out);

/* A member by name, looking through anonymous structs and unions; *off
 * is its byte offset, or its DW_AT_data_bit_offset for bitfields. Names
 * passed over go to cands (up to MAX_CANDS). */
bool ty_find_member(Dwarf_Die *agg, const char *name, Dwarf_Die *out, int64_t *off,
		    const char **cands, size_t *ncands);

/* A bitfield's bit position from the start of its struct, whichever
 * DWARF version described it, its width in *bit_size. -1 if m is no
 * bitfield. */
int64_t ty_member_bits(Dwarf_Die *m, int64_t byte_off, int *bit_size, uint64_t unit);

#endif
