--- execsnoop: every program started (exec), with its pid, name and path
--- usage: luaprobe execsnoop [-d SECONDS]
printf("%-8s %-7s %-16s %s\n", "TIME(s)", "PID", "COMM", "FILENAME")
local t0
probe("tracepoint:sched:sched_process_exec", function(e)
  t0 = t0 or e.ts
  printf("%-8.3f %-7d %-16s %s\n", (e.ts - t0) / 1e9, e.pid, e.comm, e.filename)
end)
