-- -c names a command that does not exist: one message, exit 1
probe("tracepoint:syscalls:sys_enter_getppid", function(e) end)
