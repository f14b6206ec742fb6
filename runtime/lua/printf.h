/* printf for scripts: string.format written to io.output(), the common
 * conversions without string.format (lua/printf.c). */
#ifndef LUAPROBE_LUA_PRINTF_H
#define LUAPROBE_LUA_PRINTF_H

#include <lua.h>

/* Add _printf to the table on top of the stack (the luaprobe table);
 * lua/luaprobe.lua makes it printf outside --json. Call once string and
 * io are open. */
void lua_printf_open(lua_State *L);

#endif
