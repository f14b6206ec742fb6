-- the SystemTap spelling of a return probe, on a binary that does not exist
probe('process("/nonexistent/luaprobe-no-such-binary").function("main").return', function(e) end)
