--- protodrop: the protocol (EtherType) of each frame dropped in a kernel function, every interval
--- usage: luaprobe protodrop [--func __netif_receive_skb_core] [--iface eth0] [--interval 1s]
local usage = "luaprobe protodrop [--func __netif_receive_skb_core] [--iface eth0] [--interval 1s]"
local opts = getopt({ func = "__netif_receive_skb_core", iface = "", interval = "1s" }, usage)

-- The kfree_skb tracepoint carries the frame's protocol in host order and
-- where it was freed; the filter keeps the drops inside the function (and
-- its clones) in the kernel. With --iface, the frames of one device: the
-- tracepoint's BTF arguments give the skb itself, so its device's name is
-- compared in the kernel too (skb->protocol is in network order there).
local where = string.format('location in "%s"', opts.func)
local protos, proto_key, order
if opts.iface ~= "" then
  protos = probe("tp_btf:kfree_skb",
                 { where = where .. string.format(' && skb->dev->name == "%s"', opts.iface) })
             :count("skb->protocol", "reason")
  proto_key, order = "skb->protocol", ntohs
else
  protos = probe("tracepoint:skb:kfree_skb", { where = where }):count("protocol", "reason")
  proto_key, order = "protocol", function(v) return v end
end

local function report()
  for k, n in protos:delta() do
    local proto = order(k[proto_key])
    printf("%d frames dropped in %s: protocol 0x%04x (%s), reason %s\n", n, opts.func,
           proto, ethertype(proto), drop_reason(k.reason))
  end
end

on_start(function()
  printf("watching drops in %s; every %s the protocols of the new ones (Ctrl-C to end)\n",
         opts.func, opts.interval)
end)
every(opts.interval, report)
on_exit(report)
