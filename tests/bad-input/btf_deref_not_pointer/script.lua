-- -> on a value that is not a pointer (skb->len is an unsigned int)
probe("tp_btf:kfree_skb", { fetch = { x = "skb->len->x" } }, function(e) print(e.x) end)
