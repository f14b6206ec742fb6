#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *type_name(mode_t m)
{
	return S_ISFIFO(m)   ? "a FIFO"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
			     : "not a file";
}

int file_open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, flags;

	/* stat first: opening a FIFO for reading blocks until a writer comes,
	 * and opening some devices has effects */
	if (stat(path, &st)) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode))
		goto not_regular;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		goto not_regular;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
not_regular:
	snprintf(err, errlen, "is not a regular file (%s)", type_name(st.st_mode));
	return -EINVAL;
}

int file_read_regular(const char *path, size_t max, char **out, size_t *len, char *err,
		      size_t errlen)
{
	int fd = file_open_regular(path, err, errlen), ret = 0;
	size_t n = 0, cap = 4096;
	char *buf;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return fd;
	buf = malloc(cap + 1);
	for (;;) {
		ssize_t got;

		if (!buf) {
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
			break;
		}
		if (n == cap) {
			char *grown;

			cap *= 2;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				free(buf);
				buf = NULL;
				continue;
			}
			buf = grown;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			ret = -errno;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		/* the size stat gave may be wrong (procfs) or change: the bound
		 * holds whatever comes */
		if (n > max) {
			snprintf(err, errlen, "is larger than %zu MiB, the most a script may be",
				 max >> 20);
			ret = -EFBIG;
			break;
		}
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}
