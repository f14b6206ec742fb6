/* Fetch expressions (`f->a->b`, `hdr.flags`, `vals[2]`, `*p`, casts,
 * $retval) resolved against DWARF at one site: the grammar. The
 * expression is parsed and followed in one pass: each step moves the
 * value (value.c) along the types libdw describes, so what comes out is
 * the lp_loc chain a template follows. */
#include "resolve/dwarf/dwarf.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/names.h"
#include "resolve/dwarf/scope.h"
#include "resolve/dwarf/types.h"
#include "resolve/dwarf/value.h"
#include "util/messages.h"
#include "util/suggest.h"

/* ---- the lexer ---- */

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

/* '*', '(' and casts recurse: bounded so that a hostile expression gets
 * a message rather than the end of the C stack. A pointer chain is at
 * most LP_LOC_MAX_DEREF reads anyway. */
#define MAX_NEST 64

/* One more level opens at the one-character token just read. */
static int enter(struct parser *p)
{
	if (++p->nest <= MAX_NEST)
		return 0;
	dwarf_msg(p->err, p->errlen,
		  "column %zu: expression nested too deeply (at most %d '*', '(' and casts "
		  "inside one another)",
		  p->pos, MAX_NEST);
	return -E2BIG;
}

/* ---- names ---- */

static int parse_unary(struct parser *p, struct xval *v);

/* x86-64 SysV: the DWARF registers of the first six integer arguments. */
static const int sysv_args[] = { 5 /* rdi */, 4 /* rsi */, 1 /* rdx */,
				 2 /* rcx */, 8 /* r8 */,  9 /* r9 */ };

/* Is the site a function's first instruction, where the argument
 * registers still hold the arguments? */
static bool at_entry(const struct parser *p)
{
	const struct lp_site *site = p->site;

	return site->entry_offset && site->offset == site->entry_offset &&
	       (!p->s || p->s->kind == SCOPE_ENTRY);
}

/* A name DWARF does not give: argN (a USDT marker's, else the calling
 * convention's at a function's entry) and, without DWARF, $retval. 0, or
 * -ENOENT (with the message in err) when it is none of these. */
static int raw_name(struct parser *p, struct xval *v, const char *name)
{
	const struct lp_site *site = p->site;
	char *end;
	long n;

	if (!strcmp(name, "$retval") && !p->s) {
		if (!p->is_return) {
			dwarf_msg(p->err, p->errlen, "$retval is only known at a return probe");
			return -EINVAL;
		}
		/* x86-64 psABI: integers and pointers come back in rax */
		v->loc = (struct dloc){ .kind = DLOC_REG, .reg = 0 };
		v->type = ty_raw(8, false);
		return 0;
	}
	if (strncmp(name, "arg", 3) || !isdigit((unsigned char)name[3]))
		goto none;
	n = strtol(name + 3, &end, 10);
	if (*end)
		goto none;
	if (site->args) {
		const struct lp_loc *a = &site->args[n < site->nargs ? n : 0];

		if (n >= site->nargs)
			goto none;
		v->type = ty_raw(a->size, a->is_signed);
		v->loc = (struct dloc){ .reg = a->reg, .off = a->base_off };
		v->loc.kind = a->start == LP_LOC_CONST	? DLOC_CONST
			      : a->start == LP_LOC_ADDR ? DLOC_MEM
							: DLOC_REG;
		v->loc.cval = a->base_off;
		if (a->start == LP_LOC_REG)
			v->loc.off = 0;
		return 0;
	}
	if (p->is_return) {
		dwarf_msg(p->err, p->errlen,
			  "'%s' is not known at a return probe (its register is reused by then: "
			  "only $retval is)",
			  name);
		return -EINVAL;
	}
	if (n > 5 || !at_entry(p))
		goto none;
	v->loc = (struct dloc){ .kind = DLOC_REG, .reg = sysv_args[n] };
	v->type = ty_raw(8, false);
	return 0;
none:
	if (site->args)
		dwarf_msg(p->err, p->errlen, MSG_NO_USDT_ARG, name, site->func, site->nargs,
			  site->nargs == 1 ? "" : "s");
	else if (!p->s && at_entry(p))
		dwarf_msg(p->err, p->errlen, MSG_NO_DEBUGINFO_ARGS, name, p->d->path);
	else if (!p->s)
		dwarf_msg(p->err, p->errlen, MSG_NO_DEBUGINFO_AT, site->symbol, p->d->path);
	else
		return -ENOENT; /* the caller says what DWARF has */
	return -ENOENT;
}

static int primary_name(struct parser *p, struct xval *v)
{
	const char *cands[MAX_CANDS];
	size_t ncands = 0;
	char name[128];
	Dwarf_Die var;
	enum dwarf_var_kind kind;

	if (!ident(p, name, sizeof(name)))
		return syntax(p, "expected a name");
	if (!p->s || (p->site->args && !strncmp(name, "arg", 3)))
		return raw_name(p, v, name);
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
	if (kind == VAR_NONE && !strncmp(name, "arg", 3) && at_entry(p) &&
	    raw_name(p, v, name) == 0)
		return 0; /* no parameter of that name: the register */
	if (kind == VAR_NONE) {
		dwarf_msg(p->err, p->errlen, MSG_NO_VAR, name, p->s->where);
		suggest_append_closest(p->err, p->errlen, name, cands, ncands);
		return -ENOENT;
	}
	if (p->is_return && kind == VAR_LOCAL) {
		dwarf_msg(p->err, p->errlen,
			  "'%s' is not known at a return probe (only $retval and globals are)",
			  name);
		return -EINVAL;
	}
	return value_of_var(p, v, &var, name);
}

/* ---- casts ---- */

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
		Dwarf_Die t, *cu = p->s ? &p->s->dies[p->s->ndies - 1] : NULL;
		struct ty raw;

		if (is_type_word(w)) {
			cast = true;
		} else if (w[0] != '$') {
			/* a typedef, as in (u64)x or (skb_t *)p */
			skip_space(p);
			cast = (p->src[p->pos] == '*' || p->src[p->pos] == ')') &&
			       (ty_find(p->d, cu, DW_TAG_typedef, w, &t) || ty_raw_named(w, &raw));
			if (cast && p->src[p->pos] == ')') {
				/* (x) with x a variable in scope is just x */
				const char *cands[MAX_CANDS];
				size_t nc = 0;
				Dwarf_Die var;

				cast = !p->s || dwarf_scope_lookup(p->d, p->s, w, &var, cands, &nc,
								   MAX_CANDS) == VAR_NONE;
			}
		}
	}
	p->pos = save;
	return cast;
}

static int parse_type(struct parser *p, struct ty *t)
{
	Dwarf_Die *cu = p->s ? &p->s->dies[p->s->ndies - 1] : NULL;
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
			if (!ty_find(p->d, cu, tag, w, &t->die)) {
				dwarf_msg(p->err, p->errlen, "no type '%s %s' in %s%s",
					  tag == DW_TAG_structure_type ? "struct"
					  : tag == DW_TAG_union_type   ? "union"
								       : "enum",
					  w, p->d->path,
					  p->d->dbg ? ""
						    : " (it has no debuginfo to say what it is)");
				return -ENOENT;
			}
			t->has_die = true;
			break;
		}
		if (ty_canon_base(w) || !strcmp(w, "void")) {
			snprintf(words + strlen(words), sizeof(words) - strlen(words), " %s", w);
			continue;
		}
		if (!words[0]) {
			if (ty_find(p->d, cu, DW_TAG_typedef, w, &t->die)) {
				t->has_die = true;
				break;
			}
			if (ty_raw_named(w, t))
				break; /* int32_t, size_t: known without DWARF */
			dwarf_msg(p->err, p->errlen, "no type '%s' in %s", w, p->d->path);
			return -ENOENT;
		}
		p->pos = save;
		break;
	}
	if (!t->has_die && words[0] && strcmp(words, " void")) {
		const char *canon = ty_canon_base(words + 1);

		if (canon && ty_find(p->d, cu, DW_TAG_base_type, canon, &t->die)) {
			t->has_die = true;
		} else if (!ty_raw_named(words + 1, t)) {
			dwarf_msg(p->err, p->errlen, "no type '%s' in %s", words + 1, p->d->path);
			return -ENOENT;
		}
	} else if (!t->has_die && !t->raw && !words[0]) {
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

static int member(struct parser *p, struct xval *v, bool arrow)
{
	const char *cands[MAX_CANDS];
	size_t ncands = 0;
	Dwarf_Die peeled, m;
	char name[128], *tn;
	int64_t off, bits;
	uint64_t unit = 0;
	int tag, err, bit_size = 0;

	tag = ty_tag(&v->type, &peeled);
	if (v->bit_size)
		return value_type_error(p, v, "is a bitfield, not a struct");
	if (arrow) {
		if (tag != DW_TAG_pointer_type)
			return value_type_error(p, v, "is not a pointer: use '.'");
		err = value_deref(p, v);
		if (err)
			return err;
		tag = ty_tag(&v->type, &peeled);
	} else if (tag == DW_TAG_pointer_type) {
		return value_type_error(p, v, "is a pointer: use '->'");
	}
	if (!ident(p, name, sizeof(name)))
		return syntax(p, arrow ? "expected a member name after '->'"
				       : "expected a member name after '.'");
	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type)
		return value_type_error(p, v, "is not a struct or union");
	if (!ty_find_member(&peeled, name, &m, &off, cands, &ncands)) {
		tn = dwarf_type_name(&peeled);
		dwarf_msg(p->err, p->errlen, MSG_NO_MEMBER, tn ? tn : "?", name);
		free(tn);
		suggest_append_closest(p->err, p->errlen, name, cands, ncands);
		return -ENOENT;
	}
	v->type = ty_of_die(&m);
	ty_size(&v->type, &unit);
	bits = ty_member_bits(&m, off, &bit_size, unit);
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
	return value_move(p, v, off);
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
				err = value_element(p, v, n);
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
		err = enter(p);
		if (err)
			return err;
		if (cast_ahead(p)) {
			err = parse_cast(p, v, start);
			p->nest--;
			return err;
		}
		err = parse_unary(p, v);
		if (err)
			return err;
		p->nest--;
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
		err = enter(p);
		if (err)
			return err;
		err = parse_unary(p, v);
		if (err)
			return err;
		p->nest--;
		tag = ty_tag(&v->type, &peeled);
		if (tag == DW_TAG_array_type)
			err = value_element(p, v, 0);
		else if (tag == DW_TAG_pointer_type && !v->bit_size)
			err = value_deref(p, v);
		else
			err = value_type_error(p, v, "is not a pointer");
		v->start = start;
		v->end = p->pos;
		return err;
	}
	err = parse_primary(p, v);
	return err ? err : parse_postfix(p, v);
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
	p.s = site->scope;
	p.site = site;
	if (is_return && p.s && p.s->kind != SCOPE_ENTRY) {
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
		ret = value_finish(&p, &v, loc);
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
