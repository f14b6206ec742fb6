--- stackcount: count the stacks that lead to a probe point, most frequent last (or folded)
--- usage: luaprobe stackcount [--user] [--top 10] [--folded] [--pid PID] [--duration SECONDS] POINT
local usage = "luaprobe stackcount [--user] [--top 10] [--folded] [--pid PID] [--duration SECONDS] POINT"
local opts, rest = getopt({ user = false, top = "10", folded = false, pid = "", duration = "" }, usage)
local point = rest[1]
if not point or rest[2] then error("stackcount wants one probe point\nusage: " .. usage, 0) end
local top = tonumber(opts.top)
if not top or top < 1 then error("--top wants a number of at least 1\nusage: " .. usage, 0) end
local spec = {}
if opts.pid ~= "" then
  if not tonumber(opts.pid) then error("--pid wants a process id\nusage: " .. usage, 0) end
  spec.where = "pid == " .. opts.pid
end
if opts.duration ~= "" then
  local secs = tonumber((opts.duration:gsub("s$", "")))
  if not secs or secs <= 0 then error("--duration wants seconds\nusage: " .. usage, 0) end
  after(math.ceil(secs * 1000), function() exit() end)
end

-- counted in the kernel, keyed by the stack (a user stack by its process too)
local counts = opts.user and probe(point, spec):count("comm", "ustack")
               or probe(point, spec):count("kstack")
on_start(function()
  eprintf("Counting %s stacks at %s, %s\n", opts.user and "user" or "kernel", point,
          opts.duration ~= "" and ("for " .. opts.duration:gsub("s$", "") .. " s") or "until Ctrl-C")
end)
on_exit(function() counts:print({ top = top, folded = opts.folded or nil }) end)
