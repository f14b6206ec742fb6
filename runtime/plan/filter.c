/* A recursive-descent parser with C's precedence that emits the stack
 * program as it goes. An operand is held back until an operator needs it,
 * so that `comm == "sshd"` becomes one string compare rather than loads. */
#include "plan/filter.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define STR_LIT_MAX 64 /* bytes of one literal, NUL included */
/* Parentheses and unary operators recurse: bounded so that a hostile
 * filter gets a message rather than the end of the C stack. A filter
 * has at most LP_MAX_INSN operations, so a real one never comes near. */
#define MAX_NEST 64

enum val_kind {
	V_STACK, /* already on the stack */
	V_IMM,
	V_FIELD, /* an integer field, not yet loaded */
	V_STRFIELD,
	V_STRLIT,
};

struct val {
	enum val_kind kind;
	int is_unsigned;
	long long imm;
	struct lp_operand op;
	char str[STR_LIT_MAX];
	size_t len; /* of str, without the NUL */
	int col;
};

struct parser {
	const char *text;
	const char *p;
	const struct filter_env *env;
	struct lp_plan *plan;
	int nstr; /* strpool words used */
	int nrange; /* ranges used */
	int depth; /* stack depth, for LP_MAX_STACK */
	int nest; /* parentheses and unary operators open, for MAX_NEST */
	const char *hint; /* C type of the field the operand being parsed is compared with */
	char *err;
	size_t errlen;
	int failed;
};

static int fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return -EINVAL;
	ps->failed = 1;
	n = snprintf(ps->err, ps->errlen, "column %d: ", (int)(at - ps->text) + 1);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void skip_space(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

/* Consume `tok` if it comes next (and, for "&" and "|", is not "&&"/"||"). */
static int accept(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip_space(ps);
	if (strncmp(ps->p, tok, n) != 0)
		return 0;
	if (n == 1 && (*tok == '&' || *tok == '|') && ps->p[1] == *tok)
		return 0;
	if (n == 1 && (*tok == '<' || *tok == '>' || *tok == '!') && ps->p[1] == '=')
		return 0;
	if (n == 2 && !strcmp(tok, "in") && (isalnum((unsigned char)ps->p[2]) || ps->p[2] == '_'))
		return 0;
	ps->p += n;
	return 1;
}

static int emit(struct parser *ps, __u8 op, __u8 size, __u16 off, __u32 aux, __s64 imm, int push)
{
	struct lp_insn *in;

	if (ps->plan->ninsn >= LP_MAX_INSN)
		return fail(ps, ps->p, "filter too long (at most %d operations)", LP_MAX_INSN);
	ps->depth += push;
	if (ps->depth > LP_MAX_STACK)
		return fail(ps, ps->p, "filter nested too deeply");
	in = &ps->plan->insn[ps->plan->ninsn++];
	in->op = op;
	in->size = size;
	in->off = off;
	in->aux = aux;
	in->imm = imm;
	return 0;
}

/* Put an integer operand on the stack. */
static int materialize(struct parser *ps, struct val *v)
{
	switch (v->kind) {
	case V_STACK:
		return 0;
	case V_IMM:
		v->kind = V_STACK;
		return emit(ps, LP_OP_IMM, 0, 0, 0, v->imm, 1);
	case V_FIELD:
		v->kind = V_STACK;
		return emit(ps, LP_OP_LD, v->op.size, v->op.off, v->op.kind == LP_FK_INT, 0, 1);
	default:
		return fail(ps, ps->text + v->col,
			    "a string is only compared with == or != "
			    "to a string");
	}
}

static int parse_expr(struct parser *ps, struct val *v);

/* One more level opens at `at`. */
static int enter(struct parser *ps, const char *at)
{
	if (++ps->nest > MAX_NEST)
		return fail(ps, at,
			    "filter nested too deeply (at most %d parentheses and unary "
			    "operators inside one another)",
			    MAX_NEST);
	return 0;
}

static int parse_string(struct parser *ps, struct val *v)
{
	const char *start = ps->p;
	char q = *ps->p++;

	v->len = 0;
	while (*ps->p && *ps->p != q) {
		char c = *ps->p++;

		if (c == '\\') {
			c = *ps->p++;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == '0' ? '\0' : c;
			if (!c && !ps->p[-1])
				return fail(ps, start, "unterminated string");
		}
		if (v->len + 1 >= STR_LIT_MAX)
			return fail(ps, start, "string longer than %d bytes", STR_LIT_MAX - 1);
		v->str[v->len++] = c;
	}
	if (*ps->p != q)
		return fail(ps, start, "unterminated string");
	ps->p++;
	v->str[v->len] = '\0';
	return 0;
}

static size_t ident_len(const char *p)
{
	size_t n = 0;

	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/* The link to the next part of a fetch expression: "->" or "." before a
 * member, or "[N]" (N decimal), after which a member may follow. 0: none. */
static size_t chain_len(const char *p)
{
	size_t n = 0;

	if (p[0] == '-' && p[1] == '>')
		n = 2;
	else if (p[0] == '.')
		n = 1;
	if (n)
		return isalpha((unsigned char)p[n]) || p[n] == '_' ? n : 0;
	if (p[0] != '[')
		return 0;
	for (n = 1; isdigit((unsigned char)p[n]); n++)
		;
	if (n == 1 || p[n] != ']')
		return 0;
	return n + 1;
}

static int parse_ident(struct parser *ps, struct val *v)
{
	const char *start = ps->p;
	char name[128], why[256] = "";
	size_t n = 0;
	long long c;
	int ret;

	if (*ps->p == '$')
		name[n++] = *ps->p++;
	for (;;) {
		size_t len = ident_len(ps->p);

		if (n + len >= sizeof(name))
			return fail(ps, start, "name longer than %zu bytes", sizeof(name) - 1);
		memcpy(name + n, ps->p, len);
		n += len;
		ps->p += len;
		/* a fetch expression goes on through members and constant indexes */
		len = chain_len(ps->p);
		if (!len)
			break;
		if (n + len >= sizeof(name))
			return fail(ps, start, "name longer than %zu bytes", sizeof(name) - 1);
		memcpy(name + n, ps->p, len);
		n += len;
		ps->p += len;
	}
	name[n] = '\0';
	if (ps->env->operand && ps->env->operand(ps->env->ctx, name, &v->op) == 0) {
		if (v->op.kind != LP_FK_STR && v->op.kind != LP_FK_INT && v->op.kind != LP_FK_UINT)
			return fail(ps, start,
				    "'%s' is %s: a filter compares integers and strings "
				    "(read it in a handler)",
				    name,
				    v->op.elem == 1 ? "an array of bytes"
				    : v->op.kind == LP_FK_KSTACK || v->op.kind == LP_FK_USTACK
					    ? "a stack"
					    : "an array");
		v->kind = v->op.kind == LP_FK_STR ? V_STRFIELD : V_FIELD;
		v->is_unsigned = v->op.kind == LP_FK_UINT;
		return 0;
	}
	/* A field named target wins, as fields win over built-ins. */
	if (!strcmp(name, "target")) {
		if (ps->env->target <= 0)
			return fail(ps, start,
				    "'target' is the process of -p PID or -c CMD, and neither "
				    "was given");
		v->kind = V_IMM;
		v->imm = ps->env->target;
		if (ps->env->target_used)
			*ps->env->target_used = 1;
		return 0;
	}
	ret = ps->env->constant
		      ? ps->env->constant(ps->env->ctx, name, ps->hint, &c, why, sizeof(why))
		      : -ENOENT;
	if (ret == 0) {
		v->kind = V_IMM;
		v->imm = c;
		return 0;
	}
	if (ret == -EEXIST)
		return fail(ps, start, "'%s' is ambiguous: %s", name, why);
	if (strcspn(name, "-.[$") < n && ps->env->explain &&
	    ps->env->explain(ps->env->ctx, name, why, sizeof(why)) == 0)
		return fail(ps, start, "%s", why);
	{
		const char *near = ps->env->suggest ? ps->env->suggest(ps->env->ctx, name) : NULL;

		if (near)
			return fail(ps, start, "unknown name '%s' (did you mean '%s'?)", name,
				    near);
		return fail(ps, start,
			    "unknown name '%s': not a field, a built-in or an enum "
			    "constant",
			    name);
	}
}

static int parse_primary(struct parser *ps, struct val *v)
{
	skip_space(ps);
	memset(v, 0, sizeof(*v));
	v->col = ps->p - ps->text;
	if (*ps->p == '(') {
		if (enter(ps, ps->p++) || parse_expr(ps, v))
			return -EINVAL;
		ps->nest--;
		if (!accept(ps, ")"))
			return fail(ps, ps->p, "expected ')'");
		return 0;
	}
	if (isdigit((unsigned char)*ps->p)) {
		char *end;

		errno = 0;
		v->imm = (long long)strtoull(ps->p, &end, 0);
		if (errno || isalnum((unsigned char)*end) || *end == '_')
			return fail(ps, ps->p, "bad number");
		ps->p = end;
		v->kind = V_IMM;
		return 0;
	}
	if (*ps->p == '\'') {
		struct val s;

		if (parse_string(ps, &s))
			return -EINVAL;
		if (s.len != 1)
			return fail(ps, ps->text + v->col,
				    "a character literal holds one character");
		v->kind = V_IMM;
		v->imm = (unsigned char)s.str[0];
		return 0;
	}
	if (*ps->p == '"') {
		v->kind = V_STRLIT;
		return parse_string(ps, v);
	}
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_' ||
	    (*ps->p == '$' && isalpha((unsigned char)ps->p[1])))
		return parse_ident(ps, v);
	if (!*ps->p)
		return fail(ps, ps->p, "expression ends too early");
	return fail(ps, ps->p, "unexpected '%c'", *ps->p);
}

static int parse_unary(struct parser *ps, struct val *v)
{
	static const struct {
		const char *tok;
		__u8 op;
	} ops[] = { { "!", LP_OP_NOT }, { "~", LP_OP_BNOT }, { "-", LP_OP_NEG } };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (accept(ps, ops[i].tok)) {
			if (enter(ps, ps->p - strlen(ops[i].tok)) || parse_unary(ps, v))
				return -EINVAL;
			ps->nest--;
			if (v->kind == V_IMM) { /* fold: "-1" is a literal */
				/* in unsigned arithmetic: -(-2^63) wraps as the
				 * kernel's 64-bit registers do, not as undefined C */
				v->imm = ops[i].op == LP_OP_NOT ? !v->imm
					 : ops[i].op == LP_OP_BNOT
						 ? ~v->imm
						 : (long long)(0ULL - (unsigned long long)v->imm);
				return 0;
			}
			if (materialize(ps, v))
				return -EINVAL;
			v->is_unsigned = ops[i].op == LP_OP_BNOT && v->is_unsigned;
			return emit(ps, ops[i].op, 0, 0, 0, 0, 0);
		}
	}
	return parse_primary(ps, v);
}

/* The string in a compare: a field and a literal, either way round. */
static int string_compare(struct parser *ps, struct val *a, struct val *b, int negate)
{
	struct val *f = a->kind == V_STRFIELD ? a : b, *lit = a->kind == V_STRLIT ? a : b;
	size_t bytes = lit->len + 1, words = (bytes + 7) / 8;

	if (f->kind != V_STRFIELD || lit->kind != V_STRLIT)
		return fail(ps, ps->text + b->col, "compare a string field with a string literal");
	if (bytes > f->op.size) {
		/* Longer than the field can hold: never equal. */
		a->kind = V_IMM;
		a->imm = negate;
		return 0;
	}
	if (ps->nstr + words > LP_MAX_STRWORDS)
		return fail(ps, ps->text + lit->col, "too many string literals in one filter");
	memset(&ps->plan->strpool[ps->nstr], 0, words * 8);
	memcpy(&ps->plan->strpool[ps->nstr], lit->str, bytes);
	if (emit(ps, LP_OP_STREQ, 0, f->op.off, ps->nstr, bytes, 1))
		return -EINVAL;
	ps->nstr += words;
	a->kind = V_STACK;
	a->is_unsigned = 0;
	return negate ? emit(ps, LP_OP_NOT, 0, 0, 0, 0, 0) : 0;
}

static int parse_in(struct parser *ps, struct val *v)
{
	char why[256] = "";
	struct val func;
	int n;

	skip_space(ps);
	func.col = ps->p - ps->text;
	if (*ps->p != '"')
		return fail(ps, ps->p,
			    "'in' takes a function name in quotes: location in \"func\"");
	if (parse_string(ps, &func) || materialize(ps, v))
		return -EINVAL;
	if (!ps->env->ranges)
		return fail(ps, ps->text + func.col, "'in' needs kernel symbols");
	n = ps->env->ranges(ps->env->ctx, func.str, &ps->plan->ranges[ps->nrange],
			    LP_MAX_RANGES - ps->nrange, why, sizeof(why));
	if (n <= 0)
		return fail(ps, ps->text + func.col, "%s", n < 0 ? why : "no such function");
	if (emit(ps, LP_OP_INRANGE, n, 0, ps->nrange, 0, 0))
		return -EINVAL;
	ps->nrange += n;
	v->is_unsigned = 0;
	return 0;
}

struct binop {
	const char *tok;
	__u8 op;
	__u8 uop; /* the unsigned variant */
};

static const struct binop levels[][4] = {
	{ { "||", LP_OP_LOR, LP_OP_LOR } },
	{ { "&&", LP_OP_LAND, LP_OP_LAND } },
	{ { "|", LP_OP_OR, LP_OP_OR } },
	{ { "^", LP_OP_XOR, LP_OP_XOR } },
	{ { "&", LP_OP_AND, LP_OP_AND } },
	{ { "==", LP_OP_EQ, LP_OP_EQ }, { "!=", LP_OP_NE, LP_OP_NE } },
	{ { "<=", LP_OP_LE, LP_OP_ULE },
	  { ">=", LP_OP_GE, LP_OP_UGE },
	  { "<", LP_OP_LT, LP_OP_ULT },
	  { ">", LP_OP_GT, LP_OP_UGT } },
};
#define NLEVELS ((int)(sizeof(levels) / sizeof(levels[0])))

static int parse_level(struct parser *ps, int level, struct val *v)
{
	if (level == NLEVELS)
		return parse_unary(ps, v);
	if (parse_level(ps, level + 1, v))
		return -EINVAL;
	for (;;) {
		const struct binop *b = NULL;
		struct val rhs;

		if (level == NLEVELS - 1 && accept(ps, "in")) {
			if (parse_in(ps, v))
				return -EINVAL;
			continue;
		}
		for (int i = 0; i < 4 && levels[level][i].tok; i++)
			if (accept(ps, levels[level][i].tok)) {
				b = &levels[level][i];
				break;
			}
		if (!b)
			return 0;
		if ((v->kind == V_STRFIELD || v->kind == V_STRLIT) &&
		    (b->op == LP_OP_EQ || b->op == LP_OP_NE)) {
			if (parse_level(ps, level + 1, &rhs))
				return -EINVAL;
			if (string_compare(ps, v, &rhs, b->op == LP_OP_NE))
				return -EINVAL;
			continue;
		}
		if (materialize(ps, v))
			return -EINVAL;
		ps->hint = v->op.ctype;
		if (parse_level(ps, level + 1, &rhs))
			return -EINVAL;
		ps->hint = NULL;
		if ((rhs.kind == V_STRFIELD || rhs.kind == V_STRLIT) &&
		    (b->op == LP_OP_EQ || b->op == LP_OP_NE))
			return fail(ps, ps->text + rhs.col, "compare a string with a string");
		if (materialize(ps, &rhs))
			return -EINVAL;
		/* Unsigned if either side is an unsigned field: a kernel
		 * pointer compared with a literal must not turn negative. */
		if (emit(ps, (v->is_unsigned || rhs.is_unsigned) ? b->uop : b->op, 0, 0, 0, 0, -1))
			return -EINVAL;
		v->is_unsigned = b->op >= LP_OP_AND && b->op <= LP_OP_XOR &&
				 (v->is_unsigned || rhs.is_unsigned);
	}
}

static int parse_expr(struct parser *ps, struct val *v)
{
	return parse_level(ps, 0, v);
}

int filter_compile(const char *text, const struct filter_env *env, struct lp_plan *plan, char *err,
		   size_t errlen)
{
	struct parser ps = {
		.text = text,
		.p = text,
		.env = env,
		.plan = plan,
		.err = err,
		.errlen = errlen,
	};
	struct val v;
	int too_long;

	plan->ninsn = 0;
	if (parse_expr(&ps, &v))
		goto bad;
	skip_space(&ps);
	if (*ps.p == '=' && ps.p[1] != '=') {
		fail(&ps, ps.p, "'=' assigns; compare with '=='");
		goto bad;
	}
	if (*ps.p) {
		fail(&ps, ps.p, "unexpected '%s'", ps.p);
		goto bad;
	}
	if (v.kind == V_STRFIELD || v.kind == V_STRLIT) {
		fail(&ps, text + v.col, "a string is not a condition; compare it: comm == \"x\"");
		goto bad;
	}
	if (materialize(&ps, &v))
		goto bad;
	return 0;
bad:
	too_long = plan->ninsn >= LP_MAX_INSN;
	plan->ninsn = 0;
	return too_long ? -E2BIG : -EINVAL;
}
