/* Kernel stacks as the user means them: without the frames of the BPF
 * machinery that captured them. */
#ifndef LUAPROBE_KSTACK_H
#define LUAPROBE_KSTACK_H

#include <stdint.h>

#include "sym/ksym.h"

/* How many of the first frames of a kernel stack belong to the program
 * that took it rather than to the traced code. A raw tracepoint's (and a
 * tp_btf's) stack starts in the BPF program, then bpf_trace_runN, then, on
 * some builds, the tracepoint's __bpf_trace_NAME glue, and only then the
 * traced code (__traceiter_NAME or the function with the tracepoint): 2 to
 * 3 frames by kernel build, so they are recognized by name, not counted.
 * The program's own frame is found by its position before bpf_trace_run,
 * not by its name, which kallsyms read before the program was loaded does
 * not know. 0 for stacks without them (classic tracepoints, samples). */
int kstack_skip(struct lp_ksym *ks, const uint64_t *addrs, int n);

#endif
