/* The one table of built-ins, and what the planner makes of it: "_pid"
 * reaches the built-in a field hides, header pruning follows the table,
 * byte arrays key whole. A fixed fake probe, no kernel. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include <luaprobe/event.h>

#include "plan/builtins.h"
#include "plan/plan.h"
#include "test.h"

static struct lp_field fields[] = {
	{ .name = "pid", .ctype = "pid_t", .off = 0, .size = 4, .elem = 4, .kind = LP_FK_INT },
	{ .name = "saddr",
	  .ctype = "__u8[4]",
	  .off = 4,
	  .size = 4,
	  .elem = 1,
	  .kind = LP_FK_UINTARRAY },
	{ .name = "saddr_v6",
	  .ctype = "__u8[16]",
	  .off = 8,
	  .size = 16,
	  .elem = 1,
	  .kind = LP_FK_UINTARRAY },
	{ .name = "mac",
	  .ctype = "unsigned char[6]",
	  .off = 24,
	  .size = 6,
	  .elem = 1,
	  .kind = LP_FK_UINTARRAY },
	{ .name = "args",
	  .ctype = "unsigned long[2]",
	  .off = 32,
	  .size = 16,
	  .elem = 8,
	  .kind = LP_FK_UINTARRAY },
};

static struct lp_probe probe = {
	.text = "tracepoint:test:ev", .fields = fields, .nfields = 5, .handler_ref = -2
};

#define HDR_OFF(f) offsetof(struct lp_event_hdr, f)
#define DATA(off) (sizeof(struct lp_event_hdr) + (off))

static void test_table(void)
{
	unsigned want = 0;
	int plain = -1;

	for (int i = 0; i < builtin_count; i++) {
		const struct lp_builtin *b = &builtin_table[i];

		ASSERT_TRUE(b->doc && b->ctype && b->name[0] != '_', "an entry");
		if (b->src == LP_BI_HDR)
			ASSERT_TRUE(b->off + b->size <= sizeof(struct lp_event_hdr),
				    "in the header");
		ASSERT_EQ((long long)(builtin_find(b->name, NULL) - builtin_table), i, "found");
		want |= b->want;
	}
	/* every header field the template may skip has its built-in */
	ASSERT_EQ(want, LP_W_ALL, "the LP_W_* flags of the table");
	ASSERT_STREQ(builtin_find("_comm", &plain)->name, "comm", "_comm");
	ASSERT_EQ(plain, 0, "_comm is not the plain name");
	ASSERT_STREQ(builtin_find("comm", &plain)->name, "comm", "comm");
	ASSERT_EQ(plain, 1, "comm is the plain name");
	ASSERT_TRUE(!builtin_find("__pid", NULL), "__pid is nothing");
	ASSERT_TRUE(!builtin_find("_", NULL), "_ is nothing");
	ASSERT_TRUE(!builtin_find("pid_", NULL), "pid_ is nothing");
}

static void test_operand(void)
{
	struct lp_operand op;

	ASSERT_EQ(plan_operand(&probe, "pid", &op), 0, "pid");
	ASSERT_EQ(op.off, DATA(0), "pid is the field");
	ASSERT_EQ(op.kind, LP_FK_INT, "the field's kind");
	ASSERT_EQ(plan_operand(&probe, "_pid", &op), 0, "_pid");
	ASSERT_EQ(op.off, HDR_OFF(pid), "_pid is the header's");
	ASSERT_EQ(op.size, 4, "_pid's size");
	ASSERT_EQ(plan_operand(&probe, "comm", &op), 0, "comm");
	ASSERT_EQ(op.off, HDR_OFF(comm), "comm, hidden by nothing, is the header's");
	ASSERT_EQ(op.kind, LP_FK_STR, "comm is a string");
	ASSERT_EQ(plan_operand(&probe, "_ts", &op), 0, "_ts");
	ASSERT_EQ(op.size, 8, "_ts is 8 bytes");
	ASSERT_EQ(plan_operand(&probe, "_probe", &op), -ENOENT, "probe is not in the record");
	ASSERT_EQ(plan_operand(&probe, "_kstack", &op), -ENOENT, "no stack without spec.stack");
	ASSERT_EQ(plan_operand(&probe, "_saddr", &op), -ENOENT, "_ is for built-ins only");
	ASSERT_EQ(plan_operand(&probe, "saddr", &op), 0, "a byte array");
	ASSERT_EQ(op.elem, 1, "its element");
	ASSERT_EQ(op.size, 4, "its length");
}

/* A probe without a handler fills only the header fields its filter reads. */
static void test_finish(void)
{
	struct lp_plan *pl = &probe.plan;

	memset(pl, 0, sizeof(*pl));
	pl->ninsn = 1;
	pl->insn[0] = (struct lp_insn){ .op = LP_OP_LD, .size = 4, .off = HDR_OFF(uid) };
	plan_finish(&probe);
	ASSERT_EQ(pl->want, LP_W_UID, "a filter on _uid");
	pl->insn[0] = (struct lp_insn){ .op = LP_OP_STREQ, .off = HDR_OFF(comm), .imm = 5 };
	plan_finish(&probe);
	ASSERT_EQ(pl->want, LP_W_COMM, "a filter on comm");
	pl->insn[0] = (struct lp_insn){ .op = LP_OP_LD, .size = 4, .off = HDR_OFF(pid) };
	plan_finish(&probe);
	ASSERT_EQ(pl->want, 0, "pid is always there");
	memset(pl, 0, sizeof(*pl));
}

/* Without a handler the copy of the record is cut to the bytes read,
 * widened to 8-byte boundaries of the record inside the copy: the template
 * reads short copies with direct loads. */
static void trim(unsigned src, unsigned size, unsigned rd_off, unsigned rd_size, int handler)
{
	struct lp_plan *pl = &probe.plan;

	memset(pl, 0, sizeof(*pl));
	probe.handler_ref = handler ? 1 : -2;
	pl->nfetch = 1;
	pl->fetch[0] = (struct lp_fetch){ .kind = LP_FETCH_CTX, .src = src, .size = size };
	pl->ninsn = 1;
	pl->insn[0] = (struct lp_insn){ .op = LP_OP_LD, .size = rd_size, .off = DATA(rd_off) };
	plan_finish(&probe);
	probe.handler_ref = -2;
}

static void test_trim(void)
{
	struct lp_fetch *f = &probe.plan.fetch[0];

	/* raw_syscalls' id and args: [8, 64); a u32 at record 28 */
	trim(8, 56, 20, 4, 0);
	ASSERT_EQ(f->src, 24, "cut to the word holding it: src");
	ASSERT_EQ(f->dst, 16, "dst moves with src");
	ASSERT_EQ(f->size, 8, "one word");
	/* a u64 at record 56: the last word */
	trim(8, 56, 48, 8, 0);
	ASSERT_EQ(f->src, 56, "the last word: src");
	ASSERT_EQ(f->size, 8, "the last word: size");
	/* a copy that starts and ends off a boundary: not widened past it
	 * (the record may end there) */
	trim(12, 18, 2, 2, 0);
	ASSERT_EQ(f->src, 12, "not before the copy");
	ASSERT_EQ(f->dst, 0, "its dst");
	ASSERT_EQ(f->size, 4, "up to record 16");
	trim(12, 18, 16, 2, 0);
	ASSERT_EQ(f->src, 24, "from record 24");
	ASSERT_EQ(f->size, 6, "to the copy's end, 30");
	/* a handler reads the whole record */
	trim(8, 56, 20, 4, 1);
	ASSERT_EQ(f->src, 8, "with a handler: src");
	ASSERT_EQ(f->size, 56, "with a handler: size");
	/* nothing read: nothing fetched */
	trim(8, 56, 60, 4, 0);
	ASSERT_EQ(probe.plan.nfetch, 0, "a read outside the copy");
	memset(&probe.plan, 0, sizeof(probe.plan));
}

static const char *agg(const char *key, struct lp_keypart *kp)
{
	static char err[256];
	struct lp_aggdef *d = &probe.aggs[0];

	memset(d, 0, sizeof(*d));
	memset(&probe.plan, 0, sizeof(probe.plan));
	d->fn = LP_AF_COUNT;
	d->keys[0] = (char *)key;
	d->nkeys = 1;
	err[0] = '\0';
	if (plan_agg(&probe, 0, err, sizeof(err)) == 0) {
		*kp = probe.plan.agg[0].keys[0];
		snprintf(err, sizeof(err), "ok %u %u kind %u", probe.plan.agg[0].key_size, kp->size,
			 d->key_kind[0]);
	}
	return err;
}

static void test_byte_keys(void)
{
	struct lp_keypart kp;
	char want[64];

	snprintf(want, sizeof(want), "ok 8 4 kind %d", LP_FK_UINTARRAY);
	ASSERT_STREQ(agg("saddr", &kp), want, "saddr: 4 bytes, read as one integer");
	ASSERT_EQ(kp.src, DATA(4), "from the field");
	snprintf(want, sizeof(want), "ok 16 16 kind %d", LP_FK_UINTARRAY);
	ASSERT_STREQ(agg("saddr_v6", &kp), want, "saddr_v6: two words");
	ASSERT_STREQ(agg("mac", &kp),
		     "'mac' (unsigned char[6]) cannot be a key: keys take arrays of 1, 2 or 4 "
		     "bytes or of whole 8-byte words",
		     "6 bytes would read a neighbour's");
	ASSERT_STREQ(agg("args", &kp),
		     "'args' (unsigned long[2]) cannot be a key: keys take arrays of 1, 2 or 4 "
		     "bytes or of whole 8-byte words",
		     "an array of integers");
	snprintf(want, sizeof(want), "ok 8 4 kind %d", LP_FK_UINT);
	ASSERT_STREQ(agg("_pid", &kp), want, "_pid");
	ASSERT_EQ(kp.src, HDR_OFF(pid), "_pid from the header");
}

static void test_hidden(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ASSERT_EQ(builtin_describe_hidden(&probe, f), 1, "lines");
	fclose(f);
	ASSERT_STREQ(text, "    (the field pid hides the built-in pid: use _pid)\n", "-L's note");
	free(text);
}

TEST_MAIN(TEST(test_table), TEST(test_operand), TEST(test_finish), TEST(test_trim),
	  TEST(test_byte_keys), TEST(test_hidden))
