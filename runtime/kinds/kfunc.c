/* kprobe:f, kretprobe:f, fentry:f, fexit:f and kernel.function("f") with
 * .return and .label("l"): not built yet. This kind answers why such a
 * point is refused here, and which point carries the same events where one
 * does. */
#include "kinds/kind.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Where the kernel receives, forwards, sends and drops packets, by name.
 * What a function frees is not knowable here (kallsyms gives addresses, not
 * calls), so the rule is the names: the receive and transmit paths (*_rcv*,
 * *receive_skb*, *xmit*), forwarding, the backlog, netfilter and socket
 * filters, and whatever is named for dropping or freeing an skb. Inside
 * those, drops reach tracepoint:skb:kfree_skb with the function as their
 * location; elsewhere that hint would send users after events that never
 * come. */
static const char *const drop_paths[] = {
	"*kfree_skb*", "*drop*",    "*_rcv*",	    "*receive_skb*", "*xmit*",
	"*_forward*",  "*backlog*", "nf_hook_slow", "sk_filter*",
};

static int drops_inside(const char *func)
{
	if (!func || strpbrk(func, "*?[")) /* location in takes one function */
		return 0;
	for (size_t i = 0; i < sizeof(drop_paths) / sizeof(drop_paths[0]); i++)
		if (fnmatch(drop_paths[i], func, 0) == 0)
			return 1;
	return 0;
}

static int kfunc_refuse(const struct lp_point *pt, char *err, size_t errlen)
{
	int kprobe = pt->kind == LP_PT_KPROBE || pt->kind == LP_PT_KRETPROBE;
	const char *why = "";

	/* kprobe_events exists only on kernels built with kprobes */
	if (kprobe && access("/sys/kernel/tracing/kprobe_events", F_OK))
		why = ", and this kernel has no kprobes";
	if (drops_inside(pt->func))
		snprintf(
			err, errlen,
			"%s probes are not supported yet%s\n"
			"hint: the kernel's tracepoints carry many of the same events (luaprobe -l); "
			"drops inside a function are on tracepoint:skb:kfree_skb with "
			"where = 'location in \"%s\"'",
			point_kind_name(pt->kind), why, pt->func);
	else
		snprintf(
			err, errlen,
			"%s probes are not supported yet%s\n"
			"hint: the kernel's tracepoints carry many of the same events (luaprobe -l)",
			point_kind_name(pt->kind), why);
	return 1;
}

const struct lp_kind kind_kfunc = {
	.name = "kernel function",
	.refuse = kfunc_refuse,
};
