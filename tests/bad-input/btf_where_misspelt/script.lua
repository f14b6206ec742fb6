-- a misspelt member in a filter: the resolver says why
probe("tp_btf:kfree_skb", { where = "skb->dev->ifindx == 1" }, function(e) end)
