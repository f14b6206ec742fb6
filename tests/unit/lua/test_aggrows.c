/* Aggregation maps read whole (lua/aggrows.c): real per-CPU maps made and
 * filled here with known values on every CPU, read back by batches (more
 * keys than a batch holds), every row checked; the stable value sort
 * against a reference sort; the key sort and lookup clear() uses. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <luaprobe/plan.h>

#include "lua/aggrows.h"
#include "test.h"

static void skip(const char *reason)
{
	printf("SKIP: %s\n", reason);
	fflush(stdout);
	exit(77);
}

static const int64_t *ref_val;

static int cmp_ref(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (ref_val[x] != ref_val[y])
		return ref_val[x] < ref_val[y] ? 1 : -1;
	return x < y ? -1 : x > y;
}

/* Every row shown but every third: rank sorts a subset of the rows. */
static void rank_like(int64_t (*gen)(size_t), size_t n)
{
	int64_t *val = malloc((n + 1) * sizeof(*val));
	uint32_t *idx = malloc((n + 1) * sizeof(*idx)), *ref = malloc((n + 1) * sizeof(*ref)),
		 *tmp = malloc((n + 1) * sizeof(*tmp));
	size_t bad = 0, m = 0;

	for (size_t i = 0; i < n; i++) {
		val[i] = gen(i);
		if (i % 3 != 2)
			idx[m++] = (uint32_t)i;
	}
	memcpy(ref, idx, m * sizeof(*idx));
	ref_val = val;
	qsort(ref, m, sizeof(*ref), cmp_ref);
	aggrows_rank(idx, tmp, m, val);
	for (size_t i = 0; i < m; i++)
		bad += idx[i] != ref[i];
	ASSERT_EQ(bad, 0, "entries out of place");
	free(val);
	free(idx);
	free(ref);
	free(tmp);
}

static int64_t small(size_t i)
{
	return (int64_t)(i * 7919 % 13);
}

static int64_t wide(size_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ull;

	return (int64_t)(x ^ (x >> 29)) >> (i % 40); /* negative and positive, all widths */
}

static int64_t same(size_t i)
{
	(void)i;
	return -5;
}

static void test_rank(void)
{
	rank_like(small, 100000);
	rank_like(wide, 100000);
	rank_like(same, 1000);
	rank_like(small, 0);
	rank_like(small, 1);
}

#define NKEYS 50000 /* over the 16384 keys of one batch */

struct key24 {
	uint64_t a;
	char s[16];
};

/* A per-CPU hash of 24-byte keys: count map (8-byte values), CPU c holds
 * i + c for key i, so each row is NKEYS-independent and exact. */
static void test_read_count(void)
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	uint64_t *vals = calloc(ncpu, 8);
	struct agg_rows *rs = NULL;
	size_t bad = 0;
	char *seen = calloc(NKEYS, 1);

	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "t_count", sizeof(struct key24), 8, NKEYS,
			    NULL);
	if (fd < 0)
		skip("cannot create a per-CPU hash map (needs root)");
	for (uint64_t i = 0; i < NKEYS; i++) {
		struct key24 k = { .a = i };

		snprintf(k.s, sizeof(k.s), "k%llu", (unsigned long long)i);
		for (int c = 0; c < ncpu; c++)
			vals[c] = i + (uint64_t)c;
		if (bpf_map_update_elem(fd, &k, vals, BPF_NOEXIST))
			skip("cannot fill the map");
	}
	ASSERT_EQ(aggrows_read(fd, -1, -1, 0, 0, sizeof(struct key24), &rs), 0, "read");
	ASSERT_EQ(rs->n, NKEYS, "rows");
	ASSERT_EQ(rs->stride, 8 + 24, "row bytes");
	for (size_t r = 0; r < rs->n; r++) {
		struct key24 k;
		char want[16];

		memcpy(&k, aggrows_key(rs, r), sizeof(k));
		snprintf(want, sizeof(want), "k%llu", (unsigned long long)k.a);
		if (k.a >= NKEYS || seen[k.a]++ || strcmp(k.s, want) ||
		    aggrows_count(rs, r) != (int64_t)(k.a * ncpu + (uint64_t)ncpu * (ncpu - 1) / 2))
			bad++;
	}
	ASSERT_EQ(bad, 0, "rows wrong, twice or out of range");
	/* clear()'s baseline: sorted by key, every key found at its row */
	aggrows_sort_keys(rs);
	bad = 0;
	for (size_t r = 0; r < rs->n; r++)
		bad += aggrows_find(rs, aggrows_key(rs, r)) != (long)r;
	ASSERT_EQ(bad, 0, "keys not found at their row");
	{
		struct key24 k = { .a = NKEYS };

		ASSERT_EQ(aggrows_find(rs, (const unsigned char *)&k), -1, "a missing key");
	}
	free(rs);
	close(fd);
	free(vals);
	free(seen);
}

/* struct lp_stats values: counts and sums added, min and max of the CPUs
 * that saw the key (a CPU with count 0 does not take part). */
static void test_read_stats(void)
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	struct lp_stats *vals = calloc(ncpu, sizeof(*vals));
	struct agg_rows *rs = NULL;
	size_t bad = 0;

	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "t_stats", 8, sizeof(struct lp_stats), NKEYS,
			    NULL);
	if (fd < 0)
		skip("cannot create a per-CPU hash map (needs root)");
	for (int64_t i = 0; i < NKEYS; i++) {
		for (int c = 0; c < ncpu; c++) {
			/* CPU 0 sees nothing for odd keys */
			int none = c == 0 && i % 2;

			vals[c] = (struct lp_stats){ none ? 0 : c + 1, none ? 0 : i * (c + 1),
						     none ? -99 : -i - c, none ? 99 : i + c };
		}
		if (bpf_map_update_elem(fd, &i, vals, BPF_NOEXIST))
			skip("cannot fill the map");
	}
	ASSERT_EQ(aggrows_read(fd, -1, -1, 0, 1, 8, &rs), 0, "read");
	ASSERT_EQ(rs->n, NKEYS, "rows");
	for (size_t r = 0; r < rs->n; r++) {
		int64_t i, cnt = 0, sum = 0;
		int c0 = 0;
		struct lp_stats st = aggrows_stats(rs, r);

		memcpy(&i, aggrows_key(rs, r), 8);
		if (i % 2)
			c0 = 1;
		for (int c = c0; c < ncpu; c++) {
			cnt += c + 1;
			sum += i * (c + 1);
		}
		if (st.count != cnt || st.sum != sum || st.min != -i - (ncpu - 1) ||
		    st.max != i + (ncpu - 1) || (ncpu > 1 && c0 && st.min == -99))
			bad++;
	}
	ASSERT_EQ(bad, 0, "stats rows wrong");
	free(rs);
	close(fd);
	free(vals);
}

/* An unkeyed aggregation's per-CPU array: a u32 key, zero-padded to the
 * plan's 8 bytes. */
static void test_read_array(void)
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	uint64_t *vals = calloc(ncpu, 8), k8 = 0;
	uint32_t zero = 0;
	struct agg_rows *rs = NULL;

	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "t_array", 4, 8, 1, NULL);
	if (fd < 0)
		skip("cannot create a per-CPU array (needs root)");
	for (int c = 0; c < ncpu; c++)
		vals[c] = 10 + c;
	ASSERT_EQ(bpf_map_update_elem(fd, &zero, vals, BPF_ANY), 0, "fill");
	ASSERT_EQ(aggrows_read(fd, -1, -1, 0, 0, 8, &rs), 0, "read");
	ASSERT_EQ(rs->n, 1, "rows");
	ASSERT_EQ(aggrows_count(rs, 0), 10 * ncpu + ncpu * (ncpu - 1) / 2, "value");
	ASSERT_TRUE(!memcmp(aggrows_key(rs, 0), &k8, 8), "key zero-padded");
	free(rs);
	close(fd);
	free(vals);
}

/* An empty hash: no rows, no error. */
static void test_read_empty(void)
{
	struct agg_rows *rs = NULL;
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "t_empty", 8, 8, 16, NULL);

	if (fd < 0)
		skip("cannot create a per-CPU hash map (needs root)");
	ASSERT_EQ(aggrows_read(fd, -1, -1, 0, 0, 8, &rs), 0, "read");
	ASSERT_EQ(rs ? rs->n : 99, 0, "rows");
	free(rs);
	close(fd);
}

/* A keyed count's pending runs (struct lp_pend): each CPU's slot is added
 * to its key's row, a key only slots hold is a row of its own (one for two
 * CPUs holding it), an empty slot adds nothing, and the reader lets go of
 * the slots (lp_pctl's word 0) when it is done. */
static void test_read_pending(void)
{
	int ncpu = libbpf_num_possible_cpus(), fd, pend, pctl;
	uint64_t *vals = calloc(ncpu, 8), k, word = 7;
	struct lp_pend *slots = calloc(ncpu, sizeof(*slots));
	uint32_t idx = 1, zero = 0;
	struct agg_rows *rs = NULL;
	uint64_t want5 = 0, want9 = 0, want6 = 0;
	int rows5 = 0, rows9 = 0, rows6 = 0;

	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "t_pcount", 8, 8, 16, NULL);
	pend = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "lp_pend", 4, sizeof(struct lp_pend),
			      LP_MAX_AGG, NULL);
	pctl = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lp_pctl", 4, 8, 1, NULL);
	if (fd < 0 || pend < 0 || pctl < 0)
		skip("cannot create the maps (needs root)");
	/* the map: key 5 with 100 + c on CPU c, key 9 with 1000 on CPU 0 */
	for (int c = 0; c < ncpu; c++)
		vals[c] = 100 + c, want5 += 100 + c;
	k = 5;
	ASSERT_EQ(bpf_map_update_elem(fd, &k, vals, BPF_ANY), 0, "fill 5");
	memset(vals, 0, ncpu * 8);
	vals[0] = 1000;
	want9 = 1000;
	k = 9;
	ASSERT_EQ(bpf_map_update_elem(fd, &k, vals, BPF_ANY), 0, "fill 9");
	/* slots at index 1: CPU 0 holds 7 of key 5; every other CPU 3 of
	 * key 6, which the map does not have; index 0 holds key 9, which is
	 * another aggregation's and must not be added */
	for (int c = 0; c < ncpu; c++) {
		slots[c].seq = 2;
		slots[c].n = c == 0 ? 7 : 3;
		slots[c].key[0] = c == 0 ? 5 : 6;
	}
	want5 += 7;
	want6 = 3 * (uint64_t)(ncpu - 1);
	ASSERT_EQ(bpf_map_update_elem(pend, &idx, slots, BPF_ANY), 0, "slots");
	for (int c = 0; c < ncpu; c++)
		slots[c].n = 50, slots[c].key[0] = 9;
	ASSERT_EQ(bpf_map_update_elem(pend, &zero, slots, BPF_ANY), 0, "other slots");
	ASSERT_EQ(bpf_map_update_elem(pctl, &zero, &word, BPF_ANY), 0, "word");
	ASSERT_EQ(aggrows_read(fd, pend, pctl, idx, 0, 8, &rs), 0, "read");
	for (size_t i = 0; i < rs->n; i++) {
		memcpy(&k, aggrows_key(rs, i), 8);
		if (k == 5)
			rows5++, ASSERT_EQ(aggrows_count(rs, i), want5, "key 5: map + slot");
		else if (k == 9)
			rows9++, ASSERT_EQ(aggrows_count(rs, i), want9, "key 9: the map alone");
		else if (k == 6)
			rows6++, ASSERT_EQ(aggrows_count(rs, i), want6, "key 6: the slots alone");
	}
	ASSERT_EQ(rows5, 1, "one row of key 5");
	ASSERT_EQ(rows9, 1, "one row of key 9");
	ASSERT_EQ(rows6, ncpu > 1 ? 1 : 0, "one row of key 6");
	ASSERT_EQ(rs->n, (size_t)(2 + (ncpu > 1)), "rows");
	ASSERT_EQ(bpf_map_lookup_elem(pctl, &zero, &word), 0, "word read");
	ASSERT_EQ(word, 0, "slots let go");
	free(rs);
	close(fd);
	close(pend);
	close(pctl);
	free(vals);
	free(slots);
}

TEST_MAIN(TEST(test_rank), TEST(test_read_count), TEST(test_read_stats), TEST(test_read_array),
	  TEST(test_read_empty), TEST(test_read_pending))
