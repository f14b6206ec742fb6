-- max_keys = -1
probe("tracepoint:syscalls:sys_enter_read", { max_keys = -1 }):count("fd")
