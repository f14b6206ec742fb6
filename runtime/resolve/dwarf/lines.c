/* Sites for source lines: "func@file.c:123" or "file.c:123", the line's
 * first is_stmt address in each copy of the code. */
#include "resolve/dwarf/sites.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/funccu.h"
#include "resolve/dwarf/names.h"
#include "util/messages.h"

/* "uprobe/frames.c" matches "/src/tests/fixtures/uprobe/frames.c": whole
 * trailing path components. A row libdw names no file for has NULL. */
bool lines_path_tail_match(const char *path, const char *tail)
{
	size_t lp, lt = strlen(tail);

	if (!path)
		return false;
	lp = strlen(path);
	if (lt > lp || strcmp(path + lp - lt, tail))
		return false;
	return lt == lp || tail[0] == '/' || path[lp - lt - 1] == '/';
}

struct stmt_walk {
	const char *func_glob, *file;
	int line;
	struct sites *ss;
	bool file_seen;
	int below, above; /* nearest lines with code around `line` */
	Dwarf_Off *owners; /* the function instance of each site, by DIE offset */
	Dwarf_Addr *pcs;
	const char **files; /* the file name the line table gives */
	int nowners;
};

/* The innermost function instance at pc, and whether it or its
 * out-of-line container is called func_glob. */
static int stmt_owner(Dwarf_Die *cu, Dwarf_Addr pc, const char *glob, Dwarf_Die *owner)
{
	Dwarf_Die *scopes, outer;
	int n = dwarf_getscopes(cu, pc, &scopes), found = -ENOENT;

	for (int i = 0; i < n; i++) {
		if (sites_is_func_tag(dwarf_tag(&scopes[i]))) {
			*owner = scopes[i];
			found = 0;
			break;
		}
	}
	if (n > 0)
		free(scopes);
	if (found || !glob)
		return found;
	if (sites_glob_match(glob, dwarf_die_name(owner)))
		return 0;
	if (!dwarf_concrete_func(cu, pc, &outer) && sites_glob_match(glob, dwarf_die_name(&outer)))
		return 0;
	return -ENOENT;
}

static int stmt_sites_cu(struct lp_dwarf *d, Dwarf_Die *cu, void *arg)
{
	struct stmt_walk *w = arg;
	Dwarf_Lines *lines;
	size_t nlines;

	(void)d;
	if (dwarf_getsrclines(cu, &lines, &nlines))
		return 0;
	for (size_t i = 0; i < nlines; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		bool stmt = false, end = false;
		Dwarf_Addr pc;
		Dwarf_Die owner;
		Dwarf_Off off;
		int ln = 0, k;

		if (!l || !lines_path_tail_match(dwarf_linesrc(l, NULL, NULL), w->file))
			continue;
		w->file_seen = true;
		dwarf_lineno(l, &ln);
		dwarf_linebeginstatement(l, &stmt);
		dwarf_lineendsequence(l, &end);
		if (end || !stmt)
			continue;
		if (ln < w->line && ln > w->below)
			w->below = ln;
		if (ln > w->line && (!w->above || ln < w->above))
			w->above = ln;
		if (ln != w->line || dwarf_lineaddr(l, &pc))
			continue;
		if (stmt_owner(cu, pc, w->func_glob, &owner))
			continue;
		/* one site per copy of the code: the lowest address in each instance */
		off = dwarf_dieoffset(&owner);
		for (k = 0; k < w->nowners && w->owners[k] != off; k++)
			;
		if (k == w->nowners) {
			Dwarf_Off *o = realloc(w->owners, (k + 1) * sizeof(*o));
			Dwarf_Addr *p = o ? realloc(w->pcs, (k + 1) * sizeof(*p)) : NULL;
			const char **f = p ? realloc(w->files, (k + 1) * sizeof(*f)) : NULL;

			if (o)
				w->owners = o;
			if (p)
				w->pcs = p;
			if (!f)
				return -ENOMEM;
			w->files = f;
			w->owners[k] = off;
			w->pcs[k] = pc;
			w->files[k] = dwarf_linesrc(l, NULL, NULL);
			w->nowners++;
		} else if (pc < w->pcs[k]) {
			w->pcs[k] = pc;
		}
	}
	return 0;
}

/* Turn each instance's address into a site (a second pass: an instance's
 * lowest address is known only once every row was seen). */
static int stmt_make_sites(struct lp_dwarf *d, Dwarf_Die *cu, void *arg)
{
	struct stmt_walk *w = arg;

	for (int k = 0; k < w->nowners; k++) {
		struct dwarf_scope *scope;
		Dwarf_Die owner, ocu;
		const char *file;
		int line, err;

		if (!dwarf_offdie(d->dbg, w->owners[k], &owner) ||
		    !dwarf_diecu(&owner, &ocu, NULL, NULL) ||
		    dwarf_dieoffset(&ocu) != dwarf_dieoffset(cu))
			continue;
		scope = dwarf_scope_new(d, SCOPE_INSIDE, cu, &owner, w->pcs[k]);
		if (!scope)
			return -errno;
		/* the line asked for: at -O2 several lines share an address */
		file = w->files[k];
		line = w->line;
		err = sites_add(d, w->ss, dwarf_elf_addr(d, w->pcs[k]),
				dwarf_die_name(&owner) ?: "?",
				dwarf_tag(&owner) != DW_TAG_subprogram, scope, file, line);
		if (err)
			return err;
	}
	return 0;
}

int dwarf_statement_sites(struct lp_dwarf *d, const char *spec, struct lp_site **out, char *err,
			  size_t errlen)
{
	struct sites ss = { 0 };
	struct stmt_walk w = { .ss = &ss };
	char *copy = strdup(spec), *colon, *at, *end;
	int ret;

	*out = NULL;
	dwarf_msg(err, errlen, "%s", "");
	if (!copy)
		return -ENOMEM;
	colon = strrchr(copy, ':');
	if (!colon || !colon[1]) {
		dwarf_msg(err, errlen, MSG_BAD_STATEMENT, spec);
		ret = -EINVAL;
		goto out;
	}
	*colon = 0;
	w.line = strtol(colon + 1, &end, 10);
	at = strchr(copy, '@');
	w.file = at ? at + 1 : copy;
	if (at) {
		*at = 0;
		w.func_glob = copy;
	}
	if (*end || w.line <= 0 || !*w.file) {
		dwarf_msg(err, errlen, MSG_BAD_STATEMENT, spec);
		ret = -EINVAL;
		goto out;
	}
	if (!d->dbg) {
		dwarf_msg(err, errlen, MSG_NO_DEBUGINFO, d->path);
		ret = -ENODATA;
		goto out;
	}
	/* func@file:N: only the CUs the function's copies are in, when that
	 * shortcut holds (funccu.h); else every CU */
	if (w.func_glob && dwarf_for_func_cus(d, w.func_glob, stmt_sites_cu, &w, &ret)) {
		if (!ret)
			dwarf_for_func_cus(d, w.func_glob, stmt_make_sites, &w, &ret);
	} else {
		ret = dwarf_for_each_cu(d, stmt_sites_cu, &w);
		if (!ret)
			ret = dwarf_for_each_cu(d, stmt_make_sites, &w);
	}
	if (ret)
		goto out;
	if (!w.file_seen) {
		dwarf_msg(err, errlen, MSG_NO_FILE, w.file, d->path);
		ret = -ENOENT;
	} else if (!ss.n) {
		dwarf_msg(err, errlen, MSG_NO_LINE, w.file, w.line);
		if (w.func_glob)
			dwarf_msg_append(err, errlen, " in %s", w.func_glob);
		if (w.below && w.above)
			dwarf_msg_append(err, errlen, " (nearest lines with code: %d and %d)",
					 w.below, w.above);
		else if (w.below || w.above)
			dwarf_msg_append(err, errlen, " (nearest line with code: %d)",
					 w.below ? w.below : w.above);
		ret = -ENOENT;
	}
out:
	free(w.owners);
	free(w.pcs);
	free(w.files);
	free(copy);
	if (ret < 0) {
		dwarf_sites_free(ss.v, ss.n);
		return ret;
	}
	return sites_done(&ss, out);
}
