/* C types as DWARF describes them, for fetch expressions, and the
 * enumerators of a binary's enums (for printing and filters). */
#include "resolve/dwarf/types.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/names.h"

/* ---- integer types known without DWARF ---- */

struct ty ty_raw(int size, bool is_signed)
{
	struct ty t = { 0 };

	t.raw = size | (is_signed ? TY_RAW_SIGNED : 0);
	return t;
}

static const struct {
	const char *name;
	int raw;
} raw_types[] = {
	{ "int8_t", 1 | TY_RAW_SIGNED },
	{ "uint8_t", 1 },
	{ "int16_t", 2 | TY_RAW_SIGNED },
	{ "uint16_t", 2 },
	{ "int32_t", 4 | TY_RAW_SIGNED },
	{ "uint32_t", 4 },
	{ "int64_t", 8 | TY_RAW_SIGNED },
	{ "uint64_t", 8 },
	/* ty_canon_base's spellings (x86-64 sizes) */
	{ "char", 1 | TY_RAW_SIGNED | TY_RAW_CHAR },
	{ "signed char", 1 | TY_RAW_SIGNED },
	{ "unsigned char", 1 },
	{ "_Bool", 1 },
	{ "short int", 2 | TY_RAW_SIGNED },
	{ "short unsigned int", 2 },
	{ "int", 4 | TY_RAW_SIGNED },
	{ "unsigned int", 4 },
	{ "long int", 8 | TY_RAW_SIGNED },
	{ "long unsigned int", 8 },
	{ "long long int", 8 | TY_RAW_SIGNED },
	{ "long long unsigned int", 8 },
	{ "size_t", 8 },
	{ "ssize_t", 8 | TY_RAW_SIGNED },
};

bool ty_raw_named(const char *name, struct ty *t)
{
	const char *canon = ty_canon_base(name);

	for (size_t i = 0; i < sizeof(raw_types) / sizeof(raw_types[0]); i++)
		if (!strcmp(raw_types[i].name, canon ? canon : name)) {
			memset(t, 0, sizeof(*t));
			t->raw = raw_types[i].raw;
			return true;
		}
	return false;
}

static const char *raw_name(int raw)
{
	/* the fixed-width names first: what -L shows for a register */
	for (size_t i = 0; i < sizeof(raw_types) / sizeof(raw_types[0]); i++)
		if (raw_types[i].raw == raw)
			return raw_types[i].name;
	return "?";
}

char *ty_name(const struct ty *t)
{
	char *stars = calloc(t->nptr + 1, 1), *s = NULL;
	Dwarf_Die die = t->die;

	if (!stars)
		return NULL;
	memset(stars, '*', t->nptr);
	if (!t->has_die && t->raw) {
		if (asprintf(&s, "%s%s%s", raw_name(t->raw), t->nptr ? " " : "", stars) < 0)
			s = NULL;
		free(stars);
		return s;
	}
	return dwarf_type_decl(t->has_die ? &die : NULL, stars);
}

/* ---- type questions ---- */

/* Typedefs and qualifiers off; pointer levels a cast added stay in t. */
int ty_tag(const struct ty *t, Dwarf_Die *peeled)
{
	Dwarf_Die die = t->die;

	if (t->nptr)
		return DW_TAG_pointer_type;
	if (!t->has_die)
		return t->raw ? DW_TAG_base_type : 0; /* else void */
	if (dwarf_peel_type(&die, peeled))
		return -1;
	return dwarf_tag(peeled);
}

struct ty ty_of_die(Dwarf_Die *die)
{
	struct ty t = { 0 };

	t.has_die = dwarf_type_of(die, &t.die);
	return t;
}

/* What a pointer or array points to. */
struct ty ty_target(const struct ty *t)
{
	struct ty r = *t;
	Dwarf_Die peeled;

	if (t->nptr) {
		r.nptr--;
		return r;
	}
	if (!t->has_die)
		return (struct ty){ 0 };
	ty_tag(t, &peeled);
	return ty_of_die(&peeled);
}

int ty_size(const struct ty *t, uint64_t *size)
{
	Dwarf_Die peeled;
	Dwarf_Word w;
	int tag = ty_tag(t, &peeled);

	if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type) {
		*size = 8;
		return 0;
	}
	if (!t->has_die && t->raw) {
		*size = t->raw & 0xff;
		return 0;
	}
	if (tag <= 0 || dwarf_aggregate_size(&peeled, &w))
		return -EINVAL;
	*size = w;
	return 0;
}

/* A base type that C code writes as `char`: strings. */
bool ty_is_char(const struct ty *t)
{
	Dwarf_Die peeled;
	Dwarf_Attribute a;
	Dwarf_Word enc;
	const char *name;

	if (ty_tag(t, &peeled) != DW_TAG_base_type)
		return false;
	if (!t->has_die)
		return t->raw & TY_RAW_CHAR;
	name = dwarf_die_name(&peeled);
	if (!dwarf_attr(&peeled, DW_AT_encoding, &a) || dwarf_formudata(&a, &enc))
		return false;
	return (enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char) && name &&
	       !strcmp(name, "char");
}

/* ---- types by name ---- */

/* "unsigned long" and "long unsigned int" are one type: a canonical
 * spelling of C's integer type words, NULL if `words` is not one. */
const char *ty_canon_base(const char *words)
{
	int nu = 0, ns = 0, nchar = 0, nshort = 0, nlong = 0, nint = 0, other = 0;
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", words);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strcmp(tok, "unsigned"))
			nu++;
		else if (!strcmp(tok, "signed"))
			ns++;
		else if (!strcmp(tok, "char"))
			nchar++;
		else if (!strcmp(tok, "short"))
			nshort++;
		else if (!strcmp(tok, "long"))
			nlong++;
		else if (!strcmp(tok, "int"))
			nint++;
		else if (!strcmp(tok, "_Bool"))
			return "_Bool";
		else
			other++;
	}
	if (other || (nu && ns))
		return NULL;
	if (nchar)
		return nu ? "unsigned char" : ns ? "signed char" : "char";
	if (nshort)
		return nu ? "short unsigned int" : "short int";
	if (nlong >= 2)
		return nu ? "long long unsigned int" : "long long int";
	if (nlong)
		return nu ? "long unsigned int" : "long int";
	if (nint || nu || ns)
		return nu ? "unsigned int" : "int";
	return NULL;
}

/* A type DIE at the top of a CU: tag and name, a definition rather than
 * a declaration; base types by their canonical spelling. */
static bool type_in_cu(Dwarf_Die *cu, int tag, const char *name, Dwarf_Die *out)
{
	Dwarf_Die child;
	bool decl_found = false;

	if (dwarf_child(cu, &child))
		return false;
	do {
		const char *n;

		if (dwarf_tag(&child) != tag || !(n = dwarf_die_name(&child)))
			continue;
		if (tag == DW_TAG_base_type ? !ty_canon_base(n) || strcmp(ty_canon_base(n), name)
					    : strcmp(n, name))
			continue;
		if (!dwarf_has_attr(&child, DW_AT_declaration)) {
			*out = child;
			return true;
		}
		if (!decl_found)
			*out = child;
		decl_found = true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

bool ty_find(struct lp_dwarf *d, Dwarf_Die *cu, int tag, const char *name, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (!d->dbg)
		return false;
	if (cu && type_in_cu(cu, tag, name, out))
		return true;
	while (dwarf_nextcu(d->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die other;

		if (dwarf_offdie(d->dbg, off + hsize, &other) && type_in_cu(&other, tag, name, out))
			return true;
		off = next;
	}
	return false;
}

/* ---- members ---- */

/* A member by name, looking through anonymous structs and unions; *off
 * is its byte offset, or its DW_AT_data_bit_offset for bitfields. */
bool ty_find_member(Dwarf_Die *agg, const char *name, Dwarf_Die *out, int64_t *off,
		    const char **cands, size_t *ncands)
{
	Dwarf_Die m;

	if (dwarf_child(agg, &m))
		return false;
	do {
		Dwarf_Attribute a;
		Dwarf_Word loc = 0;
		const char *n;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		if (dwarf_attr(&m, DW_AT_data_member_location, &a))
			dwarf_formudata(&a, &loc);
		n = dwarf_die_name(&m);
		if (!n) {
			Dwarf_Die inner, peeled;
			int64_t sub;

			if (dwarf_type_of(&m, &inner) && !dwarf_peel_type(&inner, &peeled) &&
			    ty_find_member(&peeled, name, out, &sub, cands, ncands)) {
				*off = (int64_t)loc + sub;
				return true;
			}
			continue;
		}
		if (!strcmp(n, name)) {
			*out = m;
			*off = (int64_t)loc;
			return true;
		}
		if (*ncands < MAX_CANDS)
			cands[(*ncands)++] = n;
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

/* A bitfield's bit position from the start of its struct, whichever
 * DWARF version described it. -1 if m is no bitfield. */
int64_t ty_member_bits(Dwarf_Die *m, int64_t byte_off, int *bit_size, uint64_t unit)
{
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (!dwarf_attr(m, DW_AT_bit_size, &a) || dwarf_formudata(&a, &w))
		return -1;
	*bit_size = (int)w;
	if (dwarf_attr(m, DW_AT_data_bit_offset, &a) && !dwarf_formudata(&a, &w))
		return (int64_t)w; /* DWARF 4+: from the struct's start, LSB first here */
	if (dwarf_attr(m, DW_AT_bit_offset, &a) && !dwarf_formudata(&a, &w)) {
		/* DWARF 2/3: from the MSB of the storage unit at byte_off */
		Dwarf_Word bs = unit;

		if (dwarf_attr(m, DW_AT_byte_size, &a))
			dwarf_formudata(&a, &bs);
		return byte_off * 8 + (int64_t)(bs * 8 - w - *bit_size);
	}
	return byte_off * 8;
}

/* ---- signedness ---- */

bool ty_enum_signed(Dwarf_Die *e)
{
	Dwarf_Die under, child;
	Dwarf_Attribute a;
	Dwarf_Word enc;
	Dwarf_Sword val;

	if (dwarf_type_of(e, &under) && !dwarf_peel_type(&under, &under) &&
	    dwarf_attr(&under, DW_AT_encoding, &a) && !dwarf_formudata(&a, &enc))
		return enc == DW_ATE_signed || enc == DW_ATE_signed_char;
	/* no underlying type (DWARF 2/3): signed if any value is negative */
	if (dwarf_child(e, &child))
		return false;
	do {
		if (dwarf_attr(&child, DW_AT_const_value, &a) && !dwarf_formsdata(&a, &val) &&
		    val < 0)
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* Whether integers of this type (base types, enums) are signed. */
bool ty_signed(const struct ty *t)
{
	Dwarf_Die peeled;
	Dwarf_Attribute a;
	Dwarf_Word enc;
	int tag = ty_tag(t, &peeled);

	if (tag == DW_TAG_enumeration_type)
		return ty_enum_signed(&peeled);
	if (tag == DW_TAG_base_type && !t->has_die)
		return t->raw & TY_RAW_SIGNED;
	return tag == DW_TAG_base_type && dwarf_attr(&peeled, DW_AT_encoding, &a) &&
	       !dwarf_formudata(&a, &enc) && (enc == DW_ATE_signed || enc == DW_ATE_signed_char);
}

/* ---- enumerators ---- */

/* The enumeration lp_loc.enum_type names: "enum color", or a typedef of one. */
static bool find_enum(struct lp_dwarf *d, const char *enum_type, Dwarf_Die *out)
{
	Dwarf_Die td;

	if (!d->dbg)
		return false;
	if (!strncmp(enum_type, "enum ", 5))
		return ty_find(d, NULL, DW_TAG_enumeration_type, enum_type + 5, out);
	return ty_find(d, NULL, DW_TAG_typedef, enum_type, &td) && !dwarf_peel_type(&td, out) &&
	       dwarf_tag(out) == DW_TAG_enumeration_type;
}

/* Walk the enumerators: the one named `name`, or the one valued `value`. */
static int enum_walk(struct lp_dwarf *d, const char *enum_type, const char *name, int64_t *value,
		     const char **found)
{
	Dwarf_Die e, child;

	if (!find_enum(d, enum_type, &e) || dwarf_child(&e, &child))
		return -ENOENT;
	do {
		const char *n = dwarf_die_name(&child);
		Dwarf_Attribute a;
		Dwarf_Sword v;

		if (dwarf_tag(&child) != DW_TAG_enumerator || !n ||
		    !dwarf_attr(&child, DW_AT_const_value, &a) || dwarf_formsdata(&a, &v))
			continue;
		if (name ? !strcmp(n, name) : v == *value) {
			*value = v;
			*found = n;
			return 0;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return -ENOENT;
}

int dwarf_enum_name(struct lp_dwarf *d, const char *enum_type, int64_t value, char *buf, size_t len)
{
	const char *n = NULL;
	int err = enum_walk(d, enum_type, NULL, &value, &n);

	if (err)
		snprintf(buf, len, "%lld", (long long)value);
	else
		snprintf(buf, len, "%s", n);
	return err;
}

int dwarf_enum_value(struct lp_dwarf *d, const char *enum_type, const char *name, int64_t *value)
{
	const char *n;

	return enum_walk(d, enum_type, name, value, &n);
}
