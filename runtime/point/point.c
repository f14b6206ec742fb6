/* Probe point parser: both spellings of DESIGN.md §2 "Probe points" become one
 * struct lp_point. It only splits text; whether the function, binary or
 * tracepoint exists is for the resolvers to say. */
#include "point/point.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/messages.h"
#include "util/suggest.h"

/* A view of the text being parsed. text is always the caller's whole string,
 * so a quoted argument parsed as its own cursor still reports true columns. */
struct cur {
	const char *text;
	const char *p;
	const char *end;
	char *err;
	size_t errlen;
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A suggestion farther than this is noise rather than a likely typo. */
#define MAX_GUESS_DIST 2
/* Longer words are never typos of a probe keyword. */
#define MAX_WORD 31

static int fail(const struct cur *c, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes "column N: <message>" to err, N 1-based in the caller's text. */
static int fail(const struct cur *c, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || !c->errlen)
		return -EINVAL;
	n = snprintf(c->err, c->errlen, "column %d: ", (int)(at - c->text) + 1);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int dup_span(const struct cur *c, const char *s, const char *e, char **out)
{
	*out = strndup(s, e - s);
	if (*out)
		return 0;
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "out of memory");
	return -ENOMEM;
}

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && isspace((unsigned char)*c->p))
		c->p++;
}

static bool eat(struct cur *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static bool is_word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

static int at_end(struct cur *c)
{
	skip_ws(c);
	if (c->p >= c->end)
		return 0;
	if (isprint((unsigned char)*c->p))
		return fail(c, c->p, "unexpected '%c'", *c->p);
	return fail(c, c->p, "unexpected byte 0x%02x", (unsigned char)*c->p);
}

/* Names are C identifiers plus '.' (compiler clones such as foo.isra.0) and
 * the globs the resolvers expand: * ? and [set]. A set holds only name
 * characters and - ! ^, so a ':' inside one is reported, not swallowed. */
static int take_name(struct cur *c, char **out, const char *what)
{
	const char *q = c->p, *open;

	while (q < c->end) {
		if (is_word_char(*q) || *q == '.' || *q == '*' || *q == '?') {
			q++;
			continue;
		}
		if (*q != '[')
			break;
		open = q++;
		while (q < c->end && (is_word_char(*q) || strchr(".-!^", *q)))
			q++;
		if (q >= c->end || *q != ']')
			return fail(c, open, "unterminated '['");
		q++;
	}
	if (q == c->p)
		return fail(c, c->p, "missing %s", what);
	if (dup_span(c, c->p, q, out))
		return -ENOMEM;
	c->p = q;
	return 0;
}

/* Decimal, or hex after 0x as objdump prints offsets; max is the range of the
 * field the number goes into. */
static int take_number(struct cur *c, unsigned long long *out, unsigned long long max,
		       const char *what)
{
	int base = c->end - c->p > 1 && c->p[0] == '0' && (c->p[1] | 0x20) == 'x' ? 16 : 10;
	char *e;

	if (!isdigit((unsigned char)*c->p))
		return fail(c, c->p, "expected %s", what);
	/* The text ends at a NUL or at trimmed blanks, where strtoull stops too. */
	errno = 0;
	*out = strtoull(c->p, &e, base);
	if (errno == ERANGE || *out > max)
		return fail(c, c->p, "number too large");
	c->p = e;
	return 0;
}

static int parse_tracepoint(struct cur *c, struct lp_point *pt)
{
	int err;

	err = take_name(c, &pt->system, "tracepoint system");
	if (err)
		return err;
	if (!eat(c, ':'))
		return fail(c, c->p, "expected ':' after tracepoint system '%s'", pt->system);
	return take_name(c, &pt->event, "event name");
}

static int parse_event(struct cur *c, struct lp_point *pt)
{
	return take_name(c, &pt->event, "event name");
}

/* Paths hold no ':', so the binary ends at the first one. */
static int take_binary(struct cur *c, struct lp_point *pt)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p != ':' && !isspace((unsigned char)*c->p))
		c->p++;
	if (c->p == s)
		return fail(c, s, "missing binary path");
	if (dup_span(c, s, c->p, &pt->binary))
		return -ENOMEM;
	if (!eat(c, ':'))
		return fail(c, c->p, "expected ':' after binary '%s'", pt->binary);
	return 0;
}

static int parse_func(struct cur *c, struct lp_point *pt)
{
	unsigned long long off;
	int err;

	if (pt->kind == LP_PT_UPROBE || pt->kind == LP_PT_URETPROBE) {
		err = take_binary(c, pt);
		if (err)
			return err;
	}
	err = take_name(c, &pt->func, "function name");
	if (err || !eat(c, '+'))
		return err;
	/* Return probes and fentry/fexit fire at the function boundary only. */
	if (pt->kind != LP_PT_KPROBE && pt->kind != LP_PT_UPROBE)
		return fail(c, c->p - 1, "offset not allowed on '%s'", point_kind_name(pt->kind));
	err = take_number(c, &off, ULONG_MAX, "an offset after '+'");
	if (!err)
		pt->offset = off;
	return err;
}

static int parse_usdt(struct cur *c, struct lp_point *pt)
{
	int err;

	err = take_binary(c, pt);
	if (!err)
		err = take_name(c, &pt->mark, "probe name");
	if (err || !eat(c, ':'))
		return err;
	/* Three fields: the first was the provider. */
	pt->provider = pt->mark;
	pt->mark = NULL;
	return take_name(c, &pt->mark, "probe name");
}

static int parse_profile(struct cur *c, struct lp_point *pt)
{
	static const struct {
		const char *unit;
		unsigned long long ns;
	} units[] = { { "s:", 1000000000ULL }, { "ms:", 1000000ULL }, { "us:", 1000ULL } };
	const char *s = c->p;
	int err;

	/* hz:N is a rate (pt->freq); s/ms/us:N a period, kept in ns (pt->period). */
	if (c->end - s >= 3 && memcmp(s, "hz:", 3) == 0) {
		s = c->p += 3;
		err = take_number(c, &pt->freq, ULLONG_MAX, "a frequency");
		if (!err && !pt->freq)
			return fail(c, s, "frequency must be at least 1");
		return err;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].unit);

		if ((size_t)(c->end - s) < n || memcmp(s, units[i].unit, n))
			continue;
		s = c->p += n;
		err = take_number(c, &pt->period, ULLONG_MAX / units[i].ns, "a period");
		if (!err && !pt->period)
			return fail(c, s, "period must be at least 1");
		pt->period *= units[i].ns;
		return err;
	}
	return fail(c, s, "expected 'hz:N', 's:N', 'ms:N' or 'us:N' after 'profile:'");
}

static int parse_software(struct cur *c, struct lp_point *pt)
{
	const char *s = c->p;
	int err;

	while (c->p < c->end && (is_word_char(*c->p) || *c->p == '-'))
		c->p++;
	if (c->p == s)
		return fail(c, s, "missing software counter");
	if (dup_span(c, s, c->p, &pt->counter))
		return -ENOMEM;
	if (!eat(c, ':'))
		return fail(c, c->p, "expected ':' after software counter '%s'", pt->counter);
	s = c->p;
	err = take_number(c, &pt->period, ULLONG_MAX, "a period");
	if (!err && !pt->period)
		return fail(c, s, "period must be at least 1");
	return err;
}

/* Where a word may appear. A bpftrace prefix is a root word followed by ':';
 * a SystemTap point is a dotted chain of words, kernel.function("f").return. */
enum slot { S_ROOT, S_KERNEL, S_PROCESS, S_TIMER, S_KFUNC, S_UFUNC, S_MODULE, S_DONE };
static const char *const slot_what[] = { "probe type",	"kernel probe", "process probe",
					 "timer probe", "suffix",	"suffix",
					 "module probe" };

/* What a ("...") argument holds. */
enum arg { A_NONE, A_NAME, A_PATH, A_STATEMENT, A_TRACEPOINT };

#define KEEP_KIND -1
#define FIELD(f) offsetof(struct lp_point, f)

/* The full bpftrace names come first: point_kind_name() returns the first
 * root word of a kind. */
static const struct keyword {
	enum slot from;
	const char *word;
	int kind;
	int (*parse)(struct cur *c, struct lp_point *pt); /* bpftrace: the rest after ':' */
	enum arg arg; /* SystemTap: the argument... */
	size_t field; /* ...the field it fills... */
	enum slot to; /* ...and what may follow */
} keywords[] = {
	{ S_ROOT, "tracepoint", LP_PT_TRACEPOINT, parse_tracepoint },
	{ S_ROOT, "rawtp", LP_PT_RAWTP, parse_event },
	{ S_ROOT, "tp_btf", LP_PT_TPBTF, parse_event },
	{ S_ROOT, "kprobe", LP_PT_KPROBE, parse_func },
	{ S_ROOT, "kretprobe", LP_PT_KRETPROBE, parse_func },
	{ S_ROOT, "fentry", LP_PT_FENTRY, parse_func },
	{ S_ROOT, "fexit", LP_PT_FEXIT, parse_func },
	{ S_ROOT, "uprobe", LP_PT_UPROBE, parse_func },
	{ S_ROOT, "uretprobe", LP_PT_URETPROBE, parse_func },
	{ S_ROOT, "usdt", LP_PT_USDT, parse_usdt },
	{ S_ROOT, "profile", LP_PT_PROFILE, parse_profile },
	{ S_ROOT, "software", LP_PT_SOFTWARE, parse_software },
	/* bpftrace's aliases */
	{ S_ROOT, "t", LP_PT_TRACEPOINT, parse_tracepoint },
	{ S_ROOT, "rawtracepoint", LP_PT_RAWTP, parse_event },
	{ S_ROOT, "k", LP_PT_KPROBE, parse_func },
	{ S_ROOT, "kr", LP_PT_KRETPROBE, parse_func },
	{ S_ROOT, "f", LP_PT_FENTRY, parse_func },
	{ S_ROOT, "fr", LP_PT_FEXIT, parse_func },
	{ S_ROOT, "u", LP_PT_UPROBE, parse_func },
	{ S_ROOT, "ur", LP_PT_URETPROBE, parse_func },
	{ S_ROOT, "U", LP_PT_USDT, parse_usdt },
	{ S_ROOT, "p", LP_PT_PROFILE, parse_profile },
	{ S_ROOT, "s", LP_PT_SOFTWARE, parse_software },
	/* SystemTap */
	{ S_ROOT, "kernel", KEEP_KIND, NULL, A_NONE, 0, S_KERNEL },
	{ S_ROOT, "process", KEEP_KIND, NULL, A_PATH, FIELD(binary), S_PROCESS },
	{ S_ROOT, "timer", KEEP_KIND, NULL, A_NONE, 0, S_TIMER },
	{ S_ROOT, "module", KEEP_KIND, NULL, A_NAME, FIELD(module), S_MODULE },
	{ S_KERNEL, "function", LP_PT_KPROBE, NULL, A_NAME, FIELD(func), S_KFUNC },
	{ S_KERNEL, "statement", LP_PT_KPROBE, NULL, A_STATEMENT, FIELD(statement), S_DONE },
	{ S_KERNEL, "trace", LP_PT_TRACEPOINT, NULL, A_TRACEPOINT, 0, S_DONE },
	{ S_MODULE, "function", LP_PT_KPROBE, NULL, A_NAME, FIELD(func), S_KFUNC },
	{ S_KFUNC, "return", LP_PT_KRETPROBE, NULL, A_NONE, 0, S_DONE },
	{ S_KFUNC, "label", KEEP_KIND, NULL, A_NAME, FIELD(label), S_DONE },
	{ S_KFUNC, "statement", KEEP_KIND, NULL, A_STATEMENT, FIELD(statement), S_DONE },
	{ S_PROCESS, "function", LP_PT_UPROBE, NULL, A_NAME, FIELD(func), S_UFUNC },
	{ S_PROCESS, "statement", LP_PT_UPROBE, NULL, A_STATEMENT, FIELD(statement), S_DONE },
	{ S_PROCESS, "mark", LP_PT_USDT, NULL, A_NAME, FIELD(mark), S_DONE },
	{ S_UFUNC, "return", LP_PT_URETPROBE, NULL, A_NONE, 0, S_DONE },
	{ S_UFUNC, "label", KEEP_KIND, NULL, A_NAME, FIELD(label), S_DONE },
	{ S_UFUNC, "statement", KEEP_KIND, NULL, A_STATEMENT, FIELD(statement), S_DONE },
	{ S_TIMER, "profile", LP_PT_PROFILE, NULL, A_NONE, 0, S_DONE },
};

/* Reads the word that may follow `from`; an unknown one gets the closest
 * known word as a suggestion. */
static int take_keyword(struct cur *c, enum slot from, const struct keyword **out)
{
	int d, best = MAX_GUESS_DIST + 1;
	const char *w, *guess = NULL;
	char word[MAX_WORD + 1], hint[MAX_WORD + 32];
	size_t len, i;

	skip_ws(c);
	w = c->p;
	while (c->p < c->end && is_word_char(*c->p))
		c->p++;
	len = c->p - w;
	if (!len)
		return fail(c, w, "expected %s", slot_what[from]);
	snprintf(word, sizeof(word), "%.*s", (int)len, w);
	for (i = 0; i < ARRAY_SIZE(keywords); i++) {
		if (keywords[i].from != from)
			continue;
		if (strlen(keywords[i].word) == len && !memcmp(keywords[i].word, w, len)) {
			*out = &keywords[i];
			return 0;
		}
		/* One- and two-letter aliases are close to every short typo. */
		if (len > MAX_WORD || strlen(keywords[i].word) <= 2)
			continue;
		d = suggest_distance(word, keywords[i].word);
		if (d < best) {
			best = d;
			guess = keywords[i].word;
		}
	}
	return fail(c, w, MSG_UNKNOWN_WORD "%s", slot_what[from], (int)len, w,
		    suggest_text(hint, sizeof(hint), guess));
}

/* "func@file.c:12" or "file.c:12": the resolver reads it against DWARF line
 * tables, so only the shape is checked here. */
static int check_statement(const struct cur *sub)
{
	const char *colon = sub->end, *q;

	while (colon > sub->p && colon[-1] != ':')
		colon--;
	for (q = colon; q < sub->end && isdigit((unsigned char)*q); q++)
		;
	if (colon <= sub->p + 1 || colon == sub->end || q != sub->end)
		return fail(sub, sub->p, MSG_STATEMENT_FORM);
	return 0;
}

/* Reads ("...") after the chain so far, [start, c->p), into l's field. Either
 * quote works, as in Lua; the contents are parsed as a cursor of their own. */
static int take_arg(struct cur *c, struct lp_point *pt, const struct keyword *l, const char *start)
{
	char **field = (char **)((char *)pt + l->field), what[32];
	int after = c->p - start, err = 0;
	const char *open, *close;
	struct cur sub;

	skip_ws(c);
	if (!eat(c, '('))
		return fail(c, c->p, "expected '(' after '%.*s'", after, start);
	skip_ws(c);
	if (c->p >= c->end || (*c->p != '"' && *c->p != '\''))
		return fail(c, c->p, "expected a string after '%.*s('", after, start);
	open = c->p;
	close = memchr(open + 1, *open, c->end - open - 1);
	if (!close)
		return fail(c, open, "unterminated string");
	sub = *c;
	sub.p = open + 1;
	sub.end = close;
	c->p = close + 1;
	skip_ws(c);
	if (!eat(c, ')'))
		return fail(c, c->p, "expected ')' after string");

	if (l->arg == A_TRACEPOINT) {
		err = parse_tracepoint(&sub, pt);
	} else if (l->arg == A_NAME) {
		snprintf(what, sizeof(what), "%s name", l->word);
		err = take_name(&sub, field, what);
	} else {
		/* Paths and statements are kept as written. */
		if (l->arg == A_PATH && sub.p == sub.end)
			return fail(&sub, sub.p, "missing binary path");
		err = l->arg == A_STATEMENT ? check_statement(&sub) : 0;
		if (!err)
			err = dup_span(c, sub.p, sub.end, field);
		sub.p = sub.end;
	}
	return err ? err : at_end(&sub);
}

static int parse_stap(struct cur *c, struct lp_point *pt, const struct keyword *l,
		      const char *start)
{
	const char *e;
	int err;

	for (;;) {
		if (l->kind != KEEP_KIND)
			pt->kind = l->kind;
		if (l->arg != A_NONE) {
			err = take_arg(c, pt, l, start);
			if (err)
				return err;
		}
		if (l->to == S_DONE)
			return 0;
		e = c->p;
		skip_ws(c);
		if (!eat(c, '.')) {
			/* A function needs no suffix; kernel, process and timer need a probe. */
			if (l->to == S_KFUNC || l->to == S_UFUNC)
				return 0;
			return fail(c, c->p, "expected '.' after '%.*s'", (int)(e - start), start);
		}
		err = take_keyword(c, l->to, &l);
		if (err)
			return err;
	}
}

static int parse_point(struct cur *c, struct lp_point *pt)
{
	const char *start = c->p;
	const struct keyword *l;
	int err;

	err = take_keyword(c, S_ROOT, &l);
	if (err)
		return err;
	if (!l->parse) {
		pt->stap = 1;
		err = parse_stap(c, pt, l, start);
		/* timer.profile fires on every scheduler tick (stap): freq and
		 * period 0, the kind reads the kernel's tick rate (CONFIG_HZ). */
		return err;
	}
	pt->kind = l->kind;
	if (!eat(c, ':'))
		return fail(c, c->p, "expected ':' after '%s'", l->word);
	return l->parse(c, pt);
}

int point_parse(const char *text, struct lp_point *pt, char *err, size_t errlen)
{
	struct lp_point tmp = { 0 };
	struct cur c = { text, text, text, err, errlen };
	int ret;

	memset(pt, 0, sizeof(*pt));
	if (err && errlen)
		err[0] = '\0';
	if (!text) {
		c.text = c.p = c.end = "";
		return fail(&c, c.p, "empty probe point");
	}
	c.end = text + strlen(text);
	skip_ws(&c);
	while (c.end > c.p && isspace((unsigned char)c.end[-1]))
		c.end--;
	if (c.p == c.end)
		return fail(&c, text, "empty probe point");
	ret = parse_point(&c, &tmp);
	if (!ret)
		ret = at_end(&c);
	if (ret) {
		point_free(&tmp);
		return ret;
	}
	*pt = tmp;
	return 0;
}

static bool has_glob(const char *s)
{
	return s && strpbrk(s, "*?[");
}

int point_has_wildcard(const struct lp_point *pt)
{
	return pt && (has_glob(pt->func) || has_glob(pt->event) || has_glob(pt->system));
}

const char *point_kind_name(enum lp_point_kind kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (keywords[i].parse && keywords[i].kind == (int)kind)
			return keywords[i].word;
	return "unknown";
}

void point_free(struct lp_point *pt)
{
	if (!pt)
		return;
	free(pt->system);
	free(pt->event);
	free(pt->binary);
	free(pt->func);
	free(pt->label);
	free(pt->statement);
	free(pt->module);
	free(pt->provider);
	free(pt->mark);
	free(pt->counter);
	memset(pt, 0, sizeof(*pt));
}
