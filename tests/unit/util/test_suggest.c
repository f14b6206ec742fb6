/* "did you mean": the nearest name, and the one helper every message
 * that suggests one goes through. */
#include <string.h>

#include "util/suggest.h"
#include "test.h"

static void test_closest(void)
{
	static const char *const cands[] = { "protocol", "pid", "comm", NULL };

	ASSERT_STREQ(suggest_closest("protocl", cands, 3), "protocol", "one edit");
	ASSERT_STREQ(suggest_closest("cmm", cands, 3), "comm", "short word, one edit");
	ASSERT_TRUE(suggest_closest("zzzzzzzz", cands, 3) == NULL, "nothing close");
	ASSERT_STREQ(suggest_closest("pd", cands, 99), "pid", "NULL-terminated list");
	ASSERT_EQ(suggest_distance("kitten", "sitting"), 3, "distance");
}

static void test_append(void)
{
	static const char *const cands[] = { "prio", "next" };
	char buf[64], small[24];

	strcpy(buf, "no field 'x'");
	ASSERT_STREQ(suggest_append(buf, sizeof(buf), "y"), "y", "returns the suggestion");
	ASSERT_STREQ(buf, "no field 'x' (did you mean 'y'?)", "appended");
	strcpy(buf, "no field 'x'");
	ASSERT_TRUE(suggest_append(buf, sizeof(buf), NULL) == NULL, "no suggestion");
	ASSERT_STREQ(buf, "no field 'x'", "unchanged");
	strcpy(small, "no member 'pri'");
	suggest_append_closest(small, sizeof(small), "pri", cands, 2);
	ASSERT_STREQ(small, "no member 'pri' (did yo", "cut to fit");
	strcpy(small, "01234567890123456789012");
	suggest_append(small, sizeof(small), "y");
	ASSERT_STREQ(small, "01234567890123456789012", "a full buffer is left alone");
	ASSERT_TRUE(suggest_append(small, 0, "y") != NULL, "len 0 writes nothing");
	strcpy(buf, "x");
	ASSERT_TRUE(suggest_append_closest(buf, sizeof(buf), "zzzz", cands, 2) == NULL,
		    "nothing close");
	ASSERT_STREQ(buf, "x", "nothing appended");
}

static void test_text(void)
{
	char buf[32];

	ASSERT_STREQ(suggest_text(buf, sizeof(buf), "return"), " (did you mean 'return'?)",
		     "as a %s argument");
	ASSERT_STREQ(suggest_text(buf, sizeof(buf), NULL), "", "empty without a suggestion");
}

TEST_MAIN(TEST(test_closest), TEST(test_append), TEST(test_text))
