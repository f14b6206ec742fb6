-- 2^32 + 1 keys: once taken as 1
probe("tracepoint:syscalls:sys_enter_read", { max_keys = 4294967297 }):count("fd")
