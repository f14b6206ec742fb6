/* Probe point spellings of DESIGN.md §2: every one parsed to exact fields, and
 * the errors a user sees, quoted whole. */
#include "point/point.h"

#include <errno.h>
#include <stdlib.h>

#include "test.h"

/* Parses text and compares every field of the result with want, so a spelling
 * that sets a field it should not is caught too. */
static void expect_point(const char *text, const struct lp_point *want)
{
	struct lp_point pt;
	char err[160] = "", what[256];
	int ret;

#define FIELD(f) (snprintf(what, sizeof(what), "%s of '%s'", f, text), what)
	ret = point_parse(text, &pt, err, sizeof(err));
	if (!ASSERT_EQ(ret, 0, FIELD("return"))) {
		fprintf(stderr, "  error: %s\n", err);
		return;
	}
	ASSERT_EQ(pt.kind, want->kind, FIELD("kind"));
	ASSERT_STREQ(pt.system, want->system, FIELD("system"));
	ASSERT_STREQ(pt.event, want->event, FIELD("event"));
	ASSERT_STREQ(pt.binary, want->binary, FIELD("binary"));
	ASSERT_STREQ(pt.func, want->func, FIELD("func"));
	ASSERT_EQ(pt.offset, want->offset, FIELD("offset"));
	ASSERT_STREQ(pt.label, want->label, FIELD("label"));
	ASSERT_STREQ(pt.statement, want->statement, FIELD("statement"));
	ASSERT_STREQ(pt.provider, want->provider, FIELD("provider"));
	ASSERT_STREQ(pt.mark, want->mark, FIELD("mark"));
	ASSERT_STREQ(pt.counter, want->counter, FIELD("counter"));
	ASSERT_EQ(pt.freq, want->freq, FIELD("freq"));
	ASSERT_EQ(pt.period, want->period, FIELD("period"));
	ASSERT_STREQ(pt.module, want->module, FIELD("module"));
	ASSERT_EQ(pt.stap, want->stap, FIELD("stap"));
#undef FIELD
	point_free(&pt);
}

#define POINT(text, ...) expect_point(text, &(struct lp_point){ __VA_ARGS__ })

/* The struct starts as garbage so the test sees that a failed parse empties it;
 * LeakSanitizer sees whether it freed what it had parsed so far. */
static void expect_error(const char *text, const char *msg)
{
	static const struct lp_point zero;
	struct lp_point pt;
	char err[160], what[256];
	int ret;

	memset(&pt, 0xa5, sizeof(pt));
	memset(err, 'x', sizeof(err));
	ret = point_parse(text, &pt, err, sizeof(err));
	snprintf(what, sizeof(what), "return of '%s'", text);
	ASSERT_EQ(ret, -EINVAL, what);
	snprintf(what, sizeof(what), "error for '%s'", text);
	ASSERT_STREQ(err, msg, what);
	snprintf(what, sizeof(what), "struct zeroed after '%s'", text);
	ASSERT_EQ(memcmp(&pt, &zero, sizeof(pt)), 0, what);
}

static void tracepoints(void)
{
	POINT("tracepoint:skb:kfree_skb", .kind = LP_PT_TRACEPOINT, .system = "skb",
	      .event = "kfree_skb");
	POINT("t:sched:sched_switch", .kind = LP_PT_TRACEPOINT, .system = "sched",
	      .event = "sched_switch");
	POINT("kernel.trace(\"skb:kfree_skb\")", .stap = 1, .kind = LP_PT_TRACEPOINT,
	      .system = "skb", .event = "kfree_skb");
	POINT("kernel.trace('net:net_dev_*')", .stap = 1, .kind = LP_PT_TRACEPOINT, .system = "net",
	      .event = "net_dev_*");
	POINT("tracepoint:sys*:[a-z]?_enter*", .kind = LP_PT_TRACEPOINT, .system = "sys*",
	      .event = "[a-z]?_enter*");
	POINT("rawtp:kfree_skb", .kind = LP_PT_RAWTP, .event = "kfree_skb");
	POINT("rawtracepoint:sched_switch", .kind = LP_PT_RAWTP, .event = "sched_switch");
	POINT("tp_btf:kfree_skb", .kind = LP_PT_TPBTF, .event = "kfree_skb");
}

static void kprobes(void)
{
	POINT("kprobe:tcp_v4_rcv", .kind = LP_PT_KPROBE, .func = "tcp_v4_rcv");
	POINT("kprobe:tcp_v4_rcv+0x1b", .kind = LP_PT_KPROBE, .func = "tcp_v4_rcv", .offset = 0x1b);
	POINT("kprobe:tcp_v4_rcv+27", .kind = LP_PT_KPROBE, .func = "tcp_v4_rcv", .offset = 27);
	POINT("k:tcp_*", .kind = LP_PT_KPROBE, .func = "tcp_*");
	POINT("kprobe:ip_rcv_core.isra.0", .kind = LP_PT_KPROBE, .func = "ip_rcv_core.isra.0");
	POINT("kretprobe:tcp_v4_rcv", .kind = LP_PT_KRETPROBE, .func = "tcp_v4_rcv");
	POINT("kr:tcp_v4_rcv", .kind = LP_PT_KRETPROBE, .func = "tcp_v4_rcv");
	POINT("fentry:tcp_v4_rcv", .kind = LP_PT_FENTRY, .func = "tcp_v4_rcv");
	POINT("f:tcp_v4_rcv", .kind = LP_PT_FENTRY, .func = "tcp_v4_rcv");
	POINT("fexit:tcp_v4_rcv", .kind = LP_PT_FEXIT, .func = "tcp_v4_rcv");
	POINT("fr:tcp_v4_rcv", .kind = LP_PT_FEXIT, .func = "tcp_v4_rcv");
}

static void kernel_function(void)
{
	POINT("kernel.function(\"tcp_v4_rcv\")", .stap = 1, .kind = LP_PT_KPROBE,
	      .func = "tcp_v4_rcv");
	POINT("kernel.function(\"tcp_v4_rcv\").return", .stap = 1, .kind = LP_PT_KRETPROBE,
	      .func = "tcp_v4_rcv");
	POINT("kernel.function(\"__netif_receive_skb_core\").label(\"drop\")", .stap = 1,
	      .kind = LP_PT_KPROBE, .func = "__netif_receive_skb_core", .label = "drop");
	POINT("kernel.statement(\"ip_rcv@net/ipv4/ip_input.c:565\")", .stap = 1,
	      .kind = LP_PT_KPROBE, .statement = "ip_rcv@net/ipv4/ip_input.c:565");
	POINT("kernel.function(\"ip_rcv\").statement(\"ip_rcv@net/ipv4/ip_input.c:565\")",
	      .stap = 1, .kind = LP_PT_KPROBE, .func = "ip_rcv",
	      .statement = "ip_rcv@net/ipv4/ip_input.c:565");
	POINT("kernel.function('tcp_*')", .stap = 1, .kind = LP_PT_KPROBE, .func = "tcp_*");
	/* SystemTap allows space between tokens, not inside the quotes. */
	POINT("kernel . function ( \"f\" ) . return", .stap = 1, .kind = LP_PT_KRETPROBE,
	      .func = "f");
	POINT("module(\"veth\").function(\"veth_xmit\")", .stap = 1, .kind = LP_PT_KPROBE,
	      .module = "veth", .func = "veth_xmit");
	POINT("module(\"veth\").function(\"veth_*\").return", .stap = 1, .kind = LP_PT_KRETPROBE,
	      .module = "veth", .func = "veth_*");
}

static void uprobes(void)
{
	POINT("uprobe:/usr/bin/bash:readline", .kind = LP_PT_UPROBE, .binary = "/usr/bin/bash",
	      .func = "readline");
	POINT("uprobe:/path/bin:func+8", .kind = LP_PT_UPROBE, .binary = "/path/bin",
	      .func = "func", .offset = 8);
	POINT("u:libc.so.6:malloc", .kind = LP_PT_UPROBE, .binary = "libc.so.6", .func = "malloc");
	POINT("uretprobe:/usr/bin/bash:readline", .kind = LP_PT_URETPROBE,
	      .binary = "/usr/bin/bash", .func = "readline");
	POINT("ur:libc.so.6:mall*", .kind = LP_PT_URETPROBE, .binary = "libc.so.6",
	      .func = "mall*");
}

static void process_points(void)
{
	POINT("process(\"/path/bin\").function(\"func\")", .stap = 1, .kind = LP_PT_UPROBE,
	      .binary = "/path/bin", .func = "func");
	POINT("process(\"/path/bin\").function(\"func\").return", .stap = 1,
	      .kind = LP_PT_URETPROBE, .binary = "/path/bin", .func = "func");
	POINT("process(\"/path/bin\").function(\"func\").label(\"l\")", .stap = 1,
	      .kind = LP_PT_UPROBE, .binary = "/path/bin", .func = "func", .label = "l");
	POINT("process(\"/path/bin\").function(\"func\").statement(\"func@file.c:123\")", .stap = 1,
	      .kind = LP_PT_UPROBE, .binary = "/path/bin", .func = "func",
	      .statement = "func@file.c:123");
	POINT("process(\"/path/bin\").function(\"func\").statement(\"file.c:12\")", .stap = 1,
	      .kind = LP_PT_UPROBE, .binary = "/path/bin", .func = "func",
	      .statement = "file.c:12");
	POINT("process(\"/path/bin\").statement(\"file.c:12\")", .stap = 1, .kind = LP_PT_UPROBE,
	      .binary = "/path/bin", .statement = "file.c:12");
	POINT("process('/path/bin').function('func')", .stap = 1, .kind = LP_PT_UPROBE,
	      .binary = "/path/bin", .func = "func");
	POINT("process(\"/path/bin\").mark(\"request__start\")", .stap = 1, .kind = LP_PT_USDT,
	      .binary = "/path/bin", .mark = "request__start");
}

static void usdt(void)
{
	POINT("usdt:/path/bin:myapp:request__start", .kind = LP_PT_USDT, .binary = "/path/bin",
	      .provider = "myapp", .mark = "request__start");
	POINT("usdt:/path/bin:request__start", .kind = LP_PT_USDT, .binary = "/path/bin",
	      .mark = "request__start");
	POINT("U:libc.so.6:libc:setjmp", .kind = LP_PT_USDT, .binary = "libc.so.6",
	      .provider = "libc", .mark = "setjmp");
}

static void sampling(void)
{
	POINT("profile:hz:99", .kind = LP_PT_PROFILE, .freq = 99);
	POINT("p:hz:4999", .kind = LP_PT_PROFILE, .freq = 4999);
	POINT("timer.profile", .stap = 1, .kind = LP_PT_PROFILE, .freq = 0);
	POINT("profile:ms:10", .kind = LP_PT_PROFILE, .period = 10000000);
	POINT("profile:us:250", .kind = LP_PT_PROFILE, .period = 250000);
	POINT("profile:s:1", .kind = LP_PT_PROFILE, .period = 1000000000);
	POINT("software:cpu-clock:1000000", .kind = LP_PT_SOFTWARE, .counter = "cpu-clock",
	      .period = 1000000);
	POINT("s:page-faults:0x100", .kind = LP_PT_SOFTWARE, .counter = "page-faults",
	      .period = 256);
}

static void whitespace(void)
{
	POINT("  \tkprobe:tcp_v4_rcv \n", .kind = LP_PT_KPROBE, .func = "tcp_v4_rcv");
	POINT(" timer.profile ", .stap = 1, .kind = LP_PT_PROFILE, .freq = 0);
}

static void errors_probe_type(void)
{
	expect_error("kprob:f", "column 1: unknown probe type 'kprob' (did you mean 'kprobe'?)");
	expect_error("kernal.function(\"f\")",
		     "column 1: unknown probe type 'kernal' (did you mean 'kernel'?)");
	expect_error("rawtracepont:x",
		     "column 1: unknown probe type 'rawtracepont' (did you mean 'rawtracepoint'?)");
	expect_error("bogus:x", "column 1: unknown probe type 'bogus'");
	expect_error("kprobe f", "column 7: expected ':' after 'kprobe'");
	expect_error("/bin/bash:readline", "column 1: expected probe type");
	expect_error("", "column 1: empty probe point");
	expect_error(" \t ", "column 1: empty probe point");
	expect_error(NULL, "column 1: empty probe point");
}

static void errors_bpftrace(void)
{
	expect_error("rawtp:", "column 7: missing event name");
	expect_error("tracepoint:skb:", "column 16: missing event name");
	expect_error("tracepoint:", "column 12: missing tracepoint system");
	expect_error("tracepoint:skb", "column 15: expected ':' after tracepoint system 'skb'");
	expect_error("kprobe:", "column 8: missing function name");
	expect_error("kprobe:tcp_[a-z", "column 12: unterminated '['");
	expect_error("kprobe:f+", "column 10: expected an offset after '+'");
	expect_error("kprobe:f+99999999999999999999", "column 10: number too large");
	expect_error("kretprobe:f+8", "column 12: offset not allowed on 'kretprobe'");
	expect_error("fentry:f+8", "column 9: offset not allowed on 'fentry'");
	expect_error("kprobe:tcp_v4_rcv)", "column 18: unexpected ')'");
	expect_error("kprobe:f g", "column 10: unexpected 'g'");
	expect_error("uprobe:", "column 8: missing binary path");
	expect_error("uprobe:/bin/bash", "column 17: expected ':' after binary '/bin/bash'");
	expect_error("uprobe:/bin/bash:", "column 18: missing function name");
	expect_error("usdt:/bin/x:prov:", "column 18: missing probe name");
	expect_error("profile:min:10",
		     "column 9: expected 'hz:N', 's:N', 'ms:N' or 'us:N' after 'profile:'");
	expect_error("profile:ms:0", "column 12: period must be at least 1");
	expect_error("profile:hz:0", "column 12: frequency must be at least 1");
	expect_error("profile:hz:", "column 12: expected a frequency");
	expect_error("software:", "column 10: missing software counter");
	expect_error("software:cpu-clock",
		     "column 19: expected ':' after software counter 'cpu-clock'");
	expect_error("software:cpu-clock:0", "column 20: period must be at least 1");
}

static void errors_systemtap(void)
{
	expect_error("kernel.function\"f\"", "column 16: expected '(' after 'kernel.function'");
	expect_error("kernel.function(f)", "column 17: expected a string after 'kernel.function('");
	expect_error("kernel.function(\"tcp_v4_rcv)", "column 17: unterminated string");
	expect_error("kernel.function('f\")", "column 17: unterminated string");
	expect_error("kernel.function(\"f\"", "column 20: expected ')' after string");
	expect_error("kernel.function(\"\")", "column 18: missing function name");
	expect_error("kernel.function(\"tcp v4\")", "column 22: unexpected 'v'");
	expect_error("kernel.function(\"f\").return)", "column 28: unexpected ')'");
	expect_error("kernel.fnction(\"f\")",
		     "column 8: unknown kernel probe 'fnction' (did you mean 'function'?)");
	expect_error("kernel.function(\"f\").retrun",
		     "column 22: unknown suffix 'retrun' (did you mean 'return'?)");
	expect_error("kernel", "column 7: expected '.' after 'kernel'");
	expect_error("kernel.", "column 8: expected kernel probe");
	expect_error("kernel.trace(\"skb\")",
		     "column 18: expected ':' after tracepoint system 'skb'");
	expect_error("kernel.function(\"f\").label(\"\")", "column 29: missing label name");
	expect_error("kernel.statement(\"file.c\")",
		     "column 19: expected 'file:line' or 'function@file:line'");
	expect_error("process(\"\").function(\"f\")", "column 10: missing binary path");
	expect_error("process(\"/bin/x\")", "column 18: expected '.' after 'process(\"/bin/x\")'");
	expect_error("process(\"/bin/x\").statement(\":12\")",
		     "column 30: expected 'file:line' or 'function@file:line'");
	expect_error("process(\"/bin/x\").mark(\"\")", "column 25: missing mark name");
	expect_error("timer.prof", "column 7: unknown timer probe 'prof'");
	/* Columns count from the text as written, leading blanks included. */
	expect_error("  kprobe:f )", "column 12: unexpected ')'");
}

static void error_buffer(void)
{
	struct lp_point pt;
	char small[12];

	ASSERT_EQ(point_parse("kprob:f", &pt, small, sizeof(small)), -EINVAL, "return, short err");
	ASSERT_STREQ(small, "column 1: u", "truncated err");
	ASSERT_EQ(point_parse("kprob:f", &pt, NULL, 0), -EINVAL, "return, no err");
	ASSERT_EQ(point_parse("kprobe:f", &pt, NULL, 0), 0, "return, ok without err");
	point_free(&pt);
	ASSERT_TRUE(pt.func == NULL, "func after free");
	point_free(&pt); /* a freed point may be freed again */
	point_free(NULL);
}

static void wildcards(void)
{
	static const struct {
		const char *text;
		int wild;
	} cases[] = {
		{ "kprobe:tcp_v4_rcv", 0 },
		{ "kprobe:tcp_*", 1 },
		{ "kprobe:tcp_v?_rcv", 1 },
		{ "kprobe:tcp_v[46]_rcv", 1 },
		{ "rawtp:sched_*", 1 },
		{ "tracepoint:sys*:foo", 1 },
		{ "tracepoint:skb:kfree_skb", 0 },
		{ "uprobe:/bin/x:main", 0 },
		{ "timer.profile", 0 },
	};
	struct lp_point pt;
	char err[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!ASSERT_EQ(point_parse(cases[i].text, &pt, err, sizeof(err)), 0, cases[i].text))
			continue;
		ASSERT_EQ(point_has_wildcard(&pt), cases[i].wild, cases[i].text);
		point_free(&pt);
	}
	ASSERT_EQ(point_has_wildcard(NULL), 0, "wildcard in NULL");
}

static void kind_names(void)
{
	static const char *const want[] = {
		[LP_PT_TRACEPOINT] = "tracepoint", [LP_PT_RAWTP] = "rawtp",
		[LP_PT_TPBTF] = "tp_btf",	   [LP_PT_KPROBE] = "kprobe",
		[LP_PT_KRETPROBE] = "kretprobe",   [LP_PT_FENTRY] = "fentry",
		[LP_PT_FEXIT] = "fexit",	   [LP_PT_UPROBE] = "uprobe",
		[LP_PT_URETPROBE] = "uretprobe",   [LP_PT_USDT] = "usdt",
		[LP_PT_PROFILE] = "profile",	   [LP_PT_SOFTWARE] = "software",
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ASSERT_STREQ(point_kind_name(i), want[i], want[i]);
	ASSERT_STREQ(point_kind_name((enum lp_point_kind)99), "unknown", "kind 99");
}

TEST_MAIN(TEST(tracepoints), TEST(kprobes), TEST(kernel_function), TEST(uprobes),
	  TEST(process_points), TEST(usdt), TEST(sampling), TEST(whitespace),
	  TEST(errors_probe_type), TEST(errors_bpftrace), TEST(errors_systemtap),
	  TEST(error_buffer), TEST(wildcards), TEST(kind_names))
