/* libFuzzer targets (issue 10 item 12): each file defines
 * LLVMFuzzerTestOneInput. Built with clang -fsanitize=fuzzer by
 * -DLP_FUZZ=ON (tests/fuzz/run.sh runs them for a bounded time); built with
 * replay.c's main in every build, where ctest replays the seed corpus and
 * every input that once crashed (regressions/<target>/). */
#ifndef LUAPROBE_FUZZ_H
#define LUAPROBE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as the C string a parser gets: Lua hands over no string with
 * a NUL inside (probe.c refuses it), so the text ends at the first one. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
