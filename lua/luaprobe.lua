-- The Lua half of the luaprobe API: helpers written in Lua. Receives the
-- luaprobe table that the C half filled; every entry becomes a global.
local M = ...

local write, format, rep = io.write, string.format, string.rep
local io_output = io.output
local concat, sort = table.concat, table.sort

-- --json (runtime/lua/json.c): every line is an object in bpftrace's
-- shape, {"type": ..., "data": ...}. lua-cjson encodes strings and
-- floats; integers are written here, whole: cjson 2.1 prints numbers
-- with 14 significant digits, so a timestamp or an address would come out
-- rounded. Objects are written here too, keys in the order bpftrace uses.
local JSON = M._json
M._json = nil
local cjson = JSON and require("cjson")

local function hexbytes(s)
  return (s:gsub(".", function(c) return format("%02x:", c:byte()) end):sub(1, -2))
end

local jenc
-- a string that is not UTF-8 (bytes of an address) cannot be a JSON
-- string: it is written as its bytes in hex, as print() shows it
local function jstr(v)
  if not utf8.len(v) then v = hexbytes(v) end
  return cjson.encode(v)
end

-- pairs: a list of { key, value } in the order to write; values already
-- JSON when raw is true
local function jobject(pairs_, raw)
  local parts = {}
  for i, kv in ipairs(pairs_) do
    parts[i] = jstr(tostring(kv[1])) .. ": " .. (raw and kv[2] or jenc(kv[2]))
  end
  return "{" .. concat(parts, ", ") .. "}"
end

function jenc(v)
  local t = type(v)
  if t == "number" then
    return math.type(v) == "integer" and tostring(v) or cjson.encode(v)
  elseif t == "string" then
    return jstr(v)
  elseif t == "boolean" then
    return tostring(v)
  elseif t == "nil" then
    return "null"
  elseif t == "table" then
    if #v > 0 or next(v) == nil then
      local parts = {}
      for i = 1, #v do parts[i] = jenc(v[i]) end
      return "[" .. concat(parts, ", ") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local kv = {}
    for i, k in ipairs(keys) do kv[i] = { k, v[k] } end
    return jobject(kv)
  end
  error("cannot write a " .. t .. " as JSON", 3)
end

local function jline(typ, data)
  write('{"type": ', cjson.encode(typ), ', "data": ', data, "}\n")
end

-- printf(fmt, ...): string.format to stdout. Outside --json, lua/printf.c's
-- _printf: the same, with %d of an integer, %s of a string and %% written
-- without string.format.
local cprintf = M._printf
M._printf = nil
function M.printf(fmt, ...)
  if JSON then return jline("printf", jstr(format(fmt, ...))) end
  write(format(fmt, ...))
end
if not JSON then M.printf = cprintf end

-- Under --json, print() is printf's line too: a stray print must not
-- break a consumer that reads every line as JSON.
if JSON then
  function M.print(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    jline("printf", jstr(concat(parts, "\t") .. "\n"))
  end
end

-- emit(e): an event (or a table) whole: under --json
-- {"type": "event", "data": {"name": value, ...}}, fields in the event's
-- order (pairs(e)); else one line "probe: name=value ...".
function M.emit(e)
  local kv = {}
  for k, v in pairs(e) do
    if k ~= "probe" then kv[#kv + 1] = { k, v } end
  end
  if type(e) == "table" then sort(kv, function(a, b) return tostring(a[1]) < tostring(b[1]) end) end
  local probe = e.probe
  if JSON then
    if probe then table.insert(kv, 1, { "probe", probe }) end
    return jline("event", jobject(kv))
  end
  local parts = {}
  for i, p in ipairs(kv) do
    local v = p[2]
    if type(v) == "table" then
      local items = {}
      for j = 1, #v do items[j] = tostring(v[j]) end
      v = "[" .. concat(items, ", ") .. "]"
    elseif type(v) == "string" and not utf8.len(v) then
      v = hexbytes(v)
    end
    parts[i] = tostring(p[1]) .. "=" .. tostring(v)
  end
  write(probe and (probe .. ": ") or "", concat(parts, " "), "\n")
end

-- eprintf(fmt, ...): the same to stderr.
function M.eprintf(fmt, ...)
  io.stderr:write(format(fmt, ...))
end

-- Aggregations print as bpftrace prints its maps: smallest first, so the
-- largest ends next to the prompt; histograms as bars 52 wide.
local Agg = M.Agg

-- A key part that is bytes (__u8 daddr[4]) prints as hex (hexbytes,
-- "7f:00:05:01"): its zeros and non-printable bytes stay visible. inet()
-- formats addresses.
local json_print
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

-- Bucket labels as bpftrace 0.17 writes them: a power of two in hist
-- with the largest of K, M, G, T it is a multiple of (2^50 is "1024T");
-- an lhist edge with K or M when it is a multiple of one ("1536", "2K").
local function pow2_label(p)
  for _, u in ipairs({ { 40, "T" }, { 30, "G" }, { 20, "M" }, { 10, "K" } }) do
    if p >= u[1] then return tostring(1 << (p - u[1])) .. u[2] end
  end
  return tostring(1 << p)
end

local function lin_edge(v)
  if v == 0 then return "0" end
  if v % (1 << 20) == 0 then return tostring(v // (1 << 20)) .. "M" end
  if v % 1024 == 0 then return tostring(v // 1024) .. "K" end
  return tostring(v)
end

-- Bucket b of a power-of-two histogram (see bpf/agg.bpf.h lp_log2_bucket).
local function log2_label(b)
  if b == 0 then return "(..., 0)" end
  if b == 1 then return "[0]" end
  if b == 2 then return "[1]" end
  return format("[%s, %s)", pow2_label(b - 2), pow2_label(b - 1))
end

local function lin_label(b, info)
  local nb = (info.hi - info.lo) // info.step
  if b == 0 then return format("(..., %s)", lin_edge(info.lo)) end
  if b > nb then return format("[%s, ...)", lin_edge(info.hi)) end
  local lo = info.lo + (b - 1) * info.step
  return format("[%s, %s)", lin_edge(lo), lin_edge(lo + info.step))
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

-- Bucket b of a histogram as bpftrace's JSON writes it: {"min", "max",
-- "count"}, the open ends without the bound they lack.
local function json_bucket(b, n, info)
  local lo, hi
  if info.fn == "hist" then
    if b == 0 then hi = -1
    elseif b == 1 then lo, hi = 0, 0
    else lo, hi = 1 << (b - 2), (1 << (b - 1)) - 1 end
  else
    local nb = (info.hi - info.lo) // info.step
    if b == 0 then hi = info.lo - 1
    elseif b > nb then lo = info.hi
    else
      lo = info.lo + (b - 1) * info.step
      hi = lo + info.step - 1
    end
  end
  local kv = {}
  if lo then kv[#kv + 1] = { "min", lo } end
  if hi then kv[#kv + 1] = { "max", hi } end
  kv[#kv + 1] = { "count", n }
  return jobject(kv)
end

local function json_hist(h, info)
  local first, last = math.huge, -1
  for b, n in pairs(h) do
    if type(b) == "number" and n > 0 then
      if b < first then first = b end
      if b > last then last = b end
    end
  end
  local parts = {}
  for b = first, last do parts[#parts + 1] = json_bucket(b, h[b] or 0, info) end
  return "[" .. concat(parts, ", ") .. "]"
end

-- A key as bpftrace's JSON writes it: the parts joined by ",", a stack
-- as its frames a line each.
local function json_key(k, n, bytes)
  local parts = {}
  for i = 1, n do
    local v = k[i]
    if type(v) == "table" then
      local frames = {}
      for j = 1, #v do frames[j] = v[j] end
      parts[i] = concat(frames, "\n")
    elseif bytes and bytes[i] then
      parts[i] = hexbytes(v)
    else
      parts[i] = tostring(v)
    end
  end
  return concat(parts, ",")
end

-- {"type": "map"|"hist"|"stats", "data": {"@name": value or {key: value}}},
-- smallest first as the text. Nothing for no rows, as the text (and as
-- bpftrace -f json prints no object for an empty map).
function json_print(name, info, rows, nkeys)
  if #rows == 0 then return end
  local typ = (info.fn == "hist" or info.fn == "lhist") and "hist"
    or info.fn == "stats" and "stats" or "map"
  local function value(v)
    if typ == "hist" then return json_hist(v, info) end
    if typ == "stats" then
      return jobject({ { "count", v.count }, { "average", v.avg }, { "total", v.sum } })
    end
    return jenc(v)
  end
  local data
  if nkeys == 0 and #rows == 1 then
    data = value(rows[1][2])
  else
    local kv = {}
    for i = #rows, 1, -1 do
      kv[#kv + 1] = { json_key(rows[i][1], nkeys, info.bytes), value(rows[i][2]) }
    end
    data = jobject(kv, true)
  end
  jline(typ, jobject({ { name, data } }, true))
end

-- agg:print([opts]): opts.name labels it (@name), opts.top keeps the largest
-- N, opts.folded prints folded stacks (one "frame;frame N" line a key).
function Agg:print(opts)
  opts = opts or {}
  local info = self:info()
  local folded = opts.folded
  if folded == nil then folded = info.folded end
  local name = "@" .. (opts.name or "")
  -- an in-kernel map of plain keys prints from C (runtime/lua/agg.c
  -- agg_print_rows): 1M keys need no Lua table per row
  if not JSON and not folded and self._print and next(info.stacks) == nil
      and info.fn ~= "hist" and info.fn ~= "lhist" then
    local top = opts.top
    -- as the loop below: it stops once #rows >= top (at least one row)
    if top then top = top < 1 and 1 or top < 2 ^ 62 and math.ceil(top) or nil end
    return self:_print(name, top, io_output())
  end
  local rows = {}
  for k, v in self:items() do
    rows[#rows + 1] = { k, v }
    if opts.top and #rows >= opts.top then break end
  end
  local nkeys = #info.keys
  if JSON then
    if opts.folded then error("folded stacks are text: not with --json", 2) end
    return json_print(name, info, rows, nkeys)
  end
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
      -- bpftrace writes a space after a histogram's colon
      write(name, keystr(rows[i][1], nkeys, info.bytes), ": \n")
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

-- Hist(), LHist(lo, hi, step), Stats(): aggregations a script fills with
-- values it computed, read and printed through the same methods as the
-- in-kernel ones (items, total, clear, delta, info, print), so one printer
-- serves both. Buckets are the kernel's (bpf/agg.bpf.h): the same value
-- lands in the same bucket whichever side counted it.
local LuaAgg = {}
LuaAgg.__index = LuaAgg

local function log2_bucket(v)
  if v < 0 then return 0 end
  local b = 1
  while v > 0 do
    v, b = v >> 1, b + 1
  end
  return b
end

-- C's division, as the kernel's average truncates toward zero
local function cdiv(a, b)
  local q = a // b
  if q < 0 and q * b ~= a then q = q + 1 end
  return q
end

local function new_agg(fn, extra)
  local info = { fn = fn, keys = {}, bytes = {}, probe = "Lua" }
  for k, v in pairs(extra or {}) do info[k] = v end
  return setmetatable({ info_ = info, rows = {}, order = {} }, LuaAgg)
end

local function checkint(v, what, level)
  local i = math.tointeger(v)
  if i == nil then
    error(format("%s must be an integer, got %s", what, type(v) == "number" and tostring(v) or type(v)), level + 1)
  end
  return i
end

function M.Hist() return new_agg("hist") end
function M.Stats() return new_agg("stats") end

function M.LHist(lo, hi, step)
  lo, hi, step = checkint(lo, "LHist's lo", 2), checkint(hi, "LHist's hi", 2), checkint(step, "LHist's step", 2)
  if step <= 0 or hi <= lo then
    error(format("LHist(%d, %d, %d): needs lo < hi and step > 0", lo, hi, step), 2)
  end
  return new_agg("lhist", { lo = lo, hi = hi, step = step })
end

-- agg:add(value[, key...]): one value under the key (strings, integers
-- or booleans; every add() of an aggregation names as many key parts).
function LuaAgg:add(value, ...)
  local info = self.info_
  local v = checkint(value, info.fn .. ":add's value", 2)
  local n = select("#", ...)
  if #self.order == 0 and not self.nkeys then
    self.nkeys = n
    for i = 1, n do info.keys[i] = tostring(i) end
  elseif n ~= self.nkeys then
    error(format("%s:add: %d key part(s) where the first add() gave %d", info.fn, n, self.nkeys), 2)
  end
  local id = {}
  for i = 1, n do
    local part = select(i, ...)
    local t = type(part)
    if t == "number" then
      part = checkint(part, "a key part", 2)
      id[i] = "i" .. part
    elseif t == "string" then
      id[i] = "s" .. #part .. ":" .. part
    elseif t == "boolean" then
      id[i] = tostring(part)
    else
      error(format("%s:add: key part %d is a %s (strings, integers or booleans)", info.fn, i, t), 2)
    end
  end
  local key = concat(id, "|")
  local row = self.rows[key]
  if not row then
    row = { k = { ... }, seq = #self.order + 1 }
    if info.fn == "stats" then
      row.v = { count = 0, sum = 0 }
    else
      row.v = { total = 0 }
    end
    self.rows[key] = row
    self.order[#self.order + 1] = row
  end
  local rv = row.v
  if info.fn == "stats" then
    if rv.count == 0 or v < rv.min then rv.min = v end
    if rv.count == 0 or v > rv.max then rv.max = v end
    rv.count, rv.sum = rv.count + 1, rv.sum + v
  else
    local b
    if info.fn == "hist" then
      b = log2_bucket(v)
    elseif v < info.lo then
      b = 0
    elseif v >= info.hi then
      b = 1 + (info.hi - info.lo) // info.step
    else
      b = 1 + (v - info.lo) // info.step
    end
    rv[b] = (rv[b] or 0) + 1
    rv.total = rv.total + 1
  end
end

-- Copies, so a caller that changes what it got changes nothing here.
local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

function LuaAgg:items()
  local stats = self.info_.fn == "stats"
  local rows = {}
  for i, row in ipairs(self.order) do rows[i] = row end
  sort(rows, function(a, b)
    local x = stats and a.v.count or a.v.total
    local y = stats and b.v.count or b.v.total
    if x ~= y then return x > y end
    return a.seq < b.seq
  end)
  local i = 0
  return function()
    i = i + 1
    local row = rows[i]
    if not row then return nil end
    local v = copy(row.v)
    if stats then v.avg = cdiv(v.sum, v.count) end
    return copy(row.k), v
  end
end

function LuaAgg:total()
  local t = 0
  for _, row in ipairs(self.order) do t = t + (row.v.count or row.v.total) end
  return t
end

function LuaAgg:clear()
  self.rows, self.order = {}, {}
end

function LuaAgg:info()
  local info = copy(self.info_)
  info.keys, info.bytes = copy(info.keys), {}
  return info
end

LuaAgg.print = Agg.print
LuaAgg.delta = Agg.delta

-- --metrics serves the kernel's maps at scrape time, without running Lua
function LuaAgg:name()
  error("an aggregation filled from Lua is not served as a metric (only in-kernel ones are)", 2)
end
LuaAgg.help = LuaAgg.name

function LuaAgg:__tostring()
  return format("%s aggregation filled from Lua", self.info_.fn)
end

-- probe("tracepoint:syscalls:sys_enter_*", ...) makes one probe a
-- tracepoint (api_probe in runtime/lua/probe.c) and returns them as one
-- ProbeSet: where() and the aggregations apply to every member, and an
-- aggregation of the set reads as one, its members' rows merged by key.
local ProbeSet, AggSet = {}, {}
ProbeSet.__index, AggSet.__index = ProbeSet, AggSet

-- An error a member raised, raised again at the script's line: its
-- position inside this file says nothing to the script's author.
local function relay(ok, ...)
  if ok then return ... end
  local msg = tostring((...)):gsub("^[^\n]-:%d+: ", "", 1)
  error(msg, 3)
end

local function new_probe_set(probes, pattern)
  return setmetatable({ probes = probes, pattern = pattern }, ProbeSet)
end
M._set_probe_set(new_probe_set)
M._set_probe_set = nil

function ProbeSet:where(expr)
  for _, p in ipairs(self.probes) do relay(pcall(p.where, p, expr)) end
  return self
end

for _, fn in ipairs({ "count", "sum", "min", "max", "avg", "stats", "hist", "lhist" }) do
  ProbeSet[fn] = function(self, ...)
    if fn == "avg" then
      error("avg() over several tracepoints cannot be merged exactly: use stats(), whose avg is", 2)
    end
    local aggs = {}
    for i, p in ipairs(self.probes) do aggs[i] = relay(pcall(p[fn], p, ...)) end
    -- one metric under --metrics, named after the pattern
    for _, a in ipairs(aggs) do a:_metric_point(self.pattern) end
    return setmetatable({ aggs = aggs, pattern = self.pattern }, AggSet)
  end
end

function ProbeSet:__index(k)
  if k == "hits" then
    local n = 0
    for _, p in ipairs(self.probes) do n = n + p.hits end
    return n
  elseif k == "point" then
    return self.pattern
  end
  return ProbeSet[k]
end

function ProbeSet:__tostring()
  return format("probe '%s' (%d tracepoints)", self.pattern, #self.probes)
end

function AggSet:info()
  local info = self.aggs[1]:info()
  info.probe = self.pattern
  return info
end

local function merge(fn, a, b)
  if fn == "count" or fn == "sum" then return a + b end
  if fn == "min" then return math.min(a, b) end
  if fn == "max" then return math.max(a, b) end
  local m = {}
  for k, v in pairs(a) do m[k] = v end
  if fn == "stats" then
    m.count, m.sum = a.count + b.count, a.sum + b.sum
    m.min, m.max = math.min(a.min, b.min), math.max(a.max, b.max)
    m.avg = cdiv(m.sum, m.count)
  else
    for k, v in pairs(b) do m[k] = (m[k] or 0) + v end
  end
  return m
end

function AggSet:items()
  local info = self.aggs[1]:info()
  local fn, nkeys = info.fn, #info.keys
  local byid, rows = {}, {}
  for _, a in ipairs(self.aggs) do
    -- an unkeyed aggregation always has its one row, even at count 0:
    -- a member that saw nothing has no min, max or stats to merge
    local empty = nkeys == 0 and a:total() == 0
    for k, v in a:items() do
      if empty then break end
      local id = keystr(k, nkeys, info.bytes)
      for i = 1, nkeys do
        if type(k[i]) == "table" and k[i].pid then id = id .. "/" .. k[i].pid end
      end
      local row = byid[id]
      if row then
        row[2] = merge(fn, row[2], v)
      else
        row = { k, v }
        byid[id] = row
        rows[#rows + 1] = row
      end
    end
  end
  local function rank(v)
    if type(v) ~= "table" then return v end
    return v.count or v.total
  end
  sort(rows, function(a, b) return rank(a[2]) > rank(b[2]) end)
  local i = 0
  return function()
    i = i + 1
    if rows[i] then return rows[i][1], rows[i][2] end
  end
end

function AggSet:total()
  local t = 0
  for _, a in ipairs(self.aggs) do t = t + a:total() end
  return t
end

function AggSet:clear()
  for _, a in ipairs(self.aggs) do a:clear() end
end

AggSet.print = Agg.print
AggSet.delta = Agg.delta

function AggSet:name(n)
  for _, a in ipairs(self.aggs) do relay(pcall(a.name, a, n)) end
  return self
end

function AggSet:help(text)
  for _, a in ipairs(self.aggs) do relay(pcall(a.help, a, text)) end
  return self
end

function AggSet:__tostring()
  return format("%s aggregation of probe '%s'", self:info().fn, self.pattern)
end

-- getopt(defaults, usage): the script's --name value / --name=value options,
-- checked against the names in defaults; the rest stay positional, except
-- a word such as -p (refused: short options are luaprobe's own).
function M.getopt(defaults, usage)
  local opts, rest = {}, {}
  for k, v in pairs(defaults) do opts[k] = v end
  local i = 1
  while arg and arg[i] do
    local a = arg[i]
    local name, value = a:match("^%-%-([%w_-]+)=(.*)$")
    if not name then name = a:match("^%-%-([%w_-]+)$") end
    if not name and a:find("^%-%a") then
      -- luaprobe's own -p, -c, -d come before the script: here they would
      -- be positional arguments nobody reads
      error(format("unknown option '%s'%s%s", a,
                   ("pcdv"):find(a:sub(2, 2), 1, true) and #a == 2 and
                     "; luaprobe's " .. a .. " goes before the script's name (luaprobe " .. a .. " ... NAME)" or "",
                   usage and ("\nusage: " .. usage) or ""), 0)
    end
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
