#include "util/suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/messages.h"

int suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int *row = malloc((lb + 1) * sizeof(*row));
	int d;

	if (!row)
		return 1 << 20;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

const char *suggest_closest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strlen(word);
	/* A typo is an edit or two, not a different word that shares a prefix
	 * (sys_enter_nosuchthing is not sys_enter_fsconfig). */
	int limit = len < 5 ? 1 : len < 12 ? 2 : 3, best = 1 << 20;
	const char *found = NULL;

	for (size_t i = 0; i < n && cands[i]; i++) {
		int d = suggest_distance(word, cands[i]);

		if (d < best && d <= limit) {
			best = d;
			found = cands[i];
		}
	}
	return found;
}

const char *suggest_append(char *buf, size_t len, const char *nearest)
{
	size_t used = len ? strnlen(buf, len) : 0;

	if (nearest && used + 1 < len)
		snprintf(buf + used, len - used, MSG_DID_YOU_MEAN, nearest);
	return nearest;
}

const char *suggest_append_closest(char *buf, size_t len, const char *word,
				   const char *const *cands, size_t n)
{
	return suggest_append(buf, len, suggest_closest(word, cands, n));
}

const char *suggest_text(char *buf, size_t len, const char *nearest)
{
	if (len)
		buf[0] = '\0';
	suggest_append(buf, len, nearest);
	return buf;
}
