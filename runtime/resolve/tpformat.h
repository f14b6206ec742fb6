/* A tracepoint's record format, as tracefs describes it, read through
 * libtracefs and parsed by libtraceevent. */
#ifndef LUAPROBE_TPFORMAT_H
#define LUAPROBE_TPFORMAT_H

#include <stddef.h>

#define LP_TPF_SIGNED 0x1
#define LP_TPF_STRING 0x2 /* char[N] or __data_loc char[] */
#define LP_TPF_DATALOC 0x4 /* __data_loc: a u32 (len << 16 | offset) in the record */
#define LP_TPF_ARRAY 0x8
#define LP_TPF_POINTER 0x10
#define LP_TPF_RELLOC 0x20 /* __rel_loc: offset relative to the end of the field */

struct lp_tpfield {
	char *name;
	char *type; /* C type as the format writes it: "void *", "char[16]" */
	int offset; /* in the record */
	int size;
	int elemsize; /* for arrays, else = size */
	unsigned flags;
};

struct lp_tpformat {
	char *system;
	char *event;
	int id;
	int nfields; /* the event's own fields; common_* fields are left out */
	struct lp_tpfield *fields;
};

/* Parse the text of a `format` file. Returns 0 or -EINVAL. */
int tpformat_parse(const char *system, const char *text, size_t len, struct lp_tpformat *fmt);

/* Read and parse /sys/kernel/tracing/events/SYSTEM/EVENT/format.
 * Returns 0, -ENOENT for an unknown tracepoint, -EACCES without tracefs. */
int tpformat_read(const char *system, const char *event, struct lp_tpformat *fmt);

/* The field named `name`, or NULL. */
const struct lp_tpfield *tpformat_field(const struct lp_tpformat *fmt, const char *name);

void tpformat_free(struct lp_tpformat *fmt);

/* Every tracepoint as "system:event" whose name matches the glob `pattern`
 * (NULL: all), sorted, NULL-terminated; free with tpformat_list_free.
 * NULL with errno set when tracefs cannot be read. */
char **tpformat_list(const char *pattern);
void tpformat_list_free(char **list);

#endif
