/*
 * peakrss: run a command and report its peak resident set and wall time.
 *
 *   peakrss [-o FILE] [-t SECONDS] CMD [ARGS...]
 *
 * Prints one line "maxrss_kib=N wall_ms=X status=S" to FILE (default stdout)
 * once the child is reaped: ru_maxrss from wait4(), the time from just before
 * fork() to the reap, and the exit status (128+signal when killed by one).
 * The child keeps this program's stdin, stdout and stderr. With -t the child
 * is killed with SIGKILL after SECONDS and the status is "timeout".
 */
#ifndef _GNU_SOURCE /* the top-level build may define it already */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void usage(void)
{
	fputs("usage: peakrss [-o FILE] [-t SECONDS] CMD [ARGS...]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: wait4 sees EINTR */
	const char *out = NULL;
	unsigned int limit = 0;
	struct rusage ru;
	double t0, t1;
	char st[32];
	FILE *f;
	pid_t pid;
	int opt, status;

	while ((opt = getopt(argc, argv, "+o:t:")) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 't':
			limit = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();

	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("peakrss: fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "peakrss: cannot run '%s': %s\n", argv[optind], strerror(errno));
		_exit(127);
	}

	sigaction(SIGALRM, &sa, NULL);
	if (limit)
		alarm(limit);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("peakrss: wait4");
			return 1;
		}
		if (timed_out)
			kill(pid, SIGKILL);
	}
	t1 = now_ms();
	alarm(0);

	if (timed_out)
		snprintf(st, sizeof(st), "timeout");
	else if (WIFSIGNALED(status))
		snprintf(st, sizeof(st), "%d", 128 + WTERMSIG(status));
	else
		snprintf(st, sizeof(st), "%d", WEXITSTATUS(status));

	f = out ? fopen(out, "w") : stdout;
	if (!f) {
		fprintf(stderr, "peakrss: cannot write '%s': %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(f, "maxrss_kib=%ld wall_ms=%.1f status=%s\n", ru.ru_maxrss, t1 - t0, st);
	if (f != stdout)
		fclose(f);
	return 0;
}
