#include "util/cut.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int opens(const char *msg, const char *q)
{
	return q == msg || q[-1] == ' ' || q[-1] == '(' || q[-1] == '\t' || q[-1] == '\n';
}

static int closes(const char *q)
{
	return q[1] == '\0' || isspace((unsigned char)q[1]) || ispunct((unsigned char)q[1]);
}

void msg_cut_quotes(char *msg)
{
	char *q = msg;

	while ((q = strchr(q, '\'')) != NULL) {
		char *end;

		if (!opens(msg, q)) {
			q++;
			continue;
		}
		end = q + 1;
		while (*end && *end != '\n' && !(*end == '\'' && closes(end)))
			end++;
		/* unclosed: a message cut to its buffer's size lost the quote */
		if (end - q - 1 > MSG_CUT_LEN + 3) {
			char *cut = q + 1 + MSG_CUT_LEN;

			memcpy(cut, "...", 3);
			memmove(cut + 3, end, strlen(end) + 1);
			end = cut + 3;
		}
		if (!*end)
			break;
		q = end + 1;
	}
}

void msg_report(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("luaprobe: out of memory\n", stderr);
		return;
	}
	msg_cut_quotes(msg);
	fprintf(stderr, "luaprobe: %s\n", msg);
	free(msg);
}
