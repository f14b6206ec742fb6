-- an aggregation keyed by a misspelt field: protcol for protocol
local drops = probe("tracepoint:skb:kfree_skb"):count("location", "protcol")
every("1s", function() drops:print() end)
