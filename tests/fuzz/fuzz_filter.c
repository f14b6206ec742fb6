/* The where compiler against a fixed fake probe (the environment of
 * tests/unit/plan/test_filter.c): any text compiles within the plan's
 * bounds or ends in a message. */
#include "fuzz.h"

#include <errno.h>
#include <stdio.h>

#include "plan/filter.h"
#include "probe.h"
#include "util/suggest.h"

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
	if (!strcmp(name, "UNHANDLED_PROTO")) {
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
	out[1] = (struct lp_range){ 0x5000, 0x5400 };
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lp_plan plan;
	struct filter_env env = { NULL,		 fake_operand, fake_suggest,
				  fake_constant, fake_ranges,  fake_explain };
	char *text = fuzz_text(data, size), err[512];
	int used = 0, ret;

	env.target = 42;
	env.target_used = &used;
	memset(&plan, 0, sizeof(plan));
	err[0] = '\0';
	ret = filter_compile(text, &env, &plan, err, sizeof(err));
	if (ret == 0 && (plan.ninsn < 1 || plan.ninsn > LP_MAX_INSN)) {
		fprintf(stderr, "a filter of %d operations\n", plan.ninsn);
		abort();
	}
	if (ret && !err[0]) {
		fprintf(stderr, "filter_compile failed without a message\n");
		abort();
	}
	free(text);
	return 0;
}
