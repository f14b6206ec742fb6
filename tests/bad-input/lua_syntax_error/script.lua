-- a missing comma between the point and the handler
probe("tracepoint:syscalls:sys_enter_getppid" function(e)
  print(e.pid)
end)
