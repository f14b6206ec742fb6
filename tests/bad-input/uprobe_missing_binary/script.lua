-- a uprobe on a binary that does not exist
probe("uprobe:/nonexistent/luaprobe-no-such-binary:main", function(e) end)
