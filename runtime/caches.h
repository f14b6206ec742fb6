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
struct lp_images;

struct lp_caches {
	struct lp_ksym *ksym; /* kallsyms */
	struct lp_kbtf *kbtf; /* the kernel's BTF */
	struct lp_usym *usym; /* user symbolization, per pid */
	/* binaries' open debuginfo (and function indexes), by the path the
	 * point names */
	struct lp_dwarf_ref {
		char *path;
		struct lp_dwarf *d;
	} * dwarfs;
	int ndwarfs;
	const char *vmlinux; /* --vmlinux PATH; NULL: the usual places */
	struct lp_dwarf *kdwarf; /* the kernel's DWARF, opened once for every probe */
	int kdwarf_err; /* 0: not tried yet; 1: opened; -errno with kdwarf_why */
	int kdwarf_foreign; /* --vmlinux of another build: kdwarf_why says so */
	char kdwarf_why[512];
	/* programs loaded through libbpf, copied for later probes that load
	 * the same program (load/image.h) */
	struct lp_images *images;
};

/* The cache, created on first use. NULL when c is NULL or the allocation
 * failed: the sym/ and resolve/ functions take NULL and answer -ENOMEM. */
struct lp_ksym *caches_ksym(struct lp_caches *c);
struct lp_kbtf *caches_kbtf(struct lp_caches *c);
struct lp_usym *caches_usym(struct lp_caches *c);

/* A binary's open debuginfo, shared by every probe on it for the rest of
 * the run: reading libc's DWARF and indexing its functions again per
 * probe cost ~0.5 s and ~20 MB each. NULL with errno as dwarf_open's.
 * With c NULL (-L, -l), the caller's own: caches_dwarf_put closes it. */
struct lp_dwarf *caches_dwarf(struct lp_caches *c, const char *path);
void caches_dwarf_put(struct lp_caches *c, struct lp_dwarf *d);
/* The running kernel's DWARF (resolve/kdebug.h finds it), or NULL with
 * why in err (the same message on every call). */
struct lp_dwarf *caches_kdwarf(struct lp_caches *c, char *err, size_t errlen);

/* Free them all (a later caches_*() starts anew). */
void caches_free(struct lp_caches *c);

#endif
