-- lhist over every integer: a signed overflow in (hi - lo) once
probe("tracepoint:syscalls:sys_enter_read"):lhist("fd", math.mininteger, math.maxinteger, 1)
