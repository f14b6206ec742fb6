-- a filter with a parenthesis left open
probe("tracepoint:syscalls:sys_enter_read", { where = "(count > 10 && fd == 3" }, function(e) end)
