-- a statement without its line number
probe('process("/nonexistent/luaprobe-no-such-binary").statement("main@frames.c")', function(e) end)
