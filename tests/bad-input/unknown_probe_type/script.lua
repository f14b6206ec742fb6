-- a misspelt probe type
probe("tracepiont:syscalls:sys_enter_getppid", function(e) end)
