/* "did you mean" for misspelt names. */
#ifndef LUAPROBE_SUGGEST_H
#define LUAPROBE_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between a and b. */
int suggest_distance(const char *a, const char *b);

/* The candidate closest to `word` within 1, 2 or 3 edits (by its length), or
 * NULL; ties go to the first. `cands` is NULL-terminated or has n entries. */
const char *suggest_closest(const char *word, const char *const *cands, size_t n);

#endif
