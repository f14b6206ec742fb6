#include "load/image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "load/load.h"
#include "probe.h"

#define LP_IMAGE_MAX_MAPS 12 /* the templates have 8 */

/* What a probe loaded from the image gets in place of one of the first
 * probe's maps. */
enum map_role {
	ROLE_SHARED, /* the run's (lp_maps): the same fd */
	ROLE_RODATA, /* the image's .rodata with the probe's plan, frozen */
	ROLE_AGG, /* aggregation `agg`, sized for the probe */
	ROLE_ZERO, /* the same shape, zeroed (scratch, .bss) */
	ROLE_PEND, /* lp_pend or lp_pctl (bpf/agg.bpf.h): zeroed, the probe's own */
};

struct image_map {
	int fd; /* in the first probe's object: how its instructions name it */
	enum map_role role;
	int agg; /* ROLE_AGG: which */
	int shared_fd; /* ROLE_SHARED: the run's fd */
	int used; /* an instruction names it */
	char name[16];
	unsigned type, key_size, value_size, max_entries, flags;
};

struct lp_images {
	struct lp_images *next;
	char *key;
	char name[16];
	int prog_type, expected_attach_type;
	unsigned prog_flags;
	struct bpf_insn *insns;
	size_t ninsns;
	struct image_map maps[LP_IMAGE_MAX_MAPS];
	int nmaps;
	void *rodata; /* the first probe's .rodata; the plan is replaced */
	size_t rodata_size, plan_off;
};

static int is_ldimm64_map(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
	       (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE);
}

static void image_free(struct lp_images *im)
{
	if (!im)
		return;
	free(im->key);
	free(im->insns);
	free(im->rodata);
	free(im);
}

static struct lp_images *image_find(struct lp_images *list, const char *key)
{
	for (; list; list = list->next)
		if (strcmp(list->key, key) == 0)
			return list;
	return NULL;
}

static int map_index(const struct lp_images *im, int fd)
{
	for (int i = 0; i < im->nmaps; i++)
		if (im->maps[i].fd == fd)
			return i;
	return -1;
}

static unsigned map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* A new image for key: its name and program type from prog. */
static struct lp_images *image_new(const char *key, struct bpf_program *prog,
				   int expected_attach_type)
{
	struct lp_images *im = calloc(1, sizeof(*im));

	if (!im)
		return NULL;
	im->key = strdup(key);
	if (!im->key) {
		free(im);
		return NULL;
	}
	snprintf(im->name, sizeof(im->name), "%s", bpf_program__name(prog));
	im->prog_type = bpf_program__type(prog);
	im->expected_attach_type = expected_attach_type;
	im->prog_flags = bpf_program__flags(prog);
	return im;
}

/* Add map to im as the instructions name it (handle), with the part it
 * plays for a later probe; a ROLE_SHARED map comes with its role set.
 * 0, -ENOTSUP (a map an image cannot make again) or -ENOMEM. */
static int add_map(struct lp_images *im, struct bpf_map *map, int handle, enum map_role role,
		   int shared_fd, struct bpf_map *const *aggs, int naggs, size_t plan_off)
{
	struct image_map *mm;
	size_t size;
	const void *v;

	if (im->nmaps == LP_IMAGE_MAX_MAPS)
		return -ENOTSUP;
	mm = &im->maps[im->nmaps++];
	*mm = (struct image_map){
		.fd = handle,
		.role = role,
		.shared_fd = shared_fd,
		.type = bpf_map__type(map),
		.key_size = bpf_map__key_size(map),
		.value_size = bpf_map__value_size(map),
		.max_entries = bpf_map__max_entries(map),
		.flags = bpf_map__map_flags(map),
	};
	snprintf(mm->name, sizeof(mm->name), "%s", bpf_map__name(map));
	if (!strcmp(mm->name, "lp_pend") || !strcmp(mm->name, "lp_pctl"))
		mm->role = ROLE_PEND;
	for (int a = 0; a < naggs; a++)
		if (map == aggs[a]) {
			mm->role = ROLE_AGG;
			mm->agg = a;
		}
	v = bpf_map__initial_value(map, &size);
	if (v && (mm->flags & BPF_F_RDONLY_PROG)) {
		if (im->rodata || plan_off + sizeof(struct lp_plan) > size)
			return -ENOTSUP;
		im->rodata = malloc(size);
		if (!im->rodata)
			return -ENOMEM;
		memcpy(im->rodata, v, size);
		im->rodata_size = size;
		im->plan_off = plan_off;
		mm->role = ROLE_RODATA;
	} else if (v && mm->role == ROLE_ZERO && strstr(mm->name, ".data")) {
		return -ENOTSUP; /* initialised data: no template has any */
	}
	return 0;
}

/* im's instructions (n, im->insns) checked and im put in the list; on
 * failure im is freed. 0 or -errno. */
static int image_finish(struct lp_images **list, struct lp_images *im, int err)
{
	const struct bpf_insn *insns = im->insns;
	size_t n = im->ninsns;

	/* Every map reference must be one of these maps, by handle: an
	 * image of something else would load with a stranger's map in it. */
	for (size_t i = 0; !err && i < n; i++) {
		if (insns[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (is_ldimm64_map(&insns[i]) && map_index(im, insns[i].imm) < 0)
			err = -ENOTSUP;
		if (insns[i].src_reg != 0 && !is_ldimm64_map(&insns[i]))
			err = -ENOTSUP;
		i++;
	}
	if (!err && !im->rodata)
		err = -ENOTSUP;
	if (err) {
		image_free(im);
		return err;
	}
	/* a map no instruction names (.bss a count never writes) is not made */
	for (int i = 0; i < im->nmaps; i++) {
		im->maps[i].used = im->maps[i].role == ROLE_AGG || im->maps[i].role == ROLE_RODATA;
		for (size_t k = 0; k < n && !im->maps[i].used; k++)
			if (is_ldimm64_map(&insns[k]) && insns[k].imm == im->maps[i].fd)
				im->maps[i].used = 1;
	}
	im->next = *list;
	*list = im;
	return 0;
}

int load_image_keep(struct lp_images **list, const char *key, struct bpf_object *obj,
		    struct bpf_program *prog, int expected_attach_type, const struct lp_maps *m,
		    struct bpf_map *const *aggs, int naggs, size_t plan_off)
{
	const struct bpf_insn *insns = bpf_program__insns(prog);
	size_t n = bpf_program__insn_cnt(prog);
	/* libbpf holds a shared map by a dup of the run's fd: known by id */
	const int shared[] = { m->events_fd, m->lost_fd, m->lat_fd };
	unsigned shared_id[3];
	struct lp_images *im;
	struct bpf_map *map;
	int err = 0;

	if (image_find(*list, key))
		return 0;
	im = image_new(key, prog, expected_attach_type);
	if (!im || !(im->insns = malloc(n * sizeof(*insns))))
		return image_finish(list, im, -ENOMEM);
	memcpy(im->insns, insns, n * sizeof(*insns));
	im->ninsns = n;
	for (int k = 0; k < 3; k++)
		shared_id[k] = map_id(shared[k]);
	bpf_object__for_each_map(map, obj) {
		int fd = bpf_map__fd(map), id, shared_fd = -1;

		if (fd < 0)
			continue; /* not created: its references are poisoned */
		id = (int)map_id(fd);
		for (int k = 0; k < 3; k++)
			if (id && (unsigned)id == shared_id[k])
				shared_fd = shared[k];
		err = add_map(im, map, fd, shared_fd >= 0 ? ROLE_SHARED : ROLE_ZERO, shared_fd,
			      aggs, naggs, plan_off);
		if (err)
			break;
	}
	return image_finish(list, im, err);
}

/* --- an image from a template's table (tools/imagegen.c) ----------------- */

#define POISON_BASE 2001000000 /* as libbpf marks a map it did not make */

/* Whether the run makes the template's map `name` for this probe, and
 * its part: the run's shared maps when it has them, aggregations the plan
 * has, pending runs' slots when a count has them (as load_share_maps,
 * load_share_lat, load_pend_prepare decide for libbpf's load). */
static int tmpl_role(const char *name, const struct lp_maps *m, int naggs, int pend,
		     enum map_role *role, int *shared_fd, int *agg)
{
	static const char *const shared_names[] = { "lp_events", "lp_lost", "lp_lat" };
	const int shared[] = { m->events_fd, m->lost_fd, m->lat_fd };

	*role = ROLE_ZERO;
	*shared_fd = -1;
	for (int k = 0; k < 3; k++)
		if (!strcmp(name, shared_names[k])) {
			*role = ROLE_SHARED;
			*shared_fd = shared[k];
			return shared[k] >= 0;
		}
	for (int a = 0; a < LP_MAX_AGG; a++) {
		char agg_name[16];

		snprintf(agg_name, sizeof(agg_name), "lp_agg%d", a);
		if (!strcmp(name, agg_name)) {
			*role = ROLE_AGG;
			*agg = a;
			return a < naggs;
		}
	}
	if (!strcmp(name, "lp_pend") || !strcmp(name, "lp_pctl")) {
		*role = ROLE_PEND;
		return pend;
	}
	return 1;
}

/* LUAPROBE_TEMPLATE_IMAGES=0: through libbpf (the tests compare the two). */
static int tmpl_enabled(void)
{
	const char *env = getenv("LUAPROBE_TEMPLATE_IMAGES");

	return !env || strcmp(env, "0") != 0;
}

int load_image_tmpl(struct lp_images **list, const char *key, const struct lp_tmpl *t,
		    const char *base, const struct lp_plan *plan, int prog_type, int attach_type,
		    const struct lp_maps *m, int naggs, size_t plan_off)
{
	int made[LP_IMAGE_MAX_MAPS * 2], prog, pend = load_pends(plan);
	const struct lp_tmpl_prog *tp;
	struct lp_images *im;

	if (image_find(*list, key))
		return 0;
	if (!tmpl_enabled() || (prog = load_tmpl_pick(t, base, plan)) < 0)
		return -ENOENT;
	tp = &t->progs[prog];
	if (t->nmaps > (int)(sizeof(made) / sizeof(made[0])) ||
	    plan_off + sizeof(struct lp_plan) > t->rodata_size)
		return -ENOTSUP;
	im = calloc(1, sizeof(*im));
	if (!im || !(im->key = strdup(key)) || !(im->rodata = malloc(t->rodata_size)) ||
	    !(im->insns = malloc(tp->ninsns * sizeof(*im->insns)))) {
		image_free(im);
		return -ENOMEM;
	}
	snprintf(im->name, sizeof(im->name), "%s", tp->name);
	im->prog_type = prog_type >= 0 ? prog_type : tp->prog_type;
	im->expected_attach_type = attach_type >= 0 ? attach_type : tp->expected_attach_type;
	im->prog_flags = tp->flags;
	memcpy(im->rodata, t->rodata, t->rodata_size);
	im->rodata_size = t->rodata_size;
	im->plan_off = plan_off;
	for (int i = 0; i < t->nmaps; i++) {
		const struct lp_tmpl_map *tm = &t->maps[i];
		struct image_map *mm;
		int shared_fd, agg = 0;
		enum map_role role;

		made[i] = tmpl_role(tm->name, m, naggs, pend, &role, &shared_fd, &agg);
		if (!made[i])
			continue;
		if (im->nmaps == LP_IMAGE_MAX_MAPS) {
			image_free(im);
			return -ENOTSUP;
		}
		mm = &im->maps[im->nmaps++];
		*mm = (struct image_map){
			.fd = i,
			.role = i == t->rodata_map ? ROLE_RODATA : role,
			.agg = agg,
			.shared_fd = shared_fd,
			.type = tm->type,
			.key_size = tm->key_size,
			.value_size = tm->value_size,
			.max_entries = tm->max_entries,
			.flags = tm->flags,
		};
		snprintf(mm->name, sizeof(mm->name), "%s", tm->name);
	}
	memcpy(im->insns, tp->insns, tp->ninsns * sizeof(*im->insns));
	im->ninsns = tp->ninsns;
	/* a map not made: two calls of no helper, which the verifier refuses
	 * only where the frozen plan reaches them */
	for (size_t i = 0; i < im->ninsns; i++) {
		struct bpf_insn *in = &im->insns[i];
		int idx = in->imm;

		if (!is_ldimm64_map(in))
			continue;
		if (idx < 0 || idx >= t->nmaps || i + 1 >= im->ninsns) {
			image_free(im);
			return -ENOTSUP;
		}
		if (!made[idx])
			for (int k = 0; k < 2; k++)
				in[k] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL,
							   .imm = POISON_BASE + idx };
		i++;
	}
	return image_finish(list, im, 0);
}

int load_tmpl_pick(const struct lp_tmpl *t, const char *base, const struct lp_plan *plan)
{
	const char *names[64];
	unsigned sizes[64];
	int n = t->nprogs < 64 ? t->nprogs : 64;

	for (int i = 0; i < n; i++) {
		names[i] = t->progs[i].name;
		sizes[i] = t->progs[i].ninsns;
	}
	return load_pick_of(names, sizes, n, base, plan);
}

static int create_map(const struct lp_images *im, const struct image_map *mm,
		      const struct lp_probe *p, const struct lp_plan *plan)
{
	unsigned type = mm->type, key = mm->key_size, value = mm->value_size,
		 entries = mm->max_entries;
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = mm->flags);
	int fd;

	if (mm->role == ROLE_AGG) {
		struct lp_agg_shape sh;

		load_agg_shape(p, mm->agg, &sh);
		type = sh.type;
		key = sh.key_size;
		value = sh.value_size;
		entries = sh.max_entries;
	}
	fd = bpf_map_create(type, mm->name, key, value, entries, &o);
	if (fd < 0)
		return -errno;
	if (mm->role == ROLE_RODATA) {
		char *v = malloc(im->rodata_size);
		int err = v ? 0 : -ENOMEM;

		if (v) {
			memcpy(v, im->rodata, im->rodata_size);
			memcpy(v + im->plan_off, plan, sizeof(*plan));
			if (bpf_map_update_elem(fd, &(__u32){ 0 }, v, 0) || bpf_map_freeze(fd))
				err = -errno;
			free(v);
		}
		if (err) {
			close(fd);
			return err;
		}
	}
	return fd;
}

int load_image_load(struct lp_images *list, const char *key, struct lp_probe *p,
		    const struct lp_plan *plan, const int *shared_aggs)
{
	const struct lp_images *im = image_find(list, key);
	int fds[LP_IMAGE_MAX_MAPS], agg_fd[LP_MAX_AGG], prog_fd = -1, err = 0;
	int pend_fd[2] = { -1, -1 }; /* lp_pend, lp_pctl made here */
	struct bpf_insn *insns;

	if (!im)
		return -ENOENT;
	for (int a = 0; a < LP_MAX_AGG; a++)
		agg_fd[a] = -1;
	for (int i = 0; i < im->nmaps; i++)
		fds[i] = -1;
	insns = malloc(im->ninsns * sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	memcpy(insns, im->insns, im->ninsns * sizeof(*insns));
	for (int i = 0; i < im->nmaps; i++) {
		const struct image_map *mm = &im->maps[i];

		if (!mm->used)
			continue;
		if (mm->role == ROLE_SHARED) {
			fds[i] = mm->shared_fd;
			continue;
		}
		if (mm->role == ROLE_AGG && shared_aggs && shared_aggs[mm->agg] >= 0) {
			fds[i] = shared_aggs[mm->agg];
			continue;
		}
		fds[i] = create_map(im, mm, p, plan);
		if (fds[i] < 0) {
			err = fds[i];
			goto out;
		}
		if (mm->role == ROLE_AGG)
			agg_fd[mm->agg] = fds[i];
		if (mm->role == ROLE_PEND)
			pend_fd[strcmp(mm->name, "lp_pend") != 0] = fds[i];
	}
	for (size_t i = 0; i < im->ninsns; i++)
		if (is_ldimm64_map(&insns[i]))
			insns[i].imm = fds[map_index(im, insns[i].imm)], i++;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = im->expected_attach_type,
		    .prog_flags = im->prog_flags);
	/* The templates are GPL (their "license" section): the helpers they
	 * call need it. */
	prog_fd = bpf_prog_load(im->prog_type, im->name, "GPL", insns, im->ninsns, &o);
	if (prog_fd < 0)
		err = -errno;
out:
	free(insns);
	/* a loaded program holds its maps: only the aggregations stay open */
	for (int i = 0; i < im->nmaps; i++)
		if (fds[i] >= 0 && im->maps[i].role != ROLE_SHARED &&
		    im->maps[i].role != ROLE_AGG && im->maps[i].role != ROLE_PEND)
			close(fds[i]);
	/* the pending runs' maps are the probe's own, both or neither */
	if ((pend_fd[0] >= 0) != (pend_fd[1] >= 0) && !err) {
		err = -EINVAL;
		close(prog_fd);
	}
	if (err) {
		for (int k = 0; k < 2; k++)
			if (pend_fd[k] >= 0)
				close(pend_fd[k]);
	} else {
		p->pend_fd = pend_fd[0];
		p->pctl_fd = pend_fd[1];
	}
	for (int a = 0; a < LP_MAX_AGG; a++) {
		if (agg_fd[a] < 0)
			continue;
		if (err) {
			close(agg_fd[a]);
		} else {
			p->aggs[a].fd = agg_fd[a];
			p->released = 1;
		}
	}
	return err ? err : prog_fd;
}

void load_images_free(struct lp_images **list)
{
	while (*list) {
		struct lp_images *next = (*list)->next;

		image_free(*list);
		*list = next;
	}
}
