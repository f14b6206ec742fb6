-- a misspelt field in a filter: cuont for count, at column 19
local n = 0
probe("tracepoint:syscalls:sys_enter_read", { where = 'comm == "sshd" && cuont > 100' },
      function(e) n = n + 1 end)
