/* The running kernel's debuginfo: a DWARF vmlinux found where distributions
 * put it (or given with --vmlinux), checked against the running kernel by
 * build id, so that no offset from another build is ever probed. */
#ifndef LUAPROBE_KDEBUG_H
#define LUAPROBE_KDEBUG_H

#include <stddef.h>

/* given (--vmlinux), else /usr/lib/debug/boot/vmlinux-R,
 * /usr/lib/debug/lib/modules/R/vmlinux, /boot/vmlinux-R (R: uname -r).
 * 0 with the path in out; -ENOENT with the places looked at in err;
 * -ESTALE when a file was found but its build id is not the running
 * kernel's (err says which); -errno otherwise. */
int kdebug_find(const char *given, char *out, size_t outlen, char *err, size_t errlen);

/* A loaded module's debuginfo: the file under
 * /usr/lib/debug/lib/modules/R/ (searched below it: Debian's -dbg packages
 * keep the tree of /lib/modules, kernel/drivers/net/veth.ko; Fedora's name
 * it veth.ko.debug) named for `module` ('-' and '_' alike, as the kernel
 * has them), whose build id is the one /sys/module/M/notes gives. 0 with
 * the path in out; -ENOENT with where it looked in err; -ESTALE when the
 * file found is another build's (err says which); -errno otherwise. */
int kdebug_module_find(const char *module, char *out, size_t outlen, char *err, size_t errlen);

/* The GNU build id of an ELF file, or of the running kernel when path is
 * NULL (/sys/kernel/notes), as bytes. Its length, or -errno. */
int kdebug_build_id(const char *path, unsigned char *id, size_t max);

#endif
