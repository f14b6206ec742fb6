/* x86-64 register facts: DWARF's register numbering and struct pt_regs. */
#include "plan/plan.h"

/* x86-64 DWARF register numbers (psABI 3.38) to struct pt_regs offsets. */
static const int16_t pt_regs_off[] = {
	[0] = 80,   /* rax */[1] = 96,	/* rdx */[2] = 88, /* rcx */[3] = 40, /* rbx */
	[4] = 104,  /* rsi */[5] = 112, /* rdi */[6] = 32, /* rbp */[7] = 152, /* rsp */
	[8] = 72,   /* r8 */[9] = 64,	/* r9 */[10] = 56, /* r10 */[11] = 48, /* r11 */
	[12] = 24,  /* r12 */[13] = 16, /* r13 */[14] = 8, /* r14 */[15] = 0, /* r15 */
	[16] = 128, /* rip */
};

int plan_pt_regs_offset(int reg)
{
	if (reg < 0 || reg >= (int)(sizeof(pt_regs_off) / sizeof(pt_regs_off[0])))
		return -1;
	return pt_regs_off[reg];
}

/* Where the kernel's syscall entry left the arguments in struct pt_regs
 * (syscall_get_arguments: rdi, rsi, rdx, r10, r8, r9). */
int plan_syscall_arg_offset(int i)
{
	static const int16_t off[] = { 112, 104, 96, 56, 72, 64 };

	return i >= 0 && i < (int)(sizeof(off) / sizeof(off[0])) ? off[i] : -1;
}
