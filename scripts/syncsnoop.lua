--- syncsnoop: calls that flush data to disk (sync, fsync, msync, ...): who, on what, how long
--- usage: luaprobe syncsnoop [--pid PID] [--comm NAME] [--min-ms MS]
--- examples:
---   luaprobe syncsnoop --min-ms 10             flushes that took 10 ms or more
---   luaprobe -p 1234 syncsnoop                 how often a database flushes, and which fds
local usage = "luaprobe syncsnoop [--pid PID] [--comm NAME] [--min-ms MS]"
local R = require "luaprobe_recipe"
local opts, bad = R.options({ pid = "", comm = "", min_ms = "0" }, usage)
local min_ns = tonumber(opts.min_ms)
if not min_ns or min_ns < 0 then bad("--min-ms wants milliseconds, not '" .. opts.min_ms .. "'") end
min_ns = min_ns * 1e6

local where = R.process(opts, bad, "_pid == PID", "_comm")
local spec = { where = R.where(where) }

-- what each call flushes, from its arguments
local calls = {
  sync = function() return "-" end,
  syncfs = function(e) return "fd " .. e.fd end,
  fsync = function(e) return "fd " .. e.fd end,
  fdatasync = function(e) return "fd " .. e.fd end,
  msync = function(e) return string.format("0x%x+%d", e.start, e.len) end,
  sync_file_range = function(e) return string.format("fd %d %d+%d", e.fd, e.offset, e.nbytes) end,
}
-- The arguments come with the entry, the result and the time with the
-- exit: paired here by thread (a thread is in one system call at a time).
local pending, t0 = {}, nil
for call, what in pairs(calls) do
  probe("tracepoint:syscalls:sys_enter_" .. call, spec, function(e)
    pending[e.tid] = { what = what(e), ts = e.ts }
  end)
  probe("tracepoint:syscalls:sys_exit_" .. call, spec, function(e)
    local p = pending[e.tid]
    if not p then return end -- entered before the probes were attached
    pending[e.tid] = nil
    if e.ts - p.ts < min_ns then return end
    printf("%-8.3f %-7d %-16s %-16s %-24s %-7s %9.3f\n", (p.ts - t0) / 1e9, e._pid, e._comm, call,
           p.what, e.ret == 0 and "0" or errno_name(-e.ret), (e.ts - p.ts) / 1e6)
  end)
end

on_start(function()
  t0 = now() - elapsed()
  printf("%-8s %-7s %-16s %-16s %-24s %-7s %9s\n", "TIME(s)", "PID", "COMM", "CALL", "ON", "RESULT", "LAT(ms)")
end)
