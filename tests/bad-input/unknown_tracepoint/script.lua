-- a misspelt event: getppd for getppid
local n = 0
probe("tracepoint:syscalls:sys_enter_getppd", function(e) n = n + 1 end)
