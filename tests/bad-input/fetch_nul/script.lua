-- a NUL inside a fetch expression
probe("tracepoint:syscalls:sys_enter_read", { fetch = { "fd\0x" } })
