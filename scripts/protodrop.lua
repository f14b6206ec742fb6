--- protodrop: the protocol (EtherType) of each frame dropped in a kernel function, every interval
--- usage: luaprobe protodrop [--func __netif_receive_skb_core] [--interval 1s]
local usage = "luaprobe protodrop [--func __netif_receive_skb_core] [--interval 1s]"
local opts = getopt({ func = "__netif_receive_skb_core", interval = "1s" }, usage)

-- The kfree_skb tracepoint carries the frame's protocol in host order and
-- where it was freed; the filter keeps the drops inside the function (and
-- its clones) in the kernel.
local protos = probe("tracepoint:skb:kfree_skb",
                     { where = string.format('location in "%s"', opts.func) })
                 :count("protocol", "reason")

local function report()
  for k, n in protos:delta() do
    printf("%d frames dropped in %s: protocol 0x%04x (%s), reason %s\n", n, opts.func,
           k.protocol, ethertype(k.protocol), drop_reason(k.reason))
  end
end

on_start(function()
  printf("watching drops in %s; every %s the protocols of the new ones (Ctrl-C to end)\n",
         opts.func, opts.interval)
end)
every(opts.interval, report)
on_exit(report)
