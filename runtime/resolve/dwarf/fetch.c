/* Fetch expressions (`f->a->b`, `hdr.flags`, `vals[2]`, `*p`, casts,
 * $retval) resolved against DWARF at one site, and C type names. The
 * expression is parsed and followed in one pass: each step moves a
 * symbolic location (dwarf_loc.c) along the types libdw describes, so
 * what comes out is the lp_loc chain a template follows. */
#include "resolve/dwarf/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/suggest.h"

/* A type: a DIE (none: void) under nptr pointer levels that a cast added
 * and DWARF may have no DIE for. */
struct ty {
	Dwarf_Die die;
	bool has_die;
	int nptr;
};

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

static bool type_of(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, DW_AT_type, &attr) && dwarf_formref_die(&attr, out);
}

/* The type written around a declarator `decl` (malloc'd, consumed):
 * char + "*p" -> "char *p", char + "[16]" -> "char [16]". */
static char *type_decl(Dwarf_Die *die, char *decl)
{
	const char *name = die ? dwarf_die_name(die) : NULL;
	Dwarf_Die inner, *innerp = NULL;
	char *base, *s;

	if (!decl)
		return NULL;
	if (die && type_of(die, &inner))
		innerp = &inner;
	switch (die ? dwarf_tag(die) : 0) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type: {
		int itag = innerp ? dwarf_tag(innerp) : 0;
		bool wrap = itag == DW_TAG_array_type || itag == DW_TAG_subroutine_type;

		if (asprintf(&s, wrap ? "(*%s)" : "*%s", decl) < 0)
			s = NULL;
		free(decl);
		return type_decl(innerp, s);
	}
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type: {
		const char *q = dwarf_tag(die) == DW_TAG_const_type	 ? "const"
				: dwarf_tag(die) == DW_TAG_volatile_type ? "volatile"
									 : "restrict";

		/* a qualified array: C writes the qualifier on its elements */
		if (innerp && dwarf_tag(innerp) == DW_TAG_array_type)
			return type_decl(innerp, decl);
		/* a qualified pointer: the qualifier goes after its '*' */
		if (innerp && is_ptr_like(innerp)) {
			if (asprintf(&s, "%s%s%s", q, *decl ? " " : "", decl) < 0)
				s = NULL;
			free(decl);
			return type_decl(innerp, s);
		}
		return join(strdup(q), " ", type_decl(innerp, decl));
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
		return type_decl(innerp, join(decl, "", strdup(dims)));
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
					char *one = type_decl(type_of(&p, &pt) ? &pt : NULL,
							      strdup(""));

					args = join(args, first ? "" : ", ", one);
					first = false;
				} else if (tag == DW_TAG_unspecified_parameters) {
					args = join(args, first ? "" : ", ", strdup("..."));
					first = false;
				}
			} while (dwarf_siblingof(&p, &p) == 0);
		}
		args = join(args, "", strdup(first ? "void)" : ")"));
		return type_decl(innerp, join(decl, "", args));
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
	return type_decl(type, strdup(""));
}

static char *ty_name(const struct ty *t)
{
	char *stars = calloc(t->nptr + 1, 1);
	Dwarf_Die die = t->die;

	if (!stars)
		return NULL;
	memset(stars, '*', t->nptr);
	return type_decl(t->has_die ? &die : NULL, stars);
}

/* ---- type questions ---- */

/* Typedefs and qualifiers off; pointer levels a cast added stay in t. */
static int ty_tag(const struct ty *t, Dwarf_Die *peeled)
{
	Dwarf_Die die = t->die;

	if (t->nptr)
		return DW_TAG_pointer_type;
	if (!t->has_die)
		return 0; /* void */
	if (dwarf_peel_type(&die, peeled))
		return -1;
	return dwarf_tag(peeled);
}

static struct ty ty_of_die(Dwarf_Die *die)
{
	struct ty t = { 0 };

	t.has_die = type_of(die, &t.die);
	return t;
}

/* What a pointer or array points to. */
static struct ty ty_target(const struct ty *t)
{
	struct ty r = *t;
	Dwarf_Die peeled;

	if (t->nptr) {
		r.nptr--;
		return r;
	}
	ty_tag(t, &peeled);
	return ty_of_die(&peeled);
}

static int ty_size(const struct ty *t, uint64_t *size)
{
	Dwarf_Die peeled;
	Dwarf_Word w;
	int tag = ty_tag(t, &peeled);

	if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type) {
		*size = 8;
		return 0;
	}
	if (tag <= 0 || dwarf_aggregate_size(&peeled, &w))
		return -EINVAL;
	*size = w;
	return 0;
}

/* A base type that C code writes as `char`: strings. */
static bool ty_is_char(const struct ty *t)
{
	Dwarf_Die peeled;
	Dwarf_Attribute a;
	Dwarf_Word enc;
	const char *name;

	if (ty_tag(t, &peeled) != DW_TAG_base_type)
		return false;
	name = dwarf_die_name(&peeled);
	if (!dwarf_attr(&peeled, DW_AT_encoding, &a) || dwarf_formudata(&a, &enc))
		return false;
	return (enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char) && name &&
	       !strcmp(name, "char");
}

/* ---- the parser ---- */

#define MAX_CANDS 256 /* names kept for "did you mean" */

struct xval {
	/* A variable in pieces stays as pieces until an access says which
	 * bytes it reads; then it is one chain in loc. */
	struct dpiece pieces[DWARF_MAX_PIECES];
	int npieces; /* 0: loc holds the chain */
	int64_t piece_off;
	struct dloc loc;
	struct ty type;
	int bit_size, bit_off, unit_size; /* a bitfield member: read unit_size bytes */
	bool reg_ptr; /* loc is memory a register points to (lp_loc's REG chain) */
	size_t start, end; /* its text in the expression, for messages */
};

struct parser {
	const char *src;
	size_t pos;
	struct lp_dwarf *d;
	const struct dwarf_scope *s;
	int is_return;
	char *err;
	size_t errlen;
};

static void skip_space(struct parser *p)
{
	while (isspace((unsigned char)p->src[p->pos]))
		p->pos++;
}

static bool accept(struct parser *p, const char *tok)
{
	size_t n = strlen(tok);

	skip_space(p);
	if (strncmp(p->src + p->pos, tok, n))
		return false;
	p->pos += n;
	return true;
}

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '$';
}

/* An identifier into buf (truncated to len); 0 if there is none here. */
static size_t ident(struct parser *p, char *buf, size_t len)
{
	size_t n = 0;

	skip_space(p);
	if (!is_ident_start(p->src[p->pos]))
		return 0;
	while (is_ident_start(p->src[p->pos + n]) || isdigit((unsigned char)p->src[p->pos + n]))
		n++;
	snprintf(buf, len, "%.*s", (int)n, p->src + p->pos);
	p->pos += n;
	return n;
}

static int syntax(struct parser *p, const char *what)
{
	skip_space(p);
	if (p->src[p->pos])
		dwarf_msg(p->err, p->errlen, "column %zu: %s, found '%.10s'", p->pos + 1, what,
			  p->src + p->pos);
	else
		dwarf_msg(p->err, p->errlen, "column %zu: %s at the end", p->pos + 1, what);
	return -EINVAL;
}

/* The length of v's text, for messages. */
static int vlen(const struct parser *p, const struct xval *v)
{
	size_t end = v->end > v->start ? v->end : p->pos;

	while (end > v->start && isspace((unsigned char)p->src[end - 1]))
		end--;
	return (int)(end - v->start);
}

#define VTEXT(p, v) vlen(p, v), (p)->src + (v)->start

static int type_error(struct parser *p, const struct xval *v, const char *fmt_tail)
{
	char *tn = ty_name(&v->type);

	dwarf_msg(p->err, p->errlen, "'%.*s' (%s) %s", VTEXT(p, v), tn ? tn : "?", fmt_tail);
	free(tn);
	return -EINVAL;
}

/* ---- moving along a location ---- */

/* Add k to the address a chain ends at. */
static void dloc_add(struct dloc *l, int64_t k)
{
	if (l->nderef)
		l->step[l->nderef - 1] += k;
	else
		l->off += k;
}

/* Settle a variable in pieces on the piece holding [off, off + size). */
static int settle(struct parser *p, struct xval *v, uint64_t size)
{
	uint64_t start = 0;

	if (!v->npieces)
		return 0;
	for (int i = 0; i < v->npieces; i++) {
		struct dpiece *pc = &v->pieces[i];
		uint64_t end = start + pc->size;

		if ((uint64_t)v->piece_off >= start && v->piece_off + size <= end) {
			int64_t inside = v->piece_off - start;

			if (pc->absent) {
				dwarf_msg(p->err, p->errlen,
					  "'%.*s' is optimized out at this point", VTEXT(p, v));
				return -ENODATA;
			}
			v->loc = pc->loc;
			v->npieces = 0;
			if (!inside)
				return 0;
			if (v->loc.kind == DLOC_MEM) {
				dloc_add(&v->loc, inside);
				return 0;
			}
			if (v->loc.kind == DLOC_CONST) {
				v->loc.cval = (int64_t)((uint64_t)v->loc.cval >> (8 * inside));
				return 0;
			}
			break;
		}
		start = end;
	}
	dwarf_msg(p->err, p->errlen,
		  "'%.*s' is split between registers in a way luaprobe cannot fetch", VTEXT(p, v));
	return -EOPNOTSUPP;
}

/* Add a byte offset to where v is (a member, an element). */
static int move(struct parser *p, struct xval *v, int64_t off)
{
	if (v->npieces) {
		v->piece_off += off;
		return 0;
	}
	if (v->loc.kind == DLOC_MEM) {
		dloc_add(&v->loc, off);
		return 0;
	}
	if (!off && v->loc.kind == DLOC_REG)
		return 0; /* the first member of a struct in a register: its low bytes */
	dwarf_msg(p->err, p->errlen,
		  "'%.*s' is held in a register, not in memory: luaprobe cannot fetch a part of it",
		  VTEXT(p, v));
	return -EOPNOTSUPP;
}

/* Follow the pointer v holds: v becomes what it points to. */
static int deref(struct parser *p, struct xval *v)
{
	struct dloc *l = &v->loc;
	int err = settle(p, v, 8);

	if (err)
		return err;
	switch (l->kind) {
	case DLOC_REG:
		/* the value is the register (+ off): the pointee is there */
		l->kind = DLOC_MEM;
		v->reg_ptr = true;
		break;
	case DLOC_VALUE:
		l->kind = DLOC_MEM;
		break;
	case DLOC_MEM:
		if (l->nderef == LP_LOC_MAX_DEREF) {
			dwarf_msg(p->err, p->errlen, "'%.*s' reads more than %d pointers",
				  VTEXT(p, v), LP_LOC_MAX_DEREF);
			return -E2BIG;
		}
		l->step[l->nderef++] = 0;
		break;
	case DLOC_CONST:
		dwarf_msg(p->err, p->errlen,
			  "'%.*s' is the constant 0x%llx here: luaprobe cannot follow it",
			  VTEXT(p, v), (unsigned long long)l->cval);
		return -EOPNOTSUPP;
	}
	v->type = ty_target(&v->type);
	return 0;
}

/* ---- names ---- */

static int var_value(struct parser *p, struct xval *v, Dwarf_Die *var, const char *name)
{
	char why[256];
	int n = dwarf_loc_var(p->d, p->s, var, v->pieces, why, sizeof(why));

	if (n == -ENODATA) {
		dwarf_msg(p->err, p->errlen, DWARF_MSG_OPTIMIZED_OUT, name);
		if (why[0])
			dwarf_msg_append(p->err, p->errlen, " (%s)", why);
		return n;
	}
	if (n < 0) {
		dwarf_msg(p->err, p->errlen, "cannot fetch '%s' at %s: %s", name, p->s->where, why);
		return n;
	}
	v->type = ty_of_die(var);
	if (n == 1 && !v->pieces[0].size && !v->pieces[0].absent) {
		v->loc = v->pieces[0].loc;
		v->npieces = 0;
	} else {
		v->npieces = n;
		v->piece_off = 0;
	}
	return 0;
}

static int parse_unary(struct parser *p, struct xval *v);

static int primary_name(struct parser *p, struct xval *v)
{
	const char *cands[MAX_CANDS], *best;
	size_t ncands = 0;
	char name[128];
	Dwarf_Die var;
	enum dwarf_var_kind kind;

	if (!ident(p, name, sizeof(name)))
		return syntax(p, "expected a name");
	if (name[0] == '$') {
		Dwarf_Die func = p->s->dies[p->s->nfunc];

		if (strcmp(name, "$retval")) {
			dwarf_msg(p->err, p->errlen, "unknown name '%s' (only $retval is known)",
				  name);
			return -ENOENT;
		}
		if (!p->is_return) {
			dwarf_msg(p->err, p->errlen, "$retval is only known at a return probe");
			return -EINVAL;
		}
		v->type = ty_of_die(&func);
		if (!v->type.has_die) {
			dwarf_msg(p->err, p->errlen, "%s returns void: there is no $retval",
				  dwarf_die_name(&func) ?: "the function");
			return -EINVAL;
		}
		/* x86-64 psABI: integers and pointers come back in rax */
		v->loc = (struct dloc){ .kind = DLOC_REG, .reg = 0 };
		return 0;
	}
	kind = dwarf_scope_lookup(p->d, p->s, name, &var, cands, &ncands, MAX_CANDS);
	if (kind == VAR_NONE) {
		dwarf_msg(p->err, p->errlen, DWARF_MSG_NO_VAR, name, p->s->where);
		best = suggest_closest(name, cands, ncands);
		if (best)
			dwarf_msg_append(p->err, p->errlen, DWARF_MSG_DID_YOU_MEAN, best);
		return -ENOENT;
	}
	if (p->is_return && kind == VAR_LOCAL) {
		dwarf_msg(p->err, p->errlen,
			  "'%s' is not known at a return probe (only $retval and globals are)",
			  name);
		return -EINVAL;
	}
	return var_value(p, v, &var, name);
}

/* ---- casts ---- */

/* "unsigned long" and "long unsigned int" are one type: a canonical
 * spelling of C's integer type words, NULL if `words` is not one. */
static const char *canon_base(const char *words)
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
		if (tag == DW_TAG_base_type ? !canon_base(n) || strcmp(canon_base(n), name)
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

static bool find_type(struct lp_dwarf *d, Dwarf_Die *cu, int tag, const char *name, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

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

static bool is_type_word(const char *w)
{
	static const char *const words[] = { "struct",	 "union",  "enum", "const", "volatile",
					     "unsigned", "signed", "char", "short", "int",
					     "long",	 "_Bool",  "void" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

/* After '(': does a type name follow (a cast) rather than an expression? */
static bool cast_ahead(struct parser *p)
{
	size_t save = p->pos;
	char w[128];
	bool cast = false;

	if (ident(p, w, sizeof(w))) {
		Dwarf_Die t, *cu = &p->s->dies[p->s->ndies - 1];

		if (is_type_word(w)) {
			cast = true;
		} else if (w[0] != '$') {
			/* a typedef, as in (u64)x or (skb_t *)p */
			skip_space(p);
			cast = (p->src[p->pos] == '*' || p->src[p->pos] == ')') &&
			       find_type(p->d, cu, DW_TAG_typedef, w, &t);
			if (cast && p->src[p->pos] == ')') {
				/* (x) with x a variable in scope is just x */
				const char *cands[MAX_CANDS];
				size_t nc = 0;
				Dwarf_Die var;

				cast = dwarf_scope_lookup(p->d, p->s, w, &var, cands, &nc,
							  MAX_CANDS) == VAR_NONE;
			}
		}
	}
	p->pos = save;
	return cast;
}

static int parse_type(struct parser *p, struct ty *t)
{
	Dwarf_Die *cu = &p->s->dies[p->s->ndies - 1];
	char w[128], words[256] = "";
	size_t save;
	int tag = 0;

	memset(t, 0, sizeof(*t));
	for (;;) {
		save = p->pos;
		if (!ident(p, w, sizeof(w)))
			break;
		if (!strcmp(w, "const") || !strcmp(w, "volatile"))
			continue;
		if (!strcmp(w, "struct") || !strcmp(w, "union") || !strcmp(w, "enum")) {
			tag = w[0] == 's'   ? DW_TAG_structure_type
			      : w[0] == 'u' ? DW_TAG_union_type
					    : DW_TAG_enumeration_type;
			if (!ident(p, w, sizeof(w)))
				return syntax(p, "expected a struct, union or enum name");
			if (!find_type(p->d, cu, tag, w, &t->die)) {
				dwarf_msg(p->err, p->errlen, "no type '%s %s' in %s",
					  tag == DW_TAG_structure_type ? "struct"
					  : tag == DW_TAG_union_type   ? "union"
								       : "enum",
					  w, p->d->path);
				return -ENOENT;
			}
			t->has_die = true;
			break;
		}
		if (canon_base(w) || !strcmp(w, "void")) {
			snprintf(words + strlen(words), sizeof(words) - strlen(words), " %s", w);
			continue;
		}
		if (!words[0]) {
			if (!find_type(p->d, cu, DW_TAG_typedef, w, &t->die)) {
				dwarf_msg(p->err, p->errlen, "no type '%s' in %s", w, p->d->path);
				return -ENOENT;
			}
			t->has_die = true;
			break;
		}
		p->pos = save;
		break;
	}
	if (!t->has_die && words[0] && strcmp(words, " void")) {
		const char *canon = canon_base(words + 1);

		if (!canon || !find_type(p->d, cu, DW_TAG_base_type, canon, &t->die)) {
			dwarf_msg(p->err, p->errlen, "no type '%s' in %s", words + 1, p->d->path);
			return -ENOENT;
		}
		t->has_die = true;
	} else if (!t->has_die && !words[0]) {
		return syntax(p, "expected a type");
	}
	for (;;) {
		if (accept(p, "*")) {
			t->nptr++;
			continue;
		}
		save = p->pos;
		if (ident(p, w, sizeof(w)) && (!strcmp(w, "const") || !strcmp(w, "volatile")))
			continue;
		p->pos = save;
		break;
	}
	return 0;
}

static int parse_cast(struct parser *p, struct xval *v, size_t start)
{
	uint64_t from, to;
	struct ty t;
	int err = parse_type(p, &t);

	if (err)
		return err;
	if (!accept(p, ")"))
		return syntax(p, "expected ')' after the type");
	err = parse_unary(p, v);
	if (err)
		return err;
	/* the same bytes, read as the new type: never more of them */
	if (!ty_size(&t, &to) && !ty_size(&v->type, &from) && to > from && !v->npieces &&
	    v->loc.kind == DLOC_MEM) {
		char *tn = ty_name(&t);

		dwarf_msg(p->err, p->errlen, "cannot cast '%.*s' (%llu bytes) to %s (%llu bytes)",
			  VTEXT(p, v), (unsigned long long)from, tn ? tn : "?",
			  (unsigned long long)to);
		free(tn);
		return -EINVAL;
	}
	v->type = t;
	v->bit_size = 0;
	v->start = start;
	v->end = p->pos;
	return 0;
}

/* ---- postfix ---- */

/* A member by name, looking through anonymous structs and unions; *off
 * is its byte offset, or its DW_AT_data_bit_offset for bitfields. */
static bool find_member(Dwarf_Die *agg, const char *name, Dwarf_Die *out, int64_t *off,
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

			if (type_of(&m, &inner) && !dwarf_peel_type(&inner, &peeled) &&
			    find_member(&peeled, name, out, &sub, cands, ncands)) {
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
static int64_t member_bits(Dwarf_Die *m, int64_t byte_off, int *bit_size, uint64_t unit)
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

static int member(struct parser *p, struct xval *v, bool arrow)
{
	const char *cands[MAX_CANDS], *best;
	size_t ncands = 0;
	Dwarf_Die peeled, m;
	char name[128], *tn;
	int64_t off, bits;
	uint64_t unit = 0;
	int tag, err, bit_size = 0;

	tag = ty_tag(&v->type, &peeled);
	if (v->bit_size)
		return type_error(p, v, "is a bitfield, not a struct");
	if (arrow) {
		if (tag != DW_TAG_pointer_type)
			return type_error(p, v, "is not a pointer: use '.'");
		err = deref(p, v);
		if (err)
			return err;
		tag = ty_tag(&v->type, &peeled);
	} else if (tag == DW_TAG_pointer_type) {
		return type_error(p, v, "is a pointer: use '->'");
	}
	if (!ident(p, name, sizeof(name)))
		return syntax(p, arrow ? "expected a member name after '->'"
				       : "expected a member name after '.'");
	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type)
		return type_error(p, v, "is not a struct or union");
	if (!find_member(&peeled, name, &m, &off, cands, &ncands)) {
		tn = dwarf_type_name(&peeled);
		dwarf_msg(p->err, p->errlen, DWARF_MSG_NO_MEMBER, tn ? tn : "?", name);
		free(tn);
		best = suggest_closest(name, cands, ncands);
		if (best)
			dwarf_msg_append(p->err, p->errlen, DWARF_MSG_DID_YOU_MEAN, best);
		return -ENOENT;
	}
	v->type = ty_of_die(&m);
	ty_size(&v->type, &unit);
	bits = member_bits(&m, off, &bit_size, unit);
	if (bits >= 0) {
		/* read the storage unit of the member's type that holds it,
		 * aligned as the compiler lays bitfields out; a packed one
		 * that straddles units gets the smallest read that covers it */
		uint64_t u = unit ? unit : 4;
		int64_t ustart = bits / (8 * u) * u;

		if (bits - ustart * 8 + bit_size > (int64_t)(8 * u)) {
			ustart = bits / 8;
			for (u = 1; u < 8 && (uint64_t)(bits % 8 + bit_size) > 8 * u; u *= 2)
				;
		}
		off = ustart;
		v->bit_off = (int)(bits - ustart * 8);
		v->bit_size = bit_size;
		v->unit_size = (int)u;
	}
	return move(p, v, off);
}

/* The element type and count of a one-dimensional array (count -1: unknown). */
static int array_info(struct parser *p, struct xval *v, Dwarf_Die *arr, int64_t *count)
{
	Dwarf_Die sub;
	int nsub = 0;

	*count = -1;
	if (dwarf_child(arr, &sub) == 0) {
		do {
			Dwarf_Attribute a;
			Dwarf_Word n;

			if (dwarf_tag(&sub) != DW_TAG_subrange_type)
				continue;
			nsub++;
			if (dwarf_attr(&sub, DW_AT_count, &a) && !dwarf_formudata(&a, &n))
				*count = n;
			else if (dwarf_attr(&sub, DW_AT_upper_bound, &a) &&
				 !dwarf_formudata(&a, &n))
				*count = n + 1;
		} while (dwarf_siblingof(&sub, &sub) == 0);
	}
	if (nsub > 1)
		return type_error(p, v, "is a multi-dimensional array: luaprobe cannot index it");
	return 0;
}

static int parse_index(struct parser *p, int64_t *n)
{
	const char *s;
	char *end;

	skip_space(p);
	s = p->src + p->pos;
	if (!isdigit((unsigned char)*s) && !(*s == '-' && isdigit((unsigned char)s[1])))
		return syntax(p, "expected an integer index");
	errno = 0;
	*n = strtoll(s, &end, 0);
	if (errno)
		return syntax(p, "expected an integer index");
	p->pos += end - s;
	if (!accept(p, "]"))
		return syntax(p, "expected ']'");
	return 0;
}

static int element(struct parser *p, struct xval *v, int64_t n)
{
	Dwarf_Die peeled;
	uint64_t esize;
	int64_t count;
	int tag = ty_tag(&v->type, &peeled), err;

	if (v->bit_size)
		return type_error(p, v, "is a bitfield, not an array");
	if (tag == DW_TAG_array_type) {
		err = array_info(p, v, &peeled, &count);
		if (err)
			return err;
		if (count >= 0 && (n < 0 || n >= count)) {
			char *tn = ty_name(&v->type);

			dwarf_msg(p->err, p->errlen, "index %lld is outside '%.*s' (%s)",
				  (long long)n, VTEXT(p, v), tn ? tn : "?");
			free(tn);
			return -ERANGE;
		}
		v->type = ty_of_die(&peeled);
	} else if (tag == DW_TAG_pointer_type) {
		err = deref(p, v);
		if (err)
			return err;
	} else {
		return type_error(p, v, "is neither an array nor a pointer");
	}
	if (ty_size(&v->type, &esize))
		return type_error(p, v, "has elements of unknown size");
	return move(p, v, n * (int64_t)esize);
}

static int parse_postfix(struct parser *p, struct xval *v)
{
	int err = 0;

	while (!err) {
		/* messages about this step name what it applies to */
		skip_space(p);
		v->end = p->pos;
		if (accept(p, "->")) {
			err = member(p, v, true);
		} else if (accept(p, ".")) {
			err = member(p, v, false);
		} else if (accept(p, "[")) {
			int64_t n = 0;

			err = parse_index(p, &n);
			if (!err)
				err = element(p, v, n);
		} else {
			break;
		}
	}
	v->end = p->pos;
	return err;
}

static int parse_primary(struct parser *p, struct xval *v)
{
	size_t start;
	int err;

	skip_space(p);
	start = p->pos;
	if (accept(p, "(")) {
		if (cast_ahead(p))
			return parse_cast(p, v, start);
		err = parse_unary(p, v);
		if (err)
			return err;
		if (!accept(p, ")"))
			return syntax(p, "expected ')'");
		v->start = start;
		v->end = p->pos;
		return 0;
	}
	v->start = start;
	v->end = 0;
	return primary_name(p, v);
}

static int parse_unary(struct parser *p, struct xval *v)
{
	size_t start;
	int err, tag;
	Dwarf_Die peeled;

	skip_space(p);
	start = p->pos;
	if (accept(p, "*")) {
		err = parse_unary(p, v);
		if (err)
			return err;
		tag = ty_tag(&v->type, &peeled);
		if (tag == DW_TAG_array_type)
			err = element(p, v, 0);
		else if (tag == DW_TAG_pointer_type && !v->bit_size)
			err = deref(p, v);
		else
			err = type_error(p, v, "is not a pointer");
		v->start = start;
		v->end = p->pos;
		return err;
	}
	err = parse_primary(p, v);
	return err ? err : parse_postfix(p, v);
}

/* ---- the result ---- */

static bool enum_signed(Dwarf_Die *e)
{
	Dwarf_Die under, child;
	Dwarf_Attribute a;
	Dwarf_Word enc;
	Dwarf_Sword val;

	if (type_of(e, &under) && !dwarf_peel_type(&under, &under) &&
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
static bool ty_signed(const struct ty *t)
{
	Dwarf_Die peeled;
	Dwarf_Attribute a;
	Dwarf_Word enc;
	int tag = ty_tag(t, &peeled);

	if (tag == DW_TAG_enumeration_type)
		return enum_signed(&peeled);
	return tag == DW_TAG_base_type && dwarf_attr(&peeled, DW_AT_encoding, &a) &&
	       !dwarf_formudata(&a, &enc) && (enc == DW_ATE_signed || enc == DW_ATE_signed_char);
}

/* What kind of value v's type is, and how many bytes it takes. */
static int classify(struct parser *p, struct xval *v, struct lp_loc *loc)
{
	Dwarf_Die peeled;
	Dwarf_Attribute a;
	Dwarf_Word enc;
	uint64_t size = 0;
	int64_t count;
	int tag = ty_tag(&v->type, &peeled), err;

	if (tag > 0 && ty_size(&v->type, &size))
		return type_error(p, v, "has no known size");
	switch (tag) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type: {
		struct ty target = ty_target(&v->type);

		loc->type = ty_is_char(&target) ? LP_LT_STRPTR : LP_LT_PTR;
		loc->size = 8;
		return 0;
	}
	case DW_TAG_base_type:
		if (!dwarf_attr(&peeled, DW_AT_encoding, &a) || dwarf_formudata(&a, &enc))
			return type_error(p, v, "has no encoding");
		if (enc == DW_ATE_float || enc == DW_ATE_complex_float)
			return type_error(p, v, "is floating point: luaprobe cannot fetch it yet");
		if (size > 8)
			return type_error(p, v, "is wider than 8 bytes");
		loc->type = LP_LT_INT;
		loc->size = (int)size;
		loc->is_signed = ty_signed(&v->type);
		return 0;
	case DW_TAG_enumeration_type:
		loc->type = LP_LT_INT;
		loc->size = (int)size;
		loc->is_signed = enum_signed(&peeled);
		/* an anonymous enum is known by its typedef */
		loc->enum_type = dwarf_die_name(&peeled) ? dwarf_type_name(&peeled)
							 : ty_name(&v->type);
		return loc->enum_type ? 0 : -ENOMEM;
	case DW_TAG_array_type: {
		struct ty elem = ty_of_die(&peeled);
		uint64_t esize;

		err = array_info(p, v, &peeled, &count);
		if (err)
			return err;
		if (count < 0)
			return type_error(p, v, "is an array of unknown size");
		if (ty_size(&elem, &esize))
			return type_error(p, v, "has elements of unknown size");
		loc->type = ty_is_char(&elem) ? LP_LT_CHARARRAY : LP_LT_ARRAY;
		loc->is_signed = ty_signed(&elem);
		loc->size = (int)size;
		loc->elem_size = (int)esize;
		return 0;
	}
	case DW_TAG_structure_type:
	case DW_TAG_union_type: {
		char names[160] = "";
		Dwarf_Die m;
		int n = 0;

		if (dwarf_child(&peeled, &m) == 0) {
			do {
				const char *mn = dwarf_die_name(&m);

				if (dwarf_tag(&m) == DW_TAG_member && mn && n++ < 6)
					snprintf(names + strlen(names),
						 sizeof(names) - strlen(names), "%s%s",
						 n > 1 ? ", " : "", mn);
			} while (dwarf_siblingof(&m, &m) == 0);
		}
		err = type_error(p, v, "is a whole struct: fetch one of its members");
		if (names[0])
			dwarf_msg_append(p->err, p->errlen, " (%s%s)", names, n > 6 ? ", ..." : "");
		return err;
	}
	case 0:
		return type_error(p, v, "has no value to fetch");
	default:
		return type_error(p, v, "is of a kind luaprobe cannot fetch");
	}
}

static int finish(struct parser *p, struct xval *v, struct lp_loc *loc)
{
	struct dloc *l = &v->loc;
	int err = classify(p, v, loc);

	if (err)
		return err;
	if (v->bit_size) {
		loc->size = v->unit_size;
		loc->bit_offset = v->bit_off;
		loc->bit_size = v->bit_size;
	}
	err = settle(p, v, loc->size);
	if (err)
		return err;
	loc->ctype = ty_name(&v->type);
	if (!loc->ctype)
		return -ENOMEM;
	if (l->kind == DLOC_VALUE && l->nderef && !l->step[l->nderef - 1]) {
		/* a value read through the chain (DW_OP_deref; DW_OP_stack_value)
		 * is the memory the last read looked at */
		l->nderef--;
		l->kind = DLOC_MEM;
	}
	switch (l->kind) {
	case DLOC_REG:
		/* register + constant (DW_OP_breg; DW_OP_stack_value) has no
		 * lp_loc form: REG takes the register as it is */
		if (loc->type == LP_LT_ARRAY || loc->type == LP_LT_CHARARRAY || l->off)
			break;
		loc->start = LP_LOC_REG;
		loc->reg = l->reg;
		return 0;
	case DLOC_MEM:
		if (v->reg_ptr && l->reg >= 0 && l->nderef < LP_LOC_MAX_DEREF) {
			/* what a register points to: REG, the first step is
			 * the offset from the pointer (dwarf.h's p->b->c) */
			loc->start = LP_LOC_REG;
			loc->reg = l->reg;
			loc->nderef = l->nderef + 1;
			loc->step_off[0] = l->off;
			memcpy(loc->step_off + 1, l->step, l->nderef * sizeof(l->step[0]));
			return 0;
		}
		loc->start = LP_LOC_ADDR;
		loc->reg = l->reg;
		loc->base_off = l->off;
		loc->nderef = l->nderef;
		memcpy(loc->step_off, l->step, sizeof(loc->step_off));
		return 0;
	case DLOC_CONST:
		if (loc->type == LP_LT_ARRAY || loc->type == LP_LT_CHARARRAY ||
		    loc->type == LP_LT_STRPTR)
			break;
		loc->start = LP_LOC_CONST;
		loc->reg = -1;
		loc->base_off = l->cval;
		return 0;
	case DLOC_VALUE:
		break;
	}
	dwarf_msg(p->err, p->errlen,
		  "'%.*s' is computed from registers at this point in a way luaprobe cannot fetch",
		  VTEXT(p, v));
	return -EOPNOTSUPP;
}

int dwarf_fetch(struct lp_dwarf *d, const struct lp_site *site, const char *expr, int is_return,
		struct lp_loc *loc, char *err, size_t errlen)
{
	struct parser p = {
		.src = expr, .d = d, .is_return = is_return, .err = err, .errlen = errlen
	};
	struct xval v;
	int ret;

	memset(loc, 0, sizeof(*loc));
	memset(&v, 0, sizeof(v));
	dwarf_msg(err, errlen, "%s", "");
	if (!d->dbg) {
		dwarf_msg(err, errlen, DWARF_MSG_NO_DEBUGINFO, d->path);
		return -ENODATA;
	}
	if (!site->scope) {
		dwarf_msg(err, errlen,
			  "no debuginfo for %s in %s: only a probe without fetches works there",
			  site->symbol, d->path);
		return -ENODATA;
	}
	p.s = site->scope;
	if (is_return && p.s->kind != SCOPE_ENTRY) {
		dwarf_msg(err, errlen, "a return probe goes on a function, not on %s",
			  site->symbol);
		return -EINVAL;
	}
	ret = parse_unary(&p, &v);
	if (!ret) {
		skip_space(&p);
		if (expr[p.pos])
			ret = syntax(&p, "expected '->', '.' or '[' or the end");
	}
	if (!ret)
		ret = finish(&p, &v, loc);
	if (ret)
		dwarf_loc_free(loc);
	return ret;
}

void dwarf_loc_free(struct lp_loc *loc)
{
	free(loc->ctype);
	free(loc->enum_type);
	loc->ctype = NULL;
	loc->enum_type = NULL;
}

/* ---- enumerators ---- */

/* The enumeration lp_loc.enum_type names: "enum color", or a typedef of one. */
static bool find_enum(struct lp_dwarf *d, const char *enum_type, Dwarf_Die *out)
{
	Dwarf_Die td;

	if (!d->dbg)
		return false;
	if (!strncmp(enum_type, "enum ", 5))
		return find_type(d, NULL, DW_TAG_enumeration_type, enum_type + 5, out);
	return find_type(d, NULL, DW_TAG_typedef, enum_type, &td) && !dwarf_peel_type(&td, out) &&
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
