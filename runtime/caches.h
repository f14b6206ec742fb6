/* The process-wide caches one run keeps (kallsyms, the kernel's BTF, user
 * symbolization): owned by the session, reached by every stage through
 * this Lua-free header, each made on first use so that a script that never
 * symbolizes never reads kallsyms or BTF. */
#ifndef LUAPROBE_CACHES_H
#define LUAPROBE_CACHES_H

#include <stddef.h>

struct lp_ksym;
struct lp_kbtf;
struct lp_usym;
struct lp_dwarf;

struct lp_caches {
	struct lp_ksym *ksym; /* kallsyms */
	struct lp_kbtf *kbtf; /* the kernel's BTF */
	struct lp_usym *usym; /* user symbolization, per pid */
	const char *vmlinux; /* --vmlinux PATH; NULL: the usual places */
	struct lp_dwarf *kdwarf; /* the kernel's DWARF, opened once for every probe */
	int kdwarf_err; /* 0: not tried yet; 1: opened; -errno with kdwarf_why */
	int kdwarf_foreign; /* --vmlinux of another build: kdwarf_why says so */
	char kdwarf_why[512];
};

/* The cache, created on first use. NULL when c is NULL or the allocation
 * failed: the sym/ and resolve/ functions take NULL and answer -ENOMEM. */
struct lp_ksym *caches_ksym(struct lp_caches *c);
struct lp_kbtf *caches_kbtf(struct lp_caches *c);
struct lp_usym *caches_usym(struct lp_caches *c);

/* The running kernel's DWARF (resolve/kdebug.h finds it), or NULL with
 * why in err (the same message on every call). */
struct lp_dwarf *caches_kdwarf(struct lp_caches *c, char *err, size_t errlen);

/* Free them all (a later caches_*() starts anew). */
void caches_free(struct lp_caches *c);

#endif
