/* The syscall dispatchers (bpf/sysdisp.bpf.c): syscalls:* probes run as
 * programs in a prog array indexed by syscall number, tail-called from one
 * raw_syscalls program per column. The k-th probe on one syscall goes into
 * column k, so a syscall runs as many dispatchers as the busiest syscall
 * has probes, and each only its own probes' programs. Process-wide, as the
 * probes' objects are; safe from several threads. */
#ifndef LUAPROBE_LOAD_SYSDISP_H
#define LUAPROBE_LOAD_SYSDISP_H

#include <stddef.h>

#define LP_SYS_COLS 64 /* probes on one syscall, as a tracepoint's 64 programs */

/* Put program prog_fd (a raw_tp program reading raw_syscalls' arguments)
 * at syscall nr of the first column with room, for sys_enter or (exit)
 * sys_exit; the column's dispatcher is made and attached with its first
 * program. The column in
 * *col; 0, or -errno with why in err. */
int sysdisp_add(int exit, int nr, int prog_fd, int *col, char *err, size_t errlen);

/* Take the program at (exit, nr, col) out; the column's dispatcher goes
 * with its last program. */
void sysdisp_remove(int exit, int nr, int col);

#endif
