-- -2^63 compiles (an overflow under UBSan once); the run then ends by a syntax error
probe("tracepoint:syscalls:sys_enter_read", { where = "fd == -9223372036854775808" })
error("after the filter")
