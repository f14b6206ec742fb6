/* How a -c command line runs: plain words exec'd directly, one shell command
 * exec'd by the shell (so that its pid is the command's), anything more
 * left to the shell (and the shell is the target). */
#include "run/child.h"
#include "test.h"

static char buf[512];

static int shape(const char *cmd)
{
	buf[0] = '\0';
	return child_shape(cmd, buf, sizeof(buf));
}

static void test_plain(void)
{
	ASSERT_EQ(shape("/bin/prog arg 12"), 0, "plain words");
	ASSERT_EQ(shape("  prog  "), 0, "blanks around");
}

static void test_one_command(void)
{
	static const struct {
		const char *cmd, *script;
	} cases[] = {
		{ "prog arg >/dev/null", "exec prog arg >/dev/null" },
		{ "prog >/dev/null 2>&1 </dev/null", "exec prog >/dev/null 2>&1 </dev/null" },
		{ "prog 0<&- >|out", "exec prog 0<&- >|out" },
		{ "prog \"a;b|c\" 'd&e' f\\;g", "exec prog \"a;b|c\" 'd&e' f\\;g" },
		{ "X=1 Y='a b' prog $X", "X=1 Y='a b' exec prog $X" },
		{ "prog $(cat args; echo x) `a|b` ${V:-1}",
		  "exec prog $(cat args; echo x) `a|b` ${V:-1}" },
		{ "prog *.c # a comment; not a list", "exec prog *.c # a comment; not a list" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(shape(cases[i].cmd), 1, cases[i].cmd);
		ASSERT_STREQ(buf, cases[i].script, cases[i].cmd);
	}
}

static void test_more_than_one(void)
{
	static const char *const cmds[] = {
		"a; b",
		"a && b",
		"a || b",
		"a | b",
		"a &",
		"(a)",
		"a\nb",
		"if a; then b; fi",
		"{ a; }",
		"! a",
		"X=1",
		"a &>x",
		"for i in 1; do a; done",
		"a 'open",
		"a $(b",
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		ASSERT_EQ(shape(cmds[i]), 2, cmds[i]);
}

TEST_MAIN(TEST(test_plain), TEST(test_one_command), TEST(test_more_than_one))
