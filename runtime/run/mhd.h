/* libmicrohttpd on demand (run/mhd.c): the MHD_* calls metrics.c makes load
 * the library at the first MHD_start_daemon. */
#ifndef LUAPROBE_RUN_MHD_H
#define LUAPROBE_RUN_MHD_H

/* Why the library could not be loaded ("" if it was, or was not tried). */
const char *mhd_load_error(void);

#endif
