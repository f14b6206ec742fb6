/* --metrics: which addresses and names are taken (the served text itself
 * is checked end to end in tests/e2e/metrics/, against real maps). */
#include "run/metrics.h"
#include <errno.h>

#include "test.h"

static char err[256];

static void test_addresses(void)
{
	static const char *const good[] = { "127.0.0.1:9435", ":9435", "9435", "0.0.0.0:0",
					    "[::1]:80", "[::]:65535", "localhost:1" };
	static const char *const bad[] = { "",	      ":",	    "127.0.0.1:",
					   ":65536",  ":-1",	    ":80x",
					   "::1:80",  "[::1:80",    "[::1]80",
					   "a:b:c",   ":99999999999" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ASSERT_EQ(metrics_check_addr(good[i], err, sizeof(err)), 0, good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_EQ(metrics_check_addr(bad[i], err, sizeof(err)), -EINVAL, bad[i]);
	metrics_check_addr("x:y", err, sizeof(err));
	ASSERT_STREQ(err,
		     "'x:y' is not an address to serve metrics on: HOST:PORT, [IPV6]:PORT or "
		     ":PORT (HOST 127.0.0.1), PORT 0 to 65535",
		     "the message");
}

static void test_names(void)
{
	ASSERT_EQ(metrics_valid_name("netdrop_drops_total", 0), 1, "a metric name");
	ASSERT_EQ(metrics_valid_name("ns:sub_x", 0), 1, "a recording rule's colon");
	ASSERT_EQ(metrics_valid_name("ns:sub_x", 1), 0, "no colon in a label");
	ASSERT_EQ(metrics_valid_name("_x9", 1), 1, "a label");
	ASSERT_EQ(metrics_valid_name("9x", 0), 0, "a leading digit");
	ASSERT_EQ(metrics_valid_name("", 0), 0, "empty");
	ASSERT_EQ(metrics_valid_name("a-b", 0), 0, "a dash");
	ASSERT_EQ(metrics_valid_name("caf\xc3\xa9", 0), 0, "not ASCII");
}

TEST_MAIN(TEST(test_addresses), TEST(test_names))
