--- netdrop: count packet drops in the kernel by location and reason, every interval
--- usage: luaprobe netdrop [--interval 1s] [--reason UNHANDLED_PROTO]
--- as Prometheus metrics: luaprobe --metrics 127.0.0.1:9435 netdrop serves, on
---   http://127.0.0.1:9435/metrics, a counter a (location, reason) pair:
---   netdrop_kfree_skb_count_total{location="__udp4_lib_rcv+0x4bc",reason="SKB_DROP_REASON_NO_SOCKET"} 5
---   (the whole count since the start: the printed deltas do not reset it)
local usage = "luaprobe netdrop [--interval 1s] [--reason UNHANDLED_PROTO]"
local opts = getopt({ interval = "1s", reason = "" }, usage)

local spec = {}
if opts.reason ~= "" then
  local name = opts.reason:upper()
  if not name:find("^SKB_DROP_REASON_") then name = "SKB_DROP_REASON_" .. name end
  spec.where = "reason == " .. name
end
-- Counted in the kernel: only (location, reason) pairs reach user space.
local drops = probe("tracepoint:skb:kfree_skb", spec):count("location", "reason")

local function report()
  local first = true
  for k, n in drops:delta() do
    if first then
      printf("%s\n", os.date("%H:%M:%S"))
      first = false
    end
    printf("%d drops at %s (0x%x) %s\n", n, ksym(k.location), k.location, drop_reason(k.reason))
  end
end

on_start(function()
  printf("counting drops%s; every %s the new ones, most first (Ctrl-C to end)\n",
         opts.reason ~= "" and (" with reason " .. opts.reason) or "", opts.interval)
end)
every(opts.interval, report)
on_exit(report)
