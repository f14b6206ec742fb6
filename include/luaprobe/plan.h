/* The plan: what one probe's template does, filled by user space into the
 * template's frozen .rodata. Read by clang -target bpf and by gcc alike, so
 * fixed-width types only, explicit padding, and a size check per struct.
 *
 * Per event the template: fetches into a per-CPU record (the event header,
 * then the data the fetch ops lay out), runs the filter over the record,
 * updates the aggregations keyed by parts of the record, and emits the
 * record to the ring buffer if the probe has a handler. Everything the
 * filter and the aggregations read is addressed by its offset in the record,
 * so a tracepoint field and a built-in (pid, comm) are read the same way. */
#ifndef LUAPROBE_PLAN_H
#define LUAPROBE_PLAN_H

#include <linux/types.h>

#define LP_MAX_FETCH 16 /* fetch ops per probe; the template unrolls this many */
#define LP_STR_MAX 256 /* default slot for one string field, NUL included */
#define LP_COMM_LEN 16
#define LP_DATA_MAX 4096 /* bytes of event data after the header */
#define LP_REC_MAX (48 + LP_DATA_MAX)
#define LP_MAX_INSN 32 /* filter instructions */
#define LP_MAX_STACK 8 /* filter value stack depth */
#define LP_MAX_STRWORDS 32 /* u64 words of string literals for the filter */
#define LP_MAX_RANGES 8 /* address ranges for `location in "func"` */
#define LP_MAX_AGG 2 /* aggregations per probe */
#define LP_SYS_NR 512 /* syscall numbers the dispatcher serves (bpf/sysdisp.bpf.c) */
#define LP_MAX_KEYS 4 /* key parts per aggregation */
/* Bytes of one aggregation key, bucket included. A stack key part holds the
 * stack's addresses (LP_STACK_SLOT bytes); a hash map's key is at most 512
 * bytes, so one stack fits with the other parts, two do not. */
#define LP_KEY_MAX 512

/* Fetch op kinds. Prefixed so they cannot collide with vmlinux.h enums. */
#define LP_FETCH_NONE 0
#define LP_FETCH_CTX 1 /* copy `size` bytes at ctx+src to data+dst */
#define LP_FETCH_DATALOC 2 /* u32 __data_loc at ctx+src: copy its string, at most `size` bytes */
#define LP_FETCH_USTR 3 /* user pointer at ctx+src: copy the string it points to */
/* pt_regs contexts (uprobes): a value found through DWARF. The start is the
 * register at pt_regs offset `src`; with LP_FF_ADDR the value is in user
 * memory at register + base, else it is the register itself. Then `nderef`
 * times: read the pointer there, add steps[i]. Then the value is read:
 * `size` bytes (a string with LP_FF_STR: at most `size`), or a bitfield. */
#define LP_FETCH_UVAL 4
/* Kernel memory typed by BTF (runtime/resolve/btf_expr.c). The root is a
 * u64: the program's argument `src` (tp_btf, raw_tp: the u64 slot src), the
 * 8 bytes at ctx+src (a classic tracepoint's pointer field), or with
 * LP_FF_TASK the current task. nderef 0: the value is the root. Else
 * p = root; for i < nderef-1: p = *(u64 *)(p + steps[i]), a NULL p ending
 * the chain (the value reads as 0); the value is at p + steps[nderef-1].
 * The first `ndirect` of those nderef reads are direct loads the verifier
 * types through BTF (tp_btf only); the rest use bpf_probe_read_kernel, or
 * bpf_probe_read_user when `user` is set (the root is a syscall's pointer). */
#define LP_FETCH_KVAL 5
/* One read for several values: memory values of one place that follow the
 * same chain to the same pointer (members of one struct) and lie within
 * LP_WIN_MAX bytes of each other (runtime/plan/regs.c's plan_uval_windows).
 * LP_FETCH_UWIN, the first of them: an LP_FETCH_UVAL whose chain ends at the
 * window's start; it reads `win` bytes there into the stage at
 * LP_WIN_MAX * (its op index), its own value at `wpos` in the window.
 * LP_FETCH_STAGE, the others: `size` bytes (1, 2, 4, 8) at stage + src. */
#define LP_FETCH_UWIN 6
#define LP_FETCH_STAGE 7
#define LP_WIN_MAX 64

#define LP_MAX_DEREF 6

#define LP_FF_ADDR 0x1 /* the start is an address, not the value */
#define LP_FF_STR 0x2 /* read a NUL-terminated string */
#define LP_FF_SIGNED 0x4 /* sign-extend (bitfields) */
#define LP_FF_CONST 0x8 /* the value is `base`: DWARF knows it without a read */
#define LP_FF_TASK 0x10 /* LP_FETCH_KVAL: the root is the current task */
#define LP_FF_USER 0x20 /* LP_FF_STR: the string is in user memory */
#define LP_FF_CHARS 0x40 /* the value is chars in place (char[N]), read as a string */
#define LP_FF_KERNEL 0x80 /* the memory read is the kernel's (kprobes, fentry), not the user's */

struct lp_fetch {
	__u16 kind;
	__u16 src; /* offset in the context (tracepoint record, pt_regs) */
	__u16 size; /* bytes to copy; for strings, the slot size */
	__u16 dst; /* offset in the event's data, after the header */
	__u8 nderef;
	__u8 flags;
	__u8 bit_off; /* bitfield: shift right by bit_off ... */
	__u8 bit_size; /* ... and keep bit_size bits; 0: not a bitfield */
	__u8 ndirect; /* LP_FETCH_KVAL: reads done as direct loads */
	__u8 user; /* LP_FETCH_KVAL: every read is of user memory (a syscall's pointer args) */
	__u8 win; /* LP_FETCH_UWIN: bytes of the window */
	__u8 wpos; /* LP_FETCH_UWIN: where its own value is in the window */
	/* LP_FETCH_UVAL: added to the start. LP_FETCH_KVAL: > 0, the root is
	 * first replaced by the kernel u64 at root + base: a syscall's argument
	 * in the pt_regs raw_syscalls passes (syscalls:* as raw_syscalls) */
	__s64 base;
	__s32 steps[LP_MAX_DEREF];
};
_Static_assert(sizeof(struct lp_fetch) == 48, "lp_fetch layout");

/* Filter: a stack machine without jumps (&& and || evaluate both sides,
 * which have no side effects), so the unrolled interpreter is straight-line
 * code the verifier follows once. */
#define LP_OP_NONE 0
#define LP_OP_LD 1 /* push the integer at record+off, `size` bytes, signed if aux */
#define LP_OP_IMM 2 /* push imm */
#define LP_OP_STREQ \
	3 /* push string at record+off == literal at strpool[aux], imm bytes incl. NUL */
#define LP_OP_INRANGE 4 /* pop v; push v in any of ranges[aux .. aux+size) */
#define LP_OP_NOT 5 /* logical ! */
#define LP_OP_BNOT 6 /* ~ */
#define LP_OP_NEG 7 /* unary - */
/* binary: pop b, pop a, push a OP b */
#define LP_OP_EQ 16
#define LP_OP_NE 17
#define LP_OP_LT 18 /* signed */
#define LP_OP_LE 19
#define LP_OP_GT 20
#define LP_OP_GE 21
#define LP_OP_ULT 22 /* unsigned */
#define LP_OP_ULE 23
#define LP_OP_UGT 24
#define LP_OP_UGE 25
#define LP_OP_AND 26 /* bitwise */
#define LP_OP_OR 27
#define LP_OP_XOR 28
#define LP_OP_LAND 29 /* logical: both sides evaluated */
#define LP_OP_LOR 30

struct lp_insn {
	__u8 op;
	__u8 size;
	__u16 off;
	__u32 aux;
	__s64 imm;
};
_Static_assert(sizeof(struct lp_insn) == 16, "lp_insn layout");

struct lp_range {
	__u64 lo; /* [lo, hi) */
	__u64 hi;
};

/* Aggregation kinds. The value of every kind but count and the histograms
 * is struct lp_stats; a histogram's bucket is the key's last 8 bytes. */
#define LP_AGG_COUNT 1 /* value: __u64 */
#define LP_AGG_STATS 2 /* value: struct lp_stats; sum/min/max/avg/stats read it */
#define LP_AGG_HIST 3 /* value: __u64; bucket: log2 */
#define LP_AGG_LHIST 4 /* value: __u64; bucket: (v - lo) / step, clamped */

struct lp_stats {
	__s64 count;
	__s64 sum;
	__s64 min;
	__s64 max;
};

/* A key part: an integer (widened to 8 bytes), a string, or a stack slot
 * (copied whole: the key is the stack's addresses). A ustack part is
 * followed, after the parts as written, by a hidden pid part: addresses
 * mean something only in their process. */
struct lp_keypart {
	__u16 src; /* offset in the record */
	__u16 size; /* bytes */
	__u16 dst; /* offset in the key */
	__u16 pad; /* an integer (size <= 8): sign-extend; a string (size > 8):
		    * its own bytes, the rest of its last word is masked off */
};

struct lp_agg {
	__u8 kind;
	__u8 nkeys;
	__u8 val_size; /* bytes of the value read at val_src (0: the value is 1) */
	__u8 val_signed;
	__u16 val_src; /* offset in the record */
	__u16 key_size; /* bytes, bucket included, multiple of 8 */
	/* A keyed count whose key fits a slot (by pid, by comm: at most
	 * LP_MAX_KEYS words) where the program cannot be preempted
	 * (tracepoints): this CPU's run of events under one key is counted in
	 * its lp_pend slot, and goes into the map when the key changes (see
	 * struct lp_pend). */
	__u8 pend;
	__u8 pad2[7];
	__s64 lo; /* lhist */
	__s64 hi;
	__s64 step;
	struct lp_keypart keys[LP_MAX_KEYS];
};
_Static_assert(sizeof(struct lp_agg) == 40 + 8 * LP_MAX_KEYS, "lp_agg layout");

/* One CPU's pending run of a keyed count (lp_agg.pend), in the per-CPU
 * array lp_pend at the aggregation's index: a count by pid from a process
 * that makes system calls in a loop costs an array lookup and an add, not
 * a hash lookup (issue 12: cheaper than a hand-written hash count). A
 * reader adds n under key to what the map holds (run/mapread.c). The
 * program makes seq odd while it is in the slot, so a nested program (an
 * interrupt's tracepoint) goes to the map instead, and a reader sees a
 * flush it raced with; a reader sets lp_pctl's word first, and programs
 * leave the slots alone (they count in the map) until it clears it. */
struct lp_pend {
	__u64 seq;
	__u64 n; /* events under key not in the map; 0: the slot is empty */
	__u64 key[LP_MAX_KEYS];
};

/* Header fields cost a helper call each: a probe without a handler fills
 * only those its filter and aggregations read. */
#define LP_W_TS 0x1
#define LP_W_UID 0x2
#define LP_W_CPU 0x4
#define LP_W_COMM 0x8
#define LP_W_ALL 0xf

/* Stacks (spec.stack): a slot is a u64 count of frames, then the frames. */
#define LP_STACK_KERNEL 0x1
#define LP_STACK_USER 0x2
/* An aggregation keys by the user stack: its first key from a process
 * sends user space a notice (LP_ID_NOTE_PID), which copies the process's
 * maps while it lives, to symbolize the stack after it has exited. */
#define LP_STACK_NOTE 0x4
#define LP_STACK_DEPTH 32
#define LP_STACK_SLOT (8 + 8 * LP_STACK_DEPTH)

/* latency(start, end, key): the start probe stores the time under (pair,
 * key) in the shared lp_lat map; the end probe takes it out and writes the
 * difference into its record at data offset dst, a field aggregations read. */
#define LP_LAT_START 1
#define LP_LAT_END 2
#define LP_LAT_MAX 65536 /* pairs in flight, every latency() of the run */

struct lp_lat {
	__u8 role; /* 0, LP_LAT_START or LP_LAT_END */
	__u8 key_size; /* bytes of the key at key_src (record offset), <= 8 */
	__u8 key_signed;
	__u8 pad;
	__u16 key_src;
	__u16 dst; /* LP_LAT_END: data offset of the u64 latency */
	__u64 pair; /* which latency() */
};
_Static_assert(sizeof(struct lp_lat) == 16, "lp_lat layout");

/* Template layers: the parts of a template one plan uses. A layered
 * template (bpf/tp.bpf.c, btf.bpf.c, regs.bpf.c) builds, beside BASE with
 * every layer, programs BASE_<hex> with only the layers in <hex>; user
 * space loads the smallest that has every layer its plan uses (load_pick,
 * runtime/load/load.h), so the kernel is handed what the probe does, not
 * the whole template. The plan is the same for all: a layer is code, not
 * data. */
#define LP_L_FILTER 0x01 /* plan.ninsn: the filter machine */
#define LP_L_AGG 0x02 /* plan.nagg > 0: the first aggregation */
#define LP_L_AGG2 0x04 /* plan.nagg > 1: the second */
#define LP_L_EMIT 0x08 /* plan.emit or LP_STACK_NOTE: records to the ring buffer */
#define LP_L_MORE 0x10 /* latency(), stacks */
#define LP_L_STR 0x20 /* string fetches (LP_FETCH_DATALOC, LP_FETCH_USTR, UVAL's LP_FF_STR) */
#define LP_L_KVAL 0x40 /* chains through memory: LP_FETCH_KVAL, a UVAL not just a register */
#define LP_L_REC 0x80 /* record fields (LP_FETCH_CTX): tp.bpf.c's tree of direct loads */
/* an aggregation other than a count keyed by integers: string or stack
 * keys, hist, lhist, sum/min/max/avg/stats (plan_agg_lean) */
#define LP_L_AGGX 0x100
#define LP_L_ALL 0x1ff

struct lp_plan {
	__u32 probe_id; /* echoed in every event header */
	__u32 nfetch; /* ops used in fetch[] */
	__u32 data_size; /* bytes of event data after the header */
	__u32 target_tgid; /* 0: every process; else only this one */
	__u32 emit; /* send the record to the ring buffer (the probe has a handler) */
	__u32 want; /* LP_W_*: the header fields to fill besides pid and tid */
	__u32 ninsn; /* filter instructions; 0: no filter */
	__u32 nagg;
	__u32 stack; /* LP_STACK_*: stacks to capture into the event */
	__u16 kstack_dst; /* data offsets of the stack slots */
	__u16 ustack_dst;
	struct lp_fetch fetch[LP_MAX_FETCH];
	struct lp_insn insn[LP_MAX_INSN];
	__u64 strpool[LP_MAX_STRWORDS];
	struct lp_range ranges[LP_MAX_RANGES];
	struct lp_agg agg[LP_MAX_AGG];
	struct lp_lat lat;
};
_Static_assert(sizeof(struct lp_plan) == 40 + 48 * LP_MAX_FETCH + 16 * LP_MAX_INSN +
						 8 * LP_MAX_STRWORDS + 16 * LP_MAX_RANGES +
						 sizeof(struct lp_agg) * LP_MAX_AGG +
						 sizeof(struct lp_lat),
	       "lp_plan layout");

#endif
