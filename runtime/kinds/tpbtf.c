/* tp_btf:NAME: a tracepoint's arguments as the kernel's BTF types them
 * (the btf_trace_NAME prototype). The verifier types them too, so chains
 * through kernel structures are direct loads as far as it allows
 * (bpf/btf.bpf.c, kinds/btfargs.c). */
#include "kinds/kind.h"

#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "kinds/btfargs.h"

static int tb_resolve(struct lp_probe *p, char *err, size_t errlen)
{
	return btfargs_resolve_tracepoint(p, 1, err, errlen);
}

static int tb_load(struct lp_probe *p, const struct lp_maps *m, char *err, size_t errlen)
{
	return btfargs_load(p, m, p->point.event, err, errlen);
}

static int tb_attach(struct lp_probe *p, char *err, size_t errlen)
{
	p->link = bpf_program__attach_trace(btfargs_prog(p));
	if (!p->link) {
		int ret = -errno;

		snprintf(err, errlen, "cannot attach: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

static const char *tb_attached_as(const struct lp_probe *p)
{
	const struct lp_btfargs *a = p->priv;

	return a ? a->as : "tp_btf";
}

static int tb_list(const char *pattern, FILE *out, char *err, size_t errlen)
{
	return btfargs_list_tracepoints("tp_btf", pattern, NULL, out, err, errlen);
}

const struct lp_kind kind_tpbtf = {
	.name = "tp_btf",
	.resolve = tb_resolve,
	.load = tb_load,
	.attach = tb_attach,
	.attached_as = tb_attached_as,
	.destroy = btfargs_destroy,
	.list = tb_list,
	.describe = btfargs_describe,
	.scope = btfargs_scope,
	.enum_value = btfargs_enum_value,
	.ranges = btfargs_ranges,
	.add_fetch = btfargs_add_fetch,
};
