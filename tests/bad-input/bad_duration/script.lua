probe("tracepoint:syscalls:sys_enter_getppid", function(e) end)
