/* What kinds/usdt.c shares with kinds/uprobe.c: probes at places in a
 * binary (p->insts), whose values the pt_regs template fetches as
 * resolve/dwarf/ locates them (p->priv: the binary's struct lp_dwarf, from
 * the session's caches). */
#ifndef LUAPROBE_KINDS_UPROBE_H
#define LUAPROBE_KINDS_UPROBE_H

#include <stdint.h>
#include <stdio.h>

#include "kinds/kind.h"
#include "resolve/dwarf/dwarf.h"

/* An attach point's place, kept for fetches asked later (lp_inst.site). The
 * site comes first: dwarf_sites_free(&pl->site, 1) frees the whole place. */
struct up_place {
	struct lp_site site;
	int early; /* f+OFF before the prologue stores the frame's values */
	uint64_t ref_ctr; /* file offset of a USDT semaphore to count while attached; 0: none */
	/* set by uprobe_load: with uprobe_multi, the index of the place whose
	 * program runs here too (places with the same fetches share one
	 * program and one link); -1: a perf-event uprobe with its own program */
	int lead;
	int imaged; /* its program loaded from an image (load/image.h) */
};

/* One attach point per site (the sites' contents move to p->insts; early[]
 * may be NULL), then spec.fetch at each, or by default every argument that
 * every site has (and $retval at a return). 0 or -errno with err. */
int uprobe_plan_sites(struct lp_probe *p, struct lp_site *sites, const int *early, int nsites,
		      char *err, size_t errlen);

/* The kind hooks both kinds use as they are. */
int uprobe_add_fetch(struct lp_probe *p, const char *expr, char *err, size_t errlen);
int uprobe_load(struct lp_probe *p, const struct lp_maps *m, char *err, size_t errlen);
int uprobe_attach(struct lp_probe *p, char *err, size_t errlen);
const char *uprobe_attached_as(const struct lp_probe *p);
void uprobe_destroy(struct lp_probe *p);
int uprobe_describe(struct lp_probe *p, FILE *out);
int uprobe_scope(struct lp_probe *p, char ***names);

#endif
