/* Quoted input in messages, cut to MSG_CUT_LEN characters and "...". */
#include <string.h>

#include "util/cut.h"
#include "test.h"

static void test_cut(void)
{
	char long_point[600], expect[800], buf[1000];

	memset(long_point, 'x', 500);
	long_point[500] = '\0';
	snprintf(buf, sizeof(buf), "-e:1: probe '%s': unknown probe type", long_point);
	msg_cut_quotes(buf);
	snprintf(expect, sizeof(expect), "-e:1: probe '%.200s...': unknown probe type", long_point);
	ASSERT_STREQ(buf, expect, "a long point, cut");

	strcpy(buf, "probe 'tracepoint:a:b': no tracepoint 'a:b'");
	msg_cut_quotes(buf);
	ASSERT_STREQ(buf, "probe 'tracepoint:a:b': no tracepoint 'a:b'", "short quotes stay");

	/* the apostrophe of tracepoint's opens nothing; no quote spans lines */
	snprintf(buf, sizeof(buf),
		 "probe 'p': cannot read the tracepoint's format: Permission denied: luaprobe "
		 "needs root (or CAP_BPF and CAP_PERFMON, and read access to tracefs)\n"
		 "stack traceback:\n\t[C]: in function 'probe'");
	strcpy(expect, buf);
	msg_cut_quotes(buf);
	ASSERT_STREQ(buf, expect, "apostrophes and tracebacks stay");

	/* a quoted run holding quotes of its own (a SystemTap point) */
	snprintf(buf, sizeof(buf), "probe 'kernel.function(\"%s\")': x", long_point);
	msg_cut_quotes(buf);
	snprintf(expect, sizeof(expect), "probe 'kernel.function(\"%.183s...': x", long_point);
	ASSERT_STREQ(buf, expect, "a SystemTap point, cut");

	/* MSG_CUT_LEN + 3 characters: cutting would not make it shorter */
	snprintf(buf, sizeof(buf), "'%.203s'", long_point);
	strcpy(expect, buf);
	msg_cut_quotes(buf);
	ASSERT_STREQ(buf, expect, "MSG_CUT_LEN + 3 characters stay");

	strcpy(buf, "an 'unterminated quote");
	msg_cut_quotes(buf);
	ASSERT_STREQ(buf, "an 'unterminated quote", "unterminated");
	snprintf(buf, sizeof(buf), "no field '%s\nnext 'line'", long_point);
	msg_cut_quotes(buf);
	snprintf(expect, sizeof(expect), "no field '%.200s...\nnext 'line'", long_point);
	ASSERT_STREQ(buf, expect, "a long unterminated quote, cut to its line");
	buf[0] = '\0';
	msg_cut_quotes(buf);
	ASSERT_STREQ(buf, "", "empty");
	strcpy(buf, "'");
	msg_cut_quotes(buf);
	ASSERT_STREQ(buf, "'", "a lone quote");
}

TEST_MAIN(TEST(test_cut))
