/* ksym(addr), kaddr(name), drop_reason(n), enum(type, name), errno_name(n),
 * ethertype(n), ntohs/htons/ntohl/htonl, inet(addr[, family]), ntop(addr). Kernel addresses above 2^63 are
 * negative Lua integers; they convert to uint64_t and back unchanged. */
#include "lua/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "lua/event.h"
#include "lua/json.h"
#include "resolve/kbtf.h"
#include "resolve/syscalls.h"
#include "session.h"
#include "sym/ksym.h"
#include "sym/usym.h"
#include "util/suggest.h"

#define DROP_REASON_ENUM "skb_drop_reason"
#define DROP_REASON_PREFIX "SKB_DROP_REASON_"

/* Room for KSYM_NAME_LEN (512) plus "+0x" and 16 hex digits. */
#define KSYM_BUF 544

static int util_ksym(lua_State *L)
{
	uint64_t addr = (uint64_t)luaL_checkinteger(L, 1);
	char buf[KSYM_BUF];

	/* An address kallsyms cannot name is shown in hex: never an error in
	 * a handler. */
	ksym_format(session_ksym(session_of(L)), addr, buf, sizeof(buf));
	lua_pushstring(L, buf);
	return 1;
}

static int util_kaddr(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	struct lp_ksym *ks = session_ksym(session_of(L));
	uint64_t addr;
	int err;

	err = ksym_load(ks);
	if (err == -EPERM)
		return luaL_error(
			L, "kaddr: /proc/kallsyms shows no addresses (kernel.kptr_restrict)");
	if (err)
		return luaL_error(L, "kaddr: cannot read /proc/kallsyms: %s", strerror(-err));
	addr = ksym_addr(ks, name);
	if (addr)
		lua_pushinteger(L, (lua_Integer)addr);
	else
		lua_pushnil(L);
	return 1;
}

static int util_drop_reason(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	const char *name = kbtf_enum_name(session_kbtf(session_of(L)), DROP_REASON_ENUM, n,
					  DROP_REASON_PREFIX);

	if (name)
		lua_pushstring(L, name);
	else
		lua_pushfstring(L, "%I", n);
	return 1;
}

static int util_enum(lua_State *L)
{
	const char *type = luaL_checkstring(L, 1);
	const char *name = luaL_checkstring(L, 2);
	const char *shown = strncmp(type, "enum ", 5) ? type : type + 5;
	struct lp_kbtf *kb = session_kbtf(session_of(L));
	const char *closest = NULL;
	char dym[300];
	long long val;
	int err;

	/* a missing BTF would read as "no such enum" below */
	err = kbtf_load(kb);
	if (err)
		return luaL_error(L, "enum '%s': cannot read the kernel's BTF: %s", shown,
				  strerror(-err));
	err = kbtf_enum_value(kb, type, name, &val);
	if (!err) {
		lua_pushinteger(L, (lua_Integer)val);
		return 1;
	}
	if (err == -ENOENT)
		err = kbtf_enum_suggest(kb, type, name, &closest);
	if (err == -ENOENT)
		return luaL_error(L, "no enum '%s' in the kernel's BTF", shown);
	if (err)
		return luaL_error(L, "enum '%s': %s", shown, strerror(-err));
	return luaL_error(L, "enum '%s' has no value '%s'%s", shown, name,
			  suggest_text(dym, sizeof(dym), closest));
}

#define E(x) [x] = #x
/* Linux's numbers, named without strerror so the names read the same on
 * every libc (aliases EWOULDBLOCK, EDEADLOCK and ENOTSUP left out). */
static const char *const errno_names[] = {
	E(EPERM),
	E(ENOENT),
	E(ESRCH),
	E(EINTR),
	E(EIO),
	E(ENXIO),
	E(E2BIG),
	E(ENOEXEC),
	E(EBADF),
	E(ECHILD),
	E(EAGAIN),
	E(ENOMEM),
	E(EACCES),
	E(EFAULT),
	E(ENOTBLK),
	E(EBUSY),
	E(EEXIST),
	E(EXDEV),
	E(ENODEV),
	E(ENOTDIR),
	E(EISDIR),
	E(EINVAL),
	E(ENFILE),
	E(EMFILE),
	E(ENOTTY),
	E(ETXTBSY),
	E(EFBIG),
	E(ENOSPC),
	E(ESPIPE),
	E(EROFS),
	E(EMLINK),
	E(EPIPE),
	E(EDOM),
	E(ERANGE),
	E(EDEADLK),
	E(ENAMETOOLONG),
	E(ENOLCK),
	E(ENOSYS),
	E(ENOTEMPTY),
	E(ELOOP),
	E(ENOMSG),
	E(EIDRM),
	E(ECHRNG),
	E(EL2NSYNC),
	E(EL3HLT),
	E(EL3RST),
	E(ELNRNG),
	E(EUNATCH),
	E(ENOCSI),
	E(EL2HLT),
	E(EBADE),
	E(EBADR),
	E(EXFULL),
	E(ENOANO),
	E(EBADRQC),
	E(EBADSLT),
	E(EBFONT),
	E(ENOSTR),
	E(ENODATA),
	E(ETIME),
	E(ENOSR),
	E(ENONET),
	E(ENOPKG),
	E(EREMOTE),
	E(ENOLINK),
	E(EADV),
	E(ESRMNT),
	E(ECOMM),
	E(EPROTO),
	E(EMULTIHOP),
	E(EDOTDOT),
	E(EBADMSG),
	E(EOVERFLOW),
	E(ENOTUNIQ),
	E(EBADFD),
	E(EREMCHG),
	E(ELIBACC),
	E(ELIBBAD),
	E(ELIBSCN),
	E(ELIBMAX),
	E(ELIBEXEC),
	E(EILSEQ),
	E(ERESTART),
	E(ESTRPIPE),
	E(EUSERS),
	E(ENOTSOCK),
	E(EDESTADDRREQ),
	E(EMSGSIZE),
	E(EPROTOTYPE),
	E(ENOPROTOOPT),
	E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT),
	E(EOPNOTSUPP),
	E(EPFNOSUPPORT),
	E(EAFNOSUPPORT),
	E(EADDRINUSE),
	E(EADDRNOTAVAIL),
	E(ENETDOWN),
	E(ENETUNREACH),
	E(ENETRESET),
	E(ECONNABORTED),
	E(ECONNRESET),
	E(ENOBUFS),
	E(EISCONN),
	E(ENOTCONN),
	E(ESHUTDOWN),
	E(ETOOMANYREFS),
	E(ETIMEDOUT),
	E(ECONNREFUSED),
	E(EHOSTDOWN),
	E(EHOSTUNREACH),
	E(EALREADY),
	E(EINPROGRESS),
	E(ESTALE),
	E(EUCLEAN),
	E(ENOTNAM),
	E(ENAVAIL),
	E(EISNAM),
	E(EREMOTEIO),
	E(EDQUOT),
	E(ENOMEDIUM),
	E(EMEDIUMTYPE),
	E(ECANCELED),
	E(ENOKEY),
	E(EKEYEXPIRED),
	E(EKEYREVOKED),
	E(EKEYREJECTED),
	E(EOWNERDEAD),
	E(ENOTRECOVERABLE),
	E(ERFKILL),
	E(EHWPOISON),
};
#undef E

/* The kernel's own codes (include/linux/errno.h), which a traced kernel
 * function can return but user space never sees. */
static const struct {
	int num;
	const char *name;
} kernel_errnos[] = {
	{ 512, "ERESTARTSYS" },
	{ 513, "ERESTARTNOINTR" },
	{ 514, "ERESTARTNOHAND" },
	{ 515, "ENOIOCTLCMD" },
	{ 516, "ERESTART_RESTARTBLOCK" },
	{ 517, "EPROBE_DEFER" },
	{ 518, "EOPENSTALE" },
	{ 519, "ENOPARAM" },
	{ 521, "EBADHANDLE" },
	{ 522, "ENOTSYNC" },
	{ 523, "EBADCOOKIE" },
	{ 524, "ENOTSUPP" },
	{ 525, "ETOOSMALL" },
	{ 526, "ESERVERFAULT" },
	{ 527, "EBADTYPE" },
	{ 528, "EJUKEBOX" },
	{ 529, "EIOCBQUEUED" },
	{ 530, "ERECALLCONDITIONAL" },
};

static int util_errno_name(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	/* kernel functions return -errno: both signs name the same code */
	lua_Integer a = n < 0 ? -n : n;

	if (a > 0 && a < (lua_Integer)(sizeof(errno_names) / sizeof(errno_names[0])) &&
	    errno_names[a]) {
		lua_pushstring(L, errno_names[a]);
		return 1;
	}
	for (size_t i = 0; i < sizeof(kernel_errnos) / sizeof(kernel_errnos[0]); i++) {
		if (kernel_errnos[i].num == a) {
			lua_pushstring(L, kernel_errnos[i].name);
			return 1;
		}
	}
	lua_pushfstring(L, "%I", n);
	return 1;
}

/* enum_name(type, n): the enumerator of any kernel enum with value n, by
 * its full name ("TCP_ESTABLISHED"); a value the enum lacks comes back as
 * its number (a newer kernel's), an enum the kernel lacks is an error. */
static int util_enum_name(lua_State *L)
{
	const char *type = luaL_checkstring(L, 1);
	lua_Integer n = luaL_checkinteger(L, 2);
	const char *shown = strncmp(type, "enum ", 5) ? type : type + 5;
	struct lp_kbtf *kb = session_kbtf(session_of(L));
	const char *name, *closest;
	int err = kbtf_load(kb);

	if (err)
		return luaL_error(L, "enum '%s': cannot read the kernel's BTF: %s", shown,
				  strerror(-err));
	name = kbtf_enum_name(kb, type, n, NULL);
	if (name) {
		lua_pushstring(L, name);
		return 1;
	}
	/* no such value, or no such enum: only the second is the script's bug */
	if (kbtf_enum_suggest(kb, type, "", &closest) == -ENOENT)
		return luaL_error(L, "no enum '%s' in the kernel's BTF", shown);
	lua_pushfstring(L, "%I", n);
	return 1;
}

/* syscall_name(nr): "read" for 0 (the native ABI's numbers, as in
 * raw_syscalls:sys_enter's id); an unknown number is its decimal. */
static int util_syscall_name(lua_State *L)
{
	lua_Integer nr = luaL_checkinteger(L, 1);
	const char *name = syscall_name(nr);

	if (name)
		lua_pushstring(L, name);
	else
		lua_pushfstring(L, "%I", nr);
	return 1;
}

#define S(x) [x] = #x
static const char *const signal_names[] = {
	S(SIGHUP),  S(SIGINT),	  S(SIGQUIT), S(SIGILL),  S(SIGTRAP),	S(SIGABRT), S(SIGBUS),
	S(SIGFPE),  S(SIGKILL),	  S(SIGUSR1), S(SIGSEGV), S(SIGUSR2),	S(SIGPIPE), S(SIGALRM),
	S(SIGTERM), S(SIGSTKFLT), S(SIGCHLD), S(SIGCONT), S(SIGSTOP),	S(SIGTSTP), S(SIGTTIN),
	S(SIGTTOU), S(SIGURG),	  S(SIGXCPU), S(SIGXFSZ), S(SIGVTALRM), S(SIGPROF), S(SIGWINCH),
	S(SIGIO),   S(SIGPWR),	  S(SIGSYS),
};
#undef S

/* The kernel's first real-time signal; glibc's SIGRTMIN is 34, after the
 * two it keeps for itself, so the kernel's numbering is the one events show. */
#define KERNEL_SIGRTMIN 32
#define KERNEL_SIGRTMAX 64

/* signal_name(n): "SIGKILL" for 9; real-time signals as "SIGRTMIN+3" counted
 * from the kernel's 32; 0 (kill's existence check) and unknowns as their
 * decimal. */
static int util_signal_name(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);

	if (n > 0 && n < (lua_Integer)(sizeof(signal_names) / sizeof(signal_names[0])) &&
	    signal_names[n])
		lua_pushstring(L, signal_names[n]);
	else if (n == KERNEL_SIGRTMIN)
		lua_pushliteral(L, "SIGRTMIN");
	else if (n == KERNEL_SIGRTMAX)
		lua_pushliteral(L, "SIGRTMAX");
	else if (n > KERNEL_SIGRTMIN && n < KERNEL_SIGRTMAX)
		lua_pushfstring(L, "SIGRTMIN+%d", (int)(n - KERNEL_SIGRTMIN));
	else
		lua_pushfstring(L, "%I", n);
	return 1;
}

static long long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* now(): CLOCK_MONOTONIC in ns, the clock of e.ts, so e.ts - now() is how
 * long ago an event happened. */
static int util_now(lua_State *L)
{
	lua_pushinteger(L, monotonic_ns());
	return 1;
}

/* elapsed(): ns since every probe was attached (when on_start runs), as
 * bpftrace's elapsed counts ns. Before that there is no run to measure. */
static int util_elapsed(lua_State *L)
{
	struct lp_session *s = session_of(L);

	if (!s->start_ns)
		return luaL_error(L, "elapsed(): the run has not started yet (probes attach "
				     "after the script's main chunk; use it in on_start, a "
				     "handler or a timer)");
	lua_pushinteger(L, monotonic_ns() - s->start_ns);
	return 1;
}

static const struct {
	uint16_t type;
	const char *name;
} ethertypes[] = {
	{ 0x0800, "IPv4" },   { 0x0806, "ARP" },  { 0x86DD, "IPv6" },	  { 0x8100, "VLAN" },
	{ 0x88A8, "QinQ" },   { 0x8847, "MPLS" }, { 0x8848, "MPLS-mc" },  { 0x8863, "PPPoE-disc" },
	{ 0x8864, "PPPoE" },  { 0x88CC, "LLDP" }, { 0x888E, "802.1X" },	  { 0x88F7, "PTP" },
	{ 0x88E5, "MACsec" }, { 0x8035, "RARP" }, { 0x0842, "WoL" },	  { 0x22F3, "TRILL" },
	{ 0x8906, "FCoE" },   { 0x8915, "ROCE" }, { 0x9000, "LOOPBACK" }, { 0x894F, "NSH" },
};

static int util_ethertype(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	char buf[24];

	for (size_t i = 0; i < sizeof(ethertypes) / sizeof(ethertypes[0]); i++) {
		if (ethertypes[i].type == n) {
			lua_pushstring(L, ethertypes[i].name);
			return 1;
		}
	}
	snprintf(buf, sizeof(buf), "0x%04llx", (unsigned long long)n);
	lua_pushstring(L, buf);
	return 1;
}

/* Byte order: the low 16 or 32 bits of the argument, swapped to or from
 * network order. */
static int util_ntohs(lua_State *L)
{
	lua_pushinteger(L, ntohs((uint16_t)luaL_checkinteger(L, 1)));
	return 1;
}

static int util_htons(lua_State *L)
{
	lua_pushinteger(L, htons((uint16_t)luaL_checkinteger(L, 1)));
	return 1;
}

static int util_ntohl(lua_State *L)
{
	lua_pushinteger(L, ntohl((uint32_t)luaL_checkinteger(L, 1)));
	return 1;
}

static int util_htonl(lua_State *L)
{
	lua_pushinteger(L, htonl((uint32_t)luaL_checkinteger(L, 1)));
	return 1;
}

/* An address as text: `arg` is 4 bytes (IPv4) or 16 (IPv6), as a byte
 * array field arrives, or an integer as the kernel stores a __be32 (its
 * bytes in memory order are the address). `family` (0: from the length) is
 * AF_INET or AF_INET6. IPv6 comes out as RFC 5952 text (inet_ntop). */
static int push_addr(lua_State *L, int arg, int family)
{
	unsigned char buf[16];
	char text[INET6_ADDRSTRLEN];
	const void *bytes = buf;
	size_t len;

	if (lua_type(L, arg) == LUA_TNUMBER) {
		lua_Integer n = luaL_checkinteger(L, arg);
		uint32_t v = (uint32_t)n;

		if (family == AF_INET6)
			return luaL_argerror(L, arg,
					     "an integer is an IPv4 address; an inet6 address is "
					     "16 bytes");
		if (n < 0 || n > (lua_Integer)UINT32_MAX)
			return luaL_argerror(L, arg,
					     lua_pushfstring(L, "%I is not a 32-bit address", n));
		memcpy(buf, &v, 4);
		family = AF_INET;
	} else if (lua_type(L, arg) == LUA_TSTRING) {
		bytes = lua_tolstring(L, arg, &len);
		if (family && len != (family == AF_INET ? 4u : 16u))
			return luaL_argerror(L, arg,
					     lua_pushfstring(L, "%d bytes: an %s address is %d",
							     (int)len,
							     family == AF_INET ? "inet" : "inet6",
							     family == AF_INET ? 4 : 16));
		if (len != 4 && len != 16)
			return luaL_argerror(L, arg,
					     lua_pushfstring(L,
							     "%d bytes: an address is 4 bytes "
							     "(IPv4) or 16 (IPv6)",
							     (int)len));
		family = len == 4 ? AF_INET : AF_INET6;
	} else {
		return luaL_typeerror(L, arg, "string or integer");
	}
	if (!inet_ntop(family, bytes, text, sizeof(text)))
		return luaL_error(L, "inet_ntop: %s", strerror(errno));
	lua_pushstring(L, text);
	return 1;
}

/* inet(addr[, family]): family AF_INET (2), AF_INET6 (10), "inet" or "inet6". */
static int util_inet(lua_State *L)
{
	static const char *const names[] = { "inet", "inet6", NULL };
	int family = 0;

	if (lua_type(L, 2) == LUA_TNUMBER) {
		lua_Integer f = lua_tointeger(L, 2);

		if (f != AF_INET && f != AF_INET6)
			return luaL_argerror(L, 2,
					     lua_pushfstring(L,
							     "family %I: want AF_INET (%d), "
							     "AF_INET6 (%d), 'inet' or 'inet6'",
							     f, AF_INET, AF_INET6));
		family = (int)f;
	} else if (!lua_isnoneornil(L, 2)) {
		family = luaL_checkoption(L, 2, NULL, names) ? AF_INET6 : AF_INET;
	}
	return push_addr(L, 1, family);
}

/* ntop(addr): inet() with the family read from the length. */
static int util_ntop(lua_State *L)
{
	return push_addr(L, 1, 0);
}

/* usym(pid, addr) -> "func+0x1b (file.c:12)", or the address in hex when
 * the process or its debuginfo is gone. */
static int util_usym(lua_State *L)
{
	lua_Integer pid = luaL_checkinteger(L, 1), addr = luaL_checkinteger(L, 2);
	char buf[256];

	if (usym_format(session_usym(session_of(L)), (int)pid, (uint64_t)addr, buf, sizeof(buf)) !=
	    0)
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
	lua_pushstring(L, buf);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "ksym", util_ksym },
	{ "usym", util_usym },
	{ "kaddr", util_kaddr },
	{ "drop_reason", util_drop_reason },
	{ "enum", util_enum },
	{ "errno_name", util_errno_name },
	{ "ethertype", util_ethertype },
	{ "ntohs", util_ntohs },
	{ "htons", util_htons },
	{ "ntohl", util_ntohl },
	{ "htonl", util_htonl },
	{ "inet", util_inet },
	{ "ntop", util_ntop },
	{ "enum_name", util_enum_name },
	{ "syscall_name", util_syscall_name },
	{ "signal_name", util_signal_name },
	{ "now", util_now },
	{ "elapsed", util_elapsed },
	{ "has", event_has },
	{ NULL, NULL },
};

void lua_util_open(lua_State *L)
{
	luaL_setfuncs(L, funcs, 0);
	lua_json_open(L);
}
