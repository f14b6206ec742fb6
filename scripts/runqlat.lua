--- runqlat: run queue latency, the time a task waits for a CPU once runnable, as a histogram (ns)
--- usage: luaprobe runqlat [--pid TID] [--comm NAME] [--interval 1s]
--- A wait starts at a wakeup, at a new task's first wakeup or when a running task is
--- preempted, and ends when the task is switched in; paired in the kernel (latency()),
--- so no scheduler event reaches user space. --pid names a task (a thread id; a
--- process's main thread has its pid); under -c/-p the target's main thread is the default.
--- as Prometheus metrics: luaprobe --metrics 127.0.0.1:9435 runqlat serves, on
---   http://127.0.0.1:9435/metrics, the histogram (ns, power-of-two buckets):
---   runqlat_sched_switch_hist_latency_bucket{le="8191"} 792 ... {le="+Inf"} 3046,
---   runqlat_sched_switch_hist_latency_sum 1576831100 and _count 3046
---   (the whole since the start: --interval's printing and clearing do not reset it)
--- examples: luaprobe runqlat -d 10
---           luaprobe runqlat --comm postgres --interval 5s
---           luaprobe runqlat -c './bench --threads 1'
local usage = "luaprobe runqlat [--pid TID] [--comm NAME] [--interval 1s]"
local opts, rest = getopt({ pid = "", comm = "", interval = "" }, usage)
if rest[1] then
  error("runqlat takes no argument '" .. rest[1] .. "' (luaprobe's own options, -c, -p, -d, go before the recipe's name)\nusage: " .. usage, 0)
end

local pid = opts.pid ~= "" and tonumber(opts.pid) or target_pid()
if opts.pid ~= "" and not (pid and math.type(pid) == "integer" and pid > 0) then
  error("--pid wants a thread id\nusage: " .. usage, 0)
end
if opts.comm:find('[\\"]') then error("--comm: a name without quotes or backslashes", 0) end

-- where(task-id field, comm field): the filter of one point, or nil
local function where(idf, commf, extra)
  local w = { extra }
  if pid then w[#w + 1] = idf .. " == " .. pid end
  if opts.comm ~= "" then w[#w + 1] = commf .. ' == "' .. opts.comm .. '"' end
  return #w > 0 and table.concat(w, " && ") or nil
end

-- Each point names the waiting task under "task": the woken one, or the
-- one switched out while still runnable (prev_state 0, TASK_RUNNING).
local wakeup = probe("tracepoint:sched:sched_wakeup",
                     { fetch = { task = "pid" }, where = where("pid", "comm") })
local new = probe("tracepoint:sched:sched_wakeup_new",
                  { fetch = { task = "pid" }, where = where("pid", "comm") })
local preempted = probe("tracepoint:sched:sched_switch",
                        { fetch = { task = "prev_pid" }, where = where("prev_pid", "prev_comm", "prev_state == 0") })
local switched_in = probe("tracepoint:sched:sched_switch",
                          { fetch = { task = "next_pid" }, where = where("next_pid", "next_comm") })
local lat = latency({ wakeup, new, preempted }, switched_in, "task")

local function report()
  if opts.interval ~= "" then printf("%s\n", os.date("%H:%M:%S")) end
  lat:print({ name = "runqlat_ns" })
  lat:clear()
end

on_start(function()
  eprintf("Tracing run queue latency%s%s... Hit Ctrl-C to end.\n",
          pid and (" of task " .. pid) or "", opts.comm ~= "" and (" of " .. opts.comm) or "")
end)
if opts.interval ~= "" then every(opts.interval, report) end
on_exit(report)
