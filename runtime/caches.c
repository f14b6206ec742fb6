#include "caches.h"

#include <stddef.h>

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

void caches_free(struct lp_caches *c)
{
	ksym_free(c->ksym);
	kbtf_free(c->kbtf);
	usym_free(c->usym);
	c->ksym = NULL;
	c->kbtf = NULL;
	c->usym = NULL;
}
