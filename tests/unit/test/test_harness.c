/* test.h itself: a test that skips with exit(77) after an earlier failure
 * must end with status 1, not be reported as skipped. Each case runs in a
 * forked child, whose failures stay its own. */
#include <stdlib.h>
#include <sys/wait.h>

#include "test.h"

/* Run fn in a child that then exits with `code`; its exit status. */
static int status_of(void (*fn)(void), int code)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		fn();
		exit(code);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void fail_one(void)
{
	fprintf(stderr, "(a deliberate failure in a child follows)\n");
	ASSERT_TRUE(0, "deliberate");
}

static void pass_one(void)
{
	ASSERT_TRUE(1, "nothing");
}

static void test_skip_after_failure(void)
{
	ASSERT_EQ(status_of(fail_one, 77), 1, "exit(77) after a failure");
	ASSERT_EQ(status_of(pass_one, 77), 77, "exit(77) with no failure");
	ASSERT_EQ(status_of(fail_one, 0), 1, "exit(0) after a failure");
}

TEST_MAIN(TEST(test_skip_after_failure))
