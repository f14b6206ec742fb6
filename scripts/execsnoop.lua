--- execsnoop: every program started (exec), with its arguments, pid, parent and result
--- usage: luaprobe execsnoop [--pid PID] [--comm NAME] [--failed] [--max-args 10]
---   --pid PID (or luaprobe's -p/-c): that process and its children
---   --comm NAME: execs called by processes of that name
--- examples:
---   luaprobe execsnoop                          every exec on the machine, with argv
---   luaprobe -c 'make' execsnoop                what make runs itself, with arguments
---   luaprobe execsnoop --failed                 execs that failed (ENOENT, EACCES, ...)
--- needs the kernel's BTF (the parent is the task's). Arguments are
--- read from the caller's memory at the call: one longer than 63 bytes is cut and ends
--- in "...", as do more arguments than --max-args; one the caller had not yet paged in
--- reads as '' (a tracepoint cannot wait for a page fault), as an empty one does
local usage = "luaprobe execsnoop [--pid PID] [--comm NAME] [--failed] [--max-args 10]"
local R = require "luaprobe_recipe"
local opts, bad = R.options({ pid = "", comm = "", failed = false, max_args = "10" }, usage)
-- a probe fetches at most 16 values: 15 arguments (and 16 pointers)
local max = math.tointeger(tonumber(opts.max_args))
if not max or max < 1 or max > 15 then bad("--max-args wants 1 to 15, not '" .. opts.max_args .. "'") end

-- the caller at the call; at sched_process_exec the task, whose comm is
-- the new program's already
local caller = R.process(opts, bad, "(_pid == PID || curtask->real_parent->tgid == PID)", "_comm")
local task = R.process({ pid = opts.pid, comm = "" }, bad,
  "(p->tgid == PID || p->real_parent->tgid == PID)", "p->comm")
local where = R.where

-- The arguments are read at the call, from the caller's memory; the
-- result comes at sched_process_exec (the new program) or, for a failure,
-- at the call's exit. Paired here by the calling thread. A second probe on
-- the call reads argv's pointers: where the NULL is says how many
-- arguments there are (an empty string could be either).
local pending, t0 = {}, nil
local strs, ptrs = {}, {}
for i = 0, max - 1 do strs["a" .. i] = string.format("((char **)argv)[%d]", i) end
for i = 0, max do ptrs["p" .. i] = string.format("((unsigned long *)argv)[%d]", i) end
local function entry(tid)
  local c = pending[tid]
  if not c or c.done then
    c = {}
    pending[tid] = c
  end
  return c
end
for _, call in ipairs({ "execve", "execveat" }) do
  local w = where(caller)
  probe("tracepoint:syscalls:sys_enter_" .. call, { where = w, fetch = strs }, function(e)
    local c = entry(e.tid)
    c.args = {}
    for i = 0, max - 1 do c.args[i + 1] = e["a" .. i] end
    c.done = c.n ~= nil
  end)
  probe("tracepoint:syscalls:sys_enter_" .. call, { where = w, fetch = ptrs }, function(e)
    local c = entry(e.tid)
    c.n, c.more = max, e["p" .. max] ~= 0
    for i = 0, max - 1 do
      if e["p" .. i] == 0 then
        c.n, c.more = i, false
        break
      end
    end
    c.done = c.args ~= nil
  end)
end

local function show(ts, pid, ppid, comm, ret, c)
  local out = {}
  for i = 1, c.n do
    local a = c.args[i]
    if #a >= 63 then a = a .. "..." end
    -- quoted as a shell would, where a space or emptiness would hide it
    if a == "" or a:find("[%s'\"]") then a = "'" .. a:gsub("'", "'\\''") .. "'" end
    out[#out + 1] = a
  end
  if c.more then out[#out + 1] = "..." end
  printf("%-8.3f %-7d %-7s %-16s %-7s %s\n", (ts - t0) / 1e9, pid, ppid, comm, ret, table.concat(out, " "))
end

if not opts.failed then
  -- --comm names the caller: the task's name is the new program's by now
  local twhere = where(task)
  local ok, err = pcall(probe, "tp_btf:sched_process_exec", {
    where = twhere,
    fetch = { ppid = "p->real_parent->tgid", old = "old_pid", name = "p->comm" },
  }, function(e)
    local c = pending[e.old]
    if not c or not c.done then return end -- called before the probes were attached, or filtered out
    pending[e.old] = nil
    show(e.ts, e.pid, tostring(e.ppid), e.name, "0", c)
  end)
  if not ok then
    error("execsnoop reads the new program's argument count and parent through the kernel's BTF " ..
          "(tp_btf), which this kernel does not offer: " .. tostring(err), 0)
  end
end
for _, call in ipairs({ "execve", "execveat" }) do
  probe("tracepoint:syscalls:sys_exit_" .. call, { where = where(caller, "ret < 0"),
         fetch = { ppid = "curtask->real_parent->tgid" } }, function(e)
    local c = pending[e.tid]
    if not c or not c.done then return end
    pending[e.tid] = nil
    show(e.ts, e._pid, tostring(e.ppid), e._comm, errno_name(-e.ret), c)
  end)
end

on_start(function()
  t0 = now() - elapsed()
  printf("%-8s %-7s %-7s %-16s %-7s %s\n", "TIME(s)", "PID", "PPID", "COMM", "RET", "ARGS")
end)
