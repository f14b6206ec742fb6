-- a cast to a struct the kernel does not have (sk_buf for sk_buff)
probe("tracepoint:skb:kfree_skb", { fetch = { len = "((struct sk_buf *)skbaddr)->len" } }, function(e) print(e.len) end)
