--- profile: sample every CPU's stacks at a rate and print the hottest (or folded, for flame graphs)
--- usage: luaprobe profile [--hz 99] [--pid PID] [--duration SECONDS] [--top 10] [--folded] [--kernel-only | --user-only] [--idle]
local usage = "luaprobe profile [--hz 99] [--pid PID] [--duration SECONDS] [--top 10] [--folded] " ..
              "[--kernel-only | --user-only] [--idle]"
local opts = getopt({ hz = "99", pid = "", duration = "", top = "10", folded = false,
                      kernel_only = false, user_only = false, idle = false }, usage)

local function number(name, min)
  local v = tonumber(opts[name])
  if not v or v < min or v ~= math.floor(v) then
    error(string.format("--%s wants a whole number of at least %d, not '%s'\nusage: %s",
                        name:gsub("_", "-"), min, tostring(opts[name]), usage), 0)
  end
  return v
end

local hz, top = number("hz", 1), number("top", 1)
if opts.kernel_only and opts.user_only then
  error("--kernel-only and --user-only exclude each other\nusage: " .. usage, 0)
end

-- pid 0 is the idle task: its samples say only that a CPU had nothing to do
local where = {}
if opts.pid ~= "" then where[#where + 1] = "pid == " .. number("pid", 1) end
if not opts.idle then where[#where + 1] = "pid != 0" end
local spec = { where = #where > 0 and table.concat(where, " && ") or nil }
local point = "profile:hz:" .. hz

if opts.duration ~= "" then
  local secs = tonumber((opts.duration:gsub("s$", "")))
  if not secs or secs <= 0 then
    error("--duration wants seconds, not '" .. opts.duration .. "'\nusage: " .. usage, 0)
  end
  after(math.ceil(secs * 1000), function() exit() end)
end

-- One stack: counted in the kernel, keyed by the process name and the
-- stack (print() writes folded stacks with --folded, here or luaprobe's).
-- Both: an aggregation key holds one stack, so both come to Lua with each
-- sample (a few hundred a second) and are counted here, symbolized while
-- the process still runs.
local counts, report
if opts.kernel_only or opts.user_only then
  local which = opts.kernel_only and "kstack" or "ustack"
  counts = probe(point, spec):count("comm", which)
  report = function()
    counts:print({ top = top, folded = opts.folded or nil })
  end
else
  spec.stack = "both"
  local n, keys = {}, {}
  probe(point, spec, function(e)
    local k, u = e.kstack, e.ustack
    local id = e.comm .. "\0" .. table.concat(u, "\1") .. "\0" .. table.concat(k, "\1")
    if not n[id] then keys[id] = { comm = e.comm, kstack = k, ustack = u } end
    n[id] = (n[id] or 0) + 1
  end)
  local function fname(f) return (f:match("^[^+ ]+") or f):gsub(";", ":") end
  report = function()
    if opts.folded then
      -- as Agg:print{ folded = true }: comm, user frames, kernel frames,
      -- outermost first; chains of the same functions summed
      local sums, order = {}, {}
      for id, c in pairs(n) do
        local key = keys[id]
        local parts = { (key.comm:gsub("[ ;]", "_")) }
        if #key.ustack == 0 then parts[#parts + 1] = "[kernel]" end
        for i = #key.ustack, 1, -1 do parts[#parts + 1] = fname(key.ustack[i]) end
        if #key.kstack == 0 then parts[#parts + 1] = "[user]" end
        for i = #key.kstack, 1, -1 do parts[#parts + 1] = fname(key.kstack[i]) end
        local line = table.concat(parts, ";")
        if not sums[line] then order[#order + 1] = line end
        sums[line] = (sums[line] or 0) + c
      end
      table.sort(order, function(a, b)
        if sums[a] ~= sums[b] then return sums[a] < sums[b] end
        return a < b
      end)
      for _, line in ipairs(order) do printf("%s %d\n", line, sums[line]) end
      return
    end
    -- bpftrace's @[kstack, ustack, comm] layout, the hottest last
    local rows = {}
    for id, c in pairs(n) do rows[#rows + 1] = { keys[id], c } end
    table.sort(rows, function(a, b) return a[2] > b[2] end)
    for i = math.min(top, #rows), 1, -1 do
      local key, c = rows[i][1], rows[i][2]
      printf("@[\n")
      for _, f in ipairs(key.kstack) do printf("        %s\n", f) end
      printf(", \n")
      for _, f in ipairs(key.ustack) do printf("        %s\n", f) end
      printf(", %s]: %d\n", key.comm, c)
    end
  end
end

on_start(function()
  local who = opts.pid ~= "" and opts.pid or target_pid()
  eprintf("Sampling %s stacks at %d Hz on every CPU%s, %s\n",
          opts.kernel_only and "kernel" or opts.user_only and "user" or "kernel and user", hz,
          who and (" (pid " .. who .. " only)") or "",
          opts.duration ~= "" and ("for " .. opts.duration:gsub("s$", "") .. " s") or
          "until Ctrl-C")
end)
on_exit(report)
