-- where = 5
probe("tracepoint:syscalls:sys_enter_read", { where = 5 })
