-- = for == in a filter set with :where()
local p = probe("tracepoint:syscalls:sys_enter_read")
p:where("fd = 3")
p:count("comm")
