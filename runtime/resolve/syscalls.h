/* The native ABI's syscall numbers (x86-64), from the <asm/unistd.h> the
 * binary is built against (cmake/syscalls.cmake): the kernel exposes no
 * number <-> name table at run time. x86-64's numbers never change, so a
 * name the headers know has the same number in every kernel; a newer
 * syscall than the headers is unknown (-1), never guessed. */
#ifndef LUAPROBE_RESOLVE_SYSCALLS_H
#define LUAPROBE_RESOLVE_SYSCALLS_H

/* The name of syscall nr ("read" for 0), or NULL. */
const char *syscall_name(long nr);

/* The number of the syscall a syscalls:sys_enter_EVENT tracepoint traces,
 * or -1. EVENT is the kernel's SYSCALL_DEFINE name, which for a few is not
 * the table's (newstat is stat's, sendfile64 sendfile's). */
int syscall_nr_of_event(const char *event);

#endif
