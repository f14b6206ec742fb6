-- a kernel member misspelt: protocl for protocol, with the did-you-mean DWARF gives
probe("tp_btf:kfree_skb", { fetch = { proto = "skb->protocl" } }, function(e) print(e.proto) end)
