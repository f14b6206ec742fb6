/* Loading many probes of one template program without libbpf after the
 * first. Probes that load the same program of a template differ only in
 * their maps: .rodata's frozen plan and the sizes of the aggregation
 * maps. The first loads through libbpf (the ELF opened, relocated, its BTF
 * and a probe program loaded, ~15 bpf() calls); its instructions, as
 * libbpf handed them to the kernel, are kept as an image; the next ones
 * get maps of their own and that image with their maps' fds put in, ~6
 * bpf() calls and no ELF. The kernel still verifies each program: the plan
 * it folds is the probe's own. bench/scale.sh measures it. */
#ifndef LUAPROBE_LOAD_IMAGE_H
#define LUAPROBE_LOAD_IMAGE_H

#include <stddef.h>

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
 * instructions refer to maps other than by fd is not kept. 0 or -errno. */
int load_image_keep(struct lp_images **list, const char *key, struct bpf_object *obj,
		    struct bpf_program *prog, int expected_attach_type, const struct lp_maps *m,
		    struct bpf_map *const *aggs, int naggs, size_t plan_off);

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
