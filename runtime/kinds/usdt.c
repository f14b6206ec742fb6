/* usdt:/bin:provider:name, usdt:/bin:name (when one provider has it) and
 * process("/bin").mark("name"): the binary's <sys/sdt.h> markers
 * (resolve/usdt.c reads their notes), probed as uprobes at each marker's
 * address, with arg0..argN where the note says they are and a marker's
 * semaphore counted up while attached. Everything after resolve is the
 * uprobe kind's (kinds/uprobe.h): the same template, places and fetches. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caches.h"
#include "kinds/uprobe.h"
#include "resolve/usdt.h"
#include "util/suggest.h"

static int matches(const char *glob, const char *name)
{
	return !glob || fnmatch(glob, name, 0) == 0;
}

static int has_glob(const char *s)
{
	return s && strpbrk(s, "*?[") != NULL;
}

/* "provider:name" of every marker, for messages and -l. */
static char **marker_names(const struct lp_usdt_note *notes, int n)
{
	char **v = calloc(n + 1, sizeof(*v));

	for (int i = 0; v && i < n; i++)
		if (asprintf(&v[i], "%s:%s", notes[i].provider, notes[i].name) < 0) {
			while (i--)
				free(v[i]);
			free(v);
			return NULL;
		}
	return v;
}

static void names_free(char **v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Which notes the point names: 0 with sel[] marked, or -ENOENT/-EINVAL
 * with the message in err. */
static int select_notes(const struct lp_point *pt, const char *path,
			const struct lp_usdt_note *notes, int n, char *sel, char *err,
			size_t errlen)
{
	const char *prov = NULL, *other = NULL;
	int found = 0;

	for (int i = 0; i < n; i++) {
		sel[i] = matches(pt->provider, notes[i].provider) &&
			 matches(pt->mark, notes[i].name);
		if (!sel[i])
			continue;
		found++;
		if (!prov)
			prov = notes[i].provider;
		else if (strcmp(prov, notes[i].provider))
			other = notes[i].provider;
	}
	if (!found) {
		char **names = marker_names(notes, n), want[256];

		if (pt->provider)
			snprintf(want, sizeof(want), "%s:%s", pt->provider, pt->mark);
		else
			snprintf(want, sizeof(want), "%s", pt->mark);
		if (!n)
			snprintf(err, errlen, "no USDT markers in %s (no .note.stapsdt notes)",
				 path);
		else
			snprintf(err, errlen, "no USDT marker '%s' in %s", want, path);
		if (names && n) {
			/* a name alone is compared with names alone */
			for (int i = 0; !pt->provider && i < n; i++) {
				char *colon = strchr(names[i], ':');

				memmove(names[i], colon + 1, strlen(colon + 1) + 1);
			}
			suggest_append_closest(err, errlen, want, (const char *const *)names, n);
		}
		names_free(names, n);
		return -ENOENT;
	}
	/* usdt:/bin:name means one marker: which provider's is for the user
	 * to say when two have one by that name */
	if (!pt->provider && !has_glob(pt->mark) && other) {
		snprintf(err, errlen,
			 "marker '%s' is in more than one provider of %s (%s, %s): name one, as "
			 "usdt:%s:%s:%s",
			 pt->mark, path, prov, other, path, prov, pt->mark);
		return -EINVAL;
	}
	return 0;
}

static int us_resolve(struct lp_probe *p, char *err, size_t errlen)
{
	struct lp_usdt_note *notes = NULL;
	struct lp_site *sites = NULL;
	struct lp_dwarf *d;
	char *sel = NULL;
	int n, ns = 0, ret;

	d = caches_dwarf(p->caches, p->point.binary);
	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "cannot open '%s': %s", p->point.binary,
			 ret == -ENOEXEC ? "not an ELF file" : strerror(-ret));
		return ret;
	}
	p->priv = d;
	n = usdt_notes(dwarf_path(d), &notes, err, errlen);
	if (n < 0)
		return n;
	sel = calloc(n + 1, 1);
	sites = calloc(n + 1, sizeof(*sites));
	ret = sel && sites ? select_notes(&p->point, dwarf_path(d), notes, n, sel, err, errlen)
			   : -ENOMEM;
	for (int i = 0; !ret && i < n; i++) {
		const struct lp_usdt_note *no = &notes[i];
		struct lp_site *s = &sites[ns];

		if (!sel[i])
			continue;
		if (no->bad) {
			snprintf(err, errlen, "cannot probe marker %s:%s at 0x%llx: %s",
				 no->provider, no->name, (unsigned long long)no->pc, no->bad);
			ret = -EOPNOTSUPP;
			break;
		}
		ns++;
		s->addr = no->pc;
		s->offset = no->offset;
		/* entry_offset 0: the calling convention's arg0.. are not the
		 * marker's; args (never NULL here) are */
		s->nargs = no->nargs;
		s->args = calloc(no->nargs + 1, sizeof(*s->args));
		if (!s->args || asprintf(&s->func, "%s:%s", no->provider, no->name) < 0) {
			s->func = NULL;
			ret = -ENOMEM;
			break;
		}
		memcpy(s->args, no->arg, no->nargs * sizeof(*s->args));
		s->symbol = dwarf_symbolize(d, no->pc);
		if (!s->symbol)
			ret = -ENOMEM;
	}
	if (!ret)
		ret = uprobe_plan_sites(p, sites, NULL, ns, err, errlen);
	/* the place of each marker: its semaphore, and a name that says it */
	for (int i = 0, k = 0; !ret && i < n && k < p->ninsts; i++) {
		struct lp_inst *in = &p->insts[k];
		struct up_place *pl = in->site;
		char *desc;

		if (!sel[i])
			continue;
		k++;
		pl->ref_ctr = notes[i].sema ? notes[i].sema_offset : 0;
		if (asprintf(&desc, "%s:%s (%s)", notes[i].provider, notes[i].name,
			     pl->site.symbol) < 0) {
			ret = -ENOMEM;
			break;
		}
		free(in->desc);
		in->desc = desc;
	}
	if (ret == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	/* what plan_sites did not take over (it clears what it takes) */
	dwarf_sites_free(sites, ns);
	free(sel);
	usdt_notes_free(notes, n);
	return ret;
}

/* -l 'usdt:/bin:*', -l 'process("/bin").mark("*")': "provider:name" per
 * marker, sorted, each once. */
static int us_list_point(const struct lp_point *pt, FILE *out, char *err, size_t errlen)
{
	struct lp_usdt_note *notes = NULL;
	struct lp_dwarf *d = dwarf_open(pt->binary);
	char **names;
	int n, k = 0, listed = 0;

	if (!d) {
		n = -errno;
		snprintf(err, errlen, "cannot open '%s': %s", pt->binary,
			 n == -ENOEXEC ? "not an ELF file" : strerror(-n));
		return n;
	}
	n = usdt_notes(dwarf_path(d), &notes, err, errlen);
	dwarf_close(d);
	if (n < 0)
		return n;
	names = marker_names(notes, n);
	if (!names) {
		usdt_notes_free(notes, n);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		if (matches(pt->provider, notes[i].provider) && matches(pt->mark, notes[i].name))
			names[k++] = names[i];
		else
			free(names[i]);
	qsort(names, k, sizeof(*names), cmp_str);
	for (int i = 0; i < k; i++)
		if (!i || strcmp(names[i], names[i - 1])) {
			fprintf(out, "%s\n", names[i]);
			listed++;
		}
	names_free(names, k);
	usdt_notes_free(notes, n);
	return listed;
}

const struct lp_kind kind_usdt = {
	.name = "usdt",
	.scope = uprobe_scope,
	.resolve = us_resolve,
	.load = uprobe_load,
	.attach = uprobe_attach,
	.attached_as = uprobe_attached_as,
	.destroy = uprobe_destroy,
	.list_point = us_list_point,
	.describe = uprobe_describe,
	.add_fetch = uprobe_add_fetch,
};
