/* User symbols of running processes through libdwfl on /proc/PID/maps:
 * libdwfl finds each mapped file's symbols, and its DWARF for lines. */
#include "sym/usym.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

#define USYM_CACHE 8

/* One Dwfl per recently seen pid; the oldest goes first. */
struct usym_proc {
	int pid;
	Dwfl *dwfl;
	unsigned long used;
};

struct lp_usym {
	struct usym_proc cache[USYM_CACHE];
	unsigned long clock;
};

struct lp_usym *usym_new(void)
{
	return calloc(1, sizeof(struct lp_usym));
}

void usym_free(struct lp_usym *u)
{
	if (!u)
		return;
	usym_flush(u);
	free(u);
}

static int usym_report(Dwfl *dwfl, int pid)
{
	int err;

	dwfl_report_begin(dwfl);
	err = dwfl_linux_proc_report(dwfl, pid);
	/* dwfl_linux_proc_report: errno value, or -1 for a libdwfl error */
	if (dwfl_report_end(dwfl, NULL, NULL) && !err)
		err = -1;
	/* no /proc/PID: the process is gone */
	if (err == ENOENT)
		return -ESRCH;
	return err > 0 ? -err : err < 0 ? -ESRCH : 0;
}

static struct usym_proc *usym_proc_get(struct lp_usym *u, int pid, int *err)
{
	struct usym_proc *p = NULL, *oldest = &u->cache[0];

	for (int i = 0; i < USYM_CACHE; i++) {
		if (u->cache[i].dwfl && u->cache[i].pid == pid)
			p = &u->cache[i];
		if (u->cache[i].used < oldest->used)
			oldest = &u->cache[i];
	}
	if (!p) {
		p = oldest;
		if (p->dwfl)
			dwfl_end(p->dwfl);
		p->dwfl = dwfl_begin(&proc_callbacks);
		p->pid = pid;
		if (!p->dwfl) {
			*err = -ENOMEM;
			return NULL;
		}
		*err = usym_report(p->dwfl, pid);
		if (*err) {
			dwfl_end(p->dwfl);
			p->dwfl = NULL;
			return NULL;
		}
	}
	p->used = ++u->clock;
	return p;
}

void usym_flush(struct lp_usym *u)
{
	for (int i = 0; u && i < USYM_CACHE; i++) {
		if (u->cache[i].dwfl)
			dwfl_end(u->cache[i].dwfl);
		u->cache[i].dwfl = NULL;
	}
}

int usym_format(struct lp_usym *u, int pid, uint64_t addr, char *buf, size_t len)
{
	struct usym_proc *p;
	Dwfl_Module *mod;
	Dwfl_Line *line;
	const char *name, *file;
	GElf_Off off = 0;
	GElf_Sym sym;
	int err, n, lineno = 0;

	if (len)
		buf[0] = 0;
	if (!u)
		return -ENOMEM;
	p = usym_proc_get(u, pid, &err);
	if (!p)
		return err;
	mod = dwfl_addrmodule(p->dwfl, addr);
	if (!mod) {
		/* a library mapped since the maps were read: read them again, once */
		err = usym_report(p->dwfl, pid);
		mod = err ? NULL : dwfl_addrmodule(p->dwfl, addr);
	}
	name = mod ? dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL) : NULL;
	if (!name) {
		n = snprintf(buf, len, "0x%" PRIx64, addr);
		return n >= (int)len ? -ENOSPC : -ENOENT;
	}
	if (off)
		n = snprintf(buf, len, "%s+0x%" PRIx64, name, (uint64_t)off);
	else
		n = snprintf(buf, len, "%s", name);
	line = dwfl_module_getsrc(mod, addr);
	file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (file && n >= 0 && (size_t)n < len) {
		const char *base = strrchr(file, '/');

		n += snprintf(buf + n, len - n, " (%s:%d)", base ? base + 1 : file, lineno);
	}
	return n >= (int)len ? -ENOSPC : 0;
}
