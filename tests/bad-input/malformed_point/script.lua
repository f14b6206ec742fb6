-- the closing parenthesis of kernel.trace( is missing
probe('kernel.trace("syscalls:sys_enter_getppid"', function(e) end)
