/* Stacks of processes that have exited: a child of this test, noted while
 * it lives (a copy of its maps), then reaped, still symbolizes; one never
 * noted does not. And the perf records (maptrack): a child that execs
 * /bin/sleep is found with the same module starts /proc/PID/maps shows,
 * and once it has exited usym symbolizes an address in its libc. Needs
 * CAP_PERFMON for the records (skipped without). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sym/maptrack.h"
#include "sym/usym.h"
#include "test.h"

__attribute__((noinline)) int maptrack_target(int x)
{
	return x * 5 + 2;
}

static pid_t child_sleeping(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_noted(void)
{
	uint64_t a = (uint64_t)(uintptr_t)&maptrack_target + 4;
	struct lp_usym *u = usym_new();
	pid_t noted = child_sleeping(), other = child_sleeping();
	char buf[256];

	if (!ASSERT_TRUE(u && noted > 0 && other > 0, "setup"))
		return;
	ASSERT_EQ(usym_note(u, noted, 0), 0, "note a live process");
	ASSERT_EQ(usym_note(u, noted, 0), 0, "again: nothing to do");
	reap(noted);
	reap(other);
	/* noted again once gone (a late notice): the copy stays */
	ASSERT_EQ(usym_note(u, noted, 1), -ESRCH, "a recheck of a process that is gone");
	ASSERT_EQ(usym_format(u, noted, a, buf, sizeof(buf)), 0, "the noted process, gone");
	ASSERT_TRUE(!strncmp(buf, "maptrack_target+0x4 (test_maptrack.c:", 37), "its symbol");
	fprintf(stderr, "  exited: %s\n", buf);
	ASSERT_EQ(usym_format(u, other, a, buf, sizeof(buf)), -ESRCH, "one never noted");
	ASSERT_EQ(usym_note(u, other, 0), -ESRCH, "noting a process that is gone");
	ASSERT_EQ(maptrack_target(1), 7, "maptrack_target itself");
	usym_free(u);
}

/* The first line of /proc/PID/maps naming path: where its module starts. */
static unsigned long long maps_start(pid_t pid, const char *text, const char *path)
{
	char file[64], line[512];
	unsigned long long lo = 0, v;
	FILE *f;

	if (text) {
		f = fmemopen((void *)text, strlen(text), "r");
	} else {
		snprintf(file, sizeof(file), "/proc/%d/maps", pid);
		f = fopen(file, "r");
	}
	while (f && !lo && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		if (n > strlen(path) && !strcmp(line + n - strlen(path), path) &&
		    line[n - strlen(path) - 1] == ' ' && sscanf(line, "%llx", &v) == 1)
			lo = v;
	}
	if (f)
		fclose(f);
	return lo;
}

static void test_records(void)
{
	struct lp_maptrack *t = maptrack_start();
	struct lp_usym *u;
	char *text, buf[256], libc[256] = "";
	unsigned long long lo_live, lo_libc;
	size_t len = 0;
	int pipefd[2];
	pid_t pid;

	if (!t && (errno == EACCES || errno == EPERM)) {
		printf("SKIP: no perf events here (%s)\n", strerror(errno));
		exit(77);
	}
	if (!ASSERT_TRUE(t != NULL, "maptrack_start") || pipe(pipefd))
		return;
	pid = fork();
	if (pid == 0) {
		char c;

		/* wait until the parent has read the live maps, then exec */
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) < 0)
			_exit(1);
		execl("/bin/sleep", "sleep", "0.3", (char *)NULL);
		_exit(127);
	}
	close(pipefd[0]);
	if (write(pipefd[1], "x", 1) != 1)
		return;
	usleep(150000); /* sleep has mapped everything by now */
	maptrack_poll(t);
	text = maptrack_maps(t, pid, &len);
	if (!ASSERT_TRUE(text != NULL && len > 0, "records of the child"))
		goto out;
	fprintf(stderr, "%.*s", (int)len, text);
	lo_live = maps_start(pid, NULL, "/usr/bin/sleep");
	if (!lo_live)
		lo_live = maps_start(pid, NULL, "/bin/sleep");
	ASSERT_TRUE(lo_live != 0, "sleep in the live maps");
	ASSERT_TRUE(lo_live == maps_start(pid, text, "/usr/bin/sleep") ||
			    lo_live == maps_start(pid, text, "/bin/sleep"),
		    "the module start of the executable, as the kernel has it");
	/* libc: the path as the records give it */
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (sscanf(line, "%*x-%*x %*s %*s %*s %*s %255s", buf) == 1 &&
		    strstr(buf, "/libc.so.6"))
			snprintf(libc, sizeof(libc), "%s", buf);
	ASSERT_TRUE(libc[0] == '/', "libc among the records");
	lo_libc = maps_start(pid, NULL, libc);
	ASSERT_EQ(lo_libc, maps_start(pid, text, libc), "libc's module start");
	free(text);
	waitpid(pid, NULL, 0);

	/* gone: usym symbolizes libc's first bytes from the records alone */
	u = usym_new();
	if (!ASSERT_EQ(usym_track_start(u), 0, "usym_track_start"))
		goto out_u;
	ASSERT_EQ(usym_format(u, pid, lo_libc + 0x100, buf, sizeof(buf)), -ESRCH,
		  "a process gone before the tracking started");
out_u:
	usym_free(u);
out:
	close(pipefd[1]);
	maptrack_free(t);
}

/* The whole path: tracking started, a child execs /bin/sleep and exits,
 * and an address of its libc symbolizes afterwards (libc holds a symbol at
 * any address of its text). */
static void test_exited(void)
{
	struct lp_usym *u = usym_new();
	unsigned long long lo = 0;
	char buf[256], path[64], line[512];
	pid_t pid;
	FILE *f;

	if (!ASSERT_TRUE(u != NULL, "usym_new"))
		return;
	if (usym_track_start(u)) {
		usym_free(u);
		printf("SKIP: no perf events here\n");
		exit(77);
	}
	pid = fork();
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "0.2", (char *)NULL);
		_exit(127);
	}
	usleep(100000);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	/* an address in libc's text, read while it lives */
	while (f && !lo && fgets(line, sizeof(line), f))
		if (strstr(line, "r-xp") && strstr(line, "/libc.so.6"))
			sscanf(line, "%llx", &lo);
	if (f)
		fclose(f);
	waitpid(pid, NULL, 0);
	if (!ASSERT_TRUE(lo != 0, "libc's text in the child"))
		goto out;
	ASSERT_EQ(usym_format(u, pid, lo + 0x1000, buf, sizeof(buf)), 0, "after the exit");
	fprintf(stderr, "  libc after exit: %s\n", buf);
	ASSERT_TRUE(buf[0] != '0', "a symbol, not an address");
out:
	usym_free(u);
}

TEST_MAIN(TEST(test_noted), TEST(test_records), TEST(test_exited))
