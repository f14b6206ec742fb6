#include "run/mapread.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/membarrier.h>
#include <sys/syscall.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <luaprobe/plan.h>

/* Keys a batch call asks for: the buffers stay near 1 MiB whatever the key
 * and CPU count (a stack key is 512 bytes). */
#define BATCH_BYTES (1u << 20)
#define BATCH_MIN 64u
#define BATCH_MAX 16384u

/* Key by key: two syscalls a key. */
static int read_slow(int fd, unsigned ksz, int ncpu, unsigned vstride, mapread_fn each, void *ctx)
{
	unsigned char *key = calloc(2, ksz), *next = key ? key + ksz : NULL;
	void *vals = malloc((size_t)ncpu * vstride), *prev = NULL;
	int err = key && vals ? 0 : -ENOMEM;

	while (!err && bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, vals))
			continue; /* deleted meanwhile */
		err = each(ctx, key, ksz, vals, ncpu, vstride);
	}
	free(key);
	free(vals);
	return err;
}

int mapread_each(int fd, mapread_fn each, void *ctx)
{
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info), batch, count;
	int ncpu = libbpf_num_possible_cpus(), err = 0, first = 1;
	/* the position between calls: a bucket index for a hash map, a key
	 * for the generic batch code (arrays) */
	unsigned char *tok_in = NULL, *tok_out, *keys = NULL, *vals = NULL;
	unsigned vstride, toksz;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -errno;
	vstride = (info.value_size + 7) & ~7u;
	toksz = info.key_size > 8 ? info.key_size : 8;
	tok_in = malloc(2 * (size_t)toksz);
	if (!tok_in)
		return -ENOMEM;
	tok_out = tok_in + toksz;
	batch = BATCH_BYTES / (info.key_size + (unsigned)ncpu * vstride);
	batch = batch < BATCH_MIN ? BATCH_MIN : batch > BATCH_MAX ? BATCH_MAX : batch;
	for (;;) {
		if (!keys) {
			keys = malloc((size_t)batch * info.key_size);
			vals = malloc((size_t)batch * ncpu * vstride);
			if (!keys || !vals) {
				err = -ENOMEM;
				goto out;
			}
		}
		count = batch;
		err = bpf_map_lookup_batch(fd, first ? NULL : tok_in, tok_out, keys, vals, &count,
					   NULL);
		if (err)
			err = -errno;
		if ((err == -ENOSPC || err == -E2BIG) && count == 0 && batch < (1u << 20)) {
			/* a hash bucket holds more keys than a batch: the
			 * kernel returns a bucket whole or not at all */
			batch *= 4;
			free(keys);
			free(vals);
			keys = vals = NULL;
			continue;
		}
		if (err && err != -ENOENT) {
			if (first)
				break; /* no batch lookups here: key by key */
			goto out;
		}
		/* ENOENT: the walk is over, and this call's entries are the
		 * last ones */
		for (__u32 i = 0; i < count; i++) {
			int r = each(ctx, keys + (size_t)i * info.key_size, info.key_size,
				     vals + (size_t)i * ncpu * vstride, ncpu, vstride);

			if (r) {
				err = r;
				goto out;
			}
		}
		if (err == -ENOENT || count == 0) {
			err = 0;
			goto out;
		}
		first = 0;
		memcpy(tok_in, tok_out, toksz);
	}
	err = read_slow(fd, info.key_size, ncpu, vstride, each, ctx);
out:
	free(tok_in);
	free(keys);
	free(vals);
	return err;
}

/* --- keyed counts' pending runs ----------------------------------------- */

struct pend_read {
	mapread_fn each;
	void *ctx;
	const struct lp_pend *slots; /* one per CPU, as read while held */
	unsigned char *taken; /* slot c's n added to an entry of the map */
	unsigned char *vbuf; /* an entry's values with slots added */
};

static int slot_has(const struct lp_pend *sl, const void *key, unsigned ksz)
{
	return sl->n && ksz <= sizeof(sl->key) && memcmp(sl->key, key, ksz) == 0;
}

static int add_pending(void *ctx, const void *key, unsigned ksz, const void *vals, int ncpu,
		       unsigned vstride)
{
	struct pend_read *r = ctx;
	int copied = 0;

	for (int c = 0; c < ncpu; c++) {
		__u64 x;

		if (r->taken[c] || !slot_has(&r->slots[c], key, ksz))
			continue;
		if (!copied) {
			memcpy(r->vbuf, vals, (size_t)ncpu * vstride);
			copied = 1;
		}
		memcpy(&x, r->vbuf + (size_t)c * vstride, sizeof(x));
		x += r->slots[c].n;
		memcpy(r->vbuf + (size_t)c * vstride, &x, sizeof(x));
		r->taken[c] = 1;
	}
	return r->each(r->ctx, key, ksz, copied ? r->vbuf : vals, ncpu, vstride);
}

/* The slots of every CPU, none of them mid-update (seq even). */
static int read_slots(int pend_fd, unsigned idx, struct lp_pend *slots, int ncpu)
{
	for (int tries = 0; tries < 1000; tries++) {
		int odd = 0;

		if (bpf_map_lookup_elem(pend_fd, &idx, slots))
			return -errno;
		for (int c = 0; c < ncpu; c++)
			odd |= slots[c].seq & 1;
		if (!odd)
			return 0;
		usleep(10);
	}
	return -EBUSY;
}

/* Readers of any probe, one at a time: a --metrics scrape may read while
 * the script does, and one must not let go of slots the other holds. */
static pthread_mutex_t pend_lock = PTHREAD_MUTEX_INITIALIZER;

/* One read of mapread_agg's: -EAGAIN when a program flushed a slot as it
 * read (see the header). */
static int read_once(int fd, int pend_fd, int pctl_fd, unsigned idx, int settle, mapread_fn each,
		     void *ctx)
{
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info), zero = 0;
	__u64 hold = 1, free_ = 0;
	int ncpu = libbpf_num_possible_cpus(), err;
	struct lp_pend *slots = NULL, *after = NULL;
	struct pend_read r = { each, ctx, NULL, NULL, NULL };
	unsigned vstride;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -errno;
	vstride = (info.value_size + 7) & ~7u;
	slots = calloc(2 * (size_t)ncpu, sizeof(*slots));
	r.taken = calloc(ncpu, 1);
	r.vbuf = malloc((size_t)ncpu * vstride);
	if (!slots || !r.taken || !r.vbuf) {
		err = -ENOMEM;
		goto out;
	}
	after = slots + ncpu;
	r.slots = slots;
	pthread_mutex_lock(&pend_lock);
	if (bpf_map_update_elem(pctl_fd, &zero, &hold, BPF_ANY)) {
		err = -errno;
		goto unlock;
	}
	/* A program that saw the word clear just before may still be on its
	 * way into a slot: a grace period (tracepoint programs run with
	 * preemption off) sees every such one out. Without it (or where the
	 * kernel refuses it: nohz_full), seq tells. */
	if (settle && syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		settle = 0;
	err = read_slots(pend_fd, idx, slots, ncpu);
	if (!err)
		err = mapread_each(fd, add_pending, &r);
	/* a slot's key the map does not have (programs take only keys it
	 * has, but one may have been deleted since): an entry of its own,
	 * one per key whatever the CPUs that hold it */
	for (int c = 0; !err && c < ncpu; c++) {
		if (r.taken[c] || !slots[c].n)
			continue;
		memset(r.vbuf, 0, (size_t)ncpu * vstride);
		for (int d = c; d < ncpu; d++)
			if (!r.taken[d] && slot_has(&slots[d], slots[c].key, info.key_size)) {
				memcpy(r.vbuf + (size_t)d * vstride, &slots[d].n, sizeof(__u64));
				r.taken[d] = 1;
			}
		err = each(ctx, slots[c].key, info.key_size, r.vbuf, ncpu, vstride);
	}
	if (!err && !settle) {
		err = read_slots(pend_fd, idx, after, ncpu);
		for (int c = 0; !err && c < ncpu; c++)
			if (after[c].seq != slots[c].seq)
				err = -EAGAIN;
	}
	if (bpf_map_update_elem(pctl_fd, &zero, &free_, BPF_ANY) && !err)
		err = -errno;
unlock:
	pthread_mutex_unlock(&pend_lock);
out:
	free(slots);
	free(r.taken);
	free(r.vbuf);
	return err;
}

int mapread_agg(int fd, int pend_fd, int pctl_fd, unsigned idx, mapread_fn each,
		void (*reset)(void *ctx), void *ctx)
{
	int err = -EAGAIN;

	if (pend_fd < 0)
		return mapread_each(fd, each, ctx);
	/* again, settling first, while a program flushed a slot as we read */
	for (int tries = 0; tries < 8 && err == -EAGAIN; tries++) {
		if (tries)
			reset(ctx);
		err = read_once(fd, pend_fd, pctl_fd, idx, tries > 0, each, ctx);
	}
	return err;
}
