--- gethostlatency: host name lookups through libc and how long each took (ms)
--- usage: luaprobe gethostlatency [--pid PID] [--libc PATH]
--- Uprobes on getaddrinfo, gethostbyname and gethostbyname2, entry and return paired
--- by thread in the kernel (latency()); the entry's name is read there too.
--- --libc names the C library (default: libc.so.6, found as the dynamic linker would).
--- examples: luaprobe gethostlatency
---           luaprobe -c 'curl -s https://example.com' gethostlatency
local usage = "luaprobe gethostlatency [--pid PID] [--libc PATH]"
local opts, rest = getopt({ pid = "", libc = "libc.so.6" }, usage)
if rest[1] then
  error("gethostlatency takes no argument '" .. rest[1] .. "' (luaprobe's own options, -c, -p, -d, go before the recipe's name)\nusage: " .. usage, 0)
end
local where
if opts.pid ~= "" then
  if not opts.pid:match("^%d+$") then error("--pid wants a process id\nusage: " .. usage, 0) end
  where = "pid == " .. opts.pid
end

local pending = {} -- tid -> host asked for
printf("%-9s %-7s %-16s %-8s %10s %s\n", "TIME", "PID", "COMM", "FUNC", "LATms", "HOST")
for _, fn in ipairs({ "getaddrinfo", "gethostbyname", "gethostbyname2" }) do
  local entry = probe("uprobe:" .. opts.libc .. ":" .. fn, { where = where, fetch = { host = "(char *)arg0" } },
                      function(e) pending[e.tid] = e.host end)
  local ret = probe("uretprobe:" .. opts.libc .. ":" .. fn, { where = where }, function(e)
    printf("%-9s %-7d %-16s %-8s %10.3f %s\n", os.date("%H:%M:%S"), e.pid, e.comm, fn,
           e.latency / 1e6, pending[e.tid] or "?")
    pending[e.tid] = nil
  end)
  latency(entry, ret)
end
on_start(function() eprintf("Tracing host name lookups... Hit Ctrl-C to end.\n") end)
