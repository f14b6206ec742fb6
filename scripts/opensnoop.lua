--- opensnoop: every file opened (open, openat, openat2): who, the flags, and the fd or the error
--- usage: luaprobe opensnoop [--pid PID] [--comm NAME] [--failed] [--path SUBSTRING]
--- examples:
---   luaprobe opensnoop --failed                 opens that failed, with their errno
---   luaprobe -c 'cat /etc/hostname' opensnoop   what one command opens
---   luaprobe -p 1234 opensnoop --path .conf     what process 1234 opens under a name with ".conf"
local usage = "luaprobe opensnoop [--pid PID] [--comm NAME] [--failed] [--path SUBSTRING]"
local opts, rest = getopt({ pid = "", comm = "", failed = false, path = "" }, usage)
if rest[1] then error("unexpected argument '" .. rest[1] .. "'\nusage: " .. usage, 0) end

-- _pid and _comm: the built-ins, whatever a system call's arguments are called
local where = {}
if opts.pid ~= "" then
  local pid = math.tointeger(tonumber(opts.pid))
  if not pid or pid < 1 then error("--pid wants a process id, not '" .. opts.pid .. "'\nusage: " .. usage, 0) end
  where[#where + 1] = "_pid == " .. pid
elseif target_pid() then
  where[#where + 1] = "_pid == target"
end
if opts.comm ~= "" then
  if opts.comm:find('["\\]') then error("--comm: a name without quotes or backslashes", 0) end
  where[#where + 1] = string.format('_comm == "%s"', opts.comm)
end
local spec = { where = #where > 0 and table.concat(where, " && ") or nil }

-- x86-64's open flags: the access mode, then every other bit by name
local bits = {
  { 0x40, "O_CREAT" }, { 0x80, "O_EXCL" }, { 0x100, "O_NOCTTY" }, { 0x200, "O_TRUNC" },
  { 0x400, "O_APPEND" }, { 0x800, "O_NONBLOCK" }, { 0x1000, "O_DSYNC" }, { 0x2000, "O_ASYNC" },
  { 0x4000, "O_DIRECT" }, { 0x8000, "O_LARGEFILE" }, { 0x10000, "O_DIRECTORY" },
  { 0x20000, "O_NOFOLLOW" }, { 0x40000, "O_NOATIME" }, { 0x80000, "O_CLOEXEC" },
  { 0x100000, "__O_SYNC" }, { 0x200000, "O_PATH" }, { 0x400000, "__O_TMPFILE" },
}
local modes = { [0] = "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" }
local function flagnames(f)
  if not f then return "?" end
  local out = { modes[f & 3] }
  f = f & ~3
  for _, b in ipairs(bits) do
    if f & b[1] ~= 0 then
      out[#out + 1] = b[2]
      f = f & ~b[1]
    end
  end
  if f ~= 0 then out[#out + 1] = string.format("0x%x", f) end
  return table.concat(out, "|")
end

-- The path and flags come with the entry, the result with the exit: the two
-- are paired here by thread (a thread is in one system call at a time).
local pending = {}
local function enter(e, flags)
  pending[e.tid] = { path = e.filename, flags = flags }
end
for _, call in ipairs({ "open", "openat" }) do
  probe("tracepoint:syscalls:sys_enter_" .. call, spec, function(e) enter(e, e.flags) end)
end
-- openat2's flags are in the caller's struct open_how, typed through the
-- kernel's BTF; without it, the path still (flags as "?")
local s2 = { where = spec.where, fetch = { how_flags = "((struct open_how *)how)->flags" } }
local ok2 = pcall(probe, "tracepoint:syscalls:sys_enter_openat2", s2,
                  function(e) enter(e, e.how_flags) end) or
            pcall(probe, "tracepoint:syscalls:sys_enter_openat2", spec,
                  function(e) enter(e, nil) end)

local t0
local function leave(e)
  local o = pending[e.tid]
  if not o then return end -- entered before the probes were attached
  pending[e.tid] = nil
  if opts.path ~= "" and not o.path:find(opts.path, 1, true) then return end
  printf("%-8.3f %-7d %-16s %3d %-7s %-28s %s\n", (e.ts - t0) / 1e9, e._pid, e._comm,
         e.ret >= 0 and e.ret or -1, e.ret >= 0 and "0" or errno_name(-e.ret),
         flagnames(o.flags), o.path)
end
-- --failed: the successful ends stay in the kernel
local xspec = spec
if opts.failed then xspec = { where = (spec.where and spec.where .. " && " or "") .. "ret < 0" } end
probe("tracepoint:syscalls:sys_exit_open", xspec, leave)
probe("tracepoint:syscalls:sys_exit_openat", xspec, leave)
if ok2 then probe("tracepoint:syscalls:sys_exit_openat2", xspec, leave) end

on_start(function()
  t0 = now() - elapsed()
  printf("%-8s %-7s %-16s %3s %-7s %-28s %s\n", "TIME(s)", "PID", "COMM", "FD", "ERR", "FLAGS", "PATH")
end)
