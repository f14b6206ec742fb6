--- setuids: privilege changes (the set*id calls): who, from which uid, to what, the result
--- usage: luaprobe setuids [--pid PID] [--comm NAME] [--failed]
---   --pid PID (or luaprobe's -p/-c): that process and its children
--- examples:
---   luaprobe setuids                           every privilege change on the machine (sudo, sshd, cron)
---   luaprobe setuids --failed                  changes the kernel refused (EPERM)
local usage = "luaprobe setuids [--pid PID] [--comm NAME] [--failed]"
local R = require "luaprobe_recipe"
local opts, bad = R.options({ pid = "", comm = "", failed = false }, usage)

-- sudo, su, login: the privileges are often dropped in a child
local where = R.process(opts, bad, "(_pid == PID || curtask->real_parent->tgid == PID)", "_comm")
local spec = { where = R.where(where) }
-- setfsuid and setfsgid return the previous id, never an error: not with --failed
local xspec = { where = R.where(where, opts.failed and "ret < 0" or nil) }

-- an id of -1 leaves that id as it is
local function id(v) return v == 0xffffffff and "-1" or tostring(v) end
local calls = {
  setuid = { "uid" }, setgid = { "gid" }, setfsuid = { "uid" }, setfsgid = { "gid" },
  setreuid = { "ruid", "euid" }, setregid = { "rgid", "egid" },
  setresuid = { "ruid", "euid", "suid" }, setresgid = { "rgid", "egid", "sgid" },
}
-- The ids asked for come with the entry, the result with the exit: paired
-- here by thread (a thread is in one system call at a time). The uid is the
-- caller's before the call.
local pending, t0 = {}, nil
for call, args in pairs(calls) do
  local fs = call:find("^setfs")
  if fs and opts.failed then goto next end
  probe("tracepoint:syscalls:sys_enter_" .. call, spec, function(e)
    local v = {}
    for i, a in ipairs(args) do v[i] = a .. "=" .. id(e[a]) end
    pending[e.tid] = { uid = e._uid, args = table.concat(v, " ") }
  end)
  probe("tracepoint:syscalls:sys_exit_" .. call, fs and spec or xspec, function(e)
    local p = pending[e.tid]
    if not p then return end -- entered before the probes were attached
    pending[e.tid] = nil
    local result = fs and ("was " .. e.ret) or e.ret == 0 and "0" or errno_name(-e.ret)
    printf("%-8.3f %-7d %-16s %-6d %-10s %-32s %s\n", (e.ts - t0) / 1e9, e._pid, e._comm, p.uid,
           call, p.args, result)
  end)
  ::next::
end

on_start(function()
  t0 = now() - elapsed()
  printf("%-8s %-7s %-16s %-6s %-10s %-32s %s\n", "TIME(s)", "PID", "COMM", "UID", "CALL", "TO", "RESULT")
end)
