/* Tracepoint formats as tracefs prints them (copied from a 6.18 kernel into
 * data/) parsed into fields, and mapped to the template's fetch ops. */
#include <errno.h>
#include <stdlib.h>

#include "plan/plan.h"
#include "test.h"
#include "resolve/tpformat.h"

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	buf = calloc(1, 1 << 16);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static int parse(const char *system, const char *file, struct lp_tpformat *fmt)
{
	size_t len = 0;
	char *text = slurp(file, &len);
	int err;

	if (!ASSERT_TRUE(text != NULL, "format file"))
		return -ENOENT;
	err = tpformat_parse(system, text, len, fmt);
	free(text);
	return err;
}

static void test_exec_format(void)
{
	struct lp_tpformat fmt;
	const struct lp_tpfield *f;

	if (!ASSERT_EQ(parse("sched", "sched_process_exec.format", &fmt), 0, "parse"))
		return;
	ASSERT_STREQ(fmt.event, "sched_process_exec", "event");
	ASSERT_EQ(fmt.nfields, 3, "own fields (common_* left out)");
	f = tpformat_field(&fmt, "filename");
	if (ASSERT_TRUE(f != NULL, "filename")) {
		ASSERT_STREQ(f->type, "char[]", "filename type");
		ASSERT_EQ(f->offset, 8, "filename offset");
		ASSERT_TRUE((f->flags & (LP_TPF_DATALOC | LP_TPF_STRING)) ==
				    (LP_TPF_DATALOC | LP_TPF_STRING),
			    "filename is a __data_loc string");
	}
	f = tpformat_field(&fmt, "old_pid");
	if (ASSERT_TRUE(f != NULL, "old_pid")) {
		ASSERT_STREQ(f->type, "pid_t", "old_pid type");
		ASSERT_EQ(f->offset, 16, "old_pid offset");
		ASSERT_EQ(f->size, 4, "old_pid size");
		ASSERT_TRUE(f->flags & LP_TPF_SIGNED, "pid_t is signed");
	}
	ASSERT_TRUE(tpformat_field(&fmt, "common_pid") == NULL, "common fields hidden");
	tpformat_free(&fmt);
}

static void test_kfree_skb_format(void)
{
	struct lp_tpformat fmt;
	const struct lp_tpfield *f;

	if (!ASSERT_EQ(parse("skb", "kfree_skb.format", &fmt), 0, "parse"))
		return;
	ASSERT_EQ(fmt.nfields, 5, "fields");
	f = tpformat_field(&fmt, "reason");
	if (ASSERT_TRUE(f != NULL, "reason")) {
		ASSERT_STREQ(f->type, "enum skb_drop_reason", "reason type");
		ASSERT_EQ(f->offset, 36, "reason offset");
		ASSERT_EQ(f->flags & LP_TPF_SIGNED, 0, "reason unsigned");
	}
	f = tpformat_field(&fmt, "location");
	if (ASSERT_TRUE(f != NULL, "location")) {
		ASSERT_EQ(f->size, 8, "pointer size");
		ASSERT_STREQ(f->type, "void *", "location type");
	}
	tpformat_free(&fmt);
}

static void test_bad_format(void)
{
	struct lp_tpformat fmt;
	const char junk[] = "this is not a format";

	ASSERT_EQ(tpformat_parse("x", junk, sizeof(junk) - 1, &fmt), -EINVAL, "junk refused");
	ASSERT_TRUE(fmt.fields == NULL && fmt.event == NULL, "nothing kept");
}

static int plan_of(const char *system, const char *file, struct lp_probe *p)
{
	struct lp_tpformat fmt;
	int err;

	memset(p, 0, sizeof(*p));
	if (parse(system, file, &fmt))
		return -EINVAL;
	err = plan_tracepoint(&fmt, p);
	tpformat_free(&fmt);
	return err;
}

static const struct lp_field *field(const struct lp_probe *p, const char *name)
{
	for (int i = 0; i < p->nfields; i++)
		if (!strcmp(p->fields[i].name, name))
			return &p->fields[i];
	return NULL;
}

/* The fixed fields are copied by one op; the string by its own, into a slot. */
static void test_plan_exec(void)
{
	struct lp_probe p;
	const struct lp_field *f;

	if (!ASSERT_EQ(plan_of("sched", "sched_process_exec.format", &p), 0, "plan"))
		return;
	ASSERT_EQ(p.plan.nfetch, 2, "ops");
	ASSERT_EQ(p.plan.fetch[0].kind, LP_FETCH_CTX, "op 0 kind");
	ASSERT_EQ(p.plan.fetch[0].src, 12, "op 0 src (pid, old_pid)");
	ASSERT_EQ(p.plan.fetch[0].size, 8, "op 0 size");
	ASSERT_EQ(p.plan.fetch[0].dst, 0, "op 0 dst");
	ASSERT_EQ(p.plan.fetch[1].kind, LP_FETCH_DATALOC, "op 1 kind");
	ASSERT_EQ(p.plan.fetch[1].src, 8, "op 1 src (the __data_loc word)");
	ASSERT_EQ(p.plan.fetch[1].size, LP_STR_MAX, "op 1 slot");
	ASSERT_EQ(p.plan.fetch[1].dst, 8, "op 1 dst");
	ASSERT_EQ(p.plan.data_size, 8 + LP_STR_MAX, "data size");
	f = field(&p, "filename");
	if (ASSERT_TRUE(f != NULL, "filename"))
		ASSERT_TRUE(f->kind == LP_FK_STR && f->off == 8, "filename decodes as a string");
	f = field(&p, "old_pid");
	if (ASSERT_TRUE(f != NULL, "old_pid"))
		ASSERT_TRUE(f->kind == LP_FK_INT && f->off == 4 && f->size == 4, "old_pid layout");
	probe_free_fields(&p);
}

static void test_plan_kfree_skb(void)
{
	struct lp_probe p;
	const struct lp_field *f;

	if (!ASSERT_EQ(plan_of("skb", "kfree_skb.format", &p), 0, "plan"))
		return;
	ASSERT_EQ(p.plan.nfetch, 1, "one copy for all fixed fields");
	ASSERT_EQ(p.plan.fetch[0].src, 8, "src");
	ASSERT_EQ(p.plan.fetch[0].size, 32, "size: skbaddr .. reason");
	ASSERT_EQ(p.plan.data_size, 32, "data size");
	f = field(&p, "protocol");
	if (ASSERT_TRUE(f != NULL, "protocol"))
		ASSERT_TRUE(f->off == 24 && f->size == 2 && f->kind == LP_FK_UINT,
			    "protocol layout");
	f = field(&p, "reason");
	if (ASSERT_TRUE(f != NULL, "reason"))
		ASSERT_TRUE(f->off == 28 && f->size == 4 && f->kind == LP_FK_UINT, "reason layout");
	probe_free_fields(&p);
}

static void test_plan_arrays_and_comm(void)
{
	struct lp_probe p;
	const struct lp_field *f;

	if (ASSERT_EQ(plan_of("raw_syscalls", "raw_sys_enter.format", &p), 0, "plan raw")) {
		f = field(&p, "args");
		if (ASSERT_TRUE(f != NULL, "args"))
			ASSERT_TRUE(f->kind == LP_FK_UINTARRAY && f->size == 48 && f->elem == 8 &&
					    f->off == 8,
				    "args: six u64");
		f = field(&p, "id");
		if (ASSERT_TRUE(f != NULL, "id"))
			ASSERT_TRUE(f->kind == LP_FK_INT && f->size == 8, "id: signed long");
		probe_free_fields(&p);
	}
	if (ASSERT_EQ(plan_of("sched", "sched_switch.format", &p), 0, "plan switch")) {
		f = field(&p, "next_comm");
		if (ASSERT_TRUE(f != NULL, "next_comm"))
			ASSERT_TRUE(f->kind == LP_FK_STR && f->size == 16 && f->off == 32,
				    "char[16] is a string in place");
		probe_free_fields(&p);
	}
}

/* __u8 saddr[4]: libtraceevent flags it a string; it is bytes, whole. */
static void test_plan_byte_arrays(void)
{
	struct lp_tpformat fmt;
	struct lp_probe p;
	const struct lp_field *f;

	if (ASSERT_EQ(parse("sock", "inet_sock_set_state.format", &fmt), 0, "parse")) {
		const struct lp_tpfield *tf = tpformat_field(&fmt, "saddr");

		if (ASSERT_TRUE(tf != NULL, "saddr"))
			ASSERT_EQ(tf->flags & (LP_TPF_STRING | LP_TPF_ARRAY), LP_TPF_ARRAY,
				  "saddr is an array, not a string");
		tpformat_free(&fmt);
	}
	if (!ASSERT_EQ(plan_of("sock", "inet_sock_set_state.format", &p), 0, "plan"))
		return;
	f = field(&p, "saddr");
	if (ASSERT_TRUE(f != NULL, "saddr"))
		ASSERT_TRUE(f->kind == LP_FK_UINTARRAY && f->size == 4 && f->elem == 1 &&
				    f->off == 24,
			    "saddr: 4 bytes in place");
	f = field(&p, "daddr_v6");
	if (ASSERT_TRUE(f != NULL, "daddr_v6"))
		ASSERT_TRUE(f->kind == LP_FK_UINTARRAY && f->size == 16 && f->elem == 1,
			    "daddr_v6: 16 bytes");
	probe_free_fields(&p);
}

/* __data_loc u8[] buf: the template copies __data_loc strings only, so the
 * array is not fetched (a string copy would cut it) and is marked unreadable. */
static void test_plan_dynamic_array(void)
{
	struct lp_probe p;
	const struct lp_field *f;

	if (!ASSERT_EQ(plan_of("ras", "non_standard_event.format", &p), 0, "plan"))
		return;
	f = field(&p, "buf");
	if (ASSERT_TRUE(f != NULL, "buf"))
		ASSERT_EQ(f->kind, LP_FK_DYNARRAY, "buf is a variable-length array");
	f = field(&p, "fru_text");
	if (ASSERT_TRUE(f != NULL, "fru_text"))
		ASSERT_EQ(f->kind, LP_FK_STR, "__data_loc char[] is a string");
	ASSERT_EQ(p.plan.nfetch, 2, "the fixed part and fru_text, not buf");
	ASSERT_EQ(p.plan.fetch[1].kind, LP_FETCH_DATALOC, "fru_text's copy");
	ASSERT_EQ(p.plan.fetch[1].src, 40, "from its locator");
	probe_free_fields(&p);
}

/* Without a handler, only what the filter and aggregations read is fetched. */
static void test_plan_finish_prunes(void)
{
	struct lp_probe p;
	char err[128];

	if (!ASSERT_EQ(plan_of("skb", "kfree_skb.format", &p), 0, "plan"))
		return;
	p.handler_ref = -2; /* LUA_NOREF */
	p.aggs[0].fn = LP_AF_COUNT;
	p.aggs[0].keys[0] = "comm";
	p.aggs[0].nkeys = 1;
	p.naggs = 1;
	p.plan.nagg = 1;
	if (!ASSERT_EQ(plan_agg(&p, 0, err, sizeof(err)), 0, "agg"))
		return;
	plan_finish(&p);
	ASSERT_EQ(p.plan.nfetch, 0, "count by comm reads no field");
	ASSERT_EQ(p.plan.want, LP_W_COMM, "but comm");
	ASSERT_EQ(p.plan.emit, 0, "and emits nothing");
	ASSERT_EQ(p.plan.agg[0].key_size, 16, "comm key");
	probe_free_fields(&p);

	if (!ASSERT_EQ(plan_of("skb", "kfree_skb.format", &p), 0, "plan"))
		return;
	p.handler_ref = -2;
	p.aggs[0].fn = LP_AF_COUNT;
	p.aggs[0].keys[0] = "location";
	p.aggs[0].keys[1] = "reason";
	p.aggs[0].nkeys = 2;
	p.naggs = 1;
	p.plan.nagg = 1;
	if (!ASSERT_EQ(plan_agg(&p, 0, err, sizeof(err)), 0, "agg"))
		return;
	ASSERT_EQ(p.plan.agg[0].keys[1].src, 48 + 28, "reason's record offset");
	ASSERT_EQ(p.plan.agg[0].keys[1].dst, 8, "reason after location in the key");
	plan_finish(&p);
	ASSERT_EQ(p.plan.nfetch, 1, "the fixed part is read");
	ASSERT_EQ(p.plan.want, 0, "no header field is");
	p.handler_ref = 3;
	plan_finish(&p);
	ASSERT_EQ(p.plan.emit, 1, "a handler emits");
	ASSERT_EQ(p.plan.want, LP_W_ALL, "and gets every header field");
	probe_free_fields(&p);
}

TEST_MAIN(TEST(test_plan_finish_prunes), TEST(test_exec_format), TEST(test_kfree_skb_format),
	  TEST(test_bad_format), TEST(test_plan_exec), TEST(test_plan_kfree_skb),
	  TEST(test_plan_arrays_and_comm), TEST(test_plan_byte_arrays),
	  TEST(test_plan_dynamic_array))
