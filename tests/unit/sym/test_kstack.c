/* kstack_skip: the BPF frames atop a raw tracepoint's kernel stack, found
 * by name on a kallsyms snapshot of the shapes seen on kernel builds: the
 * program, bpf_trace_runN, maybe __bpf_trace_NAME, then the traced code. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "sym/kstack.h"
#include "test.h"

static const char fake_kallsyms[] = "ffffffff81000000 T _stext\n"
				    "ffffffff81000100 t __bpf_trace_sys_enter\n"
				    "ffffffff81000200 T __traceiter_sys_enter\n"
				    "ffffffff81000300 T syscall_trace_enter\n"
				    "ffffffff81000400 T do_syscall_64\n"
				    "ffffffff81000500 T bpf_trace_run2\n"
				    "ffffffff81000600 T bpf_trace_run_nothing_else\n"
				    "ffffffff81000700 t __bpf_trace_other\n"
				    "ffffffffa0001000 t bpf_prog_46f22f8e4f457911_lp_rawtp\t[bpf]\n";

#define PROG 0xffffffffa0001010ULL
#define RUN2 0xffffffff81000510ULL
#define GLUE 0xffffffff8100010cULL
#define ITER 0xffffffff81000231ULL
#define SITE 0xffffffff81000380ULL
#define SYSC 0xffffffff8100040fULL
/* after the last symbol kallsyms had when it was read: a program loaded later */
#define LATE 0xffffffffa0009000ULL

static struct lp_ksym *fake(void)
{
	char path[] = "/tmp/lp-kstack-XXXXXX";
	int fd = mkstemp(path);
	struct lp_ksym *ks = ksym_new();

	if (fd < 0 || !ks || write(fd, fake_kallsyms, sizeof(fake_kallsyms) - 1) < 0)
		exit(1);
	close(fd);
	if (ksym_load_file(ks, path))
		exit(1);
	unlink(path);
	return ks;
}

static void test_raw_tp(void)
{
	struct lp_ksym *ks = fake();
	const uint64_t three[] = { PROG, RUN2, GLUE, ITER, SITE, SYSC };
	const uint64_t two[] = { PROG, RUN2, SITE, SYSC };
	const uint64_t late[] = { LATE, RUN2, GLUE, ITER, SITE };

	ASSERT_EQ(kstack_skip(ks, three, 6), 3, "program, bpf_trace_run2, __bpf_trace_sys_enter");
	ASSERT_EQ(kstack_skip(ks, two, 4), 2, "program, bpf_trace_run2 (glue tail-called)");
	ASSERT_EQ(kstack_skip(ks, late, 5), 3, "a program kallsyms did not know yet");
	ASSERT_EQ(kstack_skip(ks, three, 2), 2, "a stack cut inside the BPF frames");
	ksym_free(ks);
}

static void test_kept(void)
{
	struct lp_ksym *ks = fake();
	const uint64_t classic[] = { ITER, SITE, SYSC };
	const uint64_t deep[] = { ITER, SITE, SYSC, SYSC, RUN2, GLUE };
	const uint64_t prog[] = { PROG, SITE, SYSC };

	ASSERT_EQ(kstack_skip(ks, classic, 3), 0, "a classic tracepoint's stack");
	ASSERT_EQ(kstack_skip(ks, deep, 6), 0, "bpf_trace_run deep in the stack is real");
	ASSERT_EQ(kstack_skip(ks, prog, 3), 1, "the program's frame alone");
	ASSERT_EQ(kstack_skip(ks, classic, 0), 0, "an empty stack");
	ASSERT_EQ(kstack_skip(NULL, classic, 3), 0, "no symbols: nothing known, nothing cut");
	ksym_free(ks);
}

TEST_MAIN(TEST(test_raw_tp), TEST(test_kept))
