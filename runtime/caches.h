/* The process-wide caches one run keeps (kallsyms, the kernel's BTF, user
 * symbolization): owned by the session, reached by every stage through
 * this Lua-free header, each made on first use so that a script that never
 * symbolizes never reads kallsyms or BTF. */
#ifndef LUAPROBE_CACHES_H
#define LUAPROBE_CACHES_H

struct lp_ksym;
struct lp_kbtf;
struct lp_usym;

struct lp_caches {
	struct lp_ksym *ksym; /* kallsyms */
	struct lp_kbtf *kbtf; /* the kernel's BTF */
	struct lp_usym *usym; /* user symbolization, per pid */
};

/* The cache, created on first use. NULL when c is NULL or the allocation
 * failed: the sym/ and resolve/ functions take NULL and answer -ENOMEM. */
struct lp_ksym *caches_ksym(struct lp_caches *c);
struct lp_kbtf *caches_kbtf(struct lp_caches *c);
struct lp_usym *caches_usym(struct lp_caches *c);

/* Free them all (a later caches_*() starts anew). */
void caches_free(struct lp_caches *c);

#endif
