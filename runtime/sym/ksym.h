/* Kernel symbols from /proc/kallsyms: read once, on first use, into one
 * string pool and an address-sorted array; lookups are binary searches. */
#ifndef LUAPROBE_KSYM_H
#define LUAPROBE_KSYM_H

#include <stddef.h>
#include <stdint.h>

/* [start, end) of one piece of a function's code. */
struct ksym_range {
	uint64_t start;
	uint64_t end;
};

/* The table, in a context the session owns (no file-scope state): empty
 * until the first lookup. */
struct lp_ksym;

/* An empty context; nothing is read yet. NULL with errno ENOMEM. */
struct lp_ksym *ksym_new(void);

/* Free the context and its table; NULL is a no-op. Names returned before
 * are invalid afterwards. */
void ksym_free(struct lp_ksym *ks);

/* Read /proc/kallsyms once; later calls return the first result without
 * reading again. 0, -EPERM when every address reads as zero (kptr_restrict),
 * -ENOENT when the file holds no symbol, or -errno of open/read/malloc
 * (-ENOMEM for ks NULL, as every function below). */
int ksym_load(struct lp_ksym *ks);

/* Replace the table with one read from a file in kallsyms format (tests and
 * saved snapshots). Same returns as ksym_load(); afterwards ksym_load()
 * returns this result and does not read /proc/kallsyms. */
int ksym_load_file(struct lp_ksym *ks, const char *path);

/* The symbol containing addr: the nearest at or below it (the first of
 * aliases at one address, as the kernel's %pS picks). *offset (if non-NULL)
 * gets addr minus its start. NULL with errno set when addr is 0, below the
 * first symbol, 1 MB or more past the nearest one (ENOENT: past the last
 * symbol, in the gap before the modules) or the table cannot be loaded
 * (the load's errno).
 * The string lives until ksym_free() or the next ksym_load_file(). */
const char *ksym_name(struct lp_ksym *ks, uint64_t addr, uint64_t *offset);

/* "func+0x3d2", "func" at offset 0, or "0x<hex>" when no symbol fits, into
 * buf (always NUL-terminated when len > 0). 0, -ENOENT when the hex form was
 * written, -ENOSPC when buf was too small and the text was cut. */
int ksym_format(struct lp_ksym *ks, uint64_t addr, char *buf, size_t len);

/* Address of the first (lowest) text symbol named exactly `name`, else of
 * the first symbol of any type by that name; 0 with errno set when none. */
uint64_t ksym_addr(struct lp_ksym *ks, const char *name);

/* All the code that is function `func`: the text symbols named `func` and
 * `func.<suffix>` (.constprop.0, .isra.0, .part.0, .cold ...), each as
 * [start, next distinct address in the table), in address order. Returns
 * how many were stored in out, 0 for an unknown function, -E2BIG when there
 * are more than max (out holds the first max), or the load's -errno. With
 * out NULL, only counts. */
int ksym_ranges(struct lp_ksym *ks, const char *func, struct ksym_range *out, int max);

/* Every text symbol in address order: fn(name, addr, ctx) until it returns
 * nonzero, which is returned. 0 at the end, or the load's -errno. */
int ksym_each_text(struct lp_ksym *ks, int (*fn)(const char *name, uint64_t addr, void *ctx),
		   void *ctx);

#endif
