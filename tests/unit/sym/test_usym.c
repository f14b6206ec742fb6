/* User symbolization of this very process, and contexts that are
 * independent of each other (the session owns one; nothing is global). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "sym/usym.h"
#include "test.h"

/* A function of this very test, symbolized in this very process. */
__attribute__((noinline)) int usym_target(int x)
{
	return x * 3 + 1;
}

static void test_usym(void)
{
	struct lp_usym *u = usym_new();
	uint64_t a = (uint64_t)(uintptr_t)&usym_target;
	char buf[256];

	if (!ASSERT_TRUE(u != NULL, "usym_new"))
		return;
	ASSERT_EQ(usym_format(u, getpid(), a, buf, sizeof(buf)), 0, "usym_format");
	ASSERT_TRUE(!strncmp(buf, "usym_target (test_usym.c:", 25), "name and line at offset 0");
	fprintf(stderr, "  usym: %s\n", buf);
	ASSERT_EQ(usym_format(u, getpid(), a + 4, buf, sizeof(buf)), 0, "usym_format +4");
	ASSERT_TRUE(!strncmp(buf, "usym_target+0x4", 15), "name+offset");
	ASSERT_EQ(usym_format(u, getpid(), 0x10, buf, sizeof(buf)), -ENOENT, "unmapped address");
	ASSERT_STREQ(buf, "0x10", "hex for an unknown address");
	ASSERT_EQ(usym_format(u, getpid(), a, buf, 8), -ENOSPC, "small buffer");
	ASSERT_EQ(usym_format(u, 999999999, a, buf, sizeof(buf)), -ESRCH, "no such pid");
	ASSERT_EQ(usym_target(1), 4, "usym_target itself");
	usym_flush(u);
	ASSERT_EQ(usym_format(u, getpid(), a + 4, buf, sizeof(buf)), 0, "after a flush");
	usym_free(u);
}

/* Two contexts hold their own processes: flushing or freeing one leaves
 * the other answering; LSan (the ASan build) checks both are freed. */
static void test_two_contexts(void)
{
	struct lp_usym *u1 = usym_new(), *u2 = usym_new();
	uint64_t a = (uint64_t)(uintptr_t)&usym_target;
	char b1[256], b2[256];

	if (!ASSERT_TRUE(u1 && u2 && u1 != u2, "two contexts"))
		goto out;
	ASSERT_EQ(usym_format(u1, getpid(), a, b1, sizeof(b1)), 0, "first");
	ASSERT_EQ(usym_format(u2, getpid(), a, b2, sizeof(b2)), 0, "second");
	ASSERT_STREQ(b1, b2, "same answer");
	usym_free(u1);
	u1 = NULL;
	ASSERT_EQ(usym_format(u2, getpid(), a + 4, b2, sizeof(b2)), 0,
		  "second after the first is freed");
	ASSERT_TRUE(!strncmp(b2, "usym_target+0x4", 15), "second still names it");
out:
	usym_free(u1);
	usym_free(u2);
}

static void test_null(void)
{
	char buf[16] = "x";

	ASSERT_EQ(usym_format(NULL, getpid(), 0x10, buf, sizeof(buf)), -ENOMEM, "NULL context");
	ASSERT_STREQ(buf, "", "nothing written");
	usym_flush(NULL);
	usym_free(NULL);
}

TEST_MAIN(TEST(test_usym), TEST(test_two_contexts), TEST(test_null))
