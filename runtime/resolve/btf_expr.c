/* Kernel fetch expressions over BTF: parsed and followed in one pass, each
 * step moving the value along the types libbpf's BTF API describes, as
 * resolve/dwarf/fetch.c does over DWARF. Besides the offsets it works out
 * how far the verifier would type the chain itself (tp_btf arguments, the
 * current task): those reads become direct loads in the template. */
#include "resolve/btf_expr.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "util/messages.h"
#include "util/suggest.h"

/* The value under construction. Its type is `id` behind `ptrs` pointer
 * levels a cast added (a cast names types BTF may hold no pointer to). */
struct xval {
	struct lp_kloc loc;
	uint32_t id;
	int ptrs;
	int typed; /* the base pointer of the last read is typed by the verifier */
	int user; /* a __user pointer led here */
	int cast; /* a cast gave the type: the verifier does not know it */
};

struct parser {
	const struct btf *btf;
	const struct lp_kroot *roots;
	int nroots;
	int task_typed;
	const char *src;
	size_t pos;
	char *err;
	size_t errlen;
};

/* ---- types ---- */

/* id without typedefs and qualifiers; *tag gets a type tag met on the way
 * ("user", "percpu", "rcu"), when tag is given. */
static uint32_t strip(const struct btf *btf, uint32_t id, const char **tag)
{
	for (int guard = 0; id && guard < 32; guard++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return 0;
		if (btf_is_type_tag(t) && tag)
			*tag = btf__name_by_offset(btf, t->name_off);
		if (!btf_is_typedef(t) && !btf_is_const(t) && !btf_is_volatile(t) &&
		    !btf_is_restrict(t) && !btf_is_type_tag(t))
			return id;
		id = t->type;
	}
	return id;
}

static const struct btf_type *type_of(const struct btf *btf, uint32_t id)
{
	return id ? btf__type_by_id(btf, id) : NULL;
}

static bool is_char(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = type_of(btf, strip(btf, id, NULL));
	const char *name;

	if (!t || !btf_is_int(t) || t->size != 1)
		return false;
	name = btf__name_by_offset(btf, t->name_off);
	return (btf_int_encoding(t) & BTF_INT_CHAR) || (name && strcmp(name, "char") == 0);
}

static bool is_aggregate(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = type_of(btf, strip(btf, id, NULL));

	return t && (btf_is_struct(t) || btf_is_union(t));
}

char *btf_expr_type_name(const struct btf *btf, uint32_t id, char *buf, size_t len)
{
	const struct btf_type *t = type_of(btf, id);
	const char *name;
	char inner[256];

	if (!t) {
		snprintf(buf, len, "void");
		return buf;
	}
	name = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: {
		const struct btf_type *to = type_of(btf, strip(btf, t->type, NULL));

		if (to && btf_is_func_proto(to)) {
			snprintf(buf, len, "void (*)()");
			return buf;
		}
		btf_expr_type_name(btf, t->type, inner, sizeof(inner));
		snprintf(buf, len, "%s%s*", inner, inner[strlen(inner) - 1] == '*' ? "" : " ");
		return buf;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);

		btf_expr_type_name(btf, a->type, inner, sizeof(inner));
		snprintf(buf, len, "%s[%u]", inner, a->nelems);
		return buf;
	}
	case BTF_KIND_STRUCT:
		snprintf(buf, len, "struct %s", *name ? name : "(anonymous)");
		return buf;
	case BTF_KIND_UNION:
		snprintf(buf, len, "union %s", *name ? name : "(anonymous)");
		return buf;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		snprintf(buf, len, "enum %s", *name ? name : "(anonymous)");
		return buf;
	case BTF_KIND_FWD:
		snprintf(buf, len, "%s %s", btf_kflag(t) ? "union" : "struct", name);
		return buf;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return btf_expr_type_name(btf, t->type, buf, len);
	case BTF_KIND_FUNC_PROTO:
		snprintf(buf, len, "void ()");
		return buf;
	default:
		snprintf(buf, len, "%s", name && *name ? name : "?");
		return buf;
	}
}

/* The type of x as C spells it, with a cast's pointer levels. */
static const char *xtype(struct parser *p, const struct xval *x, char *buf, size_t len)
{
	if (x->loc.root >= 0 && x->loc.root < p->nroots && !p->roots[x->loc.root].type_id &&
	    !x->ptrs && x->loc.nderef == 0) {
		snprintf(buf, len, "an address without a type");
		return buf;
	}
	btf_expr_type_name(p->btf, x->id, buf, len);
	for (int i = 0; i < x->ptrs && strlen(buf) + 3 < len; i++)
		strcat(buf, buf[strlen(buf) - 1] == '*' ? "*" : " *");
	return buf;
}

/* ---- lexer ---- */

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

static size_t ident(struct parser *p, char *buf, size_t len)
{
	size_t n = 0;

	skip_space(p);
	if (p->src[p->pos] == '$') /* $retval, a root at fexit */
		n = 1;
	else if (!isalpha((unsigned char)p->src[p->pos]) && p->src[p->pos] != '_')
		return 0;
	while (isalnum((unsigned char)p->src[p->pos + n]) || p->src[p->pos + n] == '_')
		n++;
	snprintf(buf, len, "%.*s", (int)n, p->src + p->pos);
	p->pos += n;
	return n;
}

static int syntax(struct parser *p, const char *what)
{
	skip_space(p);
	if (p->src[p->pos])
		snprintf(p->err, p->errlen, "column %zu: %s, found '%.10s'", p->pos + 1, what,
			 p->src + p->pos);
	else
		snprintf(p->err, p->errlen, "column %zu: %s at the end", p->pos + 1, what);
	return -EINVAL;
}

/* ---- steps ---- */

/* x is a pointer: its pointee's type into *to (with the cast's levels). */
static int pointee(struct parser *p, const struct xval *x, uint32_t *to, int *ptrs,
		   const char **tag, size_t start, const char *op)
{
	const struct btf_type *t;
	char ty[160];

	*tag = NULL;
	if (x->ptrs) {
		*to = x->id;
		*ptrs = x->ptrs - 1;
		return 0;
	}
	t = type_of(p->btf, strip(p->btf, x->id, NULL));
	if (t && btf_is_ptr(t)) {
		*to = strip(p->btf, t->type, tag) ? t->type : 0;
		*ptrs = 0;
		return 0;
	}
	if (x->loc.root >= 0 && x->loc.root < p->nroots && !p->roots[x->loc.root].type_id &&
	    x->loc.nderef == 0)
		snprintf(p->err, p->errlen,
			 "'%.*s' is an address without a type: cast it to what it points to "
			 "first: ((struct T *)%.*s)%s...",
			 (int)(p->pos - start), p->src + start, (int)(p->pos - start),
			 p->src + start, op);
	else
		snprintf(p->err, p->errlen, "'%.*s' is %s%s, not a pointer: '%s' needs one",
			 (int)(p->pos - start), p->src + start,
			 t && (btf_is_struct(t) || btf_is_union(t)) ? "a " : "a value of type ",
			 xtype(p, x, ty, sizeof(ty)), op);
	return -EINVAL;
}

/* *(x + off): read the pointer x (unless it is the root itself), then the
 * value lives at what it points to, plus off. */
static int deref(struct parser *p, struct xval *x, int64_t off, size_t start, const char *op)
{
	struct lp_kloc *l = &x->loc;
	const char *tag = NULL;
	uint32_t to;
	int ptrs, ret, typed;

	ret = pointee(p, x, &to, &ptrs, &tag, start, op);
	if (ret)
		return ret;
	if (to == 0 && ptrs == 0) {
		snprintf(p->err, p->errlen,
			 "'%.*s' is a void pointer: cast it to what it points to",
			 (int)(p->pos - start), p->src + start);
		return -EINVAL;
	}
	if (l->nderef >= LP_KLOC_MAX_DEREF) {
		snprintf(p->err, p->errlen, "pointer chain longer than %d", LP_KLOC_MAX_DEREF);
		return -E2BIG;
	}
	if (l->bit_size) {
		snprintf(p->err, p->errlen, "a bitfield is not a pointer");
		return -EINVAL;
	}
	if (l->nderef == 0) {
		/* curtask's pointer level is its own, not a cast's */
		if (l->root == LP_KROOT_TASK)
			typed = p->task_typed && !x->cast;
		else
			typed = p->roots[l->root].typed && !x->ptrs && !x->cast;
	} else {
		/* reading the pointer itself: direct when every read before was */
		int direct = x->typed && l->ndirect == l->nderef - 1;

		if (direct)
			l->ndirect = l->nderef;
		typed = direct && !x->ptrs && !x->cast;
	}
	/* the verifier types what a typed pointer points to only for a struct
	 * or union, and not through __user or __percpu pointers */
	x->typed = typed && !ptrs && is_aggregate(p->btf, to) && (!tag || strcmp(tag, "rcu") == 0);
	x->user = tag && strcmp(tag, "user") == 0;
	l->steps[l->nderef++] = (int32_t)off;
	x->cast = 0;
	x->id = to;
	x->ptrs = ptrs;
	return 0;
}

/* Member `name` of struct/union `id` (anonymous members searched through):
 * its bit offset and type. */
static bool find_member(const struct btf *btf, uint32_t id, const char *name, uint32_t *bits,
			uint32_t *bsize, uint32_t *type)
{
	const struct btf_type *t = type_of(btf, strip(btf, id, NULL));
	const struct btf_member *m;

	if (!t || (!btf_is_struct(t) && !btf_is_union(t)))
		return false;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint32_t sub_bits;

		if (mn && *mn && strcmp(mn, name) == 0) {
			*bits = btf_member_bit_offset(t, i);
			*bsize = btf_member_bitfield_size(t, i);
			*type = m->type;
			return true;
		}
		if ((!mn || !*mn) && find_member(btf, m->type, name, &sub_bits, bsize, type)) {
			*bits = btf_member_bit_offset(t, i) + sub_bits;
			return true;
		}
	}
	return false;
}

/* The names of id's members, anonymous ones' own included, for "did you mean". */
static size_t member_names(const struct btf *btf, uint32_t id, const char **out, size_t n,
			   size_t max)
{
	const struct btf_type *t = type_of(btf, strip(btf, id, NULL));
	const struct btf_member *m;

	if (!t || (!btf_is_struct(t) && !btf_is_union(t)))
		return n;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t) && n < max; i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);

		if (mn && *mn)
			out[n++] = mn;
		else
			n = member_names(btf, m->type, out, n, max);
	}
	return n;
}

static int member(struct parser *p, struct xval *x, const char *name)
{
	const struct btf_type *t = x->ptrs ? NULL : type_of(p->btf, strip(p->btf, x->id, NULL));
	uint32_t bits, bsize, type;
	char ty[160];

	if (!t || (!btf_is_struct(t) && !btf_is_union(t))) {
		snprintf(p->err, p->errlen, "'.%s': %s is not a struct or union", name,
			 xtype(p, x, ty, sizeof(ty)));
		return -EINVAL;
	}
	if (!find_member(p->btf, x->id, name, &bits, &bsize, &type)) {
		const char *cands[512];
		size_t n = member_names(p->btf, x->id, cands, 0, 512);

		snprintf(p->err, p->errlen, MSG_NO_MEMBER, xtype(p, x, ty, sizeof(ty)), name);
		suggest_append_closest(p->err, p->errlen, name, cands, n);
		return -ENOENT;
	}
	if (bsize) {
		const struct btf_type *it = type_of(p->btf, strip(p->btf, type, NULL));
		unsigned shift = bits % 8, sz = 1;

		while (sz < 8 && shift + bsize > sz * 8)
			sz *= 2;
		x->loc.bit_offset = shift;
		x->loc.bit_size = bsize;
		x->loc.size = sz;
		x->loc.is_signed = it && btf_is_int(it) && (btf_int_encoding(it) & BTF_INT_SIGNED);
		if (it && btf_is_enum(it))
			x->loc.is_signed = btf_kflag(it);
	}
	x->loc.steps[x->loc.nderef - 1] += bits / 8;
	x->id = type;
	return 0;
}

static int at_address(struct parser *p, struct xval *x, size_t start, const char *op)
{
	const struct btf_type *t = x->ptrs ? NULL : type_of(p->btf, strip(p->btf, x->id, NULL));
	char ty[160];

	if (x->loc.nderef > 0)
		return 0;
	if (x->ptrs || (t && btf_is_ptr(t)))
		snprintf(p->err, p->errlen,
			 "'%.*s' is of type %s: use '->' to reach what it points to",
			 (int)(p->pos - start), p->src + start, xtype(p, x, ty, sizeof(ty)));
	else
		snprintf(p->err, p->errlen, "'%.*s' is of type %s: '%s' needs a struct or an array",
			 (int)(p->pos - start), p->src + start, xtype(p, x, ty, sizeof(ty)), op);
	return -EINVAL;
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

static bool is_root_name(struct parser *p, const char *w)
{
	for (int i = 0; i < p->nroots; i++)
		if (strcmp(p->roots[i].name, w) == 0)
			return true;
	return strcmp(w, "curtask") == 0;
}

static bool cast_ahead(struct parser *p)
{
	size_t save = p->pos;
	char w[128];
	bool yes = false;

	if (ident(p, w, sizeof(w)))
		yes = is_type_word(w) || (!is_root_name(p, w) &&
					  btf__find_by_name_kind(p->btf, w, BTF_KIND_TYPEDEF) > 0);
	p->pos = save;
	return yes;
}

/* The nearest struct/union/enum name of that kind, for "did you mean". */
static const char *nearest_type(const struct btf *btf, int kind, const char *name)
{
	const char *best = NULL;
	int best_d = 4;
	uint32_t n = btf__type_cnt(btf);

	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *tn;
		int d;

		if (btf_kind(t) != kind || !t->name_off)
			continue;
		tn = btf__name_by_offset(btf, t->name_off);
		if (abs((int)strlen(tn) - (int)strlen(name)) >= best_d)
			continue;
		d = suggest_distance(name, tn);
		if (d < best_d && d <= (strlen(name) > 6 ? 3 : 2)) {
			best_d = d;
			best = tn;
		}
	}
	return best;
}

/* "(type)" after the '(' is read: the type's id and its pointer levels. */
static int parse_type(struct parser *p, uint32_t *id, int *ptrs)
{
	char w[128], base[256] = "";
	int kind = 0, nwords = 0;
	int32_t found;

	while (ident(p, w, sizeof(w))) {
		if (!strcmp(w, "const") || !strcmp(w, "volatile"))
			continue;
		if (!strcmp(w, "struct") || !strcmp(w, "union") || !strcmp(w, "enum")) {
			kind = w[0] == 's'   ? BTF_KIND_STRUCT
			       : w[0] == 'u' ? BTF_KIND_UNION
					     : BTF_KIND_ENUM;
			if (!ident(p, base, sizeof(base)))
				return syntax(p, "expected a type name");
			break;
		}
		if (nwords++)
			strncat(base, " ", sizeof(base) - strlen(base) - 1);
		strncat(base, w, sizeof(base) - strlen(base) - 1);
	}
	if (!base[0])
		return syntax(p, "expected a type");
	*ptrs = 0;
	while (accept(p, "*"))
		(*ptrs)++;
	if (!accept(p, ")"))
		return syntax(p, "expected ')' after the type");
	if (kind) {
		found = btf__find_by_name_kind(p->btf, base, kind);
		if (found <= 0 && kind == BTF_KIND_ENUM)
			found = btf__find_by_name_kind(p->btf, base, BTF_KIND_ENUM64);
		if (found <= 0) {
			const char *kn = kind == BTF_KIND_STRUCT  ? "struct"
					 : kind == BTF_KIND_UNION ? "union"
								  : "enum";

			snprintf(p->err, p->errlen, "no %s '%s' in the kernel's BTF", kn, base);
			suggest_append(p->err, p->errlen, nearest_type(p->btf, kind, base));
			return -ENOENT;
		}
		*id = found;
		return 0;
	}
	if (!strcmp(base, "void")) {
		*id = 0;
		return 0;
	}
	{
		/* C's spellings of the integer types, as BTF names them */
		static const char *const alias[][2] = {
			{ "unsigned", "unsigned int" },
			{ "signed", "int" },
			{ "long", "long int" },
			{ "unsigned long", "long unsigned int" },
			{ "long long", "long long int" },
			{ "unsigned long long", "long long unsigned int" },
			{ "short", "short int" },
			{ "unsigned short", "short unsigned int" },
			{ "signed char", "signed char" },
		};

		for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
			if (!strcmp(base, alias[i][0]))
				snprintf(base, sizeof(base), "%s", alias[i][1]);
	}
	found = btf__find_by_name_kind(p->btf, base, BTF_KIND_INT);
	if (found <= 0)
		found = btf__find_by_name_kind(p->btf, base, BTF_KIND_TYPEDEF);
	if (found <= 0) {
		snprintf(p->err, p->errlen, "no type '%s' in the kernel's BTF", base);
		return -ENOENT;
	}
	*id = found;
	return 0;
}

/* ---- grammar ---- */

static int parse_unary(struct parser *p, struct xval *x);

static int primary(struct parser *p, struct xval *x)
{
	char name[128];

	if (accept(p, "(")) {
		int ret = parse_unary(p, x);

		if (!ret && !accept(p, ")"))
			return syntax(p, "expected ')'");
		return ret;
	}
	if (!ident(p, name, sizeof(name)))
		return syntax(p, "expected a name");
	memset(x, 0, sizeof(*x));
	if (strcmp(name, "curtask") == 0) {
		int32_t task = btf__find_by_name_kind(p->btf, "task_struct", BTF_KIND_STRUCT);

		if (task <= 0) {
			snprintf(p->err, p->errlen, "no struct task_struct in the kernel's BTF");
			return -ENOENT;
		}
		x->loc.root = LP_KROOT_TASK;
		x->id = task;
		x->ptrs = 1;
		return 0;
	}
	for (int i = 0; i < p->nroots; i++) {
		if (strcmp(p->roots[i].name, name) == 0) {
			x->loc.root = i;
			x->id = p->roots[i].type_id;
			return 0;
		}
	}
	{
		const char *cands[64];
		size_t n = 0;

		for (int i = 0; i < p->nroots && n < 63; i++)
			cands[n++] = p->roots[i].name;
		cands[n++] = "curtask";
		snprintf(p->err, p->errlen, "no argument '%s'", name);
		suggest_append_closest(p->err, p->errlen, name, cands, n);
	}
	return -ESRCH;
}

static int postfix(struct parser *p, struct xval *x, size_t start)
{
	for (;;) {
		char name[128];
		int ret;

		if (accept(p, "->")) {
			size_t at = p->pos - 2;
			size_t save = p->pos;

			p->pos = at;
			ret = deref(p, x, 0, start, "->");
			p->pos = save;
			if (ret)
				return ret;
			if (!ident(p, name, sizeof(name)))
				return syntax(p, "expected a member name after '->'");
			ret = member(p, x, name);
		} else if (accept(p, ".")) {
			size_t save = p->pos;

			p->pos--;
			ret = at_address(p, x, start, ".");
			p->pos = save;
			if (ret)
				return ret;
			if (!ident(p, name, sizeof(name)))
				return syntax(p, "expected a member name after '.'");
			ret = member(p, x, name);
		} else if (skip_space(p), p->src[p->pos] == '[') {
			size_t open = p->pos++;
			const struct btf_type *t =
				x->ptrs ? NULL : type_of(p->btf, strip(p->btf, x->id, NULL));
			char *end;
			long long idx;

			skip_space(p);
			idx = strtoll(p->src + p->pos, &end, 0);
			if (end == p->src + p->pos || idx < 0)
				return syntax(p, "expected a non-negative index");
			p->pos = end - p->src;
			if (!accept(p, "]"))
				return syntax(p, "expected ']'");
			if (t && btf_is_array(t)) {
				const struct btf_array *a = btf_array(t);
				int64_t esz = btf__resolve_size(p->btf, a->type);

				if ((ret = at_address(p, x, start, "[]")))
					return ret;
				if (a->nelems && idx >= a->nelems) {
					snprintf(
						p->err, p->errlen,
						"index %lld is past the end of '%.*s' (%u elements)",
						idx, (int)(open - start), p->src + start,
						a->nelems);
					return -ERANGE;
				}
				x->loc.steps[x->loc.nderef - 1] += (int32_t)(idx * esz);
				x->id = a->type;
				ret = 0;
			} else {
				uint32_t to;
				int ptrs;
				const char *tag;
				int64_t esz;

				ret = pointee(p, x, &to, &ptrs, &tag, start, "[]");
				if (ret)
					return ret;
				esz = ptrs ? 8 : btf__resolve_size(p->btf, to);
				ret = deref(p, x, idx * (esz > 0 ? esz : 1), start, "[]");
			}
		} else {
			return 0;
		}
		if (ret)
			return ret;
	}
}

static int parse_unary(struct parser *p, struct xval *x)
{
	size_t start;

	skip_space(p);
	start = p->pos;
	if (accept(p, "*")) {
		int ret = parse_unary(p, x);

		return ret ? ret : deref(p, x, 0, start + 1, "*");
	}
	if (accept(p, "(")) {
		if (cast_ahead(p)) {
			uint32_t id;
			int ptrs, ret;

			ret = parse_type(p, &id, &ptrs);
			if (!ret)
				ret = parse_unary(p, x);
			if (ret)
				return ret;
			if (x->loc.bit_size) {
				snprintf(p->err, p->errlen, "a bitfield cannot be cast");
				return -EINVAL;
			}
			x->id = id;
			x->ptrs = ptrs;
			/* the verifier types the value as it was, not as cast */
			x->typed = 0;
			x->cast = 1;
			return 0;
		}
		p->pos = start;
	}
	{
		int ret = primary(p, x);

		return ret ? ret : postfix(p, x, start);
	}
}

/* The finished value as an event carries it. */
static int settle(struct parser *p, struct xval *x)
{
	struct lp_kloc *l = &x->loc;
	const char *tag = NULL;
	const struct btf_type *t = x->ptrs ? NULL : type_of(p->btf, strip(p->btf, x->id, &tag));

	xtype(p, x, l->ctype, sizeof(l->ctype));
	if (l->nderef > 0 && x->typed && l->ndirect == l->nderef - 1)
		l->ndirect = l->nderef;
	if (l->bit_size) {
		l->type = LP_KT_INT;
		return 0;
	}
	if (x->ptrs || (t && btf_is_ptr(t))) {
		uint32_t to = x->ptrs ? x->id : t->type;
		const char *ptag = NULL;

		if (!x->ptrs)
			strip(p->btf, to, &ptag);
		l->size = 8;
		l->type = (x->ptrs <= 1 && is_char(p->btf, to)) ? LP_KT_STRPTR : LP_KT_PTR;
		l->user = ptag && strcmp(ptag, "user") == 0;
		return 0;
	}
	if (!t) {
		if (l->nderef == 0) { /* an untyped root: the address as an integer */
			l->type = LP_KT_INT;
			l->size = 8;
			return 0;
		}
		snprintf(p->err, p->errlen, "a void value cannot be fetched");
		return -EINVAL;
	}
	if (btf_is_int(t) || btf_is_any_enum(t)) {
		l->type = LP_KT_INT;
		l->size = t->size;
		l->is_signed = btf_is_int(t) ? !!(btf_int_encoding(t) & BTF_INT_SIGNED)
					     : btf_kflag(t);
		return 0;
	}
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		const struct btf_type *et = type_of(p->btf, strip(p->btf, a->type, NULL));
		int64_t esz = btf__resolve_size(p->btf, a->type);

		l->size = (int)(esz * a->nelems);
		l->elem_size = (int)esz;
		if (is_char(p->btf, a->type))
			l->type = LP_KT_CHARS;
		else if (et && (btf_is_int(et) || btf_is_any_enum(et) || btf_is_ptr(et)) &&
			 esz <= 8) {
			l->type = LP_KT_ARRAY;
			l->is_signed = et && btf_is_int(et) &&
				       (btf_int_encoding(et) & BTF_INT_SIGNED);
		} else {
			snprintf(p->err, p->errlen,
				 "%s is an array of aggregates: fetch one element's member",
				 l->ctype);
			return -EINVAL;
		}
		if (l->size <= 0) {
			snprintf(p->err, p->errlen, "%s has no fixed size to fetch", l->ctype);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(p->err, p->errlen,
		 "a %s is not a value an event can carry (fetch one of its members)", l->ctype);
	return -EINVAL;
}

int btf_expr_resolve(const struct btf *btf, const struct lp_kroot *roots, int nroots,
		     int task_typed, const char *expr, struct lp_kloc *out, char *err,
		     size_t errlen)
{
	struct parser p = { btf, roots, nroots, task_typed, expr, 0, err, errlen };
	struct xval x;
	int ret;

	memset(&x, 0, sizeof(x));
	err[0] = '\0';
	if (!btf) {
		snprintf(err, errlen, "no kernel BTF (/sys/kernel/btf/vmlinux) to type it with");
		return -ENOENT;
	}
	ret = parse_unary(&p, &x);
	if (!ret) {
		skip_space(&p);
		if (expr[p.pos])
			ret = syntax(&p, "expected the end of the expression");
	}
	if (!ret)
		ret = settle(&p, &x);
	if (!ret && err[0])
		ret = -EINVAL;
	if (!ret)
		*out = x.loc;
	return ret;
}

int btf_expr_root_value(const struct btf *btf, uint32_t id, struct lp_kloc *out)
{
	const struct btf_type *t = type_of(btf, strip(btf, id, NULL));

	memset(out, 0, sizeof(*out));
	btf_expr_type_name(btf, id, out->ctype, sizeof(out->ctype));
	out->size = 8;
	if (!t || btf_is_ptr(t)) {
		const char *tag = NULL;

		out->type = t ? LP_KT_PTR : LP_KT_INT;
		if (t && is_char(btf, t->type)) {
			strip(btf, t->type, &tag);
			out->type = LP_KT_STRPTR;
			out->user = tag && strcmp(tag, "user") == 0;
		}
		return 0;
	}
	if (btf_is_int(t) || btf_is_any_enum(t)) {
		out->type = LP_KT_INT;
		out->size = t->size <= 8 ? t->size : 8;
		out->is_signed = btf_is_int(t) ? !!(btf_int_encoding(t) & BTF_INT_SIGNED)
					       : btf_kflag(t);
		return 0;
	}
	return -EINVAL;
}
