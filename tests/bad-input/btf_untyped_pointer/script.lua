-- a tracepoint pointer field followed without a cast
probe("tracepoint:skb:kfree_skb", { fetch = { len = "skbaddr->len" } }, function(e) print(e.len) end)
