/*
 * linecount: count a tracer's event lines on stdin and when they arrived.
 *
 *   linecount [-r READYFILE] [-o OTHERFILE] PREFIX
 *
 * Counts the lines that start with PREFIX and notes the CLOCK_MONOTONIC time
 * (ns) of the read that completed the first and the last of them. The first
 * line that starts with "READY" creates READYFILE, so a script can start its
 * workload once the tracer has attached. Every other line goes to OTHERFILE
 * (lost-event reports, end-of-run summaries). At EOF it prints
 * "count=N first_ns=A last_ns=B" on stdout.
 */
#ifndef _GNU_SOURCE /* the top-level build may define it already */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_KEPT 4096

static const char *prefix, *ready_path;
static size_t plen;
static FILE *other;
static uint64_t count, first_ns, last_ns;
static int ready_seen;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void usage(void)
{
	fputs("usage: linecount [-r READYFILE] [-o OTHERFILE] PREFIX\n", stderr);
	exit(2);
}

/* One whole line (without its '\n'), completed by a read at time t. */
static void line(const char *s, size_t len, uint64_t t)
{
	FILE *f;

	if (len >= plen && !memcmp(s, prefix, plen)) {
		if (!count++)
			first_ns = t;
		last_ns = t;
	} else if (!ready_seen && len >= 5 && !memcmp(s, "READY", 5)) {
		ready_seen = 1;
		if (ready_path) {
			f = fopen(ready_path, "w");
			if (f)
				fclose(f);
		}
	} else if (other) {
		fwrite(s, 1, len, other);
		fputc('\n', other);
	}
}

int main(int argc, char **argv)
{
	static char buf[1 << 20], carry[LINE_MAX_KEPT];
	size_t clen = 0, take;
	const char *p, *end, *nl;
	ssize_t n;
	uint64_t t;
	int opt;

	while ((opt = getopt(argc, argv, "r:o:")) != -1) {
		switch (opt) {
		case 'r':
			ready_path = optarg;
			break;
		case 'o':
			other = fopen(optarg, "w");
			if (!other) {
				fprintf(stderr, "linecount: cannot write '%s': %s\n", optarg,
					strerror(errno));
				return 1;
			}
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	prefix = argv[optind];
	plen = strlen(prefix);

	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		t = now_ns();
		for (p = buf, end = buf + n; p < end; p = nl + 1) {
			nl = memchr(p, '\n', end - p);
			if (!nl) {
				/* Partial line: keep its start (enough to classify it). */
				take = end - p;
				if (take > sizeof(carry) - clen)
					take = sizeof(carry) - clen;
				memcpy(carry + clen, p, take);
				clen += take;
				break;
			}
			if (clen) {
				take = nl - p;
				if (take > sizeof(carry) - clen)
					take = sizeof(carry) - clen;
				memcpy(carry + clen, p, take);
				line(carry, clen + take, t);
				clen = 0;
			} else {
				line(p, nl - p, t);
			}
		}
	}
	if (clen)
		line(carry, clen, now_ns());
	if (other)
		fclose(other);
	printf("count=%llu first_ns=%llu last_ns=%llu\n", (unsigned long long)count,
	       (unsigned long long)first_ns, (unsigned long long)last_ns);
	return 0;
}
