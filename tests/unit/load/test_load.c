/* libbpf's messages as the loader keeps them: the last line of a refused
 * program's verifier log, kept in the session, never carried over to the
 * next load. libbpf's own print hook is driven directly with real lines.
 * The template layers a plan uses, and the program load_pick leaves to
 * load out of the real tracepoint template (opened, never loaded: no
 * kernel needed). */
#include <stdarg.h>

#include <bpf/libbpf.h>
#include <luaprobe/plan.h>

#include "load/image.h"
#include "load/load.h"
#include "session.h"
#include "test.h"
#include "regs.skel.h"
#include "tp.image.h"
#include "tp.skel.h"

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

static void test_layers(void)
{
	struct lp_plan p;

	memset(&p, 0, sizeof(p));
	ASSERT_EQ(load_layers(&p), 0, "an empty plan");
	p.ninsn = 1;
	ASSERT_EQ(load_layers(&p), LP_L_FILTER, "a filter");
	p.ninsn = 0;
	/* a count or sum keyed by integers is the lean path; any other
	 * aggregation LP_L_AGGX */
	p.nagg = 1;
	p.agg[0].kind = p.agg[1].kind = LP_AGG_COUNT;
	p.agg[0].key_size = p.agg[1].key_size = 8;
	ASSERT_EQ(load_layers(&p), LP_L_AGG, "one unkeyed count");
	p.nagg = 2;
	ASSERT_EQ(load_layers(&p), LP_L_AGG | LP_L_AGG2, "two counts");
	p.agg[1].nkeys = 2;
	p.agg[1].keys[0] = (struct lp_keypart){ .src = 8, .size = 4, .dst = 0, .pad = 0 };
	p.agg[1].keys[1] = (struct lp_keypart){ .src = 56, .size = 8, .dst = 8, .pad = 1 };
	p.agg[1].key_size = 16;
	ASSERT_EQ(load_layers(&p), LP_L_AGG | LP_L_AGG2, "a count by pid and a field");
	p.agg[1].val_size = 8;
	ASSERT_EQ(load_layers(&p), LP_L_AGG | LP_L_AGG2 | LP_L_AGGX, "a value");
	p.agg[1].val_size = 0;
	p.agg[1].keys[1].size = 16; /* comm */
	p.agg[1].key_size = 24;
	ASSERT_EQ(load_layers(&p), LP_L_AGG | LP_L_AGG2 | LP_L_AGGX, "a key by a string");
	p.agg[1].keys[1].size = 8;
	p.agg[1].key_size = 16;
	p.agg[1].kind = LP_AGG_HIST;
	ASSERT_EQ(load_layers(&p), LP_L_AGG | LP_L_AGG2 | LP_L_AGGX, "a hist");
	p.agg[1].kind = LP_AGG_STATS;
	ASSERT_EQ(load_layers(&p), LP_L_AGG | LP_L_AGG2 | LP_L_AGGX, "an avg");
	p.nagg = 1;
	ASSERT_EQ(load_layers(&p), LP_L_AGG, "an avg past nagg");
	p.nagg = 0;
	p.emit = 1;
	ASSERT_EQ(load_layers(&p), LP_L_EMIT, "a handler");
	p.emit = 0;
	p.stack = LP_STACK_NOTE;
	ASSERT_EQ(load_layers(&p), LP_L_EMIT, "a ustack key's notices");
	p.stack = LP_STACK_KERNEL;
	ASSERT_EQ(load_layers(&p), LP_L_MORE, "a kernel stack");
	p.stack = LP_STACK_USER;
	ASSERT_EQ(load_layers(&p), LP_L_MORE, "a user stack");
	p.stack = 0;
	p.lat.role = LP_LAT_END;
	ASSERT_EQ(load_layers(&p), LP_L_MORE, "a latency() end");
	p.lat.role = 0;
	p.nfetch = 4;
	p.fetch[0].kind = LP_FETCH_CTX;
	ASSERT_EQ(load_layers(&p), LP_L_REC, "a record field");
	p.fetch[0].kind = LP_FETCH_NONE;
	p.fetch[1].kind = LP_FETCH_DATALOC;
	ASSERT_EQ(load_layers(&p), LP_L_STR, "a __data_loc string");
	p.fetch[1].kind = LP_FETCH_USTR;
	ASSERT_EQ(load_layers(&p), LP_L_STR, "a user string");
	p.fetch[3].kind = LP_FETCH_KVAL;
	ASSERT_EQ(load_layers(&p), LP_L_STR | LP_L_KVAL, "a kernel chain, the last fetch");
	p.nfetch = 3;
	ASSERT_EQ(load_layers(&p), LP_L_STR, "fetches past nfetch");

	/* pt_regs values: a register or a constant is no layer; memory is
	 * LP_L_KVAL, a string LP_L_STR, whatever else the op says */
	memset(&p, 0, sizeof(p));
	p.nfetch = 1;
	p.fetch[0].kind = LP_FETCH_UVAL;
	ASSERT_EQ(load_layers(&p), 0, "a register");
	p.fetch[0].flags = LP_FF_CONST;
	ASSERT_EQ(load_layers(&p), 0, "a constant");
	p.fetch[0].flags = LP_FF_ADDR;
	ASSERT_EQ(load_layers(&p), LP_L_KVAL, "memory at a register + offset");
	p.fetch[0].flags = LP_FF_KERNEL;
	p.fetch[0].nderef = 1;
	ASSERT_EQ(load_layers(&p), LP_L_KVAL, "a member through a register's pointer");
	p.fetch[0].flags = LP_FF_STR;
	p.fetch[0].nderef = 0;
	ASSERT_EQ(load_layers(&p), LP_L_STR, "a string a register points to");
	p.fetch[0].nderef = 2;
	ASSERT_EQ(load_layers(&p), LP_L_STR | LP_L_KVAL, "a string member");
}

/* The layers of program `name` of family `base`, as the naming says. */
static unsigned name_layers(const char *name, const char *base)
{
	size_t n = strlen(base);

	return name[n] ? (unsigned)strtoul(name + n + 1, NULL, 16) : LP_L_ALL;
}

/* load_pick on plan p: one program left to load, of the family, with every
 * layer p uses, and none of the family that has them all is smaller. */
static const char *pick(const struct lp_plan *p, const char *base)
{
	int regs = !strcmp(base, "lp_regs");
	struct lp_tp *tp = regs ? NULL : lp_tp__open();
	struct lp_regs *rs = regs ? lp_regs__open() : NULL;
	struct bpf_object *obj = regs ? (rs ? rs->obj : NULL) : (tp ? tp->obj : NULL);
	struct bpf_program *got = NULL, *prog;
	unsigned need = load_layers(p);
	static char name[64];
	int loaded = 0;

	name[0] = 0;
	if (!ASSERT_TRUE(obj != NULL, "the template opens"))
		goto out;
	got = load_pick(obj, base, p);
	if (!ASSERT_TRUE(got != NULL, "a program for the plan"))
		goto out;
	snprintf(name, sizeof(name), "%s", bpf_program__name(got));
	ASSERT_TRUE(load_picked(obj) == got, "load_picked is load_pick's");
	ASSERT_EQ(name_layers(name, base) & need, need, "the layers the plan uses");
	bpf_object__for_each_program(prog, obj) {
		const char *pn = bpf_program__name(prog);

		loaded += bpf_program__autoload(prog);
		if (strncmp(pn, base, strlen(base)) ||
		    (pn[strlen(base)] && pn[strlen(base)] != '_') ||
		    (name_layers(pn, base) & need) != need)
			continue;
		/* fewest layers beyond the plan's, then the smallest */
		int extra = __builtin_popcount(name_layers(pn, base) & ~need),
		    got_extra = __builtin_popcount(name_layers(name, base) & ~need);

		if (extra < got_extra || (extra == got_extra &&
					  bpf_program__insn_cnt(prog) < bpf_program__insn_cnt(got)))
			fprintf(stderr, "%s beats %s\n", pn, name);
		ASSERT_TRUE(extra > got_extra ||
				    (extra == got_extra &&
				     bpf_program__insn_cnt(prog) >= bpf_program__insn_cnt(got)),
			    "the fewest other layers, then the smallest");
	}
	ASSERT_EQ(loaded, 1, "programs left to load");
	/* the build's table of the tracepoint template (tools/imagegen.c):
	 * the same choice, of the same program */
	if (!regs) {
		int i = load_tmpl_pick(&lp_tp_tmpl, base, p);

		if (ASSERT_TRUE(i >= 0, "a program of the table"))
			ASSERT_STREQ(lp_tp_tmpl.progs[i].name, name, "the table's pick");
		if (i >= 0)
			ASSERT_EQ(lp_tp_tmpl.progs[i].ninsns, bpf_program__insn_cnt(got),
				  "the table's instructions");
	}
out:
	lp_tp__destroy(tp);
	lp_regs__destroy(rs);
	return name;
}

static void test_pick(void)
{
	struct lp_plan p;

	memset(&p, 0, sizeof(p));
	p.nagg = 1;
	p.agg[0].kind = p.agg[1].kind = LP_AGG_COUNT;
	p.agg[0].key_size = p.agg[1].key_size = 8;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp_02", "a count");
	ASSERT_STREQ(pick(&p, "lp_rawtp"), "lp_rawtp_02", "a count, raw");
	p.agg[0].kind = LP_AGG_HIST;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp_102", "a hist");
	ASSERT_STREQ(pick(&p, "lp_rawtp"), "lp_rawtp_102", "a hist, raw");
	p.nfetch = 1;
	p.fetch[0].kind = LP_FETCH_CTX;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp_182", "a hist of a field");
	p.agg[0].kind = LP_AGG_COUNT;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp_82", "a count by a field");
	p.ninsn = 3;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp_83", "... with a filter");
	p.nfetch = 0;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp_03", "a count with a filter");
	p.nagg = 0;
	p.emit = 1;
	p.nfetch = 1;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp_89", "a handler with a filter");
	p.fetch[0].kind = LP_FETCH_DATALOC;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp_a9", "... and a string");
	p.nagg = 2;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp_1af", "... and two aggregations");
	p.stack = LP_STACK_KERNEL;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp", "a stack: every layer");
	ASSERT_STREQ(pick(&p, "lp_rawtp"), "lp_rawtp", "a stack: every layer, raw");
	p.stack = 0;
	p.fetch[0].kind = LP_FETCH_KVAL;
	ASSERT_STREQ(pick(&p, "lp_tp"), "lp_tp", "a kernel chain: every layer");

	/* the pt_regs template: registers need no layer, memory LP_L_KVAL */
	memset(&p, 0, sizeof(p));
	p.nagg = 1;
	p.agg[0].kind = LP_AGG_COUNT;
	p.agg[0].key_size = 8;
	ASSERT_STREQ(pick(&p, "lp_regs"), "lp_regs_02", "a uprobe's count");
	p.nfetch = 1;
	p.fetch[0].kind = LP_FETCH_UVAL;
	ASSERT_STREQ(pick(&p, "lp_regs"), "lp_regs_02", "... by a register");
	p.fetch[0].nderef = 1;
	ASSERT_STREQ(pick(&p, "lp_regs"), "lp_regs_42", "... by a member");
	p.ninsn = 2;
	ASSERT_STREQ(pick(&p, "lp_regs"), "lp_regs_43", "... with a filter");
	p.nagg = 0;
	p.emit = 1;
	p.fetch[0].flags = LP_FF_STR;
	ASSERT_STREQ(pick(&p, "lp_regs"), "lp_regs_69", "a handler, a string member, a filter");
	p.fetch[0].nderef = 0;
	ASSERT_STREQ(pick(&p, "lp_regs"), "lp_regs_29", "... a string a register points to");
	p.lat.role = LP_LAT_START;
	ASSERT_STREQ(pick(&p, "lp_regs"), "lp_regs", "a latency() start: every layer");
}

TEST_MAIN(TEST(test_last_line), TEST(test_cleared), TEST(test_layers), TEST(test_pick))
