/* The event decoder: raw bytes as the template writes them, read from Lua as
 * fields with the right width, sign and type. */
#include <lauxlib.h>
#include <lualib.h>

#include <luaprobe/event.h>

#include "lua/event.h"
#include "test.h"

static struct lp_field fields[] = {
	{ .name = "s8", .ctype = "char", .off = 0, .size = 1, .kind = LP_FK_INT },
	{ .name = "u16", .ctype = "unsigned short", .off = 2, .size = 2, .kind = LP_FK_UINT },
	{ .name = "s32", .ctype = "int", .off = 4, .size = 4, .kind = LP_FK_INT },
	{ .name = "ptr", .ctype = "void *", .off = 8, .size = 8, .kind = LP_FK_UINT },
	{ .name = "comm", .ctype = "char[16]", .off = 16, .size = 16, .kind = LP_FK_STR },
	{ .name = "args",
	  .ctype = "unsigned int[3]",
	  .off = 32,
	  .size = 12,
	  .elem = 4,
	  .kind = LP_FK_UINTARRAY },
	{ .name = "pid", .ctype = "pid_t", .off = 44, .size = 4, .kind = LP_FK_INT },
	{ .name = "addr",
	  .ctype = "__u8[4]",
	  .off = 48,
	  .size = 4,
	  .elem = 1,
	  .kind = LP_FK_UINTARRAY },
	{ .name = "buf", .ctype = "u8[]", .elem = 1, .kind = LP_FK_DYNARRAY },
};

struct raw {
	struct lp_event_hdr h;
	unsigned char data[56];
};

static lua_State *L;
static struct lp_probe probe = { .text = "tracepoint:test:ev", .fields = fields, .nfields = 9 };

/* Run `expr` against the event as e and return its value as a string. */
static const char *eval(const char *expr)
{
	char code[256];

	snprintf(code, sizeof(code), "local e = ... return tostring(%s)", expr);
	if (luaL_loadbuffer(L, code, strlen(code), "=t") != LUA_OK)
		return "load error";
	lua_pushvalue(L, 1);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		static char err[256];

		snprintf(err, sizeof(err), "error: %s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return err;
	}
	lua_replace(L, 2);
	return lua_tostring(L, 2);
}

static void setup(void)
{
	struct raw r = { 0 };
	signed char s8 = -3;
	unsigned short u16 = 0xfffe;
	int s32 = -123456;
	unsigned long long ptr = 0xffffffff81586d82ULL;
	unsigned int args[3] = { 1, 0xffffffff, 3 };
	int pid = 4242;

	r.h.ts = 123456789;
	r.h.pid = 100;
	r.h.tid = 101;
	r.h.uid = 1000;
	r.h.cpu = 1;
	r.h.size = sizeof(r.data);
	memcpy(r.h.comm, "worker", 7);
	memcpy(r.data + 0, &s8, 1);
	memcpy(r.data + 2, &u16, 2);
	memcpy(r.data + 4, &s32, 4);
	memcpy(r.data + 8, &ptr, 8);
	memcpy(r.data + 16, "0123456789abcdef", 16); /* a full char[16]: no NUL */
	memcpy(r.data + 32, args, 12);
	memcpy(r.data + 44, &pid, 4);
	memcpy(r.data + 48, "\x7f\x00\x05\x01", 4); /* 127.0.5.1: a zero inside */

	L = luaL_newstate();
	luaL_openlibs(L);
	decode_init(L);
	decode_fieldmap(L, &probe);
	decode_push_event(L, &probe, &r, sizeof(r));
	lua_pushnil(L);
}

static void test_integers(void)
{
	ASSERT_STREQ(eval("e.s8"), "-3", "signed char sign-extended");
	ASSERT_STREQ(eval("e.u16"), "65534", "unsigned short not sign-extended");
	ASSERT_STREQ(eval("e.s32"), "-123456", "int");
	ASSERT_STREQ(eval("string.format('%x', e.ptr)"), "ffffffff81586d82", "kernel pointer");
	ASSERT_STREQ(eval("math.type(e.ptr)"), "integer", "pointer is an integer");
}

static void test_strings_and_arrays(void)
{
	ASSERT_STREQ(eval("e.comm"), "0123456789abcdef", "char[16] without NUL");
	ASSERT_STREQ(eval("#e.args .. ':' .. e.args[1] .. ',' .. e.args[2] .. ',' .. e.args[3]"),
		     "3:1,4294967295,3", "unsigned int[3]");
	ASSERT_STREQ(eval("#e.addr .. ' ' .. e.addr:byte(1) .. '.' .. e.addr:byte(2) .. '.' .. "
			  "e.addr:byte(3) .. '.' .. e.addr:byte(4)"),
		     "4 127.0.5.1", "__u8[4]: a string of 4 bytes, zeros included");
	ASSERT_STREQ(eval("e.addr == '\\127\\0\\5\\1'"), "true", "bytes compare whole");
}

static void test_builtins(void)
{
	ASSERT_STREQ(eval("e.pid"), "4242", "the tracepoint's own pid field wins");
	ASSERT_STREQ(eval("e.tid"), "101", "tid");
	ASSERT_STREQ(eval("e.uid .. ' ' .. e.cpu .. ' ' .. e.ts"), "1000 1 123456789",
		     "uid cpu ts");
	ASSERT_STREQ(eval("e.probe"), "tracepoint:test:ev", "probe");
	ASSERT_STREQ(eval("e._pid"), "100", "_pid: the built-in the field hides");
	ASSERT_STREQ(eval("e.comm .. ' ' .. e._comm"), "0123456789abcdef worker",
		     "the field comm wins; _comm is the built-in");
	ASSERT_STREQ(eval("e._tid .. ' ' .. e._uid .. ' ' .. e._cpu .. ' ' .. e._ts .. ' ' .. "
			  "e._probe"),
		     "101 1000 1 123456789 tracepoint:test:ev", "every built-in as _name");
	ASSERT_STREQ(eval("e._kstack"),
		     "error: t:1: probe 'tracepoint:test:ev' has no field '_kstack' (did you mean "
		     "'kstack'?)",
		     "_kstack without spec.stack");
}

static void test_errors(void)
{
	ASSERT_STREQ(eval("e.s33"),
		     "error: t:1: probe "
		     "'tracepoint:test:ev' has no field 's33' (did you mean 's32'?)",
		     "misspelt field");
	ASSERT_STREQ(eval("e.buf"),
		     "error: t:1: probe 'tracepoint:test:ev': field 'buf' (u8[]) is a "
		     "variable-length array, which luaprobe does not read yet",
		     "a __data_loc array");
	ASSERT_STREQ(eval("(function() e.x = 1 end)()"),
		     "error: t:1: probe 'tracepoint:test:ev': events are read-only", "read-only");
}

static void test_pairs(void)
{
	ASSERT_STREQ(eval("(function() local n, names = 0, {} for k, v in pairs(e) do n = n + 1 "
			  "names[#names + 1] = k end return n .. ' ' .. names[1] .. ' ' .. "
			  "names[#names] end)()"),
		     "15 s8 probe", "pairs: 8 readable fields then 7 built-ins");
	ASSERT_STREQ(
		eval("(function() local t = {} for k, v in pairs(e) do t[k] = v end "
		     "return t._pid .. ' ' .. t.pid .. ' ' .. t._comm .. ' ' .. t.tid .. ' ' .. "
		     "tostring(t._tid) end)()"),
		"100 4242 worker 101 nil", "pairs: hidden built-ins as _name, the others plain");
}

TEST_MAIN(TEST(setup), TEST(test_integers), TEST(test_strings_and_arrays), TEST(test_builtins),
	  TEST(test_errors), TEST(test_pairs))
