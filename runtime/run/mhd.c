/* libmicrohttpd, loaded when --metrics first serves: linked, it brings
 * GnuTLS, p11-kit and nettle into every run, whose constructors and pages
 * cost ~2 MiB of RSS and start-up time although only --metrics uses them.
 * These are the MHD_* calls run/metrics.c makes, forwarded to the library
 * dlopen()ed by the first MHD_start_daemon. */
#include "run/mhd.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

#include <microhttpd.h>

static struct {
	struct MHD_Daemon *(*start_va)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
				       MHD_AccessHandlerCallback, void *, va_list);
	void (*stop)(struct MHD_Daemon *);
	const union MHD_DaemonInfo *(*info)(struct MHD_Daemon *, enum MHD_DaemonInfoType, ...);
	enum MHD_Result (*timeout)(struct MHD_Daemon *, MHD_UNSIGNED_LONG_LONG *);
	enum MHD_Result (*run)(struct MHD_Daemon *);
	enum MHD_Result (*queue)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
	struct MHD_Response *(*from_buffer)(size_t, void *, enum MHD_ResponseMemoryMode);
	void (*destroy)(struct MHD_Response *);
	enum MHD_Result (*header)(struct MHD_Response *, const char *, const char *);
} mhd;
static char why[256];

static int load(void)
{
	void *h;

	if (mhd.start_va)
		return 0;
	h = dlopen(LP_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, sizeof(why), "%s", dlerror());
		return -1;
	}
#define SYM(field, name)                                                         \
	if (!(*(void **)&mhd.field = dlsym(h, name))) {                          \
		snprintf(why, sizeof(why), "%s has no %s", LP_MHD_SONAME, name); \
		mhd.start_va = NULL;                                             \
		return -1;                                                       \
	}
	SYM(stop, "MHD_stop_daemon")
	SYM(info, "MHD_get_daemon_info")
	SYM(timeout, "MHD_get_timeout")
	SYM(run, "MHD_run")
	SYM(queue, "MHD_queue_response")
	SYM(from_buffer, "MHD_create_response_from_buffer")
	SYM(destroy, "MHD_destroy_response")
	SYM(header, "MHD_add_response_header")
	SYM(start_va, "MHD_start_daemon_va")
#undef SYM
	return 0;
}

const char *mhd_load_error(void)
{
	return why;
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	if (load()) {
		errno = ENOENT;
		return NULL;
	}
	va_start(ap, dh_cls);
	d = mhd.start_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

/* The rest run only on a daemon MHD_start_daemon made: the library is in. */
void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
	mhd.stop(daemon);
}

/* metrics.c asks for MHD_DAEMON_INFO_EPOLL_FD, which takes no argument */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon,
						enum MHD_DaemonInfoType info_type, ...)
{
	return mhd.info(daemon, info_type);
}

enum MHD_Result MHD_get_timeout(struct MHD_Daemon *daemon, MHD_UNSIGNED_LONG_LONG *timeout)
{
	return mhd.timeout(daemon, timeout);
}

enum MHD_Result MHD_run(struct MHD_Daemon *daemon)
{
	return mhd.run(daemon);
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
				   struct MHD_Response *response)
{
	return mhd.queue(connection, status_code, response);
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
						     enum MHD_ResponseMemoryMode mode)
{
	return mhd.from_buffer(size, buffer, mode);
}

void MHD_destroy_response(struct MHD_Response *response)
{
	mhd.destroy(response);
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header,
					const char *content)
{
	return mhd.header(response, header, content);
}
