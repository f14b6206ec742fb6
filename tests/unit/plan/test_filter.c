/* The where compiler: exact programs for known expressions, and the column
 * of every error. The environment is a fixed fake probe. */
#include <errno.h>

#include "plan/filter.h"
#include "probe.h"
#include "util/suggest.h"
#include "test.h"

static const struct {
	const char *name;
	struct lp_operand op;
} names[] = {
	{ "comm", { 32, 16, LP_FK_STR } },
	{ "pid", { 8, 4, LP_FK_UINT } },
	{ "protocol", { 72, 2, LP_FK_UINT } },
	{ "reason", { 76, 4, LP_FK_UINT, "enum skb_drop_reason" } },
	{ "delta", { 80, 4, LP_FK_INT } },
	{ "location", { 56, 8, LP_FK_UINT } },
	{ "saddr", { 84, 4, LP_FK_UINTARRAY, "__u8[4]", 1 } },
	{ "args", { 88, 16, LP_FK_UINTARRAY, "unsigned long[2]", 8 } },
	{ "f->hdr.len", { 88, 2, LP_FK_UINT } },
	{ "a->b[2].n", { 96, 4, LP_FK_INT } },
	{ "$retval", { 104, 8, LP_FK_INT } },
};

static int fake_operand(void *ctx, const char *name, struct lp_operand *op)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, name)) {
			*op = names[i].op;
			return 0;
		}
	return -ENOENT;
}

static const char *fake_suggest(void *ctx, const char *name)
{
	const char *c[] = { "comm", "pid", "protocol", "reason", "delta", "location" };

	(void)ctx;
	return suggest_closest(name, c, 6);
}

static int fake_constant(void *ctx, const char *name, const char *hint, long long *val, char *err,
			 size_t len)
{
	(void)ctx;
	if (hint && !strcmp(hint, "enum skb_drop_reason") && !strcmp(name, "NO_SOCKET")) {
		*val = 3;
		return 0;
	}
	if (!strcmp(name, "UNHANDLED_PROTO") || !strcmp(name, "SKB_DROP_REASON_UNHANDLED_PROTO")) {
		*val = 74;
		return 0;
	}
	if (!strcmp(name, "NO_SOCKET")) {
		snprintf(err, len, "it names a value in enum a, enum b");
		return -EEXIST;
	}
	return -ENOENT;
}

static int fake_ranges(void *ctx, const char *func, struct lp_range *out, int max, char *why,
		       size_t whylen)
{
	(void)ctx;
	if (strcmp(func, "__netif_receive_skb_core") || max < 2) {
		snprintf(why, whylen, "no kernel function '%s'", func);
		return -ENOENT;
	}
	out[0] = (struct lp_range){ 0x1000, 0x2000 };
	out[1] = (struct lp_range){ 0x5000, 0x5400 }; /* .constprop.0 */
	return 2;
}

static int fake_explain(void *ctx, const char *expr, char *err, size_t len)
{
	(void)ctx;
	if (strcmp(expr, "f->pri"))
		return -ENOENT;
	snprintf(err, len, "fetch 'f->pri': struct frame has no member 'pri'");
	return 0;
}

static const struct filter_env env = { NULL,	      fake_operand, fake_suggest,
				       fake_constant, fake_ranges,  fake_explain };

static struct lp_plan plan;
static char err[256];

static int compile(const char *text)
{
	memset(&plan, 0, sizeof(plan));
	err[0] = '\0';
	return filter_compile(text, &env, &plan, err, sizeof(err));
}

#define INSN(i, o, sz, of, ax, im)                            \
	do {                                                  \
		ASSERT_EQ(plan.insn[i].op, o, "op " #i);      \
		ASSERT_EQ(plan.insn[i].size, sz, "size " #i); \
		ASSERT_EQ(plan.insn[i].off, of, "off " #i);   \
		ASSERT_EQ(plan.insn[i].aux, ax, "aux " #i);   \
		ASSERT_EQ(plan.insn[i].imm, im, "imm " #i);   \
	} while (0)

static void test_string_compare(void)
{
	if (!ASSERT_EQ(compile("comm == \"sshd\""), 0, "compile"))
		return;
	ASSERT_EQ(plan.ninsn, 1, "one string compare");
	INSN(0, LP_OP_STREQ, 0, 32, 0, 5);
	ASSERT_TRUE(memcmp(&plan.strpool[0], "sshd\0\0\0\0", 8) == 0, "literal, zero-padded");

	if (!ASSERT_EQ(compile("\"bash\" != comm"), 0, "reversed, negated"))
		return;
	ASSERT_EQ(plan.ninsn, 2, "compare and not");
	INSN(0, LP_OP_STREQ, 0, 32, 0, 5);
	INSN(1, LP_OP_NOT, 0, 0, 0, 0);

	/* 16 bytes with the NUL cannot fit comm's 16: never equal, no load. */
	ASSERT_EQ(compile("comm == \"0123456789abcdef\""), 0, "too long for the field");
	INSN(0, LP_OP_IMM, 0, 0, 0, 0);
}

static void test_precedence(void)
{
	/* && binds tighter than ||; both sides are evaluated (no jumps). */
	if (!ASSERT_EQ(compile("pid == 1 || protocol != 0x88b5 && !delta"), 0, "compile"))
		return;
	ASSERT_EQ(plan.ninsn, 10, "ops");
	INSN(0, LP_OP_LD, 4, 8, 0, 0);
	INSN(1, LP_OP_IMM, 0, 0, 0, 1);
	INSN(2, LP_OP_EQ, 0, 0, 0, 0);
	INSN(3, LP_OP_LD, 2, 72, 0, 0);
	INSN(4, LP_OP_IMM, 0, 0, 0, 0x88b5);
	INSN(5, LP_OP_NE, 0, 0, 0, 0);
	INSN(6, LP_OP_LD, 4, 80, 1, 0); /* signed load */
	INSN(7, LP_OP_NOT, 0, 0, 0, 0);
	INSN(8, LP_OP_LAND, 0, 0, 0, 0);
	INSN(9, LP_OP_LOR, 0, 0, 0, 0);
}

static void test_signedness(void)
{
	ASSERT_EQ(compile("delta < -5"), 0, "signed field");
	INSN(1, LP_OP_IMM, 0, 0, 0, -5);
	INSN(2, LP_OP_LT, 0, 0, 0, 0);
	ASSERT_EQ(compile("location >= 0xffffffff81000000"), 0, "unsigned field");
	INSN(2, LP_OP_UGE, 0, 0, 0, 0);
	ASSERT_EQ(compile("(protocol & 0xff00) == 'A' << 8") != 0, 1, "no shifts");
	ASSERT_EQ(compile("(protocol & 0xff00) == 0x4100 | 'A'"), 0, "char literal");
	INSN(5, LP_OP_IMM, 0, 0, 0, 'A');
}

static void test_enums_and_ranges(void)
{
	ASSERT_EQ(compile("reason == UNHANDLED_PROTO"), 0, "enum by suffix");
	INSN(1, LP_OP_IMM, 0, 0, 0, 74);
	ASSERT_EQ(compile("location in \"__netif_receive_skb_core\""), 0, "in");
	ASSERT_EQ(plan.ninsn, 2, "load and range test");
	INSN(0, LP_OP_LD, 8, 56, 0, 0);
	INSN(1, LP_OP_INRANGE, 2, 0, 0, 0);
	ASSERT_EQ(plan.ranges[1].lo, 0x5000, "clone's range");
}

static void test_errors(void)
{
	ASSERT_EQ(compile("protocl == 1"), -EINVAL, "misspelt");
	ASSERT_STREQ(err, "column 1: unknown name 'protocl' (did you mean 'protocol'?)", "msg");
	ASSERT_EQ(compile("pid == 1 &&"), -EINVAL, "short");
	ASSERT_STREQ(err, "column 12: expression ends too early", "msg");
	ASSERT_EQ(compile("comm == \"ssh"), -EINVAL, "unterminated");
	ASSERT_STREQ(err, "column 9: unterminated string", "msg");
	ASSERT_EQ(compile("pid == 1 )"), -EINVAL, "trailing");
	ASSERT_STREQ(err, "column 10: unexpected ')'", "msg");
	ASSERT_EQ(compile("comm < \"a\""), -EINVAL, "string order");
	ASSERT_STREQ(err, "column 1: a string is only compared with == or != to a string", "msg");
	ASSERT_EQ(compile("reason == NO_SOCKET"), 0, "the field's own enum decides");
	INSN(1, LP_OP_IMM, 0, 0, 0, 3);
	ASSERT_EQ(compile("pid == NO_SOCKET"), -EINVAL, "ambiguous");
	ASSERT_STREQ(err, "column 8: 'NO_SOCKET' is ambiguous: it names a value in enum a, enum b",
		     "msg");
	ASSERT_EQ(compile("location in \"nosuch\""), -EINVAL, "no function");
	ASSERT_STREQ(err, "column 13: no kernel function 'nosuch'", "msg");
	ASSERT_EQ(compile("comm"), -EINVAL, "bare string");
	ASSERT_STREQ(err, "column 1: a string is not a condition; compare it: comm == \"x\"",
		     "msg");
	ASSERT_EQ(compile("pid == 12ab"), -EINVAL, "bad number");
	ASSERT_STREQ(err, "column 8: bad number", "msg");
	ASSERT_EQ(plan.ninsn, 0, "nothing left on error");
}

static void test_limits(void)
{
	char big[1024] = "pid == 1";

	for (int i = 0; i < 20; i++)
		strcat(big, " || pid == 1");
	ASSERT_EQ(compile(big), -E2BIG, "too many ops");
	ASSERT_STREQ(err, "column 106: filter too long (at most 32 operations)", "msg");
	ASSERT_EQ(compile("((((((((pid + 1))))))))") != 0, 1, "no arithmetic");
	ASSERT_EQ(compile("pid == 1 && (pid == 2 && (pid == 3 && (pid == 4 && (pid == 5 && "
			  "(pid == 6 && (pid == 7 && pid == 8)))))))"),
		  -EINVAL, "too deep");
	ASSERT_TRUE(strstr(err, "nested too deeply") != NULL, "depth msg");
}

/* An array is no integer: loading 4 of its bytes would compare the wrong thing. */
static void test_arrays(void)
{
	ASSERT_EQ(compile("pid == 1 && saddr == 0x0100007f"), -EINVAL, "a byte array");
	ASSERT_STREQ(err,
		     "column 13: 'saddr' is an array of bytes: a filter compares integers and "
		     "strings (read it in a handler)",
		     "its message");
	ASSERT_EQ(plan.ninsn, 0, "no program");
	ASSERT_EQ(compile("args"), -EINVAL, "an array of integers");
	ASSERT_STREQ(err,
		     "column 1: 'args' is an array: a filter compares integers and strings (read "
		     "it in a handler)",
		     "its message");
}

/* `target`: the -p/-c process as a constant of the plan; an error without one. */
static void test_target(void)
{
	struct filter_env with = env;

	with.target = 4242;
	memset(&plan, 0, sizeof(plan));
	if (!ASSERT_EQ(filter_compile("pid == target", &with, &plan, err, sizeof(err)), 0,
		       "compile with a target"))
		return;
	ASSERT_EQ(plan.ninsn, 3, "ops");
	INSN(0, LP_OP_LD, 4, 8, 0, 0);
	INSN(1, LP_OP_IMM, 0, 0, 0, 4242);
	INSN(2, LP_OP_EQ, 0, 0, 0, 0);
	ASSERT_EQ(compile("pid == target"), -EINVAL, "no target");
	ASSERT_STREQ(err,
		     "column 8: 'target' is the process of -p PID or -c CMD, and neither was given",
		     "msg");
}

/* A fetch expression is one operand, asked for as written; "->" only
 * right after a name, with a name after it. */
static void test_fetch_expressions(void)
{
	if (!ASSERT_EQ(compile("f->hdr.len == 3 && a->b[2].n < -1 && $retval"), 0, "compile"))
		return;
	INSN(0, LP_OP_LD, 2, 88, 0, 0);
	INSN(3, LP_OP_LD, 4, 96, 1, 0);
	INSN(7, LP_OP_LD, 8, 104, 1, 0);
	ASSERT_EQ(compile("pid->x"), -EINVAL, "no such expression");
	ASSERT_STREQ(err,
		     "column 1: unknown name 'pid->x': not a field, a built-in or an enum constant",
		     "msg");
	ASSERT_EQ(compile("f->pri == 1"), -EINVAL, "the probe says why");
	ASSERT_STREQ(err, "column 1: fetch 'f->pri': struct frame has no member 'pri'", "msg");
	ASSERT_EQ(compile("pid - >1"), -EINVAL, "minus then greater-than");
	ASSERT_STREQ(err, "column 5: unexpected '- >1'", "msg");
	ASSERT_EQ(compile("a->b[x].n"), -EINVAL, "index by a constant only");
}

/* Deep nesting is a message, not the end of the C stack (10,000 '(' or
 * 100,000 '!' overflowed it); -(-2^63) folds without a signed overflow. */
static void test_hostile(void)
{
	static char text[200002];

	memset(text, '(', 10000);
	strcpy(text + 10000, "1");
	memset(text + 10001, ')', 10000);
	text[20001] = '\0';
	ASSERT_EQ(compile(text), -EINVAL, "10000 '('");
	ASSERT_STREQ(err,
		     "column 65: filter nested too deeply (at most 64 parentheses and unary "
		     "operators inside one another)",
		     "message for 10000 '('");
	memset(text, '!', 100000);
	strcpy(text + 100000, "pid");
	ASSERT_EQ(compile(text), -EINVAL, "100000 '!'");
	memset(text, '-', 100000);
	strcpy(text + 100000, "1");
	ASSERT_EQ(compile(text), -EINVAL, "100000 '-'");
	/* 64 levels are still a filter */
	memset(text, '(', 64);
	strcpy(text + 64, "pid");
	memset(text + 67, ')', 64);
	text[131] = '\0';
	ASSERT_EQ(compile(text), 0, "64 '('");
	if (!ASSERT_EQ(compile("delta == -9223372036854775808"), 0, "-2^63"))
		return;
	INSN(1, LP_OP_IMM, 0, 0, 0, (long long)(-9223372036854775807LL - 1));
	ASSERT_EQ(compile("delta == 18446744073709551616"), -EINVAL, "2^64");
	ASSERT_STREQ(err, "column 10: bad number", "message for 2^64");
}

TEST_MAIN(TEST(test_string_compare), TEST(test_fetch_expressions), TEST(test_precedence),
	  TEST(test_signedness), TEST(test_enums_and_ranges), TEST(test_errors), TEST(test_limits),
	  TEST(test_arrays), TEST(test_target), TEST(test_hostile))
