-- a NUL inside the point: the C parser would stop at it
probe("tracepoint:syscalls:sys_enter_read\0tail")
