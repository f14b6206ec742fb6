/* Kernel symbols. /proc/kallsyms has ~120k lines on a distribution kernel;
 * it is read only when a script first asks for a symbol, never at start-up,
 * and kept as one string pool plus 12 bytes per symbol (~3.3 MB). */
#include "sym/ksym.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KALLSYMS "/proc/kallsyms"

/* Longer than any kernel function; a data symbol bigger than this (a huge
 * log buffer) is named only in its first megabyte. */
#define KSYM_MAX_SIZE (1ull << 20)

/* Packed: 12 bytes instead of 16 for every symbol; x86 reads it unaligned
 * for free. */
struct ksym {
	uint64_t addr;
	uint32_t name; /* offset in the pool, | KSYM_NOT_TEXT */
} __attribute__((packed));

/* Not a function: skipped by ksym_ranges(), second choice for ksym_addr(). */
#define KSYM_NOT_TEXT (1u << 31)
#define KSYM_OFF(s) ((s)->name & ~KSYM_NOT_TEXT)

struct lp_ksym {
	struct ksym *syms; /* sorted by address, then by kallsyms order */
	size_t n;
	char *pool;
	bool tried; /* the load ran: err is its result, kept so a failing
		     * kallsyms is not re-read on every lookup */
	int err;
};

/* The pool as it is filled: the offset and length of the last name, whose
 * tail the next one may share. */
struct pool {
	char *buf;
	size_t used, cap;
	size_t last, last_len;
};

static bool is_text(char type)
{
	/* W/w: weak symbols not tagged as objects, in practice weak functions */
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

static const char *sym_name(const struct lp_ksym *tab, const struct ksym *s)
{
	return tab->pool + KSYM_OFF(s);
}

static int cmp_sym(const void *pa, const void *pb)
{
	const struct ksym *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	/* Names were pooled in file order: ties keep the kernel's alias order. */
	return KSYM_OFF(a) < KSYM_OFF(b) ? -1 : KSYM_OFF(a) > KSYM_OFF(b);
}

/* Pool a name; *off gets its offset. Kernels with function padding list
 * "__pfx_foo" right before "foo", for half of all symbols: foo then points
 * into __pfx_foo's string, which keeps the pool ~40% smaller. Offsets still
 * grow in file order. */
static int pool_add(struct pool *p, const char *name, size_t len, uint32_t *off)
{
	if (p->last_len == len + 6 && !memcmp(p->buf + p->last, "__pfx_", 6) &&
	    !memcmp(p->buf + p->last + 6, name, len)) {
		*off = p->last + 6;
		p->last_len = 0;
		return 0;
	}
	if (p->used + len + 1 > p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 1 << 20;
		char *b;

		while (p->used + len + 1 > ncap)
			ncap *= 2;
		if (ncap > KSYM_NOT_TEXT)
			return -E2BIG;
		b = realloc(p->buf, ncap);
		if (!b)
			return -ENOMEM;
		p->buf = b;
		p->cap = ncap;
	}
	*off = p->last = p->used;
	p->last_len = len;
	memcpy(p->buf + p->used, name, len);
	p->used += len;
	p->buf[p->used++] = '\0';
	return 0;
}

/* "ffffffff81e66fe0 t name" or "... t name\t[module]"; the module suffix is
 * dropped, the symbol kept. Returns false for a line of another shape. */
static bool parse_line(char *line, uint64_t *addr, char *type, const char **name, size_t *len)
{
	char *end;

	*addr = strtoull(line, &end, 16);
	if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
		return false;
	*type = end[1];
	*name = end + 3;
	*len = strcspn(*name, "\t\n");
	return *len > 0;
}

static int load_path(struct lp_ksym *tab, const char *path)
{
	size_t n = 0, cap = 0, linecap = 0;
	struct pool pool = { 0 };
	struct ksym *syms = NULL, *s;
	char *line = NULL, *b;
	bool nonzero = false;
	FILE *f;
	int err = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &linecap, f) > 0) {
		const char *name;
		uint64_t addr;
		uint32_t off;
		size_t len;
		char type;

		if (!parse_line(line, &addr, &type, &name, &len))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1 << 16;

			s = realloc(syms, ncap * sizeof(*syms));
			if (!s) {
				err = -ENOMEM;
				goto out;
			}
			syms = s;
			cap = ncap;
		}
		err = pool_add(&pool, name, len, &off);
		if (err)
			goto out;
		syms[n].name = off | (is_text(type) ? 0 : KSYM_NOT_TEXT);
		syms[n++].addr = addr;
		nonzero |= addr != 0;
	}
	if (ferror(f)) {
		err = -EIO;
		goto out;
	}
	if (!n) {
		err = -ENOENT;
		goto out;
	}
	/* kptr_restrict hides addresses as zeros rather than refusing the read */
	if (!nonzero) {
		err = -EPERM;
		goto out;
	}
	qsort(syms, n, sizeof(*syms), cmp_sym);
	/* Give back the growth slack: the table lives for the whole run. */
	s = realloc(syms, n * sizeof(*syms));
	if (s)
		syms = s;
	b = realloc(pool.buf, pool.used);
	if (b)
		pool.buf = b;
	tab->syms = syms;
	tab->pool = pool.buf;
	tab->n = n;
	syms = NULL;
	pool.buf = NULL;
out:
	free(line);
	free(pool.buf);
	free(syms);
	fclose(f);
	return err;
}

struct lp_ksym *ksym_new(void)
{
	return calloc(1, sizeof(struct lp_ksym));
}

/* Drop the table; the next lookup loads /proc/kallsyms again. */
static void ksym_clear(struct lp_ksym *tab)
{
	free(tab->syms);
	free(tab->pool);
	memset(tab, 0, sizeof(*tab));
}

void ksym_free(struct lp_ksym *tab)
{
	if (!tab)
		return;
	ksym_clear(tab);
	free(tab);
}

int ksym_load_file(struct lp_ksym *tab, const char *path)
{
	if (!tab)
		return -ENOMEM;
	ksym_clear(tab);
	tab->tried = true;
	tab->err = load_path(tab, path);
	return tab->err;
}

int ksym_load(struct lp_ksym *tab)
{
	if (!tab)
		return -ENOMEM;
	if (tab->tried)
		return tab->err;
	return ksym_load_file(tab, KALLSYMS);
}

/* First index whose address is above addr (tab->n when none). */
static size_t upper_bound(const struct lp_ksym *tab, uint64_t addr)
{
	size_t lo = 0, hi = tab->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tab->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First index whose address is addr or above. */
static size_t lower_bound(const struct lp_ksym *tab, uint64_t addr)
{
	return addr ? upper_bound(tab, addr - 1) : 0;
}

const char *ksym_name(struct lp_ksym *tab, uint64_t addr, uint64_t *offset)
{
	const struct ksym *s;
	size_t i;
	int err;

	err = ksym_load(tab);
	if (err) {
		errno = -err;
		return NULL;
	}
	i = upper_bound(tab, addr);
	if (!addr || !i) {
		errno = ENOENT;
		return NULL;
	}
	s = &tab->syms[lower_bound(tab, tab->syms[i - 1].addr)];
	/* kallsyms has no sizes: a symbol ends at the next one, and no symbol
	 * is longer than KSYM_MAX_SIZE. Past the last one (ksym(-1)), or in
	 * the gap between the kernel's image and the modules, an address is
	 * nobody's, not the last symbol's + 1 GB. */
	if (addr - s->addr >= KSYM_MAX_SIZE) {
		errno = ENOENT;
		return NULL;
	}
	if (offset)
		*offset = addr - s->addr;
	return sym_name(tab, s);
}

int ksym_format(struct lp_ksym *tab, uint64_t addr, char *buf, size_t len)
{
	uint64_t off = 0;
	const char *name = ksym_name(tab, addr, &off);
	int n;

	if (!name)
		n = snprintf(buf, len, "0x%" PRIx64, addr);
	else if (off)
		n = snprintf(buf, len, "%s+0x%" PRIx64, name, off);
	else
		n = snprintf(buf, len, "%s", name);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return name ? 0 : -ENOENT;
}

uint64_t ksym_addr(struct lp_ksym *tab, const char *name)
{
	const struct ksym *any = NULL;
	int err;

	err = ksym_load(tab);
	if (err) {
		errno = -err;
		return 0;
	}
	/* A linear scan: names are asked for a few times per script, and a
	 * name index would double the table's memory. */
	for (size_t i = 0; i < tab->n; i++) {
		const struct ksym *s = &tab->syms[i];

		if (strcmp(sym_name(tab, s), name))
			continue;
		if (!(s->name & KSYM_NOT_TEXT))
			return s->addr;
		if (!any)
			any = s;
	}
	if (any)
		return any->addr;
	errno = ENOENT;
	return 0;
}

int ksym_ranges(struct lp_ksym *tab, const char *func, struct ksym_range *out, int max)
{
	size_t flen = strlen(func);
	uint64_t last = 0;
	int count = 0, err;

	err = ksym_load(tab);
	if (err)
		return err;
	for (size_t i = 0; i < tab->n; i++) {
		const struct ksym *s = &tab->syms[i];
		const char *name = sym_name(tab, s);
		size_t j;

		if (strncmp(name, func, flen) || (name[flen] && name[flen] != '.'))
			continue;
		if (s->name & KSYM_NOT_TEXT)
			continue;
		/* aliases at one address are one piece of code */
		if (count && s->addr == last)
			continue;
		last = s->addr;
		for (j = i + 1; j < tab->n && tab->syms[j].addr == s->addr; j++)
			;
		if (out && count >= max)
			return -E2BIG;
		if (out) {
			out[count].start = s->addr;
			/* The last symbol has no successor: claim its first byte only. */
			out[count].end = j < tab->n ? tab->syms[j].addr : s->addr + 1;
		}
		count++;
	}
	return count;
}

int ksym_each_text(struct lp_ksym *tab, int (*fn)(const char *name, uint64_t addr, void *ctx),
		   void *ctx)
{
	int err = ksym_load(tab), ret;

	if (err)
		return err;
	for (size_t i = 0; i < tab->n; i++) {
		const struct ksym *s = &tab->syms[i];

		if (s->name & KSYM_NOT_TEXT)
			continue;
		ret = fn(sym_name(tab, s), s->addr, ctx);
		if (ret)
			return ret;
	}
	return 0;
}
