/* The syscall dispatcher: syscalls:sys_enter_X and sys_exit_X probes run
 * as raw_syscalls programs in a prog array indexed by syscall number, which
 * one program on raw_syscalls:sys_enter (or sys_exit) tail-calls. A classic
 * syscall tracepoint's perf event waits for tracepoint_synchronize_unregister()
 * under the kernel's event_mutex when it goes (30-40 ms each, serial: 1,000
 * probes took 30 s to stop); a raw tracepoint link goes without a wait, and
 * the programs in the array cost a syscall nothing until its number comes.
 * One dispatcher serves one probe per syscall: the k-th probe on a syscall
 * is in the k-th dispatcher's array (runtime/load/sysdisp.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <luaprobe/plan.h>

struct task_struct;

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, LP_SYS_NR);
	__type(key, __u32);
	__type(value, __u32);
} lp_sys_progs SEC(".maps");

/* task_struct's thread_info.status (runtime/load/sysdisp.c; the verifier
 * checks the load against the kernel's BTF) */
const volatile __u32 status_off = 16;

#define ORIG_AX_OFF \
	120 /* struct pt_regs on x86-64: the number, as the classic tracepoints read it */

#define TS_COMPAT 0x0002 /* arch/x86/include/asm/thread_info.h */

/* The classic tracepoints skip a 32-bit process's syscalls, whose numbers
 * are another table's (ARCH_TRACE_IGNORE_COMPAT_SYSCALLS): so does this. */
static __always_inline int lp_sys_dispatch(struct bpf_raw_tracepoint_args *ctx, int exit)
{
	char *task = (char *)bpf_get_current_task_btf();
	__u64 nr = ctx->args[1];

	if (*(__u32 *)(task + status_off) & TS_COMPAT)
		return 0;
	if (exit) /* sys_exit's second argument is ret */
		bpf_probe_read_kernel(&nr, sizeof(nr), (void *)(ctx->args[0] + ORIG_AX_OFF));
	if (nr >= LP_SYS_NR)
		return 0;
	bpf_tail_call(ctx, &lp_sys_progs, (__u32)nr);
	return 0;
}

SEC("raw_tp/sys_enter")
int lp_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	return lp_sys_dispatch(ctx, 0);
}

SEC("raw_tp/sys_exit")
int lp_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return lp_sys_dispatch(ctx, 1);
}
