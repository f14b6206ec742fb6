/* Reading a per-CPU map whole: what Agg reads (lua/aggrows.c) and what a
 * --metrics scrape serves (run/metrics.c) walk the same way. */
#ifndef LUAPROBE_RUN_MAPREAD_H
#define LUAPROBE_RUN_MAPREAD_H

/* One entry: its key (ksz bytes, the map's key size) and its ncpu values,
 * each vstride bytes (the value size rounded up to 8, as the kernel lays
 * out a per-CPU map's values). Non-zero stops the walk with that result. */
typedef int (*mapread_fn)(void *ctx, const void *key, unsigned ksz, const void *vals, int ncpu,
			  unsigned vstride);

/* Every entry of per-CPU map fd, a batch of keys a call (BPF_MAP_LOOKUP_BATCH,
 * kernel >= 5.6; 100k keys: 2 syscalls a key otherwise), key by key where
 * the kernel refuses the first batch. 0, each's result, or -errno. */
int mapread_each(int fd, mapread_fn each, void *ctx);

#endif
