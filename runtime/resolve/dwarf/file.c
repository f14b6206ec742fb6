/* A binary's debuginfo through elfutils: the file is reported offline to
 * libdwfl, which finds its DWARF (in the file, or separate by build-id or
 * debuglink), its symbol table and its CFI. Here: opening a file, its
 * addresses and symbols, and the walk over its compilation units; what is
 * asked of them is in the other roles (dwarf.h lists them). */
#include "resolve/dwarf/file.h"
#include "resolve/dwarf/index.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* ---- opening a file ---- */

static const char *const lib_dirs[] = {
	"/lib/x86_64-linux-gnu",
	"/usr/lib/x86_64-linux-gnu",
	"/lib64",
	"/usr/lib64",
	"/lib",
	"/usr/lib",
	"/usr/local/lib",
};

static char *try_dir(const char *dir, size_t dlen, const char *name)
{
	char buf[4096];

	if (!dlen)
		return NULL;
	snprintf(buf, sizeof(buf), "%.*s/%s", (int)dlen, dir, name);
	return access(buf, R_OK) ? NULL : realpath(buf, NULL);
}

/* A colon-separated list of directories, as LD_LIBRARY_PATH and PATH. */
static char *try_dirs(const char *list, const char *name)
{
	while (list && *list) {
		const char *end = strchrnul(list, ':');
		char *p = try_dir(list, end - list, name);

		if (p)
			return p;
		list = *end ? end + 1 : end;
	}
	return NULL;
}

/* A path as given, else a soname on the library paths, else a command on PATH. */
static char *find_file(const char *name)
{
	char *p;

	if (strchr(name, '/'))
		return realpath(name, NULL);
	p = try_dirs(getenv("LD_LIBRARY_PATH"), name);
	for (size_t i = 0; !p && i < sizeof(lib_dirs) / sizeof(lib_dirs[0]); i++)
		p = try_dir(lib_dirs[i], strlen(lib_dirs[i]), name);
	if (!p)
		p = try_dirs(getenv("PATH"), name);
	if (!p)
		errno = ENOENT;
	return p;
}

static int check_elf(const char *path)
{
	char why[128];
	int fd = file_open_regular(path, why, sizeof(why)), err = 0;
	Elf *elf;

	/* a FIFO would block open() (with signals blocked); a device is no
	 * binary a uprobe can go in: only regular files are ELF files here */
	if (fd == -EINVAL)
		return -ENOEXEC;
	if (fd < 0)
		return fd;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		err = -ENOEXEC;
	elf_end(elf);
	close(fd);
	return err;
}

static bool has_units(Dwarf *dbg)
{
	Dwarf_Off next;
	size_t hsize;

	return dwarf_nextcu(dbg, 0, &next, &hsize, NULL, NULL, NULL) == 0;
}

struct lp_dwarf *dwarf_open(const char *path)
{
	struct lp_dwarf *d;
	const char *base;
	int err;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->path = find_file(path);
	if (!d->path) {
		err = -errno;
		goto err_free;
	}
	err = check_elf(d->path);
	if (err)
		goto err_free;
	d->dwfl = dwfl_begin(&offline_callbacks);
	if (!d->dwfl) {
		err = -ENOMEM;
		goto err_free;
	}
	base = strrchr(d->path, '/');
	d->mod = dwfl_report_offline(d->dwfl, base ? base + 1 : d->path, d->path, -1);
	if (!d->mod || dwfl_report_end(d->dwfl, NULL, NULL)) {
		err = -ENOEXEC;
		goto err_dwfl;
	}
	d->elf = dwfl_module_getelf(d->mod, &d->elf_bias);
	if (!d->elf) {
		err = -ENOEXEC;
		goto err_dwfl;
	}
	/* no DWARF is not an error: symbol probes still work */
	d->dbg = dwfl_module_getdwarf(d->mod, &d->dbg_bias);
	if (d->dbg && !has_units(d->dbg))
		d->dbg = NULL;
	return d;

err_dwfl:
	dwfl_end(d->dwfl);
err_free:
	free(d->path);
	free(d);
	errno = -err;
	return NULL;
}

void dwarf_close(struct lp_dwarf *d)
{
	if (!d)
		return;
	dwarf_index_free(d);
	dwfl_end(d->dwfl);
	free(d->path);
	free(d);
}

int dwarf_has_debuginfo(const struct lp_dwarf *d)
{
	return d->dbg != NULL;
}

const char *dwarf_path(const struct lp_dwarf *d)
{
	return d->path;
}

/* ---- addresses, symbols, file offsets ---- */

/* The file offset uprobes take: through the PT_LOAD segment holding addr. */
int dwarf_file_offset(const struct lp_dwarf *d, uint64_t addr, uint64_t *off)
{
	size_t n;

	if (elf_getphdrnum(d->elf, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(d->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_filesz) {
			*off = addr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ERANGE;
}

bool dwarf_is_relocatable(const struct lp_dwarf *d)
{
	GElf_Ehdr eh;

	return gelf_getehdr(d->elf, &eh) && eh.e_type == ET_REL;
}

char *dwarf_symbolize(const struct lp_dwarf *d, uint64_t addr)
{
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name;
	char *s = NULL;
	int r;

	name = dwfl_module_addrinfo(d->mod, addr + d->elf_bias, &off, &sym, NULL, NULL, NULL);
	if (!name)
		r = asprintf(&s, "0x%" PRIx64, addr);
	else if (off)
		r = asprintf(&s, "%s+0x%" PRIx64, name, (uint64_t)off);
	else
		r = asprintf(&s, "%s", name);
	return r < 0 ? NULL : s;
}

/* The ELF symbol at addr exactly or around it, NULL if none. */
const char *dwarf_symbol_at(const struct lp_dwarf *d, uint64_t addr)
{
	GElf_Off off;
	GElf_Sym sym;

	return dwfl_module_addrinfo(d->mod, addr + d->elf_bias, &off, &sym, NULL, NULL, NULL);
}

/* ---- compilation units ---- */

int dwarf_for_each_cu(struct lp_dwarf *d, dwarf_cu_fn fn, void *arg)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(d->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		int err;

		if (dwarf_offdie(d->dbg, off + hsize, &cu)) {
			err = fn(d, &cu, arg);
			if (err)
				return err;
		}
		off = next;
	}
	return 0;
}
