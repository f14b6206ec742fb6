/* What the site finders share (sites.c: the set of sites being built and
 * function sites; labels.c, lines.c, list.c). Uses scope.h, loc.h,
 * file.h and names.h. */
#ifndef LUAPROBE_DWARF_SITES_H
#define LUAPROBE_DWARF_SITES_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve/dwarf/file.h"
#include "resolve/dwarf/scope.h"

/* A growing array of strings, for "did you mean" and -l. */
struct names {
	char **v;
	size_t n, cap;
};

/* Append a copy of s. 0 or -ENOMEM. */
int names_add(struct names *ns, const char *s);
void names_free(struct names *ns);
/* Sort and drop duplicates. */
void names_sort_unique(struct names *ns);

/* The sites found so far. */
struct sites {
	struct lp_site *v;
	int n, cap;
};

/* Whether a site is at addr already (for func, if not NULL). */
bool sites_have(const struct sites *ss, uint64_t addr, const char *func);
/* Append a site at ELF address `addr`. Takes ownership of scope, also on
 * error. 0 or -errno. */
int sites_add(struct lp_dwarf *d, struct sites *ss, uint64_t addr, const char *func, int inlined,
	      struct dwarf_scope *scope, const char *file, int line);
/* Hand the sites over in address order, the same on every run; the count. */
int sites_done(struct sites *ss, struct lp_site **out);

/* .cold and .part copies are pieces of a function, not a way into it. */
bool sites_is_fragment(const char *sym);
/* fnmatch, false for a NULL name. */
bool sites_glob_match(const char *glob, const char *name);
/* A function instance: subprogram or inlined_subroutine. */
bool sites_is_func_tag(int tag);

/* -l: the functions matching glob (every out-of-line one, and symbols
 * DWARF does not describe) into out. 0 or -errno. */
int sites_function_names(struct lp_dwarf *d, const char *glob, struct names *out);

/* labels.c, -l: "function:label" of every label in functions matching
 * glob into out. 0 or -errno. */
int labels_names(struct lp_dwarf *d, const char *func_glob, struct names *out);

/* lines.c: "uprobe/frames.c" matches "/src/tests/fixtures/uprobe/frames.c":
 * whole trailing path components; false for a NULL path. */
bool lines_path_tail_match(const char *path, const char *tail);

#endif
