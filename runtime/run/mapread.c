#include "run/mapread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

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
