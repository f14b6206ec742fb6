-- strings compare only with == and !=
probe("tracepoint:syscalls:sys_enter_read", { where = 'comm >= "a"' }, function(e) end)
