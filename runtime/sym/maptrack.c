#include "sym/maptrack.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RING_PAGES 64 /* 256 KiB a CPU: ~2000 mappings, ~100 process starts */
#define BUCKETS 4096
#define MAX_PROCS 20000
#define ELF_CACHE 64

/* One executable mapping: [lo, hi) as libdwfl should see the file's module
 * (lo where its first segment is), and when it was made. */
struct tmap {
	uint64_t lo, hi, time;
	char *file;
};

struct tproc {
	struct tproc *next;
	int pid;
	int wanted;
	int exited;
	uint64_t exec_time; /* the last exec: earlier mappings are another image's */
	struct tmap *maps;
	int n, cap;
};

/* A file's load layout, read once: where its first PT_LOAD starts (as
 * libdwfl aligns it) and each PT_LOAD's page-aligned offset and address. */
struct elfinfo {
	char *path;
	unsigned long used;
	int ok;
	uint64_t first;
	int nseg;
	uint64_t off[8], vaddr[8];
};

struct ring {
	int fd;
	void *base;
	struct perf_event_mmap_page *meta;
};

struct lp_maptrack {
	struct ring *rings;
	int nrings;
	int ep;
	size_t page;
	struct tproc *buckets[BUCKETS];
	int nprocs;
	unsigned long long lost;
	struct elfinfo elf[ELF_CACHE];
	unsigned long clock;
	char rec[65536]; /* a record that wraps around the ring (a u16 size at most) */
};

static struct tproc *proc_get(struct lp_maptrack *t, int pid, int create)
{
	struct tproc **b = &t->buckets[(unsigned)pid % BUCKETS], *p;

	for (p = *b; p; p = p->next)
		if (p->pid == pid)
			return p;
	if (!create)
		return NULL;
	if (t->nprocs >= MAX_PROCS) {
		/* make room: a process that has exited and that nothing asked for */
		for (int i = 0; i < BUCKETS; i++)
			for (struct tproc **q = &t->buckets[i]; *q; q = &(*q)->next)
				if ((*q)->exited && !(*q)->wanted) {
					struct tproc *gone = *q;

					*q = gone->next;
					for (int m = 0; m < gone->n; m++)
						free(gone->maps[m].file);
					free(gone->maps);
					free(gone);
					t->nprocs--;
					goto room;
				}
		return NULL;
	}
room:
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->next = *b;
	*b = p;
	t->nprocs++;
	return p;
}

static const struct elfinfo *elf_info(struct lp_maptrack *t, const char *path)
{
	struct elfinfo *e = &t->elf[0];
	size_t phnum;
	Elf *elf;
	int fd;

	for (int i = 0; i < ELF_CACHE; i++) {
		if (t->elf[i].path && strcmp(t->elf[i].path, path) == 0) {
			t->elf[i].used = ++t->clock;
			return t->elf[i].ok ? &t->elf[i] : NULL;
		}
		if (t->elf[i].used < e->used)
			e = &t->elf[i];
	}
	free(e->path);
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return NULL;
	e->used = ++t->clock;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && elf_getphdrnum(elf, &phnum) == 0) {
		for (size_t i = 0; i < phnum && e->nseg < 8; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
				continue;
			if (e->nseg == 0)
				e->first = ph.p_vaddr & -(ph.p_align ? ph.p_align : 1);
			e->off[e->nseg] = ph.p_offset & -(uint64_t)t->page;
			e->vaddr[e->nseg] = ph.p_vaddr & -(uint64_t)t->page;
			e->nseg++;
		}
		e->ok = e->nseg > 0;
	}
	elf_end(elf);
	close(fd);
	return e->ok ? e : NULL;
}

static void on_mmap(struct lp_maptrack *t, int pid, uint64_t addr, uint64_t len, uint64_t pgoff,
		    const char *file, uint64_t time)
{
	const struct elfinfo *e;
	struct tproc *p;
	struct tmap *m;
	int s;

	if (pid <= 0 || file[0] != '/')
		return; /* the kernel's own, anonymous code, [vdso] */
	e = elf_info(t, file);
	if (!e)
		return;
	for (s = 0; s < e->nseg && e->off[s] != pgoff; s++)
		;
	if (s == e->nseg)
		return;
	p = proc_get(t, pid, 1);
	if (!p || time < p->exec_time)
		return;
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 16;
		struct tmap *grown = realloc(p->maps, cap * sizeof(*grown));

		if (!grown)
			return;
		p->maps = grown;
		p->cap = cap;
	}
	m = &p->maps[p->n];
	m->file = strdup(file);
	if (!m->file)
		return;
	/* the module starts where the file's first segment is: addr is the
	 * segment's page, at its link-time address plus the load bias */
	m->lo = addr - e->vaddr[s] + e->first;
	m->hi = addr + len;
	m->time = time;
	p->n++;
}

/* An exec replaces the image: what was mapped before it is another's. */
static void on_exec(struct lp_maptrack *t, int pid, uint64_t time)
{
	struct tproc *p = proc_get(t, pid, 1);
	int k = 0;

	if (!p || time < p->exec_time)
		return;
	p->exec_time = time;
	for (int i = 0; i < p->n; i++) {
		if (p->maps[i].time >= time)
			p->maps[k++] = p->maps[i];
		else
			free(p->maps[i].file);
	}
	p->n = k;
}

/* A new process (not a thread) starts with its parent's mappings. */
static void on_fork(struct lp_maptrack *t, int pid, int ppid, uint64_t time)
{
	struct tproc *parent = proc_get(t, ppid, 0), *p;

	if (pid == ppid || !parent)
		return;
	p = proc_get(t, pid, 1);
	parent = proc_get(t, ppid, 0); /* making room may have dropped it */
	if (!p || !parent)
		return;
	for (int i = 0; i < parent->n; i++) {
		const struct tmap *pm = &parent->maps[i];
		struct tmap *grown;

		if (pm->time > time)
			continue;
		if (p->n == p->cap) {
			int cap = p->cap ? p->cap * 2 : 16;

			grown = realloc(p->maps, cap * sizeof(*grown));
			if (!grown)
				return;
			p->maps = grown;
			p->cap = cap;
		}
		p->maps[p->n] = *pm;
		p->maps[p->n].file = strdup(pm->file);
		if (!p->maps[p->n].file)
			return;
		p->n++;
	}
}

static void on_record(struct lp_maptrack *t, const struct perf_event_header *h)
{
	const char *r = (const char *)(h + 1);
	uint64_t time;
	uint32_t pid, ppid;

	if (h->size < sizeof(*h) + 8)
		return;
	/* sample_id_all with PERF_SAMPLE_TIME: the time ends every record */
	memcpy(&time, (const char *)h + h->size - 8, 8);
	switch (h->type) {
	case PERF_RECORD_MMAP: {
		uint64_t v[3];
		char file[4096];
		size_t room = h->size - sizeof(*h) - 8 - 8 - sizeof(v);

		if (h->size < sizeof(*h) + 8 + sizeof(v) + 8 + 1)
			return;
		memcpy(&pid, r, 4);
		memcpy(v, r + 8, sizeof(v));
		if (room >= sizeof(file))
			room = sizeof(file) - 1;
		memcpy(file, r + 8 + sizeof(v), room);
		file[room] = 0;
		on_mmap(t, (int)pid, v[0], v[1], v[2], file, time);
		break;
	}
	case PERF_RECORD_COMM:
		memcpy(&pid, r, 4);
		if (h->misc & PERF_RECORD_MISC_COMM_EXEC)
			on_exec(t, (int)pid, time);
		break;
	case PERF_RECORD_FORK:
		memcpy(&pid, r, 4);
		memcpy(&ppid, r + 4, 4);
		on_fork(t, (int)pid, (int)ppid, time);
		break;
	case PERF_RECORD_EXIT: {
		struct tproc *p;

		memcpy(&pid, r, 4);
		p = proc_get(t, (int)pid, 0);
		if (p)
			p->exited = 1;
		break;
	}
	case PERF_RECORD_LOST: {
		uint64_t n;

		memcpy(&n, r + 8, 8);
		t->lost += n;
		break;
	}
	}
}

static void drain(struct lp_maptrack *t, struct ring *rg)
{
	size_t size = RING_PAGES * t->page;
	uint64_t head = __atomic_load_n(&rg->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = rg->meta->data_tail;
	char *data = (char *)rg->base + t->page;

	while (tail < head) {
		struct perf_event_header *h = (void *)(data + tail % size), hdr;
		size_t at = tail % size;

		memcpy(&hdr, h, sizeof(hdr)); /* the header itself may wrap: 8 bytes, aligned */
		if (hdr.size < sizeof(hdr))
			break;
		if (at + hdr.size > size) {
			size_t first = size - at;

			memcpy(t->rec, data + at, first);
			memcpy(t->rec + first, data, hdr.size - first);
			h = (void *)t->rec;
		}
		on_record(t, h);
		tail += hdr.size;
	}
	__atomic_store_n(&rg->meta->data_tail, tail, __ATOMIC_RELEASE);
}

void maptrack_poll(struct lp_maptrack *t)
{
	struct epoll_event evs[16];

	if (!t)
		return;
	for (int i = 0; i < t->nrings; i++)
		drain(t, &t->rings[i]);
	/* the wake-ups are level-triggered on the data: reading cleared them */
	while (epoll_wait(t->ep, evs, 16, 0) > 0)
		;
}

int maptrack_fd(const struct lp_maptrack *t)
{
	return t ? t->ep : -1;
}

unsigned long long maptrack_lost(const struct lp_maptrack *t)
{
	return t ? t->lost : 0;
}

static int cmp_lo(const void *a, const void *b)
{
	const struct tmap *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

char *maptrack_maps(struct lp_maptrack *t, int pid, size_t *len)
{
	struct tproc *p;
	size_t cap = 0, n = 0;
	char *text = NULL;

	if (!t)
		return NULL;
	maptrack_poll(t);
	p = proc_get(t, pid, 0);
	if (!p || !p->n)
		return NULL;
	qsort(p->maps, p->n, sizeof(*p->maps), cmp_lo);
	for (int i = 0; i < p->n; i++) {
		const struct tmap *m = &p->maps[i];
		size_t need = strlen(m->file) + 96;
		int w;

		/* one file mapped twice (two text segments): one module */
		if (i > 0 && strcmp(p->maps[i - 1].file, m->file) == 0 &&
		    m->lo == p->maps[i - 1].lo)
			continue;
		if (cap - n < need) {
			char *grown = realloc(text, cap = cap * 2 + need);

			if (!grown) {
				free(text);
				return NULL;
			}
			text = grown;
		}
		/* libdwfl skips lines without a device and inode, and takes lines
		 * with one inode for pieces of one file: one made-up inode a line */
		w = snprintf(text + n, cap - n,
			     "%" PRIx64 "-%" PRIx64 " r-xp 00000000 00:01 %d %s\n", m->lo, m->hi,
			     i + 1, m->file);
		n += w;
	}
	*len = n;
	return text;
}

void maptrack_want(struct lp_maptrack *t, int pid)
{
	struct tproc *p;

	if (!t)
		return;
	maptrack_poll(t);
	p = proc_get(t, pid, 0);
	if (p)
		p->wanted = 1;
}

static int online_cpus(int *cpus, int max)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int lo, hi, n = 0;
	char sep = ',';

	if (!f)
		return -errno;
	while (sep == ',' && fscanf(f, "%d", &lo) == 1) {
		hi = lo;
		if (fscanf(f, "%c", &sep) != 1)
			sep = '\n';
		if (sep == '-' && (fscanf(f, "%d", &hi) != 1 || fscanf(f, "%c", &sep) != 1))
			sep = '\n';
		for (int c = lo; c <= hi && n < max; c++)
			cpus[n++] = c;
	}
	fclose(f);
	return n > 0 ? n : -ENOENT;
}

struct lp_maptrack *maptrack_start(void)
{
	struct lp_maptrack *t = calloc(1, sizeof(*t));
	int cpus[1024], n, err = 0;

	if (!t)
		return NULL;
	t->page = sysconf(_SC_PAGESIZE);
	t->ep = epoll_create1(EPOLL_CLOEXEC);
	n = online_cpus(cpus, 1024);
	if (t->ep < 0 || n < 0) {
		err = t->ep < 0 ? errno : -n;
		goto fail;
	}
	t->rings = calloc(n, sizeof(*t->rings));
	if (!t->rings) {
		err = ENOMEM;
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.size = sizeof(attr),
			.config = PERF_COUNT_SW_DUMMY,
			.sample_type = PERF_SAMPLE_TIME,
			.mmap = 1,
			.comm = 1,
			.comm_exec = 1,
			.task = 1,
			.sample_id_all = 1,
			.watermark = 1,
			.wakeup_watermark = RING_PAGES * t->page / 2,
		};
		struct ring *rg = &t->rings[i];
		struct epoll_event ev = { .events = EPOLLIN };

		rg->fd = syscall(SYS_perf_event_open, &attr, -1, cpus[i], -1, PERF_FLAG_FD_CLOEXEC);
		if (rg->fd < 0) {
			err = errno;
			goto fail;
		}
		t->nrings++;
		rg->base = mmap(NULL, (RING_PAGES + 1) * t->page, PROT_READ | PROT_WRITE,
				MAP_SHARED, rg->fd, 0);
		if (rg->base == MAP_FAILED) {
			rg->base = NULL;
			err = errno;
			goto fail;
		}
		rg->meta = rg->base;
		if (epoll_ctl(t->ep, EPOLL_CTL_ADD, rg->fd, &ev)) {
			err = errno;
			goto fail;
		}
	}
	return t;
fail:
	maptrack_free(t);
	errno = err;
	return NULL;
}

void maptrack_free(struct lp_maptrack *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nrings; i++) {
		if (t->rings[i].base)
			munmap(t->rings[i].base, (RING_PAGES + 1) * t->page);
		close(t->rings[i].fd);
	}
	free(t->rings);
	if (t->ep >= 0)
		close(t->ep);
	for (int i = 0; i < BUCKETS; i++)
		for (struct tproc *p = t->buckets[i], *next; p; p = next) {
			next = p->next;
			for (int m = 0; m < p->n; m++)
				free(p->maps[m].file);
			free(p->maps);
			free(p);
		}
	for (int i = 0; i < ELF_CACHE; i++)
		free(t->elf[i].path);
	free(t);
}
