-- .retrun for .return: found while parsing, before the binary is opened
probe('process("/nonexistent/luaprobe-no-such-binary").function("main").retrun', function(e) end)
