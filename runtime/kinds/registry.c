#include "kinds/kind.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct lp_kind *kind_of(enum lp_point_kind kind)
{
	switch (kind) {
	case LP_PT_TRACEPOINT:
		return &kind_tracepoint;
	case LP_PT_UPROBE:
	case LP_PT_URETPROBE:
		return &kind_uprobe;
	default:
		return NULL;
	}
}

void kind_unsupported(const struct lp_point *pt, char *buf, size_t len)
{
	const char *k = point_kind_name(pt->kind);

	switch (pt->kind) {
	case LP_PT_KPROBE:
	case LP_PT_KRETPROBE:
	case LP_PT_FENTRY:
	case LP_PT_FEXIT:
		/* kprobe_events exists only on kernels built with kprobes */
		snprintf(
			buf, len,
			"%s probes are not supported yet%s\n"
			"hint: the kernel's tracepoints carry many of the same events (luaprobe -l); "
			"drops inside a function are on tracepoint:skb:kfree_skb with "
			"where = 'location in \"%s\"'",
			k,
			access("/sys/kernel/tracing/kprobe_events", F_OK)
				? ", and this kernel has no kprobes"
				: "",
			pt->func ? pt->func : "FUNC");
		break;
	default:
		snprintf(buf, len, "%s probes are not supported yet", k);
	}
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
