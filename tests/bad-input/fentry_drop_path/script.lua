-- fentry is refused here (loads are refused on this kernel, and the kind is
-- not built): no "no kprobes" clause, and a drop path's hint
probe("fentry:ip_rcv", function(e) end)
