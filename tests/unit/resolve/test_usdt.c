/* USDT argument specs as <sys/sdt.h> writes them (x86-64 assembler
 * syntax), to the locations the pt_regs template follows; and the notes
 * of a real file, checked against readelf -n. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/usdt.h"
#include "test.h"

static int fake_sym(void *ctx, const char *name, uint64_t *addr)
{
	(void)ctx;
	if (strcmp(name, "gs"))
		return -ENOENT;
	*addr = 0x4000;
	return 0;
}

static void test_args(void)
{
	struct lp_loc l;
	char err[256];

	ASSERT_EQ(usdt_parse_arg("-4@%edi", 0x1000, NULL, NULL, &l, err, sizeof(err)), 0, err);
	ASSERT_TRUE(l.start == LP_LOC_REG && l.reg == 5 && l.size == 4 && l.is_signed, "-4@%edi");
	ASSERT_EQ(usdt_parse_arg("1@%r8b", 0x1000, NULL, NULL, &l, err, sizeof(err)), 0, err);
	ASSERT_TRUE(l.start == LP_LOC_REG && l.reg == 8 && l.size == 1 && !l.is_signed, "1@%r8b");
	ASSERT_EQ(usdt_parse_arg("8@-16(%rbp)", 0x1000, NULL, NULL, &l, err, sizeof(err)), 0, err);
	ASSERT_TRUE(l.start == LP_LOC_ADDR && l.reg == 6 && l.base_off == -16 && l.size == 8,
		    "8@-16(%rbp)");
	ASSERT_EQ(usdt_parse_arg("-2@(%rsp)", 0x1000, NULL, NULL, &l, err, sizeof(err)), 0, err);
	ASSERT_TRUE(l.start == LP_LOC_ADDR && l.reg == 7 && l.base_off == 0 && l.is_signed,
		    "-2@(%rsp)");
	ASSERT_EQ(usdt_parse_arg("-4@$-5", 0x1000, NULL, NULL, &l, err, sizeof(err)), 0, err);
	ASSERT_TRUE(l.start == LP_LOC_CONST && l.base_off == -5 && l.size == 4, "-4@$-5");
	/* a global: rip at the marker plus the distance from it */
	ASSERT_EQ(usdt_parse_arg("-8@8+gs(%rip)", 0x1000, fake_sym, NULL, &l, err, sizeof(err)), 0,
		  err);
	ASSERT_TRUE(l.start == LP_LOC_ADDR && l.reg == 16 && l.base_off == 0x3008, "8+gs(%rip)");
	ASSERT_EQ(usdt_parse_arg("8@gs-4(%rip)", 0x1000, fake_sym, NULL, &l, err, sizeof(err)), 0,
		  err);
	ASSERT_TRUE(l.base_off == 0x2ffc, "gs-4(%rip)");
	/* what no lp_loc reads: refused with why */
	ASSERT_EQ(usdt_parse_arg("1@%ah", 0, NULL, NULL, &l, err, sizeof(err)), -EOPNOTSUPP, "%ah");
	ASSERT_STREQ(err, "register '%ah' is not one luaprobe can read", "%ah message");
	ASSERT_EQ(usdt_parse_arg("8@(%rax,%rbx,8)", 0, NULL, NULL, &l, err, sizeof(err)),
		  -EOPNOTSUPP, "indexed");
	ASSERT_EQ(usdt_parse_arg("8@nosuch(%rip)", 0, fake_sym, NULL, &l, err, sizeof(err)),
		  -ENOENT, "unknown symbol");
	ASSERT_EQ(usdt_parse_arg("3@%eax", 0, NULL, NULL, &l, err, sizeof(err)), -EINVAL, "size 3");
}

/* The markers of the usdt fixture against readelf's view of its notes. */
static void test_notes(void)
{
	struct lp_usdt_note *n = NULL;
	char err[256], cmd[512], line[512];
	int count = usdt_notes(FIXTURE_USDT, &n, err, sizeof(err)), seen = 0;
	FILE *f;

	if (!ASSERT_EQ(count, 7, "markers in the fixture")) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	snprintf(cmd, sizeof(cmd), "readelf -n %s", FIXTURE_USDT);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long loc, base, sema;
		char name[64];
		static char prov[64];

		if (sscanf(line, " Provider: %63s", prov) == 1)
			continue;
		if (sscanf(line, " Name: %63s", name) == 1) {
			for (int i = 0; i < count; i++)
				if (!strcmp(n[i].name, name) && !strcmp(n[i].provider, prov))
					seen = i + 1;
		} else if (seen && sscanf(line, " Location: %llx, Base: %llx, Semaphore: %llx",
					  &loc, &base, &sema) == 3) {
			ASSERT_EQ(n[seen - 1].pc, loc, "marker address");
			ASSERT_EQ(n[seen - 1].sema, sema, "semaphore address");
		} else if (seen && sscanf(line, " Arguments: %511[^\n]", line) == 1) {
			ASSERT_STREQ(n[seen - 1].args, line, "argument spec");
			seen = 0;
		}
	}
	if (f)
		pclose(f);
	for (int i = 0; i < count; i++) {
		ASSERT_TRUE(!strcmp(n[i].provider, "lpfx") || !strcmp(n[i].name, "twice"),
			    "provider");
		ASSERT_STREQ(n[i].bad, NULL, "why a marker cannot be read");
		ASSERT_EQ(n[i].sema != 0, !strcmp(n[i].name, "guarded"), "only guarded has one");
		if (!strcmp(n[i].name, "stack"))
			ASSERT_EQ(n[i].nargs, 8, "stack's arguments");
	}
	usdt_notes_free(n, count);
	ASSERT_TRUE(usdt_notes("/nonexistent", &n, err, sizeof(err)) == -ENOENT, "no file");
}

TEST_MAIN(TEST(test_args), TEST(test_notes))
