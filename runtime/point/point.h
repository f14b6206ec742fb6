/* Probe points as users write them (DESIGN.md §2 "Probe points"), parsed into
 * one structure whatever the spelling: bpftrace-style or SystemTap-style. */
#ifndef LUAPROBE_POINT_H
#define LUAPROBE_POINT_H

#include <stddef.h>

enum lp_point_kind {
	LP_PT_TRACEPOINT, /* tracepoint:sys:name, kernel.trace("sys:name") */
	LP_PT_RAWTP, /* rawtp:name */
	LP_PT_TPBTF, /* tp_btf:name */
	LP_PT_KPROBE, /* kprobe:f[+off], kernel.function("f")[.label("l")] */
	LP_PT_KRETPROBE, /* kretprobe:f, kernel.function("f").return */
	LP_PT_FENTRY, /* fentry:f */
	LP_PT_FEXIT, /* fexit:f */
	LP_PT_UPROBE, /* uprobe:/bin:f, process("/bin").function("f")[.label/.statement] */
	LP_PT_URETPROBE, /* uretprobe:/bin:f, process("/bin").function("f").return */
	LP_PT_USDT, /* usdt:/bin:provider:name, process("/bin").mark("name") */
	LP_PT_PROFILE, /* profile:hz:99, profile:ms:10, timer.profile */
	LP_PT_SOFTWARE, /* software:cpu-clock:1000000 */
};

struct lp_point {
	enum lp_point_kind kind;
	char *system; /* tracepoint system ("skb"); NULL otherwise */
	char *event; /* tracepoint/rawtp/tp_btf event name ("kfree_skb") */
	char *binary; /* uprobe/usdt binary path or soname */
	char *func; /* kernel or user function, may hold * ? [ ] wildcards */
	unsigned long offset; /* kprobe:f+0x1b, uprobe:/bin:f+8 */
	char *module; /* module("veth").function("f"): the module's name */
	int stap; /* written SystemTap's way: kernel.function("f") picks its mechanism */
	char *label; /* .label("drop") */
	char *statement; /* .statement("f@file.c:12") or .statement("file.c:12") */
	char *provider; /* usdt provider; NULL for process().mark() */
	char *mark; /* usdt name */
	char *counter; /* software:<counter>:period */
	unsigned long long freq; /* profile:hz:N; 0 with period 0: timer.profile, the tick */
	unsigned long long period; /* software:...:N; profile:s|ms|us:N in ns */
};

/* Parse `text` into `pt`. Returns 0, or -EINVAL with a one-line message in
 * err that names the column (1-based) where parsing failed, e.g.
 * "column 12: expected '\"' after kernel.trace(". On error pt is left empty. */
int point_parse(const char *text, struct lp_point *pt, char *err, size_t errlen);

/* True if the point's function or event name holds a glob character. */
int point_has_wildcard(const struct lp_point *pt);

/* The kind as users write its prefix: "tracepoint", "kprobe", ... */
const char *point_kind_name(enum lp_point_kind kind);

/* Free what point_parse allocated; pt may be zeroed or already freed. */
void point_free(struct lp_point *pt);

#endif
