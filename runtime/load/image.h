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
struct lp_images; /* the images of one run (struct lp_caches' images) */

/* A probe loaded from an image: its program and the maps that are its
 * own but for the aggregations (whose fds go to p->aggs[i].fd). */
#define LP_IMAGE_MAX_MAPS 12
struct lp_imaged {
	int prog_fd; /* -1: none */
	int nfds;
	int fds[LP_IMAGE_MAX_MAPS];
};

/* Keep prog, just loaded by libbpf in obj, as the image for `key` (the
 * template and the program, as the caller tells them apart). The maps of
 * m stay shared; aggs[0..n) are sized per probe (load_size_agg); the
 * plan is at plan_off in .rodata. Kept once per key; an object whose
 * instructions refer to maps other than by fd is not kept. 0 or -errno. */
int load_image_keep(struct lp_images **list, const char *key, struct bpf_object *obj,
		    struct bpf_program *prog, int expected_attach_type, const struct lp_maps *m,
		    struct bpf_map *const *aggs, int naggs, size_t plan_off);

/* Load p (its plan final) from the image for key into out, with p's
 * aggregation maps in p->aggs[i].fd and p->released set (their fds are
 * the probe's). -ENOENT: no image for key; other -errno: the kernel
 * refused, nothing is left open (load through libbpf for its log). */
int load_image_load(struct lp_images *list, const char *key, struct lp_probe *p,
		    struct lp_imaged *out);

/* Close what load_image_load opened but the aggregation maps. */
void load_imaged_close(struct lp_imaged *out);

void load_images_free(struct lp_images **list);

#endif
