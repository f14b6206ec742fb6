/* User symbols of processes through libdwfl on /proc/PID/maps: libdwfl
 * finds each mapped file's symbols, and its DWARF for lines. A process seen
 * while it lives (usym_note) leaves a copy of its maps, so that its stacks
 * are still symbolized once it has exited: the mapped files are opened by
 * path, which outlives the process. */
#include "sym/usym.h"

#include "sym/maptrack.h"

#include <elfutils/libdwfl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A process's maps as it had them when first seen, and its start time
 * (which tells it from a later process with the same pid). */
struct usym_snap {
	int pid; /* 0: a free slot */
	unsigned long long start;
	char *maps;
	size_t len;
};

/* Open addressing by pid; past USYM_SNAP_MAX processes no more copies are
 * taken (their stacks are symbolized while they live, as before). */
#define USYM_SNAP_SLOTS 8192
#define USYM_SNAP_MAX 6000

struct lp_usym {
	struct usym_proc cache[USYM_CACHE];
	unsigned long clock;
	struct usym_snap *snaps; /* USYM_SNAP_SLOTS, allocated on the first note */
	int nsnaps;
	struct lp_maptrack *track; /* every executable mapping since usym_track_start */
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
	for (int i = 0; u->snaps && i < USYM_SNAP_SLOTS; i++)
		free(u->snaps[i].maps);
	free(u->snaps);
	maptrack_free(u->track);
	free(u);
}

int usym_track_start(struct lp_usym *u)
{
	struct dirent *de;
	DIR *proc;

	if (!u)
		return -ENOMEM;
	if (u->track)
		return 0;
	u->track = maptrack_start();
	if (!u->track)
		return -errno;
	/* The processes that run already made their mappings before the
	 * records start: a copy of each one's maps now, as one that exits
	 * before its first stack reaches user space leaves nothing to read. */
	proc = opendir("/proc");
	while (proc && (de = readdir(proc)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			usym_note(u, atoi(de->d_name), 0);
	if (proc)
		closedir(proc);
	return 0;
}

int usym_track_fd(const struct lp_usym *u)
{
	return u ? maptrack_fd(u->track) : -1;
}

void usym_track_poll(struct lp_usym *u)
{
	if (u)
		maptrack_poll(u->track);
}

unsigned long long usym_track_lost(const struct lp_usym *u)
{
	return u ? maptrack_lost(u->track) : 0;
}

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks
 * since boot. 0 when the process is gone. */
static unsigned long long start_time(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* comm may hold spaces and parentheses: count fields after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1,
			 " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu",
			 &start) != 1)
		return 0;
	return start;
}

/* The whole of /proc/PID/maps, malloc'd; NULL when the process is gone. */
static char *read_maps(int pid, size_t *len)
{
	char path[64], *buf = NULL, *grown;
	size_t cap = 0, n = 0;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			grown = realloc(buf, cap = cap ? cap * 2 : 16384);
			if (!grown) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = grown;
		}
		r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	/* only files map code libdwfl can read: the rest is not kept */
	if (r >= 0 && n > 0) {
		size_t k = 0;

		for (size_t i = 0; i < n;) {
			char *nl = memchr(buf + i, '\n', n - i);
			size_t end = nl ? (size_t)(nl - buf) + 1 : n;
			char *slash = memchr(buf + i, '/', end - i);

			if (slash && slash > buf + i && slash[-1] == ' ') {
				memmove(buf + k, buf + i, end - i);
				k += end - i;
			}
			i = end;
		}
		n = k;
	}
	/* a zombie's maps are empty: nothing worth keeping */
	if (r < 0 || n == 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static struct usym_snap *snap_slot(struct lp_usym *u, int pid, int *found)
{
	unsigned h = (unsigned)pid % USYM_SNAP_SLOTS;

	for (unsigned i = 0; i < USYM_SNAP_SLOTS; i++) {
		struct usym_snap *s = &u->snaps[(h + i) % USYM_SNAP_SLOTS];

		if (s->pid == pid || s->pid == 0) {
			*found = s->pid == pid;
			return s;
		}
	}
	*found = 0;
	return NULL;
}

int usym_note(struct lp_usym *u, int pid, int recheck)
{
	struct usym_snap *s;
	unsigned long long start;
	int found;

	if (!u)
		return -ENOMEM;
	if (pid <= 0)
		return -ESRCH;
	if (!u->snaps && !(u->snaps = calloc(USYM_SNAP_SLOTS, sizeof(*u->snaps))))
		return -ENOMEM;
	s = snap_slot(u, pid, &found);
	/* every event of a process with a user stack comes here: after the
	 * first, one lookup */
	if (found && !recheck)
		return 0;
	maptrack_want(u->track, pid);
	if (!found && (!s || u->nsnaps >= USYM_SNAP_MAX))
		return -ENOSPC;
	start = start_time(pid);
	/* gone: a copy taken while it lived is all there is (keep it) */
	if (found && (!start || s->start == start))
		return start ? 0 : -ESRCH;
	/* a new process under a pid seen before: its maps replace the old copy */
	free(found ? s->maps : NULL);
	s->maps = start ? read_maps(pid, &s->len) : NULL;
	if (!found)
		u->nsnaps++;
	/* the slot stays taken, an empty copy when the process is gone: the
	 * perf records (maptrack) may know it */
	s->pid = pid;
	s->start = s->maps ? start : 0;
	if (!s->maps)
		s->len = 0;
	return s->maps ? 0 : -ESRCH;
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

/* The process's own maps while it lives (the same process as noted, or
 * one never noted); once it is gone, the mappings perf recorded as it made
 * them, else the copy usym_note took. */
static int usym_report_any(struct lp_usym *u, Dwfl *dwfl, int pid)
{
	struct usym_snap *s = NULL;
	unsigned long long start = start_time(pid);
	char *tracked = NULL, *text;
	size_t len = 0;
	FILE *f;
	int found = 0, err;

	if (u->snaps)
		s = snap_slot(u, pid, &found);
	if (start && (!found || !s->maps || start == s->start)) {
		err = usym_report(dwfl, pid);
		/* ESRCH with a start time: a zombie, whose /proc entry is there
		 * and its memory gone (a process that exited before its event was
		 * read); its mappings are the recorded ones, as for one gone */
		if (err != -ESRCH)
			return err;
	}
	/* The process is gone or is another one: the mappings it made are in
	 * the tracker's records, some maybe not read yet (an exec's, when its
	 * event came in the same wakeup): read what the kernel has written,
	 * which is all that came before the event asking. */
	maptrack_poll(u->track);
	tracked = maptrack_maps(u->track, pid, &len);
	text = tracked;
	if (!text && found && s->maps) {
		text = s->maps;
		len = s->len;
	}
	if (!text)
		return usym_report(dwfl, pid);
	f = fmemopen(text, len, "r");
	if (!f) {
		err = -errno;
		free(tracked);
		return err;
	}
	dwfl_report_begin(dwfl);
	err = dwfl_linux_proc_maps_report(dwfl, f);
	if (dwfl_report_end(dwfl, NULL, NULL) && !err)
		err = -1;
	fclose(f);
	free(tracked);
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
		*err = usym_report_any(u, p->dwfl, pid);
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
		err = usym_report_any(u, p->dwfl, pid);
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
