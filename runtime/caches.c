#include "caches.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/image.h"
#include "resolve/dwarf/dwarf.h"
#include "resolve/kbtf.h"
#include "resolve/kdebug.h"
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

struct lp_dwarf *caches_kdwarf(struct lp_caches *c, char *err, size_t errlen)
{
	char path[512];

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!c->kdwarf_err) {
		int ret;

		ret = kdebug_find(c->vmlinux, path, sizeof(path), c->kdwarf_why,
				  sizeof(c->kdwarf_why));

		/* --vmlinux of another build: -L and --check may read it (its
		 * offsets are timed and listed), attaching refuses it */
		if (ret == -ESTALE && c->vmlinux) {
			c->kdwarf_foreign = 1;
			snprintf(path, sizeof(path), "%s", c->vmlinux);
			ret = 0;
		}
		if (!ret && !(c->kdwarf = dwarf_open(path))) {
			ret = -errno;
			snprintf(c->kdwarf_why, sizeof(c->kdwarf_why), "cannot open %.400s: %s",
				 path, strerror(-ret));
		}
		c->kdwarf_err = ret ? ret : 1;
	}
	if (!c->kdwarf)
		snprintf(err, errlen, "%s", c->kdwarf_why);
	return c->kdwarf;
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
	dwarf_close(c->kdwarf);
	c->kdwarf = NULL;
	c->kdwarf_err = 0;
	c->kdwarf_foreign = 0;
	ksym_free(c->ksym);
	kbtf_free(c->kbtf);
	usym_free(c->usym);
	c->ksym = NULL;
	c->kbtf = NULL;
	c->usym = NULL;
	load_images_free(&c->images);
}
