-- tp_btf on a tracepoint the kernel has no BTF prototype for (kfree_skbb)
probe("tp_btf:kfree_skbb", function(e) end)
