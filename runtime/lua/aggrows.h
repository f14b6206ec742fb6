/* An aggregation map read whole into packed rows: each row its value
 * (CPUs folded) and then its key at the key's own size, so that 1M keys of
 * 8 bytes hold 16 MB, not 1M times LP_KEY_MAX. lua/agg.c builds Lua values
 * from them only for what a script prints or reads. */
#ifndef LUAPROBE_LUA_AGGROWS_H
#define LUAPROBE_LUA_AGGROWS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <luaprobe/plan.h>

/* One malloc'ed block (free() frees it): it is kept in lp_aggdef's seen
 * and base, which plan.c frees. */
struct agg_rows {
	size_t n, cap;
	unsigned ksz; /* the plan's key size: bytes of each row's key */
	unsigned vsz; /* 8: a count (count, hist, lhist); else a struct lp_stats */
	unsigned stride; /* vsz + ksz rounded up to 8 */
	unsigned char data[];
};

static inline unsigned char *aggrows_val(const struct agg_rows *rs, size_t i)
{
	return (unsigned char *)rs->data + i * rs->stride;
}

static inline const unsigned char *aggrows_key(const struct agg_rows *rs, size_t i)
{
	return aggrows_val(rs, i) + rs->vsz;
}

/* The first word of both value layouts: a count, or lp_stats.count. */
static inline int64_t aggrows_count(const struct agg_rows *rs, size_t i)
{
	int64_t c;

	memcpy(&c, aggrows_val(rs, i), sizeof(c));
	return c;
}

static inline struct lp_stats aggrows_stats(const struct agg_rows *rs, size_t i)
{
	struct lp_stats st = { 0 };

	memcpy(&st, aggrows_val(rs, i), rs->vsz < sizeof(st) ? rs->vsz : sizeof(st));
	return st;
}

/* No rows yet, room for none: rows of ksz-byte keys and (stats) struct
 * lp_stats values. NULL: out of memory. */
struct agg_rows *aggrows_new(unsigned ksz, int stats);

/* Every entry of map fd, in the map's own order (the order
 * bpf_map_get_next_key walks), unsorted. stats: the values are struct
 * lp_stats (min and max folded over CPUs as such); else a count first
 * (hist buckets: the count of their {count, sum}). ksz: the plan's key
 * size, which may be longer than the map's (an unkeyed array's u32 key is
 * zero-padded to it). pend_fd, pctl_fd and idx: the
 * keyed count's pending runs (run/mapread.h's mapread_agg; -1: none). Returns 0 and *out (malloc'ed), or -errno. */
int aggrows_read(int fd, int pend_fd, int pctl_fd, unsigned idx, int stats, unsigned ksz,
		 struct agg_rows **out);

/* A copy of rs, or NULL (errno ENOMEM). */
struct agg_rows *aggrows_copy(const struct agg_rows *rs);

/* Sorts rs by key bytes, for aggrows_find. */
void aggrows_sort_keys(struct agg_rows *rs);

/* The row of rs (sorted by aggrows_sort_keys) whose key is key, or -1. */
long aggrows_find(const struct agg_rows *rs, const unsigned char *key);

/* Sorts idx (n row indices) largest val[idx] first, keeping the order of
 * equal values (the map's order: what the stable qsort of before gave).
 * tmp holds n indices. */
void aggrows_rank(uint32_t *idx, uint32_t *tmp, size_t n, const int64_t *val);

#endif
