-- a handler that is not a function would never run
probe("tracepoint:syscalls:sys_enter_read", {}, 5)
