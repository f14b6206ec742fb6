#include "sym/kstack.h"

#include <string.h>

/* The frames above the traced code are few: the program, bpf_trace_runN,
 * perhaps __bpf_trace_NAME. A bpf_trace_run deeper than this is a real
 * frame of some other path and is kept. */
#define KSTACK_LOOK 4

static int starts(struct lp_ksym *ks, uint64_t addr, const char *prefix)
{
	const char *name = ksym_name(ks, addr, NULL);

	return name && strncmp(name, prefix, strlen(prefix)) == 0;
}

int kstack_skip(struct lp_ksym *ks, const uint64_t *addrs, int n)
{
	int skip = 0;

	for (int i = 0; i < n && i < KSTACK_LOOK; i++)
		if (starts(ks, addrs[i], "bpf_trace_run")) {
			skip = i + 1;
			break;
		}
	if (!skip) {
		/* no trampoline frame: only the program's own, if it shows */
		while (skip < n && skip < KSTACK_LOOK && starts(ks, addrs[skip], "bpf_prog_"))
			skip++;
		return skip;
	}
	while (skip < n && starts(ks, addrs[skip], "__bpf_trace_"))
		skip++;
	return skip;
}
