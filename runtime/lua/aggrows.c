/* Reading an aggregation map whole: batch lookups into packed rows, and
 * the two sorts the readers need (by value for printing, by key for
 * clear()'s baseline). */
#include "lua/aggrows.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run/mapread.h"

static struct agg_rows *rows_new(unsigned ksz, int stats, size_t cap)
{
	struct agg_rows *rs;
	unsigned vsz = stats ? sizeof(struct lp_stats) : sizeof(__u64);
	unsigned stride = vsz + ((ksz + 7) & ~7u);

	rs = malloc(sizeof(*rs) + cap * stride);
	if (!rs)
		return NULL;
	rs->n = 0;
	rs->cap = cap;
	rs->ksz = ksz;
	rs->vsz = vsz;
	rs->stride = stride;
	return rs;
}

struct agg_rows *aggrows_new(unsigned ksz, int stats)
{
	return rows_new(ksz, stats, 0);
}

/* Room for `more` rows; *rsp may move. */
static int rows_reserve(struct agg_rows **rsp, size_t more)
{
	struct agg_rows *rs = *rsp, *grown;
	size_t cap = rs->cap;

	if (rs->n + more <= cap)
		return 0;
	while (cap < rs->n + more)
		cap = cap < 1024 ? 1024 : cap * 2;
	/* large blocks are mmap'ed: realloc moves their pages (mremap), it
	 * does not hold two copies */
	grown = realloc(rs, sizeof(*rs) + cap * rs->stride);
	if (!grown)
		return -ENOMEM;
	grown->cap = cap;
	*rsp = grown;
	return 0;
}

/* One key and its ncpu values (each vstride bytes) as a row. */
static void rows_add(struct agg_rows *rs, const void *key, unsigned map_ksz, const void *vals,
		     int ncpu, unsigned vstride)
{
	unsigned char *v = aggrows_val(rs, rs->n), *k = v + rs->vsz;

	memset(v, 0, rs->stride);
	memcpy(k, key, map_ksz < rs->ksz ? map_ksz : rs->ksz);
	if (rs->vsz == sizeof(__u64)) {
		__u64 sum = 0;

		for (int c = 0; c < ncpu; c++) {
			__u64 x;

			memcpy(&x, (const char *)vals + (size_t)c * vstride, sizeof(x));
			sum += x;
		}
		memcpy(v, &sum, sizeof(sum));
	} else {
		/* summed, and min and max of the CPUs that saw the key */
		struct lp_stats r = { 0 };

		for (int c = 0; c < ncpu; c++) {
			struct lp_stats st;

			memcpy(&st, (const char *)vals + (size_t)c * vstride, sizeof(st));
			if (!st.count)
				continue;
			if (!r.count || st.min < r.min)
				r.min = st.min;
			if (!r.count || st.max > r.max)
				r.max = st.max;
			r.count += st.count;
			r.sum += st.sum;
		}
		memcpy(v, &r, sizeof(r));
	}
	rs->n++;
}

/* An entry as a row (run/mapread.h's callback; ctx: the rows). */
static int add_entry(void *ctx, const void *key, unsigned ksz, const void *vals, int ncpu,
		     unsigned vstride)
{
	struct agg_rows **rsp = ctx;

	if (ksz > LP_KEY_MAX)
		return -E2BIG;
	if (rows_reserve(rsp, 1))
		return -ENOMEM;
	rows_add(*rsp, key, ksz, vals, ncpu, vstride);
	return 0;
}

/* mapread_agg's reset: the rows of a read it starts again */
static void drop_rows(void *ctx)
{
	(*(struct agg_rows **)ctx)->n = 0;
}

int aggrows_read(int fd, int pend_fd, int pctl_fd, unsigned idx, int stats, unsigned ksz,
		 struct agg_rows **out)
{
	struct agg_rows *rs = rows_new(ksz, stats, 0);
	int err;

	*out = NULL;
	if (!rs)
		return -ENOMEM;
	err = mapread_agg(fd, pend_fd, pctl_fd, idx, add_entry, drop_rows, &rs);
	if (err) {
		free(rs);
		return err;
	}
	*out = rs;
	return 0;
}

struct agg_rows *aggrows_copy(const struct agg_rows *rs)
{
	size_t bytes = sizeof(*rs) + rs->n * rs->stride;
	struct agg_rows *c = malloc(bytes);

	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(c, rs, bytes);
	c->cap = rs->n;
	return c;
}

/* qsort has no context argument in C11: the key size of the rows being
 * sorted (one sort at a time: the Lua state is one thread). */
static unsigned sort_ksz, sort_vsz;

static int cmp_keys(const void *a, const void *b)
{
	return memcmp((const char *)a + sort_vsz, (const char *)b + sort_vsz, sort_ksz);
}

void aggrows_sort_keys(struct agg_rows *rs)
{
	sort_ksz = rs->ksz;
	sort_vsz = rs->vsz;
	qsort(rs->data, rs->n, rs->stride, cmp_keys);
}

long aggrows_find(const struct agg_rows *rs, const unsigned char *key)
{
	size_t lo = 0, hi = rs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(aggrows_key(rs, mid), key, rs->ksz);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* LSD radix sort on the value, a byte a pass, stable: the map's order
 * stays among equal values. A pass whose byte is the same in every entry
 * (the high bytes of counts) is skipped: 1M counts below 65536 take two
 * passes. Descending: the key sorted ascending is ~(val ^ sign bit).
 * Indices, not values, move: 8 bytes a row while it sorts, not 32. */
static inline uint64_t rank_key(int64_t v)
{
	return ~((uint64_t)v ^ (1ull << 63));
}

void aggrows_rank(uint32_t *idx, uint32_t *tmp, size_t n, const int64_t *val)
{
	uint32_t *src = idx, *dst = tmp;
	size_t cnt[8][256] = { { 0 } };

	for (size_t i = 0; i < n; i++) {
		uint64_t k = rank_key(val[idx[i]]);

		for (int b = 0; b < 8; b++)
			cnt[b][(k >> (b * 8)) & 0xff]++;
	}
	for (int b = 0; b < 8; b++) {
		size_t pos = 0;
		int skip = 0;

		for (int v = 0; v < 256; v++) {
			size_t c = cnt[b][v];

			if (c == n) {
				skip = 1;
				break;
			}
			cnt[b][v] = pos;
			pos += c;
		}
		if (skip)
			continue;
		for (size_t i = 0; i < n; i++) {
			uint32_t r = src[i];

			dst[cnt[b][(rank_key(val[r]) >> (b * 8)) & 0xff]++] = r;
		}
		uint32_t *t = src;

		src = dst;
		dst = t;
	}
	if (src != idx)
		memcpy(idx, src, n * sizeof(*idx));
}
