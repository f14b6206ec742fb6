/* Sites for labels: every concrete instance of a function, inlined
 * copies too, and -l's "function:label" names. */
#include "resolve/dwarf/sites.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "resolve/dwarf/index.h"
#include "resolve/dwarf/names.h"
#include "util/messages.h"
#include "util/suggest.h"

struct label_walk {
	const char *func_glob, *label_glob;
	struct sites *ss;
	struct names *list; /* -l: "func:label" instead of sites */
	struct names funcs, labels; /* for "did you mean" */
	char missing[256]; /* "label 'x' in f" without an address */
	int nfuncs; /* function instances the glob matched */
	int nmissing;
};

static int label_found(struct lp_dwarf *d, struct label_walk *w, Dwarf_Die *cu, Dwarf_Die *label,
		       Dwarf_Die *owner)
{
	const char *fname = dwarf_die_name(owner), *lname = dwarf_die_name(label), *file;
	struct dwarf_scope *scope;
	char buf[512];
	Dwarf_Addr pc;
	int line = 0, err;

	if (!lname)
		return 0;
	err = names_add(&w->labels, lname);
	if (err || !sites_glob_match(w->label_glob, lname))
		return err;
	if (dwarf_lowpc(label, &pc)) {
		if (!w->nmissing++)
			snprintf(w->missing, sizeof(w->missing), "%s:%s", fname, lname);
		return 0;
	}
	if (w->list) {
		snprintf(buf, sizeof(buf), "%s:%s", fname, lname);
		return names_add(w->list, buf);
	}
	if (sites_have(w->ss, dwarf_elf_addr(d, pc), fname))
		return 0;
	scope = dwarf_scope_new(d, SCOPE_INSIDE, cu, owner, pc);
	if (!scope)
		return -errno;
	file = dwarf_decl_file(label);
	dwarf_decl_line(label, &line);
	return sites_add(d, w->ss, dwarf_elf_addr(d, pc), fname,
			 dwarf_tag(owner) != DW_TAG_subprogram, scope, file, line);
}

/* Labels under `die`, owned by the nearest function instance with code. */
static int walk_labels(struct lp_dwarf *d, struct label_walk *w, Dwarf_Die *cu, Dwarf_Die *die,
		       Dwarf_Die *owner)
{
	Dwarf_Die child;
	int err = 0;

	if (dwarf_child(die, &child))
		return 0;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Addr entry;

		if (sites_is_func_tag(tag)) {
			const char *name = dwarf_die_name(&child);
			const char *sym;

			/* abstract instances and declarations have no code */
			if (!name || dwarf_die_entry(&child, &entry))
				continue;
			if (tag == DW_TAG_subprogram) {
				sym = dwarf_index_symbol_at(d, dwarf_elf_addr(d, entry));
				if (sites_is_fragment(sym))
					continue;
			}
			err = names_add(&w->funcs, name);
			if (!err && sites_glob_match(w->func_glob, name)) {
				w->nfuncs++;
				err = walk_labels(d, w, cu, &child, &child);
			} else if (!err) {
				/* functions inlined into a non-matching one can still match */
				err = walk_labels(d, w, cu, &child, NULL);
			}
		} else if (tag == DW_TAG_label && owner) {
			err = label_found(d, w, cu, &child, owner);
		} else if (tag == DW_TAG_lexical_block) {
			err = walk_labels(d, w, cu, &child, owner);
		}
	} while (!err && dwarf_siblingof(&child, &child) == 0);
	return err;
}

static int label_sites_cu(struct lp_dwarf *d, Dwarf_Die *cu, void *arg)
{
	return walk_labels(d, arg, cu, cu, NULL);
}

static void label_walk_free(struct label_walk *w)
{
	names_free(&w->funcs);
	names_free(&w->labels);
}

int dwarf_label_sites(struct lp_dwarf *d, const char *func_glob, const char *label_glob,
		      struct lp_site **out, char *err, size_t errlen)
{
	struct sites ss = { 0 };
	struct label_walk w = { .func_glob = func_glob, .label_glob = label_glob, .ss = &ss };
	int ret;

	*out = NULL;
	dwarf_msg(err, errlen, "%s", "");
	if (!d->dbg) {
		dwarf_msg(err, errlen, MSG_NO_DEBUGINFO, d->path);
		return -ENODATA;
	}
	ret = dwarf_for_each_cu(d, label_sites_cu, &w);
	if (ret)
		goto fail;
	if (!w.nfuncs) {
		dwarf_msg(err, errlen, MSG_NO_FUNC, func_glob, d->path);
		suggest_append_closest(err, errlen, func_glob, (const char *const *)w.funcs.v,
				       w.funcs.n);
		ret = -ENOENT;
		goto fail;
	}
	if (!ss.n && w.nmissing) {
		char *colon = strchr(w.missing, ':');

		*colon = 0;
		dwarf_msg(err, errlen, MSG_LABEL_NO_ADDR, colon + 1, w.missing);
		ret = -ENOENT;
		goto fail;
	}
	if (!ss.n) {
		dwarf_msg(err, errlen, MSG_NO_LABEL, label_glob, func_glob);
		suggest_append_closest(err, errlen, label_glob, (const char *const *)w.labels.v,
				       w.labels.n);
		ret = -ENOENT;
		goto fail;
	}
	if (w.nmissing) {
		/* some copies have the label, some lost it: say so, keep the others */
		char *colon = strchr(w.missing, ':');

		*colon = 0;
		dwarf_msg(err, errlen, MSG_LABEL_NO_ADDR, colon + 1, w.missing);
		dwarf_msg_append(err, errlen, " in %d cop%s; probing the %d that have one",
				 w.nmissing, w.nmissing > 1 ? "ies" : "y", ss.n);
	}
	label_walk_free(&w);
	return sites_done(&ss, out);
fail:
	label_walk_free(&w);
	dwarf_sites_free(ss.v, ss.n);
	return ret;
}

int labels_names(struct lp_dwarf *d, const char *func_glob, struct names *out)
{
	struct label_walk w = { .func_glob = func_glob, .label_glob = "*", .list = out };
	int ret = 0;

	if (d->dbg)
		ret = dwarf_for_each_cu(d, label_sites_cu, &w);
	label_walk_free(&w);
	return ret;
}
