/* The Lua helpers as a script calls them: exact strings and exact error
 * messages. Kernel facts (addresses, drop reason values) are read here
 * independently of ksym.c and kbtf.c. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua/util.h"
#include "session.h"
#include "test.h"

#define KFREE_SKB_FORMAT "/sys/kernel/tracing/events/skb/kfree_skb/format"

static lua_State *L;
static struct lp_session session; /* what util.c finds through session_of(L) */
static long long unhandled_proto = -1; /* from the kfree_skb format */
static char out[1024];

static void skip(const char *reason)
{
	printf("SKIP: %s\n", reason);
	fflush(stdout);
	exit(77);
}

/* Run `code` as chunk "t"; the result converted by tostring, or
 * "error: <message>". */
static const char *run(const char *code)
{
	int top = lua_gettop(L);

	if (luaL_loadbuffer(L, code, strlen(code), "=t") || lua_pcall(L, 0, 1, 0))
		snprintf(out, sizeof(out), "error: %s", lua_tostring(L, -1));
	else
		snprintf(out, sizeof(out), "%s", luaL_tolstring(L, -1, NULL));
	lua_settop(L, top);
	return out;
}

static const char *runf(const char *fmt, long long v)
{
	char code[512];

	snprintf(code, sizeof(code), fmt, v);
	return run(code);
}

static long long kallsyms_addr(const char *want)
{
	char line[1024], name[512], type;
	unsigned long long a, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %511s", &a, &type, name) == 3 && !strcmp(name, want) &&
		    (type == 't' || type == 'T'))
			found = a;
	}
	fclose(f);
	return found;
}

static long long format_value(const char *name)
{
	static char text[1 << 16];
	char quoted[128];
	FILE *f = fopen(KFREE_SKB_FORMAT, "r");
	const char *p;
	size_t n;

	if (!f)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	snprintf(quoted, sizeof(quoted), "\"%s\" }", name);
	p = strstr(text, quoted);
	if (!p)
		return -1;
	while (p > text && *p != '{')
		p--;
	return strtoll(p + 1, NULL, 0);
}

static void test_open(void)
{
	L = luaL_newstate();
	*(struct lp_session **)lua_getextraspace(L) = &session;
	luaL_openlibs(L);
	/* as script.c does: the functions go in a table, each also a global */
	lua_newtable(L);
	lua_util_open(L);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_setglobal(L, lua_tostring(L, -2));
	}
	lua_pop(L, 1);
	ASSERT_STREQ(run("return type(ksym) .. type(ntohl) .. type(enum)"),
		     "functionfunctionfunction", "globals");
}

static void test_ethertype(void)
{
	ASSERT_STREQ(run("return ethertype(0x88b5)"), "0x88b5", "unknown");
	ASSERT_STREQ(run("return ethertype(0x0800)"), "IPv4", "IPv4");
	ASSERT_STREQ(run("return ethertype(0x86DD)"), "IPv6", "IPv6");
	ASSERT_STREQ(run("return ethertype(0x0806)"), "ARP", "ARP");
	ASSERT_STREQ(run("return ethertype(0x8848)"), "MPLS-mc", "MPLS-mc");
	ASSERT_STREQ(run("return ethertype(0x894F)"), "NSH", "NSH");
	ASSERT_STREQ(run("return ethertype(0x42)"), "0x0042", "four digits");
	ASSERT_STREQ(run("return ethertype(0xABCD)"), "0xabcd", "lower case");
	ASSERT_STREQ(run("return ethertype('x')"),
		     "error: t:1: bad argument #1 to 'ethertype' (number expected, got string)",
		     "bad argument");
}

static void test_byte_order(void)
{
	ASSERT_STREQ(run("return ntohs(0x0008) == 0x0800"), "true", "ntohs");
	ASSERT_STREQ(run("return htons(0x0800)"), "8", "htons");
	ASSERT_STREQ(run("return ntohs(0x12345678)"), "30806", "ntohs of the low 16 bits");
	ASSERT_STREQ(run("return ntohl(0x01020304) == 0x04030201"), "true", "ntohl");
	ASSERT_STREQ(run("return htonl(0xff)"), "4278190080", "htonl is not negative");
	ASSERT_STREQ(run("return ntohl(-1)"), "4294967295", "ntohl of the low 32 bits");
	ASSERT_STREQ(run("return ntohs()"),
		     "error: t:1: bad argument #1 to 'ntohs' (number expected, got no value)",
		     "missing argument");
}

static void test_inet(void)
{
	ASSERT_STREQ(run("return inet('\\127\\0\\0\\1')"), "127.0.0.1", "4 bytes");
	ASSERT_STREQ(run("return inet('\\127\\1\\0\\9')"), "127.1.0.9", "a zero octet inside");
	ASSERT_STREQ(run("return inet('\\0\\0\\0\\0')"), "0.0.0.0", "all zeros");
	/* an integer as the kernel stores a __be32: its bytes in memory order */
	ASSERT_STREQ(run("return inet(0x0100007f)"), "127.0.0.1", "u32 in network order");
	ASSERT_STREQ(run("return inet(0x0900017f, 2)"), "127.1.0.9", "AF_INET by number");
	ASSERT_STREQ(run("return inet(string.rep('\\0', 15) .. '\\1')"), "::1", "IPv6 ::1");
	ASSERT_STREQ(run("return inet(string.rep('\\0', 16), 'inet6')"), "::", "IPv6 ::");
	ASSERT_STREQ(run("return inet('\\32\\1\\13\\184' .. string.rep('\\0', 11) .. "
			 "'\\1', 10)"),
		     "2001:db8::1", "RFC 5952: zeros compressed, lower case");
	ASSERT_STREQ(run("return inet(string.rep('\\0', 10) .. '\\255\\255\\192\\0\\2\\1')"),
		     "::ffff:192.0.2.1", "v4-mapped");
	ASSERT_STREQ(run("return ntop('\\10\\0\\5\\1')"), "10.0.5.1", "ntop, 4 bytes");
	ASSERT_STREQ(run("return ntop(string.rep('\\0', 15) .. '\\1')"), "::1", "ntop, 16 bytes");
	ASSERT_STREQ(run("return ntop(0x0100007f)"), "127.0.0.1", "ntop, an integer");
	ASSERT_STREQ(run("return inet('\\1\\2\\3')"),
		     "error: t:1: bad argument #1 to 'inet' (3 bytes: an address is 4 bytes (IPv4) "
		     "or 16 (IPv6))",
		     "3 bytes");
	ASSERT_STREQ(run("return inet('\\1\\2\\3\\4', 'inet6')"),
		     "error: t:1: bad argument #1 to 'inet' (4 bytes: an inet6 address is 16)",
		     "family and length disagree");
	ASSERT_STREQ(run("return inet(1, 10)"),
		     "error: t:1: bad argument #1 to 'inet' (an integer is an IPv4 address; an "
		     "inet6 address is 16 bytes)",
		     "integer as IPv6");
	ASSERT_STREQ(run("return inet('\\1\\2\\3\\4', 3)"),
		     "error: t:1: bad argument #2 to 'inet' (family 3: want AF_INET (2), AF_INET6 "
		     "(10), 'inet' or 'inet6')",
		     "unknown family");
	ASSERT_STREQ(run("return inet('\\1\\2\\3\\4', 'ip')"),
		     "error: t:1: bad argument #2 to 'inet' (invalid option 'ip')", "unknown name");
	ASSERT_STREQ(run("return inet(0x100000000)"),
		     "error: t:1: bad argument #1 to 'inet' (4294967296 is not a 32-bit address)",
		     "wider than 32 bits");
	ASSERT_STREQ(
		run("return inet({})"),
		"error: t:1: bad argument #1 to 'inet' (string or integer expected, got table)",
		"a table");
	ASSERT_STREQ(run("return ntop()"),
		     "error: t:1: bad argument #1 to 'ntop' (string or integer expected, got no "
		     "value)",
		     "ntop without argument");
}

static void test_errno_name(void)
{
	ASSERT_STREQ(run("return errno_name(2)"), "ENOENT", "2");
	ASSERT_STREQ(run("return errno_name(-22)"), "EINVAL", "-22");
	ASSERT_STREQ(run("return errno_name(11)"), "EAGAIN", "11, not EWOULDBLOCK");
	ASSERT_STREQ(run("return errno_name(95)"), "EOPNOTSUPP", "95");
	ASSERT_STREQ(run("return errno_name(133)"), "EHWPOISON", "last");
	ASSERT_STREQ(run("return errno_name(-524)"), "ENOTSUPP", "kernel-internal");
	ASSERT_STREQ(run("return errno_name(512)"), "ERESTARTSYS", "ERESTARTSYS");
	ASSERT_STREQ(run("return errno_name(0)"), "0", "0");
	ASSERT_STREQ(run("return errno_name(4000)"), "4000", "unknown");
	ASSERT_STREQ(run("return errno_name(520)"), "520", "hole in the kernel's codes");
}

static void test_ksym(void)
{
	long long a = kallsyms_addr("do_sys_openat2");
	char want[64];

	if (!a)
		skip("do_sys_openat2 not in /proc/kallsyms, or addresses hidden");
	snprintf(want, sizeof(want), "%lld", a);
	ASSERT_STREQ(run("return kaddr('do_sys_openat2')"), want, "kaddr");
	ASSERT_STREQ(run("return math.type(kaddr('do_sys_openat2'))"), "integer", "an integer");
	ASSERT_STREQ(run("return ksym(kaddr('do_sys_openat2') + 5)"), "do_sys_openat2+0x5", "ksym");
	ASSERT_STREQ(runf("return ksym(%lld)", a), "do_sys_openat2", "negative Lua integer");
	ASSERT_STREQ(run("return ksym(0)"), "0x0", "0");
	ASSERT_STREQ(run("return ksym(1)"), "0x1", "below every symbol");
	ASSERT_STREQ(run("return kaddr('no_such_symbol_xyz')"), "nil", "unknown symbol");
	ASSERT_STREQ(run("return ksym('x')"),
		     "error: t:1: bad argument #1 to 'ksym' (number expected, got string)",
		     "bad argument");
	ASSERT_STREQ(run("return kaddr()"),
		     "error: t:1: bad argument #1 to 'kaddr' (string expected, got no value)",
		     "missing argument");
}

static void test_btf(void)
{
	unhandled_proto = format_value("UNHANDLED_PROTO");
	if (unhandled_proto < 0)
		skip(KFREE_SKB_FORMAT " not readable or without UNHANDLED_PROTO");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip("no kernel BTF at /sys/kernel/btf/vmlinux");
	ASSERT_STREQ(runf("return drop_reason(%lld)", unhandled_proto), "UNHANDLED_PROTO",
		     "drop_reason");
	ASSERT_STREQ(run("return drop_reason(123456)"), "123456", "unknown reason");
}

static void test_enum(void)
{
	char want[32];

	snprintf(want, sizeof(want), "%lld", unhandled_proto);
	ASSERT_STREQ(run("return enum('skb_drop_reason', 'SKB_DROP_REASON_UNHANDLED_PROTO')"), want,
		     "enum");
	ASSERT_STREQ(run("return enum('enum skb_drop_reason', 'SKB_DROP_REASON_UNHANDLED_PROTO')"),
		     want, "enum with 'enum '");
	ASSERT_STREQ(run("return enum('skb_drop_reason', 'SKB_DROP_REASON_UNHANDLED_PROT')"),
		     "error: t:1: enum 'skb_drop_reason' has no value "
		     "'SKB_DROP_REASON_UNHANDLED_PROT' (did you mean "
		     "'SKB_DROP_REASON_UNHANDLED_PROTO'?)",
		     "misspelt");
	ASSERT_STREQ(run("return enum('enum skb_drop_reason', 'UNHANDLED_PROTO')"),
		     "error: t:1: enum 'skb_drop_reason' has no value 'UNHANDLED_PROTO' (did you "
		     "mean 'SKB_DROP_REASON_UNHANDLED_PROTO'?)",
		     "short name");
	ASSERT_STREQ(
		run("return enum('skb_drop_reason', 'zzzzzzzzzzzzzzzzzzzzzzzzzzz')"),
		"error: t:1: enum 'skb_drop_reason' has no value 'zzzzzzzzzzzzzzzzzzzzzzzzzzz'",
		"nothing close");
	ASSERT_STREQ(run("return enum('no_such_enum_xyz', 'A')"),
		     "error: t:1: no enum 'no_such_enum_xyz' in the kernel's BTF", "unknown enum");
	ASSERT_STREQ(run("return enum('skb_drop_reason')"),
		     "error: t:1: bad argument #2 to 'enum' (string expected, got no value)",
		     "missing name");
}

/* A second session beside the first: its own caches, made on first use;
 * freeing them leaves the first session's whole. LSan (the ASan build)
 * checks both sessions' caches are freed. */
static void test_two_sessions(void)
{
	struct lp_session other = { 0 };
	lua_State *L2 = luaL_newstate();
	char first[64];

	if (!ASSERT_TRUE(L2 != NULL, "second state"))
		return;
	*(struct lp_session **)lua_getextraspace(L2) = &other;
	luaL_openlibs(L2);
	lua_newtable(L2);
	lua_util_open(L2);
	lua_setglobal(L2, "u");
	ASSERT_TRUE(session.caches.ksym != NULL && session.caches.kbtf != NULL, "the first session's caches");
	ASSERT_TRUE(!other.caches.ksym && !other.caches.kbtf && !other.caches.usym, "nothing made before use");
	snprintf(first, sizeof(first), "%s", run("return ksym(kaddr('do_sys_openat2') + 1)"));
	if (luaL_dostring(L2, "return u.ksym(u.kaddr('do_sys_openat2') + 1)") == LUA_OK)
		ASSERT_STREQ(lua_tostring(L2, -1), first, "the same answer");
	ASSERT_TRUE(other.caches.ksym != NULL && other.caches.ksym != session.caches.ksym, "its own kallsyms");
	ASSERT_TRUE(!other.caches.kbtf && !other.caches.usym, "only what it used");
	if (luaL_dostring(L2, "return u.usym(0, 16)") == LUA_OK)
		ASSERT_STREQ(lua_tostring(L2, -1), "0x10", "usym of no process");
	ASSERT_TRUE(other.caches.usym != NULL && other.caches.usym != session.caches.usym, "its own usym");
	lua_close(L2);
	session_free_caches(&other);
	ASSERT_TRUE(!other.caches.ksym && !other.caches.kbtf && !other.caches.usym, "freed");
	ASSERT_STREQ(run("return ksym(kaddr('do_sys_openat2') + 1)"), first,
		     "the first session after the second's end");
}

static void test_close(void)
{
	lua_close(L);
	session_free_caches(&session);
}

TEST_MAIN(TEST(test_open), TEST(test_ethertype), TEST(test_byte_order), TEST(test_inet),
	  TEST(test_errno_name), TEST(test_ksym), TEST(test_btf), TEST(test_enum),
	  TEST(test_two_sessions), TEST(test_close))
