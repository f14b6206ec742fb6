--- biolatency: block I/O latency, issue to completion, as a histogram (ns)
--- usage: luaprobe biolatency [--disk NAME] [--flags] [--interval 1s]
--- A request's issue to the driver (block:block_rq_issue) and its completion
--- (block:block_rq_complete), paired in the kernel by its first sector: only the
--- histogram reaches user space. --disk keeps one whole disk (as in /sys/block);
--- --flags gives a histogram per operation (rwbs: R read, W write, S sync, F flush...).
--- as Prometheus metrics: luaprobe --metrics 127.0.0.1:9435 biolatency serves, on
---   http://127.0.0.1:9435/metrics, the histogram (ns, power-of-two buckets):
---   biolatency_block_rq_complete_hist_latency_bucket{le="16383"} 11 ... {le="+Inf"} 21,
---   _sum and _count 21; with --flags also one per operation, under the name
---   biolatency_block_rq_complete_hist_latency_2 (_count{rwbs="RS"} 16, {rwbs="WS"} 5)
---   (the whole since the start: --interval's printing and clearing do not reset it)
--- examples: luaprobe biolatency -d 10
---           luaprobe biolatency --disk vda --flags --interval 5s
local usage = "luaprobe biolatency [--disk NAME] [--flags] [--interval 1s]"
local opts, rest = getopt({ disk = "", flags = false, interval = "" }, usage)
if rest[1] then
  error("biolatency takes no argument '" .. rest[1] .. "' (luaprobe's own options, -c, -d, go before the recipe's name)\nusage: " .. usage, 0)
end

local spec = {}
if opts.disk ~= "" then
  if not opts.disk:match("^[%w_.-]+$") then error("--disk wants a disk's name (vda, nvme0n1, loop0)", 0) end
  local f = io.open("/sys/block/" .. opts.disk .. "/dev")
  local majmin = f and f:read("l")
  if f then f:close() end
  local major, minor = (majmin or ""):match("^(%d+):(%d+)$")
  if not major then error("--disk: no disk '" .. opts.disk .. "' in /sys/block (a whole disk, not a partition)", 0) end
  -- the kernel's dev_t, as the block tracepoints write it: major << 20 | minor
  spec.where = string.format("dev == %d", (tonumber(major) << 20) | tonumber(minor))
end

local issue = probe("tracepoint:block:block_rq_issue", { where = spec.where })
local done = probe("tracepoint:block:block_rq_complete", { where = spec.where })
-- by sector: a request keeps its first sector from issue to completion
local lat = latency(issue, done, "sector")
local byflags = opts.flags and done:hist("latency", "rwbs")

local function report()
  if opts.interval ~= "" then printf("%s\n", os.date("%H:%M:%S")) end
  if byflags then
    byflags:print({ name = "biolatency_ns" })
    byflags:clear()
  else
    lat:print({ name = "biolatency_ns" })
  end
  lat:clear()
end
on_start(function()
  eprintf("Tracing block I/O%s... Hit Ctrl-C to end.\n", opts.disk ~= "" and (" of " .. opts.disk) or "")
end)
if opts.interval ~= "" then every(opts.interval, report) end
on_exit(report)
