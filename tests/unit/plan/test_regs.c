/* pt_regs fetch ops (plan/regs.c): plan_uval_windows groups the values of
 * one struct into one read (LP_FETCH_UWIN) and copies (LP_FETCH_STAGE),
 * and leaves alone what one read cannot serve. */
#include <string.h>

#include <luaprobe/plan.h>

#include "plan/plan.h"
#include "test.h"

#define RDI 112
#define RSI 104

/* A member at `off` of the struct register reg points to. */
static struct lp_fetch member(unsigned reg, int off, unsigned size, unsigned dst)
{
	struct lp_fetch f;

	memset(&f, 0, sizeof(f));
	f.kind = LP_FETCH_UVAL;
	f.src = (__u16)reg;
	f.nderef = 1;
	f.steps[0] = off;
	f.size = (__u16)size;
	f.dst = (__u16)dst;
	return f;
}

static void test_struct(void)
{
	/* bench/uprobe_target.c's struct s: long a, int b, short c */
	struct lp_fetch ops[3] = { member(RDI, 0, 8, 0), member(RDI, 8, 4, 8),
				   member(RDI, 12, 2, 16) };

	plan_uval_windows(ops, 3);
	ASSERT_EQ(ops[0].kind, LP_FETCH_UWIN, "the first reads the window");
	ASSERT_EQ(ops[0].win, 14, "the window: a to the end of c");
	ASSERT_EQ(ops[0].wpos, 0, "a at the window's start");
	ASSERT_EQ(ops[0].steps[0], 0, "the chain ends at the window");
	ASSERT_EQ(ops[0].src, RDI, "the register stays");
	ASSERT_EQ(ops[0].dst, 0, "its slot stays");
	ASSERT_EQ(ops[1].kind, LP_FETCH_STAGE, "b is copied");
	ASSERT_EQ(ops[1].src, 8, "b in the stage");
	ASSERT_EQ(ops[1].size, 4, "b's size");
	ASSERT_EQ(ops[1].dst, 8, "b's slot");
	ASSERT_EQ(ops[2].kind, LP_FETCH_STAGE, "c is copied");
	ASSERT_EQ(ops[2].src, 12, "c in the stage");
	ASSERT_EQ(ops[2].dst, 16, "c's slot");

	/* in another order: the first op still reads, its value mid-window */
	ops[0] = member(RDI, 12, 2, 0);
	ops[1] = member(RDI, 0, 8, 8);
	ops[2] = member(RDI, 8, 4, 16);
	plan_uval_windows(ops, 3);
	ASSERT_EQ(ops[0].kind, LP_FETCH_UWIN, "c first: it reads");
	ASSERT_EQ(ops[0].win, 14, "the same window");
	ASSERT_EQ(ops[0].wpos, 12, "c's place in it");
	ASSERT_EQ(ops[0].steps[0], 0, "the chain ends at a");
	ASSERT_EQ(ops[1].src, 0, "a in the stage");
	ASSERT_EQ(ops[2].src, 8, "b in the stage");
}

static void test_apart(void)
{
	struct lp_fetch ops[4];

	/* two structs, interleaved: two windows, each at its reader's stage */
	ops[0] = member(RDI, 4, 4, 0);
	ops[1] = member(RSI, 16, 8, 8);
	ops[2] = member(RDI, 0, 4, 16);
	ops[3] = member(RSI, 24, 8, 24);
	plan_uval_windows(ops, 4);
	ASSERT_EQ(ops[0].kind, LP_FETCH_UWIN, "rdi's window");
	ASSERT_EQ(ops[0].win, 8, "rdi's 8 bytes");
	ASSERT_EQ(ops[0].wpos, 4, "op 0 at 4");
	ASSERT_EQ(ops[1].kind, LP_FETCH_UWIN, "rsi's window");
	ASSERT_EQ(ops[1].win, 16, "rsi's 16 bytes");
	ASSERT_EQ(ops[1].steps[0], 16, "from 16");
	ASSERT_EQ(ops[2].src, 0, "op 2 in op 0's stage");
	ASSERT_EQ(ops[3].src, LP_WIN_MAX + 8, "op 3 in op 1's stage");

	/* more than LP_WIN_MAX bytes apart: two reads */
	ops[0] = member(RDI, 0, 8, 0);
	ops[1] = member(RDI, LP_WIN_MAX - 4, 8, 8);
	plan_uval_windows(ops, 2);
	ASSERT_EQ(ops[0].kind, LP_FETCH_UVAL, "too far: read alone");
	ASSERT_EQ(ops[1].kind, LP_FETCH_UVAL, "too far: the other alone");
	ops[1] = member(RDI, LP_WIN_MAX - 8, 8, 8);
	plan_uval_windows(ops, 2);
	ASSERT_EQ(ops[0].win, LP_WIN_MAX, "exactly LP_WIN_MAX: one read");

	/* a third member between two far ones joins the first it fits */
	ops[0] = member(RDI, 0, 8, 0);
	ops[1] = member(RDI, 100, 8, 8);
	ops[2] = member(RDI, 104, 4, 16);
	plan_uval_windows(ops, 3);
	ASSERT_EQ(ops[0].kind, LP_FETCH_UVAL, "0 alone");
	ASSERT_EQ(ops[1].kind, LP_FETCH_UWIN, "100 and 104 together");
	ASSERT_EQ(ops[1].win, 8, "100..108");
	ASSERT_EQ(ops[2].src, LP_WIN_MAX + 4, "104 in op 1's stage");
}

static void test_not_windows(void)
{
	struct lp_fetch ops[2];

	/* what one read cannot serve stays as it was */
	static const char *const cases[] = {
		"a register's value", "a string",     "a bitfield",
		"a char[16]",	      "a constant",   "a kernel read beside a user read",
		"another first step", "another base",
	};

	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		ops[0] = member(RDI, 0, 8, 0);
		ops[1] = member(RDI, 8, 8, 8);
		switch (c) {
		case 0:
			ops[1].nderef = 0;
			break;
		case 1:
			ops[1].flags = LP_FF_STR;
			break;
		case 2:
			ops[1].bit_size = 3;
			break;
		case 3:
			ops[1].size = 16;
			break;
		case 4:
			ops[1].flags = LP_FF_CONST;
			break;
		case 5:
			ops[1].flags = LP_FF_KERNEL;
			break;
		case 6: /* a->b->x and a->c->y: two pointers */
			ops[0].nderef = ops[1].nderef = 2;
			ops[1].steps[0] = 8;
			break;
		case 7: /* *(fp - 8) + 0 and *(fp - 16) + 8 */
			ops[0].flags = ops[1].flags = LP_FF_ADDR;
			ops[0].base = -8;
			ops[1].base = -16;
			break;
		}
		plan_uval_windows(ops, 2);
		ASSERT_EQ(ops[0].kind, LP_FETCH_UVAL, cases[c]);
		ASSERT_EQ(ops[1].kind, LP_FETCH_UVAL, cases[c]);
	}

	/* the same pointer through a chain, and locals on the stack: windows */
	ops[0] = member(RDI, 0, 4, 0);
	ops[1] = member(RDI, 0, 4, 8);
	ops[0].nderef = ops[1].nderef = 2;
	ops[0].steps[0] = ops[1].steps[0] = 24;
	ops[0].steps[1] = 4;
	ops[1].steps[1] = 0;
	plan_uval_windows(ops, 2);
	ASSERT_EQ(ops[0].kind, LP_FETCH_UWIN, "a->b->y beside a->b->x");
	ASSERT_EQ(ops[0].steps[0], 24, "the first step stays");
	ASSERT_EQ(ops[0].steps[1], 0, "the last goes to the window");
	ASSERT_EQ(ops[0].wpos, 4, "y at 4");
	memset(ops, 0, sizeof(ops));
	for (int i = 0; i < 2; i++) {
		ops[i].kind = LP_FETCH_UVAL;
		ops[i].flags = LP_FF_ADDR;
		ops[i].src = 152; /* rsp */
		ops[i].size = 4;
		ops[i].dst = (__u16)(8 * i);
	}
	ops[0].base = 8;
	ops[1].base = 20;
	plan_uval_windows(ops, 2);
	ASSERT_EQ(ops[0].kind, LP_FETCH_UWIN, "two stack slots");
	ASSERT_EQ(ops[0].base, 8, "from rsp + 8");
	ASSERT_EQ(ops[0].win, 16, "to rsp + 24");
	ASSERT_EQ(ops[1].kind, LP_FETCH_STAGE, "the second copied");
	ASSERT_EQ(ops[1].src, 12, "at 12");
}

TEST_MAIN(TEST(test_struct), TEST(test_apart), TEST(test_not_windows))
