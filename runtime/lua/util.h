/* Helpers for handlers: kernel symbols, BTF enums, errno and EtherType
 * names, byte order, IP addresses. */
#ifndef LUAPROBE_LUA_UTIL_H
#define LUAPROBE_LUA_UTIL_H

#include <lua.h>

/* Add ksym, kaddr, drop_reason, enum, errno_name, ethertype, ntohs, htons,
 * ntohl, htonl, inet and ntop to the table on top of the stack (the luaprobe table).
 * Loads nothing: kallsyms and BTF are read on the first call that needs them. */
void lua_util_open(lua_State *L);

#endif
