/* The one map from point kinds to the kinds that answer for them. probe(),
 * -l, -L, --check and every refusal go through it: a new kind is its own
 * file in kinds/ and one line here. */
#include "kinds/kind.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

extern const struct lp_kind kind_tracepoint;
extern const struct lp_kind kind_uprobe;
extern const struct lp_kind kind_kprobe;
extern const struct lp_kind kind_usdt;
extern const struct lp_kind kind_perf;
extern const struct lp_kind kind_tpbtf;
extern const struct lp_kind kind_rawtp;

/* A point kind missing here is parsed but "not supported yet". */
static const struct lp_kind *const registry[] = {
	[LP_PT_TRACEPOINT] = &kind_tracepoint, /* kinds/tracepoint.c */
	[LP_PT_RAWTP] = &kind_rawtp, /* kinds/rawtp.c */
	[LP_PT_TPBTF] = &kind_tpbtf, /* kinds/tpbtf.c */
	[LP_PT_UPROBE] = &kind_uprobe, /* kinds/uprobe.c */
	[LP_PT_URETPROBE] = &kind_uprobe, /* kinds/uprobe.c */
	[LP_PT_KPROBE] = &kind_kprobe, /* kinds/kprobe.c: kprobe, fentry, labels */
	[LP_PT_KRETPROBE] = &kind_kprobe, /* kinds/kprobe.c */
	[LP_PT_FENTRY] = &kind_kprobe, /* kinds/kprobe.c */
	[LP_PT_FEXIT] = &kind_kprobe, /* kinds/kprobe.c */
	[LP_PT_USDT] = &kind_usdt, /* kinds/usdt.c */
	[LP_PT_PROFILE] = &kind_perf, /* kinds/perf.c */
	[LP_PT_SOFTWARE] = &kind_perf, /* kinds/perf.c */
};

#define NKINDS (sizeof(registry) / sizeof(registry[0]))

/* latency(): the point kinds whose load shares the run's lp_lat map
 * (load_share_lat), so that a start stored by one program is found by
 * another's end. */
static const unsigned char pairs[] = {
	[LP_PT_TRACEPOINT] = 1, [LP_PT_RAWTP] = 1,  [LP_PT_TPBTF] = 1,	   [LP_PT_UPROBE] = 1,
	[LP_PT_URETPROBE] = 1,	[LP_PT_KPROBE] = 1, [LP_PT_KRETPROBE] = 1, [LP_PT_FENTRY] = 1,
	[LP_PT_FEXIT] = 1,	[LP_PT_USDT] = 1,   [LP_PT_PROFILE] = 1,   [LP_PT_SOFTWARE] = 1,
};

int kind_pairs(enum lp_point_kind kind)
{
	return (size_t)kind < sizeof(pairs) && pairs[kind] && kind_of(kind);
}

static const struct lp_kind *entry(enum lp_point_kind kind)
{
	return (size_t)kind < NKINDS ? registry[kind] : NULL;
}

const struct lp_kind *kind_of(enum lp_point_kind kind)
{
	const struct lp_kind *k = entry(kind);

	return k && k->resolve ? k : NULL;
}

const struct lp_kind *kind_find(const struct lp_point *pt, struct lp_caches *c, char *err,
				size_t errlen)
{
	const struct lp_kind *k = entry(pt->kind);

	if (k && k->refuse && k->refuse(pt, c, err, errlen))
		return NULL;
	if (k && k->resolve)
		return k;
	snprintf(err, errlen, "%s probes are not supported yet", point_kind_name(pt->kind));
	return NULL;
}

int kind_list(const char *pattern, FILE *out, char *err, size_t errlen)
{
	struct lp_point pt;
	int n = 0;

	/* A point of a kind that lists its own places (a binary's functions),
	 * or one this kernel refuses: say so rather than list nothing. */
	if (point_parse(pattern, &pt, err, errlen) == 0) {
		char why[512];
		const struct lp_kind *k = kind_find(&pt, NULL, why, sizeof(why));

		if (!k) {
			snprintf(err, errlen, "cannot list '%s': %s", pattern, why);
			n = -EOPNOTSUPP;
		} else if (k->list_point)
			n = k->list_point(&pt, out, err, errlen);
		point_free(&pt);
		if (!k || k->list_point)
			return n;
	}
	for (size_t i = 0; i < NKINDS; i++) {
		const struct lp_kind *k = registry[i];
		int seen = 0, ret;

		for (size_t j = 0; j < i; j++)
			seen |= registry[j] == k;
		if (!k || seen || !k->list)
			continue;
		ret = k->list(pattern, out, err, errlen);
		if (ret < 0)
			return ret;
		n += ret;
	}
	return n;
}

int kind_scope(struct lp_probe *p, char ***names)
{
	const struct lp_kind *k = kind_of(p->point.kind);
	int n = 0;

	if (k && k->scope)
		return k->scope(p, names);
	*names = calloc(p->nfields + 1, sizeof(**names));
	if (!*names)
		return -ENOMEM;
	for (int i = 0; i < p->nfields; i++)
		if (!((*names)[n++] = strdup(p->fields[i].name))) {
			kind_names_free(*names, n);
			return -ENOMEM;
		}
	return n;
}

void kind_names_free(char **names, int n)
{
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

void kind_print_decl(FILE *out, const char *type, const char *name)
{
	const char *br = strchr(type, '[');
	size_t n = strlen(type);

	if (br)
		fprintf(out, "    %.*s%s%s%s\n", (int)(br - type), type,
			br > type && br[-1] == ' ' ? "" : " ", name, br);
	else
		fprintf(out, "    %s%s%s\n", type, n && type[n - 1] == '*' ? "" : " ", name);
}

void kind_prepare(struct lp_probe *const *probes, int n)
{
	const struct lp_kind *done[sizeof(registry) / sizeof(registry[0])];
	size_t ndone = 0;

	/* a kind serves several point kinds: its hook runs once */
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
		const struct lp_kind *k = registry[i];
		size_t j;

		for (j = 0; j < ndone && done[j] != k; j++)
			;
		if (!k || j < ndone)
			continue;
		done[ndone++] = k;
		if (k->prepare)
			k->prepare(probes, n);
	}
}

void kind_detach(struct lp_probe *p)
{
	const struct lp_kind *kind = kind_of(p->point.kind);

	if (kind && kind->detach) {
		kind->detach(p);
		return;
	}
	bpf_link__destroy(p->link);
	p->link = NULL;
	for (int i = 0; i < p->ninsts; i++) {
		bpf_link__destroy(p->insts[i].link);
		p->insts[i].link = NULL;
		if (p->insts[i].link_fd > 0)
			close(p->insts[i].link_fd);
		p->insts[i].link_fd = 0;
	}
}
