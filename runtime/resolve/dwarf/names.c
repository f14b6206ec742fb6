/* DIE names, C type names and bounded messages: what every other role
 * here uses to say what it found. */
#include "resolve/dwarf/names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dwarf_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void dwarf_msg_append(char *err, size_t errlen, const char *fmt, ...)
{
	size_t used = errlen ? strnlen(err, errlen) : 0;
	va_list ap;

	if (used + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, errlen - used, fmt, ap);
	va_end(ap);
}

const char *dwarf_die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	if (!dwarf_attr_integrate(die, DW_AT_name, &attr))
		return NULL;
	return dwarf_formstring(&attr);
}

bool dwarf_has_attr(Dwarf_Die *die, int at)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, at, &a) != NULL;
}

bool dwarf_type_of(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, DW_AT_type, &attr) && dwarf_formref_die(&attr, out);
}

/* ---- C type names ---- */

/* A malloc'd "a" + sep + "b", freeing a and b (either may be NULL: ENOMEM). */
static char *join(char *a, const char *sep, char *b)
{
	char *s = NULL;

	if (a && b && asprintf(&s, "%s%s%s", a, sep, b) < 0)
		s = NULL;
	free(a);
	free(b);
	return s;
}

static bool is_ptr_like(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type;
}

/* The type written around a declarator `decl` (malloc'd, consumed):
 * char + "*p" -> "char *p", char + "[16]" -> "char [16]". */
char *dwarf_type_decl(Dwarf_Die *die, char *decl)
{
	const char *name = die ? dwarf_die_name(die) : NULL;
	Dwarf_Die inner, *innerp = NULL;
	char *base, *s;

	if (!decl)
		return NULL;
	if (die && dwarf_type_of(die, &inner))
		innerp = &inner;
	switch (die ? dwarf_tag(die) : 0) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type: {
		int itag = innerp ? dwarf_tag(innerp) : 0;
		bool wrap = itag == DW_TAG_array_type || itag == DW_TAG_subroutine_type;

		if (asprintf(&s, wrap ? "(*%s)" : "*%s", decl) < 0)
			s = NULL;
		free(decl);
		return dwarf_type_decl(innerp, s);
	}
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type: {
		const char *q = dwarf_tag(die) == DW_TAG_const_type	 ? "const"
				: dwarf_tag(die) == DW_TAG_volatile_type ? "volatile"
									 : "restrict";

		/* a qualified array: C writes the qualifier on its elements */
		if (innerp && dwarf_tag(innerp) == DW_TAG_array_type)
			return dwarf_type_decl(innerp, decl);
		/* a qualified pointer: the qualifier goes after its '*' */
		if (innerp && is_ptr_like(innerp)) {
			if (asprintf(&s, "%s%s%s", q, *decl ? " " : "", decl) < 0)
				s = NULL;
			free(decl);
			return dwarf_type_decl(innerp, s);
		}
		return join(strdup(q), " ", dwarf_type_decl(innerp, decl));
	}
	case DW_TAG_array_type: {
		Dwarf_Die sub;
		char dims[128] = "";

		if (dwarf_child(die, &sub) == 0) {
			do {
				Dwarf_Attribute a;
				Dwarf_Word n = (Dwarf_Word)-1;

				if (dwarf_tag(&sub) != DW_TAG_subrange_type)
					continue;
				if (dwarf_attr(&sub, DW_AT_count, &a))
					dwarf_formudata(&a, &n);
				else if (dwarf_attr(&sub, DW_AT_upper_bound, &a) &&
					 !dwarf_formudata(&a, &n))
					n++;
				if (n == (Dwarf_Word)-1)
					snprintf(dims + strlen(dims), sizeof(dims) - strlen(dims),
						 "[]");
				else
					snprintf(dims + strlen(dims), sizeof(dims) - strlen(dims),
						 "[%llu]", (unsigned long long)n);
			} while (dwarf_siblingof(&sub, &sub) == 0);
		}
		return dwarf_type_decl(innerp, join(decl, "", strdup(dims)));
	}
	case DW_TAG_subroutine_type: {
		char *args = strdup("(");
		Dwarf_Die p;
		bool first = true;

		if (dwarf_child(die, &p) == 0) {
			do {
				Dwarf_Die pt;
				int tag = dwarf_tag(&p);

				if (tag == DW_TAG_formal_parameter) {
					char *one = dwarf_type_decl(
						dwarf_type_of(&p, &pt) ? &pt : NULL, strdup(""));

					args = join(args, first ? "" : ", ", one);
					first = false;
				} else if (tag == DW_TAG_unspecified_parameters) {
					args = join(args, first ? "" : ", ", strdup("..."));
					first = false;
				}
			} while (dwarf_siblingof(&p, &p) == 0);
		}
		args = join(args, "", strdup(first ? "void)" : ")"));
		return dwarf_type_decl(innerp, join(decl, "", args));
	}
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type: {
		const char *kw = dwarf_tag(die) == DW_TAG_structure_type ? "struct"
				 : dwarf_tag(die) == DW_TAG_union_type	 ? "union"
									 : "enum";

		if (asprintf(&base, "%s %s", kw, name ? name : "{...}") < 0)
			base = NULL;
		break;
	}
	case 0:
		base = strdup("void");
		break;
	default: /* base types, typedefs */
		base = strdup(name ? name : "?");
		break;
	}
	if (!*decl) {
		free(decl);
		return base;
	}
	return join(base, " ", decl);
}

char *dwarf_type_name(Dwarf_Die *type)
{
	return dwarf_type_decl(type, strdup(""));
}
