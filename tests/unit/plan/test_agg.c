/* The aggregation layout (plan/agg.c): where key parts sit in the record and
 * in the map's key. A tracepoint's plan from a format copied from a 6.18
 * kernel (data/) gives the record; stacks come from plan_stack. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include <luaprobe/event.h>

#include "plan/plan.h"
#include "resolve/tpformat.h"
#include "test.h"

static int plan_of(const char *file, struct lp_probe *p)
{
	char path[512], *text;
	struct lp_tpformat fmt;
	size_t len;
	FILE *f;
	int err;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, file);
	f = fopen(path, "r");
	if (!ASSERT_TRUE(f != NULL, "format file"))
		return -ENOENT;
	text = calloc(1, 1 << 16);
	len = text ? fread(text, 1, (1 << 16) - 1, f) : 0;
	fclose(f);
	err = text ? tpformat_parse("skb", text, len, &fmt) : -ENOMEM;
	free(text);
	if (err)
		return err;
	err = plan_tracepoint(&fmt, p);
	tpformat_free(&fmt);
	return err;
}

static int agg(struct lp_probe *p, enum lp_agg_fn fn, const char *value, int nkeys,
	       const char *const *keys, char *err, size_t errlen)
{
	struct lp_aggdef *d = &p->aggs[0];

	memset(d, 0, sizeof(*d));
	d->fn = fn;
	d->value = (char *)value;
	for (int k = 0; k < nkeys; k++)
		d->keys[k] = (char *)keys[k];
	d->nkeys = nkeys;
	err[0] = 0;
	return plan_agg(p, 0, err, errlen);
}

/* count("kstack") keys by the stack slot itself, which the plan then
 * captures into the record (as spec.stack would): not by its first word. */
static void test_kstack_key(void)
{
	static const char *const keys[] = { "comm", "kstack" };
	const struct lp_agg *a;
	struct lp_probe p;
	char err[256];
	unsigned data;

	if (!ASSERT_EQ(plan_of("kfree_skb.format", &p), 0, "plan"))
		return;
	data = p.plan.data_size;
	if (!ASSERT_EQ(agg(&p, LP_AF_COUNT, NULL, 2, keys, err, sizeof(err)), 0, err))
		goto out;
	a = &p.plan.agg[0];
	ASSERT_EQ(p.plan.stack, LP_STACK_KERNEL, "the stack is captured");
	ASSERT_EQ(p.plan.kstack_dst, data, "after the fields");
	ASSERT_EQ(p.plan.data_size, data + LP_STACK_SLOT, "in a slot of its own");
	ASSERT_EQ(a->nkeys, 2, "no hidden part for a kernel stack");
	ASSERT_EQ(a->keys[1].src, sizeof(struct lp_event_hdr) + data, "the slot's record offset");
	ASSERT_EQ(a->keys[1].size, LP_STACK_SLOT, "the whole slot: count and addresses");
	ASSERT_EQ(a->keys[1].dst, 16, "after comm");
	ASSERT_EQ(a->key_size, 16 + LP_STACK_SLOT, "key bytes");
	ASSERT_EQ(p.aggs[0].key_kind[1], LP_FK_KSTACK, "key kind");
	/* a second key by the same stack reads the same slot */
	if (ASSERT_EQ(agg(&p, LP_AF_HIST, "protocol", 1, keys + 1, err, sizeof(err)), 0, err)) {
		ASSERT_EQ(p.plan.data_size, data + LP_STACK_SLOT, "one slot");
		ASSERT_EQ(p.plan.agg[0].key_size, LP_STACK_SLOT + 8, "stack, then the bucket");
	}
out:
	probe_free_fields(&p);
}

/* A user stack brings its pid, after the parts as written. */
static void test_ustack_key(void)
{
	static const char *const keys[] = { "ustack", "reason" };
	const struct lp_agg *a;
	struct lp_probe p;
	char err[256];

	if (!ASSERT_EQ(plan_of("kfree_skb.format", &p), 0, "plan"))
		return;
	if (!ASSERT_EQ(agg(&p, LP_AF_SUM, "protocol", 2, keys, err, sizeof(err)), 0, err))
		goto out;
	a = &p.plan.agg[0];
	ASSERT_EQ(p.plan.stack, LP_STACK_USER | LP_STACK_NOTE,
		  "the user stack is captured, its first key from a process announced");
	ASSERT_EQ(a->nkeys, 3, "ustack, reason and the pid");
	ASSERT_EQ(a->keys[0].size, LP_STACK_SLOT, "the slot");
	ASSERT_EQ(a->keys[1].dst, LP_STACK_SLOT, "reason after it");
	ASSERT_EQ(a->keys[2].src, offsetof(struct lp_event_hdr, pid), "the pid's record offset");
	ASSERT_EQ(a->keys[2].size, 4, "a u32");
	ASSERT_EQ(a->keys[2].dst, LP_STACK_SLOT + 8, "last");
	ASSERT_EQ(a->key_size, LP_STACK_SLOT + 16, "key bytes");
out:
	probe_free_fields(&p);
}

/* What cannot be laid out is an error, and leaves no stack capture behind. */
static void test_stack_errors(void)
{
	static const char *const four[] = { "comm", "pid", "tid", "ustack" };
	static const char *const two[] = { "kstack", "ustack" };
	static const char *const one[] = { "kstack" };
	struct lp_probe p;
	char err[256];
	unsigned data;
	int nfields;

	if (!ASSERT_EQ(plan_of("kfree_skb.format", &p), 0, "plan"))
		return;
	data = p.plan.data_size;
	nfields = p.nfields;
	ASSERT_EQ(agg(&p, LP_AF_COUNT, NULL, 4, four, err, sizeof(err)), -E2BIG,
		  "4 keys and a pid");
	ASSERT_STREQ(err,
		     "a ustack key takes two of the 4 key parts (the stack and its pid): at "
		     "most 3 keys with it",
		     "message");
	ASSERT_EQ(p.plan.stack, 0, "no stack left captured");
	ASSERT_EQ(p.plan.data_size, data, "nor its slot");
	ASSERT_EQ(p.nfields, nfields, "nor its field");
	ASSERT_EQ(agg(&p, LP_AF_COUNT, NULL, 2, two, err, sizeof(err)), -E2BIG, "two stacks");
	ASSERT_STREQ(err,
		     "key too large (536 bytes; at most 512, and a stack takes 264: one stack "
		     "per key)",
		     "message");
	ASSERT_EQ(p.plan.stack, 0, "no stack left captured");
	ASSERT_EQ(agg(&p, LP_AF_SUM, "kstack", 0, NULL, err, sizeof(err)), -EINVAL,
		  "sum of a stack");
	ASSERT_EQ(p.plan.stack, 0, "no stack captured for a value");
	/* spec.stack's kstack is a field, and still no value */
	if (ASSERT_EQ(plan_stack(&p, LP_STACK_KERNEL), 0, "spec.stack")) {
		ASSERT_EQ(agg(&p, LP_AF_SUM, "kstack", 0, NULL, err, sizeof(err)), -EINVAL,
			  "sum of spec.stack's stack");
		ASSERT_STREQ(err, "'kstack' is a stack; aggregate an integer field", "message");
		ASSERT_EQ(agg(&p, LP_AF_SUM, "protocol", 1, one, err, sizeof(err)), 0,
			  "sum by kstack");
		ASSERT_EQ(p.plan.data_size, data + LP_STACK_SLOT, "in spec.stack's slot");
	}
	probe_free_fields(&p);
}

/* A string key part keeps its own bytes only: char name[10] is copied as
 * two words whose last six bytes (the next field's) are masked off (pad =
 * 10); char[4] is one exact load; char[6] fits no load and is refused. */
static void test_string_keys(void)
{
	static const char *const name[] = { "name" }, *const tag[] = { "tag" },
				 *const mid[] = { "mid" };
	const struct lp_keypart *kp;
	struct lp_probe p;
	char err[256];

	if (!ASSERT_EQ(plan_of("char_keys.format", &p), 0, "plan"))
		return;
	if (ASSERT_EQ(agg(&p, LP_AF_COUNT, NULL, 1, name, err, sizeof(err)), 0, err)) {
		kp = &p.plan.agg[0].keys[0];
		ASSERT_EQ(kp->size, 16, "char[10]: two words read");
		ASSERT_EQ(kp->pad, 10, "char[10]: ten bytes kept");
		ASSERT_EQ(p.aggs[0].key_kind[0], LP_FK_STR, "a string");
	}
	if (ASSERT_EQ(agg(&p, LP_AF_COUNT, NULL, 1, tag, err, sizeof(err)), 0, err)) {
		kp = &p.plan.agg[0].keys[0];
		ASSERT_EQ(kp->size, 4, "char[4]: one 4-byte load");
		ASSERT_EQ(kp->pad, 0, "unsigned");
	}
	ASSERT_EQ(agg(&p, LP_AF_COUNT, NULL, 1, mid, err, sizeof(err)), -EINVAL, "char[6]");
	ASSERT_STREQ(err,
		     "'mid' (char[6]) cannot be a key: a string key of at most 8 bytes takes 1, "
		     "2, 4 or 8",
		     "its message");
	probe_free_fields(&p);
}

TEST_MAIN(TEST(test_kstack_key), TEST(test_ustack_key), TEST(test_stack_errors),
	  TEST(test_string_keys))
