-- fentry is refused here (this kernel refuses its loads):
-- no "no kprobes" clause, and a drop path's hint
probe("fentry:ip_rcv", function(e) end)
