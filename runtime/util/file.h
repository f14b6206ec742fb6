/* Reading a file a user named, when it may not be a file at all: a FIFO
 * would block open() with signals blocked, /dev/zero would never end. */
#ifndef LUAPROBE_UTIL_FILE_H
#define LUAPROBE_UTIL_FILE_H

#include <stddef.h>

/* Scripts larger than this are refused: real ones are a few KB. */
#define LP_SCRIPT_MAX (16u << 20)

/* Open path for reading only if it is a regular file (checked after an
 * open that cannot block, so a FIFO swapped in meanwhile is caught too).
 * The fd, or -errno with why in err ("is a directory", "is not a regular
 * file (a FIFO)", or strerror). */
int file_open_regular(const char *path, char *err, size_t errlen);

/* The whole of a regular file of at most max bytes, NUL-terminated, in a
 * malloc'd *out of *len bytes. 0, or -errno with why in err (-EFBIG: "is
 * larger than N MiB"). */
int file_read_regular(const char *path, size_t max, char **out, size_t *len, char *err,
		      size_t errlen);

#endif
