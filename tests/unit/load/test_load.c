/* libbpf's messages as the loader keeps them: the last line of a refused
 * program's verifier log, kept in the session, never carried over to the
 * next load. libbpf's own print hook is driven directly with real lines. */
#include <stdarg.h>

#include <bpf/libbpf.h>

#include "load/load.h"
#include "session.h"
#include "test.h"

static struct lp_session s;
static libbpf_print_fn_t hook;

static void say(enum libbpf_print_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hook(level, fmt, ap);
	va_end(ap);
}

static void setup(void)
{
	load_init_logging(&s);
	hook = libbpf_set_print(NULL); /* ours, as load_init_logging set it */
	libbpf_set_print(hook);
}

static void refuse(const char *why)
{
	say(LIBBPF_WARN, "libbpf: prog '%s': BPF program load failed: %s\n", "lp_tp",
	    "Permission denied");
	say(LIBBPF_WARN, "libbpf: prog '%s': -- BEGIN PROG LOAD LOG --\n%s\n%s\n%s\n", "lp_tp",
	    "0: R1=ctx() R10=fp0", why, "processed 12 insns (limit 1000000)");
	say(LIBBPF_WARN, "libbpf: prog '%s': -- END PROG LOAD LOG --\n", "lp_tp");
}

static void test_last_line(void)
{
	setup();
	ASSERT_STREQ(load_last_error(), "", "nothing yet");
	refuse("R1 invalid mem access 'scalar'");
	ASSERT_STREQ(load_last_error(), "R1 invalid mem access 'scalar'", "the verifier's line");
	ASSERT_TRUE(load_last_error() == s.load_error, "kept in the session");
	say(LIBBPF_DEBUG, "libbpf: %s\n", "debug lines are not errors");
	ASSERT_STREQ(load_last_error(), "R1 invalid mem access 'scalar'", "after a debug line");
}

static void test_cleared(void)
{
	setup();
	refuse("R1 invalid mem access 'scalar'");
	load_error_clear();
	ASSERT_STREQ(load_last_error(), "", "cleared before the next load");
	/* A second log starts afresh, whatever came before it. */
	refuse("R2 type=scalar expected=fp");
	say(LIBBPF_WARN, "libbpf: prog '%s': -- BEGIN PROG LOAD LOG --\n", "lp_tp");
	ASSERT_STREQ(load_last_error(), "", "a new log starts empty");
}

TEST_MAIN(TEST(test_last_line), TEST(test_cleared))
