/* What each step of a fetch expression does to the value it is at: a
 * symbolic location (loc.h) and a C type (types.h) moved along a member,
 * an element, a pointer, and at the end the lp_loc a template follows.
 * The grammar that calls these is fetch.c. Uses types.h, loc.h, scope.h,
 * file.h and names.h. */
#ifndef LUAPROBE_DWARF_VALUE_H
#define LUAPROBE_DWARF_VALUE_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve/dwarf/loc.h"
#include "resolve/dwarf/scope.h"
#include "resolve/dwarf/types.h"

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

/* One fetch expression being resolved: its text, where the parser is,
 * the site, and where messages go. */
struct parser {
	const char *src;
	size_t pos;
	struct lp_dwarf *d;
	const struct dwarf_scope *s; /* NULL: DWARF does not describe the site */
	const struct lp_site *site;
	int is_return;
	int nest; /* '*', '(' and casts open, bounded by fetch.c's MAX_NEST */
	char *err;
	size_t errlen;
};

/* The length of v's text, for messages. */
int value_vlen(const struct parser *p, const struct xval *v);

/* v's text as a "%.*s" argument pair. */
#define VTEXT(p, v) value_vlen(p, v), (p)->src + (v)->start

/* "'<v's text>' (<its type>) <fmt_tail>" as the message; -EINVAL. */
int value_type_error(struct parser *p, const struct xval *v, const char *fmt_tail);

/* v becomes the variable `var` (named `name`, for messages) at the site.
 * 0 or -errno with the message in p->err. */
int value_of_var(struct parser *p, struct xval *v, Dwarf_Die *var, const char *name);

/* Add a byte offset to where v is (a member, an element). 0 or -errno. */
int value_move(struct parser *p, struct xval *v, int64_t off);

/* Follow the pointer v holds: v becomes what it points to. 0 or -errno. */
int value_deref(struct parser *p, struct xval *v);

/* v becomes its element n (an array's, or what a pointer points to). */
int value_element(struct parser *p, struct xval *v, int64_t n);

/* The lp_loc for v as the expression's value. 0 or -errno. */
int value_finish(struct parser *p, struct xval *v, struct lp_loc *loc);

#endif
