/* Syscall dispatchers: columns of prog arrays (load/sysdisp.h). */
#include "load/sysdisp.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <luaprobe/plan.h>

#include "load/load.h"
#include "sysdisp.skel.h"

struct column {
	struct lp_sysdisp *skel;
	struct bpf_link *link;
	int used;
	unsigned char taken[LP_SYS_NR];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct column cols[2][LP_SYS_COLS];

/* task_struct's thread_info (first, on x86) .status: after flags and,
 * since 5.11, syscall_work. From the kernel's version rather than its BTF,
 * whose parse (~10 ms) would double a syscall probe's start-up. The
 * layout is x86-64's since 4.9 (THREAD_INFO_IN_TASK); the verifier checks
 * the load against the kernel's BTF. */
static int status_offset(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 16;
	return major > 5 || (major == 5 && minor >= 11) ? 16 : 8;
}

static int column_open(struct column *c, int exit, char *err, size_t errlen)
{
	struct bpf_program *prog;
	int ret;

	c->skel = lp_sysdisp__open();
	if (!c->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the syscall dispatcher: %s", strerror(-ret));
		return ret;
	}
	c->skel->rodata->status_off = status_offset();
	prog = exit ? c->skel->progs.lp_sys_exit : c->skel->progs.lp_sys_enter;
	bpf_program__set_autoload(exit ? c->skel->progs.lp_sys_enter : c->skel->progs.lp_sys_exit,
				  false);
	ret = lp_sysdisp__load(c->skel);
	if (ret) {
		const char *why = load_last_error();

		snprintf(err, errlen, "the kernel refused the syscall dispatcher: %s%s%s",
			 strerror(-ret), *why ? ": " : "", why);
		goto fail;
	}
	c->link = bpf_program__attach_raw_tracepoint(prog, exit ? "sys_exit" : "sys_enter");
	if (!c->link) {
		ret = -errno;
		snprintf(err, errlen, "cannot attach the syscall dispatcher to raw_syscalls:%s: %s",
			 exit ? "sys_exit" : "sys_enter", strerror(-ret));
		goto fail;
	}
	return 0;
fail:
	lp_sysdisp__destroy(c->skel);
	c->skel = NULL;
	return ret;
}

static void column_close(struct column *c)
{
	bpf_link__destroy(c->link);
	c->link = NULL;
	lp_sysdisp__destroy(c->skel);
	c->skel = NULL;
}

int sysdisp_add(int exit, int nr, int prog_fd, int *col, char *err, size_t errlen)
{
	struct column *c = NULL;
	__u32 key = nr;
	int k, ret = 0, fresh = 0;

	if (nr < 0 || nr >= LP_SYS_NR) {
		snprintf(err, errlen, "syscall number %d is beyond the dispatcher's %d", nr,
			 LP_SYS_NR);
		return -ERANGE;
	}
	pthread_mutex_lock(&lock);
	for (k = 0; k < LP_SYS_COLS && cols[exit][k].taken[nr]; k++)
		;
	if (k == LP_SYS_COLS) {
		snprintf(err, errlen, "at most %d probes on one syscall", LP_SYS_COLS);
		ret = -E2BIG;
		goto out;
	}
	c = &cols[exit][k];
	if (!c->skel) {
		ret = column_open(c, exit, err, errlen);
		if (ret)
			goto out;
		fresh = 1;
	}
	if (bpf_map_update_elem(bpf_map__fd(c->skel->maps.lp_sys_progs), &key, &prog_fd, BPF_ANY)) {
		ret = -errno;
		snprintf(err, errlen, "cannot put the probe in the syscall dispatcher: %s",
			 strerror(-ret));
		if (fresh)
			column_close(c);
		goto out;
	}
	c->taken[nr] = 1;
	c->used++;
	*col = k;
out:
	pthread_mutex_unlock(&lock);
	return ret;
}

void sysdisp_remove(int exit, int nr, int col)
{
	struct column *c;
	__u32 key = nr;

	if (col < 0 || col >= LP_SYS_COLS || nr < 0 || nr >= LP_SYS_NR)
		return;
	pthread_mutex_lock(&lock);
	c = &cols[exit][col];
	if (c->skel && c->taken[nr]) {
		bpf_map_delete_elem(bpf_map__fd(c->skel->maps.lp_sys_progs), &key);
		c->taken[nr] = 0;
		if (--c->used == 0)
			column_close(c);
	}
	pthread_mutex_unlock(&lock);
}
