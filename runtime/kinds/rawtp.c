/* rawtp:NAME: a tracepoint's raw arguments, named and typed from the
 * kernel's BTF in user space; the verifier does not type them (raw_tp), so
 * every step of a chain is a probe-read (bpf/btf.bpf.c's lp_raw). */
#include "kinds/kind.h"

#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "kinds/btfargs.h"

static int rt_resolve(struct lp_probe *p, char *err, size_t errlen)
{
	return btfargs_resolve_tracepoint(p, 0, err, errlen);
}

static int rt_load(struct lp_probe *p, const struct lp_maps *m, char *err, size_t errlen)
{
	return btfargs_load(p, m, p->point.event, err, errlen);
}

static int rt_attach(struct lp_probe *p, char *err, size_t errlen)
{
	p->link = bpf_program__attach_raw_tracepoint(btfargs_prog(p), p->point.event);
	if (!p->link) {
		int ret = -errno;

		snprintf(err, errlen, "cannot attach: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

static const char *rt_attached_as(const struct lp_probe *p)
{
	const struct lp_btfargs *a = p->priv;

	return a ? a->as : "raw_tp";
}

static int rt_list(const char *pattern, FILE *out, char *err, size_t errlen)
{
	return btfargs_list_tracepoints("rawtp", pattern, NULL, out, err, errlen);
}

const struct lp_kind kind_rawtp = {
	.name = "rawtp",
	.resolve = rt_resolve,
	.load = rt_load,
	.attach = rt_attach,
	.attached_as = rt_attached_as,
	.destroy = btfargs_destroy,
	.list = rt_list,
	.describe = btfargs_describe,
	.scope = btfargs_scope,
	.enum_value = btfargs_enum_value,
	.ranges = btfargs_ranges,
	.add_fetch = btfargs_add_fetch,
};
