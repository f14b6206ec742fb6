#include "caches.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/dwarf/dwarf.h"
#include "resolve/kbtf.h"
#include "sym/ksym.h"
#include "sym/usym.h"

struct lp_ksym *caches_ksym(struct lp_caches *c)
{
	if (c && !c->ksym)
		c->ksym = ksym_new();
	return c ? c->ksym : NULL;
}

struct lp_kbtf *caches_kbtf(struct lp_caches *c)
{
	if (c && !c->kbtf)
		c->kbtf = kbtf_new();
	return c ? c->kbtf : NULL;
}

struct lp_usym *caches_usym(struct lp_caches *c)
{
	if (c && !c->usym)
		c->usym = usym_new();
	return c ? c->usym : NULL;
}

struct lp_dwarf *caches_dwarf(struct lp_caches *c, const char *path)
{
	struct lp_dwarf_ref *grown;
	struct lp_dwarf *d;
	char *copy;

	for (int i = 0; c && path && i < c->ndwarfs; i++)
		if (!strcmp(c->dwarfs[i].path, path))
			return c->dwarfs[i].d;
	d = dwarf_open(path);
	if (!d || !c)
		return d;
	copy = strdup(path);
	grown = copy ? realloc(c->dwarfs, (c->ndwarfs + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(copy);
		dwarf_close(d);
		errno = ENOMEM;
		return NULL;
	}
	c->dwarfs = grown;
	c->dwarfs[c->ndwarfs++] = (struct lp_dwarf_ref){ .path = copy, .d = d };
	return d;
}

void caches_dwarf_put(struct lp_caches *c, struct lp_dwarf *d)
{
	if (!c)
		dwarf_close(d);
}

void caches_free(struct lp_caches *c)
{
	for (int i = 0; i < c->ndwarfs; i++) {
		free(c->dwarfs[i].path);
		dwarf_close(c->dwarfs[i].d);
	}
	free(c->dwarfs);
	c->dwarfs = NULL;
	c->ndwarfs = 0;
	ksym_free(c->ksym);
	kbtf_free(c->kbtf);
	usym_free(c->usym);
	c->ksym = NULL;
	c->kbtf = NULL;
	c->usym = NULL;
}
