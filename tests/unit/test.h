/* A small test framework in the style of the kernel's test_progs: named
 * asserts that print what was expected and what came, and return bool so a
 * test can stop at the first failure. One executable per module; main() runs
 * the TESTS list and exits 0, or 1 on any failure. A test that cannot run
 * here calls exit(77) (skipped), which becomes 1 if a failure came before:
 * a skip never hides a failure. */
#ifndef LUAPROBE_TEST_H
#define LUAPROBE_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int test_failures;
static const char *test_current;

static inline bool test_check(bool ok, const char *file, int line, const char *what)
{
	if (!ok) {
		test_failures++;
		fprintf(stderr, "%s:%d: %s: FAILED %s\n", file, line, test_current, what);
	}
	return ok;
}

#define ASSERT_TRUE(cond, name) \
	test_check((cond), __FILE__, __LINE__, "unexpected " name ": " #cond)

#define ASSERT_EQ(actual, expected, name)                                                          \
	({                                                                                         \
		long long a_ = (long long)(actual), e_ = (long long)(expected);                    \
		if (a_ != e_)                                                                      \
			fprintf(stderr, "unexpected %s: actual %lld != expected %lld\n", name, a_, \
				e_);                                                               \
		test_check(a_ == e_, __FILE__, __LINE__, name);                                    \
	})

#define ASSERT_STREQ(actual, expected, name)                                                   \
	({                                                                                     \
		const char *a_ = (actual), *e_ = (expected);                                   \
		bool ok_ = (a_ && e_) ? strcmp(a_, e_) == 0 : a_ == e_;                        \
		if (!ok_)                                                                      \
			fprintf(stderr, "unexpected %s: actual '%s' != expected '%s'\n", name, \
				a_ ? a_ : "(null)", e_ ? e_ : "(null)");                       \
		test_check(ok_, __FILE__, __LINE__, name);                                     \
	})

/* Registered by TEST_MAIN: an exit(77) (or any exit) after a failure
 * exits 1. */
static inline void test_atexit(void)
{
	if (!test_failures)
		return;
	fflush(NULL);
	fprintf(stderr, "%d failure(s) before the exit: status 1\n", test_failures);
	_exit(1);
}

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define TEST_MAIN(...)                                                          \
	int main(void)                                                          \
	{                                                                       \
		static const struct test_case cases[] = { __VA_ARGS__ };        \
		int n = sizeof(cases) / sizeof(cases[0]), failed = 0;           \
		atexit(test_atexit);                                            \
		for (int i = 0; i < n; i++) {                                   \
			int before = test_failures;                             \
			test_current = cases[i].name;                           \
			cases[i].fn();                                          \
			bool ok = test_failures == before;                      \
			failed += !ok;                                          \
			printf("%s %s\n", ok ? "PASS" : "FAIL", cases[i].name); \
		}                                                               \
		printf("%d passed, %d failed\n", n - failed, failed);           \
		return failed ? 1 : 0;                                          \
	}

#define TEST(fn)        \
	{               \
#fn, fn \
	}

#endif
