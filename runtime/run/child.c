#include "run/child.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/loop.h"
#include "lua/state.h"

/* How long the command's process group has between SIGTERM and SIGKILL. */
#define GRACE_MS 200

/* Characters that make a command line more than words split on blanks. */
#define SHELL_CHARS ";&|<>()$`\\\"'*?[#~=%{}!\n"

/* Words sh treats as grammar when they come first: `exec if` would not run. */
static const char *const reserved[] = {
	"if",  "then", "else", "elif", "fi", "do", "done",     "case",	 "esac", "while",  "until",
	"for", "in",   "{",    "}",    "!",  "[[", "function", "select", "time", "coproc", NULL,
};

static int is_reserved(const char *w)
{
	size_t n = strcspn(w, " \t;&|<>()\n");

	for (int i = 0; reserved[i]; i++)
		if (strlen(reserved[i]) == n && !strncmp(w, reserved[i], n))
			return 1;
	return 0;
}

/* NAME=: an assignment sh applies to the command that follows it. */
static int is_assignment(const char *w)
{
	if (!isalpha((unsigned char)*w) && *w != '_')
		return 0;
	while (isalnum((unsigned char)*w) || *w == '_')
		w++;
	return *w == '=';
}

/* Past the end of a $( ... ) or ${ ... } starting at p (on the '$'); NULL if
 * it does not end. What is inside runs in a subshell (or expands) before
 * the command, so its ';' and '|' do not make the command compound. */
static const char *skip_dollar(const char *p)
{
	char open = p[1], close = open == '(' ? ')' : '}';
	int depth = 0;

	for (p++; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == open)
			depth++;
		else if (*p == close && --depth == 0)
			return p + 1;
	}
	return NULL;
}

int child_shape(const char *cmd, char *buf, size_t len)
{
	const char *p = cmd, *insert = NULL;
	int word_start = 1;

	if (!strpbrk(cmd, SHELL_CHARS) && cmd[strspn(cmd, " \t")])
		return 0;
	while (*p) {
		char c = *p;

		if (c == ' ' || c == '\t') {
			word_start = 1;
			p++;
			continue;
		}
		if (word_start) {
			word_start = 0;
			if (c == '#')
				break; /* a comment to the end */
			if (!insert) {
				if (is_reserved(p))
					return 2;
				if (!is_assignment(p))
					insert = p;
			}
		}
		switch (c) {
		case '\\':
			if (p[1])
				p++;
			break;
		case '\'':
			p = strchr(p + 1, '\'');
			if (!p)
				return 2; /* unterminated: sh says so */
			break;
		case '"':
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return 2;
			break;
		case '`':
			for (p++; *p && *p != '`'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return 2;
			break;
		case '$':
			if (p[1] == '(' || p[1] == '{') {
				const char *end = skip_dollar(p);

				if (!end)
					return 2;
				p = end - 1;
			}
			break;
		case ';':
		case '\n':
		case '(':
		case ')':
			return 2;
		case '&': /* >& and <& are redirections; anything else runs in the background or is && */
		case '|': /* >| is a redirection; anything else is a pipe or || */
			if (p == cmd || (p[-1] != '>' && !(c == '&' && p[-1] == '<')))
				return 2;
			break;
		}
		p++;
	}
	if (!insert)
		return 2; /* assignments only: no command to become */
	if ((size_t)snprintf(buf, len, "%.*sexec %s", (int)(insert - cmd), cmd, insert) >= len)
		return 2;
	return 1;
}

/* In the child: report errno through the status pipe, then exit. */
static void exec_failed(int status_fd)
{
	int err = errno;

	if (write(status_fd, &err, sizeof(err)) != sizeof(err))
		_exit(126);
	_exit(127);
}

/* Run cmd as the process itself, so its pid is the target the probes were
 * restricted to. */
static void exec_cmd(const char *cmd, int shape, const char *script, int status_fd)
{
	char *words[64], *copy, *save = NULL;
	int n = 0;

	if (shape == 0 && (copy = strdup(cmd))) {
		for (char *w = strtok_r(copy, " \t", &save); w && n < 63;
		     w = strtok_r(NULL, " \t", &save))
			words[n++] = w;
		words[n] = NULL;
		if (n > 0 && n < 63) {
			execvp(words[0], words);
			exec_failed(status_fd); /* luaprobe reports it, once, and exits non-zero */
		}
	}
	execl("/bin/sh", "sh", "-c", shape == 1 ? script : cmd, (char *)NULL);
	exec_failed(status_fd);
}

int child_fork(struct lp_session *s, const char *cmd)
{
	int fds[2], status[2], shape, err;
	size_t len = strlen(cmd) + sizeof("exec ");
	char *script = malloc(len);
	pid_t pid;

	if (!script)
		return -ENOMEM;
	shape = child_shape(cmd, script, len);
	s->target_is_shell = shape == 2;
	if (pipe2(fds, O_CLOEXEC)) {
		err = -errno;
		free(script);
		return err;
	}
	/* The command's exec failure comes back through status (closed by a
	 * successful exec, O_CLOEXEC). */
	if (pipe2(status, O_CLOEXEC | O_NONBLOCK)) {
		err = -errno;
		goto close_gate;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(status[0]);
		close(status[1]);
		goto close_gate;
	}
	if (pid == 0) {
		char go;

		close(fds[1]);
		close(status[0]);
		/* Its own process group, so that the end of the run can end
		 * everything it started (a shell's children too). */
		setpgid(0, 0);
		loop_restore_signals();
		/* Wait for child_release(); EOF means luaprobe gave up: do nothing. */
		if (read(fds[0], &go, 1) != 1)
			_exit(0);
		exec_cmd(cmd, shape, script, status[1]);
	}
	free(script);
	close(fds[0]);
	close(status[1]);
	/* Also here: whichever of the two runs first, the group exists before
	 * the command is released. */
	setpgid(pid, pid);
	s->child_group = pid;
	s->child = pid;
	s->target = pid;
	s->child_gate = fds[1];
	s->child_status = status[0];
	return 0;
close_gate:
	free(script);
	close(fds[0]);
	close(fds[1]);
	return err;
}

void child_note(struct lp_session *s)
{
	if (s->target_is_shell != 1)
		return;
	s->target_is_shell = 2; /* said */
	fprintf(stderr,
		"luaprobe: note: -c '%s' is more than one command: its target is the shell "
		"that runs it, so process probes, target_pid() and `target` see that shell, "
		"not the commands it starts\n",
		s->opt.cmd);
}

void child_release(struct lp_session *s)
{
	if (s->child_gate < 0)
		return;
	if (write(s->child_gate, "g", 1) != 1)
		fprintf(stderr, "luaprobe: cannot start the command: %s\n", strerror(errno));
	close(s->child_gate);
	s->child_gate = -1;
}

int child_reap(struct lp_session *s)
{
	int ended = 0;

	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid <= 0)
			break;
		if (pid == s->child) {
			int err;

			s->child = 0;
			ended = 1;
			s->child_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status)
							    : WEXITSTATUS(status);
			if (read(s->child_status, &err, sizeof(err)) == sizeof(err))
				script_report(s, "cannot run '%s': %s", s->opt.cmd, strerror(err));
		}
	}
	return ended;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Whether the command's group still has a live member, reaping the
 * command itself if it ended (a zombie still counts as a member). */
static int group_alive(struct lp_session *s)
{
	if (s->child > 0 && waitpid(s->child, NULL, WNOHANG) == s->child)
		s->child = 0;
	return kill(-s->child_group, 0) == 0;
}

void child_end(struct lp_session *s)
{
	long long deadline;

	if (s->child_gate >= 0)
		close(s->child_gate); /* a command never released exits at once */
	s->child_gate = -1;
	if (s->child_status >= 0)
		close(s->child_status);
	s->child_status = -1;
	if (s->child_group <= 0)
		return;
	/* The whole group, also when the command itself has ended: what it
	 * left running (`sleep 30; true`'s sleep, a background job) goes too.
	 * SIGCONT wakes a member stopped by job control to take the SIGTERM. */
	if (kill(-s->child_group, SIGTERM) == 0) {
		kill(-s->child_group, SIGCONT);
		deadline = mono_ms() + GRACE_MS;
		while (group_alive(s) && mono_ms() < deadline)
			nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
		/* a member that ignores SIGTERM does not hold the exit */
		if (group_alive(s))
			kill(-s->child_group, SIGKILL);
	}
	if (s->child > 0)
		waitpid(s->child, NULL, 0);
	s->child = 0;
	s->child_group = 0;
}
