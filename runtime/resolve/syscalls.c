/* Syscall numbers and names, generated at build time (cmake/syscalls.cmake). */
#include "resolve/syscalls.h"

#include <stddef.h>
#include <string.h>

static const struct {
	int nr;
	const char *name;
} names[] = {
#include "syscalls.inc"
};

/* Events named by the function the table's entry calls, not by the entry
 * (arch/x86/entry/syscalls/syscall_64.tbl): tracefs has no event under
 * the table's name for these (stat's function is newstat, and the old
 * stat is not in the 64-bit table, so it has no event). */
static const struct {
	const char *event;
	const char *name;
} renamed[] = {
	{ "newstat", "stat" },	 { "newfstat", "fstat" },      { "newlstat", "lstat" },
	{ "newuname", "uname" }, { "sendfile64", "sendfile" }, { "umount", "umount2" },
};

const char *syscall_name(long nr)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].nr == nr)
			return names[i].name;
	return NULL;
}

int syscall_nr_of_event(const char *event)
{
	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (strcmp(event, renamed[i].event) == 0)
			event = renamed[i].name;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, event) == 0)
			return names[i].nr;
	return -1;
}
