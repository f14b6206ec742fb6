-- a NUL inside a filter: what follows it would be dropped
probe("tracepoint:syscalls:sys_enter_read", { where = "fd == 3\0 && fd == 4" })
