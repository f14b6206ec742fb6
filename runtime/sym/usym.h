/* Addresses of running processes as "func+0x1b (file.c:123)", through
 * libdwfl on /proc/PID/maps. A context keeps one Dwfl per recently seen
 * pid, so a stack of many frames reads the maps once. */
#ifndef LUAPROBE_USYM_H
#define LUAPROBE_USYM_H

#include <stddef.h>
#include <stdint.h>

struct lp_usym;

/* An empty context: nothing is read before the first usym_format(). NULL
 * with errno ENOMEM. */
struct lp_usym *usym_new(void);

/* Free the context and every process it holds; NULL is a no-op. */
void usym_free(struct lp_usym *u);

/* Symbolize an address of process pid: "func+0x1b" and, where the
 * debuginfo has it, " (file.c:123)". 0; -ENOENT (the hex address was
 * written: no module or symbol there); -ESRCH (no such process); -ENOSPC
 * (buf too small, the text was cut); -ENOMEM (also for u NULL). */
int usym_format(struct lp_usym *u, int pid, uint64_t addr, char *buf, size_t len);

/* Keep what symbolizing pid's addresses needs once it has exited: a copy
 * of its maps, taken now if none was (recheck: also if the copy is of an
 * earlier process with the same pid). Call it on the first event of each
 * process; later usym_format calls for pid use the live maps while the
 * process runs and the copy after. 0; -ESRCH (gone already); -ENOSPC (too
 * many processes kept); -ENOMEM. */
int usym_note(struct lp_usym *u, int pid, int recheck);

/* From now on, record every executable mapping any process makes
 * (sym/maptrack.h), so that a process that exits before usym_note can copy
 * its maps is still symbolized. 0 or -errno. */
int usym_track_start(struct lp_usym *u);

/* Poll it: readable when the records need reading (usym_track_poll), or
 * some are lost. -1 when not tracking. */
int usym_track_fd(const struct lp_usym *u);
void usym_track_poll(struct lp_usym *u);

/* Mapping records the kernel could not write (its buffer was full): the
 * processes they were about may stay addresses. */
unsigned long long usym_track_lost(const struct lp_usym *u);

/* Drop the processes held (the next call reads the maps again). */
void usym_flush(struct lp_usym *u);

#endif
