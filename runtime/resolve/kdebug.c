/* Finding the kernel's DWARF. A vmlinux of another build would give
 * offsets that land in the middle of other instructions: the build id is
 * compared first, and a mismatch is an error, never a fallback. */
#include "resolve/kdebug.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define NT_GNU_BUILD_ID_TYPE 3

/* Walk ELF notes in buf (as in a PT_NOTE or SHT_NOTE, or /sys/kernel/notes). */
static int note_build_id(const unsigned char *buf, size_t len, unsigned char *id, size_t max)
{
	size_t off = 0;

	while (off + 12 <= len) {
		unsigned namesz, descsz, type;
		size_t name_off, desc_off;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		name_off = off + 12;
		desc_off = name_off + ((namesz + 3) & ~3u);
		if (desc_off + descsz > len)
			break;
		if (type == NT_GNU_BUILD_ID_TYPE && namesz == 4 &&
		    memcmp(buf + name_off, "GNU", 4) == 0) {
			if (descsz > max)
				return -ENOSPC;
			memcpy(id, buf + desc_off, descsz);
			return (int)descsz;
		}
		off = desc_off + ((descsz + 3) & ~3u);
	}
	return -ENOENT;
}

static int running_build_id(unsigned char *id, size_t max)
{
	unsigned char buf[4096];
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return -errno;
	return note_build_id(buf, n, id, max);
}

int kdebug_build_id(const char *path, unsigned char *id, size_t max)
{
	Elf_Scn *scn = NULL;
	int fd, ret = -ENOENT;
	Elf *elf;

	if (!path)
		return running_build_id(id, max);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		close(fd);
		return -ENOEXEC;
	}
	while (ret == -ENOENT && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data && data->d_buf)
			ret = note_build_id(data->d_buf, data->d_size, id, max);
	}
	elf_end(elf);
	close(fd);
	return ret;
}

static void hex(const unsigned char *id, int n, char *out)
{
	for (int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
	out[2 * (n > 0 ? n : 0)] = '\0';
}

/* 1: the file is the running kernel's; 0 with why in err; -errno. */
static int matches(const char *path, char *err, size_t errlen)
{
	unsigned char want[64], got[64];
	char w[129], g[129];
	int nw = running_build_id(want, sizeof(want)), ng;

	if (nw < 0) {
		snprintf(err, errlen, "cannot read the running kernel's build id: %s",
			 strerror(-nw));
		return nw;
	}
	ng = kdebug_build_id(path, got, sizeof(got));
	if (ng < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 ng == -ENOENT ? "no build id" : strerror(-ng));
		return 0;
	}
	if (ng == nw && memcmp(want, got, nw) == 0)
		return 1;
	hex(want, nw, w);
	hex(got, ng, g);
	snprintf(err, errlen,
		 "%s is not the running kernel's debuginfo (build id %s, the kernel's %s)", path, g,
		 w);
	return 0;
}

int kdebug_find(const char *given, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *fmt[] = { "/usr/lib/debug/boot/vmlinux-%s",
			      "/usr/lib/debug/lib/modules/%s/vmlinux", "/boot/vmlinux-%s" };
	struct utsname u;
	char path[512], why[600] = "";
	int ret;

	if (given) {
		if (access(given, R_OK)) {
			ret = -errno;
			snprintf(err, errlen, "cannot read %s: %s", given, strerror(-ret));
			return ret;
		}
		ret = matches(given, err, errlen);
		if (ret <= 0)
			return ret < 0 ? ret : -ESTALE;
		snprintf(out, outlen, "%s", given);
		return 0;
	}
	if (uname(&u))
		return -errno;
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		snprintf(path, sizeof(path), fmt[i], u.release);
		if (access(path, R_OK))
			continue;
		ret = matches(path, why, sizeof(why));
		if (ret < 0)
			return ret;
		if (ret) {
			snprintf(out, outlen, "%s", path);
			return 0;
		}
	}
	if (why[0]) {
		snprintf(err, errlen, "%s", why);
		return -ESTALE;
	}
	snprintf(
		err, errlen,
		"no kernel debuginfo (looked for /usr/lib/debug/boot/vmlinux-%s, "
		"/usr/lib/debug/lib/modules/%s/vmlinux, /boot/vmlinux-%s; --vmlinux PATH names one)",
		u.release, u.release, u.release);
	return -ENOENT;
}

/* ---- modules ---- */

/* The build id of a loaded module, as the kernel keeps its notes. */
static int module_build_id(const char *module, unsigned char *id, size_t max)
{
	unsigned char buf[4096];
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/notes/.note.gnu.build-id", module);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return -errno;
	return note_build_id(buf, n, id, max);
}

struct mwalk {
	const char *module;
	const unsigned char *want;
	int nwant;
	char found[1024]; /* the file whose build id is the module's */
	char other[1024]; /* a file of that name of another build */
};

/* "veth.ko" for module "veth", "nf-foo.ko.debug" for "nf_foo": '-' and
 * '_' alike, as the kernel names modules. */
static int module_named(const char *file, const char *module)
{
	size_t n = strlen(module);

	for (size_t i = 0; i < n; i++) {
		char a = file[i] == '-' ? '_' : file[i], b = module[i] == '-' ? '_' : module[i];

		if (a != b)
			return 0;
	}
	return !strcmp(file + n, ".ko") || !strcmp(file + n, ".ko.debug");
}

/* Below dir, depth-first, until the module's file is found. */
static void module_walk(const char *dir, struct mwalk *w, int depth)
{
	DIR *dp = depth < 16 ? opendir(dir) : NULL;
	struct dirent *de;

	while (dp && !w->found[0] && (de = readdir(dp))) {
		char path[1024];
		unsigned char got[64];
		int ng;

		if (de->d_name[0] == '.')
			continue;
		unsigned char type = de->d_type;
		struct stat sb;

		/* a path too long for the buffer is not looked at, never cut */
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		/* virtiofs and others may not say: ask */
		if (type == DT_UNKNOWN && !lstat(path, &sb))
			type = S_ISDIR(sb.st_mode)   ? DT_DIR
			       : S_ISREG(sb.st_mode) ? DT_REG
						     : DT_UNKNOWN;
		if (type == DT_DIR) {
			module_walk(path, w, depth + 1);
			continue;
		}
		if (type != DT_REG || !module_named(de->d_name, w->module))
			continue;
		ng = kdebug_build_id(path, got, sizeof(got));
		if (ng == w->nwant && !memcmp(got, w->want, ng))
			snprintf(w->found, sizeof(w->found), "%s", path);
		else
			snprintf(w->other, sizeof(w->other), "%s", path);
	}
	if (dp)
		closedir(dp);
}

int kdebug_module_find(const char *module, char *out, size_t outlen, char *err, size_t errlen)
{
	struct mwalk w = { 0 };
	unsigned char want[64];
	struct utsname u;
	char dir[512];
	int nw;

	if (uname(&u))
		return -errno;
	nw = module_build_id(module, want, sizeof(want));
	if (nw < 0) {
		snprintf(err, errlen, "cannot read module %s's build id: %s", module,
			 strerror(-nw));
		return nw;
	}
	snprintf(dir, sizeof(dir), "/usr/lib/debug/lib/modules/%s", u.release);
	w.module = module;
	w.want = want;
	w.nwant = nw;
	module_walk(dir, &w, 0);
	if (w.found[0]) {
		snprintf(out, outlen, "%s", w.found);
		return 0;
	}
	if (w.other[0]) {
		snprintf(err, errlen,
			 "%s is not the loaded module %s's debuginfo (another build id)", w.other,
			 module);
		return -ESTALE;
	}
	snprintf(err, errlen,
		 "no debuginfo for module %s (looked for %s.ko and %s.ko.debug under %s)", module,
		 module, module, dir);
	return -ENOENT;
}
