#include "lua/printf.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

/* printf(fmt, ...): string.format(fmt, ...) written as io.write writes it.
 * A line per event is the handler most scripts have, and Lua 5.4's
 * string.format costs ~700 ns for "EV %d %s %d\n" here (a vfprintf per
 * conversion, then the line made a Lua string for the collector). The
 * conversions that need nothing of that (%d of an integer, %s of a string,
 * %%) are written straight to io.output()'s stream; a format with any other
 * conversion, flag or width, or an argument of another type, goes to
 * string.format and io.write as before, so every result and every error is
 * theirs. Upvalues: string.format and io.write as the libraries were
 * opened (a script's own string.format does not change printf). */

/* As Lua writes an integer (LUA_INTEGER_FMT, "%lld"). */
static size_t int_text(char *end, long long v)
{
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	char *s = end;

	do {
		*--s = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--s = '-';
	return (size_t)(end - s);
}

/* Can the fast path write it: only %d, %s and %%, each %d's argument an
 * integer and each %s's a string. Extra arguments are ignored, as
 * string.format ignores them. */
static int plain(lua_State *L, const char *fmt, size_t len)
{
	int arg = 2, top = lua_gettop(L);

	for (size_t i = 0; i < len; i++) {
		if (fmt[i] != '%')
			continue;
		if (++i == len)
			return 0;
		if (fmt[i] == '%')
			continue;
		if (arg > top)
			return 0;
		if (fmt[i] == 'd' && lua_isinteger(L, arg))
			arg++;
		else if (fmt[i] == 's' && lua_type(L, arg) == LUA_TSTRING)
			arg++;
		else
			return 0;
	}
	return 1;
}

static int slow(lua_State *L)
{
	int n = lua_gettop(L);

	lua_pushvalue(L, lua_upvalueindex(2)); /* io.write */
	lua_pushvalue(L, lua_upvalueindex(1)); /* string.format */
	for (int i = 1; i <= n; i++)
		lua_pushvalue(L, i);
	lua_call(L, n, 1);
	lua_call(L, 1, 0);
	return 0;
}

/* The line is put together here and written with one fwrite: six calls
 * of fwrite for "EV %d %s %d\n" (each taking the stream's lock) were a
 * fifth of the time of a handler that printed a line per event. */
struct line {
	FILE *f;
	size_t n;
	char buf[512];
};

static void put(struct line *l, const char *s, size_t n)
{
	if (l->n + n > sizeof(l->buf)) {
		fwrite(l->buf, 1, l->n, l->f);
		l->n = 0;
		if (n > sizeof(l->buf)) {
			fwrite(s, 1, n, l->f);
			return;
		}
	}
	memcpy(l->buf + l->n, s, n);
	l->n += n;
}

static int l_printf(lua_State *L)
{
	size_t len;
	const char *fmt = luaL_checklstring(L, 1, &len);
	luaL_Stream *out;
	struct line line;
	int arg = 2;

	if (!plain(L, fmt, len))
		return slow(L);
	lua_getfield(L, LUA_REGISTRYINDEX, "_IO_output"); /* liolib.c's IO_OUTPUT */
	out = luaL_testudata(L, -1, LUA_FILEHANDLE);
	lua_pop(L, 1);
	if (!out || !out->closef)
		return slow(L); /* io.write says what is wrong with it */
	line.f = out->f;
	line.n = 0;
	/* io.write's errors are not raised: printf has always ignored them */
	for (size_t i = 0, lit = 0; i <= len; i++) {
		char num[24];
		size_t n;
		const char *s;

		if (i < len && fmt[i] != '%')
			continue;
		if (i > lit)
			put(&line, fmt + lit, i - lit);
		if (i == len)
			break;
		i++;
		lit = i + 1;
		if (fmt[i] == '%') {
			put(&line, "%", 1);
		} else if (fmt[i] == 'd') {
			n = int_text(num + sizeof(num), (long long)lua_tointeger(L, arg++));
			put(&line, num + sizeof(num) - n, n);
		} else {
			s = lua_tolstring(L, arg++, &n);
			put(&line, s, n);
		}
	}
	if (line.n)
		fwrite(line.buf, 1, line.n, line.f);
	return 0;
}

void lua_printf_open(lua_State *L)
{
	lua_getglobal(L, "string");
	lua_getfield(L, -1, "format");
	lua_remove(L, -2);
	lua_getglobal(L, "io");
	lua_getfield(L, -1, "write");
	lua_remove(L, -2);
	lua_pushcclosure(L, l_printf, 2);
	lua_setfield(L, -2, "_printf");
}
