--- threadsnoop: threads created through pthread_create (a uprobe on libc): who, and the function each starts in
--- usage: luaprobe threadsnoop [--pid PID] [--comm NAME] [--libc PATH]
--- examples:
---   luaprobe threadsnoop                        every pthread_create on the machine
---   luaprobe -c './server' threadsnoop          the threads one program starts, by start function
--- the start function is named from the program's symbols (also once it has exited)
local usage = "luaprobe threadsnoop [--pid PID] [--comm NAME] [--libc PATH]"
local R = require "luaprobe_recipe"
local opts, bad = R.options({ pid = "", comm = "", libc = "libc.so.6" }, usage)

-- with -p/-c, a process probe sees only the target anyway
local where = R.process(opts, bad, "pid == PID", "comm", true)

local point = "uprobe:" .. opts.libc .. ":pthread_create"
local t0
local function show(e)
  printf("%-8.3f %-7d %-7d %-16s %s\n", (e.ts - t0) / 1e9, e.pid, e.tid, e.comm,
         (usym(e.pid, e.fn):gsub(" %(.*%)$", "")))
end
-- start_routine by name where libc's DWARF is at hand, else the calling
-- convention's third argument. A user stack makes luaprobe record the
-- processes' mappings, so that a program that has exited by the time its
-- event is read still has its start function named.
local spec = { where = R.where(where), stack = "user" }
spec.fetch = { fn = "start_routine" }
local ok = pcall(probe, point, spec, show)
if not ok then
  spec.fetch = { fn = "arg2" }
  local ok2, err2 = pcall(probe, point, spec, show)
  if not ok2 then
    error("threadsnoop: cannot probe pthread_create in " .. opts.libc .. " (--libc PATH names another): " ..
          tostring(err2):gsub("^[^:]*:%d+: ", ""), 0)
  end
end

on_start(function()
  t0 = now() - elapsed()
  printf("%-8s %-7s %-7s %-16s %s\n", "TIME(s)", "PID", "TID", "COMM", "FUNC")
end)
