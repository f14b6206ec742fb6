-- The Lua half of the luaprobe API: helpers written in Lua. Receives the
-- luaprobe table that the C half filled; every entry becomes a global.
local M = ...

local write, format, rep = io.write, string.format, string.rep
local concat, sort = table.concat, table.sort

-- printf(fmt, ...): string.format to stdout.
function M.printf(fmt, ...)
  write(format(fmt, ...))
end

-- eprintf(fmt, ...): the same to stderr.
function M.eprintf(fmt, ...)
  io.stderr:write(format(fmt, ...))
end

-- Aggregations print as bpftrace prints its maps: smallest first, so the
-- largest ends next to the prompt; histograms as bars 52 wide.
local Agg = M.Agg

-- A key part that is bytes (__u8 daddr[4]) prints as hex, "7f:00:05:01":
-- its zeros and non-printable bytes stay visible. inet() formats addresses.
local function hexbytes(s)
  return (s:gsub(".", function(c) return format("%02x:", c:byte()) end):sub(1, -2))
end

-- A stack key part is its table of frames: printed one frame a line,
-- indented by 8, as bpftrace prints @[kstack].
local function partstr(v, isbytes)
  if isbytes then return hexbytes(v) end
  if type(v) ~= "table" then return tostring(v) end
  local lines = {}
  for i = 1, #v do lines[i] = "        " .. v[i] .. "\n" end
  return "\n" .. concat(lines)
end

local function keystr(k, n, bytes)
  if n == 0 then return "" end
  local parts = {}
  for i = 1, n do parts[i] = partstr(k[i], bytes and bytes[i]) end
  return "[" .. concat(parts, ", ") .. "]"
end

-- Folded stacks (flame-graph input, as flamegraph.pl reads it): one line
-- "part;outermost;...;innermost N", the key's other parts first, then the
-- user stack, then the kernel stack (a sample's user code calls into the
-- kernel), frames by function name. An empty stack is "[user]" for a
-- kernel stack (the sample was in user mode) and "[kernel]" for a user
-- stack (a kernel thread).
local function frame_name(f)
  return (f:match("^[^+ ]+") or f):gsub(";", ":")
end

local function foldedstr(k, n, stacks)
  local parts = {}
  for _, pass in ipairs({ "", "user", "kernel" }) do
    for i = 1, n do
      local v, kind = k[i], stacks[i] or ""
      if kind == pass and type(v) == "table" then
        if #v == 0 then parts[#parts + 1] = pass == "kernel" and "[user]" or "[kernel]" end
        for j = #v, 1, -1 do parts[#parts + 1] = frame_name(v[j]) end
      elseif kind == pass then
        parts[#parts + 1] = (tostring(v):gsub("[ ;]", "_"))
      end
    end
  end
  return concat(parts, ";")
end

-- 1024 -> "1K", as bpftrace labels buckets.
local function size_label(v)
  local units = { "", "K", "M", "G", "T", "P", "E" }
  local u = 1
  while v >= 1024 and v % 1024 == 0 and u < #units do
    v, u = v // 1024, u + 1
  end
  return tostring(v) .. units[u]
end

-- Bucket b of a power-of-two histogram (see bpf/agg.bpf.h lp_log2_bucket).
local function log2_label(b)
  if b == 0 then return "(..., 0)" end
  if b == 1 then return "[0]" end
  if b == 2 then return "[1]" end
  return format("[%s, %s)", size_label(1 << (b - 2)), size_label(1 << (b - 1)))
end

local function lin_label(b, info)
  local nb = (info.hi - info.lo) // info.step
  if b == 0 then return format("(..., %d)", info.lo) end
  if b > nb then return format("[%d, ...)", info.hi) end
  local lo = info.lo + (b - 1) * info.step
  return format("[%d, %d)", lo, lo + info.step)
end

local function print_hist(h, info)
  local first, last, max = math.huge, -1, 0
  for b, n in pairs(h) do
    if type(b) == "number" and n > 0 then
      if b < first then first = b end
      if b > last then last = b end
      if n > max then max = n end
    end
  end
  for b = first, last do
    local n = h[b] or 0
    local label = info.fn == "hist" and log2_label(b) or lin_label(b, info)
    local bar = max > 0 and (n * 52) // max or 0
    write(format("%-16s%8d |%s%s|\n", label, n, rep("@", bar), rep(" ", 52 - bar)))
  end
end

-- agg:print([opts]): opts.name labels it (@name), opts.top keeps the largest
-- N, opts.folded prints folded stacks (one "frame;frame N" line a key).
function Agg:print(opts)
  opts = opts or {}
  local info = self:info()
  local folded = opts.folded
  if folded == nil then folded = info.folded end
  local name = "@" .. (opts.name or "")
  local rows = {}
  for k, v in self:items() do
    rows[#rows + 1] = { k, v }
    if opts.top and #rows >= opts.top then break end
  end
  local nkeys = #info.keys
  if folded then
    if info.fn == "hist" or info.fn == "lhist" or info.fn == "stats" then
      error("folded is for count, sum, min, max and avg aggregations", 2)
    end
    -- keys that differ only in offsets inside the same functions are one
    -- line: flame graphs are by function
    local sums, order = {}, {}
    for i = 1, #rows do
      local line = foldedstr(rows[i][1], nkeys, info.stacks or {})
      if not sums[line] then order[#order + 1] = line end
      sums[line] = (sums[line] or 0) + rows[i][2]
    end
    sort(order, function(a, b)
      if sums[a] ~= sums[b] then return sums[a] < sums[b] end
      return a < b
    end)
    for _, line in ipairs(order) do write(line, " ", tostring(sums[line]), "\n") end
    return
  end
  if info.fn == "hist" or info.fn == "lhist" then
    for i = #rows, 1, -1 do
      write(name, keystr(rows[i][1], nkeys, info.bytes), ":\n")
      print_hist(rows[i][2], info)
      write("\n")
    end
    return
  end
  for i = #rows, 1, -1 do
    local k, v = rows[i][1], rows[i][2]
    if info.fn == "stats" then
      v = format("count %d, average %d, total %d", v.count, v.avg, v.sum)
    end
    write(name, keystr(k, nkeys, info.bytes), ": ", tostring(v), "\n")
  end
end

-- agg:delta(): like items(), but each value is what was added since the
-- last delta() (keys that did not grow are left out). The map is never
-- cleared, so nothing counted between two reads is lost.
local last_seen = setmetatable({}, { __mode = "k" })

function Agg:delta()
  local info = self:info()
  if info.fn ~= "count" and info.fn ~= "sum" then
    error("delta() is for count and sum aggregations", 2)
  end
  local nkeys = #info.keys
  local prev = last_seen[self] or {}
  local now, rows = {}, {}
  for k, v in self:items() do
    local id = keystr(k, nkeys, info.bytes)
    for i = 1, nkeys do
      if type(k[i]) == "table" and k[i].pid then id = id .. "/" .. k[i].pid end
    end
    now[id] = v
    local d = v - (prev[id] or 0)
    if d > 0 then rows[#rows + 1] = { k, d } end
  end
  last_seen[self] = now
  sort(rows, function(a, b) return a[2] > b[2] end)
  local i = 0
  return function()
    i = i + 1
    if rows[i] then return rows[i][1], rows[i][2] end
  end
end

-- getopt(defaults, usage): the script's --name value / --name=value options,
-- checked against the names in defaults; the rest stay positional.
function M.getopt(defaults, usage)
  local opts, rest = {}, {}
  for k, v in pairs(defaults) do opts[k] = v end
  local i = 1
  while arg and arg[i] do
    local a = arg[i]
    local name, value = a:match("^%-%-([%w_-]+)=(.*)$")
    if not name then name = a:match("^%-%-([%w_-]+)$") end
    if name then
      local key = name:gsub("-", "_")
      if defaults[key] == nil then
        error(format("unknown option '--%s'%s", name, usage and ("\nusage: " .. usage) or ""), 0)
      end
      if not value then
        if type(defaults[key]) == "boolean" then
          value = true
        else
          i = i + 1
          value = arg[i]
          if value == nil then error(format("option '--%s' needs a value", name), 0) end
        end
      end
      opts[key] = value
    else
      rest[#rest + 1] = a
    end
    i = i + 1
  end
  return opts, rest
end

return M
