/* Loading template programs without libbpf's load. Probes that load the
 * same program of a template differ only in their maps: .rodata's frozen
 * plan and the sizes of the aggregation maps. An image is the program's
 * instructions with its maps' parts: either made from the template's
 * table, relocated at build time (load_image_tmpl), or kept from the
 * first probe libbpf loaded (the ELF opened, relocated, its BTF and the
 * probes of the kernel's features loaded, ~15 bpf() calls). Each probe then
 * gets maps of its own and the image with their fds put in, ~6 bpf()
 * calls. The kernel still verifies each program: the plan it folds is the
 * probe's own. bench/scale.sh measures it. */
#ifndef LUAPROBE_LOAD_IMAGE_H
#define LUAPROBE_LOAD_IMAGE_H

#include <stddef.h>

struct bpf_insn;
struct bpf_object;
struct bpf_program;
struct bpf_map;
struct lp_maps;
struct lp_probe;
struct lp_plan;
struct lp_images; /* the images of one run (struct lp_caches' images) */

/* Keep prog, just loaded by libbpf in obj, as the image for `key` (the
 * template and the program, as the caller tells them apart). The maps of
 * m stay shared; aggs[0..n) are sized per probe (load_size_agg); the
 * plan is at plan_off in .rodata. Kept once per key; an object whose
 * instructions refer to maps other than by fd is not kept. 0 or -errno.
 * (A program libbpf had to load: load_image_make could not make it.) */
int load_image_keep(struct lp_images **list, const char *key, struct bpf_object *obj,
		    struct bpf_program *prog, int expected_attach_type, const struct lp_maps *m,
		    struct bpf_map *const *aggs, int naggs, size_t plan_off);

/* A template's programs as the build made them (tools/imagegen.c, one
 * table per template, gen/NAME.image.h): each program's instructions
 * with its map references relocated as libbpf would, imm the map's index
 * in maps[], and the maps' shapes as the template declares them. */
struct lp_tmpl_map {
	const char *name;
	unsigned type, key_size, value_size, max_entries, flags;
};

struct lp_tmpl_prog {
	const char *name;
	int prog_type, expected_attach_type;
	unsigned flags;
	const struct bpf_insn *insns;
	unsigned ninsns;
};

struct lp_tmpl {
	const struct lp_tmpl_map *maps;
	int nmaps;
	const struct lp_tmpl_prog *progs;
	int nprogs;
	const unsigned char *rodata; /* .rodata as the template has it */
	size_t rodata_size;
	int rodata_map; /* its index in maps[] */
};

/* The image for key made from t's program of the family `base` that
 * load_pick would pick for plan, without libbpf: none of libbpf's opening
 * of the template (~0.9 ms of a start) nor of the probes of the kernel's
 * features its load makes (~1 ms), no BTF. Of t's maps, the run's shared
 * ones where m has them, the aggregations below naggs and the pending
 * runs' slots if the plan has them (load_pends); references to the others
 * are poisoned as libbpf poisons a map it does not make (the frozen plan
 * never reaches them). The plan is at plan_off in .rodata; prog_type and
 * attach_type the program's type and expected attach type (-1: the
 * table's; a section libbpf did not know at build time has none). Made
 * once per key; 0, -ENOENT (no program for the plan, or
 * LUAPROBE_TEMPLATE_IMAGES=0: libbpf loads it) or another -errno. */
int load_image_tmpl(struct lp_images **list, const char *key, const struct lp_tmpl *t,
		    const char *base, const struct lp_plan *plan, int prog_type, int attach_type,
		    const struct lp_maps *m, int naggs, size_t plan_off);

/* The program of t load_pick would pick (load/load.h): its index, or -1. */
int load_tmpl_pick(const struct lp_tmpl *t, const char *base, const struct lp_plan *plan);

/* Load the image for key with `plan` in a .rodata of its own and the
 * aggregation maps of p: shared_aggs[a] (an fd >= 0: another place of p
 * loaded it) or made for p here, in p->aggs[a].fd, the probe's own fds
 * (p->released). Its other maps are the program's alone: their fds are
 * closed once it is loaded. Returns the program's fd; -ENOENT: no image
 * for key; other -errno: the kernel refused it, nothing is left open (load
 * through libbpf for its log). */
int load_image_load(struct lp_images *list, const char *key, struct lp_probe *p,
		    const struct lp_plan *plan, const int *shared_aggs);

void load_images_free(struct lp_images **list);

#endif
