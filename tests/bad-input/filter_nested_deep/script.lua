-- 10,000 parentheses around a filter: a message, not a stack overflow
probe("tracepoint:syscalls:sys_enter_read", { where = string.rep("(", 10000) .. "fd == 3" .. string.rep(")", 10000) })
