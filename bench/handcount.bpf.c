/* Hand-written programs the count section measures luaprobe against
 * (issue 12, DESIGN.md §5): what someone would write for `count by pid`
 * without a tracer, BCC-style (a hash map keyed by the pid, lookup and an
 * atomic add, or insert), on a classic tracepoint and on a raw tracepoint;
 * and each attach type's empty program, the floor. Built by bench/run.sh
 * with clang -target bpf at bench time, loaded by handcount.c. The tp_pcpu*
 * programs are not in run.sh's table: they take luaprobe's map (a per-CPU
 * hash, a plain add) with a 4- and an 8-byte key, to tell the map's cost
 * from the template's (bench/README.md). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void count_pid(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *n = bpf_map_lookup_elem(&counts, &pid);

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&counts, &pid, &one, BPF_NOEXIST);
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} pcounts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} pcounts64 SEC(".maps");

SEC("tracepoint")
int tp_pcpu(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *n = bpf_map_lookup_elem(&pcounts, &pid);

	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&pcounts, &pid, &one, BPF_NOEXIST);
	return 0;
}

SEC("tracepoint")
int tp_pcpu64(void *ctx)
{
	__u64 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *n = bpf_map_lookup_elem(&pcounts64, &pid);

	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&pcounts64, &pid, &one, BPF_NOEXIST);
	return 0;
}

SEC("tracepoint")
int tp_hash(void *ctx)
{
	count_pid();
	return 0;
}

SEC("tracepoint")
int tp_empty(void *ctx)
{
	return 0;
}

SEC("raw_tp")
int raw_hash(void *ctx)
{
	count_pid();
	return 0;
}

SEC("raw_tp")
int raw_empty(void *ctx)
{
	return 0;
}
