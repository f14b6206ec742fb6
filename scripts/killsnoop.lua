--- killsnoop: signals sent by kill, tkill and tgkill: who sent which to whom, and the result
--- usage: luaprobe killsnoop [--pid PID] [--comm NAME] [--signal NAME] [--failed]
--- examples:
---   luaprobe killsnoop --signal KILL        who sends SIGKILL
---   luaprobe killsnoop --failed             signals that could not be sent, and why
---   luaprobe -c './service.sh' killsnoop    the signals one script sends
local usage = "luaprobe killsnoop [--pid PID] [--comm NAME] [--signal NAME] [--failed]"
local R = require "luaprobe_recipe"
local opts, bad = R.options({ pid = "", comm = "", signal = "", failed = false }, usage)

-- _pid and _comm are the sender (a kill's own `pid` argument is the target)
local where = R.process(opts, bad, "_pid == PID", "_comm")
local enter_where = { table.unpack(where) }
if opts.signal ~= "" then
  local want, sig = opts.signal:upper(), math.tointeger(tonumber(opts.signal))
  if not sig then
    if not want:find("^SIG") then want = "SIG" .. want end
    for n = 1, 64 do
      if signal_name(n) == want then sig = n break end
    end
  end
  if not sig or sig < 0 or sig > 64 then bad("--signal: '" .. opts.signal .. "' is not a signal (KILL, SIGTERM, 15, RTMIN+2)") end
  enter_where[#enter_where + 1] = "sig == " .. sig
end
local function spec(w) return { where = R.where(w) } end

-- The signal and target come with the entry, the result with the exit:
-- paired here by thread (a thread is in one system call at a time).
local pending = {}
probe("tracepoint:syscalls:sys_enter_kill", spec(enter_where), function(e)
  pending[e.tid] = { sig = e.sig, target = e.pid }
end)
probe("tracepoint:syscalls:sys_enter_tkill", spec(enter_where), function(e)
  pending[e.tid] = { sig = e.sig, target = e.pid }
end)
probe("tracepoint:syscalls:sys_enter_tgkill", spec(enter_where), function(e)
  pending[e.tid] = { sig = e.sig, target = e.pid, tgid = e.tgid }
end)

local t0
local function leave(e)
  local k = pending[e.tid]
  if not k then return end -- entered before the probes were attached, or another signal
  pending[e.tid] = nil
  -- kill's pid: > 0 a process, 0 the caller's group, -1 every process, < -1 group -pid
  local target = tostring(k.target)
  if k.tgid then target = k.tgid .. "/" .. k.target end
  printf("%-8.3f %-7d %-16s %-7s %-10s %-10s %s\n", (e.ts - t0) / 1e9, e._pid, e._comm,
         e.probe:match("sys_exit_(%w+)"), k.sig == 0 and "0" or signal_name(k.sig), target,
         e.ret == 0 and "0" or errno_name(-e.ret))
end
local leave_where = { table.unpack(where) }
if opts.failed then leave_where[#leave_where + 1] = "ret < 0" end
for _, call in ipairs({ "kill", "tkill", "tgkill" }) do
  probe("tracepoint:syscalls:sys_exit_" .. call, spec(leave_where), leave)
end

on_start(function()
  t0 = now() - elapsed()
  printf("%-8s %-7s %-16s %-7s %-10s %-10s %s\n", "TIME(s)", "PID", "COMM", "CALL", "SIG", "TPID", "RESULT")
end)
