-- a misspelt system: sycalls for syscalls
probe("tracepoint:sycalls:sys_enter_getppid", function(e) end)
