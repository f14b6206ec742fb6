--- pidpersec: new processes (and threads) a second, counted in the kernel
--- usage: luaprobe pidpersec [--interval 1s] [--pid PID] [--comm NAME] [--no-threads]
---   --pid PID (or luaprobe's -p/-c), --comm NAME: only what that process (that name) starts
--- examples:
---   luaprobe pidpersec                          is something forking in a loop?
---   luaprobe pidpersec --no-threads --interval 5s   processes only, every 5 s
local usage = "luaprobe pidpersec [--interval 1s] [--pid PID] [--comm NAME] [--no-threads]"
local R = require "luaprobe_recipe"
local opts, bad = R.options({ interval = "1s", pid = "", comm = "", no_threads = false }, usage)

local where = R.process(opts, bad, "parent->tgid == PID", "parent->comm")
-- a new thread joins its creator's thread group; a new process leads its own
if opts.no_threads then where[#where + 1] = "child->pid == child->tgid" end

-- Counted in the kernel: no event per fork reaches user space.
local ok, forks = pcall(function()
  return probe("tp_btf:sched_process_fork", { where = R.where(where) }):count()
end)
if not ok then
  if opts.no_threads or #where > 0 then
    error("pidpersec's filters read the tasks through the kernel's BTF (tp_btf), which this " ..
          "kernel does not offer: " .. tostring(forks), 0)
  end
  forks = probe("tracepoint:sched:sched_process_fork"):count()
end

-- the rate over the time since the last report: the last one is shorter
local last
local function report()
  local c, t = 0, now()
  for _, v in forks:delta() do c = c + v end
  printf("%s %s: %d (%.1f/s)\n", os.date("%H:%M:%S"), opts.no_threads and "processes" or "new tasks",
         c, c / math.max((t - last) / 1e9, 1e-3))
  last = t
end
on_start(function()
  last = now()
  eprintf("Counting new %s every %s (Ctrl-C to end)\n", opts.no_threads and "processes" or "processes and threads",
          opts.interval)
end)
local okk, why = pcall(every, opts.interval, report)
if not okk then bad("--interval: " .. tostring(why):gsub("^.-%((.*)%)$", "%1")) end
on_exit(report)
