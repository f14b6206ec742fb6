--- exitsnoop: processes as they exit: exit code or signal, age, parent
--- usage: luaprobe exitsnoop [--pid PID] [--comm NAME] [--failed] [--threads]
---   --pid PID (or luaprobe's -p/-c): that process and its children
--- examples:
---   luaprobe exitsnoop --failed            processes that exit non-zero or are killed
---   luaprobe exitsnoop --comm make         every make that ends, how long it ran
---   luaprobe exitsnoop --threads           every thread too, with its thread id
--- needs the kernel's BTF (the exit code, start time and parent are the task's)
local usage = "luaprobe exitsnoop [--pid PID] [--comm NAME] [--failed] [--threads]"
local R = require "luaprobe_recipe"
local opts, bad = R.options({ pid = "", comm = "", failed = false, threads = false }, usage)

local where = R.process(opts, bad, "(p->tgid == PID || p->real_parent->tgid == PID)", "p->comm")
-- a process exits with its last thread; --threads: every thread
if not opts.threads then where[#where + 1] = "group_dead != 0" end
if opts.failed then where[#where + 1] = "p->exit_code != 0" end

-- exit_code is set before the tracepoint fires (do_exit); start_time is on
-- CLOCK_MONOTONIC, e.ts's clock
local ok, err = pcall(probe, "tp_btf:sched_process_exit", {
  where = R.where(where),
  fetch = { code = "p->exit_code", start = "p->start_time", ppid = "p->real_parent->tgid",
            tgid = "p->tgid", tid = "p->pid", name = "p->comm" },
}, function(e)
  local c, how = e.code, nil
  if c & 0x7f ~= 0 then
    how = string.format("signal %d (%s)%s", c & 0x7f, signal_name(c & 0x7f):gsub("^SIG", ""),
                        c & 0x80 ~= 0 and ", core dumped" or "")
  else
    how = c == 0 and "0" or string.format("code %d", (c >> 8) & 0xff)
  end
  printf("%-8s %-16s %-7d %-7d %-7d %9.3f %s\n", os.date("%H:%M:%S"), e.name, e.tgid, e.ppid,
         e.tid, (e.ts - e.start) / 1e9, how)
end)
if not ok then
  error("exitsnoop reads the exiting task through the kernel's BTF (tp_btf), which this kernel " ..
        "does not offer: " .. tostring(err), 0)
end

on_start(function()
  printf("%-8s %-16s %-7s %-7s %-7s %9s %s\n", "TIME", "PCOMM", "PID", "PPID", "TID", "AGE(s)", "EXIT_CODE")
end)
