--- funclatency: how long a user-space function takes, entry to return, as a histogram (ns)
--- usage: luaprobe funclatency [--pid PID] [--interval 1s] /path/to/binary:function
--- A uprobe on the entry and a uretprobe on the return, paired by thread in the kernel
--- (latency()): only the histogram reaches user space. A library by path or soname
--- (/lib/x86_64-linux-gnu/libc.so.6:getaddrinfo). --pid (or -c/-p) keeps one process.
--- examples: luaprobe funclatency /usr/bin/python3:PyObject_GC_Collect -d 10
---           luaprobe funclatency --pid 1234 /lib/x86_64-linux-gnu/libc.so.6:malloc
---           luaprobe -c './app' funclatency ./app:handle_request
local usage = "luaprobe funclatency [--pid PID] [--interval 1s] /path/to/binary:function"
local opts, rest = getopt({ pid = "", interval = "" }, usage)
local target = rest[1]
if not target or rest[2] then error("funclatency wants one BINARY:FUNCTION\nusage: " .. usage, 0) end
local bin, fn = target:match("^(.+):([%w_.$@]+)$")
if not bin then error("'" .. target .. "' is not BINARY:FUNCTION\nusage: " .. usage, 0) end
local spec = {}
if opts.pid ~= "" then
  if not opts.pid:match("^%d+$") then error("--pid wants a process id\nusage: " .. usage, 0) end
  spec.where = "pid == " .. opts.pid
end

local entry = probe("uprobe:" .. bin .. ":" .. fn, spec)
local ret = probe("uretprobe:" .. bin .. ":" .. fn, spec)
local lat = latency(entry, ret) -- keyed by tid: a recursive call pairs its innermost return

local function report()
  if opts.interval ~= "" then printf("%s\n", os.date("%H:%M:%S")) end
  lat:print({ name = fn .. "_ns" })
  lat:clear()
end
on_start(function()
  eprintf("Tracing %s in %s%s... Hit Ctrl-C to end.\n", fn, bin,
          opts.pid ~= "" and (" (pid " .. opts.pid .. ")") or "")
end)
if opts.interval ~= "" then every(opts.interval, report) end
on_exit(report)
