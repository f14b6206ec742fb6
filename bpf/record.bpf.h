/* The per-CPU record every template fills: the frozen plan, the scratch
 * space (record, key, windows), the lost-event counters, the event header
 * and the integer loads the filter and the aggregations read the record
 * with. Every loop is unrolled over the frozen plan, so the verifier sees
 * constants and keeps only what the plan uses (template-facts.md). */
#ifndef LUAPROBE_RECORD_BPF_H
#define LUAPROBE_RECORD_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <luaprobe/event.h>
#include <luaprobe/plan.h>

const volatile struct lp_plan plan = {};

struct lp_scratch {
	char rec[LP_REC_MAX];
	char key[LP_KEY_MAX];
	/* pt_regs contexts: windows read whole (LP_FETCH_UWIN), one per op */
	char stage[LP_WIN_MAX * LP_MAX_FETCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lp_scratch);
} lp_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LP_LOST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lp_lost SEC(".maps");

static __always_inline void lp_count_lost_n(__u32 slot, __u64 k)
{
	__u64 *n = bpf_map_lookup_elem(&lp_lost, &slot);

	if (n)
		*n += k; /* per-CPU: no atomic needed */
}

static __always_inline void lp_count_lost(__u32 slot)
{
	lp_count_lost_n(slot, 1);
}

/* Zero a string slot before a string is read into it: bytes after the NUL
 * would otherwise be the last event's, and string keys and compares read
 * whole words (template-facts.md, trap 5). */
static __always_inline void lp_zero_slot(char *data, const volatile struct lp_fetch *f)
{
#pragma unroll
	for (int w = 0; w < LP_STR_MAX / 8; w++)
		if (w * 8 < f->size)
			*(__u64 *)(data + f->dst + w * 8) = 0;
}

/* The record starts with the event header; fill it. Each plan field is read
 * once: plan is volatile, so every mention is a load the verifier keeps in
 * the program even where it prunes the branch that tests it. */
static __always_inline void lp_header(struct lp_event_hdr *h, __u64 pid_tgid, const int emit)
{
	const __u32 want = plan.want;

	if (want & LP_W_TS)
		h->ts = bpf_ktime_get_ns();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	if (want & LP_W_UID)
		h->uid = (__u32)bpf_get_current_uid_gid();
	if (want & LP_W_CPU)
		h->cpu = bpf_get_smp_processor_id();
	if (emit && plan.emit) { /* read by user space only: no filter or key reads them */
		h->probe_id = plan.probe_id;
		h->size = plan.data_size;
	}
	if (want & LP_W_COMM)
		bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline __s64 lp_load(const char *rec, __u32 off, __u32 size, __u32 sgn)
{
	const char *p = rec + off;

	if (size == 1)
		return sgn ? (__s64) * (const __s8 *)p : (__s64) * (const __u8 *)p;
	if (size == 2)
		return sgn ? (__s64) * (const __s16 *)p : (__s64) * (const __u16 *)p;
	if (size == 4)
		return sgn ? (__s64) * (const __s32 *)p : (__s64) * (const __u32 *)p;
	return *(const __s64 *)p;
}

/* The record for this CPU, header filled; NULL if the process is not the
 * target. The caller fetches into rec + sizeof(header), then calls lp_finish. */
static __always_inline struct lp_scratch *lp_begin(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct lp_scratch *s;
	__u32 zero = 0;

	if (plan.target_tgid && (pid_tgid >> 32) != plan.target_tgid)
		return NULL;
	s = bpf_map_lookup_elem(&lp_scratch, &zero);
	if (!s)
		return NULL;
	lp_header((struct lp_event_hdr *)s->rec, pid_tgid, 1);
	return s;
}

static __always_inline void lp_stack(void *ctx, char *data, __u16 dst, __u64 flags)
{
	long n = bpf_get_stack(ctx, data + dst + 8, 8 * LP_STACK_DEPTH, flags);

	*(__u64 *)(data + dst) = n > 0 ? (__u64)n >> 3 : 0;
}

#endif
