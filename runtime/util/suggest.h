/* "did you mean" for misspelt names. */
#ifndef LUAPROBE_SUGGEST_H
#define LUAPROBE_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between a and b. */
int suggest_distance(const char *a, const char *b);

/* The candidate closest to `word` within 1, 2 or 3 edits (by its length), or
 * NULL; ties go to the first. `cands` is NULL-terminated or has n entries. */
const char *suggest_closest(const char *word, const char *const *cands, size_t n);

/* The one way to say it: append " (did you mean 'nearest'?)" to the
 * NUL-terminated message in buf (of size len), cut to fit, never past it;
 * nothing when nearest is NULL. Returns nearest. */
const char *suggest_append(char *buf, size_t len, const char *nearest);

/* suggest_append() with the candidate suggest_closest() picks for word. */
const char *suggest_append_closest(char *buf, size_t len, const char *word,
				   const char *const *cands, size_t n);

/* " (did you mean 'nearest'?)" into buf, or "" when nearest is NULL: the
 * "%s" argument of a message written in one call. Returns buf. */
const char *suggest_text(char *buf, size_t len, const char *nearest);

#endif
