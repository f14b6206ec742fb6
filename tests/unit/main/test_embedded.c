/* The embedded Lua chunks (cmake/embed.cmake): each carries bytecode that
 * this Lua loads, the very chunk its source compiles to under the name the
 * runtime gives it (lua/state.c), debug information included, so that a
 * traceback reads the same as from the source. */
#include <lauxlib.h>
#include <lualib.h>

#include "main/embedded.h"
#include "test.h"

static int to_buffer(lua_State *L, const void *p, size_t n, void *ud)
{
	(void)L;
	luaL_addlstring(ud, p, n);
	return 0;
}

/* The name the runtime loads e under. */
static void chunk_name(const struct lp_embedded *e, char *buf, size_t len)
{
	if (e->is_recipe)
		snprintf(buf, len, "=%s.lua", e->name);
	else
		snprintf(buf, len, "=[luaprobe %s]", e->name);
}

static void test_bytecode(void)
{
	int n = 0, modules = 0;

	for (const struct lp_embedded *e = lp_embedded; e->name; e++, n++) {
		lua_State *L = luaL_newstate(), *D = luaL_newstate();
		char chunk[128];
		luaL_Buffer b;
		lua_Debug ar;

		modules += !e->is_recipe;
		chunk_name(e, chunk, sizeof(chunk));
		if (!ASSERT_TRUE(e->bclen > 4 && !memcmp(e->bc, LUA_SIGNATURE, 4), "bytecode") ||
		    !ASSERT_EQ(luaL_loadbufferx(L, e->bc, e->bclen, chunk, "b"), LUA_OK,
			       "bytecode loads")) {
			fprintf(stderr, "%s: %s\n", e->name, lua_tostring(L, -1));
			goto next;
		}
		lua_pushvalue(L, -1);
		lua_getinfo(L, ">Sl", &ar);
		ASSERT_STREQ(ar.source, chunk, "its chunk name");
		/* the source, compiled as the runtime would, dumps to the same bytes */
		ASSERT_EQ(luaL_loadbufferx(L, e->src, e->len, chunk, "t"), LUA_OK,
			  "source compiles");
		luaL_buffinit(D, &b);
		ASSERT_EQ(lua_dump(L, to_buffer, &b, 0), 0, "dump");
		luaL_pushresult(&b);
		ASSERT_EQ(lua_rawlen(D, -1), e->bclen, "bytecode length");
		if (!ASSERT_TRUE(lua_rawlen(D, -1) == e->bclen &&
					 !memcmp(lua_tostring(D, -1), e->bc, e->bclen),
				 "bytecode is the source's"))
			fprintf(stderr, "%s\n", e->name);
next:
		lua_close(D);
		lua_close(L);
	}
	ASSERT_EQ(modules, 2, "modules (lua/*.lua)");
	ASSERT_TRUE(n > modules, "recipes");
}

/* A function of lua/luaprobe.lua loaded from bytecode still knows its
 * lines: an error raised inside it names the module and a line. */
static void test_lines(void)
{
	const struct lp_embedded *e = lp_embedded;
	lua_State *L = luaL_newstate();
	lua_Debug ar;
	int found = 0;

	while (e->name && (e->is_recipe || strcmp(e->name, "luaprobe")))
		e++;
	if (!ASSERT_TRUE(e->name != NULL, "the luaprobe module"))
		return;
	ASSERT_EQ(luaL_loadbufferx(L, e->bc, e->bclen, "=[luaprobe luaprobe]", "b"), LUA_OK,
		  "load");
	lua_getinfo(L, ">L", &ar); /* the table of lines that hold code */
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		found++;
		lua_pop(L, 1);
	}
	ASSERT_TRUE(found > 10, "line information kept");
	lua_close(L);
}

TEST_MAIN(TEST(test_bytecode), TEST(test_lines))
