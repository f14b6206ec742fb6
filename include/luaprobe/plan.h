/* The plan: what one probe's template does, filled by user space into the
 * template's frozen .rodata. Read by clang -target bpf and by gcc alike, so
 * fixed-width types only, explicit padding, and a size check per struct. */
#ifndef LUAPROBE_PLAN_H
#define LUAPROBE_PLAN_H

#include <linux/types.h>

#define LP_MAX_FETCH 16 /* fetch ops per probe; the template unrolls this many */
#define LP_STR_MAX 256  /* default slot for one string field, NUL included */
#define LP_COMM_LEN 16

/* Fetch op kinds. Prefixed so they cannot collide with vmlinux.h enums. */
#define LP_FETCH_NONE 0
#define LP_FETCH_CTX 1     /* copy `size` bytes at ctx+src to data+dst */
#define LP_FETCH_DATALOC 2 /* u32 __data_loc at ctx+src: copy its string, at most `size` bytes */

struct lp_fetch {
	__u16 kind;
	__u16 src;  /* offset in the context (tracepoint record) */
	__u16 size; /* bytes to copy; for strings, the slot size */
	__u16 dst;  /* offset in the event's data, after the header */
};
_Static_assert(sizeof(struct lp_fetch) == 8, "lp_fetch layout");

struct lp_plan {
	__u32 probe_id;	   /* echoed in every event header */
	__u32 nfetch;	   /* ops used in fetch[] */
	__u32 data_size;   /* bytes of event data after the header */
	__u32 target_tgid; /* 0: every process; else only this one */
	struct lp_fetch fetch[LP_MAX_FETCH];
};
_Static_assert(sizeof(struct lp_plan) == 16 + 8 * LP_MAX_FETCH, "lp_plan layout");

#endif
