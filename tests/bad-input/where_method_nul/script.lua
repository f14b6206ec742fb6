-- a NUL inside Probe:where()
probe("tracepoint:syscalls:sys_enter_read"):where("fd == 3\0x")
