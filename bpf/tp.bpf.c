/* Template for classic tracepoints: the context is the tracepoint's record,
 * laid out as its tracefs format says. Record bytes below LP_CTX_DIRECT are
 * read with direct loads; the rest with bpf_probe_read_kernel(ctx + off). */
#include "finish.bpf.h"
#include "kval.bpf.h"
#include "record.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* A direct load of the record needs its offset as the instruction's
 * immediate: `ctx + off` with off from the plan is a moved ctx pointer the
 * verifier refuses, and clang merges a C switch back into that
 * (template-facts.md, trap 3). So a binary tree of inline-asm loads, one
 * leaf per aligned (offset, size) below LP_CTX_DIRECT; the plan is frozen,
 * so the verifier follows one path of the tree per load and the program
 * keeps only the leaves the plan uses. The sizes are exact: the kernel
 * refuses at attach a program that reads past the record's last field
 * (trap 4), so a wider load cannot stand in for a narrower one at the end. */
#define LP_CTX_DIRECT 128
#define LP_LD(t, o) asm volatile("%0 = *(" #t " *)(%1 + %2)" : "=r"(v) : "r"(ctx), "i"(o))
#define LP_T1(t, s, o) LP_LD(t, o);
#define LP_T2(t, s, o)                 \
	if (off < (o) + (s)) {         \
		LP_T1(t, s, o)         \
	} else {                       \
		LP_T1(t, s, (o) + (s)) \
	}
#define LP_T4(t, s, o)                     \
	if (off < (o) + 2 * (s)) {         \
		LP_T2(t, s, o)             \
	} else {                           \
		LP_T2(t, s, (o) + 2 * (s)) \
	}
#define LP_T8(t, s, o)                     \
	if (off < (o) + 4 * (s)) {         \
		LP_T4(t, s, o)             \
	} else {                           \
		LP_T4(t, s, (o) + 4 * (s)) \
	}
#define LP_T16(t, s, o)                    \
	if (off < (o) + 8 * (s)) {         \
		LP_T8(t, s, o)             \
	} else {                           \
		LP_T8(t, s, (o) + 8 * (s)) \
	}
#define LP_T32(t, s, o)                      \
	if (off < (o) + 16 * (s)) {          \
		LP_T16(t, s, o)              \
	} else {                             \
		LP_T16(t, s, (o) + 16 * (s)) \
	}
/* `size` (4 or 8) bytes at ctx + off, off aligned to size and below
 * LP_CTX_DIRECT: the caller checks. */
static __always_inline __u64 lp_ctx_ld(void *ctx, __u64 off, __u64 size)
{
	__u64 v = 0;

	if (size == 8) {
		LP_T16(u64, 8, 0)
	} else {
		LP_T32(u32, 4, 0)
	}
	return v;
}

/* The largest copy made of direct loads. The loop over pieces is rolled, so
 * at run time each piece walks the tree (the verifier cannot prune compares
 * that differ between pieces): ~1 piece saves ~14 ns against one helper
 * call, each further piece costs ~3.5 more, and a 56-byte copy was ~7 ns
 * dearer as 7 loads than as one bpf_probe_read_kernel. */
#define LP_CTX_DIRECT_MAX 32

/* Pieces a direct copy takes at most: an unaligned head (one piece to a
 * 4-byte boundary, one of 4), 4 words, a tail of 4 and one of 1-3 bytes. */
#define LP_CTX_PIECES 8

/* Copy record bytes [src, src + size) to `to`: a copy of at most
 * LP_CTX_DIRECT_MAX bytes below LP_CTX_DIRECT in aligned words of 8 and 4
 * bytes, each a direct load (~1 ns against ~25
 * for a bpf_probe_read_kernel), none past src + size; the 1-3 bytes of an
 * unaligned head or tail (a record that ends in a u8 or a u16) and any
 * other copy with bpf_probe_read_kernel. Loads of 1
 * and 2 bytes would take 192 more leaves, in every program, for pieces
 * that few records have. */
static __always_inline void lp_ctx_copy(void *ctx, char *to, __u64 src, __u64 size)
{
	__u64 p = 0;

	/* the first 8 bytes (common_type, common_pid...) are no field of the
	 * plan's, and the verifier refuses direct loads there */
	if (src < 8 || src + size > LP_CTX_DIRECT || size > LP_CTX_DIRECT_MAX) {
		bpf_probe_read_kernel(to, size, ctx + src);
		return;
	}
	/* ends at the copy's end: a loop that runs to its bound (trap 1's
	 * form) tests p < size LP_CTX_PIECES times an event */
#pragma nounroll
	for (int i = 0; i < LP_CTX_PIECES && p < size; i++) {
		__u64 off = src + p, n;

		if (!(off & 7) && p + 8 <= size) {
			n = 8;
			*(__u64 *)(to + p) = lp_ctx_ld(ctx, off, 8);
		} else if (!(off & 3) && p + 4 <= size) {
			n = 4;
			*(__u32 *)(to + p) = lp_ctx_ld(ctx, off, 4);
		} else {
			/* up to the next 4-byte boundary, or the end */
			n = 4 - (off & 3);
			if (n > size - p)
				n = size - p;
			bpf_probe_read_kernel(to + p, n, ctx + off);
		}
		p += n;
	}
	/* never taken (the pieces above cover LP_CTX_DIRECT_MAX bytes): a
	 * guard, so that a wrong bound reads slower, not less */
	if (p < size)
		bpf_probe_read_kernel(to + p, size - p, ctx + src + p);
}

/* The fetches of the layers `l`, then lp_finish_l. One lp_ctx_copy for
 * every kind that reads the record (the copy of a fixed part, or the u32
 * locator or the pointer a string or a chain starts from), so that the
 * program holds one tree of loads. */
static __always_inline int lp_tp_body(void *ctx, const unsigned l)
{
	struct lp_scratch *s;
	char *data;

	if (LP_ONLY_COUNT(l))
		return lp_count_only(l);
	s = lp_begin();
	if (!s)
		return 0;
	data = s->rec + sizeof(struct lp_event_hdr);
	/* the tree (~210 instructions) only where a fetch may walk it: the
	 * verifier prunes what the plan does not use, but it is handed all,
	 * and its dead-code pass takes time per instruction */
	if (!(l & (LP_L_REC | LP_L_STR | LP_L_KVAL)))
		goto finish;
#pragma nounroll
	for (int i = 0; i < LP_MAX_FETCH && i < plan.nfetch; i++) {
		if (i < plan.nfetch) {
			const volatile struct lp_fetch *f = &plan.fetch[i];
			const __u32 kind = f->kind, src = f->src;
			int str = (l & LP_L_STR) &&
				  (kind == LP_FETCH_DATALOC || kind == LP_FETCH_USTR);
			int kval = (l & LP_L_KVAL) && kind == LP_FETCH_KVAL;
			__u64 root = 0;

			/* one call: each would be a copy of the tree */
			if (kind == LP_FETCH_CTX || str || (kval && !(f->flags & LP_FF_TASK)))
				lp_ctx_copy(ctx,
					    kind == LP_FETCH_CTX ? data + f->dst : (char *)&root,
					    src,
					    kind == LP_FETCH_CTX       ? f->size
					    : kind == LP_FETCH_DATALOC ? 4
								       : 8);
			if (str) {
				lp_zero_slot(data, f);
				if (kind == LP_FETCH_DATALOC)
					bpf_probe_read_kernel_str(data + f->dst, f->size,
								  ctx + (root & 0xffff));
				else
					bpf_probe_read_user_str(data + f->dst, f->size,
								(void *)root);
			} else if (kval) {
				/* a cast of a pointer field, or curtask: untyped
				 * roots, so every step is a probe-read */
				if (f->flags & LP_FF_TASK)
					root = bpf_get_current_task();
				lp_kval(root, data, f);
			}
		}
	}
finish:
	lp_finish_l(ctx, s, l);
	return 0;
}

SEC("tracepoint")
int lp_tp(void *ctx)
{
	return lp_tp_body(ctx, LP_L_ALL);
}

#define LP_TP(x)                                   \
	SEC("tracepoint") int lp_tp_##x(void *ctx) \
	{                                          \
		return lp_tp_body(ctx, 0x##x);     \
	}
LP_VARIANTS(LP_TP)

/* The same tracepoint as a raw tracepoint, for a probe that reads nothing of
 * the record (a count by comm, say): it skips the perf-event layer, ~50 ns
 * an event less (DESIGN.md §5), and detaches in ~11 ms instead of ~90. */
static __always_inline int lp_rawtp_body(void *ctx, const unsigned l)
{
	struct lp_scratch *s;

	if (LP_ONLY_COUNT(l))
		return lp_count_only(l);
	s = lp_begin();
	if (s)
		lp_finish_l(ctx, s, l);
	return 0;
}

SEC("raw_tp")
int lp_rawtp(void *ctx)
{
	return lp_rawtp_body(ctx, LP_L_ALL);
}

#define LP_RAWTP(x)                               \
	SEC("raw_tp") int lp_rawtp_##x(void *ctx) \
	{                                         \
		return lp_rawtp_body(ctx, 0x##x); \
	}
LP_VARIANTS_NOSTR(LP_RAWTP)
