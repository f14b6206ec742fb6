--- netdev: interface counters every interval as rates, rising ones marked, with a verdict on rx_dropped
--- usage: luaprobe netdev [--iface IF] [--interval 1s]
-- The `watch -d ifconfig` step of the packet-drop story (DESIGN.md §1): every
-- interval, the counters of /sys/class/net/IF/statistics that changed, as
-- per-second rates ("*" marks a rising one, "!" one that fell: a reset), and a
-- verdict when rx_dropped rises while the NIC's own error counters stay flat.
-- No probes: it only reads sysfs, so it runs anywhere, even without BPF.

local USAGE = "usage: luaprobe netdev [--iface IF] [--interval 1s]"

-- The kernel's statistics files (net/core/net-sysfs.c), in display order.
-- A file this kernel lacks is skipped.
local COUNTERS = {
  "rx_packets", "rx_bytes", "rx_dropped", "rx_errors", "rx_fifo_errors",
  "rx_missed_errors", "rx_over_errors", "rx_crc_errors", "rx_frame_errors",
  "rx_length_errors", "rx_nohandler", "rx_otherhost_dropped", "rx_compressed",
  "multicast",
  "tx_packets", "tx_bytes", "tx_dropped", "tx_errors", "tx_fifo_errors",
  "tx_aborted_errors", "tx_carrier_errors", "tx_heartbeat_errors",
  "tx_window_errors", "tx_compressed", "collisions",
}

-- What stays flat when the NIC itself is fine: then a rising rx_dropped means
-- the frames reached the kernel, and the kernel dropped them.
local NIC_ERRORS = { "rx_errors", "rx_fifo_errors", "rx_missed_errors", "rx_over_errors" }

local function usage_error(fmt, ...)
  error(string.format("netdev: " .. fmt .. "\n" .. USAGE, ...), 0)
end

-- "1s", "500ms", "2m", "1.5s", or a bare number of seconds (as watch -n).
local UNITS = { us = 1e-6, ms = 1e-3, s = 1, m = 60, h = 3600 }
local function parse_interval(text)
  local num, unit = string.match(text, "^(%d+%.?%d*)(%a*)$")
  local scale = UNITS[unit == "" and "s" or unit]
  if not num or not scale then
    usage_error("--interval wants a duration such as 1s, 500ms or 2 (seconds), not '%s'", text)
  end
  local secs = tonumber(num) * scale
  if secs < 0.01 or secs > 86400 then
    usage_error("--interval %s is out of range (10ms to 24h)", text)
  end
  return secs
end

-- luaprobe's own options: given after the recipe name they reach us instead.
local RUNTIME_OPTIONS = { ["-d"] = true, ["-p"] = true, ["-c"] = true, ["-v"] = true,
  ["-e"] = true, ["--json"] = true, ["--unsafe"] = true, ["--vmlinux"] = true }

local function parse_args(args)
  local opts = { interval = 1 }
  local i = 1
  while args[i] do
    local a = args[i]
    local name, value = string.match(a, "^(%-%-[%w-]+)=(.*)$")
    name = name or a
    if name == "-h" or name == "--help" then
      opts.help = true
    elseif name == "--iface" or name == "--interval" then
      if not value then
        i = i + 1
        value = args[i]
        if not value or string.sub(value, 1, 1) == "-" then usage_error("%s needs a value", name) end
      end
      if name == "--iface" then
        if value == "" or #value > 15 or string.find(value, "[/%s]") or value == "." or value == ".." then
          usage_error("'%s' is not an interface name", value)
        end
        opts.iface = value
      else
        opts.interval = parse_interval(value)
      end
    elseif RUNTIME_OPTIONS[name] then
      usage_error("'%s' is an option of luaprobe itself: put it before the recipe name "
        .. "(luaprobe %s ... netdev ...)", a, name)
    elseif string.sub(a, 1, 1) == "-" then
      usage_error("unknown option '%s'", a)
    else
      usage_error("unexpected argument '%s'", a)
    end
    i = i + 1
  end
  return opts
end

local function read_number(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local v = f:read("n")
  f:close()
  return v
end

-- Monotonic seconds (10 ms resolution), so rates hold even if a timer runs late.
local function uptime()
  return read_number("/proc/uptime")
end

-- The interfaces of this network namespace, in the kernel's order.
local function list_ifaces()
  local names = {}
  local f = io.open("/proc/net/dev", "r")
  if not f then return names end
  for line in f:lines() do
    local name = string.match(line, "^%s*([^%s:]+):")
    if name then names[#names + 1] = name end
  end
  f:close()
  return names
end

-- counter name -> value for IF, or nil when the interface is gone.
local function read_stats(iface)
  local dir = "/sys/class/net/" .. iface .. "/statistics/"
  local stats, any = {}, false
  for _, c in ipairs(COUNTERS) do
    local v = read_number(dir .. c)
    if v then
      stats[c] = v
      any = true
    end
  end
  return any and stats or nil
end

-- 1 -> "1", 2.5 -> "2.5", 1234.04 -> "1234".
local function fmt_rate(r)
  local rounded = math.floor(r + 0.5)
  if math.abs(r - rounded) < 0.05 or math.abs(r) >= 100 then
    return string.format("%d", rounded)
  end
  return string.format("%.1f", r)
end

local opts = parse_args(arg)
if opts.help then
  print(USAGE)
  print("  --iface IF        only this interface (default: every interface)")
  print("  --interval 1s     how often to sample: 1s, 500ms, 2m, or seconds")
  exit(0)
  return
end

local prev = {} -- iface -> stats at the last sample
local prev_time = uptime()

local function sample_all()
  local now = {}
  if opts.iface then
    now[opts.iface] = read_stats(opts.iface)
  else
    for _, name in ipairs(list_ifaces()) do
      now[name] = read_stats(name)
    end
  end
  return now
end

if opts.iface and not read_stats(opts.iface) then
  error(string.format("netdev: no interface '%s' in this network namespace (see /sys/class/net)",
    opts.iface), 0)
end
prev = sample_all()

-- Rows for one interface: the counters that changed since the last sample.
local function changes(old, new, secs)
  local rows = {}
  for _, c in ipairs(COUNTERS) do
    local a, b = old[c], new[c]
    if a and b and a ~= b then
      rows[#rows + 1] = { counter = c, delta = b - a, rate = (b - a) / secs, total = b }
    end
  end
  return rows
end

local function verdict(iface, old, new, secs)
  local a, b = old.rx_dropped, new.rx_dropped
  if not (a and b) or b <= a then return nil end
  for _, c in ipairs(NIC_ERRORS) do
    if old[c] ~= new[c] then return nil end
  end
  return string.format("%s: rx_dropped +%s/s while %s stay flat: the NIC delivered these frames; "
    .. "the kernel dropped them", iface, fmt_rate((b - a) / secs), table.concat(NIC_ERRORS, ", "))
end

local function tick()
  local t = uptime()
  local secs = (t and prev_time and t > prev_time) and (t - prev_time) or opts.interval
  prev_time = t
  local now = sample_all()
  if opts.iface and not now[opts.iface] then
    io.stderr:write(string.format("netdev: interface %s is gone\n", opts.iface))
    exit(1)
    return
  end

  local names = opts.iface and { opts.iface } or list_ifaces()
  local rows, verdicts, width = {}, {}, 5
  for _, name in ipairs(names) do
    local old, new = prev[name], now[name]
    if old and new then
      for _, r in ipairs(changes(old, new, secs)) do
        r.iface = name
        rows[#rows + 1] = r
        width = math.max(width, #name)
      end
      verdicts[#verdicts + 1] = verdict(name, old, new, secs)
    end
  end
  prev = now

  local stamp = os.date("%H:%M:%S")
  if #rows == 0 then
    printf("%s  no counter changed%s\n", stamp, opts.iface and (" on " .. opts.iface) or "")
  else
    printf("%s  %-" .. width .. "s  %-20s   %10s  %14s\n", stamp, "IFACE", "COUNTER", "RATE/s", "TOTAL")
    for _, r in ipairs(rows) do
      printf("%8s  %-" .. width .. "s  %-20s %s %10s  %14d\n", "", r.iface, r.counter,
        r.delta > 0 and "*" or "!", fmt_rate(r.rate), r.total)
    end
  end
  for _, v in ipairs(verdicts) do print(v) end
  io.stdout:flush()
end

every(string.format("%dms", math.floor(opts.interval * 1000 + 0.5)), tick)
