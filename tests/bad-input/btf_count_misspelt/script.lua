-- an aggregation keyed by a misspelt kernel member (nam for name)
probe("tp_btf:kfree_skb"):count("skb->dev->nam")
