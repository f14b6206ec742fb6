/* What every process maps executable while luaprobe runs, as perf records
 * it (PERF_RECORD_MMAP, as `perf record` keeps it to symbolize later): a
 * process that started, ran and exited between two reads of the ring
 * buffer is symbolized from these records, when /proc/PID/maps is gone and
 * no copy of it could be taken in time. */
#ifndef LUAPROBE_MAPTRACK_H
#define LUAPROBE_MAPTRACK_H

#include <stddef.h>

struct lp_maptrack;

/* Open one side-band perf event per online CPU. NULL with errno set
 * (EACCES without CAP_PERFMON, ...). */
struct lp_maptrack *maptrack_start(void);

/* An fd that polls readable when a CPU's records fill half its buffer:
 * call maptrack_poll then, or they are lost. */
int maptrack_fd(const struct lp_maptrack *t);

/* Read the records the kernel has written since the last call. */
void maptrack_poll(struct lp_maptrack *t);

/* The executable mappings pid made since the start (and since its last
 * exec), as /proc/PID/maps lines libdwfl reads (dwfl_linux_proc_maps_report),
 * each file's line starting where its first segment is mapped. malloc'd,
 * length in *len; NULL when none are known. */
char *maptrack_maps(struct lp_maptrack *t, int pid, size_t *len);

/* Keep pid's records (an aggregation or event needs them): the others may
 * be dropped, once the process has exited, when the table is full. */
void maptrack_want(struct lp_maptrack *t, int pid);

/* Records lost (the buffer was full when the kernel wrote). */
unsigned long long maptrack_lost(const struct lp_maptrack *t);

void maptrack_free(struct lp_maptrack *t);

#endif
