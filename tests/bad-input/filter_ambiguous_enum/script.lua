-- PROTO ends two constants of the field's own enum (UNHANDLED_PROTO and
-- INVALID_PROTO), and constants of other enums too
probe("tracepoint:skb:kfree_skb", { where = "reason == PROTO" }, function(e) end)
