-- 100,000 unary operators: a message, not a stack overflow
probe("tracepoint:syscalls:sys_enter_read", { where = string.rep("!", 100000) .. "fd" })
