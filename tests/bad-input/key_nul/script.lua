-- a NUL inside an aggregation key
probe("tracepoint:syscalls:sys_enter_read"):count("fd\0x")
