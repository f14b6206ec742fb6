--- statsnoop: every stat of a path (stat, lstat, newfstatat, statx, statfs): who, the result, the path
--- usage: luaprobe statsnoop [--pid PID] [--comm NAME] [--failed] [--path SUBSTRING]
--- examples:
---   luaprobe statsnoop --failed                 paths looked up in vain (ENOENT), by whom
---   luaprobe -c 'git status' statsnoop          every path one command stats
local usage = "luaprobe statsnoop [--pid PID] [--comm NAME] [--failed] [--path SUBSTRING]"
local R = require "luaprobe_recipe"
local opts, bad = R.options({ pid = "", comm = "", failed = false, path = "" }, usage)

local where = R.process(opts, bad, "_pid == PID", "_comm")
local spec = { where = R.where(where) }
-- with --failed, the others stay in the kernel
local xspec = { where = R.where(where, opts.failed and "ret < 0" or nil) }

-- The path comes with the entry, the result with the exit: paired here by
-- thread (a thread is in one system call at a time).
local pending, t0 = {}, nil
local calls = { newstat = "filename", newlstat = "filename", newfstatat = "filename",
                statx = "filename", statfs = "pathname" }
local names = { newstat = "stat", newlstat = "lstat" }
local attached = 0
for call, field in pairs(calls) do
  -- a call this kernel does not have (newstat on arm64) is left out
  if pcall(probe, "tracepoint:syscalls:sys_enter_" .. call, spec, function(e)
    local path = e[field]
    -- fstat through newfstatat or statx: an empty path and AT_EMPTY_PATH
    if path == "" and e.dfd then path = "(fd " .. e.dfd .. ")" end
    pending[e.tid] = path
  end) then
    probe("tracepoint:syscalls:sys_exit_" .. call, xspec, function(e)
      local path = pending[e.tid]
      if not path then return end -- entered before the probes were attached
      pending[e.tid] = nil
      if opts.path ~= "" and not path:find(opts.path, 1, true) then return end
      printf("%-8.3f %-7d %-16s %-10s %-7s %s\n", (e.ts - t0) / 1e9, e._pid, e._comm, names[call] or call,
             e.ret == 0 and "0" or errno_name(-e.ret), path)
    end)
    attached = attached + 1
  end
end
if attached == 0 then error("statsnoop: this kernel has none of the stat system calls' tracepoints", 0) end

on_start(function()
  t0 = now() - elapsed()
  printf("%-8s %-7s %-16s %-10s %-7s %s\n", "TIME(s)", "PID", "COMM", "CALL", "RESULT", "PATH")
end)
