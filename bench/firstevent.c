/*
 * firstevent: time from launching a tracer to its first matching output line.
 *
 *   firstevent [-t TIMEOUT_MS] [-g GRACE_MS] PREFIX CMD [ARGS...]
 *
 * Runs CMD with its stdout on a pipe, reads lines until one starts with
 * PREFIX and prints the milliseconds from just before fork() to the read that
 * brought the prefix in. Then it sends SIGINT, drains the pipe until EOF (so
 * the tracer is never blocked on a full pipe while it exits), and reaps it;
 * after GRACE_MS (default 5000) it uses SIGKILL. Exit status 0 when the
 * line came, 1 on EOF or TIMEOUT_MS (default 10000) without it.
 */
#ifndef _GNU_SOURCE /* the top-level build may define it already */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void usage(void)
{
	fputs("usage: firstevent [-t TIMEOUT_MS] [-g GRACE_MS] PREFIX CMD [ARGS...]\n", stderr);
	exit(2);
}

/* Read what is there within ms milliseconds: >0 bytes, 0 on EOF, -1 on timeout. */
static ssize_t read_within(int fd, char *buf, size_t len, double ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	if (ms < 0)
		return -1;
	r = poll(&p, 1, (int)ms + 1);
	if (r < 0 && errno == EINTR)
		return read_within(fd, buf, len, 0);
	if (r <= 0)
		return -1;
	n = read(fd, buf, len);
	return n < 0 ? 0 : n;
}

/* Stop the child: SIGINT, drain the pipe, then SIGKILL if it is still there. */
static void stop(pid_t pid, int fd, double grace_ms)
{
	double deadline = now_ms() + grace_ms;
	char buf[65536];
	int status;

	kill(pid, SIGINT);
	while (read_within(fd, buf, sizeof(buf), deadline - now_ms()) > 0)
		;
	close(fd);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(2000);
	}
}

int main(int argc, char **argv)
{
	double timeout_ms = 10000, grace_ms = 5000, t0, t1 = 0;
	size_t plen, matched = 0;
	int fds[2], opt, at_start = 1, found = 0;
	const char *prefix;
	char buf[65536];
	ssize_t n = 0, i;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+t:g:")) != -1) {
		switch (opt) {
		case 't':
			timeout_ms = strtod(optarg, NULL);
			break;
		case 'g':
			grace_ms = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	prefix = argv[optind];
	plen = strlen(prefix);

	if (pipe2(fds, O_CLOEXEC)) {
		perror("firstevent: pipe");
		return 1;
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("firstevent: fork");
		return 1;
	}
	if (!pid) {
		dup2(fds[1], STDOUT_FILENO);
		execvp(argv[optind + 1], argv + optind + 1);
		fprintf(stderr, "firstevent: cannot run '%s': %s\n", argv[optind + 1],
			strerror(errno));
		_exit(127);
	}
	close(fds[1]);

	/* Match the prefix byte by byte: lines may arrive split across reads. */
	while (!found) {
		n = read_within(fds[0], buf, sizeof(buf), t0 + timeout_ms - now_ms());
		if (n <= 0)
			break;
		for (i = 0; i < n && !found; i++) {
			if (buf[i] == '\n') {
				at_start = 1;
				matched = 0;
			} else if (at_start && buf[i] == prefix[matched]) {
				matched++;
			} else {
				at_start = 0;
			}
			if (at_start && matched == plen) {
				found = 1;
				t1 = now_ms();
			}
		}
	}
	if (found)
		printf("%.1f\n", t1 - t0);
	else
		fprintf(stderr, "firstevent: no line starting with '%s' from '%s' (%s)\n", prefix,
			argv[optind + 1], n ? "timeout" : "EOF");
	fflush(stdout);
	stop(pid, fds[0], grace_ms);
	return found ? 0 : 1;
}
