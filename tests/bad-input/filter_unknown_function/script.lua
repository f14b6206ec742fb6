-- location in a kernel function that does not exist (recieve for receive)
probe("tracepoint:skb:kfree_skb", { where = 'location in "__netif_recieve_skb_core"' }, function(e) end)
