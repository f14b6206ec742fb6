--- bashreadline: the command lines typed into interactive bash shells, machine-wide
--- usage: luaprobe bashreadline [--bash /bin/bash]
--- A uretprobe on bash's readline() reads the line it returns (a string of at most
--- 255 bytes here): what was typed, before expansion, with the shell's pid.
--- examples: luaprobe bashreadline
---           luaprobe bashreadline --bash /usr/local/bin/bash
local usage = "luaprobe bashreadline [--bash /bin/bash]"
local opts, rest = getopt({ bash = "/bin/bash" }, usage)
if rest[1] then
  error("bashreadline takes no argument '" .. rest[1] .. "' (luaprobe's own options, -c, -d, go before the recipe's name)\nusage: " .. usage, 0)
end
printf("%-9s %-7s %s\n", "TIME", "PID", "COMMAND")
-- readline() returns NULL at end of input (Ctrl-D): no line then
probe("uretprobe:" .. opts.bash .. ":readline", { where = "$retval != 0", fetch = { line = "(char *)$retval" } },
      function(e) printf("%-9s %-7d %s\n", os.date("%H:%M:%S"), e.pid, e.line) end)
on_start(function() eprintf("Tracing bash commands... Hit Ctrl-C to end.\n") end)
