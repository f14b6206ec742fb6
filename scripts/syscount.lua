--- syscount: system calls counted in the kernel, by name (or by process), the most frequent first
--- usage: luaprobe syscount [--pid PID] [--comm NAME] [--failed] [--errno NAME] [--latency] [--by-process] [--top 10] [--interval SECONDS]
--- examples:
---   luaprobe -p 1234 syscount              what process 1234 calls, until it exits (or Ctrl-C)
---   luaprobe syscount --failed --top 5     the calls that fail most, with their errno
---   luaprobe -c 'ls /' syscount --latency  calls and time spent in them, for one command
local usage = "luaprobe syscount [--pid PID] [--comm NAME] [--failed] [--errno NAME] [--latency] " ..
              "[--by-process] [--top 10] [--interval SECONDS]"
local R = require "luaprobe_recipe"
local opts, bad = R.options({ pid = "", comm = "", failed = false, errno = "", latency = false,
                      by_process = false, top = "10", interval = "" }, usage)

local where, pid = R.process(opts, bad, "_pid == PID", "_comm")
local top = math.tointeger(tonumber(opts.top))
if not top or top < 1 then bad("--top wants a whole number of at least 1, not '" .. opts.top .. "'") end
if opts.errno ~= "" then
  local name, n = opts.errno:upper(), nil
  if not name:find("^E") then name = "E" .. name end
  for i = 1, 4095 do
    if errno_name(i) == name then n = i break end
  end
  if not n then bad("--errno: '" .. opts.errno .. "' is not an errno name (ENOENT, EAGAIN, ...)") end
  where[#where + 1] = "ret == " .. -n
  opts.failed = true
end
if opts.failed and opts.latency then bad("--latency times every call: not with --failed or --errno") end

local function spec(extra) return { where = R.where(where, extra) } end
local keys = opts.by_process and { "_pid", "_comm" } or { "id" }

-- Counted in the kernel: only (key, count) rows reach user space.
local agg
if opts.latency then
  local enter = probe("tracepoint:raw_syscalls:sys_enter", spec())
  local leave = probe("tracepoint:raw_syscalls:sys_exit", spec())
  latency(enter, leave)
  agg = leave:stats("latency", table.unpack(keys))
elseif opts.failed then
  local k = { table.unpack(keys) }
  k[#k + 1] = "ret"
  agg = probe("tracepoint:raw_syscalls:sys_exit", spec("ret < 0")):count(table.unpack(k))
else
  agg = probe("tracepoint:raw_syscalls:sys_enter", spec()):count(table.unpack(keys))
end

local title = opts.by_process and string.format("%-7s %-16s", "PID", "COMM") or string.format("%-22s", "SYSCALL")
local function label(k)
  if opts.by_process then return string.format("%-7d %-16s", k._pid, k._comm) end
  return string.format("%-22s", syscall_name(k.id))
end

local function report(rows)
  if opts.latency then
    printf("%s %10s %14s\n", title, "COUNT", "TIME(us)")
  elseif opts.failed then
    printf("%s %-14s %10s\n", title, "ERRNO", "COUNT")
  else
    printf("%s %10s\n", title, "COUNT")
  end
  local n = 0
  for k, v in rows do
    n = n + 1
    if n > top then break end
    if opts.latency then
      printf("%s %10d %14.3f\n", label(k), v.count, v.sum / 1000)
    elseif opts.failed then
      printf("%s %-14s %10d\n", label(k), errno_name(-k.ret), v)
    else
      printf("%s %10d\n", label(k), v)
    end
  end
end

if opts.interval ~= "" then
  every(opts.interval, function()
    printf("[%s]\n", os.date("%H:%M:%S"))
    report(agg:delta())
  end)
  on_exit(function()
    printf("[%s]\n", os.date("%H:%M:%S"))
    report(agg:delta())
  end)
else
  on_exit(function() report(agg:items()) end)
end

-- A process of -p/--pid: the run ends with it (-c ends with its command anyway).
if pid then
  local ok = pcall(probe, "tracepoint:sched:sched_process_exit",
                   { where = "_pid == " .. pid .. " && group_dead != 0" }, function() exit() end)
  if not ok then
    probe("tracepoint:sched:sched_process_exit", { where = "pid == " .. pid }, function() exit() end)
  end
end

on_start(function()
  eprintf("Counting system calls%s%s%s; %s\n", pid and (" of pid " .. pid) or "",
          opts.comm ~= "" and (" of '" .. opts.comm .. "'") or "",
          opts.failed and " that failed" or "",
          pid and "until it exits or Ctrl-C" or "Ctrl-C to end")
end)
